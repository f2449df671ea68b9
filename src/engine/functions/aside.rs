//! `set_aside(clean BOOLEAN, hash UBIGINT) → BOOLEAN`: where a streamed load notes the records it
//! does not write straight away (sql/stage/streamed_users.sql). It answers `clean`; for each row
//! that is not clean it keeps the hash of the record's text (NULL: a record without text, only
//! counted).

use std::collections::HashSet;
use std::error::Error;
use std::sync::{Arc, Mutex};

use duckdb::{
    core::{DataChunkHandle, LogicalTypeId},
    vscalar::{ScalarFunctionSignature, VScalar},
    vtab::arrow::WritableVector,
};

/// The records set aside so far: shared by the function (on every DuckDB thread) and the load.
#[derive(Clone, Default)]
pub struct SetAside(Arc<Mutex<Noted>>);

/// What [`SetAside`] holds.
#[derive(Default)]
pub struct Noted {
    /// Records set aside (rows the function saw).
    pub records: u64,
    /// Distinct hashes of their texts.
    pub hashes: HashSet<u64>,
}

impl SetAside {
    /// What was noted since the last call, leaving the set empty.
    pub fn take(&self) -> Noted {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

pub struct SetAsideFn;

impl VScalar for SetAsideFn {
    type State = SetAside;

    fn invoke(
        state: &SetAside,
        input: &mut DataChunkHandle,
        output: &mut dyn WritableVector,
    ) -> Result<(), Box<dyn Error>> {
        let len = input.len();
        let (clean, hashes) = (input.flat_vector(0), input.flat_vector(1));
        // SAFETY: columns 0 and 1 are BOOLEAN and UBIGINT by the signature; rows 0..len only.
        let (flags, values) = unsafe { (clean.as_slice_with_len::<bool>(len), hashes.as_slice_with_len::<u64>(len)) };
        let mut out = output.flat_vector();
        // SAFETY: the output is BOOLEAN by the signature; len ≤ its capacity.
        let answers = unsafe { out.as_mut_slice_with_len::<bool>(len) };
        let mut noted: Option<std::sync::MutexGuard<'_, Noted>> = None;
        for row in 0..len {
            answers[row] = !clean.row_is_null(row as u64) && flags[row];
            if answers[row] {
                continue;
            }
            let noted = noted.get_or_insert_with(|| state.0.lock().unwrap_or_else(|e| e.into_inner()));
            noted.records += 1;
            if !hashes.row_is_null(row as u64) {
                noted.hashes.insert(values[row]);
            }
        }
        Ok(())
    }

    fn signatures() -> Vec<ScalarFunctionSignature> {
        vec![ScalarFunctionSignature::exact(
            vec![LogicalTypeId::Boolean.into(), LogicalTypeId::UBigint.into()],
            LogicalTypeId::Boolean.into(),
        )]
    }

    /// Called for every row, never folded or cached: the calls are the point.
    fn volatile() -> bool {
        true
    }
}
