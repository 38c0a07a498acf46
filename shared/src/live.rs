//! Live capacity: what the running platform's metrics say against the plan. A live source
//! reports [`Metric`] values; [`analyse`] turns the latest ones into utilisation per component of
//! the current phase, against that phase's own warning and critical thresholds, names the
//! bottleneck, decides (stay / prepare / move now), and forecasts from the history when the next
//! phase is needed, beside the plan's own growth assumption.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::capacity::components::phase_capacity;
use crate::forecast::{SECONDS_PER_MONTH, TrendForecast, forecast};
use crate::phase::Band;
use crate::scenario::ValidScenario;
use crate::timeline::phase_timeline;
use crate::units::{Status, thousands};

/// What a live source measures. Keys (`cpu_percent`…) are the wire names and the names used in
/// the server's configuration to map Prometheus queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Concurrent users on the platform (the app's own gauge).
    ConcurrentUsers,
    RequestsPerSecond,
    /// CPU busy, percent of all cores (the app tier's, or the host's).
    CpuPercent,
    /// Memory in use, percent.
    MemoryPercent,
    /// One-minute load average.
    Load1,
    NetworkRxBytesPerSecond,
    NetworkTxBytesPerSecond,
    /// Database connections in use.
    DbConnections,
    /// The database's `max_connections`.
    DbMaxConnections,
    CacheMemoryBytes,
    /// Redis `maxmemory` (0 = unlimited).
    CacheMaxMemoryBytes,
    CacheClients,
    CacheOpsPerSecond,
    /// Keyspace hits over hits + misses, percent.
    CacheHitRatePercent,
    WebsocketConnections,
}

impl Metric {
    pub const ALL: [Metric; 15] = [
        Metric::ConcurrentUsers,
        Metric::RequestsPerSecond,
        Metric::CpuPercent,
        Metric::MemoryPercent,
        Metric::Load1,
        Metric::NetworkRxBytesPerSecond,
        Metric::NetworkTxBytesPerSecond,
        Metric::DbConnections,
        Metric::DbMaxConnections,
        Metric::CacheMemoryBytes,
        Metric::CacheMaxMemoryBytes,
        Metric::CacheClients,
        Metric::CacheOpsPerSecond,
        Metric::CacheHitRatePercent,
        Metric::WebsocketConnections,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Metric::ConcurrentUsers => "concurrent_users",
            Metric::RequestsPerSecond => "requests_per_second",
            Metric::CpuPercent => "cpu_percent",
            Metric::MemoryPercent => "memory_percent",
            Metric::Load1 => "load1",
            Metric::NetworkRxBytesPerSecond => "network_rx_bytes_per_second",
            Metric::NetworkTxBytesPerSecond => "network_tx_bytes_per_second",
            Metric::DbConnections => "db_connections",
            Metric::DbMaxConnections => "db_max_connections",
            Metric::CacheMemoryBytes => "cache_memory_bytes",
            Metric::CacheMaxMemoryBytes => "cache_max_memory_bytes",
            Metric::CacheClients => "cache_clients",
            Metric::CacheOpsPerSecond => "cache_ops_per_second",
            Metric::CacheHitRatePercent => "cache_hit_rate_percent",
            Metric::WebsocketConnections => "websocket_connections",
        }
    }

    pub fn parse(key: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.key() == key)
    }
}

/// The latest value of each metric.
pub type Observations = BTreeMap<Metric, f64>;

/// A component of the running phase that live data can load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveComponent {
    /// Concurrent users against what the phase holds under the planned workload.
    Capacity,
    AppCpu,
    AppMemory,
    DbConnections,
    CacheMemory,
    Websockets,
}

impl LiveComponent {
    pub fn label(self) -> &'static str {
        match self {
            LiveComponent::Capacity => "Users vs capacity",
            LiveComponent::AppCpu => "CPU",
            LiveComponent::AppMemory => "Memory",
            LiveComponent::DbConnections => "Database connections",
            LiveComponent::CacheMemory => "Cache memory",
            LiveComponent::Websockets => "WebSockets",
        }
    }
}

/// One component's live utilisation against the phase's band for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub component: LiveComponent,
    pub label: String,
    pub utilisation_percent: f64,
    pub warning_percent: f64,
    pub critical_percent: f64,
    pub status: Status,
    /// What was measured and against what: "812 of 1,000 connections".
    pub basis: String,
}

/// What to do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Every component below its warning threshold.
    Stay,
    /// A component past its warning threshold: start preparing the next phase.
    PrepareNext,
    /// A component past its critical threshold: move to the next phase now.
    TransitionNow,
    /// No live reading maps onto the phase.
    NoData,
}

