//! Decimal digits of an integer without `core::fmt`, for the per-row hot paths (the generator's
//! JSON, the `age_band` SQL function), where the formatting machinery was the main cost.

/// The decimal digits of `v`, written at the end of `buf`.
pub fn digits(mut v: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            return &buf[i..];
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn digits_match_formatting() {
        let mut buf = [0u8; 20];
        for v in [0, 7, 10, 99, 1234567890, u64::MAX] {
            assert_eq!(super::digits(v, &mut buf), v.to_string().as_bytes());
        }
    }
}
