//! Notifications against the real binary: a local webhook receiver that checks each body's
//! timestamp and HMAC signature and fails on purpose, a Slack-shaped receiver, secrets that
//! never come back, retries with backoff, and — two replicas on one PostgreSQL reading one real
//! Redis — one message when its memory crosses the warning line and one when it recovers, not
//! one per replica or per sample.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::{Ready, Server, call, free_port, prometheus_holding, scratch, serve_as, start, tool};
use hmac::{Hmac, KeyInit, Mac};
use nix::sys::signal::Signal;
use serde_json::{Value, json};
use sha2::Sha256;

/// Alertmanager's webhook payload as its documentation gives it (version 4), with the labels
/// the bundles' alert rules put on a database-connections warning.
const ALERTMANAGER_EXAMPLE: &str = r#"{
  "version": "4",
  "groupKey": "{}:{alertname=\"PhaseplanDbConnectionsWarning\"}",
  "truncatedAlerts": 0,
  "status": "firing",
  "receiver": "phaseplan",
  "groupLabels": {"alertname": "PhaseplanDbConnectionsWarning"},
  "commonLabels": {"alertname": "PhaseplanDbConnectionsWarning", "severity": "warning"},
  "commonAnnotations": {},
  "externalURL": "http://alertmanager:9093",
  "alerts": [{
    "status": "firing",
    "labels": {"alertname": "PhaseplanDbConnectionsWarning", "severity": "warning", "phase": "launch", "platform": "default", "component": "db_connections"},
    "annotations": {"summary": "database connections above 70 % (warning) in phase Launch"},
    "startsAt": "2026-12-01T10:00:00.000Z",
    "endsAt": "0001-01-01T00:00:00Z",
    "generatorURL": "http://prometheus:9090/graph?g0.expr=x",
    "fingerprint": "c4b2b8c4f2a1d0e9"
  }]
}"#;

const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const HOOK_SECRET: &str = "hook-s3cret-for-tests";

/// What a receiver got: `(path, signature valid, body)`.
#[derive(Default)]
struct Inbox {
    got: Mutex<Vec<(String, bool, Value)>>,
    /// Requests still to refuse with a 500.
    fail: AtomicUsize,
}

async fn receive(
    State(inbox): State<Arc<Inbox>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let text = String::from_utf8_lossy(&body).into_owned();
    let ts = headers
        .get("x-phaseplan-timestamp")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let sig = headers
        .get("x-phaseplan-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let valid = ts.is_some_and(|ts| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut mac = Hmac::<Sha256>::new_from_slice(HOOK_SECRET.as_bytes()).unwrap();
        mac.update(format!("{ts}.{text}").as_bytes());
        let want: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        now.abs_diff(ts) < 300 && sig == format!("sha256={want}")
    });
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    inbox
        .got
        .lock()
        .unwrap()
        .push((uri.path().to_owned(), valid, json));
    if uri.path() == "/hook"
        && inbox
            .fail
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

/// A receiver on loopback; its address.
async fn receiver() -> (Arc<Inbox>, SocketAddr) {
    let inbox = Arc::new(Inbox::default());
    let app = axum::Router::new()
        .route("/hook", post(receive))
        .route("/slack", post(receive))
        .with_state(Arc::clone(&inbox));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (inbox, addr)
}

