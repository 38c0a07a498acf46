//! Milestones toward the next phase, dated from the plan and judged against today and the live
//! forecast.
//!
//! The plan dates the move: `T`, the first day of the first month whose users the platform's
//! phase no longer holds (the timeline's rule, [`crate::timeline`]), and the month to start
//! preparing, `lead_time_months` before it. Working back and forth from `T` with the step's
//! durations (the long end of each range, so the schedule is the cautious one):
//!
//! | milestone | target | completed when |
//! |---|---|---|
//! | Start preparing | the plan's prepare-by month, or `T − preparation` if that is earlier | an action is started |
//! | Ready | `T − execution` | every action is completed |
//! | Move | `T` | the transition is recorded |
//! | Validated | `T + validation` (after a move: its day + validation) | someone marks it |
//!
//! Status, in this order: **completed**; **late** when the target is past; **at-risk** when the
//! live forecast needs the next phase before the target, or when what is left cannot be done by
//! the target at the short end of its duration; **in-progress** when its work has started;
//! else **pending**.

use serde::{Deserialize, Serialize};

use super::checklist::Checklist;
use super::date::Day;
use super::span::{Span, StepDurations};
use crate::timeline::phase_timeline;
use crate::valid::ValidScenario;

/// Which milestone of a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKey {
    Prepare,
    Ready,
    Move,
    Validated,
}

/// Where a milestone stands against today and the forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum MilestoneStatus {
    Completed,
    InProgress,
    Pending,
    AtRisk,
    Late,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Milestone {
    pub key: MilestoneKey,
    /// The phase the milestone's transition leads to.
    pub toward: String,
    pub name: String,
    pub description: String,
    /// `None` when the plan does not reach the next phase within its horizon.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub target_date: Option<Day>,
    pub status: MilestoneStatus,
    /// Why it has that status, in one sentence.
    pub why: String,
}

/// A platform's milestones and the dates they rest on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Milestones {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub today: Day,
    /// The next phase, and the durations its milestones are scheduled with (the seeds' unless
    /// someone changed them: `custom`).
    pub toward: Option<String>,
    pub durations: Option<StepDurations>,
    pub custom_durations: bool,
    /// When the plan moves to the next phase, and when it says to start preparing.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub plan_date: Option<Day>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub prepare_by: Option<Day>,
    /// When the live forecast says the next phase is needed (its first significant crossing).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub forecast_date: Option<Day>,
    /// Months until the next phase, from the plan and the forecast: `"2-3 months"`.
    pub estimated_time_to_next_phase: String,
    pub items: Vec<Milestone>,
}

/// The last move onto the phase the platform is on, while it awaits validation.
#[derive(Debug, Clone, PartialEq)]
pub struct LastMove {
    pub to: String,
    pub to_name: String,
    pub day: Day,
    pub validation: Span,
    /// Marked validated: by whom (when is in the record).
    pub validated: bool,
}

/// What milestones are computed from.
#[derive(Debug, Clone)]
pub struct MilestoneInputs<'a> {
    pub scenario: &'a ValidScenario,
    pub phase_index: usize,
    pub today: Day,
    /// The durations of the step toward the next phase, and whether they are the seeds'.
    pub durations: StepDurations,
    pub custom_durations: bool,
    pub checklist: &'a Checklist,
    pub forecast: Option<Day>,
    pub last_move: Option<LastMove>,
    /// The next phase has been marked validated ahead of time (rare; kept for symmetry).
    pub validated_next: bool,
}

/// When the plan leaves phase `from`: the first day of the first month whose required phase is
/// above it, and its prepare-by month's first day.
pub fn plan_dates(s: &ValidScenario, from: usize) -> Option<(Day, Day)> {
    let timeline = phase_timeline(s);
    let lead = s.scenario().growth.lead_time_months;
    let i = timeline.months.iter().position(|m| m.phase_index > from)?;
    let at = |m: &crate::timeline::PlanMonth| Day::first_of(m.year, m.calendar_month);
    let move_month = &timeline.months[i];
    let prepare_month = &timeline.months[i.saturating_sub(lead as usize)];
    Some((at(move_month), at(prepare_month)))
}

/// `"now"`, `"3 weeks"`, `"2-3 months"`: the time from `today` to the sooner and the later of the
/// plan's and the forecast's dates, in weeks under two months, else in months.
pub fn time_to_next_phase(today: Day, plan: Option<Day>, forecast: Option<Day>) -> String {
    let days: Vec<i64> = [plan, forecast]
        .into_iter()
        .flatten()
        .map(|d| today.days_until(d).max(0))
        .collect();
    let (Some(&low), Some(&high)) = (days.iter().min(), days.iter().max()) else {
        return "beyond the plan's horizon".to_owned();
    };
    if high == 0 {
        return "now".to_owned();
    }
    // Day counts of a plan are small.
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let (lo, hi, unit) = if high < 61 {
        (
            (low as f64 / 7.0).floor() as i64,
            (high as f64 / 7.0).ceil() as i64,
            "weeks",
        )
    } else {
        (
            (low as f64 / 30.436_875).floor() as i64,
            (high as f64 / 30.436_875).ceil() as i64,
            "months",
        )
    };
    let lo = lo.min(hi);
    if lo == hi || lo == 0 && hi <= 1 {
        let n = hi.max(1);
        let unit = if n == 1 {
            unit.trim_end_matches('s')
        } else {
            unit
        };
        if lo == 0 && lo != hi {
            format!("under {n} {unit}")
        } else {
            format!("{n} {unit}")
        }
    } else {
        format!("{lo}-{hi} {unit}")
    }
}

