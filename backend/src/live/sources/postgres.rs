//! PostgreSQL, read-only: connections in use (`pg_stat_activity`) and `max_connections`.
//!
//! With `sslmode=require` in the URL the connection uses TLS and verifies the server's
//! certificate (web PKI roots, or the source's `ca_file`): stricter than libpq's `require`,
//! which encrypts without checking who answers. Without it, the connection is plain.
//!
//! A sample must never hurt the database it watches: it connects with a timeout, its query has
//! a `statement_timeout`, and its connection task is aborted with the sample (a sample that
//! times out does not leave a connection behind).

use std::path::Path;
use std::time::Duration;

use phaseplan_model::live::Metric;
use tokio_postgres::config::SslMode;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::{Failure, SourceError, SourceUrl, redact};

pub struct PostgresSource {
    url: SourceUrl,
    config: tokio_postgres::Config,
    tls: Option<MakeRustlsConnect>,
}

impl std::fmt::Debug for PostgresSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresSource")
            .field("url", &self.url)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

const QUERY: &str = "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::float8, \
     (SELECT setting::float8 FROM pg_settings WHERE name = 'max_connections')";

impl PostgresSource {
    pub fn new(url: SourceUrl, ca_file: Option<&Path>) -> Result<Self, String> {
        let config = url
            .expose()
            .parse::<tokio_postgres::Config>()
            .map_err(|e| {
                format!(
                    "bad PostgreSQL URL: {}",
                    redact(&e.to_string(), url.expose())
                )
            })?;
        let tls = match config.get_ssl_mode() {
            SslMode::Require => Some(MakeRustlsConnect::new(super::tls::client_config(ca_file)?)),
            _ if ca_file.is_some() => {
                return Err(
                    "ca_file is set but the URL does not ask for TLS: add sslmode=require"
                        .to_owned(),
                );
            }
            _ => None,
        };
        Ok(PostgresSource { url, config, tls })
    }

    pub fn metrics() -> Vec<Metric> {
        vec![Metric::DbConnections, Metric::DbMaxConnections]
    }

    /// Connects, reads, disconnects: one short-lived connection per sample, so the monitor holds
    /// no connection slot between samples. The sample's own connection is not counted.
    pub async fn sample(&self, budget: Duration) -> Result<Vec<(Metric, f64)>, SourceError> {
        let mut config = self.config.clone();
        config.connect_timeout(budget);
        // The server ends the query itself if it runs longer than the sample may.
        let ms = budget.as_millis().max(100);
        config.options(format!("-c statement_timeout={ms}"));
        config.application_name("phaseplan-live");
        let read = async {
            match &self.tls {
                Some(tls) => read(&config, tls.clone(), budget).await,
                None => read(&config, tokio_postgres::NoTls, budget).await,
            }
        };
        match tokio::time::timeout(budget, read).await {
            Ok(r) => r.map_err(|e| SourceError {
                detail: redact(&e.detail, self.url.expose()),
                ..e
            }),
            Err(_) => Err(SourceError::new(
                Failure::Timeout(budget),
                "no answer within the sample's budget",
            )),
        }
    }
}

/// Aborts the connection's task when dropped: when a sample times out, its future is dropped
/// mid-way, and the connection must go with it.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn read<T>(
    config: &tokio_postgres::Config,
    tls: T,
    budget: Duration,
) -> Result<Vec<(Metric, f64)>, SourceError>
where
    T: MakeTlsConnect<tokio_postgres::Socket>,
    T::Stream: Send + 'static,
    T::TlsConnect: Send,
    <T::TlsConnect as TlsConnect<tokio_postgres::Socket>>::Future: Send,
{
    let (client, connection) = config
        .connect(tls)
        .await
        .map_err(|e| classify(&e, budget))?;
    let task = AbortOnDrop(tokio::spawn(async move {
        let _ = connection.await;
    }));
    let row = client
        .query_one(QUERY, &[])
        .await
        .map_err(|e| classify(&e, budget));
    drop(client);
    drop(task);
    let row = row?;
    let get = |i: usize| -> Result<f64, SourceError> {
        row.try_get(i)
            .map_err(|e| SourceError::new(Failure::BadAnswer, e.to_string()))
    };
    let in_use = get(0)?;
    let max = get(1)?;
    Ok(vec![
        (Metric::DbConnections, (in_use - 1.0).max(0.0)),
        (Metric::DbMaxConnections, max),
    ])
}

/// The category of a driver error, with its whole cause chain as the detail.
fn classify(e: &tokio_postgres::Error, budget: Duration) -> SourceError {
    let detail = chain(e);
    let failure = if detail.contains("certificate") || detail.contains("TLS") {
        Failure::Tls
    } else if e.as_db_error().is_some() {
        Failure::Refused
    } else if e.is_closed() || detail.contains("connect") || detail.contains("refused") {
        Failure::Unreachable
    } else if detail.contains("timed out") || detail.contains("timeout") {
        Failure::Timeout(budget)
    } else {
        Failure::BadAnswer
    };
    SourceError::new(failure, detail)
}

/// An error with its causes ("error performing TLS handshake: invalid peer certificate:
/// UnknownIssuer"): tokio-postgres keeps the reason in the source chain.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_dropped_guard_ends_the_connection_task() {
        let guard = AbortOnDrop(tokio::spawn(std::future::pending::<()>()));
        let task = guard.0.abort_handle();
        drop(guard);
        tokio::task::yield_now().await;
        assert!(task.is_finished());
    }

    #[test]
    fn tls_follows_the_url_and_a_ca_file_without_tls_is_refused() {
        assert!(
            PostgresSource::new("postgres://m@db/postgres".into(), None)
                .unwrap()
                .tls
                .is_none()
        );
        assert!(
            PostgresSource::new("postgres://m@db/postgres?sslmode=require".into(), None)
                .unwrap()
                .tls
                .is_some()
        );
        let e = PostgresSource::new(
            "postgres://m@db/postgres".into(),
            Some(Path::new("/ca.pem")),
        )
        .unwrap_err();
        assert!(e.contains("sslmode=require"), "{e}");
    }
}
