"""Helpers shared by the benchmark scripts."""

import glob
import os


def sql_quote(value: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def httpfs_extension_path() -> str:
    """The signed httpfs extension: DuckDB writes encrypted Parquet only with it loaded. Taken
    from DUCKPIPE_HTTPFS_EXTENSION, else from the pinned duckdb-extension-httpfs wheel."""
    path = os.environ.get("DUCKPIPE_HTTPFS_EXTENSION")
    if path:
        return path
    import duckdb_extension_httpfs

    found = sorted(glob.glob(os.path.join(os.path.dirname(duckdb_extension_httpfs.__file__), "extensions", "*", "httpfs.duckdb_extension")))
    if not found:
        raise SystemExit("no httpfs.duckdb_extension in the duckdb-extension-httpfs wheel")
    return found[0]
