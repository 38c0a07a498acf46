//! What a phase runs: its app tier, database, cache, WebSocket capacity, load balancer and whether
//! it is on Kubernetes. Sizes are provider-neutral (vCPUs and GiB); the cost model picks each
//! provider's cheapest SKU that meets them ([`crate::cost::bom`]), and the capacity model turns
//! them into concurrent users ([`crate::capacity::components`]).
//!
//! *Tiers*, not components: a **component** is one part of the stack as the models see it (the
//! capacity of each in [`crate::capacity::components`], its cost line in
//! [`crate::cost::bom::CostComponent`], its live reading in [`crate::live::LiveComponent`]); this
//! module is the *settings* a phase gives each tier, which the scenario carries.

use serde::{Deserialize, Serialize};

use crate::error::{Reason, ValidationError, check_range};

/// The stateless application tier, scaled horizontally between `min_instances` and
/// `max_instances` (an auto-scaling group or a Kubernetes HPA).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AppTier {
    /// vCPUs per instance.
    pub vcpu: u32,
    /// Memory per instance, GiB.
    pub memory_gib: f64,
    pub min_instances: u32,
    pub max_instances: u32,
}

/// PostgreSQL: a primary per shard, optional read replicas and a hot standby, optional PgBouncer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DatabaseTier {
    /// vCPUs per database node.
    pub vcpu: u32,
    /// Memory per database node, GiB.
    pub memory_gib: f64,
    /// Storage per node, GB.
    pub storage_gb: u32,
    /// PostgreSQL `max_connections` per node.
    pub max_connections: u32,
    /// Server connections the application (or PgBouncer) keeps open to each node: the seeds' "DB
    /// connections" (20 at Launch, 100 with PgBouncer at Growth). At most `max_connections`.
    pub pool_size: u32,
    /// PgBouncer in transaction mode in front of each node, so many app processes share
    /// `pool_size` server connections.
    pub pgbouncer: bool,
    /// Read replicas per shard; reads are spread over them, writes go to the primary.
    pub read_replicas: u32,
    /// Horizontal partitions, each with its own primary (and replicas).
    pub shards: u32,
    /// A synchronous hot standby per primary with automatic failover (Multi-AZ, HA plans).
    pub high_availability: bool,
}

impl DatabaseTier {
    /// Database nodes bought: per shard a primary, its replicas and (with HA) a standby.
    pub fn nodes(&self) -> u32 {
        self.shards * (1 + self.read_replicas + u32::from(self.high_availability))
    }
}

/// How Redis is deployed, as the seeds progress: one node, then Sentinel for failover, then
/// Cluster for memory beyond one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CacheMode {
    /// One node, no failover.
    Standard,
    /// A primary with two replicas and three Sentinels: failover, no extra memory.
    Sentinel,
    /// `shards` primaries with one replica each: memory adds up across shards.
    Cluster,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CacheTier {
    pub mode: CacheMode,
    /// Memory per node (per shard in cluster mode), MiB: Redis `maxmemory`.
    pub memory_mib: u32,
    /// Cluster shards (primaries); 1 for standard and sentinel, at least 3 for a cluster.
    pub shards: u32,
}

impl CacheMode {
    /// The wire name, as serde writes it: what a bill's notes name the mode by (a unit test holds
    /// the two together, so renaming a variant cannot change one without the other).
    pub fn key(self) -> &'static str {
        match self {
            CacheMode::Standard => "standard",
            CacheMode::Sentinel => "sentinel",
            CacheMode::Cluster => "cluster",
        }
    }

    /// For people: the advice's upgrade steps.
    pub fn label(self) -> &'static str {
        match self {
            CacheMode::Standard => "Standard",
            CacheMode::Sentinel => "Sentinel",
            CacheMode::Cluster => "Cluster",
        }
    }
}

impl CacheTier {
    /// Memory the data set can use, MiB: replicas hold copies, so only shards add up.
    pub fn usable_mib(&self) -> f64 {
        f64::from(self.memory_mib) * f64::from(self.shards)
    }

    /// Redis nodes bought: one; a primary and two replicas under Sentinel; a primary and a
    /// replica per cluster shard.
    pub fn nodes(&self) -> u32 {
        match self.mode {
            CacheMode::Standard => 1,
            CacheMode::Sentinel => 3,
            CacheMode::Cluster => self.shards * 2,
        }
    }
}

/// The reverse proxy (nginx) and, optionally, the provider's managed load balancer in front.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    /// A provider load balancer in front of the app instances (priced; self-hosted on a small VM
    /// where the provider has none).
    pub managed: bool,
    /// nginx `worker_processes`.
    pub nginx_worker_processes: u32,
    /// nginx `worker_connections` per worker.
    pub nginx_worker_connections: u32,
    /// Pin a client to one upstream (`ip_hash`): needed while WebSocket state is per instance.
    pub sticky_sessions: bool,
}

/// Bounds far beyond a real deployment; they keep counts and prices finite.
const MAX_VCPU: f64 = 1_024.0;
const MAX_MEMORY_GIB: f64 = 65_536.0;
const MAX_INSTANCES: f64 = 10_000.0;

