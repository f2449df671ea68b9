//! Writing a user's JSON text by hand: byte pushes into one reused buffer, no intermediate
//! `serde_json::Value` (what makes generation fast).

use rand::RngCore;
use rand_chacha::ChaCha8Rng;
use time::{OffsetDateTime, Time};

/// The JSON text of one user while it is written. Bytes rather than a `String` so that digits and
/// ASCII punctuation are single pushes. Invariant: it only ever receives whole `&str`s and ASCII
/// bytes (the only writes to the inner vector outside `push_str`/`push` are ASCII digits and hex),
/// so its content is always valid UTF-8 — which lets [`Buf::as_str`] skip re-validating every user.
pub(super) struct Buf(pub(super) Vec<u8>);

impl Buf {
    pub(super) fn push_str(&mut self, s: &str) {
        self.0.extend_from_slice(s.as_bytes());
    }
    pub(super) fn push(&mut self, c: char) {
        let mut utf8 = [0u8; 4];
        self.push_str(c.encode_utf8(&mut utf8));
    }
    pub(super) fn as_str(&self) -> &str {
        debug_assert!(std::str::from_utf8(&self.0).is_ok());
        // SAFETY: see the type's invariant: only UTF-8 text and ASCII bytes are ever appended.
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }
}

/// A JSON string literal of a built-in table word. Those never need escaping (a unit test checks
/// every table), so the text is copied as is: scanning for escapes was a measurable cost.
pub(super) fn push_str(out: &mut Buf, s: &str) {
    debug_assert!(!needs_escape(s), "{s:?}");
    out.push('"');
    out.push_str(s);
    out.push('"');
}

pub(super) fn needs_escape(s: &str) -> bool {
    s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20)
}

/// Fill a pattern: `9` any digit, `1` a digit 1-9, `A` a capital letter, anything else literal.
///
/// Digits and letters come from one 64-bit draw split by repeated division (one RNG call per
/// pattern instead of one per character); the draw is renewed while at least 2^32 choices remain,
/// so the bias stays below 2^-32.
pub(super) fn push_pattern(rng: &mut ChaCha8Rng, out: &mut Buf, pattern: &str) {
    let mut pool = rng.next_u64();
    let mut left = u64::MAX;
    let mut draw = |base: u64| {
        if left < base << 32 {
            pool = rng.next_u64();
            left = u64::MAX;
        }
        let v = pool % base;
        pool /= base;
        left /= base;
        v as u8
    };
    for c in pattern.chars() {
        match c {
            '9' => out.push((b'0' + draw(10)) as char),
            '1' => out.push((b'1' + draw(9)) as char),
            'A' => out.push((b'A' + draw(26)) as char),
            c => out.push(c),
        }
    }
}

/// Decimal digits of `v`.
pub(super) fn push_uint(out: &mut Buf, v: u64) {
    let mut buf = [0u8; 20];
    out.0.extend_from_slice(crate::decimal::digits(v, &mut buf));
}

/// `v` zero-padded to `width` digits.
pub(super) fn push_padded(out: &mut Buf, mut v: u32, width: usize) {
    let mut buf = [b'0'; 10];
    for b in buf[..width].iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
    out.0.extend_from_slice(&buf[..width]);
}

/// `v / 10000` with exactly four decimals, like the API's coordinates ("-86.2097").
pub(super) fn push_fixed4(out: &mut Buf, v: i32) {
    if v < 0 {
        out.push('-');
    }
    let a = v.unsigned_abs();
    push_uint(out, (a / 10000).into());
    out.push('.');
    push_padded(out, a % 10000, 4);
}

pub(super) fn push_hex(out: &mut Buf, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.0.push(HEX[(b >> 4) as usize]);
        out.0.push(HEX[(b & 15) as usize]);
    }
}

/// A random version-4 UUID, 8-4-4-4-12 lowercase hex.
pub(super) fn push_uuid(rng: &mut ChaCha8Rng, out: &mut Buf) {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    for (i, chunk) in [&b[0..4], &b[4..6], &b[6..8], &b[8..10], &b[10..16]].iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        push_hex(out, chunk);
    }
}

/// "YYYY-MM-DDTHH:MM:SS.mmmZ", the API's date format.
pub(super) fn push_date(out: &mut Buf, t: OffsetDateTime) {
    let (y, m, d) = t.to_calendar_date();
    let time: Time = t.time();
    push_padded(out, y as u32, 4);
    out.push('-');
    push_padded(out, u8::from(m).into(), 2);
    out.push('-');
    push_padded(out, d.into(), 2);
    out.push('T');
    push_padded(out, time.hour().into(), 2);
    out.push(':');
    push_padded(out, time.minute().into(), 2);
    out.push(':');
    push_padded(out, time.second().into(), 2);
    out.push('.');
    push_padded(out, time.millisecond().into(), 3);
    out.push('Z');
}
