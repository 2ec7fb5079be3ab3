//! The build context as a tar stream, written by dockprep.
//!
//! `dockprep build --mode tarball` never touches the work tree: instead of
//! letting the Docker client walk the context directory, dockprep writes the
//! context itself, as an uncompressed tar stream, with some files replaced or
//! added (the *overlay*: rewritten manifests, `.docker-deps/*.tgz`), and hands
//! it to `docker build -f <name> -`. [`write_context`] writes that stream so
//! that the files a `COPY` sees are exactly what BuildKit's own transfer of the
//! directory would have given, plus the overlay.
//!
//! # What BuildKit does, and what this module copies
//!
//! Found by experiment with the testbed's engine (Debian docker.io 20.10.24,
//! classic `DOCKER_BUILDKIT=1 docker build`, no buildx) and by reading
//! `tonistiigi/fsutil` (the walker the client runs) — see
//! `tests/context_diff.rs`, which checks all of this against the engine.
//!
//! * **Which `.dockerignore`.** The Dockerfile frontend uses
//!   `<Dockerfile>.dockerignore` beside the Dockerfile when it exists, else
//!   `<context>/.dockerignore`; the other file is ignored completely (no
//!   merging). Both are ordinary context files: they are sent unless a pattern
//!   excludes them. So is the Dockerfile when it lies in the context.
//! * **A tar context is not filtered again.** With the context on stdin
//!   (`docker build -f NAME -`) the CLI uploads the stream as is, and the
//!   frontend unpacks it without applying any `.dockerignore` (also true of
//!   current BuildKit, whose `dockerui` only filters `llb.Local` contexts).
//!   The stream therefore has to be filtered already — and the Dockerfile
//!   must be in it, because the frontend reads it from the stream. When the
//!   Dockerfile is outside the context or excluded by the `.dockerignore`, it
//!   is added under a name that no context entry has (`.dockerfile.<hash>`,
//!   like the classic client's `.dockerfile.<random>`); a `COPY .` then also
//!   copies that one file, which cannot be avoided with a stdin context
//!   ([`ContextSummary::dockerfile_added`] says when it happens).
//! * **The walk.** Depth first, entries of a directory sorted bytewise (Go's
//!   `filepath.Walk`), the root itself not sent. What is sent depends on the
//!   client's fsutil version, so both are implemented ([`Walker`]):
//!   - [`Walker::Legacy`] — docker CLI ≤ 20.10 (fsutil before Dec. 2021), the
//!     classic `DOCKER_BUILDKIT=1 docker build` path and the testbed engine.
//!     A path is excluded when it or a parent matches (moby's
//!     `MatchesOrParentMatches` = [`DockerIgnore::is_excluded`]). An excluded
//!     directory is skipped unless the text of some `!` pattern starts with
//!     `<dir>/`; then the directory *itself is sent* (even if nothing below
//!     it is re-included) and walked. Hence `ex` + `!ex/nothing` sends an
//!     empty `ex/`, and `ex` + `!**/keep` does *not* re-include `ex/keep`.
//!   - [`Walker::Current`] — fsutil since mid-2023 (buildx, docker ≥ 23).
//!     Matching uses `MatchesUsingParentResults` (the parent directory's
//!     per-pattern results are reused, which differs from the legacy rule in
//!     corner cases such as `*/x` + `!d` for `d/x`); an excluded directory is
//!     walked when some exception has a wildcard, or starts with `<dir>/`,
//!     and it is only sent when something below it is sent.
//! * **Entries.** Directories (also empty ones), regular files, and symlinks
//!   kept as symlinks (target as is, never followed). Hard links within the
//!   context are kept: the first path in walk order carries the data, later
//!   ones are hard-link entries (fsutil's inode map). Sockets are sent as
//!   empty regular files (fsutil clears the socket bit); on the legacy engine
//!   character/block devices also arrive as empty regular files and FIFOs are
//!   not sent, which is what is written here (current fsutil would recreate
//!   devices and FIFOs with `mknod`). Extended attributes are not written.
//! * **Metadata.** Permission bits including setuid/setgid/sticky; owner
//!   0:0 with empty user/group names (the CLI's `resetUIDAndGID`).
//! * **The first entry.** The docker CLI (20.10 `docker build`, and buildx)
//!   tells a tar on stdin from a Dockerfile by parsing one tar header out of
//!   the first 1024 bytes; a PAX record or a GNU long name in front of the
//!   first entry does not fit, and the stream is then taken for a Dockerfile
//!   ("ambiguous Dockerfile source"). The stream therefore starts with a plain
//!   `./` entry for the context root (its mode, the fixed mtime), as
//!   `tar -C dir -c .` would.
//!
//! # Modification times
//!
//! BuildKit's cache key for `COPY`/`ADD` is a content hash of the tarsum-v1
//! headers (name, mode, uid, gid, size, type, link name, devices, xattrs) and
//! the file bytes; the modification time is not part of it. The mtimes still
//! end up in the image layer (and `-o type=local` keeps them to the
//! nanosecond), so files taken from disk keep their real mtimes, with
//! nanoseconds in a PAX `mtime` record: the layer then has the same files with
//! the same times as a build from the directory. Overlay files and
//! directories that only exist because of the overlay get the fixed
//! [`OVERLAY_MTIME`], so the same overlay always gives the same bytes; an
//! unchanged work tree plus an unchanged overlay gives a byte-identical
//! stream.
//!
//! Measured on the testbed engine: two tar contexts with the same files but
//! every mtime shifted by 1000 s give a `CACHED` `COPY . /`; changing one
//! file's mode reruns it. A build from the directory and one from a tar of the
//! same files do *not* share the `COPY` cache (whatever the root entry), so
//! switching between the two modes costs one rebuild of the `COPY` steps.
//! Since the key ignores mtimes, a cached `COPY` keeps the mtimes of the
//! build that made the cache entry (which is why the differential test
//! builds with `--no-cache`).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, Metadata};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::syntax::dockerignore::{DockerIgnore, Pattern};

