//! `duckpipe sql --print-setup`: what a stock DuckDB client needs to see what `duckpipe sql`
//! sees — httpfs, the Parquet key, the S3 secret, the view `users` and the analytics variables.
//!
//! No key or secret is printed; the client reads them from its own environment. Two forms:
//! - `cli`: SQL for the DuckDB CLI, whose `getenv()` both `PRAGMA add_parquet_key` and
//!   `CREATE SECRET` evaluate. Only the CLI has `getenv()`.
//! - `python`: a script for the `duckdb` package that reads `os.environ` and binds the values as
//!   parameters of `SET VARIABLE`; the statements then read them with `getvariable()`, which
//!   every client has (the same SQL works from any client that binds parameters).
//!
//! A missing key fails with a sentence that says so (DuckDB itself would call an empty key an
//! invalid AES key). `as_of` is left unset unless `--as-of` fixes it: the analytics files then
//! use the time each query runs.

use std::path::Path;

use time::OffsetDateTime;

use super::super::args::SetupClient;
use super::super::settings::Env;
use crate::engine::{PARQUET_KEY_NAME, sql::quote};
use crate::keys::{PARQUET_KEY_VAR, ParquetKey};
use crate::lake::s3::{Credentials, Source};
use crate::lake::{self, Destination, S3Settings, users_view};
use crate::timefmt;

/// What the shell must export: the same names as `.env` holds.
const EXPORT_HINT: &str = "set -a; . ./.env; set +a";

/// The setup for `client`. The view is defined by `users_view` in a real session and read back
/// from DuckDB's catalog, so the client reads exactly the objects duckpipe reads, with the same
/// rule for a user stored in several runs.
pub fn render(
    dest: &Destination,
    env: &Env,
    parquet: &ParquetKey,
    as_of: Option<OffsetDateTime>,
    top: u32,
    httpfs: Option<&Path>,
    client: SetupClient,
) -> anyhow::Result<String> {
    let s3 = if dest.is_s3() { Some(S3Settings::from_env(|k| env.value(k))?) } else { None };
    let engine = lake::open(dest, parquet, None, false)?;
    users_view::open_users_view(&engine, dest)?;
    let view: String =
        engine.one("SELECT sql FROM duckdb_views() WHERE view_name = 'users' AND NOT internal", [], |r| r.get(0))?;
    let parts = Parts {
        dest,
        s3: s3.as_ref(),
        view: replaceable(view.trim().trim_end_matches(';')),
        as_of,
        top,
        httpfs: httpfs.map(|p| p.to_string_lossy().into_owned()),
    };
    Ok(match client {
        SetupClient::Cli => parts.cli(),
        SetupClient::Python => parts.python(),
    })
}

struct Parts<'a> {
    dest: &'a Destination,
    s3: Option<&'a S3Settings>,
    view: String,
    as_of: Option<OffsetDateTime>,
    top: u32,
    httpfs: Option<String>,
}

/// How a statement reads a secret: `getenv('NAME')` in the CLI, `getvariable('name')` elsewhere.
#[derive(Clone, Copy)]
enum Read {
    Getenv,
    Variable,
}

impl Read {
    fn of(self, var: &str) -> String {
        match self {
            Self::Getenv => format!("getenv('{var}')"),
            Self::Variable => format!("getvariable('{}')", var.to_ascii_lowercase()),
        }
    }
}

