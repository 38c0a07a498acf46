use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use phaseplan_model::cost::catalog::Catalog;

/// `GET /api/v1/catalog`: the pricing catalog the server prices with, every price with its source
/// and as-of date — the same file the SPA compiles in.
#[utoipa::path(get, path = "/api/v1/catalog", tag = "plan",
    responses((status = 200, description = "Every price with its source and as-of date", body = Catalog)))]
pub async fn catalog(State(catalog): State<Arc<Catalog>>) -> Json<Catalog> {
    Json(Catalog::clone(&catalog))
}
