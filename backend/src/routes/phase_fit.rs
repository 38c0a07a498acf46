use axum::extract::State;
use std::sync::Arc;

use phaseplan_model::api::{PhaseFitRequest, PhaseFitResponse};
use phaseplan_model::{PhaseLadder, Users};

use crate::error::{AppError, AppJson};

/// `POST /api/v1/phase-fit`: the phase that fits a peak of concurrent users — the same function
/// the SPA runs in the browser.
#[utoipa::path(post, path = "/api/v1/phase-fit", tag = "plan",
    request_body(content = PhaseFitRequest, example = json!({"peak_concurrent_users": 1500})),
    responses((status = 200, description = "The phase that fits and the load on every phase", body = phaseplan_model::PhaseFit)))]
pub async fn phase_fit(
    State(ladder): State<Arc<PhaseLadder>>,
    AppJson(req): AppJson<PhaseFitRequest>,
) -> Result<AppJson<PhaseFitResponse>, AppError> {
    let users = Users::new("peak_concurrent_users", req.peak_concurrent_users)?;
    Ok(AppJson(ladder.fit(users)))
}
