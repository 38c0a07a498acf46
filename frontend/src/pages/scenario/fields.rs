//! The scalar inputs of the scenario (workload, growth, pricing), each with its model field path,
//! unit, step and a one-line help.

use std::sync::Arc;

use phaseplan_model::scenario::Scenario;
use phaseplan_model::uncertainty::Spread;

use crate::widgets::field::{Field, whole};

/// A real number: any finite value; the model says what range it accepts.
pub fn real(v: f64) -> Result<f64, String> {
    Ok(v)
}

/// A calendar year.
pub fn year(v: f64) -> Result<i32, String> {
    let y = whole(v)?;
    i32::try_from(y).map_err(|_| "is too large".to_owned())
}

/// A field at a fixed place in the scenario: `num!(path, label, unit, step, help, conv, |s| place)`.
macro_rules! num {
    ($path:literal, $label:literal, $unit:literal, $step:literal, $help:literal, $conv:path, |$s:ident| $place:expr) => {
        Field {
            path: $path.to_owned(),
            label: $label,
            unit: $unit,
            help: $help,
            step: $step,
            get: Arc::new(|$s: &Scenario| f64::from($place)),
            set: Arc::new(|$s: &mut Scenario, v: f64| {
                $place = $conv(v)?;
                Ok(())
            }),
        }
    };
}

pub fn workload() -> Vec<Field> {
    vec![
        num!(
            "workload.peak_concurrent_users",
            "Peak concurrent users",
            "users",
            "10",
            "The most users connected at the same moment, at your busiest time.",
            real,
            |s| s.workload.peak_concurrent_users
        ),
        num!(
            "workload.requests_per_user_per_minute",
            "Requests per user",
            "per minute",
            "0.5",
            "HTTP requests an active user makes each minute.",
            real,
            |s| s.workload.requests_per_user_per_minute
        ),
        num!(
            "workload.service_time_ms",
            "CPU time per request",
            "ms",
            "1",
            "How long a request holds one vCPU on the app tier.",
            real,
            |s| s.workload.service_time_ms
        ),
        num!(
            "workload.db_queries_per_request",
            "Queries per request",
            "queries",
            "0.5",
            "Database queries each request makes.",
            real,
            |s| s.workload.db_queries_per_request
        ),
        num!(
            "workload.db_read_share",
            "Read share",
            "0–1",
            "0.05",
            "Share of queries that are reads (replicas can serve them).",
            real,
            |s| s.workload.db_read_share
        ),
        num!(
            "workload.db_query_time_ms",
            "Query time",
            "ms",
            "0.5",
            "How long a query holds a database connection.",
            real,
            |s| s.workload.db_query_time_ms
        ),
        num!(
            "workload.cache_mib_per_user",
            "Cache per user",
            "MiB",
            "0.05",
            "Redis memory per active user (sessions, hot objects).",
            real,
            |s| s.workload.cache_mib_per_user
        ),
        num!(
            "workload.websocket_share",
            "WebSocket share",
            "0–1",
            "0.05",
            "Share of concurrent users holding a WebSocket.",
            real,
            |s| s.workload.websocket_share
        ),
        num!(
            "workload.egress_gb_per_user_month",
            "Egress per user",
            "GB / month",
            "0.1",
            "Data sent to each average user in a month.",
            real,
            |s| s.workload.egress_gb_per_user_month
        ),
        num!(
            "workload.peak_to_average",
            "Peak to average",
            "×",
            "0.1",
            "Peak concurrency over the daily average (≥ 1): egress is billed on the average.",
            real,
            |s| s.workload.peak_to_average
        ),
        num!(
            "workload.app_scaling.sigma",
            "Contention σ",
            "0–1",
            "0.005",
            "USL contention of the app tier over its instance count.",
            real,
            |s| s.workload.app_scaling.sigma
        ),
        num!(
            "workload.app_scaling.kappa",
            "Coherency κ",
            "0–1",
            "0.0001",
            "USL crosstalk: past √((1−σ)/κ) instances, throughput falls.",
            real,
            |s| s.workload.app_scaling.kappa
        ),
    ]
}

