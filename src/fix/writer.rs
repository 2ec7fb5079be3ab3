//! Writing a fix's files all or nothing, and never outside the repository.
//!
//! 1. **Plan.** Each change's target is resolved: its directory must
//!    resolve (symlinks followed) inside the canonical repository root; a
//!    target that is a symlink is never replaced by a regular file: the file
//!    it points to is edited, and only when that file resolves inside the
//!    repository (a link leaving it, or pointing nowhere, is refused). Two
//!    paths that name one file must carry the same text.
//! 2. **Stage.** Every new text goes to a temporary file beside its target
//!    (same directory, so the rename is atomic; the target's mode kept).
//! 3. **Commit.** For each target in turn: keep the original (a hard link
//!    beside it, a copy where links are not possible), re-check that the
//!    target is still the bytes that were read, rename the temporary file
//!    over it (a new file: only if nothing appeared there meanwhile).
//! 4. On any failure: the renames already made are undone from the kept
//!    originals (new files removed), the temporary files removed, and the
//!    error names the file that failed. On success the kept originals go.
//!
//! What remains possible is a write to a target in the instant between its
//! own re-check and its rename (no portable file lock closes it) and a
//! concurrent process swapping a directory for a symlink during the run: a
//! hostile repository's contents cannot do either, a hostile local process
//! could.

use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::engine::Change;
use crate::fsutil::TEMP_PREFIX;
use crate::paths::display_path;

fn shown(p: &Path) -> String {
    match display_path(p) {
        s if s.is_empty() => ".".to_string(),
        s => s,
    }
}

/// Why a write could not be made; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum Why {
    #[error("{}: changed on disk since it was read", shown(.0))]
    Changed(PathBuf),
    #[error(
        "{}: a symlink to {}, which is outside the repository {}; refusing to write through it",
        shown(.path), shown(.target), shown(.root)
    )]
    LinkOutside {
        path: PathBuf,
        target: PathBuf,
        root: PathBuf,
    },
    #[error("{}: a symlink to a file that does not exist; refusing to write through it", shown(.0))]
    DanglingLink(PathBuf),
    #[error(
        "{}: its directory resolves to {}, outside the repository {} (a symlinked directory); refusing to write there",
        shown(.path), shown(.dir), shown(.root)
    )]
    DirOutside {
        path: PathBuf,
        dir: PathBuf,
        root: PathBuf,
    },
    #[error("{}: outside every repository being fixed; refusing to write there", shown(.0))]
    NoRepository(PathBuf),
    #[error("{}: not a regular file", shown(.0))]
    NotAFile(PathBuf),
    #[error("{} and {} are the same file and their fixes differ", shown(.0), shown(.1))]
    SameFile(PathBuf, PathBuf),
    #[error("{}: {source}", shown(.path))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Every file is as it was.
    #[error("{0}; nothing was written")]
    Nothing(Why),
    /// The write failed and undoing the renames already made failed too.
    #[error(transparent)]
    Undo(Box<Undone>),
}

/// A failed write whose undoing failed too: what is left where.
#[derive(Debug, thiserror::Error)]
#[error(
    "{why}; then undoing the files already written failed at {}: {source}; the originals not restored are kept as {}",
    shown(.undo), .kept.iter().map(|k| shown(k)).collect::<Vec<_>>().join(", ")
)]
pub struct Undone {
    pub why: Why,
    pub undo: PathBuf,
    pub source: std::io::Error,
    pub kept: Vec<PathBuf>,
}

