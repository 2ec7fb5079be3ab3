//! Byte spans and their line/column positions.

use std::ops::Range;

/// A byte range into one file's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub const fn empty(at: usize) -> Self {
        Span { start: at, end: at }
    }
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The span shifted right by `offset` bytes.
    pub fn offset(self, offset: usize) -> Span {
        Span::new(self.start + offset, self.end + offset)
    }
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
    /// Smallest span covering both.
    pub(crate) fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

/// A value with the span it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// A 1-based line and 1-based column (counted in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Maps byte offsets of one text to lines and columns.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(text.as_bytes()));
        LineIndex { line_starts }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line.checked_sub(1)?).copied()
    }

    /// The text of the 1-based `line`, without its line terminator.
    pub(crate) fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let Some(start) = self.line_start(line) else {
            return "";
        };
        let end = self.line_start(line + 1).unwrap_or(text.len());
        let start = floor_char_boundary(text, start.min(text.len()));
        let end = floor_char_boundary(text, end.min(text.len())).max(start);
        text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// Position of byte `offset` (clamped to the text).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line].min(offset);
        let column = text[start..offset].chars().count() + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// Position of byte `offset` with the column counted in UTF-16 code units
    /// (1-based), as SARIF and LSP count them by default.
    pub(crate) fn position_utf16(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line].min(offset);
        Position {
            line: line + 1,
            column: text[start..offset].encode_utf16().count() + 1,
        }
    }

    /// Byte offset of a 1-based line and 1-based character column.
    pub fn offset(&self, text: &str, line: usize, column: usize) -> usize {
        let Some(start) = self.line_start(line) else {
            return text.len();
        };
        let rest = &text[start.min(text.len())..];
        let mut off = start;
        for (n, (i, c)) in rest.char_indices().enumerate() {
            if n + 1 == column || c == '\n' {
                return start + i;
            }
            off = start + i + c.len_utf8();
        }
        off
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
}

/// The largest char boundary at or below `i`.
pub(crate) fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Converts character indexes (as YAML parsers report them) to byte offsets.
#[derive(Clone, Debug)]
pub(crate) struct CharIndex {
    /// Byte offset of every char, present only when the text is not ASCII.
    offsets: Option<Vec<usize>>,
    len: usize,
}

impl CharIndex {
    pub fn new(text: &str) -> Self {
        let offsets = if text.is_ascii() {
            None
        } else {
            Some(text.char_indices().map(|(i, _)| i).collect())
        };
        CharIndex {
            offsets,
            len: text.len(),
        }
    }
    pub fn byte(&self, char_index: usize) -> usize {
        match &self.offsets {
            None => char_index.min(self.len),
            Some(v) => v.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let t = "ab\ncdé\nx";
        let li = LineIndex::new(t);
        assert_eq!(li.position(t, 0), Position { line: 1, column: 1 });
        assert_eq!(li.position(t, 4), Position { line: 2, column: 2 });
        assert_eq!(li.position(t, 7), Position { line: 2, column: 4 });
        assert_eq!(li.position(t, 8), Position { line: 3, column: 1 });
        assert_eq!(li.line_text(t, 2), "cdé");
        assert_eq!(li.offset(t, 2, 2), 4);
        assert_eq!(li.position(t, 100), Position { line: 3, column: 2 });
    }

    #[test]
    fn utf16_columns_count_code_units() {
        // `é` is one UTF-16 unit, `𝄞` (outside the BMP) two; both are one char.
        let t = "aé𝄞b\nx";
        let li = LineIndex::new(t);
        let b = t.find('b').unwrap();
        assert_eq!(li.position(t, b), Position { line: 1, column: 4 });
        assert_eq!(li.position_utf16(t, b), Position { line: 1, column: 5 });
        assert_eq!(
            li.position_utf16(t, t.len()),
            Position { line: 2, column: 2 }
        );
        assert_eq!(li.position_utf16(t, 0), Position { line: 1, column: 1 });
    }

    #[test]
    fn char_index_maps_to_bytes() {
        let ci = CharIndex::new("é=1");
        assert_eq!(ci.byte(1), 2);
        assert_eq!(ci.byte(9), 4);
    }
}
