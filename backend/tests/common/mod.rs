#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr
)]
//! Helpers shared by the integration tests that drive real programs: find a tool (failing when
//! `REQUIRE_TEST_TOOLS=require` and it is missing), scratch directories, free ports, servers
//! that are ready before a test talks to them and stopped (children included) when it ends.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use nix::sys::signal::Signal;
use nix::sys::signal::{kill, killpg};
use nix::unistd::Pid;
use phaseplan_model::bundle::{Bundle, generate};
use phaseplan_model::cost::catalog::{Catalog, ProviderId};
use phaseplan_model::presets::presets;

/// The path of `tool` on PATH (or at an absolute path), if it is installed. With
/// `REQUIRE_TEST_TOOLS=require` a missing tool is a failure.
pub fn tool(name: &str) -> Option<PathBuf> {
    let found = if name.starts_with('/') {
        Path::new(name).exists().then(|| PathBuf::from(name))
    } else {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
    };
    if found.is_none() {
        assert!(
            std::env::var("REQUIRE_TEST_TOOLS").as_deref() != Ok("require"),
            "{name} is not installed (cargo xtask test installs it)"
        );
        eprintln!("SKIPPED: {name} is not installed; its checks did not run");
    }
    found
}

/// The Kubernetes version whose schemas `kubernetes-validate` checks manifests against: the
/// bundles' (`bundles.rs`) and Phaseplan's own (`deploy.rs`).
pub const KUBERNETES_VERSION: &str = "1.31.0";

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Removes the scratch directories (and files) of test processes that have ended: each is named after its
/// process (`phaseplan-validate-<pid>-…`), so a directory whose process is gone belongs to no
/// running test. Without it every run left its databases and logs behind until the disk filled.
fn sweep_dead_scratch() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(pid) = name
                .strip_prefix("phaseplan-validate-")
                .and_then(|rest| rest.split('-').next())
                .and_then(|p| p.parse::<u32>().ok())
            else {
                continue;
            };
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                // Directories, and the log files some tests keep beside them.
                let _ = if e.path().is_dir() {
                    std::fs::remove_dir_all(e.path())
                } else {
                    std::fs::remove_file(e.path())
                };
            }
        }
    });
}

