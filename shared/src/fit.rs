//! Which phase fits a given peak of concurrent users, and how full it is.

use serde::{Deserialize, Serialize};

use crate::phase::{Phase, PhaseLadder};
use crate::units::{Status, Users, Utilisation};

/// The load a peak puts on one phase of the ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseLoad {
    pub key: String,
    pub name: String,
    pub capacity_users: u32,
    pub utilisation: Utilisation,
    pub status: Status,
}

/// The answer to "which phase do we need for this peak?".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseFit {
    /// The peak it was computed for.
    pub peak_concurrent_users: f64,
    /// The smallest phase whose capacity holds the peak (the top phase if none does).
    pub phase: Phase,
    /// Position of [`PhaseFit::phase`] in the ladder, from 0.
    pub phase_index: usize,
    /// Peak users over the phase's capacity.
    pub utilisation: Utilisation,
    /// The utilisation against the phase's capacity thresholds.
    pub status: Status,
    /// True when the peak exceeds even the top phase: the ladder needs another rung.
    pub exceeds_ladder: bool,
    /// The next phase up, if any: what to prepare when the status is not optimal.
    pub next_phase: Option<String>,
    /// The same peak against every phase, for charts.
    pub loads: Vec<PhaseLoad>,
}

impl PhaseLadder {
    /// Picks the smallest phase whose `max_users` is at least `peak` and reports its utilisation
    /// (`peak / max_users`) and status against the phase's capacity band.
    ///
    /// "Fits" means the phase can hold the peak at all; how comfortably is the status: 1,900 users
    /// fit Launch (2,000) but at 95 % it is critical, the signal to move to Growth.
    pub fn fit(&self, peak: Users) -> PhaseFit {
        let phases = self.phases();
        let users = peak.get();
        let found = phases.iter().position(|p| users <= f64::from(p.max_users));
        // `PhaseLadder::new` guarantees at least one phase.
        let phase_index = found.unwrap_or(phases.len() - 1);
        let phase = &phases[phase_index];
        let load = |p: &Phase| {
            let utilisation = Utilisation::of(users, f64::from(p.max_users));
            PhaseLoad {
                key: p.key.clone(),
                name: p.name.clone(),
                capacity_users: p.max_users,
                utilisation,
                status: p.thresholds.capacity.classify(utilisation),
            }
        };
        let own = load(phase);
        PhaseFit {
            peak_concurrent_users: users,
            phase: phase.clone(),
            phase_index,
            utilisation: own.utilisation,
            status: own.status,
            exceeds_ladder: found.is_none(),
            next_phase: phases.get(phase_index + 1).map(|p| p.key.clone()),
            loads: phases.iter().map(load).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// One `check(users, expected phase, utilisation %, status)` per case, table-driven.
    fn check(users: f64, phase: &str, pct: f64, status: Status) {
        let fit = PhaseLadder::seed().fit(Users::new("u", users).unwrap());
        assert_eq!(fit.phase.key, phase, "{users} users");
        assert!(
            (fit.utilisation.percent() - pct).abs() < 1e-9,
            "{users}: {fit:?}"
        );
        assert_eq!(fit.status, status, "{users} users");
    }

    #[test]
    fn picks_the_smallest_phase_that_holds_the_peak() {
        check(0.0, "launch", 0.0, Status::Optimal);
        check(1_000.0, "launch", 50.0, Status::Optimal);
        check(1_200.0, "launch", 60.0, Status::Warning);
        check(1_600.0, "launch", 80.0, Status::Critical);
        check(2_000.0, "launch", 100.0, Status::Critical);
        check(2_001.0, "growth", 40.02, Status::Optimal);
        check(4_500.0, "growth", 90.0, Status::Critical);
        check(9_000.0, "scale", 60.0, Status::Warning);
        check(15_000.0, "scale", 100.0, Status::Critical);
    }

    #[test]
    fn beyond_the_top_phase_is_flagged() {
        let fit = PhaseLadder::seed().fit(Users::new("u", 100_000.0).unwrap());
        assert!(fit.exceeds_ladder);
        assert_eq!(fit.phase.key, "enterprise");
        assert_eq!(fit.utilisation.percent(), 200.0);
        assert_eq!(fit.next_phase, None);
    }

    #[test]
    fn loads_cover_every_phase_and_next_phase_is_named() {
        let fit = PhaseLadder::seed().fit(Users::new("u", 3_000.0).unwrap());
        assert_eq!(fit.loads.len(), 4);
        assert_eq!(fit.loads[0].status, Status::Critical); // 150 % of Launch
        assert_eq!(fit.next_phase.as_deref(), Some("scale"));
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn the_chosen_phase_always_fits(users in 0.0..Users::MAX) {
                let ladder = PhaseLadder::seed();
                let fit = ladder.fit(Users::new("u", users).unwrap());
                if fit.exceeds_ladder {
                    prop_assert!(ladder.phases().iter().all(|p| f64::from(p.max_users) < users));
                } else {
                    prop_assert!(users <= f64::from(fit.phase.max_users));
                    // ...and no smaller phase would have.
                    for p in &ladder.phases()[..fit.phase_index] {
                        prop_assert!(f64::from(p.max_users) < users);
                    }
                }
            }

            #[test]
            fn more_users_never_means_a_smaller_phase(a in 0.0..1e6f64, b in 0.0..1e6f64) {
                let ladder = PhaseLadder::seed();
                let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
                let f_lo = ladder.fit(Users::new("u", lo).unwrap());
                let f_hi = ladder.fit(Users::new("u", hi).unwrap());
                prop_assert!(f_lo.phase_index <= f_hi.phase_index);
            }
        }
    }
}
