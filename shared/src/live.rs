//! Live capacity: what the running platform's metrics say against the plan. A live source
//! reports [`Metric`] values; [`analyse`] turns the latest ones into utilisation per component of
//! the current phase, against that phase's own warning and critical thresholds, names the
//! bottleneck, decides (stay / prepare / move now), and forecasts from the history when the next
//! phase is needed, beside the plan's own growth assumption.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::capacity::components::phase_capacity;
use crate::forecast::{Crossing, SECONDS_PER_MONTH, TrendForecast, forecast};
use crate::format::thousands;
use crate::phase::{Band, Phase};
use crate::scenario::ValidScenario;
use crate::timeline::phase_timeline;
use crate::units::Status;

/// What a live source measures. Keys (`cpu_percent`…) are the wire names and the names used in
/// the server's configuration to map Prometheus queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// Live history per metric: `(unix seconds, value)`, oldest first.
pub type Series = BTreeMap<Metric, Vec<(f64, f64)>>;

/// A component of the running phase that live data can load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    pub const ALL: [LiveComponent; 6] = [
        LiveComponent::Capacity,
        LiveComponent::AppCpu,
        LiveComponent::AppMemory,
        LiveComponent::DbConnections,
        LiveComponent::CacheMemory,
        LiveComponent::Websockets,
    ];

    /// The wire name (the same string serde writes): for ids in pages and files, never the
    /// `Debug` spelling (`AppCpu` would give `appcpu`).
    pub fn key(self) -> &'static str {
        match self {
            LiveComponent::Capacity => "capacity",
            LiveComponent::AppCpu => "app_cpu",
            LiveComponent::AppMemory => "app_memory",
            LiveComponent::DbConnections => "db_connections",
            LiveComponent::CacheMemory => "cache_memory",
            LiveComponent::Websockets => "websockets",
        }
    }

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

    /// The metric that loads the component.
    pub fn metric(self) -> Metric {
        match self {
            LiveComponent::Capacity => Metric::ConcurrentUsers,
            LiveComponent::AppCpu => Metric::CpuPercent,
            LiveComponent::AppMemory => Metric::MemoryPercent,
            LiveComponent::DbConnections => Metric::DbConnections,
            LiveComponent::CacheMemory => Metric::CacheMemoryBytes,
            LiveComponent::Websockets => Metric::WebsocketConnections,
        }
    }

    /// The metric that measures the component's limit, where the platform reports one; without
    /// it the phase's own figure is the limit.
    pub fn limit_metric(self) -> Option<Metric> {
        match self {
            LiveComponent::DbConnections => Some(Metric::DbMaxConnections),
            LiveComponent::CacheMemory => Some(Metric::CacheMaxMemoryBytes),
            _ => None,
        }
    }

    /// Every metric the live analysis reads.
    pub fn metrics() -> Vec<Metric> {
        LiveComponent::ALL
            .into_iter()
            .flat_map(|c| std::iter::once(c.metric()).chain(c.limit_metric()))
            .collect()
    }
}

/// One component's live utilisation against the phase's band for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = LiveDecision))]
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

/// The shortest history a trend is fitted on. Below an hour a "trend" is one burst of load (a
/// deploy, a batch job, the page that asked): extrapolating it over months says nothing.
pub const MIN_FORECAST_SPAN_SECONDS: f64 = 3_600.0;

/// Below this span of history a forecast is indicative only: less than a week of load holds
/// daily (and weekly) cycles that a trend fit cannot tell from growth.
pub const DATED_FORECAST_SPAN_SECONDS: f64 = 7.0 * 86_400.0;

/// When one component's utilisation reaches its critical line, on its live trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentForecast {
    pub component: LiveComponent,
    pub label: String,
    /// Both trends of the utilisation (percent) toward the critical percentage.
    pub trend: TrendForecast,
    /// The sooner of the two trends' crossings and the envelope of their 95 % bands: planning
    /// takes the earlier model, and the band covers both (`latest: None` = may never cross).
    pub crossing: Crossing,
    /// Both trends rise significantly (their slopes' 95 % intervals exclude zero), so the
    /// crossing is a forecast and not noise.
    pub significant: bool,
}

