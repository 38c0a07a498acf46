//! Capacity of each component of a phase, in concurrent users, under a scenario's workload.
//!
//! Per concurrent user the workload offers `r = requests_per_user_per_minute / 60` requests per
//! second. Each component's capacity is the user count at which it is 100 % busy:
//!
//! - **App tier** (Universal Scalability Law over instance count, [`super::usl`]): one instance of
//!   `v` vCPUs serves `λ = v / service_time` requests per second (each request holds a vCPU for
//!   its service time); `N` instances serve `X(N) = λN / (1 + σ(N−1) + κN(N−1))`, taken at the
//!   best `N ≤ max_instances` (past `N* = √((1−σ)/κ)` more instances only add crosstalk).
//!   Capacity: `X / r` users.
//! - **Database connections** (Little's law, [`super::queueing`]): the queries of `u` users keep
//!   `A = u · r · q · W` connections busy on average (`q` queries per request, each holding a
//!   connection for `W`). Writes, and reads when there are no replicas, go to a shard's primary;
//!   reads spread evenly over its replicas; shards split everything evenly. Capacity: the user
//!   count at which the busiest node's load reaches its `pool_size`. The Erlang C probability
//!   that a query waits for a connection at the evaluated load is reported beside it.
//! - **Cache memory**: usable memory (per shard × shards) over memory per user.
//! - **WebSockets**: accepted connections over the share of users holding one.
//! - **Load balancer**: every user holds one client connection (HTTP keep-alive or its WebSocket)
//!   through nginx, which can hold `processes × worker_connections / 2` of them.
//! - **Response time** (only with a latency objective, [`super::response`]): the users at which the
//!   objective's percentile of the app tier's predicted response time reaches the objective, on
//!   the instance count (within the tier's min and max) that carries the most users within it.
//!   Judged against the CPU band, like the app tier whose queue it is.
//!
//! A component the workload does not use (no WebSockets, no queries…) is left out. The phase's
//! capacity is the smallest of its design target and its components' capacities; the component
//! that sets it is the **bottleneck**. Each component is classified against its own threshold
//! band (CPU for the app tier, memory for the cache, connections for the rest).

use serde::{Deserialize, Serialize};

use super::queueing::erlang_c;
use super::response::{AppQueue, ResponseTime};
use super::usl::Usl;
use crate::phase::{Band, Phase};
use crate::scenario::{LatencyObjective, Workload};
use crate::units::{Status, Utilisation};
use crate::valid::ValidScenario;

/// The components whose capacity is modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    App,
    Database,
    Cache,
    Websocket,
    LoadBalancer,
    /// The latency objective (present only when the workload sets one).
    ResponseTime,
}

impl ComponentKind {
    pub fn label(self) -> &'static str {
        match self {
            ComponentKind::App => "App tier",
            ComponentKind::Database => "Database connections",
            ComponentKind::Cache => "Cache memory",
            ComponentKind::Websocket => "WebSockets",
            ComponentKind::LoadBalancer => "Load balancer",
            ComponentKind::ResponseTime => "Response time",
        }
    }
}

/// One component of one phase against a number of users.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentLoad {
    pub component: ComponentKind,
    /// Users at which the component is 100 % busy.
    pub capacity_users: f64,
    /// Users at which it reaches its critical threshold.
    pub critical_users: f64,
    pub utilisation: Utilisation,
    pub status: Status,
    /// `capacity − users`: negative when overloaded.
    pub headroom_users: f64,
}

/// A phase against a number of users: every component, the bottleneck and the phase's capacity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseCapacity {
    pub phase_index: usize,
    pub users: f64,
    /// The phase's design target (`max_users`).
    pub design_users: f64,
    /// `min(design, every component's capacity)`.
    pub capacity_users: f64,
    /// Users at which the phase must already have been left: the smallest of the design target's
    /// and every component's critical user count.
    pub critical_users: f64,
    /// The component that limits the phase; `None` when the design target is the limit.
    pub bottleneck: Option<ComponentKind>,
    pub components: Vec<ComponentLoad>,
    /// Probability that a query waits for a free connection on the busiest database node (Erlang
    /// C) at `users`; 1 when the pool is saturated.
    pub db_wait_probability: f64,
    /// App instances the autoscaler runs for `users` (CPU at the warning threshold), within the
    /// tier's min and max.
    pub app_instances: u32,
    /// The app tier's predicted response time at `users` on `app_instances`; `None` when the
    /// workload makes no requests.
    pub response: Option<ResponseTime>,
}

