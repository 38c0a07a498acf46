//! Calibration: the workload inputs estimated from live telemetry over a window, with their
//! uncertainty, and what applying them changes in the plan.
//!
//! Each input is a ratio of two live metrics read at the same moment (the nearest sample of the
//! denominator within one of its sampling intervals), one ratio per sample:
//!
//! | input | per sample |
//! |---|---|
//! | `requests_per_user_per_minute` | 60 × requests per second / concurrent users |
//! | `db_queries_per_request` | database queries per second / requests per second |
//! | `db_query_time_ms` | 1000 × mean query time (pg_stat_statements) |
//! | `service_time_ms` | 1000 × mean request duration (the latency histogram), less the time its queries spend in the database |
//! | `cache_mib_per_user` | cache memory in use / concurrent users, in MiB |
//! | `websocket_share` | WebSocket connections / concurrent users |
//! | `peak_to_average` | the highest concurrent users over their mean (windows of a day or more) |
//!
//! The estimate is the mean of the ratios; its 95 % interval is `mean ± t₀.₉₇₅(n_eff − 1) · s /
//! √n_eff` where `n_eff = n(1 − ρ)/(1 + ρ)` counts the samples as independent ones (ρ their lag-1
//! autocorrelation, the correction [`crate::forecast`] makes): samples a few seconds apart say
//! much the same, and without it the interval would be far too narrow. Peak to average is a ratio
//! of extremes: over several whole days it is the mean of the daily ratios with their interval,
//! over one day it has none.
//!
//! An input is estimated only from at least [`MIN_SAMPLES`] paired samples spanning at least half
//! the window; otherwise it is listed as missing with what it lacks, never guessed. The service
//! time so estimated is the time a request holds its worker outside the database, waits included:
//! an upper bound of the CPU time the model calls service time, close to it while the app tier is
//! not queueing.
//!
//! The (concurrency, throughput) pairs for the scalability law come from Little's law: requests
//! in flight `N = X · R` (throughput times mean duration), binned by `N` into at most
//! [`MAX_POINTS`] groups of equal size.

use serde::{Deserialize, Serialize};

use crate::cost::catalog::Catalog;
use crate::evaluate::{Evaluation, evaluate_plan};
use crate::forecast::t95;
use crate::live::{Metric, Series};
use crate::measurements::{FitRequest, FitResponse, Point, fit};
use crate::scenario::{Scenario, Workload};
use crate::valid::ValidScenario;

/// Paired samples an estimate needs at least.
pub const MIN_SAMPLES: usize = 10;
/// Most (concurrency, throughput) points made for the fit.
pub const MAX_POINTS: usize = 12;
const MIB: f64 = 1_048_576.0;
const DAY: f64 = 86_400.0;

/// How far back a calibration looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Window {
    #[serde(rename = "15m")]
    Minutes15,
    #[serde(rename = "1h")]
    Hour1,
    #[serde(rename = "6h")]
    Hours6,
    #[serde(rename = "24h")]
    Hours24,
    #[serde(rename = "7d")]
    Days7,
}

impl Window {
    pub const ALL: [Window; 5] = [
        Window::Minutes15,
        Window::Hour1,
        Window::Hours6,
        Window::Hours24,
        Window::Days7,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Window::Minutes15 => "15m",
            Window::Hour1 => "1h",
            Window::Hours6 => "6h",
            Window::Hours24 => "24h",
            Window::Days7 => "7d",
        }
    }

    pub fn parse(key: &str) -> Option<Window> {
        Window::ALL.into_iter().find(|w| w.key() == key)
    }

    pub fn seconds(self) -> f64 {
        match self {
            Window::Minutes15 => 900.0,
            Window::Hour1 => 3_600.0,
            Window::Hours6 => 21_600.0,
            Window::Hours24 => DAY,
            Window::Days7 => 7.0 * DAY,
        }
    }
}

/// A workload input calibration estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Input {
    RequestsPerUserPerMinute,
    ServiceTimeMs,
    DbQueriesPerRequest,
    DbQueryTimeMs,
    CacheMibPerUser,
    WebsocketShare,
    PeakToAverage,
}

