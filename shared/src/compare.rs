//! What differs between two scenarios, and what that does to the plan: the inputs that changed,
//! by field path, and the key figures of both evaluations side by side with their deltas. The
//! server answers `GET /api/v1/scenarios/{id}/diff` with it and the SPA's Compare page computes
//! the same in the browser, so a diff reads the same everywhere.
//!
//! Key figures are told on one basis each, the Overview's: *cost now* is the scenario provider's
//! bill in month 0; *total cost* is its cost summed over the horizon (TCO); transition months are
//! the first month that requires each phase; the *bottleneck* is the component that limits the
//! current phase; the *recommended provider* is the top of the decision matrix's ranking.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::capacity::components::ComponentKind;
use crate::cost::catalog::ProviderId;
use crate::evaluate::Evaluation;
use crate::scenario::Scenario;

/// One changed input: its path (`phases[1].max_users`, `growth.monthly_rate`), the value before
/// and after; `null` on the side where it does not exist (a phase added or removed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InputChange {
    pub field: String,
    pub from: Value,
    pub to: Value,
}

/// When a phase is first required, on each side; `None` where it is not within the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionShift {
    /// The phase moved to, by key.
    pub phase: String,
    pub from_month: Option<u32>,
    pub to_month: Option<u32>,
}

/// The figures a diff compares, of one evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyFigures {
    pub provider: ProviderId,
    /// The scenario provider's cost in month 0, USD a month.
    pub cost_now_usd: f64,
    /// Its cost summed over the horizon, USD.
    pub total_cost_usd: f64,
    pub horizon_months: usize,
    /// The component limiting the current phase; `None` when its design target does.
    pub bottleneck: Option<ComponentKind>,
    /// The top of the provider ranking; `None` when nothing could be ranked.
    pub recommended_provider: Option<String>,
}

impl KeyFigures {
    pub fn of(e: &Evaluation) -> KeyFigures {
        let costs = e.providers.iter().find(|p| p.provider == e.provider);
        KeyFigures {
            provider: e.provider,
            cost_now_usd: costs
                .and_then(|c| c.monthly_usd.first().copied())
                .unwrap_or(0.0),
            total_cost_usd: costs.map_or(0.0, |c| c.tco_usd),
            horizon_months: e.timeline.months.len(),
            bottleneck: e.now.capacity.bottleneck,
            recommended_provider: e
                .decision
                .result
                .as_ref()
                .and_then(|r| r.ranking.first())
                .map(|r| r.key.clone()),
        }
    }
}

/// Both sides' key figures and what moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultDeltas {
    pub from: KeyFigures,
    pub to: KeyFigures,
    /// `to − from`, USD a month.
    pub cost_now_delta_usd: f64,
    /// `to − from`, USD.
    pub total_cost_delta_usd: f64,
    /// Every phase either side moves to, in ladder order of the `to` side, then the rest.
    pub transitions: Vec<TransitionShift>,
    pub bottleneck_changed: bool,
    pub recommendation_changed: bool,
}

/// `GET /api/v1/scenarios/{id}/diff` response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScenarioDiff {
    pub inputs: Vec<InputChange>,
    pub results: ResultDeltas,
}

/// Every value that differs between `a` and `b`, in document order of `a` (then what only `b`
/// has). Objects compare key by key, arrays index by index, down to the leaves; where one side
/// has nothing (a phase removed), the change is the whole value against `null`. A number
/// compares as the number it is (`1` and `1.0` are the same input).
pub fn input_changes(a: &Scenario, b: &Scenario) -> Vec<InputChange> {
    let (Ok(a), Ok(b)) = (serde_json::to_value(a), serde_json::to_value(b)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk("", &a, &b, &mut out);
    out
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<InputChange>) {
    let child = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                walk(&child(k), va, y.get(k).unwrap_or(&Value::Null), out);
            }
            for (k, vb) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                walk(&child(k), &Value::Null, vb, out);
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                walk(
                    &format!("{path}[{i}]"),
                    x.get(i).unwrap_or(&Value::Null),
                    y.get(i).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => {}
        _ if a == b => {}
        _ => out.push(InputChange {
            field: path.to_owned(),
            from: a.clone(),
            to: b.clone(),
        }),
    }
}

