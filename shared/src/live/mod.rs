//! Live capacity: what the running platform's metrics say against the plan. A live source
//! reports [`Metric`] values; [`analyse`] turns the latest ones into utilisation per component of
//! the current phase, against that phase's own warning and critical thresholds, names the
//! bottleneck, says which step to take on the ladder ([`LiveAction`]: stay / prepare the next
//! phase / move to it now / extend the ladder, the plan's steps where they agree), and forecasts
//! from the history when the next phase is needed, beside the plan's own growth assumption.
//!
//! [`metric`] holds what sources measure, [`reading`] what each component's utilisation is measured
//! against, [`analysis`] the action and the forecast.

pub mod analysis;
pub mod metric;
pub mod reading;

pub use analysis::*;
pub use metric::*;
pub use reading::*;

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::forecast::SECONDS_PER_MONTH;
    use crate::units::Status;
    use crate::valid::ValidScenario;

    #[test]
    fn component_keys_are_the_wire_names() {
        for c in LiveComponent::ALL {
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.key())
            );
        }
    }
    use crate::presets::default_preset;

    fn s() -> ValidScenario {
        default_preset().scenario.validate().unwrap()
    }

    #[test]
    fn readings_use_the_phase_s_own_bands() {
        let s = s();
        // Launch: CPU band 60 / 80, connections 80 / 95, max_connections 100.
        let obs: Observations = [
            (Metric::CpuPercent, 65.0),
            (Metric::DbConnections, 30.0),
            (Metric::DbMaxConnections, 100.0),
        ]
        .into();
        let a = analyse(&s, 0, &obs, &Series::new());
        assert_eq!(a.phase_key, "launch");
        let cpu = a
            .readings
            .iter()
            .find(|r| r.component == LiveComponent::AppCpu)
            .unwrap();
        assert_eq!((cpu.warning_percent, cpu.critical_percent), (60.0, 80.0));
        assert_eq!(cpu.status, Status::Warning);
        let db = a
            .readings
            .iter()
            .find(|r| r.component == LiveComponent::DbConnections)
            .unwrap();
        assert!((db.utilisation_percent - 30.0).abs() < 1e-9);
        assert_eq!(a.bottleneck, Some(LiveComponent::AppCpu));
        assert_eq!(a.action, LiveAction::PrepareNextPhase);
        assert!(
            a.reason.starts_with("Prepare Growth: CPU at 65 %"),
            "{}",
            a.reason
        );
    }

    #[test]
    fn a_critical_reading_means_move_now_and_no_reading_means_no_data() {
        let s = s();
        let obs: Observations = [(Metric::WebsocketConnections, 480.0)].into();
        let a = analyse(&s, 0, &obs, &Series::new());
        // 480 of Launch's 500 WebSockets = 96 %, past the capacity band's 80 % critical line.
        assert_eq!(a.action, LiveAction::MoveToNextPhase);
        assert_eq!(a.status, Status::Critical);
        assert_eq!(
            analyse(&s, 0, &Observations::new(), &Series::new()).action,
            LiveAction::NoData
        );
        // Nonsense values are ignored, not reported.
        let bad: Observations = [
            (Metric::CpuPercent, f64::NAN),
            (Metric::MemoryPercent, -5.0),
        ]
        .into();
        assert_eq!(
            analyse(&s, 0, &bad, &Series::new()).action,
            LiveAction::NoData
        );
    }

    /// The live analysis and the plan's advice, fed the same situation — the platform on a phase
    /// with so many users — name the same step on the ladder, in the same words. The plan's phase
    /// is the one its timeline requires for those users, so where live data says "move to the
    /// next phase now" the plan is already on it.
    #[test]
    fn the_live_action_agrees_with_the_plans_advice() {
        use crate::capacity::components::phase_capacity;
        use crate::cost::catalog::Catalog;
        use crate::evaluate::{Action, evaluate_plan};

        let catalog = Catalog::built_in().unwrap();
        // The plan for `users`, steady (no transition within the lead time), and live on phase
        // `on` with those users.
        let both = |on: usize, users: f64| {
            let mut sc = default_preset().scenario;
            sc.workload.peak_concurrent_users = users;
            sc.growth.monthly_rate = 0.0;
            let s = sc.validate().unwrap();
            let plan = evaluate_plan(&s, &catalog);
            let month0 = plan.timeline.months[0].users;
            let live = analyse(
                &s,
                on,
                &[(Metric::ConcurrentUsers, month0)].into(),
                &Series::new(),
            );
            (plan, live)
        };
        let s = s();
        let phases = s.ladder().phases();
        let top = phases.len() - 1;
        for (i, p) in phases.iter().enumerate() {
            // The same yardstick on both sides: each phase holds its design target.
            let c = phase_capacity(&s.demand(), p, i, 0.0);
            assert_eq!(c.capacity_users, c.design_users, "{}", p.key);
            assert_eq!(
                (
                    p.thresholds.capacity.warning(),
                    p.thresholds.capacity.critical()
                ),
                (60.0, 80.0)
            );
        }
        // Where both say a step, they say it under one wire name.
        for live in [
            LiveAction::Stay,
            LiveAction::PrepareNextPhase,
            LiveAction::MoveToNextPhase,
            LiveAction::ExtendLadder,
            LiveAction::NoData,
        ] {
            if let Some(plan) = live.plan_action() {
                assert_eq!(
                    serde_json::to_string(&live).unwrap(),
                    serde_json::to_string(&plan).unwrap()
                );
            }
        }
        assert_eq!(
            serde_json::to_string(&LiveAction::MoveToNextPhase).unwrap(),
            "\"move_to_next_phase\""
        );
        let design = |i: usize| f64::from(phases[i].max_users);
        let label = |a: &crate::evaluate::Advice, i: usize| {
            a.action.label(phases.get(i + 1).map(|p| p.name.as_str()))
        };

        // The top phase past its warning line: no next phase to prepare → extend the ladder.
        let (plan, live) = both(top, 0.7 * design(top));
        assert_eq!(plan.now.phase_index, top);
        assert_eq!(plan.now.advice.action, Action::ExtendLadder);
        assert_eq!(live.action, LiveAction::ExtendLadder);
        assert_eq!(live.action.plan_action(), Some(plan.now.advice.action));
        assert_eq!(
            live.action.label(live.next_phase.as_deref()),
            label(&plan.now.advice, top)
        );
        assert_eq!(live.action.label(None), "Extend the ladder");

        // The top phase past its critical line: beyond the ladder → extend it, never "move".
        let (plan, live) = both(top, 0.9 * design(top));
        assert!(plan.timeline.months[0].beyond_ladder);
        assert_eq!(plan.now.advice.action, Action::ExtendLadder);
        assert_eq!(live.action, LiveAction::ExtendLadder);
        assert_eq!(live.status, Status::Critical);
        assert!(
            live.reason
                .contains("past its critical threshold: extend the ladder"),
            "{}",
            live.reason
        );

        // A middle phase past its warning line: prepare the next one, both.
        let (plan, live) = both(1, 0.7 * design(1));
        assert_eq!(plan.now.phase_index, 1);
        assert_eq!(plan.now.advice.action, Action::PrepareNextPhase);
        assert_eq!(live.action, LiveAction::PrepareNextPhase);
        assert_eq!(
            live.action.label(live.next_phase.as_deref()),
            label(&plan.now.advice, 1)
        );
        assert_eq!(
            live.action.label(live.next_phase.as_deref()),
            "Prepare Scale"
        );

        // A middle phase past its critical line: live says move now; the plan already requires
        // the next phase for those users (and its advice is about that phase, not the ladder's
        // end).
        let (plan, live) = both(1, 0.9 * design(1));
        assert_eq!(live.action, LiveAction::MoveToNextPhase);
        assert_eq!(
            live.action.label(live.next_phase.as_deref()),
            "Move to Scale now"
        );
        assert_eq!(plan.now.phase_index, 2);
        assert_eq!(
            live.next_phase.as_deref(),
            Some(phases[plan.now.phase_index].name.as_str())
        );
        assert_ne!(plan.now.advice.action, Action::ExtendLadder);

        // A middle phase with room: stay, both.
        let (plan, live) = both(1, 0.5 * design(1));
        assert_eq!(plan.now.advice.action, Action::Stay);
        assert_eq!(live.action, LiveAction::Stay);
        assert_eq!(live.action.label(None), label(&plan.now.advice, 1));
    }

    /// 1,310 users growing 8 % a month, sampled every 6 hours for a week.
    fn users_growing_8_percent() -> Vec<(f64, f64)> {
        let r = 1.08f64.ln() / SECONDS_PER_MONTH;
        (0..28)
            .map(|i| {
                let t = 1.8e9 + f64::from(i) * 21_600.0;
                (t, 1_310.0 * (r * (t - 1.8e9)).exp())
            })
            .collect()
    }

    #[test]
    fn the_forecast_uses_the_users_history_and_sits_beside_the_plan() {
        let s = s();
        let hist: Series = [(Metric::ConcurrentUsers, users_growing_8_percent())].into();
        let a = analyse(&s, 0, &[(Metric::ConcurrentUsers, 1_330.0)].into(), &hist);
        let f = a.forecast.unwrap();
        assert!((f.critical_users - 1_600.0).abs() < 1e-6);
        let e = f.users.as_ref().unwrap().exponential.clone().unwrap();
        assert!((e.growth_per_month - 0.08).abs() < 1e-6);
        let months = months_until(1.8e9, e.crossing.at.unwrap());
        // 1,310 × 1.08^m = 1,600 → m ≈ 2.6: the plan says Growth in month 3.
        let expected = (1_600.0f64 / 1_310.0).ln() / 1.08f64.ln();
        assert!((months - expected).abs() < 1e-3, "{months}");
        assert_eq!(f.plan_transition_month, Some(3));
        assert!((f.plan_growth_per_month - 0.08).abs() < 1e-12);
        assert!(f.indicative, "a week of history is just short of dated");
        // The users component reaches its critical line (80 % of the 2,000 the phase holds =
        // the same 1,600 users) at the same time, and nothing else has a history.
        assert_eq!(f.first, Some(LiveComponent::Capacity));
        let c = f.first_crossing().unwrap();
        assert!((c.trend.threshold - 80.0).abs() < 1e-9);
        let at = months_until(1.8e9, c.crossing.at.unwrap());
        // The sooner of the two trends: the straight line through an accelerating curve
        // crosses later, so the exponential one is the estimate.
        assert!((at - expected).abs() < 1e-3, "{at}");
        assert!(c.crossing.earliest.unwrap() <= c.crossing.at.unwrap());
    }

    #[test]
    fn the_first_critical_line_names_when_the_next_phase_is_needed() {
        let s = s();
        let t0 = 1.8e9;
        // CPU climbs 1 point a day from 50 % (critical at 80 % → 30 days); connections climb 1
        // of 100 a day from 40 (critical at 95 → 55 days); memory is flat (never).
        let day = 86_400.0;
        let series = |f: &dyn Fn(f64) -> f64| -> Vec<(f64, f64)> {
            (0..10)
                .map(|d| (t0 + f64::from(d) * day, f(f64::from(d))))
                .collect()
        };
        let hist: Series = [
            (Metric::CpuPercent, series(&|d| 50.0 + d)),
            (Metric::DbConnections, series(&|d| 40.0 + d)),
            (Metric::DbMaxConnections, vec![(t0, 100.0)]),
            (Metric::MemoryPercent, series(&|_| 30.0)),
        ]
        .into();
        let a = analyse(&s, 0, &[(Metric::CpuPercent, 59.0)].into(), &hist);
        let f = a.forecast.unwrap();
        assert_eq!(f.first, Some(LiveComponent::AppCpu));
        assert!(!f.indicative, "nine days of history give dates");
        assert!(f.users.is_none(), "no users history, no users trend");
        let of = |c: LiveComponent| f.components.iter().find(|x| x.component == c).unwrap();
        // The straight line crosses where it should; the compound-growth fit of a straight
        // line bends upward and crosses sooner, so it is the (conservative) estimate.
        let linear_days = |c: LiveComponent| {
            let at = of(c).trend.linear.as_ref().unwrap().crossing.at.unwrap();
            (at - t0) / day
        };
        assert!((linear_days(LiveComponent::AppCpu) - 30.0).abs() < 1e-6);
        assert!((linear_days(LiveComponent::DbConnections) - 55.0).abs() < 1e-6);
        let cpu = of(LiveComponent::AppCpu).crossing;
        assert!((cpu.at.unwrap() - t0) / day < 30.0);
        assert!((cpu.at.unwrap() - t0) / day > 20.0);
        let mem = of(LiveComponent::AppMemory).crossing;
        assert_eq!(
            (mem.at, mem.latest),
            (None, None),
            "a flat line never crosses"
        );
    }

    #[test]
    fn a_short_or_flat_history_forecasts_nothing() {
        let s = s();
        // Ten minutes of a CPU burst: steep, but too short to extrapolate.
        let burst: Vec<(f64, f64)> = (0..120)
            .map(|i| (1.8e9 + f64::from(i) * 5.0, 10.0 + f64::from(i) * 0.5))
            .collect();
        let a = analyse(
            &s,
            0,
            &Observations::new(),
            &[(Metric::CpuPercent, burst)].into(),
        );
        let f = a.forecast.unwrap();
        assert!((f.history_seconds - 595.0).abs() < 1e-9);
        assert!(f.components.is_empty());
        assert_eq!(f.first, None);
        // Two hours of noise around 30 %: fitted, but no significant rise, so no date.
        let noise: Vec<(f64, f64)> = (0..1_440)
            .map(|i| {
                let wobble = if i % 2 == 0 { 3.0 } else { -3.0 };
                (1.8e9 + f64::from(i) * 5.0, 30.0 + wobble)
            })
            .collect();
        let a = analyse(
            &s,
            0,
            &Observations::new(),
            &[(Metric::CpuPercent, noise)].into(),
        );
        let f = a.forecast.unwrap();
        assert_eq!(f.components.len(), 1);
        assert!(!f.components[0].significant);
        assert_eq!(f.first, None);
    }

    #[test]
    fn utilisation_history_uses_the_limit_measured_at_each_time() {
        let s = s();
        let hist: Series = [
            (
                Metric::DbConnections,
                vec![(1.0, 20.0), (2.0, 20.0), (3.0, f64::NAN), (4.0, 20.0)],
            ),
            // max_connections measured from t = 2 on, raised at t = 4.
            (Metric::DbMaxConnections, vec![(2.0, 50.0), (4.0, 200.0)]),
        ]
        .into();
        let u = utilisation_history(&s, 0, &hist);
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].component, LiveComponent::DbConnections);
        // Before t = 2 the phase's own 100 connections; the NaN point is left out.
        assert_eq!(u[0].points, vec![(1.0, 20.0), (2.0, 40.0), (4.0, 10.0)]);
        assert_eq!((u[0].warning_percent, u[0].critical_percent), (80.0, 95.0));
        // The same rule as the latest reading.
        let a = analyse(
            &s,
            0,
            &[
                (Metric::DbConnections, 20.0),
                (Metric::DbMaxConnections, 200.0),
            ]
            .into(),
            &Series::new(),
        );
        assert!((a.readings[0].utilisation_percent - 10.0).abs() < 1e-12);
    }

    #[test]
    fn metric_keys_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.key()), Some(m));
            assert_eq!(
                serde_json::to_string(&m).unwrap(),
                format!("\"{}\"", m.key())
            );
        }
    }
}
