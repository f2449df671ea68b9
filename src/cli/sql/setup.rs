//! `duckpipe sql --print-setup`: the statements to paste into a stock DuckDB 1.5.5 shell so it
//! sees what `duckpipe sql` sees — httpfs, the Parquet key, the S3 secret, the view `users` and
//! the analytics variables.
//!
//! No key or secret is printed: the shell reads them from its own environment with `getenv()`
//! (a function of the DuckDB CLI), which `PRAGMA add_parquet_key` and `CREATE SECRET` both
//! evaluate. Only non-secret settings (region, endpoint, TLS) appear as literals.

use std::path::Path;

use time::OffsetDateTime;

use crate::engine::{PARQUET_KEY_NAME, sql::quote};
use crate::keys::{PARQUET_KEY_VAR, ParquetKey};
use crate::lake::s3::Credentials;
use crate::lake::{self, Destination, S3Settings, users_view};
use crate::timefmt;

/// The setup script. The view is defined by `users_view::open_users_view` in a real session and
/// read back from DuckDB's catalog, so the shell reads exactly the objects duckpipe reads, with
/// the same rule for a user stored in several runs.
pub fn render(
    dest: &Destination,
    parquet: &ParquetKey,
    as_of: OffsetDateTime,
    top: u32,
    httpfs: Option<&Path>,
) -> anyhow::Result<String> {
    let s3 = if dest.is_s3() { Some(S3Settings::from_env(|k| std::env::var(k).ok())?) } else { None };
    let engine = lake::open(dest, parquet, None, false)?;
    users_view::open_users_view(&engine, dest)?;
    let view: String =
        engine.one("SELECT sql FROM duckdb_views() WHERE view_name = 'users' AND NOT internal", [], |r| r.get(0))?;
    let view = replaceable(view.trim().trim_end_matches(';'));

    let mut out = String::new();
    out.push_str(&format!(
        "-- duckpipe: paste into a DuckDB 1.5.5 shell (duckdb CLI) to query {dest} directly.\n\
         -- Start the shell where {PARQUET_KEY_VAR}{} set: the statements below read them with getenv(),\n\
         -- so no key or secret is typed, printed or kept in shell history.\n",
        if s3.is_some() { ", AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are" } else { " is" }
    ));
    out.push_str(
        "\n-- Secrets saved on disk (~/.duckdb/stored_secrets) could send requests elsewhere: off, like in duckpipe.\n\
         SET allow_persistent_secrets = false;\n",
    );
    if let Some(s3) = &s3 {
        out.push_str("\n-- S3 access (httpfs).\n");
        match httpfs {
            Some(path) => out.push_str(&format!("LOAD {};\n", quote(&path.to_string_lossy()))),
            None => {
                out.push_str("LOAD httpfs;  -- offline: LOAD '/path/to/httpfs.duckdb_extension' (v1.5.5, signed)\n")
            }
        }
        out.push_str(&s3.secret_statement(Credentials::FromEnv));
        out.push('\n');
    }
    out.push_str(&format!(
        "\n-- The Parquet key, registered under the name the files were written with.\n\
         PRAGMA add_parquet_key({}, getenv('{PARQUET_KEY_VAR}'));\n",
        quote(PARQUET_KEY_NAME)
    ));
    out.push_str(&format!("\n-- The stored users, as `duckpipe report` reads them.\n{view};\n"));
    out.push_str(&format!(
        "\n-- Variables used by sql/analytics/*.sql (then e.g. `.read sql/analytics/q3_top_countries.sql`).\n\
         SET VARIABLE as_of = {};\n\
         SET VARIABLE top_n = {top};\n",
        timefmt::sql_timestamp(as_of)
    ));
    Ok(out)
}

/// `CREATE VIEW …` → `CREATE OR REPLACE VIEW …`, so the setup can be pasted twice.
fn replaceable(create: &str) -> String {
    let upper = create.to_ascii_uppercase();
    if upper.starts_with("CREATE ") && !upper.starts_with("CREATE OR REPLACE ") {
        format!("CREATE OR REPLACE {}", &create["CREATE ".len()..])
    } else {
        create.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_become_replaceable() {
        assert_eq!(replaceable("CREATE VIEW users AS SELECT 1"), "CREATE OR REPLACE VIEW users AS SELECT 1");
        assert_eq!(replaceable("CREATE OR REPLACE VIEW users AS SELECT 1"), "CREATE OR REPLACE VIEW users AS SELECT 1");
    }
}
