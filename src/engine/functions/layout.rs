//! `json_layout(VARCHAR) → UBIGINT`: the record shape fingerprint of [`crate::shape`], registered in
//! DuckDB so that the staging SQL keeps one fingerprint per user (sql/stage/masked_rows.sql).

use std::error::Error;

use duckdb::{
    core::{DataChunkHandle, LogicalTypeId},
    ffi::duckdb_string_t,
    types::DuckString,
    vscalar::{ScalarFunctionSignature, VScalar},
    vtab::arrow::WritableVector,
};

use crate::schema::fields;
use crate::shape::Layout;

/// `json_layout(VARCHAR) → UBIGINT`: [`Layout::fingerprint`] of every row; NULL for NULL or for
/// text that is not a JSON object.
pub struct LayoutFn;

/// The fingerprinter DuckDB's `json_layout` uses: a fresh hash key, and the kept fields' names
/// as typed keys (src/schema/fields.rs).
pub fn layout() -> Layout {
    Layout::new(&fields::kept_leaf_names())
}

impl VScalar for LayoutFn {
    type State = Layout;

    fn invoke(
        state: &Layout,
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
                state.fingerprint(DuckString::new(&mut value).as_bytes(), &mut buf)
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
