//! Text edits: an [`Edit`] is a byte range plus replacement text; a [`Fix`]
//! is edits plus an [`Applicability`] (safe, or unsafe when it may change
//! meaning).

use serde::Serialize;

pub use crate::syntax::edit::{apply_edits, line_ending, line_range, merge_inserts, Edit};

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
