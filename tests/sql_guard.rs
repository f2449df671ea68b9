//! The engine half of the `duckpipe sql` guard (issue 13, item 5): after `Engine::open`, DuckDB
//! itself refuses to change any setting, and persistent secrets; statements are split and typed
//! by DuckDB's parser, so text that hides a statement from a naive splitter is still seen.

use base64::Engine as _;
use duckpipe::engine::Engine;
use duckpipe::engine::statements::StatementKind;
use duckpipe::keys::{HmacKey, ParquetKey};

fn engine() -> Engine {
    let b64 = base64::engine::general_purpose::STANDARD;
    Engine::open(
        &ParquetKey::parse(&b64.encode([9u8; 32])).unwrap(),
        Some(&HmacKey::parse(&b64.encode([5u8; 32])).unwrap()),
    )
    .unwrap()
}

/// Every setting DuckDB has, set to its own current value and reset, on a user connection, at
/// every scope: all refused, except the schema search path (which is not configuration).
#[test]
fn every_duckdb_setting_is_locked() {
    let engine = engine();
    let settings: Vec<(String, Option<String>)> = engine
        .rows("SELECT name, value FROM duckdb_settings() ORDER BY name", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert!(settings.len() > 100, "{} settings", settings.len());
    let user = engine.user_connection().unwrap();
    let mut changed = Vec::new();
    for (name, value) in &settings {
        let value = duckpipe::engine::sql::quote(value.as_deref().unwrap_or(""));
        for statement in [
            format!("SET \"{name}\" = {value}"),
            format!("SET GLOBAL \"{name}\" = {value}"),
            format!("SET SESSION \"{name}\" = {value}"),
            format!("RESET \"{name}\""),
            format!("PRAGMA \"{name}\" = {value}"),
        ] {
            let statements = user.statements(&statement).unwrap();
            let outcome = statements.prepare(0).and_then(|p| p.execute());
            match outcome {
                Err(e) if e.0.contains("the configuration has been locked") => {}
                Err(e) if e.0.contains("cannot be set globally") || e.0.contains("Not implemented") => {}
                other => changed.push((statement, other.err().map(|e| e.0))),
            }
        }
    }
    let allowed: Vec<&str> = changed.iter().map(|(s, _)| s.as_str()).collect();
    assert!(
        allowed.iter().all(|s| s.contains("\"schema\"") || s.contains("\"search_path\"")),
        "settings DuckDB let change: {changed:?}"
    );
    for (name, value) in [
        ("lock_configuration", "true"),
        ("allow_persistent_secrets", "false"),
        ("autoinstall_known_extensions", "false"),
        ("autoload_known_extensions", "false"),
        ("allow_community_extensions", "false"),
        ("allow_unsigned_extensions", "false"),
        ("temp_file_encryption", "true"),
        ("TimeZone", "UTC"),
    ] {
        let got: String = engine.one(&format!("SELECT current_setting('{name}')::VARCHAR"), [], |r| r.get(0)).unwrap();
        assert_eq!(got, value, "{name}");
    }
}

#[test]
fn secrets_outside_memory_are_refused_by_duckdb() {
    let engine = engine();
    let user = engine.user_connection().unwrap();
    for statement in [
        "CREATE PERSISTENT SECRET a (TYPE s3, KEY_ID 'k', SECRET 's')",
        "CREATE OR REPLACE PERSISTENT SECRET a (TYPE s3, KEY_ID 'k', SECRET 's')",
        "CREATE SECRET a IN local_file (TYPE s3, KEY_ID 'k', SECRET 's')",
        "create secret a in LOCAL_FILE (type s3)",
        "CREATE SECRET a IN some_other_storage (TYPE s3)",
    ] {
        let statements = user.statements(statement).unwrap();
        let err = statements.prepare(0).and_then(|p| p.execute()).unwrap_err();
        assert!(err.0.contains("Persistent secrets are disabled"), "{statement}: {}", err.0);
    }
    let statements = user.statements("CREATE SECRET m IN memory (TYPE s3, KEY_ID 'k', SECRET 's')").unwrap();
    statements.prepare(0).unwrap().execute().unwrap();
    assert_eq!(user.count_trusted("SELECT count(*) FROM duckdb_secrets() WHERE storage <> 'memory'").unwrap(), 0);
    assert_eq!(user.count_trusted("SELECT count(*) FROM duckdb_secrets() WHERE name = 'm'").unwrap(), 1);
}

/// DuckDB's parser, not duckpipe's, decides what a statement is and where it ends.
#[test]
fn statements_are_split_and_typed_by_duckdb() {
    let engine = engine();
    let user = engine.user_connection().unwrap();
    let kinds = |text: &str| -> Vec<StatementKind> {
        let statements = user.statements(text).unwrap();
        (0..statements.len()).map(|i| statements.prepare(i).unwrap_or_else(|e| panic!("{text}: {e}")).kind()).collect()
    };
    use StatementKind::*;
    // A string with a backslash-escaped quote: the INSTALL is a statement of its own to DuckDB.
    assert_eq!(kinds(r"SELECT E'\''; INSTALL httpfs; --'"), [Select, Load]);
    // Nested block comments hide nothing.
    assert_eq!(kinds("SELECT 1 /* a /* b */ ; INSTALL x; */ AS one"), [Select]);
    assert_eq!(kinds("INSTALL/**/httpfs"), [Load]);
    assert_eq!(kinds("install\n\t-- c\n  HTTPFS"), [Load]);
    assert_eq!(kinds("SELECT $$;INSTALL x;$$; LOAD httpfs"), [Select, Load]);
    assert_eq!(kinds("SELECT 1 AS a$b; UPDATE EXTENSIONS"), [Select, UpdateExtensions]);
    assert_eq!(kinds("EXPLAIN ANALYZE INSTALL x"), [Explain]);
    assert_eq!(
        kinds("SET VARIABLE v = 1; SET/**/threads = 1; PRAGMA threads = 1; RESET threads"),
        [Set, Set, Set, Set]
    );
    // A pragma that expands into a query is classified as what DuckDB runs.
    user.run_trusted("CREATE TEMP TABLE t (a INTEGER)").unwrap();
    assert_eq!(kinds("PRAGMA table_info('t')"), [Select]);
    assert!(kinds("-- nothing\n/* at all */").is_empty());
}
