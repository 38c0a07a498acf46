//! The server's one error type. Every handler returns `Result<_, AppError>`; `IntoResponse` turns
//! it into the shared JSON error body ([`phaseplan_model::api::ErrorBody`]) with the right status.
//! Internal errors are logged in full and answered with a generic message.

use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use phaseplan_model::ValidationError;
use phaseplan_model::api::{ErrorBody, ErrorCode};
use serde::de::DeserializeOwned;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
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
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidInput),
            AppError::MalformedJson { .. } => (StatusCode::BAD_REQUEST, ErrorCode::MalformedJson),
            AppError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
            ),
            AppError::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge)
            }
            AppError::NotFound(_) | AppError::UnknownInPath { .. } => {
                (StatusCode::NOT_FOUND, ErrorCode::NotFound)
            }
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let body = match &self {
            AppError::Invalid(e) => ErrorBody::from(e),
            AppError::MalformedJson { field, .. } => {
                ErrorBody::new(code, self.to_string(), field.clone())
            }
            AppError::UnknownInPath { field, message } => {
                ErrorBody::new(code, message.clone(), Some((*field).to_owned()))
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
        (status, Json(body)).into_response()
    }
}

/// A JSON body extractor whose rejections are [`AppError`]s, so malformed input gets our error
/// shape, with the path of the field where decoding failed (via `serde_path_to_error`).
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime_guess::mime::Mime>().ok())
            .is_some_and(|m| {
                m.type_() == "application"
                    && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
            });
        if !is_json {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::MalformedJson {
                    message: rejection.body_text(),
                    field: None,
                }
            }
        })?;
        decode(&bytes).map(AppJson)
    }
}

/// Decodes JSON, reporting the failing field's path (`phases[1].max_users`) when there is one.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        // serde reports a missing field at its parent's path; name the field itself, so the UI
        // can point at it (`growth.horizon_months`, not `growth`).
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let field = match (path.as_str(), missing) {
            (".", Some(name)) => Some(name.to_owned()),
            (parent, Some(name)) => Some(format!("{parent}.{name}")),
            (".", None) => None,
            (parent, None) => Some(parent.to_owned()),
        };
        AppError::MalformedJson { message, field }
    })
}

impl<T: serde::Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}
