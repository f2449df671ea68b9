//! `duckpipe` binary: read `./.env`, parse the command line, set up logging, run, map errors to
//! exit codes.

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use duckpipe::cli::{self, Cli, settings};
use duckpipe::{error, interrupt};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    // `.env` before anything reads a variable; a broken file is reported after the flags are
    // parsed, so `--help` still works.
    let env = settings::Env::load(Path::new(settings::DOTENV));
    if let Ok(env) = &env {
        // SAFETY: no other thread exists yet (the signal thread starts below; clap starts none).
        unsafe { env.export() };
    }
    let cli = Cli::parse();
    duckpipe::progress::configure(cli.quiet, cli.verbose);
    logging(cli.quiet, cli.verbose);

    if let Err(e) = interrupt::install() {
        tracing::warn!(error = %e, "cannot catch Ctrl-C and SIGTERM: an interrupted load may leave temporary files");
    }
    let result = env.map_err(anyhow::Error::from).and_then(|env| {
        env.check_dotenv_mode(cli.allow_insecure_env)?;
        env.warn_about_dotenv();
        cli::run(cli.command, &env)
    });
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

/// Quiet by default: warnings and errors only, without timestamps (the results are on stdout).
/// `-v` adds duckpipe's progress notes and detail, `-vv` everything, with UTC timestamps to the
/// second. Other crates stay at warn whatever the verbosity: their trace output could carry
/// request data.
fn logging(quiet: bool, verbose: u8) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "warn,duckpipe=debug",
        (false, _) => "warn,duckpipe=trace",
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(level))
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if verbose == 0 {
        builder.without_time().init();
    } else {
        let seconds = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        builder.with_timer(tracing_subscriber::fmt::time::UtcTime::new(seconds)).init();
    }
}
