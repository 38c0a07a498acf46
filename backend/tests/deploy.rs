#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]
// `figment::Jail::expect_with` dictates a closure returning `Result<(), figment::Error>`.
#![allow(clippy::result_large_err)]
//! Phaseplan's own deployment (`deploy/`), checked by what reads it and by the real server:
//!
//! - every Kubernetes manifest against the Kubernetes schemas by `kubernetes-validate` (the
//!   version the bundles use), and what `kubectl kustomize` builds from them;
//! - what issue 14 asks of them, read from the YAML: several replicas, non-root and read-only,
//!   probes on the health route that the `Host` allowlist lets through, the database URL from a
//!   Secret, resources, a Service and a PodDisruptionBudget on the same pods;
//! - the environment they (and the image, and `compose.yaml`) give the server, loaded by the
//!   server's own configuration code;
//! - the Dockerfile by `hadolint` and by its invariants (stages, non-root user, the one binary,
//!   pins equal to the repository's); `compose.yaml` by `docker-compose config`, its nginx by
//!   `nginx -t`;
//! - two real `phaseplan` processes started with the Deployment's and the compose file's
//!   environment on one real PostgreSQL, behind the compose file's nginx: the probes answer,
//!   a save on one replica is read and conflicts on the other, and a replica stopped with
//!   SIGTERM drains while nginx sends its requests to the other.
//!
//! The tools are found as `bundles.rs` finds them: a plain `cargo test` skips what is missing and
//! says so; `cargo xtask test` (`REQUIRE_TEST_TOOLS=require`) fails instead.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use clap::Parser;
use phaseplan_server::config::{Cli, Settings};
use serde::Deserialize;
use serde_yaml::Value;

mod common;
use common::*;

const HEALTH: &str = "/api/v1/health";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn deploy(path: &str) -> PathBuf {
    repo().join("deploy").join(path)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Reading the manifests

/// Every YAML file under `deploy/kubernetes/` (and its components), by path below it, with its
/// documents (a file may hold several).
fn manifest_files() -> BTreeMap<String, Vec<Value>> {
    let mut out = BTreeMap::new();
    let root = deploy("kubernetes");
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let name = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if !(name.ends_with(".yaml") || name.ends_with(".yml")) {
                continue;
            }
            let docs: Vec<Value> = serde_yaml::Deserializer::from_str(&read(&path))
                .map(|d| Value::deserialize(d).unwrap_or_else(|e| panic!("{name}: {e}")))
                .filter(|v| !v.is_null())
                .collect();
            out.insert(name, docs);
        }
    }
    out
}

fn is_kustomization(path: &str) -> bool {
    Path::new(path)
        .file_name()
        .is_some_and(|n| n == "kustomization.yaml")
}

/// The Kubernetes objects (not the kustomizations), each with the file it is in.
fn objects() -> Vec<(String, Value)> {
    manifest_files()
        .into_iter()
        .filter(|(name, _)| !is_kustomization(name))
        .flat_map(|(name, docs)| docs.into_iter().map(move |d| (name.clone(), d)))
        .collect()
}

fn the(kind: &str) -> Value {
    let found: Vec<Value> = objects()
        .into_iter()
        .filter(|(_, o)| o["kind"] == kind)
        .map(|(_, o)| o)
        .collect();
    assert_eq!(found.len(), 1, "one {kind} in deploy/kubernetes");
    found.into_iter().next().unwrap()
}

fn str_of<'a>(v: &'a Value, what: &str) -> &'a str {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {v:?}"))
}

/// An environment variable of a container: a literal value, or a key of a Secret.
#[derive(Debug, Clone, PartialEq)]
enum EnvValue {
    Literal(String),
    Secret { name: String, key: String },
}

fn container_env(container: &Value) -> Vec<(String, EnvValue)> {
    container["env"]
        .as_sequence()
        .expect("the container lists its environment")
        .iter()
        .map(|e| {
            let name = str_of(&e["name"], "env name").to_owned();
            let value = if let Some(v) = e.get("value") {
                EnvValue::Literal(str_of(v, &name).to_owned())
            } else {
                let r = &e["valueFrom"]["secretKeyRef"];
                assert!(
                    r.is_mapping(),
                    "{name}: neither a value nor a secretKeyRef: {e:?}"
                );
                EnvValue::Secret {
                    name: str_of(&r["name"], &name).to_owned(),
                    key: str_of(&r["key"], &name).to_owned(),
                }
            };
            (name, value)
        })
        .collect()
}

fn literal<'a>(env: &'a [(String, EnvValue)], name: &str) -> &'a str {
    match env.iter().find(|(n, _)| n == name) {
        Some((_, EnvValue::Literal(v))) => v,
        other => panic!("{name}: {other:?}"),
    }
}

fn the_container() -> Value {
    let d = the("Deployment");
    let containers = d["spec"]["template"]["spec"]["containers"]
        .as_sequence()
        .unwrap()
        .clone();
    assert_eq!(containers.len(), 1, "one container: the server");
    containers.into_iter().next().unwrap()
}

/// CPU in cores (`250m`, `2`) or memory in bytes (`128Mi`, `1Gi`).
fn quantity(v: &Value) -> f64 {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("not a quantity: {other:?}"),
    };
    let (digits, factor) = [
        ("m", 1e-3),
        ("Ki", 1024.0),
        ("Mi", 1024.0 * 1024.0),
        ("Gi", 1024.0 * 1024.0 * 1024.0),
    ]
    .iter()
    .find_map(|(suffix, f)| s.strip_suffix(suffix).map(|d| (d.to_owned(), *f)))
    .unwrap_or((s.clone(), 1.0));
    digits.parse::<f64>().unwrap_or_else(|e| panic!("{s}: {e}")) * factor
}

// ---------------------------------------------------------------------------------------------
// The server's own configuration code

