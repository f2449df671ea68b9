//! SQL a person typed (`duckpipe sql`), run the way DuckDB itself splits and classifies it.
//!
//! A gate that reads SQL text on its own can be fooled wherever its idea of strings, comments and
//! statement ends differs from DuckDB's lexer (`E'\''`, `$` inside identifiers, nested block
//! comments …), and whatever it takes for one statement may be several to DuckDB. So nothing here
//! reads SQL text: DuckDB's C API splits the text into statements (`duckdb_extract_statements`),
//! each is prepared on its own (`duckdb_prepare_extracted_statement`) and carries DuckDB's own
//! statement type (`duckdb_prepared_statement_type`), which the caller checks before the statement
//! runs. What runs is exactly what was checked, one statement at a time, in order.
//!
//! The duckdb crate executes every statement but the last of a multi-statement text unseen in
//! `Connection::prepare`, and gives no access to statement types, so these statements run on a
//! connection of their own, made with the C API on the engine's database: it sees the engine's
//! tables, views, functions, keys and secrets, and gets the per-connection settings it needs
//! (`USE work`) here; variables are set on it by its owner.

use std::ffi::{CStr, CString};
use std::marker::PhantomData;
use std::ptr;

use duckdb::arrow::array::{Array, StructArray};
use duckdb::arrow::datatypes::{Schema, SchemaRef};
use duckdb::arrow::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use duckdb::arrow::record_batch::RecordBatch;
use duckdb::ffi;

use super::{Engine, EngineError, sanitize, workspace};

/// What DuckDB's parser says a statement is (`duckdb_statement_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementKind {
    Select,
    Insert,
    Update,
    Delete,
    MergeInto,
    Explain,
    Prepare,
    Execute,
    Create,
    CreateFunction,
    Alter,
    Drop,
    Transaction,
    Copy,
    CopyDatabase,
    Export,
    Analyze,
    Vacuum,
    Call,
    Pragma,
    /// `SET VARIABLE`.
    VariableSet,
    /// `SET`, `RESET`, `PRAGMA x = y`, `USE`: DuckDB's configuration and search path.
    Set,
    /// `LOAD`, `INSTALL`, `FORCE INSTALL`.
    Load,
    UpdateExtensions,
    Attach,
    Detach,
    Relation,
    Extension,
    LogicalPlan,
    Multi,
    /// A type this build does not know (a newer DuckDB), or DuckDB's "invalid".
    Other(u32),
}

impl StatementKind {
    fn from_ffi(t: ffi::duckdb_statement_type) -> Self {
        use StatementKind::*;
        match t {
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_SELECT => Select,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_INSERT => Insert,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_UPDATE => Update,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_DELETE => Delete,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_MERGE_INTO => MergeInto,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_EXPLAIN => Explain,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_PREPARE => Prepare,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_EXECUTE => Execute,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_CREATE => Create,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_CREATE_FUNC => CreateFunction,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_ALTER => Alter,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_DROP => Drop,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_TRANSACTION => Transaction,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_COPY => Copy,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_COPY_DATABASE => CopyDatabase,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_EXPORT => Export,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_ANALYZE => Analyze,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_VACUUM => Vacuum,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_CALL => Call,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_PRAGMA => Pragma,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_VARIABLE_SET => VariableSet,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_SET => Set,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_LOAD => Load,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_UPDATE_EXTENSIONS => UpdateExtensions,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_ATTACH => Attach,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_DETACH => Detach,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_RELATION => Relation,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_EXTENSION => Extension,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_LOGICAL_PLAN => LogicalPlan,
            ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_MULTI => Multi,
            other => Other(other),
        }
    }
}

/// A connection of its own on the engine's database, for statements a person typed.
pub struct UserConnection<'e> {
    con: ffi::duckdb_connection,
    _engine: PhantomData<&'e Engine>,
}

