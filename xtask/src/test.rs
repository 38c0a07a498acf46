//! `cargo xtask test`: every check CI runs, in order, continuing past failures so one run reports
//! everything, then a summary with a plain `N passed, N failed` line.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::build;
use crate::exec;
use crate::tools::{self, command};

/// Test counts of one kind.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    passed: u64,
    failed: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

/// The outcome of one step.
struct Step {
    name: &'static str,
    ok: bool,
    counts: Option<Counts>,
    seconds: f64,
}

#[derive(Default)]
struct Report {
    steps: Vec<Step>,
}

impl Report {
    fn record(&mut self, name: &'static str, f: impl FnOnce() -> Result<(bool, Option<Counts>)>) {
        eprintln!("\n==> {name}");
        let start = Instant::now();
        let (ok, counts) = match f() {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e:#}");
                (false, None)
            }
        };
        self.steps.push(Step {
            name,
            ok,
            counts,
            seconds: start.elapsed().as_secs_f64(),
        });
    }

    fn ok(&self, name: &str) -> bool {
        self.steps.iter().any(|s| s.name == name && s.ok)
    }
}

pub fn run(root: &Path) -> Result<()> {
    let mut report = Report::default();
    report.record("install tools", || {
        tools::ensure_build_tools(root)?;
        tools::ensure_test_tools(root)?;
        Ok((true, None))
    });
    report.record("cargo fmt --check", || {
        Ok((
            check(command("cargo").args(["fmt", "--all", "--check"]))?,
            None,
        ))
    });
    report.record("clippy (native)", || {
        clippy(&["--workspace", "--all-targets"])
    });
    // The model has wasm32-only code paths (its test harness); the SPA has none and is linted
    // natively above, which saves minutes of checking Leptos twice.
    report.record("clippy (wasm32 model)", || {
        clippy(&[
            "--package",
            "phaseplan-model",
            "--target",
            tools::WASM_TARGET,
        ])
    });
    report.record("native tests", || {
        // The bundle tests must run every validator: a missing one fails instead of skipping.
        cargo_tests(
            command("cargo")
                .args(["test", "--workspace", "--no-fail-fast"])
                .env("REQUIRE_TEST_TOOLS", "require"),
        )
    });
    // Every server a test starts works in a scratch directory named `phaseplan-validate-…` and
    // must be gone when its test ends, pass or fail.
    report.record("no test server left running", || {
        let left = leftover_servers();
        for l in &left {
            eprintln!("still running: {l}");
        }
        Ok((left.is_empty(), None))
    });
    report.record("model tests on wasm32 (Chromium)", || {
        cargo_tests(
            command("cargo")
                .args([
                    "test",
                    "--package",
                    "phaseplan-model",
                    "--target",
                    tools::WASM_TARGET,
                ])
                .env("WASM_BINDGEN_USE_BROWSER", "1")
                .env("CHROMEDRIVER", "/usr/bin/chromedriver"),
        )
    });
    report.record("build SPA + server (release)", || {
        build::build_spa(root)?;
        build::build_server(root)?;
        Ok((true, None))
    });
    if report.ok("build SPA + server (release)") && report.ok("install tools") {
        report.record("browser end-to-end tests", || browser_tests(root));
        report.record("browser end-to-end tests, signed in", || {
            browser_tests_signed_in(root)
        });
        report.record("API contract (schemathesis)", || api_contract(root));
    }
    report.record("the SPA carries no schema code", || {
        // The model's schema derives are for the server's OpenAPI document only.
        let tree = exec::output(
            "cargo",
            &[
                "tree",
                "-p",
                "phaseplan-web",
                "--target",
                tools::WASM_TARGET,
                "-e",
                "normal",
                "--prefix",
                "none",
            ],
        )
        .unwrap_or_default();
        let leaked = tree.lines().any(|l| l.starts_with("utoipa"));
        if leaked {
            eprintln!("the SPA's dependency tree has utoipa: the model's openapi feature leaked");
        }
        Ok((!tree.is_empty() && !leaked, None))
    });
    summarise(&report)
}

/// Processes whose command line names a test's scratch directory (`phaseplan-validate-`):
/// servers a test started and did not stop. Reads `/proc`, so it sees children that were
/// re-parented too.
fn leftover_servers() -> Vec<String> {
    let mut left = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return left;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(raw) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&raw).replace('\0', " ");
        if cmdline.contains("phaseplan-validate-") {
            left.push(format!("pid {pid}: {}", cmdline.trim()));
        }
    }
    left
}

/// `cargo clippy <scope> -- -D warnings`.
fn clippy(scope: &[&str]) -> Result<(bool, Option<Counts>)> {
    let ok = check(
        command("cargo")
            .arg("clippy")
            .args(scope)
            .args(["--", "-D", "warnings"]),
    )?;
    Ok((ok, None))
}

/// Runs a command and reports whether it succeeded.
fn check(cmd: &mut Command) -> Result<bool> {
    exec::run_scanning(cmd, |_| {})
}

