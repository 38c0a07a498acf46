//! Moving to the best-ranked other provider: the migration calculator fed with the plan's mean
//! monthly costs after the move.

use serde::{Deserialize, Serialize};

use crate::cost::catalog::ProviderId;
use crate::decision::Ranking;
use crate::migration::{MigrationInput, MigrationResult};
use crate::valid::ValidScenario;

use super::ProviderCosts;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MigrationPlan {
    pub from: ProviderId,
    pub to: ProviderId,
    /// Mean monthly costs over the horizon, and the scenario's one-time cost.
    pub input: MigrationInput,
    pub result: MigrationResult,
}

/// Migration from the scenario's provider to the best-ranked other one, weighed on mean monthly
/// costs over the horizon (the formulas of [`crate::migration`] take one monthly figure each).
pub(super) fn migration_plan(
    s: &ValidScenario,
    providers: &[ProviderCosts],
    ranking: Option<&Ranking>,
) -> Option<MigrationPlan> {
    let sc = s.scenario();
    let from = sc.pricing.provider;
    let to = ranking?
        .ranking
        .iter()
        .filter_map(|r| ProviderId::parse("provider", &r.key).ok())
        .find(|p| *p != from)?;
    let mean = |id: ProviderId| {
        providers
            .iter()
            .find(|p| p.provider == id)
            .map(|p| p.tco_usd / p.monthly_usd.len().max(1) as f64)
    };
    let input = MigrationInput {
        current_monthly: mean(from)?,
        target_monthly: mean(to)?,
        one_time_cost: sc.pricing.migration_cost_usd,
        start_month: 0,
        horizon_months: sc.growth.horizon_months,
    };
    Some(MigrationPlan {
        from,
        to,
        result: input.evaluate(),
        input,
    })
}
