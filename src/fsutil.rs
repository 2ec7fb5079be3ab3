//! Writing files so that nothing is lost or half-written.

use std::path::Path;

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