/// Runs `cargo test`-like output, summing every `test result:` line.
fn cargo_tests(cmd: &mut Command) -> Result<(bool, Option<Counts>)> {
    let mut total = Counts::default();
    let ok = exec::run_scanning(cmd, |line| {
        if let Some(c) = parse_cargo_result(line) {
            total.add(c);
        }
    })?;
    Ok((ok && total.failed == 0, Some(total)))
}

/// `test result: ok. 12 passed; 0 failed; 0 ignored; …` → counts.
fn parse_cargo_result(line: &str) -> Option<Counts> {
    let rest = line.trim().strip_prefix("test result:")?;
    let mut c = Counts::default();
    for part in rest.split([';', '.']) {
        let mut words = part.split_whitespace();
        if let (Some(n), Some(kind)) = (words.next(), words.next()) {
            match (n.parse::<u64>(), kind) {
                (Ok(n), "passed") => c.passed = n,
                (Ok(n), "failed") => c.failed = n,
                _ => {}
            }
        }
    }
    Some(c)
}

/// node's test runner summary lines: `ℹ pass 5` (spec) or `# pass 5` (tap).
fn parse_node_line(line: &str, counts: &mut Counts) {
    let t = line.trim().trim_start_matches(['ℹ', '#']).trim();
    let mut words = t.split_whitespace();
    match (
        words.next(),
        words.next().map(str::parse::<u64>),
        words.next(),
    ) {
        (Some("pass"), Some(Ok(n)), None) => counts.passed = n,
        (Some("fail"), Some(Ok(n)), None) => counts.failed = n,
        _ => {}
    }
}

/// An empty data directory for a test server: its saved scenarios are the run's own, never the
/// developer's.
fn scratch_data_dir(what: &str) -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("phaseplan-xtask-{}-{what}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
    Ok(dir)
}

/// Starts the release server on a free loopback port, runs the Playwright suite against it in
/// headless Chromium, stops the server.
fn browser_tests(root: &Path) -> Result<(bool, Option<Counts>)> {
    let port = free_port()?;
    let mut server = Server(
        Command::new(root.join("target/release/phaseplan"))
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--data-dir")
            .arg(scratch_data_dir("browser")?)
            .env("RUST_LOG", "warn")
            // Notification channels keep their secrets sealed with it; a throwaway per run.
            .env("PHASEPLAN_SECRET_KEY", throwaway_key())
            .env("PHASEPLAN_NOTIFY_RETRY_SECONDS", "0.5")
            .env("PHASEPLAN_NOTIFY_WATCH_SECONDS", "0.5")
            .spawn()
            .context("start the server")?,
    );
    wait_healthy(port, &mut server.0)?;
    let result = node_suite(root, "tests/e2e/", port, &[]);
    drop(server);
    result
}

/// 32 bytes as hex, different each run (the test server's data directory is fresh too).
fn throwaway_key() -> String {
    let seed = format!("{}{:?}", std::process::id(), std::time::SystemTime::now());
    // Not a secret worth protecting: it seals the test run's own channels.
    let mut out = String::new();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    while out.len() < 64 {
        for b in seed.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out.truncate(64);
    out
}

/// Runs the node test files in `dir` against the server on `port`, one file at a time.
fn node_suite(
    root: &Path,
    dir: &str,
    port: u16,
    env: &[(&str, &str)],
) -> Result<(bool, Option<Counts>)> {
    let mut counts = Counts::default();
    let ok = exec::run_scanning(
        command("node")
            .args(["--test", "--test-reporter=spec", "--test-concurrency=1"])
            .arg(dir)
            .env("PHASEPLAN_URL", format!("http://127.0.0.1:{port}"))
            .env("CHROMIUM", "/usr/bin/chromium")
            .envs(env.iter().copied())
            .current_dir(root),
        |line| parse_node_line(line, &mut counts),
    )?;
    Ok((ok && counts.failed == 0 && counts.passed > 0, Some(counts)))
}

/// The password of the sign-in suite's first admin: a throwaway, made fresh for each run.
const E2E_ADMIN: &str = "e2e-admin";

/// The sign-in suite (`tests/e2e-auth/`): a release server with `auth = "users"` whose first
/// admin is made with the binary's own command, as the README tells an operator to.
fn browser_tests_signed_in(root: &Path) -> Result<(bool, Option<Counts>)> {
    let binary = root.join("target/release/phaseplan");
    let data = scratch_data_dir("browser-auth")?;
    let password = format!("e2e {} {}", std::process::id(), free_port()?);
    let mut add = Command::new(&binary)
        .args([
            "user",
            "add",
            E2E_ADMIN,
            "--role",
            "admin",
            "--password-stdin",
        ])
        .arg("--data-dir")
        .arg(&data)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .context("run phaseplan user add")?;
    if let Some(mut stdin) = add.stdin.take() {
        writeln!(stdin, "{password}").context("give the password")?;
    }
    if !add.wait()?.success() {
        bail!("phaseplan user add failed");
    }
    let port = free_port()?;
    let mut server = Server(
        Command::new(&binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--data-dir")
            .arg(&data)
            .env("PHASEPLAN_AUTH", "users")
            .env("RUST_LOG", "warn")
            .spawn()
            .context("start the server")?,
    );
    wait_healthy(port, &mut server.0)?;
    let result = node_suite(
        root,
        "tests/e2e-auth/",
        port,
        &[("E2E_ADMIN_PASSWORD", &password)],
    );
    drop(server);
    result
}

/// Starts the release server on a free loopback port (rate limit off, so the fuzzer reaches the
/// model instead of 429s) and runs schemathesis against its own OpenAPI document with the
/// server-error, status-code, content-type and response-schema checks. The endless live stream
/// is left out. The coverage phase is left out too: schemathesis 4.32.5's hypothesis crashes in
/// it on Python 3.11 ("AST constructor recursion depth mismatch" while describing a strategy),
/// an error of the tool, not of the API. A fixed seed keeps runs reproducible.
fn api_contract(root: &Path) -> Result<(bool, Option<Counts>)> {
    let port = free_port()?;
    let mut server = Server(
        Command::new(root.join("target/release/phaseplan"))
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--rate-limit-per-minute", "0"])
            .arg("--data-dir")
            .arg(scratch_data_dir("api-contract")?)
            .env("RUST_LOG", "error")
            .spawn()
            .context("start the server")?,
    );
    wait_healthy(port, &mut server.0)?;
    let base = format!("http://127.0.0.1:{port}");
    let mut counts = Counts::default();
    let ok = exec::run_scanning(
        command(&tools::validators_bin(root).join("schemathesis").to_string_lossy())
            .args(["run", &format!("{base}/api/v1/openapi.json"), "--url", &base])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--exclude-path",
                "/api/v1/live/stream",
                "--phases",
                "examples,fuzzing",
                "--max-examples",
                "100",
                "--seed",
                "20261201",
                "--workers",
                "2",
            ])
            .env("SCHEMATHESIS_TELEMETRY", "false")
            .current_dir(std::env::temp_dir()),
        |line| parse_schemathesis_line(line, &mut counts),
    )?;
    drop(server);
    Ok((ok && counts.failed == 0 && counts.passed > 0, Some(counts)))
}

