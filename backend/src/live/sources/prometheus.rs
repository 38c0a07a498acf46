//! Prometheus: one PromQL instant query per mapped metric against the HTTP API
//! (`/api/v1/query`). The defaults read node_exporter, postgres_exporter and redis_exporter;
//! the configuration can map any metric to any query. At start the same queries over a range
//! (`/api/v1/query_range`) fill the history window, so a new or restarted replica forecasts from
//! what Prometheus already holds instead of from nothing.

//!
//! It must not hurt what it watches, nor itself: the queries of a sample run concurrently within
//! the sample's budget, an answer larger than the source reads is refused rather than buffered,
//! and the start-up backfill has a deadline of its own.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::StreamExt as _;
use phaseplan_model::live::Metric;
use serde::Deserialize;

use super::{Failure, SourceError, SourceUrl, redact};

#[derive(Debug)]
pub struct PrometheusSource {
    url: SourceUrl,
    base: String,
    queries: BTreeMap<Metric, String>,
    client: reqwest::Client,
}

/// Largest instant-query answer read: a vector of a few series is a few KiB.
const MAX_INSTANT_BYTES: usize = 1024 * 1024;
/// Largest range answer read: 10,000 points of one series are about 300 KiB.
const MAX_RANGE_BYTES: usize = 16 * 1024 * 1024;
/// The whole start-up backfill may take this long; the source samples as usual after it.
const BACKFILL_DEADLINE: Duration = Duration::from_secs(30);
/// Range queries of the backfill in flight at once.
const BACKFILL_CONCURRENCY: usize = 4;

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
        // The latency histogram's mean: its sum's rate over its count's.
        (
            Metric::RequestDurationSeconds,
            "sum(rate(http_request_duration_seconds_sum[5m])) / \
             sum(rate(http_request_duration_seconds_count[5m]))",
        ),
        // postgres_exporter's pg_stat_statements collector; over the requests' own minute, so
        // that queries per request is a ratio of like with like.
        (
            Metric::DbQueriesPerSecond,
            "sum(rate(pg_stat_statements_calls_total[1m]))",
        ),
        (
            Metric::DbQuerySeconds,
            "sum(rate(pg_stat_statements_seconds_total[5m])) / \
             sum(rate(pg_stat_statements_calls_total[5m]))",
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

/// Why [`read_capped`] stopped.
#[derive(Debug)]
enum Capped<E> {
    TooLarge,
    Read(E),
}

/// The whole body, or [`Capped::TooLarge`] as soon as it passes `limit` bytes: an answer is never
/// buffered past the limit, however much the server sends.
async fn read_capped<S, E>(mut chunks: S, limit: usize) -> Result<Vec<u8>, Capped<E>>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
{
    let mut body = Vec::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(Capped::Read)?;
        if body.len() + chunk.len() > limit {
            return Err(Capped::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl PrometheusSource {
    pub fn new(
        url: SourceUrl,
        queries: BTreeMap<Metric, String>,
        ca_file: Option<&std::path::Path>,
    ) -> Result<Self, String> {
        let base = url.expose().trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!(
                "bad Prometheus URL {url}: expected http://host:port or https://host:port"
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
            url,
            base,
            queries,
            client,
        })
    }

    pub fn metrics(&self) -> Vec<Metric> {
        self.queries.keys().copied().collect()
    }

    fn error(&self, failure: Failure, detail: &str) -> SourceError {
        SourceError::new(failure, redact(detail, self.url.expose()))
    }

    fn transport(&self, e: &reqwest::Error, budget: Duration) -> SourceError {
        let failure = if e.is_timeout() {
            Failure::Timeout(budget)
        } else if e.is_connect() {
            let text = format!("{e:?}");
            if text.contains("certificate") || text.contains("Certificate") {
                Failure::Tls
            } else {
                Failure::Unreachable
            }
        } else {
            Failure::BadAnswer
        };
        self.error(failure, &format!("{e:?}"))
    }

    /// Sends one query of `metric` and returns the first series of its result, if any; an
    /// unreachable server, an unreadable or oversized answer, or a refused query is an error
    /// saying which.
    async fn first_series<T: serde::de::DeserializeOwned>(
        &self,
        metric: Metric,
        request: reqwest::RequestBuilder,
        budget: Duration,
        limit_bytes: usize,
    ) -> Result<Option<T>, SourceError> {
        let res = request
            .timeout(budget)
            .send()
            .await
            .map_err(|e| self.transport(&e, budget))?;
        let status = res.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(self.error(Failure::Refused, &format!("HTTP {status}")));
        }
        if res.content_length().is_some_and(|n| n > limit_bytes as u64) {
            return Err(self.error(
                Failure::TooLarge { limit_bytes },
                &format!("{}: Content-Length over the limit", metric.key()),
            ));
        }
        let body = match read_capped(res.bytes_stream(), limit_bytes).await {
            Ok(body) => body,
            Err(Capped::TooLarge) => {
                return Err(self.error(
                    Failure::TooLarge { limit_bytes },
                    &format!("{}: answer over the limit", metric.key()),
                ));
            }
            Err(Capped::Read(e)) => return Err(self.transport(&e, budget)),
        };
        let answer: Answer<T> = serde_json::from_slice(&body).map_err(|e| {
            self.error(
                Failure::BadAnswer,
                &format!(
                    "{}: HTTP {status}, not a Prometheus answer: {e}",
                    metric.key()
                ),
            )
        })?;
        if answer.status != "success" {
            return Err(self.error(
                Failure::Query(metric),
                &format!(
                    "{}: {}",
                    metric.key(),
                    answer.error.unwrap_or_else(|| answer.status.clone())
                ),
            ));
        }
        Ok(answer.data.and_then(|d| d.result.into_iter().next()))
    }

    /// Every query over `[start, end]` (unix seconds) at `step` seconds or coarser (so that no
    /// series exceeds Prometheus's point limit), a few at a time, within
    /// [`BACKFILL_DEADLINE`]. A query with no data is left out; the first error ends the
    /// backfill with it.
    pub async fn backfill(
        &self,
        start: f64,
        end: f64,
        step: f64,
    ) -> Result<Vec<(Metric, Vec<(f64, f64)>)>, SourceError> {
        let step = step.max((end - start) / MAX_RANGE_POINTS).max(0.001);
        let one = |metric: Metric, query: String| async move {
            let request = self
                .client
                .get(format!("{}/api/v1/query_range", self.base))
                .query(&[
                    ("query", query.as_str()),
                    ("start", &format!("{start:.3}")),
                    ("end", &format!("{end:.3}")),
                    ("step", &format!("{step:.3}")),
                ]);
            let points: Vec<(f64, f64)> = self
                .first_series::<RangeSeries>(metric, request, BACKFILL_DEADLINE, MAX_RANGE_BYTES)
                .await?
                .map(|s| {
                    s.values
                        .into_iter()
                        .filter_map(|(t, v)| Some((t, v.parse::<f64>().ok()?)))
                        .filter(|(t, v)| t.is_finite() && v.is_finite())
                        .collect()
                })
                .unwrap_or_default();
            Ok::<_, SourceError>((metric, points))
        };
        let all = futures_util::stream::iter(self.queries.clone())
            .map(|(m, q)| one(m, q))
            .buffered(BACKFILL_CONCURRENCY)
            .collect::<Vec<_>>();
        let results = tokio::time::timeout(BACKFILL_DEADLINE, all)
            .await
            .map_err(|_| {
                self.error(
                    Failure::Timeout(BACKFILL_DEADLINE),
                    "the backfill took longer than its deadline",
                )
            })?;
        let mut out = Vec::new();
        for r in results {
            let (metric, points) = r?;
            if !points.is_empty() {
                out.push((metric, points));
            }
        }
        Ok(out)
    }

    /// Runs every query at once, within `budget`; a query with an empty result is skipped, a
    /// failing one fails the sample (the source turns stale and says why).
    pub async fn sample(&self, budget: Duration) -> Result<Vec<(Metric, f64)>, SourceError> {
        let answers = futures_util::future::join_all(self.queries.iter().map(|(metric, query)| {
            let request = self
                .client
                .get(format!("{}/api/v1/query", self.base))
                .query(&[("query", query)]);
            async move {
                self.first_series::<Sample>(*metric, request, budget, MAX_INSTANT_BYTES)
                    .await
                    .map(|s| (*metric, s))
            }
        }))
        .await;
        let mut out = Vec::new();
        for answer in answers {
            let (metric, series) = answer?;
            if let Some(v) = series
                .and_then(|s| s.value.1.parse::<f64>().ok())
                .filter(|v| v.is_finite())
            {
                out.push((metric, v));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_answer_is_read_up_to_its_limit_and_no_further() {
        let chunks = |n: usize| {
            futures_util::stream::iter(
                (0..n).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b'x'; 1024]))),
            )
        };
        assert_eq!(read_capped(chunks(4), 4096).await.unwrap().len(), 4096);
        // An endless answer stops at the first chunk past the limit.
        let endless = futures_util::stream::repeat_with(|| {
            Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b'x'; 1024]))
        });
        assert!(matches!(
            read_capped(endless, 8 * 1024).await,
            Err(Capped::TooLarge)
        ));
    }
}
