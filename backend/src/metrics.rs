//! The server's own metrics at `GET /metrics`, in the Prometheus text format: requests by route
//! and status, latency histograms, live subscribers, and each live source's samples and health.

use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::state::AppState;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SourceLabels {
    pub source: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub source: String,
    pub outcome: String,
}

#[derive(Debug)]
pub struct Metrics {
    registry: Mutex<Registry>,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Family<RouteLabels, Histogram>,
    pub subscribers: Gauge,
    pub samples: Family<OutcomeLabels, Counter>,
    pub source_up: Family<SourceLabels, Gauge>,
    pub connections_open: Gauge,
    pub connections_refused: Counter,
    pub connections_idle_closed: Counter,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("phaseplan");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            // 0.5 ms … ~8 s.
            Histogram::new(exponential_buckets(0.000_5, 2.0, 15))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by route",
            latency.clone(),
        );
        let subscribers = Gauge::default();
        registry.register(
            "live_subscribers",
            "Open live streams (Server-Sent Events)",
            subscribers.clone(),
        );
        let samples = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "live_samples",
            "Live source samples by outcome",
            samples.clone(),
        );
        let source_up = Family::<SourceLabels, Gauge>::default();
        registry.register(
            "live_source_up",
            "1 when the live source's data is fresh",
            source_up.clone(),
        );
        let connections_open = Gauge::default();
        registry.register(
            "connections_open",
            "Open HTTP connections",
            connections_open.clone(),
        );
        let connections_refused = Counter::default();
        registry.register(
            "connections_refused",
            "Connections answered 503 and closed because max_connections were open",
            connections_refused.clone(),
        );
        let connections_idle_closed = Counter::default();
        registry.register(
            "connections_idle_closed",
            "Connections closed after idle_timeout without a byte moved",
            connections_idle_closed.clone(),
        );
        Metrics {
            registry: Mutex::new(registry),
            connections_open,
            connections_refused,
            connections_idle_closed,
            requests,
            latency,
            subscribers,
            samples,
            source_up,
        }
    }

    pub fn sample(&self, source: &str, ok: bool) {
        self.samples
            .get_or_create(&OutcomeLabels {
                source: source.to_owned(),
                outcome: if ok { "ok" } else { "error" }.to_owned(),
            })
            .inc();
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        let registry = self
            .registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

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
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_owned(), |p| p.as_str().to_owned());
    let method = method_label(req.method()).to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    let m = &state.metrics;
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
pub async fn render(State(state): State<AppState>) -> impl IntoResponse {
    for (source, up) in state.live.source_health() {
        state
            .metrics
            .source_up
            .get_or_create(&SourceLabels { source })
            .set(i64::from(up));
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
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
