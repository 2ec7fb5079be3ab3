//! The prep journal: written before anything else, it records every file
//! `prep` is about to create or overwrite, with the original bytes and the
//! hash of what is written, so that `restore` can bring the repository back
//! byte for byte after a finished prep, a failed one, or a killed one.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::Digest;

/// Where the journal lives, relative to the root.
pub(crate) const JOURNAL: &str = ".docker-deps/.dockprep-prep.json";

/// The backup `prep` writes beside a rewritten manifest (as `docker-prep.sh` did).
pub(crate) const BACKUP_SUFFIX: &str = ".bak";

/// Why a journal (or a prep journal's files) cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: not a dockprep prep journal ({what})", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        what: &'static str,
    },
    #[error("{}: entry {index} ({entry}): {reason}: not a journal prep wrote, so nothing was restored from it (remove it if no prep of yours is in place)", path.display())]
    Untrusted {
        path: PathBuf,
        /// 0-based, in `entries`.
        index: usize,
        /// The entry's path, quoted and escaped.
        entry: String,
        reason: Unsafe,
    },
    #[error("{}: a symbolic link; prep never makes one, so it does not write or restore through it", .0.display())]
    Symlink(PathBuf),
}

/// What is wrong with a path prep would write or restore.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unsafe {
    #[error("{0}")]
    Shape(&'static str),
    #[error("listed twice")]
    Duplicate,
    #[error("its original bytes are not base64")]
    Original,
    #[error("its directory {0} resolves outside the repository")]
    Outside(String),
    #[error("its directory {0} cannot be resolved")]
    Unresolved(String),
    #[error("it is a symbolic link")]
    Symlink,
}

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

    /// Reads the journal of `root`, if there is one. Refuses a
    /// `.docker-deps` or a journal that is a symbolic link (prep writes
    /// neither). The journal arrives with the repository, so what it says is
    /// checked before anything acts on it: see [`Journal::check`].
    pub fn read(root: &Path) -> Result<Option<Journal>, JournalError> {
        check_deps_dir(root)?;
        let p = Journal::path(root);
        match p.symlink_metadata() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(JournalError::Io { path: p, source }),
            Ok(m) if m.is_symlink() => return Err(JournalError::Symlink(p)),
            Ok(_) => {}
        }
        let text = std::fs::read(&p).map_err(|source| JournalError::Io {
            path: p.clone(),
            source,
        })?;
        serde_json::from_slice(&text).map(Some).map_err(|e| {
            use serde_json::error::Category;
            // What was wrong, never the text that was (the file is not ours
            // until it is checked).
            let what = match e.classify() {
                Category::Syntax => "not JSON",
                Category::Eof => "cut short",
                Category::Data | Category::Io => "not the shape prep writes",
            };
            JournalError::Invalid {
                path: p.clone(),
                line: e.line().max(1),
                column: e.column().max(1),
                what,
            }
        })
    }

    /// Checks that every entry is one prep could have written: a relative
    /// `/`-separated path without `.`, `..`, empty or `.git` components; a
    /// `package.json` (outside `.docker-deps` and `node_modules`), the
    /// `package.json.bak` of one of the journal's manifests, or a
    /// `.docker-deps/<name>.tgz`; once each; its original valid base64; and
    /// its directory, symbolic links resolved, inside `root`. The first
    /// entry that is not is named in the error; nothing may act on a journal
    /// that fails.
    pub fn check(&self, root: &Path) -> Result<(), JournalError> {
        let manifests: HashSet<&str> = self
            .entries
            .iter()
            .filter(|e| e.role == Role::Manifest)
            .map(|e| e.path.as_str())
            .collect();
        let mut seen = HashSet::new();
        let canonical_root = canonical(root)?;
        for (index, e) in self.entries.iter().enumerate() {
            let reason = shape(&e.path, e.role)
                .err()
                .or_else(|| {
                    (e.role == Role::Backup
                        && !e
                            .path
                            .strip_suffix(BACKUP_SUFFIX)
                            .is_some_and(|m| manifests.contains(m)))
                    .then_some(Unsafe::Shape("a backup of no manifest in the journal"))
                })
                .or_else(|| (!seen.insert(e.path.as_str())).then_some(Unsafe::Duplicate))
                .or_else(|| {
                    e.original
                        .as_ref()
                        .is_some_and(|o| {
                            base64::engine::general_purpose::STANDARD.decode(o).is_err()
                        })
                        .then_some(Unsafe::Original)
                })
                .or_else(|| inside(&canonical_root, root, &e.path).err());
            if let Some(reason) = reason {
                return Err(JournalError::Untrusted {
                    path: Journal::path(root),
                    index,
                    entry: shown(&e.path),
                    reason,
                });
            }
        }
        Ok(())
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut t = serde_json::to_string_pretty(self).unwrap_or_default();
        t.push('\n');
        t.into_bytes()
    }
}

