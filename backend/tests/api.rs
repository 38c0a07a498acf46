#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Integration tests: start the real server on a random port and talk HTTP to it.

use phaseplan_model::api::{ErrorBody, ErrorCode, Health, PhaseFitResponse};
use phaseplan_server::config::Settings;
use phaseplan_server::startup::Application;
use reqwest::StatusCode;
use serde_json::json;

struct TestApp {
    base: String,
    client: reqwest::Client,
}

impl TestApp {
    async fn spawn() -> TestApp {
        Self::spawn_with(Settings {
            port: 0,
            ..Settings::default()
        })
        .await
    }

    async fn spawn_with(settings: Settings) -> TestApp {
        let app = Application::build(&settings).await.expect("bind");
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        TestApp {
            base,
            client: reqwest::Client::new(),
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    async fn post_raw(&self, path: &str, content_type: &str, body: &str) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body.to_owned())
            .send()
            .await
            .expect("request")
    }

    async fn phase_fit(&self, body: serde_json::Value) -> reqwest::Response {
        self.post_raw("/api/v1/phase-fit", "application/json", &body.to_string())
            .await
    }
}

async fn error_of(res: reqwest::Response) -> (StatusCode, ErrorBody) {
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(ct.starts_with("application/json"), "content-type {ct}");
    (status, res.json().await.expect("JSON error body"))
}

#[tokio::test]
async fn health_reports_name_version_and_uptime() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/v1/health").await;
    assert_eq!(res.status(), StatusCode::OK);
    let h: Health = res.json().await.unwrap();
    assert_eq!(h.name, "phaseplan-server");
    assert_eq!(h.version, env!("CARGO_PKG_VERSION"));
    assert!(h.uptime_seconds < 60);
}

#[tokio::test]
async fn catalog_lists_every_provider_with_sourced_prices() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/v1/catalog").await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: serde_json::Value = res.json().await.unwrap();
    let ids: Vec<&str> = v["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["aws", "gcp", "azure", "linode", "digitalocean", "hetzner"]
    );
    let price = &v["providers"][5]["compute"][0]["price"];
    assert_eq!(price["currency"], "EUR");
    assert_eq!(price["source"], "HZ-pg");
    assert_eq!(price["as_of"], "2025-08-19");
    // It parses back into the model's type and validates.
    phaseplan_model::cost::catalog::Catalog::from_json(&v.to_string()).unwrap();
}

#[tokio::test]
async fn presets_are_the_three_seed_platforms_and_valid() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/v1/presets").await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: Vec<phaseplan_model::presets::Preset> = res.json().await.unwrap();
    let keys: Vec<&str> = list.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["ride-hailing", "ecommerce", "file-saas"]);
    for p in list {
        assert!(p.scenario.validate().is_ok(), "{}", p.key);
    }
}

#[tokio::test]
async fn phase_fit_returns_the_fitting_phase() {
    let app = TestApp::spawn().await;
    for (users, phase, status) in [
        (800.0, "launch", "optimal"),
        (1_700.0, "launch", "critical"),
        (3_500.0, "growth", "warning"),
        (12_000.0, "scale", "critical"),
        (20_000.0, "enterprise", "optimal"),
    ] {
        let res = app
            .phase_fit(json!({ "peak_concurrent_users": users }))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let v: serde_json::Value = res.json().await.unwrap();
        assert_eq!(v["phase"]["key"], phase, "{users}");
        assert_eq!(v["status"], status, "{users}");
        let typed: PhaseFitResponse = serde_json::from_value(v).unwrap();
        assert_eq!(typed.peak_concurrent_users, users);
    }
}

#[tokio::test]
async fn invalid_values_name_the_field_and_the_reason() {
    let app = TestApp::spawn().await;
    for (value, reason) in [
        (json!(-5), "must not be negative"),
        (json!(1e12), "must be between"),
        (json!(1e308), "must be between"),
    ] {
        let res = app
            .phase_fit(json!({ "peak_concurrent_users": value }))
            .await;
        let (status, body) = error_of(res).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{value}");
        assert_eq!(body.error.code, ErrorCode::InvalidInput);
        assert_eq!(body.error.field.as_deref(), Some("peak_concurrent_users"));
        assert!(
            body.error.message.contains(reason),
            "{}",
            body.error.message
        );
    }
}

