//! HTTP load benchmark (issue 12): against a release server on loopback,
//! 1. `/api/v1/health` latency while 64 clients POST heavy evaluations (120-month horizon, 10,000
//!    Monte Carlo paths), three runs, with the server's resident memory after each;
//! 2. evaluations per second and their latency at 16 clients;
//! 3. a slowloris run: thousands of connections that send half a request header, how many the
//!    server cuts and health's latency meanwhile.
//!
//! ```text
//! cargo build --release -p phaseplan-server --example http_load
//! target/release/examples/http_load --seconds 20 --slow 3000
//! ```
//!
//! The clients share the machine with the server (2 cores here), so latencies include their own
//! scheduling. A benchmark, not a test: it prints numbers.

#![allow(clippy::print_stdout)]

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

#[path = "support/mod.rs"]
mod support;
use support::{Server, percentile, rss_kib};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Mutex;

struct Options {
    seconds: u64,
    slow: usize,
    server: String,
}

fn options() -> Result<Options> {
    let mut o = Options {
        seconds: 20,
        slow: 3_000,
        server: "target/release/phaseplan".to_owned(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().context("a value after the flag");
        match a.as_str() {
            "--seconds" => o.seconds = value()?.parse()?,
            "--slow" => o.slow = value()?.parse()?,
            "--server" => o.server = value()?,
            other => bail!("unknown argument {other}; use --seconds S --slow N --server PATH"),
        }
    }
    Ok(o)
}

fn summary(name: &str, mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    format!(
        "{name}: n={} p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms.last().copied().unwrap_or(f64::NAN)
    )
}

fn heavy_scenario() -> Result<String> {
    let mut s = serde_json::to_value(phaseplan_model::presets::default_preset().scenario)?;
    s["growth"]["horizon_months"] = 120.into();
    s["uncertainty"] = serde_json::json!({
        "growth_rate": {"kind": "normal", "mean": 0.05, "sd": 0.02},
        "demand": {"kind": "triangular", "min": 0.85, "mode": 1.0, "max": 1.25},
        "paths": 10000,
        "seed": 7
    });
    Ok(s.to_string())
}

/// `clients` POSTing evaluations for `seconds` while one GETs health every 20 ms. Returns
/// (health latencies, evaluation latencies of 200s, 200 count, 503 count, other count).
async fn evaluate_under_load(
    base: &str,
    clients: usize,
    seconds: u64,
    body: &str,
) -> (Vec<f64>, Vec<f64>, usize, usize, usize) {
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let busy = Arc::new(AtomicUsize::new(0));
    let other = Arc::new(AtomicUsize::new(0));
    let eval_ms = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (stop, ok, busy, other, eval_ms) = (
            Arc::clone(&stop),
            Arc::clone(&ok),
            Arc::clone(&busy),
            Arc::clone(&other),
            Arc::clone(&eval_ms),
        );
        let (url, body) = (format!("{base}/api/v1/evaluate"), body.to_owned());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            while !stop.load(Ordering::Relaxed) {
                let start = Instant::now();
                let res = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status() == 200 => {
                        let _ = r.bytes().await;
                        ok.fetch_add(1, Ordering::Relaxed);
                        eval_ms
                            .lock()
                            .await
                            .push(start.elapsed().as_secs_f64() * 1e3);
                    }
                    Ok(r) if r.status() == 503 => {
                        busy.fetch_add(1, Ordering::Relaxed);
                        // What a well-behaved client does with Retry-After, shortened.
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    _ => {
                        other.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    let health = health_probe(base, Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    let eval = eval_ms.lock().await.clone();
    (
        health,
        eval,
        ok.load(Ordering::Relaxed),
        busy.load(Ordering::Relaxed),
        other.load(Ordering::Relaxed),
    )
}

/// Health latencies, one request every 20 ms for `during`.
async fn health_probe(base: &str, during: Duration) -> Vec<f64> {
    let client = reqwest::Client::new();
    let url = format!("{base}/api/v1/health");
    let end = Instant::now() + during;
    let mut out = Vec::new();
    while Instant::now() < end {
        let start = Instant::now();
        if client
            .get(&url)
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            out.push(start.elapsed().as_secs_f64() * 1e3);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    out
}

#[tokio::main]
async fn main() -> Result<()> {
    let o = options()?;
    let limit = rlimit::increase_nofile_limit(u64::MAX)?;
    println!("open-file limit: {limit}");
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let server = Server(
        Command::new(&o.server)
            .args(["--port", &port.to_string(), "--host", "127.0.0.1"])
            .args(["--rate-limit-per-minute", "0", "--max-connections", "20000"])
            // A database of the benchmark's own.
            .arg("--data-dir")
            .arg(std::env::temp_dir().join(format!("phaseplan-http-load-{}", std::process::id())))
            .env("PHASEPLAN_HEADER_READ_TIMEOUT_SECONDS", "5")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("start {}", o.server))?,
    );
    let pid = server.0.id();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while reqwest::get(format!("{base}/api/v1/health")).await.is_err() {
        if Instant::now() > deadline {
            bail!("the server did not start");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("server RSS at start: {} KiB", rss_kib(pid)?);
    let body = heavy_scenario()?;
    for run in 1..=3 {
        let (health, eval, ok, busy, other) =
            evaluate_under_load(&base, 64, o.seconds, &body).await;
        println!(
            "run {run}, 64 clients, {} s: evaluations {ok} answered, {busy} refused 503, {other} other",
            o.seconds
        );
        println!("  {}", summary("health under load", health));
        println!("  {}", summary("evaluate (200)", eval));
        println!("  server RSS after the run: {} KiB", rss_kib(pid)?);
    }
    let (_, eval, ok, busy, other) = evaluate_under_load(&base, 16, o.seconds, &body).await;
    #[allow(clippy::cast_precision_loss)]
    let rps = ok as f64 / o.seconds as f64;
    println!(
        "16 clients, {} s: {rps:.1} evaluations/s, {busy} refused, {other} other; {}",
        o.seconds,
        summary("evaluate", eval)
    );
    // Slowloris: half a header each, then nothing.
    let mut slow = Vec::new();
    let opened = Instant::now();
    for _ in 0..o.slow {
        match tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            Ok(mut s) => {
                let _ = s
                    .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
                    .await;
                slow.push(s);
            }
            Err(e) => {
                println!("slowloris: connect failed after {}: {e}", slow.len());
                break;
            }
        }
    }
    println!(
        "slowloris: {} connections open in {:.1} s",
        slow.len(),
        opened.elapsed().as_secs_f64()
    );
    let health = health_probe(&base, Duration::from_secs(4)).await;
    println!("  {}", summary("health during slowloris", health));
    // Each is cut by the header-read timeout (5 s here): read until EOF, 15 s at most.
    let cut = Arc::new(AtomicUsize::new(0));
    let waits: Vec<_> = slow
        .into_iter()
        .map(|mut s| {
            let cut = Arc::clone(&cut);
            tokio::spawn(async move {
                let mut buf = [0u8; 256];
                if let Ok(Ok(0)) =
                    tokio::time::timeout(Duration::from_secs(15), s.read(&mut buf)).await
                {
                    cut.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let n = waits.len();
    for w in waits {
        let _ = w.await;
    }
    println!(
        "  cut by the server: {} of {n}, {:.1} s after they opened",
        cut.load(Ordering::Relaxed),
        opened.elapsed().as_secs_f64()
    );
    println!("server RSS at the end: {} KiB", rss_kib(pid)?);
    Ok(())
}
