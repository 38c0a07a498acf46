//! Platforms: what each follows, its phase and transitions, its checklist toward the next phase
//! and its milestones. Reading needs a viewer; every write an editor, recorded with its author
//! in the audit log, and each a compare-and-set on what was read (a stale edit is a 409 with
//! the current version in `current_revision`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use phaseplan_model::access::AuditAction;
use phaseplan_model::api::ErrorBody;
use phaseplan_model::cost::catalog::Catalog;
use phaseplan_model::live::planned_phase_now;
use phaseplan_model::operations::checklist::{MAX_PERSON_ITEMS, plan_actions};
use phaseplan_model::operations::{
    Checklist, ChecklistEdit, MilestoneEdit, Milestones, NewChecklistItem, NewPlatform,
    NewTransition, Platform, PlatformEdit, PlatformStatus, TransitionRecord, check_platform,
};
use phaseplan_model::{Reason, ValidationError};
use serde::{Deserialize, Serialize};

use crate::auth::Editor;
use crate::error::{AppError, AppJson, AppPath};
use crate::http::work::WorkPool;
use crate::live::LiveHub;
use crate::operations::{self as ops, Loaded};
use crate::store::{NewPlatformRow, PlatformChange, Store};

/// `GET /api/v1/platforms`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlatformList {
    pub platforms: Vec<Platform>,
}

/// `GET /api/v1/platforms/{id}/transitions`: newest first.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TransitionList {
    pub transitions: Vec<TransitionRecord>,
}

/// What a recorded transition answers: the record, what changed between the two phases'
/// bundles, and what to do to run the new phase.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TransitionOutcome {
    pub transition: TransitionRecord,
    pub changes: Vec<String>,
    pub next_steps: Vec<String>,
}

/// A source name the server has, or a 422 naming `sources[i]`.
fn check_sources(hub: &LiveHub, sources: Option<&[String]>) -> Result<(), AppError> {
    let known = hub.source_names();
    for (i, s) in sources.unwrap_or_default().iter().enumerate() {
        if !known.contains(s) {
            return Err(ValidationError::new(
                format!("sources[{i}]"),
                Reason::NotOneOf {
                    got: s.clone(),
                    known: known.clone(),
                },
            )
            .into());
        }
    }
    Ok(())
}

/// A body's scenario id or revision that names nothing is a 422 naming it (it is not a path).
fn body_field(e: AppError) -> AppError {
    match e {
        AppError::UnknownInPath { field, message } => {
            let field = if field == "id" { "scenario_id" } else { field };
            AppError::Invalid(ValidationError::new(field, Reason::Unknown(message)))
        }
        other => other,
    }
}

fn archived(name: &str) -> AppError {
    AppError::Conflict {
        message: format!(
            "the scenario {name:?} is archived: restore it before a platform follows it"
        ),
        current_revision: None,
        field: Some("scenario_id"),
    }
}

#[utoipa::path(get, path = "/api/v1/platforms", tag = "operations", operation_id = "list_platforms",
    responses((status = 200, description = "Every platform, by name", body = PlatformList)))]
pub async fn list(State(store): State<Store>) -> Result<AppJson<PlatformList>, AppError> {
    let mut platforms = Vec::new();
    for row in store.platforms().await? {
        platforms.push(ops::load(&store, &row.name).await?.view());
    }
    Ok(AppJson(PlatformList { platforms }))
}

#[utoipa::path(post, path = "/api/v1/platforms", tag = "operations", operation_id = "create_platform",
    request_body(content = NewPlatform, description = "A name, the saved scenario it follows and, optionally, its revision, provider, live sources and phase",
        example = json!({"name": "staging", "scenario_id": "Zm9vYmFyYmF6cXV4", "provider": "hetzner", "sources": null, "phase": "launch"})),
    responses(
        (status = 201, description = "Created", body = Platform),
        (status = 409, description = "A platform of that name exists (`field`: `name`), or the scenario is archived (`scenario_id`)", body = ErrorBody),
        (status = 422, description = "A field is invalid or names nothing (named)", body = ErrorBody),
    ))]
