//! Moving from one provider to another: does the one-time cost pay for itself, and when?
//!
//! With current monthly cost `A`, cost after the move `B` and a one-time migration cost `M` paid at
//! month `m` of a horizon of `H` months:
//!
//! - monthly savings `s = A − B`, annual savings `12·s`;
//! - payback `M / s` months after the move (none when `s ≤ 0`);
//! - net benefit over the horizon `s·(H − m) − M`, and ROI = net benefit / `M`.
//!
//! The seeds' example: $2,903 → $2,050 a month with a $2,500 migration saves $853 a month,
//! $10,236 a year, and pays back in 2.9 months.

use serde::{Deserialize, Serialize};

use crate::error::{ValidationError, check_range};

/// What a migration is weighed on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MigrationInput {
    /// Monthly cost where the platform runs now.
    pub current_monthly: f64,
    /// Monthly cost at the destination.
    pub target_monthly: f64,
    /// One-time cost of moving (engineering time, dual running, transfer).
    pub one_time_cost: f64,
    /// Month (from 0) at which the move happens and savings start.
    pub start_month: u32,
    /// Months over which the benefit is judged.
    pub horizon_months: u32,
}

/// Stay or go, with the reason in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// Savings repay the move within the horizon.
    Migrate,
    /// The destination costs as much or more, or the move does not repay itself in time.
    Stay,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MigrationResult {
    pub monthly_savings: f64,
    pub annual_savings: f64,
    /// Months after the move until cumulative savings equal the one-time cost; `None` if savings
    /// are not positive.
    pub payback_months: Option<f64>,
    /// Savings over the months after the move within the horizon, minus the one-time cost.
    pub net_benefit: f64,
    /// `net_benefit / one_time_cost`; `None` for a free migration (ROI is unbounded).
    pub roi: Option<f64>,
    pub recommendation: Recommendation,
}

impl MigrationInput {
    /// Checks every field (finite, non-negative, start within the horizon), naming the field.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        const MAX_MONEY: f64 = 1e12;
        check_range(
            &format!("{field}.current_monthly"),
            self.current_monthly,
            0.0,
            MAX_MONEY,
        )?;
        check_range(
            &format!("{field}.target_monthly"),
            self.target_monthly,
            0.0,
            MAX_MONEY,
        )?;
        check_range(
            &format!("{field}.one_time_cost"),
            self.one_time_cost,
            0.0,
            MAX_MONEY,
        )?;
        check_range(
            &format!("{field}.horizon_months"),
            f64::from(self.horizon_months),
            1.0,
            120.0,
        )?;
        check_range(
            &format!("{field}.start_month"),
            f64::from(self.start_month),
            0.0,
            f64::from(self.horizon_months),
        )?;
        Ok(())
    }

    pub fn evaluate(&self) -> MigrationResult {
        let monthly_savings = self.current_monthly - self.target_monthly;
        let months_after = f64::from(self.horizon_months.saturating_sub(self.start_month));
        let net_benefit = monthly_savings * months_after - self.one_time_cost;
        let payback_months = (monthly_savings > 0.0).then(|| self.one_time_cost / monthly_savings);
        let roi = (self.one_time_cost > 0.0).then(|| net_benefit / self.one_time_cost);
        let pays_back_in_time = payback_months.is_some_and(|p| p <= months_after);
        MigrationResult {
            monthly_savings,
            annual_savings: monthly_savings * 12.0,
            payback_months,
            net_benefit,
            roi,
            recommendation: if pays_back_in_time && net_benefit > 0.0 {
                Recommendation::Migrate
            } else {
                Recommendation::Stay
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn input(current: f64, target: f64, once: f64) -> MigrationInput {
        MigrationInput {
            current_monthly: current,
            target_monthly: target,
            one_time_cost: once,
            start_month: 0,
            horizon_months: 36,
        }
    }

    #[test]
    fn the_seeds_example() {
        let r = input(2_903.0, 2_050.0, 2_500.0).evaluate();
        assert_eq!(r.monthly_savings, 853.0);
        assert_eq!(r.annual_savings, 10_236.0);
        assert_eq!((r.payback_months.unwrap() * 10.0).round() / 10.0, 2.9);
        assert_eq!(r.net_benefit, 853.0 * 36.0 - 2_500.0);
        assert_eq!(r.recommendation, Recommendation::Migrate);
    }

    #[test]
    fn no_savings_means_stay() {
        let r = input(2_000.0, 2_100.0, 500.0).evaluate();
        assert_eq!(r.payback_months, None);
        assert_eq!(r.recommendation, Recommendation::Stay);
        assert!(r.roi.unwrap() < 0.0);
    }

    #[test]
    fn a_late_move_that_cannot_repay_means_stay() {
        let mut i = input(1_000.0, 900.0, 2_000.0); // pays back in 20 months
        i.start_month = 30; // only 6 months left
        let r = i.evaluate();
        assert_eq!(r.payback_months, Some(20.0));
        assert_eq!(r.recommendation, Recommendation::Stay);
    }

    #[test]
    fn validation_names_the_field() {
        let mut i = input(1.0, 1.0, 1.0);
        i.one_time_cost = f64::NAN;
        assert_eq!(
            i.validate("migration").unwrap_err().field,
            "migration.one_time_cost"
        );
        let mut i = input(1.0, 1.0, 1.0);
        i.start_month = 40;
        assert_eq!(
            i.validate("migration").unwrap_err().field,
            "migration.start_month"
        );
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn savings_payback_and_roi_agree(
                current in 0.0..1e6f64, target in 0.0..1e6f64, once in 1.0..1e6f64,
                start in 0u32..36,
            ) {
                let i = MigrationInput {
                    current_monthly: current, target_monthly: target, one_time_cost: once,
                    start_month: start, horizon_months: 36,
                };
                let r = i.evaluate();
                prop_assert!((r.annual_savings - 12.0 * r.monthly_savings).abs() < 1e-6);
                if let Some(p) = r.payback_months {
                    // After `p` months the savings have repaid exactly the one-time cost.
                    prop_assert!((p * r.monthly_savings - once).abs() < 1e-6 * once.max(1.0));
                }
                let roi = r.roi.unwrap();
                prop_assert!((roi * once - r.net_benefit).abs() < 1e-6 * once.max(1.0));
                if r.recommendation == Recommendation::Migrate {
                    prop_assert!(r.net_benefit > 0.0 && r.monthly_savings > 0.0);
                }
            }
        }
    }
}
