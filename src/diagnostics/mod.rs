//! The vocabulary every layer shares: [`Severity`], [`Label`], [`Finding`],
//! [`Edit`], [`Fix`] and [`Applicability`], and [`redact`]: what a secret
//! looks like in printed text. Imports only `syntax` (and the
//! file ids of the sources), so rules, the fix engine, features and output
//! formats all speak it without importing each other.

mod edit;
mod finding;
pub mod redact;

pub use edit::{apply_edits, line_ending, line_range, merge_inserts, Applicability, Edit, Fix};
pub use finding::{Finding, Label, Severity};

/// Index of a file in the project's sources (`project::Sources`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub usize);
