//! The phase ladder: the stages a platform climbs as it grows, each with the limits of its
//! components and the thresholds its alerts fire at.
//!
//! The default ladder comes from the user's seed documents (a ride-hailing platform's three-phase
//! plan): Launch serves up to 2,000 concurrent users on one node, Growth up to 5,000 with read
//! replicas, PgBouncer and Redis Sentinel, Scale up to 15,000 with sharding, Redis Cluster and
//! Kubernetes autoscaling. Their figures are examples, not laws; the ladder is data and editable.

use serde::{Deserialize, Serialize};

use crate::error::{Reason, ValidationError, check_range};
use crate::units::{Status, Utilisation};

/// A warning / critical pair of thresholds, in percent of a capacity.
///
/// Invariant (checked by [`Band::new`]): `0 < warning < critical <= 100`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawBand")]
pub struct Band {
    warning: f64,
    critical: f64,
}

/// The unchecked wire shape of a [`Band`]; deserialising goes through [`Band::new`].
#[derive(Deserialize)]
struct RawBand {
    warning: f64,
    critical: f64,
}

impl TryFrom<RawBand> for Band {
    type Error = ValidationError;
    fn try_from(raw: RawBand) -> Result<Self, Self::Error> {
        Band::new("thresholds", raw.warning, raw.critical)
    }
}

impl Band {
    pub fn new(field: &str, warning: f64, critical: f64) -> Result<Self, ValidationError> {
        let warning = check_range(&format!("{field}.warning"), warning, 1.0, 100.0)?;
        let critical = check_range(&format!("{field}.critical"), critical, 1.0, 100.0)?;
        if warning >= critical {
            return Err(ValidationError::new(field, Reason::WarningNotBelowCritical));
        }
        Ok(Band { warning, critical })
    }

    /// Known-good constants for the built-in ladder.
    const fn known(warning: f64, critical: f64) -> Self {
        Band { warning, critical }
    }

    pub fn warning(&self) -> f64 {
        self.warning
    }

    pub fn critical(&self) -> f64 {
        self.critical
    }

    /// Classifies a utilisation: below warning → optimal, below critical → warning, else critical.
    pub fn classify(&self, u: Utilisation) -> Status {
        let pct = u.percent();
        if pct >= self.critical {
            Status::Critical
        } else if pct >= self.warning {
            Status::Warning
        } else {
            Status::Optimal
        }
    }
}

/// The alert thresholds of a phase. The seeds tighten them as the platform matures less than one
/// might expect: CPU warns at 60 % on one node (no autoscaling to absorb a spike) and at 70 % once
/// an autoscaler adds capacity within minutes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Concurrent users against the phase's capacity. The seeds' generic alert levels: warning at
    /// 60 %, critical at 80 %.
    pub capacity: Band,
    pub cpu: Band,
    pub memory: Band,
    /// Database connections in use against the pool / `max_connections`.
    pub connections: Band,
}

/// One rung of the ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    /// Stable identifier used in URLs, file names and env files (`launch`, `growth`…).
    pub key: String,
    /// Human name shown in the UI.
    pub name: String,
    /// Peak concurrent users the phase is designed for.
    pub max_users: u32,
    /// Database connections the application may open (pool size or `max_connections`).
    pub db_connections: u32,
    /// Redis memory budget, MiB.
    pub redis_memory_mib: u32,
    /// Concurrent WebSocket connections the phase accepts.
    pub websocket_connections: u32,
    /// nginx `worker_connections` per worker.
    pub nginx_worker_connections: u32,
    /// nginx `worker_processes`.
    pub nginx_worker_processes: u32,
    pub thresholds: Thresholds,
}

impl Phase {
    /// Concurrent users at which the phase reaches its critical capacity threshold: at or above
    /// this, the next phase must already be running.
    pub fn critical_users(&self) -> f64 {
        f64::from(self.max_users) * self.thresholds.capacity.critical() / 100.0
    }
}

/// An ordered list of phases with strictly increasing capacity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseLadder {
    phases: Vec<Phase>,
}

impl PhaseLadder {
    /// Builds a ladder, refusing an empty one or one whose capacities do not strictly increase
    /// (then "the smallest phase that fits" would be ambiguous).
    pub fn new(phases: Vec<Phase>) -> Result<Self, ValidationError> {
        if phases.is_empty() {
            return Err(ValidationError::new("phases", Reason::Empty));
        }
        for (i, pair) in phases.windows(2).enumerate() {
            if pair[1].max_users <= pair[0].max_users {
                return Err(ValidationError::new(
                    format!("phases[{}].max_users", i + 1),
                    Reason::NotIncreasing {
                        previous: f64::from(pair[0].max_users),
                    },
                ));
            }
        }
        for (i, p) in phases.iter().enumerate() {
            if p.max_users == 0 {
                return Err(ValidationError::new(
                    format!("phases[{i}].max_users"),
                    Reason::OutOfRange {
                        min: 1.0,
                        max: f64::from(u32::MAX),
                    },
                ));
            }
        }
        Ok(PhaseLadder { phases })
    }

