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
}
