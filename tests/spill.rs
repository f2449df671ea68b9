//! Beyond its memory limit the engine spills staged users to disk, into its private folder, and no
//! plaintext user data can be found in the spill files; the folder goes away with the engine.
//! Its own test binary, because the memory limit comes from the process environment.
//!
//! Limit of this test: DuckDB also compresses spilled blocks, and with the working database left
//! unencrypted the plaintext search here still finds nothing, so this test does not prove the
//! encryption itself (that rests on `temp_file_encryption` with an encrypted database, see
//! `engine::workspace`).

use base64::Engine as _;
use duckpipe::engine::{Engine, sql};
use duckpipe::keys::{HmacKey, ParquetKey};

#[test]
fn staged_data_spills_only_encrypted() {
    // SAFETY: this test binary has this one test, so no other thread reads the environment.
    unsafe { std::env::set_var("DUCKPIPE_MEMORY_LIMIT", "128MB") };
    let b64 = base64::engine::general_purpose::STANDARD;
    let engine = Engine::open(
        &ParquetKey::parse(&b64.encode([3u8; 32])).unwrap(),
        Some(&HmacKey::parse(&b64.encode([4u8; 32])).unwrap()),
    )
    .unwrap();
    let now = time::macros::datetime!(2026-01-01 00:00 UTC);
    let generator = duckpipe::pipeline::source::synthetic::Generator::new("spill", None, now).unwrap();
    engine.run(&sql::RAW_USERS).unwrap();
    {
        let mut app = engine.appender("raw_users").unwrap();
        for page in 1..=30 {
            for user in generator.page(page, 5_000) {
                app.append_row(duckdb::params![user, None::<&str>, None::<i64>]).unwrap();
            }
        }
    }
    // ~160 MB of JSON against a 128 MB limit: staging, and sorting the e-mails, must spill.
    engine.run_all(sql::stage_steps_through(&sql::FLAT_USERS)).unwrap();
    engine.execute_batch("CREATE TABLE emails AS SELECT email FROM flat_users ORDER BY email").unwrap();
    assert_eq!(engine.query_i64("SELECT count(*) FROM emails").unwrap(), 150_000);

    let spill = engine.work_dir().join("spill");
    let files: Vec<_> = std::fs::read_dir(&spill).expect("a spill folder").map(|e| e.unwrap().path()).collect();
    let total: u64 = files.iter().map(|f| std::fs::metadata(f).unwrap().len()).sum();
    assert!(total > 10_000_000, "expected spilled data, found {total} bytes in {files:?}");
    // Plaintext markers every user has: the e-mail domain and the picture URL host.
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for needle in [&b"@example.com"[..], b"randomuser.me/api/portraits"] {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle), "plaintext user data in {}", file.display());
        }
    }
    // The folder is private and goes away with the engine.
    let dir = engine.work_dir().to_path_buf();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o077, 0, "private folder");
    }
    drop(engine);
    assert!(!dir.exists());
}
