//! Synthetic generator throughput: users/s of the generator (JSON text in memory, no I/O): one
//! page at a time on one core, and `synthetic::for_each`, which `duckpipe generate` uses (pages
//! on every core, handed on in order).
//!
//!     cargo bench --bench synthetic [-- USERS]      (default 500,000 users, best of 3 runs)
//!
//! Prints users per wall second and per CPU second of this process: on a shared machine the CPU
//! figure is the one that says how fast the code is.

use std::time::Instant;

use duckpipe::pipeline::source::synthetic::Generator;
use time::macros::datetime;

fn main() {
    let users: u32 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(500_000);
    let generator = Generator::new("bench", None, datetime!(2026-01-01 00:00 UTC)).expect("generator");
    // What `duckpipe generate` uses: each user from the generator's reused buffer.
    measure("for_each_user (generate)", users, |page, n| {
        let mut bytes = 0;
        generator
            .for_each_user(page, n, |u| {
                bytes += u.len();
                Ok::<(), ()>(())
            })
            .expect("no error");
        bytes
    });
    // What `duckpipe generate` runs: pages on every core, users handed on in order.
    let (start, cpu_start) = (Instant::now(), cpu_seconds());
    let mut bytes = 0;
    duckpipe::cli::generate::for_each(&generator, u64::from(users), 5_000, |u| {
        bytes += u.len();
        Ok(())
    })
    .expect("no error");
    let (wall, cpu) = (start.elapsed().as_secs_f64(), cpu_seconds() - cpu_start);
    println!(
        "synthetic for_each (generate, all cores): {users} users in {wall:.3} s = {:.0} users/s wall, {:.0} users/s CPU ({:.0} MB/s of JSON)",
        f64::from(users) / wall,
        f64::from(users) / cpu,
        bytes as f64 / wall / 1e6
    );
    // What a load's staging gets: one owned String per user.
    measure("page (load)", users, |page, n| generator.page(page, n).iter().map(String::len).sum());
}

/// Best of 3 runs of producing `users` users in pages of 5,000 with `page_fn(page, n) -> bytes`.
fn measure(name: &str, users: u32, mut page_fn: impl FnMut(u32, u32) -> usize) {
    let page_size = 5_000;
    let (mut best, mut best_cpu, mut bytes) = (f64::INFINITY, f64::INFINITY, 0);
    for _ in 0..3 {
        let (start, cpu_start) = (Instant::now(), cpu_seconds());
        bytes = 0;
        let (mut page, mut left) = (1, users);
        while left > 0 {
            let n = left.min(page_size);
            bytes += page_fn(page, n);
            page += 1;
            left -= n;
        }
        best = best.min(start.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(cpu_seconds() - cpu_start);
    }
    println!(
        "synthetic {name}: {users} users in {best:.3} s = {:.0} users/s wall, {:.0} users/s CPU ({:.0} MB/s of JSON)",
        f64::from(users) / best,
        f64::from(users) / best_cpu,
        bytes as f64 / best / 1e6
    );
}

/// User + system CPU seconds of this process, from /proc/self/stat (clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the ")" that closes the command name: utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}