/// When the next phase is needed, from the live history, beside the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseForecast {
    /// The users at which the current phase turns critical (its critical line).
    pub critical_users: f64,
    /// Concurrent users toward `critical_users` (`None` without a users history): its
    /// exponential trend's monthly growth is what compares with the plan's growth assumption.
    pub users: Option<TrendForecast>,
    /// The longest span of history of any component, in seconds.
    pub history_seconds: f64,
    /// The history spans less than [`DATED_FORECAST_SPAN_SECONDS`]: dates are a hint.
    pub indicative: bool,
    /// Every component with at least [`MIN_FORECAST_SPAN_SECONDS`] of history (and three
    /// points).
    pub components: Vec<ComponentForecast>,
    /// The component whose critical line comes first on a significant trend: when the next
    /// phase is needed. `None` when no component rises significantly.
    pub first: Option<LiveComponent>,
    /// The plan's assumption, for comparison: its monthly growth rate and the month (from the
    /// plan's start) its timeline moves to the next phase, if within the horizon.
    pub plan_growth_per_month: f64,
    pub plan_transition_month: Option<u32>,
}

impl PhaseForecast {
    /// The forecast of the component that turns critical first.
    pub fn first_crossing(&self) -> Option<&ComponentForecast> {
        self.components
            .iter()
            .find(|c| Some(c.component) == self.first)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// `None` until some component has a history.
    pub forecast: Option<PhaseForecast>,
}

/// The phase the platform is on when none is configured: the one the plan requires now.
pub fn planned_phase_now(s: &ValidScenario) -> usize {
    phase_timeline(s)
        .months
        .first()
        .map_or(0, |m| m.phase_index)
}

/// A value a live source may report: finite and not negative (anything else is ignored, not
/// reported as a reading).
fn usable(v: f64) -> Option<f64> {
    (v.is_finite() && v >= 0.0).then_some(v)
}

/// What the live readings of one phase are measured against: its bands, and the 100 % mark of
/// each component.
struct Limits<'a> {
    phase: &'a Phase,
    capacity_users: f64,
    critical_users: f64,
}

impl<'a> Limits<'a> {
    fn new(s: &'a ValidScenario, index: usize) -> Self {
        let phase = &s.ladder().phases()[index];
        let capacity = phase_capacity(&s.demand(), phase, index, 0.0);
        Limits {
            phase,
            capacity_users: capacity.capacity_users.max(1.0),
            critical_users: capacity.critical_users,
        }
    }

    /// The phase's band for `c`: users and WebSockets against the capacity band, memory (the
    /// app's and the cache's) against the memory band.
    fn band(&self, c: LiveComponent) -> Band {
        let t = &self.phase.thresholds;
        match c {
            LiveComponent::Capacity | LiveComponent::Websockets => t.capacity,
            LiveComponent::AppCpu => t.cpu,
            LiveComponent::AppMemory | LiveComponent::CacheMemory => t.memory,
            LiveComponent::DbConnections => t.connections,
        }
    }

    /// The 100 % mark of `c`: what the server reports (`max_connections`, `maxmemory`) when it
    /// reports a positive value, else what the phase configures.
    fn limit(&self, c: LiveComponent, measured: Option<f64>) -> f64 {
        let measured = measured.and_then(usable).filter(|m| *m > 0.0);
        match c {
            LiveComponent::Capacity => self.capacity_users,
            LiveComponent::AppCpu | LiveComponent::AppMemory => 100.0,
            LiveComponent::DbConnections => {
                measured.unwrap_or(f64::from(self.phase.database.max_connections))
            }
            LiveComponent::CacheMemory => {
                measured.unwrap_or(f64::from(self.phase.cache.memory_mib) * 1_048_576.0)
            }
            LiveComponent::Websockets => f64::from(self.phase.websocket_connections.max(1)),
        }
    }

