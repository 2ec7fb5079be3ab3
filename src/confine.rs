//! The confinement every reader of a repository goes through: a file is read
//! only when it resolves (symbolic links and `..` included) inside the
//! repository or a workspace it explicitly links ([`Region`]s of a
//! [`Jail`]), only when it is a regular file (a FIFO, a device or a socket
//! is refused, never opened for a blocking read), and at most
//! [`MAX_FILE_BYTES`] of it (a bounded read, so a file growing under the
//! reader cannot exceed the cap either).
//!
//! Directories are resolved once each (one `lstat` per directory, cached by
//! its lexical path); a file costs no extra system call unless it is a
//! symbolic link: it is opened with `O_NOFOLLOW`, and only a link (the
//! open's `ELOOP`) is resolved and checked. The text helpers ([`decode`],
//! the UTF-8 error's line and column) are here too, so every reader reports
//! an invalid byte at the same place.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// The most bytes read from one file (16 MiB).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a file was not read. The messages never quote the file's content.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A symbolic link whose target lies outside every region.
    #[error("symlink points outside the repository")]
    LinkOutside,
    /// The path itself (or a directory on its way) lies outside every region.
    #[error("path is outside the repository")]
    Outside,
    /// A FIFO, a device, a socket, a directory.
    #[error("not a regular file ({0}): refused")]
    NotRegular(&'static str),
    #[error("file is larger than {} MiB: refused", MAX_FILE_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("file is not valid UTF-8 (byte {byte})")]
    NotUtf8 {
        /// 1-based line and column (in characters) of the first invalid byte.
        line: usize,
        column: usize,
        /// Its offset.
        byte: usize,
    },
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
}

impl ReadError {
    /// The 1-based line and column the error is at: the first invalid byte
    /// for [`ReadError::NotUtf8`], else the start of the file.
    pub fn position(&self) -> (usize, usize) {
        match self {
            ReadError::NotUtf8 { line, column, .. } => (*line, *column),
            _ => (1, 1),
        }
    }

    /// True when the file does not exist (or a directory on its way).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }
}

/// A part of the file system reads may resolve into (real paths).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Region {
    /// The directory and everything below it.
    Tree(PathBuf),
    /// Everything inside the subdirectories of the directory, not the
    /// directory's own files: the siblings of a repository, for a workspace
    /// glob such as `../*` that links them all.
    Below(PathBuf),
}

impl Region {
    fn contains(&self, real: &Path) -> bool {
        match self {
            Region::Tree(d) => under(real, d).is_some(),
            Region::Below(d) => under(real, d).is_some_and(|rest| rest.contains(&b'/')),
        }
    }

    /// True when the files directly inside the real directory `dir` lie in
    /// the region.
    fn holds_files_of(&self, dir: &Path) -> bool {
        match self {
            Region::Tree(d) => under(dir, d).is_some(),
            Region::Below(d) => under(dir, d).is_some_and(|rest| !rest.is_empty()),
        }
    }
}

/// What follows `dir` in `path` (without the separator; empty for `dir`
/// itself) when `path` lies in `dir`: [`Path::starts_with`] for real paths
/// (absolute, no `.`, `..` or doubled separators), compared as bytes.
fn under<'p>(path: &'p Path, dir: &Path) -> Option<&'p [u8]> {
    let (p, d) = (
        path.as_os_str().as_encoded_bytes(),
        dir.as_os_str().as_encoded_bytes(),
    );
    let rest = p.strip_prefix(d)?;
    if rest.is_empty() || d.ends_with(b"/") {
        Some(rest)
    } else {
        rest.strip_prefix(b"/")
    }
}

/// Where reads may go: the [`Region`]s (none: unconfined, only the
/// regular-file and size rules apply), single files allowed on their own
/// (a `dockprep.toml` above the audited path), and the cache of resolved
/// directories. Shared by the threads of a parallel read.
#[derive(Default)]
pub struct Jail {
    /// `None`: unconfined.
    regions: Option<Vec<Region>>,
    /// A cleaned path → the real directory its resolution must stay in.
    files: HashMap<PathBuf, PathBuf>,
    /// A cleaned directory path (as written: its bytes are the key) → its
    /// real path (`None`: it cannot be resolved).
    dirs: Mutex<HashMap<std::ffi::OsString, Option<PathBuf>>>,
    /// A real path → its file system ([`Jail::device`]).
    devices: Mutex<HashMap<PathBuf, Option<u64>>>,
}

