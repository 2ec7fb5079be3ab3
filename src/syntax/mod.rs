//! Pure parsers with spans. No file I/O, no printing.

pub mod compose;
pub mod dockerfile;
pub mod dockerignore;
pub mod edit;
pub mod limits;
pub mod npmrc;
pub mod package_json;
pub mod pnpm_lock;
pub mod pnpm_workspace;
pub mod prep_rewrites;
pub mod shell;
pub mod span;
pub mod yaml;
pub(crate) mod yaml_edit;

pub use span::{LineIndex, Position, Span, Spanned};

/// A file that could not be parsed, with where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub message: String,
    pub span: Span,
}

impl ParseError {
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        ParseError {
            message: message.into(),
            span,
        }
    }

    /// An error at a 1-based line and column of `text`.
    pub(crate) fn at_line_col(
        text: &str,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        let li = LineIndex::new(text);
        let at = li.offset(text, line.max(1), column.max(1));
        ParseError::new(message, Span::new(at, (at + 1).min(text.len()).max(at)))
    }
}