/// schemathesis's summary: `  1310 generated, 1310 passed` (and `, N failed` when any did).
fn parse_schemathesis_line(line: &str, counts: &mut Counts) {
    if !line.contains(" generated,") {
        return;
    }
    for part in line.split(',') {
        let mut words = part.split_whitespace();
        if let (Some(n), Some(kind)) = (words.next(), words.next()) {
            match (n.parse::<u64>(), kind) {
                (Ok(n), "passed") => counts.passed = n,
                (Ok(n), "failed") => counts.failed = n,
                _ => {}
            }
        }
    }
}

/// Kills the server when dropped, even if a step above failed.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").context("find a free port")?;
    Ok(l.local_addr()?.port())
}

/// Polls `GET /api/v1/health` until it answers 200 (up to 60 s: a busy CI machine is slow).
fn wait_healthy(port: u16, child: &mut Child) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait()? {
            bail!("the server exited during start-up ({status})");
        }
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(b"GET /api/v1/health HTTP/1.0\r\nHost: localhost\r\n\r\n");
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf);
            if buf.starts_with("HTTP/1.0 200") || buf.starts_with("HTTP/1.1 200") {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("the server did not become healthy on port {port} within 60 s")
}

fn summarise(report: &Report) -> Result<()> {
    let mut total = Counts::default();
    let mut out = std::io::stderr().lock();
    let _ = writeln!(out, "\n==> summary");
    for s in &report.steps {
        let counts = s
            .counts
            .map(|c| format!(" ({} passed, {} failed)", c.passed, c.failed))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<4} {:<36} {:>6.1}s{counts}",
            if s.ok { "ok" } else { "FAIL" },
            s.name,
            s.seconds
        );
        if let Some(c) = s.counts {
            total.add(c);
        }
    }
    let failed_steps = report.steps.iter().filter(|s| !s.ok).count();
    drop(out);
    // The plain closing line CI reads, alone on its line, on stdout.
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(
        stdout,
        "tests: {} passed, {} failed",
        total.passed, total.failed
    );
    let _ = stdout.flush();
    if failed_steps > 0 {
        bail!("{failed_steps} step(s) failed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cargo_and_node_summaries() {
        let c = parse_cargo_result(
            "test result: ok. 12 passed; 3 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
        )
        .unwrap();
        assert_eq!((c.passed, c.failed), (12, 3));
        assert!(parse_cargo_result("running 12 tests").is_none());
        let mut n = Counts::default();
        for line in ["ℹ tests 7", "ℹ pass 6", "ℹ fail 1", "# pass 9x"] {
            parse_node_line(line, &mut n);
        }
        assert_eq!((n.passed, n.failed), (6, 1));
        let mut s = Counts::default();
        parse_schemathesis_line("  1310 generated, 1302 passed, 8 failed", &mut s);
        assert_eq!((s.passed, s.failed), (1302, 8));
    }
}