impl std::fmt::Debug for Jail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jail")
            .field("regions", &self.regions)
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl Jail {
    /// Confined to `roots` (each with everything below it). A root that
    /// cannot be resolved adds nothing.
    pub fn new<'a>(roots: impl IntoIterator<Item = &'a Path>) -> Jail {
        let mut j = Jail {
            regions: Some(Vec::new()),
            ..Jail::default()
        };
        for r in roots {
            j.add_tree(r);
        }
        j
    }

    /// No region: any path, still only regular files, size-capped.
    pub fn unconfined() -> Jail {
        Jail::default()
    }

    /// True when reads are confined to regions.
    pub fn is_confined(&self) -> bool {
        self.regions.is_some()
    }

    /// The regions (empty when unconfined).
    pub fn regions(&self) -> &[Region] {
        self.regions.as_deref().unwrap_or(&[])
    }

    /// Adds `dir` (resolved) and everything below it.
    pub fn add_tree(&mut self, dir: &Path) {
        if let Ok(real) = self.real_dir(&crate::paths::clean(dir)) {
            self.add(Region::Tree(real));
        }
    }

    /// Adds a region (of real paths); nothing when unconfined.
    pub fn add(&mut self, region: Region) {
        if let Some(rs) = &mut self.regions {
            if !rs.iter().any(|r| match (r, &region) {
                (Region::Tree(a), Region::Tree(b)) => under(b, a).is_some(),
                (a, b) => a == b,
            }) {
                rs.push(region);
            }
        }
    }

    /// Allows the one file `path` (as it will be asked for), resolving
    /// inside `within` (a directory): a configuration above the audited
    /// path, which no region holds.
    pub fn allow_file(&mut self, path: &Path, within: &Path) {
        if let Ok(real) = self.real_dir(&crate::paths::clean(within)) {
            self.files.insert(crate::paths::clean(path), real);
        }
    }

    /// True when the real path `real` lies in a region (always, unconfined).
    pub fn contains(&self, real: &Path) -> bool {
        match &self.regions {
            None => true,
            Some(rs) => rs.iter().any(|r| r.contains(real)),
        }
    }

    /// True when the real path `real` lies in `dir` (a real path).
    fn within(real: &Path, dir: &Path) -> bool {
        under(real, dir).is_some()
    }

    /// The real path of directory `dir` (a cleaned path), resolved once:
    /// a directory that is not a link is its real parent joined with its
    /// name (one `lstat`); a link, `.`, `..` or the root is canonicalized.
    pub fn real_dir(&self, dir: &Path) -> std::io::Result<PathBuf> {
        let key = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Some(r) = self.dirs_lock().get(key.as_os_str()) {
            return r
                .clone()
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound));
        }
        let resolved = match (key.parent(), key.file_name()) {
            (Some(parent), Some(name)) => match std::fs::symlink_metadata(key) {
                Ok(m) if m.file_type().is_dir() => self.real_dir(parent).map(|p| p.join(name)),
                Ok(_) => std::fs::canonicalize(key),
                Err(e) => Err(e),
            },
            _ => std::fs::canonicalize(key),
        };
        self.dirs_lock()
            .insert(key.as_os_str().to_owned(), resolved.as_ref().ok().cloned());
        resolved
    }

    /// Whether files directly inside `dir` (a cleaned path) may be read:
    /// its real path (resolved once, see [`Jail::real_dir`]) lies in a
    /// region, or, for a file allowed on its own, inside its directory.
    fn files_of_dir_allowed(
        &self,
        dir: &Path,
        allowed_in: Option<&PathBuf>,
    ) -> std::io::Result<bool> {
        let test = |real: &Path| match allowed_in {
            Some(d) => Jail::within(real, d),
            None => match &self.regions {
                None => true,
                Some(rs) => rs.iter().any(|r| r.holds_files_of(real)),
            },
        };
        if let Some(Some(real)) = self.dirs_lock().get(dir.as_os_str()) {
            return Ok(test(real));
        }
        Ok(test(&self.real_dir(dir)?))
    }

    /// The file system of the real path `real` ([`device_of`]), asked once.
    pub fn device(&self, real: &Path) -> Option<u64> {
        let mut devices = self.devices.lock().unwrap_or_else(|e| e.into_inner());
        *devices
            .entry(real.to_path_buf())
            .or_insert_with(|| device_of(real))
    }

    fn dirs_lock(&self) -> std::sync::MutexGuard<'_, HashMap<std::ffi::OsString, Option<PathBuf>>> {
        self.dirs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens `path` for reading under the rules: inside a region, a link
    /// followed only into one, a regular file of at most [`MAX_FILE_BYTES`].
    pub fn open(&self, path: &Path) -> Result<std::fs::File, ReadError> {
        self.open_sized(path, false).map(|(f, _)| f)
    }

    /// [`Jail::read`] of a file whose directory the caller reached from a
    /// region's root through directories that are not links (a walk that
    /// descends only into `DirEntry::file_type` directories): the directory
    /// is inside by construction, so only the file itself is checked (a link
    /// followed only into a region, a regular file, the size cap).
    pub fn read_in_walked_dir(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        let (file, len) = self.open_sized(path, true)?;
        read_capped(file, len)
    }

    /// [`Jail::open`], with the file's size; `walked`: the directory is
    /// known to be inside ([`Jail::read_in_walked_dir`]).
    fn open_sized(&self, path: &Path, walked: bool) -> Result<(std::fs::File, u64), ReadError> {
        let path = crate::paths::cleaned(path);
        let path = path.as_ref();
        let allowed_in = if self.files.is_empty() {
            None
        } else {
            self.files.get(path)
        };
        let confined = self.regions.is_some() || allowed_in.is_some();
        let inside = |real: &Path| match allowed_in {
            Some(d) => Jail::within(real, d),
            None => self.contains(real),
        };
        if confined && !walked {
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            if path.file_name().is_none() {
                return Err(ReadError::NotRegular("directory"));
            }
            if !self.files_of_dir_allowed(parent, allowed_in)? {
                return Err(ReadError::Outside);
            }
        }
        let file = match open_nofollow(path) {
            Ok(f) => f,
            Err(e) if is_link_error(&e) => {
                let target = std::fs::canonicalize(path)?;
                if confined && !inside(&target) {
                    return Err(ReadError::LinkOutside);
                }
                open_nofollow(&target)?
            }
            Err(e) => return Err(e.into()),
        };
        let md = file.metadata()?;
        if !md.file_type().is_file() {
            return Err(ReadError::NotRegular(kind_name(&md.file_type())));
        }
        if md.len() > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge);
        }
        Ok((file, md.len()))
    }

    /// Reads `path`'s bytes under the rules of [`Jail::open`].
    pub fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        let (file, len) = self.open_sized(path, false)?;
        read_capped(file, len)
    }

    /// Reads `path` as UTF-8 text ([`decode`]) under the rules of
    /// [`Jail::open`].
    pub fn read_text(&self, path: &Path) -> Result<String, ReadError> {
        decode(self.read(path)?)
    }
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`] from anywhere (a path
/// the user named, such as `--config`): [`Jail::unconfined`].
pub fn read_regular(path: &Path) -> Result<Vec<u8>, ReadError> {
    Jail::unconfined().read(path)
}

/// [`read_regular`] as UTF-8 text.
pub fn read_regular_text(path: &Path) -> Result<String, ReadError> {
    decode(read_regular(path)?)
}

/// Reads at most [`MAX_FILE_BYTES`] of an open file (`len`: its size when
/// opened), failing past it: a file that grows while it is read stops at
/// the cap too.
fn read_capped(file: impl Read, len: u64) -> Result<Vec<u8>, ReadError> {
    // One byte more than the size: the read ends without another call.
    let mut buf = Vec::with_capacity(len.min(MAX_FILE_BYTES) as usize + 1);
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge);
    }
    Ok(buf)
}

/// Bytes as UTF-8 text, or the line and column of the first invalid byte.
pub fn decode(bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| {
        let byte = e.utf8_error().valid_up_to();
        let (line, column) = utf8_position(e.as_bytes(), byte);
        ReadError::NotUtf8 { line, column, byte }
    })
}

/// The 1-based line and column (in characters) of byte `offset` of
/// `bytes`, whose first `offset` bytes are valid UTF-8.
pub fn utf8_position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let prefix = std::str::from_utf8(&bytes[..offset.min(bytes.len())]).unwrap_or("");
    let line = prefix.matches('\n').count() + 1;
    let start = prefix.rfind('\n').map_or(0, |i| i + 1);
    (line, prefix[start..].chars().count() + 1)
}

#[cfg(unix)]
fn open_nofollow(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Non-blocking: opening a FIFO must not wait for a writer (it is
    // refused right after, by its type).
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nofollow(path: &Path) -> std::io::Result<std::fs::File> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::Error::other("symbolic link"));
    }
    std::fs::File::open(path)
}

#[cfg(unix)]
fn is_link_error(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_link_error(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Other
}

/// What a non-regular file is, for messages.
pub fn kind_name(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "FIFO";
        }
        if ft.is_char_device() {
            return "character device";
        }
        if ft.is_block_device() {
            return "block device";
        }
        if ft.is_socket() {
            return "socket";
        }
    }
    if ft.is_dir() {
        "directory"
    } else if ft.is_symlink() {
        "symbolic link"
    } else {
        "special file"
    }
}

/// The file system `path` lies on (`None` when it cannot be read).
pub fn device_of(path: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| m.dev())
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(path).ok().map(|_| 0)
    }
}

/// True for a real path in a kernel's virtual file system (`/proc`, `/sys`,
/// `/dev`), which no walk enters.
pub fn is_virtual(real: &Path) -> bool {
    let mut c = real.components();
    matches!(c.next(), Some(Component::RootDir))
        && matches!(c.next(), Some(Component::Normal(n)) if n == "proc" || n == "sys" || n == "dev")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_growing_input_stops_at_the_cap() {
        // An endless reader that claimed to be empty when opened.
        assert!(matches!(
            read_capped(std::io::repeat(b'x'), 0),
            Err(ReadError::TooLarge)
        ));
        let exact = vec![b'x'; MAX_FILE_BYTES as usize];
        assert_eq!(read_capped(&exact[..], 10).unwrap().len(), exact.len());
    }

    #[test]
    fn under_compares_whole_parts() {
        assert_eq!(
            under(Path::new("/w/repo/a"), Path::new("/w/repo")),
            Some(&b"a"[..])
        );
        assert_eq!(
            under(Path::new("/w/repo"), Path::new("/w/repo")),
            Some(&b""[..])
        );
        assert_eq!(
            under(Path::new("/w/repository"), Path::new("/w/repo")),
            None
        );
        assert_eq!(under(Path::new("/w/x"), Path::new("/")), Some(&b"w/x"[..]));
    }

    #[test]
    fn regions() {
        let t = Region::Tree(PathBuf::from("/w/repo"));
        assert!(t.contains(Path::new("/w/repo")));
        assert!(t.contains(Path::new("/w/repo/a/b")));
        assert!(!t.contains(Path::new("/w/repository")));
        let b = Region::Below(PathBuf::from("/w"));
        assert!(!b.contains(Path::new("/w")));
        assert!(!b.contains(Path::new("/w/package.json")));
        assert!(b.contains(Path::new("/w/sib/package.json")));
        assert!(!b.contains(Path::new("/etc/passwd")));
    }

    #[test]
    fn utf8_positions() {
        assert_eq!(utf8_position(b"ab\ncd\xff", 5), (2, 3));
        assert_eq!(utf8_position(b"\xc3\xa9\xff", 2), (1, 2));
        match decode(b"x\n\xc3".to_vec()) {
            Err(ReadError::NotUtf8 { line, column, byte }) => {
                assert_eq!((line, column, byte), (2, 1, 2))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn confines_reads() {
        let t = tempfile::tempdir().unwrap();
        let repo = t.path().join("repo");
        std::fs::create_dir_all(repo.join("sub")).unwrap();
        std::fs::write(repo.join("sub/a"), "a").unwrap();
        std::fs::write(t.path().join("secret"), "s").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("sub/a", repo.join("in")).unwrap();
            std::os::unix::fs::symlink("../secret", repo.join("out")).unwrap();
            std::os::unix::fs::symlink("..", repo.join("up")).unwrap();
        }
        let j = Jail::new([repo.as_path()]);
        assert_eq!(j.read(&repo.join("sub/a")).unwrap(), b"a");
        assert!(matches!(
            j.read(&t.path().join("secret")),
            Err(ReadError::Outside)
        ));
        assert!(matches!(
            j.read(&repo.join("sub/../../secret")),
            Err(ReadError::Outside)
        ));
        #[cfg(unix)]
        {
            assert_eq!(j.read(&repo.join("in")).unwrap(), b"a");
            assert!(matches!(
                j.read(&repo.join("out")),
                Err(ReadError::LinkOutside)
            ));
            assert!(matches!(
                j.read(&repo.join("up/secret")),
                Err(ReadError::Outside)
            ));
            assert!(matches!(
                j.read(Path::new("/dev/zero")),
                Err(ReadError::Outside)
            ));
            assert!(matches!(
                read_regular(Path::new("/dev/zero")),
                Err(ReadError::NotRegular("character device"))
            ));
        }
        assert!(matches!(
            j.read(&repo.join("sub")),
            Err(ReadError::NotRegular("directory"))
        ));
    }
}
