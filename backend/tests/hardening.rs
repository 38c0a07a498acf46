#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The server exposed to a network: security headers, the `Host` allowlist, rate limits, the
//! bounded work pool, the live-stream cap, slow and idle clients, the connection cap, and every
//! rejection in the JSON error shape. Each test starts the real server on a free port.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use phaseplan_model::api::{ErrorBody, ErrorCode};
use phaseplan_server::config::Settings;
use phaseplan_server::startup::{Application, StartupError};
use reqwest::StatusCode;

mod common;
use common::wait_healthy;

struct App {
    base: String,
    port: u16,
    client: reqwest::Client,
}

async fn spawn(settings: Settings) -> App {
    let app = Application::build(&Settings {
        port: 0,
        ..settings
    })
    .await
    .expect("build");
    let port = app.port();
    let base = format!("http://127.0.0.1:{port}");
    tokio::spawn(app.run_until_stopped());
    wait_healthy(&base).await;
    App {
        base,
        port,
        client: reqwest::Client::new(),
    }
}

impl App {
    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }
}

async fn json_error(res: reqwest::Response) -> (StatusCode, ErrorBody, reqwest::header::HeaderMap) {
    let status = res.status();
    let headers = res.headers().clone();
    let ct = headers["content-type"].to_str().unwrap().to_owned();
    assert!(
        ct.starts_with("application/json"),
        "{status}: content-type {ct}"
    );
    (status, res.json().await.unwrap(), headers)
}

/// A scenario whose evaluation takes a while: 120 months × 10,000 Monte Carlo paths.
fn heavy_scenario() -> String {
    let mut s = serde_json::to_value(phaseplan_model::presets::default_preset().scenario).unwrap();
    s["growth"]["horizon_months"] = 120.into();
    s["uncertainty"] = serde_json::json!({
        "growth_rate": {"kind": "normal", "mean": 0.05, "sd": 0.02},
        "demand": {"kind": "triangular", "min": 0.85, "mode": 1.0, "max": 1.25},
        "paths": 10000,
        "seed": 7
    });
    s.to_string()
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let dir = common::scratch("csp");
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><script src=\"/e.js\"></script><script type=\"module\">init();</script>",
    )
    .unwrap();
    let app = spawn(Settings {
        static_dir: Some(dir),
        ..Settings::default()
    })
    .await;
    let page = app.get("/costs").await;
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    // echo -n "init();" | openssl dgst -sha256 -binary | base64
    assert!(
        csp.contains("'sha256-GEnM5q1nYY/iACnyMTdov+tNp9OFcBnnDgNXUXaVNXc='")
            && csp.contains("'wasm-unsafe-eval'")
            && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    for path in ["/api/v1/health", "/api/v1/nope", "/costs"] {
        let res = app.get(path).await;
        let h = res.headers();
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h.contains_key("permissions-policy"), "{path}");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(
            !h.contains_key("strict-transport-security"),
            "{path}: not behind TLS"
        );
    }
    let tls = spawn(Settings {
        behind_tls: true,
        ..Settings::default()
    })
    .await;
    let res = tls.get("/api/v1/health").await;
    assert!(
        res.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
}

#[tokio::test]
async fn only_allowed_hosts_are_answered() {
    let app = spawn(Settings::default()).await;
    let with_host = |host: &'static str| {
        app.client
            .get(format!("{}/api/v1/health", app.base))
            .header("host", host)
            .send()
    };
    assert_eq!(with_host("localhost:1234").await.unwrap().status(), 200);
    assert_eq!(with_host("127.0.0.1").await.unwrap().status(), 200);
    // A rebinding page names its own site.
    let (status, body, _) = json_error(with_host("evil.example:8080").await.unwrap()).await;
    assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(body.error.code, ErrorCode::MisdirectedRequest);
    let named = spawn(Settings {
        allowed_hosts: Some(vec!["plan.example.com".to_owned(), "127.0.0.1".to_owned()]),
        ..Settings::default()
    })
    .await;
    let res = named
        .client
        .get(format!("{}/api/v1/health", named.base))
        .header("host", "plan.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = named
        .client
        .get(format!("{}/api/v1/health", named.base))
        .header("host", "localhost")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::MISDIRECTED_REQUEST);
}

