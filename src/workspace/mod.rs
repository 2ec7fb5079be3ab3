//! A pnpm workspace as `prune` and `lockfile` read it: the workspace file and
//! the lockfile at its root ([`read_workspace`]), its member packages
//! ([`discover`]), the lockfile's importers against their manifests
//! ([`lock`], pnpm's frozen-install check) and the lockfile graph ([`check`]).
//! One error type for both features, naming file, line and column.

pub mod check;
pub mod discover;
pub mod globs;
pub mod lock;

use std::path::{Path, PathBuf};

use crate::confine::{Jail, ReadError};
use crate::syntax::pnpm_lock::Lockfile;
use crate::syntax::pnpm_workspace::Workspace;
use crate::syntax::{LineIndex, ParseError};

/// A prune that could not be done. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A problem at a place in a file.
    #[error("{file}:{line}:{column}: {message}")]
    At {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A problem with a file as a whole.
    #[error("{file}: {message}")]
    File { file: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// An error at byte `offset` of `text`, the contents of `file`.
    pub fn at(file: &Path, text: &str, offset: usize, message: impl Into<String>) -> Error {
        let p = LineIndex::new(text).position(text, offset);
        Error::At {
            file: show(file),
            line: p.line,
            column: p.column,
            message: message.into(),
        }
    }

    pub fn parse(file: &Path, text: &str, e: &ParseError) -> Error {
        Error::at(file, text, e.span.start, e.message.clone())
    }

    pub fn file(file: &Path, message: impl Into<String>) -> Error {
        Error::File {
            file: show(file),
            message: message.into(),
        }
    }

    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: show(path),
            source,
        }
    }

    /// A file that was not read ([`crate::confine`]): at the first
    /// invalid byte, or at 1:1 for a refusal (a link leaving the
    /// repository, a FIFO, a file past the size cap).
    pub fn read(path: &Path, e: ReadError) -> Error {
        match e {
            ReadError::Io(source) => Error::io(path, source),
            e => {
                let (line, column) = e.position();
                Error::At {
                    file: show(path),
                    line,
                    column,
                    message: e.to_string(),
                }
            }
        }
    }
}

/// A path as shown in messages.
pub(crate) fn show(path: &Path) -> String {
    let s = crate::paths::display_path(path);
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Reads `path` through `jail`.
pub(crate) fn read_in(jail: &Jail, path: &Path) -> Result<String, Error> {
    jail.read_text(path).map_err(|e| Error::read(path, e))
}

/// The confinement of the workspace at `root`: the root and what its
/// `packages` entries link outside it ([`globs::Pattern::linked_regions`]).
pub(crate) fn jail<'a>(root: &Path, entries: impl IntoIterator<Item = &'a str>) -> Jail {
    let mut jail = Jail::new([root]);
    globs::link_regions(&mut jail, root, entries);
    jail
}

/// A reader of the workspace at `root` confined to [`jail`]: its
/// `pnpm-workspace.yaml` is read once to find what it links (and that
/// text is the first read's answer for it).
pub(crate) fn confined_reader(root: &Path) -> impl FnMut(&Path) -> Result<String, Error> {
    let ws_path = crate::paths::clean(&root.join("pnpm-workspace.yaml"));
    let first = Jail::new([root]).read_text(&ws_path).ok();
    let ws = first.as_deref().and_then(|t| Workspace::parse(t).ok());
    let jail = jail(
        root,
        ws.iter()
            .flat_map(|w| w.packages.iter().map(|p| p.value.as_str())),
    );
    let mut first = first.map(|t| (ws_path, t));
    move |p: &Path| {
        if first
            .as_ref()
            .is_some_and(|(fp, _)| *fp == crate::paths::clean(p))
        {
            if let Some((_, t)) = first.take() {
                return Ok(t);
            }
        }
        read_in(&jail, p)
    }
}

/// The workspace root: the nearest directory at or above `dir` holding
/// `pnpm-workspace.yaml`.
pub fn find_root(dir: &Path) -> Result<PathBuf, Error> {
    let abs = std::path::absolute(dir).map_err(|e| Error::io(dir, e))?;
    for d in abs.ancestors() {
        if d.join("pnpm-workspace.yaml").is_file() {
            return Ok(d.to_path_buf());
        }
    }
    Err(Error::Usage(format!(
        "no pnpm-workspace.yaml in {} or above: prune works on pnpm workspaces",
        show(dir)
    )))
}

/// A workspace's `pnpm-workspace.yaml` and `pnpm-lock.yaml`, read and parsed.
pub struct WorkspaceFiles {
    pub ws_path: PathBuf,
    pub ws_text: String,
    pub ws: Workspace,
    pub lock_path: PathBuf,
    pub lock_text: String,
    pub lock: Lockfile,
}

/// How a caller reads a file's text (from disk, or through the model's
/// sources so each file is read once and the fix overlay is seen).
pub type Reader<'a> = dyn FnMut(&Path) -> Result<String, Error> + 'a;

/// Reads the workspace file and the lockfile at `root` from disk;
/// `why_lock` says why a missing lockfile is an error.
pub fn read_workspace(root: &Path, why_lock: &str) -> Result<WorkspaceFiles, Error> {
    let jail = Jail::new([root]);
    read_workspace_with(root, why_lock, &mut |p: &Path| read_in(&jail, p))
}

/// [`read_workspace`] with the caller's reader.
pub(crate) fn read_workspace_with(
    root: &Path,
    why_lock: &str,
    read: &mut Reader<'_>,
) -> Result<WorkspaceFiles, Error> {
    let ws_path = root.join("pnpm-workspace.yaml");
    let ws_text = read(&ws_path)?;
    let ws = Workspace::parse(&ws_text).map_err(|e| Error::parse(&ws_path, &ws_text, &e))?;
    let lock_path = root.join("pnpm-lock.yaml");
    if !lock_path.is_file() {
        return Err(Error::file(&lock_path, format!("not found: {why_lock}")));
    }
    let lock_text = read(&lock_path)?;
    let lock = Lockfile::parse(&lock_text).map_err(|e| Error::parse(&lock_path, &lock_text, &e))?;
    Ok(WorkspaceFiles {
        ws_path,
        ws_text,
        ws,
        lock_path,
        lock_text,
        lock,
    })
}
