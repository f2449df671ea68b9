//! Offline generator of users in the exact randomuser.me v1.4 JSON shape.
//!
//! Each page has its own RNG, seeded from SHA-256(seed, page), so any page can be produced alone
//! and a mock API built on [`Generator::page`] serves the same users as [`generate`]. Users are
//! written straight into their JSON text by hand (no intermediate `serde_json::Value`), which is
//! what makes generation fast; the key order in the writer is the API's.

mod data;

use super::{BatchSink, SourceSummary};
use anyhow::bail;
use data::{NATS, NatData, Postcode};
use md5::Md5;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// The JSON text of one user while it is written. Bytes rather than a `String` so that digits and
/// ASCII punctuation are single pushes. Invariant: it only ever receives whole `&str`s and ASCII
/// bytes (the only writes to the inner vector outside `push_str`/`push` are ASCII digits and hex),
/// so its content is always valid UTF-8 — which lets [`Buf::as_str`] skip re-validating every user.
struct Buf(Vec<u8>);

impl Buf {
    fn push_str(&mut self, s: &str) {
        self.0.extend_from_slice(s.as_bytes());
    }
    fn push(&mut self, c: char) {
        let mut utf8 = [0u8; 4];
        self.push_str(c.encode_utf8(&mut utf8));
    }
    fn as_str(&self) -> &str {
        debug_assert!(std::str::from_utf8(&self.0).is_ok());
        // SAFETY: see the type's invariant: only UTF-8 text and ASCII bytes are ever appended.
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }
}

/// One name with the ASCII spelling used in e-mail addresses.
struct Name {
    display: &'static str,
    ascii: String,
}

/// A nationality's lists, split once so that per-user work is only indexing.
struct NatTables {
    data: &'static NatData,
    male: Vec<Name>,
    female: Vec<Name>,
    last: Vec<Name>,
    cities: Vec<(&'static str, &'static str)>,
    streets: Vec<&'static str>,
    postcodes: Vec<&'static str>,
}

impl NatTables {
    fn new(data: &'static NatData) -> Self {
        let names = |list: &'static str| -> Vec<Name> {
            list.split(',')
                .map(|entry| match entry.split_once('|') {
                    Some((display, ascii)) => Name { display, ascii: ascii.to_string() },
                    None => Name { display: entry, ascii: ascii_lower(entry) },
                })
                .collect()
        };
        let cities = data.cities.split(',').map(|c| c.split_once(':').expect("city entries are City:State")).collect();
        let postcodes = match data.postcode {
            Postcode::Text(p) => p.split(',').collect(),
            Postcode::Int(..) => Vec::new(),
        };
        NatTables {
            data,
            male: names(data.male),
            female: names(data.female),
            last: names(data.last),
            cities,
            streets: data.streets.split(',').collect(),
            postcodes,
        }
    }
}

/// A deterministic user generator: the same (seed, nat, reference time) always yields the same users.
pub struct Generator {
    seed: String,
    /// Normalised (upper-case, de-duplicated) codes as requested; `None` = all 21.
    nat: Option<Vec<String>>,
    tables: Vec<NatTables>,
    now: OffsetDateTime,
    now_ms: i64,
}

// Bounds of the generated dates, in Unix milliseconds.
const DOB_FIRST_MS: i64 = -820_540_800_000; // 1944-01-01T00:00:00Z
const DOB_END_MS: i64 = 1_167_609_600_000; // 2007-01-01T00:00:00Z (exclusive)
const REG_FIRST_MS: i64 = 1_009_843_200_000; // 2002-01-01T00:00:00Z