pub async fn create(
    Editor(who): Editor,
    State(store): State<Store>,
    State(hub): State<Arc<LiveHub>>,
    AppJson(body): AppJson<NewPlatform>,
) -> Result<Response, AppError> {
    check_platform(&body.name, body.sources.as_deref())?;
    check_sources(&hub, body.sources.as_deref())?;
    let saved = match body.revision {
        Some(n) => store.revision(&body.scenario_id, n).await,
        None => store.latest(&body.scenario_id).await,
    }
    .map_err(|e| body_field(e.into()))?;
    if saved.archived {
        return Err(archived(&saved.name));
    }
    let valid = saved.scenario.clone().validate()?;
    let phases = valid.ladder().phases();
    let phase = match &body.phase {
        Some(k) => phases.iter().find(|p| &p.key == k).ok_or_else(|| {
            ValidationError::new(
                "phase",
                Reason::NotOneOf {
                    got: k.clone(),
                    known: phases.iter().map(|p| p.key.clone()).collect(),
                },
            )
        })?,
        None => &phases[planned_phase_now(&valid)],
    };
    store
        .create_platform(
            &NewPlatformRow {
                name: &body.name,
                scenario_id: &saved.id,
                revision: saved.revision,
                provider: body.provider.unwrap_or(saved.scenario.pricing.provider),
                sources: body.sources.as_deref(),
                phase: &phase.key,
            },
            &who.actor(),
        )
        .await?;
    let view = ops::load(&store, &body.name).await?.view();
    Ok((StatusCode::CREATED, AppJson(view)).into_response())
}

#[utoipa::path(get, path = "/api/v1/platforms/{id}", tag = "operations", operation_id = "get_platform",
    params(("id" = String, Path, description = "The platform's name", example = "default")),
    responses(
        (status = 200, description = "The platform", body = Platform),
        (status = 404, description = "No such platform (`field`: `id`)", body = ErrorBody),
    ))]
pub async fn get(
    State(store): State<Store>,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<Platform>, AppError> {
    Ok(AppJson(ops::load(&store, &id).await?.view()))
}

#[utoipa::path(patch, path = "/api/v1/platforms/{id}", tag = "operations", operation_id = "edit_platform",
    params(("id" = String, Path, description = "The platform's name", example = "default")),
    request_body(content = PlatformEdit, description = "The version read, and what to change: the revision (or scenario) followed, the provider, the live sources",
        example = json!({"version": 1, "revision": 2})),
    responses(
        (status = 200, description = "Changed", body = Platform),
        (status = 404, description = "No such platform (`field`: `id`)", body = ErrorBody),
        (status = 409, description = "Changed since that version was read (`current_revision` is the current version), or the scenario is archived", body = ErrorBody),
        (status = 422, description = "A field is invalid or names nothing; a revision whose ladder lacks the platform's phase (`revision`)", body = ErrorBody),
    ))]
pub async fn edit(
    Editor(who): Editor,
    State(store): State<Store>,
    State(hub): State<Arc<LiveHub>>,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<PlatformEdit>,
) -> Result<AppJson<Platform>, AppError> {
    let current = ops::load(&store, &id).await?;
    let sources = match &body.sources {
        Some(s) => s.clone(),
        None => current.row.sources.clone(),
    };
    check_platform(&id, sources.as_deref())?;
    check_sources(&hub, sources.as_deref())?;
    let scenario_id = body
        .scenario_id
        .clone()
        .unwrap_or_else(|| current.row.scenario_id.clone());
    let saved = match (body.revision, body.scenario_id.is_some()) {
        (Some(n), _) => store.revision(&scenario_id, n).await,
        (None, true) => store.latest(&scenario_id).await,
        (None, false) => Ok(current.saved.clone()),
    }
    .map_err(|e| body_field(e.into()))?;
    if saved.archived {
        return Err(archived(&saved.name));
    }
    let valid = saved.scenario.clone().validate()?;
    if !valid
        .ladder()
        .phases()
        .iter()
        .any(|p| p.key == current.row.phase)
    {
        return Err(ValidationError::new(
            "revision",
            Reason::Unknown(format!(
                "revision {} has no phase {:?}, the phase the platform is on: record a \
                 transition first",
                saved.revision, current.row.phase
            )),
        )
        .into());
    }
    let provider = body.provider.unwrap_or(current.row.provider);
    let what = format!(
        "follows {} revision {} on {}",
        saved.id,
        saved.revision,
        provider.key()
    );
    store
        .edit_platform(
            &id,
            body.version,
            &PlatformChange {
                scenario_id: &saved.id,
                revision: saved.revision,
                provider,
                sources: sources.as_deref(),
                durations: &current.row.durations,
            },
            &who.actor(),
            AuditAction::PlatformEdit,
            &what,
        )
        .await?;
    let loaded = ops::load(&store, &id).await?;
    if id == phaseplan_model::operations::DEFAULT_PLATFORM {
        hub.follow(loaded.live_plan());
    }
    Ok(AppJson(loaded.view()))
}

