//! Server configuration, layered (lowest to highest precedence):
//! built-in defaults → a TOML file (`phaseplan.toml` in the working directory, or `--config`) →
//! `PHASEPLAN_*` environment variables → command-line flags.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use phaseplan_model::access::AuthMode;

use crate::secret::SourceUrl;

/// Everything the server needs to start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address to bind; `127.0.0.1` keeps a dev server private, `0.0.0.0` serves a network.
    pub host: IpAddr,
    /// Port to bind; 0 picks a free one (tests).
    pub port: u16,
    /// Serve the SPA from this directory instead of the copy embedded in the binary
    /// (development: point it at `frontend/dist` and rebuild with trunk without recompiling).
    pub static_dir: Option<PathBuf>,
    /// Log output: `pretty` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// Seconds to let in-flight requests finish on SIGINT/SIGTERM.
    pub shutdown_grace_seconds: u64,
    /// Host names (optionally `name:port`) that requests may name in their `Host` header; `*`
    /// accepts any. A guard against DNS rebinding: a page on another site that resolves its
    /// own name to this server's address gets 421, not the API. Unset on a loopback bind:
    /// `localhost`, `127.0.0.1` and `[::1]` on any port; on any other bind it must be set.
    #[serde(default, deserialize_with = "list::optional")]
    pub allowed_hosts: Option<Vec<String>>,
    /// The server is reached over TLS (a proxy terminates it): send HSTS, mark cookies Secure.
    #[serde(default)]
    pub behind_tls: bool,
    /// Proxies (addresses or CIDR ranges) whose `X-Forwarded-For` names the client; the rate
    /// limit keys on that client. Without them, the peer address is the client.
    #[serde(default, deserialize_with = "list::nets")]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Open connections at most; past it a new connection is answered 503 and closed.
    pub max_connections: usize,
    /// Open live streams (`/api/v1/live/stream`) at most; past it, 503.
    pub max_sse_subscribers: usize,
    /// Writes (POST, PUT, DELETE: evaluations, bundles, phase fits, saves) one client may make
    /// a minute; 0 turns the limit off. Past it, 429 with `Retry-After`.
    pub rate_limit_per_minute: u32,
    /// Seconds a client has to send a request's headers (slow clients are cut).
    pub header_read_timeout_seconds: f64,
    /// Seconds a connection may stay without a byte read or written before it is closed (an
    /// idle keep-alive connection; a live stream is never idle, it sends a keep-alive comment
    /// every 15 s).
    pub idle_timeout_seconds: f64,
    /// Seconds a request may take to produce its response (its body may stream for longer).
    pub request_timeout_seconds: f64,
    /// Threads that evaluate scenarios and build bundles; default: one per CPU.
    #[serde(default)]
    pub work_threads: Option<usize>,
    /// Such jobs that may wait for a thread; past it, 503 with `Retry-After`.
    pub work_queue: usize,
    /// Live capacity: sources, sampling, the plan they are read against.
    #[serde(default)]
    pub live: LiveSettings,
    /// Where the embedded SQLite database (`phaseplan.db`) lives when `database_url` is not
    /// set. The `phaseplan` binary defaults it to the user's data directory
    /// (`~/.local/share/phaseplan` on Linux), so the README's run command needs no set-up;
    /// left unset in code (`Settings::default()`, the tests), saved scenarios live in memory
    /// and end with the process.
    #[serde(default)]
    pub data_dir: Option<PathBuf>,
    /// `postgres://user:password@host/db` keeps saved scenarios in PostgreSQL, which several
    /// replicas share; `sqlite://path` names another SQLite file. It prints redacted.
    #[serde(default)]
    pub database_url: Option<SourceUrl>,
    /// `none`: nobody signs in and everyone is the local admin, allowed only on a loopback
    /// address (the embedded default). `users`: accounts and API tokens; everything but health
    /// and sign-in needs one (create the first admin with `phaseplan user add NAME --role
    /// admin`).
    #[serde(default = "default_auth")]
    pub auth: AuthMode,
    /// With `auth = "users"`: serve `/metrics` without a token (a scraper on a private network).
    #[serde(default)]
    pub metrics_public: bool,
    /// With `auth = "users"` off loopback, plain HTTP is refused (passwords and session cookies
    /// would cross the network in the clear) unless the server terminates TLS itself
    /// (`tls_cert`, `tls_key`), is told a proxy does (`behind_tls`), or this is set on purpose.
    #[serde(default)]
    pub allow_plain_http: bool,
    /// PEM certificate chain and private key: the server speaks HTTPS itself.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    /// Hours a sign-in lasts (1–720).
    #[serde(default = "default_session_hours")]
    pub session_hours: u32,
    /// 32 bytes (64 hex digits or base64) that notification channels' secrets are stored
    /// encrypted with; without it, channels with a secret cannot be made. It prints redacted.
    #[serde(default)]
    pub secret_key: Option<SourceUrl>,
    /// The directory `file:` secret references may read from; without it they are refused.
    #[serde(default)]
    pub secrets_dir: Option<PathBuf>,
    /// The address people open the server at, for links in notifications
    /// (`https://phaseplan.example.com`); default `http://HOST:PORT`.
    #[serde(default)]
    pub public_url: Option<String>,
    /// Seconds before a failed notification's first retry; each next retry waits twice as long.
    #[serde(default = "default_retry_seconds")]
    pub notify_retry_seconds: f64,
    /// Seconds between two readings of the notification rules' conditions.
    #[serde(default = "default_watch_seconds")]
    pub notify_watch_seconds: f64,
    /// A private CA's certificate (PEM) that SMTP servers of e-mail channels may be signed by,
    /// besides the web PKI.
    #[serde(default)]
    pub smtp_ca_file: Option<PathBuf>,
}