/// Modification time of overlay files and of the directories made for them
/// (1980-01-01T00:00:00Z, the earliest time a zip can hold).
pub(crate) const OVERLAY_MTIME: u64 = 315_532_800;

/// Which version of the client-side walker (fsutil) to reproduce.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Walker {
    /// docker CLI ≤ 20.10 driving the engine's BuildKit (`DOCKER_BUILDKIT=1
    /// docker build` without buildx).
    Legacy,
    /// buildx and docker ≥ 23 (fsutil since 2023).
    #[default]
    Current,
}

impl Walker {
    /// The walker of a client: buildx has the current one; the classic
    /// `docker build` path only exists in clients that have the legacy one.
    pub fn for_client(buildx: bool) -> Walker {
        if buildx {
            Walker::Current
        } else {
            Walker::Legacy
        }
    }
}

/// What to put into the build context.
#[derive(Clone, Debug)]
pub struct ContextSpec<'a> {
    /// The context directory.
    pub dir: &'a Path,
    /// The Dockerfile (inside or outside the context).
    pub dockerfile: &'a Path,
    /// Context-relative `/`-separated paths whose bytes replace a file or add
    /// one (parent directories are made as needed).
    pub overlay: BTreeMap<String, Vec<u8>>,
    pub walker: Walker,
    /// Texts of files this run read already (by cleaned path, e.g. the
    /// model's [`Sources::disk_texts`](crate::project::Sources)): a file of
    /// the context found here with the size on disk is sent from memory, not
    /// read again.
    pub known: Option<&'a HashMap<PathBuf, String>>,
}

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContextSummary {
    /// The name to pass as `-f`.
    pub dockerfile_in_tar: String,
    /// True when the Dockerfile had to be added to the context (it is
    /// outside it or excluded), so a `COPY .` also sees it.
    pub dockerfile_added: bool,
    /// The `.dockerignore` in effect, if any.
    pub ignore_file: Option<PathBuf>,
    /// Regular files written (hard links and the added Dockerfile included).
    pub files: usize,
    pub dirs: usize,
    pub symlinks: usize,
    /// Bytes of file content.
    pub bytes: u64,
    /// Overlay paths (as given) left out because the `.dockerignore` excludes them.
    pub excluded_overlay: Vec<String>,
    /// Overlay paths that replaced a file of the context.
    pub replaced_overlay: Vec<String>,
    /// FIFOs left out, as BuildKit does (context-relative).
    pub skipped: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: file name is not UTF-8; dockprep cannot match it against .dockerignore", path.display())]
    NotUtf8 { path: PathBuf },
    #[error("{}: the file changed size while the build context was written", path.display())]
    Changed { path: PathBuf },
    #[error("overlay path `{path}`: {reason}")]
    Overlay { path: String, reason: String },
    #[error("writing the build context: {0}")]
    Write(io::Error),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ContextError + '_ {
    move |source| ContextError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The `.dockerignore` BuildKit uses for this Dockerfile and context:
/// `<Dockerfile>.dockerignore` when it exists, else `<context>/.dockerignore`.
pub(crate) fn ignore_in_effect(
    dir: &Path,
    dockerfile: &Path,
) -> Result<Option<(PathBuf, DockerIgnore)>, ContextError> {
    let mut specific = dockerfile.as_os_str().to_owned();
    specific.push(".dockerignore");
    for candidate in [PathBuf::from(specific), dir.join(".dockerignore")] {
        match fs::read(&candidate) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                return Ok(Some((candidate, DockerIgnore::parse(&text))));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) if e.kind() == io::ErrorKind::IsADirectory => {}
            Err(e) => return Err(io_err(&candidate)(e)),
        }
    }
    Ok(None)
}

// ---------------------------------------------------------------------------
// Filtering.

/// Per-directory state of the walk: the parent's per-pattern results
/// (current walker only).
#[derive(Clone, Debug, Default)]
struct MatchState(Option<Vec<bool>>);

/// What to do with one path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decision {
    /// Send it (and walk it, for a directory).
    Send,
    /// Directory: walk it, send it only when something below is sent.
    Lazy,
    /// Leave it out (and do not walk it).
    Skip,
}

struct Filter {
    ignore: DockerIgnore,
    walker: Walker,
    /// Valid patterns, in order.
    valid: Vec<usize>,
    /// Cleaned texts of valid exceptions.
    exceptions: Vec<String>,
    /// Current walker: no exception has a wildcard (after dropping a
    /// trailing `/**` or `/*`).
    only_prefix_exceptions: bool,
}

impl Filter {
    fn new(ignore: DockerIgnore, walker: Walker) -> Filter {
        let valid: Vec<usize> = (0..ignore.patterns.len())
            .filter(|&i| ignore.patterns[i].error.is_none())
            .collect();
        let exceptions: Vec<String> = valid
            .iter()
            .map(|&i| &ignore.patterns[i])
            .filter(|p| p.exception)
            .map(|p| p.cleaned.clone())
            .collect();
        let only_prefix_exceptions = exceptions
            .iter()
            .all(|e| !without_trailing_glob(e).contains(['*', '[', ']', '?', '^', '\\']));
        Filter {
            ignore,
            walker,
            valid,
            exceptions,
            only_prefix_exceptions,
        }
    }

    fn pattern(&self, k: usize) -> &Pattern {
        &self.ignore.patterns[self.valid[k]]
    }

