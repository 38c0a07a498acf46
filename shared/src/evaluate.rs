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

use crate::capacity::components::{
    ComponentKind, ComponentLoad, Demand, PhaseCapacity, critical_limits, phase_capacity,
};
use crate::cost::bom::{Bill, Breakdown, PriceBook};
use crate::cost::catalog::{Catalog, ProviderId};
use crate::decision::{Alternative, Criterion, CriterionMap, Decision, DecisionMatrix};
use crate::migration::{MigrationInput, MigrationResult};
use crate::phase::Phase;
use crate::timeline::{PhaseTimeline, phase_timeline, required_phase};
use crate::uncertainty::{CostCurve, UncertaintyResult, simulate_with_cost};
use crate::units::{Status, Utilisation};
use crate::valid::ValidScenario;

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

/// The seeds' transition decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Everything is below its warning threshold and no transition is due within the lead time.
    Stay,
    /// The phase is past warning or the next transition is within the lead time: get the next
    /// phase ready.
    PrepareNextPhase,
    /// The phase as a whole has room but a component is past warning: fix that component.
    OptimiseCurrent,
    /// Even the top phase is past its critical line: the ladder needs another rung.
    ExtendLadder,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Advice {
    pub action: Action,
    /// One sentence: why.
    pub reason: String,
    /// Concrete steps, most important first.
    pub steps: Vec<String>,
    /// The next transition, if any within the horizon: its month and when to start preparing.
    pub next_transition: Option<NextTransition>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextTransition {
    pub to_index: usize,
    pub month: u32,
    pub prepare_by: u32,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderDecision {
    pub matrix: DecisionMatrix,
    /// `None` when the matrix cannot rank: no provider in the catalog could be priced.
    pub result: Option<Decision>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MigrationPlan {
    pub from: ProviderId,
    pub to: ProviderId,
    /// Mean monthly costs over the horizon, and the scenario's one-time cost.
    pub input: MigrationInput,
    pub result: MigrationResult,
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

/// What changes from `from` to `to`, as steps.
fn upgrade_steps(from: &Phase, to: &Phase) -> Vec<String> {
    let mut steps = Vec::new();
    let (a, b) = (&from.app, &to.app);
    if (a.vcpu, a.min_instances, a.max_instances) != (b.vcpu, b.min_instances, b.max_instances) {
        steps.push(format!(
            "App tier: {} vCPU / {} GiB instances, {}–{} of them (from {} vCPU, {}–{})",
            b.vcpu,
            b.memory_gib,
            b.min_instances,
            b.max_instances,
            a.vcpu,
            a.min_instances,
            a.max_instances
        ));
    }
    if !from.kubernetes && to.kubernetes {
        steps.push("Move the app tier to Kubernetes with a HorizontalPodAutoscaler".to_owned());
    }
    let (a, b) = (&from.database, &to.database);
    if b.read_replicas > a.read_replicas {
        steps.push(format!(
            "Deploy read replicas: {} per shard (from {})",
            b.read_replicas, a.read_replicas
        ));
    }
    if b.pgbouncer && !a.pgbouncer {
        steps.push(format!(
            "Put PgBouncer in front of PostgreSQL (pool {})",
            b.pool_size
        ));
    } else if b.pool_size != a.pool_size {
        steps.push(format!(
            "Database pool: {} connections (from {})",
            b.pool_size, a.pool_size
        ));
    }
    if b.high_availability && !a.high_availability {
        steps.push("Enable automatic database failover (hot standby)".to_owned());
    }
    if b.shards > a.shards {
        steps.push(format!(
            "Shard the database: {} shards (from {})",
            b.shards, a.shards
        ));
    }
    if (b.vcpu, b.memory_gib) != (a.vcpu, a.memory_gib) {
        steps.push(format!(
            "Database nodes: {} vCPU / {} GiB (from {} / {})",
            b.vcpu, b.memory_gib, a.vcpu, a.memory_gib
        ));
    }
    let (a, b) = (&from.cache, &to.cache);
    if a.mode != b.mode {
        steps.push(format!(
            "Redis: {} mode (from {})",
            b.mode.label(),
            a.mode.label()
        ));
    }
    if b.usable_mib() != a.usable_mib() {
        steps.push(format!(
            "Redis memory: {} MiB usable (from {})",
            b.usable_mib(),
            a.usable_mib()
        ));
    }
    if to.websocket_connections != from.websocket_connections {
        steps.push(format!(
            "WebSocket limit: {} connections (from {})",
            to.websocket_connections, from.websocket_connections
        ));
    }
    let (a, b) = (&from.load_balancer, &to.load_balancer);
    if b.managed && !a.managed {
        steps.push("Put a managed load balancer in front of the app tier".to_owned());
    }
    if b.sticky_sessions && !a.sticky_sessions {
        steps.push("Enable sticky sessions for WebSockets".to_owned());
    }
    if (b.nginx_worker_processes, b.nginx_worker_connections)
        != (a.nginx_worker_processes, a.nginx_worker_connections)
    {
        steps.push(format!(
            "nginx: {} workers × {} connections",
            b.nginx_worker_processes, b.nginx_worker_connections
        ));
    }
    steps
}

/// How to relieve a component past its warning threshold without changing phase.
fn optimise_step(phase: &Phase, c: ComponentKind, wait: f64) -> String {
    match c {
        ComponentKind::App => format!(
            "App tier: raise max instances above {} or use instances larger than {} vCPU",
            phase.app.max_instances, phase.app.vcpu
        ),
        ComponentKind::Database => format!(
            "Database: raise the pool above {} connections or add read replicas (a query waits for \
             a connection with probability {:.1} %)",
            phase.database.pool_size,
            wait * 100.0
        ),
        ComponentKind::Cache => format!(
            "Cache: raise Redis memory above {} MiB or cut memory per user",
            phase.cache.usable_mib()
        ),
        ComponentKind::Websocket => format!(
            "WebSockets: raise the limit above {} connections",
            phase.websocket_connections
        ),
        ComponentKind::LoadBalancer => format!(
            "nginx: raise worker_connections above {} or add workers",
            phase.load_balancer.nginx_worker_connections
        ),
    }
}

fn advise(
    s: &ValidScenario,
    timeline: &PhaseTimeline,
    capacity: &PhaseCapacity,
    beyond: bool,
) -> Advice {
    let phases = s.ladder().phases();
    let current = &phases[capacity.phase_index];
    let next = timeline
        .transitions
        .iter()
        .find(|t| t.to_index > t.from_index)
        .map(|t| NextTransition {
            to_index: t.to_index,
            month: t.month,
            prepare_by: t.prepare_by,
        });
    let warned: Vec<&ComponentLoad> = capacity
        .components
        .iter()
        .filter(|c| c.status != Status::Optimal)
        .collect();
    if beyond {
        return Advice {
            action: Action::ExtendLadder,
            reason: format!(
                "{} users are past the critical line of the top phase, {}.",
                capacity.users.round(),
                current.name
            ),
            steps: vec![format!(
                "Add a phase above {} and size its components for the peak",
                current.name
            )],
            next_transition: next,
        };
    }
    // The phase as a whole is judged on its design target; a component that fills up earlier is
    // something to optimise within the phase, unless it forces the transition (then `due`).
    let design = Utilisation::of(capacity.users, capacity.design_users);
    let status = current.thresholds.capacity.classify(design);
    let due = next.filter(|n| n.prepare_by == 0);
    if status != Status::Optimal || due.is_some() {
        let target = phases.get(capacity.phase_index + 1);
        let reason = match (status != Status::Optimal, due) {
            (true, _) => format!(
                "{} is at {:.0} % of its capacity, past its warning threshold.",
                current.name,
                design.percent()
            ),
            (false, Some(n)) => format!(
                "{} will be needed in month {}, within the lead time.",
                phases[n.to_index].name, n.month
            ),
            (false, None) => String::new(),
        };
        let steps = match target {
            Some(t) => upgrade_steps(current, t),
            None => vec![format!("Add a phase above {}", current.name)],
        };
        return Advice {
            action: if target.is_some() {
                Action::PrepareNextPhase
            } else {
                Action::ExtendLadder
            },
            reason,
            steps,
            next_transition: next,
        };
    }
    if !warned.is_empty() {
        return Advice {
            action: Action::OptimiseCurrent,
            reason: format!(
                "{} has room overall, but {} past its warning threshold.",
                current.name,
                warned
                    .iter()
                    .map(|c| c.component.label().to_lowercase())
                    .collect::<Vec<_>>()
                    .join(" and ")
                    + if warned.len() == 1 { " is" } else { " are" }
            ),
            steps: warned
                .iter()
                .map(|c| optimise_step(current, c.component, capacity.db_wait_probability))
                .collect(),
            next_transition: next,
        };
    }
    Advice {
        action: Action::Stay,
        reason: match next {
            Some(n) => format!(
                "Everything is below its warning threshold; {} is due in month {}.",
                phases[n.to_index].name, n.month
            ),
            None => "Everything is below its warning threshold for the whole horizon.".to_owned(),
        },
        steps: next
            .map(|n| {
                vec![format!(
                    "Start preparing {} by month {}",
                    phases[n.to_index].name, n.prepare_by
                )]
            })
            .unwrap_or_default(),
        next_transition: next,
    }
}

/// Headroom of what is bought now: the phase's capacity with the provider's actual app vCPUs and
/// cache memory, over the current users, minus one; capped at 10 (1,000 %).
fn bought_headroom(
    demand: &Demand,
    phase: &Phase,
    index: usize,
    book: &PriceBook,
    users: f64,
) -> f64 {
    let (vcpu, cache_mib) = book.bought();
    let mut bought = phase.clone();
    bought.app.vcpu = vcpu.max(phase.app.vcpu);
    let per_shard = cache_mib / f64::from(bought.cache.shards.max(1));
    bought.cache.memory_mib = per_shard.clamp(0.0, f64::from(u32::MAX)) as u32;
    let c = phase_capacity(demand, &bought, index, users);
    let cap = c
        .components
        .iter()
        .map(|c| c.capacity_users)
        .fold(f64::INFINITY, f64::min);
    if users <= 0.0 {
        10.0
    } else {
        (cap / users - 1.0).clamp(-1.0, 10.0)
    }
}

fn provider_decision(
    s: &ValidScenario,
    books: &[(ProviderId, Vec<PriceBook>)],
    providers: &[ProviderCosts],
    demand: &Demand,
    phase_now: usize,
    users_now: f64,
) -> ProviderDecision {
    let sc = s.scenario();
    let phase = &s.ladder().phases()[phase_now];
    let alternatives = books
        .iter()
        .zip(providers)
        .map(|((id, b), costs)| {
            let rating = sc.decision.rating(*id);
            Alternative {
                key: id.key().to_owned(),
                values: CriterionMap::from_fn(|c| match c {
                    Criterion::MonthlyCost => costs.monthly_usd.first().copied().unwrap_or(0.0),
                    Criterion::Tco => costs.tco_usd,
                    Criterion::Headroom => {
                        bought_headroom(demand, phase, phase_now, &b[phase_now], users_now)
                    }
                    Criterion::Availability => rating.availability,
                    Criterion::Operations => costs.ops_hours_now,
                    Criterion::LockIn => rating.lock_in,
                    Criterion::Managed => costs.managed_share_now,
                }),
            }
        })
        .collect();
    let matrix = DecisionMatrix {
        weights: sc.decision.weights,
        alternatives,
    };
    let result = matrix.validate().ok().and_then(|()| matrix.decide());
    ProviderDecision { matrix, result }
}

/// Migration from the scenario's provider to the best-ranked other one, weighed on mean monthly
/// costs over the horizon (the formulas of [`crate::migration`] take one monthly figure each).
fn migration_plan(
    s: &ValidScenario,
    providers: &[ProviderCosts],
    decision: Option<&Decision>,
) -> Option<MigrationPlan> {
    let sc = s.scenario();
    let from = sc.pricing.provider;
    let to = decision?
        .ranking
        .iter()
        .filter_map(|r| ProviderId::parse("provider", &r.key).ok())
        .find(|p| *p != from)?;
    let mean = |id: ProviderId| {
        providers
            .iter()
            .find(|p| p.provider == id)
            .map(|p| p.tco_usd / p.monthly_usd.len().max(1) as f64)
    };
    let input = MigrationInput {
        current_monthly: mean(from)?,
        target_monthly: mean(to)?,
        one_time_cost: sc.pricing.migration_cost_usd,
        start_month: 0,
        horizon_months: sc.growth.horizon_months,
    };
    Some(MigrationPlan {
        from,
        to,
        result: input.evaluate(),
        input,
    })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
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