    /// Utilisation in percent of `value` against the limit.
    fn percent(&self, c: LiveComponent, value: f64, measured_limit: Option<f64>) -> f64 {
        100.0 * value / self.limit(c, measured_limit)
    }

    fn reading(&self, c: LiveComponent, value: f64, measured_limit: Option<f64>) -> Reading {
        let band = self.band(c);
        let percent = self.percent(c, value, measured_limit);
        let max = self.limit(c, measured_limit);
        let basis = match c {
            LiveComponent::Capacity => format!("{} of {} users", thousands(value), thousands(max)),
            LiveComponent::AppCpu => format!("{value:.1} % busy"),
            LiveComponent::AppMemory => format!("{value:.1} % in use"),
            LiveComponent::DbConnections | LiveComponent::Websockets => {
                format!("{} of {} connections", thousands(value), thousands(max))
            }
            LiveComponent::CacheMemory => {
                format!("{:.0} of {:.0} MiB", value / 1_048_576.0, max / 1_048_576.0)
            }
        };
        Reading {
            component: c,
            label: c.label().to_owned(),
            utilisation_percent: percent,
            warning_percent: band.warning(),
            critical_percent: band.critical(),
            status: band.classify(crate::units::Utilisation::of(percent, 100.0)),
            basis,
        }
    }
}

/// One component's utilisation over time, with the band it is held against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UtilisationSeries {
    pub component: LiveComponent,
    pub label: String,
    pub warning_percent: f64,
    pub critical_percent: f64,
    /// `(unix seconds, percent)`, oldest first.
    pub points: Vec<(f64, f64)>,
}

/// The utilisation history of every component of phase `phase_index` that has data, computed
/// by the same rule as the live readings. A measured limit applies from the time it was
/// measured on (the latest at or before each point), the phase's own figure before that.
pub fn utilisation_history(
    s: &ValidScenario,
    phase_index: usize,
    history: &Series,
) -> Vec<UtilisationSeries> {
    let index = phase_index.min(s.ladder().phases().len().saturating_sub(1));
    let limits = Limits::new(s, index);
    utilisation_with(&limits, history)
}

fn utilisation_with(limits: &Limits<'_>, history: &Series) -> Vec<UtilisationSeries> {
    LiveComponent::ALL
        .into_iter()
        .filter_map(|c| {
            let values = history.get(&c.metric()).filter(|v| !v.is_empty())?;
            let limit_points = c
                .limit_metric()
                .and_then(|m| history.get(&m))
                .map_or(&[][..], Vec::as_slice);
            let mut next_limit = 0;
            let mut limit = None;
            let points = values
                .iter()
                .filter_map(|&(t, v)| {
                    while let Some(&(lt, lv)) = limit_points.get(next_limit) {
                        if lt > t {
                            break;
                        }
                        if usable(lv).is_some() {
                            limit = Some(lv);
                        }
                        next_limit += 1;
                    }
                    Some((t, limits.percent(c, usable(v)?, limit)))
                })
                .collect::<Vec<_>>();
            let band = limits.band(c);
            Some(UtilisationSeries {
                component: c,
                label: c.label().to_owned(),
                warning_percent: band.warning(),
                critical_percent: band.critical(),
                points,
            })
        })
        .collect()
}

