#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]
//! Every file of every bundle — each preset × phase × provider — checked by the real tool that
//! reads it: an HCL parser and a reference check for Terraform, `nginx -t`, `promtool check
//! rules`, `docker-compose config`, PgBouncer, `redis-server` (and Sentinel) and `postgres -C`
//! loading their configs, and `kubernetes-validate` (the Kubernetes OpenAPI schemas) for the
//! manifests.
//!
//! The tools are installed by `cargo xtask test`, which sets `REQUIRE_TEST_TOOLS=require`: a
//! missing tool then fails the test. A plain `cargo test` on a machine without them says which
//! checks it skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use phaseplan_model::bundle::Bundle;

mod common;
use common::*;

fn write_bundle(b: &Bundle, dir: &Path) {
    for f in &b.files {
        let p = dir.join(&f.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, &f.contents).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(p.parent().unwrap(), std::fs::Permissions::from_mode(0o777))
                .unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).unwrap();
        }
    }
}

/// Distinct contents of the files at `path` across all bundles (most are provider-independent),
/// with one bundle that holds each.
fn distinct<'a>(bundles: &'a [Bundle], path: &str) -> Vec<(&'a Bundle, &'a str)> {
    let mut seen = BTreeSet::new();
    bundles
        .iter()
        .filter_map(|b| b.file(path).map(|f| (b, f.contents.as_str())))
        .filter(|(_, c)| seen.insert(*c))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Terraform

/// Declared `variable`s, and `resource` / `data` addresses, of a parsed body.
fn declarations(body: &hcl::Body) -> (BTreeSet<String>, BTreeSet<String>, Vec<String>) {
    let mut vars = BTreeSet::new();
    let mut addresses = BTreeSet::new();
    let mut types = Vec::new();
    for block in body.blocks() {
        let labels: Vec<String> = block
            .labels()
            .iter()
            .map(|l| l.as_str().to_owned())
            .collect();
        match (block.identifier(), labels.as_slice()) {
            ("variable", [name]) => {
                vars.insert(name.clone());
            }
            ("resource", [ty, name]) => {
                addresses.insert(format!("{ty}.{name}"));
                types.push(ty.clone());
            }
            ("data", [ty, name]) => {
                addresses.insert(format!("data.{ty}.{name}"));
                types.push(ty.clone());
            }
            _ => {}
        }
    }
    (vars, addresses, types)
}

#[test]
fn terraform_parses_and_every_reference_is_declared() {
    let prefixes: BTreeMap<&str, &str> = [
        ("aws", "aws_"),
        ("gcp", "google_"),
        ("azure", "azurerm_"),
        ("linode", "linode_"),
        ("digitalocean", "digitalocean_"),
        ("hetzner", "hcloud_"),
    ]
    .into();
    let var_ref = |s: &str| -> Vec<String> {
        s.match_indices("var.")
            .map(|(i, _)| {
                s[i + 4..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect()
            })
            .collect()
    };
    let mut checked = 0;
    for b in all_bundles() {
        let prefix = prefixes[b.provider.key()];
        let mut vars = BTreeSet::new();
        let mut addresses = BTreeSet::new();
        let mut texts = String::new();
        for f in b.files.iter().filter(|f| f.path.ends_with(".tf")) {
            let body: hcl::Body = hcl::from_str(&f.contents)
                .unwrap_or_else(|e| panic!("{} {}: {e}\n{}", b.name(), f.path, f.contents));
            let (v, a, types) = declarations(&body);
            for t in types {
                assert!(
                    t.starts_with(prefix),
                    "{} {}: {t} is not a {prefix} resource",
                    b.name(),
                    f.path
                );
            }
            vars.extend(v);
            addresses.extend(a);
            texts.push_str(&f.contents);
            checked += 1;
        }
        for v in var_ref(&texts) {
            assert!(vars.contains(&v), "{}: var.{v} is not declared", b.name());
        }
        // Every `<prefix>type.name` reference points at a declared resource or data source.
        for (i, _) in texts.match_indices(prefix) {
            let before = texts[..i].chars().last().unwrap_or(' ');
            if before.is_ascii_alphanumeric() || before == '_' || before == '"' {
                continue; // a type label or part of a longer word
            }
            let rest: String = texts[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            let mut parts = rest.split('.');
            let (Some(ty), Some(name)) = (parts.next(), parts.next()) else {
                continue;
            };
            let address = if texts[..i].ends_with("data.") {
                format!("data.{ty}.{name}")
            } else {
                format!("{ty}.{name}")
            };
            assert!(
                addresses.contains(&address),
                "{}: {address} is referenced but not declared",
                b.name()
            );
        }
        let versions = &b.file("terraform/versions.tf").unwrap().contents;
        assert!(versions.contains("required_version") && versions.contains("version = \"~>"));
    }
    assert!(checked >= 3 * 4 * 6 * 4, "{checked} files");
}

// ---------------------------------------------------------------------------------------------
// nginx, Prometheus, docker-compose

#[test]
fn nginx_accepts_every_config() {
    let Some(nginx) = tool("/usr/sbin/nginx") else {
        return;
    };
    let bundles = all_bundles();
    let configs = distinct(&bundles, "nginx/nginx.conf");
    assert!(configs.len() >= 4);
    for (i, (b, conf)) in configs.iter().enumerate() {
        let dir = scratch(&format!("nginx-{i}"));
        // nginx resolves upstream names when it starts; the generated names (compose / Kubernetes
        // services) resolve only where the phase runs, so they point at loopback here.
        let mut local = String::new();
        for line in conf.lines() {
            let t = line.trim_start();
            if t.starts_with("server ") && t.contains(':') && t.ends_with(';') {
                let port = t
                    .split(':')
                    .nth(1)
                    .unwrap()
                    .split_whitespace()
                    .next()
                    .unwrap();
                local.push_str(&format!("        server 127.0.0.1:{port};\n"));
            } else {
                local.push_str(line);
                local.push('\n');
            }
        }
        std::fs::write(dir.join("nginx.conf"), local).unwrap();
        let (ok, out) = run(Command::new(&nginx)
            .args(["-t", "-c"])
            .arg(dir.join("nginx.conf"))
            .arg("-p")
            .arg(&dir));
        assert!(ok, "{}: nginx -t failed:\n{out}\n{conf}", b.name());
        assert!(out.contains("test is successful"), "{out}");
        if i == 0 {
            // The check can fail: a broken copy is refused.
            std::fs::write(
                dir.join("broken.conf"),
                conf.replace("events {", "events { bogus_directive on;"),
            )
            .unwrap();
            let (ok, _) = run(Command::new(&nginx)
                .args(["-t", "-c"])
                .arg(dir.join("broken.conf"))
                .arg("-p")
                .arg(&dir));
            assert!(!ok, "nginx accepted a broken config");
        }
    }
}

#[test]
fn promtool_accepts_every_alert_file() {
    let Some(promtool) = tool("promtool") else {
        return;
    };
    let bundles = all_bundles();
    for (i, (b, rules)) in distinct(&bundles, "monitoring/alerts.yml")
        .iter()
        .enumerate()
    {
        let dir = scratch(&format!("prom-{i}"));
        let file = dir.join("alerts.yml");
        std::fs::write(&file, rules).unwrap();
        let (ok, out) = run(Command::new(&promtool).args(["check", "rules"]).arg(&file));
        assert!(ok, "{}: promtool failed:\n{out}", b.name());
        // 6 signals × warning and critical.
        assert!(out.contains("12 rules found"), "{}: {out}", b.name());
        if i == 0 {
            std::fs::write(&file, rules.replacen("expr: ", "expr: sum(", 1)).unwrap();
            let (ok, _) = run(Command::new(&promtool).args(["check", "rules"]).arg(&file));
            assert!(!ok, "promtool accepted a broken expression");
        }
    }
}

#[test]
fn docker_compose_accepts_every_compose_file() {
    let Some(compose) = tool("docker-compose") else {
        return;
    };
    let bundles = all_bundles();
    let files = distinct(&bundles, "docker-compose.yml");
    assert!(!files.is_empty(), "Launch phases are single-node");
    for (i, (b, _)) in files.iter().enumerate() {
        let dir = scratch(&format!("compose-{i}"));
        write_bundle(b, &dir);
        let (ok, out) = run(Command::new(&compose)
            .args(["-f", "docker-compose.yml", "config", "-q"])
            .current_dir(&dir));
        assert!(ok, "{}: docker-compose config failed:\n{out}", b.name());
        // Without the secrets in .env it must refuse, naming what is missing.
        std::fs::write(dir.join(".env"), "APP_IMAGE=x\n").unwrap();
        let (ok, out) = run(Command::new(&compose)
            .args(["-f", "docker-compose.yml", "config", "-q"])
            .current_dir(&dir)
            .env_remove("POSTGRES_PASSWORD")
            .env_remove("REDIS_PASSWORD"));
        assert!(
            !ok && out.contains("POSTGRES_PASSWORD"),
            "{}: {out}",
            b.name()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// PgBouncer, Redis, PostgreSQL: the servers load the generated configs

#[test]
fn pgbouncer_starts_with_every_config() {
    let Some(pgbouncer) = tool("/usr/sbin/pgbouncer") else {
        return;
    };
    let bundles = all_bundles();
    let configs = distinct(&bundles, "postgres/pgbouncer.ini");
    assert!(!configs.is_empty());
    for (i, (b, ini)) in configs.iter().enumerate() {
        let dir = scratch(&format!("pgbouncer-{i}"));
        write_bundle(b, &dir);
        let port = free_port();
        let ini = ini
            .replace("listen_port = 6432", &format!("listen_port = {port}"))
            .replace("listen_addr = 0.0.0.0", "listen_addr = 127.0.0.1")
            .replace(
                "/etc/pgbouncer/userlist.txt",
                dir.join("postgres/userlist.txt").to_str().unwrap(),
            )
            + &format!("unix_socket_dir = {}\n", dir.display());
        let file = dir.join("pgbouncer.ini");
        std::fs::write(&file, ini).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let mut cmd = Command::new(&pgbouncer);
        if is_root() {
            // PgBouncer refuses to run as root.
            cmd.args(["-u", "nobody"]);
        }
        cmd.arg(&file);
        if let Err(e) = serve(&mut cmd, port) {
            panic!("{}: pgbouncer did not start: {e}", b.name());
        }
    }
}

#[test]
fn redis_and_sentinel_start_with_every_config() {
    let Some(redis) = tool("redis-server") else {
        return;
    };
    let bundles = all_bundles();
    for (i, (b, conf)) in distinct(&bundles, "redis/redis.conf").iter().enumerate() {
        let dir = scratch(&format!("redis-{i}"));
        let file = dir.join("redis.conf");
        std::fs::write(&file, conf).unwrap();
        let port = free_port();
        let server = serve_as(
            "redis",
            Command::new(&redis).arg(&file).args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.to_str().unwrap(),
                "--daemonize",
                "no",
            ]),
            port,
            Ready::RedisPing,
            Signal::SIGTERM,
        )
        .unwrap_or_else(|e| panic!("{}: redis-server refused redis.conf: {e}", b.name()));
        assert!(ping_redis(port).starts_with("+PONG"), "{}", b.name());
        drop(server);
        if i == 0 {
            std::fs::write(&file, format!("{conf}maxmemory-policy sometimes\n")).unwrap();
            let port = free_port();
            let refused = serve(
                Command::new(&redis)
                    .arg(&file)
                    .args(["--port", &port.to_string()]),
                port,
            );
            assert!(refused.is_err(), "redis-server accepted a bad policy");
        }
    }
    let sentinels = distinct(&bundles, "redis/sentinel.conf");
    assert!(!sentinels.is_empty(), "Growth phases run Sentinel");
    for (i, (b, conf)) in sentinels.iter().enumerate() {
        let dir = scratch(&format!("sentinel-{i}"));
        let file = dir.join("sentinel.conf");
        // The primary's name resolves where the phase runs; here it is loopback.
        std::fs::write(&file, conf.replace("redis-primary", "127.0.0.1")).unwrap();
        let port = free_port();
        let server = serve_as(
            "sentinel",
            Command::new(&redis).arg(&file).args([
                "--sentinel",
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ]),
            port,
            Ready::RedisPing,
            Signal::SIGTERM,
        )
        .unwrap_or_else(|e| panic!("{}: Sentinel refused sentinel.conf: {e}", b.name()));
        assert!(ping_redis(port).starts_with("+PONG"), "{}", b.name());
        drop(server);
    }
}

#[test]
fn postgres_reads_every_postgresql_conf() {
    let Some(bin) = postgres_bin() else { return };
    let bundles = all_bundles();
    let data = scratch("pgdata");
    let (ok, out) = run(as_postgres(&bin.join("initdb"))
        .args(["-A", "trust", "-U", "postgres", "-D"])
        .arg(data.join("db")));
    assert!(ok, "initdb failed: {out}");
    for (i, (b, conf)) in distinct(&bundles, "postgres/postgresql.conf")
        .iter()
        .enumerate()
    {
        let file = data.join(format!("postgresql-{i}.conf"));
        std::fs::write(&file, conf).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let value = |key: &str| -> String {
            conf.lines()
                .find_map(|l| l.strip_prefix(&format!("{key} = ")))
                .unwrap()
                .to_owned()
        };
        for (setting, want) in [
            ("max_connections", value("max_connections")),
            ("wal_level", value("wal_level")),
            ("max_wal_senders", value("max_wal_senders")),
        ] {
            let (ok, out) = run(as_postgres(&bin.join("postgres"))
                .arg("-D")
                .arg(data.join("db"))
                .arg("-c")
                .arg(format!("config_file={}", file.display()))
                .args(["-C", setting]));
            assert!(ok, "{}: postgres refused postgresql.conf: {out}", b.name());
            assert_eq!(out.trim(), want, "{}: {setting}", b.name());
        }
        if i == 0 {
            std::fs::write(&file, format!("{conf}work_mem = lots\n")).unwrap();
            let (ok, _) = run(as_postgres(&bin.join("postgres"))
                .arg("-D")
                .arg(data.join("db"))
                .arg("-c")
                .arg(format!("config_file={}", file.display()))
                .args(["-C", "work_mem"]));
            assert!(!ok, "postgres accepted a bad value");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Kubernetes

#[test]
fn kubernetes_manifests_match_the_schemas() {
    let Some(validate) = tool("kubernetes-validate") else {
        return;
    };
    let bundles = all_bundles();
    let with_k8s: Vec<&Bundle> = bundles
        .iter()
        .filter(|b| b.file("kubernetes/hpa.yaml").is_some())
        .collect();
    assert!(!with_k8s.is_empty(), "Scale phases run on Kubernetes");
    let mut seen = BTreeSet::new();
    for (i, b) in with_k8s.iter().enumerate() {
        let manifests: Vec<_> = b
            .files
            .iter()
            .filter(|f| {
                f.path.starts_with("kubernetes/") && !f.path.ends_with("kustomization.yaml")
            })
            .collect();
        let key: String = manifests.iter().map(|f| f.contents.as_str()).collect();
        if !seen.insert(key) {
            continue;
        }
        let dir = scratch(&format!("k8s-{i}"));
        write_bundle(b, &dir);
        let (ok, out) = run(Command::new(&validate)
            .args(["--strict", "--quiet", "-k", KUBERNETES_VERSION])
            .args(manifests.iter().map(|f| dir.join(&f.path))));
        assert!(ok, "{}: kubernetes-validate failed:\n{out}", b.name());
        if i == with_k8s.len() - 1 || seen.len() == 1 {
            // A field the schema does not know is refused in strict mode.
            let hpa = dir.join("kubernetes/hpa.yaml");
            let text = std::fs::read_to_string(&hpa).unwrap();
            std::fs::write(&hpa, text.replace("minReplicas:", "minReplicaz:")).unwrap();
            let (ok, _) = run(Command::new(&validate)
                .args(["--strict", "--quiet", "-k", KUBERNETES_VERSION])
                .arg(&hpa));
            assert!(!ok, "kubernetes-validate accepted an unknown field");
        }
        // The kustomization lists exactly the manifests.
        let kustomization = &b.file("kubernetes/kustomization.yaml").unwrap().contents;
        for f in &manifests {
            let name = f.path.trim_start_matches("kubernetes/");
            assert!(
                kustomization.contains(&format!("- {name}\n")),
                "{}: {name}",
                b.name()
            );
        }
    }
}

#[test]
fn grafana_dashboards_are_json_with_a_panel_per_alert_signal() {
    for b in all_bundles() {
        let d: serde_json::Value = serde_json::from_str(
            &b.file("monitoring/grafana-dashboard.json")
                .unwrap()
                .contents,
        )
        .unwrap();
        let panels = d["panels"].as_array().unwrap();
        assert_eq!(panels.len(), 6, "{}", b.name());
        for p in panels {
            let steps = p["fieldConfig"]["defaults"]["thresholds"]["steps"]
                .as_array()
                .unwrap();
            assert!(steps[1]["value"].as_f64().unwrap() < steps[2]["value"].as_f64().unwrap());
            assert!(!p["targets"][0]["expr"].as_str().unwrap().is_empty());
        }
    }
}
