#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]
#![cfg(unix)]
//! Saved scenarios survive what real servers go through, checked on the real `phaseplan`
//! binary:
//!
//! - **SIGKILL in the middle of a stream of saves**, on SQLite and on PostgreSQL: every save the
//!   server acknowledged is there after a restart, whole; revision numbers run from 1 without
//!   gaps or duplicates; a save in flight at the kill either landed whole or not at all; the
//!   SQLite file passes `PRAGMA integrity_check` as the kill left it. On PostgreSQL a second
//!   round kills PostgreSQL itself together with the server.
//! - **Two replicas behind nginx on one PostgreSQL**: both start at once (their migrations
//!   race), every read through nginx sees the last save at once whichever replica serves it,
//!   saves alternate between the replicas, a stale save on the other replica is a 409, and
//!   with one replica killed nginx passes requests to the other and nothing is lost.
//!
//! Each server gets a scratch data directory, no `PHASEPLAN_*` variable of the environment and
//! no `phaseplan.toml` of the working directory, so a test never touches a user's database.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{
    Ready, Server, Signal, as_postgres, free_port, is_root, postgres_bin, run, scratch, serve_as,
    start_postgres, tool,
};
use nix::sys::signal::killpg;
use phaseplan_model::api::{ErrorBody, ErrorCode, Revisions, SavedScenario, ScenarioPage};
use phaseplan_model::presets::preset;
use phaseplan_model::scenario::Scenario;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Servers

/// The `phaseplan` binary on `port` with only the settings given here: its own data directory
/// (also its working directory, so no `phaseplan.toml` is read), the rate limit off, and
/// PostgreSQL only when `database_url` says so.
fn phaseplan_command(port: u16, data_dir: &Path, database_url: Option<&str>) -> Command {
    std::fs::create_dir_all(data_dir).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_phaseplan"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PHASEPLAN_") {
            cmd.env_remove(key);
        }
    }
    cmd.current_dir(data_dir)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--rate-limit-per-minute", "0", "--log-format", "json"])
        .arg("--data-dir")
        .arg(data_dir)
        .env("RUST_LOG", "info");
    if let Some(url) = database_url {
        cmd.env("PHASEPLAN_DATABASE_URL", url);
    }
    cmd
}

/// Starts the binary and waits for its health check; returns it and how long it took.
fn start_phaseplan(
    name: &str,
    port: u16,
    data_dir: &Path,
    database_url: Option<&str>,
) -> (Server, Duration) {
    let start = Instant::now();
    let server = serve_as(
        name,
        &mut phaseplan_command(port, data_dir, database_url),
        port,
        Ready::Http("/api/v1/health"),
        Signal::SIGTERM,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // The answer came from this server, not from another still on the port.
    assert!(
        server
            .output()
            .contains(&format!("\"addr\":\"127.0.0.1:{port}\"")),
        "{name}: another process answers on port {port}; this one says:\n{}",
        server.output()
    );
    (server, start.elapsed())
}

/// SIGKILL to the server's whole process group, and waits until it is gone.
fn sigkill(server: &mut Server) {
    killpg(server.pid(), Signal::SIGKILL).unwrap();
    let status = server.child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "{server:?} ended with {status}");
}

/// A fresh PostgreSQL cluster in `dir/db`, trusting local connections.
fn init_postgres(bin: &Path, dir: &Path) -> PathBuf {
    let data = dir.join("db");
    let (ok, out) = run(as_postgres(&bin.join("initdb"))
        .args(["-A", "trust", "-U", "postgres", "-D"])
        .arg(&data));
    assert!(ok, "initdb: {out}");
    data
}

fn psql(bin: &Path, port: u16, database: &str, sql: &str) -> String {
    let (ok, out) = run(Command::new(bin.join("psql"))
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres"])
        .args([
            "-d",
            database,
            "-X",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ]));
    assert!(ok, "psql {sql}: {out}");
    out.trim().to_owned()
}

// ---------------------------------------------------------------------------------------------
// HTTP

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, HeaderMap, Value) {
    let res = req.send().await.expect("request");
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, body)
}

fn etag(headers: &HeaderMap) -> u32 {
    headers["etag"]
        .to_str()
        .unwrap()
        .trim_matches('"')
        .parse()
        .unwrap()
}

fn body(name: &str, scenario: &Scenario, message: &str) -> Value {
    json!({"name": name, "description": "", "scenario": scenario, "message": message})
}

/// The ride-hailing preset with `growth.monthly_rate` set to `micros` millionths: a value
/// that tells saves apart and reads back from JSON as exactly the same `f64`.
fn marked(micros: u32) -> Scenario {
    let mut s = preset("ride-hailing").unwrap().scenario;
    s.growth.monthly_rate = f64::from(micros) / 1e6;
    s
}