/// The sooner of two optional times (`None` = never).
fn sooner(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Both trends' crossings combined: the sooner estimate, the earliest early end, and the
/// latest late end (open if either is open).
fn combined(t: &TrendForecast) -> Crossing {
    let trends = [t.linear.as_ref(), t.exponential.as_ref()];
    let crossings: Vec<Crossing> = trends.into_iter().flatten().map(|t| t.crossing).collect();
    Crossing {
        at: crossings.iter().map(|c| c.at).fold(None, sooner),
        earliest: crossings.iter().map(|c| c.earliest).fold(None, sooner),
        latest: if crossings.iter().any(|c| c.latest.is_none()) {
            None
        } else {
            crossings.iter().filter_map(|c| c.latest).reduce(f64::max)
        },
    }
}

/// Analyses `latest` against phase `phase_index` of `s`, and forecasts from `history` when the
/// phase's first critical line is reached.
pub fn analyse(
    s: &ValidScenario,
    phase_index: usize,
    latest: &Observations,
    history: &Series,
) -> LiveAnalysis {
    analyse_with_history(s, phase_index, latest, history).0
}

/// [`analyse`], and the utilisation history it fitted (what [`utilisation_history`] returns),
/// for a caller that draws it too: computed once.
pub fn analyse_with_history(
    s: &ValidScenario,
    phase_index: usize,
    latest: &Observations,
    history: &Series,
) -> (LiveAnalysis, Vec<UtilisationSeries>) {
    let phases = s.ladder().phases();
    let index = phase_index.min(phases.len().saturating_sub(1));
    let phase = &phases[index];
    let limits = Limits::new(s, index);
    let get = |m: Metric| latest.get(&m).copied().and_then(usable);
    let readings: Vec<Reading> = LiveComponent::ALL
        .into_iter()
        .filter_map(|c| {
            let value = get(c.metric())?;
            Some(limits.reading(c, value, c.limit_metric().and_then(get)))
        })
        .collect();
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
    let span = |points: &[(f64, f64)]| match (points.first(), points.last()) {
        (Some(a), Some(b)) => b.0 - a.0,
        _ => 0.0,
    };
    let series = utilisation_with(&limits, history);
    let history_seconds = series.iter().map(|u| span(&u.points)).fold(0.0, f64::max);
    let components: Vec<ComponentForecast> = series
        .iter()
        .filter(|u| u.points.len() >= 3 && span(&u.points) >= MIN_FORECAST_SPAN_SECONDS)
        .map(|u| {
            let trend = forecast(&u.points, u.critical_percent);
            let crossing = combined(&trend);
            ComponentForecast {
                component: u.component,
                label: u.label.clone(),
                significant: crossing.at.is_some() && crossing.latest.is_some(),
                crossing,
                trend,
            }
        })
        .collect();
    let forecast = (history_seconds > 0.0).then(|| {
        let users = history
            .get(&Metric::ConcurrentUsers)
            .map(|h| {
                h.iter()
                    .copied()
                    .filter(|(_, v)| usable(*v).is_some())
                    .collect::<Vec<_>>()
            })
            .filter(|h| h.len() >= 3 && span(h) >= MIN_FORECAST_SPAN_SECONDS)
            .map(|h| forecast(&h, limits.critical_users));
        let first = components
            .iter()
            .filter(|c| c.significant)
            .filter_map(|c| c.crossing.at.map(|at| (c.component, at)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(c, _)| c);
        let timeline = phase_timeline(s);
        PhaseForecast {
            critical_users: limits.critical_users,
            users,
            history_seconds,
            indicative: history_seconds < DATED_FORECAST_SPAN_SECONDS,
            components,
            first,
            plan_growth_per_month: s.scenario().growth.monthly_rate,
            plan_transition_month: timeline
                .transitions
                .iter()
                .find(|tr| tr.from_index == index && tr.to_index > index)
                .map(|tr| tr.month),
        }
    });
    let analysis = LiveAnalysis {
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
    };
    (analysis, series)
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

    #[test]
    fn component_keys_are_the_wire_names() {
        for c in LiveComponent::ALL {
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.key())
            );
        }
    }
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
        let a = analyse(&s, 0, &obs, &Series::new());
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
        let a = analyse(&s, 0, &obs, &Series::new());
        // 480 of Launch's 500 WebSockets = 96 %, past the capacity band's 80 % critical line.
        assert_eq!(a.decision, Decision::TransitionNow);
        assert_eq!(a.status, Status::Critical);
        assert_eq!(
            analyse(&s, 0, &Observations::new(), &Series::new()).decision,
            Decision::NoData
        );
        // Nonsense values are ignored, not reported.
        let bad: Observations = [
            (Metric::CpuPercent, f64::NAN),
            (Metric::MemoryPercent, -5.0),
        ]
        .into();
        assert_eq!(
            analyse(&s, 0, &bad, &Series::new()).decision,
            Decision::NoData
        );
    }

    /// 1,310 users growing 8 % a month, sampled every 6 hours for a week.
    fn users_growing_8_percent() -> Vec<(f64, f64)> {
        let r = 1.08f64.ln() / SECONDS_PER_MONTH;
        (0..28)
            .map(|i| {
                let t = 1.8e9 + f64::from(i) * 21_600.0;
                (t, 1_310.0 * (r * (t - 1.8e9)).exp())
            })
            .collect()
    }

    #[test]
    fn the_forecast_uses_the_users_history_and_sits_beside_the_plan() {
        let s = s();
        let hist: Series = [(Metric::ConcurrentUsers, users_growing_8_percent())].into();
        let a = analyse(&s, 0, &[(Metric::ConcurrentUsers, 1_330.0)].into(), &hist);
        let f = a.forecast.unwrap();
        assert!((f.critical_users - 1_600.0).abs() < 1e-6);
        let e = f.users.as_ref().unwrap().exponential.clone().unwrap();
        assert!((e.growth_per_month - 0.08).abs() < 1e-6);
        let months = months_until(1.8e9, e.crossing.at.unwrap());
        // 1,310 × 1.08^m = 1,600 → m ≈ 2.6: the plan says Growth in month 3.
        let expected = (1_600.0f64 / 1_310.0).ln() / 1.08f64.ln();
        assert!((months - expected).abs() < 1e-3, "{months}");
        assert_eq!(f.plan_transition_month, Some(3));
        assert!((f.plan_growth_per_month - 0.08).abs() < 1e-12);
        assert!(f.indicative, "a week of history is just short of dated");
        // The users component reaches its critical line (80 % of the 2,000 the phase holds =
        // the same 1,600 users) at the same time, and nothing else has a history.
        assert_eq!(f.first, Some(LiveComponent::Capacity));
        let c = f.first_crossing().unwrap();
        assert!((c.trend.threshold - 80.0).abs() < 1e-9);
        let at = months_until(1.8e9, c.crossing.at.unwrap());
        // The sooner of the two trends: the straight line through an accelerating curve
        // crosses later, so the exponential one is the estimate.
        assert!((at - expected).abs() < 1e-3, "{at}");
        assert!(c.crossing.earliest.unwrap() <= c.crossing.at.unwrap());
    }

    #[test]
    fn the_first_critical_line_names_when_the_next_phase_is_needed() {
        let s = s();
        let t0 = 1.8e9;
        // CPU climbs 1 point a day from 50 % (critical at 80 % → 30 days); connections climb 1
        // of 100 a day from 40 (critical at 95 → 55 days); memory is flat (never).
        let day = 86_400.0;
        let series = |f: &dyn Fn(f64) -> f64| -> Vec<(f64, f64)> {
            (0..10)
                .map(|d| (t0 + f64::from(d) * day, f(f64::from(d))))
                .collect()
        };
        let hist: Series = [
            (Metric::CpuPercent, series(&|d| 50.0 + d)),
            (Metric::DbConnections, series(&|d| 40.0 + d)),
            (Metric::DbMaxConnections, vec![(t0, 100.0)]),
            (Metric::MemoryPercent, series(&|_| 30.0)),
        ]
        .into();
        let a = analyse(&s, 0, &[(Metric::CpuPercent, 59.0)].into(), &hist);
        let f = a.forecast.unwrap();
        assert_eq!(f.first, Some(LiveComponent::AppCpu));
        assert!(!f.indicative, "nine days of history give dates");
        assert!(f.users.is_none(), "no users history, no users trend");
        let of = |c: LiveComponent| f.components.iter().find(|x| x.component == c).unwrap();
        // The straight line crosses where it should; the compound-growth fit of a straight
        // line bends upward and crosses sooner, so it is the (conservative) estimate.
        let linear_days = |c: LiveComponent| {
            let at = of(c).trend.linear.as_ref().unwrap().crossing.at.unwrap();
            (at - t0) / day
        };
        assert!((linear_days(LiveComponent::AppCpu) - 30.0).abs() < 1e-6);
        assert!((linear_days(LiveComponent::DbConnections) - 55.0).abs() < 1e-6);
        let cpu = of(LiveComponent::AppCpu).crossing;
        assert!((cpu.at.unwrap() - t0) / day < 30.0);
        assert!((cpu.at.unwrap() - t0) / day > 20.0);
        let mem = of(LiveComponent::AppMemory).crossing;
        assert_eq!(
            (mem.at, mem.latest),
            (None, None),
            "a flat line never crosses"
        );
    }

    #[test]
    fn a_short_or_flat_history_forecasts_nothing() {
        let s = s();
        // Ten minutes of a CPU burst: steep, but too short to extrapolate.
        let burst: Vec<(f64, f64)> = (0..120)
            .map(|i| (1.8e9 + f64::from(i) * 5.0, 10.0 + f64::from(i) * 0.5))
            .collect();
        let a = analyse(
            &s,
            0,
            &Observations::new(),
            &[(Metric::CpuPercent, burst)].into(),
        );
        let f = a.forecast.unwrap();
        assert!((f.history_seconds - 595.0).abs() < 1e-9);
        assert!(f.components.is_empty());
        assert_eq!(f.first, None);
        // Two hours of noise around 30 %: fitted, but no significant rise, so no date.
        let noise: Vec<(f64, f64)> = (0..1_440)
            .map(|i| {
                let wobble = if i % 2 == 0 { 3.0 } else { -3.0 };
                (1.8e9 + f64::from(i) * 5.0, 30.0 + wobble)
            })
            .collect();
        let a = analyse(
            &s,
            0,
            &Observations::new(),
            &[(Metric::CpuPercent, noise)].into(),
        );
        let f = a.forecast.unwrap();
        assert_eq!(f.components.len(), 1);
        assert!(!f.components[0].significant);
        assert_eq!(f.first, None);
    }

    #[test]
    fn utilisation_history_uses_the_limit_measured_at_each_time() {
        let s = s();
        let hist: Series = [
            (
                Metric::DbConnections,
                vec![(1.0, 20.0), (2.0, 20.0), (3.0, f64::NAN), (4.0, 20.0)],
            ),
            // max_connections measured from t = 2 on, raised at t = 4.
            (Metric::DbMaxConnections, vec![(2.0, 50.0), (4.0, 200.0)]),
        ]
        .into();
        let u = utilisation_history(&s, 0, &hist);
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].component, LiveComponent::DbConnections);
        // Before t = 2 the phase's own 100 connections; the NaN point is left out.
        assert_eq!(u[0].points, vec![(1.0, 20.0), (2.0, 40.0), (4.0, 10.0)]);
        assert_eq!((u[0].warning_percent, u[0].critical_percent), (80.0, 95.0));
        // The same rule as the latest reading.
        let a = analyse(
            &s,
            0,
            &[
                (Metric::DbConnections, 20.0),
                (Metric::DbMaxConnections, 200.0),
            ]
            .into(),
            &Series::new(),
        );
        assert!((a.readings[0].utilisation_percent - 10.0).abs() < 1e-12);
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
