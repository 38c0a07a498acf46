//! Saved scenarios: the library, each scenario's revisions, and saves that cannot overwrite one
//! another. A save names the revision it started from (`If-Match: "N"`); the store moves the
//! latest revision only from that one, so a stale save is a 409 carrying the current revision and
//! nothing is lost. Every write needs the editor role and is recorded with its author (the
//! signed-in user, `token:NAME`, or `local` without sign-in) and in the audit log.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use phaseplan_model::api::{
    ErrorBody, MAX_SAVED_NAME, Revisions, SaveScenario, SavedScenario, ScenarioPage,
};
use phaseplan_model::compare::{ScenarioDiff, input_changes, result_deltas};
use phaseplan_model::cost::catalog::Catalog;
use phaseplan_model::evaluate::evaluate_plan;
use phaseplan_model::presets::preset;
use phaseplan_model::{Reason, ValidationError};

use crate::auth::Editor;
use crate::error::{AppError, AppJson, AppPath, AppQuery};
use crate::http::work::WorkPool;
use crate::store::{Draft, ListQuery, Sort, Store};

/// Scenarios a page holds by default and at most.
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 200;

/// `GET /api/v1/scenarios` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Matches anywhere in the name or description, ignoring case.
    #[serde(default)]
    q: String,
    /// `updated` (newest change first, the default) or `name`.
    #[serde(default)]
    #[param(inline)]
    sort: Sort,
    /// `true` lists the archive instead.
    #[serde(default)]
    archived: bool,
    /// Scenarios per page, 1–200 (default 50).
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// A saved revision with its `ETag` (the revision number), as every read and save answers.
fn with_etag(status: StatusCode, saved: SavedScenario) -> Response {
    let etag = HeaderValue::from_str(&format!("\"{}\"", saved.revision)).ok();
    let location = (status == StatusCode::CREATED)
        .then(|| HeaderValue::from_str(&format!("/api/v1/scenarios/{}", saved.id)).ok())
        .flatten();
    let mut res = (status, AppJson(saved)).into_response();
    if let Some(v) = etag {
        res.headers_mut().insert(header::ETAG, v);
    }
    if let Some(v) = location {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// The revision `If-Match` names: `"N"` (as the `ETag` gave it), `W/"N"` or `N`.
fn if_match(headers: &HeaderMap) -> Result<u32, AppError> {
    let value = headers
        .get(header::IF_MATCH)
        .ok_or(AppError::PreconditionRequired)?;
    let text = value.to_str().unwrap_or_default().trim();
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    text.parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| AppError::Invalid(ValidationError::new("If-Match", Reason::NotANumber)))
}

/// Checks a save's texts and scenario before anything is written.
fn checked(body: &SaveScenario) -> Result<Draft<'_>, AppError> {
    body.validate()?;
    Ok(Draft {
        name: &body.name,
        description: &body.description,
        scenario: &body.scenario,
        message: &body.message,
    })
}

#[utoipa::path(get, path = "/api/v1/scenarios", tag = "scenarios", operation_id = "list_scenarios", params(ListParams),
    responses(
        (status = 200, description = "One page of saved scenarios", body = ScenarioPage),
        (status = 422, description = "A parameter out of range, or a cursor from elsewhere", body = ErrorBody),
    ))]
pub async fn list(
    State(store): State<Store>,
    AppQuery(p): AppQuery<ListParams>,
) -> Result<AppJson<ScenarioPage>, AppError> {
    let limit = super::page_limit(p.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    if p.q.chars().count() > MAX_SAVED_NAME {
        return Err(ValidationError::new(
            "q",
            Reason::TooLong {
                max: MAX_SAVED_NAME,
            },
        )
        .into());
    }
    let page = store
        .list(&ListQuery {
            q: p.q,
            sort: p.sort,
            archived: p.archived,
            limit,
            cursor: p.cursor,
        })
        .await?
        .map_err(|e| ValidationError::new("cursor", Reason::Unreadable(e.to_string())))?;
    Ok(AppJson(page))
}

#[utoipa::path(post, path = "/api/v1/scenarios", tag = "scenarios", operation_id = "create_scenario",
    request_body(content = SaveScenario, description = "A name and a scenario to save as revision 1",
        example = json!(preset("ride-hailing").map(|p| SaveScenario {
            name: "Ride-hailing, base case".to_owned(),
            description: "The seed plan as given".to_owned(),
            scenario: p.scenario,
            message: "First save".to_owned(),
        }))),
    responses(
        (status = 201, description = "Saved as revision 1; `Location` and `ETag` name it", body = SavedScenario),
        (status = 422, description = "A field is invalid (named); nothing is stored", body = ErrorBody),
    ))]
pub async fn create(
    Editor(who): Editor,
    State(store): State<Store>,
    AppJson(body): AppJson<SaveScenario>,
) -> Result<Response, AppError> {
    let saved = store.create(&checked(&body)?, &who.actor()).await?;
    Ok(with_etag(StatusCode::CREATED, saved))
}

