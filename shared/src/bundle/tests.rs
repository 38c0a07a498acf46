//! Unit tests of the generators. The real tools (nginx, promtool, docker-compose, pgbouncer,
//! redis-server, postgres, a Kubernetes schema validator, an HCL parser) check every file of every
//! preset × phase × provider in `backend/tests/bundles.rs`.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::presets::presets;

/// A preset's scenario, validated.
fn valid(preset: &str) -> crate::valid::ValidScenario {
    presets()
        .into_iter()
        .find(|p| p.key == preset)
        .expect("preset")
        .scenario
        .validate()
        .expect("valid")
}

fn bundle(preset: &str, phase: &str, provider: ProviderId) -> Bundle {
    let p = presets()
        .into_iter()
        .find(|p| p.key == preset)
        .expect("preset");
    let s = p.scenario.validate().expect("valid preset");
    generate(&s, &Catalog::built_in().expect("catalog"), phase, provider).expect("bundle")
}

#[test]
fn every_preset_phase_and_provider_gives_a_bounded_sorted_bundle() {
    let catalog = Catalog::built_in().expect("catalog");
    for p in presets() {
        let s = p.scenario.clone().validate().expect("valid");
        for phase in s.ladder().phases() {
            for provider in ProviderId::ALL {
                let b = generate(&s, &catalog, &phase.key, provider).expect("bundle");
                assert!(b.files.len() <= MAX_FILES);
                assert!(b.files.windows(2).all(|w| w[0].path < w[1].path));
                assert!(b.files.iter().all(|f| f.contents.len() <= MAX_FILE_BYTES));
                assert!(b.monthly_usd > 0.0);
                for path in [
                    "README.md",
                    ".env",
                    "nginx/nginx.conf",
                    "monitoring/alerts.yml",
                    "terraform/versions.tf",
                    "terraform/main.tf",
                ] {
                    assert!(
                        b.file(path).is_some(),
                        "{} {} {:?}: {path}",
                        p.key,
                        phase.key,
                        provider
                    );
                }
                assert_eq!(b.file("kubernetes/hpa.yaml").is_some(), phase.kubernetes);
                assert_eq!(
                    b.file("postgres/pgbouncer.ini").is_some(),
                    phase.database.pgbouncer
                );
            }
        }
    }
}

#[test]
fn the_same_input_gives_byte_identical_archives() {
    let a = bundle("ride-hailing", "growth", ProviderId::Aws);
    let b = bundle("ride-hailing", "growth", ProviderId::Aws);
    for f in [archive::Format::Zip, archive::Format::TarGz] {
        let x = archive::write(&a, f).expect("archive");
        let y = archive::write(&b, f).expect("archive");
        assert_eq!(x, y, "{f:?}");
        assert!(x.len() > 1_000);
    }
}

#[test]
fn the_files_carry_the_phase_s_numbers() {
    let b = bundle("ride-hailing", "growth", ProviderId::Aws);
    let env = &b.file(".env").expect("env").contents;
    assert!(env.contains("SCALING_PHASE=growth\n"));
    assert!(env.contains("DB_MAX_CONNECTIONS=100\n"));
    assert!(env.contains("WEBSOCKET_MAX_CONNECTIONS=2000\n"));
    assert!(env.contains("ENABLE_REDIS_SENTINEL=true\n"));
    let nginx = &b.file("nginx/nginx.conf").expect("nginx").contents;
    assert!(nginx.contains("worker_processes 4;"));
    assert!(nginx.contains("worker_connections 4096;"));
    assert!(nginx.contains("ip_hash;"), "Growth pins WebSocket clients");
    let alerts = &b.file("monitoring/alerts.yml").expect("alerts").contents;
    // Growth's CPU band is 70 / 85 %.
    assert!(alerts.contains("> 70\n"));
    assert!(alerts.contains("> 85\n"));
    let pgb = &b
        .file("postgres/pgbouncer.ini")
        .expect("pgbouncer")
        .contents;
    assert!(pgb.contains("default_pool_size = 100\n"));
    let tf = &b.file("terraform/main.tf").expect("main.tf").contents;
    assert!(tf.contains("multi_az                = true"));
    assert!(tf.contains("resource \"aws_db_instance\" \"replica\""));
}

