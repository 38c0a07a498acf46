//! The SPA's WebAssembly: built, split into one chunk per lazily loaded page, bound and optimised.
//!
//! Trunk builds the rest of the SPA (the page, its CSS, the icon, the ECharts script) but has no
//! step for splitting a wasm module, so the xtask does this part itself, after trunk:
//! 1. `cargo build` for wasm32 in the `wasm-release` profile; `.cargo/config.toml` links with
//!    `--emit-relocs`, which is what lets the splitter move functions between modules;
//! 2. `wasm_split_cli_support::transform` cuts the module at the split points the frontend marks
//!    (`frontend/src/lazy.rs`): each page's code that nothing else reaches goes into a chunk of
//!    its own, code two pages share into a shared chunk, the rest stays in the main module;
//! 3. `wasm-bindgen --target web` binds the main module (its link exports kept: the chunks
//!    import them);
//! 4. `wasm-opt -Oz` shrinks the main module and every chunk, esbuild minifies the JavaScript;
//! 5. everything goes into `app-<hash>/` in dist, the hash taken over every file's name and
//!    bytes, so all of it can be cached forever and a new build never mixes with an old one;
//!    `index.html` gets the loader that starts the main module.
//!
//! A page's chunk is fetched the first time the page is shown (and by the prefetch once the
//! Overview is interactive), relative to `__wasm_split.js`, so the Content-Security-Policy needs
//! nothing beyond `'self'` and `'wasm-unsafe-eval'`.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::exec;
use crate::tools::{WASM_TARGET, command};

/// The wasm-bindgen name of the main module: `phaseplan_web.js` and `phaseplan_web_bg.wasm`.
const MAIN: &str = "phaseplan_web";
/// The module the chunks' loaders live in; the main module imports it by this relative name.
const LINK: &str = "__wasm_split.js";
/// Where the staging files go before they are moved into dist.
const STAGING: &str = "target/spa-split";
/// Marks the place in trunk's `index.html` where the loader goes.
const LOADER_MARK: &str = "<!-- phaseplan-app -->";

/// What the build produced, for the log and for the tests.
#[derive(Debug)]
pub struct SplitApp {
    /// The directory under dist, `app-<hash>`.
    pub dir: String,
    /// Every wasm file in it and its size in bytes, the main module first.
    pub modules: Vec<(String, u64)>,
}

/// Builds the split app into `dist` and writes its loader into `dist/index.html`.
pub fn build(root: &Path, dist: &Path) -> Result<SplitApp> {
    exec::run(
        command("cargo")
            .args([
                "build",
                "--target",
                WASM_TARGET,
                "--profile",
                "wasm-release",
                "--package",
                "phaseplan-web",
                "--bin",
                "phaseplan-web",
            ])
            .current_dir(root),
    )?;
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let input = target_dir.join("wasm32-unknown-unknown/wasm-release/phaseplan-web.wasm");
    let staging = root.join(STAGING);
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("remove {}", staging.display()))?;
    }
    std::fs::create_dir_all(&staging).with_context(|| format!("create {}", staging.display()))?;

    let raw = std::fs::read(&input).with_context(|| format!("read {}", input.display()))?;
    let split_main = staging.join("main.wasm");
    let main_module = format!("./{MAIN}.js");
    let link_name = format!("./{LINK}");
    let split = {
        let mut options = wasm_split_cli_support::Options::new(&raw);
        options.output_dir = &staging;
        options.main_out_path = &split_main;
        options.main_module = &main_module;
        options.link_name = &link_name;
        wasm_split_cli_support::transform(options)
            .map_err(|e| anyhow::anyhow!("splitting {}: {e:#}", input.display()))?
    };
    if split.split_modules.is_empty() {
        bail!(
            "the wasm has no split points: every page would be in the main module \
             (frontend/src/lazy.rs marks them)"
        );
    }

    exec::run(
        command("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--keep-lld-exports"])
            .args(["--out-name", MAIN])
            .arg("--out-dir")
            .arg(&staging)
            .arg(&split_main),
    )?;
    std::fs::remove_file(&split_main).context("remove the unbound main module")?;

    let main_wasm = staging.join(format!("{MAIN}_bg.wasm"));
    let mut wasm_files = vec![main_wasm.clone()];
    wasm_files.extend(split.split_modules.iter().cloned());
    // `PHASEPLAN_SPA_NAMES=1` keeps the modules as bound, with their function names, for
    // reading a panic's stack or a profile (several times larger: never for a release).
    if std::env::var_os("PHASEPLAN_SPA_NAMES").is_none() {
        for wasm in &wasm_files {
            optimise(wasm)?;
        }
        for js in [staging.join(format!("{MAIN}.js")), staging.join(LINK)] {
            minify(root, &js)?;
        }
    }

    let dir = format!("app-{}", digest(&staging)?);
    let target = dist.join(&dir);
    if target.exists() {
        std::fs::remove_dir_all(&target).with_context(|| format!("remove {}", target.display()))?;
    }
    std::fs::rename(&staging, &target)
        .or_else(|_| copy_dir(&staging, &target))
        .with_context(|| format!("move the app into {}", target.display()))?;

    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).context("read dist/index.html")?;
    std::fs::write(&index, with_loader(&html, &dir)?).context("write dist/index.html")?;

    let mut modules = Vec::new();
    for wasm in &wasm_files {
        let name = file_name(wasm);
        let size = std::fs::metadata(target.join(&name))?.len();
        modules.push((name, size));
    }
    Ok(SplitApp { dir, modules })
}

