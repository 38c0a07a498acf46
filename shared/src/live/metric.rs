//! What live sources measure: the metrics, a reading of each, and their histories.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
    /// Mean duration of a request, seconds (the app's latency histogram: its sum over its count).
    RequestDurationSeconds,
    /// Database queries (statements) executed per second.
    DbQueriesPerSecond,
    /// Mean time a database query takes, seconds.
    DbQuerySeconds,
}

impl Metric {
    pub const ALL: [Metric; 18] = [
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
        Metric::RequestDurationSeconds,
        Metric::DbQueriesPerSecond,
        Metric::DbQuerySeconds,
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
            Metric::RequestDurationSeconds => "request_duration_seconds",
            Metric::DbQueriesPerSecond => "db_queries_per_second",
            Metric::DbQuerySeconds => "db_query_seconds",
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
