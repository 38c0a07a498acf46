//! The JSON API under `/api/v1`. Handlers are thin: decode, call the model, encode.

pub mod audit;
pub mod bundles;
pub mod catalog;
pub mod evaluate;
pub mod health;
pub mod live;
pub mod measurements;
pub mod metrics;
pub mod notifications;
pub mod openapi;
pub mod phase_fit;
pub mod platforms;
pub mod presets;
pub mod scaling;
pub mod scenarios;
pub mod session;
pub mod users;
pub mod usl;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::{delete, get, post};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::trace::TraceLayer;

use crate::auth;
use crate::error::AppError;
use crate::http::{headers, host, rate_limit, request_timeout};
use crate::spa::SpaSource;
use crate::state::AppState;

/// Largest request body the API accepts. Scenarios are a few KiB; 1 MiB leaves room for a user
/// pricing catalog without letting a client make the server buffer megabytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The whole HTTP surface: the API, `/metrics`, then the SPA for everything else, inside the
/// guards (outermost first): tracing, the `Host` allowlist, security headers, compression, the
/// request timeout, the write rate limit, who is asking ([`auth::identify`]).
pub fn router(state: AppState) -> Router {
    let limits = Arc::clone(&state.limits);
    let gate = auth::Gate {
        access: Arc::clone(&state.access),
        store: state.store.clone(),
        rate_limit: Arc::clone(&state.rate_limit),
        allowed_hosts: Arc::new(limits.allowed_hosts.clone()),
    };
    api()
        .route("/metrics", get(metrics::render))
        .fallback(spa_fallback)
        .route_layer(from_fn_with_state(
            Arc::clone(&state.metrics),
            metrics::track,
        ))
        .layer(from_fn_with_state(gate, auth::identify))
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

async fn spa_fallback(State(spa): State<Arc<SpaSource>>, uri: Uri, headers: HeaderMap) -> Response {
    spa.serve(&uri, &headers).await
}

/// The routes under `/api`: `/api/v1/…` and the seeds' `/api/scaling/…`.
fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/health", get(health::health))
        .route("/api/v1/phase-fit", post(phase_fit::phase_fit))
        .route("/api/v1/usl/fit", post(usl::fit_usl))
        .route("/api/v1/measurements/parse", post(measurements::parse_file))
        .route("/api/v1/catalog", get(catalog::catalog))
        .route("/api/v1/presets", get(presets::list))
        .route("/api/v1/evaluate", post(evaluate::evaluate))
        .route(
            "/api/v1/bundles/{phase}/{file}",
            get(bundles::default_scenario).post(bundles::for_scenario),
        )
        .route(
            "/api/v1/scenarios",
            get(scenarios::list).post(scenarios::create),
        )
        .route(
            "/api/v1/scenarios/{id}",
            get(scenarios::get_latest)
                .put(scenarios::save)
                .delete(scenarios::archive),
        )
        .route("/api/v1/scenarios/{id}/restore", post(scenarios::restore))
        .route(
            "/api/v1/scenarios/{id}/duplicate",
            post(scenarios::duplicate),
        )
        .route(
            "/api/v1/scenarios/{id}/revisions",
            get(scenarios::revisions),
        )
        .route(
            "/api/v1/scenarios/{id}/revisions/{n}",
            get(scenarios::revision),
        )
        .route("/api/v1/scenarios/{id}/diff", get(scenarios::diff))
        .route(
            "/api/v1/session",
            post(session::sign_in).delete(session::sign_out),
        )
        .route("/api/v1/me", get(session::me))
        .route("/api/v1/users", get(users::list).post(users::add))
        .route("/api/v1/users/{name}", delete(users::remove))
        .route(
            "/api/v1/tokens",
            get(users::tokens).post(users::create_token),
        )
        .route("/api/v1/tokens/{name}", delete(users::revoke_token))
        .route("/api/v1/audit", get(audit::page))
        .route(
            "/api/v1/platforms",
            get(platforms::list).post(platforms::create),
        )
        .route(
            "/api/v1/platforms/{id}",
            get(platforms::get).patch(platforms::edit),
        )
        .route("/api/v1/platforms/{id}/status", get(platforms::status))
        .route(
            "/api/v1/platforms/{id}/transitions",
            get(platforms::transitions).post(platforms::record),
        )
        .route(
            "/api/v1/platforms/{id}/checklist",
            get(platforms::checklist)
                .post(platforms::add_item)
                .patch(platforms::edit_item),
        )
        .route(
            "/api/v1/platforms/{id}/milestones",
            get(platforms::milestones).patch(platforms::edit_milestones),
        )
        .route(
            "/api/v1/platforms/{id}/notification-rules",
            get(notifications::rules).post(notifications::add_rule),
        )
        .route(
            "/api/v1/platforms/{id}/notification-rules/{rule}",
            delete(notifications::remove_rule),
        )
        .route(
            "/api/v1/notifications/channels",
            get(notifications::channels).post(notifications::add_channel),
        )
        .route(
            "/api/v1/notifications/channels/{id}",
            axum::routing::patch(notifications::edit_channel).delete(notifications::remove_channel),
        )
        .route(
            "/api/v1/notifications/channels/{id}/test",
            post(notifications::test_channel),
        )
        .route(
            "/api/v1/notifications/deliveries",
            get(notifications::deliveries),
        )
        .route("/api/v1/alertmanager", post(notifications::alertmanager))
        .route("/api/scaling/status", get(scaling::status))
        .route("/api/scaling/phase-summary", get(scaling::phase_summary))
        .route(
            "/api/scaling/deployment-configs",
            get(scaling::deployment_configs),
        )
        .route("/api/scaling/transition/{phase}", post(scaling::transition))
        .route("/api/v1/live/snapshot", get(live::snapshot))
        .route("/api/v1/live/history", get(live::history))
        .route("/api/v1/live/analysis", get(live::analysis))
        .route("/api/v1/live/calibration", get(live::calibration))
        .route("/api/v1/live/stream", get(live::stream))
        .route("/api/v1/openapi.json", get(openapi::openapi_json))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .route("/api", axum::routing::any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// A page size from a query's `limit`: `default` when absent, else 1–`max` (a 422 naming
/// `limit` otherwise).
pub fn page_limit(limit: Option<u32>, default: u32, max: u32) -> Result<u32, AppError> {
    let limit = limit.unwrap_or(default);
    if (1..=max).contains(&limit) {
        Ok(limit)
    } else {
        Err(phaseplan_model::ValidationError::new(
            "limit",
            phaseplan_model::Reason::OutOfRange {
                min: 1.0,
                max: f64::from(max),
            },
        )
        .into())
    }
}

/// Unknown API paths get a JSON 404, never the SPA's index.html.
async fn api_not_found(uri: Uri) -> AppError {
    AppError::NotFound(uri.path().to_owned())
}

async fn method_not_allowed(method: Method, uri: Uri) -> AppError {
    AppError::MethodNotAllowed {
        method: method.as_str().chars().take(20).collect(),
        path: uri.path().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt as _;

    use super::*;
    use crate::config::Settings;

    /// The router, without a port: requests go straight to it (`oneshot`).
    async fn app() -> Router {
        let (state, _sources) = AppState::build(&Settings::default()).await.unwrap();
        router(state)
    }

    async fn call(
        method: &str,
        uri: &str,
        host: &str,
    ) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("host", host)
            .body(Body::empty())
            .unwrap();
        let res = app().await.oneshot(req).await.unwrap();
        let (parts, body) = res.into_parts();
        let bytes = to_bytes(body, 1 << 20).await.unwrap();
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (parts.status, parts.headers, json)
    }

    #[tokio::test]
    async fn the_router_answers_and_refuses_in_one_shape() {
        let (status, headers, body) = call("GET", "/api/v1/health", "localhost").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["name"], "phaseplan-server");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        for (method, uri, host, want, code) in [
            ("GET", "/api/v1/nope", "localhost", 404, "not_found"),
            (
                "DELETE",
                "/api/v1/health",
                "localhost",
                405,
                "method_not_allowed",
            ),
            (
                "GET",
                "/api/v1/live/history?metric=x",
                "localhost",
                422,
                "invalid_input",
            ),
            (
                "GET",
                "/api/v1/health",
                "evil.example",
                421,
                "misdirected_request",
            ),
            (
                "GET",
                "/api/v1/bundles/growth/%FF.zip",
                "localhost",
                404,
                "not_found",
            ),
        ] {
            let (status, _, body) = call(method, uri, host).await;
            assert_eq!(status.as_u16(), want, "{method} {uri}");
            assert_eq!(body["error"]["code"], code, "{method} {uri}");
        }
    }
}
