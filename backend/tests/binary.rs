//! The real `phaseplan` binary: configuration from flags, start-up, and graceful shutdown on
//! SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A data directory of this test's own, so its server's database is nobody else's.
fn data_dir(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("phaseplan-data-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn starts_on_the_configured_port_and_stops_cleanly_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_phaseplan"))
        .args(["--host", "127.0.0.1", "--port", "0", "--log-format", "json"])
        .arg("--data-dir")
        .arg(data_dir("sigterm"))
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // The first log line with an address says where it listens.
    let addr = lines
        .by_ref()
        .map(|l| l.unwrap())
        .find_map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l).ok()?;
            v["fields"]["addr"].as_str().map(str::to_owned)
        })
        .expect("a listening log line");
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    use std::io::{Read, Write};
    stream
        .write_all(b"GET /api/v1/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.0 200"), "{response}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit}");
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    assert!(
        rest.iter().any(|l| l.contains("shutdown signal received")),
        "{rest:?}"
    );
}

/// Runs the binary with `args` until it exits (it should: start-up fails), returning its exit
/// status and standard error.
fn failed_start(args: &[&str], config: Option<&str>) -> (std::process::ExitStatus, String) {
    let dir = std::env::temp_dir().join(format!("phaseplan-start-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_phaseplan"));
    cmd.arg("--data-dir")
        .arg(data_dir("failed-start"))
        .args(args)
        .current_dir(&dir)
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    if let Some(toml) = config {
        std::fs::write(dir.join("bad.toml"), toml).unwrap();
        cmd.args(["--config", "bad.toml"]);
    }
    let out = cmd.output().unwrap();
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn start_up_errors_say_what_failed() {
    let (status, err) = failed_start(&["--port", "0"], Some("[live]\ninterval_seconds = 0.001\n"));
    assert!(!status.success());
    assert!(err.contains("live.interval_seconds"), "{err}");
    assert!(!err.contains("cannot listen"), "{err}");
    let (status, err) = failed_start(&["--host", "0.0.0.0", "--port", "0"], None);
    assert!(!status.success());
    assert!(err.contains("allowed_hosts: must be set"), "{err}");
    // The port is taken: now it is about listening.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (status, err) = failed_start(&["--port", &port], None);
    assert!(!status.success());
    assert!(
        err.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{err}"
    );
}

/// Every live source with a password in its URL, pointing at nothing: the failures are served,
/// logged (at debug level, everything) and counted, and the password appears nowhere.
#[test]
fn source_credentials_never_reach_a_log_an_error_or_a_response() {
    let closed = || {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (pg, redis, prom) = (closed(), closed(), closed());
    let dir = std::env::temp_dir().join(format!("phaseplan-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("phaseplan.toml"),
        format!(
            "[live]\ninterval_seconds = 0.2\n\
             [[live.sources]]\nkind = \"postgres\"\nurl = \"postgres://monitor:pg-s3cret@127.0.0.1:{pg}/postgres?password=pg-s3cret2\"\n\
             [[live.sources]]\nkind = \"redis\"\nurl = \"redis://:redis-s3cret@127.0.0.1:{redis}\"\n\
             [[live.sources]]\nkind = \"prometheus\"\nurl = \"http://admin:prom-s3cret@127.0.0.1:{prom}?token=prom-t0ken\"\n"
        ),
    )
    .unwrap();
    let log = dir.join("server.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_phaseplan"))
        .args(["--port", "0", "--log-format", "json"])
        .arg("--data-dir")
        .arg(data_dir("redacted"))
        .current_dir(&dir)
        .env("RUST_LOG", "debug")
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(a) = text.lines().find_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            v["fields"]["addr"].as_str().map(str::to_owned)
        }) {
            break a;
        }
        assert!(Instant::now() < deadline, "no listening line: {text}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let get = |path: &str| {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.write_all(format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    // Wait until every source has failed at least twice (state changes and repeats logged).
    let mut served = String::new();
    while Instant::now() < deadline {
        served = get("/api/v1/live/snapshot");
        if served.matches("cannot connect").count() >= 3 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(served.matches("cannot connect").count(), 3, "{served}");
    std::thread::sleep(Duration::from_millis(500));
    served.push_str(&get("/api/v1/live/analysis"));
    served.push_str(&get("/metrics"));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("live source failing"), "{logged}");
    for secret in ["s3cret", "t0ken"] {
        assert!(!served.contains(secret), "served: {served}");
        assert!(!logged.contains(secret), "logged: {logged}");
    }
}
