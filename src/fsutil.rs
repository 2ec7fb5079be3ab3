//! Writing files so that nothing is lost or half-written.

use std::path::{Path, PathBuf};

/// Prefix of the temporary files and directories dockprep creates beside the
/// files it writes, so that leftovers of a killed process can be recognised.
pub const TEMP_PREFIX: &str = ".dockprep-tmp-";

/// Writes through a temporary file in the same directory, then renames it over
/// `path` (keeping an existing file's permissions). A symbolic link at `path`
/// is refused, neither written through nor replaced: where it points is not
/// known to lie inside the repository being written.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "is a symbolic link: refusing to write through or replace it",
        ));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    match std::fs::metadata(path) {
        Ok(m) => std::fs::set_permissions(tmp.path(), m.permissions())?,
        Err(_) => {
            // A new file gets the usual mode, not the temp file's 0600.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))?;
            }
        }
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// `path` as the file system resolves it, also when it does not exist yet:
/// absolute, every symbolic link of its existing part followed, `.` and `..`
/// applied where they take effect (after the link before them is followed).
/// Components that do not exist are taken as written. Two paths name the
/// same place when their `resolve`d forms are equal, and one lies inside the
/// other when its `resolve`d form starts with the other's; a comparison of
/// the paths as written is fooled by `/tmp/../home` or a link.
pub fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    use std::path::Component;
    let mut todo: PathBuf = std::path::absolute(path)?;
    // Links followed so far (the kernel gives up after 40 as well).
    for _ in 0..40 {
        let mut cur = PathBuf::new();
        let mut restart = None;
        let comps: Vec<Component> = todo.components().collect();
        for (i, c) in comps.iter().enumerate() {
            match c {
                Component::Prefix(_) | Component::RootDir => cur.push(c.as_os_str()),
                Component::CurDir => {}
                Component::ParentDir => {
                    cur.pop();
                }
                Component::Normal(n) => {
                    cur.push(n);
                    let is_link =
                        std::fs::symlink_metadata(&cur).is_ok_and(|m| m.file_type().is_symlink());
                    if is_link {
                        let target = std::fs::read_link(&cur)?;
                        cur.pop();
                        let mut next = cur.join(target);
                        for r in &comps[i + 1..] {
                            next.push(r.as_os_str());
                        }
                        restart = Some(next);
                        break;
                    }
                }
            }
        }
        match restart {
            Some(next) => todo = next,
            None => return Ok(cur),
        }
    }
    Err(std::io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_follows_links_and_dots_of_paths_that_may_not_exist() {
        let d = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(d.path()).unwrap();
        std::fs::create_dir_all(base.join("a/b")).unwrap();
        let r = |p: &Path| resolve(p).unwrap();
        assert_eq!(r(&base.join("a/./b/../b")), base.join("a/b"));
        assert_eq!(r(&base.join("a/new/../../x/y")), base.join("x/y"));
        assert_eq!(
            r(&base.join("../").join(base.file_name().unwrap()).join("a")),
            base.join("a")
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("a/b"), base.join("l")).unwrap();
            // `l/..` is `a`, the parent of the link's target, not `base`.
            assert_eq!(r(&base.join("l/../new")), base.join("a/new"));
            std::os::unix::fs::symlink("a/b/missing", base.join("dangling")).unwrap();
            assert_eq!(r(&base.join("dangling/x")), base.join("a/b/missing/x"));
            std::os::unix::fs::symlink("loop", base.join("loop")).unwrap();
            assert!(resolve(&base.join("loop")).is_err());
        }
    }
}
