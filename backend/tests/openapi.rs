#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The API contract: `/api/v1/openapi.json` is an OpenAPI 3.1 document that covers every route
//! the router serves (read from the router's source, so a new route without a document entry
//! fails here), with every error the route can answer, and examples that the server accepts.
//! The document is also checked by a real validator (`openapi-spec-validator`, installed by
//! `cargo xtask test`), and `cargo xtask test` runs schemathesis against the release server.

use std::collections::BTreeSet;

use phaseplan_server::config::Settings;
use phaseplan_server::startup::Application;

mod common;

async fn document() -> (serde_json::Value, String) {
    let app = Application::build(&Settings {
        port: 0,
        rate_limit_per_minute: 0,
        ..Settings::default()
    })
    .await
    .unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    common::wait_healthy(&base).await;
    let res = reqwest::get(format!("{base}/api/v1/openapi.json"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    (res.json().await.unwrap(), base)
}

/// `(METHOD, path)` of every route in the router's source.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for src in [
        include_str!("../src/routes/mod.rs"),
        include_str!("../src/startup.rs"),
    ] {
        let flat: String = src.split_whitespace().collect::<Vec<_>>().join(" ");
        for part in flat.split(".route(").skip(1) {
            let Some(path) = part
                .trim_start()
                .strip_prefix('"')
                .and_then(|p| p.split('"').next())
            else {
                continue;
            };
            if !(path.starts_with("/api/v1/")
                || path.starts_with("/api/scaling/")
                || path == "/metrics")
            {
                continue; // the JSON 404 for unknown API paths
            }
            let end = part.find("))").map_or(part.len(), |i| i + 2);
            let handlers = &part[..end];
            for (m, call) in [
                ("GET", "get("),
                ("POST", "post("),
                ("PUT", "put("),
                ("PATCH", "patch("),
                ("DELETE", "delete("),
            ] {
                if handlers.contains(call) {
                    out.insert((m.to_owned(), path.to_owned()));
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn the_document_covers_every_route_with_its_errors() {
    let (doc, _) = document().await;
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            documented.insert((method.to_uppercase(), path.clone()));
            let responses = op["responses"].as_object().unwrap();
            assert!(
                ["200", "201", "204"]
                    .iter()
                    .any(|s| responses.contains_key(*s)),
                "{method} {path}: no success response"
            );
            // With `auth = "users"` everything but health and the contract needs a credential
            // and a role that allows it.
            if !matches!(path.as_str(), "/api/v1/health" | "/api/v1/openapi.json") {
                for status in ["401", "403"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path}: no {status}"
                    );
                }
            }
            for status in ["408", "421", "500"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path}: no {status}"
                );
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422", "429"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path}: no {status}"
                    );
                }
            }
            for (status, r) in responses {
                if !status.starts_with('2') {
                    assert_eq!(
                        r["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
    let in_source = routes_in_source();
    assert!(in_source.len() >= 13, "{in_source:?}");
    assert_eq!(documented, in_source);
    // Every error code of the wire enum is in the schema, with the statuses the server uses.
    let codes = &doc["components"]["schemas"]["ErrorCode"]["enum"];
    for code in [
        "too_many_requests",
        "service_unavailable",
        "request_timeout",
        "misdirected_request",
    ] {
        assert!(
            codes.as_array().unwrap().iter().any(|c| c == code),
            "{codes}"
        );
    }
}

#[tokio::test]
async fn the_examples_are_the_presets_and_the_server_accepts_them() {
    let (doc, base) = document().await;
    let examples = doc["paths"]["/api/v1/evaluate"]["post"]["requestBody"]["content"]
        ["application/json"]["examples"]
        .as_object()
        .unwrap()
        .clone();
    let names: BTreeSet<&str> = examples.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        BTreeSet::from(["ride-hailing", "ecommerce", "file-saas"])
    );
    let client = reqwest::Client::new();
    for (name, ex) in &examples {
        let preset = phaseplan_model::presets::preset(name).unwrap();
        assert_eq!(ex["value"], serde_json::to_value(&preset.scenario).unwrap());
        let res = client
            .post(format!("{base}/api/v1/evaluate"))
            .json(&ex["value"])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{name}");
    }
}

/// Every string a schema allows, however utoipa spells the enum (`enum`, or `oneOf` of one-value
/// enums when the variants are documented).
fn enum_values(schema: &serde_json::Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match schema {
        serde_json::Value::Object(o) => {
            for (k, v) in o {
                match (k.as_str(), v) {
                    ("enum", serde_json::Value::Array(values)) => {
                        out.extend(values.iter().filter_map(|v| v.as_str().map(str::to_owned)))
                    }
                    _ => out.extend(enum_values(v)),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| out.extend(enum_values(v))),
        _ => {}
    }
    out
}

#[tokio::test]
async fn the_ladder_steps_and_the_ranking_have_one_name_each() {
    let (doc, _) = document().await;
    let schemas = &doc["components"]["schemas"];
    let set = |names: &[&str]| names.iter().map(|&n| n.to_owned()).collect::<BTreeSet<_>>();
    // The live step and the plan's step: the same wire names wherever both say a step.
    assert_eq!(
        enum_values(&schemas["LiveAction"]),
        set(&[
            "stay",
            "prepare_next_phase",
            "move_to_next_phase",
            "extend_ladder",
            "no_data"
        ])
    );
    assert_eq!(
        enum_values(&schemas["Action"]),
        set(&[
            "stay",
            "prepare_next_phase",
            "optimise_current",
            "extend_ladder"
        ])
    );
    assert_eq!(
        schemas["LiveAnalysis"]["properties"]["action"]["$ref"],
        "#/components/schemas/LiveAction"
    );
    // The provider matrix's result is the ranking; no schema is a bare "Decision" any more.
    assert!(schemas["Ranking"]["properties"]["ranking"].is_object());
    assert!(schemas.get("Decision").is_none() && schemas.get("LiveDecision").is_none());
}

#[tokio::test]
async fn a_real_validator_accepts_the_document() {
    let Some(validator) = common::tool("openapi-spec-validator") else {
        return;
    };
    let (doc, _) = document().await;
    let dir = common::scratch("openapi");
    let file = dir.join("openapi.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let (ok, out) = common::run(std::process::Command::new(&validator).arg(&file));
    assert!(ok, "{out}");
    // And it can fail: a path without responses is refused.
    let mut broken = doc.clone();
    broken["paths"]["/api/v1/health"]["get"]
        .as_object_mut()
        .unwrap()
        .insert("responses".to_owned(), serde_json::json!("none"));
    std::fs::write(&file, broken.to_string()).unwrap();
    let (ok, _) = common::run(std::process::Command::new(&validator).arg(&file));
    assert!(!ok, "the validator accepted a broken document");
}

/// The document names each schema by its type's name, and a second type of the same name
/// silently replaces the first (a response would be checked against the wrong shape): every
/// type that derives a schema has a name of its own.
#[test]
fn every_schema_has_a_name_of_its_own() {
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let mut derives = false;
                for line in text.lines() {
                    let line = line.trim();
                    if line.contains("ToSchema") && line.starts_with("#[") {
                        derives = true;
                    } else if derives {
                        let name = ["pub struct ", "pub enum "].iter().find_map(|k| {
                            line.strip_prefix(k).map(|rest| {
                                rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                                    .next()
                                    .unwrap_or_default()
                                    .to_owned()
                            })
                        });
                        if let Some(name) = name {
                            out.push((name, path.display().to_string()));
                            derives = false;
                        } else if !line.starts_with("#[") && !line.starts_with("///") {
                            derives = false;
                        }
                    }
                }
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    walk(&root.join("src"), &mut found);
    walk(&root.join("../shared/src"), &mut found);
    assert!(found.len() > 50, "{found:?}");
    let mut seen = std::collections::BTreeMap::new();
    for (name, file) in found {
        if let Some(other) = seen.insert(name.clone(), file.clone()) {
            panic!("two schemas named {name}: {other} and {file}");
        }
    }
}
