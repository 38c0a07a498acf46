//! `GET /metrics` and the middleware that counts and times every request.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::live::LiveHub;
use crate::metrics::{Metrics, RequestLabels, RouteLabels, SourceLabels};

/// The method as a label: one of a fixed set, so a client inventing methods cannot add label
/// values (and series) without bound.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts and times every request by its route pattern (never the raw path) and a fixed set of
/// methods: label values are bounded by the code, not by clients.
pub async fn track(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_owned(), |p| p.as_str().to_owned());
    let method = method_label(req.method()).to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    let m = &metrics;
    m.requests
        .get_or_create(&RequestLabels {
            method,
            route: route.clone(),
            status: res.status().as_u16(),
        })
        .inc();
    m.latency
        .get_or_create(&RouteLabels { route })
        .observe(start.elapsed().as_secs_f64());
    res
}

/// `GET /metrics`.
#[utoipa::path(get, path = "/metrics", tag = "server",
    responses((status = 200, description = "The server's own metrics, OpenMetrics text", content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8", body = String)))]
pub async fn render(
    State(live): State<Arc<LiveHub>>,
    State(metrics): State<Arc<Metrics>>,
) -> impl IntoResponse {
    for (source, up) in live.source_health() {
        metrics
            .source_up
            .get_or_create(&SourceLabels { source })
            .set(i64::from(up));
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.encode(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        let m = |s: &str| method_label(&Method::from_bytes(s.as_bytes()).unwrap());
        assert_eq!(m("GET"), "GET");
        assert_eq!(m("BREW"), "other");
        assert_eq!(m("PROPFIND"), "other");
    }
}
