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

/// Points a chart draws at most: two per bucket of [`BUCKETS`]. A chart is a few hundred pixels
/// wide; a day at 5 s is 17,280 points, which would cost more to hand to ECharts on every
/// update than the whole analysis.
const BUCKETS: usize = 600;

/// Reduces `points` (oldest first, within `[start, end]`) to the lowest and the highest point of
/// each of `buckets` equal stretches of time, in time order: the line keeps its envelope, so a
/// spike past a threshold still shows, at a fraction of the points.
pub fn envelope(points: &[(f64, f64)], start: f64, end: f64, buckets: usize) -> Vec<(f64, f64)> {
    if points.len() <= 2 * buckets || end <= start || buckets == 0 {
        return points.to_vec();
    }
    #[allow(clippy::cast_precision_loss)]
    let width = (end - start) / buckets as f64;
    let mut out = Vec::with_capacity(2 * buckets);
    let mut i = 0;
    while i < points.len() {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let bucket = ((points[i].0 - start) / width).floor().max(0.0) as usize;
        let (mut low, mut high) = (points[i], points[i]);
        let mut j = i + 1;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        while j < points.len()
            && ((points[j].0 - start) / width).floor().max(0.0) as usize == bucket
        {
            if points[j].1 < low.1 {
                low = points[j];
            }
            if points[j].1 > high.1 {
                high = points[j];
            }
            j += 1;
        }
        if low.0 == high.0 {
            out.push(low);
        } else if low.0 < high.0 {
            out.extend([low, high]);
        } else {
            out.extend([high, low]);
        }
        i = j;
    }
    out
}

/// The utilisation of `u` over `[start, end]` (unix seconds), with its band's lines.
pub fn utilisation_over_time(
    u: &UtilisationSeries,
    status: Status,
    interval_seconds: f64,
    start: f64,
    end: f64,
) -> Chart {
    let first = u.points.partition_point(|(t, _)| *t < start);
    let shown = envelope(&u.points[first..], start, end, BUCKETS);
    // A longer silence than a few samples (or than two buckets, once reduced) is an outage.
    #[allow(clippy::cast_precision_loss)]
    let bucket = (end - start).max(0.0) / BUCKETS as f64;
    let gap = if shown.len() < u.points.len() - first {
        (GAP_INTERVALS * interval_seconds.max(0.05)).max(2.5 * bucket)
    } else {
        GAP_INTERVALS * interval_seconds.max(0.05)
    };
    let mut data: Vec<CompositeValue> = Vec::with_capacity(shown.len() + 8);
    let mut previous: Option<f64> = None;
    for &(t, v) in &shown {
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
    fn a_day_is_drawn_as_its_envelope_spikes_included() {
        // 17,280 points at 5 s, flat at 30 % but for one 5-s spike to 95 %.
        let points: Vec<(f64, f64)> = (0..17_280)
            .map(|i| {
                let t = f64::from(i) * 5.0;
                (t, if i == 9_000 { 95.0 } else { 30.0 })
            })
            .collect();
        let e = envelope(&points, 0.0, 86_400.0, 600);
        assert!(e.len() <= 1_200, "{}", e.len());
        assert!(e.contains(&(45_000.0, 95.0)), "the spike survives");
        assert!(e.windows(2).all(|w| w[0].0 < w[1].0), "in time order");
        // A chart of the day: no false gaps between buckets, and the spike drawn.
        let u = UtilisationSeries {
            points: points.clone(),
            ..series()
        };
        let chart = utilisation_over_time(&u, Status::Optimal, 5.0, 0.0, 86_400.0);
        let json = serde_json::to_value(&chart).unwrap();
        let data = json["series"][0]["data"].as_array().unwrap();
        assert!(data.len() <= 1_200);
        assert!(data.iter().all(|d| !d[1].is_null()));
        assert!(data.iter().any(|d| d[1] == 95.0));
        // Few points are left as they are.
        assert_eq!(envelope(&points[..100], 0.0, 500.0, 600).len(), 100);
    }

    #[test]
    fn points_before_the_window_are_left_out() {
        let chart = utilisation_over_time(&series(), Status::Optimal, 5.0, 106.0, 200.0);
        let json = serde_json::to_value(&chart).unwrap();
        assert_eq!(json["series"][0]["data"].as_array().unwrap().len(), 3);
    }
}
