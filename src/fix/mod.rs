//! The fix engine ([`engine`]): applies the rules' fixes (edits plus an
//! applicability, see `crate::diagnostics`) in rounds over an overlay of
//! the files, re-parsing and re-auditing until nothing changes; the writer
//! ([`writer`]) then writes every changed file or none, never outside its
//! repository.

pub mod engine;
pub mod writer;
