//! Measurements of a running system — load-test runs and samples of live telemetry — as
//! `(concurrency, throughput)` points with an optional latency, and the USL fitted to them.
//! The browser and the server share this module, so a file parsed on the Scenario page and the
//! same file posted to `/api/v1/measurements/parse` give the same points, and `/api/v1/usl/fit`
//! answers what the Capacity page draws.

use serde::{Deserialize, Serialize};

use crate::capacity::usl::fit::{MAX_FIT_POINTS, MIN_POINTS_FOR_INTERVALS};
use crate::capacity::usl::{FitError, UslFit};
use crate::error::check_range;
use crate::{Reason, ValidationError};

pub mod parse;

/// One measurement: throughput (requests or operations per second) at a concurrency (virtual
/// users, connections, threads, instances), and the mean latency if the tool reported one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Point {
    pub concurrency: f64,
    pub throughput: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    /// Latency percentiles the tool reported, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_percentiles_ms: Option<LatencyPercentiles>,
}

/// Latency percentiles in milliseconds; a tool reports some, not all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LatencyPercentiles {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p50: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p90: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p95: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99: Option<f64>,
}

impl LatencyPercentiles {
    /// Sets the percentile `p` (50, 90, 95 or 99; others are not kept).
    pub fn set(&mut self, p: f64, ms: f64) {
        let slot = match p {
            50.0 => &mut self.p50,
            90.0 => &mut self.p90,
            95.0 => &mut self.p95,
            99.0 => &mut self.p99,
            _ => return,
        };
        *slot = Some(ms);
    }

    pub fn is_empty(&self) -> bool {
        *self == LatencyPercentiles::default()
    }
}

/// The largest concurrency and throughput a point may state: far past any real system, near
/// enough that sums of squares stay finite.
pub const MAX_CONCURRENCY: f64 = 1e9;
pub const MAX_THROUGHPUT: f64 = 1e15;

impl Point {
    /// Checks one point; `at` is its field path (`points[3]`).
    pub fn validate(&self, at: &str) -> Result<(), ValidationError> {
        check_range(
            &format!("{at}.concurrency"),
            self.concurrency,
            1e-9,
            MAX_CONCURRENCY,
        )?;
        check_range(
            &format!("{at}.throughput"),
            self.throughput,
            1e-12,
            MAX_THROUGHPUT,
        )?;
        if let Some(l) = self.latency_ms {
            check_range(&format!("{at}.latency_ms"), l, 0.0, 1e9)?;
        }
        if let Some(p) = self.latency_percentiles_ms {
            for (k, v) in [
                ("p50", p.p50),
                ("p90", p.p90),
                ("p95", p.p95),
                ("p99", p.p99),
            ] {
                if let Some(v) = v {
                    check_range(&format!("{at}.latency_percentiles_ms.{k}"), v, 0.0, 1e9)?;
                }
            }
        }
        Ok(())
    }
}

/// `POST /api/v1/usl/fit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FitRequest {
    pub points: Vec<Point>,
}

/// The fit's approximate 95 % intervals, `[low, high]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FitIntervals {
    pub lambda: [f64; 2],
    pub sigma: [f64; 2],
    pub kappa: [f64; 2],
    /// `null` when κ = 0 (no peak).
    pub peak_concurrency: Option<[f64; 2]>,
}

/// Standard errors of the coefficients.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StdErrors {
    pub lambda: f64,
    pub sigma: f64,
    pub kappa: f64,
}