fn default_retry_seconds() -> f64 {
    30.0
}

fn default_watch_seconds() -> f64 {
    5.0
}

fn default_auth() -> AuthMode {
    AuthMode::None
}

fn default_session_hours() -> u32 {
    12
}

/// The user's data directory for phaseplan, where the binary keeps its SQLite database.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "phaseplan").map(|d| d.data_dir().to_path_buf())
}

/// Lists in settings: a TOML array in the file, a comma-separated string in an environment
/// variable or a flag (`PHASEPLAN_ALLOWED_HOSTS=a.example.com,b.example.com`).
mod list {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        One(String),
        Many(Vec<String>),
    }

    fn items(raw: Raw) -> Vec<String> {
        match raw {
            Raw::One(s) => s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            Raw::Many(v) => v,
        }
    }

    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        Ok(Option::<Raw>::deserialize(d)?.map(items))
    }

    pub fn nets<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ipnet::IpNet>, D::Error> {
        let Some(raw) = Option::<Raw>::deserialize(d)? else {
            return Ok(Vec::new());
        };
        items(raw)
            .iter()
            .map(|s| {
                s.parse::<ipnet::IpNet>()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        serde::de::Error::custom(format!(
                            "{s:?} is neither an IP address nor a CIDR range"
                        ))
                    })
            })
            .collect()
    }
}

/// `[live]` in the configuration file.
///
/// ```toml
/// [live]
/// interval_seconds = 5
/// history_hours = 24
/// preset = "ride-hailing"   # the plan the live data is read against
/// phase = "growth"          # the phase running now (default: the one the plan needs now)
///
/// [[live.sources]]
/// kind = "host"
///
/// [[live.sources]]
/// kind = "prometheus"
/// url = "http://prometheus:9090"
/// queries = { concurrent_users = "sum(app_concurrent_users)" }   # overrides the defaults
///
/// [[live.sources]]
/// kind = "postgres"
/// url = "postgres://monitor:secret@db:5432/postgres"
///
/// [[live.sources]]
/// kind = "redis"
/// url = "redis://cache:6379"
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LiveSettings {
    /// Seconds between samples of each source.
    pub interval_seconds: f64,
    /// Hours of history kept in memory (per metric, at the interval).
    pub history_hours: f64,
    /// The built-in scenario the live data is analysed against.
    pub preset: String,
    /// The phase running now; default: the one the plan requires now.
    pub phase: Option<String>,
    pub sources: Vec<SourceSettings>,
}

impl Default for LiveSettings {
    fn default() -> Self {
        LiveSettings {
            interval_seconds: 5.0,
            history_hours: 24.0,
            preset: phaseplan_model::presets::default_preset().key,
            phase: None,
            sources: vec![SourceSettings::Host {
                name: default_name("host"),
            }],
        }
    }
}

