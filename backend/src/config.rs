//! Server configuration, layered (lowest to highest precedence):
//! built-in defaults → a TOML file (`phaseplan.toml` in the working directory, or `--config`) →
//! `PHASEPLAN_*` environment variables → command-line flags.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Parser;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

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
    /// Live capacity: sources, sampling, the plan they are read against.
    #[serde(default)]
    pub live: LiveSettings,
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
        url: String,
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
        url: String,
        /// A private CA's certificate(s), PEM.
        #[serde(default)]
        ca_file: Option<std::path::PathBuf>,
    },
    /// A Redis server (`INFO`).
    Redis {
        #[serde(default = "redis_name")]
        name: String,
        url: String,
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
            live: LiveSettings::default(),
        }
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
    /// Configuration file (TOML). Default: ./phaseplan.toml when it exists.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Address to bind [env: PHASEPLAN_HOST]
    #[arg(long)]
    pub host: Option<IpAddr>,
    /// Port to bind [env: PHASEPLAN_PORT]
    #[arg(long, short)]
    pub port: Option<u16>,
    /// Serve the SPA from this directory instead of the embedded copy [env: PHASEPLAN_STATIC_DIR]
    #[arg(long)]
    pub static_dir: Option<PathBuf>,
    /// Log format [env: PHASEPLAN_LOG_FORMAT]
    #[arg(long, value_enum)]
    pub log_format: Option<LogFormat>,
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
}

impl Settings {
    /// Merges the layers. A missing default file is fine; a missing `--config` file is an error.
    pub fn load(cli: &Cli) -> Result<Settings, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
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
}
