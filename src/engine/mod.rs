//! The embedded DuckDB: opened offline, with the signed httpfs extension, the Parquet key, an S3
//! secret when needed, and the Rust masking functions registered. The data work itself is the SQL
//! in `sql/` (see [`sql`]).

pub mod functions;
mod sanitize;
pub mod sql;
pub mod statements;
pub mod workspace;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use duckdb::arrow::datatypes::SchemaRef;
use duckdb::arrow::record_batch::RecordBatch;
use duckdb::{Appender, Connection, Params, Row, ffi};
use time::OffsetDateTime;

use crate::keys::{HmacKey, ParquetKey};
use crate::timefmt;

/// Name under which the Parquet key is registered inside DuckDB (`footer_key: 'duckpipe'`).
pub const PARQUET_KEY_NAME: &str = "duckpipe";

/// Name under which the quarantine's key is registered, when a command needs it.
pub const QUARANTINE_KEY_NAME: &str = "duckpipe_quarantine";
/// Name under which `rekey` registers the key the lake was written with, to read it while
/// everything is written with the new key under [`PARQUET_KEY_NAME`].
pub const OLD_PARQUET_KEY_NAME: &str = "duckpipe_old";
/// Name under which `rekey` registers the quarantine's new key, to write the quarantine with it.
pub const NEW_QUARANTINE_KEY_NAME: &str = "duckpipe_quarantine_new";

pub use crate::error::EngineError;
pub use sanitize::sanitize;

/// Where the signed httpfs extension is: `DUCKPIPE_HTTPFS_EXTENSION`, else the file that
/// `scripts/fetch-duckdb.sh` provided at build time.
pub fn httpfs_path() -> PathBuf {
    std::env::var_os("DUCKPIPE_HTTPFS_EXTENSION")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("DUCKPIPE_BUILD_HTTPFS")))
}

/// DuckDB settings fixed when the database opens, before anything runs in it; with the rest of
/// duckpipe's set-up they are locked at the end of [`Engine::open`] (`lock_configuration`), so
/// no statement can change them later: no extension is installed or loaded behind the user's
/// back, only signed ones load, and no secret is read from or written to disk.
const OPEN_SETTINGS: [(&str, &str); 5] = [
    ("autoload_known_extensions", "false"),
    ("autoinstall_known_extensions", "false"),
    ("allow_community_extensions", "false"),
    ("allow_unsigned_extensions", "false"),
    ("allow_persistent_secrets", "false"),
];

/// The database handle, opened with the C API so that [`statements`] can make a connection of
/// its own on it; closed on drop, after every connection to it.
struct RawDatabase(ffi::duckdb_database);

impl RawDatabase {
    fn open(settings: &[(&str, &str)]) -> Result<Self, EngineError> {
        let failed = |what: &str| EngineError(format!("could not open DuckDB: {what}"));
        let mut config: ffi::duckdb_config = std::ptr::null_mut();
        // SAFETY: plain C API calls on handles created here; the config is destroyed below.
        unsafe {
            if ffi::duckdb_create_config(&mut config) != ffi::DuckDBSuccess {
                return Err(failed("no configuration"));
            }
            for (name, value) in settings {
                let (n, v) = (std::ffi::CString::new(*name), std::ffi::CString::new(*value));
                let ok = matches!((&n, &v), (Ok(n), Ok(v)) if ffi::duckdb_set_config(config, n.as_ptr(), v.as_ptr()) == ffi::DuckDBSuccess);
                if !ok {
                    ffi::duckdb_destroy_config(&mut config);
                    return Err(failed(&format!("setting {name} was refused")));
                }
            }
            let mut db: ffi::duckdb_database = std::ptr::null_mut();
            let mut error: *mut std::os::raw::c_char = std::ptr::null_mut();
            let state = ffi::duckdb_open_ext(std::ptr::null(), &mut db, config, &mut error);
            ffi::duckdb_destroy_config(&mut config);
            if state != ffi::DuckDBSuccess {
                let message = if error.is_null() {
                    "unknown error".to_string()
                } else {
                    let m = std::ffi::CStr::from_ptr(error).to_string_lossy().into_owned();
                    ffi::duckdb_free(error.cast());
                    m
                };
                return Err(failed(&sanitize(&message)));
            }
            Ok(Self(db))
        }
    }
}

