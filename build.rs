//! Links duckpipe against the official prebuilt libduckdb v1.5.5 and records where the signed
//! httpfs extension lives, so the binary runs without LD_LIBRARY_PATH and without any download.
//!
//! The files come from `scripts/fetch-duckdb.sh` (npm + PyPI packages, checksum-pinned), which
//! this script runs when they are missing. Override the folder with DUCKPIPE_DEPS_DIR.
use std::{env, path::PathBuf, process::Command};

fn main() {
    println!("cargo:rerun-if-env-changed=DUCKPIPE_DEPS_DIR");
    println!("cargo:rerun-if-changed=scripts/fetch-duckdb.sh");
    let dir = match env::var("DUCKPIPE_DEPS_DIR") {
        Ok(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from(env::var("HOME").expect("HOME is not set")).join(".cache/duckpipe/duckdb-v1.5.5"),
    };
    let lib = dir.join("libduckdb.so");
    let ext = dir.join("httpfs.duckdb_extension");
    if !lib.exists() || !ext.exists() {
        let status = Command::new("bash")
            .arg("scripts/fetch-duckdb.sh")
            .arg(&dir)
            .status()
            .expect("could not run scripts/fetch-duckdb.sh");
        assert!(
            status.success(),
            "scripts/fetch-duckdb.sh failed: DuckDB v1.5.5 is not available in {}",
            dir.display()
        );
    }
    println!("cargo:rerun-if-changed={}", lib.display());
    println!("cargo:rustc-link-search=native={}", dir.display());
    // An rpath, so that `duckpipe` and the test binaries find libduckdb.so at run time.
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    println!("cargo:rustc-env=DUCKPIPE_BUILD_HTTPFS={}", ext.display());
}
