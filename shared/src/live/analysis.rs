//! The live analysis: readings against the phase, the bottleneck, the action (the step to take on
//! the ladder), and the forecast of when the next phase is needed beside the plan's own.

use serde::{Deserialize, Serialize};

use crate::evaluate::Action;
use crate::forecast::{Crossing, SECONDS_PER_MONTH, TrendForecast, forecast};

use crate::timeline::phase_timeline;
use crate::units::Status;
use crate::valid::ValidScenario;

use super::metric::{Metric, Observations, Series};
use super::reading::{Limits, LiveComponent, Reading, UtilisationSeries, usable, utilisation_with};

/// The step to take on the phase ladder now, by the live readings: the live side of the plan's
/// [`Action`], and the same step under the same name (on the wire too) wherever both can say it.
/// Only live data can say [`MoveToNextPhase`](LiveAction::MoveToNextPhase) (the plan's phase is the
/// one its timeline requires, which holds this month's users by construction) and
/// [`NoData`](LiveAction::NoData); only the plan, which models each component's capacity, can say
/// [`Action::OptimiseCurrent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LiveAction {
    /// Every component below its warning threshold.
    Stay,
    /// A component past its warning threshold, and a next phase to go to: get it ready.
    PrepareNextPhase,
    /// A component past its critical threshold, and a next phase to go to: move now.
    MoveToNextPhase,
    /// A component past a threshold of the top phase: there is no next phase, the ladder needs
    /// another rung (what the plan's advice says in the same place).
    ExtendLadder,
    /// No live reading maps onto the phase.
    NoData,
}

impl LiveAction {
    /// The plan's action for the same step, where the plan has one.
    pub fn plan_action(self) -> Option<Action> {
        match self {
            LiveAction::Stay => Some(Action::Stay),
            LiveAction::PrepareNextPhase => Some(Action::PrepareNextPhase),
            LiveAction::ExtendLadder => Some(Action::ExtendLadder),
            LiveAction::MoveToNextPhase | LiveAction::NoData => None,
        }
    }

    /// In words, for a heading (`next`: the next phase's name): the plan's words for the same
    /// step ([`Action::label`]), so the Live page and the Overview say it alike.
    pub fn label(self, next: Option<&str>) -> String {
        match (self, self.plan_action()) {
            (_, Some(a)) => a.label(next),
            (LiveAction::MoveToNextPhase, None) => {
                format!("Move to {} now", next.unwrap_or("the next phase"))
            }
            (_, None) => "No data yet".to_owned(),
        }
    }
}

/// The shortest history a trend is fitted on. Below an hour a "trend" is one burst of load (a
/// deploy, a batch job, the page that asked): extrapolating it over months says nothing.
pub const MIN_FORECAST_SPAN_SECONDS: f64 = 3_600.0;

/// Below this span of history a forecast is indicative only: less than a week of load holds
/// daily (and weekly) cycles that a trend fit cannot tell from growth.
pub const DATED_FORECAST_SPAN_SECONDS: f64 = 7.0 * 86_400.0;

/// When one component's utilisation reaches its critical line, on its live trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentForecast {
    pub component: LiveComponent,
    pub label: String,
    /// Both trends of the utilisation (percent) toward the critical percentage.
    pub trend: TrendForecast,
    /// The sooner of the two trends' crossings and the envelope of their 95 % bands: planning
    /// takes the earlier model, and the band covers both (`latest: None` = may never cross).
    pub crossing: Crossing,
    /// Both trends rise significantly (their slopes' 95 % intervals exclude zero), so the
    /// crossing is a forecast and not noise.
    pub significant: bool,
}