/// When the next phase is needed, from the live history of concurrent users, beside the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseForecast {
    /// The users at which the current phase turns critical (its critical line).
    pub critical_users: f64,
    pub trend: TrendForecast,
    /// The plan's assumption, for comparison: its monthly growth rate and the month (from the
    /// plan's start) its timeline moves to the next phase, if within the horizon.
    pub plan_growth_per_month: f64,
    pub plan_transition_month: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveAnalysis {
    pub phase_index: usize,
    pub phase_key: String,
    pub phase_name: String,
    pub next_phase: Option<String>,
    pub readings: Vec<Reading>,
    /// The reading closest to (or furthest past) its critical threshold.
    pub bottleneck: Option<LiveComponent>,
    pub status: Status,
    pub decision: Decision,
    pub reason: String,
    /// `None` without a concurrent-users history of at least three points.
    pub forecast: Option<PhaseForecast>,
}

/// The phase the platform is on when none is configured: the one the plan requires now.
pub fn planned_phase_now(s: &ValidScenario) -> usize {
    phase_timeline(s)
        .months
        .first()
        .map_or(0, |m| m.phase_index)
}

/// Analyses `latest` against phase `phase_index` of `s`; `users_history` is `(unix seconds,
/// concurrent users)` for the forecast.
pub fn analyse(
    s: &ValidScenario,
    phase_index: usize,
    latest: &Observations,
    users_history: &[(f64, f64)],
) -> LiveAnalysis {
    let phases = s.ladder().phases();
    let index = phase_index.min(phases.len().saturating_sub(1));
    let phase = &phases[index];
    let t = &phase.thresholds;
    let demand = s.demand();
    let capacity = phase_capacity(&demand, phase, index, 0.0);
    let get = |m: Metric| {
        latest
            .get(&m)
            .copied()
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    let mut readings = Vec::new();
    let mut push = |component: LiveComponent, percent: f64, band: Band, basis: String| {
        readings.push(Reading {
            component,
            label: component.label().to_owned(),
            utilisation_percent: percent,
            warning_percent: band.warning(),
            critical_percent: band.critical(),
            status: band.classify(crate::units::Utilisation::of(percent, 100.0)),
            basis,
        });
    };
    if let Some(u) = get(Metric::ConcurrentUsers) {
        let cap = capacity.capacity_users.max(1.0);
        push(
            LiveComponent::Capacity,
            100.0 * u / cap,
            t.capacity,
            format!("{} of {} users", thousands(u), thousands(cap)),
        );
    }
    if let Some(c) = get(Metric::CpuPercent) {
        push(LiveComponent::AppCpu, c, t.cpu, format!("{c:.1} % busy"));
    }
    if let Some(m) = get(Metric::MemoryPercent) {
        push(
            LiveComponent::AppMemory,
            m,
            t.memory,
            format!("{m:.1} % in use"),
        );
    }
    if let Some(c) = get(Metric::DbConnections) {
        // Against what the server allows, else what the phase configures.
        let max = get(Metric::DbMaxConnections)
            .filter(|m| *m > 0.0)
            .unwrap_or(f64::from(phase.database.max_connections));
        push(
            LiveComponent::DbConnections,
            100.0 * c / max,
            t.connections,
            format!("{} of {} connections", thousands(c), thousands(max)),
        );
    }
    if let Some(used) = get(Metric::CacheMemoryBytes) {
        let max = get(Metric::CacheMaxMemoryBytes)
            .filter(|m| *m > 0.0)
            .unwrap_or(f64::from(phase.cache.memory_mib) * 1_048_576.0);
        push(
            LiveComponent::CacheMemory,
            100.0 * used / max,
            t.memory,
            format!("{:.0} of {:.0} MiB", used / 1_048_576.0, max / 1_048_576.0),
        );
    }
    if let Some(w) = get(Metric::WebsocketConnections) {
        let max = f64::from(phase.websocket_connections.max(1));
        push(
            LiveComponent::Websockets,
            100.0 * w / max,
            t.capacity,
            format!("{} of {} connections", thousands(w), thousands(max)),
        );
    }
    // Closest to its critical line, relatively.
    let bottleneck = readings
        .iter()
        .max_by(|a, b| {
            (a.utilisation_percent / a.critical_percent)
                .total_cmp(&(b.utilisation_percent / b.critical_percent))
        })
        .map(|r| r.component);
    let status = readings
        .iter()
        .map(|r| r.status)
        .max()
        .unwrap_or(Status::Optimal);
    let next = phases.get(index + 1).map(|p| p.name.clone());
    let worst = readings
        .iter()
        .find(|r| Some(r.component) == bottleneck)
        .map(|r| {
            format!(
                "{} at {:.0} % ({})",
                r.label, r.utilisation_percent, r.basis
            )
        });
    let (decision, reason) = match (readings.is_empty(), status, &next, worst) {
        (true, ..) => (
            Decision::NoData,
            "No live reading maps onto this phase yet.".to_owned(),
        ),
        (false, Status::Optimal, _, w) => (
            Decision::Stay,
            format!(
                "{} holds: every component is below its warning threshold; the busiest is {}.",
                phase.name,
                w.unwrap_or_default()
            ),
        ),
        (false, Status::Warning, Some(n), w) => (
            Decision::PrepareNext,
            format!(
                "Prepare {n}: {} is past its warning threshold.",
                w.unwrap_or_default()
            ),
        ),
        (false, Status::Critical, Some(n), w) => (
            Decision::TransitionNow,
            format!(
                "Move to {n} now: {} is past its critical threshold.",
                w.unwrap_or_default()
            ),
        ),
        (false, _, None, w) => (
            Decision::TransitionNow,
            format!(
                "{} is the top of the ladder and {} is past a threshold: extend the ladder.",
                phase.name,
                w.unwrap_or_default()
            ),
        ),
    };
    let forecast = (users_history.len() >= 3).then(|| {
        let timeline = phase_timeline(s);
        PhaseForecast {
            critical_users: capacity.critical_users,
            trend: forecast(users_history, capacity.critical_users),
            plan_growth_per_month: s.scenario().growth.monthly_rate,
            plan_transition_month: timeline
                .transitions
                .iter()
                .find(|tr| tr.from_index == index && tr.to_index > index)
                .map(|tr| tr.month),
        }
    });
    LiveAnalysis {
        phase_index: index,
        phase_key: phase.key.clone(),
        phase_name: phase.name.clone(),
        next_phase: next,
        readings,
        bottleneck,
        status,
        decision,
        reason,
        forecast,
    }
}

/// Months from `now` (unix seconds) until a forecast crossing time, for display.
pub fn months_until(now: f64, at: f64) -> f64 {
    (at - now) / SECONDS_PER_MONTH
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::presets::default_preset;

    fn s() -> ValidScenario {
        default_preset().scenario.validate().unwrap()
    }

    #[test]
    fn readings_use_the_phase_s_own_bands() {
        let s = s();
        // Launch: CPU band 60 / 80, connections 80 / 95, max_connections 100.
        let obs: Observations = [
            (Metric::CpuPercent, 65.0),
            (Metric::DbConnections, 30.0),
            (Metric::DbMaxConnections, 100.0),
        ]
        .into();
        let a = analyse(&s, 0, &obs, &[]);
        assert_eq!(a.phase_key, "launch");
        let cpu = a
            .readings
            .iter()
            .find(|r| r.component == LiveComponent::AppCpu)
            .unwrap();
        assert_eq!((cpu.warning_percent, cpu.critical_percent), (60.0, 80.0));
        assert_eq!(cpu.status, Status::Warning);
        let db = a
            .readings
            .iter()
            .find(|r| r.component == LiveComponent::DbConnections)
            .unwrap();
        assert!((db.utilisation_percent - 30.0).abs() < 1e-9);
        assert_eq!(a.bottleneck, Some(LiveComponent::AppCpu));
        assert_eq!(a.decision, Decision::PrepareNext);
        assert!(
            a.reason.starts_with("Prepare Growth: CPU at 65 %"),
            "{}",
            a.reason
        );
    }

    #[test]
    fn a_critical_reading_means_move_now_and_no_reading_means_no_data() {
        let s = s();
        let obs: Observations = [(Metric::WebsocketConnections, 480.0)].into();
        let a = analyse(&s, 0, &obs, &[]);
        // 480 of Launch's 500 WebSockets = 96 %, past the capacity band's 80 % critical line.
        assert_eq!(a.decision, Decision::TransitionNow);
        assert_eq!(a.status, Status::Critical);
        assert_eq!(
            analyse(&s, 0, &Observations::new(), &[]).decision,
            Decision::NoData
        );
        // Nonsense values are ignored, not reported.
        let bad: Observations = [
            (Metric::CpuPercent, f64::NAN),
            (Metric::MemoryPercent, -5.0),
        ]
        .into();
        assert_eq!(analyse(&s, 0, &bad, &[]).decision, Decision::NoData);
    }

    #[test]
    fn the_forecast_uses_the_users_history_and_sits_beside_the_plan() {
        let s = s();
        // 1,310 users growing 8 % a month, sampled every 6 hours for a week.
        let r = 1.08f64.ln() / SECONDS_PER_MONTH;
        let hist: Vec<(f64, f64)> = (0..28)
            .map(|i| {
                let t = 1.8e9 + f64::from(i) * 21_600.0;
                (t, 1_310.0 * (r * (t - 1.8e9)).exp())
            })
            .collect();
        let a = analyse(&s, 0, &[(Metric::ConcurrentUsers, 1_330.0)].into(), &hist);
        let f = a.forecast.unwrap();
        assert!((f.critical_users - 1_600.0).abs() < 1e-6);
        let e = f.trend.exponential.unwrap();
        assert!((e.growth_per_month - 0.08).abs() < 1e-6);
        let months = months_until(1.8e9, e.crossing.at.unwrap());
        // 1,310 × 1.08^m = 1,600 → m ≈ 2.6: the plan says Growth in month 3.
        assert!(
            (months - (1_600.0f64 / 1_310.0).ln() / 1.08f64.ln()).abs() < 1e-3,
            "{months}"
        );
        assert_eq!(f.plan_transition_month, Some(3));
        assert!((f.plan_growth_per_month - 0.08).abs() < 1e-12);
    }

    #[test]
    fn metric_keys_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.key()), Some(m));
            assert_eq!(
                serde_json::to_string(&m).unwrap(),
                format!("\"{}\"", m.key())
            );
        }
    }
}
