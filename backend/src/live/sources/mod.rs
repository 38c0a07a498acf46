//! Where live metrics come from. Each source is sampled on its own task, so a slow or failing
//! one never holds up the others.

pub mod host;
pub mod postgres;
pub mod prometheus;
pub mod redis;
pub mod tls;

use std::fmt;
use std::time::Duration;

use phaseplan_model::live::Metric;

use crate::config::SourceSettings;
pub use crate::secret::{SourceUrl, redact};

/// Why a sample failed. The public API shows only the [`Failure`] category (with the source's
/// name): short, stable, and free of addresses and credentials; the `detail` (the driver's own
/// message, credentials removed) goes to the log.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{failure}")]
pub struct SourceError {
    pub failure: Failure,
    pub detail: String,
}

/// The categories of failure a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Nothing answers at the address (refused, unreachable, name not found).
    Unreachable,
    /// No answer within the time a sample may take.
    Timeout(Duration),
    /// The server answered and refused us: authentication, pg_hba.conf, permissions.
    Refused,
    /// The server's TLS certificate is not trusted (or the handshake failed).
    Tls,
    /// The server refused a query of one metric (a bad PromQL query, say).
    Query(Metric),
    /// The answer is not what the protocol says it should be.
    BadAnswer,
    /// The answer is larger than the source reads.
    TooLarge { limit_bytes: usize },
    /// The sampler itself failed (a bug); it is restarted.
    Crashed,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Unreachable => f.write_str("cannot connect"),
            Failure::Timeout(d) => write!(f, "no answer within {:.1} s", d.as_secs_f64()),
            Failure::Refused => f.write_str("the server refused the connection or the login"),
            Failure::Tls => f.write_str("TLS failed: the server's certificate is not trusted"),
            Failure::Query(m) => write!(f, "the query for {} was refused", m.key()),
            Failure::BadAnswer => f.write_str("unexpected answer"),
            Failure::TooLarge { limit_bytes } => {
                write!(f, "the answer is larger than {} KiB", limit_bytes / 1024)
            }
            Failure::Crashed => f.write_str("the sampler crashed and is restarted"),
        }
    }
}

impl SourceError {
    pub fn new(failure: Failure, detail: impl Into<String>) -> Self {
        SourceError {
            failure,
            detail: detail.into(),
        }
    }
}

#[derive(Debug)]
pub enum Source {
    Host(Box<host::HostSource>),
    Prometheus(prometheus::PrometheusSource),
    Postgres(postgres::PostgresSource),
    Redis(redis::RedisSource),
}

impl Source {
    /// Builds a source from its settings; the error says what is wrong with them (never the
    /// URL's credentials).
    pub fn from_settings(s: &SourceSettings) -> Result<Source, String> {
        Ok(match s {
            SourceSettings::Host { .. } => Source::Host(Box::default()),
            SourceSettings::Prometheus {
                url,
                queries,
                ca_file,
                ..
            } => {
                let mut all = prometheus::default_queries();
                for (key, q) in queries {
                    let m = Metric::parse(key).ok_or_else(|| {
                        format!(
                            "unknown metric {key:?} in a Prometheus mapping; known: {}",
                            Metric::ALL.map(Metric::key).join(", ")
                        )
                    })?;
                    all.insert(m, q.clone());
                }
                Source::Prometheus(prometheus::PrometheusSource::new(
                    url.clone(),
                    all,
                    ca_file.as_deref(),
                )?)
            }
            SourceSettings::Postgres { url, ca_file, .. } => Source::Postgres(
                postgres::PostgresSource::new(url.clone(), ca_file.as_deref())?,
            ),
            SourceSettings::Redis { url, .. } => {
                Source::Redis(redis::RedisSource::new(url.clone())?)
            }
        })
    }

    pub fn metrics(&self) -> Vec<Metric> {
        match self {
            Source::Host(_) => host::HostSource::metrics(),
            Source::Prometheus(p) => p.metrics(),
            Source::Postgres(_) => postgres::PostgresSource::metrics(),
            Source::Redis(_) => redis::RedisSource::metrics(),
        }
    }

    /// What the source already holds for `[start, end]`: only Prometheus keeps history.
    pub async fn backfill(
        &self,
        start: f64,
        end: f64,
        step: f64,
    ) -> Result<Vec<(Metric, Vec<(f64, f64)>)>, SourceError> {
        match self {
            Source::Prometheus(p) => p.backfill(start, end, step).await,
            Source::Host(_) | Source::Postgres(_) | Source::Redis(_) => Ok(Vec::new()),
        }
    }

    /// One reading of every metric, within `budget`.
    pub async fn sample(&mut self, budget: Duration) -> Result<Vec<(Metric, f64)>, SourceError> {
        match self {
            // sysinfo reads /proc synchronously; it takes well under a millisecond.
            Source::Host(h) => Ok(h.sample()),
            Source::Prometheus(p) => p.sample(budget).await,
            Source::Postgres(p) => p.sample(budget).await,
            Source::Redis(r) => r.sample(budget).await,
        }
    }
}
