//! The peak's utilisation of every phase, coloured by status, with the warning and critical
//! thresholds drawn.

use charming::Chart;
use charming::component::{Axis, Grid, Title};
use charming::datatype::DataPointItem;
use charming::element::{
    AxisType, Formatter, ItemStyle, Label, LabelPosition, LineStyle, LineStyleType, MarkLine,
    MarkLineData, MarkLineVariant, Symbol, Tooltip, Trigger,
};
use charming::series::Bar;
use phaseplan_model::PhaseFit;

use super::theme::{MUTED, png_toolbox, status_colour};

/// Bars taller than this are clipped (and labelled with their true value) so that one
/// overloaded phase does not flatten the others.
pub const CLIP_PERCENT: f64 = 200.0;

pub fn phase_fit_chart(fit: &PhaseFit) -> Chart {
    let band = fit.phase.thresholds.capacity;
    let names: Vec<String> = fit.loads.iter().map(|l| l.name.clone()).collect();
    let data: Vec<DataPointItem> = fit
        .loads
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let pct = (l.utilisation.percent() * 10.0).round() / 10.0;
            let style = ItemStyle::new()
                .color(status_colour(l.status))
                .opacity(if i == fit.phase_index { 1.0 } else { 0.45 });
            DataPointItem::new(pct.min(CLIP_PERCENT)).item_style(style)
        })
        .collect();
    let threshold = |name: &str, value: f64, colour: &str| {
        MarkLineVariant::Simple(
            MarkLineData::new().name(name).y_axis(value).label(
                Label::new()
                    .formatter(Formatter::String(format!("{name} {value}%")))
                    .color(colour),
            ),
        )
    };
    Chart::new()
        .toolbox(png_toolbox("phase-load"))
        .title(
            Title::new()
                .text("Peak load per phase")
                .subtext("% of each phase's capacity"),
        )
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(Grid::new().left(48).right(90).top(70).bottom(30))
        .x_axis(Axis::new().type_(AxisType::Category).data(names))
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .min(0)
                .max(CLIP_PERCENT)
                .name("%"),
        )
        .series(
            Bar::new()
                .name("Utilisation")
                .bar_width("45%")
                .label(
                    Label::new()
                        .show(true)
                        .position(LabelPosition::Top)
                        .formatter("{c}%"),
                )
                .data(data)
                .mark_line(
                    MarkLine::new()
                        .silent(true)
                        .symbol(vec![Symbol::None, Symbol::None])
                        .line_style(LineStyle::new().type_(LineStyleType::Dashed).color(MUTED))
                        .data(vec![
                            threshold("warning", band.warning(), "#d97706"),
                            threshold("critical", band.critical(), "#dc2626"),
                        ]),
                ),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::{PhaseLadder, Users};
    use serde_json::Value;

    fn chart_json(users: f64) -> Value {
        let fit = PhaseLadder::seed().fit(Users::new("u", users).unwrap());
        serde_json::to_value(phase_fit_chart(&fit)).unwrap()
    }

    #[test]
    fn one_bar_per_phase_with_utilisation_values() {
        let v = chart_json(1_500.0);
        let data = &v["series"][0]["data"];
        let values: Vec<f64> = data
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["value"].as_f64().unwrap())
            .collect();
        assert_eq!(values, [75.0, 30.0, 10.0, 3.0]);
        // charming writes a single axis as an object, several as an array.
        let x_axis = if v["xAxis"].is_array() {
            &v["xAxis"][0]
        } else {
            &v["xAxis"]
        };
        assert_eq!(
            x_axis["data"],
            serde_json::json!(["Launch", "Growth", "Scale", "Enterprise"])
        );
    }

    #[test]
    fn overloaded_bars_are_clipped_and_thresholds_drawn() {
        let v = chart_json(12_000.0);
        assert_eq!(v["series"][0]["data"][0]["value"], CLIP_PERCENT);
        let lines = &v["series"][0]["markLine"]["data"];
        assert_eq!(lines[0]["yAxis"], 60.0);
        assert_eq!(lines[1]["yAxis"], 80.0);
    }
}
