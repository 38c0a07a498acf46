//! The server's shared state: built once from the settings, cloned per request (everything inside
//! is an `Arc`), and taken apart by handlers through [`FromRef`], so each handler names only what
//! it uses (`State<Arc<Catalog>>`, `State<Arc<LiveHub>>`…).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::FromRef;
use phaseplan_model::PhaseLadder;
use phaseplan_model::cost::catalog::Catalog;

use crate::auth::throttle::SignInThrottle;
use crate::config::{Access, HttpLimits, Settings};
use crate::error::StartupError;
use crate::http::rate_limit::RateLimit;
use crate::http::work::WorkPool;
use crate::live::sources::Source;
use crate::live::{LiveConfig, LiveHub};
use crate::metrics::Metrics;
use crate::spa::SpaSource;
use crate::store::Store;

/// When the server started, for its uptime.
#[derive(Debug, Clone, Copy)]
pub struct Started(pub Instant);

#[derive(Debug, Clone)]
pub struct AppState {
    pub started: Started,
    pub ladder: Arc<PhaseLadder>,
    pub catalog: Arc<Catalog>,
    pub spa: Arc<SpaSource>,
    pub live: Arc<LiveHub>,
    pub metrics: Arc<Metrics>,
    /// Runs evaluations and bundle builds: bounded, so a flood is refused, not queued.
    pub work: Arc<WorkPool>,
    pub rate_limit: Arc<RateLimit>,
    pub limits: Arc<HttpLimits>,
    /// Saved scenarios (SQLite or PostgreSQL), and accounts, tokens, sessions, the audit log.
    pub store: Store,
    /// Who may ask what.
    pub access: Arc<Access>,
    /// Failed sign-ins, per name and address.
    pub throttle: Arc<SignInThrottle>,
    /// Notification channels, rules and deliveries.
    pub notifier: Arc<crate::notify::Notifier>,
}

impl AppState {
    /// Checks the settings and builds the state, with the live sources still to be started
    /// ([`LiveHub::spawn_samplers`]): nothing here binds a port or spawns a task, so tests can
    /// drive the router with `oneshot`.
    pub async fn build(settings: &Settings) -> Result<(Self, Vec<Source>), StartupError> {
        let limits = Arc::new(settings.http_limits()?);
        let access = Arc::new(settings.access()?);
        let notify = crate::notify::NotifySettings::from_settings(settings)?;
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
            LiveConfig::from_settings(&settings.live)?,
            limits.max_sse_subscribers,
            Arc::clone(&metrics),
        );
        let store = Store::open(settings.database_url.as_ref(), settings.data_dir.as_deref())
            .await
            .map_err(|e| StartupError::Store(e.to_string()))?;
        // The first start of a database creates the default platform; from then on the live
        // stream is judged against its recorded phase.
        crate::operations::start(&store, &live)
            .await
            .map_err(|e| StartupError::Store(format!("the default platform: {e}")))?;
        let notifier = crate::notify::Notifier::new(store.clone(), notify);
        let state = AppState {
            started: Started(Instant::now()),
            ladder: Arc::new(PhaseLadder::seed()),
            catalog: Arc::new(catalog),
            spa: Arc::new(spa),
            live,
            metrics,
            work: Arc::new(WorkPool::new(limits.work_threads, limits.work_queue)),
            rate_limit: Arc::new(RateLimit::new(
                limits.rate_limit_per_minute,
                limits.trusted_proxies.clone(),
            )),
            limits,
            store,
            access,
            throttle: Arc::new(SignInThrottle::default()),
            notifier,
        };
        Ok((state, sources))
    }
}

macro_rules! part {
    ($field:ident: $ty:ty) => {
        impl FromRef<AppState> for $ty {
            fn from_ref(state: &AppState) -> Self {
                state.$field.clone()
            }
        }
    };
}

part!(started: Started);
part!(ladder: Arc<PhaseLadder>);
part!(catalog: Arc<Catalog>);
part!(store: Store);
part!(spa: Arc<SpaSource>);
part!(live: Arc<LiveHub>);
part!(metrics: Arc<Metrics>);
part!(work: Arc<WorkPool>);
part!(rate_limit: Arc<RateLimit>);
part!(limits: Arc<HttpLimits>);
part!(access: Arc<Access>);
part!(throttle: Arc<SignInThrottle>);
part!(notifier: Arc<crate::notify::Notifier>);
