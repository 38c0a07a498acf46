//! The `Host` allowlist: a request whose `Host` (or HTTP/2 authority) is not in
//! `allowed_hosts` gets 421 before any route runs. This defeats DNS rebinding, where a page on
//! another site re-points its own name at this server's address and then reads the API with the
//! victim's browser: the browser still sends the attacker's name as `Host`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::HostPattern;
use crate::error::AppError;

/// The host a request names, lower-cased, with its port if it gave one.
pub fn requested_host(req: &Request) -> Option<String> {
    req.uri()
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            req.headers()
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .map(|h| h.trim().to_ascii_lowercase())
}

pub async fn check(
    State(allowed): State<Arc<Vec<HostPattern>>>,
    req: Request,
    next: Next,
) -> Response {
    if allowed.contains(&HostPattern::Any) {
        return next.run(req).await;
    }
    match requested_host(&req) {
        Some(host) if allowed.iter().any(|p| p.matches(&host)) => next.run(req).await,
        host => {
            let shown: String = host
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_control())
                .take(100)
                .collect();
            AppError::MisdirectedRequest(shown).into_response()
        }
    }
}
