//! The model's input: a [`Scenario`] (workload, growth, phase ladder, pricing options, decision
//! weights, Monte Carlo spreads), as JSON with a format version. This module holds the inputs
//! and their field checks and imports no computation (a test in `shared/tests/layering.rs` says
//! so); [`Scenario::validate`] (in [`crate::valid`]) checks every field once, at the edge, and
//! returns the `ValidScenario` that the computations take, so they never re-check or panic.

use serde::{Deserialize, Serialize};

pub mod criterion;
pub mod decision;
pub mod uncertainty;

use crate::cost::catalog::ProviderId;
use crate::error::{Reason, ValidationError, check_format_version, check_range, check_text};
use crate::phase::Phase;
use decision::DecisionSettings;
use uncertainty::{Spread, UncertaintyInput};

/// The scenario format this crate reads. Bumped on incompatible changes; old shared links carry
/// their version so the SPA can explain instead of misreading them.
pub const FORMAT_VERSION: u32 = 1;

/// Per-user demand: what one concurrent user costs the platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// Peak concurrent users now.
    pub peak_concurrent_users: f64,
    /// HTTP requests each active user makes per minute.
    pub requests_per_user_per_minute: f64,
    /// Mean CPU time per request on the app tier, milliseconds: each request holds one vCPU this
    /// long.
    pub service_time_ms: f64,
    /// Database queries per request.
    pub db_queries_per_request: f64,
    /// Share of queries that are reads (0–1): reads can go to replicas.
    pub db_read_share: f64,
    /// Mean database time per query, milliseconds (how long a connection is held).
    pub db_query_time_ms: f64,
    /// Cache memory per active user, MiB (sessions, hot objects).
    pub cache_mib_per_user: f64,
    /// Share of concurrent users holding a WebSocket (0–1).
    pub websocket_share: f64,
    /// Egress per user per month, GB.
    pub egress_gb_per_user_month: f64,
    /// Peak over average concurrency (≥ 1): sizes for the peak, bills egress on the average.
    pub peak_to_average: f64,
    /// How the app tier scales with its instance count.
    #[serde(default)]
    pub app_scaling: AppScaling,
    /// A response-time objective for the app tier (e.g. p95 ≤ 300 ms): when set, the users at
    /// which the predicted percentile reaches it are one more capacity limit
    /// ([`crate::capacity::response`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_objective: Option<LatencyObjective>,
}

/// "The `percentile` of app-tier response times stays at or below `ms`."
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LatencyObjective {
    pub percentile: LatencyPercentile,
    /// The most that percentile may be, milliseconds (above 0, at most 10 minutes).
    pub ms: f64,
}

/// The percentiles an objective can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum LatencyPercentile {
    P50,
    P90,
    P95,
    P99,
}

impl LatencyPercentile {
    pub const ALL: [LatencyPercentile; 4] = [
        LatencyPercentile::P50,
        LatencyPercentile::P90,
        LatencyPercentile::P95,
        LatencyPercentile::P99,
    ];

    /// The share of requests at or below the percentile (0.95 for p95).
    pub fn fraction(self) -> f64 {
        match self {
            LatencyPercentile::P50 => 0.50,
            LatencyPercentile::P90 => 0.90,
            LatencyPercentile::P95 => 0.95,
            LatencyPercentile::P99 => 0.99,
        }
    }

    /// `p95`: the wire name, also the label.
    pub fn key(self) -> &'static str {
        match self {
            LatencyPercentile::P50 => "p50",
            LatencyPercentile::P90 => "p90",
            LatencyPercentile::P95 => "p95",
            LatencyPercentile::P99 => "p99",
        }
    }
}

/// The Universal Scalability Law coefficients of the app tier over its instance count: stated
/// defaults, or fitted from load-test measurements when at least three are given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AppScaling {
    /// Contention σ (0–1). Default 0.02: stateless instances share little besides the database
    /// and cache, which are modelled on their own (assumed).
    pub sigma: f64,
    /// Coherency κ (0–1). Default 0.0002: a peak near 70 instances (assumed).
    pub kappa: f64,
    /// Measured (instances, requests per second) points; with three or more distinct instance
    /// counts, σ and κ are fitted from them by nonlinear least squares
    /// ([`crate::capacity::usl::UslFit`]) and the two fields above ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measured: Vec<Measurement>,
}

