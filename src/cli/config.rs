//! `duckpipe config`: the settings every command would use and where each came from — so a
//! `.env` line that is ignored, shadowed by the environment or mistyped shows before a load
//! lands somewhere else. Keys and secrets appear only as fingerprints (the ones run records
//! hold, for the keys). Exit 2 when a setting is unusable.

use serde::Serialize;

use super::args::{ConfigArgs, Format};
use super::output::{print_json, print_text};
use super::settings::{self, API_URL_VAR, DEST_VAR, Env, Origin, Setting};
use crate::analytics::text::table;
use crate::engine::workspace::{MEMORY_LIMIT_VAR, memory_limit};
use crate::error::UsageError;
use crate::keys::{self, HMAC_KEY_VAR, HmacKey, PARQUET_KEY_VAR, ParquetKey};
use crate::lake::S3Settings;
use crate::lake::s3::Source;

/// One line of the report.
#[derive(Debug, Serialize)]
struct Item {
    name: String,
    /// What is used (a fingerprint for secrets); `None` = not set.
    value: Option<String>,
    /// Where it came from (`None` when not set).
    from: Option<String>,
    /// Why it cannot be used, if it cannot.
    problem: Option<String>,
}

impl Item {
    fn new(name: &str, value: Option<String>, from: Option<String>) -> Self {
        Self { name: name.into(), value, from, problem: None }
    }
    fn problem(mut self, problem: impl Into<String>) -> Self {
        self.problem = Some(problem.into());
        self
    }
}

fn origin_text(origin: &Origin, var: &str) -> String {
    match origin {
        Origin::Environment | Origin::Dotenv => format!("{origin} ({var})"),
        other => other.to_string(),
    }
}

/// A key: its fingerprint when it parses, the reason when it does not.
fn key_item<T>(
    env: &Env,
    var: &str,
    parse: impl Fn(&str) -> Result<T, keys::KeyError>,
    fp: impl Fn(&T) -> String,
) -> Item {
    match env.var(var) {
        None => Item::new(var, None, None),
        Some(Setting { value, origin }) => match parse(&value) {
            Ok(key) => Item::new(var, Some(format!("fingerprint {}", fp(&key))), Some(origin.to_string())),
            Err(e) => Item::new(var, Some("(invalid)".into()), Some(origin.to_string())).problem(e.to_string()),
        },
    }
}

/// Where an S3 setting came from, in words.
fn source_text(env: &Env, source: &Source) -> String {
    match source {
        Source::Var(var) => env.var(var).map_or_else(|| var.to_string(), |s| origin_text(&s.origin, var)),
        Source::Profile { name, file } => format!("AWS profile {name:?} ({})", file.display()),
        Source::Default => "default".into(),
    }
}

fn s3_items(env: &Env, needed: bool) -> Vec<Item> {
    match S3Settings::from_env(|k| env.value(k)) {
        Ok(s3) => {
            let (key_id, secret, token, _) = s3.credentials();
            // Each credential from its own variable, or all from the profile.
            let from = |var: &'static str| match &s3.sources.credentials {
                Source::Var(_) => source_text(env, &Source::Var(var)),
                profile => source_text(env, profile),
            };
            let fingerprint = |secret: &str| Some(format!("fingerprint {}", keys::fingerprint_of(secret)));
            let mut items = vec![
                Item::new("AWS_ACCESS_KEY_ID", fingerprint(key_id), Some(from("AWS_ACCESS_KEY_ID"))),
                Item::new("AWS_SECRET_ACCESS_KEY", fingerprint(secret), Some(from("AWS_SECRET_ACCESS_KEY"))),
            ];
            if let Some(token) = token {
                items.push(Item::new("AWS_SESSION_TOKEN", fingerprint(token), Some(from("AWS_SESSION_TOKEN"))));
            }
            items.push(Item::new(
                "AWS_REGION",
                Some(s3.region().to_string()),
                Some(source_text(env, &s3.sources.region)),
            ));
            let endpoint = match s3.sources.endpoint {
                Source::Default => format!("{} (AWS)", s3.endpoint_url()),
                _ => format!("{} (path-style)", s3.endpoint_url()),
            };
            items.push(Item::new("AWS_ENDPOINT_URL", Some(endpoint), Some(source_text(env, &s3.sources.endpoint))));
            items
        }
        Err(e) => {
            let item = Item::new("S3 access", None, None);
            // Only a problem when the destination is on S3.
            vec![if needed {
                item.problem(e.to_string())
            } else {
                Item { value: Some("not set (needed for s3:// destinations only)".into()), ..item }
            }]
        }
    }
}

