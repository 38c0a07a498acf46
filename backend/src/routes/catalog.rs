use axum::Json;
use axum::extract::State;
use phaseplan_model::cost::catalog::Catalog;

use crate::startup::AppState;

/// `GET /api/v1/catalog`: the pricing catalog the server prices with, every price with its source
/// and as-of date — the same file the SPA compiles in.
#[utoipa::path(get, path = "/api/v1/catalog", tag = "plan",
    responses((status = 200, description = "Every price with its source and as-of date", body = Catalog)))]
pub async fn catalog(State(state): State<AppState>) -> Json<Catalog> {
    Json(Catalog::clone(&state.catalog))
}
