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
    /// Something broke on the server; details are in its logs, not in the response (500).
    Internal,
}

impl ErrorCode {
    /// The HTTP status of each kind: one table, so the server and the API contract agree.
    pub const fn status(self) -> u16 {
        match self {
            ErrorCode::InvalidInput => 422,
            ErrorCode::MalformedJson => 400,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::RequestTimeout => 408,
            ErrorCode::MisdirectedRequest => 421,
            ErrorCode::TooManyRequests => 429,
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
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>, field: Option<String>) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code,
                message: message.into(),
                field,
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
