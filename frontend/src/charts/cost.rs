//! Monthly cost per provider over the horizon, one line each, with the phase transitions marked
//! on the time axis.

use charming::Chart;
use charming::component::{Axis, Grid, Legend, LegendType, Title};
use charming::datatype::DataPointItem;
use charming::element::ItemStyle;
use charming::element::{
    AxisType, Label, LineStyle, LineStyleType, MarkLine, MarkLineData, MarkLineVariant, Symbol,
    Tooltip, Trigger,
};
use charming::series::{Bar, Line};
use phaseplan_model::cost::bom::CostComponent;
use phaseplan_model::evaluate::Evaluation;

use super::theme::{MUTED, png_toolbox};
use crate::format::month_label;

pub fn cost_chart(e: &Evaluation, phase_names: &[String]) -> Chart {
    let months: Vec<String> = e
        .timeline
        .months
        .iter()
        .map(|m| month_label(m.year, m.calendar_month))
        .collect();
    let transitions: Vec<MarkLineVariant> = e
        .timeline
        .transitions
        .iter()
        .filter_map(|t| {
            let label = months.get(t.month as usize)?.clone();
            let name = phase_names.get(t.to_index)?.clone();
            Some(MarkLineVariant::Simple(
                MarkLineData::new()
                    .name(name.as_str())
                    .x_axis(label.as_str())
                    .label(Label::new().formatter(name.as_str()).color(MUTED)),
            ))
        })
        .collect();
    let mut chart = Chart::new()
        .toolbox(png_toolbox("monthly-cost"))
        .title(
            Title::new()
                .text("Monthly cost per provider")
                .subtext("USD a month; dashed lines: phase transitions"),
        )
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().type_(LegendType::Scroll).top(48))
        .grid(Grid::new().left(64).right(24).top(96).bottom(30))
        .x_axis(Axis::new().type_(AxisType::Category).data(months))
        .y_axis(Axis::new().type_(AxisType::Value).name("$ / month"));
    for (i, p) in e.providers.iter().enumerate() {
        let data: Vec<f64> = p.monthly_usd.iter().map(|c| c.round()).collect();
        let mut line = Line::new()
            .name(p.name.as_str())
            .show_symbol(false)
            .data(data);
        if p.provider == e.provider {
            line = line.line_style(LineStyle::new().width(3));
        }
        // The transitions ride on the first series so they are drawn once.
        if i == 0 && !transitions.is_empty() {
            line = line.mark_line(
                MarkLine::new()
                    .silent(true)
                    .symbol(vec![Symbol::None, Symbol::None])
                    .line_style(LineStyle::new().type_(LineStyleType::Dashed).color(MUTED))
                    .data(transitions.clone()),
            );
        }
        chart = chart.series(line);
    }
    chart
}

/// The scenario's provider, month by month, stacked by component.
pub fn breakdown_chart(e: &Evaluation) -> Chart {
    let months: Vec<String> = e
        .timeline
        .months
        .iter()
        .map(|m| month_label(m.year, m.calendar_month))
        .collect();
    let name = e
        .providers
        .iter()
        .find(|p| p.provider == e.provider)
        .map_or_else(String::new, |p| p.name.clone());
    let mut chart = Chart::new()
        .toolbox(png_toolbox("cost-by-component"))
        .title(
            Title::new()
                .text("Cost by component")
                .subtext(format!("on {name}, USD a month after discounts")),
        )
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().type_(LegendType::Scroll).top(48))
        .grid(Grid::new().left(64).right(24).top(96).bottom(30))
        .x_axis(Axis::new().type_(AxisType::Category).data(months))
        .y_axis(Axis::new().type_(AxisType::Value).name("$ / month"));
    for c in CostComponent::ALL {
        let data: Vec<f64> = e.breakdown.iter().map(|b| b[c].round()).collect();
        // Components that cost nothing over the whole horizon only clutter the legend.
        if data.iter().all(|v| *v == 0.0) {
            continue;
        }
        chart = chart.series(Bar::new().name(c.label()).stack("cost").data(data));
    }
    chart
}