/// The USL fitted to measurements (formulas in [`crate::capacity::usl::fit`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FitResponse {
    /// Throughput of one unit of concurrency.
    pub lambda: f64,
    /// Contention.
    pub sigma: f64,
    /// Coherency.
    pub kappa: f64,
    /// `N* = √((1 − σ)/κ)`, where throughput peaks; `null` when κ = 0.
    pub peak_concurrency: Option<f64>,
    /// `X(N*)`; `null` when κ = 0.
    pub peak_throughput: Option<f64>,
    /// `1/σ`, where contention starts to cost more than a unit adds (the R package's "optimal"
    /// load: the point of diminishing returns); `null` when σ = 0.
    pub optimal_concurrency: Option<f64>,
    /// `λ/σ`, the ceiling contention alone sets (Amdahl's asymptote); `null` when σ = 0.
    pub throughput_limit: Option<f64>,
    pub r_squared: f64,
    /// `√(SSE/(n − 3))`.
    pub residual_se: f64,
    pub intervals: FitIntervals,
    pub std_errors: StdErrors,
    /// Measured minus fitted throughput, in the order the points came.
    pub residuals: Vec<f64>,
}

/// Fits the USL to `req`'s points for the API: each point checked (a 422 names
/// `points[3].throughput`), and at least [`MIN_POINTS_FOR_INTERVALS`] distinct concurrencies
/// so the answer carries intervals.
pub fn fit(req: &FitRequest) -> Result<FitResponse, ValidationError> {
    if req.points.len() > MAX_FIT_POINTS {
        return Err(ValidationError::new(
            "points",
            Reason::TooMany {
                max: MAX_FIT_POINTS,
                what: "points",
            },
        ));
    }
    for (i, p) in req.points.iter().enumerate() {
        p.validate(&format!("points[{i}]"))?;
    }
    let xy: Vec<(f64, f64)> = req
        .points
        .iter()
        .map(|p| (p.concurrency, p.throughput))
        .collect();
    let cannot = |e: FitError| ValidationError::new("points", Reason::CannotFit(e.to_string()));
    let f = UslFit::fit(&xy).map_err(cannot)?;
    let (Some(i), Some(residual_se)) = (f.intervals, f.residual_se) else {
        return Err(ValidationError::new(
            "points",
            Reason::CannotFit(format!(
                "a fit with confidence intervals needs measurements at {MIN_POINTS_FOR_INTERVALS} \
                 or more different concurrencies"
            )),
        ));
    };
    let u = f.usl;
    let peak = f.peak();
    let positive = |x: f64| (x > 0.0).then_some(x);
    let answer = FitResponse {
        lambda: u.lambda,
        sigma: u.sigma,
        kappa: u.kappa,
        peak_concurrency: peak.map(|p| p.0),
        peak_throughput: peak.map(|p| p.1),
        optimal_concurrency: positive(u.sigma).map(|s| 1.0 / s),
        throughput_limit: positive(u.sigma).map(|s| u.lambda / s),
        r_squared: f.r_squared,
        residual_se,
        intervals: FitIntervals {
            lambda: i.lambda,
            sigma: i.sigma,
            kappa: i.kappa,
            peak_concurrency: i.peak_concurrency,
        },
        std_errors: StdErrors {
            lambda: i.std_errors[0],
            sigma: i.std_errors[1],
            kappa: i.std_errors[2],
        },
        residuals: f.residuals,
    };
    // Measurements near the accepted extremes can overflow a sum of squares: say so rather than
    // answer a number JSON cannot carry.
    if !all_finite(&answer) {
        return Err(ValidationError::new(
            "points",
            Reason::CannotFit(
                "the numbers are too far apart to fit in double precision".to_owned(),
            ),
        ));
    }
    Ok(answer)
}