impl Drop for RawDatabase {
    fn drop(&mut self) {
        // SAFETY: opened by duckdb_open_ext, closed once, after the connections (field order).
        unsafe { ffi::duckdb_close(&mut self.0) };
    }
}

pub struct Engine {
    /// Declared before `db`: connections close before the database does.
    conn: Connection,
    db: RawDatabase,
    /// The engine's private folder (mode 0700, removed on drop): an empty extension directory
    /// (nothing is ever installed into it), an empty secret directory (persistent secrets are
    /// off) and the encrypted spill files (see [`workspace`]).
    _work_dir: workspace::WorkDir,
    /// Fingerprint of the registered Parquet key, to tell "wrong key" from "damaged object".
    parquet_fingerprint: String,
    /// While the engine lives, Ctrl-C or SIGTERM interrupts the query it is running.
    _interrupt: crate::interrupt::CallbackGuard,
    /// Fingerprint of the quarantine key, once registered ([`Engine::add_quarantine_key`]).
    quarantine_fingerprint: std::cell::RefCell<Option<String>>,
    /// What `set_aside()` noted during a streamed load (sql/stage/streamed_users.sql).
    set_aside: functions::aside::SetAside,
}

impl Engine {
    /// Opens an in-memory DuckDB that never touches the network for extensions: autoload and
    /// autoinstall off, an empty private extension directory, signature checks left on; then
    /// loads the signed httpfs (needed for s3:// and for *writing* encrypted Parquet), pins the
    /// time zone to UTC and registers the Parquet key and the masking functions. Tables live in
    /// an encrypted in-memory database that spills to disk beyond the memory limit
    /// ([`workspace`]; `DUCKPIPE_MEMORY_LIMIT`).
    pub fn open(parquet_key: &ParquetKey, hmac_key: Option<&HmacKey>) -> anyhow::Result<Self> {
        let memory_limit = workspace::memory_limit(|k| std::env::var(k).ok())?;
        let work_dir = workspace::WorkDir::create()?;
        let ext_dir = work_dir.path().join("extensions");
        std::fs::create_dir(&ext_dir).context("could not create a temporary directory")?;
        let secret_dir = work_dir.path().join("secrets");
        std::fs::create_dir(&secret_dir).context("could not create a temporary directory")?;
        // No persistent secrets (OPEN_SETTINGS): DuckDB would otherwise read
        // ~/.duckdb/stored_secrets (what a stock shell's CREATE PERSISTENT SECRET writes), and one
        // scoped to the bucket would win over duckpipe's own S3 secret. The secret folder is an
        // empty private one as well.
        let (ext_dir, secret_dir) = (ext_dir.to_string_lossy(), secret_dir.to_string_lossy());
        let mut settings = OPEN_SETTINGS.to_vec();
        settings.push(("extension_directory", &ext_dir));
        settings.push(("secret_directory", &secret_dir));
        let db = RawDatabase::open(&settings)?;
        // SAFETY: `db` is open and outlives the connection (it is dropped after `conn`).
        let conn = unsafe { Connection::open_from_raw(db.0) }
            .map_err(|e| EngineError(format!("could not open DuckDB: {}", sanitize(&e.to_string()))))?;
        let handle = conn.interrupt_handle();
        let interrupt = crate::interrupt::on_signal(move || handle.interrupt());
        let engine = Self {
            conn,
            db,
            _work_dir: work_dir,
            parquet_fingerprint: parquet_key.fingerprint(),
            _interrupt: interrupt,
            quarantine_fingerprint: Default::default(),
            set_aside: Default::default(),
        };
        engine.load_httpfs(&httpfs_path())?;
        // Needs httpfs loaded: DuckDB's built-in crypto cannot write encrypted data.
        let spill_dir = engine._work_dir.path().join("spill");
        engine
            .conn
            .execute_batch(&workspace::setup_sql(&spill_dir, &memory_limit))
            .map_err(|e| EngineError(format!("could not set up the working database: {}", sanitize(&e.to_string()))))?;
        // GLOBAL: also for the connection `duckpipe sql` runs statements on (statements).
        engine.execute_batch("SET GLOBAL TimeZone = 'UTC';")?;
        // The key is validated base64 (no quotes possible); the statement is never logged and a
        // failure is reported without the statement text.
        engine.add_named_key(PARQUET_KEY_NAME, parquet_key, "the Parquet key (DUCKPIPE_PARQUET_KEY)")?;
        functions::register(&engine.conn, hmac_key, &engine.set_aside)
            .map_err(|e| EngineError(format!("could not register the Rust functions: {}", sanitize(&e.to_string()))))?;
        // From here on DuckDB itself refuses every change of a setting, whoever asks (SET, RESET,
        // PRAGMA x = y, SET GLOBAL): what the gate of `duckpipe sql` might miss, the engine
        // refuses. SET VARIABLE, secrets in memory and Parquet keys still work.
        engine.execute_batch("SET lock_configuration = true;")?;
        Ok(engine)
    }