/// Per-user demand derived from the workload, computed once per scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Demand {
    /// Requests per second per concurrent user.
    pub rps_per_user: f64,
    /// Seconds of vCPU per request.
    service_seconds: f64,
    /// Connection-seconds per second (Erlangs) per user, all queries.
    db_erlangs_per_user: f64,
    read_share: f64,
    cache_mib_per_user: f64,
    websocket_share: f64,
    sigma: f64,
    kappa: f64,
    objective: Option<LatencyObjective>,
}

impl Demand {
    /// The workload's demand with the app tier's USL coefficients.
    pub fn new(w: &Workload, usl: Usl) -> Self {
        let rps = w.requests_per_user_per_minute / 60.0;
        Demand {
            rps_per_user: rps,
            service_seconds: w.service_time_ms / 1_000.0,
            db_erlangs_per_user: rps * w.db_queries_per_request * w.db_query_time_ms / 1_000.0,
            read_share: w.db_read_share,
            cache_mib_per_user: w.cache_mib_per_user,
            websocket_share: w.websocket_share,
            sigma: usl.sigma,
            kappa: usl.kappa,
            objective: w.latency_objective,
        }
    }

    /// The same demand with every per-user rate multiplied by `factor` (the Monte Carlo's demand
    /// draw).
    pub fn scaled(&self, factor: f64) -> Self {
        Demand {
            rps_per_user: self.rps_per_user * factor,
            db_erlangs_per_user: self.db_erlangs_per_user * factor,
            cache_mib_per_user: self.cache_mib_per_user * factor,
            ..*self
        }
    }

    fn usl(&self, vcpu: u32) -> Usl {
        Usl {
            lambda: f64::from(vcpu) / self.service_seconds,
            sigma: self.sigma,
            kappa: self.kappa,
        }
    }

    /// The instance count up to `max` with the most USL throughput (`max`, or an integer next to
    /// `N*` when the peak comes first).
    pub fn best_instances(&self, vcpu: u32, max: u32) -> u32 {
        let usl = self.usl(vcpu);
        let peak = usl.peak_concurrency();
        if peak >= f64::from(max) {
            return max;
        }
        let lo = (peak.floor().max(1.0) as u32).min(max);
        let hi = (lo + 1).min(max);
        if usl.throughput(f64::from(hi)) > usl.throughput(f64::from(lo)) {
            hi
        } else {
            lo
        }
    }

    /// The USL throughput of the best instance count up to `max`.
    fn best_throughput(&self, vcpu: u32, max: u32) -> f64 {
        self.usl(vcpu)
            .throughput(f64::from(self.best_instances(vcpu, max)))
    }

    /// The app tier's queue on `instances` of `vcpu` vCPUs.
    pub fn app_queue(&self, vcpu: u32, instances: u32) -> AppQueue {
        AppQueue::new(
            instances,
            vcpu,
            self.service_seconds,
            self.sigma,
            self.kappa,
        )
    }

    /// Users at which the latency objective is reached on the app tier's best instance count for
    /// it in `min..=max`; `None` without an objective or without requests.
    ///
    /// More instances add servers but lengthen every request by the USL's crosstalk, so the
    /// requests per second that keep the objective rise with the count and then fall (to none
    /// once the idle response time alone misses it); the best count is found by ternary search
    /// over that single peak, a few dozen queue evaluations instead of one per count.
    pub fn objective_capacity(&self, vcpu: u32, min: u32, max: u32) -> Option<f64> {
        let objective = self.objective?;
        if self.rps_per_user <= 0.0 {
            return None;
        }
        let holds = |n: u32| self.app_queue(vcpu, n).objective_throughput(objective);
        let (mut lo, mut hi) = (min.max(1), max.max(min.max(1)));
        while hi - lo > 2 {
            let third = (hi - lo) / 3;
            let (a, b) = (lo + third, hi - third);
            if holds(a) < holds(b) {
                lo = a + 1;
            } else {
                hi = b - 1;
            }
        }
        let best = (lo..=hi).map(holds).fold(0.0, f64::max);
        Some(best / self.rps_per_user)
    }

