//! Where live metrics come from. Each source is sampled on its own task, so a slow or failing
//! one never holds up the others.

pub mod host;
pub mod postgres;
pub mod prometheus;
pub mod redis;
pub mod tls;

use phaseplan_model::live::Metric;

use crate::config::SourceSettings;

#[derive(Debug)]
pub enum Source {
    Host(Box<host::HostSource>),
    Prometheus(prometheus::PrometheusSource),
    Postgres(postgres::PostgresSource),
    Redis(redis::RedisSource),
}

impl Source {
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
                    url,
                    all,
                    ca_file.as_deref(),
                )?)
            }
            SourceSettings::Postgres { url, ca_file, .. } => {
                Source::Postgres(postgres::PostgresSource::new(url, ca_file.as_deref())?)
            }
            SourceSettings::Redis { url, .. } => Source::Redis(redis::RedisSource::new(url)?),
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
    ) -> Result<Vec<(Metric, Vec<(f64, f64)>)>, String> {
        match self {
            Source::Prometheus(p) => p.backfill(start, end, step).await,
            Source::Host(_) | Source::Postgres(_) | Source::Redis(_) => Ok(Vec::new()),
        }
    }

    pub async fn sample(&mut self) -> Result<Vec<(Metric, f64)>, String> {
        match self {
            // sysinfo reads /proc synchronously; it takes well under a millisecond.
            Source::Host(h) => Ok(h.sample()),
            Source::Prometheus(p) => p.sample().await,
            Source::Postgres(p) => p.sample().await,
            Source::Redis(r) => r.sample().await,
        }
    }
}
