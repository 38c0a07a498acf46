//! Built-in scenarios: the three platforms of the user's seed documents. Their figures are the
//! seeds' where the seeds give one (noted "seed") and stated assumptions otherwise ("assumed"):
//! the seeds are inspiration, not measurements.

use serde::{Deserialize, Serialize};

use crate::cost::catalog::ProviderId;
use crate::decision::DecisionSettings;
use crate::phase::PhaseLadder;
use crate::scenario::{AppScaling, FORMAT_VERSION, Growth, PricingOptions, Scenario, Workload};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preset {
    /// Stable key for URLs (`ride-hailing`).
    pub key: String,
    pub name: String,
    /// One paragraph: where the numbers come from.
    pub description: String,
    pub scenario: Scenario,
}

/// All presets, the default first.
pub fn presets() -> Vec<Preset> {
    vec![default_preset(), ecommerce(), file_processing_saas()]
}

/// The preset a new session starts from: the ride-hailing platform.
pub fn default_preset() -> Preset {
    ride_hailing()
}

/// Looks a preset up by key.
pub fn preset(key: &str) -> Option<Preset> {
    presets().into_iter().find(|p| p.key == key)
}

fn scenario(name: &str, workload: Workload, growth: Growth, provider: ProviderId) -> Scenario {
    Scenario {
        format_version: FORMAT_VERSION,
        name: name.to_owned(),
        workload,
        growth,
        phases: PhaseLadder::seed().phases().to_vec(),
        pricing: PricingOptions {
            provider,
            commit_1y_share: 0.0,
            commit_3y_share: 0.0,
            spot_share: 0.0,
            ops_hourly_rate_usd: 60.0,
            migration_cost_usd: 2_500.0,
        },
        decision: DecisionSettings::default(),
        uncertainty: None,
    }
}

/// The ride-hailing platform (seeds 000–002): Launch at 1,000–2,000 concurrent users with 500
/// WebSockets per 2,000 users (seed: share 0.25); its status example sits at 65.5 % of Launch with
/// the next phase "2–3 months" away, which is ≈ 8 % a month (seed-derived); Linode recommended
/// (seed). Request rate, service and query times, cache and egress per user: assumed.
fn ride_hailing() -> Preset {
    Preset {
        key: "ride-hailing".to_owned(),
        name: "Ride-hailing platform".to_owned(),
        description: "Riders and drivers tracked live over WebSockets. Launch phase at 1,310 peak \
                      users (65.5 % of 2,000, the seed's status example), growing about 8 % a month \
                      so Growth is needed within 2–3 months, on Linode as the seed recommends."
            .to_owned(),
        scenario: scenario(
            "Ride-hailing platform",
            Workload {
                peak_concurrent_users: 1_310.0,
                requests_per_user_per_minute: 6.0,
                service_time_ms: 20.0,
                db_queries_per_request: 3.0,
                db_read_share: 0.8,
                db_query_time_ms: 4.0,
                cache_mib_per_user: 0.1,
                websocket_share: 0.25,
                egress_gb_per_user_month: 0.5,
                peak_to_average: 3.0,
                app_scaling: AppScaling::default(),
                latency_objective: None,
            },
            Growth {
                monthly_rate: 0.08,
                seasonality: None,
                start_month: 1,
                start_year: 2027,
                horizon_months: 36,
                events: vec![],
                lead_time_months: 2,
            },
            ProviderId::Linode,
        ),
    }
}