/// Loads the server's settings from exactly `env` (no file, no flags) and checks them as the
/// server does at start (`http_limits`). `Err` says what the server would say.
fn load_settings(env: &[(String, String)]) -> Result<Settings, String> {
    let mut out = Err(String::from("not loaded"));
    figment::Jail::expect_with(|jail| {
        jail.clear_env();
        for (k, v) in env {
            jail.set_env(k, v);
        }
        out = Settings::load(&Cli::parse_from(["phaseplan"]))
            .map_err(|e| e.to_string())
            .and_then(|s| s.http_limits().map(|_| s).map_err(|e| e.to_string()))
            .and_then(|s| s.access().map(|_| s).map_err(|e| e.to_string()));
        Ok(())
    });
    out
}

/// A database URL standing in for the Secret's (the real one is never in the repository).
const STAND_IN_URL: &str = "postgres://phaseplan:CHANGE-ME@postgres:5432/phaseplan";

/// The Deployment's environment with the Secret's value filled in by `secret`.
fn deployment_env(secret: &str) -> Vec<(String, String)> {
    container_env(&the_container())
        .into_iter()
        .map(|(n, v)| match v {
            EnvValue::Literal(v) => (n, v),
            EnvValue::Secret { .. } => (n, secret.to_owned()),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Kubernetes: the schemas, and kustomize

#[test]
fn kubernetes_manifests_match_the_schemas() {
    let files = manifest_files();
    let manifests: Vec<PathBuf> = files
        .keys()
        .filter(|n| !is_kustomization(n))
        .map(|n| deploy("kubernetes").join(n))
        .collect();
    assert!(manifests.len() >= 6, "{manifests:?}");
    let Some(validate) = tool("kubernetes-validate") else {
        return;
    };
    let (ok, out) = run(Command::new(&validate)
        .args(["--strict", "-k", KUBERNETES_VERSION])
        .args(&manifests));
    assert!(ok, "kubernetes-validate failed:\n{out}");
    let objects = objects().len();
    assert_eq!(
        out.matches(" passed for resource ").count(),
        objects,
        "every object is checked:\n{out}"
    );
    eprintln!(
        "kubernetes-validate: {objects} objects in {} files passed",
        manifests.len()
    );

    // A field the schema does not know is refused in strict mode.
    let dir = scratch("deploy-k8s");
    let broken = dir.join("deployment.yaml");
    std::fs::write(
        &broken,
        read(&deploy("kubernetes/deployment.yaml"))
            .replace("readOnlyRootFilesystem:", "readOnlyRootFilesytem:"),
    )
    .unwrap();
    let (ok, _) = run(Command::new(&validate)
        .args(["--strict", "--quiet", "-k", KUBERNETES_VERSION])
        .arg(&broken));
    assert!(!ok, "kubernetes-validate accepted an unknown field");

    // What `kubectl apply -k` would send: every object, in the namespace, with the image set;
    // and the same with the autoscaling component enabled. kubectl comes with the machine image,
    // not from `cargo xtask test`'s installer, so where it is missing this part is skipped (said
    // on stderr) rather than failed: every file was validated on its own above.
    let Some(kubectl) = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("kubectl"))
            .find(|p| p.is_file())
    }) else {
        eprintln!("SKIPPED: kubectl is not installed; the kustomize builds were not checked");
        return;
    };
    let plain = kustomize(
        &kubectl,
        &validate,
        &deploy("kubernetes"),
        &dir.join("plain.yaml"),
    );
    let kinds = |docs: &[Value]| -> Vec<String> {
        let mut k: Vec<String> = docs
            .iter()
            .map(|d| str_of(&d["kind"], "kind").to_owned())
            .collect();
        k.sort();
        k
    };
    assert_eq!(
        kinds(&plain),
        ["Deployment", "Namespace", "PodDisruptionBudget", "Service"],
        "the placeholder Secret is not applied"
    );
    let deployment = plain.iter().find(|d| d["kind"] == "Deployment").unwrap();
    assert!(deployment["spec"]["replicas"].as_u64().unwrap() >= 2);

    let copy = dir.join("kubernetes");
    copy_dir(&deploy("kubernetes"), &copy);
    let k = read(&copy.join("kustomization.yaml"));
    let enabled = k.replace(
        "# components:\n#   - autoscaling\n",
        "components:\n  - autoscaling\n",
    );
    assert_ne!(
        k, enabled,
        "kustomization.yaml shows how to enable the autoscaler"
    );
    std::fs::write(copy.join("kustomization.yaml"), enabled).unwrap();
    let scaled = kustomize(&kubectl, &validate, &copy, &dir.join("scaled.yaml"));
    assert_eq!(
        kinds(&scaled),
        [
            "Deployment",
            "HorizontalPodAutoscaler",
            "Namespace",
            "PodDisruptionBudget",
            "Service"
        ]
    );
    let deployment = scaled.iter().find(|d| d["kind"] == "Deployment").unwrap();
    assert!(
        deployment["spec"].get("replicas").is_none(),
        "with the autoscaler, replicas are left to it"
    );
    eprintln!(
        "kubectl kustomize: {} objects built and validated, {} with the autoscaler",
        plain.len(),
        scaled.len()
    );
}