/// Total cost over the horizon per provider, cheapest first.
pub fn tco_chart(e: &Evaluation) -> Chart {
    let mut rows: Vec<(&str, f64, bool)> = e
        .providers
        .iter()
        .map(|p| (p.name.as_str(), p.tco_usd.round(), p.provider == e.provider))
        .collect();
    rows.sort_by(|a, b| a.1.total_cmp(&b.1));
    let names: Vec<String> = rows.iter().map(|r| r.0.to_owned()).collect();
    let data: Vec<DataPointItem> = rows
        .iter()
        .map(|&(_, v, chosen)| {
            DataPointItem::new(v).item_style(ItemStyle::new().opacity(if chosen {
                1.0
            } else {
                0.6
            }))
        })
        .collect();
    Chart::new()
        .toolbox(png_toolbox("total-cost"))
        .title(
            Title::new()
                .text(format!(
                    "Total cost over {} months",
                    e.timeline.months.len()
                ))
                .subtext("USD; the scenario's provider in full colour"),
        )
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(Grid::new().left(110).right(40).top(70).bottom(30))
        // Few ticks: six-digit dollar labels collide in a narrow panel.
        .x_axis(Axis::new().type_(AxisType::Value).split_number(2))
        .y_axis(Axis::new().type_(AxisType::Category).data(names))
        .series(Bar::new().name("Total cost").data(data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::cost::catalog::Catalog;
    use phaseplan_model::evaluate::evaluate;
    use phaseplan_model::presets::preset;

    #[test]
    fn one_line_per_provider_over_the_horizon_with_transitions() {
        let mut s = preset("ride-hailing").unwrap().scenario;
        let mut u = s.default_uncertainty();
        u.paths = 100;
        s.uncertainty = Some(u);
        let e = evaluate(
            &s.clone().validate().unwrap(),
            &Catalog::built_in().unwrap(),
        );
        let names: Vec<String> = s.phases.iter().map(|p| p.name.clone()).collect();
        let v = serde_json::to_value(cost_chart(&e, &names)).unwrap();
        let series = v["series"].as_array().unwrap();
        assert_eq!(series.len(), 6);
        assert_eq!(series[0]["data"].as_array().unwrap().len(), 36);
        assert_eq!(series[0]["data"][0], e.providers[0].monthly_usd[0].round());
        let marks = series[0]["markLine"]["data"].as_array().unwrap();
        assert_eq!(marks.len(), e.timeline.transitions.len());
        assert_eq!(marks[0]["name"], "Growth");
    }

    #[test]
    fn the_breakdown_stacks_to_the_monthly_total_and_tco_is_sorted() {
        let mut s = preset("ecommerce").unwrap().scenario;
        let mut u = s.default_uncertainty();
        u.paths = 100;
        s.uncertainty = Some(u);
        let e = evaluate(&s.validate().unwrap(), &Catalog::built_in().unwrap());
        let v = serde_json::to_value(breakdown_chart(&e)).unwrap();
        let series = v["series"].as_array().unwrap();
        assert!(series.iter().all(|s| s["stack"] == "cost"));
        // Each series is its component's cost, stacked in the components' order.
        let shown: Vec<CostComponent> = series
            .iter()
            .map(|s| {
                *CostComponent::ALL
                    .iter()
                    .find(|c| s["name"] == c.label())
                    .unwrap()
            })
            .collect();
        assert!(shown.windows(2).all(|w| w[0] < w[1]), "{shown:?}");
        for (s, c) in series.iter().zip(&shown) {
            assert_eq!(s["data"][0], e.breakdown[0][*c].round());
        }
        let month0: f64 = series.iter().map(|s| s["data"][0].as_f64().unwrap()).sum();
        let chosen = e
            .providers
            .iter()
            .find(|p| p.provider == e.provider)
            .unwrap();
        // Each component is rounded to the dollar: the stack is within a few dollars.
        assert!(
            (month0 - chosen.monthly_usd[0]).abs() <= 8.0,
            "{month0} vs {}",
            chosen.monthly_usd[0]
        );
        let v = serde_json::to_value(tco_chart(&e)).unwrap();
        let data: Vec<f64> = v["series"][0]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["value"].as_f64().unwrap())
            .collect();
        assert_eq!(data.len(), 6);
        assert!(data.windows(2).all(|w| w[0] <= w[1]));
    }
}