/// Every scenario in the library whose name has `q` (archived ones excepted), following the
/// cursor.
async fn list_all(http: &reqwest::Client, base: &str, q: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{base}/api/v1/scenarios?q={q}&sort=name&limit=200&cursor={c}"),
            None => format!("{base}/api/v1/scenarios?q={q}&sort=name&limit=200"),
        };
        let (status, _, v) = send(http.get(url)).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let page: ScenarioPage = serde_json::from_value(v).unwrap();
        ids.extend(page.scenarios.into_iter().map(|s| s.id));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return ids,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 1. SIGKILL in the middle of a stream of saves

/// One save a client sent: to which scenario (`None`: a create, its id unknown until the
/// answer), as which revision, with what.
#[derive(Debug, Clone)]
struct Save {
    id: Option<String>,
    revision: u32,
    message: String,
    scenario: Scenario,
}

/// What the clients sent and what the server acknowledged (200 or 201, with the saved revision).
#[derive(Debug, Default)]
struct Log {
    /// In the name of every scenario saved (URL-safe): what tells this stream's scenarios from
    /// the others' in the library.
    round: String,
    sent: Vec<Save>,
    acked: Vec<Save>,
    /// Acknowledged before the kill was sent (the rest were answered as it happened).
    acked_before_kill: usize,
    /// Sent and acknowledged when the clients stopped.
    sent_at_kill: usize,
    acked_at_kill: usize,
}

/// A client saving as fast as the server answers: it creates a scenario, saves revisions of it
/// with `If-Match` up to `per_scenario`, then starts another. It stops at the first save without
/// an answer, which is allowed only once the server was killed.
async fn writer(
    base: String,
    round: String,
    writer: u32,
    per_scenario: u32,
    killed: Arc<AtomicBool>,
    log: Arc<Mutex<Log>>,
) {
    let http = client();
    let name = format!("{round}, writer {writer}");
    let mut current: Option<(String, u32)> = None;
    for i in 1_u32.. {
        let save = Save {
            id: current
                .as_ref()
                .filter(|(_, r)| *r < per_scenario)
                .map(|(id, _)| id.clone()),
            revision: match &current {
                Some((_, r)) if *r < per_scenario => r + 1,
                _ => 1,
            },
            message: format!("writer {writer}, save {i}"),
            scenario: marked(writer * 100_000 + i),
        };
        let req = match &save.id {
            Some(id) => http
                .put(format!("{base}/api/v1/scenarios/{id}"))
                .header("if-match", format!("\"{}\"", save.revision - 1)),
            None => http.post(format!("{base}/api/v1/scenarios")),
        };
        log.lock().unwrap().sent.push(save.clone());
        let answer = match req
            .json(&body(&name, &save.scenario, &save.message))
            .send()
            .await
        {
            Ok(res) => {
                let status = res.status();
                res.text().await.map(|text| (status, text))
            }
            Err(e) => Err(e),
        };
        let (status, text) = match answer {
            Ok(a) => a,
            Err(e) => {
                assert!(
                    killed.load(Ordering::SeqCst),
                    "writer {writer}: save {i} got no answer before the kill: {e}"
                );
                return;
            }
        };
        assert!(
            status == StatusCode::OK || status == StatusCode::CREATED,
            "writer {writer}: save {i} answered {status}: {text}"
        );
        let saved: SavedScenario = serde_json::from_str(&text).unwrap();
        assert_eq!(saved.revision, save.revision, "{text}");
        if let Some(id) = &save.id {
            assert_eq!(&saved.id, id);
        }
        current = Some((saved.id.clone(), saved.revision));
        log.lock().unwrap().acked.push(Save {
            id: Some(saved.id),
            ..save
        });
    }
}

/// Runs `writers` clients against `base` until `kill_after` saves are acknowledged, then calls
/// `kill` while their next saves are in flight, and waits for every client to stop.
async fn stream_until_killed(
    base: &str,
    round: &str,
    writers: u32,
    per_scenario: u32,
    kill_after: usize,
    kill: impl FnOnce(),
) -> (Log, Duration) {
    let killed = Arc::new(AtomicBool::new(false));
    let log = Arc::new(Mutex::new(Log {
        round: round.to_owned(),
        ..Log::default()
    }));
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            tokio::spawn(writer(
                base.to_owned(),
                round.to_owned(),
                w,
                per_scenario,
                killed.clone(),
                log.clone(),
            ))
        })
        .collect();
    let start = Instant::now();
    loop {
        let acked = log.lock().unwrap().acked.len();
        // A client that stopped before the kill failed: its panic is reported below.
        if acked >= kill_after || tasks.iter().any(tokio::task::JoinHandle::is_finished) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "only {acked} saves acknowledged in 300 s"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let elapsed = start.elapsed();
    killed.store(true, Ordering::SeqCst);
    {
        let mut log = log.lock().unwrap();
        log.acked_before_kill = log.acked.len();
    }
    kill();
    for task in tasks {
        if let Err(e) = task.await {
            std::panic::resume_unwind(e.into_panic());
        }
    }
    let mut log = Arc::into_inner(log).unwrap().into_inner().unwrap();
    (log.sent_at_kill, log.acked_at_kill) = (log.sent.len(), log.acked.len());
    (log, elapsed)
}

