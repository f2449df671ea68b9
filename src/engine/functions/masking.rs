//! The masking functions registered in DuckDB as vectorised scalar functions.
//!
//! | SQL                               | Rust                          |
//! |-----------------------------------|-------------------------------|
//! | `pseudonym(VARCHAR) → VARCHAR`    | [`crate::masking::Pseudonymizer::pseudonym`]  |
//! | `mask_email(VARCHAR) → VARCHAR`   | [`crate::masking::mask_email`]         |
//! | `mask_phone(VARCHAR) → VARCHAR`   | [`crate::masking::mask_phone`]         |
//! | `age_years(TIMESTAMP, TIMESTAMP) → INTEGER` | [`crate::masking::age_years`] |
//! | `age_band(BIGINT) → VARCHAR`      | [`crate::masking::age_band`]           |
//!
//! NULL in → NULL out. The HMAC key lives in the function's state, so it never appears in SQL.

use std::error::Error;

use duckdb::{
    Connection,
    core::{DataChunkHandle, Inserter, LogicalTypeHandle, LogicalTypeId},
    ffi::duckdb_string_t,
    types::DuckString,
    vscalar::{ScalarFunctionSignature, VScalar},
    vtab::arrow::WritableVector,
};

use crate::keys::HmacKey;
use crate::masking::{self, Pseudonymizer};

type Res = Result<(), Box<dyn Error>>;

/// Registers every masking function on `conn`.
pub fn register(conn: &Connection, hmac_key: &HmacKey) -> duckdb::Result<()> {
    conn.register_scalar_function_with_state::<PseudonymFn>("pseudonym", &Pseudonymizer::new(hmac_key))?;
    conn.register_scalar_function::<MaskEmailFn>("mask_email")?;
    conn.register_scalar_function::<MaskPhoneFn>("mask_phone")?;
    conn.register_scalar_function::<AgeYearsFn>("age_years")?;
    conn.register_scalar_function::<AgeBandFn>("age_band")?;
    Ok(())
}

fn varchar() -> LogicalTypeHandle {
    LogicalTypeId::Varchar.into()
}

/// Applies `f` to every non-NULL string of column 0 and writes the text it returns to the same
/// row. `f` gets the bytes (DuckDB strings are UTF-8, but this never assumes so) and a buffer
/// reused for the whole vector; it returns the text to store (in that buffer or elsewhere).
fn map_strings(
    input: &mut DataChunkHandle,
    output: &mut dyn WritableVector,
    mut f: impl for<'a> FnMut(&'a [u8], &'a mut String) -> &'a str,
) -> Res {
    let len = input.len();
    let column = input.flat_vector(0);
    // SAFETY: column 0 is VARCHAR by the signature, and we read only rows 0..len.
    let values = unsafe { column.as_slice_with_len::<duckdb_string_t>(len) };
    let mut out = output.flat_vector();
    let mut buf = String::new();
    for (row, value) in values.iter().enumerate() {
        if column.row_is_null(row as u64) {
            out.set_null(row);
            continue;
        }
        // Copy the string header: short strings (≤ 12 bytes) live inline in it.
        let mut value = *value;
        let bytes = DuckString::new(&mut value).as_bytes();
        out.insert(row, f(bytes, &mut buf));
    }
    Ok(())
}

/// [`map_strings`] for a text → text function writing into a reused buffer. Valid UTF-8 (the
/// normal case) is borrowed as is; invalid UTF-8 is read lossily.
fn map_text(input: &mut DataChunkHandle, output: &mut dyn WritableVector, f: fn(&str, &mut String)) -> Res {
    let mut lossy = String::new();
    map_strings(input, output, |bytes, buf| {
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                lossy = String::from_utf8_lossy(bytes).into_owned();
                &lossy
            }
        };
        f(text, buf);
        buf.as_str()
    })
}

