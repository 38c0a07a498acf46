//! Building and running the application: `Application::build(settings)` binds the listener (port 0
//! picks a free port, which tests read back with [`Application::port`]) and
//! [`Application::run_until_stopped`] serves until SIGINT/SIGTERM, then drains in-flight requests.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use phaseplan_model::PhaseLadder;
use phaseplan_model::cost::catalog::Catalog;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Settings;
use crate::live::LiveHub;
use crate::metrics::Metrics;
use crate::routes;
use crate::spa::SpaSource;

/// Shared, read-only state. Cloned per request, so everything inside is cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub started: Instant,
    pub ladder: Arc<PhaseLadder>,
    pub catalog: Arc<Catalog>,
    pub spa: Arc<SpaSource>,
    pub live: Arc<LiveHub>,
    pub metrics: Arc<Metrics>,
}

/// The whole HTTP surface: API routes, then the SPA for everything else.
pub fn router(state: AppState) -> Router {
    routes::router()
        .route("/metrics", axum::routing::get(crate::metrics::render))
        .fallback(spa_fallback)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .with_state(state)
        // Archives (bundle downloads) are compressed already: compressing them again only
        // costs CPU.
        .layer(
            CompressionLayer::new().compress_when(
                DefaultPredicate::new()
                    .and(NotForContentType::const_new("application/zip"))
                    .and(NotForContentType::const_new("application/gzip")),
            ),
        )
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
}

async fn spa_fallback(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    state.spa.serve(&uri, &headers).await
}

#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    router: Router,
    grace: Duration,
    live: Arc<LiveHub>,
}

impl Application {
    pub async fn build(settings: &Settings) -> std::io::Result<Self> {
        let spa = match &settings.static_dir {
            Some(dir) => SpaSource::Dir(dir.clone()),
            None => SpaSource::Embedded,
        };
        if !spa.is_built().await {
            tracing::warn!(?spa, "no index.html: the web app is not built; API only");
        }
        // The built-in catalog is compiled in and validated by the model's tests; failing here
        // would mean a broken build, and is reported rather than panicking.
        let catalog = Catalog::built_in().map_err(std::io::Error::other)?;
        let metrics = Arc::new(Metrics::new());
        let (live, sources) =
            LiveHub::new(&settings.live, Arc::clone(&metrics)).map_err(std::io::Error::other)?;
        live.spawn_samplers(sources);
        let state = AppState {
            started: Instant::now(),
            ladder: Arc::new(PhaseLadder::seed()),
            catalog: Arc::new(catalog),
            spa: Arc::new(spa),
            live: Arc::clone(&live),
            metrics,
        };
        let listener = TcpListener::bind(SocketAddr::new(settings.host, settings.port)).await?;
        Ok(Application {
            listener,
            router: router(state),
            grace: Duration::from_secs(settings.shutdown_grace_seconds),
            live,
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
        let grace = self.grace;
        // One signal listener, observed twice: by axum (stop accepting, drain) and by us (bound
        // the drain by the grace period).
        let (tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown_signal().await;
            let _ = tx.send(true);
        });
        let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let serve = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(stopped(rx.clone()))
            .into_future();
        let mut serve = std::pin::pin!(serve);
        tokio::select! {
            res = &mut serve => return res,
            () = stopped(rx) => {}
        }
        // Live streams never end by themselves: end them, so the drain only waits for real
        // requests (clients reconnect to another replica or to this one when it is back).
        self.live.close();
        match tokio::time::timeout(grace, serve).await {
            Ok(res) => res,
            Err(_) => {
                tracing::warn!(?grace, "grace period over; closing remaining connections");
                Ok(())
            }
        }
    }
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
