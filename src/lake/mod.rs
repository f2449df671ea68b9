//! The lake: everything about a destination. Where objects go (`destination`), how to reach S3
//! (`s3`, `bucket`, and the signed requests of `s3_client` and `sigv4`), the run records that are
//! its commit log (`record`), created exactly once (`commit`, with `durable` for fsync) and
//! checked on every read (`integrity`), the probe that proves a destination writable (`probe`),
//! the objects under it (`objects`), checks of keys and content (`verify`), the quarantine's
//! retention (`quarantine`), and the view `users` that readers query (`users_view`). The
//! lifecycle: the rewrite primitive (`rewrite`) under the rewrite lock (`lock`), with
//! `lifecycle` for what every rewrite does first, and the jobs on top — `compact`, `forget`
//! (with the `audit` log), `rekey`, `drop_runs` and `gc`. docs/runs.md states the invariants.

pub mod audit;
pub mod aws_profile;
pub mod bucket;
pub mod commit;
pub mod compact;
pub mod destination;
pub mod drop_runs;
pub mod durable;
pub mod forget;
pub mod gc;
pub mod integrity;
pub mod lifecycle;
pub mod lock;
pub mod objects;
pub mod probe;
pub mod quarantine;
pub mod record;
pub mod rekey;
pub mod rewrite;
pub mod s3;
pub mod s3_client;
pub mod sigv4;
pub mod users_view;
pub mod verify;

pub use destination::{DEFAULT_DEST, Destination};
pub use record::RunRecord;
pub use s3::S3Settings;

use crate::engine::Engine;
use crate::keys::{HmacKey, ParquetKey};

/// A destination or S3 setting that cannot work (exit 2).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum StoreConfigError {
    #[error("--dest {0:?}: {1}")]
    BadDest(String, &'static str),
    #[error(
        "{var} is not set: an s3:// destination needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (in the environment or .env; AWS_ENDPOINT_URL for MinIO), or a profile with both in ~/.aws/credentials (AWS_PROFILE)"
    )]
    MissingCredential { var: &'static str },
    #[error(
        "AWS_PROFILE {0:?}: no such profile in the AWS shared credentials or config file (~/.aws/credentials, ~/.aws/config)"
    )]
    UnknownProfile(String),
    #[error("AWS_ENDPOINT_URL {0:?} is not a usable URL (expected e.g. http://127.0.0.1:9000)")]
    BadEndpoint(String),
}

/// Opens the engine with the Parquet key (and the HMAC key for loads) and, when the destination
/// is on S3, checks the credentials and the bucket first (creating it only when asked).
pub fn open(
    dest: &Destination,
    parquet: &ParquetKey,
    hmac: Option<&HmacKey>,
    create_bucket: bool,
) -> anyhow::Result<Engine> {
    let s3 = match dest {
        Destination::S3 { bucket, .. } => {
            let settings = S3Settings::from_process_env()?;
            bucket::ensure(&settings, bucket, create_bucket)?;
            Some(settings)
        }
        Destination::Local(_) => None,
    };
    let engine = Engine::open(parquet, hmac)?;
    if let Some(s3) = s3 {
        s3.install(&engine, &dest.root()).map_err(|e| crate::engine::EngineError(e.to_string()))?;
    }
    Ok(engine)
}