impl From<Why> for WriteError {
    fn from(w: Why) -> Self {
        WriteError::Nothing(w)
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Why + '_ {
    move |source| Why::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One file to write, resolved.
struct Target<'a> {
    change: &'a Change,
    /// The file written: the change's path, or the file its symlink points to.
    real: PathBuf,
}

/// Where `c` is written: its path with the directory resolved, or the file
/// its symlink names; refused when either leaves the repository.
fn resolve(c: &Change) -> Result<PathBuf, Why> {
    let root = c
        .root
        .as_deref()
        .ok_or_else(|| Why::NoRepository(c.path.clone()))?;
    let shown_root = root.to_path_buf();
    let root = std::fs::canonicalize(root).map_err(io(root))?;
    let name = c
        .path
        .file_name()
        .ok_or_else(|| Why::NotAFile(c.path.clone()))?;
    let dir = c
        .path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = std::fs::canonicalize(dir).map_err(io(&c.path))?;
    if !dir.starts_with(&root) {
        return Err(Why::DirOutside {
            path: c.path.clone(),
            dir,
            root: shown_root,
        });
    }
    let at = dir.join(name);
    match std::fs::symlink_metadata(&at) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(at),
        Err(e) => Err(io(&c.path)(e)),
        Ok(m) if m.file_type().is_symlink() => {
            let target = match std::fs::canonicalize(&at) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(Why::DanglingLink(c.path.clone()))
                }
                Err(e) => return Err(io(&c.path)(e)),
            };
            if !target.starts_with(&root) {
                return Err(Why::LinkOutside {
                    path: c.path.clone(),
                    target,
                    root: shown_root,
                });
            }
            if !std::fs::metadata(&target).map_err(io(&c.path))?.is_file() {
                return Err(Why::NotAFile(c.path.clone()));
            }
            Ok(target)
        }
        Ok(m) if m.is_file() => Ok(at),
        Ok(_) => Err(Why::NotAFile(c.path.clone())),
    }
}

/// The bytes at `real` now (`None`: no file there), as long as it is a
/// regular file or nothing.
fn current(real: &Path, shown: &Path) -> Result<Option<Vec<u8>>, Why> {
    match std::fs::symlink_metadata(real) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(shown)(e)),
        Ok(m) if !m.is_file() => return Err(Why::Changed(shown.to_path_buf())),
        Ok(_) => {}
    }
    match std::fs::read(real) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(shown)(e)),
    }
}

fn unchanged(t: &Target<'_>) -> Result<(), Why> {
    let now = current(&t.real, &t.change.path)?;
    if now.as_deref() != t.change.original.as_ref().map(|s| s.as_bytes()) {
        return Err(Why::Changed(t.change.path.clone()));
    }
    Ok(())
}

/// The new text in a temporary file beside the target, with the target's
/// mode (a new file: 0644, not the temporary file's 0600).
fn stage(t: &Target<'_>) -> Result<NamedTempFile, Why> {
    let dir = t.real.parent().unwrap_or(Path::new("."));
    let err = io(&t.change.path);
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)
        .map_err(err)?;
    let err = io(&t.change.path);
    tmp.write_all(t.change.fixed.as_bytes()).map_err(err)?;
    tmp.as_file().sync_all().map_err(io(&t.change.path))?;
    let perms = match std::fs::metadata(&t.real) {
        Ok(m) => Some(m.permissions()),
        Err(_) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                Some(std::fs::Permissions::from_mode(0o644))
            }
            #[cfg(not(unix))]
            None
        }
    };
    if let Some(p) = perms {
        std::fs::set_permissions(tmp.path(), p).map_err(io(&t.change.path))?;
    }
    Ok(tmp)
}

/// The original kept beside the target until every rename is done: a hard
/// link (the original file itself), else a copy.
fn keep(real: &Path, shown: &Path) -> Result<PathBuf, Why> {
    let dir = real.parent().unwrap_or(Path::new("."));
    let link = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .make_in(dir, |p| std::fs::hard_link(real, p));
    let kept = match link {
        Ok(f) => f,
        Err(_) => tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .make_in(dir, |p| std::fs::copy(real, p).map(|_| ()))
            .map_err(io(shown))?,
    };
    kept.into_temp_path().keep().map_err(|e| Why::Io {
        path: shown.to_path_buf(),
        source: e.error,
    })
}

/// A rename already made: how to undo it.
struct Done {
    real: PathBuf,
    /// The original, kept (`None`: the file is new).
    kept: Option<PathBuf>,
}

