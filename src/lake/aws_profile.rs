//! The AWS shared files — `~/.aws/credentials` and `~/.aws/config` — read the way the AWS CLI
//! and SDKs read them, for the S3 settings the environment does not hold: the profile is
//! `AWS_PROFILE` (else `default`), the files `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE`
//! (else under `$HOME/.aws`). In the credentials file a profile is `[name]`, in the config file
//! `[profile name]` (`[default]` for the default one); the credentials file wins where both
//! set a value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::StoreConfigError;

/// One profile's values, each with the file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    values: BTreeMap<String, (String, PathBuf)>,
}

impl Profile {
    /// The profile the environment selects, from the shared files. `None` when neither file
    /// has it and `AWS_PROFILE` did not ask for it; an error when `AWS_PROFILE` names a profile
    /// that is not there.
    pub fn load(get: &impl Fn(&str) -> Option<String>) -> Result<Option<Self>, StoreConfigError> {
        let set = |var: &str| get(var).filter(|v| !v.trim().is_empty());
        let explicit = set("AWS_PROFILE");
        let name = explicit.clone().unwrap_or_else(|| "default".into());
        let home = set("HOME").map(PathBuf::from);
        let file =
            |var: &str, default: &str| set(var).map(PathBuf::from).or_else(|| home.as_ref().map(|h| h.join(default)));
        let credentials = file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
        let config = file("AWS_CONFIG_FILE", ".aws/config");

        let mut values = BTreeMap::new();
        let mut found = false;
        // The config file first, so that the credentials file overwrites what both set.
        let config_section = if name == "default" { "default".to_string() } else { format!("profile {name}") };
        for (path, section) in [(config, config_section), (credentials, name.clone())] {
            let Some(path) = path else { continue };
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            if let Some(section) = sections(&text).remove(&section) {
                found = true;
                for (k, v) in section {
                    values.insert(k, (v, path.clone()));
                }
            }
        }
        match (found, explicit) {
            (true, _) => Ok(Some(Self { name, values })),
            (false, None) => Ok(None),
            (false, Some(name)) => Err(StoreConfigError::UnknownProfile(name)),
        }
    }

    /// A value of the profile (`aws_access_key_id`, `region`, …) and the file that set it.
    pub fn get(&self, key: &str) -> Option<(&str, &Path)> {
        self.values.get(key).filter(|(v, _)| !v.is_empty()).map(|(v, p)| (v.as_str(), p.as_path()))
    }
}

/// The sections of an INI file: `[name]` headers, `key = value` lines; `#` and `;` start
/// comments. Indented lines (the nested `s3 =` blocks of the config file) are skipped.
fn sections(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = header.split_whitespace().collect::<Vec<_>>().join(" ");
            out.entry(name.clone()).or_default();
            current = Some(name);
        } else if let (Some(section), Some((k, v))) = (&current, line.split_once('=')) {
            out.entry(section.clone()).or_default().insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_come_from_both_files_and_credentials_win() {
        let dir = tempfile::tempdir().unwrap();
        let aws = dir.path().join(".aws");
        std::fs::create_dir(&aws).unwrap();
        std::fs::write(
            aws.join("credentials"),
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n\n[minio]\naws_access_key_id=AKIDMINIO\naws_secret_access_key=s2\n",
        )
        .unwrap();
        std::fs::write(
            aws.join("config"),
            "[default]\nregion = eu-west-1\n[profile minio]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9000\naws_access_key_id = FROMCONFIG\ns3 =\n  addressing_style = path\n",
        )
        .unwrap();
        let home = dir.path().to_string_lossy().into_owned();
        let env = |profile: Option<&str>| {
            let home = home.clone();
            let profile = profile.map(str::to_string);
            move |k: &str| match k {
                "HOME" => Some(home.clone()),
                "AWS_PROFILE" => profile.clone(),
                _ => None,
            }
        };
        let p = Profile::load(&env(None)).unwrap().unwrap();
        assert_eq!(p.name, "default");
        assert_eq!(p.get("aws_access_key_id").unwrap().0, "AKIDDEFAULT");
        assert_eq!(p.get("region").unwrap(), ("eu-west-1", aws.join("config").as_path()));
        let p = Profile::load(&env(Some("minio"))).unwrap().unwrap();
        assert_eq!(p.get("aws_access_key_id").unwrap().0, "AKIDMINIO", "the credentials file wins");
        assert_eq!(p.get("endpoint_url").unwrap().0, "http://127.0.0.1:9000");
        assert!(p.get("addressing_style").is_none(), "nested blocks are skipped");
        assert_eq!(Profile::load(&env(Some("nope"))).unwrap_err(), StoreConfigError::UnknownProfile("nope".into()));
        let nowhere = |k: &str| (k == "HOME").then(|| "/nonexistent".to_string());
        assert_eq!(Profile::load(&nowhere).unwrap(), None);
    }
}
