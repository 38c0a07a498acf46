//! Load benchmark for `GET /api/v1/live/stream`: holds N concurrent Server-Sent-Events
//! subscribers against a release server on loopback and reports what one subscriber costs the
//! server (resident memory) and how late updates arrive (`receipt − sent_at_ms`, p50/p99/max).
//!
//! ```text
//! cargo build --release -p phaseplan-server --example sse_load
//! target/release/examples/sse_load --subscribers 2000 --seconds 30
//! ```
//!
//! It starts `target/release/phaseplan` itself (host source, a sample every second), so the
//! server's memory is its own; the subscribers run in this process on the same 2 cores, so the
//! latencies include the client's own scheduling. A benchmark, not a test: it prints numbers.

// A report on standard output is what this program is for.
#![allow(clippy::print_stdout)]

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

#[path = "support/mod.rs"]
mod support;
use support::{Server, percentile, rss_kib};
use tokio::sync::{Mutex, Semaphore};

struct Options {
    subscribers: usize,
    seconds: u64,
    server: String,
}

fn options() -> Result<Options> {
    let mut o = Options {
        subscribers: 2_000,
        seconds: 30,
        server: "target/release/phaseplan".to_owned(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().context("a value after the flag");
        match a.as_str() {
            "--subscribers" => o.subscribers = value()?.parse()?,
            "--seconds" => o.seconds = value()?.parse()?,
            "--server" => o.server = value()?,
            other => {
                bail!("unknown argument {other}; use --subscribers N --seconds S --server PATH")
            }
        }
    }
    Ok(o)
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1_000.0)
}

/// CPU seconds (user + system) a process has used, from `/proc/<pid>/stat`.
fn cpu_seconds(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit_once(')').context("stat")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11).context("utime")?.parse::<f64>()?
        + fields.get(12).context("stime")?.parse::<f64>()?;
    // USER_HZ is 100 on Linux.
    Ok(ticks / 100.0)
}

/// The `sent_at_ms` of one SSE event's JSON, read without parsing the whole update.
fn sent_at(event: &str) -> Option<f64> {
    let rest = event.split("\"sent_at_ms\":").nth(1)?;
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim().parse().ok()
}

#[tokio::main]
async fn main() -> Result<()> {
    let o = options()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let dir = std::env::temp_dir().join(format!("phaseplan-sse-load-{port}"));
    std::fs::create_dir_all(&dir)?;
    let config = dir.join("phaseplan.toml");
    std::fs::write(
        &config,
        "[live]\ninterval_seconds = 1\nhistory_hours = 1\n\n[[live.sources]]\nkind = \"host\"\n",
    )?;
    let server = Server(
        Command::new(&o.server)
            .args(["-c", &config.to_string_lossy(), "--port", &port.to_string()])
            .args(["--host", "127.0.0.1"])
            .arg("--data-dir")
            .arg(dir.join("data"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("start {}", o.server))?,
    );
    let pid = server.0.id();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while client
        .get(format!("{base}/api/v1/health"))
        .send()
        .await
        .map_or(true, |r| !r.status().is_success())
    {
        if Instant::now() > deadline {
            bail!("the server did not become healthy");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_idle = rss_kib(pid)?;

    let measuring = Arc::new(AtomicBool::new(false));
    let latencies = Arc::new(Mutex::new(Vec::<f64>::with_capacity(
        o.subscribers * usize::try_from(o.seconds)? + 1,
    )));
    let connected = Arc::new(AtomicUsize::new(0));
    let ended = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    // Connections open 100 at a time, as a crowd of browsers would arrive.
    let gate = Arc::new(Semaphore::new(100));
    let started = Instant::now();
    for _ in 0..o.subscribers {
        let (client, url) = (client.clone(), format!("{base}/api/v1/live/stream"));
        let (measuring, latencies) = (Arc::clone(&measuring), Arc::clone(&latencies));
        let (connected, ended, failed, gate) = (
            Arc::clone(&connected),
            Arc::clone(&ended),
            Arc::clone(&failed),
            Arc::clone(&gate),
        );
        tokio::spawn(async move {
            // Held until the stream delivers its first event.
            let mut permit = gate.acquire_owned().await.ok();
            let mut res = match client.get(url).send().await {
                Ok(r) if r.status().is_success() => r,
                _ => {
                    failed.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            };
            let mut buffer = String::new();
            let mut first = true;
            loop {
                match res.chunk().await {
                    Ok(Some(bytes)) => {
                        buffer.push_str(&String::from_utf8_lossy(&bytes));
                        while let Some(end) = buffer.find("\n\n") {
                            let event: String = buffer.drain(..end + 2).collect();
                            if first {
                                first = false;
                                connected.fetch_add(1, Ordering::Relaxed);
                                drop(permit.take());
                            }
                            if let Some(sent) =
                                sent_at(&event).filter(|_| measuring.load(Ordering::Relaxed))
                            {
                                latencies.lock().await.push(now_ms() - sent);
                            }
                        }
                    }
                    _ => {
                        ended.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                }
            }
        });
    }
    while connected.load(Ordering::Relaxed) + failed.load(Ordering::Relaxed) < o.subscribers {
        if started.elapsed() > Duration::from_secs(120) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let connect_time = started.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let gauge = client
        .get(format!("{base}/metrics"))
        .send()
        .await?
        .text()
        .await?
        .lines()
        .find(|l| l.starts_with("phaseplan_live_subscribers "))
        .map(ToOwned::to_owned)
        .unwrap_or_default();
    let rss_loaded = rss_kib(pid)?;
    let cpu_before = cpu_seconds(pid)?;
    measuring.store(true, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(o.seconds)).await;
    measuring.store(false, Ordering::Relaxed);
    let cpu_used = cpu_seconds(pid)? - cpu_before;
    let rss_end = rss_kib(pid)?;

    let mut l = latencies.lock().await.clone();
    l.sort_by(f64::total_cmp);
    let n = o.subscribers;
    #[allow(clippy::cast_precision_loss)]
    let per_subscriber = (rss_loaded.saturating_sub(rss_idle)) as f64 / n.max(1) as f64;
    println!("subscribers requested      {n}");
    println!(
        "connected / failed / ended {} / {} / {}",
        connected.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
        ended.load(Ordering::Relaxed)
    );
    println!(
        "all connected after        {:.1} s",
        connect_time.as_secs_f64()
    );
    println!("server gauge               {gauge}");
    println!(
        "server RSS idle            {:.1} MiB",
        rss_idle as f64 / 1024.0
    );
    println!(
        "server RSS with all        {:.1} MiB (end of run {:.1} MiB)",
        rss_loaded as f64 / 1024.0,
        rss_end as f64 / 1024.0
    );
    println!("memory per subscriber      {per_subscriber:.1} KiB");
    println!(
        "server CPU while streaming {:.1} % of one core",
        100.0 * cpu_used / o.seconds as f64
    );
    println!(
        "updates received           {} in {} s (expected ≈ {})",
        l.len(),
        o.seconds,
        n as u64 * o.seconds
    );
    println!(
        "delivery latency ms        p50 {:.1}  p99 {:.1}  max {:.1}",
        percentile(&l, 0.50),
        percentile(&l, 0.99),
        l.last().copied().unwrap_or(f64::NAN)
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
