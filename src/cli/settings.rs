//! Settings: flags, the environment and `./.env` resolved into what the commands need, validated
//! before any work starts.

use std::io::Write as _;
use std::path::Path;

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use super::args::{LoadArgs, SourceKind};
use crate::error::UsageError;
use crate::keys::{HMAC_KEY_VAR, HmacKey, KeyError, PARQUET_KEY_VAR, ParquetKey, QUARANTINE_KEY_VAR, keygen_env};
use crate::lake::record::{KeyFingerprints, SourceParameters};
use crate::pipeline::source::file::FileSource;
use crate::pipeline::source::synthetic::{Generator, SyntheticSource};
use crate::pipeline::source::{Source, api};
use crate::pipeline::{self, LoadOptions, LoadPrivacy};

pub struct Keys {
    pub parquet: ParquetKey,
    pub hmac: HmacKey,
    /// The quarantine's own Parquet key: the data key alone does not read rejected raw records.
    pub quarantine: ParquetKey,
}

/// Reads `./.env` into the environment without overriding variables that are already set.
/// A `.env` that others may write is refused (they could plant their own keys, and so read what
/// is loaded with them, or point the API URL elsewhere) unless `allow_insecure` is set; one that
/// others may read gets a warning (the keys are in it).
pub fn load_dotenv(allow_insecure: bool) -> Result<(), UsageError> {
    check_dotenv_mode(Path::new(".env"), allow_insecure)?;
    match dotenvy::from_path(".env") {
        Ok(()) => Ok(()),
        Err(dotenvy::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        // The message names the line, never its value.
        Err(dotenvy::Error::LineParse(_, index)) => Err(UsageError(format!(".env: cannot parse line at byte {index}"))),
        Err(e) => Err(UsageError(format!(".env could not be read: {}", io_kind(&e)))),
    }
}

/// The permission check of [`load_dotenv`] (Unix modes; elsewhere nothing to check).
fn check_dotenv_mode(path: &Path, allow_insecure: bool) -> Result<(), UsageError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let Ok(meta) = std::fs::metadata(path) else { return Ok(()) };
        let mode = meta.permissions().mode() & 0o777;
        let fix = format!("run `chmod 600 {}`", path.display());
        if mode & 0o022 != 0 {
            let what = format!("{} can be written by other users (mode {mode:03o})", path.display());
            if !allow_insecure {
                return Err(UsageError(format!(
                    "{what}: anyone who can write it can set the keys and settings duckpipe uses; {fix} \
                     (or pass --allow-insecure-env to use it anyway)"
                )));
            }
            tracing::warn!("{what}; used anyway because of --allow-insecure-env — {fix}");
        } else if mode & 0o044 != 0 {
            tracing::warn!("{} can be read by other users (mode {mode:03o}) and holds the keys: {fix}", path.display());
        }
    }
    #[cfg(not(unix))]
    let _ = (path, allow_insecure);
    Ok(())
}