fn default_name(kind: &str) -> String {
    kind.to_owned()
}

/// One live source; `kind` picks which.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum SourceSettings {
    /// The server machine itself.
    Host {
        #[serde(default = "host_name")]
        name: String,
    },
    /// A Prometheus HTTP API; `queries` maps metric keys (`cpu_percent`…) to PromQL.
    Prometheus {
        #[serde(default = "prometheus_name")]
        name: String,
        url: crate::secret::SourceUrl,
        #[serde(default)]
        queries: std::collections::BTreeMap<String, String>,
        /// For `https://`: a private CA's certificate(s), PEM, trusted besides the web PKI.
        #[serde(default)]
        ca_file: Option<std::path::PathBuf>,
    },
    /// A PostgreSQL server, read-only. `sslmode=require` in the URL turns on TLS with the
    /// server's certificate verified (web PKI roots, or `ca_file`).
    Postgres {
        #[serde(default = "postgres_name")]
        name: String,
        url: crate::secret::SourceUrl,
        /// A private CA's certificate(s), PEM.
        #[serde(default)]
        ca_file: Option<std::path::PathBuf>,
    },
    /// A Redis server (`INFO`).
    Redis {
        #[serde(default = "redis_name")]
        name: String,
        url: crate::secret::SourceUrl,
    },
}

fn host_name() -> String {
    default_name("host")
}
fn prometheus_name() -> String {
    default_name("prometheus")
}
fn postgres_name() -> String {
    default_name("postgres")
}
fn redis_name() -> String {
    default_name("redis")
}

impl SourceSettings {
    pub fn name(&self) -> &str {
        match self {
            SourceSettings::Host { name }
            | SourceSettings::Prometheus { name, .. }
            | SourceSettings::Postgres { name, .. }
            | SourceSettings::Redis { name, .. } => name,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            SourceSettings::Host { .. } => "host",
            SourceSettings::Prometheus { .. } => "prometheus",
            SourceSettings::Postgres { .. } => "postgres",
            SourceSettings::Redis { .. } => "redis",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            static_dir: None,
            log_format: LogFormat::Pretty,
            shutdown_grace_seconds: 10,
            allowed_hosts: None,
            behind_tls: false,
            trusted_proxies: Vec::new(),
            // Above the 2,000 live subscribers the load benchmark holds, with room for requests.
            max_connections: 10_000,
            max_sse_subscribers: 5_000,
            rate_limit_per_minute: 120,
            header_read_timeout_seconds: 10.0,
            idle_timeout_seconds: 75.0,
            request_timeout_seconds: 30.0,
            work_threads: None,
            work_queue: 32,
            live: LiveSettings::default(),
            data_dir: None,
            database_url: None,
            auth: AuthMode::None,
            metrics_public: false,
            allow_plain_http: false,
            tls_cert: None,
            tls_key: None,
            session_hours: default_session_hours(),
            secret_key: None,
            secrets_dir: None,
            public_url: None,
            notify_retry_seconds: default_retry_seconds(),
            notify_watch_seconds: default_watch_seconds(),
            smtp_ca_file: None,
        }
    }
}

/// A setting that cannot be used, named as in the configuration file (`live.interval_seconds`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{setting}: {reason}")]
pub struct ConfigError {
    pub setting: String,
    pub reason: String,
}

impl ConfigError {
    pub fn new(setting: impl Into<String>, reason: impl Into<String>) -> Self {
        ConfigError {
            setting: setting.into(),
            reason: reason.into(),
        }
    }
}

/// Shortest live sampling interval: every sample re-analyses the whole history.
pub const MIN_LIVE_INTERVAL_SECONDS: f64 = 0.1;
/// Most samples kept per metric (31 days at 5 s), about 10 MB per metric.
pub const MAX_HISTORY_POINTS: f64 = 600_000.0;

/// One host pattern of `allowed_hosts`: a name (any port), a `name:port`, or `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPattern {
    Any,
    Name(String),
    NameAndPort(String, u16),
}

