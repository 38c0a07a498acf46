//! The live hub: one sampler task per configured source, shared by every client; a bounded
//! history; the latest analysis against the plan, serialised once per sample and fanned out to
//! Server-Sent-Events subscribers through a bounded broadcast channel (a subscriber that falls
//! behind is dropped, never buffered without bound).

pub mod config;
pub mod history;
pub mod sources;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use phaseplan_model::api::{LiveSnapshot, LiveUpdate, SourceStatus};
use phaseplan_model::live::{LiveAnalysis, LiveComponent, Metric, Observations, Series, analyse};
use phaseplan_model::valid::ValidScenario;
use tokio::sync::{broadcast, watch};

use crate::metrics::Metrics;
pub use config::LiveConfig;
use history::History;
use sources::{Failure, Source, SourceError};

/// What live data is judged against: a validated plan and the phase the platform is on.
#[derive(Debug, Clone)]
pub struct LivePlan {
    pub scenario: ValidScenario,
    pub phase_index: usize,
}

/// Events a subscriber may fall behind by before it is dropped.
const SUBSCRIBER_BACKLOG: usize = 16;

pub fn now_unix() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[derive(Debug)]
struct SourceState {
    status: SourceStatus,
    values: Vec<(Metric, f64)>,
}

#[derive(Debug)]
struct Inner {
    history: History,
    sources: Vec<SourceState>,
    /// The last update, serialised, for new subscribers.
    last: Option<Arc<str>>,
    /// Its analysis, for `/api/v1/live/analysis`.
    analysis: Option<Arc<LiveAnalysis>>,
    /// Samples recorded so far, and the number of the one `last` comes from: updates are
    /// analysed outside the lock, so a slower analysis of an older sample must not replace a
    /// newer one.
    recorded: u64,
    published: u64,
}

#[derive(Debug)]
pub struct LiveHub {
    inner: Mutex<Inner>,
    tx: broadcast::Sender<Arc<str>>,
    /// Set when the server shuts down, so open streams end instead of holding the drain open.
    closing: watch::Sender<bool>,
    interval: Duration,
    /// The history window, in seconds.
    history_seconds: f64,
    /// The plan and phase the stream is judged against: the default platform's, which a
    /// transition or a move to another revision replaces ([`LiveHub::follow`]).
    plan: RwLock<Arc<LivePlan>>,
    subscribers: AtomicI64,
    max_subscribers: i64,
    metrics: Arc<Metrics>,
}

impl LiveHub {
    /// Builds the hub and its sources from checked settings ([`LiveConfig::from_settings`]).
    pub fn new(
        config: LiveConfig,
        max_subscribers: usize,
        metrics: Arc<Metrics>,
    ) -> (Arc<Self>, Vec<Source>) {
        let LiveConfig {
            interval,
            history,
            capacity,
            scenario,
            phase_index,
            sources,
        } = config;
        let mut built = Vec::new();
        let mut states = Vec::new();
        for (status, source) in sources {
            states.push(SourceState {
                status,
                values: Vec::new(),
            });
            built.push(source);
        }
        let (tx, _) = broadcast::channel(SUBSCRIBER_BACKLOG);
        (
            Arc::new(LiveHub {
                inner: Mutex::new(Inner {
                    history: History::new(capacity),
                    sources: states,
                    last: None,
                    analysis: None,
                    recorded: 0,
                    published: 0,
                }),
                tx,
                closing: watch::Sender::new(false),
                interval,
                history_seconds: history.as_secs_f64(),
                plan: RwLock::new(Arc::new(LivePlan {
                    scenario,
                    phase_index,
                })),
                subscribers: AtomicI64::new(0),
                max_subscribers: i64::try_from(max_subscribers).unwrap_or(i64::MAX),
                metrics,
            }),
            built,
        )
    }

