//! The `mailgate` binary: parses the command line and hands over to
//! [`mailgate_gateway::cli::run`].

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Dropped at the end of main: flushes exported spans.
    let _otlp = mailgate_gateway::telemetry::init_logging();
    let cli = mailgate_gateway::cli::Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(mailgate_gateway::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