impl HostPattern {
    fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim().to_ascii_lowercase();
        if s == "*" {
            return Ok(HostPattern::Any);
        }
        let (name, port) = split_host_port(&s).ok_or_else(|| format!("{s:?} is not a host"))?;
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.[]:".contains(&b));
        if !valid {
            return Err(format!("{s:?} is not a host name or address"));
        }
        Ok(match port {
            Some(p) => HostPattern::NameAndPort(name.to_owned(), p),
            None => HostPattern::Name(name.to_owned()),
        })
    }

    /// Whether a request's `Host` (lower-cased, maybe with a port) matches.
    pub fn matches(&self, host: &str) -> bool {
        let Some((name, port)) = split_host_port(host) else {
            return false;
        };
        match self {
            HostPattern::Any => true,
            HostPattern::Name(n) => n == name,
            HostPattern::NameAndPort(n, p) => n == name && Some(*p) == port,
        }
    }
}

/// `example.com:8080` → (`example.com`, 8080); `[::1]:8080` → (`[::1]`, 8080); no port → None.
pub fn split_host_port(host: &str) -> Option<(&str, Option<u16>)> {
    if host.starts_with('[') {
        let end = host.find(']')?;
        let (name, rest) = host.split_at(end + 1);
        return match rest.strip_prefix(':') {
            Some(p) => Some((name, Some(p.parse().ok()?))),
            None if rest.is_empty() => Some((name, None)),
            None => None,
        };
    }
    match host.rsplit_once(':') {
        Some((name, p)) => Some((name, Some(p.parse().ok()?))),
        None => Some((host, None)),
    }
}

/// Who may ask what, checked once at start from [`Settings`].
#[derive(Debug, Clone, PartialEq)]
pub struct Access {
    pub mode: AuthMode,
    pub metrics_public: bool,
    /// Session cookies are marked `Secure` (the browser reaches the server over TLS).
    pub secure_cookies: bool,
    /// How long a sign-in lasts.
    pub session: Duration,
    /// The server terminates TLS itself with these.
    pub tls: Option<TlsFiles>,
}

/// A PEM certificate chain and its private key.
#[derive(Debug, Clone, PartialEq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The limits the HTTP layer enforces, checked once at start from [`Settings`].
#[derive(Debug, Clone)]
pub struct HttpLimits {
    pub allowed_hosts: Vec<HostPattern>,
    pub behind_tls: bool,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub max_connections: usize,
    pub max_sse_subscribers: usize,
    pub rate_limit_per_minute: u32,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub request_timeout: Duration,
    pub work_threads: usize,
    pub work_queue: usize,
}

fn seconds(setting: &str, v: f64, min: f64, max: f64) -> Result<Duration, ConfigError> {
    if v.is_finite() && (min..=max).contains(&v) {
        Ok(Duration::from_secs_f64(v))
    } else {
        Err(ConfigError::new(
            setting,
            format!("must be between {min} and {max} seconds (got {v})"),
        ))
    }
}

impl Settings {
    /// Checks every setting the server enforces, naming the first bad one.
    pub fn http_limits(&self) -> Result<HttpLimits, ConfigError> {
        let loopback = self.host.is_loopback();
        let allowed_hosts = match &self.allowed_hosts {
            Some(list) if list.is_empty() => {
                return Err(ConfigError::new(
                    "allowed_hosts",
                    "is empty: list the host names clients use to reach this server, or \"*\"",
                ));
            }
            Some(list) => list
                .iter()
                .map(|h| HostPattern::parse(h).map_err(|e| ConfigError::new("allowed_hosts", e)))
                .collect::<Result<Vec<_>, _>>()?,
            None if loopback => ["localhost", "127.0.0.1", "[::1]"]
                .into_iter()
                .map(|h| HostPattern::Name(h.to_owned()))
                .collect(),
            None => {
                return Err(ConfigError::new(
                    "allowed_hosts",
                    format!(
                        "must be set when the server binds {} (not a loopback address): list the \
                         host names clients use to reach it, e.g. allowed_hosts = \
                         [\"phaseplan.example.com\"] or PHASEPLAN_ALLOWED_HOSTS=phaseplan.example.com \
                         (\"*\" accepts any, and gives up the DNS-rebinding guard)",
                        self.host
                    ),
                ));
            }
        };
        let positive = |setting: &str, v: usize| {
            if v == 0 {
                Err(ConfigError::new(setting, "must be at least 1"))
            } else {
                Ok(v)
            }
        };
        let work_threads = match self.work_threads {
            Some(n) => positive("work_threads", n)?,
            None => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        };
        Ok(HttpLimits {
            allowed_hosts,
            behind_tls: self.behind_tls,
            trusted_proxies: self.trusted_proxies.clone(),
            max_connections: positive("max_connections", self.max_connections)?,
            max_sse_subscribers: positive("max_sse_subscribers", self.max_sse_subscribers)?,
            rate_limit_per_minute: self.rate_limit_per_minute,
            header_read_timeout: seconds(
                "header_read_timeout_seconds",
                self.header_read_timeout_seconds,
                0.1,
                600.0,
            )?,
            idle_timeout: seconds(
                "idle_timeout_seconds",
                self.idle_timeout_seconds,
                // Longer than the live stream's 15-s keep-alive, so a stream is never idle.
                20.0,
                3_600.0,
            )?,
            request_timeout: seconds(
                "request_timeout_seconds",
                self.request_timeout_seconds,
                0.1,
                3_600.0,
            )?,
            work_threads,
            work_queue: self.work_queue,
        })
    }