    /// The latency objective the capacities are checked against.
    pub fn objective(&self) -> Option<LatencyObjective> {
        self.objective
    }

    /// Users at which the app tier of `vcpu`-vCPU instances, at most `max` of them, is saturated.
    pub fn app_capacity(&self, vcpu: u32, max: u32) -> f64 {
        if self.rps_per_user <= 0.0 {
            return f64::INFINITY;
        }
        self.best_throughput(vcpu, max) / self.rps_per_user
    }

    /// Instances an autoscaler targeting `target` CPU (a fraction) runs for `users`: the smallest
    /// `n` in `min..=max` with `X(n) · target ≥ users · r`, or `max` if none is enough.
    ///
    /// Closed form: `X(n)·t ≥ D` ⇔ `Dκ·n² + (D(σ − κ) − λt)·n + D(1 − σ) ≤ 0`, so `n` is the
    /// quadratic's smaller root rounded up (one step of correction absorbs rounding).
    pub fn app_instances(&self, vcpu: u32, min: u32, max: u32, target: f64, users: f64) -> u32 {
        let d = users * self.rps_per_user;
        if d <= 0.0 {
            return min;
        }
        let usl = self.usl(vcpu);
        let lt = usl.lambda * target;
        let (a, b, c) = (
            d * self.kappa,
            d * (self.sigma - self.kappa) - lt,
            d * (1.0 - self.sigma),
        );
        let root = if a > 0.0 {
            let disc = b * b - 4.0 * a * c;
            if disc < 0.0 {
                return max;
            }
            (-b - disc.sqrt()) / (2.0 * a)
        } else if b < 0.0 {
            -c / b
        } else {
            return max;
        };
        if !root.is_finite() || root > f64::from(max) {
            return max;
        }
        let mut n = (root.ceil().max(1.0) as u32).clamp(min, max);
        if n > min && usl.throughput(f64::from(n - 1)) * target >= d {
            n -= 1;
        }
        while n < max && usl.throughput(f64::from(n)) * target < d {
            n += 1;
        }
        n
    }

    /// Users at which the busiest database node's pool is fully busy, and that node's load in
    /// Erlangs per user.
    fn db_per_user(&self, phase: &Phase) -> f64 {
        let db = &phase.database;
        let shards = f64::from(db.shards);
        let (primary, replica) = if db.read_replicas == 0 {
            (self.db_erlangs_per_user, 0.0)
        } else {
            (
                self.db_erlangs_per_user * (1.0 - self.read_share),
                self.db_erlangs_per_user * self.read_share / f64::from(db.read_replicas),
            )
        };
        primary.max(replica) / shards
    }
}

fn component(component: ComponentKind, capacity: f64, band: &Band, users: f64) -> ComponentLoad {
    let utilisation = Utilisation::of(users, capacity);
    ComponentLoad {
        component,
        capacity_users: capacity,
        critical_users: capacity * band.critical() / 100.0,
        utilisation,
        status: band.classify(utilisation),
        headroom_users: capacity - users,
    }
}