/// The key figures of two evaluations and their deltas.
pub fn result_deltas(a: &Evaluation, b: &Evaluation) -> ResultDeltas {
    let (from, to) = (KeyFigures::of(a), KeyFigures::of(b));
    let first_month = |e: &Evaluation, key: &str| -> Option<u32> {
        let index = e.phases.iter().position(|p| p.key == key)?;
        e.timeline
            .transitions
            .iter()
            .find(|t| t.to_index == index)
            .map(|t| t.month)
    };
    let mut keys: Vec<&str> = b.phases.iter().skip(1).map(|p| p.key.as_str()).collect();
    for p in a.phases.iter().skip(1) {
        if !keys.contains(&p.key.as_str()) {
            keys.push(&p.key);
        }
    }
    let transitions = keys
        .into_iter()
        .map(|k| TransitionShift {
            phase: k.to_owned(),
            from_month: first_month(a, k),
            to_month: first_month(b, k),
        })
        .collect();
    ResultDeltas {
        cost_now_delta_usd: to.cost_now_usd - from.cost_now_usd,
        total_cost_delta_usd: to.total_cost_usd - from.total_cost_usd,
        transitions,
        bottleneck_changed: from.bottleneck != to.bottleneck,
        recommendation_changed: from.recommended_provider != to.recommended_provider,
        from,
        to,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::cost::catalog::Catalog;
    use crate::evaluate::evaluate;
    use crate::presets::preset;

    fn scenario() -> Scenario {
        preset("ride-hailing").expect("preset").scenario
    }

    #[test]
    fn the_same_scenario_has_no_changes() {
        assert!(input_changes(&scenario(), &scenario()).is_empty());
    }

    #[test]
    fn changed_inputs_are_named_by_path() {
        let a = scenario();
        let mut b = a.clone();
        b.growth.monthly_rate = 0.15;
        b.phases[1].max_users = 6_000;
        b.phases.pop();
        let changes = input_changes(&a, &b);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert!(fields.contains(&"growth.monthly_rate"), "{fields:?}");
        assert!(fields.contains(&"phases[1].max_users"), "{fields:?}");
        let rate = changes
            .iter()
            .find(|c| c.field == "growth.monthly_rate")
            .expect("rate");
        assert_eq!(
            (rate.from.as_f64(), rate.to.as_f64()),
            (Some(0.08), Some(0.15))
        );
        // The removed phase is one change: the whole phase, to null.
        let removed = changes
            .iter()
            .find(|c| c.field == "phases[3]")
            .expect("the removed phase");
        assert_eq!(removed.from["key"], "enterprise");
        assert!(removed.to.is_null());
    }

    #[test]
    fn faster_growth_moves_transitions_earlier_and_costs_more() {
        let catalog = Catalog::built_in().expect("catalog");
        let a = scenario();
        let mut b = a.clone();
        b.growth.monthly_rate = 0.16;
        let ea = evaluate(&a.clone().validate().expect("valid"), &catalog);
        let eb = evaluate(&b.clone().validate().expect("valid"), &catalog);
        let d = result_deltas(&ea, &eb);
        assert_eq!(d.cost_now_delta_usd, 0.0, "month 0 has the same users");
        assert!(d.total_cost_delta_usd > 0.0, "{d:?}");
        let growth = d
            .transitions
            .iter()
            .find(|t| t.phase == "growth")
            .expect("growth");
        match (growth.from_month, growth.to_month) {
            (Some(x), Some(y)) => assert!(y < x, "{growth:?}"),
            (None, Some(_)) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(result_deltas(&ea, &ea).total_cost_delta_usd, 0.0);
    }
}
