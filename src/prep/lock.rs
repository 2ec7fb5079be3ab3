//! One prep at a time per repository. `prep`, `restore`, `prep
//! --strip-overrides` and `prep -- COMMAND` hold [`RepoLock`] for their whole
//! run; a second one waits (or, `--no-wait`, fails) and looks at the
//! repository again once it has the lock.
//!
//! The lock is an exclusive `flock(2)` on the root directory itself (opened
//! read-only), not on a lock file: nothing is created in the work tree (no
//! file for `git status`, the Docker build context or a restore to leave
//! behind), nothing a clone can plant in its place (a symbolic link, a FIFO,
//! a directory), and nothing is left after `kill -9` (the kernel drops the
//! lock with the process). The descriptor is close-on-exec, so the command
//! `prep` runs does not inherit it. Local file systems on Linux and macOS
//! support it; where the file system does not, taking the lock fails with
//! its error. Off Unix there is no lock.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{}: another dockprep prep or restore is running in this repository (--no-wait: not waiting for it)", .0.display())]
    Busy(PathBuf),
    #[error("{}: cannot lock the repository: {}", .0.display(), .1)]
    Io(PathBuf, std::io::Error),
}

/// The exclusive lock of one repository root, held until dropped (or the
/// process ends).
#[derive(Debug)]
pub struct RepoLock {
    #[cfg(unix)]
    _dir: std::fs::File,
    /// The root, symbolic links resolved.
    root: PathBuf,
}

impl RepoLock {
    /// Takes the lock of `root`. When another process holds it: with
    /// `wait`, calls `waiting` once (to tell the user) and blocks until it
    /// is free; without, fails with [`LockError::Busy`].
    pub fn acquire(
        root: &Path,
        wait: bool,
        waiting: &mut dyn FnMut(),
    ) -> Result<RepoLock, LockError> {
        let io = |e| LockError::Io(root.to_path_buf(), e);
        let canonical = std::fs::canonicalize(root).map_err(io)?;
        #[cfg(unix)]
        {
            use rustix::fs::{flock, FlockOperation};
            use rustix::io::Errno;
            let dir = std::fs::File::open(&canonical).map_err(io)?;
            match flock(&dir, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => {}
                Err(Errno::WOULDBLOCK) if !wait => {
                    return Err(LockError::Busy(root.to_path_buf()));
                }
                Err(Errno::WOULDBLOCK) => {
                    waiting();
                    loop {
                        match flock(&dir, FlockOperation::LockExclusive) {
                            Ok(()) => break,
                            Err(Errno::INTR) => continue,
                            Err(e) => return Err(io(e.into())),
                        }
                    }
                }
                Err(e) => return Err(io(e.into())),
            }
            Ok(RepoLock {
                _dir: dir,
                root: canonical,
            })
        }
        #[cfg(not(unix))]
        {
            let _ = (wait, waiting);
            Ok(RepoLock { root: canonical })
        }
    }

    /// Whether this is the lock of `root`.
    pub fn covers(&self, root: &Path) -> bool {
        std::fs::canonicalize(root).is_ok_and(|r| r == self.root)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_of_the_same_root_is_busy_until_the_first_goes() {
        let dir = tempfile::tempdir().unwrap();
        let first = RepoLock::acquire(dir.path(), false, &mut || {}).unwrap();
        assert!(first.covers(dir.path()));
        assert!(!first.covers(&std::env::temp_dir()));
        // flock locks belong to the open file: a second open conflicts even
        // within one process.
        let second = RepoLock::acquire(&dir.path().join("."), false, &mut || {});
        assert!(matches!(second, Err(LockError::Busy(_))), "{second:?}");
        let mut waited = false;
        let t = std::thread::spawn({
            let root = dir.path().to_path_buf();
            move || {
                let mut told = false;
                let l = RepoLock::acquire(&root, true, &mut || told = true).map(|_| ());
                (l.is_ok(), told)
            }
        });
        std::thread::sleep(std::time::Duration::from_millis(100));
        drop(first);
        let (ok, told) = t.join().unwrap();
        waited |= told;
        assert!(ok && waited);
        assert!(RepoLock::acquire(dir.path(), false, &mut || {}).is_ok());
        let gone = RepoLock::acquire(&dir.path().join("missing"), true, &mut || {});
        assert!(matches!(gone, Err(LockError::Io(..))));
    }
}