#[tokio::test]
async fn malformed_json_is_a_400_with_the_field_when_known() {
    let app = TestApp::spawn().await;
    let cases = [
        ("{\"peak_concurrent_users\": ", None),
        ("{\"peak_concurrent_users\": NaN}", None),
        (
            "{\"peak_concurrent_users\": \"many\"}",
            Some("peak_concurrent_users"),
        ),
        ("{}", None),
        (
            "{\"peak_concurrent_users\": 5, \"extra\": 1}",
            Some("extra"),
        ),
        ("[]", None),
    ];
    for (body, field) in cases {
        let res = app
            .post_raw("/api/v1/phase-fit", "application/json", body)
            .await;
        let (status, err) = error_of(res).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(err.error.code, ErrorCode::MalformedJson, "{body}");
        if field.is_some() {
            assert_eq!(err.error.field.as_deref(), field, "{body}");
        }
    }
}

#[tokio::test]
async fn wrong_content_type_is_a_415() {
    let app = TestApp::spawn().await;
    let res = app
        .post_raw(
            "/api/v1/phase-fit",
            "text/plain",
            "{\"peak_concurrent_users\": 5}",
        )
        .await;
    let (status, err) = error_of(res).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(err.error.code, ErrorCode::UnsupportedMediaType);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = TestApp::spawn().await;
    let huge = format!(
        "{{\"peak_concurrent_users\": 1{}}}",
        "0".repeat(2 * 1024 * 1024)
    );
    let res = app
        .post_raw("/api/v1/phase-fit", "application/json", &huge)
        .await;
    let (status, err) = error_of(res).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(err.error.code, ErrorCode::PayloadTooLarge);
}

