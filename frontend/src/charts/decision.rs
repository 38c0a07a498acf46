//! One radar per provider over the decision criteria: each axis is the provider's normalised
//! score on that criterion (0 worst … 100 best among the providers compared).

use charming::Chart;
use charming::component::{Legend, LegendType, RadarCoordinate, Title};
use charming::datatype::DataPointItem;
use charming::element::Tooltip;
use charming::series::Radar;
use phaseplan_model::decision::Decision;
use phaseplan_model::evaluate::ProviderDecision;

use super::theme::png_toolbox;

/// Axis names short enough to sit around a radar in a narrow column.
fn short(key: &str) -> &'static str {
    match key {
        "monthly_cost" => "Cost now",
        "tco" => "TCO",
        "headroom" => "Headroom",
        "availability" => "Availability",
        "operations" => "Ops effort",
        "lock_in" => "Lock-in",
        "managed" => "Managed",
        _ => "?",
    }
}

pub fn radar_chart(d: &ProviderDecision, names: &dyn Fn(&str) -> String) -> Chart {
    let indicators: Vec<(&str, f64, f64)> = d
        .matrix
        .criteria
        .iter()
        .map(|c| (short(&c.key), 0.0, 100.0))
        .collect();
    let Decision { ranking, .. } = &d.result;
    let data: Vec<DataPointItem> = ranking
        .iter()
        .map(|r| {
            let values: Vec<f64> = r.normalised.iter().map(|n| (n * 100.0).round()).collect();
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
        assert_eq!(
            data[0]["name"],
            e.decision.result.ranking[0].key.to_uppercase()
        );
        assert_eq!(data[0]["value"].as_array().unwrap().len(), 7);
    }
}