    /// Checks how the server decides who is asking, and whether it may listen where it is told
    /// to: no sign-in only on loopback, accounts off loopback only over TLS (or on purpose).
    pub fn access(&self) -> Result<Access, ConfigError> {
        let loopback = self.host.is_loopback();
        if self.auth == AuthMode::None && !loopback {
            return Err(ConfigError::new(
                "auth",
                format!(
                    "is \"none\" (no sign-in: everyone may change everything), which is allowed \
                     only on a loopback address, and the server binds {}. Set auth = \"users\" \
                     (PHASEPLAN_AUTH=users) and create the first admin with `phaseplan user add \
                     NAME --role admin` (same data_dir or database_url as the server)",
                    self.host
                ),
            ));
        }
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError::new("tls_key", "must be set with tls_cert"));
            }
            (None, Some(_)) => {
                return Err(ConfigError::new("tls_cert", "must be set with tls_key"));
            }
        };
        if self.auth == AuthMode::Users
            && !loopback
            && tls.is_none()
            && !self.behind_tls
            && !self.allow_plain_http
        {
            return Err(ConfigError::new(
                "allow_plain_http",
                format!(
                    "with auth = \"users\" on {} the server refuses plain HTTP (passwords and \
                     session cookies would cross the network in the clear): give it tls_cert \
                     and tls_key, or set behind_tls = true when a TLS-terminating proxy is in \
                     front, or allow_plain_http = true on purpose",
                    self.host
                ),
            ));
        }
        if !(1..=720).contains(&self.session_hours) {
            return Err(ConfigError::new(
                "session_hours",
                format!("must be between 1 and 720 (got {})", self.session_hours),
            ));
        }
        Ok(Access {
            mode: self.auth,
            metrics_public: self.metrics_public,
            secure_cookies: self.behind_tls || tls.is_some(),
            session: Duration::from_secs(u64::from(self.session_hours) * 3_600),
            tls,
        })
    }
}

/// Command-line flags. Each overrides the file and the environment when given.
#[derive(Debug, Parser)]
#[command(
    name = "phaseplan",
    version,
    about = "Phaseplan: plan a web platform's scaling phases"
)]
pub struct Cli {
    /// What to do; without one, serve.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Configuration file (TOML). Default: ./phaseplan.toml when it exists.
    #[arg(long, short, global = true)]
    pub config: Option<PathBuf>,
    /// Address to bind [env: PHASEPLAN_HOST]
    #[arg(long, global = true)]
    pub host: Option<IpAddr>,
    /// Port to bind [env: PHASEPLAN_PORT]
    #[arg(long, short, global = true)]
    pub port: Option<u16>,
    /// Serve the SPA from this directory instead of the embedded copy [env: PHASEPLAN_STATIC_DIR]
    #[arg(long, global = true)]
    pub static_dir: Option<PathBuf>,
    /// Log format [env: PHASEPLAN_LOG_FORMAT]
    #[arg(long, value_enum, global = true)]
    pub log_format: Option<LogFormat>,
    /// Host names requests may use, comma-separated, or * [env: PHASEPLAN_ALLOWED_HOSTS]
    #[arg(long, global = true)]
    pub allowed_hosts: Option<String>,
    /// Reached over TLS through a proxy: send HSTS [env: PHASEPLAN_BEHIND_TLS]
    #[arg(long, global = true)]
    pub behind_tls: bool,
    /// Proxies whose X-Forwarded-For names the client, comma-separated [env: PHASEPLAN_TRUSTED_PROXIES]
    #[arg(long, global = true)]
    pub trusted_proxies: Option<String>,
    /// Open connections at most [env: PHASEPLAN_MAX_CONNECTIONS]
    #[arg(long, global = true)]
    pub max_connections: Option<usize>,
    /// Open live streams at most [env: PHASEPLAN_MAX_SSE_SUBSCRIBERS]
    #[arg(long, global = true)]
    pub max_sse_subscribers: Option<usize>,
    /// Writes (POST, PUT, DELETE) a minute per client, 0 = unlimited [env: PHASEPLAN_RATE_LIMIT_PER_MINUTE]
    #[arg(long, global = true)]
    pub rate_limit_per_minute: Option<u32>,
    /// Directory of the SQLite database when no database_url is set [env: PHASEPLAN_DATA_DIR]
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
}

