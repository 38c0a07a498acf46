//! Redis settings per the phase's cache mode: one node, a primary watched by three Sentinels, or
//! a cluster. `maxmemory` is the phase's per-node memory and the eviction policy suits a cache
//! (least recently used keys go first). The password is set at start-up from `REDIS_PASSWORD`
//! (`--requirepass`), never written here.

use crate::tiers::CacheMode;

use super::BundleSpec;
use super::escape::{ini, redis};

pub fn redis_conf(spec: &BundleSpec) -> String {
    let c = &spec.phase.cache;
    let mode = match c.mode {
        CacheMode::Standard => "one node",
        CacheMode::Sentinel => "primary + 2 replicas under Sentinel",
        CacheMode::Cluster => "cluster",
    };
    let mut out = format!(
        "# Redis for {name} ({mode}), {mem} MiB per node.\n\
         # Start with: redis-server redis.conf --requirepass \"$REDIS_PASSWORD\"\n\
         bind 0.0.0.0\n\
         protected-mode yes\n\
         port 6379\n\
         tcp-keepalive 60\n\
         timeout 0\n\
         maxclients {clients}\n\
         maxmemory {mem}mb\n\
         maxmemory-policy allkeys-lru\n\
         maxmemory-samples 10\n\
         # A cache: no snapshots, no append-only file.\n\
         save \"\"\n\
         appendonly no\n\
         lazyfree-lazy-eviction yes\n\
         latency-monitor-threshold 100\n",
        name = ini::comment(&spec.name()),
        mem = c.memory_mib,
        clients = spec.redis_max_clients(),
    );
    match c.mode {
        CacheMode::Standard => {}
        CacheMode::Sentinel => out.push_str(
            "# Replicas follow the primary (set on the replicas only):\n\
             # replicaof redis-primary 6379\n\
             # masterauth is passed at start-up: --masterauth \"$REDIS_PASSWORD\"\n\
             replica-read-only yes\n",
        ),
        CacheMode::Cluster => out.push_str(&format!(
            "# {shards} primaries, one replica each: redis-cli --cluster create … --cluster-replicas 1\n\
             cluster-enabled yes\n\
             cluster-config-file nodes.conf\n\
             cluster-node-timeout 5000\n\
             cluster-require-full-coverage no\n",
            shards = c.shards
        )),
    }
    out
}

/// Sentinel: three of them watch the primary; two must agree before a failover.
pub fn sentinel_conf(spec: &BundleSpec) -> String {
    format!(
        "# Redis Sentinel for {name}: run three, one per node or zone.\n\
         # Start with: redis-server sentinel.conf --sentinel (the file must be writable).\n\
         port 26379\n\
         sentinel resolve-hostnames yes\n\
         sentinel announce-hostnames yes\n\
         sentinel monitor {master} redis-primary 6379 2\n\
         sentinel down-after-milliseconds {master} 5000\n\
         sentinel failover-timeout {master} 60000\n\
         sentinel parallel-syncs {master} 1\n\
         # sentinel auth-pass {name} <REDIS_PASSWORD>, added at deploy time\n",
        name = ini::comment(&spec.name()),
        master = redis::word(&spec.name()),
    )
}
