//! Text edits: a byte range of a file's text and its replacement, applied
//! together (sorted, never overlapping). The one edit type of the crate:
//! the YAML key-path editor produces these, and a `Fix` carries them.

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
    pub(crate) fn delete(start: usize, end: usize) -> Edit {
        Edit::replace(start, end, "")
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
            || e.end < e.start
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