/// Waits up to `within` for `inbox` to hold `n` messages on `path`.
async fn until_received(inbox: &Inbox, path: &str, n: usize, within: Duration) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let got: Vec<Value> = inbox
            .got
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _, _)| p == path)
            .map(|(_, _, b)| b.clone())
            .collect();
        if got.len() >= n {
            return got;
        }
        assert!(
            start.elapsed() < within,
            "{path}: {} of {n} messages after {within:?}: {got:?}",
            got.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn env(data: &std::path::Path) -> Vec<(&'static str, String)> {
    vec![
        ("PHASEPLAN_DATA_DIR", data.display().to_string()),
        ("PHASEPLAN_RATE_LIMIT_PER_MINUTE", "0".to_owned()),
        ("PHASEPLAN_SECRET_KEY", KEY.to_owned()),
        ("PHASEPLAN_NOTIFY_RETRY_SECONDS", "0.2".to_owned()),
        ("PHASEPLAN_NOTIFY_WATCH_SECONDS", "0.2".to_owned()),
        ("RUST_LOG", "debug".to_owned()),
    ]
}

#[tokio::test]
async fn a_signed_webhook_is_retried_until_it_lands_and_no_secret_comes_back() {
    let (inbox, addr) = receiver().await;
    let dir = scratch("notify");
    let mut app = start("notify", &env(&dir.join("data")), &[]);
    let base = app.base.clone();

    // Channels: the secret goes in, never out.
    let (status, hook) = call(
        &base,
        "POST",
        "/api/v1/notifications/channels",
        Some(json!({"kind": "webhook", "name": "ops", "url": format!("http://{addr}/hook"), "secret": HOOK_SECRET})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    assert_eq!(hook["secret"], "inline");
    let hook_id = hook["id"].as_str().unwrap().to_owned();
    let slack_url = format!("http://{addr}/slack");
    let (status, slack) = call(
        &base,
        "POST",
        "/api/v1/notifications/channels",
        Some(json!({"kind": "slack", "name": "#ops", "url": slack_url})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{slack}");
    let slack_id = slack["id"].as_str().unwrap().to_owned();
    let (_, list) = call(&base, "GET", "/api/v1/notifications/channels", None).await;
    let listed = list.to_string();
    assert!(
        !listed.contains(HOOK_SECRET) && !listed.contains("/slack"),
        "{listed}"
    );
    assert_eq!(list["channels"].as_array().unwrap().len(), 2);

    // Bad input names its field.
    for (body, field) in [
        (
            json!({"kind": "webhook", "name": "x", "url": "http://example.com/h", "secret": "s"}),
            "url",
        ),
        (
            json!({"kind": "webhook", "name": "x", "url": "https://example.com/h", "secret": "env:NOT_SET_ANYWHERE_42"}),
            "secret",
        ),
        (
            json!({"kind": "webhook", "name": "x", "url": "https://example.com/h", "secret": "env:PHASEPLAN_SECRET_KEY"}),
            "secret",
        ),
        (
            json!({"kind": "webhook", "name": "x", "url": "https://example.com/h", "secret": "file:/etc/passwd"}),
            "secret",
        ),
        (
            json!({"kind": "email", "name": "x", "host": "smtp.example.com", "from": "a@example.com", "to": []}),
            "to",
        ),
        (
            json!({"kind": "webhook", "name": "a\nb", "url": "https://example.com/h", "secret": "s"}),
            "name",
        ),
    ] {
        let (status, err) = call(
            &base,
            "POST",
            "/api/v1/notifications/channels",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {err}");
        assert_eq!(err["error"]["field"], field, "{body}: {err}");
    }

    // A test message, signed.
    let (status, test) = call(
        &base,
        "POST",
        &format!("/api/v1/notifications/channels/{hook_id}/test"),
        None,
    )
    .await;
    assert_eq!(
        (status, test["sent"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{test}"
    );
    {
        let got = inbox.got.lock().unwrap();
        assert_eq!(got.len(), 1);
        assert!(got[0].1, "the test message's signature checks out");
        assert_eq!(got[0].2["event"]["kind"], "test");
    }

    // A rule on transitions to both channels; the webhook fails twice, then takes it.
    let (status, rule) = call(
        &base,
        "POST",
        "/api/v1/platforms/default/notification-rules",
        Some(json!({"trigger": {"on": "transition"}, "channels": [hook_id, slack_id], "cooldown_minutes": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{rule}");
    let (status, err) = call(
        &base,
        "POST",
        "/api/v1/platforms/default/notification-rules",
        Some(json!({"trigger": {"on": "transition"}, "channels": ["nope"]})),
    )
    .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("channels[0]"))
    );
    inbox.fail.store(2, Ordering::SeqCst);
    let (status, moved) = call(
        &base,
        "POST",
        "/api/v1/platforms/default/transitions",
        Some(json!({"to": "growth", "reason": "notification test"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{moved}");
    let hooks = until_received(&inbox, "/hook", 4, Duration::from_secs(30)).await;
    assert_eq!(
        hooks.len(),
        4,
        "the test message, two refused tries, the one that landed"
    );
    let e = &hooks[3]["event"];
    assert_eq!(e["kind"], "transition");
    assert_eq!(e["platform"], "default");
    assert!(
        e["title"].as_str().unwrap().contains("Launch to Growth"),
        "{e}"
    );
    assert!(
        e["link"]
            .as_str()
            .unwrap()
            .ends_with("/operations?platform=default"),
        "{e}"
    );
    assert!(
        inbox
            .got
            .lock()
            .unwrap()
            .iter()
            .filter(|g| g.0 == "/hook")
            .all(|g| g.1),
        "every try is signed"
    );
    let slack_msgs = until_received(&inbox, "/slack", 1, Duration::from_secs(10)).await;
    assert!(
        slack_msgs[0]["text"]
            .as_str()
            .unwrap()
            .contains("Launch to Growth")
    );
    assert_eq!(slack_msgs[0]["blocks"][0]["type"], "section");

    // The log: the webhook's delivery sent on its third try, Slack's on its first.
    let start = Instant::now();
    let log = loop {
        let (_, log) = call(&base, "GET", "/api/v1/notifications/deliveries", None).await;
        let all_sent = log["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["state"] == "sent");
        if all_sent || start.elapsed() > Duration::from_secs(10) {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let ds = log["deliveries"].as_array().unwrap();
    assert_eq!(ds.len(), 2, "{log}");
    let of = |id: &str| ds.iter().find(|d| d["channel_id"] == id).unwrap();
    assert_eq!(
        (
            of(&hook_id)["attempts"].as_u64(),
            of(&hook_id)["state"].as_str()
        ),
        (Some(3), Some("sent")),
        "{log}"
    );
    assert_eq!(of(&slack_id)["attempts"], 1);
    assert!(!log.to_string().contains(HOOK_SECRET));

    // A receiver that keeps failing: its channel is marked failing after three tries in a row,
    // a channel-failing rule says so through Slack, and Slack's own message is not held up.
    let (status, watch) = call(
        &base,
        "POST",
        "/api/v1/platforms/default/notification-rules",
        Some(json!({"trigger": {"on": "channel_failing"}, "channels": [slack_id], "cooldown_minutes": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{watch}");
    inbox.fail.store(1_000, Ordering::SeqCst);
    let sent = Instant::now();
    // This move goes through the seeds' scaling API: it notifies as the native route does.
    let (status, back) = call(
        &base,
        "POST",
        "/api/scaling/transition/launch?platform=default",
        Some(json!({"reason": "back"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{back}");
    let slack_msgs = until_received(&inbox, "/slack", 2, Duration::from_secs(10)).await;
    assert!(
        slack_msgs[1]["text"]
            .as_str()
            .unwrap()
            .contains("Growth to Launch"),
        "{}",
        slack_msgs[1]
    );
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "Slack waited for the failing webhook"
    );
    let slack_msgs = until_received(&inbox, "/slack", 3, Duration::from_secs(20)).await;
    assert!(
        slack_msgs[2]["text"]
            .as_str()
            .unwrap()
            .contains("Channel ops keeps failing"),
        "{}",
        slack_msgs[2]
    );
    let (_, list) = call(&base, "GET", "/api/v1/notifications/channels", None).await;
    let ops = list["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == hook_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(ops["failing"], true, "{ops}");
    assert!(ops["consecutive_failures"].as_u64().unwrap() >= 3, "{ops}");
    assert_eq!(ops["last_error"], "the receiver answered HTTP 500");
    inbox.fail.store(0, Ordering::SeqCst);
    let (status, _) = call(
        &base,
        "DELETE",
        &format!(
            "/api/v1/platforms/default/notification-rules/{}",
            watch["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Clear Slack's count for what follows: the later checks count from here.
    inbox.got.lock().unwrap().retain(|g| g.0 != "/slack");
    until_received(&inbox, "/hook", 8, Duration::from_secs(30)).await;

    // Alertmanager in: its example payload is filed under the platform, an alert rule sends
    // on news, not on repeats, and a malformed payload is a 4xx naming the field.
    let (status, rule2) = call(
        &base,
        "POST",
        "/api/v1/platforms/default/notification-rules",
        Some(json!({"trigger": {"on": "alert_firing"}, "channels": [slack_id], "cooldown_minutes": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{rule2}");
    let mut payload: Value = serde_json::from_str(ALERTMANAGER_EXAMPLE).unwrap();
    let (status, got) = call(
        &base,
        "POST",
        "/api/v1/alertmanager?platform=default",
        Some(payload.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(
        (
            got["received"].as_u64(),
            got["news"].as_u64(),
            got["firing"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    let (_, st) = call(&base, "GET", "/api/v1/platforms/default/status", None).await;
    assert_eq!(
        st["alerts"][0]["name"], "PhaseplanDbConnectionsWarning",
        "{}",
        st["alerts"]
    );
    assert_eq!(st["alerts"][0]["component"], "db_connections");
    let slack_msgs = until_received(&inbox, "/slack", 1, Duration::from_secs(10)).await;
    assert!(
        slack_msgs[0]["text"]
            .as_str()
            .unwrap()
            .contains("PhaseplanDbConnectionsWarning firing"),
        "{}",
        slack_msgs[1]
    );
    // Alertmanager repeats itself: no second message.
    let (_, again) = call(&base, "POST", "/api/v1/alertmanager", Some(payload.clone())).await;
    assert_eq!(again["news"], 0, "{again}");
    payload["alerts"][0]["status"] = json!("resolved");
    payload["status"] = json!("resolved");
    let (_, resolved) = call(&base, "POST", "/api/v1/alertmanager", Some(payload.clone())).await;
    assert_eq!(
        (resolved["news"].as_u64(), resolved["firing"].as_u64()),
        (Some(1), Some(0)),
        "{resolved}"
    );
    let slack_msgs = until_received(&inbox, "/slack", 2, Duration::from_secs(10)).await;
    assert!(slack_msgs[1]["text"].as_str().unwrap().contains("resolved"));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        inbox
            .got
            .lock()
            .unwrap()
            .iter()
            .filter(|g| g.0 == "/slack")
            .count(),
        2
    );
    payload["alerts"][0]["status"] = json!("pending");
    let (status, err) = call(&base, "POST", "/api/v1/alertmanager", Some(payload.clone())).await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("alerts[0].status")),
        "{err}"
    );
    let (status, err) = call(
        &base,
        "POST",
        "/api/v1/alertmanager",
        Some(json!({"version": "4"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    let (status, err) = call(
        &base,
        "POST",
        "/api/v1/alertmanager?platform=nope",
        Some(serde_json::from_str(ALERTMANAGER_EXAMPLE).unwrap()),
    )
    .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::NOT_FOUND, Some("platform")),
        "{err}"
    );
    let (status, _) = call(
        &base,
        "DELETE",
        &format!(
            "/api/v1/platforms/default/notification-rules/{}",
            rule2["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // A channel a rule names cannot go; the rule first.
    let rule_id = rule["id"].as_str().unwrap();
    let (status, err) = call(
        &base,
        "DELETE",
        &format!("/api/v1/notifications/channels/{hook_id}"),
        None,
    )
    .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::CONFLICT, Some("id")),
        "{err}"
    );
    let (status, _) = call(
        &base,
        "DELETE",
        &format!("/api/v1/platforms/default/notification-rules/{rule_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &base,
        "DELETE",
        &format!("/api/v1/notifications/channels/{hook_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // The secret is in no log line (the server ran at debug).
    app.server.stop();
    let out = app.server.output();
    assert!(
        !out.contains(HOOK_SECRET),
        "the hook secret reached the log"
    );
    assert!(!out.contains(KEY), "the secret key reached the log");
}

fn start_redis(redis: &std::path::Path, port: u16) -> Server {
    let dir = scratch(&format!("notify-redis-{port}"));
    serve_as(
        "redis",
        std::process::Command::new(redis)
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
                "32mb",
                "--enable-debug-command",
                "yes",
            ])
            .arg("--dir")
            .arg(&dir),
        port,
        Ready::RedisPing,
        Signal::SIGTERM,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Sends one Redis command (inline form) and returns its first reply line.
fn redis(port: u16, command: &str) -> String {
    use std::io::{BufRead, BufReader, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(format!("{command}\r\n").as_bytes()).unwrap();
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).unwrap();
    line
}

/// The cache memory reading of the default platform on `base`.
async fn cache_reading(base: &str) -> Option<Value> {
    let (_, s) = call(base, "GET", "/api/v1/platforms/default/status", None).await;
    s["live"]["readings"]
        .as_array()?
        .iter()
        .find(|r| r["component"] == "cache_memory")
        .cloned()
}

#[tokio::test]
async fn two_replicas_send_one_message_per_change_of_a_real_source() {
    let Some(redis_bin) = tool("redis-server") else {
        eprintln!("no Redis here: skipped");
        return;
    };
    let Some((_pg, pg_url)) = common::fresh_postgres("notify-pg") else {
        eprintln!("no PostgreSQL here: skipped");
        return;
    };
    let (inbox, addr) = receiver().await;
    let dir = scratch("notify-pg-app");
    let redis_port = free_port();
    let _redis = start_redis(&redis_bin, redis_port);
    let config = dir.join("phaseplan.toml");
    std::fs::write(
        &config,
        format!(
            "[live]\ninterval_seconds = 0.2\n\n[[live.sources]]\nkind = \"redis\"\nname = \"cache\"\nurl = \"redis://127.0.0.1:{redis_port}\"\n"
        ),
    )
    .unwrap();
    let mut env = env(&dir);
    env.retain(|(k, _)| *k != "PHASEPLAN_DATA_DIR");
    env.push(("PHASEPLAN_DATABASE_URL", pg_url));
    let args = ["--config".to_owned(), config.display().to_string()];
    let a = start("notify-a", &env, &args);
    let b = start("notify-b", &env, &args);

    let (_, hook) = call(
        &a.base,
        "POST",
        "/api/v1/notifications/channels",
        Some(json!({"kind": "webhook", "name": "ops", "url": format!("http://{addr}/hook"), "secret": HOOK_SECRET})),
    )
    .await;
    let (status, rule) = call(
        &b.base,
        "POST",
        "/api/v1/platforms/default/notification-rules",
        Some(json!({"trigger": {"on": "status_change", "components": ["cache_memory"]}, "channels": [hook["id"]], "cooldown_minutes": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{rule}");
    // Quiet at first: a first look at an optimal component says nothing.
    let start = Instant::now();
    let r = loop {
        if let Some(r) = cache_reading(&a.base).await {
            break r;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no cache reading"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(r["status"], "optimal", "{r}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(inbox.got.lock().unwrap().is_empty());

    // Fill Redis past its warning line (and not past critical): batches of ~0.5 MB.
    let mut n = 0;
    let start = Instant::now();
    loop {
        let reply = redis(redis_port, &format!("DEBUG POPULATE 400 k{n}: 1200"));
        assert!(reply.starts_with("+OK"), "{reply}");
        n += 1;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let r = cache_reading(&a.base).await.unwrap();
        if r["status"] != "optimal" {
            assert_eq!(
                r["status"], "warning",
                "one batch passed the whole band: {r}"
            );
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never past warning: {r}"
        );
    }
    let got = until_received(&inbox, "/hook", 1, Duration::from_secs(20)).await;
    let e = &got[0]["event"];
    assert_eq!(e["kind"], "status_change");
    assert_eq!(e["component"], "cache_memory");
    assert!(e["title"].as_str().unwrap().ends_with(": warning"), "{e}");
    assert!(e["utilisation_percent"].as_f64().unwrap() >= e["warning_percent"].as_f64().unwrap());
    // Both replicas keep watching; still one message.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let titles = |inbox: &Inbox| -> Vec<String> {
        inbox
            .got
            .lock()
            .unwrap()
            .iter()
            .map(|g| format!("{} at {}", g.2["event"]["title"], g.2["event"]["at"]))
            .collect()
    };
    assert_eq!(
        inbox.got.lock().unwrap().len(),
        1,
        "one message, not one per replica or sample: {:?}",
        titles(&inbox)
    );

    // Recovery: one more.
    assert!(redis(redis_port, "FLUSHALL").starts_with("+OK"));
    let got = until_received(&inbox, "/hook", 2, Duration::from_secs(20)).await;
    assert!(
        got[1]["event"]["title"]
            .as_str()
            .unwrap()
            .ends_with(": optimal"),
        "{}",
        got[1]
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(inbox.got.lock().unwrap().len(), 2);
    assert!(inbox.got.lock().unwrap().iter().all(|g| g.1), "signed");
    drop((a, b));
}

/// A private CA and a server certificate it signed for 127.0.0.1: `(CA, certificate, key)`.
fn private_ca() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Phaseplan SMTP test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = server.signed_by(&key, &ca_cert, &ca_key).unwrap();
    (ca_cert.pem(), cert.pem(), key.serialize_pem())
}

#[tokio::test]
async fn e_mail_goes_over_starttls_to_a_real_smtp_server_in_text_and_html() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let Some(smtpd) = tool(
        &root
            .join(".phaseplan/validators/bin/aiosmtpd")
            .display()
            .to_string(),
    ) else {
        return;
    };
    let dir = scratch("notify-smtp");
    let (ca, cert, key) = private_ca();
    for (f, text) in [("ca.pem", &ca), ("cert.pem", &cert), ("key.pem", &key)] {
        std::fs::write(dir.join(f), text).unwrap();
    }
    let maildir = dir.join("maildir");
    let port = free_port();
    let _smtp = serve_as(
        "aiosmtpd",
        std::process::Command::new(&smtpd)
            .args([
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg("--tlscert")
            .arg(dir.join("cert.pem"))
            .arg("--tlskey")
            .arg(dir.join("key.pem"))
            .arg(&maildir),
        port,
        Ready::Tcp,
        Signal::SIGTERM,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut env = env(&dir.join("data"));
    env.push((
        "PHASEPLAN_SMTP_CA_FILE",
        dir.join("ca.pem").display().to_string(),
    ));
    let app = start("notify-smtp-app", &env, &[]);
    let (status, mail) = call(
        &app.base,
        "POST",
        "/api/v1/notifications/channels",
        Some(
            json!({"kind": "email", "name": "on-call", "host": "127.0.0.1", "port": port,
            "from": "phaseplan@example.com", "to": ["oncall@example.com", "lead@example.com"]}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{mail}");
    assert_eq!(
        mail["target"],
        format!("oncall@example.com, lead@example.com via 127.0.0.1:{port}")
    );
    let id = mail["id"].as_str().unwrap();
    let (status, test) = call(
        &app.base,
        "POST",
        &format!("/api/v1/notifications/channels/{id}/test"),
        None,
    )
    .await;
    assert_eq!(
        (status, test["sent"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{test}"
    );
    // The mail as the server stored it: both alternatives, the subject, both recipients.
    let start = Instant::now();
    let text = loop {
        let found: Vec<_> = std::fs::read_dir(maildir.join("new"))
            .map(|d| d.filter_map(Result::ok).collect())
            .unwrap_or_default();
        if let Some(f) = found.first() {
            break std::fs::read_to_string(f.path()).unwrap();
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no mail in {}",
            maildir.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        text.contains("Subject: [Phaseplan] Test message for channel on-call"),
        "{text}"
    );
    assert!(text.contains("Content-Type: text/plain"), "{text}");
    assert!(text.contains("Content-Type: text/html"), "{text}");
    assert!(
        text.contains("oncall@example.com") && text.contains("lead@example.com"),
        "{text}"
    );
    // A server that does not offer STARTTLS is refused, never spoken to in the clear: aiosmtpd
    // without a certificate.
    let plain_port = free_port();
    let _plain = serve_as(
        "aiosmtpd-plain",
        std::process::Command::new(&smtpd)
            .args([
                "-n",
                "-l",
                &format!("127.0.0.1:{plain_port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(dir.join("plain-maildir")),
        plain_port,
        Ready::Tcp,
        Signal::SIGTERM,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (_, plain) = call(
        &app.base,
        "POST",
        "/api/v1/notifications/channels",
        Some(
            json!({"kind": "email", "name": "plain", "host": "127.0.0.1", "port": plain_port,
            "from": "phaseplan@example.com", "to": ["oncall@example.com"]}),
        ),
    )
    .await;
    let (_, test) = call(
        &app.base,
        "POST",
        &format!(
            "/api/v1/notifications/channels/{}/test",
            plain["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(test["sent"], false, "{test}");
    assert!(
        !dir.join("plain-maildir/new").exists()
            || std::fs::read_dir(dir.join("plain-maildir/new"))
                .unwrap()
                .next()
                .is_none()
    );
}

#[tokio::test]
async fn late_and_due_milestones_send_one_message_each() {
    let (inbox, addr) = receiver().await;
    let dir = scratch("notify-milestones");
    let app = start("notify-milestones", &env(&dir.join("data")), &[]);
    let base = app.base.clone();
    // Two plans: one that started long ago (its move to Growth is past: every milestone late),
    // one that starts now (its milestones ahead, within a year).
    let mut platforms = Vec::new();
    for (name, year) in [("late-plan", 2024), ("due-plan", 2026)] {
        let mut scenario = serde_json::to_value(
            phaseplan_model::presets::preset("ride-hailing")
                .unwrap()
                .scenario,
        )
        .unwrap();
        scenario["growth"]["start_year"] = json!(year);
        scenario["growth"]["start_month"] = json!(12);
        let (status, saved) = call(
            &base,
            "POST",
            "/api/v1/scenarios",
            Some(json!({"name": name, "scenario": scenario})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{saved}");
        let (status, p) = call(
            &base,
            "POST",
            "/api/v1/platforms",
            Some(json!({"name": name, "scenario_id": saved["id"], "phase": "launch"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        platforms.push(name);
    }
    let (_, hook) = call(
        &base,
        "POST",
        "/api/v1/notifications/channels",
        Some(json!({"kind": "webhook", "name": "ops", "url": format!("http://{addr}/hook"), "secret": HOOK_SECRET})),
    )
    .await;
    for (platform, trigger) in [
        ("late-plan", json!({"on": "milestone_late"})),
        ("due-plan", json!({"on": "milestone_due", "days": 365})),
    ] {
        let (status, r) = call(
            &base,
            "POST",
            &format!("/api/v1/platforms/{platform}/notification-rules"),
            Some(json!({"trigger": trigger, "channels": [hook["id"]], "cooldown_minutes": 0})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
    }
    // What the milestones say, as the page shows them.
    let (_, late) = call(&base, "GET", "/api/v1/platforms/late-plan/milestones", None).await;
    let late_n = late["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "late")
        .count();
    assert!(late_n >= 3, "{late}");
    let (_, due) = call(&base, "GET", "/api/v1/platforms/due-plan/milestones", None).await;
    let today = due["today"].as_str().unwrap().to_owned();
    let due_n = due["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["status"] != "completed"
                && m["target_date"]
                    .as_str()
                    .is_some_and(|d| d >= today.as_str() && d <= "2027-12-01")
        })
        .count();
    assert!(due_n >= 1, "{due}");
    let got = until_received(&inbox, "/hook", late_n + due_n, Duration::from_secs(20)).await;
    // Several passes later, still one message per milestone.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let got_now = inbox.got.lock().unwrap().len();
    assert_eq!(got_now, late_n + due_n, "{got:?}");
    let kinds = |k: &str, p: &str| {
        got.iter()
            .filter(|g| g["event"]["kind"] == k && g["event"]["platform"] == p)
            .count()
    };
    assert_eq!(kinds("milestone_late", "late-plan"), late_n);
    assert_eq!(kinds("milestone_due", "due-plan"), due_n);
    for g in &got {
        assert!(
            g["event"]["date"].is_string(),
            "a milestone's message names its date: {g}"
        );
        assert!(
            g["event"]["title"]
                .as_str()
                .unwrap()
                .contains(g["event"]["platform"].as_str().unwrap())
        );
    }
    assert!(inbox.got.lock().unwrap().iter().all(|g| g.1), "signed");
    drop(app);
}

#[tokio::test]
async fn a_rising_forecast_sends_one_next_phase_soon_message() {
    // Three hours of users rising from 300 to 400 as a real gauge does, scraped every 15 s with
    // ±10 users of noise (and on for the test's length), far below the Launch phase's lines: both
    // trends reach the critical line within days, well inside the plan's lead time of months.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let first = now - 3 * 3_600;
    // SplitMix64: the same noise on every run.
    let noise = |t: u64| {
        let mut z = t.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z % 2_001) as f64 / 100.0 - 10.0
    };
    let mut series = String::from("# HELP phaseplan_users Users.\n# TYPE phaseplan_users gauge\n");
    for t in (first..now + 1_200).step_by(15) {
        let users = 300.0 + (t - first) as f64 / 108.0 + noise(t);
        series.push_str(&format!("phaseplan_users {users:.2} {t}\n"));
    }
    series.push_str("# EOF\n");
    let Some((_prom, api)) = prometheus_holding("notify-forecast-prom", &series) else {
        return;
    };
    let (inbox, addr) = receiver().await;
    let dir = scratch("notify-forecast");
    let config = dir.join("phaseplan.toml");
    std::fs::write(
        &config,
        format!(
            "[live]\ninterval_seconds = 1\nhistory_hours = 4\n\n[[live.sources]]\nkind = \"prometheus\"\nname = \"prom\"\nurl = \"{api}\"\nqueries = {{ concurrent_users = \"phaseplan_users\" }}\n"
        ),
    )
    .unwrap();
    let app = start(
        "notify-forecast",
        &env(&dir.join("data")),
        &["--config".to_owned(), config.display().to_string()],
    );
    let base = app.base.clone();
    let (_, hook) = call(
        &base,
        "POST",
        "/api/v1/notifications/channels",
        Some(json!({"kind": "webhook", "name": "ops", "url": format!("http://{addr}/hook"), "secret": HOOK_SECRET})),
    )
    .await;
    let (status, rule) = call(
        &base,
        "POST",
        "/api/v1/platforms/default/notification-rules",
        Some(json!({"trigger": {"on": "next_phase_soon"}, "channels": [hook["id"]], "cooldown_minutes": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{rule}");
    // The server backfills the three hours from Prometheus and dates the next phase from them.
    let start = Instant::now();
    let m = loop {
        let (_, m) = call(&base, "GET", "/api/v1/platforms/default/milestones", None).await;
        if m["forecast_date"].is_string() {
            break m;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let (_, s) = call(&base, "GET", "/api/v1/platforms/default/status", None).await;
            panic!("no forecast date within 30 s: {m}\n{}", s["live"]);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let forecast = m["forecast_date"].as_str().unwrap();
    let got = until_received(&inbox, "/hook", 1, Duration::from_secs(20)).await;
    let e = &got[0]["event"];
    assert_eq!(e["kind"], "next_phase_soon", "{e}");
    assert_eq!(e["platform"], "default");
    // The date the message gives is the forecast the Operations page shows, within the lead time.
    assert_eq!(e["date"], forecast, "{e}");
    let today = m["today"].as_str().unwrap();
    assert!(forecast >= today, "{forecast} before {today}");
    // The summary names the lead time of the plan the platform follows.
    let (_, platform) = call(&base, "GET", "/api/v1/platforms/default", None).await;
    let scenario_id = platform["scenario_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{platform}"));
    let (_, saved) = call(
        &base,
        "GET",
        &format!("/api/v1/scenarios/{scenario_id}"),
        None,
    )
    .await;
    let lead = saved["scenario"]["growth"]["lead_time_months"]
        .as_u64()
        .unwrap_or_else(|| panic!("{saved}"));
    assert!(
        e["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("lead time of {lead} months")),
        "{e}"
    );
    assert!(
        e["title"].as_str().unwrap().contains(forecast),
        "the title names the date: {e}"
    );
    // Many watcher passes later the condition still holds: still one message.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        inbox.got.lock().unwrap().len(),
        1,
        "{:?}",
        inbox.got.lock().unwrap()
    );
    assert!(inbox.got.lock().unwrap()[0].1, "signed");
    drop(app);
}

/// Two handles on one database claim a backlog at once: every delivery is claimed exactly once.
async fn claims_race(a: phaseplan_server::store::Store, b: phaseplan_server::store::Store) {
    use phaseplan_model::notify::{ChannelKind, Event};
    use phaseplan_server::store::{Actor, NewChannelRow};
    let by = Actor {
        name: "test",
        address: "127.0.0.1",
    };
    let settings = json!({"url": "http://127.0.0.1:9/hook"});
    let channel = a
        .add_channel(
            &NewChannelRow {
                kind: ChannelKind::Webhook,
                name: "race",
                settings: &settings,
                secret: "",
                secret_source: "",
            },
            &by,
        )
        .await
        .unwrap();
    let channels = [(channel.id.clone(), channel.name.clone())];
    for i in 0..60 {
        let event = Event {
            id: format!("event-{i:03}"),
            kind: "test".to_owned(),
            platform: "default".to_owned(),
            title: format!("event {i}"),
            summary: String::new(),
            component: None,
            utilisation_percent: None,
            warning_percent: None,
            critical_percent: None,
            date: None,
            link: String::new(),
            at: "2026-12-01T00:00:00Z".to_owned(),
        };
        a.enqueue(&event, &channels, None).await.unwrap();
    }
    let claim = |s: phaseplan_server::store::Store| async move {
        let mut mine = Vec::new();
        loop {
            let batch = s.claim_due(7, 60_000).await.unwrap();
            if batch.is_empty() {
                return mine;
            }
            assert!(batch.iter().all(|d| d.attempts == 1), "{batch:?}");
            mine.extend(batch.into_iter().map(|d| d.id));
        }
    };
    let (x, y) = tokio::join!(tokio::spawn(claim(a)), tokio::spawn(claim(b)));
    let (x, y) = (x.unwrap(), y.unwrap());
    let mut all: Vec<&String> = x.iter().chain(&y).collect();
    all.sort();
    let n = all.len();
    all.dedup();
    assert_eq!(
        (n, all.len()),
        (60, 60),
        "claimed twice or missed: {x:?} {y:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_claim_each_delivery_once_on_sqlite() {
    use phaseplan_server::store::Store;
    let dir = scratch("notify-claims-sqlite");
    let a = Store::open(None, Some(&dir)).await.unwrap();
    let b = Store::open(None, Some(&dir)).await.unwrap();
    claims_race(a, b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_claim_each_delivery_once_on_postgres() {
    use phaseplan_server::store::Store;
    let Some((_pg, url)) = common::fresh_postgres("notify-claims-pg") else {
        eprintln!("no PostgreSQL here: skipped");
        return;
    };
    let url = phaseplan_server::secret::SourceUrl::from(url);
    let a = Store::open(Some(&url), None).await.unwrap();
    let b = Store::open(Some(&url), None).await.unwrap();
    claims_race(a, b).await;
}