#[utoipa::path(get, path = "/api/v1/platforms/{id}/status", tag = "operations", operation_id = "platform_status",
    params(("id" = String, Path, description = "The platform's name", example = "default")),
    responses(
        (status = 200, description = "The platform, its ladder, its live analysis (its own sources against its phase), checklist, milestones and transitions", body = PlatformStatus),
        (status = 404, description = "No such platform (`field`: `id`)", body = ErrorBody),
    ))]
pub async fn status(
    State(store): State<Store>,
    State(hub): State<Arc<LiveHub>>,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<PlatformStatus>, AppError> {
    Ok(AppJson(ops::judge(&store, &hub, &id).await?.status()))
}

#[utoipa::path(get, path = "/api/v1/platforms/{id}/transitions", tag = "operations", operation_id = "list_transitions",
    params(("id" = String, Path, description = "The platform's name", example = "default")),
    responses(
        (status = 200, description = "Its transitions, newest first", body = TransitionList),
        (status = 404, description = "No such platform (`field`: `id`)", body = ErrorBody),
    ))]
pub async fn transitions(
    State(store): State<Store>,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<TransitionList>, AppError> {
    store.platform(&id).await?;
    let transitions = store
        .transitions(&id)
        .await?
        .iter()
        .map(ops::record_view)
        .collect();
    Ok(AppJson(TransitionList { transitions }))
}

#[utoipa::path(post, path = "/api/v1/platforms/{id}/transitions", tag = "operations", operation_id = "record_transition",
    params(("id" = String, Path, description = "The platform's name", example = "default")),
    request_body(content = NewTransition, description = "The phase moved to, why, and `force` to skip phases",
        example = json!({"to": "growth", "reason": "Users passed 60 % of Launch", "force": false})),
    responses(
        (status = 201, description = "Recorded", body = TransitionOutcome),
        (status = 404, description = "No such platform (`id`) or phase (`phase`)", body = ErrorBody),
        (status = 409, description = "The platform moved since it was read, or its scenario is archived (`scenario_id`)", body = ErrorBody),
        (status = 422, description = "The phase it is on, or a skip without `force` (`phase`); a reason too long (`reason`)", body = ErrorBody),
        (status = 503, description = "The work queue is full", body = ErrorBody),
    ))]
#[allow(clippy::too_many_arguments)]
pub async fn record(
    Editor(who): Editor,
    State(store): State<Store>,
    State(hub): State<Arc<LiveHub>>,
    State(catalog): State<Arc<Catalog>>,
    State(work): State<Arc<WorkPool>>,
    State(notifier): State<Arc<crate::notify::Notifier>>,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<NewTransition>,
) -> Result<Response, AppError> {
    let done = ops::transition(
        &store,
        &hub,
        &catalog,
        &work,
        &*notifier,
        &who.actor(),
        &id,
        &body.to,
        &body.reason,
        body.force,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        AppJson(TransitionOutcome {
            transition: done.record,
            changes: done.changes,
            next_steps: done.next_steps,
        }),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/platforms/{id}/checklist", tag = "operations", operation_id = "get_checklist",
    params(("id" = String, Path, description = "The platform's name", example = "default")),
    responses(
        (status = 200, description = "The checklist toward the next phase", body = Checklist),
        (status = 404, description = "No such platform (`field`: `id`)", body = ErrorBody),
    ))]
