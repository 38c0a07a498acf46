//! Capacity charts: what each component of each phase holds, how full each component is now, and
//! the uncertainty fans (P10–P90 band around the median) for users and cost.

use charming::Chart;
use charming::component::{Axis, Grid, Legend, LegendType, Title};
use charming::datatype::DataPointItem;
use charming::element::{
    AreaStyle, AxisType, ItemStyle, Label, LabelPosition, LineStyle, LineStyleType, MarkLine,
    MarkLineData, MarkLineVariant, Symbol, Tooltip, Trigger,
};
use charming::series::{Bar, Line};
use phaseplan_model::capacity::components::ComponentKind;
use phaseplan_model::evaluate::Evaluation;
use phaseplan_model::uncertainty::Percentiles;

use super::theme::{MUTED, png_toolbox, status_colour};
use crate::format::month_label;

const KINDS: [ComponentKind; 6] = [
    ComponentKind::App,
    ComponentKind::Database,
    ComponentKind::Cache,
    ComponentKind::Websocket,
    ComponentKind::LoadBalancer,
    ComponentKind::ResponseTime,
];

/// Capacity in users of every component of every phase (log scale: they span orders of
/// magnitude), with each phase's design target as a marker.
pub fn component_capacity_chart(e: &Evaluation) -> Chart {
    let names: Vec<String> = e.phases.iter().map(|p| p.name.clone()).collect();
    let mut chart = Chart::new()
        .toolbox(png_toolbox("component-capacity"))
        .title(
            Title::new()
                .text("Capacity by component")
                .subtext("concurrent users at 100 % (log scale); the bottleneck is outlined"),
        )
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().type_(LegendType::Scroll).top(48))
        .grid(Grid::new().left(70).right(24).top(96).bottom(30))
        .x_axis(Axis::new().type_(AxisType::Category).data(names))
        .y_axis(Axis::new().type_(AxisType::Log).name("users"));
    for kind in KINDS {
        let data: Vec<DataPointItem> = e
            .phases
            .iter()
            .map(|p| {
                let c = p.capacity.components.iter().find(|c| c.component == kind);
                let value = c.map_or(0.0, |c| c.capacity_users.round());
                let mut item = DataPointItem::new(value);
                if p.capacity.bottleneck == Some(kind) {
                    item =
                        item.item_style(ItemStyle::new().border_color("#dc2626").border_width(3));
                }
                item
            })
            .collect();
        if e.phases
            .iter()
            .all(|p| p.capacity.components.iter().all(|c| c.component != kind))
        {
            continue;
        }
        chart = chart.series(Bar::new().name(kind.label()).data(data));
    }
    let design: Vec<f64> = e.phases.iter().map(|p| p.capacity.design_users).collect();
    chart.series(
        Line::new()
            .name("Design target")
            .symbol(Symbol::Diamond)
            .symbol_size(10)
            .line_style(LineStyle::new().type_(LineStyleType::Dashed).color(MUTED))
            .data(design),
    )
}

/// Each component's utilisation now, coloured by its status against its own thresholds.
pub fn utilisation_chart(e: &Evaluation) -> Chart {
    let c = &e.now.capacity;
    let names: Vec<&str> = c.components.iter().map(|c| c.component.label()).collect();
    let data: Vec<DataPointItem> = c
        .components
        .iter()
        .map(|c| {
            let pct = (c.utilisation.percent() * 10.0).round() / 10.0;
            DataPointItem::new(pct.min(150.0))
                .item_style(ItemStyle::new().color(status_colour(c.status)))
        })
        .collect();
    let phase = e
        .phases
        .get(c.phase_index)
        .map_or_else(String::new, |p| p.name.clone());
    Chart::new()
        .toolbox(png_toolbox("utilisation-now"))
        .title(
            Title::new()
                .text("How full each component is now")
                .subtext(format!(
                    "{phase} at {} users; colour = status",
                    crate::format::thousands(c.users)
                )),
        )
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(Grid::new().left(150).right(60).top(70).bottom(30))
        .x_axis(Axis::new().type_(AxisType::Value).max(150).name("%"))
        .y_axis(Axis::new().type_(AxisType::Category).data(names))
        .series(
            Bar::new()
                .name("Utilisation")
                .label(
                    Label::new()
                        .show(true)
                        .position(LabelPosition::Right)
                        .formatter("{c} %"),
                )
                .data(data),
        )
}