/// Every number of the answer is finite (the optional ones may be absent).
fn all_finite(a: &FitResponse) -> bool {
    let i = &a.intervals;
    let opt = |x: Option<f64>| x.is_none_or(f64::is_finite);
    [
        a.lambda,
        a.sigma,
        a.kappa,
        a.r_squared,
        a.residual_se,
        a.std_errors.lambda,
        a.std_errors.sigma,
        a.std_errors.kappa,
    ]
    .iter()
    .chain(i.lambda.iter().chain(&i.sigma).chain(&i.kappa))
    .chain(&a.residuals)
    .all(|x| x.is_finite())
        && [
            a.peak_concurrency,
            a.peak_throughput,
            a.optimal_concurrency,
            a.throughput_limit,
        ]
        .into_iter()
        .all(opt)
        && i.peak_concurrency
            .is_none_or(|p| p.iter().all(|x| x.is_finite()))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::capacity::usl::fit::tests::{RAYTRACER, SPECSDM91};

    fn points(xy: &[(f64, f64)]) -> FitRequest {
        FitRequest {
            points: xy
                .iter()
                .map(|&(concurrency, throughput)| Point {
                    concurrency,
                    throughput,
                    latency_ms: None,
                    latency_percentiles_ms: None,
                })
                .collect(),
        }
    }

    #[test]
    fn a_bad_point_is_named_by_its_index_and_field() {
        let mut req = points(&[(1.0, 10.0), (2.0, 19.0), (4.0, 35.0), (8.0, 60.0)]);
        req.points[3].throughput = -1.0;
        assert_eq!(fit(&req).unwrap_err().field, "points[3].throughput");
        req.points[3].throughput = 60.0;
        req.points[1].concurrency = f64::NAN;
        assert_eq!(fit(&req).unwrap_err().field, "points[1].concurrency");
        req.points[1].concurrency = 2.0;
        req.points[0].latency_ms = Some(f64::INFINITY);
        assert_eq!(fit(&req).unwrap_err().field, "points[0].latency_ms");
    }

    #[test]
    fn three_concurrencies_fit_but_carry_no_intervals_so_the_api_refuses_them() {
        let e = fit(&points(&[(1.0, 10.0), (2.0, 19.0), (4.0, 35.0)])).unwrap_err();
        assert_eq!(e.field, "points");
        assert!(
            e.to_string().contains("4 or more different concurrencies"),
            "{e}"
        );
    }

    #[test]
    fn the_answer_says_where_throughput_peaks_and_where_returns_diminish() {
        let r = fit(&points(&SPECSDM91)).unwrap();
        let peak = r.peak_concurrency.unwrap();
        assert!((peak - 96.52).abs() < 0.5, "{r:?}");
        let [lo, hi] = r.intervals.peak_concurrency.unwrap();
        assert!(lo < peak && peak < hi);
        // R's summary: "opt: throughput 1542 at load 36.06", "limit: throughput 3246".
        assert!(
            (r.optimal_concurrency.unwrap() - 36.06).abs() < 0.4,
            "{r:?}"
        );
        assert!((r.throughput_limit.unwrap() - 3246.0).abs() < 30.0, "{r:?}");
        assert_eq!(r.residuals.len(), 7);
        let json = serde_json::to_value(&r).unwrap();
        for k in [
            "lambda",
            "sigma",
            "kappa",
            "peak_concurrency",
            "peak_throughput",
            "r_squared",
            "intervals",
            "residuals",
        ] {
            assert!(json.get(k).is_some(), "{k}");
        }
    }

    #[test]
    fn linear_scaling_fits_with_zero_coefficients_never_minus_zero() {
        let r = fit(&points(&[(1.0, 1.0), (2.0, 2.0), (3.0, 3.0), (4.0, 4.0)])).unwrap();
        assert_eq!((r.sigma, r.kappa), (0.0, 0.0));
        assert!(r.kappa.is_sign_positive() && r.intervals.kappa[0].is_sign_positive());
        assert!(!serde_json::to_string(&r).unwrap().contains("-0.0"));
    }

    #[test]
    fn amdahl_data_has_no_peak() {
        let r = fit(&points(&RAYTRACER)).unwrap();
        assert_eq!(r.kappa, 0.0);
        assert_eq!((r.peak_concurrency, r.peak_throughput), (None, None));
        assert_eq!(r.intervals.peak_concurrency, None);
        let json = serde_json::to_value(&r).unwrap();
        assert!(json["peak_concurrency"].is_null());
    }
}