impl Generator {
    /// `nat`: upper- or lower-case codes of the 21 v1.4 nationalities; an unknown code is an error.
    /// `now`: the reference time ("today"): registrations end there and `age` fields use it.
    pub fn new(seed: &str, nat: Option<&[String]>, now: OffsetDateTime) -> anyhow::Result<Self> {
        let mut codes: Vec<String> = Vec::new();
        for code in nat.unwrap_or(&[]) {
            let code = code.trim().to_ascii_uppercase();
            if !NATS.iter().any(|n| n.code == code) {
                let known: Vec<&str> = NATS.iter().map(|n| n.code).collect();
                bail!("unknown nationality code {code:?} (known: {})", known.join(", "));
            }
            // A repeated code would otherwise weigh that nationality double.
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        let tables =
            NATS.iter().filter(|n| codes.is_empty() || codes.iter().any(|c| c == n.code)).map(NatTables::new).collect();
        let now = now.to_offset(UtcOffset::UTC);
        let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
        Ok(Generator {
            seed: seed.to_string(),
            nat: if codes.is_empty() { None } else { Some(codes) },
            tables,
            now,
            now_ms,
        })
    }

    /// The users of one page (1-based), exactly as the API would serve
    /// `?seed=SEED&page=PAGE&results=RESULTS&nat=..`. Each string is one JSON object.
    ///
    /// Users are drawn in order from one RNG stream per page, so `page(p, n)` is a prefix of
    /// `page(p, m)` for `n <= m`.
    pub fn page(&self, page: u32, results: u32) -> Vec<String> {
        let mut users = Vec::with_capacity(results as usize);
        let done: Result<(), std::convert::Infallible> = self.for_each_user(page, results, |user| {
            users.push(user.to_owned());
            Ok(())
        });
        match done {
            Ok(()) => users,
        }
    }

    /// The users of [`Generator::page`], each handed to `f` as the text of one JSON object,
    /// without allocating per user: one buffer is reused for the whole page. Writers (NDJSON
    /// output) use this directly. The first error from `f` stops the page.
    pub fn for_each_user<E>(&self, page: u32, results: u32, mut f: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
        let mut hasher = Sha256::new();
        hasher.update(b"duckpipe-synthetic-v1\0");
        hasher.update(self.seed.as_bytes());
        hasher.update(b"\0");
        hasher.update(page.to_le_bytes());
        let mut rng = ChaCha8Rng::from_seed(hasher.finalize().into());
        let mut out = Buf(Vec::with_capacity(2048));
        for i in 0..results {
            out.0.clear();
            self.write_user(&mut rng, page, i, &mut out);
            f(out.as_str())?;
        }
        Ok(())
    }

    fn write_user(&self, rng: &mut ChaCha8Rng, page: u32, index: u32, out: &mut Buf) {
        let t = &self.tables[rng.random_range(0..self.tables.len())];
        let d = t.data;
        let male = rng.random_bool(0.5);
        let first = pick(rng, if male { &t.male } else { &t.female });
        let last = pick(rng, &t.last);
        let title = if male { "Mr" } else { *pick(rng, &["Ms", "Mrs", "Miss"]) };

        out.push_str("{\"gender\":");
        push_str(out, if male { "male" } else { "female" });
        out.push_str(",\"name\":{\"title\":");
        push_str(out, title);
        out.push_str(",\"first\":");
        push_str(out, first.display);
        out.push_str(",\"last\":");
        push_str(out, last.display);

        // location
        let (city, state) = *pick(rng, &t.cities);
        out.push_str("},\"location\":{\"street\":{\"number\":");
        push_uint(out, rng.random_range(1..10000u64));
        out.push_str(",\"name\":");
        push_str(out, pick::<&str>(rng, &t.streets));
        out.push_str("},\"city\":");
        push_str(out, city);
        out.push_str(",\"state\":");
        push_str(out, state);
        out.push_str(",\"country\":");
        push_str(out, d.country);
        out.push_str(",\"postcode\":");
        match d.postcode {
            Postcode::Int(lo, hi) => {
                push_uint(out, rng.random_range(lo..=hi).into());
            }
            Postcode::Text(_) => {
                out.push('"');
                let pattern = *pick(rng, &t.postcodes);
                push_pattern(rng, out, pattern);
                out.push('"');
            }
        }
        out.push_str(",\"coordinates\":{\"latitude\":\"");
        push_fixed4(out, rng.random_range(-900_000..=900_000));
        out.push_str("\",\"longitude\":\"");
        push_fixed4(out, rng.random_range(-1_800_000..=1_800_000));
        let (offset, description) = *pick(rng, &data::TIMEZONES);
        out.push_str("\"},\"timezone\":{\"offset\":");
        push_str(out, offset);
        out.push_str(",\"description\":");
        push_str(out, description);

        // email: the API's "first.last@example.com" plus page and index, which makes it unique
        // across every page of a seed.
        out.push_str("}},\"email\":\"");
        out.push_str(if first.ascii.is_empty() { "user" } else { &first.ascii });
        out.push('.');
        out.push_str(if last.ascii.is_empty() { "user" } else { &last.ascii });
        out.push_str(".p");
        push_uint(out, page.into());
        out.push('i');
        push_uint(out, index.into());
        out.push_str("@example.com\"");

        // login
        out.push_str(",\"login\":{\"uuid\":\"");
        push_uuid(rng, out);
        out.push_str("\",\"username\":\"");
        out.push_str(pick::<&str>(rng, &data::ADJECTIVES));
        out.push_str(pick::<&str>(rng, &data::ANIMALS));
        push_uint(out, rng.random_range(100..1000u64));
        out.push_str("\",\"password\":");
        let password = *pick(rng, &data::PASSWORDS);
        push_str(out, password);
        let mut salt = [0u8; 8];
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for b in &mut salt {
            *b = ALNUM[rng.random_range(0..ALNUM.len())];
        }
        let salt = std::str::from_utf8(&salt).expect("ASCII");
        out.push_str(",\"salt\":\"");
        out.push_str(salt);
        out.push_str("\",\"md5\":\"");
        push_hex(out, &Md5::new().chain_update(password).chain_update(salt).finalize());
        out.push_str("\",\"sha1\":\"");
        push_hex(out, &Sha1::new().chain_update(password).chain_update(salt).finalize());
        out.push_str("\",\"sha256\":\"");
        push_hex(out, &Sha256::new().chain_update(password).chain_update(salt).finalize());

        // dob / registered: registration after the 18th birthday where possible, never after now.
        let dob_ms = rng.random_range(DOB_FIRST_MS..DOB_END_MS);
        let dob = from_ms(dob_ms);
        let adult_ms = to_ms(add_years(dob, 18));
        let mut reg_lo = REG_FIRST_MS.max(adult_ms);
        if reg_lo > self.now_ms {
            reg_lo = REG_FIRST_MS.min(self.now_ms);
        }
        let reg_ms = rng.random_range(reg_lo..=self.now_ms);
        let registered = from_ms(reg_ms);
        out.push_str("\"},\"dob\":{\"date\":\"");
        push_date(out, dob);
        out.push_str("\",\"age\":");
        push_uint(out, age(dob, self.now).into());
        out.push_str("},\"registered\":{\"date\":\"");
        push_date(out, registered);
        out.push_str("\",\"age\":");
        push_uint(out, age(registered, self.now).into());

        out.push_str("},\"phone\":\"");
        push_pattern(rng, out, d.phone);
        out.push_str("\",\"cell\":\"");
        push_pattern(rng, out, d.cell);

        out.push_str("\",\"id\":{\"name\":");
        push_str(out, d.id_name);
        out.push_str(",\"value\":");
        if d.id_name.is_empty() {
            out.push_str("null");
        } else {
            out.push('"');
            push_id_value(rng, out, d.code, male, dob);
            out.push('"');
        }

        let folder = if male { "men" } else { "women" };
        let n = rng.random_range(0..100u64);
        for (i, (key, size)) in [("large", ""), ("medium", "med/"), ("thumbnail", "thumb/")].iter().enumerate() {
            out.push_str(if i == 0 { "},\"picture\":{\"" } else { "\",\"" });
            out.push_str(key);
            out.push_str("\":\"https://randomuser.me/api/portraits/");
            out.push_str(size);
            out.push_str(folder);
            out.push('/');
            push_uint(out, n);
            out.push_str(".jpg");
        }
        out.push_str("\"},\"nat\":\"");
        out.push_str(d.code);
        out.push_str("\"}");
    }
}

/// Generate `count` users in pages of `page_size` (pages 1, 2, … of the generator), handing each
/// page to `sink`. The last page is shorter; it equals the start of the full page (see
/// [`Generator::page`]).
// `generator`, not `gen`: `gen` is a reserved keyword in edition 2024.
pub fn generate(
    generator: &Generator,
    count: u64,
    page_size: u32,
    sink: &mut BatchSink<'_>,
) -> anyhow::Result<SourceSummary> {
    generate_pages(generator, count, page_size, |page, n| sink(generator.page(page, n)))
}

/// Pages 1, 2, … of `page_size` users (the last one shorter) until `count` users, each produced by
/// `page_fn(page, users)`.
pub fn generate_pages(
    generator: &Generator,
    count: u64,
    page_size: u32,
    mut page_fn: impl FnMut(u32, u32) -> anyhow::Result<()>,
) -> anyhow::Result<SourceSummary> {
    if page_size == 0 {
        bail!("page size must be at least 1");
    }
    let mut summary = SourceSummary {
        kind: "synthetic".into(),
        seed: Some(generator.seed.clone()),
        api_version: Some("1.4".into()),
        nat: generator.nat.clone(),
        ..Default::default()
    };
    while summary.users < count {
        let n = (count - summary.users).min(u64::from(page_size)) as u32;
        let page = summary.pages.checked_add(1).ok_or_else(|| anyhow::anyhow!("too many pages"))?;
        page_fn(page, n)?;
        summary.pages = page;
        summary.users += u64::from(n);
    }
    Ok(summary)
}

/// `count` users of the generator.
pub struct SyntheticSource {
    pub generator: Generator,
    pub count: u64,
}

impl std::fmt::Debug for SyntheticSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyntheticSource").field("seed", &self.generator.seed).field("count", &self.count).finish()
    }
}

