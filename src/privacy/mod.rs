//! Privacy you can defend: the classification of every input field (`fields`, mirrored by
//! `docs/privacy.md`), the fail-closed check for fields it does not know (`unknown`, helped by the
//! per-record shape fingerprint in `layout`), the
//! re-identification risk of the stored data (`risk`) and k-anonymity on request (`kanon`).

pub mod fields;
pub mod kanon;
pub mod layout;
pub mod risk;
pub mod unknown;

/// The privacy options of a load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadPrivacy {
    /// Refuse the load when the input holds fields the classification does not know.
    pub strict: bool,
    /// Make every quasi-identifier class hold at least this many records (None: off).
    pub min_k: Option<u32>,
}
