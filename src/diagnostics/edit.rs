//! Text edits: an [`Edit`] is a byte range plus replacement text; a [`Fix`]
//! is edits plus an [`Applicability`] (safe, or unsafe when it may change
//! meaning).

use serde::Serialize;

/// A byte range of one file and its replacement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl Edit {
    pub fn replace(start: usize, end: usize, text: impl Into<String>) -> Edit {
        Edit {
            start,
            end,
            text: text.into(),
        }
    }
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(at, at, text)
    }
    pub fn delete(start: usize, end: usize) -> Edit {
        Edit::replace(start, end, "")
    }
}

/// Whether a fix keeps the build's meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Meaning unchanged, or only the build's speed changes.
    Safe,
    /// The build's behaviour may change (layer order, how pnpm is installed, where packages come from).
    Unsafe,
}

/// A fix for one finding: edits to one or more files (by path; a path that
/// does not exist yet is created), all or none applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What it does, for the report (`add a cache mount on the pnpm store`).
    pub message: String,
    pub edits: Vec<(std::path::PathBuf, Edit)>,
}

impl Fix {
    pub fn new(applicability: Applicability, message: impl Into<String>) -> Fix {
        Fix {
            applicability,
            message: message.into(),
            edits: Vec::new(),
        }
    }
    pub fn edit(mut self, path: &std::path::Path, e: Edit) -> Fix {
        self.edits.push((path.to_path_buf(), e));
        self
    }
    pub fn edits(mut self, path: &std::path::Path, es: impl IntoIterator<Item = Edit>) -> Fix {
        self.edits
            .extend(es.into_iter().map(|e| (path.to_path_buf(), e)));
        self
    }
}

/// Applies non-overlapping `edits` to `text` (sorted here). Returns `None` when two overlap.
/// The edits sorted by position, with insertions at the same offset merged
/// into one (in the order given), so a fix can insert several pieces at one
/// place.
pub fn merge_inserts(mut edits: Vec<Edit>) -> Vec<Edit> {
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out: Vec<Edit> = Vec::new();
    for e in edits {
        match out.last_mut() {
            Some(p) if p.start == p.end && e.start == e.end && p.start == e.start => {
                p.text.push_str(&e.text)
            }
            _ => out.push(e),
        }
    }
    out
}

pub fn apply_edits(text: &str, edits: &[Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
    for w in sorted.windows(2) {
        if w[0].end > w[1].start
            || (w[0].start == w[1].start && w[0].end == w[1].end && w[0].start != w[0].end)
        {
            return None;
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for e in sorted {
        if e.start < pos
            || e.end > text.len()
            || !text.is_char_boundary(e.start)
            || !text.is_char_boundary(e.end)
        {
            return None;
        }
        out.push_str(&text[pos..e.start]);
        out.push_str(&e.text);
        pos = e.end;
    }
    out.push_str(&text[pos..]);
    Some(out)
}

/// The line ending a file uses (`\r\n` when its first line ends so).
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Byte range of the whole line containing `at`, terminator included.
pub fn line_range(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_and_rejects_overlap() {
        let t = "abcdef";
        assert_eq!(
            apply_edits(t, &[Edit::replace(1, 3, "X"), Edit::insert(6, "!")]).unwrap(),
            "aXdef!"
        );
        assert!(apply_edits(t, &[Edit::replace(1, 3, "X"), Edit::replace(2, 4, "Y")]).is_none());
        assert_eq!(
            apply_edits(t, &[Edit::insert(2, "1"), Edit::insert(2, "2")]).unwrap(),
            "ab12cdef"
        );
        assert_eq!(line_range("a\nbc\nd", 3), (2, 5));
        assert_eq!(line_ending("a\r\nb"), "\r\n");
    }
}
