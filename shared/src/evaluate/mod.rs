//! The whole model in one call: a validated scenario and a catalog → every number the dashboard
//! shows. The browser runs this on every edit and the server's `POST /api/v1/evaluate` returns the
//! same [`Evaluation`].
//!
//! ```
//! use phaseplan_model::cost::catalog::Catalog;
//! use phaseplan_model::evaluate::evaluate;
//! use phaseplan_model::presets::preset;
//!
//! let catalog = Catalog::built_in()?;
//! let scenario = preset("ride-hailing").expect("built in").scenario.validate()?;
//! let e = evaluate(&scenario, &catalog);
//! assert_eq!(e.timeline.months.len(), 36);
//! assert_eq!(e.providers.len(), 6); // every provider in the catalog, priced month by month
//! assert!(e.providers.iter().all(|p| p.tco_usd > 0.0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::capacity::components::{PhaseCapacity, critical_limits, phase_capacity};
use crate::cost::bom::{Bill, Breakdown, PriceBook};
use crate::cost::catalog::{Catalog, ProviderId};

use crate::timeline::{PhaseTimeline, phase_timeline, required_phase};
use crate::uncertainty::{CostCurve, UncertaintyResult, simulate_with_cost};
use crate::units::Status;
use crate::valid::ValidScenario;

mod advice;
mod choice;
mod moving;

use advice::advise;
pub use advice::{Action, Advice, LadderChange, NextTransition, ladder_changes};
pub use choice::ProviderDecision;
use choice::provider_decision;
pub use moving::MigrationPlan;
use moving::migration_plan;

/// Everything computed from a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evaluation {
    /// The catalog version the prices come from.
    pub catalog_version: String,
    /// The provider the scenario runs on.
    pub provider: ProviderId,
    /// Where the platform stands now (month 0) and what to do about it.
    pub now: NowState,
    /// Each phase: its capacity under the workload and its cost on every provider.
    pub phases: Vec<PhaseSummary>,
    pub timeline: PhaseTimeline,
    /// Cost over time per provider, in catalog order.
    pub providers: Vec<ProviderCosts>,
    /// The scenario's provider, month by month, split by component.
    pub breakdown: Vec<Breakdown>,
    /// Which provider: the decision matrix and its ranking.
    pub decision: ProviderDecision,
    /// Moving from the scenario's provider to the best-ranked other one.
    pub migration: Option<MigrationPlan>,
    pub uncertainty: UncertaintyResult,
}

