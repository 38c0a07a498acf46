use axum::Json;
use axum::extract::State;
use phaseplan_model::api::Health;

use crate::startup::AppState;

/// `GET /api/v1/health`: liveness for load balancers and the SPA's footer.
#[utoipa::path(get, path = "/api/v1/health", tag = "server",
    responses((status = 200, description = "The server is up", body = Health)))]
pub async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        name: env!("CARGO_PKG_NAME").to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        uptime_seconds: state.started.elapsed().as_secs(),
    })
}