impl Engine {
    /// A connection for [`UserConnection::statements`], in the engine's working database.
    pub fn user_connection(&self) -> Result<UserConnection<'_>, EngineError> {
        let mut con = ptr::null_mut();
        // SAFETY: the database handle is open for as long as `self` lives, which outlives the
        // returned connection (its lifetime is tied to `self`).
        if unsafe { ffi::duckdb_connect(self.db.0, &mut con) } != ffi::DuckDBSuccess {
            return Err(EngineError("could not open a DuckDB connection".into()));
        }
        let user = UserConnection { con, _engine: PhantomData };
        user.run_trusted(&format!("USE {};", workspace::WORK_DB))?;
        Ok(user)
    }
}

impl Drop for UserConnection<'_> {
    fn drop(&mut self) {
        // SAFETY: `con` came from duckdb_connect and is disconnected once.
        unsafe { ffi::duckdb_disconnect(&mut self.con) };
    }
}

impl UserConnection<'_> {
    /// Runs duckpipe's own set-up SQL on this connection (never user input: it is not checked).
    pub fn run_trusted(&self, sql: &str) -> Result<(), EngineError> {
        let statements = self.statements(sql)?;
        for i in 0..statements.len() {
            statements.prepare(i)?.execute()?;
        }
        Ok(())
    }

    /// One count from duckpipe's own query (never user input).
    pub fn count_trusted(&self, sql: &str) -> Result<u64, EngineError> {
        let statements = self.statements(sql)?;
        let (_, batches) = statements.prepare(0)?.execute()?;
        let value = batches
            .first()
            .filter(|b| b.num_rows() == 1)
            .and_then(|b| b.column(0).as_any().downcast_ref::<duckdb::arrow::array::Int64Array>().map(|a| a.value(0)));
        value
            .and_then(|v| u64::try_from(v).ok())
            .ok_or_else(|| EngineError("a count did not come back as one number".into()))
    }

    /// The statements in `text` as DuckDB's parser splits them. A parse error is an error here.
    pub fn statements(&self, text: &str) -> Result<Statements<'_>, EngineError> {
        let c_text = CString::new(text).map_err(|_| EngineError("the SQL text holds a NUL character".into()))?;
        let mut extracted = ptr::null_mut();
        // SAFETY: a live connection and a NUL-terminated text; `extracted` is destroyed by
        // `Statements` (also after an error).
        let count = unsafe { ffi::duckdb_extract_statements(self.con, c_text.as_ptr(), &mut extracted) };
        let statements = Statements { con: self.con, extracted, count: count as usize, _con: PhantomData };
        if count == 0 {
            // SAFETY: `extracted` is the handle just filled in.
            let message = unsafe { c_message(ffi::duckdb_extract_statements_error(extracted)) };
            if let Some(message) = message {
                return Err(EngineError(sanitize(&message)));
            }
        }
        Ok(statements)
    }
}

/// The statements DuckDB extracted from one text.
pub struct Statements<'c> {
    con: ffi::duckdb_connection,
    extracted: ffi::duckdb_extracted_statements,
    count: usize,
    _con: PhantomData<&'c UserConnection<'c>>,
}

impl Drop for Statements<'_> {
    fn drop(&mut self) {
        // SAFETY: destroyed once; duckdb_destroy_extracted accepts what extraction left.
        unsafe { ffi::duckdb_destroy_extracted(&mut self.extracted) };
    }
}

impl Statements<'_> {
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Statement `index`, prepared (bound against what the statements before it created: prepare
    /// each only after the ones before it ran).
    pub fn prepare(&self, index: usize) -> Result<Prepared<'_>, EngineError> {
        assert!(index < self.count, "statement {index} of {}", self.count);
        let mut stmt = ptr::null_mut();
        // SAFETY: `index` is in range; the prepared statement is destroyed by `Prepared`.
        let state =
            unsafe { ffi::duckdb_prepare_extracted_statement(self.con, self.extracted, index as u64, &mut stmt) };
        let prepared = Prepared { stmt, _statements: PhantomData };
        if state != ffi::DuckDBSuccess {
            // SAFETY: the statement handle holds the error until it is destroyed.
            let message = unsafe { c_message(ffi::duckdb_prepare_error(stmt)) };
            return Err(EngineError(sanitize(&message.unwrap_or_else(|| "DuckDB could not prepare it".into()))));
        }
        Ok(prepared)
    }
}