fn io_kind(e: &dotenvy::Error) -> String {
    match e {
        dotenvy::Error::Io(io) => io.kind().to_string(),
        _ => "invalid content".into(),
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The parquet key alone (reading needs no HMAC key).
pub fn parquet_key() -> Result<ParquetKey, KeyError> {
    ParquetKey::parse(&var(PARQUET_KEY_VAR).ok_or(KeyError::Missing { var: PARQUET_KEY_VAR })?)
}

/// The quarantine key alone (`runs --verify` checks quarantine objects only when it is set).
pub fn quarantine_key() -> Result<Option<ParquetKey>, KeyError> {
    var(QUARANTINE_KEY_VAR).map(|v| ParquetKey::parse_quarantine(&v)).transpose()
}

/// The three keys. With `init_if_absent`, a first run that has none of them and no `./.env` gets
/// fresh keys written to a new `./.env` (mode 0600) — the local quick start; the keys are not
/// printed. The quarantine key must differ from the data key, or the data key would read it.
pub fn keys(init_if_absent: bool) -> anyhow::Result<Keys> {
    let none_set = crate::keys::KEY_VARS.iter().all(|v| var(v).is_none());
    if init_if_absent && none_set && !Path::new(".env").exists() {
        create_env_file()?;
        load_dotenv(false)?;
        tracing::warn!(
            "no keys were set: created ./.env with new DUCKPIPE_PARQUET_KEY, DUCKPIPE_HMAC_KEY and DUCKPIPE_QUARANTINE_KEY — keep it safe, the data cannot be read without it"
        );
    }
    let parquet = parquet_key()?;
    let hmac = HmacKey::parse(&var(HMAC_KEY_VAR).ok_or(KeyError::Missing { var: HMAC_KEY_VAR })?)?;
    let quarantine = quarantine_key()?.ok_or(KeyError::Missing { var: QUARANTINE_KEY_VAR })?;
    if quarantine == parquet {
        return Err(UsageError(format!(
            "{QUARANTINE_KEY_VAR} is the same key as {PARQUET_KEY_VAR}: the quarantine needs a key of its own (see README \"Keys\")"
        ))
        .into());
    }
    Ok(Keys { parquet, hmac, quarantine })
}

fn create_env_file() -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(".env").map_err(|e| UsageError(format!("cannot create ./.env for new keys: {e}")))?;
    file.write_all(
        format!("# duckpipe keys, made by the first run. Never commit this file.\n{}", keygen_env()).as_bytes(),
    )
    .map_err(|e| UsageError(format!("cannot write ./.env: {e}")))?;
    Ok(())
}

/// `--as-of`, or now.
pub fn as_of(flag: Option<OffsetDateTime>) -> OffsetDateTime {
    flag.unwrap_or_else(OffsetDateTime::now_utc)
}

/// `--qi`: each column once, in the order given.
pub fn quasi_identifiers(columns: &[&'static str]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for c in columns {
        if !out.contains(c) {
            out.push(c);
        }
    }
    out
}

/// The options of one load, from its flags and keys.
pub fn load_options(args: &LoadArgs, keys: &Keys) -> anyhow::Result<LoadOptions> {
    let as_of = as_of(args.as_of);
    let nat = args.nat.clone();
    let seed = args.seed.clone().unwrap_or_else(|| format!("{:016x}", rand::random::<u64>()));
    let mut parameters = SourceParameters::default();
    let source: Arc<dyn Source> = match args.source {
        SourceKind::Api => {
            let url = &args.api_url;
            parameters = SourceParameters {
                count: Some(args.count),
                page_size: Some(args.page_size),
                // Without query or credentials: only where the data came from.
                api_url: Some(api::public_url(url.as_str())),
                input: None,
            };
            Arc::new(api::ApiOptions {
                base_url: url.to_string(),
                count: args.count,
                page_size: args.page_size,
                seed: Some(seed),
                nat,
                timeout: Duration::from_secs(args.timeout),
                max_attempts: args.attempts,
                ..api::ApiOptions::default()
            })
        }
        SourceKind::File => {
            let path = args.input.clone().expect("clap requires --input");
            parameters.input = Some(path.display().to_string());
            Arc::new(FileSource { path })
        }
        SourceKind::Synthetic => {
            parameters.count = Some(args.count);
            let generator =
                Generator::new(&seed, nat.as_deref(), as_of).map_err(|e| UsageError(format!("--nat: {e:#}")))?;
            Arc::new(SyntheticSource { generator, count: args.count })
        }
    };
    Ok(LoadOptions {
        source,
        parameters,
        dest: args.dest.dest.clone(),
        as_of,
        run_id: args.run_id.clone().unwrap_or_else(|| pipeline::new_run_id(OffsetDateTime::now_utc())),
        batch_size: args.page_size as usize,
        max_bad_ratio: args.max_bad_ratio,
        keys: KeyFingerprints {
            parquet: keys.parquet.fingerprint(),
            hmac: keys.hmac.fingerprint(),
            quarantine: Some(keys.quarantine.fingerprint()),
        },
        privacy: LoadPrivacy { strict: args.strict, min_k: args.min_k },
    })
}

/// The HMAC key when it is set (querying needs none; a key that is set must be valid).
pub fn hmac_key_if_set() -> Result<Option<HmacKey>, KeyError> {
    var(HMAC_KEY_VAR).map(|v| HmacKey::parse(&v)).transpose()
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::{Cli, Command};

    fn qi(flag: &str) -> Result<Vec<&'static str>, String> {
        match Cli::try_parse_from(["duckpipe", "risk", "--qi", flag]) {
            Ok(Cli { command: Command::Risk(args), .. }) => Ok(quasi_identifiers(&args.qi)),
            Ok(_) => unreachable!(),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn qi_are_checked_against_the_allow_list() {
        assert_eq!(qi("gender,age_band").unwrap(), vec!["gender", "age_band"]);
        assert_eq!(qi(" City , gender,city").unwrap(), vec!["city", "gender"]);
        let e = qi("gender,email').--").unwrap_err();
        assert!(e.contains("not a quasi-identifier") && e.contains("age_band"), "{e}");
        assert!(qi(",").is_err());
        assert!(qi("user_id").is_err(), "pseudonyms are not offered as QI");
    }
}
