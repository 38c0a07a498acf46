use axum::Json;
use phaseplan_model::presets::{Preset, presets};

/// `GET /api/v1/presets`: the built-in scenarios (the seeds' three platforms), each with where its
/// numbers come from.
pub async fn list() -> Json<Vec<Preset>> {
    Json(presets())
}
