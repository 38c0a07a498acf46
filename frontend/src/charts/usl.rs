//! The app tier's scalability: the measured points, the Universal Scalability Law fitted to them
//! with its 95 % confidence band, and where throughput peaks and returns diminish.

use charming::Chart;
use charming::component::{Axis, Grid, Legend, Title};
use charming::element::{
    AreaStyle, AxisType, Formatter, Label, LabelPosition, LineStyle, LineStyleType, MarkLine,
    MarkLineData, MarkLineVariant, NameLocation, Symbol, Tooltip, Trigger,
};
use charming::series::Line;
use phaseplan_model::capacity::usl::UslFit;

use super::theme::{MUTED, png_toolbox};

/// Points along the curve: enough for a smooth line, few enough to stay light.
const SAMPLES: usize = 80;

/// The chart of `fit` over `points` (instances, requests per second).
pub fn usl_chart(fit: &UslFit, points: &[(f64, f64)]) -> Chart {
    let measured_max = points.iter().map(|p| p.0).fold(1.0, f64::max);
    let peak = fit.peak().map(|p| p.0);
    let right = peak.map_or(measured_max * 1.5, |n| (n * 1.5).max(measured_max * 1.2));
    #[allow(clippy::cast_precision_loss)]
    let xs: Vec<f64> = (0..=SAMPLES)
        .map(|i| 1.0 + (right - 1.0) * i as f64 / SAMPLES as f64)
        .collect();
    let round = |x: f64| (x * 100.0).round() / 100.0;
    let curve: Vec<Vec<f64>> = xs
        .iter()
        .map(|&n| vec![round(n), round(fit.usl.throughput(n))])
        .collect();
    let bands: Option<Vec<[f64; 2]>> = xs.iter().map(|&n| fit.band(n)).collect();
    let mut marks = Vec::new();
    if let Some(n) = peak {
        marks.push(MarkLineVariant::Simple(
            MarkLineData::new().name("peak").x_axis(round(n)).label(
                Label::new()
                    .formatter(Formatter::String(format!("peak N* {n:.0}")))
                    .color(MUTED),
            ),
        ));
    }
    if fit.usl.sigma > 0.0 && 1.0 / fit.usl.sigma <= right {
        let d = 1.0 / fit.usl.sigma;
        marks.push(MarkLineVariant::Simple(
            MarkLineData::new()
                .name("diminishing returns")
                .x_axis(round(d))
                .label(
                    Label::new()
                        .formatter(Formatter::String(format!("1/σ {d:.0}")))
                        .position(LabelPosition::Start)
                        .color(MUTED),
                ),
        ));
    }
    let mut line = Line::new()
        .name("Fitted USL")
        .show_symbol(false)
        .line_style(LineStyle::new().width(2))
        .data(curve);
    if !marks.is_empty() {
        line = line.mark_line(
            MarkLine::new()
                .silent(true)
                .symbol(vec![Symbol::None, Symbol::None])
                .line_style(LineStyle::new().type_(LineStyleType::Dashed).color(MUTED))
                .data(marks),
        );
    }
    let mut legend = vec!["Measured", "Fitted USL"];
    let mut chart = Chart::new()
        .toolbox(png_toolbox("scalability"))
        .title(
            Title::new()
                .text("Throughput against instances")
                .subtext(format!(
                    "σ {:.3}, κ {:.2e}, R² {:.3}",
                    fit.usl.sigma, fit.usl.kappa, fit.r_squared
                )),
        )
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(Grid::new().left(70).right(40).top(96).bottom(40))
        .x_axis(
            Axis::new()
                .type_(AxisType::Value)
                .name("instances")
                .name_location(NameLocation::Middle)
                .name_gap(26)
                .min(0),
        )
        .y_axis(Axis::new().type_(AxisType::Value).name("req/s").min(0));
    // The band as its lower edge (invisible) with its width stacked on top.
    if let Some(b) = bands {
        legend.push("95 % band");
        chart = chart
            .series(
                Line::new()
                    .name("band low")
                    .stack("band")
                    .show_symbol(false)
                    .line_style(LineStyle::new().opacity(0))
                    .data(
                        xs.iter()
                            .zip(&b)
                            .map(|(&n, b)| vec![round(n), round(b[0])])
                            .collect::<Vec<_>>(),
                    ),
            )
            .series(
                Line::new()
                    .name("95 % band")
                    .stack("band")
                    .show_symbol(false)
                    .line_style(LineStyle::new().opacity(0))
                    .area_style(AreaStyle::new().opacity(0.2))
                    .data(
                        xs.iter()
                            .zip(&b)
                            .map(|(&n, b)| vec![round(n), round(b[1] - b[0])])
                            .collect::<Vec<_>>(),
                    ),
            );
    }
    chart
        .legend(Legend::new().top(48).data(legend))
        .series(line)
        // Points only: a line series with its line hidden (the app's ECharts build carries no
        // scatter chart, and this needs none).
        .series(
            Line::new()
                .name("Measured")
                .symbol(Symbol::Circle)
                .symbol_size(9)
                .line_style(LineStyle::new().opacity(0))
                .data(points.iter().map(|&(n, x)| vec![n, x]).collect::<Vec<_>>()),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_draws_points_curve_band_and_the_peak() {
        let points = [
            (1.0, 64.9),
            (18.0, 995.9),
            (36.0, 1652.4),
            (72.0, 1853.2),
            (108.0, 1828.9),
            (144.0, 1775.0),
            (216.0, 1702.2),
        ];
        let fit = UslFit::fit(&points).unwrap();
        let json = serde_json::to_value(usl_chart(&fit, &points)).unwrap();
        let series = json["series"].as_array().unwrap();
        let named = |n: &str| {
            series
                .iter()
                .find(|s| s["name"] == n)
                .unwrap_or_else(|| panic!("{n}"))
        };
        assert_eq!(named("Measured")["data"].as_array().unwrap().len(), 7);
        assert_eq!(
            named("Fitted USL")["data"].as_array().unwrap().len(),
            SAMPLES + 1
        );
        assert!(named("95 % band")["areaStyle"].is_object());
        let marks = named("Fitted USL")["markLine"]["data"].to_string();
        assert!(marks.contains("peak N* 97"), "{marks}");
        assert!(marks.contains("1/σ 36"), "{marks}");
    }
}