pub async fn checklist(
    State(store): State<Store>,
    State(hub): State<Arc<LiveHub>>,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<Checklist>, AppError> {
    Ok(AppJson(ops::judge(&store, &hub, &id).await?.checklist))
}

#[utoipa::path(post, path = "/api/v1/platforms/{id}/checklist", tag = "operations", operation_id = "add_checklist_item",
    params(("id" = String, Path, description = "The platform's name", example = "default")),
    request_body(content = NewChecklistItem, description = "An action toward the next phase",
        example = json!({"title": "Load-test the new pool at 5,000 users", "component": "db_connections"})),
    responses(
        (status = 201, description = "Added; the whole checklist", body = Checklist),
        (status = 404, description = "No such platform (`field`: `id`)", body = ErrorBody),
        (status = 422, description = "A title empty, too long or with control characters, or too many actions (`title`)", body = ErrorBody),
    ))]
pub async fn add_item(
    Editor(who): Editor,
    State(store): State<Store>,
    State(hub): State<Arc<LiveHub>>,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<NewChecklistItem>,
) -> Result<Response, AppError> {
    body.validate()?;
    let loaded = ops::load(&store, &id).await?;
    let (toward, _) = plan_actions(&loaded.valid, loaded.phase_index);
    store
        .add_item(
            &id,
            toward.as_deref().unwrap_or_default(),
            body.title.trim(),
            body.component,
            MAX_PERSON_ITEMS,
            &who.actor(),
        )
        .await?;
    let list = ops::judge(&store, &hub, &id).await?.checklist;
    Ok((StatusCode::CREATED, AppJson(list)).into_response())
}

#[utoipa::path(patch, path = "/api/v1/platforms/{id}/checklist", tag = "operations", operation_id = "edit_checklist_item",
    params(("id" = String, Path, description = "The platform's name", example = "default")),
    request_body(content = ChecklistEdit, description = "An item's new state, and the version it was read at",
        example = json!({"id": "growth.database.read_replicas", "state": "in-progress", "version": 0})),
    responses(
        (status = 200, description = "Changed; the whole checklist", body = Checklist),
        (status = 404, description = "No such platform, or no such item on its checklist (`field`: `id`)", body = ErrorBody),
        (status = 409, description = "The item changed since it was read (`current_revision` is its version)", body = ErrorBody),
    ))]
pub async fn edit_item(
    Editor(who): Editor,
    State(store): State<Store>,
    State(hub): State<Arc<LiveHub>>,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<ChecklistEdit>,
) -> Result<AppJson<Checklist>, AppError> {
    let judged = ops::judge(&store, &hub, &id).await?;
    let item = judged
        .checklist
        .items
        .iter()
        .find(|i| i.id == body.id)
        .ok_or_else(|| AppError::UnknownInPath {
            field: "id",
            message: format!(
                "the checklist of platform {id:?} has no item {:?}",
                body.id.chars().take(80).collect::<String>()
            ),
        })?;
    let toward = judged.checklist.toward.clone().unwrap_or_default();
    let plan = (item.origin == phaseplan_model::operations::ActionOrigin::Plan).then_some((
        toward.as_str(),
        item.title.as_str(),
        item.component,
    ));
    store
        .edit_item(&id, &body.id, plan, body.state, body.version, &who.actor())
        .await?;
    Ok(AppJson(ops::judge(&store, &hub, &id).await?.checklist))
}

#[utoipa::path(get, path = "/api/v1/platforms/{id}/milestones", tag = "operations", operation_id = "get_milestones",
    params(("id" = String, Path, description = "The platform's name", example = "default")),
    responses(
        (status = 200, description = "Milestones with their target dates and status against today and the live forecast", body = Milestones),
        (status = 404, description = "No such platform (`field`: `id`)", body = ErrorBody),
    ))]