/// A fresh directory readable by every user (servers that drop root must read their configs).
pub fn scratch(name: &str) -> PathBuf {
    sweep_dead_scratch();
    let dir =
        std::env::temp_dir().join(format!("phaseplan-validate-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    dir
}

pub fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// How a test knows that a server it started is ready to serve: never by its first answer alone.
#[derive(Debug, Clone, Copy)]
pub enum Ready {
    /// It accepts TCP connections on its port (PgBouncer listens only once its config loaded).
    Tcp,
    /// `GET path` answers 200 (Prometheus: `/-/ready`; Phaseplan: `/api/v1/health`).
    Http(&'static str),
    /// `PING` answers `+PONG` (a Redis still loading answers `-LOADING`).
    RedisPing,
    /// `pg_isready` says the server accepts connections.
    Postgres,
}

/// How long a server may take to become ready. Generous: a fresh CI machine compiling in
/// parallel is slow, and a deadline only bounds a failure.
pub const READY_WITHIN: Duration = Duration::from_secs(60);

/// A server process in its own process group, stopped when dropped (pass or fail): first by its
/// own shutdown signal, then, after a deadline, the whole group is killed, so no child outlives
/// the test.
pub struct Server {
    pub child: Child,
    name: String,
    /// The signal that shuts the server down cleanly (PostgreSQL: SIGINT, "fast" shutdown).
    stop: Signal,
    pub log: PathBuf,
}

impl Server {
    /// The server's output so far (stdout and stderr go to a log file, never to a pipe that
    /// nobody reads and that would block the server once full).
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn pid(&self) -> Pid {
        Pid::from_raw(i32::try_from(self.child.id()).unwrap())
    }

    /// Stops the server and its children; waits for the leader.
    pub fn stop(&mut self) {
        if self.child.try_wait().ok().flatten().is_some() {
            let _ = killpg(self.pid(), Signal::SIGKILL);
            return;
        }
        let _ = kill(self.pid(), self.stop);
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Whatever is left of the group (workers, backends) goes too.
        let _ = killpg(self.pid(), Signal::SIGKILL);
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (pid {})", self.name, self.child.id())
    }
}

/// Starts `cmd` in a process group of its own and waits until it is [`Ready`] on `port` (within
/// [`READY_WITHIN`]); returns the server, or why not (its exit status, or the last probe error,
/// and its output).
pub fn serve(cmd: &mut Command, port: u16) -> Result<Server, String> {
    serve_as("server", cmd, port, Ready::Tcp, Signal::SIGTERM)
}

/// [`serve`] with a name for messages, a readiness probe and the server's shutdown signal.
pub fn serve_as(
    name: &str,
    cmd: &mut Command,
    port: u16,
    ready: Ready,
    stop: Signal,
) -> Result<Server, String> {
    let log = std::env::temp_dir().join(format!(
        "phaseplan-validate-{}-{name}-{port}.log",
        std::process::id()
    ));
    let file = std::fs::File::create(&log).unwrap();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name} ({cmd:?}): {e}"));
    let mut server = Server {
        child,
        name: name.to_owned(),
        stop,
        log,
    };
    let start = Instant::now();
    let mut last = String::from("no answer yet");
    while start.elapsed() < READY_WITHIN {
        if let Some(status) = server.child.try_wait().unwrap() {
            return Err(format!(
                "{name} exited with {status} before it was ready: {}",
                server.output()
            ));
        }
        match probe(ready, port) {
            Ok(()) => return Ok(server),
            Err(e) => last = e,
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!(
        "{name} on port {port} was not ready within {READY_WITHIN:?} ({ready:?}: {last}); its output:\n{}",
        server.output()
    ))
}

/// One readiness check.
fn probe(ready: Ready, port: u16) -> Result<(), String> {
    let connect = || {
        let s = TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
            Duration::from_secs(2),
        )
        .map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(2)))
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(s)
    };
    match ready {
        Ready::Tcp => connect().map(drop),
        Ready::Http(path) => {
            let mut s = connect()?;
            s.write_all(format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").as_bytes())
                .map_err(|e| e.to_string())?;
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer);
            let status = answer.lines().next().unwrap_or_default().to_owned();
            if status.split_whitespace().nth(1) == Some("200") {
                Ok(())
            } else {
                Err(format!("GET {path}: {status:?}"))
            }
        }
        Ready::RedisPing => {
            let mut s = connect()?;
            s.write_all(b"PING\r\n").map_err(|e| e.to_string())?;
            let mut buf = [0u8; 64];
            let n = s.read(&mut buf).map_err(|e| e.to_string())?;
            let answer = String::from_utf8_lossy(&buf[..n]).into_owned();
            if answer.starts_with("+PONG") {
                Ok(())
            } else {
                Err(format!("PING: {answer:?}"))
            }
        }
        Ready::Postgres => {
            let bin = postgres_bin().ok_or("PostgreSQL is not installed")?;
            let (ok, out) = run(Command::new(bin.join("pg_isready")).args([
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-t",
                "2",
            ]));
            if ok {
                Ok(())
            } else {
                Err(out.trim().to_owned())
            }
        }
    }
}

pub fn ping_redis(port: u16) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"PING\r\n").unwrap();
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// PostgreSQL's binaries (Debian keeps them out of PATH).
pub fn postgres_bin() -> Option<PathBuf> {
    let found = std::fs::read_dir("/usr/lib/postgresql").ok().and_then(|d| {
        d.flatten()
            .map(|e| e.path().join("bin"))
            .find(|p| p.join("postgres").exists())
    });
    if found.is_none() {
        tool("/usr/lib/postgresql/15/bin/postgres");
    }
    found
}

/// Runs a PostgreSQL binary, as the `postgres` user when this is root (it refuses root). The
/// process itself switches user (no `runuser` in between), so stopping it stops PostgreSQL.
pub fn as_postgres(bin: &Path) -> Command {
    let mut c = Command::new(bin);
    if is_root() {
        let id = |flag: &str| -> u32 {
            let (ok, out) = run(Command::new("id").args([flag, "postgres"]));
            assert!(ok, "no postgres user: {out}");
            out.trim().parse().unwrap()
        };
        c.uid(id("-u")).gid(id("-g"));
        // Its own home, not root's (initdb and postgres read nothing there, but libpq might).
        c.env("HOME", "/var/lib/postgresql");
    }
    c
}