impl super::Source for SyntheticSource {
    fn produce(&self, batch_size: usize, sink: &mut BatchSink<'_>) -> anyhow::Result<SourceSummary> {
        let page_size = u32::try_from(batch_size).unwrap_or(u32::MAX);
        generate(&self.generator, self.count, page_size, sink)
    }
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A JSON string literal of a built-in table word. Those never need escaping (a unit test checks
/// every table), so the text is copied as is: scanning for escapes was a measurable cost.
fn push_str(out: &mut Buf, s: &str) {
    debug_assert!(!needs_escape(s), "{s:?}");
    out.push('"');
    out.push_str(s);
    out.push('"');
}

fn needs_escape(s: &str) -> bool {
    s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20)
}

/// Fill a pattern: `9` any digit, `1` a digit 1-9, `A` a capital letter, anything else literal.
///
/// Digits and letters come from one 64-bit draw split by repeated division (one RNG call per
/// pattern instead of one per character); the draw is renewed while at least 2^32 choices remain,
/// so the bias stays below 2^-32.
fn push_pattern(rng: &mut ChaCha8Rng, out: &mut Buf, pattern: &str) {
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
fn push_uint(out: &mut Buf, v: u64) {
    let mut buf = [0u8; 20];
    out.0.extend_from_slice(crate::decimal::digits(v, &mut buf));
}

/// `v` zero-padded to `width` digits.
fn push_padded(out: &mut Buf, mut v: u32, width: usize) {
    let mut buf = [b'0'; 10];
    for b in buf[..width].iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
    out.0.extend_from_slice(&buf[..width]);
}

/// `v / 10000` with exactly four decimals, like the API's coordinates ("-86.2097").
fn push_fixed4(out: &mut Buf, v: i32) {
    if v < 0 {
        out.push('-');
    }
    let a = v.unsigned_abs();
    push_uint(out, (a / 10000).into());
    out.push('.');
    push_padded(out, a % 10000, 4);
}

fn push_hex(out: &mut Buf, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.0.push(HEX[(b >> 4) as usize]);
        out.0.push(HEX[(b & 15) as usize]);
    }
}

/// A random version-4 UUID, 8-4-4-4-12 lowercase hex.
fn push_uuid(rng: &mut ChaCha8Rng, out: &mut Buf) {
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

/// National id values in the usual shape of each country's number (not valid check digits).
fn push_id_value(rng: &mut ChaCha8Rng, out: &mut Buf, code: &str, male: bool, dob: OffsetDateTime) {
    let (y, m, d) = dob.to_calendar_date();
    let ddmmyy = |out: &mut Buf| {
        push_padded(out, d.into(), 2);
        push_padded(out, u8::from(m).into(), 2);
        push_padded(out, y.rem_euclid(100) as u32, 2);
    };
    match code {
        "AU" => push_pattern(rng, out, "999999999"),
        "BR" => push_pattern(rng, out, "999.999.999-99"),
        "CA" => push_pattern(rng, out, "199999999"),
        "CH" => push_pattern(rng, out, "756.9999.9999.99"),
        "DE" => {
            push_pattern(rng, out, "99 ");
            ddmmyy(out);
            push_pattern(rng, out, " A 999");
        }
        "DK" => {
            ddmmyy(out);
            push_pattern(rng, out, "-9999");
        }
        "ES" => push_pattern(rng, out, "99999999-A"),
        "FI" => {
            // Finnish century sign: '-' for the 1900s, 'A' for the 2000s.
            ddmmyy(out);
            out.push(if y >= 2000 { 'A' } else { '-' });
            push_pattern(rng, out, "999A");
        }
        "FR" => {
            out.push(if male { '1' } else { '2' });
            push_padded(out, y.rem_euclid(100) as u32, 2);
            push_padded(out, u8::from(m).into(), 2);
            push_pattern(rng, out, "99999999 99");
        }
        "GB" => push_pattern(rng, out, "AA 99 99 99 A"),
        "IE" => push_pattern(rng, out, "9999999A"),
        "IN" => push_pattern(rng, out, "199999999999"),
        "MX" => push_pattern(rng, out, "99 99 99 9999 9"),
        "NL" => push_pattern(rng, out, "199999999"),
        "NO" => {
            ddmmyy(out);
            push_pattern(rng, out, "99999");
        }
        "RS" => push_pattern(rng, out, "1999999999999"),
        "US" => push_pattern(rng, out, "999-99-9999"),
        _ => push_pattern(rng, out, "999999999"),
    }
}

fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).expect("generated dates are in range")
}

