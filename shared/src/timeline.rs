//! The plan month by month: projected users, the phase each month requires, and the transitions
//! with the month to start preparing each one.
//!
//! A month *requires* the smallest phase that keeps that month's peak **below the phase's critical
//! line**: the design target's critical capacity threshold (the seeds' "scale now" line, 80 % by
//! default) or, if lower, the user count at which one of its components reaches its own critical
//! threshold under the scenario's workload ([`crate::capacity::components`]). Reaching warning is
//! the signal to prepare; reaching critical means the next phase must already be running. Since preparing takes `lead_time_months`, each transition carries a `prepare_by`
//! month that many months earlier.

use serde::{Deserialize, Serialize};

use crate::capacity::components::ladder_capacity;
use crate::growth::projected_users;
use crate::phase::PhaseLadder;
use crate::units::{Status, Utilisation};
use crate::valid::ValidScenario;

/// One month of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanMonth {
    /// Months from now (0 = the current month).
    pub month: u32,
    pub year: i32,
    /// Calendar month, 1–12.
    pub calendar_month: u32,
    pub users: f64,
    /// Index into the ladder of the phase this month requires.
    pub phase_index: usize,
    /// Users over the required phase's capacity (its design target or, if lower, its
    /// bottleneck's capacity).
    pub utilisation: Utilisation,
    pub status: Status,
    /// True when even the top phase would be at or past its critical threshold.
    pub beyond_ladder: bool,
}

/// A move up (or down) the ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transition {
    /// First month that requires the new phase.
    pub month: u32,
    pub from_index: usize,
    pub to_index: usize,
    /// When to start preparing: `month − lead time`, not before now.
    pub prepare_by: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseTimeline {
    pub months: Vec<PlanMonth>,
    pub transitions: Vec<Transition>,
}

/// The first phase whose critical line (`limits`, one per phase) lies above `users`, and whether
/// none does (then the top phase is returned).
pub fn required_phase(limits: &[f64], users: f64) -> (usize, bool) {
    match limits.iter().position(|&l| users < l) {
        Some(i) => (i, false),
        None => (limits.len().saturating_sub(1), true),
    }
}

impl PhaseLadder {
    /// [`required_phase`] on the design targets alone (no workload).
    pub fn required_for(&self, users: f64) -> (usize, bool) {
        let limits: Vec<f64> = self.phases().iter().map(|p| p.critical_users()).collect();
        required_phase(&limits, users)
    }
}

/// Builds the month-by-month phase plan of a validated scenario.
pub fn phase_timeline(s: &ValidScenario) -> PhaseTimeline {
    let sc = s.scenario();
    let ladder = s.ladder();
    let lead = sc.growth.lead_time_months;
    let capacities = ladder_capacity(s, 0.0);
    let limits: Vec<f64> = capacities.iter().map(|c| c.critical_users).collect();
    let months: Vec<PlanMonth> = projected_users(s)
        .into_iter()
        .zip(0u32..)
        .map(|(users, month)| {
            let (phase_index, beyond_ladder) = required_phase(&limits, users);
            let phase = &ladder.phases()[phase_index];
            let utilisation = Utilisation::of(users, capacities[phase_index].capacity_users);
            // Months since January of the start year (start_month is 1–12, validated).
            let absolute = sc.growth.start_month - 1 + month;
            PlanMonth {
                month,
                year: sc.growth.start_year + (absolute / 12) as i32,
                calendar_month: absolute % 12 + 1,
                users,
                phase_index,
                utilisation,
                status: phase.thresholds.capacity.classify(utilisation),
                beyond_ladder,
            }
        })
        .collect();
    let transitions = months
        .windows(2)
        .filter(|w| w[0].phase_index != w[1].phase_index)
        .map(|w| Transition {
            month: w[1].month,
            from_index: w[0].phase_index,
            to_index: w[1].phase_index,
            prepare_by: w[1].month.saturating_sub(lead),
        })
        .collect();
    PhaseTimeline {
        months,
        transitions,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::scenario::tests::example;

    #[test]
    fn required_phase_keeps_the_peak_below_critical() {
        let ladder = PhaseLadder::seed();
        assert_eq!(ladder.required_for(1_500.0), (0, false)); // 75 % of Launch
        assert_eq!(ladder.required_for(1_600.0), (1, false)); // 80 % of Launch is critical
        assert_eq!(ladder.required_for(3_999.0), (1, false));
        assert_eq!(ladder.required_for(4_000.0), (2, false));
        assert_eq!(ladder.required_for(12_000.0), (3, false));
        assert_eq!(ladder.required_for(40_000.0), (3, true));
        assert_eq!(required_phase(&[10.0, 20.0], 15.0), (1, false));
        assert_eq!(required_phase(&[], 15.0), (0, true));
    }

    #[test]
    fn growth_at_8_percent_moves_through_the_ladder_with_lead_times() {
        let t = phase_timeline(&example().validate().unwrap());
        assert_eq!(t.months.len(), 36);
        // 1,500 × 1.08^t crosses 1,600 at t = 1, 4,000 at t = 13, 12,000 at t = 28.
        let months: Vec<u32> = t.transitions.iter().map(|x| x.month).collect();
        assert_eq!(months, [1, 13, 28]);
        assert_eq!(t.transitions[0].prepare_by, 0); // should have started already
        assert_eq!(t.transitions[1].prepare_by, 11);
        assert!(t.months.iter().all(|m| !m.beyond_ladder));
        // Calendar: month 0 is January 2027, month 13 is February 2028.
        assert_eq!((t.months[13].year, t.months[13].calendar_month), (2028, 2));
    }

    #[test]
    fn a_component_bottleneck_moves_the_transition_earlier() {
        let mut s = example();
        // Launch accepts 350 WebSockets: at a 25 % share that is 1,400 users, critical at
        // 95 % = 1,330, below the 1,500 of month 0.
        s.phases[0].websocket_connections = 350;
        let t = phase_timeline(&s.validate().unwrap());
        assert_eq!(t.months[0].phase_index, 1);
        assert!(t.transitions.iter().all(|x| x.to_index != 1));
    }

    #[test]
    fn the_required_phase_always_holds_the_peak() {
        let t = phase_timeline(&example().validate().unwrap());
        let ladder = PhaseLadder::seed();
        for m in t.months.iter().filter(|m| !m.beyond_ladder) {
            let p = &ladder.phases()[m.phase_index];
            assert!(m.users < f64::from(p.max_users), "{m:?}");
            assert_ne!(m.status, Status::Critical, "{m:?}");
        }
    }
}