/// Starts PostgreSQL on `port` with data in `data` and its socket in `socket_dir`, plus `extra`
/// settings (`-c key=value`), and waits until `pg_isready` says so. Dropping it is a fast
/// shutdown (SIGINT), then the group is killed.
pub fn start_postgres(
    bin: &Path,
    data: &Path,
    socket_dir: &Path,
    port: u16,
    extra: &[&str],
) -> Server {
    let mut cmd = as_postgres(&bin.join("postgres"));
    cmd.arg("-D")
        .arg(data)
        .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1"])
        .arg("-k")
        .arg(socket_dir);
    for setting in extra {
        cmd.args(["-c", setting]);
    }
    serve_as("postgres", &mut cmd, port, Ready::Postgres, Signal::SIGINT)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A fresh PostgreSQL cluster in scratch directory `name` (trust authentication, superuser
/// `postgres`) on a free port: its guard and its URL. `None` without PostgreSQL here.
pub fn fresh_postgres(name: &str) -> Option<(Server, String)> {
    let bin = postgres_bin()?;
    let dir = scratch(name);
    let (ok, out) = run(as_postgres(&bin.join("initdb"))
        .args(["-A", "trust", "-U", "postgres", "-D"])
        .arg(dir.join("db")));
    assert!(ok, "initdb: {out}");
    let port = free_port();
    let pg = start_postgres(&bin, &dir.join("db"), &dir, port, &[]);
    Some((pg, format!("postgres://postgres@127.0.0.1:{port}/postgres")))
}

/// Prometheus with `config` (its YAML; `{port}` stands for its own port) and its TSDB in
/// `dir/data`, on a free port, once ready: its guard and its URL. `None` without Prometheus.
pub fn prometheus_in(dir: &Path, config: &str) -> Option<(Server, String)> {
    let prometheus = tool("/usr/bin/prometheus")?;
    let port = free_port();
    std::fs::write(
        dir.join("prometheus.yml"),
        config.replace("{port}", &port.to_string()),
    )
    .unwrap();
    let prom = serve_as(
        "prometheus",
        Command::new(&prometheus)
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}")),
        port,
        Ready::Http("/-/ready"),
        Signal::SIGTERM,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    Some((prom, format!("http://127.0.0.1:{port}")))
}

/// A Prometheus holding `series` (OpenMetrics text) as backfilled blocks, scraping nothing:
/// its guard and its URL. `None` without Prometheus and promtool.
pub fn prometheus_holding(name: &str, series: &str) -> Option<(Server, String)> {
    let Some(promtool) = tool("/usr/bin/promtool") else {
        eprintln!("no promtool here: skipped");
        return None;
    };
    let dir = scratch(name);
    let file = dir.join("series.om");
    std::fs::write(&file, series).unwrap();
    let (ok, out) = run(std::process::Command::new(&promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&file)
        .arg(dir.join("data")));
    assert!(ok, "promtool could not write the blocks: {out}");
    prometheus_in(&dir, "global:\n  scrape_interval: 15s\n")
}

/// Waits until a Phaseplan server at `base` answers its health check (within [`READY_WITHIN`]).
pub async fn wait_healthy(base: &str) {
    let start = Instant::now();
    loop {
        let last = match reqwest::get(format!("{base}/api/v1/health")).await {
            Ok(r) if r.status().is_success() => return,
            Ok(r) => format!("status {}", r.status()),
            Err(e) => e.to_string(),
        };
        assert!(
            start.elapsed() < READY_WITHIN,
            "the server at {base} was not healthy within {READY_WITHIN:?}: {last}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every bundle of every preset, phase and provider.
pub fn all_bundles() -> Vec<Bundle> {
    let catalog = Catalog::built_in().unwrap();
    let mut out = Vec::new();
    for p in presets() {
        let s = p.scenario.validate().unwrap();
        for phase in s.ladder().phases() {
            for provider in ProviderId::ALL {
                out.push(generate(&s, &catalog, &phase.key, provider).unwrap());
            }
        }
    }
    out
}

/// The server binary started with `env` (and nothing inherited but PATH) and `args`, on a free
/// port, once its health route answers.
pub struct Running {
    pub server: Server,
    pub base: String,
}

pub fn start(name: &str, env: &[(&str, String)], args: &[String]) -> Running {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_phaseplan"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (*k, v.clone())))
        .args(["--port", &port.to_string()])
        .args(args);
    let server = serve_as(
        name,
        &mut cmd,
        port,
        Ready::Http("/api/v1/health"),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    Running {
        server,
        base: format!("http://127.0.0.1:{port}"),
    }
}

/// A JSON request from the server's own origin: the status and the body (a string when it is
/// not JSON).
pub async fn call(
    base: &str,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> (reqwest::StatusCode, serde_json::Value) {
    let mut req = reqwest::Client::new()
        .request(method.parse().unwrap(), format!("{base}{path}"))
        .header("origin", base);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}
