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

pub use crate::scenario::uncertainty::{DEMAND_RANGE, GROWTH_RANGE, Spread, UncertaintyInput};
use crate::valid::ValidScenario;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Percentiles {
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

/// When a phase is first required, across paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionSpread {
    pub phase_index: usize,
    /// Share of paths (0–1) that require this phase within the horizon.
    pub reached_share: f64,
    /// Month percentiles among the paths that reach it; `None` if none does.
    pub month: Option<Percentiles>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UncertaintyResult {
    /// Peak users per month.
    pub users: Vec<Percentiles>,
    /// Monthly cost per month, USD, when a cost curve was given (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cost_usd: Vec<Percentiles>,
    /// One entry per phase above the first.
    pub transitions: Vec<TransitionSpread>,
}

/// One draw from `spread`, clamped to the input's valid range.
fn sample(spread: &Spread, rng: &mut Pcg64Mcg, (lo, hi): (f64, f64)) -> f64 {
    let v = match *spread {
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

/// A quantile's position among the order statistics: the value is `lo + (hi − lo)·frac`
/// (linear interpolation between closest ranks, the usual "type 7" definition). Keeping the two
/// order statistics lets a monotone function of the sample (cost of users) get its quantile
/// exactly, without a second sample.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rank {
    lo: f64,
    hi: f64,
    frac: f64,
}

impl Rank {
    fn value(self) -> f64 {
        self.map(|x| x)
    }

    /// The same quantile of `f(sample)` for a non-decreasing `f`.
    fn map(self, f: impl Fn(f64) -> f64) -> f64 {
        let lo = f(self.lo);
        if self.frac == 0.0 {
            lo
        } else {
            lo + (f(self.hi) - lo) * self.frac
        }
    }
}

/// The ranks of the 10th, 50th and 90th percentiles, by selection rather than a full sort: the
/// median first over everything, then the 10th among the values below it and the 90th among
/// those above (nested selection: about 2n comparisons instead of 3n). Reorders `values`.
fn ranks(values: &mut [f64]) -> [Rank; 3] {
    let n = values.len();
    if n == 0 {
        let nan = Rank {
            lo: f64::NAN,
            hi: f64::NAN,
            frac: 0.0,
        };
        return [nan; 3];
    }
    let position = |q: f64| {
        let pos = q * (n - 1) as f64;
        let i = (pos.floor() as usize).min(n - 1);
        (i, pos - i as f64)
    };
    let (i10, f10) = position(0.1);
    let (i50, f50) = position(0.5);
    let (i90, f90) = position(0.9);
    let min_of = |s: &[f64]| s.iter().copied().fold(f64::INFINITY, f64::min);
    let (below, mid, above) = values.select_nth_unstable_by(i50, f64::total_cmp);
    let mid = *mid;
    let r50 = Rank {
        lo: mid,
        hi: if above.is_empty() { mid } else { min_of(above) },
        frac: f50,
    };
    // The 10th percentile's ranks i10 ≤ i50 lie in `below` or at the median itself.
    let r10 = if i10 < i50 {
        let (_, lo, rest) = below.select_nth_unstable_by(i10, f64::total_cmp);
        let lo = *lo;
        let hi = if rest.is_empty() { mid } else { min_of(rest) };
        Rank { lo, hi, frac: f10 }
    } else {
        Rank { frac: f10, ..r50 }
    };
    let r90 = if i90 > i50 {
        let (_, lo, rest) = above.select_nth_unstable_by(i90 - i50 - 1, f64::total_cmp);
        let lo = *lo;
        let hi = if rest.is_empty() { lo } else { min_of(rest) };
        Rank { lo, hi, frac: f90 }
    } else {
        Rank { frac: f90, ..r50 }
    };
    [r10, r50, r90]
}

fn percentiles(values: &mut [f64]) -> Percentiles {
    let [p10, p50, p90] = ranks(values).map(Rank::value);
    Percentiles { p10, p50, p90 }
}

/// A monthly cost as a function of peak users, for the cost percentiles: `cost(users)`, and
/// whether it is non-decreasing (then each cost percentile is the cost of the users percentile,
/// exactly; otherwise it is computed path by path).
pub struct CostCurve<'a> {
    pub cost: &'a dyn Fn(f64) -> f64,
    pub monotone: bool,
}

impl std::fmt::Debug for CostCurve<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CostCurve")
            .field("monotone", &self.monotone)
            .finish_non_exhaustive()
    }
}

/// Runs the simulation. `input` must be validated; the scenario's own growth rate is replaced by
/// each path's draw.
pub fn simulate(s: &ValidScenario, input: &UncertaintyInput) -> UncertaintyResult {
    simulate_with_cost(s, input, None)
}

