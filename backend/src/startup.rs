//! Building and running the application: `Application::build(settings)` binds the listener (port 0
//! picks a free port, which tests read back with [`Application::port`]) and
//! [`Application::run_until_stopped`] serves until SIGINT/SIGTERM, then drains in-flight requests.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use phaseplan_model::PhaseLadder;
use phaseplan_model::cost::catalog::Catalog;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::trace::TraceLayer;

use crate::config::{ConfigError, HttpLimits, Settings};
use crate::http::rate_limit::RateLimit;
use crate::http::serve::ConnectionLimits;
use crate::http::work::WorkPool;
use crate::http::{headers, host, rate_limit, request_timeout, serve};
use crate::live::LiveHub;
use crate::metrics::Metrics;
use crate::routes;
use crate::spa::SpaSource;

/// Shared state. Cloned per request, so everything inside is cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub started: Instant,
    pub ladder: Arc<PhaseLadder>,
    pub catalog: Arc<Catalog>,
    pub spa: Arc<SpaSource>,
    pub live: Arc<LiveHub>,
    pub metrics: Arc<Metrics>,
    /// Runs evaluations and bundle builds: bounded, so a flood is refused, not queued.
    pub work: Arc<WorkPool>,
    pub rate_limit: Arc<RateLimit>,
    pub limits: Arc<HttpLimits>,
}

/// The whole HTTP surface: API routes, then the SPA for everything else, inside the guards
/// (outermost first): tracing, the `Host` allowlist, security headers, compression, the request
/// timeout, the POST rate limit.
pub fn router(state: AppState) -> Router {
    let limits = Arc::clone(&state.limits);
    routes::router()
        .route("/metrics", axum::routing::get(crate::metrics::render))
        .fallback(spa_fallback)
        .route_layer(from_fn_with_state(state.clone(), crate::metrics::track))
        .layer(from_fn_with_state(
            Arc::clone(&state.rate_limit),
            rate_limit::limit,
        ))
        .with_state(state)
        .layer(from_fn_with_state(limits.request_timeout, request_timeout))
        // Archives (bundle downloads) are compressed already: compressing them again only
        // costs CPU.
        .layer(
            CompressionLayer::new().compress_when(
                DefaultPredicate::new()
                    .and(NotForContentType::const_new("application/zip"))
                    .and(NotForContentType::const_new("application/gzip")),
            ),
        )
        .layer(from_fn_with_state(limits.behind_tls, headers::add))
        .layer(from_fn_with_state(
            Arc::new(limits.allowed_hosts.clone()),
            host::check,
        ))
        .layer(TraceLayer::new_for_http())
}

async fn spa_fallback(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    state.spa.serve(&uri, &headers).await
}

/// Why the server could not start, saying what failed: a setting (named), the built-in
/// catalog, or the address.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("the built-in pricing catalog does not load: {0}")]
    Catalog(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    router: Router,
    connections: ConnectionLimits,
    live: Arc<LiveHub>,
    metrics: Arc<Metrics>,
}

impl Application {
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        let limits = Arc::new(settings.http_limits()?);
        let spa = match &settings.static_dir {
            Some(dir) => SpaSource::Dir(dir.clone()),
            None => SpaSource::Embedded,
        };
        if !spa.is_built().await {
            tracing::warn!(?spa, "no index.html: the web app is not built; API only");
        }
        // The built-in catalog is compiled in and validated by the model's tests; failing here
        // would mean a broken build, and is reported rather than panicking.
        let catalog = Catalog::built_in().map_err(|e| StartupError::Catalog(e.to_string()))?;
        let metrics = Arc::new(Metrics::new());
        let (live, sources) = LiveHub::new(
            &settings.live,
            limits.max_sse_subscribers,
            Arc::clone(&metrics),
        )?;
        raise_file_limit(limits.max_connections);
        let addr = SocketAddr::new(settings.host, settings.port);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartupError::Bind { addr, source })?;
        live.spawn_samplers(sources);
        let rate_limit = Arc::new(RateLimit::new(
            limits.rate_limit_per_minute,
            limits.trusted_proxies.clone(),
        ));
        spawn_rate_limit_cleanup(Arc::clone(&rate_limit));
        let state = AppState {
            started: Instant::now(),
            ladder: Arc::new(PhaseLadder::seed()),
            catalog: Arc::new(catalog),
            spa: Arc::new(spa),
            live: Arc::clone(&live),
            metrics: Arc::clone(&metrics),
            work: Arc::new(WorkPool::new(limits.work_threads, limits.work_queue)),
            rate_limit,
            limits: Arc::clone(&limits),
        };
        Ok(Application {
            listener,
            router: router(state),
            connections: ConnectionLimits {
                max_connections: limits.max_connections,
                header_read_timeout: limits.header_read_timeout,
                idle_timeout: limits.idle_timeout,
                grace: Duration::from_secs(settings.shutdown_grace_seconds),
            },
            live,
            metrics,
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
        tracing::info!(%addr, "phaseplan listening on http://{addr}");
        let (tx, rx) = tokio::sync::watch::channel(false);
        let live = Arc::clone(&self.live);
        tokio::spawn(async move {
            shutdown_signal().await;
            // Live streams never end by themselves: end them, so the drain only waits for real
            // requests (clients reconnect to another replica or to this one when it is back).
            live.close();
            let _ = tx.send(true);
        });
        serve::run(
            self.listener,
            self.router,
            self.connections,
            rx,
            self.metrics,
        )
        .await
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
