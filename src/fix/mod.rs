//! The fix engine ([`engine`]): applies the rules' fixes (edits plus an
//! applicability, see `crate::diagnostics`) in rounds over an overlay of
//! the files, re-parsing and re-auditing until nothing changes, then writes
//! every changed file or none.

pub mod engine;
