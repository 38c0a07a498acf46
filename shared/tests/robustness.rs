//! No input makes the model panic: arbitrary scenarios (valid or not) go through validation, and
//! every valid one through the whole pipeline, with finite, ordered results.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(not(target_arch = "wasm32"))]

use phaseplan_model::PhaseLadder;
use phaseplan_model::cost::catalog::{Catalog, ProviderId};
use phaseplan_model::evaluate::evaluate;
use phaseplan_model::growth::projected_users;
use phaseplan_model::scenario::{
    FORMAT_VERSION, Growth, GrowthEvent, LatencyObjective, LatencyPercentile, PricingOptions,
    Scenario, Workload,
};
use phaseplan_model::timeline::phase_timeline;
use phaseplan_model::uncertainty::{Spread, UncertaintyInput, simulate};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// Any f64, including NaN, infinities, negatives and huge values, but biased towards sane ones.
fn any_number(sane: std::ops::Range<f64>) -> impl Strategy<Value = f64> {
    prop_oneof![
        40 => sane,
        1 => any::<f64>(),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(-1.0),
    ]
}

prop_compose! {
    fn scenario()(
        users in any_number(0.0..1e6),
        rpm in any_number(0.0..100.0),
        service in any_number(0.1..1_000.0),
        share in any_number(0.0..1.0),
        rate in any_number(-0.4..0.5),
        season in proptest::option::of(proptest::array::uniform12(any_number(0.1..3.0))),
        start_month in 0u32..14,
        horizon in 0u32..130,
        lead in 0u32..30,
        event in proptest::option::of((0u32..130, 0u32..20, any_number(0.1..5.0))),
        commit in (any_number(0.0..0.5), any_number(0.0..0.5)),
        (reverse_phases, objective_ms) in (proptest::bool::weighted(0.05), 0u32..2_000),
    ) -> Scenario {
        let mut phases = PhaseLadder::seed().phases().to_vec();
        if reverse_phases {
            phases.reverse();
        }
        Scenario {
            format_version: FORMAT_VERSION,
            name: "fuzzed".to_owned(),
            workload: Workload {
                peak_concurrent_users: users,
                requests_per_user_per_minute: rpm,
                service_time_ms: service,
                db_queries_per_request: 2.0,
                db_read_share: share,
                db_query_time_ms: 3.0,
                cache_mib_per_user: 0.1,
                websocket_share: share,
                egress_gb_per_user_month: 0.5,
                peak_to_average: 2.0,
                app_scaling: Default::default(),
                // Every other scenario has an objective, up to 2 s (0 ms, refused, included).
                latency_objective: (objective_ms % 2 == 0).then(|| LatencyObjective {
                    percentile: LatencyPercentile::P95,
                    ms: f64::from(objective_ms / 2),
                }),
            },
            growth: Growth {
                monthly_rate: rate,
                seasonality: season,
                start_month,
                start_year: 2027,
                horizon_months: horizon,
                events: event
                    .map(|(month, duration_months, multiplier)| GrowthEvent {
                        label: "e".to_owned(),
                        month,
                        duration_months,
                        multiplier,
                    })
                    .into_iter()
                    .collect(),
                lead_time_months: lead,
            },
            phases,
            pricing: PricingOptions {
                provider: ProviderId::Hetzner,
                commit_1y_share: commit.0,
                commit_3y_share: commit.1,
                spot_share: share,
                ops_hourly_rate_usd: 60.0,
                migration_cost_usd: 2_500.0,
            },
            decision: Default::default(),
            uncertainty: None,
        }
    }
}

/// The property below is only meaningful if many generated scenarios are valid.
#[test]
fn a_good_share_of_generated_scenarios_is_valid() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut valid = 0;
    for _ in 0..1_000 {
        let s = scenario().new_tree(&mut runner).unwrap().current();
        valid += usize::from(s.validate().is_ok());
    }
    assert!(
        valid > 100,
        "only {valid} of 1,000 generated scenarios are valid"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn valid_scenarios_give_finite_ordered_results(s in scenario()) {
        // Invalid ones must be refused with a named field, never panic.
        let valid = match s.validate() {
            Ok(v) => v,
            Err(e) => {
                prop_assert!(!e.field.is_empty());
                return Ok(());
            }
        };
        let users = projected_users(&valid);
        prop_assert_eq!(users.len(), valid.scenario().growth.horizon_months as usize);
        prop_assert!(users.iter().all(|u| u.is_finite() && *u >= 0.0), "{users:?}");
        let plan = phase_timeline(&valid);
        for t in &plan.transitions {
            prop_assert!(t.prepare_by <= t.month);
        }
        let mc = simulate(&valid, &UncertaintyInput {
            growth_rate: Spread::Triangular { min: -0.1, mode: 0.05, max: 0.2 },
            demand: Spread::Normal { mean: 1.0, sd: 0.2 },
            paths: 50,
            seed: 1,
        });
        for p in &mc.users {
            prop_assert!(p.p10.is_finite() && p.p10 <= p.p50 && p.p50 <= p.p90, "{p:?}");
        }
        // The whole model: every cost finite and non-negative, every provider priced.
        let mut v = valid.scenario().clone();
        v.uncertainty = Some(UncertaintyInput { paths: 50, ..v.default_uncertainty() });
        let valid = v.validate().unwrap();
        let e = evaluate(&valid, &Catalog::built_in().unwrap());
        prop_assert_eq!(e.providers.len(), 6);
        for p in &e.providers {
            prop_assert!(p.monthly_usd.iter().all(|c| c.is_finite() && *c >= 0.0), "{:?}", p.monthly_usd);
            prop_assert!(p.tco_usd.is_finite());
        }
        for c in &e.uncertainty.cost_usd {
            prop_assert!(c.p10.is_finite() && c.p10 <= c.p50 && c.p50 <= c.p90, "{c:?}");
        }
        prop_assert!(serde_json::to_string(&e).is_ok());
    }

    #[test]
    fn arbitrary_json_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(s) = serde_json::from_slice::<Scenario>(&bytes)
            && let Ok(v) = s.validate()
        {
            let _ = evaluate(&v, &Catalog::built_in().unwrap());
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_share_links_never_panic(link in "v?[0-9]{0,3}\\.?[A-Za-z0-9_-]{0,400}") {
        if let Ok(s) = phaseplan_model::share::decode(&link) {
            let _ = s.validate();
        }
    }
}
