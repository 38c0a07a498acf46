//! The weighted decision matrix: providers' values on each [`Criterion`], with user weights →
//! normalised scores → a ranking, and how far each weight can move before the winner changes.
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

pub use crate::scenario::criterion::{Criterion, CriterionMap, Direction};
pub use crate::scenario::decision::{DecisionSettings, ProviderRating};

use crate::error::{Reason, ValidationError, check_range};

/// One option (a provider) with its raw value on each criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alternative {
    pub key: String,
    pub values: CriterionMap<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionMatrix {
    /// Relative importance of each criterion, ≥ 0; only ratios matter.
    pub weights: CriterionMap<f64>,
    pub alternatives: Vec<Alternative>,
}

/// One option's place in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ranked {
    pub key: String,
    /// Weighted score in [0, 1].
    pub score: f64,
    /// Normalised value per criterion, in [0, 1] (for radar charts).
    pub normalised: CriterionMap<f64>,
}

/// The range a criterion's weight can take, others fixed, with the winner unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeightSensitivity {
    pub weight: f64,
    /// Lowest weight that keeps the winner (0 if it can drop to nothing).
    pub min_weight: f64,
    /// Highest weight that keeps the winner; `None` if any increase keeps it.
    pub max_weight: Option<f64>,
    /// Who wins just past the nearer bound, if there is one.
    pub challenger: Option<String>,
}

/// What the matrix says: the options best first and how far each weight can move before the
/// winner changes. Called the *ranking* (not a "decision") because Phaseplan's other verdict, the
/// step to take on the phase ladder, is an *action* ([`crate::evaluate::Action`],
/// [`crate::live::LiveAction`]); the provider decision as a whole, the matrix with its ranking, is
/// [`crate::evaluate::ProviderDecision`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ranking {
    /// Best first; ties keep the input order.
    pub ranking: Vec<Ranked>,
    pub sensitivity: CriterionMap<WeightSensitivity>,
}

impl DecisionMatrix {
    /// Checks values: at least one alternative, everything finite, weights non-negative and not
    /// all zero. (A value for every criterion is the type's doing.)
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.alternatives.is_empty() {
            return Err(ValidationError::new("alternatives", Reason::Empty));
        }
        for (c, w) in self.weights.iter() {
            check_range(&format!("weights.{}", c.key()), *w, 0.0, 1e6)?;
        }
        if self.weights.iter().all(|(_, w)| *w == 0.0) {
            return Err(ValidationError::new("weights", Reason::AllZero));
        }
        for (j, a) in self.alternatives.iter().enumerate() {
            if let Some((c, _)) = a.values.iter().find(|(_, v)| !v.is_finite()) {
                return Err(ValidationError::new(
                    format!("alternatives[{j}].values.{}", c.key()),
                    Reason::NotFinite,
                ));
            }
        }
        Ok(())
    }

    /// `n[j][c]`: alternative `j`'s normalised value on criterion `c`.
    fn normalised(&self) -> Vec<CriterionMap<f64>> {
        let columns: CriterionMap<(f64, f64)> = CriterionMap::from_fn(|c| {
            self.alternatives
                .iter()
                .map(|a| a.values[c])
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                })
        });
        self.alternatives
            .iter()
            .map(|a| {
                a.values.map(|c, v| {
                    let (lo, hi) = columns[c];
                    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
                        return 1.0;
                    }
                    let up = (v - lo) / (hi - lo);
                    match c.direction() {
                        Direction::HigherIsBetter => up,
                        Direction::LowerIsBetter => 1.0 - up,
                    }
                })
            })
            .collect()
    }

    /// Scores, ranks and runs the sensitivity analysis, or `None` without alternatives. Call
    /// [`DecisionMatrix::validate`] first.
    pub fn rank(&self) -> Option<Ranking> {
        let n = self.normalised();
        let scores = scores(&n, &self.weights);
        let mut order: Vec<usize> = (0..self.alternatives.len()).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let winner = *order.first()?;
        Some(Ranking {
            ranking: order
                .iter()
                .map(|&j| Ranked {
                    key: self.alternatives[j].key.clone(),
                    score: scores[j],
                    normalised: n[j],
                })
                .collect(),
            sensitivity: CriterionMap::from_fn(|c| self.sensitivity(&n, winner, c)),
        })
    }

    fn sensitivity(
        &self,
        n: &[CriterionMap<f64>],
        winner: usize,
        i: Criterion,
    ) -> WeightSensitivity {
        // A_j without criterion i.
        let rest = |j: usize| -> f64 {
            self.weights
                .iter()
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
        let w = self.weights[i];
        let challenger = match (lo.1, hi.1, hi.0) {
            (Some(l), Some(h), Some(hv)) => Some(if w - lo.0 <= hv - w { l } else { h }),
            (Some(l), _, _) => Some(l),
            (None, Some(h), _) => Some(h),
            (None, None, _) => None,
        };
        WeightSensitivity {
            weight: w,
            min_weight: lo.0,
            max_weight: hi.0,
            challenger: challenger.map(|j| self.alternatives[j].key.clone()),
        }
    }
}

