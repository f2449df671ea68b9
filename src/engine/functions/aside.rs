//! `set_aside(clean BOOLEAN, doc VARCHAR) → BOOLEAN`: where a streamed load notes the records it
//! does not write straight away (sql/stage/streamed_users.sql). It answers `clean`; for each row
//! that is not clean it keeps a keyed hash of the record's text (NULL: a record without text,
//! only counted), so that the load can find the record again in the file
//! (`pipeline::stream`).

use std::collections::HashSet;
use std::collections::hash_map::RandomState;
use std::error::Error;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};

use duckdb::{
    core::{DataChunkHandle, LogicalTypeId},
    ffi::duckdb_string_t,
    types::DuckString,
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
    /// Distinct hashes of their texts, without the blanks around them.
    hashes: HashSet<u64>,
    /// The lengths of those texts: most lines of a file are told apart by length, unhashed.
    lengths: HashSet<usize>,
    /// The hash key, random per engine (a crafted line cannot be made to match another).
    hasher: RandomState,
}

impl Noted {
    fn note(&mut self, text: &[u8]) {
        let text = text.trim_ascii();
        self.lengths.insert(text.len());
        self.hashes.insert(self.hasher.hash_one(text));
    }

    /// Whether a record with this text was set aside (or one whose text has the same hash).
    pub fn holds(&self, text: &[u8]) -> bool {
        let text = text.trim_ascii();
        self.lengths.contains(&text.len()) && self.hashes.contains(&self.hasher.hash_one(text))
    }
}

impl SetAside {
    /// What was noted since the last call, leaving the set empty (with the same hash key).
    pub fn take(&self) -> Noted {
        let mut noted = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let hasher = noted.hasher.clone();
        std::mem::replace(&mut *noted, Noted { hasher, ..Default::default() })
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
        let (clean, docs) = (input.flat_vector(0), input.flat_vector(1));
        // SAFETY: columns 0 and 1 are BOOLEAN and VARCHAR by the signature; rows 0..len only.
        let (flags, texts) =
            unsafe { (clean.as_slice_with_len::<bool>(len), docs.as_slice_with_len::<duckdb_string_t>(len)) };
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
            if !docs.row_is_null(row as u64) {
                let mut text = texts[row];
                noted.note(DuckString::new(&mut text).as_bytes());
            }
        }
        Ok(())
    }

    fn signatures() -> Vec<ScalarFunctionSignature> {
        vec![ScalarFunctionSignature::exact(
            vec![LogicalTypeId::Boolean.into(), LogicalTypeId::Varchar.into()],
            LogicalTypeId::Boolean.into(),
        )]
    }

    /// Called for every row, never folded or cached: the calls are the point. (A volatile
    /// result also keeps DuckDB from pushing the filter on it down: sql/stage/streamed_users.sql.)
    fn volatile() -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_found_again_without_their_blanks_and_the_set_empties() {
        let aside = SetAside::default();
        aside.0.lock().unwrap().note(b" {\"a\": 1}\r");
        aside.0.lock().unwrap().records = 2;
        let noted = aside.take();
        assert_eq!(noted.records, 2);
        assert!(noted.holds(b"{\"a\": 1}") && noted.holds(b"\t{\"a\": 1} "));
        assert!(!noted.holds(b"{\"a\": 2}") && !noted.holds(b"{\"a\":1}"));
        let again = aside.take();
        assert_eq!(again.records, 0);
        assert!(!again.holds(b"{\"a\": 1}"));
    }
}
