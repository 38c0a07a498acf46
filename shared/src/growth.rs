//! Demand over time: how many peak concurrent users month `t` brings.
//!
//! **Compound growth** with calendar seasonality and one-off events:
//!
//! ```text
//! users(t) = U₀ · (1 + g)^t · s[m(t)] / s[m(0)] · Π events active at t
//! ```
//!
//! where `U₀` is today's peak, `g` the monthly growth rate, `s` the twelve seasonal multipliers
//! and `m(t)` the calendar month of month `t`. Seasonality is divided by the current month's
//! factor because today's peak was *measured* in the current season: a December peak already
//! contains December's surge.

use crate::valid::ValidScenario;

/// Peak concurrent users for each month `0..horizon` of a validated scenario.
pub fn projected_users(s: &ValidScenario) -> Vec<f64> {
    projected_users_at(s, s.scenario().growth.monthly_rate)
}

/// The same projection with the growth rate replaced by `monthly_rate` (the Monte Carlo draws one
/// per path; seasonality and events stay the scenario's).
pub fn projected_users_at(s: &ValidScenario, monthly_rate: f64) -> Vec<f64> {
    let sc = s.scenario();
    let g = &sc.growth;
    let u0 = sc.workload.peak_concurrent_users;
    let season = |t: u32| -> f64 {
        g.seasonality.as_ref().map_or(1.0, |s| {
            // start_month is 1–12 (validated).
            let idx = (g.start_month - 1 + t) % 12;
            s[idx as usize]
        })
    };
    let base_season = season(0);
    (0..g.horizon_months)
        .map(|t| {
            let events: f64 = g
                .events
                .iter()
                .filter(|e| t >= e.month && t < e.month.saturating_add(e.duration_months))
                .map(|e| e.multiplier)
                .product();
            u0 * (1.0 + monthly_rate).powf(f64::from(t)) * season(t) / base_season * events
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::scenario::GrowthEvent;
    use crate::scenario::tests::example;

    #[test]
    fn compound_growth_without_seasonality() {
        let users = projected_users(&example().validate().unwrap());
        assert_eq!(users.len(), 36);
        assert_eq!(users[0], 1_500.0);
        // 8 % a month for 12 months: × 1.08¹² ≈ 2.518.
        assert!((users[12] - 1_500.0 * 1.08_f64.powi(12)).abs() < 1e-9);
    }

    #[test]
    fn seasonality_is_relative_to_the_current_month() {
        let mut s = example();
        s.growth.monthly_rate = 0.0;
        s.growth.start_month = 11; // November
        let mut season = [1.0; 12];
        season[10] = 1.0; // November
        season[11] = 1.5; // December: +50 %
        s.growth.seasonality = Some(season);
        let users = projected_users(&s.validate().unwrap());
        assert_eq!(users[0], 1_500.0); // November, as measured
        assert_eq!(users[1], 2_250.0); // December
        assert_eq!(users[2], 1_500.0); // January
        assert_eq!(users[13], 2_250.0); // next December
    }

    #[test]
    fn events_multiply_while_they_last() {
        let mut s = example();
        s.growth.monthly_rate = 0.0;
        s.growth.events = vec![GrowthEvent {
            label: "campaign".to_owned(),
            month: 3,
            duration_months: 2,
            multiplier: 2.0,
        }];
        let users = projected_users(&s.validate().unwrap());
        assert_eq!(&users[2..6], &[1_500.0, 3_000.0, 3_000.0, 1_500.0]);
    }

    #[test]
    fn decline_is_allowed() {
        let mut s = example();
        s.growth.monthly_rate = -0.1;
        let users = projected_users(&s.validate().unwrap());
        assert!(users.windows(2).all(|w| w[1] < w[0]));
    }
}