/// `kubectl kustomize dir` (written to `file`), checked by `kubernetes-validate`: every object in the namespace,
/// with the image the kustomization sets.
fn kustomize(kubectl: &Path, validate: &Path, dir: &Path, file: &Path) -> Vec<Value> {
    let (ok, built) = run(Command::new(kubectl).arg("kustomize").arg(dir));
    assert!(ok, "kubectl kustomize failed:\n{built}");
    std::fs::write(file, &built).unwrap();
    let (ok, out) = run(Command::new(validate)
        .args(["--strict", "--quiet", "-k", KUBERNETES_VERSION])
        .arg(file));
    assert!(
        ok,
        "kubernetes-validate failed on the kustomize build:\n{out}"
    );
    let docs: Vec<Value> = serde_yaml::Deserializer::from_str(&built)
        .map(|d| Value::deserialize(d).unwrap())
        .collect();
    for d in docs.iter().filter(|d| d["kind"] != "Namespace") {
        assert_eq!(d["metadata"]["namespace"], "phaseplan", "{d:?}");
        assert_eq!(
            d["metadata"]["labels"]["app.kubernetes.io/part-of"],
            "phaseplan"
        );
    }
    let deployment = docs.iter().find(|d| d["kind"] == "Deployment").unwrap();
    let image = str_of(
        &deployment["spec"]["template"]["spec"]["containers"][0]["image"],
        "image",
    );
    assert!(
        image.ends_with("/phaseplan:0.1.0"),
        "kustomization.yaml's images set the image: {image}"
    );
    docs
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn the_kustomization_applies_every_manifest_but_the_secret_placeholder() {
    let files = manifest_files();
    let resources = |k: &Value| -> Vec<String> {
        k["resources"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|r| str_of(r, "resource").to_owned())
            .collect()
    };
    let k = &files["kustomization.yaml"][0];
    let listed = resources(k);
    for name in files
        .keys()
        .filter(|n| !is_kustomization(n) && !n.contains('/'))
    {
        let example = name.ends_with(".example.yaml");
        assert_eq!(
            listed.contains(name),
            !example,
            "{name}: listed in kustomization.yaml exactly when it is not an example"
        );
    }
    // The autoscaler is a component of its own, with the manifests of its directory.
    let component = &files["autoscaling/kustomization.yaml"][0];
    assert_eq!(component["kind"], "Component");
    assert_eq!(resources(component), ["hpa.yaml"]);
    assert!(files.contains_key("autoscaling/hpa.yaml"));
    assert_eq!(k["namespace"], "phaseplan");
    let images = k["images"].as_sequence().unwrap();
    let container_image = str_of(&the_container()["image"], "image").to_owned();
    assert!(
        images
            .iter()
            .any(|i| container_image.starts_with(&format!("{}:", str_of(&i["name"], "name")))),
        "kustomization.yaml's images name the Deployment's image {container_image}"
    );
}

// ---------------------------------------------------------------------------------------------
// Kubernetes: what issue 14 asks

#[test]
fn the_deployment_runs_several_non_root_replicas() {
    let d = the("Deployment");
    let spec = &d["spec"];
    let replicas = spec["replicas"].as_u64().unwrap();
    assert!(replicas >= 2, "replicas: {replicas}");
    // A rollout never takes a serving replica away before its successor is ready.
    assert_eq!(spec["strategy"]["rollingUpdate"]["maxUnavailable"], 0);
    let selector = spec["selector"]["matchLabels"].as_mapping().unwrap();
    let labels = spec["template"]["metadata"]["labels"].as_mapping().unwrap();
    for (k, v) in selector {
        assert_eq!(
            labels.get(k),
            Some(v),
            "the template carries the selector's labels"
        );
    }

    let pod = &spec["template"]["spec"];
    // Service links would add PHASEPLAN_SERVICE_HOST and the like, which the server refuses
    // (the_environment_is_what_the_server_accepts shows it).
    assert_eq!(pod["enableServiceLinks"], false);
    assert_eq!(pod["automountServiceAccountToken"], false);
    let psc = &pod["securityContext"];
    assert_eq!(psc["runAsNonRoot"], true);
    assert!(psc["runAsUser"].as_u64().unwrap() > 0);
    assert!(psc["runAsGroup"].as_u64().unwrap() > 0);
    assert_eq!(psc["seccompProfile"]["type"], "RuntimeDefault");

    let c = the_container();
    let sc = &c["securityContext"];
    assert_eq!(sc["allowPrivilegeEscalation"], false);
    assert_eq!(sc["readOnlyRootFilesystem"], true);
    assert_eq!(sc["runAsNonRoot"], true);
    let drop: Vec<&str> = sc["capabilities"]["drop"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|c| str_of(c, "capability"))
        .collect();
    assert_eq!(drop, ["ALL"]);
    assert!(sc.get("privileged").is_none_or(|p| *p == false));
    assert!(sc["capabilities"].get("add").is_none());

    // Every writable path is an emptyDir, and the data directory is on one.
    let volumes = pod["volumes"].as_sequence().unwrap();
    let mut writable = Vec::new();
    for m in c["volumeMounts"].as_sequence().unwrap() {
        let name = str_of(&m["name"], "mount");
        let v = volumes
            .iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("volume {name}"));
        assert!(v["emptyDir"].is_mapping(), "{name} is an emptyDir: {v:?}");
        assert!(v["emptyDir"]["sizeLimit"].is_string(), "{name} is bounded");
        writable.push(str_of(&m["mountPath"], "mountPath").to_owned());
    }
    let env = container_env(&c);
    let data_dir = literal(&env, "PHASEPLAN_DATA_DIR");
    assert!(
        writable.iter().any(|w| Path::new(data_dir).starts_with(w)),
        "{data_dir} is under a writable emptyDir ({writable:?})"
    );

    // Requests and limits for both, requests within limits.
    for r in ["cpu", "memory"] {
        let request = quantity(&c["resources"]["requests"][r]);
        let limit = quantity(&c["resources"]["limits"][r]);
        assert!(
            request > 0.0 && request <= limit,
            "{r}: {request} ≤ {limit}"
        );
    }
    // The measured memory at 64 heavy clients was 65 MiB: the limit leaves room.
    assert!(quantity(&c["resources"]["limits"]["memory"]) >= 256.0 * 1024.0 * 1024.0);

    // The pod outlives its drain: preStop pause + the server's grace < the termination grace.
    let pause = c["lifecycle"]["preStop"]["sleep"]["seconds"]
        .as_u64()
        .unwrap();
    let grace: u64 = literal(&env, "PHASEPLAN_SHUTDOWN_GRACE_SECONDS")
        .parse()
        .unwrap();
    let termination = pod["terminationGracePeriodSeconds"].as_u64().unwrap();
    assert!(
        pause + grace + 5 <= termination,
        "{pause} + {grace} s within {termination} s"
    );
}