impl Input {
    pub const ALL: [Input; 7] = [
        Input::RequestsPerUserPerMinute,
        Input::ServiceTimeMs,
        Input::DbQueriesPerRequest,
        Input::DbQueryTimeMs,
        Input::CacheMibPerUser,
        Input::WebsocketShare,
        Input::PeakToAverage,
    ];

    /// The scenario field it sets.
    pub fn field(self) -> &'static str {
        match self {
            Input::RequestsPerUserPerMinute => "workload.requests_per_user_per_minute",
            Input::ServiceTimeMs => "workload.service_time_ms",
            Input::DbQueriesPerRequest => "workload.db_queries_per_request",
            Input::DbQueryTimeMs => "workload.db_query_time_ms",
            Input::CacheMibPerUser => "workload.cache_mib_per_user",
            Input::WebsocketShare => "workload.websocket_share",
            Input::PeakToAverage => "workload.peak_to_average",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Input::RequestsPerUserPerMinute => "Requests per user per minute",
            Input::ServiceTimeMs => "Service time (ms)",
            Input::DbQueriesPerRequest => "Database queries per request",
            Input::DbQueryTimeMs => "Database time per query (ms)",
            Input::CacheMibPerUser => "Cache memory per user (MiB)",
            Input::WebsocketShare => "WebSocket share",
            Input::PeakToAverage => "Peak to average",
        }
    }

    /// The live metrics it is read from.
    pub fn metrics(self) -> &'static [Metric] {
        match self {
            Input::RequestsPerUserPerMinute => {
                &[Metric::RequestsPerSecond, Metric::ConcurrentUsers]
            }
            Input::ServiceTimeMs => &[Metric::RequestDurationSeconds],
            Input::DbQueriesPerRequest => &[Metric::DbQueriesPerSecond, Metric::RequestsPerSecond],
            Input::DbQueryTimeMs => &[Metric::DbQuerySeconds],
            Input::CacheMibPerUser => &[Metric::CacheMemoryBytes, Metric::ConcurrentUsers],
            Input::WebsocketShare => &[Metric::WebsocketConnections, Metric::ConcurrentUsers],
            Input::PeakToAverage => &[Metric::ConcurrentUsers],
        }
    }

    pub fn get(self, w: &Workload) -> f64 {
        match self {
            Input::RequestsPerUserPerMinute => w.requests_per_user_per_minute,
            Input::ServiceTimeMs => w.service_time_ms,
            Input::DbQueriesPerRequest => w.db_queries_per_request,
            Input::DbQueryTimeMs => w.db_query_time_ms,
            Input::CacheMibPerUser => w.cache_mib_per_user,
            Input::WebsocketShare => w.websocket_share,
            Input::PeakToAverage => w.peak_to_average,
        }
    }

    /// The range the scenario accepts (the field checks' own), so an estimate always applies.
    fn range(self) -> (f64, f64) {
        match self {
            Input::RequestsPerUserPerMinute => (0.0, 10_000.0),
            Input::ServiceTimeMs | Input::DbQueryTimeMs => (0.001, 600_000.0),
            Input::DbQueriesPerRequest => (0.0, 1_000.0),
            Input::CacheMibPerUser => (0.0, 1_024.0),
            Input::WebsocketShare => (0.0, 1.0),
            Input::PeakToAverage => (1.0, 100.0),
        }
    }

    fn set(self, w: &mut Workload, v: f64) {
        let (lo, hi) = self.range();
        let v = v.clamp(lo, hi);
        match self {
            Input::RequestsPerUserPerMinute => w.requests_per_user_per_minute = v,
            Input::ServiceTimeMs => w.service_time_ms = v,
            Input::DbQueriesPerRequest => w.db_queries_per_request = v,
            Input::DbQueryTimeMs => w.db_query_time_ms = v,
            Input::CacheMibPerUser => w.cache_mib_per_user = v,
            Input::WebsocketShare => w.websocket_share = v,
            Input::PeakToAverage => w.peak_to_average = v,
        }
    }
}

/// One input as the telemetry has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Estimate {
    pub input: Input,
    /// The scenario field it sets (`workload.service_time_ms`).
    pub field: String,
    /// The plan's value now.
    pub before: f64,
    /// The estimate (within the range the field accepts).
    pub value: f64,
    /// Its 95 % interval; `None` where there is none (peak to average over a single day).
    pub interval: Option<[f64; 2]>,
    /// Paired samples it rests on.
    pub samples: usize,
    /// As many independent samples as they are worth (`n(1 − ρ)/(1 + ρ)`).
    pub effective_samples: f64,
}