    /// Whether some exception could re-include a path below `dir`.
    fn exception_below(&self, dir: &str, trim_glob: bool) -> bool {
        let dir_slash = format!("{dir}/");
        self.exceptions.iter().any(|e| {
            let e = if trim_glob {
                without_trailing_glob(e)
            } else {
                e
            };
            format!("{e}/").starts_with(&dir_slash)
        })
    }

    /// Decides about `rel` (clean, relative) given its parent's state;
    /// returns the state for its children when it is a directory.
    fn decide(&self, rel: &str, is_dir: bool, parent: &MatchState) -> (Decision, MatchState) {
        match self.walker {
            Walker::Legacy => {
                if !self.ignore.is_excluded(rel) {
                    return (Decision::Send, MatchState(None));
                }
                if is_dir && !self.exceptions.is_empty() && self.exception_below(rel, false) {
                    return (Decision::Send, MatchState(None));
                }
                (Decision::Skip, MatchState(None))
            }
            Walker::Current => {
                let (excluded, info) = self.matches_using_parent(rel, parent.0.as_deref());
                let state = MatchState(Some(info));
                if !excluded {
                    return (Decision::Send, state);
                }
                if !is_dir {
                    return (Decision::Skip, state);
                }
                if self.only_prefix_exceptions
                    && (self.exceptions.is_empty() || !self.exception_below(rel, true))
                {
                    return (Decision::Skip, state);
                }
                (Decision::Lazy, state)
            }
        }
    }

    /// moby/patternmatcher `MatchesUsingParentResults`.
    fn matches_using_parent(&self, path: &str, parent: Option<&[bool]>) -> (bool, Vec<bool>) {
        let mut matched = false;
        let mut info = vec![false; self.valid.len()];
        for (k, slot) in info.iter_mut().enumerate() {
            let pattern = self.pattern(k);
            let mut m = parent.is_some_and(|p| p[k]);
            if !m {
                if pattern.exception != matched {
                    continue;
                }
                m = pattern.matches(path);
                if !m && parent.is_none() {
                    if let Some((dir, _)) = path.rsplit_once('/') {
                        m = dir
                            .match_indices('/')
                            .map(|(i, _)| &dir[..i])
                            .chain(std::iter::once(dir))
                            .any(|d| pattern.matches(d));
                    }
                }
            }
            *slot = m;
            if m {
                matched = !pattern.exception;
            }
        }
        (matched, info)
    }
}

fn without_trailing_glob(p: &str) -> &str {
    let p = p.strip_suffix("/**").unwrap_or(p);
    p.strip_suffix("/*").unwrap_or(p)
}

// ---------------------------------------------------------------------------
// The entries.

#[derive(Debug)]
enum Kind<'a> {
    Dir,
    /// A regular file on disk.
    File {
        source: PathBuf,
        size: u64,
        inode: Option<(u64, u64)>,
    },
    /// An empty regular file (socket, device).
    Empty,
    Symlink(PathBuf),
    Bytes(Cow<'a, [u8]>),
    HardLink(String),
}

#[derive(Debug)]
struct Entry<'a> {
    rel: String,
    kind: Kind<'a>,
    /// Permission bits (with setuid, setgid, sticky).
    mode: u32,
    mtime: (u64, u32),
}

fn components(rel: &str) -> impl Iterator<Item = &[u8]> {
    rel.split('/').map(str::as_bytes)
}

#[cfg(unix)]
fn perm(m: &Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o7777
}
#[cfg(not(unix))]
fn perm(m: &Metadata) -> u32 {
    match (m.is_dir(), m.permissions().readonly()) {
        (true, _) => 0o755,
        (false, true) => 0o444,
        (false, false) => 0o644,
    }
}

#[cfg(unix)]
fn inode(m: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    (m.nlink() > 1).then(|| (m.dev(), m.ino()))
}
#[cfg(not(unix))]
fn inode(_: &Metadata) -> Option<(u64, u64)> {
    None
}

fn mtime(m: &Metadata) -> (u64, u32) {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or((0, 0), |d| (d.as_secs(), d.subsec_nanos()))
}

enum Special {
    Empty,
    Skip,
    Other,
}

#[cfg(unix)]
fn special(ft: &fs::FileType) -> Special {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        Special::Skip
    } else if ft.is_socket() || ft.is_char_device() || ft.is_block_device() {
        Special::Empty
    } else {
        Special::Other
    }
}
#[cfg(not(unix))]
fn special(_: &fs::FileType) -> Special {
    Special::Other
}

/// Turns metadata into an entry (`None` for what is not sent).
fn entry_of<'a>(
    path: &Path,
    rel: String,
    meta: &Metadata,
) -> Result<Option<Entry<'a>>, ContextError> {
    let ft = meta.file_type();
    let kind = if ft.is_dir() {
        Kind::Dir
    } else if ft.is_symlink() {
        Kind::Symlink(fs::read_link(path).map_err(io_err(path))?)
    } else if ft.is_file() {
        Kind::File {
            source: path.to_path_buf(),
            size: meta.len(),
            inode: inode(meta),
        }
    } else {
        match special(&ft) {
            Special::Skip => return Ok(None),
            Special::Empty | Special::Other => Kind::Empty,
        }
    };
    Ok(Some(Entry {
        rel,
        kind,
        mode: perm(meta),
        mtime: mtime(meta),
    }))
}

struct Walk<'f, 'a> {
    filter: &'f Filter,
    entries: Vec<Entry<'a>>,
    skipped: Vec<String>,
}