    /// The records `set_aside()` noted since the last call (see [`functions::aside`]).
    pub fn take_set_aside(&self) -> functions::aside::Noted {
        self.set_aside.take()
    }

    /// Registers a second Parquet key under [`OLD_PARQUET_KEY_NAME`] (`rekey` reads with it).
    /// Like the main key, the statement is never logged and a failure never shows it.
    pub fn add_old_parquet_key(&self, key: &ParquetKey) -> Result<(), EngineError> {
        self.add_named_key(OLD_PARQUET_KEY_NAME, key, "the old Parquet key")
    }

    /// Registers the quarantine's new key under [`NEW_QUARANTINE_KEY_NAME`] (`rekey` writes
    /// the quarantine with it).
    pub fn add_new_quarantine_key(&self, key: &ParquetKey) -> Result<(), EngineError> {
        self.add_named_key(NEW_QUARANTINE_KEY_NAME, key, "the new quarantine key (DUCKPIPE_NEW_QUARANTINE_KEY)")
    }

    fn add_named_key(&self, name: &str, key: &ParquetKey, what: &str) -> Result<(), EngineError> {
        let pragma = format!("PRAGMA add_parquet_key({}, {});", sql::quote(name), sql::quote(key.expose_base64()));
        self.conn.execute_batch(&pragma).map_err(|_| EngineError(format!("DuckDB refused {what}")))
    }

    fn load_httpfs(&self, path: &Path) -> anyhow::Result<()> {
        if !path.is_file() {
            return Err(EngineError(format!(
                "the DuckDB httpfs extension is missing at {} (run scripts/fetch-duckdb.sh, or set DUCKPIPE_HTTPFS_EXTENSION)",
                path.display()
            ))
            .into());
        }
        self.conn
            .execute_batch(&format!("LOAD {};", sql::quote(&path.to_string_lossy())))
            .map_err(|e| EngineError(format!("could not load httpfs from {}: {}", path.display(), e)))?;
        Ok(())
    }

    /// Registers the quarantine's own key (`DUCKPIPE_QUARANTINE_KEY`) under
    /// [`QUARANTINE_KEY_NAME`]: only loads (which write the quarantine) and `runs --verify` need
    /// it. Like the data key, it is never logged and a failure does not show it.
    pub fn add_quarantine_key(&self, key: &ParquetKey) -> Result<(), EngineError> {
        self.add_named_key(QUARANTINE_KEY_NAME, key, "the quarantine key (DUCKPIPE_QUARANTINE_KEY)")?;
        self.quarantine_fingerprint.replace(Some(key.fingerprint()));
        Ok(())
    }

    /// The fingerprint of the registered quarantine key, if one is.
    pub fn quarantine_fingerprint(&self) -> Option<String> {
        self.quarantine_fingerprint.borrow().clone()
    }

    /// The fingerprint of the Parquet key this engine decrypts with.
    pub fn parquet_fingerprint(&self) -> &str {
        &self.parquet_fingerprint
    }

    /// The engine's private folder (spill files are under it). For tests and diagnostics.
    pub fn work_dir(&self) -> &Path {
        self._work_dir.path()
    }

    /// Runs one or more statements.
    pub fn execute_batch(&self, sql: &str) -> Result<(), EngineError> {
        self.conn.execute_batch(sql).map_err(db_error)
    }

    /// Runs a registered SQL file that has no placeholders to fill.
    pub fn run(&self, file: &sql::SqlFile) -> Result<(), EngineError> {
        self.execute_batch(&file.sql())
    }

    /// Runs registered SQL files in order.
    pub fn run_all(&self, files: &[&sql::SqlFile]) -> Result<(), EngineError> {
        files.iter().try_for_each(|f| self.run(f))
    }

