//! The Live page's connection to `GET /api/v1/live/stream` (Server-Sent Events) and the history
//! it draws from.
//!
//! `EventSource` reconnects by itself after a dropped connection (server restart, a subscriber
//! dropped for falling behind), but gives up for good when a reconnection attempt gets an error
//! response (a proxy's 502 while the server restarts): then this module opens a new one, with a
//! growing pause (1 s doubling up to 10 s, with jitter). Every time the stream (re)opens the history is fetched
//! again, so a restarted server's new history replaces the old one instead of leaving a gap.
//! An `EventSource` does not say why it failed: when it gives up, the session is asked too, so a
//! session that ended (401) brings the sign-in page instead of endless reconnecting.

use leptos::prelude::*;
use phaseplan_model::api::LiveUpdate;
use phaseplan_model::live::{LiveComponent, Series};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

pub const STREAM_PATH: &str = "/api/v1/live/stream";

/// The longest pause between two attempts to reopen the stream.
const MAX_BACKOFF_MS: u32 = 10_000;

/// The state of the connection, for the page to show.
#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    Connecting,
    Open,
    /// Lost; the browser (or this module, after `retry_ms`) is trying again.
    Lost {
        retry_ms: Option<u32>,
    },
}

/// The stream's latest update and the history of every metric the analysis reads.
#[derive(Debug, Clone, Copy)]
pub struct LiveFeed {
    pub connection: RwSignal<Connection>,
    pub update: RwSignal<Option<LiveUpdate>>,
    /// Unix milliseconds (browser clock) when the last update arrived.
    pub received_at: RwSignal<Option<f64>>,
    pub history: RwSignal<Series>,
    /// Seconds of history shown (and fitted).
    pub window_seconds: RwSignal<f64>,
    /// Why the history or an update could not be read, if it could not.
    pub error: RwSignal<Option<String>>,
    /// Times the stream has opened; each opening refetches the history.
    opened: RwSignal<u32>,
    session: crate::session::Session,
}

/// The handles a connection needs to be closed on unmount.
struct Handles {
    source: web_sys::EventSource,
    _on_open: Closure<dyn FnMut()>,
    _on_error: Closure<dyn FnMut()>,
    _on_update: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Opens the feed for the lifetime of the calling component.
pub fn use_live_feed(window_seconds: f64) -> LiveFeed {
    let feed = LiveFeed {
        connection: RwSignal::new(Connection::Connecting),
        update: RwSignal::new(None),
        received_at: RwSignal::new(None),
        history: RwSignal::new(Series::new()),
        window_seconds: RwSignal::new(window_seconds),
        error: RwSignal::new(None),
        opened: RwSignal::new(0),
        session: crate::session::use_session(),
    };
    let handles = StoredValue::new_local(None::<Handles>);
    let retry = StoredValue::new_local(None::<TimeoutHandle>);
    let alive = StoredValue::new(true);
    connect(feed, handles, retry, alive, 1_000);

    // Fetch the history on every opening and whenever the window changes.
    Effect::new(move |_| {
        let _ = feed.opened.get();
        let window = feed.window_seconds.get();
        leptos::task::spawn_local(load_history(feed, window));
    });

    on_cleanup(move || {
        alive.set_value(false);
        handles.update_value(|h| {
            if let Some(h) = h.take() {
                h.source.close();
            }
        });
        retry.update_value(|r| {
            if let Some(r) = r.take() {
                r.clear();
            }
        });
    });
    feed
}

fn connect(
    feed: LiveFeed,
    handles: StoredValue<Option<Handles>, LocalStorage>,
    retry: StoredValue<Option<TimeoutHandle>, LocalStorage>,
    alive: StoredValue<bool>,
    backoff_ms: u32,
) {
    if !alive.get_value() {
        return;
    }
    let source = match web_sys::EventSource::new(STREAM_PATH) {
        Ok(s) => s,
        Err(e) => {
            feed.error
                .set(Some(format!("cannot open the live stream: {e:?}")));
            return;
        }
    };
    let on_open = Closure::<dyn FnMut()>::new(move || {
        feed.connection.set(Connection::Open);
        feed.error.set(None);
        feed.opened.update(|n| *n += 1);
    });
    let for_error = source.clone();
    let on_error = Closure::<dyn FnMut()>::new(move || {
        if for_error.ready_state() == web_sys::EventSource::CLOSED {
            // The browser gave up: was it the session? A 401 here shows the sign-in page.
            leptos::task::spawn_local(async move {
                let _ = feed.session.check(crate::api::me().await);
            });
            // Else open a new one after a pause.
            let next = backoff_ms.saturating_mul(2).min(MAX_BACKOFF_MS);
            feed.connection.set(Connection::Lost {
                retry_ms: Some(backoff_ms),
            });
            // ±20 % jitter, so the clients of a restarted server do not all return at once.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let pause = (f64::from(backoff_ms) * (0.8 + 0.4 * js_sys::Math::random())) as u64;
            let handle = set_timeout_with_handle(
                move || connect(feed, handles, retry, alive, next),
                std::time::Duration::from_millis(pause),
            );
            retry.set_value(handle.ok());
        } else {
            // The browser retries by itself.
            feed.connection.set(Connection::Lost { retry_ms: None });
        }
    });
    let on_update =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let Some(data) = event.data().as_string() else {
                return;
            };
            match serde_json::from_str::<LiveUpdate>(&data) {
                Ok(update) => apply(feed, update),
                Err(e) => feed.error.set(Some(format!(
                    "an update from the server could not be read: {e}"
                ))),
            }
        });
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let _ = source.add_event_listener_with_callback("update", on_update.as_ref().unchecked_ref());
    handles.update_value(|h| {
        if let Some(old) = h.take() {
            old.source.close();
        }
        *h = Some(Handles {
            source,
            _on_open: on_open,
            _on_error: on_error,
            _on_update: on_update,
        });
    });
}