#[test]
fn secrets_are_variables_or_marked_placeholders() {
    for provider in ProviderId::ALL {
        let b = bundle("ride-hailing", "scale", provider);
        let vars = &b
            .file("terraform/variables.tf")
            .expect("variables")
            .contents;
        for secret in ["db_password", "redis_password"] {
            let block = vars
                .split("variable \"")
                .find(|v| v.starts_with(secret))
                .expect(secret);
            assert!(
                block.contains("sensitive   = true"),
                "{provider:?} {secret}"
            );
            assert!(
                !block.contains("default"),
                "{provider:?} {secret} has a default"
            );
        }
        for f in &b.files {
            for line in f.contents.lines() {
                assert!(
                    !assigns_a_literal_secret(line),
                    "{provider:?} {}: {line}",
                    f.path
                );
            }
        }
    }
}

/// A line that sets a password, token or secret to a literal value (not a variable, an env
/// reference or a `change-me` placeholder).
fn assigns_a_literal_secret(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with(['#', ';', '/']) {
        return false;
    }
    let Some((key, value)) = t.split_once(['=', ':']) else {
        return false;
    };
    let key = key.trim().trim_matches('"').to_lowercase();
    let secretish = ["password", "token", "secret", "auth_pass"]
        .iter()
        .any(|w| key.contains(w))
        && !["password_encryption", "description", "sensitive"].contains(&key.as_str());
    let value = value.trim().trim_matches('"');
    secretish
        && !(value.is_empty()
            || value.starts_with("var.")
            || value.contains("${")
            || value.contains("change-me")
            || value.starts_with('{'))
}

#[test]
fn the_secret_check_catches_literals() {
    assert!(assigns_a_literal_secret("  password = \"hunter2\""));
    assert!(assigns_a_literal_secret("REDIS_PASSWORD=hunter2"));
    assert!(!assigns_a_literal_secret("  password = var.db_password"));
    assert!(!assigns_a_literal_secret("POSTGRES_PASSWORD=change-me"));
    assert!(!assigns_a_literal_secret(
        "# requirepass set at deploy time"
    ));
}

#[test]
fn unknown_phases_are_refused_with_the_known_ones() {
    let p = presets().into_iter().next().expect("preset");
    let s = p.scenario.validate().expect("valid");
    let err = generate(
        &s,
        &Catalog::built_in().expect("catalog"),
        "moon",
        ProviderId::Gcp,
    )
    .expect_err("unknown");
    assert!(
        matches!(&err, BundleError::UnknownPhase { known, .. } if known.contains(&"growth".to_owned()))
    );
    assert!(err.to_string().contains("\"moon\""));
}

#[test]
fn single_node_phases_get_compose_and_kubernetes_phases_manifests() {
    let launch = bundle("ride-hailing", "launch", ProviderId::Hetzner);
    assert!(launch.file("docker-compose.yml").is_some());
    assert!(launch.file("kubernetes/hpa.yaml").is_none());
    let scale = bundle("ride-hailing", "scale", ProviderId::Gcp);
    assert!(scale.file("docker-compose.yml").is_none());
    let hpa = &scale.file("kubernetes/hpa.yaml").expect("hpa").contents;
    assert!(hpa.contains("apiVersion: autoscaling/v2"));
    assert!(hpa.contains("minReplicas: 3"));
    assert!(hpa.contains("maxReplicas: 10"));
    assert!(hpa.contains("averageUtilization: 70"));
}

