//! Arbitrary bytes → scenario JSON → validation → the whole model. Nothing may panic: a scenario
//! is either refused with a named field or evaluated to finite numbers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phaseplan_model::cost::catalog::Catalog;
use phaseplan_model::evaluate::evaluate;
use phaseplan_model::scenario::Scenario;

fuzz_target!(|data: &[u8]| {
    let Ok(scenario) = serde_json::from_slice::<Scenario>(data) else {
        return;
    };
    let mut scenario = scenario;
    // Keep each run short: the Monte Carlo's path count is not what is being fuzzed.
    let mut u = scenario
        .uncertainty
        .unwrap_or_else(|| scenario.default_uncertainty());
    u.paths = u.paths.min(200);
    scenario.uncertainty = Some(u);
    let Ok(valid) = scenario.validate() else {
        return;
    };
    let Ok(catalog) = Catalog::built_in() else {
        return;
    };
    let e = evaluate(&valid, &catalog);
    for p in &e.providers {
        assert!(p.tco_usd.is_finite() && p.tco_usd >= 0.0, "{}", p.tco_usd);
    }
});
