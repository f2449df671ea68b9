//! The S3 requests DuckDB's httpfs cannot make, signed with SigV4 (`sigv4`), path-style (what
//! MinIO and AWS both accept): the bucket check (`bucket`), and object PUT with
//! `If-None-Match: *` (the create-once commit), GET and DELETE (probes, a lost race).
//! Object data itself goes through DuckDB.

use time::OffsetDateTime;

use super::{S3Settings, sigv4};
use crate::engine::EngineError;
use crate::error::UsageError;

/// What the endpoint answered: status and body (the body of errors is not shown to users).
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

/// One signed request to `/<bucket>/<key>` (`key` empty for the bucket itself).
pub fn send(
    settings: &S3Settings,
    method: reqwest::Method,
    bucket: &str,
    key: &str,
    extra: &[(&'static str, String)],
    body: Vec<u8>,
) -> anyhow::Result<Response> {
    let path = if key.is_empty() { format!("/{bucket}") } else { format!("/{bucket}/{key}") };
    let path = sigv4::encode_path(&path);
    let url = format!("{}{path}", settings.endpoint_url());
    let parsed = url::Url::parse(&url).map_err(|_| UsageError(format!("bad S3 URL for bucket {bucket:?}")))?;
    let host = match parsed.port() {
        Some(port) => format!("{}:{port}", parsed.host_str().unwrap_or_default()),
        None => parsed.host_str().unwrap_or_default().to_string(),
    };
    let payload = if body.is_empty() { sigv4::EMPTY_SHA256.to_string() } else { sigv4::payload_hash(&body) };
    let headers = sigv4::sign(settings, method.as_str(), &host, &path, extra, &payload, OffsetDateTime::now_utc());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| EngineError(format!("cannot start the HTTP runtime: {e}")))?;
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| EngineError(format!("cannot build an HTTP client: {e}")))?;
        let mut request = client.request(method, parsed.clone());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if !body.is_empty() {
            request = request.body(body);
        }
        // A TLS/plain-http mismatch is a setting to change, and said so (S3Settings::unreachable).
        let response = request.send().await.map_err(|e| settings.unreachable(&root_cause(&e)))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        Ok(Response { status, body })
    })
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// What a create-once PUT did.
#[derive(Debug, PartialEq, Eq)]
pub enum Created {
    /// The object did not exist and now holds the body.
    Yes,
    /// An object of that name already existed; nothing was written.
    AlreadyExists,
}

/// PUT with `If-None-Match: *`: creates the object only if no object of that name exists.
/// S3 answers 412 when one does; 409 while a concurrent conditional write to the same name is in
/// flight (then the request is repeated, a bounded number of times).
pub fn put_if_absent(settings: &S3Settings, bucket: &str, key: &str, body: &[u8]) -> anyhow::Result<Created> {
    let mut pause = std::time::Duration::from_millis(100);
    for attempt in 1..=5 {
        let response =
            send(settings, reqwest::Method::PUT, bucket, key, &[("if-none-match", "*".to_string())], body.to_vec())?;
        match response.status {
            200 => return Ok(Created::Yes),
            412 => return Ok(Created::AlreadyExists),
            409 if attempt < 5 => {
                std::thread::sleep(pause);
                pause *= 2;
            }
            status => return Err(refused(settings, "PUT", bucket, key, status)),
        }
    }
    unreachable!("the last attempt returns")
}

/// Plain PUT (overwrites): for probe objects.
pub fn put(settings: &S3Settings, bucket: &str, key: &str, body: &[u8]) -> anyhow::Result<()> {
    let response = send(settings, reqwest::Method::PUT, bucket, key, &[], body.to_vec())?;
    match response.status {
        200 => Ok(()),
        status => Err(refused(settings, "PUT", bucket, key, status)),
    }
}

/// GET: the object's bytes, or `None` when there is no such object.
pub fn get(settings: &S3Settings, bucket: &str, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let response = send(settings, reqwest::Method::GET, bucket, key, &[], Vec::new())?;
    match response.status {
        200 => Ok(Some(response.body)),
        404 => Ok(None),
        status => Err(refused(settings, "GET", bucket, key, status)),
    }
}

/// DELETE (S3 answers 204 whether or not the object existed).
pub fn delete(settings: &S3Settings, bucket: &str, key: &str) -> anyhow::Result<()> {
    let response = send(settings, reqwest::Method::DELETE, bucket, key, &[], Vec::new())?;
    match response.status {
        200 | 204 => Ok(()),
        status => Err(refused(settings, "DELETE", bucket, key, status)),
    }
}

/// An unexpected answer: a refusal (401/403) is a configuration problem (exit 2), anything else
/// a storage failure (exit 4). Names the request, never the response body.
fn refused(settings: &S3Settings, method: &str, bucket: &str, key: &str, status: u16) -> anyhow::Error {
    let what = format!("{method} s3://{bucket}/{key} at {}", settings.endpoint_url());
    match status {
        401 | 403 => UsageError(format!(
            "{what} was refused (HTTP {status}): these credentials may not write there (check the bucket policy and AWS_* variables)"
        ))
        .into(),
        _ => EngineError(format!("{what} failed: HTTP {status}")).into(),
    }
}
