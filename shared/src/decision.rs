//! The weighted decision matrix: criteria with user weights → normalised scores → a ranking, and
//! how far each weight can move before the winner changes.
//!
//! **Normalisation** (min–max, per criterion): the best option gets 1, the worst 0, linearly in
//! between, respecting whether more is better (headroom) or worse (cost). A criterion on which all
//! options tie scores 1 for everyone, so it cannot change the ranking.
//!
//! **Score** of option `j`: `S_j = Σ_i w_i·n_ji / Σ_i w_i` — a weighted mean of normalised values,
//! in [0, 1].
//!
//! **Sensitivity.** Vary one weight `w` (the others fixed) and write `A_j = Σ_{k≠i} w_k·n_jk`,
//! `W = Σ_{k≠i} w_k`. Then `S_j(w) = (A_j + w·n_ji) / (W + w)`; the denominator is shared, so the
//! winner `a` stays ahead of `b` exactly while `A_a + w·n_ai ≥ A_b + w·n_bi` — a *linear*
//! inequality in `w`. Each rival gives one bound, and the tightest bounds are the exact interval of
//! `w` in which the winner does not change (no sampling).

use serde::{Deserialize, Serialize};

use crate::error::{Reason, ValidationError, check_range};

/// Whether more of a criterion is better or worse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Criterion {
    pub key: String,
    pub name: String,
    /// Relative importance, ≥ 0; only ratios matter.
    pub weight: f64,
    pub direction: Direction,
}

/// One option (a provider) with its raw value on each criterion, in criterion order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alternative {
    pub key: String,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionMatrix {
    pub criteria: Vec<Criterion>,
    pub alternatives: Vec<Alternative>,
}

/// One option's place in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ranked {
    pub key: String,
    /// Weighted score in [0, 1].
    pub score: f64,
    /// Normalised value per criterion, in [0, 1], criterion order (for radar charts).
    pub normalised: Vec<f64>,
}

/// The range a weight can take, others fixed, with the winner unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeightSensitivity {
    pub criterion: String,
    pub weight: f64,
    /// Lowest weight that keeps the winner (0 if it can drop to nothing).
    pub min_weight: f64,
    /// Highest weight that keeps the winner; `None` if any increase keeps it.
    pub max_weight: Option<f64>,
    /// Who wins just past the nearer bound, if there is one.
    pub challenger: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    /// Best first; ties keep the input order.
    pub ranking: Vec<Ranked>,
    pub sensitivity: Vec<WeightSensitivity>,
}

