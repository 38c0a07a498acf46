//! When will a growing series cross a threshold? Least-squares trend fits on live history, with
//! a confidence band, used to forecast when the next phase is needed.
//!
//! - **Linear**: `y = a + b·t` by ordinary least squares: `b = Sxy / Sxx`, `a = ȳ − b·t̄`. The
//!   slope's standard error is `se(b) = √(s² / Sxx)` with `s² = SSE / (n − 2)`.
//! - **Exponential** (compound growth): the same fit on `ln y`, so `y = e^a · e^{r·t}`; the
//!   growth rate per period `p` is `e^{r·p} − 1`.
//!
//! Residuals of load samples follow each other; the slope's standard error is widened by the
//! AR(1) factor `√((1 + ρ)/(1 − ρ))` (ρ the residuals' lag-1 autocorrelation) and the fit counts
//! `n·(1 − ρ)/(1 + ρ)` effective points.
//!
//! The crossing time solves the fitted line for the threshold through the data's centre:
//! `t* = t̄ + (y* − ȳ) / b`. The band uses the slope's 95 % interval `b ± t·se(b)`, with `t` the
//! Student-t quantile for `n_eff − 2` degrees of freedom (12.7 for three points, 1.96 for many), so a
//! fit on a handful of samples gets the wide band it deserves: a steeper slope crosses sooner, a
//! flatter one later, and a slope that may be zero or negative may never cross (the band's far
//! end is then open).

use serde::{Deserialize, Serialize};

/// The two-sided 95 % Student-t quantile for `df` degrees of freedom (tabulated to 30; beyond,
/// the value of the next tabulated lower `df`, which errs toward a wider band).
pub fn t95(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        31..=40 => 2.042,
        41..=60 => 2.021,
        61..=120 => 2.000,
        121..=1_000 => 1.980,
        _ => 1.960,
    }
}

/// A least-squares line through `(t, y)` points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineFit {
    pub intercept: f64,
    /// Change of y per unit of t.
    pub slope: f64,
    /// Standard error of the slope (0 for an exact fit), corrected for autocorrelated
    /// residuals (see [`LineFit::fit`]).
    pub slope_se: f64,
    pub mean_t: f64,
    pub mean_y: f64,
    pub points: usize,
    /// Lag-1 autocorrelation of the residuals (0 when they do not follow each other).
    pub autocorrelation: f64,
    /// Independent points the fit is worth: `n·(1 − ρ)/(1 + ρ)`.
    pub effective_points: f64,
}

impl LineFit {
    /// Fits `points`; `None` with fewer than three points, a non-finite value, or no spread in t.
    pub fn fit(points: &[(f64, f64)]) -> Option<Self> {
        let n = points.len();
        if n < 3 || points.iter().any(|(t, y)| !t.is_finite() || !y.is_finite()) {
            return None;
        }
        #[allow(clippy::cast_precision_loss)]
        let nf = n as f64;
        let mean_t = points.iter().map(|p| p.0).sum::<f64>() / nf;
        let mean_y = points.iter().map(|p| p.1).sum::<f64>() / nf;
        let sxx: f64 = points.iter().map(|p| (p.0 - mean_t).powi(2)).sum();
        let sxy: f64 = points.iter().map(|p| (p.0 - mean_t) * (p.1 - mean_y)).sum();
        if sxx <= 0.0 {
            return None;
        }
        let slope = sxy / sxx;
        let intercept = mean_y - slope * mean_t;
        let residuals: Vec<f64> = points
            .iter()
            .map(|p| p.1 - (intercept + slope * p.0))
            .collect();
        let sse: f64 = residuals.iter().map(|r| r * r).sum();
        // Samples seconds apart are not independent: a load that is high now is high in five
        // seconds. With residuals following each other (lag-1 autocorrelation ρ), the plain
        // standard error is too small by √((1 + ρ)/(1 − ρ)) and the fit is worth only
        // n·(1 − ρ)/(1 + ρ) independent points (the AR(1) correction). Without it a day's cycle
        // looks like a significant trend.
        let lagged: f64 = residuals.windows(2).map(|w| w[0] * w[1]).sum();
        let rho = if sse > 0.0 {
            (lagged / sse).clamp(0.0, 0.999)
        } else {
            0.0
        };
        let inflation = ((1.0 + rho) / (1.0 - rho)).sqrt();
        let slope_se = (sse / (nf - 2.0) / sxx).max(0.0).sqrt() * inflation;
        Some(LineFit {
            intercept,
            slope,
            slope_se,
            mean_t,
            mean_y,
            points: n,
            autocorrelation: rho,
            effective_points: (nf * (1.0 - rho) / (1.0 + rho)).max(3.0),
        })
    }

