//! The server's one error type. Every handler returns `Result<_, AppError>`; `IntoResponse` turns
//! it into the shared JSON error body ([`phaseplan_model::api::ErrorBody`]) with the right status.
//! Internal errors are logged in full and answered with a generic message.

use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use phaseplan_model::ValidationError;
use phaseplan_model::api::{ErrorBody, ErrorCode};

pub use crate::extract::{AppJson, AppPath, AppQuery, decode};

use crate::config::ConfigError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// Too little data for an answer; the message says what is missing.
    #[error(transparent)]
    InsufficientData(#[from] phaseplan_model::calibration::InsufficientData),
    /// Not JSON, or JSON of the wrong shape; `field` is the path where decoding failed.
    #[error("malformed JSON: {message}")]
    MalformedJson {
        message: String,
        field: Option<String>,
    },
    #[error("expected a request with `Content-Type: application/json`")]
    UnsupportedMediaType,
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("no such resource: {0}")]
    NotFound(String),
    /// A path segment naming something that does not exist (a phase, a provider); `field` names
    /// the segment.
    #[error("{message}")]
    UnknownInPath {
        field: &'static str,
        message: String,
    },
    #[error("no method {method} on {path}")]
    MethodNotAllowed { method: String, path: String },
    #[error("the request took longer than {0:?}")]
    RequestTimeout(Duration),
    #[error("this server does not answer for the host {0:?}; see the allowed_hosts setting")]
    MisdirectedRequest(String),
    #[error("too many requests from this client: at most {per_minute} a minute; try again in {} s", .retry_after.as_secs().max(1))]
    TooManyRequests {
        per_minute: u32,
        retry_after: Duration,
    },
    /// At capacity: `what` says which capacity ("the evaluation queue is full").
    #[error("{what}; try again in {} s", .retry_after.as_secs().max(1))]
    ServiceUnavailable { what: String, retry_after: Duration },
    /// A save that started from an older revision, or on an archived scenario; an edit of a
    /// platform or checklist item that changed since it was read (`current_revision` is then
    /// its current version). `field` names what conflicts, where one field does.
    #[error("{message}")]
    Conflict {
        message: String,
        current_revision: Option<u32>,
        field: Option<&'static str>,
    },
    #[error("a save must name the revision it started from: send If-Match: \"N\"")]
    PreconditionRequired,
    /// No credential where one is needed, a bad one, or a failed sign-in; the message never
    /// says whether an account exists.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// A credential whose role does not allow this, or a write from another site.
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed sign-ins for this account or from this address.
    #[error("too many failed sign-ins; try again in {} s", .retry_after.as_secs().max(1))]
    SignInThrottled { retry_after: Duration },
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl From<crate::store::StoreError> for AppError {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError as S;
        match e {
            S::UnknownScenario(_) => AppError::UnknownInPath {
                field: "id",
                message: e.to_string(),
            },
            S::UnknownRevision { .. } => AppError::UnknownInPath {
                field: "revision",
                message: e.to_string(),
            },
            S::Conflict { current, .. } => AppError::Conflict {
                message: e.to_string(),
                current_revision: Some(current),
                field: None,
            },
            S::Archived(_) => AppError::Conflict {
                message: e.to_string(),
                current_revision: None,
                field: Some("scenario_id"),
            },
            S::UnknownPlatform(_) => AppError::UnknownInPath {
                field: "id",
                message: e.to_string(),
            },
            S::StalePlatform { current } => AppError::Conflict {
                message: e.to_string(),
                current_revision: Some(current),
                field: Some("version"),
            },
            S::UnknownItem(_) => AppError::UnknownInPath {
                field: "id",
                message: e.to_string(),
            },
            S::StaleItem { current, .. } => AppError::Conflict {
                message: e.to_string(),
                current_revision: Some(current),
                field: Some("version"),
            },
            S::UnknownChannel(_) | S::UnknownRule(_) => AppError::UnknownInPath {
                field: if matches!(e, S::UnknownRule(_)) {
                    "rule"
                } else {
                    "id"
                },
                message: e.to_string(),
            },
            S::ChannelInUse { .. } => AppError::Conflict {
                message: e.to_string(),
                current_revision: None,
                field: Some("id"),
            },
            S::TooManyItems(max) => AppError::Invalid(ValidationError::new(
                "title",
                phaseplan_model::Reason::TooMany {
                    max,
                    what: "actions added toward one phase",
                },
            )),
            S::UnknownUser(_) | S::UnknownToken(_) => AppError::UnknownInPath {
                field: "name",
                message: e.to_string(),
            },
            S::NameTaken { .. } | S::LastAdmin(_) => AppError::Conflict {
                message: e.to_string(),
                current_revision: None,
                field: Some("name"),
            },
            S::Corrupt { .. } | S::Database(_) | S::Migrate(_) => {
                AppError::Internal(anyhow::Error::new(e))
            }
        }
    }
}

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Invalid(_) => ErrorCode::InvalidInput,
            AppError::InsufficientData(_) => ErrorCode::InsufficientData,
            AppError::MalformedJson { .. } => ErrorCode::MalformedJson,
            AppError::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            AppError::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            AppError::NotFound(_) | AppError::UnknownInPath { .. } => ErrorCode::NotFound,
            AppError::MethodNotAllowed { .. } => ErrorCode::MethodNotAllowed,
            AppError::RequestTimeout(_) => ErrorCode::RequestTimeout,
            AppError::MisdirectedRequest(_) => ErrorCode::MisdirectedRequest,
            AppError::TooManyRequests { .. } | AppError::SignInThrottled { .. } => {
                ErrorCode::TooManyRequests
            }
            AppError::Unauthorized(_) => ErrorCode::Unauthorized,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::ServiceUnavailable { .. } => ErrorCode::ServiceUnavailable,
            AppError::Conflict { .. } => ErrorCode::Conflict,
            AppError::PreconditionRequired => ErrorCode::PreconditionRequired,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// When to try again, for 429 and 503 (`Retry-After`, whole seconds, at least 1).
    fn retry_after(&self) -> Option<Duration> {
        match self {
            AppError::TooManyRequests { retry_after, .. }
            | AppError::SignInThrottled { retry_after }
            | AppError::ServiceUnavailable { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

/// A `Retry-After` value in whole seconds, rounded up, at least 1.
pub fn retry_after_header(d: Duration) -> HeaderValue {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    HeaderValue::from(secs.max(1))
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let code = self.code();
        let status =
            StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after();
        let body = match &self {
            AppError::Invalid(e) => ErrorBody::from(e),
            AppError::MalformedJson { field, .. } => {
                ErrorBody::new(code, self.to_string(), field.clone())
            }
            AppError::UnknownInPath { field, message } => {
                ErrorBody::new(code, message.clone(), Some((*field).to_owned()))
            }
            AppError::Conflict {
                message,
                current_revision,
                field,
            } => {
                let mut body = ErrorBody::new(code, message.clone(), field.map(str::to_owned));
                body.error.current_revision = *current_revision;
                body
            }
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                ErrorBody::new(
                    code,
                    "internal server error; the details are in the server log",
                    None,
                )
            }
            _ => ErrorBody::new(code, self.to_string(), None),
        };
        let mut res = (status, Json(body)).into_response();
        if let Some(d) = retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, retry_after_header(d));
        }
        if code == ErrorCode::Unauthorized {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"phaseplan\""),
            );
        }
        res
    }
}

/// Why the server could not start, saying what failed: a setting (named), the built-in
/// catalog, or the address.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("the built-in pricing catalog does not load: {0}")]
    Catalog(String),
    /// The database (`database_url` or `data_dir`) cannot be opened or migrated.
    #[error("saved scenarios: {0}")]
    Store(String),
    /// The certificate or key (`tls_cert`, `tls_key`) cannot be used.
    #[error("TLS: {0}")]
    Tls(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
}
