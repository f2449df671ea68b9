//! Calendar arithmetic on UTC instants, written once for everything that counts years: ages at
//! load time (the `age_years` SQL function) and the generator's `dob.age` and `registered.age`.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime};

pub const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's civil-from-days algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Completed years from `birth_micros` to `as_of_micros`, both as microseconds since the Unix epoch (UTC), which is
/// how DuckDB stores TIMESTAMP. A birthday later in the year — or later on the as-of day itself —
/// does not count yet. `None` when `as_of` is before the birth.
pub fn completed_years(birth_micros: i64, as_of_micros: i64) -> Option<i32> {
    if as_of_micros < birth_micros {
        return None;
    }
    let split = |t: i64| (t.div_euclid(MICROS_PER_DAY), t.rem_euclid(MICROS_PER_DAY));
    let (bd, btime) = split(birth_micros);
    let (ad, atime) = split(as_of_micros);
    let (by, bm, bday) = civil_from_days(bd);
    let (ay, am, aday) = civil_from_days(ad);
    let mut age = ay - by;
    // Compare (month, day, time of day): the anniversary has not been reached yet.
    if (am, aday, atime) < (bm, bday, btime) {
        age -= 1;
    }
    i32::try_from(age).ok()
}

/// The same instant `years` later; 29 February becomes 1 March in a non-leap year.
pub fn add_years(t: OffsetDateTime, years: i32) -> OffsetDateTime {
    let date = t.date();
    let y = date.year() + years;
    let new_date = Date::from_calendar_date(y, date.month(), date.day())
        .unwrap_or_else(|_| Date::from_calendar_date(y, Month::March, 1).expect("valid date"));
    PrimitiveDateTime::new(new_date, t.time()).assume_utc()
}

/// Microseconds since the Unix epoch.
pub fn micros(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
