//! The seeds' scaling API under `/api/scaling/`, in the seeds' shapes (camelCase, a `message`
//! beside the payload), answering for `?platform=NAME` (default `default`): a seed platform's
//! own clients can use Phaseplan as their scaling service. Every figure comes from the same
//! judgement as the native routes ([`crate::operations::judge`]).

use std::sync::Arc;

use axum::extract::{FromRequest, Request, State};
use axum::http::header;
use bytes::Bytes;
use phaseplan_model::api::ErrorBody;
use phaseplan_model::bundle::{BundleSpec, render};
use phaseplan_model::cost::catalog::Catalog;
use phaseplan_model::operations::scaling::{
    self, DeploymentConfigsResponse, PhaseSummaryResponse, StatusParts, StatusResponse,
    TransitionResponse, TransitionResult,
};
use phaseplan_model::operations::{DEFAULT_PLATFORM, TransitionRequest};

use crate::auth::Editor;
use crate::error::{AppError, AppJson, AppPath, AppQuery};
use crate::extract::decode;
use crate::http::work::WorkPool;
use crate::live::LiveHub;
use crate::operations::{self as ops, Judged};
use crate::store::Store;

/// Which platform: `?platform=NAME`, default `default`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Which {
    /// The platform's name (default `default`).
    platform: Option<String>,
}

impl Which {
    fn name(&self) -> &str {
        self.platform.as_deref().unwrap_or(DEFAULT_PLATFORM)
    }
}

/// Here the platform is a query parameter: an unknown one is a 404 naming `platform`.
fn named_platform(e: AppError) -> AppError {
    match e {
        AppError::UnknownInPath {
            field: "id",
            message,
        } if message.contains("platform") => AppError::UnknownInPath {
            field: "platform",
            message,
        },
        other => other,
    }
}

async fn judged(store: &Store, hub: &LiveHub, which: &Which) -> Result<Judged, AppError> {
    ops::judge(store, hub, which.name())
        .await
        .map_err(named_platform)
}

fn seed_status(j: &Judged) -> scaling::ScalingStatus {
    scaling::status(&StatusParts {
        scenario: &j.loaded.valid,
        phase_index: j.loaded.phase_index,
        live: &j.live,
        latest: &j.latest,
        checklist: &j.checklist,
        milestones: &j.milestones,
        plan_users: j.plan_users(),
    })
}

#[utoipa::path(get, path = "/api/scaling/status", tag = "scaling", operation_id = "scaling_status", params(Which),
    responses(
        (status = 200, description = "The seeds' scaling status: phase, capacity, progress, recommendations, infrastructure and timeline", body = StatusResponse),
        (status = 404, description = "No such platform (`field`: `platform`)", body = ErrorBody),
        (status = 422, description = "A query parameter this route does not take (named)", body = ErrorBody),
    ))]
pub async fn status(
    State(store): State<Store>,
    State(hub): State<Arc<LiveHub>>,
    AppQuery(which): AppQuery<Which>,
) -> Result<AppJson<StatusResponse>, AppError> {
    let j = judged(&store, &hub, &which).await?;
    Ok(AppJson(StatusResponse {
        message: "Scaling status retrieved successfully".to_owned(),
        status: seed_status(&j),
    }))
}

#[utoipa::path(get, path = "/api/scaling/phase-summary", tag = "scaling", operation_id = "scaling_phase_summary", params(Which),
    responses(
        (status = 200, description = "The status in short", body = PhaseSummaryResponse),
        (status = 404, description = "No such platform (`field`: `platform`)", body = ErrorBody),
        (status = 422, description = "A query parameter this route does not take (named)", body = ErrorBody),
    ))]
pub async fn phase_summary(
    State(store): State<Store>,
    State(hub): State<Arc<LiveHub>>,
    AppQuery(which): AppQuery<Which>,
) -> Result<AppJson<PhaseSummaryResponse>, AppError> {
    let j = judged(&store, &hub, &which).await?;
    Ok(AppJson(PhaseSummaryResponse {
        message: "Phase summary retrieved successfully".to_owned(),
        summary: scaling::summary(&seed_status(&j)),
    }))
}

