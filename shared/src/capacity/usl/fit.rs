//! Fitting the USL to measurements the way the standard tools do: nonlinear least squares on the
//! throughput itself, `min Σ (Xᵢ − X(Nᵢ; λ, σ, κ))²`, as the R `usl` package (2.x and later,
//! `nls` / `nlxb` over λ, σ, κ) and usl4j fit it.
//!
//! - **Start**: the linearised solution ([`Usl::fit_linear`]: least squares on `N/X`, exact on
//!   noiseless data), and also the R package's start (`λ = max X/N`, `σ = 0.01`, `κ = 0.0001`);
//!   the better end wins, so one poor start cannot leave the fit in a local minimum.
//! - **Solver**: Levenberg–Marquardt with Marquardt's scaling (`(JᵀJ + μ·diag JᵀJ)·δ = Jᵀr`),
//!   bounded to `λ > 0`, `0 ≤ σ < 1`, `κ ≥ 0` by an active set: a coefficient at its bound that
//!   the descent direction pushes further out is held there while the others move.
//! - **Uncertainty**, as R's `nls` computes it: residual variance `s² = SSE/(n − 3)`, covariance
//!   `s²·(JᵀJ)⁻¹` at the solution, and 95 % intervals `estimate ± t₀.₉₇₅(n − 3)·se` (a bounded
//!   coefficient's interval may reach past its bound; it is clipped to it). The peak concurrency
//!   `N* = √((1 − σ)/κ)` gets its interval by the delta method: `var N* = gᵀ·C·g` with
//!   `g = ∂N*/∂(λ, σ, κ) = (0, −N*/(2(1 − σ)), −N*/(2κ))`.
//! - **R²** is `1 − SSE/SST` around the mean throughput: how much of the spread the curve
//!   explains (not a test of the model; the residuals, returned in input order, show its shape).

use serde::{Deserialize, Serialize};

use super::{FitError, Usl};
use crate::forecast::t95;

/// The fewest distinct concurrencies a fit with intervals needs: three coefficients leave a
/// three-point fit no residual degree of freedom to estimate its error with.
pub const MIN_POINTS_FOR_INTERVALS: usize = 4;

/// The most measurements one fit takes.
pub const MAX_FIT_POINTS: usize = 100_000;

/// Just below σ's upper bound: σ = 1 is a system that does not scale at all.
const SIGMA_CEILING: f64 = 1.0 - 1e-9;

const MAX_ITERATIONS: u32 = 500;

/// A fitted USL with its quality and uncertainty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UslFit {
    pub usl: Usl,
    /// `1 − SSE/SST`.
    pub r_squared: f64,
    /// Measured minus fitted throughput, in the order the points came.
    pub residuals: Vec<f64>,
    /// `√(SSE/(n − 3))`; `None` without a residual degree of freedom.
    pub residual_se: Option<f64>,
    /// 95 % intervals; `None` with fewer than [`MIN_POINTS_FOR_INTERVALS`] distinct
    /// concurrencies.
    pub intervals: Option<Intervals>,
    /// Solver iterations taken (from the better start).
    pub iterations: u32,
}

/// Approximate 95 % confidence intervals, `[low, high]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Intervals {
    pub lambda: [f64; 2],
    pub sigma: [f64; 2],
    pub kappa: [f64; 2],
    /// `None` when κ = 0 (no peak).
    pub peak_concurrency: Option<[f64; 2]>,
    /// Standard errors of λ, σ, κ (what R's `summary` prints).
    pub std_errors: [f64; 3],
    /// `s²·(JᵀJ)⁻¹` over (λ, σ, κ): what the band around the curve is drawn from.
    pub covariance: [[f64; 3]; 3],
    /// The Student-t quantile the intervals use (`t₀.₉₇₅(n − 3)`).
    pub t: f64,
}

