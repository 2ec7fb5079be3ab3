//! Reads and parses, on every core, the files the loader's walk is about to
//! read one by one, and only those: in every repository below the audited
//! paths its Dockerfiles and compose files and, at its root, its
//! `package.json` (outside [`SKIP_DIRS`](super::load::SKIP_DIRS), never
//! through a symbolic link to a directory, with the walk's rule for where a
//! repository starts). The walk then takes
//! each file's bytes and parsed value from here instead of reading and
//! parsing it itself, so every file is still read from disk once, and a large
//! fleet's load is parallel. Files in the fix overlay are left alone (the
//! overlay's text wins). Reads go through the loader's confinement
//! ([`crate::confine`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::paths::clean;
use crate::syntax::compose::{self, Compose};
use crate::syntax::dockerfile::Dockerfile;
use crate::syntax::package_json::PackageJson;
use crate::syntax::ParseError;

/// At most this many directories are scanned ahead (the walk reads the rest
/// itself, one by one).
const DIRS_MAX: usize = 1_000_000;

/// From this many directories directly below the audited paths (a fleet of
/// repositories), the prefetch runs; a single repository is loaded as fast
/// by the walk alone, without starting threads.
const PARALLEL_DIRS: usize = 32;

/// A file's bytes and, for the kinds the walk parses, its parsed value.
pub(super) struct File {
    pub bytes: Vec<u8>,
    pub parsed: Parsed,
}

pub(super) enum Parsed {
    Dockerfile(Result<Dockerfile, ParseError>),
    Manifest(Result<PackageJson, ParseError>),
    Compose(Result<Compose, ParseError>),
    /// Not UTF-8: the walk reports it as it would have.
    None,
}

/// A directory entry as the walk needs it.
pub(super) struct Entry {
    pub name: String,
    /// What it is, links followed (for `project::tree`).
    pub kind: super::tree::Kind,
    /// A directory itself (not a link to one): the walk descends into it.
    pub is_dir: bool,
    /// A file or a link: the walk may read it.
    pub is_file_or_link: bool,
    /// A symbolic link (for `project::tree`'s link facts).
    pub is_link: bool,
}

/// Lists `dir` for the walk (unsorted).
pub(super) fn list_entries(dir: &Path) -> std::io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)?.flatten() {
        let ft = e.file_type().ok();
        out.push(Entry {
            name: e.file_name().to_string_lossy().into_owned(),
            kind: crate::workspace::globs::entry_kind(&e),
            is_dir: ft.is_some_and(|t| t.is_dir()),
            is_file_or_link: ft.is_some_and(|t| t.is_file() || t.is_symlink()),
            is_link: ft.is_some_and(|t| t.is_symlink()),
        });
    }
    Ok(out)
}

/// Prefetched files and directory listings, by cleaned path.
#[derive(Default)]
pub(super) struct Prefetch {
    files: HashMap<PathBuf, File>,
    pub listings: HashMap<PathBuf, Vec<Entry>>,
}

impl Prefetch {
    /// Scans `roots` and reads and parses their files in parallel, when they
    /// hold enough directories for it to pay (a fleet); else nothing.
    pub(super) fn run(
        roots: &[PathBuf],
        skip: &dyn Fn(&Path) -> bool,
        jail: &crate::confine::Jail,
    ) -> Prefetch {
        let subdirs: usize = roots
            .iter()
            .filter_map(|r| std::fs::read_dir(r).ok())
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .count()
            })
            .sum();
        if subdirs < PARALLEL_DIRS {
            return Prefetch::default();
        }
        let found = Mutex::new(Vec::new());
        let listings = Mutex::new(HashMap::new());
        let budget = std::sync::atomic::AtomicUsize::new(DIRS_MAX);
        rayon::scope(|s| {
            for r in roots {
                let cx = Scan {
                    found: &found,
                    listings: &listings,
                    budget: &budget,
                };
                s.spawn(move |s| scan(s, r.clone(), false, cx));
            }
        });
        let listings = listings.into_inner().unwrap_or_default();
        let mut files: Vec<PathBuf> = found.into_inner().unwrap_or_default();
        // Nested roots (`audit fleet fleet/repo`) scan a directory twice.
        files.sort();
        files.dedup();
        files.retain(|p| !skip(p));
        let files: HashMap<PathBuf, File> = files
            .into_par_iter()
            .filter_map(|p| {
                // Refused or unreadable: the walk reads it again and reports it.
                // The scan reached it through directories only (no links).
                let bytes = jail.read_in_walked_dir(&p).ok()?;
                let parsed = match std::str::from_utf8(&bytes) {
                    Err(_) => Parsed::None,
                    Ok(text) => parse(&p, text),
                };
                Some((p, File { bytes, parsed }))
            })
            .collect();
        Prefetch { files, listings }
    }

    /// Every prefetched file, by cleaned path.
    pub(super) fn take_files(&mut self) -> impl Iterator<Item = (PathBuf, File)> {
        std::mem::take(&mut self.files).into_iter()
    }
}

/// The walk's parse for a file of this name.
fn parse(path: &Path, text: &str) -> Parsed {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if super::load::is_dockerfile_name(&name) {
        Parsed::Dockerfile(Dockerfile::parse(text))
    } else if name == "package.json" {
        Parsed::Manifest(PackageJson::parse(text))
    } else {
        Parsed::Compose(Compose::parse(text))
    }
}

/// A name that makes its directory a repository (as the walk decides).
fn marks_repository(name: &str) -> bool {
    name == "package.json"
        || compose::FILE_NAMES.contains(&name)
        || super::load::is_dockerfile_name(name)
}

/// What the scanning tasks share.
#[derive(Clone, Copy)]
struct Scan<'s> {
    found: &'s Mutex<Vec<PathBuf>>,
    listings: &'s Mutex<HashMap<PathBuf, Vec<Entry>>>,
    budget: &'s std::sync::atomic::AtomicUsize,
}

fn scan<'s>(s: &rayon::Scope<'s>, dir: PathBuf, in_repo: bool, cx: Scan<'s>) {
    use std::sync::atomic::Ordering;
    if cx
        .budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1))
        .is_err()
    {
        return;
    }
    let Ok(entries) = list_entries(&dir) else {
        return;
    };
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for e in &entries {
        if e.is_dir && !super::load::SKIP_DIRS.contains(&e.name.as_str()) {
            dirs.push(e.name.clone());
        } else if e.is_file_or_link && marks_repository(&e.name) {
            files.push(e.name.clone());
        }
    }
    let is_root = !in_repo && !files.is_empty();
    let in_repo = in_repo || is_root;
    let mine: Vec<PathBuf> = files
        .into_iter()
        .filter(|n| in_repo && (n != "package.json" || is_root))
        .map(|n| clean(&dir.join(n)))
        .collect();
    for name in dirs {
        let sub = dir.join(&name);
        s.spawn(move |s| scan(s, sub, in_repo, cx));
    }
    if !mine.is_empty() {
        cx.found
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(mine);
    }
    cx.listings
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(dir, entries);
}