/// Sets the growth rate; a normal growth spread centred on the old rate follows it, so the
/// Monte Carlo keeps simulating around the plan.
fn set_growth_rate(s: &mut Scenario, v: f64) -> Result<(), String> {
    let old = s.growth.monthly_rate;
    s.growth.monthly_rate = v;
    if let Some(u) = &mut s.uncertainty
        && let Spread::Normal { mean, .. } = &mut u.growth_rate
        && (*mean - old).abs() < 1e-12
    {
        *mean = v;
    }
    Ok(())
}

pub fn growth() -> Vec<Field> {
    vec![
        Field {
            path: "growth.monthly_rate".to_owned(),
            label: "Monthly growth",
            unit: "fraction",
            help: "Compound growth a month: 0.08 is +8 % a month (about 2.5× a year).",
            step: "0.01",
            get: Arc::new(|s: &Scenario| s.growth.monthly_rate),
            set: Arc::new(set_growth_rate),
        },
        num!(
            "growth.horizon_months",
            "Horizon",
            "months",
            "1",
            "Months to plan over, 1–120.",
            whole,
            |s| s.growth.horizon_months
        ),
        num!(
            "growth.lead_time_months",
            "Lead time",
            "months",
            "1",
            "Months needed to get the next phase ready.",
            whole,
            |s| s.growth.lead_time_months
        ),
        num!(
            "growth.start_month",
            "Start month",
            "1–12",
            "1",
            "Calendar month of month 0 (lines up the seasonality).",
            whole,
            |s| s.growth.start_month
        ),
        num!(
            "growth.start_year",
            "Start year",
            "year",
            "1",
            "Calendar year of month 0.",
            year,
            |s| s.growth.start_year
        ),
    ]
}

pub fn pricing() -> Vec<Field> {
    vec![
        num!(
            "pricing.commit_1y_share",
            "1-year commitment",
            "share 0–1",
            "0.05",
            "Share of steady compute bought on a 1-year commitment.",
            real,
            |s| s.pricing.commit_1y_share
        ),
        num!(
            "pricing.commit_3y_share",
            "3-year commitment",
            "share 0–1",
            "0.05",
            "Share bought on a 3-year commitment (the two sum to at most 1).",
            real,
            |s| s.pricing.commit_3y_share
        ),
        num!(
            "pricing.spot_share",
            "Spot share",
            "share 0–1",
            "0.05",
            "Share of the stateless app tier on spot / preemptible capacity.",
            real,
            |s| s.pricing.spot_share
        ),
        num!(
            "pricing.ops_hourly_rate_usd",
            "Operations rate",
            "$ / hour",
            "5",
            "What an hour of operations work costs (prices self-hosted upkeep).",
            real,
            |s| s.pricing.ops_hourly_rate_usd
        ),
        num!(
            "pricing.migration_cost_usd",
            "Migration cost",
            "$",
            "100",
            "One-time cost of moving provider.",
            real,
            |s| s.pricing.migration_cost_usd
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::presets::default_preset;

    /// Every field reads and writes the place its path names: writing through the field and
    /// then validating a bad value yields an error for exactly that path.
    #[test]
    fn every_field_writes_where_its_path_says() {
        for f in workload().into_iter().chain(growth()).chain(pricing()) {
            let mut s = default_preset().scenario;
            let before = (f.get)(&s);
            (f.set)(&mut s, 1e9).ok();
            assert_ne!((f.get)(&s), before, "{} did not change", f.path);
            if let Err(e) = s.clone().validate() {
                assert_eq!(e.field, f.path, "{} reported as {}", f.path, e.field);
            }
        }
    }

    #[test]
    fn a_normal_growth_spread_follows_the_rate() {
        let mut s = default_preset().scenario;
        s.uncertainty = Some(s.default_uncertainty());
        set_growth_rate(&mut s, 0.03).ok();
        let Some(u) = s.uncertainty else {
            panic!("kept")
        };
        assert!(
            matches!(u.growth_rate, Spread::Normal { mean, .. } if (mean - 0.03).abs() < 1e-12)
        );
    }
}
