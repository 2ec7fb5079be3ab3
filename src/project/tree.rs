//! What the model knows of the file system: the entries of every directory
//! the loader listed, plus the files the fix engine's overlay is about to
//! create. Rules ask it (`has_file`, `has_dir`, `has`, a last-segment glob)
//! instead of the disk, so a rule gives the same answer whether a file exists
//! on disk or only in the overlay, and never touches the disk itself.
//!
//! A path inside a directory the loader did not list (inside `node_modules`,
//! `.docker-deps`, or outside every audited path and build context) is
//! unknown, and answers as absent.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::paths::clean;

pub use crate::workspace::globs::Kind;
use crate::workspace::globs::Lister;

/// Directory listings, by cleaned directory path; entries sorted by name.
#[derive(Debug, Default)]
pub struct Facts {
    dirs: HashMap<PathBuf, Vec<(String, Kind)>>,
    /// The symbolic links among the listed entries (cleaned paths).
    links: std::collections::HashSet<PathBuf>,
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

    /// Records which entries of `dir`'s listing are symbolic links.
    pub(crate) fn record_links(&mut self, dir: &Path, names: Vec<String>) {
        if names.is_empty() {
            return;
        }
        let dir = clean(dir);
        self.links.extend(names.into_iter().map(|n| dir.join(n)));
    }

    /// Whether `path` is a symbolic link, when its directory was listed by
    /// the loader (a file only the overlay has is not).
    pub(crate) fn link_known(&self, path: &Path) -> Option<bool> {
        let path = crate::paths::cleaned(path);
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if self.links.contains(path.as_ref()) {
            return Some(true);
        }
        self.dirs.contains_key(parent).then_some(false)
    }

    /// True when `dir` has been listed.
    pub(crate) fn is_listed(&self, dir: &Path) -> bool {
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

    pub(crate) fn has_file(&self, path: &Path) -> bool {
        self.kind(path) == Some(Kind::File)
    }

    pub(crate) fn has_dir(&self, path: &Path) -> bool {
        self.kind(path) == Some(Kind::Dir)
    }

    pub fn has(&self, path: &Path) -> bool {
        self.kind(path).is_some()
    }

    /// Expands a `COPY`/`ADD` source glob under `base` over the listings
    /// ([`expand_copy_glob`]).
    pub(crate) fn expand_glob(&self, base: &Path, pattern: &str) -> Vec<PathBuf> {
        expand_copy_glob(self, base, pattern)
    }
}

/// The listings answer; a directory the loader did not list is unknown.
/// Links are not recorded: [`Lister::is_link`] answers `false`.
impl Lister for Facts {
    fn list(&self, dir: &Path) -> Option<Cow<'_, [(String, Kind)]>> {
        Facts::list(self, dir).map(Cow::Borrowed)
    }

    fn is_link(&self, _path: &Path) -> bool {
        false
    }

    fn kind(&self, path: &Path) -> Option<Kind> {
        Facts::kind(self, path)
    }
}

/// Expands a `COPY`/`ADD` source glob (`package*.json`, `apps/*/package.json`)
/// under `base` the way BuildKit resolves it: segment by segment, each with
/// Go's `filepath.Match` ([`super::wildcard`]: `*`, `?`, `[a-z]`, `[^a]`,
/// `\` escapes; `**` is just two `*`). Returns the existing paths, sorted
/// within each segment; `node_modules` is never matched (the model does not
/// look inside it).
pub(crate) fn expand_copy_glob(lister: &dyn Lister, base: &Path, pattern: &str) -> Vec<PathBuf> {
    let segs: Vec<&str> = pattern
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    let mut out = Vec::new();
    if segs.len() <= 64 {
        copy_segs(lister, &clean(base), &segs, &mut out);
    }
    out
}

fn copy_segs(lister: &dyn Lister, dir: &Path, segs: &[&str], out: &mut Vec<PathBuf>) {
    let Some((first, rest)) = segs.split_first() else {
        if lister.kind(dir).is_some() {
            out.push(dir.to_path_buf());
        }
        return;
    };
    if first.contains(['*', '?', '[']) {
        let Some(entries) = lister.list(dir) else {
            return;
        };
        let names: Vec<String> = entries
            .iter()
            .filter(|(n, _)| n != "node_modules" && super::wildcard(first, n))
            .map(|(n, _)| n.clone())
            .collect();
        for n in names {
            copy_segs(lister, &dir.join(&n), rest, out);
        }
    } else {
        copy_segs(lister, &clean(&dir.join(first)), rest, out);
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
