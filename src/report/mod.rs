//! Output formats. Each takes the project (for file texts and paths) and the
//! findings, and writes text; none decides exit codes.

pub mod human;
pub mod json;

use std::path::Path;

use crate::project::sources::slash;

/// A path as shown to users: relative to the current directory when it lies
/// under it, `/`-separated.
pub fn display_path(path: &Path) -> String {
    if path.is_absolute() {
        if let Ok(cwd) = std::env::current_dir() {
            if let Ok(rel) = path.strip_prefix(&cwd) {
                return slash(rel);
            }
        }
    }
    slash(path)
}