impl Default for AppScaling {
    fn default() -> Self {
        AppScaling {
            sigma: 0.02,
            kappa: 0.0002,
            measured: Vec::new(),
        }
    }
}

/// One load-test result: `instances` serving `throughput_rps` at saturation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Measurement {
    pub instances: f64,
    pub throughput_rps: f64,
}

/// A one-off change in demand: a campaign, a launch, a season the multipliers do not cover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GrowthEvent {
    /// What it is, shown on the charts: 1–80 characters, no control characters.
    pub label: String,
    /// Month (from 0 = now) the event starts.
    pub month: u32,
    /// How many months it lasts (≥ 1).
    pub duration_months: u32,
    /// Demand multiplier while it lasts (e.g. 1.5 = +50 %).
    pub multiplier: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Growth {
    /// Compound growth per month: 0.08 = +8 % a month. May be negative (decline), above −100 %.
    pub monthly_rate: f64,
    /// Demand multipliers by calendar month, January first; `None` = flat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<f64>>, min_items = 12, max_items = 12))]
    pub seasonality: Option<[f64; 12]>,
    /// Calendar month (1–12) of month 0, to line the seasonality up with the calendar.
    pub start_month: u32,
    /// Calendar year of month 0, for dates on the time axis.
    pub start_year: i32,
    /// Months to plan over: 1–120, 36 by default.
    #[serde(default = "default_horizon")]
    pub horizon_months: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<GrowthEvent>,
    /// Months needed to get the next phase ready (provisioning, migration, load tests). The
    /// timeline says to start preparing this long before a threshold is crossed. The seeds
    /// estimate 2–3 months.
    #[serde(default = "default_lead_time")]
    pub lead_time_months: u32,
}

fn default_horizon() -> u32 {
    36
}

fn default_lead_time() -> u32 {
    2
}

/// How infrastructure is bought.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PricingOptions {
    /// The provider the platform runs on (or will).
    pub provider: ProviderId,
    /// Share of steady compute bought on a 1-year commitment (0–1).
    pub commit_1y_share: f64,
    /// Share bought on a 3-year commitment (0–1; the two shares sum to at most 1).
    pub commit_3y_share: f64,
    /// Share of the stateless app tier run on spot / preemptible capacity (0–1).
    pub spot_share: f64,
    /// What an hour of operations work costs, USD: prices self-hosted components' upkeep.
    /// Default 60 (assumed).
    #[serde(default = "default_ops_rate")]
    pub ops_hourly_rate_usd: f64,
    /// One-time cost of moving to another provider, USD (engineering time, dual running, data
    /// transfer). Default 2,500, the seeds' figure.
    #[serde(default = "default_migration_cost")]
    pub migration_cost_usd: f64,
}

fn default_ops_rate() -> f64 {
    60.0
}

fn default_migration_cost() -> f64 {
    2_500.0
}

/// Everything the model needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub format_version: u32,
    /// Shown in the UI and written into the bundles: at most 200 characters, no control
    /// characters. Shared links carry it, so anyone may have written it.
    pub name: String,
    pub workload: Workload,
    pub growth: Growth,
    pub phases: Vec<Phase>,
    pub pricing: PricingOptions,
    /// Weights and ratings of the provider decision matrix.
    #[serde(default)]
    pub decision: DecisionSettings,
    /// Distributions for the Monte Carlo; `None` uses [`Scenario::default_uncertainty`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<UncertaintyInput>,
}

/// Bounds that keep every later computation finite; each is far beyond a real platform.
const MAX_RATE_PER_MINUTE: f64 = 10_000.0;
const MAX_MS: f64 = 600_000.0;
const MAX_MONTHS: u32 = 120;
const MAX_NAME: usize = 200;
const MAX_LABEL: usize = 80;
const MAX_EVENTS: usize = 50;
/// Monte Carlo paths × months: 10,000 paths over the longest horizon (120 months).
const MAX_PATH_MONTHS: u64 = 1_200_000;
const MAX_MEASUREMENTS: usize = 1_000;
/// The largest contention and coherency coefficients accepted (stated or fitted).
pub const MAX_SIGMA: f64 = 0.99;
pub const MAX_KAPPA: f64 = 1.0;

