use std::sync::Arc;

use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use phaseplan_model::api::ErrorBody;
use phaseplan_model::cost::catalog::Catalog;
use phaseplan_model::evaluate::{Evaluation, evaluate as run_model};
use phaseplan_model::presets::preset;
use phaseplan_model::scenario::Scenario;

use crate::error::{AppError, AppJson, AppQuery};
use crate::http::work::WorkPool;
use crate::routes::scenarios::SavedRef;
use crate::store::Store;

/// `POST /api/v1/evaluate`: a scenario → the full evaluation (capacity, bills, timeline, costs
/// per provider, decision matrix, migration, Monte Carlo) — the same function the SPA runs in the
/// browser, so both give the same numbers.
///
/// The model takes a few milliseconds of CPU (10,000 Monte Carlo paths by default), so it runs in
/// the bounded work pool and never stalls the async workers serving other requests; when the
/// pool is full the answer is 503 with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/evaluate", tag = "plan", params(SavedRef),
    request_body(content = Scenario, description = "A scenario, as in `/api/v1/presets`; none with `?scenario=`",
        examples(
            ("ride-hailing" = (summary = "The ride-hailing preset", value = json!(preset("ride-hailing").map(|p| p.scenario)))),
            ("ecommerce" = (summary = "The e-commerce preset", value = json!(preset("ecommerce").map(|p| p.scenario)))),
            ("file-saas" = (summary = "The file-processing SaaS preset", value = json!(preset("file-saas").map(|p| p.scenario)))),
        )),
    responses(
        (status = 200, description = "The full evaluation; of a saved revision, `Content-Location` names it (`/api/v1/scenarios/{id}/revisions/{n}`)", body = Evaluation),
        (status = 404, description = "`?scenario=` or `&revision=` names nothing saved (`field` says which)", body = ErrorBody),
        (status = 503, description = "The evaluation queue is full; `Retry-After` says when to try again", body = ErrorBody),
    ))]
pub async fn evaluate(
    State(catalog): State<Arc<Catalog>>,
    State(work): State<Arc<WorkPool>>,
    State(store): State<Store>,
    AppQuery(saved): AppQuery<SavedRef>,
    req: Request,
) -> Result<Response, AppError> {
    let (scenario, revision) = scenario_of(&store, &saved, req).await?;
    let valid = scenario.validate()?;
    let evaluation = work
        .run("the evaluation", move || run_model(&valid, &catalog))
        .await?;
    let mut res = AppJson(evaluation).into_response();
    // An evaluation of a saved revision says which revision it is of.
    if let Some(location) = revision.and_then(|(id, n)| {
        HeaderValue::from_str(&format!("/api/v1/scenarios/{id}/revisions/{n}")).ok()
    }) {
        res.headers_mut().insert(header::CONTENT_LOCATION, location);
    }
    Ok(res)
}

/// The scenario a request names: a saved revision by `?scenario=` (then the body must be
/// empty; its id and revision come with it), or the JSON body.
pub async fn scenario_of(
    store: &Store,
    saved: &SavedRef,
    req: Request,
) -> Result<(Scenario, Option<(String, u32)>), AppError> {
    match saved.load(store).await? {
        Some(s) => {
            let body = axum::body::to_bytes(req.into_body(), crate::routes::MAX_BODY_BYTES)
                .await
                .map_err(|_| AppError::PayloadTooLarge)?;
            if !body.is_empty() {
                return Err(phaseplan_model::ValidationError::new(
                    "scenario",
                    phaseplan_model::Reason::Unreadable(
                        "send the scenario in the body or name a saved one with ?scenario=, not both"
                            .to_owned(),
                    ),
                )
                .into());
            }
            Ok((s.scenario, Some((s.id, s.revision))))
        }
        None => Ok((AppJson::<Scenario>::from_request(req, &()).await?.0, None)),
    }
}
