//! Live charts: one component's utilisation over time with the phase's warning and critical
//! lines drawn across it.

use charming::Chart;
use charming::component::{Axis, Grid, Title, VisualMap, VisualMapPiece, VisualMapType};
use charming::datatype::CompositeValue;
use charming::element::AxisLabel;
use charming::element::{
    AxisType, ItemStyle, Label, LineStyle, LineStyleType, MarkLine, MarkLineData, MarkLineVariant,
    Symbol, Tooltip, Trigger,
};
use charming::series::Line;
use phaseplan_model::Status;
use phaseplan_model::live::UtilisationSeries;

use super::theme::{png_toolbox, status_colour};

/// A gap longer than this many sampling intervals breaks the line (the source was down).
const GAP_INTERVALS: f64 = 3.0;

/// The utilisation of `u` over `[start, end]` (unix seconds), with its band's lines.
pub fn utilisation_over_time(
    u: &UtilisationSeries,
    status: Status,
    interval_seconds: f64,
    start: f64,
    end: f64,
) -> Chart {
    let gap = GAP_INTERVALS * interval_seconds.max(0.05);
    let mut data: Vec<CompositeValue> = Vec::with_capacity(u.points.len() + 8);
    let mut previous: Option<f64> = None;
    for &(t, v) in u.points.iter().filter(|(t, _)| *t >= start) {
        if previous.is_some_and(|p| t - p > gap) {
            // `null` ends the line; it starts again at the next point.
            data.push(CompositeValue::Array(vec![
                (t * 1_000.0 - 1.0).into(),
                CompositeValue::OptionalNumber(None),
            ]));
        }
        data.push(vec![t * 1_000.0, (v * 10.0).round() / 10.0].into());
        previous = Some(t);
    }
    let top = u.points.iter().map(|p| p.1).fold(100.0, f64::max);
    let latest = u
        .points
        .last()
        .map_or_else(|| "no data".to_owned(), |p| format!("{:.1} % now", p.1));
    Chart::new()
        .toolbox(png_toolbox(&format!(
            "live-{}",
            u.label.to_lowercase().replace(' ', "-")
        )))
        .title(Title::new().text(u.label.as_str()).subtext(latest))
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(Grid::new().left(44).right(92).top(56).bottom(28))
        .x_axis(
            Axis::new()
                .type_(AxisType::Time)
                .min(start * 1_000.0)
                .max(end.max(start + 1.0) * 1_000.0)
                // At most four labels, so they never overlap on a phone.
                .min_interval(((end - start).max(1.0) * 1_000.0 / 3.0).round())
                .axis_label(AxisLabel::new().formatter("{HH}:{mm}:{ss}")),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .min(0)
                .max((top / 10.0).ceil() * 10.0)
                .name("%"),
        )
        // The line takes the colour of the band each stretch of it is in, so a spike past the
        // critical line shows red where it happened.
        .visual_map(
            VisualMap::new()
                .type_(VisualMapType::Piecewise)
                .show(false)
                .dimension(1)
                .series_index(0)
                .pieces(vec![
                    VisualMapPiece::new()
                        .lte(u.warning_percent)
                        .color(status_colour(Status::Optimal)),
                    VisualMapPiece::new()
                        .gt(u.warning_percent)
                        .lte(u.critical_percent)
                        .color(status_colour(Status::Warning)),
                    VisualMapPiece::new()
                        .gt(u.critical_percent)
                        .color(status_colour(Status::Critical)),
                ]),
        )
        .series(
            Line::new()
                .name(u.label.as_str())
                .show_symbol(false)
                .connect_nulls(false)
                .line_style(LineStyle::new().width(2))
                .item_style(ItemStyle::new().color(status_colour(status)))
                .data(data),
        )
        .series(threshold("warning", u.warning_percent, Status::Warning))
        .series(threshold("critical", u.critical_percent, Status::Critical))
}

/// A threshold as a dashed line in its status colour, labelled at the right. A series of its
/// own (without data) because a mark line's colour is set per series, not per line.
fn threshold(name: &str, value: f64, status: Status) -> Line {
    let colour = status_colour(status);
    Line::new().name(name).data(Vec::<f64>::new()).mark_line(
        MarkLine::new()
            .silent(true)
            .symbol(vec![Symbol::None, Symbol::None])
            .line_style(
                LineStyle::new()
                    .type_(LineStyleType::Dashed)
                    .color(colour)
                    .width(1.5),
            )
            .data(vec![MarkLineVariant::Simple(
                MarkLineData::new().name(name).y_axis(value).label(
                    Label::new()
                        .formatter(format!("{name} {value:.0} %").as_str())
                        .color(colour),
                ),
            )]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::live::LiveComponent;

    fn series() -> UtilisationSeries {
        UtilisationSeries {
            component: LiveComponent::AppCpu,
            label: "CPU".to_owned(),
            warning_percent: 60.0,
            critical_percent: 80.0,
            // 5-s samples with a 60-s hole between 110 and 170.
            points: vec![(100.0, 10.0), (105.0, 20.0), (110.0, 30.0), (170.0, 40.0)],
        }
    }

    #[test]
    fn a_gap_breaks_the_line_and_the_thresholds_are_drawn() {
        let chart = utilisation_over_time(&series(), Status::Optimal, 5.0, 100.0, 200.0);
        let json = serde_json::to_value(&chart).unwrap();
        let data = json["series"][0]["data"].as_array().unwrap();
        assert_eq!(data.len(), 5, "4 points and one break");
        assert!(data[3][1].is_null());
        assert_eq!(data[4], serde_json::json!([170_000.0, 40.0]));
        let marks: Vec<f64> = json["series"]
            .as_array()
            .unwrap()
            .iter()
            .skip(1)
            .map(|s| s["markLine"]["data"][0]["yAxis"].as_f64().unwrap())
            .collect();
        assert_eq!(marks, vec![60.0, 80.0]);
        assert_eq!(json["xAxis"]["min"], serde_json::json!(100_000.0));
        // Coloured by band: green to 60, amber to 80, red beyond.
        let pieces = &json["visualMap"][0]["pieces"];
        assert_eq!(pieces[0]["lte"], 60.0);
        assert_eq!(
            (pieces[1]["gt"].as_f64(), pieces[1]["lte"].as_f64()),
            (Some(60.0), Some(80.0))
        );
        assert_eq!(pieces[2]["gt"], 80.0);
        assert_eq!(json["visualMap"][0]["type"], "piecewise");
    }

    #[test]
    fn points_before_the_window_are_left_out() {
        let chart = utilisation_over_time(&series(), Status::Optimal, 5.0, 106.0, 200.0);
        let json = serde_json::to_value(&chart).unwrap();
        assert_eq!(json["series"][0]["data"].as_array().unwrap().len(), 3);
    }
}