impl UslFit {
    /// Fits `(concurrency, throughput)` points (see the module docs).
    pub fn fit(points: &[(f64, f64)]) -> Result<UslFit, FitError> {
        if points.len() > MAX_FIT_POINTS {
            return Err(FitError::TooMany(points.len()));
        }
        let distinct = super::distinct_concurrencies(points)?;
        let starts = [Usl::fit_linear(points).ok(), Some(r_start(points))];
        let (usl, iterations) = starts
            .into_iter()
            .flatten()
            .filter_map(|s| solve(points, clamp(s)))
            .min_by(|a, b| sse(points, &a.0).total_cmp(&sse(points, &b.0)))
            .ok_or(FitError::Singular)?;
        // σ at 1, or a peak below one unit (κ > 1 − σ): throughput never rises with
        // concurrency, which the USL describes as "no scaling" and no plan can use.
        if usl.sigma >= SIGMA_CEILING || usl.peak_concurrency() < 1.0 {
            return Err(FitError::DoesNotScale);
        }
        if !(usl.lambda > 0.0 && usl.lambda.is_finite()) {
            return Err(FitError::NotUsl);
        }
        let residuals: Vec<f64> = points.iter().map(|&(n, x)| x - usl.throughput(n)).collect();
        let sse: f64 = residuals.iter().map(|r| r * r).sum();
        #[allow(clippy::cast_precision_loss)]
        let count = points.len() as f64;
        let mean = points.iter().map(|p| p.1).sum::<f64>() / count;
        let sst: f64 = points.iter().map(|p| (p.1 - mean).powi(2)).sum();
        let r_squared = if sst > 0.0 { 1.0 - sse / sst } else { 1.0 };
        if r_squared < 0.0 {
            return Err(FitError::WorseThanMean);
        }
        let df = points.len().saturating_sub(3);
        #[allow(clippy::cast_precision_loss)]
        let variance = (df > 0).then(|| sse / df as f64);
        let intervals = match variance {
            Some(v) if distinct >= MIN_POINTS_FOR_INTERVALS => {
                Some(intervals(points, &usl, v, df).ok_or(FitError::Singular)?)
            }
            _ => None,
        };
        Ok(UslFit {
            usl,
            r_squared,
            residuals,
            residual_se: variance.map(f64::sqrt),
            intervals,
            iterations,
        })
    }

    /// The 95 % confidence band of the fitted curve at `n` (of the mean throughput, not of a
    /// single measurement): `X(n) ± t·√(gᵀ·C·g)`, `g = ∂X/∂(λ, σ, κ)` at `n`. `None` without
    /// intervals.
    pub fn band(&self, n: f64) -> Option<[f64; 2]> {
        let i = self.intervals.as_ref()?;
        let g = gradient(&self.usl, n);
        let var: f64 = (0..3)
            .map(|a| {
                (0..3)
                    .map(|b| g[a] * i.covariance[a][b] * g[b])
                    .sum::<f64>()
            })
            .sum();
        let x = self.usl.throughput(n);
        let half = i.t * var.max(0.0).sqrt();
        Some([nonneg(x - half), x + half])
    }

    /// The concurrency of peak throughput and that throughput; `None` when κ = 0.
    pub fn peak(&self) -> Option<(f64, f64)> {
        let n = self.usl.peak_concurrency();
        n.is_finite().then(|| (n, self.usl.throughput(n)))
    }
}

/// The R package's start: `λ = max X/N`, `σ = 0.01`, `κ = 0.0001`.
fn r_start(points: &[(f64, f64)]) -> Usl {
    Usl {
        lambda: points.iter().map(|p| p.1 / p.0).fold(0.0, f64::max),
        sigma: 0.01,
        kappa: 0.000_1,
    }
}

/// `x` if above 0, else 0 (never −0, which would print as "-0").
fn nonneg(x: f64) -> f64 {
    if x > 0.0 { x } else { 0.0 }
}

