//! Fixes: an [`Edit`] is a byte range plus replacement text; a [`Fix`] is
//! edits plus an [`Applicability`]. Fixes are applied in rounds by
//! [`apply`]: non-overlapping edits, re-parse, re-audit, until nothing changes.

pub mod engine;

pub use crate::diagnostics::{
    apply_edits, line_ending, line_range, merge_inserts, Applicability, Edit, Fix,
};

/// Kept for callers of the old paths: the builders live with the rules.
pub use crate::rules::fixes::{compose_wiring, npmrc_template};