impl Scenario {
    /// The Monte Carlo's spread when the scenario sets none: growth rate normal around the plan
    /// with a standard deviation of a quarter of it (at least one point), per-user demand
    /// triangular from −15 % to +25 % (estimates err low more often than high), 10,000 paths,
    /// seed 42. Stated assumptions.
    pub fn default_uncertainty(&self) -> UncertaintyInput {
        let g = self.growth.monthly_rate;
        UncertaintyInput {
            growth_rate: Spread::Normal {
                mean: g,
                sd: (g.abs() * 0.25).max(0.01),
            },
            demand: Spread::Triangular {
                min: 0.85,
                mode: 1.0,
                max: 1.25,
            },
            paths: 10_000,
            seed: 42,
        }
    }

    /// Checks every input field, naming the first bad one by its path
    /// (`workload.service_time_ms`, `growth.seasonality[3]`, `phases[1].max_users`). What needs a
    /// computation to check (fitting the scalability law to measurements) is
    /// [`crate::valid`]'s, which calls this first.
    pub(crate) fn check_fields(&self) -> Result<(), ValidationError> {
        check_format_version(self.format_version, FORMAT_VERSION)?;
        check_text("name", &self.name, false, MAX_NAME)?;
        self.workload.validate()?;
        self.growth.validate()?;
        self.pricing.validate()?;
        self.decision.validate()?;
        if let Some(u) = &self.uncertainty {
            u.validate()?;
            // The Monte Carlo keeps every path's users for every month: bound the buffer (10 MB)
            // so one request cannot make the server or the tab allocate without limit.
            let most = MAX_PATH_MONTHS / u64::from(self.growth.horizon_months.max(1));
            if u64::from(u.paths) > most {
                return Err(ValidationError::new(
                    "uncertainty.paths",
                    Reason::OutOfRange {
                        min: 1.0,
                        max: most as f64,
                    },
                ));
            }
        }
        self.workload.app_scaling.check_fields()?;
        Ok(())
    }
}

impl Workload {
    fn validate(&self) -> Result<(), ValidationError> {
        let w = self;
        check_range(
            "workload.peak_concurrent_users",
            w.peak_concurrent_users,
            0.0,
            crate::units::Users::MAX,
        )?;
        check_range(
            "workload.requests_per_user_per_minute",
            w.requests_per_user_per_minute,
            0.0,
            MAX_RATE_PER_MINUTE,
        )?;
        check_range("workload.service_time_ms", w.service_time_ms, 0.001, MAX_MS)?;
        check_range(
            "workload.db_queries_per_request",
            w.db_queries_per_request,
            0.0,
            1_000.0,
        )?;
        check_range("workload.db_read_share", w.db_read_share, 0.0, 1.0)?;
        check_range(
            "workload.db_query_time_ms",
            w.db_query_time_ms,
            0.001,
            MAX_MS,
        )?;
        check_range(
            "workload.cache_mib_per_user",
            w.cache_mib_per_user,
            0.0,
            1_024.0,
        )?;
        check_range("workload.websocket_share", w.websocket_share, 0.0, 1.0)?;
        check_range(
            "workload.egress_gb_per_user_month",
            w.egress_gb_per_user_month,
            0.0,
            10_000.0,
        )?;
        check_range("workload.peak_to_average", w.peak_to_average, 1.0, 100.0)?;
        if let Some(o) = &w.latency_objective {
            check_range("workload.latency_objective.ms", o.ms, 0.001, MAX_MS)?;
        }
        Ok(())
    }
}

impl AppScaling {
    /// The stated coefficients and each measurement in range; fitting the measurements is
    /// [`crate::valid`]'s.
    pub(crate) fn check_fields(&self) -> Result<(), ValidationError> {
        let f = "workload.app_scaling";
        if self.measured.len() > MAX_MEASUREMENTS {
            return Err(ValidationError::new(
                format!("{f}.measured"),
                Reason::TooMany {
                    max: MAX_MEASUREMENTS,
                    what: "measurements",
                },
            ));
        }
        if self.measured.is_empty() {
            check_range(&format!("{f}.sigma"), self.sigma, 0.0, MAX_SIGMA)?;
            check_range(&format!("{f}.kappa"), self.kappa, 0.0, MAX_KAPPA)?;
        }
        for (i, m) in self.measured.iter().enumerate() {
            let g = format!("{f}.measured[{i}]");
            check_range(&format!("{g}.instances"), m.instances, 1.0, 100_000.0)?;
            check_range(&format!("{g}.throughput_rps"), m.throughput_rps, 1e-6, 1e12)?;
        }
        Ok(())
    }
}