#[test]
fn the_probes_ask_the_health_route_with_an_allowed_host() {
    let c = the_container();
    let env = container_env(&c);
    let port = &c["ports"][0];
    let allowed: Vec<&str> = literal(&env, "PHASEPLAN_ALLOWED_HOSTS")
        .split(',')
        .map(str::trim)
        .collect();
    assert_eq!(
        port["containerPort"].as_u64().unwrap().to_string(),
        literal(&env, "PHASEPLAN_PORT")
    );
    for probe in ["readinessProbe", "livenessProbe", "startupProbe"] {
        let get = &c[probe]["httpGet"];
        assert_eq!(get["path"], HEALTH, "{probe}");
        assert!(
            get["port"] == port["name"] || get["port"] == port["containerPort"],
            "{probe} asks the server's port"
        );
        // Without it the kubelet sends the pod's IP as Host, which the allowlist refuses.
        let host = get["httpHeaders"]
            .as_sequence()
            .and_then(|hs| hs.iter().find(|h| h["name"] == "Host"))
            .unwrap_or_else(|| panic!("{probe} sends a Host header"));
        let host = str_of(&host["value"], "Host");
        assert!(
            allowed.contains(&host),
            "{probe}: {host} not in {allowed:?}"
        );
    }
    for probe in ["readinessProbe", "livenessProbe"] {
        assert!(c[probe]["periodSeconds"].as_u64().unwrap() <= 10, "{probe}");
    }
}

#[test]
fn the_database_url_comes_from_a_secret() {
    let c = the_container();
    let env = container_env(&c);
    let url = env
        .iter()
        .find(|(n, _)| n == "PHASEPLAN_DATABASE_URL")
        .map(|(_, v)| v.clone())
        .expect("PHASEPLAN_DATABASE_URL is set");
    let EnvValue::Secret { name, key } = url else {
        panic!("PHASEPLAN_DATABASE_URL must come from a Secret, not a literal: {url:?}");
    };
    // No literal anywhere looks like a credential.
    for (n, v) in &env {
        if let EnvValue::Literal(v) = v {
            assert!(!v.contains("://"), "{n} holds a URL literally");
            for word in ["PASSWORD", "SECRET", "TOKEN"] {
                assert!(!n.contains(word), "{n} is a literal");
            }
        }
    }
    assert!(c.get("envFrom").is_none(), "only the named variables");

    // The example Secret is that Secret, holding a placeholder, and it alone has a URL.
    let secrets: Vec<(String, Value)> = objects()
        .into_iter()
        .filter(|(_, o)| o["kind"] == "Secret")
        .collect();
    assert_eq!(secrets.len(), 1);
    let (file, secret) = &secrets[0];
    assert_eq!(file, "secret.example.yaml");
    assert_eq!(secret["metadata"]["name"], name.as_str());
    let example = str_of(&secret["stringData"][key.as_str()], "the example URL");
    let password = example
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(auth, _)| auth.split_once(':'))
        .map(|(_, p)| p)
        .expect("the example shows where the password goes");
    assert_eq!(password, "CHANGE-ME", "the example holds a placeholder");
    for (other, _) in objects().iter().filter(|(f, _)| f != file) {
        assert!(
            !read(&deploy("kubernetes").join(other)).contains("postgres://"),
            "{other} holds a database URL"
        );
    }
}

#[test]
fn the_service_pdb_and_autoscaler_select_the_deployment_pods() {
    let d = the("Deployment");
    let selector = d["spec"]["selector"]["matchLabels"].clone();
    let labels = d["spec"]["template"]["metadata"]["labels"].clone();
    let replicas = d["spec"]["replicas"].as_u64().unwrap();
    let port = the_container()["ports"][0].clone();

    let svc = the("Service");
    assert_eq!(svc["spec"]["selector"], selector);
    let target = &svc["spec"]["ports"][0]["targetPort"];
    assert!(*target == port["name"] || *target == port["containerPort"]);

    let pdb = the("PodDisruptionBudget");
    assert_eq!(pdb["spec"]["selector"]["matchLabels"], selector);
    let spec = &pdb["spec"];
    let one = |v: &Value| v.as_u64() == Some(1);
    assert!(
        one(&spec["minAvailable"]) || one(&spec["maxUnavailable"]),
        "minAvailable 1 or maxUnavailable 1: {spec:?}"
    );
    // With that budget a voluntary disruption leaves a replica serving.
    assert!(replicas >= 2);
    for (k, v) in selector.as_mapping().unwrap() {
        assert_eq!(labels.get(k), Some(v));
    }

    let hpa = the("HorizontalPodAutoscaler");
    let target = &hpa["spec"]["scaleTargetRef"];
    assert_eq!(target["kind"], "Deployment");
    assert_eq!(target["name"], d["metadata"]["name"]);
    let min = hpa["spec"]["minReplicas"].as_u64().unwrap();
    let max = hpa["spec"]["maxReplicas"].as_u64().unwrap();
    assert!(min >= 2 && min == replicas && min < max, "{min}..{max}");

    // The namespace enforces the restricted Pod Security Standard the pods meet.
    let ns = the("Namespace");
    assert_eq!(
        ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"],
        "restricted"
    );
}

