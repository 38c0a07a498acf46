//! Every load-test format read from a real-format file: hey, wrk and Locust output made by
//! running those tools against the Phaseplan server; k6 and JMeter files written to their
//! documented formats by `fixtures/measurements/make_written.py` (a system of known USL
//! coefficients). Damaged copies of each are refused naming the line.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use phaseplan_model::capacity::usl::UslFit;
use phaseplan_model::measurements::parse::{Format, Options, ParseError, Parsed, parse};

/// The fixtures compiled in, so these tests run in the browser's wasm too (where the parsers
/// run for the Scenario page).
fn fixture(name: &str) -> String {
    match name {
        "hey.txt" => include_str!("fixtures/measurements/hey.txt"),
        "wrk.txt" => include_str!("fixtures/measurements/wrk.txt"),
        "locust_stats.csv" => include_str!("fixtures/measurements/locust_stats.csv"),
        "locust_stats_history.csv" => {
            include_str!("fixtures/measurements/locust_stats_history.csv")
        }
        "k6.csv" => include_str!("fixtures/measurements/k6.csv"),
        "k6-summary.json" => include_str!("fixtures/measurements/k6-summary.json"),
        "jmeter.jtl" => include_str!("fixtures/measurements/jmeter.jtl"),
        other => panic!("no fixture {other}"),
    }
    .to_owned()
}

