//! Fail closed on the input side: fields the source delivers that the classification
//! (`schema::fields`) does not know. The mask step is an allow-list, so such a field never
//! reaches the output anyway; this check makes it visible (run summary, warning) and lets
//! `load --strict` refuse the run instead.

use crate::engine::{Engine, sql};
use crate::error::SourceError;
use crate::lake::record::{UnknownField, describe_unknown as describe};

use crate::schema::fields;

/// Builds `layout_samples`, one parsed user per distinct shape (sql/run/layout_samples.sql), once
/// the run is staged, and sets the classification's lists for the checks on samples: the
/// unknown-field check here, the kept-field types and the delivered-groups check (`reject`).
pub fn sample(engine: &Engine) -> anyhow::Result<()> {
    engine.set_list("known_objects", &fields::object_paths())?;
    engine.set_list("known_paths", &fields::known_paths())?;
    engine.set_list("kept_leaves", &fields::kept_paths())?;
    Ok(engine.run(&sql::LAYOUT_SAMPLES)?)
}

/// Longest field name shown: a field *name* is not a value, but a file could put anything in
/// it, so names are shortened and control characters replaced before they are printed.
const MAX_PATH_CHARS: usize = 80;

fn printable(path: &str) -> String {
    let mut out: String = path.chars().map(|c| if c.is_control() { '?' } else { c }).take(MAX_PATH_CHARS).collect();
    if path.chars().count() > MAX_PATH_CHARS {
        out.push('…');
    }
    out
}

/// The unknown fields among the staged users, sorted by path. Needs `layout_samples`
/// ([`sample`]).
pub fn detect(engine: &Engine) -> anyhow::Result<Vec<UnknownField>> {
    let rows = engine
        .rows(&sql::UNKNOWN_FIELDS.sql(), [], |r| {
            Ok(UnknownField {
                path: printable(&r.get::<_, String>(0)?),
                records: r.get::<_, i64>(1)? as u64,
                shape: r.get(2)?,
            })
        })
        .map_err(|e| e.context("checking input fields"))?;
    Ok(rows)
}

/// Detects unknown fields, logs them (names and counts only) and, when `strict`, refuses the load.
pub fn check(engine: &Engine, strict: bool) -> anyhow::Result<Vec<UnknownField>> {
    let started = std::time::Instant::now();
    let unknown = detect(engine)?;
    tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, "input fields checked");
    if unknown.is_empty() {
        return Ok(unknown);
    }
    let list = describe(&unknown);
    // A kept field holding a structure would carry the structure's contents into the output as
    // text: never acceptable, strict or not.
    let written: Vec<&UnknownField> = unknown.iter().filter(|u| u.shape.is_some()).collect();
    if !written.is_empty() {
        let names: Vec<UnknownField> = written.into_iter().cloned().collect();
        return Err(SourceError(format!(
            "input fields that duckpipe keeps hold a structure instead of a value ({}): nothing was written",
            describe(&names)
        ))
        .into());
    }
    if strict {
        return Err(SourceError(format!(
            "the input holds fields duckpipe does not classify ({list}) and --strict is set: nothing was written \
             (see docs/privacy.md; without --strict such fields are dropped and reported)"
        ))
        .into());
    }
    tracing::warn!(fields = %list, "input holds unclassified fields: dropped, not written (see docs/privacy.md)");
    Ok(unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_printable_and_short() {
        assert_eq!(printable("location.foo"), "location.foo");
        assert_eq!(printable("a\nb"), "a?b");
        let long = "x".repeat(200);
        assert_eq!(printable(&long).chars().count(), MAX_PATH_CHARS + 1);
        let d = describe(&[
            UnknownField { path: "a".into(), records: 1, shape: None },
            UnknownField { path: "b.c".into(), records: 3, shape: None },
            UnknownField { path: "picture.large".into(), records: 2, shape: Some("object".into()) },
        ]);
        assert_eq!(d, "a (1 user), b.c (3 users), picture.large (holds an object, 2 users)");
    }
}
