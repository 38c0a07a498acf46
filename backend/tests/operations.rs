//! Running the platform from the plan, against the real binary: the default platform made on
//! first start, the seeds' scaling API in the seeds' shapes, transitions with their refusals,
//! the checklist's compare-and-set, milestones and their durations, the live analysis following
//! the recorded phase (after a restart, and across two replicas on one PostgreSQL), and the
//! audit log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::{as_postgres, call, free_port, postgres_bin, run, scratch, start, start_postgres};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn get(base: &str, path: &str) -> Value {
    let (status, body) = call(base, "GET", path, None).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn set<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
    names.iter().copied().collect()
}

/// A refusal: its status, and the field its body names.
fn refused(got: &(StatusCode, Value), status: u16, field: &str) {
    assert_eq!(got.0.as_u16(), status, "{}", got.1);
    assert_eq!(got.1["error"]["field"], field, "{}", got.1);
}

fn sqlite_env(dir: &std::path::Path) -> Vec<(&'static str, String)> {
    vec![
        ("PHASEPLAN_DATA_DIR", dir.display().to_string()),
        ("PHASEPLAN_RATE_LIMIT_PER_MINUTE", "0".to_owned()),
    ]
}

#[tokio::test]
async fn a_platform_is_run_from_its_plan() {
    let dir = scratch("operations");
    let env = sqlite_env(&dir.join("data"));
    let mut app = start("operations", &env, &[]);
    let base = app.base.clone();

    // First start: the default platform, following a scenario saved from the live preset.
    let list = get(&base, "/api/v1/platforms").await;
    let platforms = list["platforms"].as_array().unwrap();
    assert_eq!(platforms.len(), 1, "{list}");
    let p = &platforms[0];
    assert_eq!(p["name"], "default");
    assert_eq!(p["revision"], 1);
    let scenario_id = p["scenario_id"].as_str().unwrap().to_owned();
    let provider = p["provider"].as_str().unwrap().to_owned();
    let saved = get(&base, &format!("/api/v1/scenarios/{scenario_id}")).await;
    assert_eq!(saved["revision"], 1);
    let live = get(&base, "/api/v1/live/analysis").await;
    assert_eq!(
        live["phase_key"], p["phase"],
        "the live analysis judges the recorded phase"
    );
    assert_eq!(
        p["phase"], "launch",
        "the ride-hailing plan requires Launch now"
    );

    // The seeds' status, in the seeds' shape.
    let status = get(&base, "/api/scaling/status").await;
    assert_eq!(keys(&status), set(&["message", "status"]));
    let s = &status["status"];
    assert_eq!(
        keys(s),
        set(&[
            "currentPhase",
            "nextPhase",
            "currentCapacity",
            "phaseProgress",
            "recommendations",
            "infrastructure",
            "timeline"
        ])
    );
    assert_eq!(s["currentPhase"], "launch");
    assert_eq!(s["nextPhase"], "growth");
    assert_eq!(
        keys(&s["currentCapacity"]),
        set(&[
            "maxConcurrentUsers",
            "utilizationPercentage",
            "utilizationBasis"
        ])
    );
    assert_eq!(
        keys(&s["phaseProgress"]),
        set(&[
            "completedActions",
            "pendingActions",
            "criticalActions",
            "progressPercentage"
        ])
    );
    assert_eq!(
        keys(&s["recommendations"]),
        set(&["immediate", "shortTerm", "longTerm"])
    );
    assert_eq!(
        keys(&s["infrastructure"]),
        set(&["database", "redis", "websocket", "nginx"])
    );
    assert_eq!(
        keys(&s["infrastructure"]["database"]),
        set(&["maxConnections", "currentConnections"])
    );
    assert_eq!(
        keys(&s["infrastructure"]["redis"]),
        set(&["maxMemory", "currentMemory"])
    );
    assert_eq!(
        keys(&s["infrastructure"]["nginx"]),
        set(&["workerConnections", "workerProcesses"])
    );
    // No PostgreSQL, Redis or WebSocket source here: their current values are null.
    assert_eq!(
        s["infrastructure"]["database"]["currentConnections"],
        Value::Null
    );
    assert_eq!(s["infrastructure"]["redis"]["currentMemory"], Value::Null);
    assert_eq!(s["infrastructure"]["database"]["maxConnections"], 20);
    assert_eq!(s["infrastructure"]["redis"]["maxMemory"], "512MB");
    assert_eq!(
        keys(&s["timeline"]),
        set(&["estimatedTimeToNextPhase", "milestones"])
    );
    let milestones = s["timeline"]["milestones"].as_array().unwrap();
    assert_eq!(milestones.len(), 4, "{milestones:?}");
    for m in milestones {
        assert_eq!(
            keys(m),
            set(&["name", "description", "targetDate", "status"])
        );
        assert!(
            ["completed", "in-progress", "pending", "at-risk", "late"]
                .contains(&m["status"].as_str().unwrap()),
            "{m}"
        );
    }
    let pending = s["phaseProgress"]["pendingActions"].as_array().unwrap();
    assert!(
        pending
            .iter()
            .any(|a| a.as_str().unwrap().contains("PgBouncer")),
        "{pending:?}"
    );
    assert_eq!(s["phaseProgress"]["progressPercentage"], 0.0);
    // The seeds' shapes tell the native status's figures: one judgement behind both.
    let native = get(&base, "/api/v1/platforms/default/status").await;
    assert_eq!(
        s["phaseProgress"]["progressPercentage"],
        native["checklist"]["progress_percent"]
    );
    assert_eq!(
        s["timeline"]["estimatedTimeToNextPhase"],
        native["milestones"]["estimated_time_to_next_phase"]
    );
    for (seed, own) in milestones
        .iter()
        .zip(native["milestones"]["items"].as_array().unwrap())
    {
        assert_eq!(
            (&seed["name"], &seed["targetDate"], &seed["status"]),
            (&own["name"], &own["target_date"], &own["status"])
        );
    }
    assert_eq!(
        native["phases"].as_array().unwrap().len(),
        4,
        "the ride-hailing ladder"
    );
    let summary = get(&base, "/api/scaling/phase-summary").await;
    assert_eq!(
        keys(&summary["summary"]),
        set(&[
            "currentPhase",
            "nextPhase",
            "capacity",
            "progress",
            "criticalActions",
            "timeline"
        ])
    );
    assert_eq!(
        summary["summary"]["timeline"],
        s["timeline"]["estimatedTimeToNextPhase"]
    );
    assert_eq!(summary["summary"]["capacity"], s["currentCapacity"]);

    // Deployment configs: the launch bundle for the platform's provider.
    let configs = get(&base, "/api/scaling/deployment-configs").await;
    let c = &configs["configs"];
    assert_eq!(c["environmentVariables"]["SCALING_PHASE"], "launch");
    assert_eq!(c["environmentVariables"]["DB_MAX_CONNECTIONS"], "20");
    assert_eq!(c["nginxConfig"], c["files"]["nginx/nginx.conf"]);
    assert!(c["dockerCompose"].is_string(), "Launch runs on one machine");
    assert_eq!(c["kubernetesManifests"], Value::Null);
    assert!(
        c["files"]["README.md"]
            .as_str()
            .unwrap()
            .contains(&scenario_id)
    );

    // The checklist: a tick names the version it read; a stale one is refused.
    let list = get(&base, "/api/v1/platforms/default/checklist").await;
    let total = list["total"].as_u64().unwrap();
    assert!(total >= 5, "{list}");
    let tick = json!({"id": "growth.database.pgbouncer", "state": "completed", "version": 0});
    let (status, after) = call(
        &base,
        "PATCH",
        "/api/v1/platforms/default/checklist",
        Some(tick.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["completed"], 1);
    let want = (1000.0 / total as f64).round() / 10.0;
    assert_eq!(after["progress_percent"], want);
    let item = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "growth.database.pgbouncer")
        .unwrap();
    assert_eq!(
        (item["version"].as_u64(), item["updated_by"].as_str()),
        (Some(1), Some("local"))
    );
    let stale = call(
        &base,
        "PATCH",
        "/api/v1/platforms/default/checklist",
        Some(tick),
    )
    .await;
    refused(&stale, 409, "version");
    assert_eq!(stale.1["error"]["current_revision"], 1);
    let unknown = call(
        &base,
        "PATCH",
        "/api/v1/platforms/default/checklist",
        Some(json!({"id": "nope", "state": "completed", "version": 0})),
    )
    .await;
    refused(&unknown, 404, "id");
    let bad = call(
        &base,
        "PATCH",
        "/api/v1/platforms/default/checklist",
        Some(json!({"id": "growth.cache.mode", "state": "done", "version": 0})),
    )
    .await;
    assert_eq!(bad.0, StatusCode::BAD_REQUEST, "{}", bad.1);
    assert_eq!(bad.1["error"]["field"], "state");
    let (status, added) = call(
        &base,
        "POST",
        "/api/v1/platforms/default/checklist",
        Some(json!({"title": "Load-test the pool at 5,000 users", "component": "db_connections"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["total"].as_u64(), Some(total + 1));
    let hostile = call(
        &base,
        "POST",
        "/api/v1/platforms/default/checklist",
        Some(json!({"title": "a\nb"})),
    )
    .await;
    refused(&hostile, 422, "title");

    // Another platform's item is not this one's.
    let (status, staging) = call(
        &base,
        "POST",
        "/api/v1/platforms",
        Some(json!({"name": "staging", "scenario_id": scenario_id, "provider": "hetzner", "phase": "launch"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{staging}");
    assert_eq!(staging["provider"], "hetzner");
    let dup = call(
        &base,
        "POST",
        "/api/v1/platforms",
        Some(json!({"name": "staging", "scenario_id": scenario_id})),
    )
    .await;
    refused(&dup, 409, "name");
    let missing = call(
        &base,
        "POST",
        "/api/v1/platforms",
        Some(json!({"name": "qa", "scenario_id": "no-such-id"})),
    )
    .await;
    refused(&missing, 422, "scenario_id");
    let bad_source = call(
        &base,
        "POST",
        "/api/v1/platforms",
        Some(json!({"name": "qa", "scenario_id": scenario_id, "sources": ["nope"]})),
    )
    .await;
    refused(&bad_source, 422, "sources[0]");
    let (_, theirs) = call(
        &base,
        "POST",
        "/api/v1/platforms/staging/checklist",
        Some(json!({"title": "Staging only"})),
    )
    .await;
    let their_id = theirs["items"].as_array().unwrap().last().unwrap()["id"].clone();
    let cross = call(
        &base,
        "PATCH",
        "/api/v1/platforms/default/checklist",
        Some(json!({"id": their_id, "state": "completed", "version": 1})),
    )
    .await;
    refused(&cross, 404, "id");

    // Transitions: the refusals name the phase.
    refused(
        &call(&base, "POST", "/api/scaling/transition/nope", None).await,
        404,
        "phase",
    );
    refused(
        &call(&base, "POST", "/api/scaling/transition/launch", None).await,
        422,
        "phase",
    );
    let skip = call(&base, "POST", "/api/scaling/transition/scale", None).await;
    refused(&skip, 422, "phase");
    assert!(
        skip.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Growth"),
        "{}",
        skip.1
    );
    refused(
        &call(&base, "GET", "/api/scaling/status?platform=nope", None).await,
        404,
        "platform",
    );
    let moved = call(
        &base,
        "POST",
        "/api/scaling/transition/growth",
        Some(json!({"reason": "users passed 60 % of Launch"})),
    )
    .await;
    assert_eq!(moved.0, StatusCode::OK, "{}", moved.1);
    assert_eq!(keys(&moved.1), set(&["message", "result"]));
    let r = &moved.1["result"];
    assert_eq!(
        keys(r),
        set(&["success", "message", "actions", "nextSteps"])
    );
    assert_eq!(r["success"], true);
    let actions: Vec<&str> = r["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        actions[0].starts_with("Updated ") && actions[0].ends_with("environment variables"),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"Generated postgres/pgbouncer.ini"),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"Generated redis/sentinel.conf"),
        "{actions:?}"
    );
    let steps: Vec<&str> = r["nextSteps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(steps.iter().any(|s| s.contains("PgBouncer")), "{steps:?}");
    let bundle = format!("/api/v1/bundles/growth/{provider}.zip?scenario={scenario_id}&revision=1");
    assert!(steps.last().unwrap().ends_with(&bundle), "{steps:?}");

    // Recorded: the history, the live analysis and the seeds' status follow.
    let history = get(&base, "/api/v1/platforms/default/transitions").await;
    let t = &history["transitions"][0];
    assert_eq!(
        (t["from"].as_str(), t["to"].as_str()),
        (Some("launch"), Some("growth"))
    );
    assert_eq!(
        (t["by"].as_str(), t["forced"].as_bool()),
        (Some("local"), Some(false))
    );
    assert_eq!(t["reason"], "users passed 60 % of Launch");
    assert_eq!(t["bundle"], bundle);
    let zip = reqwest::get(format!("{base}{bundle}")).await.unwrap();
    assert_eq!(zip.status(), StatusCode::OK);
    assert_eq!(zip.headers()["content-type"], "application/zip");
    assert_eq!(
        get(&base, "/api/v1/live/analysis").await["phase_key"],
        "growth"
    );
    assert_eq!(
        get(&base, "/api/scaling/status").await["status"]["currentPhase"],
        "growth"
    );
    let configs = get(&base, "/api/scaling/deployment-configs").await;
    assert_eq!(
        configs["configs"]["environmentVariables"]["SCALING_PHASE"],
        "growth"
    );
    // The checklist now leads to Scale; the Launch → Growth tick stays recorded.
    let list = get(&base, "/api/v1/platforms/default/checklist").await;
    assert_eq!(
        (list["from"].as_str(), list["toward"].as_str()),
        (Some("growth"), Some("scale"))
    );

    // Milestones: the move awaits validation; durations are editable, checked.
    let m = get(&base, "/api/v1/platforms/default/milestones").await;
    assert_eq!(m["items"][0]["key"], "validated");
    assert_eq!(m["items"][0]["toward"], "growth");
    assert_eq!(m["items"][0]["status"], "in-progress");
    assert_eq!(
        m["durations"]["preparation"], "4-6 weeks",
        "Growth → Scale, the seeds'"
    );
    let bad = call(
        &base,
        "PATCH",
        "/api/v1/platforms/default/milestones",
        Some(json!({"toward": "scale", "preparation": "2-3 fortnights"})),
    )
    .await;
    assert_eq!(bad.0, StatusCode::BAD_REQUEST, "{}", bad.1);
    assert_eq!(bad.1["error"]["field"], "preparation");
    refused(
        &call(
            &base,
            "PATCH",
            "/api/v1/platforms/default/milestones",
            Some(json!({"toward": "mars", "preparation": "1 week"})),
        )
        .await,
        422,
        "toward",
    );
    let (status, m) = call(
        &base,
        "PATCH",
        "/api/v1/platforms/default/milestones",
        Some(json!({"toward": "growth", "validated": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_ne!(m["items"][0]["key"], "validated", "{m}");
    let (status, m) = call(
        &base,
        "PATCH",
        "/api/v1/platforms/default/milestones",
        Some(json!({"toward": "scale", "preparation": "5-6 weeks"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["durations"]["preparation"], "5-6 weeks");
    assert_eq!(m["custom_durations"], true);

    // A stale platform edit, and a platform following an archived scenario.
    let p = get(&base, "/api/v1/platforms/default").await;
    let stale = call(
        &base,
        "PATCH",
        "/api/v1/platforms/default",
        Some(json!({"version": p["version"].as_u64().unwrap() - 1, "provider": "gcp"})),
    )
    .await;
    refused(&stale, 409, "version");
    let (status, _) = call(
        &base,
        "DELETE",
        &format!("/api/v1/scenarios/{scenario_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let archived = call(&base, "POST", "/api/scaling/transition/scale", None).await;
    refused(&archived, 409, "scenario_id");
    assert!(
        get(&base, "/api/v1/platforms/default").await["scenario_archived"]
            .as_bool()
            .unwrap()
    );
    let (status, _) = call(
        &base,
        "POST",
        &format!("/api/v1/scenarios/{scenario_id}/restore"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Every write is in the audit log.
    let audit = get(&base, "/api/v1/audit?limit=200").await;
    let actions: BTreeSet<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "platform_create",
        "platform_transition",
        "checklist_add",
        "checklist_edit",
        "milestone_edit",
    ] {
        assert!(actions.contains(a), "{a} missing: {actions:?}");
    }

    // A restart keeps the record, and creates no second default.
    app.server.stop();
    let app = start("operations-again", &env, &[]);
    let base = app.base.clone();
    let list = get(&base, "/api/v1/platforms").await;
    assert_eq!(list["platforms"].as_array().unwrap().len(), 2, "{list}");
    assert_eq!(
        get(&base, "/api/v1/platforms/default").await["phase"],
        "growth"
    );
    assert_eq!(
        get(&base, "/api/v1/live/analysis").await["phase_key"],
        "growth"
    );
    let scenarios = get(&base, "/api/v1/scenarios").await;
    assert_eq!(
        scenarios["scenarios"].as_array().unwrap().len(),
        1,
        "{scenarios}"
    );
}

#[tokio::test]
async fn replicas_on_postgresql_share_one_default_platform_and_follow_its_phase() {
    let Some(bin) = postgres_bin() else {
        eprintln!("no PostgreSQL here: skipped");
        return;
    };
    let dir = scratch("operations-pg");
    let (ok, out) = run(as_postgres(&bin.join("initdb"))
        .args(["-A", "trust", "-U", "postgres", "-D"])
        .arg(dir.join("db")));
    assert!(ok, "initdb: {out}");
    let pg_port = free_port();
    let _pg = start_postgres(&bin, &dir.join("db"), &dir, pg_port, &[]);
    let env: Vec<(&str, String)> = vec![
        (
            "PHASEPLAN_DATABASE_URL",
            format!("postgres://postgres@127.0.0.1:{pg_port}/postgres"),
        ),
        ("PHASEPLAN_RATE_LIMIT_PER_MINUTE", "0".to_owned()),
    ];
    let config = dir.join("phaseplan.toml");
    std::fs::write(&config, "[live]\nphase = \"growth\"\n").unwrap();
    let args = ["--config".to_owned(), config.display().to_string()];
    // Two replicas on a fresh database, started together: one default platform, one scenario.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| start("replica-a", &env, &args));
        let b = s.spawn(|| start("replica-b", &env, &args));
        (a.join().unwrap(), b.join().unwrap())
    });
    for r in [&a, &b] {
        let list = get(&r.base, "/api/v1/platforms").await;
        assert_eq!(list["platforms"].as_array().unwrap().len(), 1, "{list}");
        assert_eq!(
            list["platforms"][0]["phase"], "growth",
            "[live] phase names it"
        );
        let scenarios = get(&r.base, "/api/v1/scenarios").await;
        assert_eq!(
            scenarios["scenarios"].as_array().unwrap().len(),
            1,
            "{scenarios}"
        );
    }
    // A transition recorded on one replica: the other's live analysis follows it.
    let (status, body) = call(
        &a.base,
        "POST",
        "/api/v1/platforms/default/transitions",
        Some(json!({"to": "scale", "reason": "replica test"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        get(&a.base, "/api/v1/live/analysis").await["phase_key"],
        "scale"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let phase = get(&b.base, "/api/v1/live/analysis").await["phase_key"].clone();
        if phase == "scale" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "replica b still judges {phase} 30 s after the transition"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    // The same move raced from the other replica's stale view is refused.
    let again = call(
        &b.base,
        "POST",
        "/api/v1/platforms/default/transitions",
        Some(json!({"to": "scale"})),
    )
    .await;
    refused(&again, 422, "phase");
}
