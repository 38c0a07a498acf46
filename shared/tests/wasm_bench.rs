//! The full-evaluation benchmark as wasm32 in headless Chromium: `cargo xtask bench` runs it
//! (it is ignored by the normal test run, since a benchmark is not a pass/fail test). It prints
//! the median and p95 of 30 evaluations of the ride-hailing preset, after 5 warm-up runs.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use phaseplan_model::cost::catalog::Catalog;
use phaseplan_model::evaluate::evaluate;
use phaseplan_model::presets::preset;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| {
            let now = js_sys::Reflect::get(&p, &"now".into()).ok()?;
            js_sys::Function::from(now).call0(&p).ok()?.as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
}

#[wasm_bindgen_test]
#[ignore = "benchmark: run by `cargo xtask bench`"]
fn bench_full_evaluation() {
    let catalog = Catalog::built_in().unwrap();
    let s = preset("ride-hailing").unwrap().scenario.validate().unwrap();
    for _ in 0..5 {
        std::hint::black_box(evaluate(&s, &catalog));
    }
    let mut times: Vec<f64> = (0..30)
        .map(|_| {
            let start = now_ms();
            std::hint::black_box(evaluate(&s, &catalog));
            now_ms() - start
        })
        .collect();
    times.sort_by(f64::total_cmp);
    console_log!(
        "BENCH wasm32 full evaluation of a preset (10,000 paths): median {:.2} ms, p95 {:.2} ms, min {:.2} ms",
        times[15],
        times[28],
        times[0]
    );
}
