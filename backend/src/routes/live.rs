//! Live capacity: `GET /api/v1/live/snapshot`, `/history`, `/analysis`, `/calibration` and
//! `/stream` (SSE).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use phaseplan_model::api::{ErrorBody, LiveHistory, LiveSnapshot};
use phaseplan_model::calibration::{CalibrationReport, Input, Window, report};
use phaseplan_model::cost::catalog::Catalog;
use phaseplan_model::live::{LiveAnalysis, Metric};
use phaseplan_model::{Reason, ValidationError};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use crate::config::HttpLimits;
use crate::error::{AppError, AppJson, AppQuery};
use crate::http::work::WorkPool;
use crate::live::{LiveHub, now_unix};

/// `GET /api/v1/live/snapshot`.
#[utoipa::path(get, path = "/api/v1/live/snapshot", tag = "live",
    responses((status = 200, description = "The latest value of every metric from a fresh source, and each source's health", body = LiveSnapshot)))]
pub async fn snapshot(State(live): State<Arc<LiveHub>>) -> AppJson<LiveSnapshot> {
    AppJson(live.snapshot())
}

/// `GET /api/v1/live/analysis`.
#[utoipa::path(get, path = "/api/v1/live/analysis", tag = "live",
    responses((status = 200, description = "Utilisation per component against the current phase, the step to take on the ladder (stay, prepare or move to the next phase, extend the ladder) and the forecast", body = LiveAnalysis)))]
pub async fn analysis(State(live): State<Arc<LiveHub>>) -> AppJson<LiveAnalysis> {
    AppJson(live.analysis())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// The metric (`cpu_percent`, `memory_percent`, …).
    #[param(value_type = Metric, required = true)]
    metric: Option<String>,
    /// Unix seconds; points at or after it (default: the whole window).
    since: Option<f64>,
}

#[utoipa::path(get, path = "/api/v1/live/history", tag = "live", params(HistoryQuery),
    responses(
        (status = 200, description = "The metric's points in the window, oldest first", body = LiveHistory),
        (status = 422, description = "An unknown metric or a bad `since`; `field` names it", body = ErrorBody),
    ))]
pub async fn history(
    State(live): State<Arc<LiveHub>>,
    AppQuery(q): AppQuery<HistoryQuery>,
) -> Result<AppJson<LiveHistory>, AppError> {
    let key = q.metric.unwrap_or_default();
    let metric = Metric::parse(&key).ok_or_else(|| {
        ValidationError::new(
            "metric",
            Reason::NotOneOf {
                got: key.clone(),
                known: Metric::ALL.map(|m| m.key().to_owned()).to_vec(),
            },
        )
    })?;
    let since = q.since.unwrap_or(0.0);
    if !since.is_finite() {
        return Err(ValidationError::new("since", Reason::NotFinite).into());
    }
    Ok(AppJson(LiveHistory {
        metric,
        points: live.history(metric, since),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalibrationQuery {
    /// How far back to look: `15m`, `1h` (the default), `6h`, `24h` or `7d`.
    #[param(value_type = Option<Window>)]
    window: Option<String>,
}

/// `GET /api/v1/live/calibration`.
#[utoipa::path(get, path = "/api/v1/live/calibration", tag = "live", params(CalibrationQuery),
    responses(
        (status = 200, description = "The workload inputs the live history supports over the window, each with its 95 % interval and the plan's value; what it cannot estimate and why; (requests in flight, throughput) points by Little's law with their scalability fit; and what applying the estimates changes in the live plan (phase limits, transition months, cost)", body = CalibrationReport),
        (status = 422, description = "An unknown `window` (`field` names it), or `insufficient_data`: no input has enough samples over the window; the message says what each lacks", body = ErrorBody),
        (status = 503, description = "The evaluation queue is full; `Retry-After` says when to try again", body = ErrorBody),
    ))]
pub async fn calibration(
    State(live): State<Arc<LiveHub>>,
    State(catalog): State<Arc<Catalog>>,
    State(work): State<Arc<WorkPool>>,
    AppQuery(q): AppQuery<CalibrationQuery>,
) -> Result<AppJson<CalibrationReport>, AppError> {
    let key = q.window.unwrap_or_else(|| Window::Hour1.key().to_owned());
    let window = Window::parse(&key).ok_or_else(|| {
        ValidationError::new(
            "window",
            Reason::NotOneOf {
                got: key.clone(),
                known: Window::ALL.map(|w| w.key().to_owned()).to_vec(),
            },
        )
    })?;
    let now = now_unix();
    let since = now - window.seconds();
    let mut metrics: Vec<Metric> = Input::ALL
        .iter()
        .flat_map(|i| i.metrics().iter().copied())
        .collect();
    metrics.sort();
    metrics.dedup();
    let series = metrics
        .into_iter()
        .map(|m| (m, live.history(m, since)))
        .filter(|(_, points)| !points.is_empty())
        .collect();
    let plan = live.plan();
    let answer = work
        .run("the calibration", move || {
            report(&series, window, now, &plan.scenario, &catalog)
        })
        .await?;
    Ok(AppJson(answer?))
}

#[utoipa::path(get, path = "/api/v1/live/stream", tag = "live",
    responses(
        (status = 200, description = "Server-Sent Events: `event: update` with a LiveUpdate as data, one per sample", content_type = "text/event-stream", body = String),
        (status = 503, description = "`max_sse_subscribers` streams are open; `Retry-After` says when to try again", body = ErrorBody),
    ))]