/// When the next phase is needed, from the live history, beside the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseForecast {
    /// The users at which the current phase turns critical (its critical line).
    pub critical_users: f64,
    /// Concurrent users toward `critical_users` (`None` without a users history): its
    /// exponential trend's monthly growth is what compares with the plan's growth assumption.
    pub users: Option<TrendForecast>,
    /// The longest span of history of any component, in seconds.
    pub history_seconds: f64,
    /// The history spans less than [`DATED_FORECAST_SPAN_SECONDS`]: dates are a hint.
    pub indicative: bool,
    /// Every component with at least [`MIN_FORECAST_SPAN_SECONDS`] of history (and three
    /// points).
    pub components: Vec<ComponentForecast>,
    /// The component whose critical line comes first on a significant trend: when the next
    /// phase is needed. `None` when no component rises significantly.
    pub first: Option<LiveComponent>,
    /// The plan's assumption, for comparison: its monthly growth rate and the month (from the
    /// plan's start) its timeline moves to the next phase, if within the horizon.
    pub plan_growth_per_month: f64,
    pub plan_transition_month: Option<u32>,
}

impl PhaseForecast {
    /// The forecast of the component that turns critical first.
    pub fn first_crossing(&self) -> Option<&ComponentForecast> {
        self.components
            .iter()
            .find(|c| Some(c.component) == self.first)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveAnalysis {
    pub phase_index: usize,
    pub phase_key: String,
    pub phase_name: String,
    pub next_phase: Option<String>,
    pub readings: Vec<Reading>,
    /// The reading closest to (or furthest past) its critical threshold.
    pub bottleneck: Option<LiveComponent>,
    pub status: Status,
    /// The step to take on the ladder now (the plan's is `now.advice.action`).
    pub action: LiveAction,
    pub reason: String,
    /// `None` until some component has a history.
    pub forecast: Option<PhaseForecast>,
}

/// The phase the platform is on when none is configured: the one the plan requires now.
pub fn planned_phase_now(s: &ValidScenario) -> usize {
    phase_timeline(s)
        .months
        .first()
        .map_or(0, |m| m.phase_index)
}

/// The sooner of two optional times (`None` = never).
fn sooner(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Both trends' crossings combined: the sooner estimate, the earliest early end, and the
/// latest late end (open if either is open).
fn combined(t: &TrendForecast) -> Crossing {
    let trends = [t.linear.as_ref(), t.exponential.as_ref()];
    let crossings: Vec<Crossing> = trends.into_iter().flatten().map(|t| t.crossing).collect();
    Crossing {
        at: crossings.iter().map(|c| c.at).fold(None, sooner),
        earliest: crossings.iter().map(|c| c.earliest).fold(None, sooner),
        latest: if crossings.iter().any(|c| c.latest.is_none()) {
            None
        } else {
            crossings.iter().filter_map(|c| c.latest).reduce(f64::max)
        },
    }
}

/// Analyses `latest` against phase `phase_index` of `s`, and forecasts from `history` when the
/// phase's first critical line is reached.
pub fn analyse(
    s: &ValidScenario,
    phase_index: usize,
    latest: &Observations,
    history: &Series,
) -> LiveAnalysis {
    analyse_with_history(s, phase_index, latest, history).0
}

/// [`analyse`], and the utilisation history it fitted (what [`utilisation_history`] returns),
/// for a caller that draws it too: computed once.
pub fn analyse_with_history(
    s: &ValidScenario,
    phase_index: usize,
    latest: &Observations,
    history: &Series,
) -> (LiveAnalysis, Vec<UtilisationSeries>) {
    let phases = s.ladder().phases();
    let index = phase_index.min(phases.len().saturating_sub(1));
    let phase = &phases[index];
    let limits = Limits::new(s, index);
    let get = |m: Metric| latest.get(&m).copied().and_then(usable);
    let readings: Vec<Reading> = LiveComponent::ALL
        .into_iter()
        .filter_map(|c| {
            let value = get(c.metric())?;
            Some(limits.reading(c, value, c.limit_metric().and_then(get)))
        })
        .collect();
    // Closest to its critical line, relatively.
    let bottleneck = readings
        .iter()
        .max_by(|a, b| {
            (a.utilisation_percent / a.critical_percent)
                .total_cmp(&(b.utilisation_percent / b.critical_percent))
        })
        .map(|r| r.component);
    let status = readings
        .iter()
        .map(|r| r.status)
        .max()
        .unwrap_or(Status::Optimal);
    let next = phases.get(index + 1).map(|p| p.name.clone());
    let worst = readings
        .iter()
        .find(|r| Some(r.component) == bottleneck)
        .map(|r| {
            format!(
                "{} at {:.0} % ({})",
                r.label, r.utilisation_percent, r.basis
            )
        });
    let (action, reason) = match (readings.is_empty(), status, &next, worst) {
        (true, ..) => (
            LiveAction::NoData,
            "No live reading maps onto this phase yet.".to_owned(),
        ),
        (false, Status::Optimal, _, w) => (
            LiveAction::Stay,
            format!(
                "{} holds: every component is below its warning threshold; the busiest is {}.",
                phase.name,
                w.unwrap_or_default()
            ),
        ),
        (false, Status::Warning, Some(n), w) => (
            LiveAction::PrepareNextPhase,
            format!(
                "Prepare {n}: {} is past its warning threshold.",
                w.unwrap_or_default()
            ),
        ),
        (false, Status::Critical, Some(n), w) => (
            LiveAction::MoveToNextPhase,
            format!(
                "Move to {n} now: {} is past its critical threshold.",
                w.unwrap_or_default()
            ),
        ),
        // Past warning or critical on the top phase: no phase to prepare or move to. The plan
        // says the same of its top phase past warning (`advice::advise`).
        (false, past, None, w) => (
            LiveAction::ExtendLadder,
            format!(
                "{} is the top of the ladder and {} is past its {} threshold: extend the ladder.",
                phase.name,
                w.unwrap_or_default(),
                past.label()
            ),
        ),
    };
    let span = |points: &[(f64, f64)]| match (points.first(), points.last()) {
        (Some(a), Some(b)) => b.0 - a.0,
        _ => 0.0,
    };
    let series = utilisation_with(&limits, history);
    let history_seconds = series.iter().map(|u| span(&u.points)).fold(0.0, f64::max);
    let components: Vec<ComponentForecast> = series
        .iter()
        .filter(|u| u.points.len() >= 3 && span(&u.points) >= MIN_FORECAST_SPAN_SECONDS)
        .map(|u| {
            let trend = forecast(&u.points, u.critical_percent);
            let crossing = combined(&trend);
            ComponentForecast {
                component: u.component,
                label: u.label.clone(),
                significant: crossing.at.is_some() && crossing.latest.is_some(),
                crossing,
                trend,
            }
        })
        .collect();
    let forecast = (history_seconds > 0.0).then(|| {
        let users = history
            .get(&Metric::ConcurrentUsers)
            .map(|h| {
                h.iter()
                    .copied()
                    .filter(|(_, v)| usable(*v).is_some())
                    .collect::<Vec<_>>()
            })
            .filter(|h| h.len() >= 3 && span(h) >= MIN_FORECAST_SPAN_SECONDS)
            .map(|h| forecast(&h, limits.critical_users));
        let first = components
            .iter()
            .filter(|c| c.significant)
            .filter_map(|c| c.crossing.at.map(|at| (c.component, at)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(c, _)| c);
        let timeline = phase_timeline(s);
        PhaseForecast {
            critical_users: limits.critical_users,
            users,
            history_seconds,
            indicative: history_seconds < DATED_FORECAST_SPAN_SECONDS,
            components,
            first,
            plan_growth_per_month: s.scenario().growth.monthly_rate,
            plan_transition_month: timeline
                .transitions
                .iter()
                .find(|tr| tr.from_index == index && tr.to_index > index)
                .map(|tr| tr.month),
        }
    });
    let analysis = LiveAnalysis {
        phase_index: index,
        phase_key: phase.key.clone(),
        phase_name: phase.name.clone(),
        next_phase: next,
        readings,
        bottleneck,
        status,
        action,
        reason,
        forecast,
    };
    (analysis, series)
}

/// Months from `now` (unix seconds) until a forecast crossing time, for display.
pub fn months_until(now: f64, at: f64) -> f64 {
    (at - now) / SECONDS_PER_MONTH
}
