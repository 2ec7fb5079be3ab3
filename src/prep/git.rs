//! Running `git` as a process, for the guard and the hook installer.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{} does not exist", .0.display())]
    NoSuchPath(PathBuf),
    #[error("{} is not inside a git repository", .0.display())]
    NotARepo(PathBuf),
    #[error("cannot run git: {0}")]
    Spawn(std::io::Error),
    #[error("`git {args}` failed: {stderr}")]
    Failed { args: String, stderr: String },
}

/// The top level of the work tree that contains `path`.
pub(crate) fn toplevel(path: &Path) -> Result<PathBuf, GitError> {
    if !path.exists() {
        return Err(GitError::NoSuchPath(path.to_path_buf()));
    }
    let dir = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(Path::new("."))
    };
    match output(dir, ["rev-parse", "--show-toplevel"]) {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out);
            let top = text.trim_end_matches(['\n', '\r']);
            if top.is_empty() {
                // Inside `.git` or a bare repository: there is no index to guard.
                return Err(GitError::NotARepo(path.to_path_buf()));
            }
            Ok(PathBuf::from(top))
        }
        Err(GitError::Failed { .. }) => Err(GitError::NotARepo(path.to_path_buf())),
        Err(e) => Err(e),
    }
}

/// Runs `git args…` in `dir`; its stdout when it succeeds.
pub fn output<I, S>(dir: &Path, args: I) -> Result<Vec<u8>, GitError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let out = Command::new("git")
        .args(&args)
        .current_dir(dir)
        .output()
        .map_err(GitError::Spawn)?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    Err(GitError::Failed {
        args: args
            .iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" "),
        stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
    })
}

/// A path as git prints it with `-z` (raw bytes on Unix).
pub(crate) fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }
}
