//! One radar per provider over the decision criteria: each axis is the provider's normalised
//! score on that criterion (0 worst … 100 best among the providers compared).

use charming::Chart;
use charming::component::{Legend, LegendType, RadarCoordinate, Title};
use charming::datatype::DataPointItem;
use charming::element::Tooltip;
use charming::series::Radar;
use phaseplan_model::decision::Criterion;
use phaseplan_model::evaluate::ProviderDecision;

use super::theme::png_toolbox;

/// Axis names short enough to sit around a radar in a narrow column.
fn short(c: Criterion) -> &'static str {
    match c {
        Criterion::MonthlyCost => "Cost now",
        Criterion::Tco => "TCO",
        Criterion::Headroom => "Headroom",
        Criterion::Availability => "Availability",
        Criterion::Operations => "Ops effort",
        Criterion::LockIn => "Lock-in",
        Criterion::Managed => "Managed",
    }
}

/// One axis per criterion in [`Criterion::ALL`] order, and each provider's values on the same
/// axes (ECharts pairs a polygon's values with the indicators by position).
pub fn radar_chart(d: &ProviderDecision, names: &dyn Fn(&str) -> String) -> Chart {
    let indicators: Vec<(&str, f64, f64)> = Criterion::ALL.map(|c| (short(c), 0.0, 100.0)).to_vec();
    let ranking = d.result.as_ref().map_or(&[][..], |r| &r.ranking);
    let data: Vec<DataPointItem> = ranking
        .iter()
        .map(|r| {
            let values: Vec<f64> = Criterion::ALL
                .map(|c| (r.normalised[c] * 100.0).round())
                .to_vec();
            DataPointItem::new(values).name(names(&r.key))
        })
        .collect();
    Chart::new()
        .toolbox(png_toolbox("decision-radar"))
        .title(
            Title::new()
                .text("Providers on each criterion")
                .subtext("normalised: 100 = best of the six, 0 = worst"),
        )
        .tooltip(Tooltip::new())
        .legend(Legend::new().type_(LegendType::Scroll).bottom(0))
        .radar(
            RadarCoordinate::new()
                .indicator(indicators)
                .radius("52%")
                .center(vec!["50%", "52%"]),
        )
        .series(Radar::new().name("Providers").data(data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::cost::catalog::Catalog;
    use phaseplan_model::evaluate::evaluate;
    use phaseplan_model::presets::preset;

    #[test]
    fn one_polygon_per_provider_with_a_value_per_criterion() {
        let mut s = preset("ecommerce").unwrap().scenario;
        let mut u = s.default_uncertainty();
        u.paths = 100;
        s.uncertainty = Some(u);
        let e = evaluate(&s.validate().unwrap(), &Catalog::built_in().unwrap());
        let v = serde_json::to_value(radar_chart(&e.decision, &|k| k.to_uppercase())).unwrap();
        let radar = if v["radar"].is_array() {
            &v["radar"][0]
        } else {
            &v["radar"]
        };
        assert_eq!(radar["indicator"].as_array().unwrap().len(), 7);
        let data = v["series"][0]["data"].as_array().unwrap();
        assert_eq!(data.len(), 6);
        let ranking = &e.decision.result.as_ref().unwrap().ranking;
        assert_eq!(data[0]["name"], ranking[0].key.to_uppercase());
        // Each value sits on its criterion's axis.
        let tco = Criterion::ALL
            .iter()
            .position(|&c| c == Criterion::Tco)
            .unwrap();
        assert_eq!(radar["indicator"][tco]["name"], "TCO");
        assert_eq!(
            data[0]["value"][tco],
            (ranking[0].normalised[Criterion::Tco] * 100.0).round()
        );
        assert_eq!(data[0]["value"].as_array().unwrap().len(), 7);
    }
}
