//! De-identification functions, written once in Rust and used in two places: directly here (unit
//! tests, the run summary) and as DuckDB scalar functions (`engine::functions`), so that the masking SQL
//! in `sql/stage/masked_rows.sql` calls exactly this code.
//!
//! Every function is total: odd input (empty, not an e-mail, no digits, out-of-range dates) gives
//! a defined result or NULL, never a panic.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::calendar;
use crate::keys::HmacKey;

/// Keyed pseudonyms: `pseudonym(x)` = lowercase hex of HMAC-SHA256(key, UTF-8 bytes of x),
/// 64 characters. Stable for one key (joins across runs work), different for another key, and not
/// reversible by hashing a dictionary of e-mails without the key (unlike a plain SHA-256).
#[derive(Clone)]
pub struct Pseudonymizer {
    /// The keyed MAC state, built once: cloning it reuses the key schedule for every value.
    keyed: Hmac<Sha256>,
}

impl Pseudonymizer {
    pub fn new(key: &HmacKey) -> Self {
        let keyed = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC accepts any key length");
        Self { keyed }
    }

    /// The 64 lowercase hex characters of the pseudonym of `value`, on the stack: the
    /// vectorised SQL function calls this once per row without allocating.
    pub fn pseudonym_hex(&self, value: &[u8]) -> [u8; 64] {
        let mut mac = self.keyed.clone();
        mac.update(value);
        let digest = mac.finalize().into_bytes();
        let mut hex = [0u8; 64];
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for (pair, b) in hex.chunks_exact_mut(2).zip(digest) {
            pair[0] = HEX[(b >> 4) as usize];
            pair[1] = HEX[(b & 0x0f) as usize];
        }
        hex
    }

    /// Writes the 64-character hex pseudonym of `value` into `out` (cleared first), so callers
    /// can reuse one buffer.
    pub fn pseudonym_into(&self, value: &[u8], out: &mut String) {
        out.clear();
        out.push_str(hex_str(&self.pseudonym_hex(value)));
    }

    pub fn pseudonym(&self, value: &str) -> String {
        hex_str(&self.pseudonym_hex(value.as_bytes())).to_string()
    }
}

/// The text of hex digits.
fn hex_str(hex: &[u8; 64]) -> &str {
    std::str::from_utf8(hex).expect("hex digits are ASCII")
}

/// `jane.doe@example.com` → `j***@example.com`: keeps the first character of the local part and
/// the domain (useful to see the provider mix), hides the rest. Without a usable `@` the whole
/// value is hidden as `***`.
pub fn mask_email(email: &str) -> String {
    let mut out = String::new();
    mask_email_into(email, &mut out);
    out
}

/// [`mask_email`] into a reused buffer (cleared first).
pub fn mask_email_into(email: &str, out: &mut String) {
    out.clear();
    match email.trim().rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            out.push(local.chars().next().expect("local part is not empty"));
            out.push_str("***@");
            out.push_str(domain);
        }
        _ => out.push_str("***"),
    }
}

/// Hides every digit of a phone number except the last two, keeping the punctuation so the
/// national format stays visible: `(272) 790-0888` → `(***) ***-**88`.
pub fn mask_phone(phone: &str) -> String {
    let mut out = String::new();
    mask_phone_into(phone, &mut out);
    out
}

/// [`mask_phone`] into a reused buffer (cleared first).
pub fn mask_phone_into(phone: &str, out: &mut String) {
    out.clear();
    let digits = phone.bytes().filter(u8::is_ascii_digit).count();
    let mut seen = 0;
    for c in phone.chars() {
        if c.is_ascii_digit() {
            seen += 1;
            out.push(if seen + 2 > digits { c } else { '*' });
        } else {
            out.push(c);
        }
    }
}

/// Age in completed years at `as_of`, both as microseconds since the Unix epoch (UTC), which is
/// how DuckDB stores TIMESTAMP. A birthday later in the year — or later on the as-of day itself —
/// does not count yet. `None` when `as_of` is before the birth.
pub fn age_years(birth_micros: i64, as_of_micros: i64) -> Option<i32> {
    calendar::completed_years(birth_micros, as_of_micros)
}

