//! The facts about a user record and about what the lake holds, each written once: the
//! classification of every input field (`fields`, mirrored by docs/privacy.md), the fields a
//! user must have (`required`), the nationalities the API knows (`nationality`) and the columns
//! of the lake's data (`output`).

pub mod fields;
pub mod nationality;
pub mod output;
pub mod required;
