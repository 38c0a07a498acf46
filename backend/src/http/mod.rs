//! The HTTP layer's guards, in the order a request meets them: the connection (a cap on open
//! connections, a header-read and an idle timeout: [`serve`]), the `Host` allowlist
//! ([`host`]), the per-client rate limit of the POST routes ([`rate_limit`]), the request
//! timeout, and on the way out the security headers ([`headers`]). Work that costs CPU runs in
//! the bounded [`work`] pool.

pub mod headers;
pub mod host;
pub mod rate_limit;
pub mod serve;
pub mod tls;
pub mod work;

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// Bounds the time to produce a response (not to stream its body: a live stream returns its
/// response at once), answering 408 in the JSON error shape.
pub async fn request_timeout(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => AppError::RequestTimeout(limit).into_response(),
    }
}