/// One prepared statement: its kind, and running it.
pub struct Prepared<'s> {
    stmt: ffi::duckdb_prepared_statement,
    _statements: PhantomData<&'s Statements<'s>>,
}

impl Drop for Prepared<'_> {
    fn drop(&mut self) {
        // SAFETY: destroyed once.
        unsafe { ffi::duckdb_destroy_prepare(&mut self.stmt) };
    }
}

impl Prepared<'_> {
    /// DuckDB's statement type.
    pub fn kind(&self) -> StatementKind {
        // SAFETY: a successfully prepared statement.
        StatementKind::from_ffi(unsafe { ffi::duckdb_prepared_statement_type(self.stmt) })
    }

    /// Runs the statement and returns its whole result as Arrow. DuckDB's error is sanitized.
    pub fn execute(self) -> Result<(SchemaRef, Vec<RecordBatch>), EngineError> {
        let mut arrow: ffi::duckdb_arrow = ptr::null_mut();
        // SAFETY: a prepared statement; `arrow` is destroyed below on every path.
        let state = unsafe { ffi::duckdb_execute_prepared_arrow(self.stmt, &mut arrow) };
        let result = if state == ffi::DuckDBSuccess {
            // SAFETY: `arrow` holds a materialized result.
            unsafe { read_arrow(arrow) }
        } else {
            // SAFETY: the error text lives in `arrow` until it is destroyed.
            let message = unsafe { c_message(ffi::duckdb_query_arrow_error(arrow)) };
            Err(EngineError(sanitize(&message.unwrap_or_else(|| "the statement failed".into()))))
        };
        // SAFETY: destroyed once.
        unsafe { ffi::duckdb_destroy_arrow(&mut arrow) };
        result
    }
}

/// The schema and every batch of an executed Arrow result.
unsafe fn read_arrow(arrow: ffi::duckdb_arrow) -> Result<(SchemaRef, Vec<RecordBatch>), EngineError> {
    let failed = |what: &str| EngineError(format!("cannot read the result ({what})"));
    let mut schema = FFI_ArrowSchema::empty();
    let mut schema_ptr = &mut schema as *mut FFI_ArrowSchema;
    // SAFETY: DuckDB fills the ArrowSchema the pointer points to.
    let state =
        unsafe { ffi::duckdb_query_arrow_schema(arrow, &mut schema_ptr as *mut _ as *mut ffi::duckdb_arrow_schema) };
    if state != ffi::DuckDBSuccess {
        return Err(failed("schema"));
    }
    let rust_schema: SchemaRef = std::sync::Arc::new(Schema::try_from(&schema).map_err(|_| failed("schema"))?);
    let mut batches = Vec::new();
    loop {
        let mut array = FFI_ArrowArray::empty();
        let mut array_ptr = &mut array as *mut FFI_ArrowArray;
        // SAFETY: DuckDB fills the ArrowArray the pointer points to, or leaves it empty at the end.
        let state =
            unsafe { ffi::duckdb_query_arrow_array(arrow, &mut array_ptr as *mut _ as *mut ffi::duckdb_arrow_array) };
        if state != ffi::DuckDBSuccess {
            return Err(failed("data"));
        }
        if array.is_released() {
            break;
        }
        // SAFETY: the array was exported by DuckDB with `schema`'s layout (a struct of columns).
        let data = unsafe { from_ffi(array, &schema) }.map_err(|_| failed("data"))?;
        let columns = StructArray::from(data);
        if columns.is_empty() && columns.num_columns() == 0 {
            break;
        }
        batches.push(RecordBatch::from(columns));
    }
    Ok((rust_schema, batches))
}

/// A C string DuckDB owns, copied; None for NULL.
unsafe fn c_message(text: *const std::os::raw::c_char) -> Option<String> {
    if text.is_null() { None } else { Some(unsafe { CStr::from_ptr(text) }.to_string_lossy().into_owned()) }
}