/// The current month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NowState {
    pub users: f64,
    pub phase_index: usize,
    pub capacity: PhaseCapacity,
    /// Users against the phase's capacity, by the capacity band.
    pub status: Status,
    pub advice: Advice,
    /// The scenario provider's bill this month.
    pub bill: Option<Bill>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseSummary {
    pub key: String,
    pub name: String,
    /// The phase's components against its own critical line (the most it carries before the
    /// next phase must run).
    pub capacity: PhaseCapacity,
    /// Per provider (catalog order): monthly cost at the bottom of the phase (minimum instances)
    /// and at its critical line.
    pub costs: Vec<PhaseCost>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseCost {
    pub provider: ProviderId,
    pub min_usd: f64,
    pub max_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderCosts {
    pub provider: ProviderId,
    pub name: String,
    pub region: String,
    /// USD per month over the horizon.
    pub monthly_usd: Vec<f64>,
    /// Running total.
    pub cumulative_usd: Vec<f64>,
    /// Monthly cost over peak concurrent users; `None` in a month without users.
    pub cost_per_user_usd: Vec<Option<f64>>,
    /// Total over the horizon.
    pub tco_usd: f64,
    /// Operations hours a month, now.
    pub ops_hours_now: f64,
    /// Share of services bought managed, now.
    pub managed_share_now: f64,
    /// Components left out of the total for want of a sourced price.
    pub unpriced: Vec<String>,
}

/// The price books of every provider in the catalog for every phase: `[provider][phase]`.
fn price_books(s: &ValidScenario, catalog: &Catalog) -> Vec<(ProviderId, Vec<PriceBook>)> {
    let sc = s.scenario();
    catalog
        .providers
        .iter()
        .filter_map(|p| {
            let books: Option<Vec<PriceBook>> = s
                .ladder()
                .phases()
                .iter()
                .enumerate()
                .map(|(i, phase)| {
                    PriceBook::new(catalog, p.id, phase, i, &sc.workload, &sc.pricing)
                })
                .collect();
            books.map(|b| (p.id, b))
        })
        .collect()
}

/// Runs the whole model. `catalog` must be validated (it is, if built by [`Catalog`]'s
/// constructors); a scenario provider missing from it simply gets no bill and no migration.
pub fn evaluate(s: &ValidScenario, catalog: &Catalog) -> Evaluation {
    let mut e = evaluate_plan(s, catalog);
    e.uncertainty = simulate(s, catalog);
    e
}

/// The Monte Carlo of [`evaluate`] alone: percentiles of users, of the scenario provider's
/// monthly cost and of the transition months. The SPA runs it only on the page that shows it,
/// so an edit elsewhere never waits for 10,000 paths.
pub fn simulate(s: &ValidScenario, catalog: &Catalog) -> UncertaintyResult {
    let sc = s.scenario();
    let phases = s.ladder().phases();
    let demand = s.demand();
    let input = sc.uncertainty.unwrap_or_else(|| sc.default_uncertainty());
    let books: Option<Vec<PriceBook>> = phases
        .iter()
        .enumerate()
        .map(|(i, phase)| {
            PriceBook::new(
                catalog,
                sc.pricing.provider,
                phase,
                i,
                &sc.workload,
                &sc.pricing,
            )
        })
        .collect();
    match books {
        Some(b) => {
            let limits = critical_limits(s, &demand);
            let cost_in =
                |phase: usize, u: f64| b[phase].monthly(&demand, phases[phase].app.vcpu, u).total();
            let cost = |u: f64| cost_in(required_phase(&limits, u).0, u);
            let monotone = is_monotone(&limits, &cost_in);
            simulate_with_cost(
                s,
                &input,
                Some(&CostCurve {
                    cost: &cost,
                    monotone,
                }),
            )
        }
        None => simulate_with_cost(s, &input, None),
    }
}

/// Everything [`evaluate`] computes except the Monte Carlo (`uncertainty` is left empty): the
/// deterministic plan, a few milliseconds in the browser.
pub fn evaluate_plan(s: &ValidScenario, catalog: &Catalog) -> Evaluation {
    let sc = s.scenario();
    let ladder = s.ladder();
    let phases = ladder.phases();
    let demand = s.demand();
    let timeline = phase_timeline(s);
    let books = price_books(s, catalog);

    let cost_of = |books: &[PriceBook], phase: usize, users: f64| -> Breakdown {
        books[phase].monthly(&demand, phases[phase].app.vcpu, users)
    };

    let providers: Vec<ProviderCosts> = books
        .iter()
        .map(|(id, b)| {
            let monthly: Vec<f64> = timeline
                .months
                .iter()
                .map(|m| cost_of(b, m.phase_index, m.users).total())
                .collect();
            let cumulative: Vec<f64> = monthly
                .iter()
                .scan(0.0, |acc, c| {
                    *acc += c;
                    Some(*acc)
                })
                .collect();
            let per_user = monthly
                .iter()
                .zip(&timeline.months)
                .map(|(c, m)| (m.users >= 1.0).then(|| c / m.users))
                .collect();
            let now_phase = timeline.months.first().map_or(0, |m| m.phase_index);
            let p = catalog.provider(*id);
            ProviderCosts {
                provider: *id,
                name: p.map_or_else(|| id.key().to_owned(), |p| p.name.clone()),
                region: p.map_or_else(String::new, |p| p.region.clone()),
                tco_usd: cumulative.last().copied().unwrap_or(0.0),
                monthly_usd: monthly,
                cumulative_usd: cumulative,
                cost_per_user_usd: per_user,
                ops_hours_now: b[now_phase].ops_hours(),
                managed_share_now: b[now_phase].managed_share(),
                unpriced: b[now_phase]
                    .bill(&demand, phases[now_phase].app.vcpu, 0.0)
                    .unpriced,
            }
        })
        .collect();

    let chosen = books.iter().find(|(id, _)| *id == sc.pricing.provider);
    let breakdown = chosen.map_or_else(Vec::new, |(_, b)| {
        timeline
            .months
            .iter()
            .map(|m| cost_of(b, m.phase_index, m.users))
            .collect()
    });

    let users_now = timeline.months.first().map_or(0.0, |m| m.users);
    let phase_now = timeline.months.first().map_or(0, |m| m.phase_index);
    let capacity_now = phase_capacity(&demand, &phases[phase_now], phase_now, users_now);
    let status_now = timeline
        .months
        .first()
        .map_or(Status::Optimal, |m| m.status);
    let beyond = timeline.months.first().is_some_and(|m| m.beyond_ladder);
    let advice = advise(s, &timeline, &capacity_now, beyond);

    let phase_summaries = phases
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let top = phase_capacity(&demand, p, i, 0.0).critical_users;
            let capacity = phase_capacity(&demand, p, i, top);
            PhaseSummary {
                key: p.key.clone(),
                name: p.name.clone(),
                costs: books
                    .iter()
                    .map(|(id, b)| PhaseCost {
                        provider: *id,
                        min_usd: b[i].monthly(&demand, p.app.vcpu, 0.0).total(),
                        max_usd: b[i].monthly(&demand, p.app.vcpu, top).total(),
                    })
                    .collect(),
                capacity,
            }
        })
        .collect();

    let decision = provider_decision(s, &books, &providers, &demand, phase_now, users_now);
    let migration = migration_plan(s, &providers, decision.result.as_ref());

    Evaluation {
        catalog_version: catalog.version.clone(),
        provider: sc.pricing.provider,
        now: NowState {
            users: users_now,
            phase_index: phase_now,
            bill: chosen
                .map(|(_, b)| b[phase_now].bill(&demand, phases[phase_now].app.vcpu, users_now)),
            capacity: capacity_now,
            status: status_now,
            advice,
        },
        phases: phase_summaries,
        providers,
        breakdown,
        decision,
        migration,
        uncertainty: UncertaintyResult::default(),
        timeline,
    }
}