impl<'a> Walk<'_, 'a> {
    /// Walks `dir` (relative path `prefix`); returns whether anything was sent.
    fn dir(&mut self, dir: &Path, prefix: &str, state: &MatchState) -> Result<bool, ContextError> {
        let mut names = Vec::new();
        for item in fs::read_dir(dir).map_err(io_err(dir))? {
            let item = item.map_err(io_err(dir))?;
            names.push(item.file_name());
        }
        names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
        let mut sent = false;
        for name in names {
            let path = dir.join(&name);
            let Some(name) = name.to_str() else {
                return Err(ContextError::NotUtf8 { path });
            };
            let rel = if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}/{name}")
            };
            let meta = match fs::symlink_metadata(&path) {
                Ok(m) => m,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_err(&path)(e)),
            };
            let is_dir = meta.is_dir();
            let (decision, child_state) = self.filter.decide(&rel, is_dir, state);
            if decision == Decision::Skip {
                continue;
            }
            let Some(entry) = entry_of(&path, rel.clone(), &meta)? else {
                if decision == Decision::Send {
                    self.skipped.push(rel);
                }
                continue;
            };
            let mark = self.entries.len();
            self.entries.push(entry);
            if !is_dir {
                sent = true;
                continue;
            }
            let below = match self.dir(&path, &rel, &child_state) {
                Ok(b) => b,
                // The current walker ignores permission errors in
                // directories it only walks for exceptions.
                Err(ContextError::Io { source, .. })
                    if decision == Decision::Lazy
                        && source.kind() == io::ErrorKind::PermissionDenied =>
                {
                    self.entries.truncate(mark + 1);
                    false
                }
                Err(e) => return Err(e),
            };
            if decision == Decision::Lazy && !below {
                self.entries.truncate(mark);
            } else {
                sent = true;
            }
        }
        Ok(sent)
    }
}

/// Checks and cleans an overlay path.
fn clean_overlay_path(path: &str) -> Result<String, ContextError> {
    let bad = |reason: &str| ContextError::Overlay {
        path: path.to_string(),
        reason: reason.to_string(),
    };
    if path.starts_with('/') {
        return Err(bad("must be relative to the context"));
    }
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(bad("must not contain `..`")),
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err(bad("names no file"));
    }
    Ok(parts.join("/"))
}

/// Adds the overlay to the walked entries (sorted afterwards).
fn apply_overlay<'a>(
    spec: &'a ContextSpec<'_>,
    filter: &Filter,
    entries: &mut Vec<Entry<'a>>,
    summary: &mut ContextSummary,
) -> Result<(), ContextError> {
    let mut index: HashMap<String, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.rel.clone(), i))
        .collect();
    'overlay: for (given, bytes) in &spec.overlay {
        let rel = clean_overlay_path(given)?;
        let conflict = |reason: String| ContextError::Overlay {
            path: given.clone(),
            reason,
        };
        // The parent directories, as the walker would see them.
        let mut state = MatchState::default();
        let mut dirs = Vec::new();
        let parts: Vec<&str> = rel.split('/').collect();
        for i in 1..parts.len() {
            let dir = parts[..i].join("/");
            let on_disk = fs::symlink_metadata(spec.dir.join(&dir)).ok();
            if let Some(m) = &on_disk {
                if !m.is_dir() {
                    return Err(conflict(format!(
                        "`{dir}` is not a directory in the context"
                    )));
                }
            }
            let (decision, next) = filter.decide(&dir, true, &state);
            if decision == Decision::Skip {
                summary.excluded_overlay.push(given.clone());
                continue 'overlay;
            }
            dirs.push((dir, on_disk));
            state = next;
        }
        let on_disk = fs::symlink_metadata(spec.dir.join(&rel)).ok();
        if on_disk.as_ref().is_some_and(Metadata::is_dir) {
            return Err(conflict("is a directory in the context".into()));
        }
        if filter.decide(&rel, false, &state).0 != Decision::Send {
            summary.excluded_overlay.push(given.clone());
            continue;
        }
        for (dir, meta) in dirs {
            if index.contains_key(&dir) {
                continue;
            }
            let (mode, mtime) = meta
                .as_ref()
                .map_or((0o755, (OVERLAY_MTIME, 0)), |m| (perm(m), self::mtime(m)));
            index.insert(dir.clone(), entries.len());
            entries.push(Entry {
                rel: dir,
                kind: Kind::Dir,
                mode,
                mtime,
            });
        }
        let kind = Kind::Bytes(Cow::Borrowed(bytes));
        match index.get(&rel) {
            Some(&i) => {
                let e = &mut entries[i];
                if !matches!(e.kind, Kind::File { .. }) {
                    e.mode = 0o644;
                }
                e.kind = kind;
                e.mtime = (OVERLAY_MTIME, 0);
                summary.replaced_overlay.push(given.clone());
            }
            None => {
                index.insert(rel.clone(), entries.len());
                entries.push(Entry {
                    rel,
                    kind,
                    mode: 0o644,
                    mtime: (OVERLAY_MTIME, 0),
                });
            }
        }
    }
    Ok(())
}

/// Where the Dockerfile is in the context, if it is sent as a regular file.
fn dockerfile_in_context(spec: &ContextSpec<'_>, entries: &[Entry<'_>]) -> Option<String> {
    let dir = fs::canonicalize(spec.dir).ok()?;
    let parent = spec
        .dockerfile
        .parent()
        .filter(|p| !p.as_os_str().is_empty());
    let parent = fs::canonicalize(parent.unwrap_or(Path::new("."))).ok()?;
    let name = spec.dockerfile.file_name()?.to_str()?;
    let rel_dir = parent.strip_prefix(&dir).ok()?;
    let mut rel = String::new();
    for c in rel_dir.components() {
        rel.push_str(c.as_os_str().to_str()?);
        rel.push('/');
    }
    rel.push_str(name);
    entries
        .iter()
        .any(|e| e.rel == rel && matches!(e.kind, Kind::File { .. } | Kind::Bytes(_)))
        .then_some(rel)
}