impl DecisionMatrix {
    /// Checks shapes and values: at least one criterion and alternative, a value per criterion,
    /// everything finite, weights non-negative and not all zero.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.criteria.is_empty() {
            return Err(ValidationError::new("criteria", Reason::Empty));
        }
        if self.alternatives.is_empty() {
            return Err(ValidationError::new("alternatives", Reason::Empty));
        }
        for (i, c) in self.criteria.iter().enumerate() {
            check_range(&format!("criteria[{i}].weight"), c.weight, 0.0, 1e6)?;
        }
        if self.criteria.iter().all(|c| c.weight == 0.0) {
            return Err(ValidationError::new(
                "criteria",
                Reason::Missing("at least one weight above zero".to_owned()),
            ));
        }
        for (j, a) in self.alternatives.iter().enumerate() {
            if a.values.len() != self.criteria.len() {
                return Err(ValidationError::new(
                    format!("alternatives[{j}].values"),
                    Reason::Missing(format!("{} values, one per criterion", self.criteria.len())),
                ));
            }
            for (i, v) in a.values.iter().enumerate() {
                if !v.is_finite() {
                    return Err(ValidationError::new(
                        format!("alternatives[{j}].values[{i}]"),
                        Reason::NotFinite,
                    ));
                }
            }
        }
        Ok(())
    }

    /// `n[j][i]`: alternative `j`'s normalised value on criterion `i`.
    fn normalised(&self) -> Vec<Vec<f64>> {
        let columns: Vec<(f64, f64)> = (0..self.criteria.len())
            .map(|i| {
                self.alternatives
                    .iter()
                    .map(|a| a.values[i])
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                        (lo.min(v), hi.max(v))
                    })
            })
            .collect();
        self.alternatives
            .iter()
            .map(|a| {
                a.values
                    .iter()
                    .zip(&self.criteria)
                    .zip(&columns)
                    .map(|((v, c), (lo, hi))| {
                        if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
                            return 1.0;
                        }
                        let up = (v - lo) / (hi - lo);
                        match c.direction {
                            Direction::HigherIsBetter => up,
                            Direction::LowerIsBetter => 1.0 - up,
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// Scores, ranks and runs the sensitivity analysis. Call [`DecisionMatrix::validate`] first.
    pub fn decide(&self) -> Decision {
        let n = self.normalised();
        let weights: Vec<f64> = self.criteria.iter().map(|c| c.weight).collect();
        let scores = scores(&n, &weights);
        let mut order: Vec<usize> = (0..self.alternatives.len()).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let winner = order[0];
        let sensitivity = (0..self.criteria.len())
            .map(|i| self.sensitivity(&n, &weights, winner, i))
            .collect();
        Decision {
            ranking: order
                .iter()
                .map(|&j| Ranked {
                    key: self.alternatives[j].key.clone(),
                    score: scores[j],
                    normalised: n[j].clone(),
                })
                .collect(),
            sensitivity,
        }
    }

    fn sensitivity(
        &self,
        n: &[Vec<f64>],
        weights: &[f64],
        winner: usize,
        i: usize,
    ) -> WeightSensitivity {
        // A_j without criterion i.
        let rest = |j: usize| -> f64 {
            weights
                .iter()
                .enumerate()
                .filter(|&(k, _)| k != i)
                .map(|(k, w)| w * n[j][k])
                .sum()
        };
        let a_win = rest(winner);
        let mut lo: (f64, Option<usize>) = (0.0, None);
        let mut hi: (Option<f64>, Option<usize>) = (None, None);
        for b in (0..n.len()).filter(|&b| b != winner) {
            // Winner keeps the lead while w·(n_ai − n_bi) ≥ A_b − A_a.
            let slope = n[winner][i] - n[b][i];
            let gap = rest(b) - a_win;
            if slope > 0.0 {
                let bound = gap / slope; // w ≥ bound
                if bound > lo.0 {
                    lo = (bound, Some(b));
                }
            } else if slope < 0.0 {
                let bound = gap / slope; // w ≤ bound
                if hi.0.is_none_or(|h| bound < h) {
                    hi = (Some(bound.max(0.0)), Some(b));
                }
            }
        }
        let w = weights[i];
        let challenger = match (lo.1, hi.1, hi.0) {
            (Some(l), Some(h), Some(hv)) => Some(if w - lo.0 <= hv - w { l } else { h }),
            (Some(l), _, _) => Some(l),
            (None, Some(h), _) => Some(h),
            (None, None, _) => None,
        };
        WeightSensitivity {
            criterion: self.criteria[i].key.clone(),
            weight: w,
            min_weight: lo.0,
            max_weight: hi.0,
            challenger: challenger.map(|j| self.alternatives[j].key.clone()),
        }
    }
}

fn scores(n: &[Vec<f64>], weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    n.iter()
        .map(|row| row.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total)
        .collect()
}

/// The provider choice's settings, part of the scenario: how much each criterion matters, and
/// the two criteria that are judgements rather than computations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecisionSettings {
    pub weights: Weights,
    /// Availability and lock-in per provider, 1–5. The defaults are stated assumptions for the
    /// user to replace with their own assessment; a provider not listed rates 3 on both.
    pub ratings: Vec<ProviderRating>,
}

/// Relative importance of each criterion, 0–100; only ratios matter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Weights {
    /// Monthly cost now (lower is better).
    pub monthly_cost: f64,
    /// Total cost over the horizon (lower is better).
    pub tco: f64,
    /// Capacity headroom of what is bought now (higher is better).
    pub headroom: f64,
    /// Availability rating (higher is better).
    pub availability: f64,
    /// Operations hours a month for self-hosted components (lower is better).
    pub operations: f64,
    /// Lock-in rating (lower is better).
    pub lock_in: f64,
    /// Share of services bought managed (higher is better).
    pub managed: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProviderRating {
    pub provider: crate::cost::catalog::ProviderId,
    /// 1 (weak) – 5 (strong): regions, zones, SLA, track record.
    pub availability: f64,
    /// 1 (easy to leave) – 5 (hard to leave): proprietary services in the plan.
    pub lock_in: f64,
}

impl Default for DecisionSettings {
    /// Cost first, then availability and operations effort. Ratings (assumed): the three
    /// hyperscalers 5 for availability (many regions and zones) and 4 for lock-in; Linode and
    /// DigitalOcean 4 and 2; Hetzner 3 and 1 (few regions, plain VMs).
    fn default() -> Self {
        use crate::cost::catalog::ProviderId as P;
        let rating = |provider, availability, lock_in| ProviderRating {
            provider,
            availability,
            lock_in,
        };
        DecisionSettings {
            weights: Weights {
                monthly_cost: 3.0,
                tco: 3.0,
                headroom: 1.0,
                availability: 2.0,
                operations: 2.0,
                lock_in: 1.0,
                managed: 1.0,
            },
            ratings: vec![
                rating(P::Aws, 5.0, 4.0),
                rating(P::Gcp, 5.0, 4.0),
                rating(P::Azure, 5.0, 4.0),
                rating(P::Linode, 4.0, 2.0),
                rating(P::DigitalOcean, 4.0, 2.0),
                rating(P::Hetzner, 3.0, 1.0),
            ],
        }
    }
}

impl Weights {
    /// `(key, name, weight, direction)` in the matrix's criterion order.
    pub fn criteria(&self) -> [Criterion; 7] {
        let c = |key: &str, name: &str, weight, direction| Criterion {
            key: key.to_owned(),
            name: name.to_owned(),
            weight,
            direction,
        };
        use Direction::{HigherIsBetter as Up, LowerIsBetter as Down};
        [
            c("monthly_cost", "Monthly cost now", self.monthly_cost, Down),
            c("tco", "Total cost over the horizon", self.tco, Down),
            c("headroom", "Capacity headroom", self.headroom, Up),
            c("availability", "Availability", self.availability, Up),
            c("operations", "Operations effort", self.operations, Down),
            c("lock_in", "Lock-in", self.lock_in, Down),
            c("managed", "Managed-service coverage", self.managed, Up),
        ]
    }
}

impl DecisionSettings {
    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        let criteria = self.weights.criteria();
        for c in &criteria {
            check_range(&format!("decision.weights.{}", c.key), c.weight, 0.0, 100.0)?;
        }
        if criteria.iter().all(|c| c.weight == 0.0) {
            return Err(ValidationError::new(
                "decision.weights",
                Reason::Missing("at least one weight above zero".to_owned()),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, r) in self.ratings.iter().enumerate() {
            let f = format!("decision.ratings[{i}]");
            if !seen.insert(r.provider) {
                return Err(ValidationError::new(
                    format!("{f}.provider"),
                    Reason::Duplicate(r.provider.key().to_owned()),
                ));
            }
            check_range(&format!("{f}.availability"), r.availability, 1.0, 5.0)?;
            check_range(&format!("{f}.lock_in"), r.lock_in, 1.0, 5.0)?;
        }
        Ok(())
    }

    /// `(availability, lock_in)` of a provider, 3 and 3 when not rated.
    pub fn rating(&self, provider: crate::cost::catalog::ProviderId) -> (f64, f64) {
        self.ratings
            .iter()
            .find(|r| r.provider == provider)
            .map_or((3.0, 3.0), |r| (r.availability, r.lock_in))
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn criterion(key: &str, weight: f64, direction: Direction) -> Criterion {
        Criterion {
            key: key.to_owned(),
            name: key.to_owned(),
            weight,
            direction,
        }
    }

    fn alt(key: &str, values: &[f64]) -> Alternative {
        Alternative {
            key: key.to_owned(),
            values: values.to_vec(),
        }
    }

    /// Cost (lower better) vs availability (higher better): cheap-but-shaky vs dear-but-solid.
    fn matrix(cost_weight: f64, availability_weight: f64) -> DecisionMatrix {
        DecisionMatrix {
            criteria: vec![
                criterion("cost", cost_weight, Direction::LowerIsBetter),
                criterion(
                    "availability",
                    availability_weight,
                    Direction::HigherIsBetter,
                ),
            ],
            alternatives: vec![
                alt("cheap", &[1_000.0, 99.5]),
                alt("middle", &[1_500.0, 99.9]),
                alt("solid", &[3_000.0, 99.99]),
            ],
        }
    }

    #[test]
    fn scores_are_weighted_normalised_values() {
        let d = matrix(1.0, 1.0).decide();
        assert_eq!(d.ranking[0].key, "middle");
        let middle = &d.ranking[0];
        // cost: (3000 − 1500)/(3000 − 1000) = 0.75; availability: (99.9 − 99.5)/0.49.
        let avail = (99.9 - 99.5) / (99.99 - 99.5);
        assert!((middle.normalised[0] - 0.75).abs() < 1e-12);
        assert!((middle.score - (0.75 + avail) / 2.0).abs() < 1e-12);
        assert!(d.ranking.iter().all(|r| (0.0..=1.0).contains(&r.score)));
    }

    #[test]
    fn sensitivity_bounds_are_exact() {
        let m = matrix(1.0, 1.0);
        let d = m.decide();
        let s = &d.sensitivity[0]; // the cost weight
        // Just inside the bounds the winner holds; just outside it changes.
        let winner_at = |w: f64| {
            let mut m = m.clone();
            m.criteria[0].weight = w;
            m.decide().ranking[0].key.clone()
        };
        assert_eq!(winner_at(s.min_weight * 1.001), "middle");
        assert_ne!(winner_at(s.min_weight * 0.999), "middle");
        let max = s.max_weight.unwrap();
        assert_eq!(winner_at(max * 0.999), "middle");
        assert_eq!(winner_at(max * 1.001), "cheap");
    }

    #[test]
    fn a_dominant_option_wins_at_any_weight() {
        let mut m = matrix(1.0, 1.0);
        m.alternatives.push(alt("best", &[900.0, 99.999]));
        let d = m.decide();
        assert_eq!(d.ranking[0].key, "best");
        for s in &d.sensitivity {
            assert_eq!(s.min_weight, 0.0);
            assert_eq!(s.max_weight, None);
            assert_eq!(s.challenger, None);
        }
    }

    #[test]
    fn validation_names_the_field() {
        let mut m = matrix(1.0, 1.0);
        m.alternatives[1].values[1] = f64::NAN;
        assert_eq!(m.validate().unwrap_err().field, "alternatives[1].values[1]");
        let mut m = matrix(0.0, 0.0);
        assert_eq!(m.validate().unwrap_err().field, "criteria");
        m.criteria[0].weight = -1.0;
        assert_eq!(m.validate().unwrap_err().field, "criteria[0].weight");
        let mut m = matrix(1.0, 1.0);
        m.alternatives[2].values.pop();
        assert_eq!(m.validate().unwrap_err().field, "alternatives[2].values");
    }
}