/// What the restarted server holds, against what was sent and acknowledged.
#[derive(Debug, Default)]
struct Found {
    scenarios: usize,
    revisions: usize,
    acked: usize,
    /// Saves in flight at the kill that landed (whole); the others left nothing.
    landed_unacked: usize,
}

/// Checks everything `log` says against the server at `base`; afterwards `log` counts the
/// in-flight saves that landed as acknowledged, so a later check expects them too.
async fn verify(http: &reqwest::Client, base: &str, log: &mut Log, label: &str) -> Found {
    // What each (scenario, revision) must hold: every update sent, every create answered.
    let mut expected: BTreeMap<(String, u32), &Save> = BTreeMap::new();
    for s in log.sent.iter().filter(|s| s.id.is_some()) {
        let key = (s.id.clone().unwrap(), s.revision);
        assert!(expected.insert(key, s).is_none(), "one save per revision");
    }
    for s in log.acked.iter().filter(|s| s.revision == 1) {
        expected.insert((s.id.clone().unwrap(), 1), s);
    }
    let acked: BTreeSet<(String, u32)> = log
        .acked
        .iter()
        .map(|s| (s.id.clone().unwrap(), s.revision))
        .collect();
    let mut highest_acked: BTreeMap<String, u32> = BTreeMap::new();
    for (id, r) in &acked {
        let h = highest_acked.entry(id.clone()).or_default();
        *h = (*h).max(*r);
    }
    // Creates in flight at the kill: if one landed, it is a scenario nobody was told about.
    let answered: BTreeSet<&str> = log.acked.iter().map(|s| s.message.as_str()).collect();
    let unanswered_creates: Vec<&Save> = log
        .sent
        .iter()
        .filter(|s| s.id.is_none() && !answered.contains(s.message.as_str()))
        .collect();
    let mut found = Found::default();
    let mut landed_creates = Vec::new();
    let ids: BTreeSet<String> = list_all(http, base, &log.round).await.into_iter().collect();
    for id in &ids {
        if highest_acked.contains_key(id) {
            continue;
        }
        let (status, _, v) =
            send(http.get(format!("{base}/api/v1/scenarios/{id}/revisions/1"))).await;
        assert_eq!(status, StatusCode::OK, "{label}: {v}");
        let first: SavedScenario = serde_json::from_value(v).unwrap();
        let create = unanswered_creates
            .iter()
            .find(|s| s.message == first.message)
            .unwrap_or_else(|| panic!("{label}: scenario {id} was never sent: {first:?}"));
        landed_creates.push(Save {
            id: Some(id.clone()),
            ..(*create).clone()
        });
        highest_acked.insert(id.clone(), 0);
    }
    for s in &landed_creates {
        expected.insert((s.id.clone().unwrap(), 1), s);
    }
    let mut landed: Vec<Save> = Vec::new();
    for (id, highest) in &highest_acked {
        assert!(ids.contains(id), "{label}: scenario {id} is not listed");
        let (status, headers, v) = send(http.get(format!("{base}/api/v1/scenarios/{id}"))).await;
        assert_eq!(status, StatusCode::OK, "{label}: {v}");
        let latest: SavedScenario = serde_json::from_value(v).unwrap();
        assert_eq!(etag(&headers), latest.revision);
        assert!(
            latest.revision >= *highest,
            "{label}: {id} is at revision {} but revision {highest} was acknowledged",
            latest.revision
        );
        let (status, _, v) =
            send(http.get(format!("{base}/api/v1/scenarios/{id}/revisions"))).await;
        assert_eq!(status, StatusCode::OK, "{label}: {v}");
        let history: Revisions = serde_json::from_value(v).unwrap();
        let mut numbers: Vec<u32> = history.revisions.iter().map(|r| r.revision).collect();
        numbers.reverse();
        assert_eq!(
            numbers,
            (1..=latest.revision).collect::<Vec<_>>(),
            "{label}: {id}: revisions from 1, no gaps, no duplicates"
        );
        for n in 1..=latest.revision {
            let key = (id.clone(), n);
            let sent = *expected
                .get(&key)
                .unwrap_or_else(|| panic!("{label}: {id} revision {n} was never sent"));
            let (status, headers, v) =
                send(http.get(format!("{base}/api/v1/scenarios/{id}/revisions/{n}"))).await;
            assert_eq!(status, StatusCode::OK, "{label}: {id} revision {n}: {v}");
            assert_eq!(etag(&headers), n);
            let saved: SavedScenario = serde_json::from_value(v).unwrap();
            assert_eq!(
                (saved.revision, saved.latest_revision),
                (n, latest.revision)
            );
            assert_eq!(saved.message, sent.message, "{label}: {id} revision {n}");
            assert_eq!(saved.scenario, sent.scenario, "{label}: {id} revision {n}");
            found.revisions += 1;
            if acked.contains(&key) {
                found.acked += 1;
            } else {
                found.landed_unacked += 1;
                landed.push(Save {
                    id: Some(id.clone()),
                    ..sent.clone()
                });
            }
        }
        found.scenarios += 1;
    }
    assert_eq!(
        found.acked,
        acked.len(),
        "{label}: every acknowledged save is there"
    );
    // At most the saves still unanswered at the kill, one per client, landed.
    assert!(
        found.landed_unacked <= log.sent.len() - log.acked.len(),
        "{label}: {found:?}"
    );
    // From now on the in-flight saves that landed are expected like acknowledged ones, and
    // those that did not are forgotten (a later save may take their revision number).
    log.acked.extend(landed);
    let kept: BTreeSet<String> = log.acked.iter().map(|s| s.message.clone()).collect();
    log.sent.retain(|s| kept.contains(&s.message));
    found
}