/// An input the telemetry cannot estimate, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shortfall {
    pub input: Input,
    /// The metrics it needs.
    pub metrics: Vec<Metric>,
    /// What is missing, for people.
    pub reason: String,
}

/// The inputs over a window, and the points for the scalability law.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Calibration {
    pub window: Window,
    /// Unix seconds the window starts and ends.
    pub from: f64,
    pub to: f64,
    pub estimates: Vec<Estimate>,
    pub missing: Vec<Shortfall>,
    /// (requests in flight, requests per second) by Little's law, binned by concurrency.
    pub points: Vec<Point>,
    /// The scalability law fitted to `points` (over requests in flight, not instances).
    pub usl: Option<FitResponse>,
    /// Why there is no fit, when there are points.
    pub usl_refused: Option<String>,
}

/// Too little telemetry for any estimate: every input's shortfall.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("too little live data over the last {}: {}", .window.key(), describe(.missing))]
pub struct InsufficientData {
    pub window: Window,
    pub missing: Vec<Shortfall>,
}

fn describe(missing: &[Shortfall]) -> String {
    missing
        .iter()
        .map(|s| format!("{} — {}", s.input.label(), s.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Points of `metric` in `[from, to]` with finite values.
fn within(series: &Series, metric: Metric, from: f64, to: f64) -> Vec<(f64, f64)> {
    series.get(&metric).map_or_else(Vec::new, |s| {
        s.iter()
            .copied()
            .filter(|&(t, v)| t >= from && t <= to && v.is_finite())
            .collect()
    })
}

/// The median gap between successive points, at least a second.
fn spacing(points: &[(f64, f64)]) -> f64 {
    let mut gaps: Vec<f64> = points.windows(2).map(|w| w[1].0 - w[0].0).collect();
    if gaps.is_empty() {
        return 1.0;
    }
    let mid = gaps.len() / 2;
    let (_, m, _) = gaps.select_nth_unstable_by(mid, f64::total_cmp);
    m.max(1.0)
}

/// `f(a, b)` for each point of `a` and the point of `b` nearest in time, within `b`'s spacing;
/// `f` returns `None` to skip a pair (a zero denominator).
fn paired<T>(
    a: &[(f64, f64)],
    b: &[(f64, f64)],
    f: impl Fn(f64, f64) -> Option<T>,
) -> Vec<(f64, T)> {
    if b.is_empty() {
        return Vec::new();
    }
    let tolerance = spacing(b);
    let mut j = 0;
    let mut out = Vec::with_capacity(a.len());
    for &(t, x) in a {
        while j + 1 < b.len() && (b[j + 1].0 - t).abs() <= (b[j].0 - t).abs() {
            j += 1;
        }
        let (tb, y) = b[j];
        if (tb - t).abs() <= tolerance
            && let Some(r) = f(x, y)
        {
            out.push((t, r));
        }
    }
    out
}

/// A ratio of two samples, when it is a number.
fn ratio_of(r: f64) -> Option<f64> {
    r.is_finite().then_some(r)
}

/// Mean, 95 % interval and effective sample count of `values` (in time order).
fn mean_interval(values: &[f64]) -> (f64, [f64; 2], f64) {
    #[allow(clippy::cast_precision_loss)]
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    let lag: f64 = values
        .windows(2)
        .map(|w| (w[0] - mean) * (w[1] - mean))
        .sum::<f64>();
    let total: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    let rho = if total > 0.0 {
        (lag / total).clamp(0.0, 0.99)
    } else {
        0.0
    };
    let effective = (n * (1.0 - rho) / (1.0 + rho)).max(2.0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let half = t95((effective.floor() as usize).saturating_sub(1)) * (var / effective).sqrt();
    (mean, [mean - half, mean + half], effective)
}

/// The estimate of `input` from its per-sample ratios, or what it lacks.
fn estimate(
    input: Input,
    ratios: &[(f64, f64)],
    window: Window,
    before: f64,
) -> Result<Estimate, Shortfall> {
    let short = |reason: String| Shortfall {
        input,
        metrics: input.metrics().to_vec(),
        reason,
    };
    if ratios.len() < MIN_SAMPLES {
        return Err(short(format!(
            "needs {MIN_SAMPLES} samples of {} at the same moments in the window, found {}",
            names(input.metrics()),
            ratios.len()
        )));
    }
    let span = ratios[ratios.len() - 1].0 - ratios[0].0;
    if span < window.seconds() / 2.0 {
        return Err(short(format!(
            "its samples span {} of the {} window; at least half is needed (the live history \
             may be shorter than the window: see live.history_hours)",
            duration(span),
            window.key()
        )));
    }
    let values: Vec<f64> = ratios.iter().map(|r| r.1).collect();
    let (mean, [lo, hi], effective) = mean_interval(&values);
    let (min, max) = input.range();
    Ok(Estimate {
        input,
        field: input.field().to_owned(),
        before,
        value: mean.clamp(min, max),
        interval: Some([lo.clamp(min, max), hi.clamp(min, max)]),
        samples: values.len(),
        effective_samples: effective,
    })
}

/// Peak to average: the highest users over their mean; over whole days the mean of the daily
/// ratios with its interval.
fn peak_to_average(
    users: &[(f64, f64)],
    window: Window,
    before: f64,
) -> Result<Estimate, Shortfall> {
    let input = Input::PeakToAverage;
    let short = |reason: String| Shortfall {
        input,
        metrics: input.metrics().to_vec(),
        reason,
    };
    if window.seconds() < DAY {
        return Err(short(format!(
            "a day's peak over its average needs a window of a day or more, not {}",
            window.key()
        )));
    }
    let ratio = |p: &[(f64, f64)]| {
        #[allow(clippy::cast_precision_loss)]
        let mean = p.iter().map(|x| x.1).sum::<f64>() / p.len() as f64;
        let peak = p.iter().map(|x| x.1).fold(0.0, f64::max);
        (mean > 0.0).then(|| peak / mean)
    };
    let days: Vec<f64> = users
        .chunk_by(|a, b| (a.0 / DAY).floor() == (b.0 / DAY).floor())
        .filter(|d| d.len() >= MIN_SAMPLES && d[d.len() - 1].0 - d[0].0 >= DAY * 0.9)
        .filter_map(ratio)
        .collect();
    let span = users.last().map_or(0.0, |l| l.0) - users.first().map_or(0.0, |f| f.0);
    if users.len() < MIN_SAMPLES || span < DAY * 0.9 {
        return Err(short(format!(
            "needs a whole day of concurrent users in the window; the samples span {}",
            duration(span.max(0.0))
        )));
    }
    if span < window.seconds() / 2.0 {
        return Err(short(format!(
            "its samples span {} of the {} window; at least half is needed (the live history \
             may be shorter than the window: see live.history_hours)",
            duration(span),
            window.key()
        )));
    }
    let (min, max) = input.range();
    let (value, interval, effective) = if days.len() >= 2 {
        let (m, [lo, hi], e) = mean_interval(&days);
        (m, Some([lo.clamp(min, max), hi.clamp(min, max)]), e)
    } else {
        let r = ratio(users).ok_or_else(|| short("no users in the window".to_owned()))?;
        (r, None, 1.0)
    };
    Ok(Estimate {
        input,
        field: input.field().to_owned(),
        before,
        value: value.clamp(min, max),
        interval,
        samples: users.len(),
        effective_samples: effective,
    })
}

fn names(metrics: &[Metric]) -> String {
    metrics
        .iter()
        .map(|m| m.key())
        .collect::<Vec<_>>()
        .join(" and ")
}

fn duration(seconds: f64) -> String {
    if seconds >= 2.0 * 3_600.0 {
        format!("{:.0} h", seconds / 3_600.0)
    } else if seconds >= 120.0 {
        format!("{:.0} min", seconds / 60.0)
    } else {
        format!("{seconds:.0} s")
    }
}

/// (requests in flight, throughput) by Little's law from paired throughput and mean duration,
/// binned by concurrency.
fn little_points(rps: &[(f64, f64)], duration: &[(f64, f64)]) -> Vec<Point> {
    // Each throughput sample with the request time nearest it, as (in flight, X, R).
    let mut pairs: Vec<(f64, f64, f64)> = paired(rps, duration, |x, r| {
        (x > 0.0 && r > 0.0 && (x * r).is_finite()).then_some((x * r, x, r))
    })
    .into_iter()
    .map(|(_, p)| p)
    .collect();
    if pairs.len() < MIN_SAMPLES {
        return Vec::new();
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let per = pairs.len().div_ceil(MAX_POINTS).max(3);
    pairs
        .chunks(per)
        .filter(|c| c.len() >= 3)
        .map(|c| {
            #[allow(clippy::cast_precision_loss)]
            let n = c.len() as f64;
            Point {
                concurrency: c.iter().map(|p| p.0).sum::<f64>() / n,
                throughput: c.iter().map(|p| p.1).sum::<f64>() / n,
                latency_ms: Some(c.iter().map(|p| p.2).sum::<f64>() / n * 1_000.0),
                latency_percentiles_ms: None,
            }
        })
        .collect()
}

/// The workload inputs `series` supports over the `window` ending at `now`, against the plan's
/// `workload`; an error listing every shortfall when it supports none.
pub fn calibrate(
    series: &Series,
    window: Window,
    now: f64,
    workload: &Workload,
) -> Result<Calibration, InsufficientData> {
    let from = now - window.seconds();
    let get = |m: Metric| within(series, m, from, now);
    let users = get(Metric::ConcurrentUsers);
    let rps = get(Metric::RequestsPerSecond);
    let duration_s = get(Metric::RequestDurationSeconds);
    let per_user =
        |num: &[(f64, f64)], k: f64| paired(num, &users, move |a, u| (u > 0.0).then(|| a / u * k));
    let scaled = |s: &[(f64, f64)], k: f64| s.iter().map(|&(t, v)| (t, v * k)).collect::<Vec<_>>();
    let queries = paired(&get(Metric::DbQueriesPerSecond), &rps, |q, x| {
        (x > 0.0).then(|| q / x).and_then(ratio_of)
    });
    let query_ms = scaled(&get(Metric::DbQuerySeconds), 1_000.0);
    let mut results: Vec<Result<Estimate, Shortfall>> = Vec::new();
    for input in Input::ALL {
        let before = input.get(workload);
        let r = match input {
            Input::RequestsPerUserPerMinute => {
                estimate(input, &per_user(&rps, 60.0), window, before)
            }
            Input::DbQueriesPerRequest => estimate(input, &queries, window, before),
            Input::DbQueryTimeMs => estimate(input, &query_ms, window, before),
            Input::CacheMibPerUser => estimate(
                input,
                &per_user(&get(Metric::CacheMemoryBytes), 1.0 / MIB),
                window,
                before,
            ),
            Input::WebsocketShare => estimate(
                input,
                &per_user(&get(Metric::WebsocketConnections), 1.0),
                window,
                before,
            ),
            Input::PeakToAverage => peak_to_average(&users, window, before),
            // After the database inputs, whose time it leaves out.
            Input::ServiceTimeMs => continue,
        };
        results.push(r);
    }
    // The database time of a request (queries × time per query), when both are estimated.
    let estimated = |input: Input| {
        results
            .iter()
            .find_map(|r| r.as_ref().ok().filter(|e| e.input == input))
            .map(|e| e.value)
    };
    let in_db = estimated(Input::DbQueriesPerRequest)
        .zip(estimated(Input::DbQueryTimeMs))
        .map_or(0.0, |(q, ms)| q * ms);
    let service: Vec<(f64, f64)> = duration_s
        .iter()
        .map(|&(t, s)| (t, s * 1_000.0 - in_db))
        .collect();
    results.push(estimate(
        Input::ServiceTimeMs,
        &service,
        window,
        workload.service_time_ms,
    ));
    let (mut estimates, mut missing) = (Vec::new(), Vec::new());
    for r in results {
        match r {
            Ok(e) => estimates.push(e),
            Err(s) => missing.push(s),
        }
    }
    estimates.sort_by_key(|e| e.input);
    missing.sort_by_key(|s| s.input);
    if estimates.is_empty() {
        return Err(InsufficientData { window, missing });
    }
    let points = little_points(&rps, &duration_s);
    let (usl, usl_refused) = if points.is_empty() {
        (None, None)
    } else {
        match fit(&FitRequest {
            points: points.clone(),
        }) {
            Ok(f) => (Some(f), None),
            Err(e) => (None, Some(e.reason.to_string())),
        }
    };
    Ok(Calibration {
        window,
        from,
        to: now,
        estimates,
        missing,
        points,
        usl,
        usl_refused,
    })
}

impl Calibration {
    /// `scenario` with every estimated input set to its estimate.
    pub fn apply(&self, scenario: &Scenario) -> Scenario {
        let mut s = scenario.clone();
        for e in &self.estimates {
            e.input.set(&mut s.workload, e.value);
        }
        s
    }
}

/// One phase's limit before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LimitChange {
    pub phase: String,
    /// Users at which the phase must have been left ([`crate::capacity::components::PhaseCapacity::critical_users`]).
    pub before_users: f64,
    pub after_users: f64,
}

/// When a phase is first needed, in months from now, before and after (`0`: already; `None`: not
/// within the horizon).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthChange {
    pub phase: String,
    pub before_month: Option<u32>,
    pub after_month: Option<u32>,
}

/// What calibrating changes in the plan, on the scenario's provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Impact {
    pub limits: Vec<LimitChange>,
    pub transitions: Vec<MonthChange>,
    /// USD this month, before and after.
    pub monthly_usd: [f64; 2],
    /// Total cost over the horizon, USD, before and after.
    pub tco_usd: [f64; 2],
}

/// The changes between the plan as evaluated (`before`, [`evaluate_plan`]'s answer, which the
/// SPA holds already) and `after` (the same ladder, calibrated inputs).
pub fn impact(before: &Evaluation, after: &ValidScenario, catalog: &Catalog) -> Impact {
    let (b, a) = (before, &evaluate_plan(after, catalog));
    // Month 0 when the plan needs the phase already, else its first transition up to it.
    let first = |e: &Evaluation, i: usize| {
        if e.timeline
            .months
            .first()
            .is_some_and(|m| m.phase_index >= i)
        {
            return Some(0);
        }
        e.timeline
            .transitions
            .iter()
            .find(|t| t.to_index == i && t.to_index > t.from_index)
            .map(|t| t.month)
    };
    let cost = |e: &Evaluation| {
        e.providers
            .iter()
            .find(|p| p.provider == e.provider)
            .map_or((0.0, 0.0), |p| {
                (p.monthly_usd.first().copied().unwrap_or(0.0), p.tco_usd)
            })
    };
    let ((bm, bt), (am, at)) = (cost(b), cost(a));
    Impact {
        limits: b
            .phases
            .iter()
            .zip(&a.phases)
            .map(|(x, y)| LimitChange {
                phase: x.name.clone(),
                before_users: x.capacity.critical_users,
                after_users: y.capacity.critical_users,
            })
            .collect(),
        transitions: b
            .phases
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, p)| MonthChange {
                phase: p.name.clone(),
                before_month: first(b, i),
                after_month: first(a, i),
            })
            .collect(),
        monthly_usd: [bm, am],
        tco_usd: [bt, at],
    }
}