/// Refuses a `.docker-deps` at `root` that is a symbolic link.
pub(crate) fn check_deps_dir(root: &Path) -> Result<(), JournalError> {
    let deps = root.join(super::plan::DEPS_DIR);
    match deps.symlink_metadata() {
        Ok(m) if m.is_symlink() => Err(JournalError::Symlink(deps)),
        _ => Ok(()),
    }
}

/// Whether `rel` has the shape of a file prep writes in `role`.
pub(crate) fn shape(rel: &str, role: Role) -> Result<(), Unsafe> {
    if rel.is_empty() || rel.contains(['\\', '\0']) || rel.starts_with('/') {
        return Err(Unsafe::Shape(
            "not a relative /-separated path (absolute, empty, or with a backslash or NUL)",
        ));
    }
    let parts: Vec<&str> = rel.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == "..")
    {
        return Err(Unsafe::Shape("a path with an empty, `.` or `..` component"));
    }
    let dir = &parts[..parts.len() - 1];
    let name = parts[parts.len() - 1];
    let among = |n: &str| dir.iter().any(|p| p.eq_ignore_ascii_case(n));
    if among(".git") {
        return Err(Unsafe::Shape("a path inside .git"));
    }
    let ok = match role {
        Role::Manifest => {
            name == "package.json" && !among(super::plan::DEPS_DIR) && !among("node_modules")
        }
        Role::Backup => {
            name == "package.json.bak" && !among(super::plan::DEPS_DIR) && !among("node_modules")
        }
        Role::Tarball => {
            dir == [super::plan::DEPS_DIR] && name.ends_with(".tgz") && !name.starts_with('.')
        }
    };
    if ok {
        Ok(())
    } else {
        Err(Unsafe::Shape(match role {
            Role::Manifest => {
                "a manifest that is not a package.json outside .docker-deps and node_modules"
            }
            Role::Backup => "a backup that is not a package.json.bak",
            Role::Tarball => "a tarball that is not .docker-deps/<name>.tgz",
        }))
    }
}

/// `root`, symbolic links resolved.
fn canonical(root: &Path) -> Result<PathBuf, JournalError> {
    std::fs::canonicalize(root).map_err(|source| JournalError::Io {
        path: root.to_path_buf(),
        source,
    })
}

/// Whether the directory of `rel` (its nearest existing ancestor, symbolic
/// links resolved) is inside `canonical_root`. `rel` has passed [`shape`],
/// so the part that does not exist yet cannot climb out.
pub(crate) fn inside(canonical_root: &Path, root: &Path, rel: &str) -> Result<(), Unsafe> {
    let mut dir = root.join(rel);
    while dir.pop() {
        if dir.symlink_metadata().is_ok() {
            break;
        }
    }
    match std::fs::canonicalize(&dir) {
        Ok(real) if real.starts_with(canonical_root) => Ok(()),
        Ok(_) => Err(Unsafe::Outside(shown(&crate::paths::slash(
            dir.strip_prefix(root).unwrap_or(&dir),
        )))),
        Err(_) => Err(Unsafe::Unresolved(shown(&crate::paths::slash(
            dir.strip_prefix(root).unwrap_or(&dir),
        )))),
    }
}

/// A path from an untrusted file, for a message: quoted, escaped, cut.
pub(crate) fn shown(s: &str) -> String {
    let cut = crate::syntax::span::floor_char_boundary(s, 200);
    let q = format!("{:?}", &s[..cut]);
    if cut < s.len() {
        format!("{q}…")
    } else {
        q
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