/// The e-commerce shop (seed 003): 200 peak concurrent users now, 1,000 in six months and 2,000 in
/// a year (seed: 10× a year = 21.2 % a month); 100 GB of traffic a month now (seed: at a 3:1 peak
/// to average that is 1.5 GB per average user); AWS with an ALB and auto-scaling groups (seed).
/// Retail seasonality (November ×1.3, December ×1.5): assumed.
fn ecommerce() -> Preset {
    let mut season = [1.0; 12];
    season[10] = 1.3;
    season[11] = 1.5;
    Preset {
        key: "ecommerce".to_owned(),
        name: "E-commerce shop".to_owned(),
        description: "An online shop planning for 10× in its first year (200 → 2,000 peak \
                      users), with a retail peak in November and December, on AWS."
            .to_owned(),
        scenario: scenario(
            "E-commerce shop",
            Workload {
                peak_concurrent_users: 200.0,
                requests_per_user_per_minute: 6.0,
                service_time_ms: 25.0,
                db_queries_per_request: 5.0,
                db_read_share: 0.9,
                db_query_time_ms: 5.0,
                cache_mib_per_user: 0.2,
                websocket_share: 0.0,
                egress_gb_per_user_month: 1.5,
                peak_to_average: 3.0,
                app_scaling: AppScaling::default(),
                latency_objective: None,
            },
            Growth {
                monthly_rate: 10_f64.powf(1.0 / 12.0) - 1.0,
                seasonality: Some(season),
                start_month: 1,
                start_year: 2027,
                horizon_months: 36,
                events: vec![],
                lead_time_months: 2,
            },
            ProviderId::Aws,
        ),
    }
}

/// The file-processing SaaS (seed 004): users 100K → 1M between months 6 and 18 (seed: 10× in a
/// year, 21.2 % a month), Kubernetes on a cloud with load balancers (seed). Concurrency (1,000 peak
/// users now), heavy egress (5 GB per average user a month): assumed. The conversions themselves
/// run on background workers, which the model does not size; the web tier's requests are short.
fn file_processing_saas() -> Preset {
    Preset {
        key: "file-saas".to_owned(),
        name: "File-processing SaaS".to_owned(),
        description: "Uploads, conversions and downloads: long requests and heavy egress, growing \
                      10× a year, on AWS."
            .to_owned(),
        scenario: scenario(
            "File-processing SaaS",
            Workload {
                peak_concurrent_users: 1_000.0,
                requests_per_user_per_minute: 2.0,
                service_time_ms: 60.0,
                db_queries_per_request: 2.0,
                db_read_share: 0.7,
                db_query_time_ms: 6.0,
                cache_mib_per_user: 0.2,
                websocket_share: 0.1,
                egress_gb_per_user_month: 5.0,
                peak_to_average: 2.5,
                app_scaling: AppScaling::default(),
                latency_objective: None,
            },
            Growth {
                monthly_rate: 10_f64.powf(1.0 / 12.0) - 1.0,
                seasonality: None,
                start_month: 1,
                start_year: 2027,
                horizon_months: 36,
                events: vec![],
                lead_time_months: 3,
            },
            ProviderId::Aws,
        ),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::growth::projected_users;
    use crate::timeline::phase_timeline;

    #[test]
    fn every_preset_is_valid_and_keys_are_unique() {
        let all = presets();
        assert_eq!(all.len(), 3);
        for p in &all {
            assert!(p.scenario.clone().validate().is_ok(), "{}", p.key);
            assert_eq!(preset(&p.key).as_ref(), Some(p));
        }
        assert_eq!(preset("nope"), None);
    }

    #[test]
    fn ecommerce_grows_tenfold_in_a_year_as_the_seed_plans() {
        let s = preset("ecommerce").unwrap().scenario.validate().unwrap();
        let users = projected_users(&s);
        // Month 6 is July (no seasonal factor): 200 → ≈ 632; month 12 is January: 2,000.
        assert!((users[12] - 2_000.0).abs() < 1e-6, "{}", users[12]);
        // December (month 11) carries the ×1.5 retail peak.
        assert!(users[11] > users[12]);
    }

    #[test]
    fn ride_hailing_needs_growth_within_two_to_three_months() {
        let s = preset("ride-hailing").unwrap().scenario.validate().unwrap();
        let t = phase_timeline(&s);
        // 1,310 × 1.08^t reaches Launch's critical 1,600 at t = 3 (1,650).
        assert_eq!(t.transitions[0].month, 3);
        assert_eq!(t.transitions[0].to_index, 1);
    }
}