#[utoipa::path(get, path = "/api/scaling/deployment-configs", tag = "scaling", operation_id = "scaling_deployment_configs", params(Which),
    responses(
        (status = 200, description = "The current phase's deployment configuration for the platform's provider, from the revision it follows: compose, environment, nginx, Kubernetes, and every file of the bundle", body = DeploymentConfigsResponse),
        (status = 404, description = "No such platform (`field`: `platform`)", body = ErrorBody),
        (status = 422, description = "A query parameter this route does not take (named)", body = ErrorBody),
        (status = 503, description = "The work queue is full", body = ErrorBody),
    ))]
pub async fn deployment_configs(
    State(store): State<Store>,
    State(catalog): State<Arc<Catalog>>,
    State(work): State<Arc<WorkPool>>,
    AppQuery(which): AppQuery<Which>,
) -> Result<AppJson<DeploymentConfigsResponse>, AppError> {
    let loaded = ops::load(&store, which.name())
        .await
        .map_err(named_platform)?;
    let citation = super::scenarios::citation(&loaded.saved);
    let configs = work
        .run("the bundle", move || {
            let mut spec = BundleSpec::new(
                &loaded.valid,
                &catalog,
                &loaded.row.phase,
                loaded.row.provider,
            )?;
            spec.saved = Some(citation);
            spec.platform = Some(loaded.row.name.clone());
            let bundle = render(&spec)?;
            Ok::<_, AppError>(scaling::deployment_configs(&spec, &bundle))
        })
        .await??;
    Ok(AppJson(DeploymentConfigsResponse {
        message: "Deployment configurations generated successfully".to_owned(),
        configs,
    }))
}

/// The transition's body is optional: none, or `{"reason", "force"}`.
#[derive(Debug)]
pub struct OptionalBody(TransitionRequest);

impl<S: Send + Sync> FromRequest<S> for OptionalBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let has_type = req.headers().contains_key(header::CONTENT_TYPE);
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::PayloadTooLarge)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalBody(TransitionRequest::default()));
        }
        if !has_type {
            return Err(AppError::UnsupportedMediaType);
        }
        decode(&bytes).map(OptionalBody)
    }
}

#[utoipa::path(post, path = "/api/scaling/transition/{phase}", tag = "scaling", operation_id = "scaling_transition",
    params(("phase" = String, Path, description = "The phase to move to", example = "growth"), Which),
    request_body(content = Option<TransitionRequest>, description = "Optional: why, and `force` to skip phases",
        example = json!({"reason": "Users passed 60 % of Launch", "force": false})),
    responses(
        (status = 200, description = "Recorded: what changed and what to do next", body = TransitionResponse),
        (status = 404, description = "No such platform (`platform`) or phase (`phase`)", body = ErrorBody),
        (status = 409, description = "The platform moved meanwhile, or its scenario is archived (`scenario_id`)", body = ErrorBody),
        (status = 422, description = "The phase it is on, or a skip without `force` (`phase`)", body = ErrorBody),
        (status = 503, description = "The work queue is full", body = ErrorBody),
    ))]
#[allow(clippy::too_many_arguments)]
pub async fn transition(
    Editor(who): Editor,
    State(store): State<Store>,
    State(hub): State<Arc<LiveHub>>,
    State(catalog): State<Arc<Catalog>>,
    State(work): State<Arc<WorkPool>>,
    State(notifier): State<Arc<crate::notify::Notifier>>,
    AppPath(phase): AppPath<String>,
    AppQuery(which): AppQuery<Which>,
    OptionalBody(body): OptionalBody,
) -> Result<AppJson<TransitionResponse>, AppError> {
    let done = ops::transition(
        &store,
        &hub,
        &catalog,
        &work,
        &*notifier,
        &who.actor(),
        which.name(),
        &phase,
        &body.reason,
        body.force,
    )
    .await
    .map_err(named_platform)?;
    Ok(AppJson(TransitionResponse {
        message: "Phase transition recorded successfully".to_owned(),
        result: TransitionResult {
            success: true,
            message: format!(
                "Recorded the transition from {} to {}{}",
                done.record.from_name,
                done.record.to_name,
                if done.record.forced { " (forced)" } else { "" }
            ),
            actions: done.changes,
            next_steps: done.next_steps,
        },
    }))
}