/// [`simulate`], plus the percentiles of a monthly cost when `curve` is given.
pub fn simulate_with_cost(
    s: &ValidScenario,
    input: &UncertaintyInput,
    curve: Option<&CostCurve<'_>>,
) -> UncertaintyResult {
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
    // Draws first, in path order (so results do not depend on the loop structure below).
    let mut factor = Vec::with_capacity(paths);
    let mut step = Vec::with_capacity(paths);
    for _ in 0..paths {
        let g = sample(&input.growth_rate, &mut rng, GROWTH_RANGE);
        let d = sample(&input.demand, &mut rng, DEMAND_RANGE);
        step.push(1.0 + g);
        factor.push(d);
    }
    // Month-major: users[t·paths + path], each month contiguous for the selections.
    let mut users = vec![0.0; horizon * paths];
    // Highest phase required so far per path: requiring phase k means phases 1..=k have all
    // been required by now.
    let mut highest = vec![0usize; paths];
    let mut first_month: Vec<Vec<f64>> = vec![Vec::new(); phases];
    for (t, (b, column)) in base
        .iter()
        .zip(users.chunks_exact_mut(paths.max(1)))
        .enumerate()
    {
        for ((u, f), (st, h)) in column
            .iter_mut()
            .zip(factor.iter_mut())
            .zip(step.iter().zip(highest.iter_mut()))
        {
            *u = b * *f;
            *f *= st;
            // Only a path that passes its current phase's line can need a new one.
            if *u >= limits[*h] && *h + 1 < phases {
                let idx = required(*u);
                if idx > *h {
                    for months in &mut first_month[*h + 1..=idx] {
                        months.push(t as f64);
                    }
                    *h = idx;
                }
            }
        }
    }
    let mut user_pct = Vec::with_capacity(horizon);
    let mut cost_pct = Vec::new();
    let mut scratch = Vec::new();
    for column in users.chunks_exact_mut(paths.max(1)).take(horizon) {
        match curve {
            Some(c) if !c.monotone => {
                scratch.clear();
                scratch.extend(column.iter().map(|&u| (c.cost)(u)));
                cost_pct.push(percentiles(&mut scratch));
            }
            _ => {}
        }
        let r = ranks(column);
        if let Some(c) = curve.filter(|c| c.monotone) {
            let [p10, p50, p90] = r.map(|x| x.map(c.cost));
            cost_pct.push(Percentiles { p10, p50, p90 });
        }
        let [p10, p50, p90] = r.map(Rank::value);
        user_pct.push(Percentiles { p10, p50, p90 });
    }
    UncertaintyResult {
        users: user_pct,
        cost_usd: cost_pct,
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
    fn nested_selection_matches_a_full_sort() {
        let mut rng = Pcg64Mcg::seed_from_u64(3);
        for n in [1usize, 2, 3, 9, 10, 11, 101, 1_000] {
            let mut v: Vec<f64> = (0..n)
                .map(|_| Uniform::new(0.0, 1.0).unwrap().sample(&mut rng))
                .collect();
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let type7 = |q: f64| {
                let pos = q * (n - 1) as f64;
                let i = pos.floor() as usize;
                let hi = sorted[(i + 1).min(n - 1)];
                sorted[i] + (hi - sorted[i]) * (pos - i as f64)
            };
            let p = percentiles(&mut v);
            assert!((p.p10 - type7(0.1)).abs() < 1e-12, "n={n}");
            assert!((p.p50 - type7(0.5)).abs() < 1e-12, "n={n}");
            assert!((p.p90 - type7(0.9)).abs() < 1e-12, "n={n}");
        }
    }

    #[test]
    fn cost_percentiles_of_a_monotone_curve_match_path_by_path() {
        let s = example().validate().unwrap();
        let i = input(
            Spread::Normal {
                mean: 0.08,
                sd: 0.03,
            },
            Spread::Fixed { value: 1.0 },
            2_000,
        );
        let cost = |u: f64| 100.0 + 0.5 * u + if u > 3_000.0 { 400.0 } else { 0.0 };
        let fast = simulate_with_cost(
            &s,
            &i,
            Some(&CostCurve {
                cost: &cost,
                monotone: true,
            }),
        );
        let slow = simulate_with_cost(
            &s,
            &i,
            Some(&CostCurve {
                cost: &cost,
                monotone: false,
            }),
        );
        assert_eq!(fast.cost_usd.len(), 36);
        // A non-decreasing cost keeps the order of the sample, so its order statistics are the
        // cost of the users' order statistics: both routes give the same percentiles.
        for (a, b) in fast.cost_usd.iter().zip(&slow.cost_usd) {
            assert!((a.p10 - b.p10).abs() < 1e-9, "{a:?} vs {b:?}");
            assert!((a.p50 - b.p50).abs() < 1e-9, "{a:?} vs {b:?}");
            assert!((a.p90 - b.p90).abs() < 1e-9, "{a:?} vs {b:?}");
        }
        assert_eq!(fast.users, slow.users);
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
        assert!(percentiles(&mut []).p50.is_nan());
    }
}
