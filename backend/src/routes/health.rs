use axum::Json;
use axum::extract::State;
use phaseplan_model::api::Health;

use crate::state::Started;

/// `GET /api/v1/health`: liveness for load balancers and the SPA's footer.
#[utoipa::path(get, path = "/api/v1/health", tag = "server",
    responses((status = 200, description = "The server is up", body = Health)))]
pub async fn health(State(Started(started)): State<Started>) -> Json<Health> {
    Json(Health {
        name: env!("CARGO_PKG_NAME").to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        uptime_seconds: started.elapsed().as_secs(),
    })
}
