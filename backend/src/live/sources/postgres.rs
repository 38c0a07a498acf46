//! PostgreSQL, read-only: connections in use (`pg_stat_activity`) and `max_connections`.

use phaseplan_model::live::Metric;

#[derive(Debug)]
pub struct PostgresSource {
    url: String,
}

const QUERY: &str = "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::float8, \
     (SELECT setting::float8 FROM pg_settings WHERE name = 'max_connections')";

impl PostgresSource {
    pub fn new(url: &str) -> Result<Self, String> {
        url.parse::<tokio_postgres::Config>()
            .map_err(|e| format!("bad PostgreSQL URL: {e}"))?;
        Ok(PostgresSource {
            url: url.to_owned(),
        })
    }

    pub fn metrics() -> Vec<Metric> {
        vec![Metric::DbConnections, Metric::DbMaxConnections]
    }

    /// Connects, reads, disconnects: one short-lived connection per sample, so the monitor holds
    /// no connection slot between samples. The sample's own connection is not counted.
    pub async fn sample(&self) -> Result<Vec<(Metric, f64)>, String> {
        let (client, connection) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        let task = tokio::spawn(connection);
        let row = client
            .query_one(QUERY, &[])
            .await
            .map_err(|e| format!("query failed: {e}"));
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
}
