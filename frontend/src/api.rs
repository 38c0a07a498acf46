//! The typed client for the server's API. Errors decode the shared JSON error body, so the UI can
//! show the server's own message.

use gloo_net::http::Request;
use phaseplan_model::api::{ErrorBody, Health};

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
    let res = Request::get(path)
        .header("accept", "application/json")
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
