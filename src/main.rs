//! `duckpipe` binary: parse the command line, set up logging, run, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;
use duckpipe::cli::{self, Cli, settings};
use duckpipe::{error, interrupt};
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

    if let Err(e) = interrupt::install() {
        tracing::warn!(error = %e, "cannot catch Ctrl-C and SIGTERM: an interrupted load may leave temporary files");
    }
    let result =
        settings::load_dotenv(cli.allow_insecure_env).map_err(anyhow::Error::from).and_then(|()| cli::run(cli.command));
    match (result, interrupt::requested()) {
        (Ok(()), _) => ExitCode::from(error::OK),
        // Whatever failed after a signal failed because of it: say so, not the symptom.
        (Err(_), Some(signal)) => {
            eprintln!("{}", cli::interrupted_message(signal));
            ExitCode::from(interrupt::exit_code(signal))
        }
        (Err(err), None) => {
            // Messages can name files and fields from the input: shown, never obeyed.
            eprintln!("error: {}", duckpipe::terminal::printable(&format!("{err:#}")));
            ExitCode::from(cli::exit_code(&err))
        }
    }
}
