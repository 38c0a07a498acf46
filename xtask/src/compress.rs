//! Precompressed copies of the SPA's files, made once per build at maximum compression.
//!
//! The server used to compress every asset on the fly at a fast level (brotli 4): about 20 % more
//! bytes than brotli 11 on the wasm, and the same work repeated for every first visit. Next to
//! each file in `frontend/dist` this writes `NAME.br` (brotli quality 11, a 16 MiB window) and
//! `NAME.gz` (gzip level 9); the server picks the one the browser accepts and sends it with the
//! matching `Content-Encoding` (backend `spa.rs`). Both encoders are deterministic, so the same
//! dist gives the same bytes, which is what lets the test command hold the first visit to a byte
//! budget.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Brotli's largest quality, and the window that fits the whole wasm (2^24 bytes).
const BROTLI_QUALITY: i32 = 11;
const BROTLI_WINDOW: i32 = 24;

/// One encoded copy: the suffix added to the file name, and how to make it.
#[derive(Debug, Clone, Copy)]
enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    const ALL: [Encoding; 2] = [Encoding::Brotli, Encoding::Gzip];

    fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gz",
        }
    }

    fn encode(self, bytes: &[u8]) -> Result<Vec<u8>> {
        match self {
            Encoding::Brotli => {
                let params = brotli::enc::BrotliEncoderParams {
                    quality: BROTLI_QUALITY,
                    lgwin: BROTLI_WINDOW,
                    size_hint: bytes.len(),
                    ..Default::default()
                };
                let mut out = Vec::with_capacity(bytes.len() / 3);
                brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).context("brotli")?;
                Ok(out)
            }
            Encoding::Gzip => {
                // No file name and a zero mtime in the header: the output depends on the bytes only.
                let mut gz = flate2::GzBuilder::new()
                    .mtime(0)
                    .write(Vec::new(), flate2::Compression::best());
                gz.write_all(bytes).context("gzip")?;
                gz.finish().context("gzip")
            }
        }
    }
}

/// What one file came to.
#[derive(Debug)]
pub struct Compressed {
    pub name: String,
    pub raw: usize,
    pub brotli: Option<usize>,
    pub gzip: Option<usize>,
}

/// Writes the encoded copies of every file in `dist` that compresses (a copy no smaller than
/// its original is not written: the server then sends the original). Old copies are removed
/// first, so a file that no longer compresses cannot be served stale.
pub fn precompress(dist: &Path) -> Result<Vec<Compressed>> {
    let mut files = Vec::new();
    walk(dist, &mut files)?;
    files.sort();
    for f in &files {
        if is_copy(f) {
            std::fs::remove_file(f).with_context(|| format!("remove {}", f.display()))?;
        }
    }
    let mut out = Vec::new();
    for f in files.iter().filter(|f| !is_copy(f) && compressible(f)) {
        let bytes = std::fs::read(f).with_context(|| format!("read {}", f.display()))?;
        let mut sizes = [None, None];
        for (slot, enc) in sizes.iter_mut().zip(Encoding::ALL) {
            let encoded = enc.encode(&bytes)?;
            if encoded.len() < bytes.len() {
                let target = PathBuf::from(format!("{}.{}", f.display(), enc.suffix()));
                std::fs::write(&target, &encoded)
                    .with_context(|| format!("write {}", target.display()))?;
                *slot = Some(encoded.len());
            }
        }
        out.push(Compressed {
            name: f
                .strip_prefix(dist)
                .unwrap_or(f)
                .to_string_lossy()
                .into_owned(),
            raw: bytes.len(),
            brotli: sizes[0],
            gzip: sizes[1],
        });
    }
    Ok(out)
}

/// Every file under `dir`, in its subdirectories too (the split app is in `app-<hash>/`).
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for e in std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))? {
        let path = e?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

fn is_copy(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| Encoding::ALL.iter().any(|enc| e == enc.suffix()))
}

/// Text and wasm compress; the build stamp and already-compressed formats are left alone.
fn compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "wasm" | "js" | "mjs" | "css" | "html" | "svg" | "json"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn copies_decode_to_their_original_and_are_deterministic() {
        let dir = std::env::temp_dir().join(format!("xtask-compress-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = "fn main() { println!(\"phaseplan\"); }\n".repeat(400);
        std::fs::write(dir.join("app.js"), &text).unwrap();
        std::fs::write(dir.join("tiny.svg"), "<svg/>").unwrap();
        std::fs::write(dir.join(".build-stamp"), "0123").unwrap();
        std::fs::write(dir.join("gone.css.br"), "stale").unwrap();
        std::fs::create_dir_all(dir.join("app-0123")).unwrap();
        std::fs::write(dir.join("app-0123/chunk.wasm"), text.repeat(2)).unwrap();

        let first = precompress(&dir).unwrap();
        let br = std::fs::read(dir.join("app.js.br")).unwrap();
        let gz = std::fs::read(dir.join("app.js.gz")).unwrap();
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut decoded).unwrap();
        assert_eq!(decoded, text.as_bytes());
        let mut decoded = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut decoded)
            .unwrap();
        assert_eq!(decoded, text);
        // Too small to gain: no copies, and the stale copy of a removed file is gone.
        assert!(!dir.join("tiny.svg.br").exists());
        assert!(!dir.join("gone.css.br").exists());
        assert!(!dir.join(".build-stamp.br").exists());
        // The split app's directory is compressed too.
        assert!(dir.join("app-0123/chunk.wasm.br").exists());
        assert!(first.iter().any(|c| c.name == "app-0123/chunk.wasm"));

        precompress(&dir).unwrap();
        assert_eq!(std::fs::read(dir.join("app.js.br")).unwrap(), br);
        assert_eq!(std::fs::read(dir.join("app.js.gz")).unwrap(), gz);
        let app = first.iter().find(|c| c.name == "app.js").unwrap();
        assert!(app.brotli.unwrap() < app.gzip.unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
