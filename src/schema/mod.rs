//! The facts about a user record and about what the lake holds, each written once: the
//! classification of every input field (`fields`, mirrored by docs/privacy.md), the fields a
//! user must have (`required`).

pub mod fields;
pub mod nationality;
pub mod required;
