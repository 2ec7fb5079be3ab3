use super::{declare_rule, Finding, Rule};
use crate::project::Project;

declare_rule! {
    /// ## What it does
    /// Reports an inline ignore (`# dockprep: ignore[rule-slug]`) that
    /// suppresses nothing: the rule it names found nothing on the line below
    /// (or in the file, for an ignore at the top of a file), or it names no
    /// rule at all.
    ///
    /// ## Why is this bad
    /// A stale ignore hides the next real finding of that rule at that place,
    /// and a misspelt one hides nothing while looking as if it did.
    ///
    /// ## Example
    /// ```dockerfile
    /// # dockprep: ignore[pnpm-global-install]
    /// RUN corepack enable
    /// ```
    ///
    /// ## Fix
    /// Delete the ignore, or correct the slug (`dockprep rules` lists them).
    ///
    /// ## Roadmap reference
    /// None: keeps the audit's suppressions honest.
    pub static UNUSED_IGNORE = {
        slug: "unused-ignore",
        severity: Low,
        summary: "an inline ignore that suppresses nothing",
        roadmap_id: "—",
        check: check,
    };
}

/// The findings come from [`super::suppress::settle`], which sees every
/// other rule's findings first.
fn check(_project: &Project, _rule: &Rule, _out: &mut Vec<Finding>) {}
