//! The nationalities randomuser.me API v1.4 knows: the API client, the generator's locale data and
//! the `--nat` flag all take them from here.

/// The nationality codes of API v1.4. One unknown code makes the server ignore the whole list.
pub const NATIONALITIES: [&str; 21] = [
    "AU", "BR", "CA", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE", "IN", "IR", "MX", "NL", "NO", "NZ", "RS", "TR",
    "UA", "US",
];

/// The code in upper case, if it is one of [`NATIONALITIES`].
pub fn code(text: &str) -> Option<&'static str> {
    let up = text.trim().to_ascii_uppercase();
    NATIONALITIES.iter().copied().find(|c| *c == up)
}