    /// The seeds' ladder: Launch (≤ 2,000), Growth (≤ 5,000), Scale (≤ 15,000).
    ///
    /// Figures from the ride-hailing seed's phase table: DB connections 20 / 100 / 200, Redis
    /// 256 MiB / 2 GiB / 8 GiB, WebSocket 500 / 2,000 / 10,000, nginx worker connections
    /// 1,024 / 2,048 / 4,096. Thresholds: CPU warns at 60 % (Launch) then 70 %, memory at
    /// 70 / 75 / 80 %, DB connections at 80 / 85 / 85 %; each critical level sits 15–20 points
    /// above, capped below 100 %.
    pub fn seed() -> Self {
        let capacity = Band::known(60.0, 80.0);
        let phase = |key: &str,
                     name: &str,
                     max_users,
                     db_connections,
                     redis_memory_mib,
                     websocket_connections,
                     nginx_worker_connections,
                     nginx_worker_processes,
                     thresholds| Phase {
            key: key.to_owned(),
            name: name.to_owned(),
            max_users,
            db_connections,
            redis_memory_mib,
            websocket_connections,
            nginx_worker_connections,
            nginx_worker_processes,
            thresholds,
        };
        PhaseLadder {
            phases: vec![
                phase(
                    "launch",
                    "Launch",
                    2_000,
                    20,
                    256,
                    500,
                    1_024,
                    2,
                    Thresholds {
                        capacity,
                        cpu: Band::known(60.0, 80.0),
                        memory: Band::known(70.0, 85.0),
                        connections: Band::known(80.0, 95.0),
                    },
                ),
                phase(
                    "growth",
                    "Growth",
                    5_000,
                    100,
                    2_048,
                    2_000,
                    2_048,
                    4,
                    Thresholds {
                        capacity,
                        cpu: Band::known(70.0, 85.0),
                        memory: Band::known(75.0, 90.0),
                        connections: Band::known(85.0, 95.0),
                    },
                ),
                phase(
                    "scale",
                    "Scale",
                    15_000,
                    200,
                    8_192,
                    10_000,
                    4_096,
                    8,
                    Thresholds {
                        capacity,
                        cpu: Band::known(70.0, 85.0),
                        memory: Band::known(80.0, 90.0),
                        connections: Band::known(85.0, 95.0),
                    },
                ),
            ],
        }
    }

    pub fn phases(&self) -> &[Phase] {
        &self.phases
    }

    /// Finds a phase by key.
    pub fn get(&self, key: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.key == key)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn seed_ladder_is_valid_and_ordered() {
        let seed = PhaseLadder::seed();
        let rebuilt = PhaseLadder::new(seed.phases().to_vec()).unwrap();
        assert_eq!(rebuilt, seed);
        let keys: Vec<_> = seed.phases().iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["launch", "growth", "scale"]);
        let caps: Vec<_> = seed.phases().iter().map(|p| p.max_users).collect();
        assert_eq!(caps, [2_000, 5_000, 15_000]);
    }

    #[test]
    fn ladder_refuses_empty_and_out_of_order() {
        assert_eq!(PhaseLadder::new(vec![]).unwrap_err().field, "phases");
        let mut phases = PhaseLadder::seed().phases().to_vec();
        phases.swap(1, 2);
        let err = PhaseLadder::new(phases).unwrap_err();
        assert_eq!(err.field, "phases[2].max_users");
        assert!(matches!(err.reason, Reason::NotIncreasing { previous } if previous == 15_000.0));
    }

    #[test]
    fn band_classifies_at_its_edges() {
        let band = Band::new("t", 60.0, 80.0).unwrap();
        let status = |pct: f64| band.classify(Utilisation::of(pct, 100.0));
        assert_eq!(status(0.0), Status::Optimal);
        assert_eq!(status(59.9), Status::Optimal);
        assert_eq!(status(60.0), Status::Warning);
        assert_eq!(status(79.9), Status::Warning);
        assert_eq!(status(80.0), Status::Critical);
        assert_eq!(status(250.0), Status::Critical);
    }

    #[test]
    fn band_refuses_inverted_or_out_of_range() {
        assert_eq!(
            Band::new("t", 80.0, 60.0).unwrap_err().reason,
            Reason::WarningNotBelowCritical
        );
        assert_eq!(Band::new("t", 60.0, 120.0).unwrap_err().field, "t.critical");
        assert_eq!(
            Band::new("t", f64::NAN, 80.0).unwrap_err().field,
            "t.warning"
        );
    }
}
