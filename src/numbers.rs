//! Numbers as people read them, the same way in every output (terminal, HTML, Markdown, the
//! progress line): counts with thousands separators, shares that never round a real count to
//! nothing, sizes in kB/MB/GB, durations in s/min/h.

/// `1234567` → `1,234,567`.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A decimal number with `digits` decimals and thousands separators: `3914.55` → `3,914.6`.
pub fn decimal(v: f64, digits: usize) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let text = format!("{:.*}", digits, v.abs());
    let (whole, fraction) = text.split_once('.').map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let whole: i64 = whole.parse().unwrap_or(0);
    // A value that rounds to zero is shown without a sign ("-0.0" says nothing).
    let negative = v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let mut out = if negative { format!("-{}", grouped(whole)) } else { grouped(whole) };
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// `part` of `whole` as a percentage with one decimal, `8.0 %`. Rounding never hides a count:
/// a share that would show as 0.0 % (or 100.0 %) but is not exactly that is `< 0.1 %`
/// (`> 99.9 %`). `–` when there is no whole.
pub fn share(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "–".into();
    }
    let percent = part as f64 * 100.0 / whole as f64;
    let shown = format!("{percent:.1}");
    if part > 0 && shown == "0.0" {
        "< 0.1 %".into()
    } else if part < whole && shown == "100.0" {
        "> 99.9 %".into()
    } else {
        format!("{shown} %")
    }
}

/// [`share`] for prose where the share stands alone: when it is below 0.1 % the count is said
/// beside it (`< 0.1 %, 3 users`), so a reader never takes a real count for none.
pub fn share_or_count(part: i64, whole: i64) -> String {
    let s = share(part, whole);
    if s.starts_with('<') { format!("{s}, {}", users(part)) } else { s }
}

/// `1 user`, `1,234 users`.
pub fn users(n: i64) -> String {
    plural(n, "user", "users")
}

/// `n` with the singular or plural noun.
pub fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", grouped(n), if n == 1 { one } else { many })
}

/// Bytes in decimal units: `999 B`, `28.1 kB`, `19.8 MB`, `1.2 GB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [(&str, f64); 3] = [("GB", 1e9), ("MB", 1e6), ("kB", 1e3)];
    for (unit, size) in UNITS {
        if n as f64 >= size {
            return format!("{:.1} {unit}", n as f64 / size);
        }
    }
    format!("{n} B")
}

/// A duration in whole seconds, minutes or hours: `12 s`, `3 min 05 s`, `2 h 10 min`.
pub fn duration(seconds: u64) -> String {
    match seconds {
        0..=59 => format!("{seconds} s"),
        60..=3599 => format!("{} min {:02} s", seconds / 60, seconds % 60),
        _ => format!("{} h {:02} min", seconds / 3600, seconds % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_separators() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1234), "1,234");
        assert_eq!(grouped(-1234567), "-1,234,567");
        assert_eq!(decimal(3914.56, 1), "3,914.6");
        assert_eq!(decimal(10.7234, 2), "10.72");
        assert_eq!(decimal(51.0, 1), "51.0");
        assert_eq!(decimal(-0.01, 1), "0.0");
        assert_eq!(decimal(-1234.4, 0), "-1,234");
    }

    #[test]
    fn shares_never_hide_a_count() {
        assert_eq!(share(8, 100), "8.0 %");
        assert_eq!(share(1, 3), "33.3 %");
        assert_eq!(share(223, 1_000_000), "< 0.1 %");
        assert_eq!(share(999_999, 1_000_000), "> 99.9 %");
        assert_eq!(share(0, 10), "0.0 %");
        assert_eq!(share(10, 10), "100.0 %");
        assert_eq!(share(1, 0), "–");
        assert_eq!(share_or_count(3, 10_000), "< 0.1 %, 3 users");
        assert_eq!(share_or_count(30, 100), "30.0 %");
    }

    #[test]
    fn sizes_and_durations() {
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(28_119), "28.1 kB");
        assert_eq!(bytes(19_800_000), "19.8 MB");
        assert_eq!(duration(12), "12 s");
        assert_eq!(duration(185), "3 min 05 s");
        assert_eq!(duration(7800), "2 h 10 min");
        assert_eq!(users(1), "1 user");
        assert_eq!(users(1200), "1,200 users");
    }
}
