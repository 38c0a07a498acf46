//! Golden files: six representative bundles, one per provider,, file by file, as committed under
//! `tests/golden/`. A change to a generator shows here as a diff to review; when it is intended,
//! regenerate with `UPDATE_GOLDEN=1 cargo test -p phaseplan-model --test golden` and commit.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use phaseplan_model::bundle::generate;
use phaseplan_model::cost::catalog::{Catalog, ProviderId};
use phaseplan_model::presets::preset;

/// One per provider, across the shapes the assembler chooses between: single-node and
/// self-hosted (Hetzner Launch); managed with PgBouncer and Sentinel (AWS Growth); Kubernetes
/// with a Redis cluster on Memorystore (GCP Scale); AKS with Flexible Server and Azure Cache
/// (Azure Scale); a managed database with self-hosted Redis behind a NodeBalancer (Linode
/// Growth); a managed database and cache (DigitalOcean Launch).
const CASES: [(&str, &str, ProviderId); 6] = [
    ("ride-hailing", "launch", ProviderId::Hetzner),
    ("ride-hailing", "growth", ProviderId::Aws),
    ("ecommerce", "scale", ProviderId::Gcp),
    ("ecommerce", "scale", ProviderId::Azure),
    ("ecommerce", "growth", ProviderId::Linode),
    ("ride-hailing", "launch", ProviderId::DigitalOcean),
];

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if e.path().is_dir() {
            files_under(&e.path(), out);
        } else {
            out.push(e.path());
        }
    }
}

#[test]
fn bundles_match_their_golden_files() {
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let catalog = Catalog::built_in().unwrap();
    for (preset_key, phase, provider) in CASES {
        let s = preset(preset_key).unwrap().scenario.validate().unwrap();
        let bundle = generate(&s, &catalog, phase, provider).unwrap();
        let dir = golden_dir().join(format!("{preset_key}-{}", bundle.name()));
        if update {
            let _ = std::fs::remove_dir_all(&dir);
            for f in &bundle.files {
                let p = dir.join(&f.path);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, &f.contents).unwrap();
            }
            continue;
        }
        let mut on_disk = Vec::new();
        files_under(&dir, &mut on_disk);
        let mut on_disk: Vec<String> = on_disk
            .iter()
            .map(|p| {
                p.strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        on_disk.sort();
        let generated: Vec<String> = bundle.files.iter().map(|f| f.path.clone()).collect();
        assert_eq!(
            generated,
            on_disk,
            "{}: files differ from {}",
            bundle.name(),
            dir.display()
        );
        for f in &bundle.files {
            let want = std::fs::read_to_string(dir.join(&f.path)).unwrap();
            assert!(
                want == f.contents,
                "{} {} differs from its golden file (UPDATE_GOLDEN=1 to accept):\n--- golden\n{want}\n--- generated\n{}",
                bundle.name(),
                f.path,
                f.contents
            );
        }
    }
}
