//! The provider choice: the decision matrix over every priced provider (cost now, total cost,
//! bought headroom, the scenario's ratings) and its ranking with exact weight sensitivity.

use serde::{Deserialize, Serialize};

use crate::capacity::components::{Demand, phase_capacity};
use crate::cost::bom::PriceBook;
use crate::cost::catalog::ProviderId;
use crate::decision::{Alternative, Criterion, CriterionMap, DecisionMatrix, Ranking};

use crate::phase::Phase;
use crate::valid::ValidScenario;

use super::ProviderCosts;

/// The provider decision: the matrix built from the plan's figures and the scenario's weights and
/// ratings, and its [`Ranking`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderDecision {
    pub matrix: DecisionMatrix,
    /// `None` when the matrix cannot rank: no provider in the catalog could be priced.
    pub result: Option<Ranking>,
}

/// Headroom of what is bought now: the phase's capacity with the provider's actual app vCPUs and
/// cache memory, over the current users, minus one; capped at 10 (1,000 %).
pub(super) fn bought_headroom(
    demand: &Demand,
    phase: &Phase,
    index: usize,
    book: &PriceBook,
    users: f64,
) -> f64 {
    let (vcpu, cache_mib) = book.bought();
    let mut bought = phase.clone();
    bought.app.vcpu = vcpu.max(phase.app.vcpu);
    let per_shard = cache_mib / f64::from(bought.cache.shards.max(1));
    bought.cache.memory_mib = per_shard.clamp(0.0, f64::from(u32::MAX)) as u32;
    let c = phase_capacity(demand, &bought, index, users);
    let cap = c
        .components
        .iter()
        .map(|c| c.capacity_users)
        .fold(f64::INFINITY, f64::min);
    if users <= 0.0 {
        10.0
    } else {
        (cap / users - 1.0).clamp(-1.0, 10.0)
    }
}

pub(super) fn provider_decision(
    s: &ValidScenario,
    books: &[(ProviderId, Vec<PriceBook>)],
    providers: &[ProviderCosts],
    demand: &Demand,
    phase_now: usize,
    users_now: f64,
) -> ProviderDecision {
    let sc = s.scenario();
    let phase = &s.ladder().phases()[phase_now];
    let alternatives = books
        .iter()
        .zip(providers)
        .map(|((id, b), costs)| {
            let rating = sc.decision.rating(*id);
            Alternative {
                key: id.key().to_owned(),
                values: CriterionMap::from_fn(|c| match c {
                    Criterion::MonthlyCost => costs.monthly_usd.first().copied().unwrap_or(0.0),
                    Criterion::Tco => costs.tco_usd,
                    Criterion::Headroom => {
                        bought_headroom(demand, phase, phase_now, &b[phase_now], users_now)
                    }
                    Criterion::Availability => rating.availability,
                    Criterion::Operations => costs.ops_hours_now,
                    Criterion::LockIn => rating.lock_in,
                    Criterion::Managed => costs.managed_share_now,
                }),
            }
        })
        .collect();
    let matrix = DecisionMatrix {
        weights: sc.decision.weights,
        alternatives,
    };
    let result = matrix.validate().ok().and_then(|()| matrix.rank());
    ProviderDecision { matrix, result }
}
