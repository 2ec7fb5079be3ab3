//! Where things are in the text: line and column arithmetic over byte
//! offsets, the extent of a node's own text, and the document's layout
//! conventions (indent unit, list style, preferred quote, line ending).

use crate::syntax::yaml::{Node, Value};

/// How new text is laid out. [`Layout::detect`] reads it from the document;
/// a caller may override any field before editing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Indent of a nested mapping relative to its key.
    pub indent: usize,
    /// Indent of a block list's `-` relative to its key.
    pub seq_indent: usize,
    /// Write new lists as `[a, b]` (the document writes its lists that way only).
    pub flow_lists: bool,
    /// The quote character for scalars that need quoting.
    pub quote: char,
    /// Quote every new list item, whether or not it needs it.
    pub always_quote_items: bool,
    /// `"\n"` or `"\r\n"`, from the document's first line.
    pub line_ending: &'static str,
}

impl Layout {
    /// The conventions `text` (parsed as `root`) shows; 2 spaces, block lists
    /// and `"` where it shows none.
    pub fn detect(text: &str, root: &Node) -> Layout {
        let mut st = Stats::default();
        stats(text, root, &mut st, 0);
        let indent = mode(&st.units).unwrap_or(2);
        let seq_indent = mode(&st.seq_offs).unwrap_or(indent);
        Layout {
            indent,
            seq_indent,
            flow_lists: st.flow_lists > 0 && st.block_lists == 0,
            quote: if st.single > st.double { '\'' } else { '"' },
            always_quote_items: false,
            line_ending: line_ending(text),
        }
    }
}

/// The line ending of the first line.
pub(super) fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

#[derive(Default)]
struct Stats {
    units: Vec<usize>,
    seq_offs: Vec<usize>,
    flow_lists: usize,
    block_lists: usize,
    single: usize,
    double: usize,
}

