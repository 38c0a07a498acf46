//! Benchmarks of the model's hot paths (`cargo bench -p phaseplan-model`). Targets live here, not
//! in timed tests: the full evaluation of a preset must take ≤ 5 ms natively.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use phaseplan_model::PhaseLadder;
use phaseplan_model::bundle::archive::{self, Format};
use phaseplan_model::bundle::generate;
use phaseplan_model::capacity::queueing::servers_for;
use phaseplan_model::capacity::usl::{Usl, UslFit};
use phaseplan_model::cost::catalog::{Catalog, ProviderId};
use phaseplan_model::evaluate::evaluate;
use phaseplan_model::live::{Metric, Observations, Series, analyse, utilisation_history};
use phaseplan_model::measurements::parse::{self as measurements, Options};
use phaseplan_model::presets::preset;
use phaseplan_model::scenario::Scenario;
use phaseplan_model::timeline::phase_timeline;
use phaseplan_model::uncertainty::{Spread, UncertaintyInput, simulate};

fn scenario() -> Scenario {
    let phases = serde_json::to_value(PhaseLadder::seed().phases()).unwrap();
    serde_json::from_value(serde_json::json!({
        "format_version": 1,
        "name": "bench",
        "workload": {
            "peak_concurrent_users": 1500.0, "requests_per_user_per_minute": 6.0,
            "service_time_ms": 20.0, "db_queries_per_request": 3.0, "db_read_share": 0.8,
            "db_query_time_ms": 4.0, "cache_mib_per_user": 0.1, "websocket_share": 0.25,
            "egress_gb_per_user_month": 0.5, "peak_to_average": 3.0
        },
        "growth": {
            "monthly_rate": 0.08, "seasonality": [1.0, 0.9, 0.95, 1.0, 1.0, 1.05, 1.1, 1.1, 1.0, 1.0, 1.2, 1.4],
            "start_month": 1, "start_year": 2027, "horizon_months": 36
        },
        "phases": phases,
        "pricing": { "provider": "aws", "commit_1y_share": 0.3, "commit_3y_share": 0.0, "spot_share": 0.2 }
    }))
    .unwrap()
}