    pub fn interval(&self) -> Duration {
        self.interval
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A poisoned lock only means a panic elsewhere; the data is still consistent.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts one supervised sampler task per source: a sampler that panics (a bug in a
    /// driver, say) is restarted after a backoff (1 s doubling to a minute) and the source shows
    /// the failure meanwhile.
    pub fn spawn_samplers(self: &Arc<Self>, sources: Vec<Source>) {
        for (i, source) in sources.into_iter().enumerate() {
            let hub = Arc::clone(self);
            let source = Arc::new(tokio::sync::Mutex::new(source));
            tokio::spawn(
                Arc::clone(self).supervise(i, Duration::from_secs(1), move |first| {
                    Arc::clone(&hub).sample_forever(i, Arc::clone(&source), first)
                }),
            );
        }
    }

    /// Runs `run` (its argument: whether this is the first run) on a task of its own until it
    /// returns. When it panics, source `i` shows the crash and `run` starts again after
    /// `backoff`, doubling to a minute (back to the start after five quiet minutes).
    pub async fn supervise<F, Fut>(self: Arc<Self>, i: usize, first_backoff: Duration, mut run: F)
    where
        F: FnMut(bool) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let mut backoff = first_backoff;
        let mut first = true;
        loop {
            let task = tokio::spawn(run(first));
            first = false;
            let started = std::time::Instant::now();
            match task.await {
                Ok(()) => return,
                Err(e) => {
                    let why = if e.is_panic() { "panicked" } else { "stopped" };
                    tracing::error!(source = i, "live sampler {why}; restarting in {backoff:?}");
                    self.record(
                        i,
                        Err(SourceError::new(Failure::Crashed, format!("sampler {why}"))),
                    )
                    .await;
                }
            }
            if started.elapsed() > Duration::from_secs(300) {
                backoff = first_backoff;
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(60));
        }
    }

    /// Samples source `i` at the interval, for ever (its first run backfills the history).
    async fn sample_forever(
        self: Arc<Self>,
        i: usize,
        source: Arc<tokio::sync::Mutex<Source>>,
        backfill: bool,
    ) {
        // A panic while the lock is held poisons nothing (tokio's mutex); the next run takes it.
        let mut source = source.lock().await;
        let mut ticker = tokio::time::interval(self.interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // A source gets at most the interval (and never more than 10 s) to answer.
        let budget = self
            .interval
            .clamp(Duration::from_millis(500), Duration::from_secs(10));
        if backfill {
            self.backfill(i, &source).await;
        }
        loop {
            ticker.tick().await;
            let result = match tokio::time::timeout(budget, source.sample(budget)).await {
                Ok(r) => r,
                Err(_) => Err(SourceError::new(
                    Failure::Timeout(budget),
                    "no answer within the sample's budget",
                )),
            };
            self.record(i, result).await;
        }
    }

    /// Fills the history window from what source `i` already holds (Prometheus), before its
    /// first sample. A failure is logged and the source samples as usual: its history then
    /// starts now.
    async fn backfill(&self, i: usize, source: &Source) {
        let end = now_unix();
        let start = end - self.history_seconds;
        match source
            .backfill(start, end, self.interval.as_secs_f64())
            .await
        {
            Ok(series) => {
                let mut inner = self.lock();
                for (metric, points) in &series {
                    inner.history.backfill(*metric, points);
                }
                let points: usize = series.iter().map(|(_, p)| p.len()).sum();
                if points > 0 {
                    tracing::info!(source = i, points, "live history backfilled");
                }
            }
            Err(e) => tracing::warn!(
                source = i,
                error = %e,
                detail = %e.detail,
                "live history backfill failed"
            ),
        }
    }

    /// Records one sample (or failure) of source `i`, then publishes the new state. A change
    /// of state (up → failing, one failure → another, failing → up) is logged once, with the
    /// details; a source that keeps failing the same way does not fill the log.
    ///
    /// The lock is held only to update the sources and the history and to copy what the
    /// analysis reads; the analysis (a pass over the whole history) runs on a blocking thread,
    /// and its result is published unless a newer sample's got there first.
    pub async fn record(
        self: &Arc<Self>,
        i: usize,
        result: Result<Vec<(Metric, f64)>, SourceError>,
    ) {
        let now = now_unix();
        let (seq, snapshot, history) = {
            let mut inner = self.lock();
            let Some(state) = inner.sources.get_mut(i) else {
                return;
            };
            let name = state.status.name.clone();
            match result {
                Ok(values) => {
                    if state.status.error.is_some() {
                        tracing::info!(source = %name, "live source recovered");
                    }
                    state.status.healthy = true;
                    state.status.error = None;
                    state.status.last_success = Some(now);
                    state.values = values.clone();
                    for (m, v) in values {
                        inner.history.push(m, now, v);
                    }
                    self.metrics.sample(&name, true);
                }
                Err(e) => {
                    let shown = format!("{name}: {e}");
                    if state.status.error.as_deref() != Some(shown.as_str()) {
                        tracing::warn!(source = %name, error = %e, detail = %e.detail, "live source failing");
                    }
                    state.status.healthy = false;
                    state.status.error = Some(shown);
                    self.metrics.sample(&name, false);
                }
            }
            inner.recorded += 1;
            let snapshot = self.snapshot_locked(&mut inner, now);
            let history = inner.history.series(&LiveComponent::metrics(), 0.0);
            (inner.recorded, snapshot, history)
        };
        let hub = Arc::clone(self);
        let Ok((update, json)) =
            tokio::task::spawn_blocking(move || hub.analysed(snapshot, &history, now)).await
        else {
            return;
        };
        {
            let mut inner = self.lock();
            if seq <= inner.published {
                return;
            }
            inner.published = seq;
            inner.last = Some(Arc::clone(&json));
            inner.analysis = Some(Arc::new(update.analysis));
        }
        // No subscribers is not an error.
        let _ = self.tx.send(json);
    }

    /// The update for a snapshot and a copy of the history, and its JSON: CPU work, outside the
    /// lock.
    fn analysed(
        &self,
        snapshot: LiveSnapshot,
        history: &Series,
        now: f64,
    ) -> (LiveUpdate, Arc<str>) {
        let plan = self.plan();
        let analysis = analyse(&plan.scenario, plan.phase_index, &snapshot.values, history);
        let update = LiveUpdate {
            snapshot,
            analysis,
            sent_at_ms: now * 1_000.0,
        };
        let json: Arc<str> = serde_json::to_string(&update).unwrap_or_default().into();
        (update, json)
    }

    /// The state as it is now, analysed outside the lock (before the first sample).
    fn current(&self) -> (LiveUpdate, Arc<str>) {
        let now = now_unix();
        let (snapshot, history) = {
            let mut inner = self.lock();
            let snapshot = self.snapshot_locked(&mut inner, now);
            (
                snapshot,
                inner.history.series(&LiveComponent::metrics(), 0.0),
            )
        };
        self.analysed(snapshot, &history, now)
    }

    fn snapshot_locked(&self, inner: &mut Inner, now: f64) -> LiveSnapshot {
        let stale_after = 3.0 * self.interval.as_secs_f64();
        let mut values = Observations::new();
        let mut sources = Vec::new();
        for s in &mut inner.sources {
            s.status.stale =
                s.status.last_success.is_none_or(|t| now - t > stale_after) || !s.status.healthy;
            if !s.status.stale {
                values.extend(s.values.iter().copied());
            }
            sources.push(s.status.clone());
        }
        LiveSnapshot {
            at: now,
            values,
            sources,
            interval_seconds: self.interval.as_secs_f64(),
        }
    }

    /// The plan the stream is judged against now.
    pub fn plan(&self) -> Arc<LivePlan> {
        let plan = self
            .plan
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(&plan)
    }

    /// Judges the stream against `plan` from now on, and tells every subscriber at once (the
    /// Live page follows a recorded transition without waiting for the next sample).
    pub fn follow(&self, plan: LivePlan) {
        {
            let mut current = self
                .plan
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if current.phase_index == plan.phase_index
                && current.scenario.scenario() == plan.scenario.scenario()
            {
                return;
            }
            *current = Arc::new(plan);
        }
        let (update, json) = self.current();
        {
            let mut inner = self.lock();
            inner.last = Some(Arc::clone(&json));
            inner.analysis = Some(Arc::new(update.analysis));
        }
        let _ = self.tx.send(json);
    }

    /// The latest values and the history of the sources named (`None`: all), analysed against
    /// `plan`: what a platform reading only some sources sees. A metric two sources report is
    /// the later source's, as in the stream.
    pub fn analyse_for(
        &self,
        sources: Option<&[String]>,
        plan: &LivePlan,
    ) -> (LiveAnalysis, Observations) {
        let now = now_unix();
        let (values, history) = {
            let mut inner = self.lock();
            let snapshot = self.snapshot_locked(&mut inner, now);
            let chosen = |name: &str| sources.is_none_or(|s| s.iter().any(|n| n == name));
            let mut values = Observations::new();
            let mut metrics = Vec::new();
            for (s, state) in snapshot.sources.iter().zip(&inner.sources) {
                if chosen(&s.name) {
                    metrics.extend(s.metrics.iter().copied());
                    if !s.stale {
                        values.extend(state.values.iter().copied());
                    }
                }
            }
            let wanted: Vec<Metric> = LiveComponent::metrics()
                .into_iter()
                .filter(|m| metrics.contains(m))
                .collect();
            (values, inner.history.series(&wanted, 0.0))
        };
        let analysis = analyse(&plan.scenario, plan.phase_index, &values, &history);
        (analysis, values)
    }

    /// The names of the configured sources.
    pub fn source_names(&self) -> Vec<String> {
        self.lock()
            .sources
            .iter()
            .map(|s| s.status.name.clone())
            .collect()
    }

    pub fn snapshot(&self) -> LiveSnapshot {
        let mut inner = self.lock();
        self.snapshot_locked(&mut inner, now_unix())
    }

    /// The last published analysis (the state as it is, before the first sample).
    pub fn analysis(&self) -> LiveAnalysis {
        let last = self.lock().analysis.clone();
        match last {
            Some(a) => LiveAnalysis::clone(&a),
            None => self.current().0.analysis,
        }
    }

    pub fn history(&self, metric: Metric, since: f64) -> Vec<(f64, f64)> {
        self.lock().history.since(metric, since)
    }

    /// A new subscriber: the last update (if any) and the stream of the next ones; `None` when
    /// `max_sse_subscribers` are open already.
    pub fn subscribe(self: &Arc<Self>) -> Option<NewSubscriber> {
        let max = self.max_subscribers;
        let n = self
            .subscribers
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()?
            + 1;
        self.metrics.subscribers.set(n);
        let subscription = Subscription(Arc::clone(self));
        let rx = self.tx.subscribe();
        // Before the first sample, the state as it is (every source waiting), so a new page
        // shows its sources at once instead of after the first interval.
        let last = self.lock().last.clone();
        let last = last.unwrap_or_else(|| self.current().1);
        Some((Some(last), rx, subscription))
    }

    /// Ends every open stream: called when the server shuts down, so the drain does not wait
    /// the whole grace period for subscribers that never finish by themselves.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves when [`LiveHub::close`] is called.
    pub fn closing(&self) -> impl Future<Output = ()> + Send + use<> {
        let mut rx = self.closing.subscribe();
        async move {
            let _ = rx.wait_for(|closing| *closing).await;
        }
    }

    pub fn subscribers(&self) -> i64 {
        self.subscribers.load(Ordering::Relaxed)
    }

    /// Which sources exist and whether each is up, for `/metrics`.
    pub fn source_health(&self) -> BTreeMap<String, bool> {
        let now = now_unix();
        let mut inner = self.lock();
        self.snapshot_locked(&mut inner, now)
            .sources
            .into_iter()
            .map(|s| (s.name, !s.stale))
            .collect()
    }
}

/// What a new subscriber gets: the last update, the stream of the next ones, and the
/// subscription that counts it while it lives.
pub type NewSubscriber = (
    Option<Arc<str>>,
    broadcast::Receiver<Arc<str>>,
    Subscription,
);

/// Counts a subscriber while it lives.
#[derive(Debug)]
pub struct Subscription(Arc<LiveHub>);

impl Drop for Subscription {
    fn drop(&mut self) {
        let n = self.0.subscribers.fetch_sub(1, Ordering::Relaxed) - 1;
        self.0.metrics.subscribers.set(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test]
    async fn a_sampler_that_panics_is_restarted_and_the_source_shows_it() {
        let config = LiveConfig::from_settings(&crate::config::LiveSettings::default()).unwrap();
        let (hub, _) = LiveHub::new(config, 10, Arc::new(Metrics::new()));
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&runs);
        let started = std::time::Instant::now();
        Arc::clone(&hub)
            .supervise(0, Duration::from_millis(20), move |first| {
                let n = counted.fetch_add(1, Ordering::SeqCst);
                async move {
                    assert_eq!(first, n == 0);
                    // The first two runs crash; the third ends normally.
                    assert!(n >= 2, "sampler bug #{n}");
                }
            })
            .await;
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        // Backoff 20 ms, then 40 ms.
        assert!(started.elapsed() >= Duration::from_millis(60));
        let s = hub.snapshot();
        assert_eq!(
            s.sources[0].error.as_deref(),
            Some("host: the sampler crashed and is restarted")
        );
        assert!(s.sources[0].stale);
    }

    #[tokio::test]
    async fn a_platform_reads_only_its_sources_and_the_stream_follows_a_new_phase() {
        let mut settings = crate::config::LiveSettings::default();
        settings.sources.push(crate::config::SourceSettings::Host {
            name: "other".to_owned(),
        });
        let config = LiveConfig::from_settings(&settings).unwrap();
        let (hub, _) = LiveHub::new(config, 10, Arc::new(Metrics::new()));
        hub.record(0, Ok(vec![(Metric::CpuPercent, 70.0)])).await;
        hub.record(1, Ok(vec![(Metric::MemoryPercent, 50.0)])).await;
        let plan = hub.plan();
        let (all, values) = hub.analyse_for(None, &plan);
        assert_eq!(values.len(), 2);
        assert_eq!(all.readings.len(), 2);
        let only = ["other".to_owned()];
        let (mine, values) = hub.analyse_for(Some(&only), &plan);
        assert_eq!(values.keys().collect::<Vec<_>>(), [&Metric::MemoryPercent]);
        assert_eq!(mine.readings.len(), 1);
        assert_eq!(mine.readings[0].component, LiveComponent::AppMemory);

        // Following another phase publishes at once, judged against it.
        let (_, mut rx, _sub) = hub.subscribe().unwrap();
        let next = plan.phase_index + 1;
        hub.follow(LivePlan {
            scenario: plan.scenario.clone(),
            phase_index: next,
        });
        let json = rx.recv().await.unwrap();
        let update: LiveUpdate = serde_json::from_str(&json).unwrap();
        assert_eq!(update.analysis.phase_index, next);
        assert_eq!(hub.analysis().phase_index, next);
        // The same plan again changes nothing and sends nothing.
        hub.follow(LivePlan {
            scenario: plan.scenario.clone(),
            phase_index: next,
        });
        assert!(rx.try_recv().is_err());
    }
}