fn stats(text: &str, n: &Node, st: &mut Stats, depth: usize) {
    if depth > 64 || is_alias(text, n) {
        return;
    }
    match &n.value {
        Value::Scalar(_) => match text.as_bytes().get(n.span.start) {
            Some(b'\'') => st.single += 1,
            Some(b'"') => st.double += 1,
            _ => {}
        },
        Value::Seq(items) => {
            for i in items {
                stats(text, i, st, depth + 1);
            }
        }
        Value::Map(m) => {
            let block = !is_flow(text, n);
            for (k, v) in m {
                stats(text, k, st, depth + 1);
                stats(text, v, st, depth + 1);
                if !block || is_alias(text, v) {
                    continue;
                }
                let kc = col(text, k.span.start);
                match &v.value {
                    Value::Map(vm) if !is_flow(text, v) => {
                        if let Some((fk, _)) = vm.first() {
                            let c = col(text, fk.span.start);
                            if c > kc && line_start(text, fk.span.start) > k.span.start {
                                st.units.push(c - kc);
                            }
                        }
                    }
                    Value::Seq(_) if is_flow(text, v) => st.flow_lists += 1,
                    Value::Seq(items) => {
                        st.block_lists += 1;
                        if let Some(d) = items.first().and_then(|i| dash_pos(text, i)) {
                            let c = col(text, d);
                            if c >= kc && line_start(text, d) > k.span.start {
                                st.seq_offs.push(c - kc);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        Value::Null => {}
    }
}

/// The most frequent value, the smallest on a tie.
pub(super) fn mode(v: &[usize]) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for &x in v {
        let n = v.iter().filter(|&&y| y == x).count();
        best = match best {
            Some((bx, bn)) if bn > n || (bn == n && bx <= x) => Some((bx, bn)),
            _ => Some((x, n)),
        };
    }
    best.map(|(x, _)| x)
}

/// Byte offset where the line containing `at` starts.
pub(super) fn line_start(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
}

/// Byte offset just past the line terminator of the line containing `at`.
pub(super) fn line_end(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// Column (in bytes) of `at` on its line.
pub(super) fn col(text: &str, at: usize) -> usize {
    at - line_start(text, at)
}

/// The indentation of the line holding `at` contains a tab.
pub(super) fn tab_indented(text: &str, at: usize) -> bool {
    let ls = line_start(text, at);
    text[ls..at.min(text.len())]
        .chars()
        .take_while(|c| c.is_whitespace() || *c == '-')
        .any(|c| c == '\t')
}

pub(super) fn is_alias(text: &str, n: &Node) -> bool {
    text.as_bytes().get(n.span.start) == Some(&b'*')
}

/// A node written with a `!tag`.
pub(super) fn has_tag(text: &str, n: &Node) -> bool {
    let b = text.as_bytes();
    let cs = content_start(text, n);
    let mut i = n.span.start;
    while i < b.len() && i < cs {
        if b[i] == b'!' && (i == n.span.start || b[i - 1].is_ascii_whitespace()) {
            return true;
        }
        i += 1;
    }
    false
}

/// Start of a node's content past any `&anchor` and `!tag`.
pub(super) fn content_start(text: &str, n: &Node) -> usize {
    let b = text.as_bytes();
    let mut i = n.span.start;
    while i < b.len() {
        match b[i] {
            b'&' | b'!' => {
                while i < b.len() && !b[i].is_ascii_whitespace() && !b"[]{},".contains(&b[i]) {
                    i += 1;
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            _ => break,
        }
    }
    i
}

/// A `[..]` or `{..}` collection.
pub(super) fn is_flow(text: &str, n: &Node) -> bool {
    if !matches!(n.value, Value::Map(_) | Value::Seq(_)) || is_alias(text, n) {
        return false;
    }
    let cs = content_start(text, n);
    match text.as_bytes().get(cs) {
        Some(b'{') => true,
        // A compact block list (`key:\n- [a]`) starts at its first item.
        Some(b'[') => !text[line_start(text, cs)..cs].trim_end().ends_with('-'),
        _ => false,
    }
}

/// Offset of the `-` of a block list item.
pub(super) fn dash_pos(text: &str, item: &Node) -> Option<usize> {
    let before = text[..item.span.start].trim_end_matches([' ', '\t']);
    before.ends_with('-').then(|| before.len() - 1)
}

/// Offset of the closing bracket of a flow collection.
pub(super) fn closing(text: &str, n: &Node) -> Option<usize> {
    let want = match n.value {
        Value::Map(_) => b'}',
        _ => b']',
    };
    let b = text.as_bytes();
    let mut i = n.span.end;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    (b.get(i) == Some(&want)).then_some(i)
}

/// Where a node's own text ends (trailing comments and blank lines excluded).
pub(super) fn node_end(text: &str, n: &Node) -> Option<usize> {
    if is_alias(text, n) {
        return Some(n.span.end);
    }
    match &n.value {
        Value::Scalar(_) => Some(scalar_end(text, n)),
        Value::Null => Some(n.span.end),
        _ if is_flow(text, n) => closing(text, n).map(|c| c + 1),
        Value::Seq(items) => items
            .iter()
            .try_fold(n.span.start, |m, i| node_end(text, i).map(|e| m.max(e))),
        Value::Map(m) => m.iter().try_fold(n.span.start, |acc, (k, v)| {
            entry_end(text, k, v).map(|e| acc.max(e))
        }),
    }
}

/// Where a scalar's text ends: past the closing quote of a quoted one
/// (the parser's span of a quoted block scalar may run on over a trailing
/// comment), else the parser's end.
pub(super) fn scalar_end(text: &str, n: &Node) -> usize {
    let b = text.as_bytes();
    let start = n.span.start;
    let Some(&q) = b.get(start).filter(|c| **c == b'"' || **c == b'\'') else {
        return n.span.end;
    };
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if q == b'"' => i += 2,
            b'\'' if q == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == q => return (i + 1).min(n.span.end.max(i + 1)),
            _ => i += 1,
        }
    }
    n.span.end
}

/// Where the text of the entry `k: v` ends.
pub(super) fn entry_end(text: &str, k: &Node, v: &Node) -> Option<usize> {
    node_end(text, v).map(|e| e.max(k.span.end))
}

/// Indent and text of the first line at or after `at` that is not blank or
/// a comment.
pub(super) fn next_line(text: &str, at: usize) -> Option<(usize, &str)> {
    text.get(at..)?.lines().find_map(|l| {
        let t = l.trim_start_matches([' ', '\t']);
        let t = t.trim_end();
        (!t.is_empty() && !t.starts_with('#'))
            .then(|| (l.len() - l.trim_start_matches([' ', '\t']).len(), t))
    })
}

/// Only whitespace, commas and comments (what may sit between a flow
/// collection's last item and its closing bracket).
pub(super) fn only_trivia(s: &str) -> bool {
    s.lines().all(|l| {
        let code = match l.find('#') {
            Some(i) if i == 0 || l.as_bytes()[i - 1].is_ascii_whitespace() => &l[..i],
            _ => l,
        };
        code.chars().all(|c| c.is_whitespace() || c == ',') && code.matches(',').count() <= 1
    })
}

/// The start of the run of comment lines directly above the line that
/// starts at `ls` (no blank line between), or `ls` when there is none.
pub(super) fn comments_above(text: &str, ls: usize) -> usize {
    let mut start = ls;
    while start > 0 {
        let prev = line_start(text, start - 1);
        if text[prev..start].trim_start().starts_with('#') {
            start = prev;
        } else {
            break;
        }
    }
    start
}

/// Whether the entries of the block mapping `m` are separated by blank lines.
pub(super) fn blank_separated(text: &str, m: &Node) -> bool {
    let Some(entries) = m.as_map() else {
        return false;
    };
    if is_flow(text, m) {
        return false;
    }
    entries.windows(2).any(|pair| {
        let Some(end) = entry_end(text, &pair[0].0, &pair[0].1) else {
            return false;
        };
        let from = line_end(text, end);
        let to = line_start(text, pair[1].0.span.start);
        from < to && text[from..to].lines().any(|l| l.trim().is_empty())
    })
}
