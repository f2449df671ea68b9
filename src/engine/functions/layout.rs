//! `json_layout(VARCHAR) → UBIGINT`: the record shape fingerprint of [`crate::shape`], registered in
//! DuckDB so that the staging SQL keeps one fingerprint per user (sql/stage/masked_rows.sql).

use std::collections::hash_map::RandomState;
use std::error::Error;

use duckdb::{
    core::{DataChunkHandle, LogicalTypeId},
    ffi::duckdb_string_t,
    types::DuckString,
    vscalar::{ScalarFunctionSignature, VScalar},
    vtab::arrow::WritableVector,
};

use crate::shape::fingerprint;

/// `json_layout(VARCHAR) → UBIGINT`: [`fingerprint`] of every row; NULL for NULL or for text that
/// is not a JSON object.
pub struct LayoutFn;

impl VScalar for LayoutFn {
    type State = RandomState;

    fn invoke(
        state: &RandomState,
        input: &mut DataChunkHandle,
        output: &mut dyn WritableVector,
    ) -> Result<(), Box<dyn Error>> {
        let len = input.len();
        let column = input.flat_vector(0);
        // SAFETY: column 0 is VARCHAR by the signature, and we read only rows 0..len.
        let values = unsafe { column.as_slice_with_len::<duckdb_string_t>(len) };
        let mut out = output.flat_vector();
        let mut buf = Vec::with_capacity(512);
        for (row, value) in values.iter().enumerate() {
            let print = if column.row_is_null(row as u64) {
                None
            } else {
                let mut value = *value;
                fingerprint(state, DuckString::new(&mut value).as_bytes(), &mut buf)
            };
            match print {
                // SAFETY: the output is UBIGINT by the signature; row < len ≤ its capacity.
                Some(print) => unsafe { out.as_mut_slice_with_len::<u64>(len)[row] = print },
                None => out.set_null(row),
            }
        }
        Ok(())
    }

    fn signatures() -> Vec<ScalarFunctionSignature> {
        vec![ScalarFunctionSignature::exact(vec![LogicalTypeId::Varchar.into()], LogicalTypeId::UBigint.into())]
    }
}
