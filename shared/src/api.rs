//! Wire types: the JSON bodies the SPA and the server exchange. They live here, apart from the
//! domain types, so both sides compile against the same definitions.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::fit::PhaseFit;

/// `POST /api/v1/phase-fit` request body.
///
/// The number is taken as a plain `f64` so that a negative or absurd value reaches validation and
/// gets a precise reason, instead of a generic "invalid type" from the JSON decoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PhaseFitRequest {
    pub peak_concurrent_users: f64,
}

/// `POST /api/v1/phase-fit` response body.
pub type PhaseFitResponse = PhaseFit;

/// `GET /api/v1/health` response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub name: String,
    pub version: String,
    pub uptime_seconds: u64,
}

/// Machine-readable error kinds; the HTTP status follows from the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A field has a value the model refuses (422).
    InvalidInput,
    /// Too little data for an answer (a calibration over a window the live history does not
    /// cover); the message says what is missing (422).
    InsufficientData,
    /// The body is not valid JSON, or not of the expected shape (400).
    MalformedJson,
    /// The body is not `application/json` (415).
    UnsupportedMediaType,
    /// The body is larger than the server accepts (413).
    PayloadTooLarge,
    /// No such resource (404).
    NotFound,
    /// The method is not allowed on this path (405).
    MethodNotAllowed,
    /// The request took longer than the server allows (408).
    RequestTimeout,
    /// The request's `Host` is not one this server answers for (421): a guard against DNS
    /// rebinding.
    MisdirectedRequest,
    /// The client sent more requests than its rate limit allows; `Retry-After` says when to try
    /// again (429).
    TooManyRequests,
    /// The server is at capacity (its work queue, connections or live streams are full) or
    /// shutting down; `Retry-After` says when to try again (503).
    ServiceUnavailable,
    /// The save started from a revision that is no longer the latest; `current_revision` says
    /// which is (409).
    Conflict,
    /// A save without `If-Match` naming the revision it started from (428).
    PreconditionRequired,
    /// No valid session or token where one is needed, or a sign-in that failed (401).
    Unauthorized,
    /// Signed in, but the role does not allow this, or a cross-site write (403).
    Forbidden,
    /// Something broke on the server; details are in its logs, not in the response (500).
    Internal,
}

impl ErrorCode {
    /// The HTTP status of each kind: one table, so the server and the API contract agree.
    pub const fn status(self) -> u16 {
        match self {
            ErrorCode::InvalidInput | ErrorCode::InsufficientData => 422,
            ErrorCode::MalformedJson => 400,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::RequestTimeout => 408,
            ErrorCode::MisdirectedRequest => 421,
            ErrorCode::TooManyRequests => 429,
            ErrorCode::Conflict => 409,
            ErrorCode::PreconditionRequired => 428,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::ServiceUnavailable => 503,
            ErrorCode::Internal => 500,
        }
    }
}

/// The one JSON error shape every endpoint returns: `{"error": {"code", "message", "field"?}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// A sentence for people.
    pub message: String,
    /// Dotted path of the offending field, when one is to blame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// With `conflict`: the latest revision, to review against or to save on top of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_revision: Option<u32>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>, field: Option<String>) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code,
                message: message.into(),
                field,
                current_revision: None,
            },
        }
    }
}

impl From<&ValidationError> for ErrorBody {
    fn from(e: &ValidationError) -> Self {
        ErrorBody::new(
            ErrorCode::InvalidInput,
            e.to_string(),
            Some(e.field.clone()),
        )
    }
}

/// One live source's health, as the Live page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceStatus {
    /// The configured name (`host`, `db-primary`…).
    pub name: String,
    /// `host`, `prometheus`, `postgres` or `redis`.
    pub kind: String,
    /// The last attempt succeeded and is recent.
    pub healthy: bool,
    /// The last good sample is older than three intervals, or there is none: its values are left
    /// out of the analysis.
    pub stale: bool,
    /// Unix seconds of the last good sample.
    pub last_success: Option<f64>,
    /// Why the last attempt failed, if it did.
    pub error: Option<String>,
    /// What it reports.
    pub metrics: Vec<crate::live::Metric>,
}

