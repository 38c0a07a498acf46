//! Binding and serving, nothing else: `Application::build(settings)` builds the state
//! ([`AppState::build`]) and the router ([`routes::router`]), binds the listener (port 0 picks a
//! free port, which tests read back with [`Application::port`]) and starts the live samplers;
//! [`Application::run_until_stopped`] serves until SIGINT/SIGTERM, then drains.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

use crate::config::Settings;
pub use crate::error::StartupError;
use crate::http::rate_limit::RateLimit;
use crate::http::serve::{self, ConnectionLimits};
use crate::live::LiveHub;
use crate::metrics::Metrics;
use crate::routes;
pub use crate::state::AppState;
use crate::store::Store;

#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    router: Router,
    connections: ConnectionLimits,
    live: Arc<LiveHub>,
    metrics: Arc<Metrics>,
    /// Closed after the drain, so every acknowledged save is in the database file.
    store: Store,
    /// With `tls_cert` and `tls_key`: HTTPS.
    tls: Option<crate::http::tls::Tls>,
}

impl Application {
    /// Builds the state, binds the listener and starts the live samplers.
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        let (state, sources) = AppState::build(settings).await?;
        let tls = match &state.access.tls {
            Some(files) => Some(
                crate::http::tls::acceptor(files).map_err(|e| StartupError::Tls(e.to_string()))?,
            ),
            None => None,
        };
        raise_file_limit(state.limits.max_connections);
        let addr = SocketAddr::new(settings.host, settings.port);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartupError::Bind { addr, source })?;
        state.live.spawn_samplers(sources);
        spawn_rate_limit_cleanup(Arc::clone(&state.rate_limit));
        spawn_platform_follower(state.store.clone(), Arc::clone(&state.live));
        state.notifier.spawn(Arc::clone(&state.live));
        Ok(Application {
            listener,
            connections: ConnectionLimits {
                max_connections: state.limits.max_connections,
                header_read_timeout: state.limits.header_read_timeout,
                idle_timeout: state.limits.idle_timeout,
                grace: Duration::from_secs(settings.shutdown_grace_seconds),
            },
            live: Arc::clone(&state.live),
            metrics: Arc::clone(&state.metrics),
            store: state.store.clone(),
            tls,
            router: routes::router(state),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn port(&self) -> u16 {
        self.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves until SIGINT or SIGTERM; then stops accepting, lets in-flight requests finish for up
    /// to the grace period, and returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let addr = self.local_addr()?;
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        tracing::info!(%addr, "phaseplan listening on {scheme}://{addr}");
        let (tx, rx) = tokio::sync::watch::channel(false);
        let live = Arc::clone(&self.live);
        tokio::spawn(async move {
            shutdown_signal().await;
            // Live streams never end by themselves: end them, so the drain only waits for real
            // requests (clients reconnect to another replica or to this one when it is back).
            live.close();
            let _ = tx.send(true);
        });
        let served = serve::run(
            self.listener,
            self.router,
            self.connections,
            self.tls.map(|t| t.0),
            rx,
            self.metrics,
        )
        .await;
        self.store.close().await;
        served
    }
}

/// Each open connection holds a file descriptor: raise the soft limit to the hard one, and say
/// so when even that is below `max_connections` (connections past the descriptors are refused by
/// the kernel, not answered 503).
fn raise_file_limit(max_connections: usize) {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) if limit < max_connections as u64 + 64 => tracing::warn!(
            limit,
            max_connections,
            "the open-file limit is below max_connections; raise it (ulimit -n) or lower max_connections"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "cannot read the open-file limit"),
    }
}

fn spawn_rate_limit_cleanup(rl: Arc<RateLimit>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            rl.forget_idle();
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; draining");
}

/// Another replica may record the default platform's transition: every few seconds the live
/// stream re-reads the platform and follows a new phase or revision (the replica that records
/// one follows it at once).
fn spawn_platform_follower(store: crate::store::Store, hub: Arc<crate::live::LiveHub>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = crate::operations::follow_default(&store, &hub).await {
                tracing::warn!(error = %e, "cannot read the default platform");
            }
        }
    });
}
