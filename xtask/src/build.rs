//! Building the SPA and the server, and `cargo xtask run`.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::compress;
use crate::exec;
use crate::split;
use crate::tools::{self, command};

/// Inputs of the SPA build; a change in any of them means trunk must run again.
const SPA_INPUTS: &[&str] = &[
    "frontend",
    "shared",
    "assets",
    "Trunk.toml",
    "Cargo.toml",
    "Cargo.lock",
    "package-lock.json",
    "xtask/src/compress.rs",
    "xtask/src/split.rs",
    ".cargo/config.toml",
];
const STAMP: &str = "frontend/dist/.build-stamp";

/// Builds the SPA (trunk for the page and its assets, then the split wasm: split.rs) unless its inputs are unchanged since the
/// last build. Returns true when it built.
pub fn build_spa(root: &Path) -> Result<bool> {
    let fingerprint = fingerprint(root);
    let stamp = root.join(STAMP);
    let index = root.join("frontend/dist/index.html");
    if index.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&fingerprint) {
        eprintln!("SPA is up to date (frontend/dist)");
        return Ok(false);
    }
    exec::run(
        command("trunk")
            .args(["build", "--release"])
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            .current_dir(root),
    )?;
    let dist = root.join("frontend/dist");
    let app = split::build(root, &dist)?;
    for (name, size) in &app.modules {
        eprintln!("{}/{name}: {:.1} KB", app.dir, *size as f64 / 1000.0);
    }
    for c in compress::precompress(&dist)? {
        let kb =
            |n: Option<usize>| n.map_or("-".to_owned(), |n| format!("{:.1} KB", n as f64 / 1000.0));
        eprintln!(
            "precompressed {}: {:.1} KB, brotli {}, gzip {}",
            c.name,
            c.raw as f64 / 1000.0,
            kb(c.brotli),
            kb(c.gzip)
        );
    }
    std::fs::write(&stamp, fingerprint).context("write the SPA build stamp")?;
    Ok(true)
}

/// A hash of every input file's path, size and modification time.
fn fingerprint(root: &Path) -> String {
    let mut files = Vec::new();
    for input in SPA_INPUTS {
        collect(&root.join(input), &mut files);
    }
    files.sort();
    let mut h = DefaultHasher::new();
    // A build that kept its names (split.rs) is not the release build, and the other way round.
    std::env::var_os("PHASEPLAN_SPA_NAMES")
        .is_some()
        .hash(&mut h);
    for f in &files {
        f.hash(&mut h);
        if let Ok(m) = std::fs::metadata(f) {
            m.len().hash(&mut h);
            if let Some(t) = tools::mtime(f) {
                t.hash(&mut h);
            }
        }
    }
    format!("{:016x}", h.finish())
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    if meta.is_file() {
        out.push(path.to_path_buf());
        return;
    }
    let skip =
        |name: &str| matches!(name, "dist" | "target" | "node_modules") || name.starts_with('.');
    if let Ok(entries) = std::fs::read_dir(path) {
        for e in entries.flatten() {
            let name = e.file_name();
            if !skip(&name.to_string_lossy()) {
                collect(&e.path(), out);
            }
        }
    }
}

/// Release build of the server; it embeds `frontend/dist`.
pub fn build_server(root: &Path) -> Result<PathBuf> {
    exec::run(
        command("cargo")
            .args([
                "build",
                "--release",
                "--package",
                "phaseplan-server",
                "--bin",
                "phaseplan",
            ])
            .current_dir(root),
    )?;
    Ok(root.join("target/release/phaseplan"))
}

/// Installs missing tools, builds the SPA and the server; returns the server binary.
pub fn build_all(root: &Path) -> Result<PathBuf> {
    tools::ensure_build_tools(root)?;
    build_spa(root)?;
    build_server(root)
}

/// `cargo xtask run`: build everything, then become the server.
pub fn run(root: &Path, server_args: &[String]) -> Result<()> {
    let binary = build_all(root)?;
    let mut cmd = std::process::Command::new(&binary);
    cmd.args(server_args);
    eprintln!("$ {}", exec::describe(&cmd));
    #[cfg(unix)]
    {
        // Replace this process so Ctrl-C and SIGTERM reach the server directly.
        use std::os::unix::process::CommandExt;
        let err = cmd.exec();
        Err(err).context("cannot start the server")
    }
    #[cfg(not(unix))]
    {
        exec::run(&mut cmd)
    }
}