fn to_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The same instant `years` later; 29 February becomes 1 March in a non-leap year.
fn add_years(t: OffsetDateTime, years: i32) -> OffsetDateTime {
    let date = t.date();
    let y = date.year() + years;
    let new_date = Date::from_calendar_date(y, date.month(), date.day())
        .unwrap_or_else(|_| Date::from_calendar_date(y, Month::March, 1).expect("valid date"));
    PrimitiveDateTime::new(new_date, t.time()).assume_utc()
}

/// Completed years from `then` to `now` (both UTC).
fn age(then: OffsetDateTime, now: OffsetDateTime) -> u32 {
    let mut years = now.year() - then.year();
    let key = |t: OffsetDateTime| (u8::from(t.month()), t.day(), t.time());
    if key(now) < key(then) {
        years -= 1;
    }
    years.max(0) as u32
}

/// "YYYY-MM-DDTHH:MM:SS.mmmZ", the API's date format.
fn push_date(out: &mut Buf, t: OffsetDateTime) {
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

/// Lower-case ASCII for e-mail local parts: Latin diacritics and Ukrainian Cyrillic are
/// transliterated; anything else (spaces, apostrophes, other scripts) is dropped.
fn ascii_lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let t: &str = match c {
            'a'..='z' | '0'..='9' => {
                out.push(c);
                continue;
            }
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' => "a",
            'æ' => "ae",
            'ç' | 'ć' | 'č' => "c",
            'đ' | 'ď' => "d",
            'é' | 'è' | 'ê' | 'ë' | 'ě' | 'ē' => "e",
            'ğ' => "g",
            'í' | 'ì' | 'î' | 'ï' | 'ı' => "i",
            'ł' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ő' => "o",
            'ř' => "r",
            'ś' | 'š' | 'ş' | 'ș' => "s",
            'ß' => "ss",
            'ť' | 'ț' => "t",
            'ú' | 'ù' | 'û' | 'ü' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ž' | 'ź' | 'ż' => "z",
            'þ' => "th",
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "h",
            'ґ' => "g",
            'д' => "d",
            'е' => "e",
            'є' => "ye",
            'ж' => "zh",
            'з' => "z",
            'и' => "y",
            'і' => "i",
            'ї' => "yi",
            'й' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ю' => "yu",
            'я' => "ya",
            _ => "",
        };
        out.push_str(t);
    }
    out
}

#[cfg(test)]
mod tests;