/// One more save on every scenario of `log`, from its latest revision: the restarted server
/// takes writes. Returns how many.
async fn save_once_more(http: &reqwest::Client, base: &str, log: &mut Log) -> usize {
    let mut latest: BTreeMap<String, u32> = BTreeMap::new();
    for s in &log.acked {
        let r = latest.entry(s.id.clone().unwrap()).or_default();
        *r = (*r).max(s.revision);
    }
    for (i, (id, r)) in latest.iter().enumerate() {
        let save = Save {
            id: Some(id.clone()),
            revision: r + 1,
            message: format!("after the restart, {i}"),
            scenario: marked(900_000 + u32::try_from(i).unwrap()),
        };
        let (status, headers, v) = send(
            http.put(format!("{base}/api/v1/scenarios/{id}"))
                .header("if-match", format!("\"{r}\""))
                .json(&body(
                    &format!("{}, after the restart", log.round),
                    &save.scenario,
                    &save.message,
                )),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{id}: {v}");
        assert_eq!(etag(&headers), r + 1);
        log.sent.push(save.clone());
        log.acked.push(save);
    }
    latest.len()
}

/// Clients, revisions per scenario before a client starts another, and the acknowledged saves
/// after which the server is killed.
const WRITERS: u32 = 4;
const PER_SCENARIO: u32 = 25;
const KILL_AFTER: usize = 400;

/// `PRAGMA integrity_check` and `foreign_key_check` of the SQLite file `db`: `ok` and nothing.
fn sqlite_intact(sqlite3: &Path, db: &Path) {
    let (ok, out) = run(Command::new(sqlite3)
        .arg(db)
        .arg("PRAGMA integrity_check; PRAGMA foreign_key_check;"));
    assert!(ok && out.trim() == "ok", "{}: {out}", db.display());
}

fn sqlite_count(sqlite3: &Path, db: &Path, sql: &str) -> usize {
    let (ok, out) = run(Command::new(sqlite3).arg(db).arg(sql));
    assert!(ok, "{sql}: {out}");
    out.trim().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_saves_survive_sigkill_on_sqlite() {
    let dir = scratch("durability-sqlite");
    let data = dir.join("data");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let (mut server, first_start) = start_phaseplan("phaseplan-sqlite", port, &data, None);
    let (mut log, streamed) = stream_until_killed(
        &base,
        "durability-sqlite",
        WRITERS,
        PER_SCENARIO,
        KILL_AFTER,
        || {
            sigkill(&mut server);
        },
    )
    .await;
    drop(server);

    // The database exactly as the kill left it (file and write-ahead log), checked on a copy so
    // the restarted server recovers the original itself.
    let db = data.join("phaseplan.db");
    let wal_bytes = std::fs::metadata(data.join("phaseplan.db-wal")).map_or(0, |m| m.len());
    let sqlite3 = tool("sqlite3");
    let on_disk = sqlite3.as_ref().map(|sqlite3| {
        let copy = dir.join("as-killed");
        std::fs::create_dir_all(&copy).unwrap();
        for file in ["phaseplan.db", "phaseplan.db-wal"] {
            if data.join(file).exists() {
                std::fs::copy(data.join(file), copy.join(file)).unwrap();
            }
        }
        let copy = copy.join("phaseplan.db");
        sqlite_intact(sqlite3, &copy);
        // The test's saves: not the revision the default platform was made with.
        sqlite_count(
            sqlite3,
            &copy,
            "SELECT COUNT(*) FROM revisions WHERE scenario_id NOT IN \
             (SELECT scenario_id FROM platforms);",
        )
    });

    let (mut server, restart) = start_phaseplan("phaseplan-sqlite-restarted", port, &data, None);
    let http = client();
    let found = verify(&http, &base, &mut log, "after SIGKILL").await;
    if let Some(n) = on_disk {
        assert_eq!(
            n, found.revisions,
            "the file as killed holds what the server serves"
        );
    }
    let more = save_once_more(&http, &base, &mut log).await;
    verify(&http, &base, &mut log, "after one more save").await;
    server.stop();
    if let Some(sqlite3) = &sqlite3 {
        sqlite_intact(sqlite3, &db);
    }
    eprintln!(
        "SQLite: {} clients, started in {first_start:?}; {} saves acknowledged in {streamed:?} \
         ({:.0}/s) before the SIGKILL, {} in all ({} sent); WAL {wal_bytes} bytes at the kill; \
         restarted in {restart:?}; found {} scenarios, {} revisions: all {} acknowledged, {} \
         in flight that landed whole; {more} more saves after the restart",
        WRITERS,
        log.acked_before_kill,
        log.acked_before_kill as f64 / streamed.as_secs_f64(),
        log.acked_at_kill,
        log.sent_at_kill,
        found.scenarios,
        found.revisions,
        found.acked,
        found.landed_unacked,
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_saves_survive_sigkill_on_postgres() {
    let Some(bin) = postgres_bin() else { return };
    let dir = scratch("durability-pg");
    let pgdata = init_postgres(&bin, &dir);
    let pg_port = free_port();
    let mut pg = start_postgres(&bin, &pgdata, &dir, pg_port, &[]);
    let url = format!("postgres://postgres@127.0.0.1:{pg_port}/postgres");
    let data = dir.join("data");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = client();

    // Round 1: the server is killed; PostgreSQL runs on.
    let (mut server, first_start) = start_phaseplan("phaseplan-pg", port, &data, Some(&url));
    let (mut first, streamed) = stream_until_killed(
        &base,
        "durability-round-1",
        WRITERS,
        PER_SCENARIO,
        KILL_AFTER,
        || {
            sigkill(&mut server);
        },
    )
    .await;
    drop(server);
    let (server, restart) = start_phaseplan("phaseplan-pg-restarted", port, &data, Some(&url));
    let found = verify(&http, &base, &mut first, "after SIGKILL of the server").await;
    save_once_more(&http, &base, &mut first).await;
    eprintln!(
        "PostgreSQL, server killed: started in {first_start:?}; {} saves acknowledged in \
         {streamed:?} ({:.0}/s) before the SIGKILL, {} in all; restarted in {restart:?}; found \
         {} scenarios, {} revisions: all {} acknowledged, {} in flight that landed whole",
        first.acked_before_kill,
        first.acked_before_kill as f64 / streamed.as_secs_f64(),
        found.acked,
        found.scenarios,
        found.revisions,
        found.acked,
        found.landed_unacked,
    );

    // Round 2: the server and PostgreSQL are killed at once; PostgreSQL recovers from its WAL.
    let mut server = server;
    let (mut second, streamed) = stream_until_killed(
        &base,
        "durability-round-2",
        WRITERS,
        PER_SCENARIO,
        KILL_AFTER,
        || {
            sigkill(&mut server);
            sigkill(&mut pg);
        },
    )
    .await;
    drop(server);
    drop(pg);
    let recovery = Instant::now();
    let pg = start_postgres(&bin, &pgdata, &dir, pg_port, &[]);
    let pg_recovery = recovery.elapsed();
    let (server, restart) = start_phaseplan("phaseplan-pg-recovered", port, &data, Some(&url));
    verify(
        &http,
        &base,
        &mut first,
        "round 1, after PostgreSQL's crash",
    )
    .await;
    let found = verify(&http, &base, &mut second, "after SIGKILL of both").await;
    eprintln!(
        "PostgreSQL, server and PostgreSQL killed: {} saves acknowledged in {streamed:?} before \
         the SIGKILL, {} in all; PostgreSQL recovered in {pg_recovery:?}, the server restarted \
         in {restart:?}; found {} scenarios, {} revisions: all {} acknowledged, {} in flight \
         that landed whole; round 1's {} saves all still there",
        second.acked_before_kill,
        found.acked,
        found.scenarios,
        found.revisions,
        found.acked,
        found.landed_unacked,
        first.acked.len(),
    );
    drop(server);
    drop(pg);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// 2. Two replicas behind nginx on one PostgreSQL

/// nginx in front of two replicas, round-robin, in the foreground (its own process group, so
/// the test stops it), everything it writes in `dir`. Each answer names the replica that served
/// it (`X-Upstream`, nginx's `$upstream_addr`), and so does the access log. A replica that
/// refuses a connection is skipped for 2 s (`max_fails=1 fail_timeout=2s`) and the request
/// passed to the other (`proxy_next_upstream error timeout`). No keep-alive to the replicas:
/// each request opens a connection, so a dead replica is a refused connection, which nginx
/// passes on for every method; a POST on a kept-alive connection the replica died on would be
/// a 502 (nginx never resends a non-idempotent request).
fn nginx_conf(dir: &Path, listen: u16, replicas: [u16; 2]) -> String {
    let dir = dir.display();
    let user = if is_root() {
        "user nobody nogroup;\n"
    } else {
        ""
    };
    let [a, b] = replicas;
    format!(
        r#"{user}worker_processes 1;
daemon off;
master_process on;
pid {dir}/nginx.pid;
error_log stderr notice;

events {{
    worker_connections 256;
}}

http {{
    log_format upstreams '$request_method $request_uri $status $upstream_addr';
    access_log {dir}/access.log upstreams;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    upstream phaseplan {{
        server 127.0.0.1:{a} max_fails=1 fail_timeout=2s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=2s;
    }}

    server {{
        listen 127.0.0.1:{listen};

        location = /nginx-ready {{
            access_log off;
            return 200 "ready\n";
        }}

        location / {{
            proxy_pass http://phaseplan;
            proxy_set_header Host $host;
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"#
    )
}

/// Which replica served an answer through nginx: the last address nginx tried, and whether it
/// tried another first.
fn served_by(headers: &HeaderMap) -> (String, bool) {
    let tried = headers
        .get("x-upstream")
        .expect("nginx names the replica")
        .to_str()
        .unwrap();
    let last = tried.rsplit(", ").next().unwrap().trim().to_owned();
    (last, tried.contains(','))
}

/// Which of the two replicas listens at `addr`: `A` or `B`.
fn replica_name(ports: [u16; 2], addr: &str) -> &'static str {
    if addr == format!("127.0.0.1:{}", ports[0]) {
        "A"
    } else if addr == format!("127.0.0.1:{}", ports[1]) {
        "B"
    } else {
        panic!("nginx passed a request to {addr}")
    }
}

/// Requests through nginx, counted per replica that served them (`X-Upstream`).
#[derive(Debug)]
struct Tally {
    ports: [u16; 2],
    served: BTreeMap<&'static str, usize>,
    total: usize,
}

impl Tally {
    /// Counts an answer through nginx; returns the replica that served it.
    fn note(&mut self, headers: &HeaderMap) -> &'static str {
        self.total += 1;
        let replica = replica_name(self.ports, &served_by(headers).0);
        *self.served.entry(replica).or_default() += 1;
        replica
    }
}

/// Two replicas started at the same moment on `database_url`, each once ready.
fn start_pair(
    round: &str,
    ports: [u16; 2],
    dir: &Path,
    database_url: &str,
) -> [(Server, Duration); 2] {
    std::thread::scope(|s| {
        let started = ports.map(|port| {
            s.spawn(move || {
                start_phaseplan(
                    &format!("replica-{round}"),
                    port,
                    &dir.join(format!("data-{port}")),
                    Some(database_url),
                )
            })
        });
        started.map(|t| t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    })
}

/// The migrations PostgreSQL recorded as applied in `database`, and whether all succeeded.
fn applied_migrations(bin: &Path, port: u16, database: &str) -> String {
    psql(
        bin,
        port,
        database,
        "SELECT COUNT(*) || ' ' || bool_and(success) FROM _sqlx_migrations",
    )
}

/// The messages of `id`'s revisions, oldest first, as the server at `base` has them.
async fn history(http: &reqwest::Client, base: &str, id: &str) -> Vec<(u32, String)> {
    let (status, _, v) = send(http.get(format!("{base}/api/v1/scenarios/{id}/revisions"))).await;
    assert_eq!(status, StatusCode::OK, "{base}: {v}");
    let revisions: Revisions = serde_json::from_value(v).unwrap();
    let mut h: Vec<(u32, String)> = revisions
        .revisions
        .into_iter()
        .map(|r| (r.revision, r.message))
        .collect();
    h.reverse();
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_behind_nginx_share_one_postgres() {
    let Some(bin) = postgres_bin() else { return };
    let Some(nginx) = tool("/usr/sbin/nginx") else {
        return;
    };
    let dir = scratch("replicas");
    let pgdata = init_postgres(&bin, &dir);
    let pg_port = free_port();
    let pg = start_postgres(&bin, &pgdata, &dir, pg_port, &[]);
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .count();
    let ports = [free_port(), free_port()];

    // Replicas starting together on an empty database both migrate it: one applies the
    // migrations, the other waits for it and finds them applied. A few fresh databases, since
    // a race is a matter of luck; the last one stays for the rest of the test.
    let mut starts = Vec::new();
    let mut pair = None;
    for round in 1..=4 {
        let database = format!("race{round}");
        psql(
            &bin,
            pg_port,
            "postgres",
            &format!("CREATE DATABASE {database}"),
        );
        let url = format!("postgres://postgres@127.0.0.1:{pg_port}/{database}");
        // The previous pair leaves the ports first (or the new pair's readiness probes would
        // reach the old one).
        drop(pair.take());
        let started = start_pair(&database, ports, &dir, &url);
        starts.push([started[0].1, started[1].1]);
        assert_eq!(
            applied_migrations(&bin, pg_port, &database),
            format!("{migrations} true"),
            "{database}: every migration applied once"
        );
        pair = Some(started);
    }
    let [(replica_a, _), (mut replica_b, _)] = pair.unwrap();
    let url = format!("postgres://postgres@127.0.0.1:{pg_port}/race4");
    let [a, b] = ports.map(|p| format!("http://127.0.0.1:{p}"));
    let name_of = |addr: &str| replica_name(ports, addr);

    let nginx_port = free_port();
    let nginx_dir = dir.join("nginx");
    std::fs::create_dir_all(&nginx_dir).unwrap();
    std::fs::write(
        nginx_dir.join("nginx.conf"),
        nginx_conf(&nginx_dir, nginx_port, ports),
    )
    .unwrap();
    let nginx = serve_as(
        "nginx",
        Command::new(&nginx)
            .arg("-p")
            .arg(&nginx_dir)
            .arg("-c")
            .arg(nginx_dir.join("nginx.conf"))
            .args(["-e", "stderr"]),
        nginx_port,
        Ready::Http("/nginx-ready"),
        Signal::SIGTERM,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let via = format!("http://127.0.0.1:{nginx_port}");
    let http = client();
    let mut tally = Tally {
        ports,
        served: BTreeMap::new(),
        total: 0,
    };

    // A save through nginx, read back at once many times: whichever replica serves a read has
    // it.
    let original = marked(1);
    let (status, headers, v) = send(http.post(format!("{via}/api/v1/scenarios")).json(&body(
        "Behind nginx",
        &original,
        "revision 1",
    )))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    tally.note(&headers);
    let created: SavedScenario = serde_json::from_value(v).unwrap();
    let id = created.id.clone();
    let mut expected: Vec<(u32, String)> = vec![(1, "revision 1".to_owned())];
    for _ in 0..40 {
        let (status, headers, v) = send(http.get(format!("{via}/api/v1/scenarios/{id}"))).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        tally.note(&headers);
        assert_eq!(etag(&headers), 1);
        assert_eq!(serde_json::from_value::<SavedScenario>(v).unwrap(), created);
    }
    assert!(
        tally.served.values().all(|n| *n >= 10) && tally.served.len() == 2,
        "round-robin over both replicas: {:?}",
        tally.served
    );

    // Saves through nginx from the revision a read through nginx gave, each read back at once
    // through nginx and from each replica directly.
    let mut latest = 1;
    let mut put_on: BTreeMap<&'static str, usize> = BTreeMap::new();
    let (mut etag_from_other, mut read_on_other) = (0, 0);
    for k in 2..=21_u32 {
        let (status, headers, _) = send(http.get(format!("{via}/api/v1/scenarios/{id}"))).await;
        assert_eq!(status, StatusCode::OK);
        let read_on = tally.note(&headers);
        let base_revision = etag(&headers);
        assert_eq!(base_revision, latest);
        let message = format!("revision {k}");
        let (status, headers, v) = send(
            http.put(format!("{via}/api/v1/scenarios/{id}"))
                .header("if-match", format!("\"{base_revision}\""))
                .json(&body("Behind nginx", &marked(k), &message)),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let saved_on = tally.note(&headers);
        *put_on.entry(saved_on).or_default() += 1;
        etag_from_other += usize::from(read_on != saved_on);
        assert_eq!(etag(&headers), k);
        latest = k;
        expected.push((k, message.clone()));
        let (status, headers, v) = send(http.get(format!("{via}/api/v1/scenarios/{id}"))).await;
        assert_eq!(status, StatusCode::OK);
        read_on_other += usize::from(tally.note(&headers) != saved_on);
        let read: SavedScenario = serde_json::from_value(v).unwrap();
        assert_eq!((read.revision, &read.message), (k, &message));
        assert_eq!(read.scenario, marked(k));
        for replica in [&a, &b] {
            let (_, headers, v) = send(http.get(format!("{replica}/api/v1/scenarios/{id}"))).await;
            assert_eq!(etag(&headers), k, "{replica}: {v}");
        }
    }
    assert!(
        put_on.len() == 2 && put_on.values().all(|n| *n >= 5),
        "saves on both replicas: {put_on:?}"
    );
    assert!(
        etag_from_other >= 5 && read_on_other >= 5,
        "saves from the other replica's read, read back on the other: {etag_from_other}, \
         {read_on_other} of 20"
    );

    // A stale save on either replica directly: 409 with the latest revision, nothing stored.
    for replica in [&a, &b] {
        let (status, _, v) = send(
            http.put(format!("{replica}/api/v1/scenarios/{id}"))
                .header("if-match", format!("\"{}\"", latest - 1))
                .json(&body("Stale", &original, "stale")),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{replica}: {v}");
        let e: ErrorBody = serde_json::from_value(v).unwrap();
        assert_eq!(e.error.code, ErrorCode::Conflict);
        assert_eq!(e.error.current_revision, Some(latest));
    }
    // The same revision saved on both replicas at the same moment: one wins, one is told.
    let mut won: BTreeMap<&'static str, usize> = BTreeMap::new();
    for race in 0..10 {
        let save = |replica: &str, who: &'static str| {
            let message = format!("race {race}, {who}");
            let req = http
                .put(format!("{replica}/api/v1/scenarios/{id}"))
                .header("if-match", format!("\"{latest}\""))
                .json(&body("Behind nginx", &original, &message));
            async move { (who, message, send(req).await) }
        };
        let (first, second) = tokio::join!(save(&a, "A"), save(&b, "B"));
        let mut winners = Vec::new();
        for (who, message, (status, _, v)) in [first, second] {
            match status {
                StatusCode::OK => winners.push((who, message)),
                StatusCode::CONFLICT => {
                    let e: ErrorBody = serde_json::from_value(v).unwrap();
                    assert_eq!(e.error.current_revision, Some(latest + 1), "race {race}");
                }
                other => panic!("race {race}: {who} answered {other}: {v}"),
            }
        }
        assert_eq!(winners.len(), 1, "race {race}: exactly one save wins");
        let (who, message) = winners.pop().unwrap();
        *won.entry(who).or_default() += 1;
        latest += 1;
        expected.push((latest, message));
    }
    assert_eq!(history(&http, &a, &id).await, expected);
    assert_eq!(history(&http, &b, &id).await, expected);

    // The access log agrees: both replicas served, as many requests as the answers say.
    let access_log = nginx_dir.join("access.log");
    let logged = |log: &Path| -> BTreeMap<&'static str, usize> {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let mut n = BTreeMap::new();
        for line in text.lines() {
            let upstream = line.splitn(4, ' ').nth(3).unwrap();
            let last = upstream.rsplit(", ").next().unwrap();
            *n.entry(name_of(last)).or_default() += 1;
        }
        n
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    // nginx writes a line once the answer is sent: wait for the last ones.
    while logged(&access_log).values().sum::<usize>() < tally.total {
        assert!(Instant::now() < deadline, "{:?}", logged(&access_log));
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        logged(&access_log),
        tally.served,
        "the access log and X-Upstream agree"
    );
    let before_failover = tally.served.clone();

    // Replica B dies: nginx passes what it sent there to A, every request succeeds, and nothing
    // is lost.
    let kill_at = Instant::now();
    sigkill(&mut replica_b);
    let mut passed_on = 0;
    let mut created_after = Vec::new();
    for j in 0..10_u32 {
        let message = format!("after B died, {j}");
        let (status, headers, v) = send(http.post(format!("{via}/api/v1/scenarios")).json(&body(
            "Created after B died",
            &marked(500 + j),
            &message,
        )))
        .await;
        assert_eq!(status, StatusCode::CREATED, "POST {j} with B dead: {v}");
        let (replica, retried) = served_by(&headers);
        assert_eq!(name_of(&replica), "A");
        passed_on += usize::from(retried);
        tally.note(&headers);
        created_after.push(serde_json::from_value::<SavedScenario>(v).unwrap());

        let (status, headers, v) = send(http.get(format!("{via}/api/v1/scenarios/{id}"))).await;
        assert_eq!(status, StatusCode::OK, "GET {j} with B dead: {v}");
        assert_eq!(etag(&headers), latest);
        passed_on += usize::from(served_by(&headers).1);
        assert_eq!(tally.note(&headers), "A");

        let (status, headers, v) = send(
            http.put(format!("{via}/api/v1/scenarios/{id}"))
                .header("if-match", format!("\"{latest}\""))
                .json(&body("Behind nginx", &marked(600 + j), &message)),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "PUT {j} with B dead: {v}");
        passed_on += usize::from(served_by(&headers).1);
        assert_eq!(tally.note(&headers), "A");
        latest += 1;
        expected.push((latest, message));
    }
    let failover_time = kill_at.elapsed();
    assert!(
        passed_on >= 1,
        "nginx tried the dead replica and passed the request on at least once"
    );
    assert_eq!(history(&http, &a, &id).await, expected);

    // B back on the same database: it has everything, and nginx sends it requests again once
    // its 2 s out of rotation are over.
    let restart_at = Instant::now();
    let (replica_b, b_restart) = start_phaseplan(
        "replica-b-again",
        ports[1],
        &dir.join(format!("data-{}", ports[1])),
        Some(&url),
    );
    assert_eq!(history(&http, &b, &id).await, expected);
    for c in &created_after {
        let (status, _, v) = send(http.get(format!("{b}/api/v1/scenarios/{}", c.id))).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(&serde_json::from_value::<SavedScenario>(v).unwrap(), c);
    }
    let back_in = loop {
        let (status, headers, _) = send(http.get(format!("{via}/api/v1/scenarios/{id}"))).await;
        assert_eq!(status, StatusCode::OK);
        if tally.note(&headers) == "B" {
            break restart_at.elapsed();
        }
        assert!(
            restart_at.elapsed() < Duration::from_secs(20),
            "nginx sent nothing to B again within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    drop(replica_a);
    eprintln!(
        "nginx + 2 replicas: replica pairs ready in {starts:?} (migrations raced on 4 fresh \
         databases); {} requests through nginx, served {:?} ({before_failover:?} \
         before B was killed); saves through nginx {put_on:?}, {etag_from_other}/20 from a read \
         on the other replica, {read_on_other}/20 read back on the other; simultaneous saves \
         won {won:?}; with B dead: 30 requests succeeded in {failover_time:?}, {passed_on} \
         passed on from B to A; B restarted in {b_restart:?}, back in rotation after {back_in:?}; \
         {} revisions, identical on A and B",
        tally.total,
        tally.served,
        expected.len(),
    );
    drop((nginx, replica_b, pg));
    let _ = std::fs::remove_dir_all(&dir);
}
