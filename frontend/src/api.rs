//! The typed client for the server's API. Errors decode the shared JSON error body, so the UI can
//! show the server's own message.

use gloo_net::http::Request;
use phaseplan_model::api::{
    ErrorBody, Health, Revisions, SaveScenario, SavedScenario, ScenarioPage,
};

/// Why an API call failed, in words for the UI.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer: offline, server down, CORS…
    Network(String),
    /// The server answered with an error body.
    Server { status: u16, body: ErrorBody },
    /// The answer was not what this client expected (version skew).
    Decode(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Network(e) => write!(f, "cannot reach the server: {e}"),
            ApiError::Server { status, body } => write!(f, "{status}: {}", body.error.message),
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

async fn send_json<T: serde::de::DeserializeOwned>(
    req: Result<Request, gloo_net::Error>,
) -> Result<T, ApiError> {
    let res = req
        .map_err(|e| ApiError::Network(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if !res.ok() {
        let status = res.status();
        let body = res
            .json::<ErrorBody>()
            .await
            .map_err(|e| ApiError::Decode(e.to_string()))?;
        return Err(ApiError::Server { status, body });
    }
    res.json::<T>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
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
            ApiError::Server { status: 409, body } => body.error.current_revision,
            _ => None,
        }
    }
}
