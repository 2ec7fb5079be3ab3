//! Fix builders several rules share: pure functions from the model (or a
//! file's text) to [`Edit`](crate::diagnostics::Edit)s. The fix engine
//! (one layer up) applies what they build; it never builds edits itself.

pub mod compose_wiring;
pub mod npmrc_template;