fn clamp(u: Usl) -> Usl {
    Usl {
        lambda: if u.lambda > 0.0 {
            u.lambda
        } else {
            f64::MIN_POSITIVE
        },
        sigma: nonneg(u.sigma).min(SIGMA_CEILING),
        kappa: nonneg(u.kappa),
    }
}

fn sse(points: &[(f64, f64)], u: &Usl) -> f64 {
    points
        .iter()
        .map(|&(n, x)| (x - u.throughput(n)).powi(2))
        .sum()
}

/// `∂X/∂(λ, σ, κ)` at `n`.
fn gradient(u: &Usl, n: f64) -> [f64; 3] {
    let d = 1.0 + u.sigma * (n - 1.0) + u.kappa * n * (n - 1.0);
    let f = u.lambda * n / d;
    [n / d, -f * (n - 1.0) / d, -f * n * (n - 1.0) / d]
}

/// `JᵀJ` and `Jᵀr` at `u`.
fn normal(points: &[(f64, f64)], u: &Usl) -> ([[f64; 3]; 3], [f64; 3]) {
    let mut jtj = [[0.0; 3]; 3];
    let mut jtr = [0.0; 3];
    for &(n, x) in points {
        let g = gradient(u, n);
        let r = x - u.throughput(n);
        for i in 0..3 {
            jtr[i] += g[i] * r;
            for j in 0..3 {
                jtj[i][j] += g[i] * g[j];
            }
        }
    }
    (jtj, jtr)
}

fn with(p: [f64; 3]) -> Usl {
    clamp(Usl {
        lambda: p[0],
        sigma: p[1],
        kappa: p[2],
    })
}

/// Bounded Levenberg–Marquardt from `start`: the coefficients and the iterations taken.
fn solve(points: &[(f64, f64)], start: Usl) -> Option<(Usl, u32)> {
    let mut u = start;
    let mut cost = sse(points, &u);
    if !cost.is_finite() {
        return None;
    }
    let mut mu = 1e-3;
    for iteration in 0..MAX_ITERATIONS {
        let (jtj, jtr) = normal(points, &u);
        let p = [u.lambda, u.sigma, u.kappa];
        // Held at a bound: the coefficient is there and descent would push it further out.
        let at_low = [false, p[1] <= 0.0, p[2] <= 0.0];
        let at_high = [false, p[1] >= SIGMA_CEILING, false];
        let free: Vec<usize> = (0..3)
            .filter(|&i| !(at_low[i] && jtr[i] <= 0.0 || at_high[i] && jtr[i] >= 0.0))
            .collect();
        let gradient_norm = free
            .iter()
            .map(|&i| jtr[i].abs() / jtj[i][i].sqrt().max(f64::MIN_POSITIVE))
            .fold(0.0, f64::max);
        if free.is_empty() || gradient_norm <= 1e-12 * cost.sqrt().max(f64::MIN_POSITIVE) {
            return Some((u, iteration));
        }
        let mut improved = false;
        while mu < 1e16 {
            let step = solve_free(&jtj, &jtr, &free, mu)?;
            let mut q = p;
            for (k, &i) in free.iter().enumerate() {
                q[i] += step[k];
            }
            let candidate = with(q);
            let c = sse(points, &candidate);
            if c.is_finite() && c < cost {
                let relative = (cost - c) / cost.max(f64::MIN_POSITIVE);
                let moved = (0..3).all(|i| {
                    let (a, b) = (
                        p[i],
                        [candidate.lambda, candidate.sigma, candidate.kappa][i],
                    );
                    (a - b).abs() <= 1e-14 * a.abs().max(1e-300)
                });
                u = candidate;
                cost = c;
                mu = (mu / 3.0).max(1e-12);
                improved = true;
                if relative <= 1e-15 || moved {
                    return Some((u, iteration + 1));
                }
                break;
            }
            mu *= 4.0;
        }
        if !improved {
            // No step lowers the error any more: converged to working precision.
            return Some((u, iteration + 1));
        }
    }
    Some((u, MAX_ITERATIONS))
}

