//! Redis: `INFO` (memory, clients, operations per second, keyspace hit rate).

use std::time::Duration;

use phaseplan_model::live::Metric;

use super::{Failure, SourceError, SourceUrl, redact};

#[derive(Debug)]
pub struct RedisSource {
    url: SourceUrl,
    client: redis::Client,
}

impl RedisSource {
    pub fn new(url: SourceUrl) -> Result<Self, String> {
        redis::Client::open(url.expose())
            .map(|client| RedisSource {
                url: url.clone(),
                client,
            })
            .map_err(|e| format!("bad Redis URL: {}", redact(&e.to_string(), url.expose())))
    }

    pub fn metrics() -> Vec<Metric> {
        vec![
            Metric::CacheMemoryBytes,
            Metric::CacheMaxMemoryBytes,
            Metric::CacheClients,
            Metric::CacheOpsPerSecond,
            Metric::CacheHitRatePercent,
        ]
    }

    pub async fn sample(&self, budget: Duration) -> Result<Vec<(Metric, f64)>, SourceError> {
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(budget)
            .set_response_timeout(budget);
        let mut conn = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .map_err(|e| self.classify(&e, budget))?;
        let info: String = redis::cmd("INFO")
            .query_async(&mut conn)
            .await
            .map_err(|e| self.classify(&e, budget))?;
        Ok(parse_info(&info))
    }

    fn classify(&self, e: &redis::RedisError, budget: Duration) -> SourceError {
        let failure = if e.is_timeout() {
            Failure::Timeout(budget)
        } else if e.kind() == redis::ErrorKind::AuthenticationFailed
            || e.code()
                .is_some_and(|c| c == "NOAUTH" || c == "WRONGPASS" || c == "NOPERM")
        {
            Failure::Refused
        } else if e.is_connection_refusal() || e.is_io_error() || e.is_connection_dropped() {
            Failure::Unreachable
        } else {
            Failure::BadAnswer
        };
        SourceError::new(failure, redact(&e.to_string(), self.url.expose()))
    }
}

/// The metrics in an `INFO` reply (`key:value` lines).
pub fn parse_info(info: &str) -> Vec<(Metric, f64)> {
    let field = |key: &str| -> Option<f64> {
        info.lines()
            .find_map(|l| l.trim_end().strip_prefix(key)?.strip_prefix(':'))
            .and_then(|v| v.parse().ok())
    };
    let mut out = Vec::new();
    for (key, metric) in [
        ("used_memory", Metric::CacheMemoryBytes),
        ("maxmemory", Metric::CacheMaxMemoryBytes),
        ("connected_clients", Metric::CacheClients),
        ("instantaneous_ops_per_sec", Metric::CacheOpsPerSecond),
    ] {
        if let Some(v) = field(key) {
            out.push((metric, v));
        }
    }
    if let (Some(h), Some(m)) = (field("keyspace_hits"), field("keyspace_misses"))
        && h + m > 0.0
    {
        out.push((Metric::CacheHitRatePercent, 100.0 * h / (h + m)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_fields_become_metrics() {
        let info = "# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nmaxmemory:536870912\r\n# Clients\r\nconnected_clients:7\r\n# Stats\r\ninstantaneous_ops_per_sec:120\r\nkeyspace_hits:90\r\nkeyspace_misses:10\r\n";
        let m: std::collections::BTreeMap<_, _> = parse_info(info).into_iter().collect();
        assert_eq!(m[&Metric::CacheMemoryBytes], 1_048_576.0);
        assert_eq!(m[&Metric::CacheMaxMemoryBytes], 536_870_912.0);
        assert_eq!(m[&Metric::CacheClients], 7.0);
        assert_eq!(m[&Metric::CacheOpsPerSecond], 120.0);
        assert!((m[&Metric::CacheHitRatePercent] - 90.0).abs() < 1e-9);
    }
}