fn scores(n: &[CriterionMap<f64>], weights: &CriterionMap<f64>) -> Vec<f64> {
    let total: f64 = weights.iter().map(|(_, w)| w).sum();
    n.iter()
        .map(|row| row.iter().map(|(c, v)| v * weights[c]).sum::<f64>() / total)
        .collect()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// Cost (lower better) vs availability (higher better); every other criterion is weighted
    /// zero and ties, so it cannot move the ranking.
    fn alt(key: &str, cost: f64, availability: f64) -> Alternative {
        Alternative {
            key: key.to_owned(),
            values: CriterionMap::from_fn(|c| match c {
                Criterion::MonthlyCost => cost,
                Criterion::Availability => availability,
                _ => 1.0,
            }),
        }
    }

    /// Cheap-but-shaky vs dear-but-solid.
    fn matrix(cost_weight: f64, availability_weight: f64) -> DecisionMatrix {
        DecisionMatrix {
            weights: CriterionMap::from_fn(|c| match c {
                Criterion::MonthlyCost => cost_weight,
                Criterion::Availability => availability_weight,
                _ => 0.0,
            }),
            alternatives: vec![
                alt("cheap", 1_000.0, 99.5),
                alt("middle", 1_500.0, 99.9),
                alt("solid", 3_000.0, 99.99),
            ],
        }
    }

    #[test]
    fn scores_are_weighted_normalised_values() {
        let d = matrix(1.0, 1.0).rank().unwrap();
        assert_eq!(d.ranking[0].key, "middle");
        let middle = &d.ranking[0];
        // cost: (3000 − 1500)/(3000 − 1000) = 0.75; availability: (99.9 − 99.5)/0.49.
        let avail = (99.9 - 99.5) / (99.99 - 99.5);
        assert!((middle.normalised[Criterion::MonthlyCost] - 0.75).abs() < 1e-12);
        assert!((middle.normalised[Criterion::Availability] - avail).abs() < 1e-12);
        // A criterion on which all tie scores 1 for everyone.
        assert_eq!(middle.normalised[Criterion::Tco], 1.0);
        assert!((middle.score - (0.75 + avail) / 2.0).abs() < 1e-12);
        assert!(d.ranking.iter().all(|r| (0.0..=1.0).contains(&r.score)));
    }

    #[test]
    fn sensitivity_bounds_are_exact() {
        let m = matrix(1.0, 1.0);
        let d = m.rank().unwrap();
        let s = &d.sensitivity[Criterion::MonthlyCost];
        // Just inside the bounds the winner holds; just outside it changes.
        let winner_at = |w: f64| {
            let mut m = m.clone();
            m.weights[Criterion::MonthlyCost] = w;
            m.rank().unwrap().ranking[0].key.clone()
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
        m.alternatives.push(alt("best", 900.0, 99.999));
        let d = m.rank().unwrap();
        assert_eq!(d.ranking[0].key, "best");
        for (_, s) in d.sensitivity.iter() {
            assert_eq!(s.min_weight, 0.0);
            assert_eq!(s.max_weight, None);
            assert_eq!(s.challenger, None);
        }
    }

    #[test]
    fn validation_names_the_field_and_the_reason() {
        let mut m = matrix(1.0, 1.0);
        m.alternatives[1].values[Criterion::Availability] = f64::NAN;
        assert_eq!(
            m.validate().unwrap_err().field,
            "alternatives[1].values.availability"
        );
        let mut m = matrix(0.0, 0.0);
        assert_eq!(
            m.validate().unwrap_err(),
            ValidationError::new("weights", Reason::AllZero)
        );
        m.weights[Criterion::Tco] = -1.0;
        assert_eq!(m.validate().unwrap_err().field, "weights.tco");
        let mut m = matrix(1.0, 1.0);
        m.alternatives.clear();
        assert_eq!(m.validate().unwrap_err().field, "alternatives");
        assert_eq!(m.rank(), None);
    }
}