fn gather(args: &ConfigArgs, env: &Env) -> Vec<Item> {
    let mut items = Vec::new();
    let dest = settings::dest(&args.dest, env);
    let on_s3 = dest.as_ref().is_ok_and(|d| d.value.is_s3());
    items.push(match &dest {
        Ok(d) => Item::new("dest", Some(d.value.to_string()), Some(origin_text(&d.origin, DEST_VAR))),
        Err(e) => Item::new("dest", None, None).problem(e.to_string()),
    });
    items.push(match settings::api_url(args.api_url.clone(), env) {
        Ok(u) => Item::new("api_url", Some(u.value.to_string()), Some(origin_text(&u.origin, API_URL_VAR))),
        Err(e) => Item::new("api_url", None, None).problem(e.to_string()),
    });
    let parquet = key_item(env, PARQUET_KEY_VAR, ParquetKey::parse, ParquetKey::fingerprint);
    items.push(if parquet.value.is_none() {
        parquet.problem(format!("{PARQUET_KEY_VAR} is not set: run `duckpipe keygen --out .env`"))
    } else {
        parquet
    });
    items.push(key_item(env, HMAC_KEY_VAR, HmacKey::parse, HmacKey::fingerprint));
    items.extend(s3_items(env, on_s3));
    items.push(match memory_limit(|k| env.value(k)) {
        Ok(limit) => Item::new(
            MEMORY_LIMIT_VAR,
            Some(limit),
            Some(env.var(MEMORY_LIMIT_VAR).map_or_else(|| "default".to_string(), |s| s.origin.to_string())),
        ),
        Err(e) => Item::new(MEMORY_LIMIT_VAR, None, None).problem(e.to_string()),
    });
    let httpfs = crate::engine::httpfs_path();
    let from = env
        .var("DUCKPIPE_HTTPFS_EXTENSION")
        .map_or_else(|| "default (the build's)".to_string(), |s| s.origin.to_string());
    let item = Item::new("DUCKPIPE_HTTPFS_EXTENSION", Some(httpfs.display().to_string()), Some(from));
    items.push(if httpfs.is_file() { item } else { item.problem("no such file") });
    items.push(match &env.dotenv {
        None => Item::new(".env", Some(format!("none in {}", current_dir())), None),
        Some(file) => {
            let mode = file.mode.map(|m| format!(", mode {m:04o}")).unwrap_or_default();
            let n = file.values.len();
            let mut item = Item::new(
                ".env",
                Some(format!("{}{mode}, {n} setting{}", file.path.display(), if n == 1 { "" } else { "s" })),
                None,
            );
            if !file.duplicates.is_empty() {
                let names: Vec<&str> = file.duplicates.iter().map(|d| d.name.as_str()).collect();
                item = item.problem(format!("set more than once (the last one is used): {}", names.join(", ")));
            }
            item
        }
    });
    items
}

fn current_dir() -> String {
    std::env::current_dir().map_or_else(|_| ".".into(), |d| d.display().to_string())
}

pub fn run(args: ConfigArgs, env: &Env) -> anyhow::Result<()> {
    let items = gather(&args, env);
    let problems: Vec<String> =
        items.iter().filter_map(|i| i.problem.as_ref().map(|p| format!("{}: {p}", i.name))).collect();
    match args.format {
        Format::Json => print_json(&serde_json::json!({ "settings": items, "problems": problems }))?,
        Format::Text => {
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|i| {
                    vec![
                        i.name.clone(),
                        i.value.clone().unwrap_or_else(|| "not set".into()),
                        i.from.clone().unwrap_or_else(|| "–".into()),
                    ]
                })
                .collect();
            let mut out = String::from(
                "duckpipe settings — each from its flag, else the environment, else ./.env, else its default\n\n",
            );
            out.push_str(&table(&["setting", "value", "from"], 3, &rows));
            if !problems.is_empty() {
                out.push_str("\nProblems:\n");
                for p in &problems {
                    out.push_str(&format!("  {p}\n"));
                }
            }
            print_text(&out)?;
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(UsageError(format!(
            "{} setting{} cannot be used (see above)",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ))
        .into())
    }
}
