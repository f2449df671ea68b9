//! Every Rust function registered in DuckDB, one unit struct per SQL function (the duckdb-rs
//! `VScalar` pattern): the masking functions (`masking`), the record shape (`layout`) and the
//! records a streamed load sets aside (`aside`).
//! The logic they call is plain Rust in the leaf modules `crate::masking` and `crate::shape`.

pub mod aside;
pub mod layout;
pub mod masking;

use duckdb::Connection;

use crate::keys::HmacKey;

/// Registers `json_layout`, `set_aside` (noting into `aside`) and, when the HMAC key is given,
/// the masking functions.
pub(crate) fn register(conn: &Connection, hmac_key: Option<&HmacKey>, aside: &aside::SetAside) -> duckdb::Result<()> {
    conn.register_scalar_function_with_state::<layout::LayoutFn>("json_layout", &layout::layout())?;
    conn.register_scalar_function_with_state::<aside::SetAsideFn>("set_aside", aside)?;
    if let Some(key) = hmac_key {
        masking::register(conn, key)?;
    }
    Ok(())
}