/// Ten-year band of an age: 0..=9 → "0-9", 27 → "20-29". `None` for a negative age.
pub fn age_band(age: i64) -> Option<String> {
    let mut buf = [0u8; AGE_BAND_MAX];
    age_band_into(age, &mut buf).map(str::to_string)
}

/// Longest band text: "9223372036854775800-9223372036854775809" is 39 bytes.
pub const AGE_BAND_MAX: usize = 40;

/// [`age_band`] written into `buf` without allocating; returns the text.
pub fn age_band_into(age: i64, buf: &mut [u8; AGE_BAND_MAX]) -> Option<&str> {
    if age < 0 {
        return None;
    }
    let low = age / 10 * 10;
    // The high end cannot overflow: low ≤ i64::MAX - 7, so low + 9 ≤ i64::MAX + 2 fits in u64.
    let high = low as u64 + 9;
    let mut len = write_decimal(low as u64, buf, 0);
    buf[len] = b'-';
    len = write_decimal(high, buf, len + 1);
    Some(std::str::from_utf8(&buf[..len]).expect("digits and '-' are ASCII"))
}

/// Writes the decimal digits of `v` at `buf[at..]`; returns the end position.
fn write_decimal(v: u64, buf: &mut [u8], at: usize) -> usize {
    let mut digits = [0u8; 20];
    let digits = crate::decimal::digits(v, &mut digits);
    buf[at..at + digits.len()].copy_from_slice(digits);
    at + digits.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn key(byte: u8) -> HmacKey {
        HmacKey::parse(&base64::engine::general_purpose::STANDARD.encode([byte; 32])).unwrap()
    }

    fn micros(s: &str) -> i64 {
        let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap();
        (t.unix_timestamp_nanos() / 1000) as i64
    }

    #[test]
    fn pseudonym_is_hmac_sha256_hex() {
        // RFC 4231 test case 2 has a short key, so compute the reference with the hmac crate
        // directly and check the encoding: 64 lowercase hex chars, stable, key-dependent.
        let p = Pseudonymizer::new(&key(1));
        let a = p.pseudonym("jane.doe@example.com");
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(a, p.pseudonym("jane.doe@example.com"), "stable for the same key");
        assert_ne!(a, Pseudonymizer::new(&key(2)).pseudonym("jane.doe@example.com"), "key-dependent");
        let mut mac = Hmac::<Sha256>::new_from_slice(&[1u8; 32]).unwrap();
        mac.update(b"jane.doe@example.com");
        assert_eq!(a, hex::encode(mac.finalize().into_bytes()));
        // Not a plain hash of the value.
        use sha2::Digest;
        assert_ne!(a, hex::encode(Sha256::digest(b"jane.doe@example.com")));
    }

    /// HMAC-SHA256 written out from its definition (RFC 2104) on plain SHA-256, without the
    /// `hmac` crate the implementation uses.
    fn reference_hmac(key: &[u8; 32], message: &[u8]) -> String {
        use sha2::Digest;
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(key);
        let pad = |byte: u8| block.map(|b| b ^ byte);
        let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
        hex::encode(Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize())
    }

    #[test]
    fn pseudonym_is_pinned_to_independent_hmac() {
        // Values computed outside Rust (Python's hmac module) for fixed keys: the pseudonyms of
        // stored data must never change with an optimisation.
        let p5 = Pseudonymizer::new(&key(5));
        assert_eq!(
            p5.pseudonym("jane.doe@example.com"),
            "b0504f965fc2cde1469fcde27bf75ea6b4970b91d0c620f3c8814e6da4a37d6c"
        );
        let counting: [u8; 32] = std::array::from_fn(|i| i as u8);
        let pc =
            Pseudonymizer::new(&HmacKey::parse(&base64::engine::general_purpose::STANDARD.encode(counting)).unwrap());
        assert_eq!(pc.pseudonym(""), "d38b42096d80f45f826b44a9d5607de72496a415d3f4a1a8c88e3bb9da8dc1cb");
        assert_eq!(
            pc.pseudonym(&"Zoë Ünïcødé".repeat(10)),
            "3de32ada85e9ba19ac63d32ddbe7d08e517e0f0909936193ad7de38b69a09328"
        );
        // And against HMAC from its definition, over lengths around the SHA-256 block size.
        for len in [0, 1, 12, 13, 55, 56, 63, 64, 65, 200] {
            let value: String = (0..len).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            assert_eq!(pc.pseudonym(&value), reference_hmac(&counting, value.as_bytes()), "length {len}");
            assert_eq!(p5.pseudonym(&value), reference_hmac(&[5; 32], value.as_bytes()), "length {len}");
        }
    }

    #[test]
    fn pseudonym_reuses_buffer() {
        let p = Pseudonymizer::new(&key(3));
        let mut buf = String::from("leftover");
        p.pseudonym_into(b"x", &mut buf);
        assert_eq!(buf, p.pseudonym("x"));
        assert_eq!(p.pseudonym("").len(), 64);
    }

    #[test]
    fn masks_emails() {
        assert_eq!(mask_email("jane.doe@example.com"), "j***@example.com");
        assert_eq!(mask_email("  Zoë@x.org "), "Z***@x.org");
        assert_eq!(mask_email("a@b@c.com"), "a***@c.com");
        assert_eq!(mask_email("no-at-sign"), "***");
        assert_eq!(mask_email("@example.com"), "***");
        assert_eq!(mask_email("user@"), "***");
        assert_eq!(mask_email(""), "***");
    }

    #[test]
    fn masks_phones() {
        assert_eq!(mask_phone("(272) 790-0888"), "(***) ***-**88");
        assert_eq!(mask_phone("015242 53285"), "****** ***85");
        assert_eq!(mask_phone("+7"), "+7");
        assert_eq!(mask_phone("no digits"), "no digits");
        assert_eq!(mask_phone(""), "");
        assert_eq!(mask_phone("٣٤٥-12"), "٣٤٥-12", "only ASCII digits are counted; never panics");
    }

    #[test]
    fn age_counts_completed_years() {
        let birth = micros("1990-06-15T10:00:00Z");
        assert_eq!(age_years(birth, micros("2020-06-15T10:00:00Z")), Some(30), "birthday reached");
        assert_eq!(age_years(birth, micros("2020-06-15T09:59:59Z")), Some(29), "later on the day");
        assert_eq!(age_years(birth, micros("2020-06-14T23:00:00Z")), Some(29));
        assert_eq!(age_years(birth, micros("2020-12-31T00:00:00Z")), Some(30));
        assert_eq!(age_years(birth, birth), Some(0));
        assert_eq!(age_years(birth, birth - 1), None, "as-of before birth");
        // Leap-day birth: completes a year on 1 March in non-leap years.
        let leap = micros("2000-02-29T00:00:00Z");
        assert_eq!(age_years(leap, micros("2001-02-28T23:59:59Z")), Some(0));
        assert_eq!(age_years(leap, micros("2001-03-01T00:00:00Z")), Some(1));
        // Before 1970 (negative micros).
        assert_eq!(age_years(micros("1944-03-02T00:00:00Z"), micros("2026-11-25T00:00:00Z")), Some(82));
        assert!(age_years(i64::MIN, i64::MAX).is_some(), "extremes do not panic");
    }

    #[test]
    fn age_bands() {
        assert_eq!(age_band(0).as_deref(), Some("0-9"));
        assert_eq!(age_band(27).as_deref(), Some("20-29"));
        assert_eq!(age_band(30).as_deref(), Some("30-39"));
        assert_eq!(age_band(109).as_deref(), Some("100-109"));
        assert_eq!(age_band(-1), None);
        assert_eq!(age_band(i64::MAX).as_deref(), Some("9223372036854775800-9223372036854775809"));
        let mut buf = [0u8; AGE_BAND_MAX];
        assert_eq!(age_band_into(45, &mut buf), Some("40-49"));
    }

    #[test]
    fn into_variants_clear_the_buffer() {
        let mut buf = String::from("leftover");
        mask_email_into("jane.doe@example.com", &mut buf);
        assert_eq!(buf, "j***@example.com");
        mask_phone_into("(272) 790-0888", &mut buf);
        assert_eq!(buf, "(***) ***-**88");
    }
}
