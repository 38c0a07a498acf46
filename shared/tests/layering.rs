//! The model's layering, checked from its source: the input layer (the scenario's types and their
//! field checks) imports no computation, and the crate depends on pure-computation crates only —
//! no I/O, no HTTP, no DOM. A change that breaks either fails here, naming the file and the line.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

/// The input layer: what a scenario is made of, and the checks of its fields.
const INPUT_LAYER: &[&str] = &[
    "src/scenario",
    "src/phase.rs",
    "src/tiers.rs",
    "src/units.rs",
    "src/error.rs",
    "src/cost/catalog.rs",
];

/// Modules that compute; the input layer must not import them.
const COMPUTATIONS: &[&str] = &[
    "crate::capacity",
    "crate::cost::bom",
    "crate::evaluate",
    "crate::timeline",
    "crate::growth",
    "crate::uncertainty",
    "crate::decision",
    "crate::migration",
    "crate::live",
    "crate::forecast",
    "crate::fit",
    "crate::bundle",
    "crate::valid",
    "crate::share",
    "crate::presets",
];

/// The crates the model may depend on: serialisation, errors, seeded randomness, compression and
/// archives (pure Rust, no clock), and the optional schema derives.
const ALLOWED_DEPENDENCIES: &[&str] = &[
    "serde",
    "serde_json",
    "thiserror",
    "rand",
    "rand_pcg",
    "rand_distr",
    "base64",
    "miniz_oxide",
    "zip",
    "flate2",
    "tar",
    "utoipa",
];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        out.push(path.to_path_buf());
    } else if let Ok(entries) = std::fs::read_dir(path) {
        for e in entries.flatten() {
            rust_files(&e.path(), out);
        }
    }
}

/// The lines of a file before its test module (tests may use anything).
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| !l.starts_with("#[cfg(test)]"))
        .map(|(i, l)| (i + 1, l))
}

/// Every `crate::…` path a line names (in `use` items and in code).
fn crate_paths(line: &str) -> Vec<String> {
    line.match_indices("crate::")
        .map(|(i, _)| {
            line[i..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect()
        })
        .collect()
}

fn violations(files: &[PathBuf]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in code_lines(&text) {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") {
                continue;
            }
            for path in crate_paths(line) {
                if let Some(c) = COMPUTATIONS
                    .iter()
                    .find(|c| path == **c || path.starts_with(&format!("{c}::")))
                {
                    out.push(format!("{}:{n} imports {c}: {}", f.display(), line.trim()));
                }
            }
        }
    }
    out
}

#[test]
fn the_input_layer_imports_no_computation() {
    let mut files = Vec::new();
    for p in INPUT_LAYER {
        rust_files(&crate_dir().join(p), &mut files);
    }
    assert!(files.len() >= 8, "{files:?}");
    let found = violations(&files);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_check_sees_an_import_of_a_computation() {
    let dir = std::env::temp_dir().join(format!("phaseplan-layering-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.rs");
    std::fs::write(
        &f,
        "use crate::error::Reason;\nuse crate::capacity::components::Demand;\nfn x() { crate::growth::y() }\n#[cfg(test)]\nmod tests { use crate::evaluate::evaluate; }\n",
    )
    .unwrap();
    let found = violations(&[f]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains(":2 imports crate::capacity"), "{found:?}");
    assert!(found[1].contains(":3 imports crate::growth"), "{found:?}");
}

#[test]
fn the_model_depends_on_pure_computation_crates_only() {
    let manifest = std::fs::read_to_string(crate_dir().join("Cargo.toml")).unwrap();
    let deps: Vec<&str> = manifest
        .split("\n[dependencies]\n")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split(['=', '.']).next())
        .map(str::trim)
        .filter(|d| !d.is_empty() && !d.starts_with('#'))
        .collect();
    assert!(deps.len() >= 10, "{deps:?}");
    for d in deps {
        assert!(
            ALLOWED_DEPENDENCIES.contains(&d),
            "the model gained the dependency {d:?}: it must stay pure (no I/O, HTTP or DOM); \
             if it is a pure-computation crate, add it to ALLOWED_DEPENDENCIES with the reason"
        );
    }
}
