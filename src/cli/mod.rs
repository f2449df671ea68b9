//! The command line: the flags (`args`), settings resolved from flags, the environment and
//! `.env` (`settings`), one module per command, and what they print (`output`).

pub mod args;
mod config;
pub mod generate;
pub mod keygen;
mod lifecycle;
mod load;
pub mod output;
mod quarantine;
mod report;
mod risk;
mod runs;
pub mod settings;
pub mod sql;

pub use args::{Cli, Command};

use crate::error::{self, EngineError, InternalError, SourceError, UsageError};
use crate::keys::KeyError;
use crate::lake::StoreConfigError;
use crate::pipeline::source::api::ApiError;

/// Runs one command in `env` (the environment with `./.env` merged in).
pub fn run(command: Command, env: &settings::Env) -> anyhow::Result<()> {
    match command {
        Command::Load(args) => load::run(args, env),
        Command::Report(args) => report::run(args, env),
        Command::Risk(args) => risk::run(args, env),
        Command::Runs(args) => runs::run(args, env),
        Command::Keygen(args) => keygen::run(args),
        Command::Config(args) => config::run(args, env),
        Command::Generate(args) => generate::run(args),
        Command::Sql(args) => sql::run(args, env),
        Command::Forget(args) => lifecycle::forget(args, env),
        Command::Compact(args) => lifecycle::compact(args, env),
        Command::Rekey(args) => lifecycle::rekey(args, env),
    }
}

/// The one line printed when a signal stopped the command.
pub fn interrupted_message(signal: i32) -> String {
    let what = crate::interrupt::Interrupted { signal };
    if crate::interrupt::committed() {
        format!("{what}: the run was committed before the signal; only the closing report was cut short")
    } else {
        format!("{what}: stopped; nothing was committed, and the temporary files were removed")
    }
}

/// The exit code for an error, from the first classified error in its chain.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<UsageError>() || cause.is::<KeyError>() || cause.is::<StoreConfigError>() {
            return error::USAGE;
        }
        if cause.is::<SourceError>() || cause.is::<ApiError>() {
            return error::SOURCE;
        }
        if cause.is::<EngineError>() {
            return error::STORAGE;
        }
        if cause.is::<InternalError>() {
            return error::FAILURE;
        }
        if let Some(i) = cause.downcast_ref::<crate::interrupt::Interrupted>() {
            return crate::interrupt::exit_code(i.signal);
        }
    }
    error::FAILURE
}