pub struct PseudonymFn;
impl VScalar for PseudonymFn {
    type State = Pseudonymizer;
    fn invoke(state: &Pseudonymizer, input: &mut DataChunkHandle, output: &mut dyn WritableVector) -> Res {
        // Built on the stack, passed on through the vector's reused buffer: no allocation per row.
        map_strings(input, output, |bytes, buf| {
            buf.clear();
            buf.push_str(std::str::from_utf8(&state.pseudonym_hex(bytes)).expect("hex digits are ASCII"));
            buf.as_str()
        })
    }
    fn signatures() -> Vec<ScalarFunctionSignature> {
        vec![ScalarFunctionSignature::exact(vec![varchar()], varchar())]
    }
}

pub struct MaskEmailFn;
impl VScalar for MaskEmailFn {
    type State = ();
    fn invoke(_: &(), input: &mut DataChunkHandle, output: &mut dyn WritableVector) -> Res {
        map_text(input, output, masking::mask_email_into)
    }
    fn signatures() -> Vec<ScalarFunctionSignature> {
        vec![ScalarFunctionSignature::exact(vec![varchar()], varchar())]
    }
}

pub struct MaskPhoneFn;
impl VScalar for MaskPhoneFn {
    type State = ();
    fn invoke(_: &(), input: &mut DataChunkHandle, output: &mut dyn WritableVector) -> Res {
        map_text(input, output, masking::mask_phone_into)
    }
    fn signatures() -> Vec<ScalarFunctionSignature> {
        vec![ScalarFunctionSignature::exact(vec![varchar()], varchar())]
    }
}

pub struct AgeYearsFn;
impl VScalar for AgeYearsFn {
    type State = ();
    fn invoke(_: &(), input: &mut DataChunkHandle, output: &mut dyn WritableVector) -> Res {
        let len = input.len();
        let births = input.flat_vector(0);
        let as_ofs = input.flat_vector(1);
        // SAFETY: both columns are TIMESTAMP (i64 microseconds) by the signature.
        let (b, a) = unsafe { (births.as_slice_with_len::<i64>(len), as_ofs.as_slice_with_len::<i64>(len)) };
        let mut out = output.flat_vector();
        for row in 0..len {
            let age = if births.row_is_null(row as u64) || as_ofs.row_is_null(row as u64) {
                None
            } else {
                masking::age_years(b[row], a[row])
            };
            match age {
                // SAFETY: the output is INTEGER by the signature; row < len ≤ its capacity.
                Some(age) => unsafe { out.as_mut_slice_with_len::<i32>(len)[row] = age },
                None => out.set_null(row),
            }
        }
        Ok(())
    }
    fn signatures() -> Vec<ScalarFunctionSignature> {
        vec![ScalarFunctionSignature::exact(
            vec![LogicalTypeId::Timestamp.into(), LogicalTypeId::Timestamp.into()],
            LogicalTypeId::Integer.into(),
        )]
    }
}

pub struct AgeBandFn;
impl VScalar for AgeBandFn {
    type State = ();
    fn invoke(_: &(), input: &mut DataChunkHandle, output: &mut dyn WritableVector) -> Res {
        let len = input.len();
        let ages = input.flat_vector(0);
        // SAFETY: column 0 is BIGINT by the signature (smaller integers are cast up by DuckDB).
        let values = unsafe { ages.as_slice_with_len::<i64>(len) };
        let mut out = output.flat_vector();
        let mut buf = [0u8; masking::AGE_BAND_MAX];
        for (row, &age) in values.iter().enumerate() {
            match (!ages.row_is_null(row as u64)).then(|| masking::age_band_into(age, &mut buf)).flatten() {
                Some(band) => out.insert(row, band),
                None => out.set_null(row),
            }
        }
        Ok(())
    }
    fn signatures() -> Vec<ScalarFunctionSignature> {
        vec![ScalarFunctionSignature::exact(vec![LogicalTypeId::Bigint.into()], varchar())]
    }
}
