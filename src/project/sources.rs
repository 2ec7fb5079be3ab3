//! The files an audit read, by id, with their text and line index.

use std::path::{Path, PathBuf};

use crate::confine::{Jail, ReadError};
use crate::paths::clean;
use crate::syntax::{LineIndex, ParseError, Position, Span};

pub use crate::diagnostics::FileId;

#[derive(Debug)]
pub struct SourceFile {
    /// The path as shown to the user (relative to the current directory when possible).
    pub path: PathBuf,
    pub text: String,
    pub lines: LineIndex,
}

impl SourceFile {
    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(&self.text, offset)
    }
    /// Like [`SourceFile::position`], with the column in UTF-16 code units.
    pub(crate) fn position_utf16(&self, offset: usize) -> Position {
        self.lines.position_utf16(&self.text, offset)
    }
}

/// A file that could not be read or parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The file and span, when the file could be read.
    pub at: Option<(FileId, Span)>,
}

#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
    by_path: std::collections::HashMap<PathBuf, FileId>,
    /// Texts that stand in for files on disk (fixes not yet written).
    overlay: std::collections::HashMap<PathBuf, String>,
    /// Texts read from disk (or carried over from an earlier load of the
    /// same run) that are not files of the model: what checks asked through
    /// [`Sources::text`], and the previous fix round's texts. A later
    /// [`Sources::read`] of one takes it from here instead of the disk.
    cache: std::collections::HashMap<PathBuf, String>,
    /// Where reads from disk may go ([`crate::confine`]): the
    /// audited paths and what their workspaces link, set by the loader
    /// (unconfined by default: regular files, size-capped).
    jail: Jail,
}

impl Sources {
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }
    pub fn len(&self) -> usize {
        self.files.len()
    }
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i), f))
    }
    /// Makes `read` return these texts instead of the files on disk.
    pub(crate) fn set_overlay(&mut self, overlay: std::collections::HashMap<PathBuf, String>) {
        self.overlay = overlay;
    }

    /// Texts of files read earlier in the same run (e.g. the previous fix
    /// round's, see [`Sources::disk_texts`]), used instead of reading the
    /// disk again. The overlay still wins over them.
    pub(crate) fn set_cache(&mut self, texts: std::collections::HashMap<PathBuf, String>) {
        self.cache = texts;
    }

    /// Every text that came from the disk (or the cache), by cleaned path:
    /// the files read and the texts only [`Sources::text`] asked for, not
    /// the overlay's. What a later load of the same run can take as its
    /// [`Sources::set_cache`].
    pub(crate) fn disk_texts(&self) -> std::collections::HashMap<PathBuf, String> {
        let mut out = self.cache.clone();
        for f in &self.files {
            if !self.overlay.contains_key(&f.path) {
                out.insert(f.path.clone(), f.text.clone());
            }
        }
        out
    }

    /// The text of `path` without making it a file of the model (it is not
    /// counted or reported): the overlay's, a file read already, a cached
    /// text, else read from disk once and cached. For checks that read
    /// inputs beside the model (the Docker-lockfile freshness check).
    pub fn text(&mut self, path: &Path) -> Result<String, FileError> {
        let path = clean(path);
        if let Some(t) = self.overlay.get(&path) {
            return Ok(t.clone());
        }
        if let Some(id) = self.by_path.get(&path) {
            return Ok(self.files[id.0].text.clone());
        }
        if let Some(t) = self.cache.get(&path) {
            return Ok(t.clone());
        }
        let text = read_disk(&self.jail, &path)?;
        self.cache.insert(path, text.clone());
        Ok(text)
    }

    /// True when a read of `path` (cleaned) would not touch the disk: the
    /// overlay, a file read already or a cached text has it.
    pub(crate) fn knows(&self, path: &Path) -> bool {
        self.overlay.contains_key(path)
            || self.by_path.contains_key(path)
            || self.cache.contains_key(path)
    }

    /// Caches `text`, read from disk ahead of its [`Sources::read`] (see
    /// `project::prefetch`), unless the path is known already.
    pub(crate) fn prefetched(&mut self, path: PathBuf, text: String) {
        if !self.knows(&path) {
            self.cache.insert(path, text);
        }
    }

    /// The confinement of reads from disk.
    pub fn jail(&self) -> &Jail {
        &self.jail
    }

    pub(crate) fn jail_mut(&mut self) -> &mut Jail {
        &mut self.jail
    }

    pub(crate) fn set_jail(&mut self, jail: Jail) {
        self.jail = jail;
    }

    pub(crate) fn overlay_has(&self, path: &Path) -> bool {
        self.overlay.contains_key(path)
    }

    pub(crate) fn lookup(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    /// Reads `path` once; later calls return the same id. Non-UTF-8 or unreadable
    /// files become a [`FileError`].
    pub fn read(&mut self, path: &Path) -> Result<FileId, FileError> {
        let path = clean(path);
        if let Some(id) = self.by_path.get(&path) {
            return Ok(*id);
        }
        if let Some(text) = self.overlay.get(&path).cloned() {
            return Ok(self.add(path, text));
        }
        if let Some(text) = self.cache.remove(&path) {
            return Ok(self.add(path, text));
        }
        let text = read_disk(&self.jail, &path)?;
        Ok(self.add(path, text))
    }

    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        let id = FileId(self.files.len());
        self.by_path.insert(path.clone(), id);
        let lines = LineIndex::new(&text);
        self.files.push(SourceFile { path, text, lines });
        id
    }

    /// A [`FileError`] for a parse error in file `id`.
    pub(crate) fn parse_error(&self, id: FileId, e: &ParseError) -> FileError {
        let f = self.get(id);
        let p = f.position(e.span.start);
        FileError {
            path: f.path.clone(),
            line: p.line,
            column: p.column,
            message: e.message.clone(),
            at: Some((id, e.span)),
        }
    }
}

/// Reads a file as UTF-8 text through the confinement; a refused,
/// unreadable or non-UTF-8 file becomes a [`FileError`] (at the first
/// invalid byte, else at 1:1).
fn read_disk(jail: &Jail, path: &Path) -> Result<String, FileError> {
    jail.read_text(path).map_err(|e| FileError::read(path, &e))
}

impl FileError {
    /// A file the confinement did not read ([`ReadError`]), at its place.
    pub(crate) fn read(path: &Path, e: &ReadError) -> FileError {
        let (line, column) = e.position();
        FileError {
            path: path.to_path_buf(),
            line,
            column,
            message: e.to_string(),
            at: None,
        }
    }
}