/// Terraform lines without comments: what a provider is asked to create.
fn resources_only(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Renaming SKUs in the catalog is a change of labels: every plan comes from the catalog's
/// `plan` data, so the Terraform of every preset × phase × provider is the same apart from the
/// comments that name the SKU.
#[test]
fn renaming_every_sku_changes_no_terraform_resource() {
    let catalog = Catalog::built_in().expect("catalog");
    let mut renamed = catalog.clone();
    for p in &mut renamed.providers {
        for c in &mut p.compute {
            c.sku = format!("Renamed {} XL 99 GB", c.sku);
        }
        for d in &mut p.postgres {
            d.sku = format!("Renamed {} 7 GB", d.sku);
        }
        for r in &mut p.redis {
            r.sku = format!("Renamed {} C9 1 GB", r.sku);
        }
    }
    renamed.validate().expect("still a valid catalog");
    let mut compared = 0;
    for p in presets() {
        let s = p.scenario.clone().validate().expect("valid");
        for phase in s.ladder().phases() {
            for provider in ProviderId::ALL {
                let a = generate(&s, &catalog, &phase.key, provider).expect("bundle");
                let b = generate(&s, &renamed, &phase.key, provider).expect("renamed bundle");
                for f in a.files.iter().filter(|f| f.path.starts_with("terraform/")) {
                    let g = b.file(&f.path).expect("same files");
                    assert_eq!(
                        resources_only(&f.contents),
                        resources_only(&g.contents),
                        "{} {} {}",
                        p.key,
                        phase.key,
                        f.path
                    );
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, 72 * 5);
}

/// A hand-built spec asking a provider for a plan of the wrong kind gets an error naming it.
#[test]
fn a_plan_of_the_wrong_kind_is_an_error() {
    let s = valid("ecommerce");
    let catalog = Catalog::built_in().expect("catalog");
    let mut spec = BundleSpec::new(&s, &catalog, "scale", ProviderId::Gcp).expect("spec");
    assert!(!spec.cache.self_hosted, "the Scale phase buys Memorystore");
    spec.cache.plan = crate::cost::catalog::PlanId::Id("cache.t3.micro".to_owned());
    let err = render(&spec).expect_err("a node type is not a Memorystore size");
    assert!(
        matches!(
            err,
            BundleError::PlanKind {
                expected: "memory_gb",
                got: "id",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "gcp sizes its cache by memory_gb, not by id"
    );
}

/// The assembler asks a provider only for what it runs: a hand-built spec asking Hetzner for a
/// managed database, or AWS for a control plane on VMs, gets an error naming it.
#[test]
fn a_service_the_provider_does_not_run_is_an_error() {
    let s = valid("ride-hailing");
    let catalog = Catalog::built_in().expect("catalog");
    let mut spec = BundleSpec::new(&s, &catalog, "growth", ProviderId::Hetzner).expect("spec");
    spec.database.self_hosted = false;
    let err = render(&spec).expect_err("Hetzner has no managed PostgreSQL");
    assert_eq!(err.to_string(), "hetzner has no managed PostgreSQL");

    let mut spec = BundleSpec::new(&s, &catalog, "scale", ProviderId::Aws).expect("spec");
    assert!(spec.phase.kubernetes && spec.control_plane.is_none());
    spec.control_plane = Some(spec.app.clone());
    let err = render(&spec).expect_err("AWS Terraform writes EKS, not VMs");
    assert!(matches!(err, BundleError::NotWritten { .. }), "{err}");
}

/// A bundle of a saved revision cites it in the README, the name through the Markdown escaper:
/// a saved name is anyone's text.
#[test]
fn a_saved_revision_is_cited_and_its_name_escaped() {
    let s = valid("ride-hailing");
    let catalog = Catalog::built_in().expect("catalog");
    let mut spec = BundleSpec::new(&s, &catalog, "growth", ProviderId::Aws).expect("spec");
    let plain = render(&spec).expect("bundle");
    spec.saved = Some(SavedRevision {
        id: "abc123".to_owned(),
        name: "Plan\n# Injected heading <script>".to_owned(),
        revision: 7,
        saved_at: "2026-12-01T10:40:01.500Z".to_owned(),
    });
    let cited = render(&spec).expect("bundle");
    let readme = &cited.file("README.md").expect("readme").contents;
    assert!(
        readme.contains("revision 7 of 2026-12-01T10:40:01.500Z"),
        "{readme}"
    );
    assert!(readme.contains("(id `abc123`)"));
    assert!(
        !readme.lines().any(|l| l.starts_with("# Injected")),
        "{readme}"
    );
    assert!(!readme.contains("<script>"), "{readme}");
    // Only the README changes.
    for f in &plain.files {
        if f.path != "README.md" {
            assert_eq!(Some(f), cited.file(&f.path), "{}", f.path);
        }
    }
}