/// `wasm-opt -Oz` in place, with the features rustc's wasm32 target emits by default.
fn optimise(wasm: &Path) -> Result<()> {
    let out = wasm.with_extension("opt.wasm");
    exec::run(
        command("wasm-opt")
            .args([
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-multivalue",
                "--enable-reference-types",
            ])
            .arg(wasm)
            .arg("-o")
            .arg(&out),
    )?;
    std::fs::rename(&out, wasm).with_context(|| format!("replace {}", wasm.display()))
}

/// esbuild's minifier on an ES module, in place (the wasm-bindgen glue is about 40 KB as written).
fn minify(root: &Path, js: &Path) -> Result<()> {
    let out = js.with_extension("min.js");
    exec::run(
        command("esbuild")
            .arg(js)
            .args(["--minify", "--format=esm", "--log-level=warning"])
            .arg(format!("--outfile={}", out.display()))
            .current_dir(root),
    )?;
    std::fs::rename(&out, js).with_context(|| format!("replace {}", js.display()))
}

/// A hash of every file's name and bytes in `dir`, 16 hex digits.
fn digest(dir: &Path) -> Result<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut h = DefaultHasher::new();
    for f in &files {
        file_name(f).hash(&mut h);
        std::fs::read(f)?.hash(&mut h);
    }
    Ok(format!("{:016x}", h.finish()))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)?.flatten() {
        std::fs::copy(e.path(), to.join(e.file_name()))?;
    }
    std::fs::remove_dir_all(from)
}

/// The page with the app's loader where `index.html` marks it: the main module preloaded, and
/// one inline module script that starts it (the server allows that script by its hash in the
/// Content-Security-Policy) and then adds the ECharts script. ECharts comes after the wasm, not
/// beside it: on a slow link the two would share the bandwidth, and the page's text would wait
/// for a chart library; the charts wait for the `phaseplan-echarts` event instead
/// (frontend `widgets/chart.rs`).
fn with_loader(html: &str, dir: &str) -> Result<String> {
    if !html.contains(LOADER_MARK) {
        bail!("frontend/index.html has no {LOADER_MARK} where the app's loader goes");
    }
    let (html, charts) = without_script(html, "/echarts")
        .context("dist/index.html has no <script src=\"/echarts…\"> for the app to load")?;
    let js = format!("/{dir}/{MAIN}.js");
    let wasm = format!("/{dir}/{MAIN}_bg.wasm");
    let integrity = charts
        .integrity
        .map(|i| format!("s.integrity='{i}';"))
        .unwrap_or_default();
    let loader = format!(
        "<link rel=\"modulepreload\" href=\"{js}\" />\n    \
         <link rel=\"preload\" href=\"{wasm}\" as=\"fetch\" type=\"application/wasm\" crossorigin />\n    \
         <script type=\"module\">import init from '{js}';await init({{ module_or_path: '{wasm}' }});\
         const s=document.createElement('script');s.src='{src}';{integrity}\
         s.onload=()=>dispatchEvent(new Event('phaseplan-echarts'));document.head.append(s);</script>",
        src = charts.src,
    );
    Ok(without_skipped_rust_link(&html.replacen(
        LOADER_MARK,
        &loader,
        1,
    )))
}

