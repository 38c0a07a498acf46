//! Prometheus: one PromQL instant query per mapped metric against the HTTP API
//! (`/api/v1/query`). The defaults read node_exporter, postgres_exporter and redis_exporter;
//! the configuration can map any metric to any query. At start the same queries over a range
//! (`/api/v1/query_range`) fill the history window, so a new or restarted replica forecasts from
//! what Prometheus already holds instead of from nothing.

use std::collections::BTreeMap;

use phaseplan_model::live::Metric;
use serde::Deserialize;

#[derive(Debug)]
pub struct PrometheusSource {
    base: String,
    queries: BTreeMap<Metric, String>,
    client: reqwest::Client,
}

/// Default queries: node_exporter for CPU and memory, postgres_exporter for connections,
/// redis_exporter for the cache; the app's own gauges for users and WebSockets.
pub fn default_queries() -> BTreeMap<Metric, String> {
    [
        (
            Metric::CpuPercent,
            "100 * (1 - avg(rate(node_cpu_seconds_total{mode=\"idle\"}[1m])))",
        ),
        (
            Metric::MemoryPercent,
            "100 * (1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes))",
        ),
        (Metric::Load1, "avg(node_load1)"),
        (Metric::DbConnections, "sum(pg_stat_activity_count)"),
        (Metric::DbMaxConnections, "max(pg_settings_max_connections)"),
        (Metric::CacheMemoryBytes, "sum(redis_memory_used_bytes)"),
        (Metric::CacheMaxMemoryBytes, "sum(redis_memory_max_bytes)"),
        (Metric::CacheClients, "sum(redis_connected_clients)"),
        (Metric::ConcurrentUsers, "sum(app_concurrent_users)"),
        (
            Metric::WebsocketConnections,
            "sum(app_websocket_connections)",
        ),
        (
            Metric::RequestsPerSecond,
            "sum(rate(http_requests_total[1m]))",
        ),
    ]
    .into_iter()
    .map(|(m, q)| (m, q.to_owned()))
    .collect()
}

/// Prometheus's answer envelope; `T` is one series of the result (a vector sample or a
/// matrix series).
#[derive(Deserialize)]
struct Answer<T> {
    status: String,
    #[serde(default = "Option::default")]
    data: Option<Data<T>>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data<T> {
    result: Vec<T>,
}

#[derive(Deserialize)]
struct Sample {
    /// `[unix seconds, "value"]`.
    value: (f64, String),
}

#[derive(Deserialize)]
struct RangeSeries {
    /// `[[unix seconds, "value"], …]`.
    values: Vec<(f64, String)>,
}

/// Prometheus refuses a range of more than 11,000 points per series; stay under it.
const MAX_RANGE_POINTS: f64 = 10_000.0;

impl PrometheusSource {
    pub fn new(
        url: &str,
        queries: BTreeMap<Metric, String>,
        ca_file: Option<&std::path::Path>,
    ) -> Result<Self, String> {
        let base = url.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!(
                "bad Prometheus URL {url:?}: expected http://host:port or https://host:port"
            ));
        }
        let mut builder = reqwest::Client::builder().timeout(std::time::Duration::from_secs(4));
        if let Some(path) = ca_file {
            for cert in super::tls::ca_certificates(path)? {
                builder = builder.add_root_certificate(
                    reqwest::Certificate::from_der(&cert)
                        .map_err(|e| format!("ca_file {}: {e}", path.display()))?,
                );
            }
        }
        let client = builder.build().map_err(|e| e.to_string())?;
        Ok(PrometheusSource {
            base,
            queries,
            client,
        })
    }

    pub fn metrics(&self) -> Vec<Metric> {
        self.queries.keys().copied().collect()
    }

    /// Sends one query of `metric` and returns the first series of its result, if any; an
    /// unreachable server, an unreadable answer or a refused query is an error naming why.
    async fn first_series<T: serde::de::DeserializeOwned>(
        metric: Metric,
        request: reqwest::RequestBuilder,
    ) -> Result<Option<T>, String> {
        let body: Answer<T> = request
            .send()
            .await
            .map_err(|e| format!("cannot reach Prometheus: {e}"))?
            .json()
            .await
            .map_err(|e| format!("{}: unexpected answer: {e}", metric.key()))?;
        if body.status != "success" {
            return Err(format!(
                "{}: {}",
                metric.key(),
                body.error.unwrap_or_else(|| body.status.clone())
            ));
        }
        Ok(body.data.and_then(|d| d.result.into_iter().next()))
    }

    /// Every query over `[start, end]` (unix seconds) at `step` seconds or coarser (so that no
    /// series exceeds Prometheus's point limit). A query with no data is left out; the first
    /// error ends the backfill with it.
    pub async fn backfill(
        &self,
        start: f64,
        end: f64,
        step: f64,
    ) -> Result<Vec<(Metric, Vec<(f64, f64)>)>, String> {
        let step = step.max((end - start) / MAX_RANGE_POINTS).max(0.001);
        let mut out = Vec::new();
        for (metric, query) in &self.queries {
            let request = self
                .client
                .get(format!("{}/api/v1/query_range", self.base))
                .query(&[
                    ("query", query.as_str()),
                    ("start", &format!("{start:.3}")),
                    ("end", &format!("{end:.3}")),
                    ("step", &format!("{step:.3}")),
                ])
                // A day of history takes longer than an instant query.
                .timeout(std::time::Duration::from_secs(30));
            let points: Vec<(f64, f64)> = Self::first_series::<RangeSeries>(*metric, request)
                .await?
                .map(|s| {
                    s.values
                        .into_iter()
                        .filter_map(|(t, v)| Some((t, v.parse::<f64>().ok()?)))
                        .filter(|(t, v)| t.is_finite() && v.is_finite())
                        .collect()
                })
                .unwrap_or_default();
            if !points.is_empty() {
                out.push((*metric, points));
            }
        }
        Ok(out)
    }

    /// Runs every query; a query with an empty result is skipped, a failing one fails the sample
    /// (the source turns stale and says why).
    pub async fn sample(&self) -> Result<Vec<(Metric, f64)>, String> {
        let mut out = Vec::new();
        for (metric, query) in &self.queries {
            let request = self
                .client
                .get(format!("{}/api/v1/query", self.base))
                .query(&[("query", query)]);
            if let Some(v) = Self::first_series::<Sample>(*metric, request)
                .await?
                .and_then(|s| s.value.1.parse::<f64>().ok())
                .filter(|v| v.is_finite())
            {
                out.push((*metric, v));
            }
        }
        Ok(out)
    }
}
