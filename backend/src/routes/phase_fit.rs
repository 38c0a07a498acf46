use axum::extract::State;
use phaseplan_model::Users;
use phaseplan_model::api::{PhaseFitRequest, PhaseFitResponse};

use crate::error::{AppError, AppJson};
use crate::startup::AppState;

/// `POST /api/v1/phase-fit`: the phase that fits a peak of concurrent users — the same function
/// the SPA runs in the browser.
pub async fn phase_fit(
    State(state): State<AppState>,
    AppJson(req): AppJson<PhaseFitRequest>,
) -> Result<AppJson<PhaseFitResponse>, AppError> {
    let users = Users::new("peak_concurrent_users", req.peak_concurrent_users)?;
    Ok(AppJson(state.ladder.fit(users)))
}