impl Growth {
    fn validate(&self) -> Result<(), ValidationError> {
        check_range("growth.monthly_rate", self.monthly_rate, -0.5, 2.0)?;
        check_range("growth.start_month", f64::from(self.start_month), 1.0, 12.0)?;
        check_range(
            "growth.start_year",
            f64::from(self.start_year),
            2000.0,
            2200.0,
        )?;
        check_range(
            "growth.horizon_months",
            f64::from(self.horizon_months),
            1.0,
            f64::from(MAX_MONTHS),
        )?;
        check_range(
            "growth.lead_time_months",
            f64::from(self.lead_time_months),
            0.0,
            24.0,
        )?;
        if let Some(s) = &self.seasonality {
            for (i, m) in s.iter().enumerate() {
                check_range(&format!("growth.seasonality[{i}]"), *m, 0.01, 100.0)?;
            }
        }
        if self.events.len() > MAX_EVENTS {
            return Err(ValidationError::new(
                "growth.events",
                Reason::TooMany {
                    max: MAX_EVENTS,
                    what: "events",
                },
            ));
        }
        for (i, e) in self.events.iter().enumerate() {
            let f = format!("growth.events[{i}]");
            check_text(&format!("{f}.label"), &e.label, true, MAX_LABEL)?;
            check_range(
                &format!("{f}.month"),
                f64::from(e.month),
                0.0,
                f64::from(self.horizon_months),
            )?;
            check_range(
                &format!("{f}.duration_months"),
                f64::from(e.duration_months),
                1.0,
                f64::from(MAX_MONTHS),
            )?;
            check_range(&format!("{f}.multiplier"), e.multiplier, 0.01, 100.0)?;
        }
        Ok(())
    }
}