/// Every loaded component of `phase` against `users`.
pub fn phase_capacity(
    demand: &Demand,
    phase: &Phase,
    phase_index: usize,
    users: f64,
) -> PhaseCapacity {
    let t = &phase.thresholds;
    let mut components = Vec::with_capacity(6);
    if demand.rps_per_user > 0.0 {
        let cap = demand.app_capacity(phase.app.vcpu, phase.app.max_instances);
        components.push(component(ComponentKind::App, cap, &t.cpu, users));
    }
    if let Some(cap) = demand.objective_capacity(
        phase.app.vcpu,
        phase.app.min_instances,
        phase.app.max_instances,
    ) {
        components.push(component(ComponentKind::ResponseTime, cap, &t.cpu, users));
    }
    let db_per_user = demand.db_per_user(phase);
    if db_per_user > 0.0 {
        let cap = f64::from(phase.database.pool_size) / db_per_user;
        components.push(component(
            ComponentKind::Database,
            cap,
            &t.connections,
            users,
        ));
    }
    if demand.cache_mib_per_user > 0.0 {
        let cap = phase.cache.usable_mib() / demand.cache_mib_per_user;
        components.push(component(ComponentKind::Cache, cap, &t.memory, users));
    }
    if demand.websocket_share > 0.0 {
        let cap = f64::from(phase.websocket_connections) / demand.websocket_share;
        components.push(component(
            ComponentKind::Websocket,
            cap,
            &t.connections,
            users,
        ));
    }
    let lb = phase.load_balancer.client_connections();
    components.push(component(
        ComponentKind::LoadBalancer,
        lb,
        &t.connections,
        users,
    ));

    let design = f64::from(phase.max_users);
    let limiting = components
        .iter()
        .min_by(|a, b| a.capacity_users.total_cmp(&b.capacity_users));
    let (capacity_users, bottleneck) = match limiting {
        Some(c) if c.capacity_users < design => (c.capacity_users, Some(c.component)),
        _ => (design, None),
    };
    let design_critical = design * t.capacity.critical() / 100.0;
    let critical_users = components
        .iter()
        .map(|c| c.critical_users)
        .fold(design_critical, f64::min);
    let busiest = users * db_per_user;
    let app_instances = demand.app_instances(
        phase.app.vcpu,
        phase.app.min_instances,
        phase.app.max_instances,
        t.cpu.warning() / 100.0,
        users,
    );
    let response = (demand.rps_per_user > 0.0).then(|| {
        demand
            .app_queue(phase.app.vcpu, app_instances)
            .response(app_instances, users * demand.rps_per_user)
    });
    PhaseCapacity {
        phase_index,
        users,
        design_users: design,
        capacity_users,
        critical_users,
        bottleneck,
        components,
        db_wait_probability: erlang_c(phase.database.pool_size, busiest),
        app_instances,
        response,
    }
}

/// Every phase of a scenario against `users`.
pub fn ladder_capacity(s: &ValidScenario, users: f64) -> Vec<PhaseCapacity> {
    let demand = s.demand();
    s.ladder()
        .phases()
        .iter()
        .enumerate()
        .map(|(i, p)| phase_capacity(&demand, p, i, users))
        .collect()
}

/// The user count at which each phase must already have been left (see
/// [`PhaseCapacity::critical_users`]). The timeline and the Monte Carlo use these limits.
pub fn critical_limits(s: &ValidScenario, demand: &Demand) -> Vec<f64> {
    s.ladder()
        .phases()
        .iter()
        .enumerate()
        .map(|(i, p)| phase_capacity(demand, p, i, 0.0).critical_users)
        .collect()
}

