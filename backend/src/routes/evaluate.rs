use axum::extract::State;
use phaseplan_model::evaluate::{Evaluation, evaluate as run_model};
use phaseplan_model::scenario::Scenario;

use crate::error::{AppError, AppJson};
use crate::startup::AppState;

/// `POST /api/v1/evaluate`: a scenario → the full evaluation (capacity, bills, timeline, costs
/// per provider, decision matrix, migration, Monte Carlo) — the same function the SPA runs in the
/// browser, so both give the same numbers.
///
/// The model takes a few milliseconds of CPU (10,000 Monte Carlo paths by default), so it runs on
/// the blocking pool and never stalls the async workers serving other requests.
pub async fn evaluate(
    State(state): State<AppState>,
    AppJson(scenario): AppJson<Scenario>,
) -> Result<AppJson<Evaluation>, AppError> {
    let valid = scenario.validate()?;
    let catalog = state.catalog.clone();
    let evaluation = tokio::task::spawn_blocking(move || run_model(&valid, &catalog))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(AppJson(evaluation))
}