fn read(format: Format, name: &str) -> Parsed {
    let text = fixture(name);
    assert_eq!(Format::detect(name, &text), Some(format), "{name}");
    parse(format, &text, &Options::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn concurrencies(p: &Parsed) -> Vec<f64> {
    p.points.iter().map(|p| p.concurrency).collect()
}

/// The USL the written fixtures were made from.
fn usl(n: f64) -> f64 {
    2.0 * n / (1.0 + 0.05 * (n - 1.0) + 0.002 * n * (n - 1.0))
}

#[test]
fn hey_runs_take_their_concurrency_from_the_command_line_above_them() {
    let p = read(Format::Hey, "hey.txt");
    assert_eq!(concurrencies(&p), [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]);
    assert_eq!(p.points[0].throughput, 4341.0824);
    assert_eq!(p.points[5].throughput, 15319.4437);
    assert!((p.points[0].latency_ms.unwrap() - 0.2).abs() < 1e-9);
    let pc = p.points[0].latency_percentiles_ms.unwrap();
    assert!((pc.p50.unwrap() - 0.2).abs() < 1e-9 && (pc.p99.unwrap() - 0.5).abs() < 1e-9);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn wrk_runs_are_read_with_their_connections_and_latency() {
    let p = read(Format::Wrk, "wrk.txt");
    assert_eq!(concurrencies(&p), [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]);
    assert_eq!(p.points[0].throughput, 14099.66);
    assert!((p.points[0].latency_ms.unwrap() - 0.08223).abs() < 1e-12);
    assert_eq!(p.points[0].latency_percentiles_ms.unwrap().p99, Some(0.348));
}

#[test]
fn a_locust_history_gives_one_point_per_user_count() {
    let p = read(Format::Locust, "locust_stats_history.csv");
    assert_eq!(concurrencies(&p), [1.0, 2.0, 4.0, 8.0]);
    // The first level read independently: Δ total requests over Δ time of its first and last rows.
    let text = fixture("locust_stats_history.csv");
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let ones: Vec<&Vec<&str>> = rows.iter().filter(|r| r[1] == "1").collect();
    let (first, last) = (ones[0], ones[ones.len() - 1]);
    let f = |r: &Vec<&str>, i: usize| r[i].parse::<f64>().unwrap();
    let expected = (f(last, 17) - f(first, 17)) / (f(last, 0) - f(first, 0));
    assert!((p.points[0].throughput - expected).abs() < 1e-9, "{p:?}");
    assert!(
        p.points
            .iter()
            .all(|x| x.latency_ms.is_some_and(|l| l > 0.0)),
        "{p:?}"
    );
    // The totals table holds no user count: it must be given.
    let totals = fixture("locust_stats.csv");
    let e = parse(Format::Locust, &totals, &Options::default()).unwrap_err();
    assert!(e.to_string().contains("concurrency=N"), "{e}");
    let given = parse(
        Format::Locust,
        &totals,
        &Options {
            concurrency: Some(8.0),
        },
    )
    .unwrap();
    assert_eq!(given.points[0].throughput, 7032.841794652184);
    assert_eq!(given.points[0].concurrency, 8.0);
}

#[test]
fn a_k6_summary_is_one_run() {
    let p = read(Format::K6Json, "k6-summary.json");
    assert_eq!(concurrencies(&p), [20.0]);
    assert!((p.points[0].throughput - usl(20.0)).abs() < 1e-5);
    assert_eq!(p.points[0].latency_percentiles_ms.unwrap().p95, Some(880.1));
}

#[test]
fn a_ramping_k6_csv_gives_its_levels_and_leaves_out_the_ramps() {
    let p = read(Format::K6Csv, "k6.csv");
    assert_eq!(concurrencies(&p), [5.0, 10.0, 20.0]);
    for x in &p.points {
        assert!(
            (x.throughput / usl(x.concurrency) - 1.0).abs() < 0.05,
            "{x:?}"
        );
    }
    assert_eq!(p.warnings.len(), 2, "{:?}", p.warnings);
    assert!(
        p.warnings[0].starts_with("7 virtual users held for 1.0 s only"),
        "{:?}",
        p.warnings
    );
    // The three levels determine the curve the file was made from, near enough.
    let xy: Vec<(f64, f64)> = p
        .points
        .iter()
        .map(|x| (x.concurrency, x.throughput))
        .collect();
    let fit = UslFit::fit(&xy).unwrap();
    assert!((fit.usl.lambda / 2.0 - 1.0).abs() < 0.15, "{fit:?}");
}

#[test]
fn a_stepped_jmeter_jtl_gives_one_point_per_thread_count() {
    let p = read(Format::Jmeter, "jmeter.jtl");
    assert_eq!(concurrencies(&p), [2.0, 4.0, 8.0]);
    for x in &p.points {
        assert!(
            (x.throughput / usl(x.concurrency) - 1.0).abs() < 0.15,
            "{x:?}"
        );
        assert!(x.latency_ms.is_some());
    }
    assert!(
        p.warnings.iter().any(|w| w.contains("failed")),
        "{:?}",
        p.warnings
    );
}

fn damaged(format: Format, name: &str, damage: impl Fn(&str) -> String) -> ParseError {
    let text = damage(&fixture(name));
    parse(format, &text, &Options::default()).expect_err(name)
}

/// Line `n` (from 1) replaced.
fn with_line(text: &str, n: usize, new: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == n { new } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn damaged_files_are_refused_naming_the_line() {
    let e = damaged(Format::K6Json, "k6-summary.json", |t| {
        t[..t.len() / 2].to_owned()
    });
    assert!(
        e.line.is_some() && e.to_string().contains("not JSON"),
        "{e}"
    );
    let e = damaged(Format::K6Csv, "k6.csv", |t| {
        with_line(t, 40, "http_reqs,1796140801,lots,,,,")
    });
    assert_eq!(e.to_string(), "line 40: http_reqs \"lots\" is not a number");
    let e = damaged(Format::Jmeter, "jmeter.jtl", |t| {
        with_line(t, 12, "1796140801000,\"500")
    });
    assert_eq!(e.line, Some(12), "{e}");
    let e = damaged(Format::Wrk, "wrk.txt", |t| {
        t.replacen("Requests/sec:  14099.66", "", 1)
    });
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.to_string().contains("no \"Requests/sec:\" line"), "{e}");
    let e = damaged(Format::Hey, "hey.txt", |t| {
        t.replacen("$ hey -z 2s -c 1 ", "$ ", 1)
    });
    assert_eq!(e.line, Some(3), "{e}");
    let e = damaged(Format::Locust, "locust_stats_history.csv", |t| {
        with_line(t, 5, "1796154274,x,,Aggregated")
    });
    assert_eq!(e.to_string(), "line 5: User Count \"x\" is not a number");
    // The wrong format for a file says what it expected.
    let e = parse(Format::Wrk, &fixture("hey.txt"), &Options::default()).unwrap_err();
    assert!(e.to_string().contains("not wrk's output"), "{e}");
    let e = parse(Format::Csv, &fixture("k6.csv"), &Options::default()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("line 1: no column \"concurrency\""),
        "{e}"
    );
    assert_eq!(
        parse(Format::Csv, " \n", &Options::default())
            .unwrap_err()
            .to_string(),
        "the file is empty"
    );
}
