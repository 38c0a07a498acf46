//! The typed client for the server's API. Errors decode the shared JSON error body, so the UI can
//! show the server's own message.

use gloo_net::http::{Request, Response};
use phaseplan_model::access::{
    AuditPage, CreatedToken, Me, NewToken, NewUser, SignIn, Tokens, User, UserList,
};
use phaseplan_model::api::{
    ErrorBody, Health, Revisions, SaveScenario, SavedScenario, ScenarioPage,
};
use phaseplan_model::notify::{
    Channel, ChannelEdit, ChannelList, DeliveryPage, NewChannel, NewRule, Rule, RuleList,
    TestResult,
};
use phaseplan_model::operations::{
    Checklist, ChecklistEdit, MilestoneEdit, Milestones, NewChecklistItem, NewTransition, Platform,
    PlatformStatus, TransitionRecord,
};

/// Why an API call failed, in words for the UI.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer: offline, server down, CORS…
    Network(String),
    /// The server answered with an error body; `retry_after` is its `Retry-After` in seconds
    /// (429, 503), so the UI can say how long to wait.
    Server {
        status: u16,
        body: ErrorBody,
        retry_after: Option<u32>,
    },
    /// The answer was not what this client expected (version skew).
    Decode(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Network(e) => write!(f, "cannot reach the server: {e}"),
            ApiError::Server { status, body, .. } => {
                write!(f, "{status}: {}", body.error.message)
            }
            ApiError::Decode(e) => write!(f, "unexpected answer from the server: {e}"),
        }
    }
}

async fn get_json<T: serde::de::DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    send_json(
        Request::get(path)
            .header("accept", "application/json")
            .build(),
    )
    .await
}

/// `GET /api/v1/health`.
pub async fn health() -> Result<Health, ApiError> {
    get_json("/api/v1/health").await
}

/// `GET /api/v1/live/history`: one metric's points at or after `since` (unix seconds).
pub async fn live_history(
    metric: phaseplan_model::live::Metric,
    since: f64,
) -> Result<phaseplan_model::api::LiveHistory, ApiError> {
    get_json(&format!(
        "/api/v1/live/history?metric={}&since={since:.3}",
        metric.key()
    ))
    .await
}

/// `GET /api/v1/live/calibration`: the workload inputs the live history supports over `window`.
pub async fn live_calibration(
    window: phaseplan_model::calibration::Window,
) -> Result<phaseplan_model::calibration::CalibrationReport, ApiError> {
    get_json(&format!("/api/v1/live/calibration?window={}", window.key())).await
}

/// Sends a request; an answer that is not a success becomes [`ApiError::Server`] with the
/// server's own error body.
async fn send(req: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
    let res = req
        .map_err(|e| ApiError::Network(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if res.ok() {
        return Ok(res);
    }
    let status = res.status();
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.trim().parse::<u32>().ok());
    let body = res
        .json::<ErrorBody>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    Err(ApiError::Server {
        status,
        body,
        retry_after,
    })
}

async fn send_json<T: serde::de::DeserializeOwned>(
    req: Result<Request, gloo_net::Error>,
) -> Result<T, ApiError> {
    send(req)
        .await?
        .json::<T>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

/// For the answers that are only a status (`204 No Content`): there is no body to decode.
async fn send_empty(req: Result<Request, gloo_net::Error>) -> Result<(), ApiError> {
    send(req).await.map(|_| ())
}

/// A query-string value, percent-encoded.
fn q(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

/// `GET /api/v1/scenarios`: one page of the library.
pub async fn list_scenarios(
    search: &str,
    sort: &str,
    archived: bool,
    cursor: Option<&str>,
) -> Result<ScenarioPage, ApiError> {
    let mut path = format!(
        "/api/v1/scenarios?q={}&sort={sort}&archived={archived}&limit=50",
        q(search)
    );
    if let Some(c) = cursor {
        path.push_str(&format!("&cursor={}", q(c)));
    }
    get_json(&path).await
}

/// `GET /api/v1/scenarios/{id}` (the latest) or `…/revisions/{n}`.
pub async fn saved_scenario(id: &str, revision: Option<u32>) -> Result<SavedScenario, ApiError> {
    match revision {
        Some(n) => get_json(&format!("/api/v1/scenarios/{}/revisions/{n}", q(id))).await,
        None => get_json(&format!("/api/v1/scenarios/{}", q(id))).await,
    }
}

/// `GET /api/v1/scenarios/{id}/revisions`, newest first.
pub async fn revisions(id: &str) -> Result<Revisions, ApiError> {
    get_json(&format!("/api/v1/scenarios/{}/revisions", q(id))).await
}

/// `POST /api/v1/scenarios`: saves a new scenario as its revision 1.
pub async fn create_scenario(body: &SaveScenario) -> Result<SavedScenario, ApiError> {
    send_json(Request::post("/api/v1/scenarios").json(body)).await
}

/// `PUT /api/v1/scenarios/{id}` from revision `from`; a stale save is
/// `ApiError::Server { status: 409, .. }` with `error.current_revision`.
pub async fn save_scenario(
    id: &str,
    from: u32,
    body: &SaveScenario,
) -> Result<SavedScenario, ApiError> {
    send_json(
        Request::put(&format!("/api/v1/scenarios/{}", q(id)))
            .header("if-match", &format!("\"{from}\""))
            .json(body),
    )
    .await
}

/// `DELETE /api/v1/scenarios/{id}` (archive) or `POST …/restore`.
pub async fn set_archived(id: &str, archived: bool) -> Result<SavedScenario, ApiError> {
    let req = if archived {
        Request::delete(&format!("/api/v1/scenarios/{}", q(id)))
    } else {
        Request::post(&format!("/api/v1/scenarios/{}/restore", q(id)))
    };
    send_json(req.build()).await
}

/// `POST /api/v1/scenarios/{id}/duplicate`.
pub async fn duplicate(id: &str) -> Result<SavedScenario, ApiError> {
    send_json(Request::post(&format!("/api/v1/scenarios/{}/duplicate", q(id))).build()).await
}

impl ApiError {
    /// The latest revision, when this is a stale save's 409.
    pub fn current_revision(&self) -> Option<u32> {
        match self {
            ApiError::Server {
                status: 409, body, ..
            } => body.error.current_revision,
            _ => None,
        }
    }

    /// The server does not know this browser (no session, or it ended): sign in again.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiError::Server { status: 401, .. })
    }

    /// The server's own sentence, without the status: for messages shown beside a form.
    pub fn message(&self) -> String {
        match self {
            ApiError::Server { body, .. } => body.error.message.clone(),
            other => other.to_string(),
        }
    }

    /// The field the server blamed (`name`, `password`, `expires_in_days`…), if it named one.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Server { body, .. } => body.error.field.as_deref(),
            _ => None,
        }
    }
}

