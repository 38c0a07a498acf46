//! Predicted response time against users, one curve per phase: the app tier's queue on the
//! instances its autoscaler runs for those users ([`phaseplan_model::capacity::response`]), with
//! the latency objective as a line.

use charming::Chart;
use charming::component::{Axis, Grid, Legend, LegendType, Title};
use charming::element::{
    AxisType, Formatter, Label, LabelPosition, LineStyle, LineStyleType, MarkLine, MarkLineData,
    MarkLineVariant, NameLocation, Symbol, Tooltip, Trigger,
};
use charming::series::Line;
use phaseplan_model::capacity::response::ResponseTime;
use phaseplan_model::scenario::LatencyPercentile;
use phaseplan_model::valid::ValidScenario;

use super::theme::{MUTED, png_toolbox};

/// Points along each phase's curve.
const SAMPLES: u32 = 60;

/// The `percentile` of every phase's response time from no users to 98 % of what its app tier
/// holds; the curve stops where it passes the chart's top (three times the objective, or ten
/// idle service times without one).
pub fn response_chart(s: &ValidScenario, percentile: LatencyPercentile) -> Chart {
    let demand = s.demand();
    let objective = demand.objective();
    let shown = objective.map_or(percentile, |o| o.percentile);
    let phases = s.ladder().phases();
    let idle = phases
        .iter()
        .filter_map(|p| {
            demand
                .app_queue(p.app.vcpu, p.app.min_instances)
                .response(p.app.min_instances, 0.0)
                .percentile_ms(shown)
        })
        .fold(0.0, f64::max);
    let top = objective.map_or(idle * 10.0, |o| (o.ms * 3.0).max(idle * 2.0));
    let mut chart = Chart::new()
        .toolbox(png_toolbox("response-time"))
        .title(
            Title::new()
                .text(format!("Predicted {} response time", shown.key()))
                .subtext("app tier on the instances its autoscaler runs; M/M/c slowed by σ and κ"),
        )
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().type_(LegendType::Scroll).top(48))
        .grid(Grid::new().left(70).right(40).top(96).bottom(40))
        .x_axis(
            Axis::new()
                .type_(AxisType::Value)
                .name("concurrent users")
                .name_location(NameLocation::Middle)
                .name_gap(26)
                .min(0),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .name("ms")
                .min(0)
                .max(top.ceil()),
        );
    if demand.rps_per_user <= 0.0 {
        return chart;
    }
    let round = |x: f64| (x * 10.0).round() / 10.0;
    for (i, p) in phases.iter().enumerate() {
        let limit = demand.app_capacity(p.app.vcpu, p.app.max_instances) * 0.98;
        let data: Vec<Vec<f64>> = (0..=SAMPLES)
            .map(|k| limit * f64::from(k) / f64::from(SAMPLES))
            .map_while(|u| {
                let n = demand.app_instances(
                    p.app.vcpu,
                    p.app.min_instances,
                    p.app.max_instances,
                    p.thresholds.cpu.warning() / 100.0,
                    u,
                );
                match demand
                    .app_queue(p.app.vcpu, n)
                    .response(n, u * demand.rps_per_user)
                {
                    r @ ResponseTime::Predicted { .. } => r
                        .percentile_ms(shown)
                        .filter(|&ms| ms <= top)
                        .map(|ms| vec![round(u), round(ms)]),
                    ResponseTime::Saturated { .. } => None,
                }
            })
            .collect();
        let mut line = Line::new()
            .name(p.name.clone())
            .show_symbol(false)
            .line_style(LineStyle::new().width(2))
            .data(data);
        if i == 0
            && let Some(o) = objective
        {
            line = line.mark_line(
                MarkLine::new()
                    .silent(true)
                    .symbol(vec![Symbol::None, Symbol::None])
                    .line_style(
                        LineStyle::new()
                            .type_(LineStyleType::Dashed)
                            .color("#dc2626"),
                    )
                    .data(vec![MarkLineVariant::Simple(
                        MarkLineData::new().name("objective").y_axis(o.ms).label(
                            Label::new()
                                .formatter(Formatter::String(format!(
                                    "objective {} ≤ {} ms",
                                    o.percentile.key(),
                                    o.ms
                                )))
                                // Above the line at its right end, inside the plot.
                                .position(LabelPosition::InsideEndTop)
                                .color(MUTED),
                        ),
                    )]),
            );
        }
        chart = chart.series(line);
    }
    chart
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::scenario::LatencyObjective;

    fn scenario(objective: Option<LatencyObjective>) -> ValidScenario {
        let mut s = phaseplan_model::presets::presets().remove(0).scenario;
        s.workload.latency_objective = objective;
        s.validate().unwrap()
    }

    #[test]
    fn every_phase_has_a_rising_curve_and_the_objective_its_line() {
        let objective = LatencyObjective {
            percentile: LatencyPercentile::P99,
            ms: 250.0,
        };
        let s = scenario(Some(objective));
        let json = serde_json::to_value(response_chart(&s, LatencyPercentile::P95)).unwrap();
        let series = json["series"].as_array().unwrap();
        assert_eq!(series.len(), s.ladder().phases().len());
        assert!(
            json["title"][0]["text"].to_string().contains("p99"),
            "{}",
            json["title"]
        );
        for line in series {
            let data = line["data"].as_array().unwrap();
            assert!(data.len() > 5, "{line}");
            let ms: Vec<f64> = data.iter().map(|d| d[1].as_f64().unwrap()).collect();
            assert!(ms.iter().all(|&m| m > 0.0 && m <= 750.0), "{ms:?}");
            assert!(ms.last() > ms.first(), "{ms:?}");
        }
        let mark = series[0]["markLine"].to_string();
        assert!(mark.contains("objective p99 ≤ 250 ms"), "{mark}");
    }

    #[test]
    fn without_an_objective_the_asked_percentile_is_drawn_unmarked() {
        let s = scenario(None);
        let json = serde_json::to_value(response_chart(&s, LatencyPercentile::P95)).unwrap();
        assert!(json["title"][0]["text"].to_string().contains("p95"));
        assert!(json["series"][0]["markLine"].is_null());
    }
}