    /// Runs one statement with parameters (values never enter the SQL text); returns the rows
    /// changed.
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize, EngineError> {
        self.conn.execute(sql, params).map_err(db_error)
    }

    /// Every row of a query, each turned into a `T` by `row`.
    pub fn rows<T>(
        &self,
        sql: &str,
        params: impl Params,
        row: impl FnMut(&Row<'_>) -> duckdb::Result<T>,
    ) -> Result<Vec<T>, EngineError> {
        let mut statement = self.conn.prepare(sql).map_err(db_error)?;
        statement.query_map(params, row).and_then(Iterator::collect).map_err(db_error)
    }

    /// The one row of a query, turned into a `T` by `row`.
    pub fn one<T>(
        &self,
        sql: &str,
        params: impl Params,
        row: impl FnOnce(&Row<'_>) -> duckdb::Result<T>,
    ) -> Result<T, EngineError> {
        self.conn.query_row(sql, params, row).map_err(db_error)
    }

    /// One BIGINT from a query (e.g. a count).
    pub fn query_i64(&self, sql: &str) -> Result<i64, EngineError> {
        self.one(sql, [], |r| r.get(0))
    }

    /// A count: one non-negative BIGINT from a query.
    pub fn count(&self, sql: &str) -> Result<u64, EngineError> {
        let n = self.query_i64(sql)?;
        u64::try_from(n).map_err(|_| EngineError(format!("a count came back negative ({n})")))
    }

    /// The result of a query as Arrow record batches (for `duckpipe sql`, which shows any shape).
    pub fn arrow(&self, sql: &str) -> Result<(SchemaRef, Vec<RecordBatch>), EngineError> {
        // The statement is the user's: its text locates the error even in a long line.
        let error = |e: duckdb::Error| EngineError(sanitize::sanitize_in(&e.to_string(), Some(sql)));
        let mut statement = self.conn.prepare(sql).map_err(error)?;
        let arrow = statement.query_arrow([]).map_err(error)?;
        let schema = arrow.get_schema();
        Ok((schema, arrow.collect()))
    }

    /// DuckDB's appender for `table`. The one way in that is not SQL text: it is how a load
    /// hands users to DuckDB at full speed (pipeline::stage). Errors from it are sanitized too.
    pub fn appender(&self, table: &str) -> Result<Appender<'_>, EngineError> {
        self.conn.appender(table).map_err(db_error)
    }

    /// `SET VARIABLE name = <expr>`; `expr` is a SQL expression built by one of the typed setters
    /// below, or by the caller from validated values (e.g. `TIMESTAMP '2026-11-25 00:00:00'`).
    pub fn set_variable(&self, name: &str, expr: &str) -> Result<(), EngineError> {
        debug_assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        self.execute_batch(&format!("SET VARIABLE {name} = {expr};"))
    }

    /// A VARCHAR variable.
    pub fn set_text(&self, name: &str, value: &str) -> Result<(), EngineError> {
        self.set_variable(name, &sql::quote(value))
    }

    /// An integer variable.
    pub fn set_int(&self, name: &str, value: i64) -> Result<(), EngineError> {
        self.set_variable(name, &value.to_string())
    }

    /// A VARCHAR[] variable.
    pub fn set_list(&self, name: &str, items: &[&str]) -> Result<(), EngineError> {
        let list: Vec<String> = items.iter().map(|s| sql::quote(s)).collect();
        self.set_variable(name, &format!("[{}]::VARCHAR[]", list.join(", ")))
    }

    /// A TIMESTAMP variable (UTC wall clock).
    pub fn set_timestamp(&self, name: &str, t: OffsetDateTime) -> Result<(), EngineError> {
        self.set_variable(name, &timefmt::sql_timestamp(t))
    }

    /// A TIMESTAMPTZ variable.
    pub fn set_timestamptz(&self, name: &str, t: OffsetDateTime) -> Result<(), EngineError> {
        self.set_variable(name, &timefmt::sql_timestamptz(t))
    }
}

/// Every DuckDB error leaves the engine through here, sanitized (also the appender's, which
/// callers hold directly).
pub fn db_error(e: duckdb::Error) -> EngineError {
    EngineError(sanitize(&e.to_string()))
}