/// A fan: the P10–P90 band around the median, month by month, with optional horizontal lines.
pub fn fan_chart(
    e: &Evaluation,
    title: &str,
    unit: &str,
    fan: &[Percentiles],
    lines: &[(String, f64)],
) -> Chart {
    let months: Vec<String> = e
        .timeline
        .months
        .iter()
        .map(|m| month_label(m.year, m.calendar_month))
        .collect();
    let lower: Vec<f64> = fan.iter().map(|p| p.p10.round()).collect();
    let band: Vec<f64> = fan
        .iter()
        .map(|p| (p.p90 - p.p10).max(0.0).round())
        .collect();
    let median: Vec<f64> = fan.iter().map(|p| p.p50.round()).collect();
    let marks: Vec<MarkLineVariant> = lines
        .iter()
        .map(|(name, value)| {
            MarkLineVariant::Simple(
                MarkLineData::new()
                    .name(name.as_str())
                    .y_axis(value.round())
                    .label(Label::new().formatter(name.as_str()).color(MUTED)),
            )
        })
        .collect();
    let mut median_line = Line::new()
        .name("Median (P50)")
        .show_symbol(false)
        .line_style(LineStyle::new().width(2))
        .data(median);
    if !marks.is_empty() {
        median_line = median_line.mark_line(
            MarkLine::new()
                .silent(true)
                .symbol(vec![Symbol::None, Symbol::None])
                .line_style(LineStyle::new().type_(LineStyleType::Dashed).color(MUTED))
                .data(marks),
        );
    }
    Chart::new()
        .toolbox(png_toolbox(&title.to_lowercase().replace(' ', "-")))
        .title(Title::new().text(title).subtext(format!(
            "{unit}; band: 10th to 90th percentile of the Monte Carlo paths"
        )))
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().top(48).data(vec!["P10–P90", "Median (P50)"]))
        .grid(Grid::new().left(70).right(96).top(96).bottom(30))
        .x_axis(Axis::new().type_(AxisType::Category).data(months))
        .y_axis(Axis::new().type_(AxisType::Value))
        // The band is drawn as P10 (invisible) with P90 − P10 stacked on top.
        .series(
            Line::new()
                .name("P10")
                .stack("fan")
                .show_symbol(false)
                .line_style(LineStyle::new().opacity(0))
                .data(lower),
        )
        .series(
            Line::new()
                .name("P10–P90")
                .stack("fan")
                .show_symbol(false)
                .line_style(LineStyle::new().opacity(0))
                .area_style(AreaStyle::new().opacity(0.25))
                .data(band),
        )
        .series(median_line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::cost::catalog::Catalog;
    use phaseplan_model::evaluate::evaluate;
    use phaseplan_model::presets::preset;

    fn evaluation() -> Evaluation {
        let mut s = preset("ride-hailing").unwrap().scenario;
        let mut u = s.default_uncertainty();
        u.paths = 500;
        s.uncertainty = Some(u);
        evaluate(&s.validate().unwrap(), &Catalog::built_in().unwrap())
    }

    #[test]
    fn the_fan_stacks_p10_and_the_band_to_p90() {
        let e = evaluation();
        let v = serde_json::to_value(fan_chart(
            &e,
            "Users",
            "peak users",
            &e.uncertainty.users,
            &[],
        ))
        .unwrap();
        let s = v["series"].as_array().unwrap();
        assert_eq!(s.len(), 3);
        for t in [0usize, 12, 35] {
            let p = e.uncertainty.users[t];
            let top = s[0]["data"][t].as_f64().unwrap() + s[1]["data"][t].as_f64().unwrap();
            assert!((top - p.p90).abs() <= 1.0, "month {t}: {top} vs {}", p.p90);
            assert_eq!(s[2]["data"][t].as_f64().unwrap(), p.p50.round());
        }
    }

    #[test]
    fn capacity_chart_has_a_series_per_loaded_component_and_the_design_targets() {
        let e = evaluation();
        let v = serde_json::to_value(component_capacity_chart(&e)).unwrap();
        let names: Vec<&str> = v["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "App tier",
                "Database connections",
                "Cache memory",
                "WebSockets",
                "Load balancer",
                "Design target"
            ]
        );
        assert_eq!(
            v["series"][5]["data"],
            serde_json::json!([2000.0, 5000.0, 15000.0, 50000.0])
        );
        let v = serde_json::to_value(utilisation_chart(&e)).unwrap();
        assert_eq!(v["series"][0]["data"].as_array().unwrap().len(), 5);
    }
}
