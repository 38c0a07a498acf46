#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Saved scenarios through the real server, on both databases: SQLite (a file in a scratch data
//! directory, as the binary uses by default) and a real PostgreSQL started for the test. The same
//! checks run on each: saves and revisions, the stale-save conflict, bad input that stores
//! nothing, archive and restore, duplicate, search, sort and paging.

mod common;

use common::{as_postgres, free_port, postgres_bin, run, scratch, start_postgres};
use phaseplan_model::api::{
    ErrorBody, ErrorCode, Revisions, SavedScenario, ScenarioPage, ScenarioSummary,
};
use phaseplan_model::presets::preset;
use phaseplan_server::config::Settings;
use phaseplan_server::secret::SourceUrl;
use phaseplan_server::startup::Application;
use reqwest::StatusCode;
use serde_json::{Value, json};

struct App {
    base: String,
    http: reqwest::Client,
}

impl App {
    async fn start(settings: Settings) -> App {
        let app = Application::build(&Settings {
            port: 0,
            // Saves are writes: the rate limit would cut the paging test's hundred saves short.
            rate_limit_per_minute: 0,
            ..settings
        })
        .await
        .expect("the server starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        common::wait_healthy(&base).await;
        let app = App {
            base,
            http: reqwest::Client::new(),
        };
        // A fresh database holds the scenario its default platform was made from: archived
        // here, so the library these tests count holds only their own saves.
        let (status, _, p) = app
            .send(app.http.get(app.url("/api/v1/platforms/default")))
            .await;
        assert_eq!(status, StatusCode::OK, "{p}");
        let id = p["scenario_id"].as_str().unwrap().to_owned();
        let (status, _, v) = app
            .send(app.http.delete(app.url(&format!("/api/v1/scenarios/{id}"))))
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        app
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send(
        &self,
        req: reqwest::RequestBuilder,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, headers, body)
    }

    async fn create(&self, name: &str, preset_key: &str) -> SavedScenario {
        let body = json!({
            "name": name,
            "description": format!("from the {preset_key} preset"),
            "scenario": preset(preset_key).unwrap().scenario,
            "message": "first",
        });
        let (status, headers, v) = self
            .send(self.http.post(self.url("/api/v1/scenarios")).json(&body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        let saved: SavedScenario = serde_json::from_value(v).unwrap();
        assert_eq!(headers["etag"], "\"1\"");
        assert_eq!(
            headers["location"],
            format!("/api/v1/scenarios/{}", saved.id).as_str()
        );
        saved
    }

    async fn list(&self, query: &str) -> ScenarioPage {
        let (status, _, v) = self
            .send(
                self.http
                    .get(self.url(&format!("/api/v1/scenarios{query}"))),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        serde_json::from_value(v).unwrap()
    }
}

fn error(v: &Value) -> ErrorBody {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("not an error body ({e}): {v}"))
}

/// Everything a user of the library does, checked on one database.
async fn exercise(app: &App) {
    // Save, read back, with the revision as ETag.
    let a = app.create("Ride-hailing base", "ride-hailing").await;
    assert_eq!((a.revision, a.latest_revision, a.archived), (1, 1, false));
    assert_eq!(a.created_by, "local");
    assert_eq!(a.scenario, preset("ride-hailing").unwrap().scenario);
    let (status, headers, v) = app
        .send(
            app.http
                .get(app.url(&format!("/api/v1/scenarios/{}", a.id))),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["etag"], "\"1\"");
    assert_eq!(serde_json::from_value::<SavedScenario>(v).unwrap(), a);

    // A second revision, from revision 1.
    let mut changed = a.scenario.clone();
    changed.growth.monthly_rate = 0.12;
    let save = |name: &str, message: &str, scenario: &phaseplan_model::scenario::Scenario| json!({"name": name, "scenario": scenario, "message": message});
    let (status, headers, v) = app
        .send(
            app.http
                .put(app.url(&format!("/api/v1/scenarios/{}", a.id)))
                .header("if-match", "\"1\"")
                .json(&save("Ride-hailing faster", "12 % a month", &changed)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(headers["etag"], "\"2\"");
    let b: SavedScenario = serde_json::from_value(v).unwrap();
    assert_eq!((b.revision, b.name.as_str()), (2, "Ride-hailing faster"));
    assert!((b.scenario.growth.monthly_rate - 0.12).abs() < 1e-12);

    // A stale save (from revision 1 again) is refused with the current revision; nothing stored.
    let (status, _, v) = app
        .send(
            app.http
                .put(app.url(&format!("/api/v1/scenarios/{}", a.id)))
                .header("if-match", "\"1\"")
                .json(&save("Lost?", "stale", &a.scenario)),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    let e = error(&v);
    assert_eq!(e.error.code, ErrorCode::Conflict);
    assert_eq!(e.error.current_revision, Some(2));
    // Without If-Match: 428; with a malformed one: 422 naming it.
    let (status, _, v) = app
        .send(
            app.http
                .put(app.url(&format!("/api/v1/scenarios/{}", a.id)))
                .json(&save("No precondition", "", &a.scenario)),
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(error(&v).error.code, ErrorCode::PreconditionRequired);
    let (status, _, v) = app
        .send(
            app.http
                .put(app.url(&format!("/api/v1/scenarios/{}", a.id)))
                .header("if-match", "\"two\"")
                .json(&save("Bad precondition", "", &a.scenario)),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error(&v).error.field.as_deref(), Some("If-Match"));

    // Invalid input names the field and stores nothing.
    let mut bad_json = serde_json::to_value(&a.scenario).unwrap();
    bad_json["workload"]["peak_concurrent_users"] = json!(-5.0);
    for (body, field) in [
        (
            json!({"name": "Bad", "scenario": bad_json}),
            "scenario.workload.peak_concurrent_users",
        ),
        (
            json!({"name": "Line\nbreak", "scenario": a.scenario}),
            "name",
        ),
        (json!({"name": "   ", "scenario": a.scenario}), "name"),
        (
            json!({"name": "x".repeat(201), "scenario": a.scenario}),
            "name",
        ),
        (
            json!({"name": "Ok", "message": "tab\there", "scenario": a.scenario}),
            "message",
        ),
    ] {
        let (status, _, v) = app
            .send(
                app.http
                    .put(app.url(&format!("/api/v1/scenarios/{}", a.id)))
                    .header("if-match", "\"2\"")
                    .json(&body),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert_eq!(error(&v).error.field.as_deref(), Some(field), "{v}");
        let (status, _, v) = app
            .send(app.http.post(app.url("/api/v1/scenarios")).json(&body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    }
    let (status, _, v) = app
        .send(
            app.http
                .post(app.url("/api/v1/scenarios"))
                .header("content-type", "application/json")
                .body("{\"name\": \"x\", \"scenario\": {"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    let history: Revisions = {
        let (status, _, v) = app
            .send(
                app.http
                    .get(app.url(&format!("/api/v1/scenarios/{}/revisions", a.id))),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        serde_json::from_value(v).unwrap()
    };
    assert_eq!(
        history
            .revisions
            .iter()
            .map(|r| (r.revision, r.message.as_str()))
            .collect::<Vec<_>>(),
        [(2, "12 % a month"), (1, "first")],
        "nothing of the refused saves was stored"
    );
    assert_eq!(app.list("").await.scenarios.len(), 1);

    // Any revision opens; unknown ones are 404s naming what is unknown.
    let (status, _, v) = app
        .send(
            app.http
                .get(app.url(&format!("/api/v1/scenarios/{}/revisions/1", a.id))),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let r1: SavedScenario = serde_json::from_value(v).unwrap();
    assert_eq!((r1.revision, r1.latest_revision), (1, 2));
    assert_eq!(r1.scenario, a.scenario);
    for (path, field) in [
        (
            format!("/api/v1/scenarios/{}/revisions/9", a.id),
            "revision",
        ),
        ("/api/v1/scenarios/nope/revisions/1".to_owned(), "id"),
        ("/api/v1/scenarios/nope".to_owned(), "id"),
        ("/api/v1/scenarios/nope/revisions".to_owned(), "id"),
    ] {
        let (status, _, v) = app.send(app.http.get(app.url(&path))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(error(&v).error.field.as_deref(), Some(field), "{path}: {v}");
    }

    // Archive: gone from the list, in the archive, not savable, restorable.
    let (status, _, v) = app
        .send(
            app.http
                .delete(app.url(&format!("/api/v1/scenarios/{}", a.id))),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(app.list("").await.scenarios.is_empty());
    assert_eq!(app.list("?archived=true").await.scenarios[0].id, a.id);
    let (status, _, v) = app
        .send(
            app.http
                .put(app.url(&format!("/api/v1/scenarios/{}", a.id)))
                .header("if-match", "\"2\"")
                .json(&save("Archived", "", &a.scenario)),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    let (status, _, _) = app
        .send(
            app.http
                .post(app.url(&format!("/api/v1/scenarios/{}/restore", a.id))),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.list("").await.scenarios[0].revision, 2);

    // Duplicate: a new scenario at revision 1 holding the latest revision.
    let (status, _, v) = app
        .send(
            app.http
                .post(app.url(&format!("/api/v1/scenarios/{}/duplicate", a.id))),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let copy: SavedScenario = serde_json::from_value(v).unwrap();
    assert_ne!(copy.id, a.id);
    assert_eq!(copy.name, "Ride-hailing faster (copy)");
    assert_eq!((copy.revision, &copy.scenario), (1, &b.scenario));

    // Diff: two revisions of one scenario, or one scenario against another.
    let (status, _, v) = app
        .send(
            app.http
                .get(app.url(&format!("/api/v1/scenarios/{}/diff?from=1&to=2", a.id))),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let inputs = v["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 1, "{v}");
    assert_eq!(inputs[0]["field"], "growth.monthly_rate");
    assert_eq!(
        (inputs[0]["from"].as_f64(), inputs[0]["to"].as_f64()),
        (Some(0.08), Some(0.12))
    );
    assert!(
        v["results"]["total_cost_delta_usd"].as_f64().unwrap() > 0.0,
        "{v}"
    );
    assert_eq!(v["results"]["from"]["provider"], "linode");
    let (status, _, v) = app
        .send(app.http.get(app.url(&format!(
            "/api/v1/scenarios/{}/diff?other={}",
            a.id, copy.id
        ))))
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(
        v["inputs"].as_array().unwrap().is_empty(),
        "the copy is the latest: {v}"
    );
    assert_eq!(v["results"]["total_cost_delta_usd"].as_f64(), Some(0.0));
    for (query, status_wanted, field) in [
        (
            format!("{}/diff?other={}&to=1", a.id, copy.id),
            StatusCode::UNPROCESSABLE_ENTITY,
            "to",
        ),
        (
            format!("{}/diff?from=7", a.id),
            StatusCode::NOT_FOUND,
            "revision",
        ),
        (
            format!("{}/diff?other=nope", a.id),
            StatusCode::NOT_FOUND,
            "id",
        ),
    ] {
        let (status, _, v) = app
            .send(app.http.get(app.url(&format!("/api/v1/scenarios/{query}"))))
            .await;
        assert_eq!(status, status_wanted, "{query}: {v}");
        assert_eq!(
            error(&v).error.field.as_deref(),
            Some(field),
            "{query}: {v}"
        );
    }

    // Evaluating a saved revision is evaluating its scenario, and says which revision.
    let (status, headers, by_ref) = app
        .send(
            app.http
                .post(app.url(&format!("/api/v1/evaluate?scenario={}&revision=1", a.id))),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{by_ref}");
    assert_eq!(
        headers["content-location"],
        format!("/api/v1/scenarios/{}/revisions/1", a.id).as_str()
    );
    let (status, headers, by_body) = app
        .send(app.http.post(app.url("/api/v1/evaluate")).json(&a.scenario))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_ref, by_body);
    assert!(!headers.contains_key("content-location"));
    for (query, body, status_wanted, field) in [
        (
            "?scenario=nope".to_owned(),
            None,
            StatusCode::NOT_FOUND,
            "id",
        ),
        (
            "?revision=1".to_owned(),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "revision",
        ),
        (
            format!("?scenario={}", a.id),
            Some(&a.scenario),
            StatusCode::UNPROCESSABLE_ENTITY,
            "scenario",
        ),
    ] {
        let mut req = app.http.post(app.url(&format!("/api/v1/evaluate{query}")));
        if let Some(b) = body {
            req = req.json(b);
        }
        let (status, _, v) = app.send(req).await;
        assert_eq!(status, status_wanted, "{query}: {v}");
        assert_eq!(
            error(&v).error.field.as_deref(),
            Some(field),
            "{query}: {v}"
        );
    }

    // A bundle of a saved revision cites it in its README.
    let res = app
        .http
        .get(app.url(&format!(
            "/api/v1/bundles/growth/aws.zip?scenario={}&revision=2",
            a.id
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let readme = {
        use std::io::Read;
        let name = zip
            .file_names()
            .find_map(|n| {
                n.ok()
                    .filter(|n| n.ends_with("README.md"))
                    .map(|n| n.into_owned())
            })
            .unwrap();
        let mut text = String::new();
        zip.by_name(&name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    assert!(
        readme.contains(&format!(
            "Saved scenario \"Ride-hailing faster\" (id `{}`), revision 2 of {}.",
            a.id, b.created_at
        )),
        "{readme}"
    );

    // Search, sort and paging over more than a page.
    for i in 0..57 {
        let key = ["ecommerce", "file-saas"][i % 2];
        app.create(&format!("Batch {i:03} {key}"), key).await;
    }
    let names = |page: &ScenarioPage| -> Vec<String> {
        page.scenarios.iter().map(|s| s.name.clone()).collect()
    };
    let saas = app.list("?q=FILE-SAAS&sort=name&limit=200").await;
    assert_eq!(saas.scenarios.len(), 28, "search ignores case");
    let mut sorted = names(&saas);
    sorted.sort();
    assert_eq!(names(&saas), sorted);
    // A pattern character is taken literally.
    assert!(app.list("?q=%25").await.scenarios.is_empty());
    assert_eq!(app.list("?q=12%20%25").await.scenarios.len(), 0);
    for sort in ["name", "updated"] {
        let mut seen: Vec<ScenarioSummary> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let q = match &cursor {
                Some(c) => format!("?sort={sort}&limit=25&cursor={c}"),
                None => format!("?sort={sort}&limit=25"),
            };
            let page = app.list(&q).await;
            pages += 1;
            seen.extend(page.scenarios);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(pages, 3, "{sort}: 59 scenarios in pages of 25");
        assert_eq!(seen.len(), 59, "{sort}: every scenario once");
        let mut ids: Vec<&str> = seen.iter().map(|s| s.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 59, "{sort}: no scenario twice");
        if sort == "updated" {
            assert!(seen.windows(2).all(|w| w[0].updated_at >= w[1].updated_at));
            assert_eq!(seen.last().unwrap().id, a.id, "the oldest change last");
        }
    }
    for (query, field) in [
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?cursor=garbage", "cursor"),
        ("?sort=size", "sort"),
    ] {
        let (status, _, v) = app
            .send(app.http.get(app.url(&format!("/api/v1/scenarios{query}"))))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {v}");
        assert_eq!(
            error(&v).error.field.as_deref(),
            Some(field),
            "{query}: {v}"
        );
    }
}

#[tokio::test]
async fn saved_scenarios_on_sqlite() {
    let dir = scratch("scenarios-sqlite");
    let app = App::start(Settings {
        data_dir: Some(dir.clone()),
        ..Settings::default()
    })
    .await;
    exercise(&app).await;
    assert!(
        dir.join("phaseplan.db").exists(),
        "the database is a file in data_dir"
    );
}

#[tokio::test]
async fn saved_scenarios_on_postgres() {
    let Some(bin) = postgres_bin() else { return };
    let dir = scratch("scenarios-pg");
    let (ok, out) = run(as_postgres(&bin.join("initdb"))
        .args(["-A", "trust", "-U", "postgres", "-D"])
        .arg(dir.join("db")));
    assert!(ok, "initdb: {out}");
    let port = free_port();
    let _pg = start_postgres(&bin, &dir.join("db"), &dir, port, &[]);
    let app = App::start(Settings {
        database_url: Some(SourceUrl::from(format!(
            "postgres://postgres@127.0.0.1:{port}/postgres"
        ))),
        ..Settings::default()
    })
    .await;
    exercise(&app).await;
}

/// The scenario the first-format fixtures hold: the format-1 file the model keeps.
fn first_format_scenario() -> phaseplan_model::scenario::Scenario {
    serde_json::from_str(include_str!(
        "../../shared/tests/fixtures/format-v1-ride-hailing.json"
    ))
    .unwrap()
}

/// A draft of the first-format example, with `message`.
fn first_format_draft<'a>(
    scenario: &'a phaseplan_model::scenario::Scenario,
    message: &'a str,
) -> phaseplan_server::store::Draft<'a> {
    phaseplan_server::store::Draft {
        name: "Format 1 example",
        description: "kept to prove old saves still open",
        scenario,
        message,
    }
}

/// The author of the fixture's writes.
const LOCAL: phaseplan_server::store::Actor<'static> = phaseplan_server::store::Actor {
    name: "local",
    address: "127.0.0.1",
};

/// What a fixture holds: the example saved twice ("first", "second").
async fn write_first_format(store: &phaseplan_server::store::Store) {
    let scenario = first_format_scenario();
    let first = store
        .create(&first_format_draft(&scenario, "first"), &LOCAL)
        .await
        .unwrap();
    store
        .save(
            &first.id,
            1,
            &first_format_draft(&scenario, "second"),
            &LOCAL,
        )
        .await
        .unwrap();
    store.close().await;
}

/// A store opened on a fixture reads the example back as written, and takes a third save.
async fn first_format_reads_back(store: &phaseplan_server::store::Store) {
    use phaseplan_server::store::{ListQuery, Sort};
    let scenario = first_format_scenario();
    let page = store
        .list(&ListQuery {
            q: String::new(),
            sort: Sort::Name,
            archived: false,
            limit: 10,
            cursor: None,
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(page.scenarios.len(), 1);
    let id = &page.scenarios[0].id;
    let latest = store.latest(id).await.unwrap();
    assert_eq!(
        (
            latest.name.as_str(),
            latest.revision,
            latest.message.as_str()
        ),
        ("Format 1 example", 2, "second")
    );
    assert_eq!(latest.scenario, scenario);
    assert_eq!(store.revision(id, 1).await.unwrap().scenario, scenario);
    let saved = store
        .save(id, 2, &first_format_draft(&scenario, "third"), &LOCAL)
        .await
        .unwrap();
    assert_eq!(saved.revision, 3);
}

/// A database written by the first schema (migration 0001) holding a scenario saved in scenario
/// format 1, kept as a file: every later server must open it (the embedded migrations bring the
/// schema forward) and read the same scenario back (older formats are upgraded on read). Written
/// once with `UPDATE_FIXTURES=1`; a new format adds its own fixture beside it.
#[tokio::test]
async fn a_database_of_the_first_format_still_opens() {
    use phaseplan_server::store::Store;
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios-v1.db");
    let dir = scratch("scenarios-v1");
    if std::env::var("UPDATE_FIXTURES").is_ok_and(|v| v == "1") {
        write_first_format(&Store::open(None, Some(&dir)).await.unwrap()).await;
        std::fs::create_dir_all(fixture.parent().unwrap()).unwrap();
        std::fs::copy(dir.join("phaseplan.db"), &fixture).unwrap();
        return;
    }
    std::fs::copy(&fixture, dir.join("phaseplan.db")).unwrap();
    first_format_reads_back(&Store::open(None, Some(&dir)).await.unwrap()).await;
}

/// The same for PostgreSQL: a plain dump of a database of the first schema (its
/// `_sqlx_migrations` included) with the same format-1 save, loaded into a fresh PostgreSQL with
/// `psql`, must open, read back identically and take a new save. Written with
/// `UPDATE_FIXTURES=1` by `pg_dump`.
#[tokio::test]
async fn a_postgres_database_of_the_first_format_still_opens() {
    use phaseplan_server::store::Store;
    let Some(bin) = postgres_bin() else { return };
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scenarios-v1.postgres.sql");
    let dir = scratch("scenarios-v1-pg");
    let (ok, out) = run(as_postgres(&bin.join("initdb"))
        .args(["-A", "trust", "-U", "postgres", "-D"])
        .arg(dir.join("db")));
    assert!(ok, "initdb: {out}");
    let port = free_port();
    let _pg = start_postgres(&bin, &dir.join("db"), &dir, port, &[]);
    let url = SourceUrl::from(format!("postgres://postgres@127.0.0.1:{port}/postgres"));
    if std::env::var("UPDATE_FIXTURES").is_ok_and(|v| v == "1") {
        write_first_format(&Store::open(Some(&url), None).await.unwrap()).await;
        let (ok, dump) = run(std::process::Command::new(bin.join("pg_dump"))
            .args([
                "--no-owner",
                "--no-privileges",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
            ])
            .args(["-p", &port.to_string(), "postgres"]));
        assert!(ok, "pg_dump: {dump}");
        // psql's `\restrict` guard (newer pg_dump) is for dumps of unknown origin; without it
        // the fixture also loads with a psql from before it.
        let dump: String = dump
            .lines()
            .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(&fixture, dump).unwrap();
        return;
    }
    let (ok, out) = run(std::process::Command::new(bin.join("psql"))
        .args([
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
        ])
        .args(["-p", &port.to_string(), "-d", "postgres", "-f"])
        .arg(&fixture));
    assert!(ok, "psql could not load the fixture: {out}");
    first_format_reads_back(&Store::open(Some(&url), None).await.unwrap()).await;
}