impl AppTier {
    pub(crate) fn validate(&self, f: &str) -> Result<(), ValidationError> {
        check_range(&format!("{f}.vcpu"), f64::from(self.vcpu), 1.0, MAX_VCPU)?;
        check_range(
            &format!("{f}.memory_gib"),
            self.memory_gib,
            0.25,
            MAX_MEMORY_GIB,
        )?;
        check_range(
            &format!("{f}.min_instances"),
            f64::from(self.min_instances),
            1.0,
            MAX_INSTANCES,
        )?;
        check_range(
            &format!("{f}.max_instances"),
            f64::from(self.max_instances),
            f64::from(self.min_instances),
            MAX_INSTANCES,
        )?;
        Ok(())
    }
}

impl DatabaseTier {
    pub(crate) fn validate(&self, f: &str) -> Result<(), ValidationError> {
        check_range(&format!("{f}.vcpu"), f64::from(self.vcpu), 1.0, MAX_VCPU)?;
        check_range(
            &format!("{f}.memory_gib"),
            self.memory_gib,
            0.25,
            MAX_MEMORY_GIB,
        )?;
        check_range(
            &format!("{f}.storage_gb"),
            f64::from(self.storage_gb),
            1.0,
            1_000_000.0,
        )?;
        check_range(
            &format!("{f}.max_connections"),
            f64::from(self.max_connections),
            1.0,
            100_000.0,
        )?;
        check_range(
            &format!("{f}.pool_size"),
            f64::from(self.pool_size),
            1.0,
            f64::from(self.max_connections),
        )?;
        check_range(
            &format!("{f}.read_replicas"),
            f64::from(self.read_replicas),
            0.0,
            15.0,
        )?;
        check_range(&format!("{f}.shards"), f64::from(self.shards), 1.0, 256.0)?;
        Ok(())
    }
}

impl CacheTier {
    pub(crate) fn validate(&self, f: &str) -> Result<(), ValidationError> {
        check_range(
            &format!("{f}.memory_mib"),
            f64::from(self.memory_mib),
            16.0,
            MAX_MEMORY_GIB * 1_024.0,
        )?;
        let shards = f64::from(self.shards);
        match self.mode {
            // Redis Cluster needs at least three primaries to reach a failover majority.
            CacheMode::Cluster => check_range(&format!("{f}.shards"), shards, 3.0, 1_000.0)?,
            CacheMode::Standard | CacheMode::Sentinel => {
                check_range(&format!("{f}.shards"), shards, 1.0, 1.0)?
            }
        };
        Ok(())
    }
}

impl LoadBalancer {
    pub(crate) fn validate(&self, f: &str) -> Result<(), ValidationError> {
        check_range(
            &format!("{f}.nginx_worker_processes"),
            f64::from(self.nginx_worker_processes),
            1.0,
            1_024.0,
        )?;
        check_range(
            &format!("{f}.nginx_worker_connections"),
            f64::from(self.nginx_worker_connections),
            16.0,
            1_048_576.0,
        )?;
        Ok(())
    }

    /// Concurrent client connections nginx can hold: every proxied connection uses two of a
    /// worker's `worker_connections` (the client's and the upstream's), so
    /// `processes × connections / 2`.
    pub fn client_connections(&self) -> f64 {
        f64::from(self.nginx_worker_processes) * f64::from(self.nginx_worker_connections) / 2.0
    }
}

/// A phase key: lowercase letters, digits and dashes, 1–32 characters (it ends up in URLs, file
/// names and Terraform identifiers).
pub(crate) fn check_key(field: &str, key: &str) -> Result<(), ValidationError> {
    let ok = !key.is_empty()
        && key.len() <= 32
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !key.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(field, Reason::BadKey))
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn a_cache_modes_key_is_its_wire_name() {
        for mode in [CacheMode::Standard, CacheMode::Sentinel, CacheMode::Cluster] {
            assert_eq!(
                serde_json::to_string(&mode).unwrap(),
                format!("\"{}\"", mode.key())
            );
            assert_eq!(mode.label().to_lowercase(), mode.key());
        }
    }

    #[test]
    fn node_counts_follow_the_topology() {
        let db = DatabaseTier {
            vcpu: 2,
            memory_gib: 8.0,
            storage_gb: 100,
            max_connections: 200,
            pool_size: 100,
            pgbouncer: true,
            read_replicas: 2,
            shards: 3,
            high_availability: true,
        };
        assert_eq!(db.nodes(), 12); // 3 × (primary + 2 replicas + standby)
        let cache = |mode, shards| CacheTier {
            mode,
            memory_mib: 1_024,
            shards,
        };
        assert_eq!(cache(CacheMode::Standard, 1).nodes(), 1);
        assert_eq!(cache(CacheMode::Sentinel, 1).nodes(), 3);
        assert_eq!(cache(CacheMode::Cluster, 3).nodes(), 6);
        assert_eq!(cache(CacheMode::Cluster, 3).usable_mib(), 3_072.0);
        assert_eq!(cache(CacheMode::Sentinel, 1).usable_mib(), 1_024.0);
    }

    #[test]
    fn validation_names_the_field() {
        let app = AppTier {
            vcpu: 2,
            memory_gib: 4.0,
            min_instances: 3,
            max_instances: 2,
        };
        assert_eq!(app.validate("a").unwrap_err().field, "a.max_instances");
        let cache = CacheTier {
            mode: CacheMode::Cluster,
            memory_mib: 1_024,
            shards: 2,
        };
        assert_eq!(cache.validate("c").unwrap_err().field, "c.shards");
        assert!(check_key("k", "growth-2").is_ok());
        assert!(check_key("k", "Growth").is_err());
        assert!(check_key("k", "").is_err());
        assert!(check_key("k", "../etc").is_err());
    }
}
