//! The phase ladder: the stages a platform climbs as it grows, each with the limits of its
//! components and the thresholds its alerts fire at.
//!
//! The default ladder comes from the user's seed documents (a ride-hailing platform's three-phase
//! plan): Launch serves up to 2,000 concurrent users on one node, Growth up to 5,000 with read
//! replicas, PgBouncer and Redis Sentinel, Scale up to 15,000 with sharding, Redis Cluster and
//! Kubernetes autoscaling. Their figures are examples, not laws; the ladder is data and editable.

use serde::{Deserialize, Serialize};

use crate::error::{Reason, ValidationError, check_range, check_text};
use crate::tiers::{AppTier, CacheMode, CacheTier, DatabaseTier, LoadBalancer, check_key};
use crate::units::{Status, Utilisation};

/// A warning / critical pair of thresholds, in percent of a capacity.
///
/// Invariant (checked by [`Band::new`]): `0 < warning < critical <= 100`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "RawBand")]
pub struct Band {
    warning: f64,
    critical: f64,
}

/// The unchecked wire shape of a [`Band`]; deserialising goes through [`Band::new`].
#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Thresholds {
    /// Concurrent users against the phase's capacity. The seeds' generic alert levels: warning at
    /// 60 %, critical at 80 %.
    pub capacity: Band,
    pub cpu: Band,
    pub memory: Band,
    /// Database connections in use against the pool / `max_connections`.
    pub connections: Band,
}

/// One rung of the ladder: what the platform runs while its peak stays in this phase's range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Stable identifier used in URLs, file names and env files (`launch`, `growth`…).
    pub key: String,
    /// Human name shown in the UI and written into the bundles: 1–60 characters, no control
    /// characters.
    pub name: String,
    /// Peak concurrent users the phase is designed for. What its components actually hold under
    /// a given workload is computed ([`crate::capacity::components`]); the smaller of the two
    /// is the phase's capacity.
    pub max_users: u32,
    pub app: AppTier,
    pub database: DatabaseTier,
    pub cache: CacheTier,
    /// Concurrent WebSocket connections the phase accepts.
    pub websocket_connections: u32,
    pub load_balancer: LoadBalancer,
    /// The app tier runs on Kubernetes (HPA between the app tier's min and max instances)
    /// instead of an auto-scaling group or a single node.
    pub kubernetes: bool,
    pub thresholds: Thresholds,
}

/// A value of the built-in ladder that is not the seed documents' figure, and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeedDeparture {
    /// The phase's key (`launch`).
    pub phase: &'static str,
    /// The field under the phase, as in its validation path (`cache.memory_mib`).
    pub field: &'static str,
    /// What the seeds say, as they say it.
    pub seed: &'static str,
    /// The value here.
    pub here: f64,
    /// How the value here reads, with its unit.
    pub here_text: &'static str,
    pub why: &'static str,
}

/// Every departure of [`PhaseLadder::seed`] from the seed documents.
pub const SEED_DEPARTURES: [SeedDeparture; 4] = [
    SeedDeparture {
        phase: "launch",
        field: "cache.memory_mib",
        seed: "256 MB",
        here: 512.0,
        here_text: "512 MiB",
        why: "at the e-commerce and file-SaaS presets' 0.2 MiB per user, 256 MiB reaches its 85 % \
              critical line at about 1,090 users, below Launch's 2,000; 512 MiB holds 2,176",
    },
    SeedDeparture {
        phase: "launch",
        field: "load_balancer.nginx_worker_connections",
        seed: "1,024",
        here: 2_048.0,
        here_text: "2,048",
        why: "each proxied client takes two of a worker's connections (its own and the \
              upstream's): 2 workers × 1,024 / 2 hold 1,024 clients, below Launch's 2,000; \
              2,048 hold 2,048",
    },
    SeedDeparture {
        phase: "growth",
        field: "load_balancer.nginx_worker_connections",
        seed: "2,048",
        here: 4_096.0,
        here_text: "4,096",
        why: "4 workers × 2,048 / 2 hold 4,096 clients, below Growth's 5,000; 4,096 hold 8,192",
    },
    SeedDeparture {
        phase: "scale",
        field: "cache.memory_mib",
        seed: "8 GB+ per node (one seed) or 64 GB+ in all (the other's table)",
        here: 8_192.0,
        here_text: "8 GiB per node × 3 shards = 24 GiB",
        why: "15,000 users at 0.2 MiB each need 3,000 MiB: three 8-GiB shards hold that with room \
              for hot objects, and more shards can be added when the live readings ask for them",
    },
];

/// More rungs than any real plan has; keeps the per-phase work bounded.
const MAX_PHASES: usize = 12;
/// Phase names head tables and chart legends.
const MAX_PHASE_NAME: usize = 60;