/// Appends what is new in `update` to the history (each source's values at the time of its
/// last good sample, as the server records them), drops what left the window, and keeps the
/// update.
fn apply(feed: LiveFeed, update: LiveUpdate) {
    let previous: Vec<(String, Option<f64>)> = feed.update.with_untracked(|u| {
        u.as_ref().map_or_else(Vec::new, |u| {
            u.snapshot
                .sources
                .iter()
                .map(|s| (s.name.clone(), s.last_success))
                .collect()
        })
    });
    let metrics = LiveComponent::metrics();
    let window = feed.window_seconds.get_untracked();
    feed.history.update(|history| {
        for source in update.snapshot.sources.iter().filter(|s| !s.stale) {
            let Some(at) = source.last_success else {
                continue;
            };
            let seen = previous
                .iter()
                .find(|(name, _)| name == &source.name)
                .and_then(|(_, t)| *t);
            if seen.is_some_and(|t| t >= at) {
                continue;
            }
            for metric in source.metrics.iter().filter(|m| metrics.contains(m)) {
                if let Some(v) = update.snapshot.values.get(metric) {
                    let series = history.entry(*metric).or_default();
                    if series.last().is_none_or(|(t, _)| *t < at) {
                        series.push((at, *v));
                    }
                }
            }
        }
        let since = update.snapshot.at - window;
        for series in history.values_mut() {
            let old = series.partition_point(|(t, _)| *t < since);
            series.drain(..old);
        }
    });
    feed.received_at.set(Some(now_ms()));
    feed.update.set(Some(update));
}

/// Replaces the history with the server's, for the window.
async fn load_history(feed: LiveFeed, window: f64) {
    let since = now_ms() / 1_000.0 - window;
    let mut series = Series::new();
    for metric in LiveComponent::metrics() {
        match feed
            .session
            .check(crate::api::live_history(metric, since).await)
        {
            Ok(h) if !h.points.is_empty() => {
                series.insert(metric, h.points);
            }
            Ok(_) => {}
            Err(e) => {
                feed.error
                    .set(Some(format!("the live history could not be loaded: {e}")));
                return;
            }
        }
    }
    // Points that arrived on the stream while the history was loading are kept.
    feed.history.update(|h| {
        for (metric, newer) in std::mem::take(h) {
            let s = series.entry(metric).or_default();
            let last = s.last().map_or(f64::NEG_INFINITY, |(t, _)| *t);
            s.extend(newer.into_iter().filter(|(t, _)| *t > last));
        }
        *h = series;
    });
}
