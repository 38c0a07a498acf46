use axum::Json;
use phaseplan_model::presets::{Preset, presets};

/// `GET /api/v1/presets`: the built-in scenarios (the seeds' three platforms), each with where its
/// numbers come from.
#[utoipa::path(get, path = "/api/v1/presets", tag = "plan",
    responses((status = 200, description = "The built-in scenarios", body = Vec<Preset>)))]
pub async fn list() -> Json<Vec<Preset>> {
    Json(presets())
}
