//! The record shape: one user of the API's v1.4 shape, field by field, in the API's key order.

use md5::Md5;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::Generator;
use super::json::{Buf, push_date, push_fixed4, push_hex, push_padded, push_pattern, push_str, push_uint, push_uuid};
use super::locale::{self, Postcode};
use crate::calendar::{self, add_years};

// Bounds of the generated dates, in Unix milliseconds.
const DOB_FIRST_MS: i64 = -820_540_800_000; // 1944-01-01T00:00:00Z
const DOB_END_MS: i64 = 1_167_609_600_000; // 2007-01-01T00:00:00Z (exclusive)
const REG_FIRST_MS: i64 = 1_009_843_200_000; // 2002-01-01T00:00:00Z

impl Generator {
    /// One user, in the API's key order.
    pub(super) fn write_user(&self, rng: &mut ChaCha8Rng, page: u32, index: u32, out: &mut Buf) {
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
        let (offset, description) = *pick(rng, &locale::TIMEZONES);
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
        out.push_str(pick::<&str>(rng, &locale::ADJECTIVES));
        out.push_str(pick::<&str>(rng, &locale::ANIMALS));
        push_uint(out, rng.random_range(100..1000u64));
        out.push_str("\",\"password\":");
        let password = *pick(rng, &locale::PASSWORDS);
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

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
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

/// Completed years from `then` to `now` (both UTC).
pub(super) fn age(then: OffsetDateTime, now: OffsetDateTime) -> u32 {
    calendar::completed_years(calendar::micros(then), calendar::micros(now)).map_or(0, |y| y.max(0) as u32)
}
