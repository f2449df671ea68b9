//! `duckpipe generate`: synthetic users in the API's shape, written as fast as the disk takes them.

use std::io::Write as _;

use super::args::GenerateArgs;
use super::settings;
use crate::error::UsageError;
use crate::pipeline::source::{SourceSummary, synthetic};

pub fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let nat = args.nat.clone();
    let now = settings::as_of(args.as_of);
    let generator =
        synthetic::Generator::new(&args.seed, nat.as_deref(), now).map_err(|e| UsageError(format!("{e:#}")))?;
    let out: Box<dyn std::io::Write> = match &args.out {
        Some(path) if path.as_os_str() != "-" => Box::new(
            std::fs::File::create(path).map_err(|e| UsageError(format!("cannot create {}: {e}", path.display())))?,
        ),
        _ => Box::new(std::io::stdout().lock()),
    };
    let mut out = std::io::BufWriter::new(out);
    let mut first = true;
    // Users go straight from the generator's buffer to the output: no allocation per user.
    let write_user = |user: &str| -> anyhow::Result<()> {
        if args.ndjson {
            out.write_all(user.as_bytes())?;
            out.write_all(b"\n")?;
        } else {
            out.write_all(if first { b"{\"results\":[" } else { b"," })?;
            out.write_all(user.as_bytes())?;
        }
        first = false;
        Ok(())
    };
    let summary = for_each(&generator, args.count, 5000, write_user)?;
    if !args.ndjson {
        let info = serde_json::json!({"seed": args.seed, "results": summary.users, "page": 1, "version": "1.4"});
        writeln!(out, "],\"info\":{info}}}")?;
    }
    out.flush()?;
    Ok(())
}

/// [`synthetic::generate`] for writers: each user's JSON text is handed to `f`, in order. Same users, same
/// order. Pages do not depend on each other (each has its own seeded random stream), so one page
/// per core is generated on its own thread while `f` takes the users of the oldest one, in page
/// order: `duckpipe generate` is then bound by writing, not by generating. At most one page per
/// core plus one is held (about 5 MB each at the page size `generate` uses).
pub fn for_each(
    generator: &synthetic::Generator,
    count: u64,
    page_size: u32,
    mut f: impl FnMut(&str) -> anyhow::Result<()>,
) -> anyhow::Result<SourceSummary> {
    let mut pages = Vec::new();
    let summary = synthetic::generate_pages(generator, count, page_size, |page, n| {
        pages.push((page, n));
        Ok(())
    })?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    // A page's users back to back, and where each one ends.
    let render = move |page: u32, n: u32| -> (String, Vec<usize>) {
        let mut text = String::new();
        let mut ends = Vec::with_capacity(n as usize);
        let done: Result<(), std::convert::Infallible> = generator.for_each_user(page, n, |user| {
            text.push_str(user);
            ends.push(text.len());
            Ok(())
        });
        match done {
            Ok(()) => (text, ends),
        }
    };
    std::thread::scope(|scope| {
        let mut write = |(text, ends): (String, Vec<usize>)| -> anyhow::Result<()> {
            let mut start = 0;
            for end in ends {
                f(&text[start..end])?;
                start = end;
            }
            Ok(())
        };
        let mut in_flight = std::collections::VecDeque::with_capacity(workers + 1);
        for (page, n) in pages {
            in_flight.push_back(scope.spawn(move || render(page, n)));
            if in_flight.len() > workers {
                let oldest = in_flight.pop_front().expect("not empty");
                write(oldest.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))?;
            }
        }
        for page in in_flight {
            write(page.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))?;
        }
        Ok(summary)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_writer_gives_the_batch_path_users_in_order() {
        let g = synthetic::Generator::new("each", None, datetime!(2025-06-15 12:00:00 UTC)).unwrap();
        // The writer path over several pages gives the same users, in order, as the batch path.
        let mut written = Vec::new();
        let s1 = for_each(&g, 2_345, 1_000, |u| {
            written.push(u.to_string());
            Ok(())
        })
        .unwrap();
        let mut batched = Vec::new();
        let s2 = synthetic::generate(&g, 2_345, 1_000, &mut |b| {
            batched.extend(b.into_iter().map(|r| r.into_text().expect("text")));
            Ok(())
        })
        .unwrap();
        assert_eq!((s1.users, s1.pages), (s2.users, s2.pages));
        assert_eq!(written, batched);
        // An error from the writer stops generation.
        let mut calls = 0;
        let err = for_each(&g, 10_000, 1_000, |_| {
            calls += 1;
            if calls == 5 { anyhow::bail!("disk full") } else { Ok(()) }
        });
        assert!(err.is_err());
        assert_eq!(calls, 5);
    }
}
