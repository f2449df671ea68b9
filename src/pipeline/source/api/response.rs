//! One response body, parsed: the users of a page as the exact JSON text the server sent (never
//! re-serialized), or the error that the body is. Pure — no HTTP — so every shape of answer can be
//! tested directly.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::ApiError;

/// How much of the server's `error` string is kept in messages.
pub(super) const SERVER_MESSAGE_MAX_CHARS: usize = 200;

/// Which page a body answers.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    pub page: u64,
    pub pages: u64,
    /// Users requested.
    pub results: u32,
    pub seed: &'a str,
}

/// The `error` string of a JSON body, truncated; `None` if the body has none.
pub(super) fn server_error_message(body: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct ErrorBody<'a> {
        #[serde(borrow)]
        error: Option<&'a RawValue>,
    }
    let parsed: ErrorBody = serde_json::from_str(body).ok()?;
    let raw = parsed.error?;
    Some(match serde_json::from_str::<String>(raw.get()) {
        Ok(s) => truncate_chars(&s, SERVER_MESSAGE_MAX_CHARS),
        Err(_) => "(error value is not a string)".to_string(),
    })
}

fn truncate_chars(s: &str, max: usize) -> String {
    let s = s.trim();
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// A serde_json error reduced to its category and position (its text may quote the input).
pub(super) fn json_error_detail(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Eof => "truncated: unexpected end of input",
    };
    format!("{kind} at line {} column {}", e.line(), e.column())
}

#[derive(Deserialize)]
struct PageBody<'a> {
    #[serde(borrow)]
    results: Option<&'a RawValue>,
    #[serde(borrow)]
    info: Option<&'a RawValue>,
    #[serde(borrow)]
    error: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct Info {
    seed: Option<String>,
    page: Option<u64>,
    version: Option<String>,
}

/// One successfully parsed page.
pub struct GoodPage {
    pub users: Vec<String>,
    pub version: Option<String>,
}

/// The users of one page, checked: as many as requested, each a JSON object.
pub fn parse(body: &str, at: Page<'_>) -> Result<GoodPage, ApiError> {
    let Page { page, pages, results, seed } = at;
    let parsed: PageBody = match serde_json::from_str(body) {
        Ok(p) => p,
        Err(e) if e.classify() == serde_json::error::Category::Data => {
            return Err(ApiError::BadShape {
                page,
                pages,
                problem: "the body is not a randomuser response object".into(),
            });
        }
        Err(e) => {
            return Err(ApiError::InvalidJson { page, pages, detail: json_error_detail(&e) });
        }
    };
    if parsed.error.is_some() {
        let message = server_error_message(body).unwrap_or_default();
        return Err(ApiError::Server { page, pages, message });
    }
    let Some(raw_results) = parsed.results else {
        return Err(ApiError::BadShape { page, pages, problem: "no \"results\" array".into() });
    };
    let Ok(users) = serde_json::from_str::<Vec<&RawValue>>(raw_results.get()) else {
        return Err(ApiError::BadShape { page, pages, problem: "\"results\" is not an array".into() });
    };
    if users.len() != results as usize {
        return Err(ApiError::WrongPageSize { page, pages, expected: results, got: users.len() });
    }
    if let Some(i) = users.iter().position(|u| !u.get().starts_with('{')) {
        return Err(ApiError::BadShape { page, pages, problem: format!("user {} is not a JSON object", i + 1) });
    }
    let info: Info = parsed.info.and_then(|raw| serde_json::from_str(raw.get()).ok()).unwrap_or_default();
    if let Some(s) = &info.seed
        && s != seed
    {
        tracing::warn!(page, "randomuser API answered with a different seed than requested");
    }
    if let Some(p) = info.page
        && p != page
    {
        tracing::warn!(page, served_page = p, "randomuser API answered with a different page than requested");
    }
    Ok(GoodPage { users: users.into_iter().map(|u| u.get().to_owned()).collect(), version: info.version })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_message_is_truncated_and_json_detail_has_no_data() {
        let long = format!("{{\"error\":\"{}\"}}", "x".repeat(1000));
        let m = server_error_message(&long).unwrap();
        assert!(m.chars().count() <= SERVER_MESSAGE_MAX_CHARS + 1);
        assert_eq!(server_error_message("{\"results\":[]}"), None);
        assert_eq!(server_error_message("Not Found"), None);
        let e = serde_json::from_str::<serde_json::Value>("{\"email\":\"secret@x.org\"").unwrap_err();
        let d = json_error_detail(&e);
        assert!(!d.contains("secret"), "{d}");
    }
}