impl Parts<'_> {
    /// The variables the statements need from the environment.
    fn secret_vars(&self) -> Vec<&'static str> {
        let mut vars = vec![PARQUET_KEY_VAR];
        if let Some(s3) = self.s3 {
            vars.extend(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
            if s3.has_session_token() {
                vars.push("AWS_SESSION_TOKEN");
            }
        }
        vars
    }

    /// The statements, reading secrets the way `read` says.
    fn statements(&self, read: Read) -> String {
        let mut out = String::new();
        // A missing value is named before DuckDB would call it an invalid key or refuse the
        // credentials.
        out.push_str("-- Stop early, with a clear sentence, when a value is not in the environment.\n");
        for var in self.secret_vars() {
            out.push_str(&format!(
                "SELECT CASE WHEN coalesce({}, '') = '' THEN error('{var} is not set here: start the client where it is exported ({EXPORT_HINT})') END AS checked;\n",
                read.of(var)
            ));
        }
        out.push_str(
            "\n-- Secrets saved on disk (~/.duckdb/stored_secrets) could send requests elsewhere: off, like in duckpipe.\n\
             SET allow_persistent_secrets = false;\n",
        );
        if let Some(s3) = self.s3 {
            out.push_str("\n-- S3 access (httpfs).\n");
            match &self.httpfs {
                Some(path) => out.push_str(&format!("LOAD {};\n", quote(path))),
                None => out.push_str(
                    "LOAD httpfs;  -- offline: LOAD '/path/to/httpfs.duckdb_extension' (signed, of the client's DuckDB version)\n",
                ),
            }
            if let Source::Profile { name, file } = &s3.sources.credentials {
                out.push_str(&format!(
                    "-- duckpipe took the credentials from AWS profile {name:?} ({}): export them as AWS_ACCESS_KEY_ID and\n\
                     -- AWS_SECRET_ACCESS_KEY for this client.\n",
                    file.display()
                ));
            }
            let secret = s3.secret_statement(Credentials::FromEnv);
            let secret = match read {
                Read::Getenv => secret,
                Read::Variable => self
                    .secret_vars()
                    .iter()
                    .fold(secret, |text, var| text.replace(&Read::Getenv.of(var), &Read::Variable.of(var))),
            };
            out.push_str(&secret);
            out.push('\n');
        }
        out.push_str(&format!(
            "\n-- The Parquet key, registered under the name the files were written with.\n\
             PRAGMA add_parquet_key({}, {});\n",
            quote(PARQUET_KEY_NAME),
            read.of(PARQUET_KEY_VAR)
        ));
        out.push_str(&format!("\n-- The stored users, as `duckpipe report` reads them.\n{};\n", self.view));
        out.push_str("\n-- Variables used by sql/analytics/*.sql.\n");
        match self.as_of {
            Some(t) => out.push_str(&format!("SET VARIABLE as_of = {};\n", timefmt::sql_timestamp(t))),
            None => out.push_str(
                "-- as_of is not set: the analytics use the time each query runs (SET VARIABLE as_of = TIMESTAMP '2026-11-25' fixes it).\n",
            ),
        }
        out.push_str(&format!("SET VARIABLE top_n = {};\n", self.top));
        out
    }

    fn cli(&self) -> String {
        let names = self.secret_vars().join(", ");
        format!(
            "-- duckpipe: setup for the DuckDB CLI (1.5.5 or later) to query {dest} directly:\n\
             --     {EXPORT_HINT}      # exports {names} from .env into this shell\n\
             --     duckdb -init setup.sql      # then e.g. .read sql/analytics/q3_top_countries.sql\n\
             -- The statements read the secrets with getenv(), so no key or secret is typed, printed or kept in\n\
             -- shell history. (Other clients: duckpipe sql --print-setup --client python.)\n\
             .bail on\n\
             .output /dev/null\n\
             {}\
             .output\n\
             .bail off\n",
            self.statements(Read::Getenv),
            dest = self.dest,
        )
    }

    fn python(&self) -> String {
        let vars = self.secret_vars();
        let sets: String = vars
            .iter()
            .map(|v| {
                format!(
                    "con.execute(\"SET VARIABLE {} = ?\", [os.environ.get(\"{v}\", \"\")])\n",
                    v.to_ascii_lowercase()
                )
            })
            .collect();
        let statements = self.statements(Read::Variable).replace("\"\"\"", "\\\"\\\"\\\"");
        let py_list = format!("{:?}", vars.iter().map(|v| v.to_ascii_lowercase()).collect::<Vec<_>>());
        format!(
            "# duckpipe: setup for the duckdb Python package (1.5.5 or later) to query {dest} directly.\n\
             # Run it where {names} are exported ({EXPORT_HINT}); it reads them from os.environ and binds them as\n\
             # parameters, so no key or secret is in this file. Other clients that bind parameters run the same\n\
             # SQL after the same SET VARIABLE statements.\n\
             #     python3 -i setup.py      # then e.g. con.sql(open(\"sql/analytics/q3_top_countries.sql\").read()).show()\n\
             import os\n\
             import duckdb\n\n\
             con = duckdb.connect(config={{\"autoinstall_known_extensions\": False, \"autoload_known_extensions\": False}})\n\
             {sets}\
             SETUP = \"\"\"\n{statements}\"\"\"\n\
             for statement in SETUP.split(\";\\n\"):\n\
             \x20   if statement.strip() and not all(l.startswith(\"--\") for l in statement.strip().splitlines()):\n\
             \x20       con.execute(statement)\n\
             # The secrets are no longer needed as variables once the key and the secret are registered.\n\
             for name in {py_names}:\n\
             \x20   con.execute(f\"RESET VARIABLE {{name}}\")\n",
            dest = self.dest,
            names = vars.join(", "),
            py_names = py_list,
        )
    }
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

    #[test]
    fn secrets_are_read_by_the_client_never_written() {
        let s3 = S3Settings::from_env(|k| match k {
            "AWS_ACCESS_KEY_ID" => Some("AKIDEXAMPLE".into()),
            "AWS_SECRET_ACCESS_KEY" => Some("topsecret".into()),
            "AWS_ENDPOINT_URL" => Some("http://127.0.0.1:9000".into()),
            _ => None,
        })
        .unwrap();
        let dest = Destination::parse("s3://duckpipe/lake").unwrap();
        let parts = Parts {
            dest: &dest,
            s3: Some(&s3),
            view: "CREATE OR REPLACE VIEW users AS SELECT 1".into(),
            as_of: None,
            top: 10,
            httpfs: None,
        };
        for text in [parts.cli(), parts.python()] {
            assert!(!text.contains("topsecret") && !text.contains("AKIDEXAMPLE"), "{text}");
            assert!(text.contains("DUCKPIPE_PARQUET_KEY is not set here"), "{text}");
            assert!(!text.lines().any(|l| l.starts_with("SET VARIABLE as_of")), "as_of is left to query time: {text}");
        }
        let python = parts.python();
        assert!(python.contains("KEY_ID getvariable('aws_access_key_id')") && !python.contains("getenv("), "{python}");
        assert!(parts.cli().contains("PRAGMA add_parquet_key('duckpipe', getenv('DUCKPIPE_PARQUET_KEY'));"));
    }
}