#[utoipa::path(get, path = "/api/v1/scenarios/{id}", tag = "scenarios", operation_id = "get_scenario",
    params(("id" = String, Path, description = "The scenario's id")),
    responses(
        (status = 200, description = "The latest revision; `ETag` is its number", body = SavedScenario),
        (status = 404, description = "No such scenario (`field`: `id`)", body = ErrorBody),
    ))]
pub async fn get_latest(
    State(store): State<Store>,
    AppPath(id): AppPath<String>,
) -> Result<Response, AppError> {
    Ok(with_etag(StatusCode::OK, store.latest(&id).await?))
}

#[utoipa::path(put, path = "/api/v1/scenarios/{id}", tag = "scenarios", operation_id = "save_scenario",
    params(
        ("id" = String, Path, description = "The scenario's id"),
        ("If-Match" = String, Header, description = "The revision the save started from, as its `ETag` gave it: `\"3\"`"),
    ),
    request_body(content = SaveScenario, description = "The scenario to save as the next revision"),
    responses(
        (status = 200, description = "Saved as the next revision", body = SavedScenario),
        (status = 404, description = "No such scenario", body = ErrorBody),
        (status = 409, description = "Stale: saved since; `current_revision` is the latest. Or archived", body = ErrorBody),
        (status = 422, description = "A field is invalid (named); nothing is stored", body = ErrorBody),
        (status = 428, description = "No `If-Match`", body = ErrorBody),
    ))]
pub async fn save(
    Editor(who): Editor,
    State(store): State<Store>,
    AppPath(id): AppPath<String>,
    headers: HeaderMap,
    AppJson(body): AppJson<SaveScenario>,
) -> Result<Response, AppError> {
    let expected = if_match(&headers)?;
    let saved = store
        .save(&id, expected, &checked(&body)?, &who.actor())
        .await?;
    Ok(with_etag(StatusCode::OK, saved))
}

#[utoipa::path(delete, path = "/api/v1/scenarios/{id}", tag = "scenarios", operation_id = "archive_scenario",
    params(("id" = String, Path, description = "The scenario's id")),
    responses(
        (status = 200, description = "Archived (restorable); its latest revision", body = SavedScenario),
        (status = 404, description = "No such scenario", body = ErrorBody),
    ))]
pub async fn archive(
    Editor(who): Editor,
    State(store): State<Store>,
    AppPath(id): AppPath<String>,
) -> Result<Response, AppError> {
    let saved = store.set_archived(&id, true, &who.actor()).await?;
    Ok(with_etag(StatusCode::OK, saved))
}

#[utoipa::path(post, path = "/api/v1/scenarios/{id}/restore", tag = "scenarios", operation_id = "restore_scenario",
    params(("id" = String, Path, description = "The scenario's id")),
    responses(
        (status = 200, description = "Back from the archive; its latest revision", body = SavedScenario),
        (status = 404, description = "No such scenario", body = ErrorBody),
    ))]
pub async fn restore(
    Editor(who): Editor,
    State(store): State<Store>,
    AppPath(id): AppPath<String>,
) -> Result<Response, AppError> {
    let saved = store.set_archived(&id, false, &who.actor()).await?;
    Ok(with_etag(StatusCode::OK, saved))
}

#[utoipa::path(post, path = "/api/v1/scenarios/{id}/duplicate", tag = "scenarios", operation_id = "duplicate_scenario",
    params(("id" = String, Path, description = "The scenario to copy")),
    responses(
        (status = 201, description = "A new scenario whose revision 1 is the latest of `id`", body = SavedScenario),
        (status = 404, description = "No such scenario", body = ErrorBody),
    ))]
pub async fn duplicate(
    Editor(who): Editor,
    State(store): State<Store>,
    AppPath(id): AppPath<String>,
) -> Result<Response, AppError> {
    let from = store.latest(&id).await?;
    // "<name> (copy)", cut so it stays within the name's limit.
    let suffix = " (copy)";
    let keep = MAX_SAVED_NAME - suffix.chars().count();
    let name: String = from.name.chars().take(keep).collect::<String>() + suffix;
    let saved = store.duplicate(&id, &name, &who.actor()).await?;
    Ok(with_etag(StatusCode::CREATED, saved))
}

#[utoipa::path(get, path = "/api/v1/scenarios/{id}/revisions", tag = "scenarios", operation_id = "list_revisions",
    params(("id" = String, Path, description = "The scenario's id")),
    responses(
        (status = 200, description = "Every revision, newest first", body = Revisions),
        (status = 404, description = "No such scenario", body = ErrorBody),
    ))]
