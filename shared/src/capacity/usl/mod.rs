//! The Universal Scalability Law (Gunther, *Guerrilla Capacity Planning*, 2007).
//!
//! Throughput at concurrency (or node count) `N`:
//!
//! ```text
//! X(N) = λ·N / (1 + σ·(N − 1) + κ·N·(N − 1))
//! ```
//!
//! `λ` is the throughput of one unit, `σ` the *contention* (the serial fraction: Amdahl's law is
//! `κ = 0`) and `κ` the *coherency* cost (pairwise crosstalk, which makes throughput fall past a
//! peak at `N* = √((1 − σ)/κ)`). Phaseplan uses it over the app tier's instance count: adding
//! instances helps less and less, and past `N*` it hurts.
//!
//! Fitting is [`fit::UslFit::fit`]: nonlinear least squares on `X(N)`, as the standard tools do,
//! started from the linearised solution [`Usl::fit_linear`]. Dividing through gives
//! `N / X(N) = 1/λ + (σ/λ)(N − 1) + (κ/λ)·N(N − 1)`, linear in `(1/λ, σ/λ, κ/λ)`: ordinary least
//! squares on `N / X` recovers all three exactly from noiseless data, but weights the points by
//! `N/X` and so lands away from the least-squares curve on real measurements.

pub mod fit;

pub use fit::{Intervals, UslFit};

use serde::{Deserialize, Serialize};

/// USL coefficients.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usl {
    /// Throughput of a single unit (e.g. requests/s of one instance).
    pub lambda: f64,
    /// Contention, `0 ≤ σ < 1`.
    pub sigma: f64,
    /// Coherency, `κ ≥ 0`.
    pub kappa: f64,
}

/// Why a fit failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    #[error("need measurements at 3 or more different concurrencies, got {0}")]
    TooFewPoints(usize),
    #[error("at most {max} measurements, got {0}", max = fit::MAX_FIT_POINTS)]
    TooMany(usize),
    #[error("measurement {index}: the concurrency must be a finite number above 0")]
    BadConcurrency { index: usize },
    #[error("measurement {index}: the throughput must be a finite number above 0")]
    BadThroughput { index: usize },
    #[error("the measurements do not determine the coefficients (collinear)")]
    Singular,
    #[error("the measurements do not follow the USL (fitted throughput per unit is not positive)")]
    NotUsl,
    #[error(
        "throughput never rises with concurrency (the fitted curve peaks below one unit): the USL \
         describes a system that scales at least at first"
    )]
    DoesNotScale,
    #[error("the USL curve describes these measurements worse than their mean throughput does")]
    WorseThanMean,
}

impl FitError {
    /// The measurement and its field a bad point names: `(index, "throughput")`.
    pub fn point(&self) -> Option<(usize, &'static str)> {
        match self {
            FitError::BadConcurrency { index } => Some((*index, "concurrency")),
            FitError::BadThroughput { index } => Some((*index, "throughput")),
            _ => None,
        }
    }
}

/// Checks every point and counts the distinct concurrencies (at least 3).
fn distinct_concurrencies(points: &[(f64, f64)]) -> Result<usize, FitError> {
    for (index, &(n, x)) in points.iter().enumerate() {
        if !(n.is_finite() && n > 0.0) {
            return Err(FitError::BadConcurrency { index });
        }
        if !(x.is_finite() && x > 0.0) {
            return Err(FitError::BadThroughput { index });
        }
    }
    let mut distinct: Vec<f64> = points.iter().map(|p| p.0).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if distinct.len() < 3 {
        return Err(FitError::TooFewPoints(distinct.len()));
    }
    Ok(distinct.len())
}

impl Usl {
    /// Throughput at `n` units.
    pub fn throughput(&self, n: f64) -> f64 {
        if n <= 0.0 {
            return 0.0;
        }
        self.lambda * n / (1.0 + self.sigma * (n - 1.0) + self.kappa * n * (n - 1.0))
    }

    /// The concurrency of peak throughput, `√((1 − σ)/κ)`; infinite when `κ = 0` (Amdahl: throughput
    /// only flattens out, towards `λ/σ`).
    pub fn peak_concurrency(&self) -> f64 {
        if self.kappa <= 0.0 {
            f64::INFINITY
        } else {
            ((1.0 - self.sigma).max(0.0) / self.kappa).sqrt()
        }
    }

    /// Fits `λ, σ, κ` to `(concurrency, throughput)` measurements by nonlinear least squares
    /// ([`UslFit::fit`]), the coefficients alone.
    pub fn fit(points: &[(f64, f64)]) -> Result<Usl, FitError> {
        UslFit::fit(points).map(|f| f.usl)
    }

    /// The linearised fit (see the module docs): least squares on `N/X`, the nonlinear fit's
    /// start. Negative `σ` or `κ` from noisy data are clamped to 0, since they have no physical
    /// meaning.
    pub fn fit_linear(points: &[(f64, f64)]) -> Result<Usl, FitError> {
        distinct_concurrencies(points)?;
        // Normal equations AᵀA·β = Aᵀy with rows [1, N−1, N(N−1)] and y = N/X.
        let mut ata = [[0.0_f64; 3]; 3];
        let mut aty = [0.0_f64; 3];
        for &(n, x) in points {
            let row = [1.0, n - 1.0, n * (n - 1.0)];
            let y = n / x;
            for i in 0..3 {
                aty[i] += row[i] * y;
                for j in 0..3 {
                    ata[i][j] += row[i] * row[j];
                }
            }
        }
        let [a, b, c] = solve3(ata, aty).ok_or(FitError::Singular)?;
        if !(a > 0.0 && a.is_finite()) {
            return Err(FitError::NotUsl);
        }
        let lambda = 1.0 / a;
        Ok(Usl {
            lambda,
            sigma: (b * lambda).max(0.0),
            kappa: (c * lambda).max(0.0),
        })
    }
}