/// A classic script trunk wrote into the page.
#[derive(Debug, PartialEq)]
struct Script {
    src: String,
    integrity: Option<String>,
}

/// The page without its `<script src="PREFIX…" …></script>`, and that script's attributes.
fn without_script(html: &str, prefix: &str) -> Option<(String, Script)> {
    let start = html.find(&format!("<script src=\"{prefix}"))?;
    let end = start + html[start..].find("</script>")? + "</script>".len();
    let tag = &html[start..end];
    let attribute = |name: &str| {
        let from = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let len = tag[from..].find('"')?;
        Some(tag[from..from + len].to_owned())
    };
    let script = Script {
        src: attribute("src")?,
        integrity: attribute("integrity"),
    };
    Some((cut(html, start, end), script))
}

/// `html` without `html[start..end]`, and without the line it stood on when it stood alone.
fn cut(html: &str, start: usize, end: usize) -> String {
    let line_start = html[..start].rfind('\n').map_or(start, |n| n + 1);
    if html[line_start..start].trim().is_empty() && html[end..].starts_with('\n') {
        format!("{}{}", &html[..line_start], &html[end + 1..])
    } else {
        format!("{}{}", &html[..start], &html[end..])
    }
}

/// The page without the `<link data-trunk rel="rust" … data-trunk-skip>` that told trunk not to
/// build the crate itself (trunk leaves it in; it means nothing to a browser).
fn without_skipped_rust_link(html: &str) -> String {
    let Some(start) = html.find("<link data-trunk rel=\"rust\"") else {
        return html.to_owned();
    };
    let Some(len) = html[start..].find('>') else {
        return html.to_owned();
    };
    cut(html, start, start + len + 1)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const CHARTS: &str =
        "<script src=\"/echarts.min-0123.js\" integrity=\"sha384-abc+/=\"></script>";

    #[test]
    fn the_loader_goes_where_the_page_marks_it_and_names_the_build_directory() {
        let html = format!("<head>\n    {CHARTS}\n    {LOADER_MARK}\n  </head>");
        let out = with_loader(&html, "app-0123456789abcdef").unwrap();
        assert!(!out.contains(LOADER_MARK));
        assert!(out.contains(
            "<link rel=\"modulepreload\" href=\"/app-0123456789abcdef/phaseplan_web.js\" />"
        ));
        assert!(out.contains(
            "import init from '/app-0123456789abcdef/phaseplan_web.js';\
             await init({ module_or_path: '/app-0123456789abcdef/phaseplan_web_bg.wasm' });"
        ));
        // ECharts is added by the loader, after the app, with its integrity.
        assert!(!out.contains("<script src="), "{out}");
        assert!(out.contains(
            "const s=document.createElement('script');s.src='/echarts.min-0123.js';\
             s.integrity='sha384-abc+/=';"
        ));
        assert!(with_loader("<head></head>", "app-1").is_err());
        assert!(with_loader(&format!("<head>{LOADER_MARK}</head>"), "app-1").is_err());
        // Trunk's leftover of the skipped Rust link goes, with its line.
        let html = format!(
            "<head>\n    <link data-trunk rel=\"rust\" href=\"Cargo.toml\" data-trunk-skip \
             data-trunk-id=\"3\" />\n    {CHARTS}\n    {LOADER_MARK}\n  </head>"
        );
        let out = with_loader(&html, "app-0123456789abcdef").unwrap();
        assert!(!out.contains("rel=\"rust\""), "{out}");
        assert!(
            out.starts_with("<head>\n    <link rel=\"modulepreload\""),
            "{out}"
        );
    }

    #[test]
    fn the_directory_hash_follows_names_and_bytes() {
        let dir = std::env::temp_dir().join(format!("xtask-split-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.wasm"), b"one").unwrap();
        let first = digest(&dir).unwrap();
        assert_eq!(first.len(), 16);
        assert_eq!(digest(&dir).unwrap(), first);
        std::fs::write(dir.join("a.wasm"), b"two").unwrap();
        let second = digest(&dir).unwrap();
        assert_ne!(second, first);
        std::fs::rename(dir.join("a.wasm"), dir.join("b.wasm")).unwrap();
        assert_ne!(digest(&dir).unwrap(), second);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
