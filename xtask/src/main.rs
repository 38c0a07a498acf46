//! The project's two commands (see the README):
//!
//! - `cargo xtask run [-- SERVER FLAGS]`: install what is missing, build the SPA (release, size
//!   profile) and the server (which embeds it), then run the server on 127.0.0.1:8080.
//! - `cargo xtask test`: install what is missing (plus Chromium), then fmt, clippy, native tests,
//!   the model's tests compiled to wasm32 and run in headless Chromium, and end-to-end browser
//!   tests against the real server. Ends with a summary line; exits non-zero on any failure.
//!
//! Both are idempotent: each install is skipped when the right version is present, and the SPA is
//! rebuilt only when one of its inputs changed.

mod build;
mod compress;
mod exec;
mod split;
mod test;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let root = workspace_root()?;
    std::env::set_current_dir(&root).context("cd to the workspace root")?;
    tools::prepend_path(&root);
    match args.next().as_deref() {
        Some("run") => {
            let server_args: Vec<String> = args.skip_while(|a| a == "--").collect();
            build::run(&root, &server_args)
        }
        Some("test") => test::run(&root),
        Some("build") => build::build_all(&root).map(|_| ()),
        Some("spa") => {
            tools::ensure_build_tools(&root).and_then(|()| build::build_spa(&root).map(|_| ()))
        }
        Some("bench") => bench(&root),
        _ => bail!("usage: cargo xtask <run [-- server flags] | test | build | spa | bench>"),
    }
}

/// The model's benchmarks: criterion natively, then the full evaluation as wasm32 in headless
/// Chromium (its timings are printed as `BENCH …` lines).
fn bench(root: &Path) -> Result<()> {
    tools::ensure_build_tools(root)?;
    tools::ensure_test_tools(root)?;
    exec::run(tools::command("cargo").args(["bench", "-p", "phaseplan-model"]))?;
    exec::run(
        tools::command("cargo")
            .args([
                "test",
                "--release",
                "-p",
                "phaseplan-model",
                "--target",
                tools::WASM_TARGET,
                "--test",
                "wasm_bench",
                "--",
                "--include-ignored",
                "--nocapture",
            ])
            .env("WASM_BINDGEN_USE_BROWSER", "1")
            .env("CHROMEDRIVER", "/usr/bin/chromedriver"),
    )?;
    let server = build::build_all(root)?;
    // 2,000 live subscribers against the release server on loopback.
    load_benchmark(
        root,
        "sse_load",
        &["--subscribers", "2000", "--seconds", "30"],
        &server,
    )?;
    // Health under 64 clients of heavy evaluations, evaluations at 16 clients, slowloris.
    load_benchmark(
        root,
        "http_load",
        &["--seconds", "20", "--slow", "3000"],
        &server,
    )?;
    // Saved scenarios on SQLite: 10,000 scenarios × 10 revisions; save, list, search, paging,
    // diff (PostgreSQL: run it with --database-url, see the README).
    exec::run(tools::command("cargo").args([
        "build",
        "--release",
        "-p",
        "phaseplan-server",
        "--example",
        "store_bench",
    ]))?;
    exec::run(&mut tools::command(
        &root
            .join("target/release/examples/store_bench")
            .to_string_lossy(),
    ))
}

/// Builds the server's example `name` (release) and runs it against the release `server`.
fn load_benchmark(root: &Path, name: &str, args: &[&str], server: &Path) -> Result<()> {
    exec::run(tools::command("cargo").args([
        "build",
        "--release",
        "-p",
        "phaseplan-server",
        "--example",
        name,
    ]))?;
    exec::run(
        tools::command(
            &root
                .join("target/release/examples")
                .join(name)
                .to_string_lossy(),
        )
        .args(args)
        .arg("--server")
        .arg(server),
    )
}

/// The directory holding the workspace's Cargo.toml (xtask's parent).
fn workspace_root() -> Result<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(PathBuf::from)
        .context("xtask has no parent directory")
}