fn benches(c: &mut Criterion) {
    let valid = scenario().validate().unwrap();
    c.bench_function("validate scenario", |b| {
        b.iter(|| black_box(scenario()).validate().unwrap())
    });
    c.bench_function("phase timeline, 36 months", |b| {
        b.iter(|| phase_timeline(black_box(&valid)))
    });
    let mc = UncertaintyInput {
        growth_rate: Spread::Normal {
            mean: 0.08,
            sd: 0.03,
        },
        demand: Spread::Triangular {
            min: 0.8,
            mode: 1.0,
            max: 1.3,
        },
        paths: 10_000,
        seed: 42,
    };
    c.bench_function("monte carlo, 10,000 paths x 36 months", |b| {
        b.iter(|| simulate(black_box(&valid), black_box(&mc)))
    });
    let points: Vec<(f64, f64)> = (1..=32)
        .map(|n| {
            let n = f64::from(n);
            (
                n,
                955.0 * n / (1.0 + 0.02 * (n - 1.0) + 0.0003 * n * (n - 1.0)),
            )
        })
        .collect();
    c.bench_function("USL fit, 32 points", |b| {
        b.iter(|| Usl::fit(black_box(&points)))
    });
    // 1,000 noisy measurements (±5 %) at 1 to 200: the nonlinear fit with its intervals.
    let mut z: u64 = 0x9e37_79b9_7f4a_7c15;
    let noisy: Vec<(f64, f64)> = (0..1_000)
        .map(|i| {
            z ^= z << 13;
            z ^= z >> 7;
            z ^= z << 17;
            let n = f64::from(i % 200 + 1);
            #[allow(clippy::cast_precision_loss)]
            let e = (z % 10_001) as f64 / 100_000.0 - 0.05;
            let x = 955.0 * n / (1.0 + 0.02 * (n - 1.0) + 0.0003 * n * (n - 1.0));
            (n, x * (1.0 + e))
        })
        .collect();
    c.bench_function("USL nonlinear fit, 1,000 points", |b| {
        b.iter(|| UslFit::fit(black_box(&noisy)))
    });
    // A JMeter JTL of about 100 MB: 8 levels of threads, default columns.
    let mut jtl = String::from(
        "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,\
         failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n",
    );
    let mut i: u64 = 0;
    while jtl.len() < 100_000_000 {
        let threads = 1 << (i / 90_000 % 8);
        jtl.push_str(&format!(
            "{},{},GET /api/v1/health,200,OK,Steps 1-{},text,true,,65,120,{threads},{threads},\
             http://127.0.0.1:8080/api/v1/health,{},0,1\n",
            1_796_140_800_000 + i * 3,
            40 + i % 17,
            i % 64 + 1,
            39 + i % 17
        ));
        i += 1;
    }
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(jtl.len() as u64));
    group.sample_size(10);
    group.bench_function("JMeter JTL, 100 MB", |b| {
        b.iter(|| {
            measurements::parse(
                measurements::Format::Jmeter,
                black_box(&jtl),
                &Options::default(),
            )
        })
    });
    group.finish();
    c.bench_function("Erlang C pool sizing, 400 Erlangs", |b| {
        b.iter(|| servers_for(black_box(400.0), 0.05, 10_000))
    });
    c.bench_function("parse + validate built-in catalog", |b| {
        b.iter(|| Catalog::built_in().unwrap())
    });
    // The target: a preset end to end — 6 providers × 4 phases × 36 months, the advice,
    // the decision matrix, migration and 10,000 Monte Carlo paths with cost percentiles.
    let catalog = Catalog::built_in().unwrap();
    let preset = preset("ride-hailing").unwrap().scenario.validate().unwrap();
    c.bench_function("full evaluation of a preset (10,000 paths)", |b| {
        b.iter(|| evaluate(black_box(&preset), black_box(&catalog)))
    });
    // The same with a p95 ≤ 300 ms objective: one more limit per phase, searched over its
    // instance counts.
    let mut with_objective = preset.scenario().clone();
    with_objective.workload.latency_objective = Some(phaseplan_model::scenario::LatencyObjective {
        percentile: phaseplan_model::scenario::LatencyPercentile::P95,
        ms: 300.0,
    });
    let with_objective = with_objective.validate().unwrap();
    c.bench_function("full evaluation with a p95 objective (10,000 paths)", |b| {
        b.iter(|| evaluate(black_box(&with_objective), black_box(&catalog)))
    });
    // A config bundle, as the Bundles page builds it on each choice and download.
    c.bench_function("bundle: generate growth on AWS", |b| {
        b.iter(|| generate(black_box(&preset), &catalog, "growth", ProviderId::Aws).unwrap())
    });
    let bundle = generate(&preset, &catalog, "growth", ProviderId::Aws).unwrap();
    c.bench_function("bundle: zip it", |b| {
        b.iter(|| archive::write(black_box(&bundle), Format::Zip).unwrap())
    });
    c.bench_function("bundle: tar.gz it", |b| {
        b.iter(|| archive::write(black_box(&bundle), Format::TarGz).unwrap())
    });
    // The live analysis as the server runs it on every sample and the Live page on every
    // update: a full day of history at 5 s (17,280 points) for four metrics.
    let day: Series = [
        Metric::CpuPercent,
        Metric::MemoryPercent,
        Metric::DbConnections,
        Metric::CacheMemoryBytes,
    ]
    .into_iter()
    .map(|m| {
        let points = (0..17_280)
            .map(|i| {
                let t = 1.8e9 + f64::from(i) * 5.0;
                (t, 30.0 + 10.0 * (f64::from(i) / 2_750.0).sin())
            })
            .collect();
        (m, points)
    })
    .collect();
    let latest: Observations = day
        .iter()
        .map(|(m, p): (&Metric, &Vec<(f64, f64)>)| (*m, p[p.len() - 1].1))
        .collect();
    c.bench_function("live: analyse a day of history (4 × 17,280 points)", |b| {
        b.iter(|| analyse(black_box(&preset), 0, &latest, black_box(&day)))
    });
    c.bench_function("live: utilisation history of that day", |b| {
        b.iter(|| utilisation_history(black_box(&preset), 0, black_box(&day)))
    });
    // Calibration over the same day at 5 s: seven metrics of 17,280 points, then what applying
    // it changes (two evaluations of the plan).
    let now = 1_800_000_000.0;
    let users = |i: usize| 400.0 + 100.0 * (i as f64 / 720.0).sin();
    let series: phaseplan_model::live::Series = [
        (Metric::ConcurrentUsers, 1.0),
        (Metric::RequestsPerSecond, 8.0 / 60.0),
        (Metric::RequestDurationSeconds, 0.0),
        (Metric::DbQueriesPerSecond, 0.4),
        (Metric::DbQuerySeconds, 0.0),
        (Metric::CacheMemoryBytes, 524_288.0),
        (Metric::WebsocketConnections, 0.25),
    ]
    .into_iter()
    .map(|(m, per_user)| {
        let points = (0..17_280)
            .map(|i| {
                let t = now - 5.0 * (17_279 - i) as f64;
                let v = match m {
                    Metric::RequestDurationSeconds => 0.040,
                    Metric::DbQuerySeconds => 0.0025,
                    _ => users(i) * per_user,
                };
                (t, v)
            })
            .collect();
        (m, points)
    })
    .collect();
    let catalog = phaseplan_model::cost::catalog::Catalog::built_in().unwrap();
    let window = phaseplan_model::calibration::Window::Hours24;
    c.bench_function("calibration: a day at 5 s (7 × 17,280 points)", |b| {
        b.iter(|| {
            phaseplan_model::calibration::calibrate(
                black_box(&series),
                window,
                now,
                &preset.scenario().workload,
            )
        })
    });
    c.bench_function("calibration report: that day and its impact", |b| {
        b.iter(|| {
            phaseplan_model::calibration::report(black_box(&series), window, now, &preset, &catalog)
        })
    });
}

criterion_group!(model, benches);
criterion_main!(model);