/// Undoes `done` (last first); the first failure, with every original not
/// restored, when it cannot.
fn undo(done: Vec<Done>) -> Result<(), (PathBuf, std::io::Error, Vec<PathBuf>)> {
    let mut failed: Option<(PathBuf, std::io::Error)> = None;
    let mut left = Vec::new();
    for d in done.into_iter().rev() {
        let r = match &d.kept {
            Some(k) => std::fs::rename(k, &d.real),
            None => std::fs::remove_file(&d.real),
        };
        if let Err(e) = r {
            if let Some(k) = d.kept {
                left.push(k);
            }
            failed.get_or_insert((d.real, e));
        }
    }
    match failed {
        None => Ok(()),
        Some((p, e)) => Err((p, e, left)),
    }
}

/// Writes every change or none (see the module doc).
pub fn write(changes: &[Change]) -> Result<(), WriteError> {
    write_with(changes, &mut |_| {})
}

/// [`write`], calling `before_rename` with each change's path just before
/// its re-check and rename (tests use it to change the disk at that moment).
#[doc(hidden)]
pub fn write_with(
    changes: &[Change],
    before_rename: &mut dyn FnMut(&Path),
) -> Result<(), WriteError> {
    // Plan: resolve every target, check each is what was read.
    let mut targets: Vec<Target<'_>> = Vec::new();
    for c in changes {
        let real = resolve(c)?;
        if let Some(t) = targets.iter().find(|t| t.real == real) {
            if t.change.fixed != c.fixed || t.change.original != c.original {
                return Err(Why::SameFile(t.change.path.clone(), c.path.clone()).into());
            }
            continue; // one file, one write
        }
        let t = Target { change: c, real };
        unchanged(&t)?;
        targets.push(t);
    }
    // Stage every text (on failure, dropping them removes them).
    let mut staged = Vec::with_capacity(targets.len());
    for t in &targets {
        staged.push(stage(t)?);
    }
    // Commit, stopping at the first failure.
    let mut done: Vec<Done> = Vec::new();
    let mut kept_all: Vec<PathBuf> = Vec::new();
    let mut failed: Option<Why> = None;
    for (t, tmp) in targets.iter().zip(staged) {
        before_rename(&t.change.path);
        if let Err(e) = commit(t, tmp, &mut done, &mut kept_all) {
            failed = Some(e);
            break;
        }
    }
    let restored: Vec<PathBuf> = done.iter().filter_map(|d| d.kept.clone()).collect();
    let Some(why) = failed else {
        for k in kept_all {
            let _ = std::fs::remove_file(k);
        }
        return Ok(());
    };
    let (result, left) = match undo(done) {
        Ok(()) => (Err(WriteError::Nothing(why)), Vec::new()),
        Err((undo, source, left)) => (
            Err(WriteError::Undo(Box::new(Undone {
                why,
                undo,
                source,
                kept: left.clone(),
            }))),
            left,
        ),
    };
    // The originals not renamed back (the failed file's own) are not needed.
    for k in kept_all
        .iter()
        .filter(|k| !restored.contains(k) && !left.contains(k))
    {
        let _ = std::fs::remove_file(k);
    }
    result
}

/// One target's step: keep its original, re-check it, rename the new text
/// over it.
fn commit(
    t: &Target<'_>,
    tmp: NamedTempFile,
    done: &mut Vec<Done>,
    kept_all: &mut Vec<PathBuf>,
) -> Result<(), Why> {
    let kept = match t.change.original {
        Some(_) => Some(keep(&t.real, &t.change.path)?),
        None => None,
    };
    if let Some(k) = &kept {
        kept_all.push(k.clone());
    }
    unchanged(t)?;
    let renamed = if kept.is_some() {
        tmp.persist(&t.real).map(|_| ())
    } else {
        tmp.persist_noclobber(&t.real).map(|_| ())
    };
    match renamed {
        Ok(()) => {
            done.push(Done {
                real: t.real.clone(),
                kept,
            });
            Ok(())
        }
        Err(e) if kept.is_none() && e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(Why::Changed(t.change.path.clone()))
        }
        Err(e) => Err(io(&t.change.path)(e.error)),
    }
}
