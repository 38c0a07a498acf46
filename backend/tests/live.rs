#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]
//! Live capacity against real servers started here on loopback: Redis, PostgreSQL and
//! Prometheus. The values the server reads must match what those servers report; a stopped
//! source turns stale (with its error) and recovers; an SSE client receives updates.
//!
//! The servers come from Debian packages that `cargo xtask test` installs (and requires, with
//! `REQUIRE_TEST_TOOLS=require`).

use std::process::Command;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use phaseplan_model::api::{LiveSnapshot, LiveUpdate};
use phaseplan_model::live::{LiveAction, Metric};
use phaseplan_server::config::{LiveSettings, Settings, SourceSettings};
use phaseplan_server::startup::Application;

mod common;
use common::*;

async fn spawn(sources: Vec<SourceSettings>) -> String {
    spawn_with(LiveSettings {
        interval_seconds: 0.2,
        sources,
        ..LiveSettings::default()
    })
    .await
}

async fn spawn_with(live: LiveSettings) -> String {
    let settings = Settings {
        port: 0,
        live,
        ..Settings::default()
    };
    let app = Application::build(&settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    wait_healthy(&base).await;
    base
}

async fn snapshot(base: &str) -> LiveSnapshot {
    reqwest::get(format!("{base}/api/v1/live/snapshot"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Polls the snapshot until `ok` holds (10 s at most), returning the last one either way.
async fn until(base: &str, what: &str, ok: impl Fn(&LiveSnapshot) -> bool) -> LiveSnapshot {
    let start = Instant::now();
    loop {
        let s = snapshot(base).await;
        if ok(&s) {
            return s;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{what}: {s:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn host_metrics_reach_an_sse_client_and_the_server_counts_it() {
    let base = spawn(vec![SourceSettings::Host {
        name: "host".to_owned(),
    }])
    .await;
    let res = reqwest::get(format!("{base}/api/v1/live/stream"))
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut body = res.bytes_stream();
    let mut text = String::new();
    let start = Instant::now();
    while text.matches("event: update").count() < 3 {
        assert!(start.elapsed() < Duration::from_secs(5), "{text}");
        let chunk = tokio::time::timeout(Duration::from_secs(5), body.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    let data = text
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .next_back()
        .unwrap();
    let update: LiveUpdate = serde_json::from_str(data).unwrap();
    let mem = update.snapshot.values[&Metric::MemoryPercent];
    assert!(mem > 0.0 && mem < 100.0, "{mem}");
    assert_eq!(update.analysis.phase_key, "launch");
    assert!(update.analysis.readings.iter().any(|r| r.label == "Memory"));
    assert_ne!(update.analysis.action, LiveAction::NoData);
    // While the stream is open the server counts it.
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("phaseplan_live_subscribers 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("phaseplan_live_source_up{source=\"host\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains(
        "phaseplan_http_requests_total{method=\"GET\",route=\"/api/v1/live/stream\",status=\"200\"}"
    ));
    drop(body);
}

#[tokio::test]
async fn a_new_subscriber_gets_the_state_at_once_even_before_a_sample() {
    // No source at all: no sample will ever come, yet a subscriber learns that at once.
    let base = spawn(Vec::new()).await;
    let res = reqwest::get(format!("{base}/api/v1/live/stream"))
        .await
        .unwrap();
    let mut body = res.bytes_stream();
    let mut text = String::new();
    while !text.contains("\n\n") {
        let chunk = tokio::time::timeout(Duration::from_secs(2), body.next())
            .await
            .expect("the first event comes without waiting for a sample")
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    let data = text.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
    let update: LiveUpdate = serde_json::from_str(data).unwrap();
    assert!(update.snapshot.sources.is_empty());
    assert!(update.snapshot.values.is_empty());
    assert_eq!(update.analysis.action, LiveAction::NoData);
}

/// A private CA and a server certificate it signed for 127.0.0.1 / localhost: `(CA PEM,
/// server certificate PEM, server key PEM)`.
fn private_ca() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Phaseplan test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let server =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = server.signed_by(&key, &ca_cert, &ca_key).unwrap();
    (ca_cert.pem(), cert.pem(), key.serialize_pem())
}

#[tokio::test]
async fn postgres_over_tls_verifies_the_server_certificate() {
    let Some(bin) = postgres_bin() else { return };
    let dir = scratch("live-pg-tls");
    let db = dir.join("db");
    let (ok, out) = run(as_postgres(&bin.join("initdb"))
        .args(["-A", "trust", "-U", "postgres", "-D"])
        .arg(&db));
    assert!(ok, "initdb: {out}");
    // Only TLS connections are let in over TCP: a reading proves the source used TLS.
    std::fs::write(
        db.join("pg_hba.conf"),
        "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
    )
    .unwrap();
    let (ca, cert, key) = private_ca();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca).unwrap();
    std::fs::write(db.join("server.crt"), cert).unwrap();
    std::fs::write(db.join("server.key"), key).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            db.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }
    if is_root() {
        // PostgreSQL reads its key only if it owns it.
        let (ok, out) = run(Command::new("chown")
            .arg("postgres")
            .arg(db.join("server.key"))
            .arg(db.join("server.crt")));
        assert!(ok, "chown: {out}");
    }
    let port = free_port();
    let _pg = start_postgres(&bin, &db, &dir, port, &["max_connections=23", "ssl=on"]);
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres?sslmode=require");
    let plain = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let base = spawn(vec![
        SourceSettings::Postgres {
            name: "tls".to_owned(),
            url: url.clone().into(),
            ca_file: Some(ca_file.clone()),
        },
        // The same server without the private CA: its certificate is not trusted.
        SourceSettings::Postgres {
            name: "untrusted".to_owned(),
            url: url.into(),
            ca_file: None,
        },
        // And without TLS: refused by pg_hba.conf.
        SourceSettings::Postgres {
            name: "plain".to_owned(),
            url: plain.into(),
            ca_file: None,
        },
    ])
    .await;
    let s = until(&base, "all three sampled", |s| {
        s.values.get(&Metric::DbMaxConnections) == Some(&23.0)
            && s.sources[1].error.is_some()
            && s.sources[2].error.is_some()
    })
    .await;
    assert!(s.sources[0].healthy, "{:?}", s.sources[0]);
    // The API says what kind of failure it is, with the source's name; the driver's words
    // ("UnknownIssuer", "no pg_hba.conf entry") stay in the log.
    let untrusted = s.sources[1].error.as_deref().unwrap();
    assert_eq!(
        untrusted,
        "untrusted: TLS failed: the server's certificate is not trusted"
    );
    let plain = s.sources[2].error.as_deref().unwrap();
    assert_eq!(
        plain,
        "plain: the server refused the connection or the login"
    );
}

fn redis_info(port: u16) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    s.write_all(b"INFO memory\r\n").unwrap();
    let mut out = String::new();
    let mut buf = [0u8; 8192];
    while !out.contains("maxmemory_policy") {
        let n = s.read(&mut buf).unwrap();
        out.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    out
}

fn start_redis(redis: &std::path::Path, port: u16) -> Server {
    let dir = scratch(&format!("live-redis-{port}"));
    serve_as(
        "redis",
        Command::new(redis)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory",
                "64mb",
            ])
            .arg("--dir")
            .arg(&dir),
        port,
        Ready::RedisPing,
        Signal::SIGTERM,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn redis_values_match_info_and_a_stopped_server_turns_stale_then_recovers() {
    let Some(redis) = tool("redis-server") else {
        return;
    };
    let port = free_port();
    let server = start_redis(&redis, port);
    let base = spawn(vec![SourceSettings::Redis {
        name: "cache".to_owned(),
        url: format!("redis://127.0.0.1:{port}").into(),
    }])
    .await;
    let s = until(&base, "redis read", |s| {
        s.values.contains_key(&Metric::CacheMemoryBytes)
    })
    .await;
    assert_eq!(s.values[&Metric::CacheMaxMemoryBytes], 67_108_864.0);
    let info = redis_info(port);
    let used: f64 = info
        .lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let read = s.values[&Metric::CacheMemoryBytes];
    assert!(
        (read - used).abs() / used < 0.2,
        "read {read}, INFO says {used}"
    );
    // Stop it: the source turns stale with its error and its values leave the snapshot.
    drop(server);
    let s = until(&base, "stale", |s| {
        s.sources[0].stale && s.sources[0].error.is_some()
    })
    .await;
    assert!(!s.values.contains_key(&Metric::CacheMemoryBytes));
    assert_eq!(s.sources[0].error.as_deref(), Some("cache: cannot connect"));
    // Start it again on the same port: it recovers by itself.
    let _server = start_redis(&redis, port);
    until(&base, "recovered", |s| {
        !s.sources[0].stale && s.values.contains_key(&Metric::CacheMemoryBytes)
    })
    .await;
}

#[tokio::test]
async fn postgres_connections_match_pg_stat_activity() {
    let Some(bin) = postgres_bin() else { return };
    let dir = scratch("live-pg");
    let (ok, out) = run(as_postgres(&bin.join("initdb"))
        .args(["-A", "trust", "-U", "postgres", "-D"])
        .arg(dir.join("db")));
    assert!(ok, "initdb: {out}");
    let port = free_port();
    let _pg = start_postgres(&bin, &dir.join("db"), &dir, port, &["max_connections=37"]);
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    // Hold five connections.
    let mut held = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let (client, conn) = loop {
            match tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
                Ok(c) => break c,
                Err(e) => {
                    assert!(start.elapsed() < Duration::from_secs(10), "{e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        tokio::spawn(conn);
        held.push(client);
    }
    let base = spawn(vec![SourceSettings::Postgres {
        ca_file: None,
        name: "db".to_owned(),
        url: url.clone().into(),
    }])
    .await;
    let s = until(&base, "postgres read", |s| {
        s.values.contains_key(&Metric::DbConnections)
    })
    .await;
    assert_eq!(s.values[&Metric::DbMaxConnections], 37.0);
    // What PostgreSQL itself says: the five held connections (this query runs on one of them).
    let count: i64 = held[0]
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    #[allow(clippy::cast_precision_loss)]
    let pg_says = count as f64;
    assert_eq!(pg_says, 5.0);
    // The source leaves its own short-lived connection out: it reads the same number.
    let s = until(&base, "5 connections", |s| {
        s.values.get(&Metric::DbConnections) == Some(&pg_says)
    })
    .await;
    let a: phaseplan_model::live::LiveAnalysis =
        reqwest::get(format!("{base}/api/v1/live/analysis"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let db = a
        .readings
        .iter()
        .find(|r| r.label == "Database connections")
        .unwrap();
    assert!(
        (db.utilisation_percent - 100.0 * 5.0 / 37.0).abs() < 1e-9,
        "{db:?} {s:?}"
    );
    drop(held);
}

/// A Prometheus scraping itself every second, on a free port: its guard and its URL.
fn start_prometheus(name: &str) -> Option<(Server, String)> {
    common::prometheus_in(
        &scratch(name),
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n",
    )
}

#[tokio::test]
async fn prometheus_queries_read_what_prometheus_answers() {
    let Some((_prom, api)) = start_prometheus("live-prom") else {
        return;
    };
    let base = spawn(vec![SourceSettings::Prometheus {
        ca_file: None,
        name: "prometheus".to_owned(),
        url: api.clone().into(),
        queries: [
            (
                "concurrent_users".to_owned(),
                "sum(up{job=\"self\"}) * 1000".to_owned(),
            ),
            (
                "websocket_connections".to_owned(),
                "count(prometheus_build_info) * 250".to_owned(),
            ),
        ]
        .into(),
    }])
    .await;
    // Once Prometheus has scraped itself: 1 target up → 1,000 "users"; one build → 250.
    let s = until(&base, "prometheus read", |s| {
        s.values.get(&Metric::ConcurrentUsers) == Some(&1_000.0)
    })
    .await;
    assert_eq!(s.values[&Metric::WebsocketConnections], 250.0);
    // The default node_exporter queries find nothing here: skipped, not an error.
    assert!(s.sources[0].healthy && s.sources[0].error.is_none());
    assert!(!s.values.contains_key(&Metric::CpuPercent));
    // What Prometheus itself answers for the same query.
    let direct: serde_json::Value = reqwest::Client::new()
        .get(format!("{api}/api/v1/query"))
        .query(&[("query", "sum(up{job=\"self\"}) * 1000")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(direct["data"]["result"][0]["value"][1], "1000");
    // A query Prometheus refuses makes the source stale, naming the metric.
    let bad = spawn(vec![SourceSettings::Prometheus {
        ca_file: None,
        name: "broken".to_owned(),
        url: api.into(),
        queries: [("cpu_percent".to_owned(), "sum(".to_owned())].into(),
    }])
    .await;
    let s = until(&bad, "bad query", |s| s.sources[0].error.is_some()).await;
    assert_eq!(
        s.sources[0].error.as_deref(),
        Some("broken: the query for cpu_percent was refused")
    );
}

#[tokio::test]
async fn a_new_server_backfills_its_history_from_prometheus() {
    let Some((_prom, api)) = start_prometheus("live-prom-backfill") else {
        return;
    };
    // A series that changes with every scrape: samples Prometheus has appended so far.
    let query = "sum(prometheus_tsdb_head_samples_appended_total)";
    let client = reqwest::Client::new();
    // Prometheus's value of the query at `time` (now when `None`), or why there is none yet:
    // an answer is read only once it is a JSON success, never unwrapped as the first one.
    let instant = |time: Option<f64>| {
        let mut q = vec![("query", query.to_owned())];
        if let Some(t) = time {
            q.push(("time", format!("{t:.3}")));
        }
        let req = client.get(format!("{api}/api/v1/query")).query(&q);
        async move {
            let res = req.send().await.map_err(|e| e.to_string())?;
            let status = res.status();
            let text = res.text().await.map_err(|e| e.to_string())?;
            let v: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| format!("{status}: not JSON ({e}): {text:.200}"))?;
            v["data"]["result"][0]["value"][1]
                .as_str()
                .and_then(|s| s.parse::<f64>().ok())
                .ok_or_else(|| format!("{status}: no value yet: {text:.200}"))
        }
    };
    // Let Prometheus hold a few seconds of its own history first.
    let start = Instant::now();
    while let Err(e) = instant(None).await {
        assert!(
            start.elapsed() < READY_WITHIN,
            "Prometheus has not scraped itself within {READY_WITHIN:?}: {e}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    let started = now_unix();
    let base = spawn_with(LiveSettings {
        interval_seconds: 0.5,
        history_hours: 0.02,
        sources: vec![SourceSettings::Prometheus {
            ca_file: None,
            name: "prometheus".to_owned(),
            url: api.clone().into(),
            queries: [("concurrent_users".to_owned(), query.to_owned())].into(),
        }],
        ..LiveSettings::default()
    })
    .await;
    let history = |base: String| async move {
        let h: serde_json::Value = reqwest::get(format!(
            "{base}/api/v1/live/history?metric=concurrent_users"
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        serde_json::from_value::<Vec<(f64, f64)>>(h["points"].clone()).unwrap()
    };
    let mut points = history(base.clone()).await;
    let start = Instant::now();
    while points.iter().filter(|(t, _)| *t < started).count() < 3 {
        assert!(start.elapsed() < Duration::from_secs(10), "{points:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
        points = history(base.clone()).await;
    }
    // Points from before this server started, at the sampling interval, rising, oldest first…
    let before: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(t, _)| *t < started)
        .collect();
    assert!(points.windows(2).all(|w| w[0].0 < w[1].0), "{points:?}");
    assert!(
        before
            .windows(2)
            .all(|w| (w[1].0 - w[0].0 - 0.5).abs() < 1e-6)
    );
    assert!(before.last().unwrap().1 > before[0].1, "{before:?}");
    // …each the value Prometheus gives for that instant.
    for (t, v) in [before[0], before[before.len() / 2], *before.last().unwrap()] {
        assert_eq!(instant(Some(t)).await, Ok(v), "at {t}");
    }
}

fn now_unix() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

#[tokio::test]
async fn bad_history_queries_are_422_naming_the_field() {
    let base = spawn(vec![SourceSettings::Host {
        name: "host".to_owned(),
    }])
    .await;
    let res = reqwest::get(format!("{base}/api/v1/live/history?metric=temperature"))
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "metric");
    until(&base, "a sample", |s| {
        s.values.contains_key(&Metric::MemoryPercent)
    })
    .await;
    let h: phaseplan_model::api::LiveHistory = reqwest::get(format!(
        "{base}/api/v1/live/history?metric=memory_percent&since=0"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert!(!h.points.is_empty());
    assert!(h.points.windows(2).all(|w| w[0].0 <= w[1].0));
}

/// The exporters' series a platform of `users(t)` makes: 8 requests per user per minute of
/// 40 ms each, 3 queries of 2.5 ms per request, 0.5 MiB of cache and a WebSocket for a quarter
/// of the users, every 15 s from `first` to `last` (unix seconds), as OpenMetrics text.
fn platform_series(first: u64, last: u64, users: impl Fn(u64) -> f64) -> String {
    let steps: Vec<u64> = (first..=last).step_by(15).collect();
    let mut out = String::new();
    let mut family = |name: &str, kind: &str, line: &dyn Fn(u64, f64) -> String| {
        out.push_str(&format!("# TYPE {name} {kind}\n"));
        let mut requests = 0.0;
        for &t in &steps {
            requests += users(t) * 8.0 / 60.0 * 15.0;
            out.push_str(&line(t, requests));
        }
    };
    family("app_concurrent_users", "gauge", &|t, _| {
        format!("app_concurrent_users {:.3} {t}\n", users(t))
    });
    family("app_websocket_connections", "gauge", &|t, _| {
        format!("app_websocket_connections {:.3} {t}\n", users(t) * 0.25)
    });
    family("redis_memory_used_bytes", "gauge", &|t, _| {
        format!(
            "redis_memory_used_bytes {:.0} {t}\n",
            users(t) * 0.5 * 1_048_576.0
        )
    });
    family("http_requests", "counter", &|t, n| {
        format!("http_requests_total {n:.3} {t}\n")
    });
    family("http_request_duration_seconds", "histogram", &|t, n| {
        format!(
            "http_request_duration_seconds_bucket{{le=\"+Inf\"}} {n:.3} {t}\n\
             http_request_duration_seconds_sum {:.4} {t}\n\
             http_request_duration_seconds_count {n:.3} {t}\n",
            n * 0.040
        )
    });
    family("pg_stat_statements_calls", "counter", &|t, n| {
        format!("pg_stat_statements_calls_total {:.3} {t}\n", n * 3.0)
    });
    family("pg_stat_statements_seconds", "counter", &|t, n| {
        format!(
            "pg_stat_statements_seconds_total {:.5} {t}\n",
            n * 3.0 * 0.0025
        )
    });
    out.push_str("# EOF\n");
    out
}

#[tokio::test]
async fn calibration_recovers_the_rates_prometheus_serves() {
    // Ninety minutes of a platform whose users swing 300 – 500 over half an hour, written as
    // TSDB blocks a real Prometheus serves through the exporters' default queries (and on for
    // the test's length).
    let now = now_unix() as u64;
    let first = now - 90 * 60;
    let users = |t: u64| {
        let phase = (t - first) as f64 / 1_800.0 * std::f64::consts::TAU;
        400.0 + 100.0 * phase.sin()
    };
    let series = platform_series(first, now + 1_200, users);
    let Some((_prom, api)) = prometheus_holding("live-calibration-prom", &series) else {
        return;
    };
    let base = spawn_with(LiveSettings {
        interval_seconds: 5.0,
        history_hours: 2.0,
        sources: vec![SourceSettings::Prometheus {
            ca_file: None,
            name: "prometheus".to_owned(),
            url: api.clone().into(),
            queries: Default::default(),
        }],
        ..LiveSettings::default()
    })
    .await;
    // The server backfills from Prometheus on start; until it has, the answer says what is
    // missing (a 422, never a guess).
    let start = Instant::now();
    let report = loop {
        let (status, body) = call(&base, "GET", "/api/v1/live/calibration?window=1h", None).await;
        if status == reqwest::StatusCode::OK
            && body["calibration"]["estimates"]
                .as_array()
                .is_some_and(|e| e.len() >= 6)
        {
            break body;
        }
        if status == reqwest::StatusCode::UNPROCESSABLE_ENTITY {
            assert_eq!(body["error"]["code"], "insufficient_data", "{body}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(45),
            "no calibration within 45 s: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let c = &report["calibration"];
    let estimate = |input: &str| {
        c["estimates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["input"] == input)
            .unwrap_or_else(|| panic!("no {input}: {c}"))
            .clone()
    };
    for (input, truth, tolerance) in [
        ("requests_per_user_per_minute", 8.0, 0.03),
        ("service_time_ms", 40.0 - 3.0 * 2.5, 0.01),
        ("db_queries_per_request", 3.0, 0.01),
        ("db_query_time_ms", 2.5, 0.01),
        ("cache_mib_per_user", 0.5, 0.01),
        ("websocket_share", 0.25, 0.01),
    ] {
        let e = estimate(input);
        let v = e["value"].as_f64().unwrap();
        assert!(
            (v - truth).abs() <= tolerance * truth,
            "{input}: {v} against {truth}: {e}"
        );
        let lo = e["interval"][0].as_f64().unwrap();
        let hi = e["interval"][1].as_f64().unwrap();
        assert!(lo <= v && v <= hi, "{input}: {e}");
        assert!(e["samples"].as_u64().unwrap() >= 300, "{input}: {e}");
        assert_eq!(e["field"], format!("workload.{input}"));
        assert!(e["before"].is_number());
    }
    // An hour has no daily peak: said, not guessed.
    let missing = c["missing"].as_array().unwrap();
    assert!(
        missing.iter().any(|m| m["input"] == "peak_to_average"),
        "{c}"
    );
    // Little's law points: 320 ms in flight per 8 req/s… their fit is reported or refused.
    assert!(c["points"].as_array().unwrap().len() >= 3, "{c}");
    assert!(c["usl"].is_object() || c["usl_refused"].is_string(), "{c}");
    // What it changes: one limit per phase of the live plan, the cost before and after.
    let impact = &report["impact"];
    assert_eq!(impact["limits"].as_array().unwrap().len(), 4, "{impact}");
    assert!(impact["tco_usd"][1].as_f64().unwrap() > 0.0);
    // A day from 2 h of history: the span named.
    let (status, body) = call(&base, "GET", "/api/v1/live/calibration?window=24h", None).await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "insufficient_data");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("of the 24h window"),
        "{body}"
    );
    let (status, body) = call(&base, "GET", "/api/v1/live/calibration?window=2h", None).await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "window");
}
