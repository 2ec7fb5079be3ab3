//! The prep journal: written before anything else, it records every file
//! `prep` is about to create or overwrite, with the original bytes and the
//! hash of what is written, so that `restore` can bring the repository back
//! byte for byte after a finished prep, a failed one, or a killed one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::Digest;

/// Where the journal lives, relative to the root.
pub(crate) const JOURNAL: &str = ".docker-deps/.dockprep-prep.json";

/// The backup `prep` writes beside a rewritten manifest (as `docker-prep.sh` did).
pub(crate) const BACKUP_SUFFIX: &str = ".bak";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Manifest,
    Backup,
    Tarball,
}

/// One file `prep` writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Relative to the root, `/`-separated.
    pub path: String,
    pub role: Role,
    /// The bytes before prep (base64); `None` when prep creates the file.
    pub original: Option<String>,
    /// sha256 (hex) of what prep writes.
    pub written: String,
}

impl Entry {
    pub(crate) fn original_bytes(&self) -> Option<Vec<u8>> {
        self.original
            .as_ref()
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub version: u32,
    /// The dockprep that wrote it.
    pub tool: String,
    /// `.docker-deps/` did not exist before prep (restore removes it when empty).
    pub created_deps_dir: bool,
    pub entries: Vec<Entry>,
    /// Per rewritten manifest, the packages pinned in `pnpm.overrides`.
    #[serde(default)]
    pub overrides: BTreeMap<String, Vec<String>>,
}

impl Journal {
    pub fn new(created_deps_dir: bool) -> Journal {
        Journal {
            version: 1,
            tool: format!("dockprep {}", env!("CARGO_PKG_VERSION")),
            created_deps_dir,
            entries: Vec::new(),
            overrides: BTreeMap::new(),
        }
    }

    /// Records a file about to be written: its current bytes (if any) and a
    /// hash of `bytes`.
    pub fn record(&mut self, root: &Path, rel: &str, role: Role, bytes: &[u8]) {
        let original = std::fs::read(root.join(rel))
            .ok()
            .map(|b| base64::engine::general_purpose::STANDARD.encode(b));
        self.entries.push(Entry {
            path: rel.to_string(),
            role,
            original,
            written: sha256(bytes),
        });
    }

    pub fn path(root: &Path) -> PathBuf {
        root.join(JOURNAL)
    }

    /// Reads the journal of `root`, if there is one.
    pub fn read(root: &Path) -> Result<Option<Journal>, String> {
        let p = Journal::path(root);
        let text = match std::fs::read_to_string(&p) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", p.display())),
        };
        serde_json::from_str(&text).map(Some).map_err(|e| {
            format!(
                "{}:{}:{}: not a dockprep prep journal: {e}",
                p.display(),
                e.line(),
                e.column().max(1)
            )
        })
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut t = serde_json::to_string_pretty(self).unwrap_or_default();
        t.push('\n');
        t.into_bytes()
    }
}

pub(crate) fn sha256(bytes: &[u8]) -> String {
    let d = sha2::Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// True for a `.docker-deps/` tarball reference in a manifest's text.
pub(crate) fn has_deps_reference(text: &str) -> bool {
    !crate::syntax::prep_rewrites::scan_manifest(text.as_bytes()).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references_at_any_depth() {
        assert!(has_deps_reference(r#""a": "file:../.docker-deps/x.tgz""#));
        assert!(has_deps_reference(r#""a": "file:./.docker-deps/x.tgz""#));
        assert!(has_deps_reference(r#""a": "file:.docker-deps/x.tgz""#));
        assert!(has_deps_reference(
            r#""a": "file:../../.docker-deps/x.tgz""#
        ));
        assert!(!has_deps_reference(
            r#""a": "file:../vendor/x.tgz", "b": ".docker-deps/""#
        ));
        assert!(!has_deps_reference(
            r#""a": "file:../my.docker-deps/x.tgz""#
        ));
    }

    #[test]
    fn journal_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"old").unwrap();
        let mut j = Journal::new(true);
        j.record(dir.path(), "a", Role::Manifest, b"new");
        j.record(dir.path(), "b", Role::Backup, b"old");
        assert_eq!(j.entries[0].original_bytes().unwrap(), b"old");
        assert_eq!(j.entries[1].original, None);
        let back: Journal = serde_json::from_slice(&j.to_bytes()).unwrap();
        assert_eq!(back, j);
    }
}
