//! `duckpipe` binary: parse the command line, set up logging, run, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;
use duckpipe::cli::{self, Cli, settings};
use duckpipe::error;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    duckpipe::progress::configure(cli.quiet, cli.verbose);
    // Only duckpipe's own events are shown in detail: other crates' trace output could carry
    // request data, so they stay at warn whatever the verbosity.
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn,duckpipe=info",
        (false, 1) => "warn,duckpipe=debug",
        (false, _) => "warn,duckpipe=trace",
    };
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(level))
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let result = settings::load_dotenv().map_err(anyhow::Error::from).and_then(|()| cli::run(cli.command));
    match result {
        Ok(()) => ExitCode::from(error::OK),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(cli::exit_code(&err))
        }
    }
}