pub async fn milestones(
    State(store): State<Store>,
    State(hub): State<Arc<LiveHub>>,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<Milestones>, AppError> {
    Ok(AppJson(ops::judge(&store, &hub, &id).await?.milestones))
}

#[utoipa::path(patch, path = "/api/v1/platforms/{id}/milestones", tag = "operations", operation_id = "edit_milestones",
    params(("id" = String, Path, description = "The platform's name", example = "default")),
    request_body(content = MilestoneEdit, description = "A step's durations (the seeds' are the defaults), or the last move's validation",
        example = json!({"toward": "growth", "preparation": "3-4 weeks", "execution": "2-4 hours", "validation": "2-3 days"})),
    responses(
        (status = 200, description = "Changed; the milestones", body = Milestones),
        (status = 404, description = "No such platform (`field`: `id`)", body = ErrorBody),
        (status = 409, description = "The platform changed meanwhile", body = ErrorBody),
        (status = 422, description = "A duration that does not read, a phase not on the ladder (`toward`), a validation of a move not made (`validated`)", body = ErrorBody),
    ))]
pub async fn edit_milestones(
    Editor(who): Editor,
    State(store): State<Store>,
    State(hub): State<Arc<LiveHub>>,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<MilestoneEdit>,
) -> Result<AppJson<Milestones>, AppError> {
    let loaded = ops::load(&store, &id).await?;
    let phases = loaded.valid.ladder().phases();
    let to = phases
        .iter()
        .position(|p| p.key == body.toward)
        .filter(|i| *i > 0)
        .ok_or_else(|| {
            ValidationError::new(
                "toward",
                Reason::NotOneOf {
                    got: body.toward.chars().take(40).collect(),
                    known: phases.iter().skip(1).map(|p| p.key.clone()).collect(),
                },
            )
        })?;
    if let Some(validated) = body.validated {
        validate_move(&store, &loaded, &body.toward, validated, &who).await?;
    }
    let durations_changed = body.reset_durations
        || body.preparation.is_some()
        || body.execution.is_some()
        || body.validation.is_some();
    if durations_changed {
        let mut durations = loaded.row.durations.clone();
        if body.reset_durations {
            durations.remove(&body.toward);
        } else {
            let mut d = loaded.durations(to).0;
            d.preparation = body.preparation.unwrap_or(d.preparation);
            d.execution = body.execution.unwrap_or(d.execution);
            d.validation = body.validation.unwrap_or(d.validation);
            durations.insert(body.toward.clone(), d);
        }
        store
            .edit_platform(
                &id,
                loaded.row.version,
                &PlatformChange {
                    scenario_id: &loaded.row.scenario_id,
                    revision: loaded.row.revision,
                    provider: loaded.row.provider,
                    sources: loaded.row.sources.as_deref(),
                    durations: &durations,
                },
                &who.actor(),
                AuditAction::MilestoneEdit,
                &format!("durations toward {}", body.toward),
            )
            .await?;
    }
    Ok(AppJson(ops::judge(&store, &hub, &id).await?.milestones))
}

/// Marks the last move (onto `toward`, the phase the platform is on) validated, or not.
async fn validate_move(
    store: &Store,
    loaded: &Loaded,
    toward: &str,
    validated: bool,
    who: &crate::auth::Principal,
) -> Result<(), AppError> {
    let last = store
        .transitions(&loaded.row.name)
        .await?
        .into_iter()
        .next();
    match last {
        Some(t) if t.to == toward && loaded.row.phase == toward => {
            store
                .set_validated(&loaded.row.name, t.number, validated, &who.actor())
                .await?;
            Ok(())
        }
        _ => Err(ValidationError::new(
            "validated",
            Reason::Unknown(format!(
                "the platform's last move is not onto {toward:?}: only the move onto the phase \
                 it is on can be validated"
            )),
        )
        .into()),
    }
}