/// `GET /api/v1/live/snapshot`: the latest value of every metric from a healthy source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveSnapshot {
    /// Unix seconds.
    pub at: f64,
    pub values: crate::live::Observations,
    pub sources: Vec<SourceStatus>,
    /// Seconds between samples.
    pub interval_seconds: f64,
}

/// One event of `GET /api/v1/live/stream` (Server-Sent Events, `event: update`): the snapshot
/// and its analysis, serialised once per sample for every subscriber.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveUpdate {
    pub snapshot: LiveSnapshot,
    pub analysis: crate::live::LiveAnalysis,
    /// Unix milliseconds when the server sent it (delivery latency = receipt − this).
    pub sent_at_ms: f64,
}

/// `GET /api/v1/live/history?metric=cpu_percent&since=<unix seconds>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveHistory {
    pub metric: crate::live::Metric,
    /// `(unix seconds, value)`, oldest first.
    pub points: Vec<(f64, f64)>,
}

/// `POST /api/v1/scenarios` and `PUT /api/v1/scenarios/{id}` request body: a scenario to save as
/// a new revision. `scenario` is validated like an evaluation's; nothing is stored when it fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveScenario {
    /// The saved scenario's name in the library: 1–200 characters, no control characters.
    pub name: String,
    /// What it is for, searched with the name; at most 2,000 characters.
    #[serde(default)]
    pub description: String,
    pub scenario: crate::scenario::Scenario,
    /// What this revision changed, for the history; at most 500 characters.
    #[serde(default)]
    pub message: String,
}

/// Longest name, description and message a save takes, in characters.
pub const MAX_SAVED_NAME: usize = 200;
pub const MAX_DESCRIPTION: usize = 2_000;
pub const MAX_MESSAGE: usize = 500;

impl SaveScenario {
    /// Checks the texts and the scenario (its errors name fields under `scenario.`), so the SPA
    /// and the server refuse the same saves with the same messages.
    pub fn validate(&self) -> Result<crate::ValidScenario, ValidationError> {
        crate::error::check_text("name", &self.name, true, MAX_SAVED_NAME)?;
        crate::error::check_text("description", &self.description, false, MAX_DESCRIPTION)?;
        crate::error::check_text("message", &self.message, false, MAX_MESSAGE)?;
        self.scenario
            .clone()
            .validate()
            .map_err(|e| ValidationError {
                field: format!("scenario.{}", e.field),
                reason: e.reason,
            })
    }
}

/// One revision of a saved scenario, whole (`GET /api/v1/scenarios/{id}`, `…/revisions/{n}`,
/// and the answer to a save).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedScenario {
    /// Opaque, URL-safe.
    pub id: String,
    pub name: String,
    pub description: String,
    /// Numbered from 1; every save adds one.
    pub revision: u32,
    /// The newest revision there is (equal to `revision` for the latest).
    pub latest_revision: u32,
    pub archived: bool,
    pub scenario: crate::scenario::Scenario,
    pub message: String,
    /// When this revision was saved, RFC 3339 (UTC).
    pub created_at: String,
    /// Who saved it (`local` until sign-in exists).
    pub created_by: String,
}

/// A saved scenario in a list: its latest revision, without the scenario itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScenarioSummary {
    pub id: String,
    pub name: String,
    pub description: String,
    pub revision: u32,
    pub archived: bool,
    /// RFC 3339 (UTC).
    pub updated_at: String,
    pub updated_by: String,
}

/// `GET /api/v1/scenarios` response body: one page, and the cursor of the next if there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScenarioPage {
    pub scenarios: Vec<ScenarioSummary>,
    /// Pass as `cursor` to get the next page; absent on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One revision in a history, without the scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevisionSummary {
    pub revision: u32,
    pub message: String,
    /// RFC 3339 (UTC).
    pub created_at: String,
    pub created_by: String,
}

/// `GET /api/v1/scenarios/{id}/revisions` response body, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Revisions {
    pub revisions: Vec<RevisionSummary>,
}
