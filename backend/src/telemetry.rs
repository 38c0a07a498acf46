//! Structured logging with `tracing`. `RUST_LOG` filters (default: info for Phaseplan, warn for
//! dependencies).

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("warn,phaseplan=info,phaseplan_server=info,tower_http=info")
    });
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    // `try_init` so a second call (tests) is harmless.
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}