    /// When the line (with slope `slope`) reaches `target`, if it is rising toward it.
    fn crossing_with(&self, slope: f64, target: f64) -> Option<f64> {
        if target <= self.mean_y {
            // Already there on average: now.
            return Some(self.mean_t);
        }
        (slope > 0.0).then(|| self.mean_t + (target - self.mean_y) / slope)
    }

    /// When the fitted line reaches `target`, with the 95 % band `(earliest, latest)`; `latest`
    /// is `None` when the slope's interval includes zero (it may never get there).
    pub fn crossing(&self, target: f64) -> Crossing {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let dof = (self.effective_points.floor() as usize).saturating_sub(2);
        let margin = t95(dof) * self.slope_se;
        Crossing {
            at: self.crossing_with(self.slope, target),
            earliest: self.crossing_with(self.slope + margin, target),
            latest: self.crossing_with(self.slope - margin, target),
        }
    }
}

/// When a threshold is reached: the estimate and its band, in the fit's time unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Crossing {
    pub at: Option<f64>,
    pub earliest: Option<f64>,
    pub latest: Option<f64>,
}

/// Both trend models fitted to one series, and when each reaches a threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendForecast {
    pub threshold: f64,
    pub linear: Option<Trend>,
    pub exponential: Option<Trend>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trend {
    pub fit: LineFit,
    pub crossing: Crossing,
    /// Growth over a 30.44-day month: relative (0.08 = +8 %) for the exponential trend, in the
    /// series' unit for the linear one.
    pub growth_per_month: f64,
}

/// Seconds in an average month (365.25 / 12 days).
pub const SECONDS_PER_MONTH: f64 = 30.4375 * 86_400.0;