/// Judges one milestone: see the module's table.
fn judge(
    today: Day,
    target: Option<Day>,
    forecast: Option<Day>,
    done: bool,
    started: bool,
    short_end_days: f64,
) -> (MilestoneStatus, String) {
    if done {
        return (MilestoneStatus::Completed, "Done.".to_owned());
    }
    let Some(target) = target else {
        return (
            MilestoneStatus::Pending,
            "The plan does not reach the next phase within its horizon.".to_owned(),
        );
    };
    let left = today.days_until(target);
    if left < 0 {
        return (
            MilestoneStatus::Late,
            format!("Its target was {} days ago.", -left),
        );
    }
    if let Some(f) = forecast.filter(|f| *f < target) {
        return (
            MilestoneStatus::AtRisk,
            format!("The live forecast needs the next phase by {f}, before this target."),
        );
    }
    // Day counts are small.
    #[allow(clippy::cast_precision_loss)]
    if !started && (left as f64) < short_end_days {
        return (
            MilestoneStatus::AtRisk,
            format!(
                "{left} days are left and the work takes at least {short_end_days:.0}; it has not started."
            ),
        );
    }
    if started {
        (MilestoneStatus::InProgress, "Under way.".to_owned())
    } else {
        (MilestoneStatus::Pending, "Not started yet.".to_owned())
    }
}

