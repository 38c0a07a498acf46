//! The Compare page's overlays: one line per compared scenario over its months, so two plans'
//! costs or users read against each other on one axis.

use charming::Chart;
use charming::component::{Axis, Grid, Legend, LegendType, Title};
use charming::element::{AxisType, Tooltip, Trigger};
use charming::series::Line;

use super::theme::png_toolbox;

/// `series` as lines over `months` (the longest horizon's labels; shorter series end early).
pub fn overlay_chart(
    title: &str,
    subtitle: &str,
    unit: &str,
    months: Vec<String>,
    series: &[(String, Vec<f64>)],
) -> Chart {
    let mut chart = Chart::new()
        .toolbox(png_toolbox("compare"))
        .title(Title::new().text(title).subtext(subtitle))
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().type_(LegendType::Scroll).top(48))
        .grid(Grid::new().left(64).right(24).top(96).bottom(30))
        .x_axis(Axis::new().type_(AxisType::Category).data(months))
        .y_axis(Axis::new().type_(AxisType::Value).name(unit));
    for (name, data) in series {
        let rounded: Vec<f64> = data.iter().map(|v| v.round()).collect();
        chart = chart.series(
            Line::new()
                .name(name.as_str())
                .show_symbol(false)
                .data(rounded),
        );
    }
    chart
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_scenario_with_its_name() {
        let chart = overlay_chart(
            "Monthly cost",
            "USD a month",
            "$ / month",
            vec!["Jan 2027".into(), "Feb 2027".into()],
            &[("A".into(), vec![100.4, 120.6]), ("B".into(), vec![90.0])],
        );
        let json = serde_json::to_value(chart).expect("json");
        let series = json["series"].as_array().expect("series");
        assert_eq!(series.len(), 2);
        assert_eq!(series[0]["name"], "A");
        assert_eq!(series[0]["data"], serde_json::json!([100.0, 121.0]));
        assert_eq!(series[1]["data"], serde_json::json!([90.0]));
    }
}
