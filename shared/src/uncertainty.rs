//! Uncertainty: Monte Carlo over the growth rate and the per-user demand.
//!
//! Each path draws one monthly growth rate `g` and one demand multiplier `d` from the user's
//! distributions, then follows the deterministic projection `users(t; g) · d` (see
//! [`crate::growth`]). Across paths we report, per month, the 10th, 50th and 90th percentiles of
//! users, and per phase the percentiles of the month it is first required — with the share of paths
//! that reach it at all within the horizon.
//!
//! Paths come from a PCG-64 (MCG) generator seeded by the caller, so a run is reproducible
//! bit-for-bit on every platform: the browser and the server draw the same numbers.

use rand::SeedableRng;
use rand_distr::{Distribution as _, Normal, Triangular, Uniform};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use crate::error::{Reason, ValidationError, check_range};
use crate::scenario::ValidScenario;

/// A distribution for one uncertain input.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Spread {
    /// No uncertainty.
    Fixed {
        value: f64,
    },
    /// Normal, truncated at the input's valid range by clamping.
    Normal {
        mean: f64,
        sd: f64,
    },
    /// Triangular: the pragmatic "low / likely / high" of planning.
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
}

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UncertaintyInput {
    /// Monthly growth rate (0.08 = 8 %), clamped to the scenario's valid range −0.5…2.
    pub growth_rate: Spread,
    /// Multiplier on per-user demand (1 = as planned), clamped to 0.01…100.
    pub demand: Spread,
    /// Number of paths, 1–100,000 (10,000 by default).
    pub paths: u32,
    pub seed: u64,
}