#[test]
fn the_environment_is_what_the_server_accepts() {
    // The Deployment's, as the pod gets it (Kubernetes adds its API's address and HOSTNAME).
    let mut env = deployment_env(STAND_IN_URL);
    env.push(("HOSTNAME".into(), "phaseplan-7d9f8c6b5-x2x4q".into()));
    env.push(("KUBERNETES_SERVICE_HOST".into(), "10.96.0.1".into()));
    env.push(("KUBERNETES_SERVICE_PORT".into(), "443".into()));
    let s = load_settings(&env).unwrap_or_else(|e| panic!("the server refuses it: {e}"));
    assert_eq!(s.host.to_string(), "0.0.0.0");
    assert_eq!(s.port, 8080);
    assert!(s.behind_tls);
    assert_eq!(s.auth, phaseplan_model::access::AuthMode::Users);
    assert!(!s.trusted_proxies.is_empty());
    assert_eq!(
        s.database_url.as_ref().map(|u| u.expose().to_owned()),
        Some(STAND_IN_URL.to_owned())
    );
    assert_eq!(s.shutdown_grace_seconds, 10);

    // What service links would add for the `phaseplan` Service: the server would not start.
    let mut linked = env.clone();
    linked.push(("PHASEPLAN_SERVICE_HOST".into(), "10.96.0.10".into()));
    linked.push(("PHASEPLAN_SERVICE_PORT".into(), "80".into()));
    assert!(
        load_settings(&linked).is_err(),
        "enableServiceLinks: false is needed"
    );
    // Without the allowlist, a server bound to 0.0.0.0 does not start.
    let without: Vec<_> = env
        .iter()
        .filter(|(n, _)| n != "PHASEPLAN_ALLOWED_HOSTS")
        .cloned()
        .collect();
    let e = load_settings(&without).unwrap_err();
    assert!(e.contains("allowed_hosts"), "{e}");

    // Without sign-in, a server bound to 0.0.0.0 does not start.
    let mut open: Vec<_> = env
        .iter()
        .filter(|(n, _)| n != "PHASEPLAN_AUTH")
        .cloned()
        .collect();
    open.push(("PHASEPLAN_AUTH".into(), "none".into()));
    let e = load_settings(&open).unwrap_err();
    assert!(e.contains("auth") && e.contains("user add"), "{e}");

    // The image's, alone (`docker run` with nothing else): it binds every address, so it asks
    // for the allowlist; given one, for TLS (sign-in over plain HTTP is refused); told a proxy
    // terminates TLS, it starts.
    let image = dockerfile_env();
    let e = load_settings(&image).unwrap_err();
    assert!(e.contains("allowed_hosts"), "{e}");
    let mut given = image.clone();
    given.push(("PHASEPLAN_ALLOWED_HOSTS".into(), "localhost".into()));
    let e = load_settings(&given).unwrap_err();
    assert!(
        e.contains("allow_plain_http") && e.contains("tls_cert"),
        "{e}"
    );
    given.push(("PHASEPLAN_BEHIND_TLS".into(), "true".into()));
    let s = load_settings(&given).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.host.to_string(), "0.0.0.0");
    assert_eq!(s.data_dir.as_deref(), Some(Path::new("/var/lib/phaseplan")));

    // The compose file's, over the image's.
    let mut compose = image;
    compose.extend(compose_env(STAND_IN_URL));
    load_settings(&compose).unwrap_or_else(|e| panic!("compose.yaml: {e}"));
}

// ---------------------------------------------------------------------------------------------
// The Dockerfile

/// A Dockerfile instruction: its name (upper case) and its arguments.
type Instruction = (String, String);

/// A Dockerfile's instructions (continuation lines joined, comments dropped): those before the
/// first FROM, and the stages, each starting with its FROM.
fn dockerfile() -> (Vec<Instruction>, Vec<Vec<Instruction>>) {
    let text = read(&deploy("Dockerfile"));
    let mut instructions = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') || (t.is_empty() && current.is_empty()) {
            continue;
        }
        if let Some(part) = t.strip_suffix('\\') {
            current.push_str(part);
            current.push(' ');
            continue;
        }
        current.push_str(t);
        let (op, args) = current.split_once(' ').unwrap_or((&current, ""));
        instructions.push((op.to_ascii_uppercase(), args.trim().to_owned()));
        current.clear();
    }
    let mut global = Vec::new();
    let mut stages: Vec<Vec<Instruction>> = Vec::new();
    for i in instructions {
        if i.0 == "FROM" {
            stages.push(Vec::new());
        }
        match stages.last_mut() {
            Some(s) => s.push(i),
            None => global.push(i),
        }
    }
    (global, stages)
}