/// The binary's subcommands. Account commands read the same settings as the server
/// (`data_dir`, `database_url`, `auth`) and work on the same database, running or not.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Accounts (for `auth = "users"`).
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens, for scripts and CI (`Authorization: Bearer …`).
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum UserCommand {
    /// Add an account; asks for its password (or reads it from standard input).
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: CliRole,
        /// Read the password from standard input (one line) instead of asking.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts.
    List,
    /// Set an account's password; its sessions end everywhere.
    Passwd {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove an account and end its sessions (never the last admin).
    Remove { name: String },
}

#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it (alone, on standard output): it is shown this once.
    Create {
        #[arg(long, value_enum)]
        role: CliRole,
        #[arg(long)]
        name: String,
        /// Days until it stops working; without it, until revoked.
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
    /// List the tokens (never their secrets).
    List,
    /// Revoke a token: it stops working at once, on every replica.
    Revoke { name: String },
}

/// A role as the command line spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CliRole {
    Viewer,
    Editor,
    Admin,
}

impl From<CliRole> for phaseplan_model::access::Role {
    fn from(r: CliRole) -> Self {
        use phaseplan_model::access::Role;
        match r {
            CliRole::Viewer => Role::Viewer,
            CliRole::Editor => Role::Editor,
            CliRole::Admin => Role::Admin,
        }
    }
}

/// Flags that were given, as a partial settings layer.
#[derive(Serialize)]
struct FlagLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<IpAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    static_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    log_format: Option<LogFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed_hosts: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    behind_tls: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    trusted_proxies: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_connections: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_sse_subscribers: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rate_limit_per_minute: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<PathBuf>,
}

impl Settings {
    /// Merges the layers. A missing default file is fine; a missing `--config` file is an error.
    pub fn load(cli: &Cli) -> Result<Settings, Box<figment::Error>> {
        let defaults = Settings {
            data_dir: default_data_dir(),
            ..Settings::default()
        };
        let mut figment = Figment::from(Serialized::defaults(defaults));
        match &cli.config {
            Some(path) if !path.exists() => {
                return Err(Box::new(figment::Error::from(format!(
                    "config file {} does not exist",
                    path.display()
                ))));
            }
            Some(path) => figment = figment.merge(Toml::file(path)),
            None => figment = figment.merge(Toml::file("phaseplan.toml")),
        }
        figment
            .merge(Env::prefixed("PHASEPLAN_"))
            .merge(Serialized::defaults(FlagLayer {
                host: cli.host,
                port: cli.port,
                static_dir: cli.static_dir.clone(),
                log_format: cli.log_format,
                allowed_hosts: cli.allowed_hosts.clone(),
                behind_tls: cli.behind_tls,
                trusted_proxies: cli.trusted_proxies.clone(),
                max_connections: cli.max_connections,
                max_sse_subscribers: cli.max_sse_subscribers,
                rate_limit_per_minute: cli.rate_limit_per_minute,
                data_dir: cli.data_dir.clone(),
            }))
            .extract()
            .map_err(Box::new)
    }
}

