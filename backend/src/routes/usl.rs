//! `POST /api/v1/usl/fit`: the Universal Scalability Law fitted to measurements, the same fit the
//! Capacity page runs in the browser ([`phaseplan_model::measurements::fit`]).

use std::sync::Arc;

use axum::extract::State;
use phaseplan_model::api::ErrorBody;
use phaseplan_model::measurements::{FitRequest, FitResponse, fit};

use crate::error::{AppError, AppJson};
use crate::http::work::WorkPool;

/// Fits λ, σ, κ by nonlinear least squares on the throughput, with R², the residuals and 95 %
/// intervals. It runs in the bounded work pool: a fit of many points is milliseconds of CPU.
#[utoipa::path(post, path = "/api/v1/usl/fit", tag = "plan",
    request_body(content = FitRequest, example = json!({"points": [
        {"concurrency": 1, "throughput": 64.9}, {"concurrency": 18, "throughput": 995.9},
        {"concurrency": 36, "throughput": 1652.4}, {"concurrency": 72, "throughput": 1853.2},
        {"concurrency": 108, "throughput": 1828.9}, {"concurrency": 144, "throughput": 1775.0},
        {"concurrency": 216, "throughput": 1702.2}]})),
    responses(
        (status = 200, description = "The fitted coefficients, where throughput peaks, R², the residuals in input order and approximate 95 % intervals", body = FitResponse),
        (status = 422, description = "A bad point (`points[3].throughput`), too few distinct concurrencies or data the USL cannot describe (`points`)", body = ErrorBody),
        (status = 503, description = "The work queue is full", body = ErrorBody),
    ))]
pub async fn fit_usl(
    State(work): State<Arc<WorkPool>>,
    AppJson(req): AppJson<FitRequest>,
) -> Result<AppJson<FitResponse>, AppError> {
    let answer = work.run("the fit", move || fit(&req)).await??;
    Ok(AppJson(answer))
}
