//! The JSON API under `/api/v1`. Handlers are thin: decode, call the model, encode.

pub mod bundles;
pub mod catalog;
pub mod evaluate;
pub mod health;
pub mod live;
pub mod phase_fit;
pub mod presets;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::routing::{get, post};

use crate::error::AppError;
use crate::startup::AppState;

/// Largest request body the API accepts. Scenarios are a few KiB; 1 MiB leaves room for a user
/// pricing catalog without letting a client make the server buffer megabytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/health", get(health::health))
        .route("/api/v1/phase-fit", post(phase_fit::phase_fit))
        .route("/api/v1/catalog", get(catalog::catalog))
        .route("/api/v1/presets", get(presets::list))
        .route("/api/v1/evaluate", post(evaluate::evaluate))
        .route(
            "/api/v1/bundles/{phase}/{file}",
            get(bundles::default_scenario).post(bundles::for_scenario),
        )
        .route("/api/v1/live/snapshot", get(live::snapshot))
        .route("/api/v1/live/history", get(live::history))
        .route("/api/v1/live/analysis", get(live::analysis))
        .route("/api/v1/live/stream", get(live::stream))
        .route("/api/v1/openapi.json", get(crate::openapi::openapi_json))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .route("/api", axum::routing::any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
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