/// Fits both trends to `(unix seconds, value)` points and finds when each reaches `threshold`.
pub fn forecast(points: &[(f64, f64)], threshold: f64) -> TrendForecast {
    let linear = LineFit::fit(points).map(|fit| Trend {
        crossing: fit.crossing(threshold),
        growth_per_month: fit.slope * SECONDS_PER_MONTH,
        fit,
    });
    let logs: Vec<(f64, f64)> = points
        .iter()
        .filter(|(_, y)| *y > 0.0)
        .map(|(t, y)| (*t, y.ln()))
        .collect();
    let exponential = (logs.len() == points.len() && threshold > 0.0)
        .then(|| LineFit::fit(&logs))
        .flatten()
        .map(|fit| Trend {
            crossing: fit.crossing(threshold.ln()),
            growth_per_month: (fit.slope * SECONDS_PER_MONTH).exp() - 1.0,
            fit,
        });
    TrendForecast {
        threshold,
        linear,
        exponential,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn an_exact_line_is_recovered_with_no_error() {
        let pts: Vec<(f64, f64)> = (0..10)
            .map(|t| (f64::from(t), 5.0 + 2.0 * f64::from(t)))
            .collect();
        let f = LineFit::fit(&pts).unwrap();
        assert!((f.slope - 2.0).abs() < 1e-12 && (f.intercept - 5.0).abs() < 1e-12);
        assert!(f.slope_se < 1e-9);
        let c = f.crossing(45.0);
        assert!((c.at.unwrap() - 20.0).abs() < 1e-9);
        assert!((c.earliest.unwrap() - 20.0).abs() < 1e-6);
    }

    #[test]
    fn noise_widens_the_band_around_the_estimate() {
        // y = 100 + 3t with alternating ±4 noise.
        let pts: Vec<(f64, f64)> = (0..30)
            .map(|t| {
                (
                    f64::from(t),
                    100.0 + 3.0 * f64::from(t) + if t % 2 == 0 { 4.0 } else { -4.0 },
                )
            })
            .collect();
        let c = LineFit::fit(&pts).unwrap().crossing(400.0);
        let (e, a, l) = (c.earliest.unwrap(), c.at.unwrap(), c.latest.unwrap());
        assert!(e < a && a < l, "{e} {a} {l}");
        assert!((a - 100.0).abs() < 2.0);
    }

    #[test]
    fn few_points_get_the_student_t_band_many_the_normal_one() {
        assert!((t95(1) - 12.706).abs() < 1e-9);
        assert!((t95(30) - 2.042).abs() < 1e-9);
        assert!((t95(10_000) - 1.96).abs() < 1e-9);
        assert!(
            (1..2_000).all(|df| t95(df + 1) <= t95(df)),
            "never narrower with fewer points"
        );
        // The same noisy slope from 3 and from 30 points: the 3-point band is far wider.
        let noisy = |n: i32| -> Vec<(f64, f64)> {
            (0..n)
                .map(|t| {
                    (
                        f64::from(t),
                        f64::from(t) + if t % 2 == 0 { 0.5 } else { -0.5 },
                    )
                })
                .collect()
        };
        let width = |n| {
            let f = LineFit::fit(&noisy(n)).unwrap();
            let c = f.crossing(100.0);
            (
                f.slope_se,
                c.latest.unwrap_or(f64::INFINITY) - c.earliest.unwrap(),
            )
        };
        let (se3, w3) = width(3);
        assert!(
            se3 > 0.0 && w3.is_infinite(),
            "three noisy points may never get there"
        );
        let (_, w30) = width(30);
        assert!(w30.is_finite() && w30 < 40.0, "{w30}");
    }

    #[test]
    fn autocorrelated_samples_widen_the_band() {
        // A day of 5-s samples of a daily cycle (±25 around 35), in the phase where it rises
        // over the day. Plain OLS puts the slope hundreds of standard errors from zero; the
        // samples follow each other, so the corrected band must include a flat line.
        let day = 86_400.0;
        let pts: Vec<(f64, f64)> = (0..17_280)
            .map(|i| {
                let t = f64::from(i) * 5.0;
                (t, 35.0 - 25.0 * (std::f64::consts::TAU * t / day).sin())
            })
            .collect();
        let f = LineFit::fit(&pts).unwrap();
        assert!(f.slope > 0.0);
        assert!(f.autocorrelation > 0.99, "{}", f.autocorrelation);
        assert!(f.effective_points < 10.0, "{}", f.effective_points);
        // Statistics cannot tell less than one cycle from a trend (hence the Live page's
        // "indicative" under a week of history), but the band is honest about the doubt: from
        // the next day to days later, not a pinpoint date.
        let c = f.crossing(80.0);
        let (early, late) = (c.earliest.unwrap(), c.latest.unwrap_or(f64::INFINITY));
        assert!(late - early > day, "{c:?}");
        // Independent noise around a real rise stays significant.
        let rising: Vec<(f64, f64)> = (0..200)
            .map(|i| {
                let noise = [0.3, -0.7, 0.5, -0.1, 0.9, -0.4, -0.6, 0.2][i % 8];
                (i as f64, 10.0 + 0.1 * i as f64 + noise)
            })
            .collect();
        let f = LineFit::fit(&rising).unwrap();
        assert!(f.autocorrelation < 0.2, "{}", f.autocorrelation);
        assert!(f.crossing(80.0).latest.is_some());
    }

    #[test]
    fn a_flat_or_falling_series_never_crosses() {
        let flat: Vec<(f64, f64)> = (0..10).map(|t| (f64::from(t), 50.0)).collect();
        assert_eq!(LineFit::fit(&flat).unwrap().crossing(80.0).at, None);
        let falling: Vec<(f64, f64)> = (0..10)
            .map(|t| (f64::from(t), 50.0 - f64::from(t)))
            .collect();
        assert_eq!(forecast(&falling, 80.0).linear.unwrap().crossing.at, None);
        // Too few points or bad values: no fit at all.
        assert!(LineFit::fit(&[(0.0, 1.0), (1.0, 2.0)]).is_none());
        assert!(LineFit::fit(&[(0.0, 1.0), (1.0, f64::NAN), (2.0, 3.0)]).is_none());
    }

    #[test]
    fn compound_growth_is_read_as_a_monthly_rate() {
        // 1,000 users growing 8 % a month, sampled daily for 60 days.
        let r = (1.08f64).ln() / SECONDS_PER_MONTH;
        let pts: Vec<(f64, f64)> = (0..60)
            .map(|d| {
                let t = f64::from(d) * 86_400.0;
                (t, 1_000.0 * (r * t).exp())
            })
            .collect();
        let f = forecast(&pts, 1_600.0);
        let e = f.exponential.unwrap();
        assert!((e.growth_per_month - 0.08).abs() < 1e-9);
        // 1.08^m = 1.6 → m = 6.107 months.
        let months = e.crossing.at.unwrap() / SECONDS_PER_MONTH;
        assert!(
            (months - 1.6f64.ln() / 1.08f64.ln()).abs() < 1e-6,
            "{months}"
        );
        // The straight line through a convex curve crosses later.
        assert!(f.linear.unwrap().crossing.at.unwrap() > e.crossing.at.unwrap());
    }
}