// Access: who is signed in, accounts, tokens, the audit log.

/// `GET /api/v1/me`: who the server takes this browser for (401 when it must sign in).
pub async fn me() -> Result<Me, ApiError> {
    get_json("/api/v1/me").await
}

/// `POST /api/v1/session`: signs in; the server sets the (HttpOnly) session cookie.
pub async fn sign_in(body: &SignIn) -> Result<Me, ApiError> {
    send_json(Request::post("/api/v1/session").json(body)).await
}

/// `DELETE /api/v1/session`: ends the session on the server and clears its cookie.
pub async fn sign_out() -> Result<(), ApiError> {
    send_empty(Request::delete("/api/v1/session").build()).await
}

/// `GET /api/v1/users`.
pub async fn users() -> Result<UserList, ApiError> {
    get_json("/api/v1/users").await
}

/// `POST /api/v1/users`.
pub async fn add_user(body: &NewUser) -> Result<User, ApiError> {
    send_json(Request::post("/api/v1/users").json(body)).await
}

/// `DELETE /api/v1/users/{name}` (409 for the last admin).
pub async fn remove_user(name: &str) -> Result<(), ApiError> {
    send_empty(Request::delete(&format!("/api/v1/users/{}", q(name))).build()).await
}

/// `GET /api/v1/tokens`.
pub async fn tokens() -> Result<Tokens, ApiError> {
    get_json("/api/v1/tokens").await
}

/// `POST /api/v1/tokens`: the answer holds the secret, the only time it is ever shown.
pub async fn create_token(body: &NewToken) -> Result<CreatedToken, ApiError> {
    send_json(Request::post("/api/v1/tokens").json(body)).await
}

/// `DELETE /api/v1/tokens/{name}`: revokes it.
pub async fn revoke_token(name: &str) -> Result<(), ApiError> {
    send_empty(Request::delete(&format!("/api/v1/tokens/{}", q(name))).build()).await
}

/// `GET /api/v1/audit`: one page of the audit log, newest first.
pub async fn audit(cursor: Option<&str>) -> Result<AuditPage, ApiError> {
    let mut path = "/api/v1/audit?limit=50".to_owned();
    if let Some(c) = cursor {
        path.push_str(&format!("&cursor={}", q(c)));
    }
    get_json(&path).await
}

// Operations: platforms, their transitions, checklists and milestones.

/// `GET /api/v1/platforms` (the server's `PlatformList`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct PlatformList {
    pub platforms: Vec<Platform>,
}

/// What a recorded transition answers (the server's `TransitionOutcome`): the record, what
/// changed between the two phases' bundles, and what to do to run the new phase.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct TransitionOutcome {
    pub transition: TransitionRecord,
    pub changes: Vec<String>,
    pub next_steps: Vec<String>,
}

/// `GET /api/v1/platforms`: every platform, by name (`default` is always there).
pub async fn platforms() -> Result<PlatformList, ApiError> {
    get_json("/api/v1/platforms").await
}