/// Which `.dockerignore` a context is filtered by.
#[derive(Clone, Debug)]
pub(crate) enum Ignore {
    /// Look for it as BuildKit does ([`ignore_in_effect`]).
    Find,
    /// The one the caller already chose and parsed (the project model's
    /// `Image::dockerignore`, chosen by the same rule), or none.
    Given(Option<(PathBuf, DockerIgnore)>),
}

/// Writes the build context of `spec` to `out` as an uncompressed tar stream.
pub fn write_context(
    spec: &ContextSpec<'_>,
    out: impl Write,
) -> Result<ContextSummary, ContextError> {
    write_context_using(spec, Ignore::Find, out)
}

/// [`write_context`] filtered by the given `.dockerignore` choice.
pub(crate) fn write_context_using(
    spec: &ContextSpec<'_>,
    ignore: Ignore,
    out: impl Write,
) -> Result<ContextSummary, ContextError> {
    let mut summary = ContextSummary::default();
    let chosen = match ignore {
        Ignore::Find => ignore_in_effect(spec.dir, spec.dockerfile)?,
        Ignore::Given(g) => g,
    };
    let ignore = match chosen {
        Some((path, ignore)) => {
            summary.ignore_file = Some(path);
            ignore
        }
        None => DockerIgnore::default(),
    };
    let filter = Filter::new(ignore, spec.walker);
    let root = fs::metadata(spec.dir).map_err(io_err(spec.dir))?;
    if !root.is_dir() {
        return Err(ContextError::Io {
            path: spec.dir.to_path_buf(),
            source: io::Error::new(io::ErrorKind::NotADirectory, "not a directory"),
        });
    }
    let mut walk = Walk {
        filter: &filter,
        entries: Vec::new(),
        skipped: Vec::new(),
    };
    walk.dir(spec.dir, "", &MatchState::default())?;
    let mut entries = walk.entries;
    summary.skipped = walk.skipped;
    apply_overlay(spec, &filter, &mut entries, &mut summary)?;

    match dockerfile_in_context(spec, &entries) {
        Some(rel) => summary.dockerfile_in_tar = rel,
        None => {
            let bytes = match known_text(spec, spec.dockerfile, None) {
                Some(t) => t.to_vec(),
                None => fs::read(spec.dockerfile).map_err(io_err(spec.dockerfile))?,
            };
            let hash = blake3::hash(&bytes).to_hex();
            let base = format!(".dockerfile.{}", &hash[..20]);
            let mut name = base.clone();
            let mut n = 0;
            while entries.iter().any(|e| e.rel == name) {
                n += 1;
                name = format!("{base}-{n}");
            }
            summary.dockerfile_in_tar = name.clone();
            summary.dockerfile_added = true;
            entries.push(Entry {
                rel: name,
                kind: Kind::Bytes(Cow::Owned(bytes)),
                mode: 0o644,
                mtime: (OVERLAY_MTIME, 0),
            });
        }
    }

    entries.sort_by(|a, b| components(&a.rel).cmp(components(&b.rel)));

    // Hard links: the first path of an inode carries the data.
    let mut seen: HashMap<(u64, u64), String> = HashMap::new();
    for e in &mut entries {
        if let Kind::File {
            inode: Some(ino), ..
        } = &e.kind
        {
            match seen.get(ino) {
                Some(first) => e.kind = Kind::HardLink(first.clone()),
                None => {
                    seen.insert(*ino, e.rel.clone());
                }
            }
        }
    }

    // Files read already in this run are sent from memory.
    for e in &mut entries {
        if let Kind::File { source, size, .. } = &e.kind {
            if let Some(t) = known_text(spec, source, Some(*size)) {
                e.kind = Kind::Bytes(Cow::Borrowed(t));
            }
        }
    }

    write_entries(perm(&root), &entries, out, &mut summary)?;
    Ok(summary)
}

/// The bytes of `path` from [`ContextSpec::known`], when it has them (and,
/// with `size`, they have that length).
fn known_text<'a>(spec: &ContextSpec<'a>, path: &Path, size: Option<u64>) -> Option<&'a [u8]> {
    let t = spec.known?.get(&crate::paths::clean(path))?;
    (size.is_none_or(|s| s == t.len() as u64)).then_some(t.as_bytes())
}

fn write_entries(
    root_mode: u32,
    entries: &[Entry<'_>],
    out: impl Write,
    summary: &mut ContextSummary,
) -> Result<(), ContextError> {
    let mut tar = tar::Builder::new(out);
    // The docker CLI decides whether stdin is a tar or a Dockerfile by
    // reading one header from the first 1 KiB; a PAX or GNU long-name entry
    // first would not fit and the stream would be taken for a Dockerfile.
    // So the stream starts with a plain `./` entry for the context root.
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..2].copy_from_slice(b"./");
    h.set_entry_type(tar::EntryType::Directory);
    h.set_mode(root_mode);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(OVERLAY_MTIME);
    h.set_size(0);
    h.set_cksum();
    tar.append(&h, io::empty()).map_err(ContextError::Write)?;
    for e in entries {
        if e.mtime.1 != 0 {
            pax_mtime(&mut tar, e.mtime).map_err(ContextError::Write)?;
        }
        let mut h = tar::Header::new_gnu();
        h.set_mode(e.mode);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(e.mtime.0);
        h.set_size(0);
        let w = match &e.kind {
            Kind::Dir => {
                summary.dirs += 1;
                h.set_entry_type(tar::EntryType::Directory);
                tar.append_data(&mut h, format!("{}/", e.rel), io::empty())
            }
            Kind::Symlink(target) => {
                summary.symlinks += 1;
                h.set_entry_type(tar::EntryType::Symlink);
                tar.append_link(&mut h, &e.rel, target)
            }
            Kind::HardLink(first) => {
                summary.files += 1;
                h.set_entry_type(tar::EntryType::Link);
                tar.append_link(&mut h, &e.rel, first)
            }
            Kind::Empty => {
                summary.files += 1;
                h.set_entry_type(tar::EntryType::Regular);
                tar.append_data(&mut h, &e.rel, io::empty())
            }
            Kind::Bytes(bytes) => {
                summary.files += 1;
                summary.bytes += bytes.len() as u64;
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(bytes.len() as u64);
                tar.append_data(&mut h, &e.rel, &bytes[..])
            }
            Kind::File { source, size, .. } => {
                summary.files += 1;
                summary.bytes += size;
                let file = File::open(source).map_err(io_err(source))?;
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(*size);
                let mut reader = Exact {
                    inner: file.take(*size),
                    left: *size,
                    path: source,
                    failed: None,
                };
                let w = tar.append_data(&mut h, &e.rel, &mut reader);
                if let Some(err) = reader.failed {
                    return Err(err);
                }
                w
            }
        };
        w.map_err(ContextError::Write)?;
    }
    tar.into_inner().map_err(ContextError::Write)?;
    Ok(())
}