#[tokio::test]
async fn a_non_loopback_bind_needs_allowed_hosts_and_bad_settings_are_named() {
    let err = Application::build(&Settings {
        host: "0.0.0.0".parse().unwrap(),
        port: 0,
        ..Settings::default()
    })
    .await
    .unwrap_err();
    assert!(matches!(err, StartupError::Config(_)), "{err}");
    assert!(
        err.to_string()
            .starts_with("configuration: allowed_hosts: must be set"),
        "{err}"
    );
    let mut live = phaseplan_server::config::LiveSettings {
        interval_seconds: 0.01,
        ..Default::default()
    };
    let err = Application::build(&Settings {
        port: 0,
        live: live.clone(),
        ..Settings::default()
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("live.interval_seconds"), "{err}");
    live.interval_seconds = 0.1;
    live.history_hours = 744.0;
    let err = Application::build(&Settings {
        port: 0,
        live,
        ..Settings::default()
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("live.history_hours"), "{err}");
    assert!(err.to_string().contains("at most 600000"), "{err}");
}

#[tokio::test]
async fn a_client_past_its_rate_limit_gets_429_with_retry_after() {
    let app = spawn(Settings {
        rate_limit_per_minute: 2,
        ..Settings::default()
    })
    .await;
    let post = || {
        app.client
            .post(format!("{}/api/v1/phase-fit", app.base))
            .header("content-type", "application/json")
            .body(r#"{"peak_concurrent_users": 1500}"#)
            .send()
    };
    assert_eq!(post().await.unwrap().status(), 200);
    assert_eq!(post().await.unwrap().status(), 200);
    let (status, body, headers) = json_error(post().await.unwrap()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body.error.code, ErrorCode::TooManyRequests);
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    // Reading is not limited.
    for _ in 0..5 {
        let res = app.get("/api/v1/health").await;
        assert_eq!(res.status(), 200);
    }
}

#[tokio::test]
async fn a_full_work_pool_answers_503_instead_of_queueing() {
    let app = spawn(Settings {
        work_threads: Some(1),
        work_queue: 0,
        rate_limit_per_minute: 0,
        ..Settings::default()
    })
    .await;
    let body = heavy_scenario();
    let mut jobs = Vec::new();
    for _ in 0..6 {
        let req = app
            .client
            .post(format!("{}/api/v1/evaluate", app.base))
            .header("content-type", "application/json")
            .body(body.clone());
        jobs.push(tokio::spawn(async move { req.send().await.unwrap() }));
    }
    let mut ok = 0;
    let mut refused = 0;
    for j in jobs {
        let res = j.await.unwrap();
        match res.status() {
            StatusCode::OK => ok += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                let (_, body, headers) = json_error(res).await;
                assert_eq!(body.error.code, ErrorCode::ServiceUnavailable);
                assert!(headers.contains_key("retry-after"));
                refused += 1;
            }
            other => panic!("{other}"),
        }
    }
    assert!(ok >= 1 && refused >= 1, "{ok} answered, {refused} refused");
}

#[tokio::test]
async fn a_response_that_takes_too_long_is_a_json_408() {
    let app = spawn(Settings {
        request_timeout_seconds: 0.1,
        rate_limit_per_minute: 0,
        ..Settings::default()
    })
    .await;
    let res = app
        .client
        .post(format!("{}/api/v1/evaluate", app.base))
        .header("content-type", "application/json")
        .body(heavy_scenario())
        .send()
        .await
        .unwrap();
    let (status, body, _) = json_error(res).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(body.error.code, ErrorCode::RequestTimeout);
}

#[tokio::test]
async fn live_streams_past_the_cap_get_503() {
    let app = spawn(Settings {
        max_sse_subscribers: 1,
        ..Settings::default()
    })
    .await;
    let first = app.get("/api/v1/live/stream").await;
    assert_eq!(first.status(), 200);
    let (status, body, headers) = json_error(app.get("/api/v1/live/stream").await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body.error.code, ErrorCode::ServiceUnavailable);
    assert!(headers.contains_key("retry-after"));
    drop(first);
    // The slot is free again once the first stream is gone.
    let start = Instant::now();
    loop {
        let res = app.get("/api/v1/live/stream").await;
        if res.status() == 200 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{}",
            res.status()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn bad_query_strings_and_methods_are_json_errors_and_add_no_metric_labels() {
    let app = spawn(Settings::default()).await;
    for (query, field) in [
        ("metric=cpu_percent&since=x", "since"),
        ("metric=cpu_percent&since=1e999", "since"),
        ("metric=cpu_percent&colour=red", "colour"),
    ] {
        let res = app.get(&format!("/api/v1/live/history?{query}")).await;
        let (status, body, _) = json_error(res).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(body.error.code, ErrorCode::InvalidInput, "{query}");
        assert_eq!(body.error.field.as_deref(), Some(field), "{query}");
    }
    let brew = reqwest::Method::from_bytes(b"BREW").unwrap();
    let res = app
        .client
        .request(brew, format!("{}/api/v1/health", app.base))
        .send()
        .await
        .unwrap();
    let (status, body, _) = json_error(res).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body.error.code, ErrorCode::MethodNotAllowed);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(!metrics.contains("BREW"), "{metrics}");
    assert!(metrics.contains("method=\"other\""), "{metrics}");
}

/// Opens a TCP connection to the app and sends `bytes`.
fn connect(port: u16, bytes: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    if !bytes.is_empty() {
        s.write_all(bytes).unwrap();
    }
    s
}

/// Whether the server closed the connection (or answered and closed) within the read timeout.
fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_while_the_server_keeps_answering() {
    let app = spawn(Settings {
        header_read_timeout_seconds: 1.0,
        ..Settings::default()
    })
    .await;
    let port = app.port;
    let slow = tokio::task::spawn_blocking(move || {
        (0..300)
            .map(|_| {
                connect(
                    port,
                    b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ",
                )
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    // While they hang, health answers.
    let start = Instant::now();
    let res = app.get("/api/v1/health").await;
    assert_eq!(res.status(), 200);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    // And every slow one is cut after the header-read timeout.
    let cut = tokio::task::spawn_blocking(move || {
        slow.into_iter()
            .map(|mut s| closed_by_server(&mut s))
            .filter(|c| *c)
            .count()
    })
    .await
    .unwrap();
    assert_eq!(cut, 300);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_max_connections_a_connection_gets_503_and_the_rest_are_served() {
    let app = spawn(Settings {
        max_connections: 4,
        ..Settings::default()
    })
    .await;
    let port = app.port;
    // Connections, each with a finished request and kept alive, until the cap answers 503
    // (the health check's own connection may still hold one of the four slots).
    let (held, answer) = tokio::task::spawn_blocking(move || {
        let mut held = Vec::new();
        loop {
            let mut s = connect(
                port,
                b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n",
            );
            let mut buf = [0u8; 2048];
            let n = s.read(&mut buf).unwrap_or(0);
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            if text.starts_with("HTTP/1.1 200") && held.len() < 5 {
                held.push(s);
            } else {
                let mut rest = String::new();
                let _ = s.read_to_string(&mut rest);
                return (held, text + &rest);
            }
        }
    })
    .await
    .unwrap();
    assert!((3..=4).contains(&held.len()), "{} held", held.len());
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: 1"), "{answer}");
    assert!(
        answer.contains("\"code\":\"service_unavailable\""),
        "{answer}"
    );
    drop(held);
    // Once they close, new connections are served again.
    let start = Instant::now();
    loop {
        if let Ok(res) = app
            .client
            .get(format!("{}/api/v1/health", app.base))
            .send()
            .await
            && res.status() == 200
        {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_and_live_streams_are_not() {
    // An idle keep-alive connection waits for its next request's headers: the header-read
    // timeout ends it. A live stream outlives both timeouts.
    let app = spawn(Settings {
        header_read_timeout_seconds: 2.0,
        idle_timeout_seconds: 20.0,
        live: phaseplan_server::config::LiveSettings {
            interval_seconds: 0.5,
            ..Default::default()
        },
        ..Settings::default()
    })
    .await;
    let port = app.port;
    let idle = tokio::task::spawn_blocking(move || {
        let mut s = connect(
            port,
            b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n",
        );
        s.set_read_timeout(Some(Duration::from_secs(40))).unwrap();
        let mut buf = [0u8; 2048];
        let _ = s.read(&mut buf).unwrap();
        let start = Instant::now();
        (closed_by_server(&mut s), start.elapsed())
    });
    // A live stream, read the whole time, next to it.
    let stream = app.get("/api/v1/live/stream").await;
    let reader = tokio::spawn(async move {
        use futures_util::StreamExt;
        let mut body = stream.bytes_stream();
        let mut events = Vec::new();
        while let Ok(Some(Ok(chunk))) =
            tokio::time::timeout(Duration::from_secs(5), body.next()).await
        {
            let n = String::from_utf8_lossy(&chunk)
                .matches("event: update")
                .count();
            events.extend(std::iter::repeat_n(Instant::now(), n));
            if events.len() >= 60 {
                break;
            }
        }
        events
    });
    let (closed, after) = idle.await.unwrap();
    assert!(closed, "the idle connection was closed");
    assert!(
        after >= Duration::from_millis(1_500) && after < Duration::from_secs(25),
        "{after:?}"
    );
    // The stream outlived the idle timeout and kept delivering: 60 updates at 0.5 s take 30 s.
    let events = reader.await.unwrap();
    assert_eq!(events.len(), 60, "the stream ended early");
    assert!(
        events
            .windows(2)
            .all(|w| w[1] - w[0] < Duration::from_secs(5))
    );
}
