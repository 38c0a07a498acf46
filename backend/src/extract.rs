//! Extractors whose rejections are [`AppError`]s, so that malformed input of every kind — a
//! body, a query string, a path segment — gets the one JSON error shape, naming the field.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use phaseplan_model::{Reason, ValidationError};
use serde::de::DeserializeOwned;

use crate::error::AppError;

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
        axum::Json(self.0).into_response()
    }
}

/// A query-string extractor: a parameter of the wrong type is a 422 `invalid_input` naming the
/// parameter (`since`), not axum's plain-text 400.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for AppQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(AppQuery)
            .map_err(|e| {
                let field = match e.path().to_string().as_str() {
                    "." => "query".to_owned(),
                    p => p.to_owned(),
                };
                let message = e.into_inner().to_string();
                let field = unknown_field(&message).unwrap_or(field);
                ValidationError::new(field, query_reason(&message)).into()
            })
    }
}

/// The parameter serde names in "unknown field `x`" / "missing field `x`" messages.
fn unknown_field(message: &str) -> Option<String> {
    ["unknown field `", "missing field `"].iter().find_map(|p| {
        message
            .strip_prefix(p)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
    })
}

/// Why a query parameter was refused, from serde's message ("invalid float literal" → not a
/// number; "unknown field `x`, expected one of …" → one of them).
fn query_reason(message: &str) -> Reason {
    if message.contains("float") || message.contains("digit") || message.contains("number") {
        Reason::NotANumber
    } else if let Some(known) = message.split("expected one of ").nth(1) {
        Reason::NotOneOf {
            got: unknown_field(message).unwrap_or_default(),
            known: known
                .split(", ")
                .map(|k| k.trim_matches('`').to_owned())
                .collect(),
        }
    } else {
        Reason::Unreadable(message.to_owned())
    }
}

/// A path extractor: a segment that does not parse is a 404 naming the segment.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppPath<T>(pub T);

impl<S, T> FromRequestParts<S> for AppPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| AppPath(v))
            .map_err(|rejection| AppError::NotFound(rejection.body_text()))
    }
}