impl ValidScenario {
    /// Per-user demand for the capacity model.
    pub fn demand(&self) -> Demand {
        Demand::new(&self.scenario().workload, self.app_scaling())
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::scenario::tests::example;

    fn demand() -> Demand {
        Demand::new(
            &example().workload,
            Usl {
                lambda: 1.0,
                sigma: 0.02,
                kappa: 0.0002,
            },
        )
    }

    #[test]
    fn app_capacity_follows_the_usl() {
        let d = demand();
        // 2 vCPU at 20 ms → λ = 100 req/s; 3 instances → 300 / (1 + 0.04 + 0.0012).
        let x = 300.0 / (1.0 + 0.02 * 2.0 + 0.0002 * 6.0);
        let expected = x / (6.0 / 60.0);
        assert!((d.app_capacity(2, 3) - expected).abs() < 1e-9);
        // Past N* = √(0.98/0.0002) ≈ 70 more instances do not raise capacity.
        assert_eq!(d.app_capacity(2, 500), d.app_capacity(2, 71));
        assert!(d.app_capacity(2, 71) >= d.app_capacity(2, 60));
    }

    #[test]
    fn autoscaler_instances_are_the_smallest_that_keep_cpu_at_target() {
        let d = demand();
        for users in [0.0, 100.0, 1_000.0, 2_500.0, 10_000.0, 50_000.0] {
            let n = d.app_instances(2, 1, 40, 0.6, users);
            let usl = d.usl(2);
            let need = users * d.rps_per_user;
            if n < 40 {
                assert!(usl.throughput(f64::from(n)) * 0.6 >= need, "{users}: {n}");
            }
            if n > 1 {
                assert!(
                    usl.throughput(f64::from(n - 1)) * 0.6 < need,
                    "{users}: {n}"
                );
            }
        }
        assert_eq!(d.app_instances(2, 3, 40, 0.6, 0.0), 3);
    }

    #[test]
    fn database_load_spreads_over_replicas_and_shards() {
        let s = example().validate().unwrap();
        let d = s.demand();
        let mut phase = s.ladder().phases()[0].clone();
        // 0.1 req/s × 3 queries × 4 ms = 0.0012 Erlangs per user; pool 20 → 16,667 users.
        let cap = |p: &Phase| {
            phase_capacity(&d, p, 0, 0.0)
                .components
                .iter()
                .find(|c| c.component == ComponentKind::Database)
                .unwrap()
                .capacity_users
        };
        assert!((cap(&phase) - 20.0 / 0.0012).abs() < 1e-6);
        // Two replicas: the primary keeps the 20 % writes, each replica 40 % of the reads.
        phase.database.read_replicas = 2;
        assert!((cap(&phase) - 20.0 / (0.0012 * 0.4)).abs() < 1e-6);
        phase.database.shards = 2;
        assert!((cap(&phase) - 20.0 / (0.0012 * 0.2)).abs() < 1e-6);
    }

    #[test]
    fn the_bottleneck_is_the_smallest_capacity() {
        let s = example().validate().unwrap();
        let d = s.demand();
        let mut launch = s.ladder().phases()[0].clone();
        launch.websocket_connections = 300; // 300 / 0.25 = 1,200 users
        let c = phase_capacity(&d, &launch, 0, 1_000.0);
        assert_eq!(c.bottleneck, Some(ComponentKind::Websocket));
        assert_eq!(c.capacity_users, 1_200.0);
        let ws = &c.components[3];
        assert_eq!(ws.component, ComponentKind::Websocket);
        assert_eq!(ws.headroom_users, 200.0);
        assert_eq!(ws.status, Status::Warning); // 83 % against connections 80 / 95
        // Critical at 95 % of 1,200 = 1,140, below the design's 80 % of 2,000.
        assert!((c.critical_users - 1_140.0).abs() < 1e-9);
    }

    #[test]
    fn the_seed_ladder_holds_its_design_targets_for_every_preset() {
        for preset in crate::presets::presets() {
            let s = preset.scenario.validate().unwrap();
            for c in ladder_capacity(&s, 0.0) {
                assert_eq!(
                    c.bottleneck, None,
                    "{}: phase {} is capped at {:.0} users by {:?}",
                    preset.key, c.phase_index, c.capacity_users, c.components
                );
            }
        }
    }

    #[test]
    fn a_latency_objective_is_one_more_limit_named_when_it_binds() {
        use crate::scenario::{LatencyObjective, LatencyPercentile};
        let mut scenario = example();
        let plain = scenario.clone().validate().unwrap();
        let launch = plain.ladder().phases()[0].clone();
        let before = phase_capacity(&plain.demand(), &launch, 0, 0.0);
        assert!(
            before
                .components
                .iter()
                .all(|c| c.component != ComponentKind::ResponseTime)
        );
        // p95 of a 20 ms service is 60 ms on an idle tier; 65 ms leaves little room to queue.
        scenario.workload.latency_objective = Some(LatencyObjective {
            percentile: LatencyPercentile::P95,
            ms: 65.0,
        });
        let s = scenario.validate().unwrap();
        let d = s.demand();
        let after = phase_capacity(&d, &launch, 0, 0.0);
        let rt = after
            .components
            .iter()
            .find(|c| c.component == ComponentKind::ResponseTime)
            .unwrap();
        let app = after
            .components
            .iter()
            .find(|c| c.component == ComponentKind::App)
            .unwrap();
        assert!(rt.capacity_users < app.capacity_users);
        assert_eq!(after.bottleneck, Some(ComponentKind::ResponseTime));
        assert_eq!(after.capacity_users, rt.capacity_users);
        // At the limit the predicted p95 on the best instance count for it is the objective, and
        // no count in the tier's range carries more users within it.
        let (lo, hi) = (launch.app.min_instances, launch.app.max_instances);
        let p95 = |n: u32, users: f64| {
            d.app_queue(launch.app.vcpu, n)
                .response(n, users * d.rps_per_user)
                .percentile_ms(LatencyPercentile::P95)
        };
        let within = |n: u32| p95(n, rt.capacity_users).is_some_and(|ms| ms <= 65.0 + 0.01);
        let best: Vec<u32> = (lo..=hi).filter(|&n| within(n)).collect();
        assert!(!best.is_empty());
        for n in lo..=hi {
            assert!(
                p95(n, rt.capacity_users * 1.001).is_none_or(|ms| ms > 65.0),
                "{n} instances carry more"
            );
        }
        // The plan's limits move with it.
        assert!(critical_limits(&s, &d)[0] < critical_limits(&plain, &plain.demand())[0]);
    }

    #[test]
    fn crosstalk_can_make_fewer_instances_the_faster_tier() {
        use crate::scenario::{LatencyObjective, LatencyPercentile};
        let mut scenario = example();
        // κ large enough that 100 instances alone miss 80 ms even idle: the best count is fewer.
        scenario.workload.app_scaling.sigma = 0.02;
        scenario.workload.app_scaling.kappa = 0.0002;
        scenario.workload.latency_objective = Some(LatencyObjective {
            percentile: LatencyPercentile::P95,
            ms: 80.0,
        });
        let s = scenario.validate().unwrap();
        let d = s.demand();
        let mut phase = s.ladder().phases()[0].clone();
        phase.app.min_instances = 1;
        phase.app.max_instances = 100;
        let idle_at_max = d
            .app_queue(phase.app.vcpu, 100)
            .response(100, 0.0)
            .percentile_ms(LatencyPercentile::P95)
            .unwrap();
        assert!(idle_at_max > 80.0, "{idle_at_max}");
        let cap = d.objective_capacity(phase.app.vcpu, 1, 100).unwrap();
        let brute = (1..=100)
            .map(|n| {
                d.app_queue(phase.app.vcpu, n)
                    .objective_throughput(s.scenario().workload.latency_objective.unwrap())
            })
            .fold(0.0, f64::max)
            / d.rps_per_user;
        assert!(cap > 0.0);
        assert!((cap - brute).abs() <= 1e-9 * brute, "{cap} vs {brute}");
    }

    #[test]
    fn the_response_time_is_predicted_at_the_autoscalers_instances() {
        let s = example().validate().unwrap();
        let c = ladder_capacity(&s, 1_500.0).remove(0);
        match c.response {
            Some(ResponseTime::Predicted {
                instances, p95_ms, ..
            }) => {
                assert_eq!(instances, c.app_instances);
                assert!(p95_ms >= 3.0 * s.scenario().workload.service_time_ms);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn erlang_c_wait_probability_rises_with_load() {
        let s = example().validate().unwrap();
        let low = ladder_capacity(&s, 1_000.0)[0].db_wait_probability;
        let high = ladder_capacity(&s, 15_000.0)[0].db_wait_probability;
        assert!(low < 1e-6, "{low}");
        assert!(high > 0.1 && high <= 1.0, "{high}");
    }
}