impl Phase {
    fn validate(&self, f: &str) -> Result<(), ValidationError> {
        check_key(&format!("{f}.key"), &self.key)?;
        check_text(&format!("{f}.name"), &self.name, true, MAX_PHASE_NAME)?;
        check_range(
            &format!("{f}.max_users"),
            f64::from(self.max_users),
            1.0,
            crate::units::Users::MAX,
        )?;
        self.app.validate(&format!("{f}.app"))?;
        self.database.validate(&format!("{f}.database"))?;
        self.cache.validate(&format!("{f}.cache"))?;
        check_range(
            &format!("{f}.websocket_connections"),
            f64::from(self.websocket_connections),
            0.0,
            crate::units::Users::MAX,
        )?;
        self.load_balancer.validate(&format!("{f}.load_balancer"))?;
        Ok(())
    }

    /// Concurrent users at which the phase reaches its critical capacity threshold: at or above
    /// this, the next phase must already be running.
    pub fn critical_users(&self) -> f64 {
        f64::from(self.max_users) * self.thresholds.capacity.critical() / 100.0
    }
}

/// An ordered list of phases with strictly increasing capacity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
        if phases.len() > MAX_PHASES {
            return Err(ValidationError::new(
                "phases",
                Reason::TooMany {
                    max: MAX_PHASES,
                    what: "phases",
                },
            ));
        }
        let mut keys = std::collections::BTreeSet::new();
        for (i, p) in phases.iter().enumerate() {
            p.validate(&format!("phases[{i}]"))?;
            if !keys.insert(p.key.as_str()) {
                return Err(ValidationError::new(
                    format!("phases[{i}].key"),
                    Reason::Duplicate(p.key.clone()),
                ));
            }
        }
        Ok(PhaseLadder { phases })
    }

    /// The seeds' ladder: Launch (≤ 2,000), Growth (≤ 5,000), Scale (≤ 15,000) and Enterprise
    /// (≤ 50,000, the seeds' "Phase 4: Global Enterprise").
    ///
    /// From the ride-hailing seed's phase table: DB connections 20 / 100 (PgBouncer) / 200+,
    /// Redis standard → Sentinel → Cluster, WebSockets 500 / 2,000 / 10,000, read replicas from
    /// Growth, sharding and Kubernetes HPA from Scale, automated failover (HA) from Growth.
    /// Thresholds: CPU warns at 60 % on one node then 70 % with an autoscaler, memory at
    /// 70–80 %, connections at 80–85 %; each critical level 15–20 points above. Instance sizes
    /// follow the seeds' AWS progression (t3.medium → m5.xlarge → m5.2xlarge); the Enterprise
    /// figures extrapolate the same steps (assumed).
    ///
    /// Where this ladder departs from the seeds' figures — Redis memory at Launch and Scale,
    /// nginx worker connections at Launch and Growth — [`SEED_DEPARTURES`] says by how much and
    /// why, and the Scenario page shows it next to the field; a test keeps that list equal to
    /// the values here.
    pub fn seed() -> Self {
        let capacity = Band::known(60.0, 80.0);
        let app = |vcpu, memory_gib, min_instances, max_instances| AppTier {
            vcpu,
            memory_gib,
            min_instances,
            max_instances,
        };
        let lb = |managed, nginx_worker_processes, nginx_worker_connections, sticky_sessions| {
            LoadBalancer {
                managed,
                nginx_worker_processes,
                nginx_worker_connections,
                sticky_sessions,
            }
        };
        let scaled = Thresholds {
            capacity,
            cpu: Band::known(70.0, 85.0),
            memory: Band::known(75.0, 90.0),
            connections: Band::known(85.0, 95.0),
        };
        PhaseLadder {
            phases: vec![
                Phase {
                    key: "launch".to_owned(),
                    name: "Launch".to_owned(),
                    max_users: 2_000,
                    app: app(2, 4.0, 1, 3),
                    database: DatabaseTier {
                        vcpu: 2,
                        memory_gib: 2.0,
                        storage_gb: 20,
                        max_connections: 100,
                        pool_size: 20,
                        pgbouncer: false,
                        read_replicas: 0,
                        shards: 1,
                        high_availability: false,
                    },
                    cache: CacheTier {
                        mode: CacheMode::Standard,
                        memory_mib: 512,
                        shards: 1,
                    },
                    websocket_connections: 500,
                    load_balancer: lb(false, 2, 2_048, false),
                    kubernetes: false,
                    thresholds: Thresholds {
                        capacity,
                        cpu: Band::known(60.0, 80.0),
                        memory: Band::known(70.0, 85.0),
                        connections: Band::known(80.0, 95.0),
                    },
                },
                Phase {
                    key: "growth".to_owned(),
                    name: "Growth".to_owned(),
                    max_users: 5_000,
                    app: app(4, 16.0, 2, 5),
                    database: DatabaseTier {
                        vcpu: 2,
                        memory_gib: 4.0,
                        storage_gb: 50,
                        max_connections: 200,
                        pool_size: 100,
                        pgbouncer: true,
                        read_replicas: 1,
                        shards: 1,
                        high_availability: true,
                    },
                    cache: CacheTier {
                        mode: CacheMode::Sentinel,
                        memory_mib: 2_048,
                        shards: 1,
                    },
                    websocket_connections: 2_000,
                    load_balancer: lb(true, 4, 4_096, true),
                    kubernetes: false,
                    thresholds: scaled,
                },
                Phase {
                    key: "scale".to_owned(),
                    name: "Scale".to_owned(),
                    max_users: 15_000,
                    app: app(8, 32.0, 3, 10),
                    database: DatabaseTier {
                        vcpu: 2,
                        memory_gib: 16.0,
                        storage_gb: 200,
                        max_connections: 400,
                        pool_size: 200,
                        pgbouncer: true,
                        read_replicas: 2,
                        shards: 2,
                        high_availability: true,
                    },
                    cache: CacheTier {
                        mode: CacheMode::Cluster,
                        memory_mib: 8_192,
                        shards: 3,
                    },
                    websocket_connections: 10_000,
                    load_balancer: lb(true, 8, 4_096, true),
                    kubernetes: true,
                    thresholds: Thresholds {
                        memory: Band::known(80.0, 90.0),
                        ..scaled
                    },
                },
                Phase {
                    key: "enterprise".to_owned(),
                    name: "Enterprise".to_owned(),
                    max_users: 50_000,
                    app: app(16, 64.0, 6, 20),
                    database: DatabaseTier {
                        vcpu: 16,
                        memory_gib: 64.0,
                        storage_gb: 500,
                        max_connections: 800,
                        pool_size: 400,
                        pgbouncer: true,
                        read_replicas: 3,
                        shards: 4,
                        high_availability: true,
                    },
                    cache: CacheTier {
                        mode: CacheMode::Cluster,
                        memory_mib: 16_384,
                        shards: 6,
                    },
                    websocket_connections: 50_000,
                    load_balancer: lb(true, 16, 8_192, true),
                    kubernetes: true,
                    thresholds: Thresholds {
                        memory: Band::known(80.0, 90.0),
                        ..scaled
                    },
                },
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
    fn the_seed_departures_are_the_ladder_s_values() {
        let ladder = serde_json::to_value(PhaseLadder::seed().phases()).unwrap();
        for d in SEED_DEPARTURES {
            let phase = ladder
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["key"] == d.phase)
                .unwrap_or_else(|| panic!("no phase {}", d.phase));
            let value = d
                .field
                .split('.')
                .fold(phase, |v, key| &v[key])
                .as_f64()
                .unwrap_or_else(|| panic!("{}.{} is not a number", d.phase, d.field));
            assert_eq!(value, d.here, "{}.{}", d.phase, d.field);
        }
    }

    #[test]
    fn seed_ladder_is_valid_and_ordered() {
        let seed = PhaseLadder::seed();
        let rebuilt = PhaseLadder::new(seed.phases().to_vec()).unwrap();
        assert_eq!(rebuilt, seed);
        let keys: Vec<_> = seed.phases().iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["launch", "growth", "scale", "enterprise"]);
        let caps: Vec<_> = seed.phases().iter().map(|p| p.max_users).collect();
        assert_eq!(caps, [2_000, 5_000, 15_000, 50_000]);
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
    fn ladder_refuses_bad_components_and_duplicate_keys() {
        let mut phases = PhaseLadder::seed().phases().to_vec();
        phases[1].database.pool_size = 1_000;
        let err = PhaseLadder::new(phases).unwrap_err();
        assert_eq!(err.field, "phases[1].database.pool_size");
        let mut phases = PhaseLadder::seed().phases().to_vec();
        phases[2].key = "launch".to_owned();
        let err = PhaseLadder::new(phases).unwrap_err();
        assert_eq!(err.field, "phases[2].key");
        assert_eq!(err.reason, Reason::Duplicate("launch".to_owned()));
        let mut phases = PhaseLadder::seed().phases().to_vec();
        phases[0].app.memory_gib = f64::NAN;
        assert_eq!(
            PhaseLadder::new(phases).unwrap_err().field,
            "phases[0].app.memory_gib"
        );
    }

    #[test]
    fn phase_names_are_one_line_and_bounded() {
        let field_and_reason = |name: &str| {
            let mut phases = PhaseLadder::seed().phases().to_vec();
            phases[2].name = name.to_owned();
            PhaseLadder::new(phases).map_err(|e| (e.field, e.reason))
        };
        assert!(field_and_reason("Scale — 15k ${x} {{y}} | # <b>").is_ok());
        assert_eq!(
            field_and_reason("Scale\r\n"),
            Err((
                "phases[2].name".to_owned(),
                Reason::ControlCharacter {
                    found: '\r',
                    position: 6
                }
            ))
        );
        assert_eq!(
            field_and_reason(" "),
            Err(("phases[2].name".to_owned(), Reason::Empty))
        );
        assert_eq!(
            field_and_reason(&"x".repeat(61)),
            Err(("phases[2].name".to_owned(), Reason::TooLong { max: 60 }))
        );
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
