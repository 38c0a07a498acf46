//! `phaseplan`: the server binary. Parses configuration; serves (the default), or runs an
//! account command (`user …`, `token …`) against the same database and exits.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use phaseplan_server::cli;
use phaseplan_server::config::{Cli, Command, Settings};
use phaseplan_server::startup::Application;
use phaseplan_server::telemetry;

#[tokio::main]
async fn main() -> ExitCode {
    let args = match Cli::try_parse() {
        Ok(a) => a,
        // `--help` and `--version` print as clap prints them; a usage error is one line.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or_default();
            return fail(first.trim_start_matches("error: "));
        }
    };
    let settings = match Settings::load(&args) {
        Ok(s) => s,
        Err(e) => return fail(&format!("configuration: {e}")),
    };
    let result = match &args.command {
        None | Some(Command::Serve) => serve(&settings).await.map(|()| String::new()),
        Some(Command::User(c)) => cli::user(&settings, c, &mut cli::Terminal).await,
        Some(Command::Token(c)) => cli::token(&settings, c).await,
    };
    match result {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(reason) => fail(&reason),
    }
}

async fn serve(settings: &Settings) -> Result<(), String> {
    telemetry::init(settings.log_format);
    let app = Application::build(settings)
        .await
        .map_err(|e| e.to_string())?;
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

/// One line on standard error, exit code 1.
fn fail(reason: &str) -> ExitCode {
    let line: String = reason.lines().collect::<Vec<_>>().join(" ");
    eprintln!("phaseplan: {line}");
    ExitCode::FAILURE
}