#[tokio::test]
async fn unknown_api_paths_and_methods_get_json_errors() {
    let app = TestApp::spawn().await;
    let (status, err) = error_of(app.get("/api/v1/nope").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(err.error.code, ErrorCode::NotFound);
    let (status, err) = error_of(app.get("/api/v1/phase-fit").await).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(err.error.code, ErrorCode::MethodNotAllowed);
}

#[tokio::test]
async fn spa_from_a_directory_serves_assets_deep_links_and_cache_headers() {
    let dir = std::env::temp_dir().join(format!("phaseplan-spa-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>t</title>").unwrap();
    std::fs::write(dir.join("app-0123456789abcdef_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let app = TestApp::spawn_with(Settings {
        port: 0,
        static_dir: Some(dir.clone()),
        ..Settings::default()
    })
    .await;

    let res = app.get("/costs/deep/link").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert!(res.text().await.unwrap().contains("<title>t</title>"));

    let res = app.get("/app-0123456789abcdef_bg.wasm").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/wasm");
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let res = app
        .client
        .get(format!("{}/app-0123456789abcdef_bg.wasm", app.base))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);

    // A revalidated page keeps its own policy: the browser merges the 304's headers into the
    // cached page, so an API policy here would block the app on every revisit.
    let page = app.get("/").await;
    let policy = page.headers()["content-security-policy"].clone();
    assert!(
        policy.to_str().unwrap().contains("'wasm-unsafe-eval'"),
        "{policy:?}"
    );
    let etag = page.headers()["etag"].to_str().unwrap().to_owned();
    for path in ["/", "/costs/deep/link"] {
        let res = app
            .client
            .get(format!("{}{path}", app.base))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(res.headers()["content-security-policy"], policy, "{path}");
    }

    assert_eq!(app.get("/missing.js").await.status(), StatusCode::NOT_FOUND);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(format!("{}/api/v1/health", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    // Health is tiny; compression kicks in for bodies over 32 bytes, which this is.
    assert_eq!(
        res.headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap()),
        Some("gzip")
    );
}

#[tokio::test]
async fn evaluate_returns_the_same_evaluation_as_the_model() {
    let app = TestApp::spawn().await;
    let scenario = phaseplan_model::presets::preset("ride-hailing")
        .unwrap()
        .scenario;
    let res = app
        .post_raw(
            "/api/v1/evaluate",
            "application/json",
            &serde_json::to_string(&scenario).unwrap(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    let expected = phaseplan_model::evaluate::evaluate(
        &scenario.validate().unwrap(),
        &phaseplan_model::cost::catalog::Catalog::built_in().unwrap(),
    );
    // The very text the model's own result serialises to: the browser's numbers, digit for digit.
    assert_eq!(text, serde_json::to_string(&expected).unwrap());
    let got: phaseplan_model::evaluate::Evaluation = serde_json::from_str(&text).unwrap();
    assert_eq!(got.timeline.months.len(), 36);
    assert_eq!(got.providers.len(), 6);
    assert_eq!(got.uncertainty.cost_usd.len(), 36);
}

#[tokio::test]
async fn evaluate_refuses_invalid_scenarios_with_the_field() {
    let app = TestApp::spawn().await;
    let mut v = serde_json::to_value(
        phaseplan_model::presets::preset("ecommerce")
            .unwrap()
            .scenario,
    )
    .unwrap();
    v["phases"][1]["database"]["pool_size"] = json!(100_000);
    let res = app
        .post_raw("/api/v1/evaluate", "application/json", &v.to_string())
        .await;
    let (status, err) = error_of(res).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        err.error.field.as_deref(),
        Some("phases[1].database.pool_size")
    );
    v["phases"][1]["database"]["pool_size"] = json!(100);
    v["pricing"]["provider"] = json!("ibm");
    let res = app
        .post_raw("/api/v1/evaluate", "application/json", &v.to_string())
        .await;
    let (status, err) = error_of(res).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err.error.field.as_deref(), Some("pricing.provider"));
    let res = app
        .post_raw(
            "/api/v1/evaluate",
            "application/json",
            "{\"format_version\": 1",
        )
        .await;
    assert_eq!(error_of(res).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_missing_field_is_named_by_its_full_path() {
    let app = TestApp::spawn().await;
    let res = app
        .post_raw(
            "/api/v1/evaluate",
            "application/json",
            r#"{"format_version": 1}"#,
        )
        .await;
    let (status, err) = error_of(res).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err.error.field.as_deref(), Some("name"));
    let mut v = serde_json::to_value(
        phaseplan_model::presets::preset("ecommerce")
            .unwrap()
            .scenario,
    )
    .unwrap();
    v["growth"].as_object_mut().unwrap().remove("monthly_rate");
    let res = app
        .post_raw("/api/v1/evaluate", "application/json", &v.to_string())
        .await;
    let (_, err) = error_of(res).await;
    assert_eq!(err.error.field.as_deref(), Some("growth.monthly_rate"));
}

mod bundles {
    use super::*;
    use phaseplan_model::bundle::archive::{self, Format};
    use phaseplan_model::bundle::generate;
    use phaseplan_model::cost::catalog::{Catalog, ProviderId};
    use phaseplan_model::presets::{default_preset, preset};

    fn zip_names(bytes: &[u8]) -> Vec<String> {
        let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        zip.file_names().map(|n| n.unwrap().into_owned()).collect()
    }

    #[tokio::test]
    async fn the_default_scenario_s_bundle_is_the_model_s_bytes() {
        let app = TestApp::spawn().await;
        let res = app.get("/api/v1/bundles/growth/aws.zip").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/zip");
        assert_eq!(
            res.headers()["content-disposition"],
            "attachment; filename=\"phaseplan-growth-aws.zip\""
        );
        let bytes = res.bytes().await.unwrap();
        let s = default_preset().scenario.validate().unwrap();
        let expected =
            generate(&s, &Catalog::built_in().unwrap(), "growth", ProviderId::Aws).unwrap();
        assert_eq!(
            bytes.as_ref(),
            archive::write(&expected, Format::Zip).unwrap().as_slice()
        );
        let names = zip_names(&bytes);
        assert!(names.contains(&"phaseplan-growth-aws/terraform/main.tf".to_owned()));
        assert!(names.contains(&"phaseplan-growth-aws/postgres/pgbouncer.ini".to_owned()));
        assert_eq!(names.len(), expected.files.len());
        // Asking twice gives the same bytes, never compressed a second time.
        let again = app
            .client
            .get(format!("{}/api/v1/bundles/growth/aws.zip", app.base))
            .header("accept-encoding", "gzip, br")
            .send()
            .await
            .unwrap();
        assert!(again.headers().get("content-encoding").is_none());
        assert_eq!(bytes, again.bytes().await.unwrap());
    }

    #[tokio::test]
    async fn a_posted_scenario_gets_its_own_bundle_as_tar_gz() {
        let app = TestApp::spawn().await;
        let mut scenario = preset("ecommerce").unwrap().scenario;
        scenario.phases[2].app.max_instances = 17;
        let res = app
            .post_raw(
                "/api/v1/bundles/scale/gcp.tar.gz",
                "application/json",
                &serde_json::to_string(&scenario).unwrap(),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/gzip");
        let bytes = res.bytes().await.unwrap();
        let b = generate(
            &scenario.validate().unwrap(),
            &Catalog::built_in().unwrap(),
            "scale",
            ProviderId::Gcp,
        )
        .unwrap();
        assert!(
            b.file("kubernetes/hpa.yaml")
                .unwrap()
                .contents
                .contains("maxReplicas: 17")
        );
        assert_eq!(
            bytes.as_ref(),
            archive::write(&b, Format::TarGz).unwrap().as_slice()
        );
    }

    #[tokio::test]
    async fn unknown_phases_providers_and_formats_are_404_naming_the_part() {
        let app = TestApp::spawn().await;
        for (path, field, says) in [
            (
                "/api/v1/bundles/moon/aws.zip",
                "phase",
                "unknown phase \"moon\"",
            ),
            (
                "/api/v1/bundles/growth/oracle.zip",
                "provider",
                "unknown provider \"oracle\"",
            ),
            ("/api/v1/bundles/growth/aws.rar", "format", ".tar.gz"),
        ] {
            let (status, body) = error_of(app.get(path).await).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(body.error.code, ErrorCode::NotFound);
            assert_eq!(body.error.field.as_deref(), Some(field), "{path}");
            assert!(
                body.error.message.contains(says),
                "{path}: {}",
                body.error.message
            );
        }
    }

    #[tokio::test]
    async fn an_invalid_posted_scenario_is_422_naming_the_field() {
        let app = TestApp::spawn().await;
        let mut scenario = json!(default_preset().scenario);
        scenario["phases"][1]["database"]["pool_size"] = json!(100_000);
        let res = app
            .post_raw(
                "/api/v1/bundles/growth/aws.zip",
                "application/json",
                &scenario.to_string(),
            )
            .await;
        let (status, body) = error_of(res).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            body.error.field.as_deref(),
            Some("phases[1].database.pool_size")
        );
        // Issue 12: a line break in a name would have put its next line into the files.
        let mut scenario = json!(default_preset().scenario);
        scenario["phases"][0]["name"] = json!("Launch\nresource \"null_resource\" \"x\" {}");
        let res = app
            .post_raw(
                "/api/v1/bundles/launch/aws.zip",
                "application/json",
                &scenario.to_string(),
            )
            .await;
        let (status, body) = error_of(res).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body.error.field.as_deref(), Some("phases[0].name"));
        assert_eq!(
            body.error.message,
            "phases[0].name: must not contain control characters (found U+000A at character 7)"
        );
        let res = app
            .post_raw(
                "/api/v1/bundles/growth/aws.zip",
                "application/json",
                "{\"name\": NaN}",
            )
            .await;
        assert_eq!(error_of(res).await.0, StatusCode::BAD_REQUEST);
    }
}

/// The R `usl` package's `specsdm91` dataset: the fit over HTTP is the published one.
#[tokio::test]
async fn usl_fit_answers_the_published_fit_and_names_bad_points() {
    let app = TestApp::spawn().await;
    let data = [
        (1.0, 64.9),
        (18.0, 995.9),
        (36.0, 1652.4),
        (72.0, 1853.2),
        (108.0, 1828.9),
        (144.0, 1775.0),
        (216.0, 1702.2),
    ];
    let points: Vec<serde_json::Value> = data
        .iter()
        .map(|(n, x)| serde_json::json!({"concurrency": n, "throughput": x}))
        .collect();
    let res = app
        .post_raw(
            "/api/v1/usl/fit",
            "application/json",
            &serde_json::json!({ "points": points }).to_string(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let fit: serde_json::Value = res.json().await.unwrap();
    let near = |k: &str, v: f64| (fit[k].as_f64().unwrap() - v).abs() / v < 0.01;
    assert!(
        near("sigma", 2.773e-2) && near("kappa", 1.044e-4) && near("lambda", 90.0),
        "{fit}"
    );
    assert!(
        near("peak_concurrency", 96.52) && near("peak_throughput", 1884.0),
        "{fit}"
    );
    assert!(fit["r_squared"].as_f64().unwrap() > 0.9, "{fit}");
    assert_eq!(fit["residuals"].as_array().unwrap().len(), 7);
    for k in ["lambda", "sigma", "kappa", "peak_concurrency"] {
        let [lo, hi] = [0, 1].map(|i| fit["intervals"][k][i].as_f64().unwrap());
        let v = fit[k].as_f64().unwrap();
        assert!(lo <= v && v <= hi, "{k}: {fit}");
    }

    // A bad point is a 422 naming it; too few concurrencies, or malformed JSON, likewise clear.
    let mut bad = points.clone();
    bad[3]["throughput"] = serde_json::json!(-5);
    let cases = [
        (
            serde_json::json!({ "points": bad }).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "points[3].throughput",
        ),
        (
            serde_json::json!({ "points": &points[..3] }).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "points",
        ),
        (
            r#"{"points": [{"concurrency": 1, "throughput": 1, "x": 2}]}"#.to_owned(),
            StatusCode::BAD_REQUEST,
            "points[0]",
        ),
    ];
    for (body, status, field) in cases {
        let (got, err) = error_of(
            app.post_raw("/api/v1/usl/fit", "application/json", &body)
                .await,
        )
        .await;
        assert_eq!(got, status, "{body}: {err:?}");
        assert!(
            err.error
                .field
                .as_deref()
                .is_some_and(|f| f.starts_with(field)),
            "{body}: {err:?}"
        );
    }
    let falling = serde_json::json!({"points": [
        {"concurrency": 1, "throughput": 100}, {"concurrency": 2, "throughput": 60},
        {"concurrency": 4, "throughput": 30}, {"concurrency": 8, "throughput": 15}]});
    let (got, err) = error_of(
        app.post_raw("/api/v1/usl/fit", "application/json", &falling.to_string())
            .await,
    )
    .await;
    assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err.error.message.contains("never rises"), "{err:?}");
}

/// A real file of each kind the parse takes, as the raw body; bad ones named.
#[tokio::test]
async fn measurements_parse_takes_the_raw_file_and_names_the_bad_line() {
    let app = TestApp::spawn().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/tests/fixtures/measurements");
    let read = |n: &str| std::fs::read_to_string(dir.join(n)).unwrap();
    for (format, file, media, points) in [
        ("hey", "hey.txt", "text/plain", 6),
        ("wrk", "wrk.txt", "text/plain", 6),
        ("k6-json", "k6-summary.json", "application/json", 1),
        ("k6-csv", "k6.csv", "text/csv", 3),
        ("jmeter", "jmeter.jtl", "text/csv", 3),
        (
            "locust",
            "locust_stats_history.csv",
            "text/csv; charset=utf-8",
            4,
        ),
    ] {
        let res = app
            .post_raw(
                &format!("/api/v1/measurements/parse?format={format}"),
                media,
                &read(file),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{format}");
        let got: serde_json::Value = res.json().await.unwrap();
        assert_eq!(
            got["points"].as_array().unwrap().len(),
            points,
            "{format}: {got}"
        );
        assert!(got["points"][0]["concurrency"].as_f64().unwrap() > 0.0);
        assert!(got["warnings"].is_array());
    }
    // Without ?format= the content says which.
    let res = app
        .post_raw("/api/v1/measurements/parse", "text/plain", &read("wrk.txt"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The plain CSV, and what goes wrong.
    let csv = "concurrency,throughput,latency_ms\n1,100,5\n2,lots,6\n";
    let (status, err) = error_of(
        app.post_raw("/api/v1/measurements/parse?format=csv", "text/csv", csv)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err.error.field.as_deref(), Some("body"));
    assert!(
        err.error
            .message
            .contains("line 3: throughput \"lots\" is not a number"),
        "{err:?}"
    );
    let (status, err) = error_of(
        app.post_raw("/api/v1/measurements/parse?format=gatling", "text/csv", csv)
            .await,
    )
    .await;
    assert_eq!(
        (status, err.error.field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("format"))
    );
    let (status, err) = error_of(
        app.post_raw(
            "/api/v1/measurements/parse?format=hey&concurrency=-1",
            "text/plain",
            "x",
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, err.error.field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("concurrency"))
    );
    let (status, _) = error_of(
        app.post_raw(
            "/api/v1/measurements/parse?format=csv",
            "application/xml",
            csv,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Over the API's usual 1 MiB and within 16 MiB: read; over 16 MiB: 413.
    let mut big = String::from("concurrency,throughput\n");
    while big.len() < 3 * 1024 * 1024 {
        big.push_str("4,400\n8,700\n");
    }
    let res = app
        .post_raw("/api/v1/measurements/parse?format=csv", "text/csv", &big)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let huge = "x".repeat(16 * 1024 * 1024 + 1);
    let (status, _) = error_of(
        app.post_raw("/api/v1/measurements/parse?format=csv", "text/csv", &huge)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}