/// Whether cost never falls as users rise. Within a phase it cannot (instances and egress only
/// grow), so only the steps where the required phase changes need checking: at each phase's
/// critical line, the phase required there must cost at least what the one required just below
/// would cost at the same users.
fn is_monotone(limits: &[f64], cost: &dyn Fn(usize, f64) -> f64) -> bool {
    limits.iter().all(|&edge| {
        let (at, _) = required_phase(limits, edge);
        let (below, _) = required_phase(limits, edge - edge.abs() * 1e-12 - 1e-12);
        at == below || cost(at, edge) >= cost(below, edge)
    })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::decision::Criterion;
    use crate::scenario::tests::example;

    fn run(s: crate::scenario::Scenario) -> Evaluation {
        let mut s = s;
        // Few paths keep the unit tests quick; the benchmark runs the default 10,000.
        let mut u = s.default_uncertainty();
        u.paths = 500;
        s.uncertainty = Some(u);
        evaluate(&s.validate().unwrap(), &Catalog::built_in().unwrap())
    }

    #[test]
    fn the_plan_and_the_simulation_are_the_evaluation_split_in_two() {
        let mut s = example();
        let mut u = s.default_uncertainty();
        u.paths = 500;
        s.uncertainty = Some(u);
        let v = s.validate().unwrap();
        let c = Catalog::built_in().unwrap();
        let whole = evaluate(&v, &c);
        let mut plan = evaluate_plan(&v, &c);
        assert!(plan.uncertainty.users.is_empty());
        let sim = simulate(&v, &c);
        assert_eq!(sim.cost_usd.len(), 36);
        plan.uncertainty = sim;
        assert_eq!(plan, whole);
    }

    #[test]
    fn every_provider_is_priced_every_month_and_totals_agree() {
        let e = run(example());
        assert_eq!(e.providers.len(), 6);
        for p in &e.providers {
            assert_eq!(p.monthly_usd.len(), 36);
            let sum: f64 = p.monthly_usd.iter().sum();
            assert!((p.tco_usd - sum).abs() < 1e-6 * sum);
            assert!(p.monthly_usd.iter().all(|c| c.is_finite() && *c > 0.0));
            for ((c, u), m) in p
                .cost_per_user_usd
                .iter()
                .zip(&p.monthly_usd)
                .zip(&e.timeline.months)
            {
                assert!((c.unwrap() * m.users - u).abs() < 1e-6);
            }
        }
        // The breakdown is the scenario provider's (AWS) monthly cost, split.
        let aws = &e.providers[0];
        assert_eq!(aws.provider, ProviderId::Aws);
        for (b, total) in e.breakdown.iter().zip(&aws.monthly_usd) {
            assert!((b.total() - total).abs() < 1e-6);
        }
        let bill = e.now.bill.as_ref().unwrap();
        assert!((bill.total_usd - aws.monthly_usd[0]).abs() < 1e-6);
        assert_eq!(e.uncertainty.cost_usd.len(), 36);
    }

    #[test]
    fn a_warning_phase_advises_preparing_the_next_with_its_differences() {
        let e = run(example()); // 1,500 users: 75 % of Launch
        assert_eq!(e.now.advice.action, Action::PrepareNextPhase);
        assert!(e.now.advice.steps.iter().any(|s| s.contains("PgBouncer")));
        assert!(e.now.advice.steps.iter().any(|s| s.contains("Sentinel")));
        let mut s = example();
        s.workload.peak_concurrent_users = 500.0;
        s.growth.monthly_rate = 0.0;
        let e = run(s.clone());
        assert_eq!(e.now.advice.action, Action::Stay);
        assert!(e.now.advice.next_transition.is_none());
        // Launch has room (25 %) but its WebSockets are nearly full → optimise, don't move.
        s.phases[0].websocket_connections = 150; // 600 users, 500 is 83 %
        let e = run(s);
        assert_eq!(e.now.advice.action, Action::OptimiseCurrent);
        assert!(
            e.now.advice.steps[0].contains("WebSocket"),
            "{:?}",
            e.now.advice
        );
    }

    #[test]
    fn the_matrix_ranks_every_provider_and_migration_agrees_with_its_formulas() {
        let e = run(example());
        let result = e.decision.result.as_ref().unwrap();
        assert_eq!(result.ranking.len(), 6);
        assert_eq!(e.decision.matrix.alternatives.len(), 6);
        // Each provider's value on a criterion is the figure the evaluation shows for it.
        for (a, p) in e.decision.matrix.alternatives.iter().zip(&e.providers) {
            assert_eq!(a.key, p.provider.key());
            assert_eq!(a.values[Criterion::Tco], p.tco_usd);
            assert_eq!(a.values[Criterion::Operations], p.ops_hours_now);
            assert_eq!(a.values[Criterion::Managed], p.managed_share_now);
        }
        let m = e.migration.unwrap();
        assert_eq!(m.from, ProviderId::Aws);
        assert_ne!(m.to, ProviderId::Aws);
        let r = m.result;
        assert!((r.annual_savings - 12.0 * r.monthly_savings).abs() < 1e-6);
        assert!((r.net_benefit - (36.0 * r.monthly_savings - 2_500.0)).abs() < 1e-6);
        if let Some(p) = r.payback_months {
            assert!((p * r.monthly_savings - 2_500.0).abs() < 1e-6);
        }
    }

    #[test]
    fn the_required_phase_holds_the_month_below_every_critical_line() {
        for preset in crate::presets::presets() {
            let e = run(preset.scenario);
            for m in e.timeline.months.iter().filter(|m| !m.beyond_ladder) {
                let c = &e.phases[m.phase_index].capacity;
                assert!(m.users < c.critical_users, "{}: {m:?}", preset.key);
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            /// Across the whole ladder (phase changes included), more users never lower a
            /// provider's monthly cost, for every preset.
            #[test]
            fn more_users_never_lower_a_providers_cost(
                a in 0.0..60_000.0f64,
                b in 0.0..60_000.0f64,
                preset in 0usize..3,
            ) {
                let s = crate::presets::presets()[preset].scenario.clone().validate().unwrap();
                let c = Catalog::built_in().unwrap();
                let demand = s.demand();
                let limits = critical_limits(&s, &demand);
                let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
                for (_, books) in price_books(&s, &c) {
                    let cost = |u: f64| {
                        let i = required_phase(&limits, u).0;
                        books[i].monthly(&demand, s.ladder().phases()[i].app.vcpu, u).total()
                    };
                    prop_assert!(cost(lo) <= cost(hi) + 1e-9, "{lo} → {}, {hi} → {}", cost(lo), cost(hi));
                }
            }
        }
    }
}
