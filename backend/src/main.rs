//! `phaseplan`: the server binary. Parses configuration, starts telemetry, runs the application.

use clap::Parser;
use phaseplan_server::config::{Cli, Settings};
use phaseplan_server::startup::Application;
use phaseplan_server::telemetry;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load(&cli).map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    telemetry::init(settings.log_format);
    let app = Application::build(&settings).await?;
    app.run_until_stopped().await?;
    Ok(())
}