/// The damped step for the free coefficients: `(A + μ·diag A)·δ = b` over `free`.
fn solve_free(jtj: &[[f64; 3]; 3], jtr: &[f64; 3], free: &[usize], mu: f64) -> Option<Vec<f64>> {
    let k = free.len();
    let mut m = [[0.0; 3]; 3];
    let mut v = [0.0; 3];
    for (a, &i) in free.iter().enumerate() {
        v[a] = jtr[i];
        for (b, &j) in free.iter().enumerate() {
            m[a][b] = jtj[i][j];
        }
        m[a][a] += mu * jtj[i][i].max(f64::MIN_POSITIVE);
    }
    // Pad the unused rows with the identity so one 3×3 solver serves every size.
    for (a, row) in m.iter_mut().enumerate().skip(k) {
        row[a] = 1.0;
    }
    super::solve3(m, v).map(|x| x[..k].to_vec())
}

/// The 95 % intervals at the solution from `s²·(JᵀJ)⁻¹`.
fn intervals(points: &[(f64, f64)], u: &Usl, variance: f64, df: usize) -> Option<Intervals> {
    let (jtj, _) = normal(points, u);
    let c = invert3(jtj)?;
    let covariance = c.map(|row| row.map(|x| x * variance));
    let se = [0, 1, 2].map(|i| (c[i][i] * variance).max(0.0).sqrt());
    let t = t95(df);
    let around = |x: f64, s: f64| [x - t * s, x + t * s];
    let [l, s, k] = [u.lambda, u.sigma, u.kappa];
    let peak = u.peak_concurrency();
    let peak_concurrency = peak.is_finite().then(|| {
        let g = [0.0, -peak / (2.0 * (1.0 - s)), -peak / (2.0 * k)];
        let var: f64 = (0..3)
            .map(|i| (0..3).map(|j| g[i] * c[i][j] * g[j]).sum::<f64>())
            .sum::<f64>()
            * variance;
        let half = t * var.max(0.0).sqrt();
        [nonneg(peak - half), peak + half]
    });
    let lambda = around(l, se[0]);
    let sigma = around(s, se[1]);
    let kappa = around(k, se[2]);
    Some(Intervals {
        lambda: [nonneg(lambda[0]), lambda[1]],
        sigma: [nonneg(sigma[0]), sigma[1].min(1.0)],
        kappa: [nonneg(kappa[0]), kappa[1]],
        peak_concurrency,
        std_errors: se,
        covariance,
        t,
    })
}

