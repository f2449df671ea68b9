//! The bucket-level S3 calls DuckDB's httpfs cannot make: "does the bucket exist (and do these
//! credentials work)?" and "create it" (signed requests through `s3_client`).
//!
//! Checking first turns the two most common set-up mistakes — wrong credentials, missing
//! bucket — into one clear sentence before any work starts, instead of an HTTP error at the end.

use super::{S3Settings, s3_client};
use crate::engine::EngineError;
use crate::error::UsageError;

/// What the endpoint said about the bucket.
#[derive(Debug, PartialEq, Eq)]
pub enum BucketState {
    Exists,
    Missing,
}

/// Checks the bucket (HEAD) and, when it is missing, creates it if `create` is set.
pub fn ensure(settings: &S3Settings, bucket: &str, create: bool) -> anyhow::Result<()> {
    match head(settings, bucket)? {
        BucketState::Exists => Ok(()),
        BucketState::Missing if create => {
            put(settings, bucket)?;
            tracing::info!(bucket, "bucket created");
            Ok(())
        }
        // Reading commands cannot create it; `load --create-bucket` can.
        BucketState::Missing => Err(UsageError(format!(
            "bucket {bucket:?} does not exist at {} (create it, or let `duckpipe load --create-bucket` create it)",
            settings.endpoint_url()
        ))
        .into()),
    }
}

pub fn head(settings: &S3Settings, bucket: &str) -> anyhow::Result<BucketState> {
    let status = s3_client::send(settings, reqwest::Method::HEAD, bucket, "", &[], Vec::new())?.status;
    match status {
        200 => Ok(BucketState::Exists),
        404 => Ok(BucketState::Missing),
        401 | 403 => Err(credentials_refused(settings)),
        code => Err(settings.maybe_plain_to_tls(code).unwrap_or_else(|| {
            EngineError(format!("S3 endpoint {} answered HTTP {code} for bucket {bucket:?}", settings.endpoint_url()))
                .into()
        })),
    }
}

fn put(settings: &S3Settings, bucket: &str) -> anyhow::Result<()> {
    let status = s3_client::send(settings, reqwest::Method::PUT, bucket, "", &[], Vec::new())?.status;
    match status {
        200 => Ok(()),
        401 | 403 => Err(credentials_refused(settings)),
        code => {
            Err(EngineError(format!("creating bucket {bucket:?} at {} failed: HTTP {code}", settings.endpoint_url()))
                .into())
        }
    }
}

fn credentials_refused(settings: &S3Settings) -> anyhow::Error {
    UsageError(format!(
        "S3 endpoint {} refused the credentials (check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
        settings.endpoint_url()
    ))
    .into()
}