/// `GET /api/v1/platforms/{id}/status`: everything the Operations page shows of one platform.
pub async fn platform_status(name: &str) -> Result<PlatformStatus, ApiError> {
    get_json(&format!("/api/v1/platforms/{}/status", q(name))).await
}

/// `POST /api/v1/platforms/{id}/transitions` (201); a skip without `force` or the phase it is
/// on is a 422 naming `phase`, a move meanwhile or an archived scenario a 409.
pub async fn record_transition(
    name: &str,
    body: &NewTransition,
) -> Result<TransitionOutcome, ApiError> {
    send_json(Request::post(&format!("/api/v1/platforms/{}/transitions", q(name))).json(body)).await
}

/// `POST /api/v1/platforms/{id}/checklist` (201): the whole checklist with the action added.
pub async fn add_checklist_item(
    name: &str,
    body: &NewChecklistItem,
) -> Result<Checklist, ApiError> {
    send_json(Request::post(&format!("/api/v1/platforms/{}/checklist", q(name))).json(body)).await
}

/// `PATCH /api/v1/platforms/{id}/checklist`: one item's new state from the version read; a stale
/// version is a 409 (`current_revision`: the item's version now).
pub async fn edit_checklist_item(name: &str, body: &ChecklistEdit) -> Result<Checklist, ApiError> {
    send_json(Request::patch(&format!("/api/v1/platforms/{}/checklist", q(name))).json(body)).await
}

/// `PATCH /api/v1/platforms/{id}/milestones`: a step's durations, or the last move's validation.
pub async fn edit_milestones(name: &str, body: &MilestoneEdit) -> Result<Milestones, ApiError> {
    send_json(Request::patch(&format!("/api/v1/platforms/{}/milestones", q(name))).json(body)).await
}

// Notifications: channels (admins), rules per platform (editors), the delivery log.

/// `GET /api/v1/notifications/channels`: every channel, never a secret.
pub async fn channels() -> Result<ChannelList, ApiError> {
    get_json("/api/v1/notifications/channels").await
}

/// `POST /api/v1/notifications/channels` (201); a bad field is a 422 naming it, a server without
/// a `secret_key` a 409 naming `secret_key`.
pub async fn add_channel(body: &NewChannel) -> Result<Channel, ApiError> {
    send_json(Request::post("/api/v1/notifications/channels").json(body)).await
}

/// `PATCH /api/v1/notifications/channels/{id}`: absent fields stay; a secret given replaces the
/// stored one.
pub async fn edit_channel(id: &str, body: &ChannelEdit) -> Result<Channel, ApiError> {
    send_json(Request::patch(&format!("/api/v1/notifications/channels/{}", q(id))).json(body)).await
}

/// `DELETE /api/v1/notifications/channels/{id}` (204); a 409 naming `id` while rules name it.
pub async fn remove_channel(id: &str) -> Result<(), ApiError> {
    send_empty(Request::delete(&format!("/api/v1/notifications/channels/{}", q(id))).build()).await
}

/// `POST /api/v1/notifications/channels/{id}/test`: a test message tried now.
pub async fn test_channel(id: &str) -> Result<TestResult, ApiError> {
    send_json(Request::post(&format!("/api/v1/notifications/channels/{}/test", q(id))).build())
        .await
}

/// `GET /api/v1/platforms/{id}/notification-rules`.
pub async fn notification_rules(platform: &str) -> Result<RuleList, ApiError> {
    get_json(&format!(
        "/api/v1/platforms/{}/notification-rules",
        q(platform)
    ))
    .await
}

/// `POST /api/v1/platforms/{id}/notification-rules` (201); a bad field is a 422 naming it
/// (`channels`, `channels[0]`, `trigger.days`, `cooldown_minutes`).
pub async fn add_rule(platform: &str, body: &NewRule) -> Result<Rule, ApiError> {
    send_json(
        Request::post(&format!(
            "/api/v1/platforms/{}/notification-rules",
            q(platform)
        ))
        .json(body),
    )
    .await
}

/// `DELETE /api/v1/platforms/{id}/notification-rules/{rule}` (204).
pub async fn remove_rule(platform: &str, rule: &str) -> Result<(), ApiError> {
    send_empty(
        Request::delete(&format!(
            "/api/v1/platforms/{}/notification-rules/{}",
            q(platform),
            q(rule)
        ))
        .build(),
    )
    .await
}

/// `GET /api/v1/notifications/deliveries`: one page of the delivery log (50), newest first.
pub async fn deliveries(cursor: Option<&str>) -> Result<DeliveryPage, ApiError> {
    let mut path = "/api/v1/notifications/deliveries?limit=50".to_owned();
    if let Some(c) = cursor {
        path.push_str(&format!("&cursor={}", q(c)));
    }
    get_json(&path).await
}
