//! The layers of `src/` (docs/architecture.md): a top-level module may use only modules of a
//! lower layer (leaves may use other leaves). Test modules at the end of a file (`#[cfg(test)]`)
//! are not counted, like ../shared/tools/import_cycles.py.

use std::collections::BTreeMap;
use std::path::Path;

/// Layer of each top-level module, highest first.
const LAYERS: &[(&str, u8)] = &[
    ("cli", 5),
    ("pipeline", 4),
    ("analytics", 4),
    ("lake", 3),
    ("engine", 2),
    ("calendar", 1),
    ("decimal", 1),
    ("error", 1),
    ("interrupt", 1),
    ("keys", 1),
    ("masking", 1),
    ("numbers", 1),
    ("progress", 1),
    ("schema", 1),
    ("shape", 1),
    ("terminal", 1),
    ("timefmt", 1),
];

fn layer(module: &str) -> u8 {
    LAYERS
        .iter()
        .find(|(m, _)| *m == module)
        .map(|(_, l)| *l)
        .unwrap_or_else(|| panic!("src/{module} has no layer: add it to tests/layers.rs and docs/architecture.md"))
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `crate::name` and `use crate::{a, b::c}` uses in `text`.
fn uses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            out.push(name);
        }
    }
    out
}

#[test]
fn modules_use_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
        if top == "main" || top == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let mine = layer(&top);
        for used in uses(code) {
            if used == top {
                continue;
            }
            let theirs = layer(&used);
            let allowed = theirs < mine || (mine == 1 && theirs == 1);
            if !allowed {
                wrong.entry(rel.display().to_string()).or_default().push(used);
            }
        }
    }
    assert!(wrong.is_empty(), "modules that use a module of their own or a higher layer: {wrong:?}");
}

#[test]
fn every_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in std::fs::read_dir(&src).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().trim_end_matches(".rs").to_string();
        if name != "main" && name != "lib" {
            layer(&name);
        }
    }
}