/// The inverse of a symmetric positive-definite 3×3 matrix, column by column.
fn invert3(m: [[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let mut inv = [[0.0; 3]; 3];
    for col in 0..3 {
        let mut e = [0.0; 3];
        e[col] = 1.0;
        let x = super::solve3(m, e)?;
        for row in 0..3 {
            inv[row][col] = x[row];
        }
    }
    Some(inv)
}

#[cfg(test)]
pub(crate) mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// Relative difference.
    fn off(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs()
    }

    /// The R package's `specsdm91` dataset (a Sun SPARCcenter 2000 in the SPEC SDM91 benchmark:
    /// simulated users, scripts per hour), as shipped in its `data/specsdm91.rda`.
    pub(crate) const SPECSDM91: [(f64, f64); 7] = [
        (1.0, 64.9),
        (18.0, 995.9),
        (36.0, 1652.4),
        (72.0, 1853.2),
        (108.0, 1828.9),
        (144.0, 1775.0),
        (216.0, 1702.2),
    ];

    /// The R package's `raytracer` dataset (a ray tracer on 1 to 64 processors of an SGI Origin
    /// 2000: intersections per second), as shipped in its `data/raytracer.rda`.
    pub(crate) const RAYTRACER: [(f64, f64); 11] = [
        (1.0, 20.0),
        (4.0, 78.0),
        (8.0, 130.0),
        (12.0, 170.0),
        (16.0, 190.0),
        (20.0, 200.0),
        (24.0, 210.0),
        (28.0, 230.0),
        (32.0, 260.0),
        (48.0, 280.0),
        (64.0, 310.0),
    ];

    /// R `usl` 3.0 `tests/summary.Rout.save`: `usl(throughput ~ load, specsdm91)` gives
    /// α (σ) = 2.773e-02 ± 9.122e-03, β (κ) = 1.044e-04 ± 1.988e-05, γ (λ) = 9.000e+01 ± 1.421e+01,
    /// a residual standard error of 82.85 on 4 degrees of freedom, and the peak at load 96.52
    /// (throughput 1884).
    #[test]
    fn reproduces_the_r_usl_fit_of_specsdm91() {
        let f = UslFit::fit(&SPECSDM91).unwrap();
        let u = f.usl;
        assert!(off(u.sigma, 2.773e-2) < 0.01, "{u:?}");
        assert!(off(u.kappa, 1.044e-4) < 0.01, "{u:?}");
        assert!(off(u.lambda, 90.00) < 0.01, "{u:?}");
        let i = f.intervals.unwrap();
        let [se_l, se_s, se_k] = i.std_errors;
        assert!(off(se_s, 9.122e-3) < 0.01, "{i:?}");
        assert!(off(se_k, 1.988e-5) < 0.01, "{i:?}");
        assert!(off(se_l, 14.21) < 0.01, "{i:?}");
        assert!(off(f.residual_se.unwrap(), 82.85) < 0.01, "{f:?}");
        let (n, x) = f.peak().unwrap();
        assert!(off(n, 96.52) < 0.01 && off(x, 1884.0) < 0.01, "{n} {x}");
        // The intervals: estimate ± t₀.₉₇₅(4) = 2.776 standard errors.
        assert!(off(i.sigma[1] - u.sigma, 2.776 * se_s) < 1e-3, "{i:?}");
        let [lo, hi] = i.peak_concurrency.unwrap();
        assert!(lo < n && n < hi, "{i:?}");
        // The residuals in input order: measured minus fitted (R's `fitted`: 90, 1078, 1541, …).
        let fitted: Vec<f64> = SPECSDM91
            .iter()
            .zip(&f.residuals)
            .map(|(p, r)| (p.1 - r).round())
            .collect();
        assert_eq!(
            fitted,
            [90.0, 1078.0, 1541.0, 1850.0, 1879.0, 1822.0, 1646.0]
        );
    }

    #[test]
    fn the_band_holds_the_curve_and_widens_away_from_the_data() {
        let f = UslFit::fit(&SPECSDM91).unwrap();
        let inside = f.band(72.0).unwrap();
        let x = f.usl.throughput(72.0);
        assert!(inside[0] < x && x < inside[1], "{inside:?}");
        let far = f.band(600.0).unwrap();
        assert!(
            far[1] - far[0] > inside[1] - inside[0],
            "{far:?} {inside:?}"
        );
    }

    /// R `usl` 3.0 `tests/confint.Rout.save`: `usl(throughput ~ processors, raytracer)` gives
    /// α (σ) = 0.0578, β (κ) = 0 (at its bound), γ (λ) = 21.8488, and intervals
    /// α ∈ [0.033677, 0.081864], γ ∈ [17.868380, 25.829306]. The package's `confint` adds
    /// `se · qt(0.95, n − 1)` (10 degrees of freedom: 1.8125) — a one-sided quantile on another
    /// count than the fit's; Phaseplan's intervals are the two-sided 95 % on `n − 3`. The standard
    /// errors underneath are the same.
    #[test]
    fn reproduces_the_r_usl_fit_of_raytracer() {
        let f = UslFit::fit(&RAYTRACER).unwrap();
        let u = f.usl;
        assert!(off(u.sigma, 0.0578) < 0.01, "{u:?}");
        assert_eq!(u.kappa, 0.0, "{u:?}");
        assert!(off(u.lambda, 21.8488) < 0.001, "{u:?}");
        assert!(f.peak().is_none(), "no peak when κ = 0");
        let i = f.intervals.unwrap();
        let q = 1.812_461;
        assert!(
            off(i.std_errors[1], (0.081_864 - 0.033_677) / 2.0 / q) < 0.01,
            "{i:?}"
        );
        assert!(
            off(i.std_errors[0], (25.829_306 - 17.868_380) / 2.0 / q) < 0.01,
            "{i:?}"
        );
        assert!(off(i.std_errors[2], 0.000_214 / q) < 0.02, "{i:?}");
        assert_eq!(i.kappa[0], 0.0, "κ's interval stops at its bound");
        assert!(i.peak_concurrency.is_none());
    }

    /// R `usl` 3.0 `tests/coef.R`: measurements rounded to 4 decimals, published fit α = 0.02,
    /// β = 0.02, γ = 1.00 to three significant figures.
    #[test]
    fn reproduces_the_r_usl_coefficient_test() {
        let points = [
            (1.0, 1.0),
            (2.0, 1.8868),
            (4.0, 3.0769),
            (6.0, 3.5294),
            (8.0, 3.5398),
            (10.0, 3.3557),
        ];
        let u = UslFit::fit(&points).unwrap().usl;
        assert!(off(u.sigma, 0.02) < 0.005, "{u:?}");
        assert!(off(u.kappa, 0.02) < 0.005, "{u:?}");
        assert!(off(u.lambda, 1.0) < 0.005, "{u:?}");
    }

    fn truth() -> Usl {
        Usl {
            lambda: 955.0,
            sigma: 0.02,
            kappa: 0.000_3,
        }
    }

    fn noiseless(u: &Usl, ns: &[f64]) -> Vec<(f64, f64)> {
        ns.iter().map(|&n| (n, u.throughput(n))).collect()
    }

    #[test]
    fn recovers_coefficients_from_noiseless_data_exactly() {
        let t = truth();
        let f = UslFit::fit(&noiseless(&t, &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0])).unwrap();
        assert!(off(f.usl.lambda, t.lambda) < 1e-9, "{f:?}");
        assert!(off(f.usl.sigma, t.sigma) < 1e-9, "{f:?}");
        assert!(off(f.usl.kappa, t.kappa) < 1e-9, "{f:?}");
        assert!(f.r_squared > 1.0 - 1e-12);
        assert!(f.residuals.iter().all(|r| r.abs() < 1e-6), "{f:?}");
        // Three points determine the curve but leave nothing to estimate its error with.
        let three = UslFit::fit(&noiseless(&t, &[1.0, 8.0, 64.0])).unwrap();
        assert!(off(three.usl.kappa, t.kappa) < 1e-9, "{three:?}");
        assert!(three.intervals.is_none() && three.residual_se.is_none());
    }

    /// Deterministic noise of ±`amplitude` (relative).
    fn noisy(points: &[(f64, f64)], amplitude: f64) -> Vec<(f64, f64)> {
        let mut z: u64 = 0x2545_f491_4f6c_dd1d;
        points
            .iter()
            .map(|&(n, x)| {
                z ^= z << 13;
                z ^= z >> 7;
                z ^= z << 17;
                #[allow(clippy::cast_precision_loss)]
                let e = (z % 20_001) as f64 / 10_000.0 - 1.0;
                (n, x * (1.0 + amplitude * e))
            })
            .collect()
    }

    #[test]
    fn the_order_of_the_points_does_not_matter() {
        let ns: Vec<f64> = (1..=40).map(f64::from).collect();
        let points = noisy(&noiseless(&truth(), &ns), 0.05);
        let mut reversed = points.clone();
        reversed.reverse();
        let mut shuffled = points.clone();
        shuffled.sort_by(|a, b| (a.1 * 7.0 % 13.0).total_cmp(&(b.1 * 7.0 % 13.0)));
        let a = UslFit::fit(&points).unwrap().usl;
        for other in [reversed, shuffled] {
            let b = UslFit::fit(&other).unwrap().usl;
            assert!(off(b.lambda, a.lambda) < 1e-7, "{a:?} {b:?}");
            assert!(off(b.sigma, a.sigma) < 1e-6, "{a:?} {b:?}");
            assert!(off(b.kappa, a.kappa) < 1e-6, "{a:?} {b:?}");
        }
    }

    #[test]
    fn scaling_the_throughput_scales_lambda_only() {
        let ns: Vec<f64> = (1..=30).map(|n| f64::from(n) * 2.0).collect();
        let points = noisy(&noiseless(&truth(), &ns), 0.03);
        let a = UslFit::fit(&points).unwrap();
        for c in [1e-3, 7.5, 1e4] {
            let scaled: Vec<(f64, f64)> = points.iter().map(|&(n, x)| (n, x * c)).collect();
            let b = UslFit::fit(&scaled).unwrap();
            assert!(
                off(b.usl.lambda, a.usl.lambda * c) < 1e-7,
                "{c}: {a:?} {b:?}"
            );
            assert!(off(b.usl.sigma, a.usl.sigma) < 1e-6, "{c}: {a:?} {b:?}");
            assert!(off(b.usl.kappa, a.usl.kappa) < 1e-6, "{c}: {a:?} {b:?}");
            assert!((b.r_squared - a.r_squared).abs() < 1e-9);
        }
    }

    /// The nonlinear fit is the least-squares curve: no nearby coefficients do better, and it
    /// does better than the linearised fit it starts from.
    #[test]
    fn no_nearby_curve_fits_better() {
        let points = noisy(
            &noiseless(
                &truth(),
                &[1.0, 2.0, 4.0, 8.0, 16.0, 24.0, 32.0, 48.0, 64.0],
            ),
            0.08,
        );
        let f = UslFit::fit(&points).unwrap().usl;
        let best = sse(&points, &f);
        for (dl, ds, dk) in [(1e-4, 0.0, 0.0), (0.0, 1e-4, 0.0), (0.0, 0.0, 1e-4)] {
            for sign in [-1.0, 1.0] {
                let near = clamp(Usl {
                    lambda: f.lambda * (1.0 + sign * dl),
                    sigma: f.sigma * (1.0 + sign * ds),
                    kappa: f.kappa * (1.0 + sign * dk),
                });
                assert!(
                    sse(&points, &near) >= best * (1.0 - 1e-12),
                    "{near:?} beats {f:?}"
                );
            }
        }
        let linear = Usl::fit_linear(&points).unwrap();
        assert!(sse(&points, &linear) > best);
    }

    #[test]
    fn data_the_usl_cannot_describe_is_refused_with_a_reason() {
        // Falling from the first point on: no scaling to describe.
        let falling = [
            (1.0, 100.0),
            (2.0, 60.0),
            (4.0, 30.0),
            (8.0, 15.0),
            (16.0, 7.0),
        ];
        assert_eq!(UslFit::fit(&falling), Err(FitError::DoesNotScale));
        assert!(FitError::DoesNotScale.to_string().contains("never rises"));
        assert_eq!(
            UslFit::fit(&[(1.0, 1.0), (2.0, 2.0), (2.0, 2.1)]),
            Err(FitError::TooFewPoints(2))
        );
        assert_eq!(
            UslFit::fit(&[(1.0, 1.0), (f64::INFINITY, 2.0), (3.0, 3.0)]),
            Err(FitError::BadConcurrency { index: 1 })
        );
        assert_eq!(
            FitError::BadThroughput { index: 3 }.point(),
            Some((3, "throughput"))
        );
        let many = vec![(1.0, 1.0); MAX_FIT_POINTS + 1];
        assert_eq!(
            UslFit::fit(&many),
            Err(FitError::TooMany(MAX_FIT_POINTS + 1))
        );
    }
}
