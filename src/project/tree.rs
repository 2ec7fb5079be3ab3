//! What the model knows of the file system: the entries of every directory
//! the loader listed, plus the files the fix engine's overlay is about to
//! create. Rules ask it (`has_file`, `has_dir`, `has`, a last-segment glob)
//! instead of the disk, so a rule gives the same answer whether a file exists
//! on disk or only in the overlay, and never touches the disk itself.
//!
//! A path inside a directory the loader did not list (inside `node_modules`,
//! `.docker-deps`, or outside every audited path and build context) is
//! unknown, and answers as absent.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::paths::clean;

/// The kind of a directory entry (symbolic links as what they point to;
/// dangling ones and special files as [`Kind::Other`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Other,
}

/// Directory listings, by cleaned directory path; entries sorted by name.
#[derive(Debug, Default)]
pub struct Facts {
    dirs: HashMap<PathBuf, Vec<(String, Kind)>>,
}

/// At most this many entries are listed for build contexts outside the
/// audited paths (a hostile context cannot make the load unbounded).
pub(crate) const CONTEXT_ENTRIES_MAX: usize = 200_000;

impl Facts {
    /// Records the listing of `dir` (as the loader read it).
    pub(crate) fn record(&mut self, dir: &Path, mut entries: Vec<(String, Kind)>) {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        self.dirs.insert(clean(dir), entries);
    }

    /// True when `dir` has been listed.
    pub fn is_listed(&self, dir: &Path) -> bool {
        self.dirs.contains_key(&clean(dir))
    }

    /// Adds a file that exists only in the fix overlay (and the directories
    /// leading to it, where their parents are listed).
    pub(crate) fn add_file(&mut self, path: &Path) {
        let path = clean(path);
        let mut child = path.as_path();
        let mut kind = Kind::File;
        while let (Some(parent), Some(name)) = (child.parent(), child.file_name()) {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            let name = name.to_string_lossy().into_owned();
            let listed = self.dirs.contains_key(parent);
            let entries = self.dirs.entry(parent.to_path_buf()).or_default();
            match entries.binary_search_by(|e| e.0.as_str().cmp(&name)) {
                Ok(i) => {
                    if kind == Kind::File {
                        entries[i].1 = Kind::File;
                    }
                    break;
                }
                Err(i) => entries.insert(i, (name, kind)),
            }
            if listed {
                break;
            }
            kind = Kind::Dir;
            child = parent;
        }
    }

    /// The entries of `dir`, when it was listed.
    pub fn list(&self, dir: &Path) -> Option<&[(String, Kind)]> {
        self.dirs.get(&clean(dir)).map(Vec::as_slice)
    }

    /// The kind of `path`, when its directory was listed.
    pub fn kind(&self, path: &Path) -> Option<Kind> {
        let path = clean(path);
        if self.dirs.contains_key(&path) {
            return Some(Kind::Dir);
        }
        let name = path.file_name()?.to_string_lossy();
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let entries = self.dirs.get(parent)?;
        entries
            .binary_search_by(|e| e.0.as_str().cmp(&name))
            .ok()
            .map(|i| entries[i].1)
    }

    pub fn has_file(&self, path: &Path) -> bool {
        self.kind(path) == Some(Kind::File)
    }

    pub fn has_dir(&self, path: &Path) -> bool {
        self.kind(path) == Some(Kind::Dir)
    }

    pub fn has(&self, path: &Path) -> bool {
        self.kind(path).is_some()
    }

    /// Expands a glob whose wildcards (`*`, `?`) are in single segments
    /// (`package*.json`, `apps/*/package.json`) under `base`, over the
    /// listings: existing paths, sorted, `node_modules` never matched.
    pub fn expand_glob(&self, base: &Path, pattern: &str) -> Vec<PathBuf> {
        let segs: Vec<&str> = pattern
            .split('/')
            .filter(|s| !s.is_empty() && *s != ".")
            .collect();
        let mut out = Vec::new();
        self.expand(&clean(base), &segs, &mut out, 0);
        out
    }

    fn expand(&self, dir: &Path, segs: &[&str], out: &mut Vec<PathBuf>, depth: usize) {
        if depth > 64 {
            return;
        }
        let Some((first, rest)) = segs.split_first() else {
            if self.has(dir) {
                out.push(dir.to_path_buf());
            }
            return;
        };
        if *first == "**" {
            self.expand(dir, rest, out, depth + 1);
            for (name, kind) in self.list(dir).unwrap_or_default() {
                if *kind == Kind::Dir && !super::load::SKIP_DIRS.contains(&name.as_str()) {
                    self.expand(&dir.join(name), segs, out, depth + 1);
                }
            }
        } else if first.contains(['*', '?', '[']) {
            for (name, _) in self.list(dir).unwrap_or_default() {
                if name != "node_modules" && super::load::wildcard(first, name) {
                    self.expand(&dir.join(name), rest, out, depth + 1);
                }
            }
        } else {
            self.expand(&clean(&dir.join(first)), rest, out, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_from_listings_and_the_overlay() {
        let mut f = Facts::default();
        f.record(
            Path::new("r"),
            vec![
                ("package.json".into(), Kind::File),
                ("backend".into(), Kind::Dir),
            ],
        );
        f.record(Path::new("r/backend"), vec![("src".into(), Kind::Dir)]);
        assert!(f.has_file(Path::new("r/package.json")));
        assert!(f.has_dir(Path::new("r/backend")));
        assert!(f.has_dir(Path::new("r/./backend/")));
        assert!(!f.has(Path::new("r/backend/package.json")));
        assert!(!f.has(Path::new("elsewhere/x")));
        f.add_file(Path::new("r/backend/package.json"));
        f.add_file(Path::new("r/docker/pnpm-lock.yaml"));
        assert!(f.has_file(Path::new("r/backend/package.json")));
        assert!(f.has_dir(Path::new("r/docker")));
        assert!(f.has_file(Path::new("r/docker/pnpm-lock.yaml")));
        assert_eq!(
            f.expand_glob(Path::new("r"), "backend/pack*.json"),
            vec![PathBuf::from("r/backend/package.json")]
        );
    }
}