/// Server-Sent Events: the last update at once, then one `update` event per sample. A subscriber
/// more than a few events behind is dropped (its stream ends; `EventSource` reconnects and
/// starts from the latest), so a slow client never makes the server buffer without bound.
///
/// At most `max_sse_subscribers` streams are open at once; past it, 503 with `Retry-After`.
pub async fn stream(
    State(live): State<Arc<LiveHub>>,
    State(limits): State<Arc<HttpLimits>>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let (last, rx, subscription) =
        live.subscribe()
            .ok_or_else(|| AppError::ServiceUnavailable {
                what: format!(
                    "{} live streams are open, the most this server holds",
                    limits.max_sse_subscribers
                ),
                retry_after: Duration::from_secs(5),
            })?;
    let events = updates(last, rx, live.closing()).map(move |json| {
        // Keeps the subscription (and the subscriber count) alive with the stream.
        let _ = &subscription;
        Ok(Event::default().event("update").data(&*json))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// The updates a subscriber gets: the last one, then each new one until it falls behind or the
/// server starts `closing`.
pub fn updates(
    last: Option<Arc<str>>,
    rx: tokio::sync::broadcast::Receiver<Arc<str>>,
    closing: impl Future<Output = ()>,
) -> impl Stream<Item = Arc<str>> {
    let first = stream::iter(last);
    let rest = BroadcastStream::new(rx)
        .take_while(|item| {
            let keep = !matches!(item, Err(BroadcastStreamRecvError::Lagged(_)));
            if !keep {
                tracing::info!("dropping a live subscriber that fell behind");
            }
            std::future::ready(keep)
        })
        .filter_map(|item| std::future::ready(item.ok()));
    first.chain(rest).take_until(closing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_dropped_not_buffered() {
        let (tx, rx) = tokio::sync::broadcast::channel::<Arc<str>>(4);
        let s = updates(Some("first".into()), rx, std::future::pending());
        // 10 events while the subscriber reads nothing: it is more than 4 behind.
        for i in 0..10 {
            tx.send(format!("{i}").into()).unwrap();
        }
        let got: Vec<Arc<str>> = s.collect().await;
        assert_eq!(
            got,
            vec![Arc::<str>::from("first")],
            "the stream ends at the lag"
        );
    }

    #[tokio::test]
    async fn closing_ends_an_idle_stream() {
        let (tx, rx) = tokio::sync::broadcast::channel::<Arc<str>>(4);
        let (close, mut closed) = tokio::sync::watch::channel(false);
        let mut s = Box::pin(updates(Some("first".into()), rx, async move {
            let _ = closed.wait_for(|c| *c).await;
        }));
        assert_eq!(s.next().await.as_deref(), Some("first"));
        close.send_replace(true);
        // No further update is ever sent, yet the stream ends (the sender is still alive).
        assert_eq!(s.next().await, None);
        drop(tx);
    }

    #[tokio::test]
    async fn a_subscriber_that_keeps_up_gets_every_update() {
        let (tx, rx) = tokio::sync::broadcast::channel::<Arc<str>>(4);
        let mut s = Box::pin(updates(None, rx, std::future::pending()));
        for i in 0..10 {
            tx.send(format!("{i}").into()).unwrap();
            assert_eq!(&*s.next().await.unwrap(), i.to_string().as_str());
        }
    }
}