#[cfg(test)]
// `figment::Jail::expect_with` dictates a closure returning `Result<(), figment::Error>`.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn layers_override_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("phaseplan.toml", "port = 9000\nhost = \"0.0.0.0\"")?;
            jail.set_env("PHASEPLAN_PORT", "9100");
            let cli = Cli::parse_from(["phaseplan", "--log-format", "json"]);
            let s = Settings::load(&cli).map_err(|e| e.to_string())?;
            assert_eq!(s.host, IpAddr::from([0, 0, 0, 0])); // file
            assert_eq!(s.port, 9100); // env beats file
            assert_eq!(s.log_format, LogFormat::Json); // flag
            let cli = Cli::parse_from(["phaseplan", "--port", "9200"]);
            assert_eq!(Settings::load(&cli).map_err(|e| e.to_string())?.port, 9200);
            Ok(())
        });
    }

    #[test]
    fn a_missing_explicit_file_or_a_bad_value_is_an_error() {
        figment::Jail::expect_with(|jail| {
            let cli = Cli::parse_from(["phaseplan", "--config", "nope.toml"]);
            assert!(Settings::load(&cli).is_err());
            jail.create_file("bad.toml", "port = \"eighty\"")?;
            let cli = Cli::parse_from(["phaseplan", "--config", "bad.toml"]);
            let err = Settings::load(&cli).unwrap_err().to_string();
            assert!(err.contains("port"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn live_sources_come_from_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "phaseplan.toml",
                "[live]\ninterval_seconds = 2\n[[live.sources]]\nkind = \"host\"\n[[live.sources]]\nkind = \"redis\"\nname = \"cache\"\nurl = \"redis://127.0.0.1:6379\"\n",
            )?;
            let s = Settings::load(&Cli::parse_from(["phaseplan"])).map_err(|e| e.to_string())?;
            assert!((s.live.interval_seconds - 2.0).abs() < 1e-12);
            assert_eq!(s.live.sources.len(), 2);
            assert_eq!(s.live.sources[1].name(), "cache");
            assert_eq!(s.live.sources[1].kind(), "redis");
            jail.create_file("bad.toml", "[[live.sources]]\nkind = \"mongodb\"\n")?;
            let err = Settings::load(&Cli::parse_from(["phaseplan", "--config", "bad.toml"]))
                .unwrap_err()
                .to_string();
            assert!(err.contains("mongodb"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn lists_come_from_the_file_or_comma_separated_variables() {
        figment::Jail::expect_with(|jail| {
            jail.set_env(
                "PHASEPLAN_ALLOWED_HOSTS",
                "plan.example.com, Admin.Example.com:8443",
            );
            jail.set_env("PHASEPLAN_TRUSTED_PROXIES", "10.0.0.0/8,192.0.2.1");
            jail.set_env("PHASEPLAN_HOST", "0.0.0.0");
            let s = Settings::load(&Cli::parse_from(["phaseplan"])).map_err(|e| e.to_string())?;
            let limits = s.http_limits().map_err(|e| e.to_string())?;
            assert_eq!(
                limits.allowed_hosts,
                [
                    HostPattern::Name("plan.example.com".to_owned()),
                    HostPattern::NameAndPort("admin.example.com".to_owned(), 8443),
                ]
            );
            assert_eq!(limits.trusted_proxies.len(), 2);
            jail.clear_env();
            jail.create_file(
                "phaseplan.toml",
                "allowed_hosts = [\"*\"]\ntrusted_proxies = [\"not-an-ip\"]\n",
            )?;
            let err = Settings::load(&Cli::parse_from(["phaseplan"]))
                .unwrap_err()
                .to_string();
            assert!(err.contains("not-an-ip"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn host_patterns_match_names_ports_and_bracketed_addresses() {
        let p = |s| HostPattern::parse(s).unwrap();
        assert!(p("localhost").matches("localhost:8080"));
        assert!(p("localhost").matches("localhost"));
        assert!(!p("localhost").matches("localhost.evil.example"));
        assert!(p("[::1]").matches("[::1]:8080"));
        assert!(p("example.com:443").matches("example.com:443"));
        assert!(!p("example.com:443").matches("example.com:80"));
        assert!(p("*").matches("anything:1"));
        assert!(HostPattern::parse("exa mple").is_err());
        assert_eq!(split_host_port("example.com:x"), None);
    }
}