/// `NAME=value` pairs of the final stage's ENV instructions.
fn dockerfile_env() -> Vec<(String, String)> {
    let (_, stages) = dockerfile();
    stages
        .last()
        .unwrap()
        .iter()
        .filter(|(op, _)| op == "ENV")
        .flat_map(|(_, args)| {
            args.split_whitespace()
                .map(|kv| {
                    let (k, v) = kv.split_once('=').expect("ENV NAME=value");
                    (k.to_owned(), v.to_owned())
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn arg_default(global: &[Instruction], stages: &[Vec<Instruction>], name: &str) -> String {
    global
        .iter()
        .chain(stages.iter().flatten())
        .filter(|(op, _)| op == "ARG")
        .find_map(|(_, a)| a.strip_prefix(&format!("{name}=")).map(str::to_owned))
        .unwrap_or_else(|| panic!("ARG {name}=… in the Dockerfile"))
}

#[test]
fn the_dockerfile_builds_the_one_binary_and_runs_it_as_non_root() {
    let (global, stages) = dockerfile();
    assert!(stages.len() >= 2, "multi-stage: {} FROM", stages.len());
    let from = |s: &[Instruction]| s[0].1.clone();
    let names: Vec<Option<String>> = stages
        .iter()
        .map(|s| from(s).split_once(" AS ").map(|(_, n)| n.trim().to_owned()))
        .collect();
    let builder = stages
        .iter()
        .zip(&names)
        .find(|(s, _)| {
            s.iter()
                .any(|(op, a)| op == "RUN" && a.contains("cargo xtask build"))
        })
        .map(|(_, n)| n.clone().expect("the builder stage is named"))
        .expect("a stage builds with `cargo xtask build`, as `cargo xtask run` does");
    let last = stages.last().unwrap();
    assert_ne!(names.last().unwrap().as_deref(), Some(builder.as_str()));
    assert!(
        from(last).starts_with("debian:") && from(last).contains("-slim"),
        "a minimal runtime: {}",
        from(last)
    );

    // The runtime stage: the binary from the builder, its user, its port, nothing else run.
    let user = last
        .iter()
        .rev()
        .find(|(op, _)| op == "USER")
        .map(|(_, u)| u.clone())
        .expect("the final stage sets USER");
    let (uid, gid) = user.split_once(':').unwrap_or((&user, ""));
    assert!(
        uid.parse::<u32>().is_ok_and(|u| u > 0) && gid.parse::<u32>().is_ok_and(|g| g > 0),
        "USER is numeric (runAsNonRoot can check it) and not root: {user}"
    );
    let deployment_user =
        the("Deployment")["spec"]["template"]["spec"]["securityContext"]["runAsUser"]
            .as_u64()
            .unwrap();
    assert_eq!(
        uid,
        deployment_user.to_string(),
        "the manifests run the image's user"
    );
    let entrypoint: Vec<String> = last
        .iter()
        .find(|(op, _)| op == "ENTRYPOINT")
        .map(|(_, a)| serde_json::from_str(a).expect("ENTRYPOINT in exec form"))
        .unwrap();
    assert_eq!(entrypoint, ["/usr/local/bin/phaseplan"]);
    let copies: Vec<&String> = last
        .iter()
        .filter(|(op, _)| op == "COPY" || op == "ADD")
        .map(|(_, a)| a)
        .collect();
    assert_eq!(copies.len(), 1, "the one binary, nothing else: {copies:?}");
    assert!(
        copies[0].starts_with(&format!("--from={builder} "))
            && copies[0].ends_with(" /usr/local/bin/phaseplan"),
        "{}",
        copies[0]
    );
    let expose: Vec<&String> = last
        .iter()
        .filter(|(op, _)| op == "EXPOSE")
        .map(|(_, a)| a)
        .collect();
    let env = dockerfile_env();
    let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(expose, [get("PHASEPLAN_PORT").unwrap()]);
    assert_eq!(get("PHASEPLAN_HOST"), Some("0.0.0.0"));

    // No secret in the image: no ARG or ENV that names one, no URL with credentials.
    for (op, args) in global.iter().chain(stages.iter().flatten()) {
        if op == "ENV" || op == "ARG" {
            let upper = args.to_ascii_uppercase();
            for word in ["PASSWORD", "SECRET", "TOKEN", "DATABASE_URL", "CREDENTIAL"] {
                assert!(!upper.contains(word), "{op} {args}");
            }
            assert!(!args.contains("://"), "{op} {args}");
        }
    }

    // The tool pins are the repository's, so `cargo xtask build` skips its installs.
    let tools = read(&repo().join("xtask/src/tools.rs"));
    let trunk = arg_default(&global, &stages, "TRUNK_VERSION");
    assert!(
        tools.contains(&format!("pub const TRUNK_VERSION: &str = \"{trunk}\";")),
        "TRUNK_VERSION={trunk} is xtask/src/tools.rs's"
    );
    let lock = read(&repo().join("Cargo.lock"));
    let bindgen = arg_default(&global, &stages, "WASM_BINDGEN_VERSION");
    assert!(
        lock.contains(&format!(
            "name = \"wasm-bindgen\"\nversion = \"{bindgen}\"\n"
        )),
        "WASM_BINDGEN_VERSION={bindgen} is Cargo.lock's"
    );
    assert!(read(&repo().join("Trunk.toml")).contains(&format!("wasm_bindgen = \"{bindgen}\"")));
    let rust = arg_default(&global, &stages, "RUST_VERSION");
    assert!(
        read(&repo().join("Cargo.toml")).contains(&format!("rust-version = \"{rust}\"")),
        "RUST_VERSION={rust} is the workspace's rust-version"
    );

    // The build context leaves out build outputs and installed tools.
    let ignore = read(&deploy("Dockerfile.dockerignore"));
    let ignored: Vec<&str> = ignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    for p in [
        ".git",
        "target",
        "node_modules",
        "frontend/dist",
        ".phaseplan",
    ] {
        assert!(ignored.contains(&p), "{p} in Dockerfile.dockerignore");
    }
}

#[test]
fn hadolint_accepts_the_dockerfile() {
    let Some(hadolint) = tool("hadolint") else {
        return;
    };
    let dockerfile = deploy("Dockerfile");
    let (ok, out) = run(Command::new(&hadolint)
        .args(["--no-color", "--failure-threshold", "style"])
        .arg(&dockerfile));
    assert!(ok, "hadolint:\n{out}");
    // It checks: a final stage that runs as root is refused.
    let dir = scratch("deploy-hadolint");
    let broken = dir.join("Dockerfile");
    std::fs::write(
        &broken,
        read(&dockerfile).replace("USER 10001:10001", "USER root"),
    )
    .unwrap();
    let (ok, out) = run(Command::new(&hadolint).arg("--no-color").arg(&broken));
    assert!(
        !ok && out.contains("DL3002"),
        "hadolint accepted USER root:\n{out}"
    );
}

// ---------------------------------------------------------------------------------------------
// compose.yaml and its nginx

fn compose() -> Value {
    serde_yaml::from_str(&read(&deploy("compose.yaml"))).unwrap()
}

/// A replica's environment in compose.yaml, its database URL replaced by `url`.
fn compose_env(url: &str) -> Vec<(String, String)> {
    let c = compose();
    let env = c["services"]["phaseplan-1"]["environment"]
        .as_mapping()
        .unwrap()
        .clone();
    assert_eq!(
        c["services"]["phaseplan-2"]["environment"],
        Value::Mapping(env.clone())
    );
    env.iter()
        .map(|(k, v)| {
            let k = str_of(k, "name").to_owned();
            let v = if k == "PHASEPLAN_DATABASE_URL" {
                url.to_owned()
            } else {
                str_of(v, &k).to_owned()
            };
            (k, v)
        })
        .collect()
}

#[test]
fn docker_compose_accepts_the_compose_file() {
    let c = compose();
    let services = c["services"].as_mapping().unwrap();
    let replicas: Vec<&str> = services
        .keys()
        .map(|k| str_of(k, "service"))
        .filter(|k| k.starts_with("phaseplan-"))
        .collect();
    assert!(replicas.len() >= 2, "{replicas:?}");
    let nginx = read(&deploy("compose/nginx.conf"));
    for r in &replicas {
        assert!(
            nginx.contains(&format!("server {r}:8080")),
            "nginx sends to {r}"
        );
        let s = &c["services"][*r];
        assert_eq!(s["read_only"], true);
        assert_eq!(s["cap_drop"][0], "ALL");
    }
    let Some(compose) = tool("docker-compose") else {
        return;
    };
    let file = deploy("compose.yaml");
    let (ok, out) = run(Command::new(&compose)
        .arg("-f")
        .arg(&file)
        .args(["config", "-q"])
        .env("POSTGRES_PASSWORD", "CHANGE-ME"));
    assert!(ok, "docker-compose config failed:\n{out}");
    // Without the password it refuses, naming what is missing.
    let (ok, out) = run(Command::new(&compose)
        .arg("-f")
        .arg(&file)
        .args(["config", "-q"])
        .env_remove("POSTGRES_PASSWORD"));
    assert!(!ok && out.contains("POSTGRES_PASSWORD"), "{out}");

    let Some(nginx_bin) = tool("/usr/sbin/nginx") else {
        return;
    };
    let dir = scratch("deploy-nginx-t");
    let conf = dir.join("nginx.conf");
    std::fs::write(&conf, local_nginx(&nginx, &dir, &[1, 2], free_port())).unwrap();
    let (ok, out) = run(Command::new(&nginx_bin)
        .args(["-t", "-c"])
        .arg(&conf)
        .arg("-p")
        .arg(&dir));
    assert!(ok && out.contains("test is successful"), "nginx -t:\n{out}");
}

/// compose.yaml's nginx.conf pointed at loopback: the replicas on `ports` (in the order of its
/// `server` lines), listening on `listen`, its pid file in `dir`.
fn local_nginx(conf: &str, dir: &Path, ports: &[u16], listen: u16) -> String {
    let mut servers = ports.iter();
    let mut out = String::new();
    for line in conf.lines() {
        let t = line.trim_start();
        let indent = &line[..line.len() - t.len()];
        if t.starts_with("server phaseplan-") {
            let port = servers.next().expect("a port for every server line");
            let rest = t
                .split_once(' ')
                .unwrap()
                .1
                .split_once(' ')
                .map_or("", |r| r.1);
            out.push_str(&format!("{indent}server 127.0.0.1:{port} {rest}\n"));
        } else if t == "listen 80;" {
            out.push_str(&format!("{indent}listen 127.0.0.1:{listen};\n"));
        } else if t.starts_with("pid ") {
            out.push_str(&format!("pid {};\n", dir.join("nginx.pid").display()));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(servers.next().is_none(), "as many server lines as replicas");
    out
}

// ---------------------------------------------------------------------------------------------
// Two real replicas on one PostgreSQL, behind nginx

/// An HTTP/1.0 exchange on loopback: status and body.
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.0\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status: {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

/// The `phaseplan` binary with exactly `env` (nothing inherited: a container gets only what
/// it is given), bound to loopback on a free port.
fn replica(name: &str, env: &[(String, String)], data_dir: &Path) -> (Command, u16) {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_phaseplan"));
    cmd.env_clear().envs(env.iter().map(|(k, v)| (k, v)));
    // The test binds loopback, not every address, and a port of its own.
    cmd.env("PHASEPLAN_HOST", "127.0.0.1")
        .env("PHASEPLAN_PORT", port.to_string())
        .env("PHASEPLAN_DATA_DIR", data_dir.join(name))
        .env("RUST_LOG", "info");
    (cmd, port)
}

#[test]
fn two_replicas_share_postgresql_behind_nginx() {
    let Some(bin) = postgres_bin() else { return };
    let Some(nginx_bin) = tool("/usr/sbin/nginx") else {
        return;
    };
    let dir = scratch("deploy-replicas");
    let (ok, out) = run(as_postgres(&bin.join("initdb"))
        .args(["-A", "trust", "-U", "postgres", "-D"])
        .arg(dir.join("db")));
    assert!(ok, "initdb: {out}");
    let pg_port = free_port();
    let _pg = start_postgres(&bin, &dir.join("db"), &dir, pg_port, &[]);
    // The Secret's shape (trust authentication ignores the password).
    let url = format!("postgres://postgres:CHANGE-ME@127.0.0.1:{pg_port}/postgres");

    // One replica as the Deployment runs it, one as compose.yaml does (on the image's ENV);
    // started together on an empty database, so their migrations race for the advisory lock.
    let (mut k8s, k8s_port) = replica("k8s", &deployment_env(&url), &dir);
    let mut compose = dockerfile_env();
    compose.extend(compose_env(&url));
    let (mut local, local_port) = replica("compose", &compose, &dir);
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| {
            serve_as(
                "k8s",
                &mut k8s,
                k8s_port,
                Ready::Http(HEALTH),
                Signal::SIGTERM,
            )
        });
        let b = s.spawn(|| {
            serve_as(
                "compose",
                &mut local,
                local_port,
                Ready::Http(HEALTH),
                Signal::SIGTERM,
            )
        });
        (a.join().unwrap(), b.join().unwrap())
    });
    let mut a = a.unwrap_or_else(|e| panic!("{e}"));
    let _b = b.unwrap_or_else(|e| panic!("{e}"));

    // Sign-in is on (the image's and the Deployment's `auth = "users"`): an editor's token,
    // made with the binary against the same database, works on both replicas.
    let token = {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_phaseplan"));
        cmd.env_clear().envs(deployment_env(&url)).args([
            "token",
            "create",
            "--role",
            "editor",
            "--name",
            "deploy-test",
        ]);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    assert!(
        token.starts_with("pp_"),
        "the token alone on standard output"
    );
    let bearer = format!("Bearer {token}");

    // The probes, as the kubelet sends them, answer; without their Host header they would not.
    let c = the_container();
    for probe in ["startupProbe", "readinessProbe", "livenessProbe"] {
        let get = &c[probe]["httpGet"];
        let headers: Vec<(&str, &str)> = get["httpHeaders"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|h| (str_of(&h["name"], "name"), str_of(&h["value"], "value")))
            .collect();
        let path = str_of(&get["path"], "path");
        let (status, body) = http(k8s_port, "GET", path, &headers, "");
        assert_eq!(status, 200, "{probe}: {body}");
        let health: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(health["name"], "phaseplan-server");
    }
    let (status, _) = http(k8s_port, "GET", HEALTH, &[("Host", "10.1.2.3:8080")], "");
    assert_eq!(status, 421, "a probe with the pod's IP as Host is refused");

    // compose.yaml's health check, run by bash as in the container.
    let check = compose_healthcheck();
    let (ok, out) = run(Command::new("bash")
        .arg("-c")
        .arg(check.replace("/8080", &format!("/{local_port}"))));
    assert!(
        ok,
        "the compose health check fails on a healthy replica: {out}"
    );
    let (ok, _) = run(Command::new("bash")
        .arg("-c")
        .arg(check.replace("/8080", &format!("/{}", free_port()))));
    assert!(!ok, "the compose health check passes without a server");

    // nginx in front of both, as compose.yaml runs it.
    let nginx_port = free_port();
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        local_nginx(
            &read(&deploy("compose/nginx.conf")),
            &dir,
            &[k8s_port, local_port],
            nginx_port,
        ),
    )
    .unwrap();
    let mut nginx = Command::new(&nginx_bin);
    nginx
        .arg("-c")
        .arg(&conf)
        .arg("-p")
        .arg(&dir)
        .args(["-g", "daemon off;"]);
    let _nginx = serve_as("nginx", &mut nginx, nginx_port, Ready::Tcp, Signal::SIGQUIT)
        .unwrap_or_else(|e| panic!("{e}"));
    let host = [("Host", "localhost"), ("Authorization", bearer.as_str())];
    let (status, _) = http(
        nginx_port,
        "GET",
        "/api/v1/scenarios",
        &[("Host", "localhost")],
        "",
    );
    assert_eq!(status, 401, "without the token");

    // A save through nginx is there on both replicas.
    let scenario = phaseplan_model::presets::preset("ride-hailing")
        .unwrap()
        .scenario;
    let body = serde_json::json!({
        "name": "Shared", "description": "", "scenario": scenario, "message": "first",
    })
    .to_string();
    let (status, created) = http(nginx_port, "POST", "/api/v1/scenarios", &host, &body);
    assert_eq!(status, 201, "{created}");
    let id = serde_json::from_str::<serde_json::Value>(&created).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/scenarios/{id}");
    for port in [k8s_port, local_port] {
        let (status, body) = http(port, "GET", &path, &host, "");
        assert_eq!(status, 200, "{body}");
    }
    // A save on one replica makes the same stale save on the other a conflict.
    let save = serde_json::json!({"name": "Shared", "scenario": scenario, "message": "second"})
        .to_string();
    let if_match = [
        ("Host", "localhost"),
        ("If-Match", "\"1\""),
        ("Authorization", bearer.as_str()),
    ];
    let (status, body) = http(k8s_port, "PUT", &path, &if_match, &save);
    assert_eq!(status, 200, "{body}");
    let (status, body) = http(local_port, "PUT", &path, &if_match, &save);
    assert_eq!(status, 409, "{body}");
    let conflict: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(conflict["error"]["current_revision"], 2, "{body}");

    // SIGTERM: the replica drains and exits cleanly within its grace; nginx sends every request
    // to the other meanwhile and after.
    let grace: u64 = literal(&container_env(&c), "PHASEPLAN_SHUTDOWN_GRACE_SECONDS")
        .parse()
        .unwrap();
    nix::sys::signal::kill(a.pid(), Signal::SIGTERM).unwrap();
    let deadline = Instant::now() + Duration::from_secs(grace + 5);
    let exit = loop {
        if let Some(status) = a.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running {grace} s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit}: {}", a.output());
    for _ in 0..6 {
        let (status, body) = http(nginx_port, "GET", &path, &host, "");
        assert_eq!(status, 200, "{body}");
    }
    eprintln!("two replicas on one PostgreSQL behind nginx: probes, shared saves, conflict, drain");
}

/// The bash script of compose.yaml's replica health check.
fn compose_healthcheck() -> String {
    let c = compose();
    let test = c["services"]["phaseplan-1"]["healthcheck"]["test"]
        .as_sequence()
        .unwrap()
        .clone();
    let words: Vec<&str> = test.iter().map(|w| str_of(w, "test")).collect();
    assert_eq!(&words[..3], ["CMD", "bash", "-c"]);
    words[3].to_owned()
}