pub async fn revisions(
    State(store): State<Store>,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<Revisions>, AppError> {
    Ok(AppJson(Revisions {
        revisions: store.revisions(&id).await?,
    }))
}

#[utoipa::path(get, path = "/api/v1/scenarios/{id}/revisions/{n}", tag = "scenarios", operation_id = "get_revision",
    params(
        ("id" = String, Path, description = "The scenario's id"),
        ("n" = u32, Path, description = "The revision number, from 1"),
    ),
    responses(
        (status = 200, description = "That revision, whole", body = SavedScenario),
        (status = 404, description = "No such scenario (`field`: `id`) or revision (`field`: `revision`)", body = ErrorBody),
    ))]
pub async fn revision(
    State(store): State<Store>,
    AppPath((id, n)): AppPath<(String, u32)>,
) -> Result<Response, AppError> {
    Ok(with_etag(StatusCode::OK, store.revision(&id, n).await?))
}

/// `GET /api/v1/scenarios/{id}/diff` query: two revisions of `id`, or a revision of `id` and
/// one of `other`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DiffParams {
    /// The revision of `id` to compare from; default the latest.
    from: Option<u32>,
    /// The revision of `id` to compare to; default the latest. Not with `other`.
    to: Option<u32>,
    /// Another scenario to compare to, instead of another revision of `id`.
    other: Option<String>,
    /// The revision of `other`; default its latest.
    other_revision: Option<u32>,
}

/// A revision of `id`, the latest when `n` is `None`.
async fn revision_or_latest(
    store: &Store,
    id: &str,
    n: Option<u32>,
) -> Result<SavedScenario, AppError> {
    Ok(match n {
        Some(n) => store.revision(id, n).await?,
        None => store.latest(id).await?,
    })
}

#[utoipa::path(get, path = "/api/v1/scenarios/{id}/diff", tag = "scenarios", operation_id = "diff_scenarios",
    params(("id" = String, Path, description = "The scenario compared from"), DiffParams),
    responses(
        (status = 200, description = "The inputs that differ, by field path, and what that does to the key figures", body = ScenarioDiff),
        (status = 404, description = "No such scenario or revision (`field` names which)", body = ErrorBody),
        (status = 422, description = "`to` together with `other`", body = ErrorBody),
        (status = 503, description = "The work queue is full; `Retry-After` says when to try again", body = ErrorBody),
    ))]
pub async fn diff(
    State(store): State<Store>,
    State(catalog): State<Arc<Catalog>>,
    State(work): State<Arc<WorkPool>>,
    AppPath(id): AppPath<String>,
    AppQuery(p): AppQuery<DiffParams>,
) -> Result<AppJson<ScenarioDiff>, AppError> {
    if p.other.is_some() && p.to.is_some() {
        return Err(ValidationError::new(
            "to",
            Reason::Unreadable(
                "compare to `other` (and `other_revision`) or to `to`, not both".to_owned(),
            ),
        )
        .into());
    }
    let from = revision_or_latest(&store, &id, p.from).await?;
    let to = match &p.other {
        Some(other) => revision_or_latest(&store, other, p.other_revision).await?,
        None => revision_or_latest(&store, &id, p.to).await?,
    };
    let inputs = input_changes(&from.scenario, &to.scenario);
    let (a, b) = (from.scenario.validate()?, to.scenario.validate()?);
    // Two deterministic evaluations (no Monte Carlo): milliseconds, in the bounded pool.
    let results = work
        .run("the diff", move || {
            result_deltas(&evaluate_plan(&a, &catalog), &evaluate_plan(&b, &catalog))
        })
        .await?;
    Ok(AppJson(ScenarioDiff { inputs, results }))
}

/// `?scenario={id}&revision={n}`: a saved revision to evaluate or bundle instead of a scenario in
/// the body (the latest when `revision` is left out).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SavedRef {
    /// A saved scenario's id.
    pub scenario: Option<String>,
    /// Its revision; default the latest.
    pub revision: Option<u32>,
}

impl SavedRef {
    /// The saved revision named, or `None` when no `scenario` is; a `revision` alone is refused.
    pub async fn load(&self, store: &Store) -> Result<Option<SavedScenario>, AppError> {
        match (&self.scenario, self.revision) {
            (Some(id), n) => Ok(Some(revision_or_latest(store, id, n).await?)),
            (None, Some(_)) => Err(ValidationError::new(
                "revision",
                Reason::Unreadable(
                    "names a revision of no scenario: add ?scenario={id}".to_owned(),
                ),
            )
            .into()),
            (None, None) => Ok(None),
        }
    }
}

/// The citation a bundle of `saved` carries in its README.
pub fn citation(saved: &SavedScenario) -> phaseplan_model::bundle::SavedRevision {
    phaseplan_model::bundle::SavedRevision {
        id: saved.id.clone(),
        name: saved.name.clone(),
        revision: saved.revision,
        saved_at: saved.created_at.clone(),
    }
}
