//! Utilisation per component of a phase: the components live data loads, what each is measured
//! against (the phase's bands and capacities), and the readings, latest and over the history.

use serde::{Deserialize, Serialize};

use crate::capacity::components::phase_capacity;

use crate::format::thousands;
use crate::phase::{Band, Phase};
use crate::valid::ValidScenario;

use crate::units::Status;

use super::metric::{Metric, Series};

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

/// A value a live source may report: finite and not negative (anything else is ignored, not
/// reported as a reading).
pub(super) fn usable(v: f64) -> Option<f64> {
    (v.is_finite() && v >= 0.0).then_some(v)
}

/// What the live readings of one phase are measured against: its bands, and the 100 % mark of
/// each component.
pub(super) struct Limits<'a> {
    phase: &'a Phase,
    capacity_users: f64,
    pub(super) critical_users: f64,
}

impl<'a> Limits<'a> {
    pub(super) fn new(s: &'a ValidScenario, index: usize) -> Self {
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
    pub(super) fn band(&self, c: LiveComponent) -> Band {
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
    pub(super) fn limit(&self, c: LiveComponent, measured: Option<f64>) -> f64 {
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
    pub(super) fn percent(&self, c: LiveComponent, value: f64, measured_limit: Option<f64>) -> f64 {
        100.0 * value / self.limit(c, measured_limit)
    }

    pub(super) fn reading(
        &self,
        c: LiveComponent,
        value: f64,
        measured_limit: Option<f64>,
    ) -> Reading {
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

pub(super) fn utilisation_with(limits: &Limits<'_>, history: &Series) -> Vec<UtilisationSeries> {
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
