//! PostgreSQL, read-only: connections in use (`pg_stat_activity`) and `max_connections`.
//!
//! With `sslmode=require` in the URL the connection uses TLS and verifies the server's
//! certificate (web PKI roots, or the source's `ca_file`): stricter than libpq's `require`,
//! which encrypts without checking who answers. Without it, the connection is plain.

use std::path::Path;

use phaseplan_model::live::Metric;
use tokio_postgres::config::SslMode;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres_rustls::MakeRustlsConnect;

pub struct PostgresSource {
    url: String,
    tls: Option<MakeRustlsConnect>,
}

impl std::fmt::Debug for PostgresSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresSource")
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

const QUERY: &str = "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::float8, \
     (SELECT setting::float8 FROM pg_settings WHERE name = 'max_connections')";

impl PostgresSource {
    pub fn new(url: &str, ca_file: Option<&Path>) -> Result<Self, String> {
        let config = url
            .parse::<tokio_postgres::Config>()
            .map_err(|e| format!("bad PostgreSQL URL: {e}"))?;
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
        Ok(PostgresSource {
            url: url.to_owned(),
            tls,
        })
    }

    pub fn metrics() -> Vec<Metric> {
        vec![Metric::DbConnections, Metric::DbMaxConnections]
    }

    /// Connects, reads, disconnects: one short-lived connection per sample, so the monitor holds
    /// no connection slot between samples. The sample's own connection is not counted.
    pub async fn sample(&self) -> Result<Vec<(Metric, f64)>, String> {
        match &self.tls {
            Some(tls) => read(&self.url, tls.clone()).await,
            None => read(&self.url, tokio_postgres::NoTls).await,
        }
    }
}

async fn read<T>(url: &str, tls: T) -> Result<Vec<(Metric, f64)>, String>
where
    T: MakeTlsConnect<tokio_postgres::Socket>,
    T::Stream: Send + 'static,
    T::TlsConnect: Send,
    <T::TlsConnect as TlsConnect<tokio_postgres::Socket>>::Future: Send,
{
    let (client, connection) = tokio_postgres::connect(url, tls)
        .await
        .map_err(|e| format!("cannot connect: {}", chain(&e)))?;
    let task = tokio::spawn(connection);
    let row = client
        .query_one(QUERY, &[])
        .await
        .map_err(|e| format!("query failed: {}", chain(&e)));
    drop(client);
    let _ = task.await;
    let row = row?;
    let in_use: f64 = row.try_get(0).map_err(|e| e.to_string())?;
    let max: f64 = row.try_get(1).map_err(|e| e.to_string())?;
    Ok(vec![
        (Metric::DbConnections, (in_use - 1.0).max(0.0)),
        (Metric::DbMaxConnections, max),
    ])
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

    #[test]
    fn tls_follows_the_url_and_a_ca_file_without_tls_is_refused() {
        assert!(
            PostgresSource::new("postgres://m@db/postgres", None)
                .unwrap()
                .tls
                .is_none()
        );
        assert!(
            PostgresSource::new("postgres://m@db/postgres?sslmode=require", None)
                .unwrap()
                .tls
                .is_some()
        );
        let e = PostgresSource::new("postgres://m@db/postgres", Some(Path::new("/ca.pem")))
            .unwrap_err();
        assert!(e.contains("sslmode=require"), "{e}");
    }
}
