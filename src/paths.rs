//! Lexical path helpers, the one home of each: normalising (`clean`),
//! relating (`relative_to`), showing (`slash`, `display_path`). Pure: no
//! file system access (`display_path` reads the current directory only).

use std::path::{Component, Path, PathBuf};

/// Lexically normalises a path: removes `.` and resolves `..` where possible.
pub fn clean(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// [`clean`] without an allocation when `path` is clean already (no `.` or
/// `..` component, not empty): what hot lookups use.
pub fn cleaned(path: &Path) -> std::borrow::Cow<'_, Path> {
    let bytes = path.as_os_str().as_encoded_bytes();
    let clean_already = !bytes.is_empty()
        && !bytes
            .split(|b| *b == b'/' || (cfg!(windows) && *b == b'\\'))
            .any(|part| part == b"." || part == b"..");
    if clean_already {
        std::borrow::Cow::Borrowed(path)
    } else {
        std::borrow::Cow::Owned(clean(path))
    }
}

/// `path` relative to `base` when it lies under it (both cleaned).
pub fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    let p = clean(path);
    let b = clean(base);
    if b == Path::new(".") && p.is_relative() && !p.starts_with("..") {
        return Some(p);
    }
    p.strip_prefix(&b).ok().map(|r| {
        if r.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            r.to_path_buf()
        }
    })
}

/// A path as `/`-separated text.
pub fn slash(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_paths() {
        assert_eq!(clean(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(clean(Path::new("a/../../x")), PathBuf::from("../x"));
        assert_eq!(clean(Path::new("./")), PathBuf::from("."));
        assert_eq!(
            relative_to(Path::new("r/backend/x"), Path::new("r")),
            Some(PathBuf::from("backend/x"))
        );
        assert_eq!(relative_to(Path::new("r/../y"), Path::new("r")), None);
        for p in ["a/./b/", "./a", "a/../b", "", "/x/y", "x"] {
            assert_eq!(cleaned(Path::new(p)), clean(Path::new(p)), "{p}");
        }
    }
}
