//! Every field of a randomuser.me user, classified: the code form of the table in
//! `docs/privacy.md` (a test keeps the two identical).
//!
//! The list is also what "known" means on the input side: a field the source delivers that is
//! not a path here (or an ancestor object of one) is unknown, dropped and reported
//! (see `pipeline::check`).

use serde::Serialize;

/// What a field is in data-protection terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Names the person on its own (name, e-mail, phone, exact address, account ids).
    DirectIdentifier,
    /// Does not name the person alone but does in combination (gender, birth date, place).
    QuasiIdentifier,
    /// Secrets for an account: passwords, salts and password hashes.
    Credential,
    /// Not identifying as such but revealing about the person (e.g. nationality).
    Sensitive,
    /// Says nothing about the person (e.g. a generic picture URL pattern); still not kept
    /// unless needed.
    NonPersonal,
}

impl Class {
    /// The label used in `docs/privacy.md`.
    pub fn label(self) -> &'static str {
        match self {
            Self::DirectIdentifier => "direct identifier",
            Self::QuasiIdentifier => "quasi-identifier",
            Self::Credential => "credential",
            Self::Sensitive => "sensitive",
            Self::NonPersonal => "non-personal",
        }
    }
}

/// What duckpipe does with a field on its way to the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Treatment {
    /// Never leaves the run's private DuckDB.
    Dropped,
    /// Replaced by a keyed HMAC-SHA256 pseudonym.
    Pseudonymised,
    /// Kept in a coarser form (birth date → age and band; timestamp → date).
    Generalised,
    /// Kept as received (and generalised further by `load --min-k` where needed).
    Kept,
}

impl Treatment {
    /// The label used in `docs/privacy.md`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Dropped => "dropped",
            Self::Pseudonymised => "pseudonymised",
            Self::Generalised => "generalised",
            Self::Kept => "kept",
        }
    }
}

/// One leaf field of the user object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// JSON path from the user object, dot-separated (`location.street.number`).
    pub path: &'static str,
    pub class: Class,
    pub treatment: Treatment,
    /// Output column(s) the field feeds, empty when dropped.
    pub columns: &'static [&'static str],
}

use Class::*;
use Treatment::*;

const fn f(path: &'static str, class: Class, treatment: Treatment, columns: &'static [&'static str]) -> Field {
    Field { path, class, treatment, columns }
}

/// Every leaf field of a v1.3/v1.4 user, in the API's key order.
pub const FIELDS: &[Field] = &[
    f("gender", QuasiIdentifier, Kept, &["gender"]),
    f("name.title", QuasiIdentifier, Dropped, &[]),
    f("name.first", DirectIdentifier, Dropped, &[]),
    f("name.last", DirectIdentifier, Dropped, &[]),
    f("location.street.number", DirectIdentifier, Dropped, &[]),
    f("location.street.name", DirectIdentifier, Dropped, &[]),
    f("location.city", QuasiIdentifier, Kept, &["city"]),
    f("location.state", QuasiIdentifier, Dropped, &[]),
    f("location.country", QuasiIdentifier, Kept, &["country"]),
    f("location.postcode", QuasiIdentifier, Dropped, &[]),
    f("location.coordinates.latitude", DirectIdentifier, Dropped, &[]),
    f("location.coordinates.longitude", DirectIdentifier, Dropped, &[]),
    f("location.timezone.offset", QuasiIdentifier, Dropped, &[]),
    f("location.timezone.description", QuasiIdentifier, Dropped, &[]),
    f("email", DirectIdentifier, Pseudonymised, &["email_pseudonym"]),
    f("login.uuid", DirectIdentifier, Pseudonymised, &["user_id"]),
    f("login.username", DirectIdentifier, Dropped, &[]),
    f("login.password", Credential, Dropped, &[]),
    f("login.salt", Credential, Dropped, &[]),
    f("login.md5", Credential, Dropped, &[]),
    f("login.sha1", Credential, Dropped, &[]),
    f("login.sha256", Credential, Dropped, &[]),
    f("dob.date", QuasiIdentifier, Generalised, &["age", "age_band"]),
    f("dob.age", QuasiIdentifier, Dropped, &[]),
    f("registered.date", QuasiIdentifier, Generalised, &["registered_date"]),
    f("registered.age", QuasiIdentifier, Dropped, &[]),
    f("phone", DirectIdentifier, Dropped, &[]),
    f("cell", DirectIdentifier, Dropped, &[]),
    f("id.name", QuasiIdentifier, Dropped, &[]),
    f("id.value", DirectIdentifier, Dropped, &[]),
    f("picture.large", DirectIdentifier, Dropped, &[]),
    f("picture.medium", DirectIdentifier, Dropped, &[]),
    f("picture.thumbnail", DirectIdentifier, Dropped, &[]),
    f("nat", Sensitive, Kept, &["nat"]),
];

/// The field at `path`, if classified.
pub fn field(path: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.path == path)
}

/// Every object that holds classified fields, as dotted paths, the user object itself as "".
/// Parents come before their children.
pub fn object_paths() -> Vec<&'static str> {
    let mut out = vec![""];
    for f in FIELDS {
        let mut end = 0;
        while let Some(i) = f.path[end..].find('.') {
            end += i;
            let parent = &f.path[..end];
            if !out.contains(&parent) {
                out.push(parent);
            }
            end += 1;
        }
    }
    out
}

