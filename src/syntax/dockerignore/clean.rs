//! Lexical path cleaning, Unix flavour of Go's `path/filepath.Clean`.
//!
//! moby cleans every pattern (twice, in the reader and in the matcher) and
//! every path it is asked about, so the exact result matters: it decides
//! which pattern text is matched and which parent directories are tried.

use std::borrow::Cow;

/// Lexically cleans a `/`-separated path: collapses repeated `/`, drops `.`
/// elements, resolves `..` where possible and removes a trailing `/`. The
/// empty path becomes `.`.
pub(super) fn clean(path: &str) -> Cow<'_, str> {
    if is_clean(path) {
        return Cow::Borrowed(path);
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    Cow::Owned(if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_owned()
    } else {
        joined
    })
}

/// Whether [`clean`] would return `path` unchanged (the common case, which
/// then costs no allocation).
fn is_clean(path: &str) -> bool {
    if path == "/" || path == "." {
        return true;
    }
    let (rooted, rest) = match path.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, path),
    };
    if rest.is_empty() {
        return false;
    }
    let mut seen_name = false;
    for part in rest.split('/') {
        match part {
            "" | "." => return false,
            ".." if rooted || seen_name => return false,
            ".." => {}
            _ => seen_name = true,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go() {
        let cases = [
            ("", "."),
            (".", "."),
            ("./", "."),
            ("/", "/"),
            ("//", "/"),
            ("a/", "a"),
            ("a//b", "a/b"),
            ("./a/./b/", "a/b"),
            ("a/../b", "b"),
            ("a/../..", ".."),
            ("../a/..", ".."),
            ("/../a", "/a"),
            ("/..", "/"),
            ("a/b/../../..", ".."),
            ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "clean({input:?})");
            assert!(is_clean(want), "is_clean({want:?})");
        }
    }
}