/// The milestones of a platform: the last move's validation while it is open, then the four of
/// the step toward the next phase.
pub fn milestones(i: &MilestoneInputs<'_>) -> Milestones {
    let phases = i.scenario.ladder().phases();
    let mut items = Vec::new();
    if let Some(m) = i.last_move.as_ref().filter(|m| !m.validated) {
        let target = m.day.plus_days(m.validation.high_whole_days());
        let (status, why) = judge(i.today, Some(target), None, false, true, 0.0);
        items.push(Milestone {
            key: MilestoneKey::Validated,
            toward: m.to.clone(),
            name: format!("{} validated", m.to_name),
            description: format!(
                "Watch {} under real load for {} and confirm every component is below its \
                 warning line",
                m.to_name, m.validation
            ),
            target_date: Some(target),
            status,
            why,
        });
    }
    let next = phases.get(i.phase_index + 1);
    let dates = next.and_then(|_| plan_dates(i.scenario, i.phase_index));
    let d = i.durations;
    if let Some(next) = next {
        let plan = dates.map(|(t, _)| t);
        let prepare = dates.map(|(t, p)| p.min(t.plus_days(-d.preparation.high_whole_days())));
        let ready = plan.map(|t| t.plus_days(-d.execution.high_whole_days()));
        let validated = plan.map(|t| t.plus_days(d.validation.high_whole_days()));
        let list = i.checklist;
        let started = list.started();
        let done = list.done() || list.total == 0;
        let actions = list.total;
        let mut add =
            |key, name: String, description: String, target, status: (MilestoneStatus, String)| {
                items.push(Milestone {
                    key,
                    toward: next.key.clone(),
                    name,
                    description,
                    target_date: target,
                    status: status.0,
                    why: status.1,
                });
            };
        add(
            MilestoneKey::Prepare,
            format!("Start preparing {}", next.name),
            format!(
                "Begin the {actions} actions of the checklist; preparation takes {}",
                d.preparation
            ),
            prepare,
            judge(i.today, prepare, i.forecast, started, false, 0.0),
        );
        add(
            MilestoneKey::Ready,
            format!("{} ready", next.name),
            format!(
                "Every action of the checklist completed ({} of {actions} so far)",
                list.completed
            ),
            ready,
            judge(
                i.today,
                ready,
                i.forecast,
                done,
                started,
                d.preparation.low_days() * (1.0 - list.progress_percent / 100.0),
            ),
        );
        add(
            MilestoneKey::Move,
            format!("Move to {}", next.name),
            format!(
                "Record the transition and deploy the {} bundle; the change window takes {}",
                next.name, d.execution
            ),
            plan,
            judge(i.today, plan, i.forecast, false, done, 0.0),
        );
        add(
            MilestoneKey::Validated,
            format!("{} validated", next.name),
            format!("Watch {} under real load for {}", next.name, d.validation),
            validated,
            judge(i.today, validated, None, i.validated_next, false, 0.0),
        );
    }
    Milestones {
        today: i.today,
        toward: next.map(|n| n.key.clone()),
        durations: next.map(|_| d),
        custom_durations: i.custom_durations,
        plan_date: dates.map(|(t, _)| t),
        prepare_by: dates.map(|(_, p)| p),
        forecast_date: i.forecast,
        estimated_time_to_next_phase: if next.is_some() {
            time_to_next_phase(i.today, dates.map(|(t, _)| t), i.forecast)
        } else {
            "no next phase: extend the ladder".to_owned()
        },
        items,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::operations::checklist::checklist;
    use crate::presets::preset;

    #[test]
    fn time_to_next_phase_reads_like_the_seeds() {
        let today = Day::ymd(2026, 12, 1);
        let at = |d| Some(today.plus_days(d));
        assert_eq!(time_to_next_phase(today, at(70), at(85)), "2-3 months");
        assert_eq!(time_to_next_phase(today, at(70), None), "2-3 months");
        assert_eq!(time_to_next_phase(today, at(365), at(200)), "6-12 months");
        assert_eq!(time_to_next_phase(today, at(21), None), "3 weeks");
        assert_eq!(time_to_next_phase(today, at(3), None), "under 1 week");
        assert_eq!(time_to_next_phase(today, at(-5), None), "now");
        assert_eq!(
            time_to_next_phase(today, None, None),
            "beyond the plan's horizon"
        );
    }

    fn inputs<'a>(s: &'a ValidScenario, list: &'a Checklist, today: Day) -> MilestoneInputs<'a> {
        MilestoneInputs {
            scenario: s,
            phase_index: 0,
            today,
            durations: StepDurations::seed_default(1),
            custom_durations: false,
            checklist: list,
            forecast: None,
            last_move: None,
            validated_next: false,
        }
    }

    #[test]
    fn milestones_are_dated_from_the_plan_and_judged_against_today() {
        let s = preset("ride-hailing").unwrap().scenario.validate().unwrap();
        let list = checklist(&s, 0, &[], &[]);
        let (t, p) = plan_dates(&s, 0).expect("the ride-hailing plan reaches Growth");
        // Long before anything is due: all pending, dated around T.
        let early = p.plus_days(-60);
        let m = milestones(&inputs(&s, &list, early));
        let keys: Vec<MilestoneKey> = m.items.iter().map(|m| m.key).collect();
        assert_eq!(
            keys,
            [
                MilestoneKey::Prepare,
                MilestoneKey::Ready,
                MilestoneKey::Move,
                MilestoneKey::Validated
            ]
        );
        assert_eq!(m.items[2].target_date, Some(t));
        assert_eq!(
            m.items[1].target_date,
            Some(t.plus_days(-1)),
            "4 hours of execution round up to a day"
        );
        assert_eq!(m.items[3].target_date, Some(t.plus_days(2)));
        assert!(m.items[0].target_date.unwrap() <= t.plus_days(-21));
        assert!(
            m.items.iter().all(|m| m.status == MilestoneStatus::Pending),
            "{m:#?}"
        );
        // The forecast needs the phase sooner than the plan: what is not done is at risk.
        let mut i = inputs(&s, &list, early);
        i.forecast = Some(early.plus_days(10));
        let m = milestones(&i);
        assert_eq!(m.items[2].status, MilestoneStatus::AtRisk);
        assert!(m.items[2].why.contains(&early.plus_days(10).to_string()));
        // After the move's date with nothing recorded: late.
        let m = milestones(&inputs(&s, &list, t.plus_days(1)));
        assert_eq!(m.items[0].status, MilestoneStatus::Late);
        assert_eq!(m.items[2].status, MilestoneStatus::Late);
        assert_eq!(m.items[3].status, MilestoneStatus::Pending);
    }

    #[test]
    fn a_move_awaits_its_validation() {
        let s = preset("ride-hailing").unwrap().scenario.validate().unwrap();
        let list = checklist(&s, 1, &[], &[]);
        let today = Day::ymd(2026, 12, 1);
        let mut i = inputs(&s, &list, today);
        i.phase_index = 1;
        i.last_move = Some(LastMove {
            to: "growth".to_owned(),
            to_name: "Growth".to_owned(),
            day: today.plus_days(-1),
            validation: StepDurations::seed_default(1).validation,
            validated: false,
        });
        let m = milestones(&i);
        assert_eq!(m.items[0].key, MilestoneKey::Validated);
        assert_eq!(m.items[0].toward, "growth");
        assert_eq!(m.items[0].status, MilestoneStatus::InProgress);
        i.today = today.plus_days(5);
        assert_eq!(milestones(&i).items[0].status, MilestoneStatus::Late);
        i.last_move.as_mut().unwrap().validated = true;
        assert_ne!(milestones(&i).items[0].toward, "growth");
    }
}