/// The classified leaves that reach the output in some form (every treatment but "dropped").
pub fn kept_paths() -> Vec<&'static str> {
    FIELDS.iter().filter(|f| f.treatment != Treatment::Dropped).map(|f| f.path).collect()
}

/// The last names of [`kept_paths`] (`login.uuid` → `uuid`), each once: the keys under which the
/// record-shape fingerprint tells a string from a number, a boolean or null (`crate::shape`).
pub fn kept_leaf_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> =
        kept_paths().into_iter().map(|p| p.rsplit_once('.').map_or(p, |(_, name)| name)).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The credential fields' own names (`password`, `salt`, …), each once.
pub fn credential_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = FIELDS
        .iter()
        .filter(|f| f.class == Class::Credential)
        .map(|f| f.path.rsplit_once('.').map_or(f.path, |(_, name)| name))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// A JSON merge patch (RFC 7396) that deletes every credential field, e.g.
/// `{"login":{"md5":null,"password":null,…}}`, for the quarantine (sql/write/quarantine.sql).
pub fn credential_patch() -> String {
    let mut patch = serde_json::Map::new();
    for f in FIELDS.iter().filter(|f| f.class == Class::Credential) {
        let mut node = &mut patch;
        let mut parts = f.path.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                node.insert(part.to_string(), serde_json::Value::Null);
            } else {
                node = node
                    .entry(part.to_string())
                    .or_insert_with(|| serde_json::Value::Object(Default::default()))
                    .as_object_mut()
                    .expect("credential paths do not run through a leaf");
            }
        }
    }
    serde_json::Value::Object(patch).to_string()
}

/// Every known path: the leaves and the objects that hold them (without the root "").
pub fn known_paths() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = object_paths().into_iter().filter(|p| !p.is_empty()).collect();
    out.extend(FIELDS.iter().map(|f| f.path));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_objects_are_derived() {
        let mut paths: Vec<_> = FIELDS.iter().map(|f| f.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), FIELDS.len(), "a path is listed twice");
        assert_eq!(
            object_paths(),
            vec![
                "",
                "name",
                "location",
                "location.street",
                "location.coordinates",
                "location.timezone",
                "login",
                "dob",
                "registered",
                "id",
                "picture"
            ]
        );
        assert!(known_paths().contains(&"location.timezone"));
        assert!(known_paths().contains(&"nat"));
    }

    #[test]
    fn the_quarantine_patch_deletes_every_credential_under_login() {
        assert_eq!(
            credential_patch(),
            r#"{"login":{"md5":null,"password":null,"salt":null,"sha1":null,"sha256":null}}"#
        );
        // sql/write/quarantine.sql applies the patch where `login` is an object: every credential
        // lives there.
        assert!(FIELDS.iter().filter(|f| f.class == Class::Credential).all(|f| f.path.starts_with("login.")));
        assert_eq!(credential_names(), ["md5", "password", "salt", "sha1", "sha256"]);
    }

    #[test]
    fn credentials_and_direct_identifiers_never_leave_in_clear() {
        for f in FIELDS {
            match f.class {
                Credential => assert_eq!(f.treatment, Dropped, "{}", f.path),
                DirectIdentifier => assert!(matches!(f.treatment, Dropped | Pseudonymised), "{}", f.path),
                _ => {}
            }
            assert_eq!(f.columns.is_empty(), f.treatment == Dropped, "{}: columns iff kept in some form", f.path);
        }
    }

    /// The classification matches what the mask step actually outputs: every output column
    /// that carries user data is fed by a classified field.
    #[test]
    fn every_personal_output_column_has_a_source_field() {
        let mask = include_str!("../../sql/stage/masked_rows.sql");
        for col in
            ["user_id", "email_pseudonym", "gender", "age", "age_band", "registered_date", "country", "city", "nat"]
        {
            assert!(
                mask.contains(&format!("AS {col}")) || mask.contains(&format!("    {col},")),
                "{col} not in masked_rows.sql"
            );
            assert!(FIELDS.iter().any(|f| f.columns.contains(&col)), "{col} has no classified source field");
        }
    }

    /// docs/privacy.md lists exactly the same paths, with the same class and treatment.
    #[test]
    fn docs_list_exactly_the_classified_paths() {
        let doc = include_str!("../../docs/privacy.md");
        let rows = doc_table(doc);
        let code: Vec<(String, String, String)> = FIELDS
            .iter()
            .map(|f| (f.path.to_string(), f.class.label().to_string(), f.treatment.label().to_string()))
            .collect();
        let doc_paths: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        let code_paths: Vec<&str> = FIELDS.iter().map(|f| f.path).collect();
        let mut a = doc_paths.clone();
        let mut b = code_paths.clone();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b, "docs/privacy.md and src/privacy/fields.rs list different paths");
        for row in &code {
            assert!(rows.contains(row), "docs/privacy.md disagrees on {row:?}");
        }
    }

    /// (path, class, treatment) from the rows of the field table: lines `| `path` | class | treatment | ...`.
    fn doc_table(doc: &str) -> Vec<(String, String, String)> {
        doc.lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.trim().strip_prefix('|')?.split('|').map(str::trim).collect();
                let path = cells.first()?.strip_prefix('`')?.strip_suffix('`')?;
                Some((path.to_string(), cells.get(1)?.to_string(), cells.get(2)?.to_string()))
            })
            .collect()
    }
}
