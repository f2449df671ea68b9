//! What `duckpipe sql` refuses, decided on DuckDB's own terms: every statement DuckDB's parser
//! extracts from the input is prepared and classified by DuckDB (`engine::statements`), and
//! [`check`] decides on that classification before the statement runs. Nothing here reads SQL
//! text, so comments between keywords, odd case or spacing, `E''` and dollar-quoted strings,
//! nested comments or several statements in one line cannot hide a statement from it.
//!
//! | refused (DuckDB's statement type) | why |
//! |---|---|
//! | LOAD: `INSTALL`, `FORCE INSTALL`, `LOAD`; `UPDATE EXTENSIONS` | they download or load code; httpfs, json and parquet are already loaded, and nothing is downloaded at run time (DuckDB itself would download: no setting stops an explicit INSTALL) |
//! | EXPLAIN | `EXPLAIN ANALYZE` runs the statement inside it, whose type DuckDB does not report |
//! | extension statements, logical plans, multi-statements, unknown types | nothing duckpipe knows to be safe |
//!
//! Behind the gate, DuckDB itself refuses what a type cannot tell apart. SET statements (`SET`,
//! `RESET`, `SET GLOBAL`/`SESSION`, `PRAGMA name = value`, `USE` — and `SET VARIABLE`, which
//! DuckDB gives the same type) go to DuckDB, whose configuration duckpipe locked after its own
//! set-up: every setting is refused (autoinstall/autoload, extension directory and repositories,
//! unsigned and community extensions, secret settings, temp-file encryption, external access,
//! threads, …) except the schema search path; variables work. Persistent secrets are disabled,
//! so `CREATE PERSISTENT SECRET` and `CREATE SECRET … IN <any storage but memory>` fail inside
//! DuckDB. [`refusal_from_engine`] turns those errors into refusals, and after every statement
//! the session checks that no secret is held anywhere but in memory.

use crate::engine::statements::StatementKind;

/// Why a statement is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("refused: {0} (see `duckpipe sql --help`)")]
pub struct Refused(pub String);

/// `Err` with a clear reason when a statement of this kind must not run.
pub fn check(kind: StatementKind) -> Result<(), Refused> {
    use StatementKind::*;
    let why = match kind {
        Select | Insert | Update | Delete | MergeInto | Prepare | Execute | Create | CreateFunction | Alter | Drop
        | Transaction | Copy | CopyDatabase | Export | Analyze | Vacuum | Call | Pragma | VariableSet | Set
        | Attach | Detach | Relation => return Ok(()),
        Load => {
            "INSTALL and LOAD download or load extensions; duckpipe never downloads at run time and \
                 httpfs, json and parquet are already loaded"
        }
        UpdateExtensions => "UPDATE EXTENSIONS downloads extensions; duckpipe never downloads at run time",
        Explain => {
            "EXPLAIN is refused: EXPLAIN ANALYZE runs the statement inside it, and DuckDB does not say \
                    which statement that is"
        }
        Extension | LogicalPlan | Multi | Other(_) => "DuckDB classifies this statement as one duckpipe does not run",
    };
    Err(Refused(why.to_string()))
}

/// DuckDB's own refusals (the locked configuration, disabled persistent secrets), as refusals
/// rather than engine failures. `message` is DuckDB's sanitized error text.
pub fn refusal_from_engine(message: &str) -> Option<Refused> {
    if message.contains("the configuration has been locked") {
        let name = message.split('"').nth(1).filter(|n| !n.contains('…')).unwrap_or("this setting");
        return Some(Refused(format!(
            "{name} is locked by duckpipe for the session, like every DuckDB setting (SET VARIABLE works): \
             the settings guard against downloads, unsigned code and secrets on disk"
        )));
    }
    if message.contains("Persistent secrets are disabled") {
        return Some(Refused(
            "secrets are kept in memory only (CREATE SECRET without PERSISTENT or IN …); DuckDB writes \
             persistent secrets in plain text to disk"
                .into(),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_by_statement_type() {
        for kind in [
            StatementKind::Load,
            StatementKind::UpdateExtensions,
            StatementKind::Explain,
            StatementKind::Extension,
            StatementKind::Other(99),
        ] {
            assert!(check(kind).is_err(), "{kind:?}");
        }
        // SET: DuckDB's locked configuration decides (SET VARIABLE has the same type).
        for kind in [StatementKind::Select, StatementKind::Set, StatementKind::Create, StatementKind::Copy] {
            assert_eq!(check(kind), Ok(()), "{kind:?}");
        }
        assert!(check(StatementKind::Load).unwrap_err().to_string().contains("never downloads"));
    }

    #[test]
    fn duckdbs_own_refusals_are_refusals() {
        let locked =
            "Invalid Input Error: Cannot change configuration option \"threads\" - the configuration has been locked";
        assert!(refusal_from_engine(locked).unwrap().0.starts_with("threads is locked"));
        assert!(
            refusal_from_engine("Invalid Input Error: Persistent secrets are disabled. Restart DuckDB …")
                .unwrap()
                .0
                .contains("plain text to disk")
        );
        assert_eq!(refusal_from_engine("Binder Error: no such table"), None);
    }
}