/// Solves a 3×3 linear system by Gaussian elimination with partial pivoting, after scaling it
/// by its diagonal (`S·A·S·y = S·b`, `x = S·y`, `S = diag(1/√|Aᵢᵢ|)`): the USL's normal
/// equations mix terms of 1 and 10¹² (λ against κ), and unscaled pivots would call that singular.
fn solve3(m: [[f64; 3]; 3], v: [f64; 3]) -> Option<[f64; 3]> {
    let s = [0, 1, 2].map(|i| {
        let d = m[i][i].abs();
        if d > 0.0 && d.is_finite() {
            1.0 / d.sqrt()
        } else {
            1.0
        }
    });
    let mut scaled = m;
    for (i, row) in scaled.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell *= s[i] * s[j];
        }
    }
    let y = solve3_plain(scaled, [0, 1, 2].map(|i| v[i] * s[i]))?;
    Some([0, 1, 2].map(|i| y[i] * s[i]))
}

fn solve3_plain(mut m: [[f64; 3]; 3], mut v: [f64; 3]) -> Option<[f64; 3]> {
    let scale = m.iter().flatten().fold(0.0_f64, |s, x| s.max(x.abs()));
    for col in 0..3 {
        let pivot = (col..3).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[pivot][col].abs() <= scale * 1e-14 {
            return None;
        }
        m.swap(col, pivot);
        v.swap(col, pivot);
        let pivot_row = m[col];
        for row in col + 1..3 {
            let f = m[row][col] / pivot_row[col];
            for (cell, p) in m[row].iter_mut().zip(pivot_row).skip(col) {
                *cell -= f * p;
            }
            v[row] -= f * v[col];
        }
    }
    let mut x = [0.0; 3];
    for row in (0..3).rev() {
        let s: f64 = (row + 1..3).map(|k| m[row][k] * x[k]).sum();
        x[row] = (v[row] - s) / m[row][row];
    }
    x.iter().all(|x| x.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn throughput_shape() {
        let usl = Usl {
            lambda: 100.0,
            sigma: 0.05,
            kappa: 0.001,
        };
        assert_eq!(usl.throughput(1.0), 100.0);
        assert_eq!(usl.throughput(0.0), 0.0);
        let peak = usl.peak_concurrency();
        assert!((peak - (0.95_f64 / 0.001).sqrt()).abs() < 1e-12);
        // Throughput rises to the peak and falls after it.
        assert!(usl.throughput(peak) > usl.throughput(peak * 0.5));
        assert!(usl.throughput(peak) > usl.throughput(peak * 2.0));
        // Amdahl: no peak.
        assert!(Usl { kappa: 0.0, ..usl }.peak_concurrency().is_infinite());
    }

    #[test]
    fn fit_recovers_coefficients_from_exact_data() {
        let truth = Usl {
            lambda: 955.0,
            sigma: 0.02,
            kappa: 0.000_3,
        };
        let points: Vec<(f64, f64)> = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]
            .iter()
            .map(|&n| (n, truth.throughput(n)))
            .collect();
        let fit = Usl::fit(&points).unwrap();
        assert!(
            (fit.lambda - truth.lambda).abs() / truth.lambda < 1e-9,
            "{fit:?}"
        );
        assert!((fit.sigma - truth.sigma).abs() < 1e-9, "{fit:?}");
        assert!((fit.kappa - truth.kappa).abs() < 1e-9, "{fit:?}");
    }

    /// The R package `usl`'s coefficient test (tests/coef.R): measurements rounded to 4 decimals,
    /// published fit σ = 0.02, κ = 0.02, λ = 1.00 to three significant figures.
    #[test]
    fn fit_reproduces_the_r_usl_package_example() {
        let points = [
            (1.0, 1.0),
            (2.0, 1.8868),
            (4.0, 3.0769),
            (6.0, 3.5294),
            (8.0, 3.5398),
            (10.0, 3.3557),
        ];
        let fit = Usl::fit(&points).unwrap();
        let sig3 = |x: f64| (x * 1e3).round() / 1e3;
        assert_eq!(sig3(fit.sigma), 0.02, "{fit:?}");
        assert_eq!(sig3(fit.kappa), 0.02, "{fit:?}");
        assert_eq!((fit.lambda * 100.0).round() / 100.0, 1.0, "{fit:?}");
        // Peak at √(0.98/0.02) = 7 units.
        assert_eq!(fit.peak_concurrency().round(), 7.0);
    }

    #[test]
    fn fit_refuses_what_cannot_be_fitted() {
        assert_eq!(
            Usl::fit(&[(1.0, 1.0), (2.0, 2.0)]),
            Err(FitError::TooFewPoints(2))
        );
        assert_eq!(
            Usl::fit(&[(1.0, 1.0), (1.0, 1.1), (2.0, 2.0), (2.0, 1.9)]),
            Err(FitError::TooFewPoints(2))
        );
        assert_eq!(
            Usl::fit(&[(1.0, 1.0), (2.0, f64::NAN), (3.0, 3.0)]),
            Err(FitError::BadThroughput { index: 1 })
        );
        assert_eq!(
            Usl::fit(&[(1.0, 1.0), (2.0, -2.0), (3.0, 3.0)]),
            Err(FitError::BadThroughput { index: 1 })
        );
    }
}
