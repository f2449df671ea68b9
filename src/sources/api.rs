//! The randomuser.me API client. (stub: being written on branch `api`)
use super::{BatchSink, SourceSummary};

pub const NATIONALITIES: [&str; 21] =
    ["AU", "BR", "CA", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE", "IN", "IR", "MX", "NL", "NO", "NZ", "RS", "TR", "UA", "US"];

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Other(String),
}

#[derive(Debug, Clone)]
pub struct ApiOptions {
    pub base_url: String,
    pub count: u64,
    pub page_size: u32,
    pub seed: Option<String>,
    pub nat: Option<Vec<String>>,
    pub timeout: std::time::Duration,
    pub max_attempts: u32,
    pub backoff_base: std::time::Duration,
}

impl Default for ApiOptions {
    fn default() -> Self {
        Self {
            base_url: "https://randomuser.me/api/1.4/".into(),
            count: 100,
            page_size: 5000,
            seed: None,
            nat: None,
            timeout: std::time::Duration::from_secs(30),
            max_attempts: 5,
            backoff_base: std::time::Duration::from_millis(500),
        }
    }
}

pub fn parse_nat_list(s: &str) -> Result<Vec<String>, ApiError> {
    s.split(',').map(|c| c.trim().to_ascii_uppercase()).map(|c| if NATIONALITIES.contains(&c.as_str()) { Ok(c) } else { Err(ApiError::Other(format!("unknown nationality {c:?}"))) }).collect()
}

pub async fn fetch(opts: &ApiOptions, sink: &mut BatchSink<'_>) -> Result<SourceSummary, ApiError> {
    let _ = (opts, sink);
    Err(ApiError::Other("not yet".into()))
}