/// What `GET /api/v1/live/calibration` answers: the calibration and what applying it to the
/// plan changes (`None` when the calibrated plan would not be valid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalibrationReport {
    pub calibration: Calibration,
    pub impact: Option<Impact>,
}

/// The calibration of `plan` from `series` over `window`, with its impact.
pub fn report(
    series: &Series,
    window: Window,
    now: f64,
    plan: &ValidScenario,
    catalog: &Catalog,
) -> Result<CalibrationReport, InsufficientData> {
    let calibration = calibrate(series, window, now, &plan.scenario().workload)?;
    let impact = calibration
        .apply(plan.scenario())
        .validate()
        .ok()
        .map(|after| impact(&evaluate_plan(plan, catalog), &after, catalog));
    Ok(CalibrationReport {
        calibration,
        impact,
    })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::presets::default_preset;

    /// `n` samples every `step` seconds ending at `now` of `f(i)`.
    fn samples(now: f64, step: f64, n: usize, f: impl Fn(usize) -> f64) -> Vec<(f64, f64)> {
        #[allow(clippy::cast_precision_loss)]
        (0..n)
            .map(|i| (now - step * (n - 1 - i) as f64, f(i)))
            .collect()
    }

    /// Deterministic noise in [−1, 1].
    fn noise(i: usize) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let x = ((i as f64) * 12.9898).sin() * 43_758.545;
        2.0 * (x - x.floor()) - 1.0
    }

    fn workload() -> Workload {
        default_preset().scenario.workload
    }

    fn telemetry(now: f64) -> Series {
        // An hour at 15 s: users 400 ± 20, 8 requests per user per minute, 3 queries of 2 ms
        // each, requests of 30 ms (6 of them in the database), 0.5 MiB per user, 20 % on
        // WebSockets.
        let n = 241;
        let users = samples(now, 15.0, n, |i| 400.0 + 20.0 * noise(i));
        let at = |i: usize| users[i].1;
        let rps = samples(now, 15.0, n, |i| {
            at(i) * 8.0 / 60.0 * (1.0 + 0.01 * noise(i + 7))
        });
        [
            (Metric::ConcurrentUsers, users.clone()),
            (Metric::RequestsPerSecond, rps.clone()),
            (
                Metric::DbQueriesPerSecond,
                samples(now, 15.0, n, |i| rps[i].1 * 3.0),
            ),
            (Metric::DbQuerySeconds, samples(now, 15.0, n, |_| 0.002)),
            (
                Metric::RequestDurationSeconds,
                samples(now, 15.0, n, |i| 0.030 + 0.001 * noise(i + 3)),
            ),
            (
                Metric::CacheMemoryBytes,
                samples(now, 15.0, n, |i| at(i) * 0.5 * MIB),
            ),
            (
                Metric::WebsocketConnections,
                samples(now, 15.0, n, |i| at(i) * 0.2),
            ),
        ]
        .into_iter()
        .collect()
    }

    fn value(c: &Calibration, input: Input) -> &Estimate {
        c.estimates
            .iter()
            .find(|e| e.input == input)
            .unwrap_or_else(|| panic!("{input:?}: {:?}", c.missing))
    }

    #[test]
    fn known_rates_are_recovered_within_their_intervals() {
        let now = 1_800_000_000.0;
        let c = calibrate(&telemetry(now), Window::Hour1, now, &workload()).unwrap();
        for (input, truth, within) in [
            (Input::RequestsPerUserPerMinute, 8.0, 0.01),
            (Input::DbQueriesPerRequest, 3.0, 1e-9),
            (Input::DbQueryTimeMs, 2.0, 1e-9),
            (Input::ServiceTimeMs, 24.0, 0.01),
            (Input::CacheMibPerUser, 0.5, 1e-9),
            (Input::WebsocketShare, 0.2, 1e-9),
        ] {
            let e = value(&c, input);
            assert!(
                (e.value - truth).abs() <= within * truth,
                "{input:?}: {} vs {truth}",
                e.value
            );
            let [lo, hi] = e.interval.unwrap();
            assert!(
                lo <= truth + 1e-9 && truth <= hi + 1e-9,
                "{input:?}: {lo}..{hi}"
            );
            assert_eq!(e.samples, 241);
            assert_eq!(e.field, input.field());
        }
        // An hour has no daily peak.
        assert_eq!(c.missing.len(), 1);
        assert_eq!(c.missing[0].input, Input::PeakToAverage);
        assert!(c.missing[0].reason.contains("a day or more"));
    }

    #[test]
    fn applying_sets_the_fields_and_nothing_else() {
        let now = 1_800_000_000.0;
        let c = calibrate(&telemetry(now), Window::Hour1, now, &workload()).unwrap();
        let before = default_preset().scenario;
        let after = c.apply(&before);
        assert!((after.workload.db_queries_per_request - 3.0).abs() < 1e-9);
        assert_eq!(
            after.workload.peak_to_average,
            before.workload.peak_to_average
        );
        assert_eq!(after.phases, before.phases);
        assert!(after.clone().validate().is_ok());
        let catalog = Catalog::built_in().unwrap();
        let i = impact(
            &evaluate_plan(&before.validate().unwrap(), &catalog),
            &after.validate().unwrap(),
            &catalog,
        );
        assert_eq!(i.limits.len(), default_preset().scenario.phases.len());
        assert!(i.limits.iter().any(|l| l.before_users != l.after_users));
        assert!(i.tco_usd.iter().all(|c| c.is_finite() && *c > 0.0));
    }

    #[test]
    fn too_little_data_names_what_is_missing() {
        let now = 1_800_000_000.0;
        let mut few = telemetry(now);
        for s in few.values_mut() {
            s.drain(..s.len() - 5);
        }
        let e = calibrate(&few, Window::Hour1, now, &workload()).unwrap_err();
        assert_eq!(e.missing.len(), Input::ALL.len());
        assert!(e.to_string().contains("found 5"), "{e}");
        // A day asked of an hour's history: the span, not a guess.
        let e = calibrate(&telemetry(now), Window::Hours24, now, &workload()).unwrap_err();
        assert!(
            e.to_string().contains("span 60 min of the 24h window"),
            "{e}"
        );
        assert!(calibrate(&Series::new(), Window::Minutes15, now, &workload()).is_err());
    }

    #[test]
    fn autocorrelated_samples_widen_the_interval() {
        let now = 1_800_000_000.0;
        let white: Vec<f64> = (0..400).map(noise).collect();
        let mut slow = Vec::new();
        let mut x = 0.0;
        for i in 0..400 {
            x = 0.9 * x + 0.3 * noise(i);
            slow.push(x);
        }
        let (_, a, ea) = mean_interval(&white);
        let (_, b, eb) = mean_interval(&slow);
        assert!(eb < ea / 5.0, "{ea} {eb}");
        // The same spread or less, a wider interval.
        assert!(b[1] - b[0] > a[1] - a[0] * 0.9, "{a:?} {b:?}");
        let _ = now;
    }

    #[test]
    fn peak_to_average_is_read_from_whole_days() {
        let now = 1_800_000_000.0 - 1_800_000_000.0 % DAY + DAY - 60.0;
        // Three days at 5 min: a sine day between 100 and 300 users, peak over mean 1.5.
        let n = 3 * 288;
        let users = samples(now, 300.0, n, |i| {
            #[allow(clippy::cast_precision_loss)]
            let phase = (i % 288) as f64 / 288.0 * std::f64::consts::TAU;
            200.0 + 100.0 * phase.sin()
        });
        let e = peak_to_average(&users, Window::Days7, 2.0).unwrap_err();
        assert!(e.reason.contains("half"), "{}", e.reason);
        let e = peak_to_average(&users, Window::Hours24, 2.0).unwrap();
        assert!((e.value - 1.5).abs() < 0.01, "{}", e.value);
        let [lo, hi] = e.interval.unwrap();
        assert!(lo <= 1.5 + 1e-6 && hi >= 1.5 - 1e-6);
    }

    #[test]
    fn littles_law_points_feed_the_fit() {
        let now = 1_800_000_000.0;
        // Load rising through the hour on a tier following a known USL over requests in flight:
        // X(N) = 100N / (1 + 0.05(N − 1) + 0.001N(N − 1)), R = N / X.
        let n = 240;
        let usl = crate::capacity::usl::Usl {
            lambda: 100.0,
            sigma: 0.05,
            kappa: 0.001,
        };
        #[allow(clippy::cast_precision_loss)]
        let conc = |i: usize| 1.0 + 40.0 * i as f64 / n as f64;
        let rps = samples(now, 15.0, n, |i| usl.throughput(conc(i)));
        let dur = samples(now, 15.0, n, |i| conc(i) / usl.throughput(conc(i)));
        let points = little_points(&rps, &dur);
        assert_eq!(points.len(), MAX_POINTS);
        let f = fit(&FitRequest { points }).unwrap();
        assert!((f.sigma - 0.05).abs() < 0.01, "{}", f.sigma);
        assert!((f.kappa - 0.001).abs() < 0.0003, "{}", f.kappa);
    }

    #[test]
    fn window_keys_are_the_wire_names() {
        for w in Window::ALL {
            assert_eq!(
                serde_json::to_string(&w).unwrap(),
                format!("\"{}\"", w.key())
            );
            assert_eq!(Window::parse(w.key()), Some(w));
        }
        assert_eq!(Window::parse("2h"), None);
    }
}