/// A PAX extended header carrying a sub-second modification time.
fn pax_mtime<W: Write>(tar: &mut tar::Builder<W>, (secs, nanos): (u64, u32)) -> io::Result<()> {
    let value = format!("{secs}.{nanos:09}");
    let body = "mtime=".len() + value.len() + 2;
    let mut len = body + 1;
    while len.to_string().len() + body != len {
        len += 1;
    }
    let record = format!("{len} mtime={value}\n");
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(tar::EntryType::XHeader);
    h.set_mode(0o644);
    h.set_size(record.len() as u64);
    h.set_path("PaxHeaders/mtime")?;
    h.set_cksum();
    tar.append(&h, record.as_bytes())
}

/// Reads exactly `left` bytes, remembering (instead of hiding in the tar
/// error) why it could not.
struct Exact<'p, R> {
    inner: R,
    left: u64,
    path: &'p Path,
    failed: Option<ContextError>,
}

impl<R: Read> Read for Exact<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Ok(0) => {
                self.failed = Some(ContextError::Changed {
                    path: self.path.to_path_buf(),
                });
                Err(io::Error::other("file shrank"))
            }
            Ok(n) => {
                self.left -= n as u64;
                Ok(n)
            }
            Err(e) => {
                let kind = e.kind();
                self.failed = Some(ContextError::Io {
                    path: self.path.to_path_buf(),
                    source: e,
                });
                Err(io::Error::new(kind, "read failed"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One tar entry: path, type letter, mode, content or link target.
    type Listed = (String, char, u32, String);

    fn list(bytes: &[u8]) -> Vec<Listed> {
        let mut archive = tar::Archive::new(bytes);
        let mut out = Vec::new();
        for (i, entry) in archive.entries().unwrap().enumerate() {
            let mut entry = entry.unwrap();
            let h = entry.header().clone();
            if i == 0 {
                // The plain root entry the docker CLI needs to see first.
                assert_eq!(&h.as_old().name[..3], b"./\0");
                assert_eq!(h.entry_type(), tar::EntryType::Directory);
                assert_eq!(entry.raw_header_position(), 0);
                continue;
            }
            let path = entry.path().unwrap().to_string_lossy().into_owned();
            let (kind, body) = match h.entry_type() {
                tar::EntryType::Directory => ('d', String::new()),
                tar::EntryType::Symlink => (
                    'l',
                    entry.link_name().unwrap().unwrap().display().to_string(),
                ),
                tar::EntryType::Link => (
                    'h',
                    entry.link_name().unwrap().unwrap().display().to_string(),
                ),
                _ => {
                    let mut s = String::new();
                    entry.read_to_string(&mut s).unwrap();
                    ('f', s)
                }
            };
            assert_eq!(h.uid().unwrap(), 0);
            assert_eq!(h.gid().unwrap(), 0);
            out.push((path, kind, h.mode().unwrap(), body));
        }
        out
    }

    fn paths(listed: &[Listed]) -> Vec<&str> {
        listed.iter().map(|e| e.0.as_str()).collect()
    }

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (rel, body) in files {
            let p = dir.join(rel);
            if let Some(stripped) = rel.strip_suffix('/') {
                fs::create_dir_all(dir.join(stripped)).unwrap();
                continue;
            }
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, body).unwrap();
        }
    }

    fn build(
        dir: &Path,
        dockerfile: &Path,
        overlay: &[(&str, &str)],
        walker: Walker,
    ) -> Result<(ContextSummary, Vec<u8>), ContextError> {
        let spec = ContextSpec {
            dir,
            dockerfile,
            overlay: overlay
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect(),
            walker,
            known: None,
        };
        let mut out = Vec::new();
        let summary = write_context(&spec, &mut out)?;
        Ok((summary, out))
    }

    fn run(dir: &Path, overlay: &[(&str, &str)], walker: Walker) -> (ContextSummary, Vec<Listed>) {
        let (s, bytes) = build(dir, &dir.join("Dockerfile"), overlay, walker).unwrap();
        (s, list(&bytes))
    }

    #[test]
    fn filters_like_the_dockerignore() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            &[
                ("Dockerfile", "FROM scratch\n"),
                (".dockerignore", "**/node_modules\n*.log\n!keep.log\ndist\n"),
                ("a.log", "x"),
                ("keep.log", "k"),
                ("dist/out.js", "x"),
                ("src/index.js", "i"),
                ("src/node_modules/x/index.js", "x"),
                ("node_modules/y/index.js", "y"),
                ("empty/", ""),
            ],
        );
        for walker in [Walker::Legacy, Walker::Current] {
            let (s, l) = run(t.path(), &[], walker);
            assert_eq!(
                paths(&l),
                [
                    ".dockerignore",
                    "Dockerfile",
                    "empty/",
                    "keep.log",
                    "src/",
                    "src/index.js"
                ],
                "{walker:?}"
            );
            assert_eq!(s.dockerfile_in_tar, "Dockerfile");
            assert!(!s.dockerfile_added);
            assert_eq!(s.files, 4);
            assert_eq!(s.dirs, 2);
            assert_eq!(s.ignore_file, Some(t.path().join(".dockerignore")));
        }
    }

    #[test]
    fn exceptions_in_excluded_directories_follow_each_walker() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            &[("Dockerfile", ""), ("ex/keep/k", "k"), ("ex/drop/d", "d")],
        );
        let case = |ignore: &str, walker| {
            fs::write(t.path().join(".dockerignore"), ignore).unwrap();
            let (_, l) = run(t.path(), &[], walker);
            paths(&l)
                .into_iter()
                .filter(|p| p.starts_with("ex"))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        // A prefix exception: both walk into `ex`; only the legacy one sends
        // `ex/` itself when nothing below is re-included.
        assert_eq!(
            case("ex\n!ex/keep/k\n", Walker::Legacy),
            ["ex/", "ex/keep/", "ex/keep/k"]
        );
        assert_eq!(
            case("ex\n!ex/keep/k\n", Walker::Current),
            ["ex/", "ex/keep/", "ex/keep/k"]
        );
        assert_eq!(case("ex\n!ex/nothing\n", Walker::Legacy), ["ex/"]);
        assert!(case("ex\n!ex/nothing\n", Walker::Current).is_empty());
        // A wildcard exception re-includes only with the current walker.
        assert!(case("ex\n!**/k\n", Walker::Legacy).is_empty());
        assert_eq!(
            case("ex\n!**/k\n", Walker::Current),
            ["ex/", "ex/keep/", "ex/keep/k"]
        );
        assert_eq!(case("ex\n!ex/*/k\n", Walker::Legacy), ["ex/"]);
    }

    #[test]
    fn dockerfile_specific_ignore_wins() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            &[
                ("Dockerfile", ""),
                ("Dockerfile.dockerignore", "a\n"),
                (".dockerignore", "b\n"),
                ("a", "a"),
                ("b", "b"),
            ],
        );
        let (s, l) = run(t.path(), &[], Walker::Legacy);
        assert_eq!(
            paths(&l),
            [
                ".dockerignore",
                "Dockerfile",
                "Dockerfile.dockerignore",
                "b"
            ]
        );
        assert_eq!(
            s.ignore_file,
            Some(t.path().join("Dockerfile.dockerignore"))
        );
    }

    #[test]
    fn overlay_replaces_adds_and_is_filtered() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            &[
                ("Dockerfile", ""),
                (".dockerignore", "secret\nnode_modules\n"),
                ("backend/package.json", "{\"old\":1}"),
            ],
        );
        let overlay = [
            ("backend/package.json", "{\"new\":1}"),
            (".docker-deps/a-1.0.0.tgz", "tgz"),
            ("secret", "s"),
            ("node_modules/x/package.json", "{}"),
        ];
        let (s, l) = run(t.path(), &overlay, Walker::Legacy);
        assert_eq!(
            l,
            [
                (".docker-deps/".into(), 'd', 0o755, String::new()),
                (".docker-deps/a-1.0.0.tgz".into(), 'f', 0o644, "tgz".into()),
                (
                    ".dockerignore".into(),
                    'f',
                    0o644,
                    "secret\nnode_modules\n".into()
                ),
                ("Dockerfile".into(), 'f', 0o644, String::new()),
                ("backend/".into(), 'd', 0o755, String::new()),
                (
                    "backend/package.json".into(),
                    'f',
                    0o644,
                    "{\"new\":1}".into()
                ),
            ]
        );
        assert_eq!(
            s.excluded_overlay,
            ["node_modules/x/package.json", "secret"]
        );
        assert_eq!(s.replaced_overlay, ["backend/package.json"]);
        assert_eq!(s.bytes, 3 + 20 + 9);
    }

    #[test]
    fn overlay_errors_name_the_path() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), &[("Dockerfile", ""), ("dir/f", ""), ("file", "")]);
        for bad in ["../x", "/abs", "dir", "file/x", ""] {
            let err = build(
                t.path(),
                &t.path().join("Dockerfile"),
                &[(bad, "x")],
                Walker::Legacy,
            )
            .unwrap_err();
            assert!(
                matches!(&err, ContextError::Overlay { path, .. } if path == bad),
                "{bad}: {err}"
            );
            assert!(err.to_string().contains(&format!("`{bad}`")), "{err}");
        }
    }

    #[test]
    fn same_input_same_bytes() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            &[("Dockerfile", "FROM scratch"), ("a/b", "b"), ("c", "c")],
        );
        let df = t.path().join("Dockerfile");
        let (_, one) = build(t.path(), &df, &[("a/new", "n")], Walker::Legacy).unwrap();
        let (_, two) = build(t.path(), &df, &[("a/new", "n")], Walker::Legacy).unwrap();
        assert_eq!(one, two);
        // Overlay-only entries carry the fixed time.
        let mut archive = tar::Archive::new(&one[..]);
        for e in archive.entries().unwrap() {
            let e = e.unwrap();
            if e.path().unwrap().ends_with("new") {
                assert_eq!(e.header().mtime().unwrap(), OVERLAY_MTIME);
            }
        }
    }

    #[test]
    fn dockerfile_outside_or_excluded_is_added_under_a_free_name() {
        let t = tempfile::tempdir().unwrap();
        let ctx = t.path().join("ctx");
        write(
            t.path(),
            &[
                ("ctx/a", "a"),
                ("build/app.Dockerfile", "FROM scratch\nCOPY . /\n"),
            ],
        );
        let df = t.path().join("build/app.Dockerfile");
        let (s, bytes) = build(&ctx, &df, &[], Walker::Legacy).unwrap();
        assert!(s.dockerfile_added);
        assert!(s.dockerfile_in_tar.starts_with(".dockerfile."));
        let l = list(&bytes);
        assert_eq!(paths(&l), [s.dockerfile_in_tar.as_str(), "a"]);
        assert_eq!(l[0].3, "FROM scratch\nCOPY . /\n");

        // Excluded by the .dockerignore: added as well.
        write(
            t.path(),
            &[
                ("ctx/Dockerfile", "FROM x"),
                ("ctx/.dockerignore", "Dockerfile\n"),
            ],
        );
        let (s, bytes) = build(&ctx, &ctx.join("Dockerfile"), &[], Walker::Current).unwrap();
        assert!(s.dockerfile_added);
        assert!(paths(&list(&bytes)).contains(&s.dockerfile_in_tar.as_str()));

        // A relative path to a Dockerfile inside the context is found there.
        let (s, _) = build(&ctx, &ctx.join("./a"), &[], Walker::Current).unwrap();
        assert_eq!(s.dockerfile_in_tar, "a");
        assert!(!s.dockerfile_added);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_modes_hardlinks_and_special_files() {
        use std::os::unix::fs::{symlink, PermissionsExt};
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            &[("Dockerfile", ""), ("run.sh", "#!/bin/sh\n"), ("data", "d")],
        );
        fs::set_permissions(t.path().join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
        symlink("data", t.path().join("link")).unwrap();
        symlink("/nowhere", t.path().join("dangling")).unwrap();
        fs::hard_link(t.path().join("data"), t.path().join("data2")).unwrap();
        let fifo = t.path().join("fifo");
        let made_fifo = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        let _sock = std::os::unix::net::UnixListener::bind(t.path().join("sock")).unwrap();

        let (s, l) = run(t.path(), &[], Walker::Legacy);
        let find = |p: &str| l.iter().find(|e| e.0 == p).cloned();
        assert_eq!(find("run.sh").unwrap().2, 0o755);
        assert_eq!(
            find("link").unwrap(),
            ("link".into(), 'l', 0o777, "data".into())
        );
        assert_eq!(find("dangling").unwrap().3, "/nowhere");
        assert_eq!(
            find("data2").unwrap(),
            ("data2".into(), 'h', 0o644, "data".into())
        );
        assert_eq!(find("sock").unwrap().1, 'f');
        assert!(find("fifo").is_none());
        if made_fifo {
            assert_eq!(s.skipped, ["fifo"]);
        }
    }

    #[test]
    fn long_and_unicode_names() {
        let t = tempfile::tempdir().unwrap();
        let long = format!("{}/{}", "d".repeat(120), "f".repeat(120));
        write(
            t.path(),
            &[
                ("Dockerfile", ""),
                ("with space.txt", "s"),
                ("ünï €.txt", "u"),
                (&long, "l"),
            ],
        );
        let (_, l) = run(t.path(), &[], Walker::Current);
        let p = paths(&l);
        assert!(p.contains(&long.as_str()));
        assert!(p.contains(&"with space.txt"));
        assert!(p.contains(&"ünï €.txt"));
    }

    #[test]
    fn errors_name_the_path_and_never_panic() {
        let t = tempfile::tempdir().unwrap();
        let missing = t.path().join("missing");
        let err = build(&missing, &missing.join("Dockerfile"), &[], Walker::Legacy).unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");

        write(t.path(), &[("ctx/a", "a")]);
        let ctx = t.path().join("ctx");
        let err = build(&ctx, &t.path().join("nope.Dockerfile"), &[], Walker::Legacy).unwrap_err();
        assert!(err.to_string().contains("nope.Dockerfile"), "{err}");

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            write(t.path(), &[("ctx/Dockerfile", ""), ("ctx/locked", "x")]);
            let locked = ctx.join("locked");
            fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
            // Root reads anything; the check only means something for others.
            if File::open(&locked).is_err() {
                let err = build(&ctx, &ctx.join("Dockerfile"), &[], Walker::Legacy).unwrap_err();
                assert!(err.to_string().contains("locked"), "{err}");
            }
            fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();

            use std::os::unix::ffi::OsStrExt;
            let odd = ctx.join(std::ffi::OsStr::from_bytes(b"bad\xffname"));
            fs::write(&odd, "x").unwrap();
            let err = build(&ctx, &ctx.join("Dockerfile"), &[], Walker::Legacy).unwrap_err();
            assert!(matches!(err, ContextError::NotUtf8 { .. }), "{err}");
            assert!(err.to_string().contains("bad"), "{err}");
        }
    }

    #[test]
    fn pax_mtime_keeps_nanoseconds() {
        let mut tar = tar::Builder::new(Vec::new());
        pax_mtime(&mut tar, (1_700_000_000, 123_456_789)).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_size(0);
        h.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut h, "f", io::empty()).unwrap();
        let bytes = tar.into_inner().unwrap();
        let mut archive = tar::Archive::new(&bytes[..]);
        let mut entries = archive.entries().unwrap();
        let mut e = entries.next().unwrap().unwrap();
        let pax: Vec<_> = e
            .pax_extensions()
            .unwrap()
            .unwrap()
            .map(|x| {
                let x = x.unwrap();
                (x.key().unwrap().to_string(), x.value().unwrap().to_string())
            })
            .collect();
        assert_eq!(
            pax,
            [("mtime".to_string(), "1700000000.123456789".to_string())]
        );
    }
}
