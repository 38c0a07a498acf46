//! The server's own metrics, in the Prometheus text format: requests by route and status, latency
//! histograms, connections, live subscribers, and each live source's samples and health. The
//! registry only; `routes::metrics` serves it and counts requests.

use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

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