impl Default for UncertaintyInput {
    fn default() -> Self {
        UncertaintyInput {
            growth_rate: Spread::Fixed { value: 0.0 },
            demand: Spread::Fixed { value: 1.0 },
            paths: 10_000,
            seed: 42,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

/// When a phase is first required, across paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitionSpread {
    pub phase_index: usize,
    /// Share of paths (0–1) that require this phase within the horizon.
    pub reached_share: f64,
    /// Month percentiles among the paths that reach it; `None` if none does.
    pub month: Option<Percentiles>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UncertaintyResult {
    /// Peak users per month.
    pub users: Vec<Percentiles>,
    /// One entry per phase above the first.
    pub transitions: Vec<TransitionSpread>,
}

const GROWTH_RANGE: (f64, f64) = (-0.5, 2.0);
const DEMAND_RANGE: (f64, f64) = (0.01, 100.0);

impl Spread {
    fn validate(&self, field: &str, (lo, hi): (f64, f64)) -> Result<(), ValidationError> {
        match *self {
            Spread::Fixed { value } => {
                check_range(&format!("{field}.value"), value, lo, hi)?;
            }
            Spread::Normal { mean, sd } => {
                check_range(&format!("{field}.mean"), mean, lo, hi)?;
                check_range(&format!("{field}.sd"), sd, 0.0, hi - lo)?;
            }
            Spread::Triangular { min, mode, max } => {
                check_range(&format!("{field}.min"), min, lo, hi)?;
                check_range(&format!("{field}.mode"), mode, min, hi)?;
                check_range(&format!("{field}.max"), max, mode, hi)?;
            }
            Spread::Uniform { min, max } => {
                check_range(&format!("{field}.min"), min, lo, hi)?;
                check_range(&format!("{field}.max"), max, min, hi)?;
            }
        }
        Ok(())
    }

    fn sample(&self, rng: &mut Pcg64Mcg, (lo, hi): (f64, f64)) -> f64 {
        let v = match *self {
            Spread::Fixed { value } => value,
            // Validated parameters make these constructors infallible; fall back to the centre.
            Spread::Normal { mean, sd } => Normal::new(mean, sd).map_or(mean, |d| d.sample(rng)),
            Spread::Triangular { min, mode, max } if max > min => {
                Triangular::new(min, max, mode).map_or(mode, |d| d.sample(rng))
            }
            Spread::Triangular { mode, .. } => mode,
            Spread::Uniform { min, max } if max > min => {
                Uniform::new(min, max).map_or(min, |d| d.sample(rng))
            }
            Spread::Uniform { min, .. } => min,
        };
        v.clamp(lo, hi)
    }
}

impl UncertaintyInput {
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.growth_rate
            .validate("uncertainty.growth_rate", GROWTH_RANGE)?;
        self.demand.validate("uncertainty.demand", DEMAND_RANGE)?;
        if self.paths == 0 || self.paths > 100_000 {
            return Err(ValidationError::new(
                "uncertainty.paths",
                Reason::OutOfRange {
                    min: 1.0,
                    max: 100_000.0,
                },
            ));
        }
        Ok(())
    }
}

/// The `q`-quantile (0–1) by linear interpolation between closest ranks (the usual "type 7"
/// definition), found by selection rather than a full sort: O(n) per quantile, which is what keeps
/// 36 months × 10,000 paths within the benchmark's budget. Reorders `values`.
fn quantile(values: &mut [f64], q: f64) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let pos = q * (n - 1) as f64;
    let i = (pos.floor() as usize).min(n - 1);
    let frac = pos - i as f64;
    let (_, lo, above) = values.select_nth_unstable_by(i, f64::total_cmp);
    let lo = *lo;
    if frac == 0.0 || above.is_empty() {
        return lo;
    }
    // The next order statistic is the smallest of what lies above position i.
    let hi = above.iter().copied().fold(f64::INFINITY, f64::min);
    lo + (hi - lo) * frac
}

fn percentiles(values: &mut [f64]) -> Percentiles {
    Percentiles {
        p10: quantile(values, 0.1),
        p50: quantile(values, 0.5),
        p90: quantile(values, 0.9),
    }
}

/// Runs the simulation. `input` must be validated; the scenario's own growth rate is replaced by
/// each path's draw.
pub fn simulate(s: &ValidScenario, input: &UncertaintyInput) -> UncertaintyResult {
    let sc = s.scenario();
    let ladder = s.ladder();
    let horizon = sc.growth.horizon_months as usize;
    let phases = ladder.phases().len();
    let paths = input.paths as usize;
    // The projection without growth (seasonality × events), shared by every path.
    let base = crate::growth::projected_users_at(s, 0.0);
    // A month requires the first phase whose critical line lies above its users (the rule of
    // `timeline::required_phase`, with the limits computed once).
    let limits = crate::capacity::components::critical_limits(s, &s.demand());
    let required = |u: f64| limits.iter().position(|&l| u < l).unwrap_or(phases - 1);
    let mut rng = Pcg64Mcg::seed_from_u64(input.seed);
    // Column-major: users[t][path].
    let mut users: Vec<Vec<f64>> = vec![Vec::with_capacity(paths); horizon];
    let mut first_month: Vec<Vec<f64>> = vec![Vec::new(); phases];
    for _ in 0..paths {
        let g = input.growth_rate.sample(&mut rng, GROWTH_RANGE);
        let d = input.demand.sample(&mut rng, DEMAND_RANGE);
        // Highest phase required so far on this path: requiring phase k means phases 1..=k
        // have all been required by now.
        let mut highest = 0;
        let mut factor = d;
        for (t, (b, column)) in base.iter().zip(users.iter_mut()).enumerate() {
            let u = b * factor;
            column.push(u);
            let idx = required(u);
            if idx > highest {
                for months in &mut first_month[highest + 1..=idx] {
                    months.push(t as f64);
                }
                highest = idx;
            }
            factor *= 1.0 + g;
        }
    }
    UncertaintyResult {
        users: users.iter_mut().map(|col| percentiles(col)).collect(),
        transitions: (1..phases)
            .map(|k| {
                let months = &mut first_month[k];
                TransitionSpread {
                    phase_index: k,
                    reached_share: months.len() as f64 / paths as f64,
                    month: (!months.is_empty()).then(|| percentiles(months)),
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::scenario::tests::example;
    use crate::timeline::phase_timeline;

    fn input(growth: Spread, demand: Spread, paths: u32) -> UncertaintyInput {
        UncertaintyInput {
            growth_rate: growth,
            demand,
            paths,
            seed: 7,
        }
    }

    #[test]
    fn without_uncertainty_it_matches_the_deterministic_plan() {
        let s = example().validate().unwrap();
        let fixed = input(
            Spread::Fixed { value: 0.08 },
            Spread::Fixed { value: 1.0 },
            50,
        );
        let r = simulate(&s, &fixed);
        let users = crate::growth::projected_users(&s);
        for (p, u) in r.users.iter().zip(&users) {
            assert!(
                (p.p10 - u).abs() < 1e-6 && (p.p90 - u).abs() < 1e-6,
                "{p:?} vs {u}"
            );
        }
        let plan = phase_timeline(&s);
        assert_eq!(
            r.transitions[0].month.unwrap().p50,
            f64::from(plan.transitions[0].month)
        );
        assert_eq!(
            r.transitions[1].month.unwrap().p50,
            f64::from(plan.transitions[1].month)
        );
        assert_eq!(r.transitions[0].reached_share, 1.0);
    }

    #[test]
    fn bands_are_ordered_and_widen_over_time() {
        let s = example().validate().unwrap();
        let r = simulate(
            &s,
            &input(
                Spread::Normal {
                    mean: 0.08,
                    sd: 0.03,
                },
                Spread::Triangular {
                    min: 0.8,
                    mode: 1.0,
                    max: 1.3,
                },
                10_000,
            ),
        );
        assert!(r.users.iter().all(|p| p.p10 <= p.p50 && p.p50 <= p.p90));
        let width = |p: &Percentiles| p.p90 / p.p10;
        assert!(width(&r.users[35]) > width(&r.users[1]));
        // The median path grows at about the median rate.
        let expected = 1_500.0 * 1.08_f64.powi(12) * 1.03; // triangular median ≈ 1.03
        assert!(
            (r.users[12].p50 / expected - 1.0).abs() < 0.05,
            "{:?}",
            r.users[12]
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let s = example().validate().unwrap();
        let i = input(
            Spread::Uniform {
                min: 0.0,
                max: 0.15,
            },
            Spread::Normal { mean: 1.0, sd: 0.1 },
            1_000,
        );
        assert_eq!(simulate(&s, &i), simulate(&s, &i));
        let other = UncertaintyInput { seed: 8, ..i };
        assert_ne!(simulate(&s, &i), simulate(&s, &other));
    }

    #[test]
    fn validation_names_the_field() {
        let bad = input(
            Spread::Normal {
                mean: 0.05,
                sd: f64::NAN,
            },
            Spread::Fixed { value: 1.0 },
            10,
        );
        assert_eq!(
            bad.validate().unwrap_err().field,
            "uncertainty.growth_rate.sd"
        );
        let bad = input(
            Spread::Fixed { value: 0.05 },
            Spread::Triangular {
                min: 1.0,
                mode: 0.5,
                max: 2.0,
            },
            10,
        );
        assert_eq!(bad.validate().unwrap_err().field, "uncertainty.demand.mode");
        let bad = input(
            Spread::Fixed { value: 0.05 },
            Spread::Fixed { value: 1.0 },
            0,
        );
        assert_eq!(bad.validate().unwrap_err().field, "uncertainty.paths");
    }

    #[test]
    fn quantiles_interpolate() {
        let mut v = vec![4.0, 1.0, 3.0, 2.0, 5.0];
        let p = percentiles(&mut v);
        assert_eq!(p.p50, 3.0);
        assert!((p.p10 - 1.4).abs() < 1e-12);
        assert!((p.p90 - 4.6).abs() < 1e-12);
        assert_eq!(percentiles(&mut [7.0]).p90, 7.0);
        assert!(quantile(&mut [], 0.5).is_nan());
    }

    #[test]
    fn selection_agrees_with_sorting() {
        let mut rng = Pcg64Mcg::seed_from_u64(3);
        let dist = Uniform::new(0.0, 1_000.0).unwrap();
        for n in [2usize, 3, 10, 101, 1_000] {
            let values: Vec<f64> = (0..n).map(|_| dist.sample(&mut rng)).collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            for q in [0.0, 0.1, 0.25, 0.5, 0.9, 1.0] {
                let pos = q * (n - 1) as f64;
                let i = pos.floor() as usize;
                let expected =
                    sorted[i] + (sorted[(i + 1).min(n - 1)] - sorted[i]) * (pos - i as f64);
                let got = quantile(&mut values.clone(), q);
                assert!(
                    (got - expected).abs() < 1e-9,
                    "n={n} q={q}: {got} vs {expected}"
                );
            }
        }
    }
}