impl PricingOptions {
    fn validate(&self) -> Result<(), ValidationError> {
        check_range("pricing.commit_1y_share", self.commit_1y_share, 0.0, 1.0)?;
        check_range("pricing.commit_3y_share", self.commit_3y_share, 0.0, 1.0)?;
        check_range("pricing.spot_share", self.spot_share, 0.0, 1.0)?;
        check_range(
            "pricing.ops_hourly_rate_usd",
            self.ops_hourly_rate_usd,
            0.0,
            10_000.0,
        )?;
        check_range(
            "pricing.migration_cost_usd",
            self.migration_cost_usd,
            0.0,
            1e9,
        )?;
        let committed = self.commit_1y_share + self.commit_3y_share;
        if committed > 1.0 + 1e-9 {
            return Err(ValidationError::new(
                "pricing.commit_3y_share",
                Reason::SharesOverOne { sum: committed },
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::capacity::usl::Usl;

    /// A plausible scenario for tests: the ride-hailing preset at 1,500 peak users, on AWS.
    pub(crate) fn example() -> Scenario {
        let mut s = crate::presets::presets()
            .into_iter()
            .find(|p| p.key == "ride-hailing")
            .map(|p| p.scenario)
            .expect("the ride-hailing preset exists");
        s.name = "example".to_owned();
        s.workload.peak_concurrent_users = 1_500.0;
        s.pricing.provider = ProviderId::Aws;
        s
    }

    fn field_of(s: Scenario) -> String {
        s.validate().unwrap_err().field
    }

    #[test]
    fn the_example_is_valid_and_round_trips_as_json() {
        let s = example();
        let json = serde_json::to_string(&s).unwrap();
        let back: Scenario = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        assert!(back.validate().is_ok());
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut s = example();
        s.workload.service_time_ms = f64::NAN;
        assert_eq!(field_of(s), "workload.service_time_ms");
        let mut s = example();
        s.workload.db_read_share = 1.5;
        assert_eq!(field_of(s), "workload.db_read_share");
        let mut s = example();
        s.workload.peak_concurrent_users = -1.0;
        assert_eq!(field_of(s), "workload.peak_concurrent_users");
        let mut s = example();
        s.growth.horizon_months = 121;
        assert_eq!(field_of(s), "growth.horizon_months");
        let mut s = example();
        let mut season = [1.0; 12];
        season[3] = f64::INFINITY;
        s.growth.seasonality = Some(season);
        assert_eq!(field_of(s), "growth.seasonality[3]");
        let mut s = example();
        s.pricing.commit_1y_share = 0.7;
        s.pricing.commit_3y_share = 0.5;
        assert_eq!(field_of(s), "pricing.commit_3y_share");
        let mut s = example();
        s.phases.reverse();
        assert_eq!(field_of(s), "phases[1].max_users");
        let mut s = example();
        s.format_version = 99;
        assert_eq!(field_of(s), "format_version");
        let mut s = example();
        let mut u = s.default_uncertainty();
        u.paths = 40_000; // × 36 months > 1.2 M
        s.uncertainty = Some(u);
        assert_eq!(field_of(s), "uncertainty.paths");
    }

    #[test]
    fn names_and_labels_refuse_control_characters_and_stay_bounded() {
        let reason_of = |s: Scenario| s.validate().unwrap_err();
        let mut s = example();
        s.name = "Shop\n# injected".to_owned();
        let e = reason_of(s);
        assert_eq!(e.field, "name");
        assert_eq!(
            e.reason,
            Reason::ControlCharacter {
                found: '\n',
                position: 5
            }
        );
        let mut s = example();
        s.name = "x".repeat(201);
        assert_eq!(reason_of(s).reason, Reason::TooLong { max: 200 });
        let mut s = example();
        s.name = String::new();
        assert!(s.validate().is_ok(), "a scenario may be unnamed");

        let event = |label: &str| GrowthEvent {
            label: label.to_owned(),
            month: 1,
            duration_months: 1,
            multiplier: 1.5,
        };
        let mut s = example();
        s.growth.events = vec![event("Launch"), event("Sale\u{2028}- alert: x")];
        let e = reason_of(s);
        assert_eq!(e.field, "growth.events[1].label");
        assert_eq!(
            e.reason,
            Reason::ControlCharacter {
                found: '\u{2028}',
                position: 5
            }
        );
        let mut s = example();
        s.growth.events = vec![event(&"é".repeat(81))];
        let e = reason_of(s);
        assert_eq!(
            (e.field.as_str(), e.reason),
            ("growth.events[0].label", Reason::TooLong { max: 80 })
        );
        let mut s = example();
        s.growth.events = vec![event("  ")];
        assert_eq!(reason_of(s).reason, Reason::Empty);
        let mut s = example();
        s.growth.events = vec![event(&"é".repeat(80))];
        assert!(s.validate().is_ok());
    }

    /// Issue 12: a phase name with a line break put a Terraform resource into `main.tf`.
    #[test]
    fn the_terraform_injection_of_issue_12_is_refused() {
        let mut s = example();
        s.phases[0].name = "Launch\nresource \"null_resource\" \"x\" {}".to_owned();
        let e = s.validate().unwrap_err();
        assert_eq!(e.field, "phases[0].name");
        assert_eq!(
            e.to_string(),
            "phases[0].name: must not contain control characters (found U+000A at character 7)"
        );
    }

    #[test]
    fn measured_points_replace_the_stated_scaling_coefficients() {
        let truth = Usl {
            lambda: 120.0,
            sigma: 0.05,
            kappa: 0.001,
        };
        let mut s = example();
        s.workload.app_scaling.measured = [1.0, 2.0, 4.0, 8.0, 16.0]
            .iter()
            .map(|&n| Measurement {
                instances: n,
                throughput_rps: truth.throughput(n),
            })
            .collect();
        let fitted = s.validate().unwrap().app_scaling();
        assert!((fitted.sigma - 0.05).abs() < 1e-9 && (fitted.kappa - 0.001).abs() < 1e-9);
        let mut s = example();
        s.workload.app_scaling.measured = vec![
            Measurement {
                instances: 1.0,
                throughput_rps: 10.0,
            };
            3
        ];
        assert_eq!(field_of(s), "workload.app_scaling.measured");
    }

    #[test]
    fn unknown_providers_and_fields_are_refused_by_the_decoder() {
        let mut v = serde_json::to_value(example()).unwrap();
        v["pricing"]["provider"] = serde_json::json!("ibm");
        assert!(serde_json::from_value::<Scenario>(v).is_err());
        let mut v = serde_json::to_value(example()).unwrap();
        v["workload"]["surprise"] = serde_json::json!(1);
        assert!(serde_json::from_value::<Scenario>(v).is_err());
    }
}
