//! The rules: one file per rule, named after its slug, each a pure function
//! from the [`Project`] model to findings. [`registry::RULES`] lists them all.

mod common;
pub mod fixes;
pub mod registry;

pub mod arg_invalidates_deps;
pub mod cache_mount_wrong_target;
pub mod ci_dockerfile_mismatch;
pub mod compose_build_wiring;
pub mod deps_layer_invalidated;
pub mod docker_deps_copy_unconditional;
pub mod docker_deps_ignored;
pub mod docker_lockfile_stale;
pub mod docker_lockfile_unused;
pub mod dockerignore_missing_entries;
pub mod frozen_lockfile_without_lockfile;
pub mod gitignore_missing_prep_artifacts;
pub mod host_gateway_missing;
pub mod lockfile_ignored;
pub mod npmrc_localhost_registry;
pub mod npmrc_missing_scope_registry;
pub mod pnpm_global_install;
pub mod pnpm_version_mismatch;
pub mod registry_path_missing;
pub mod rewritten_manifest;
pub mod secret_in_arg_or_env;
pub mod store_cache_mount_missing;
pub mod suppress;
pub mod syntax_directive_missing;
pub mod tls_verification_disabled;
pub mod unused_build_arg;
pub mod unused_ignore;
pub mod workspace_outside_context;

use crate::project::{FileId, Project};
use crate::syntax::Span;

pub use crate::diagnostics::{Finding, Label, Severity};

/// A rule: its identity, documentation and check.
pub struct Rule {
    pub slug: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// The rule file's doc comment: What it does / Why is this bad / Example / Fix / Roadmap reference.
    pub doc: &'static str,
    /// The rule attaches a fix (`dockprep fix`) where it can.
    pub fixable: bool,
    /// A preview rule runs only when selected by name or with `--preview`
    /// (and always in `dockprep fix`, for its fix).
    pub preview: bool,
    pub check: fn(&Project, &Rule, &mut Vec<Finding>),
}

impl Rule {
    /// The roadmap items the rule implements (the first line of its
    /// `## Roadmap reference` section, e.g. `F6.` or `A4-1.`).
    pub fn roadmap(&self) -> &'static str {
        let mut lines = self.doc.lines().map(str::trim);
        lines
            .by_ref()
            .find(|l| *l == "## Roadmap reference")
            .and(lines.find(|l| !l.is_empty()))
            .unwrap_or("")
    }

    /// A finding of this rule at its default severity.
    pub fn finding(
        &self,
        file: FileId,
        span: Span,
        label: impl Into<String>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule: self.slug,
            severity: self.severity,
            message: message.into(),
            primary: Label::new(file, span, label),
            secondary: Vec::new(),
            fixable: false,
            fix: None,
        }
    }
}

impl Rule {
    /// The documentation as Markdown (the doc comment without its leading space).
    pub fn doc_markdown(&self) -> String {
        let lines: Vec<&str> = self
            .doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect();
        lines.join("\n").trim().to_string()
    }

    /// The body of one `## heading` section of the documentation, trimmed.
    pub fn doc_section(&self, heading: &str) -> Option<String> {
        let md = self.doc_markdown();
        let mut body: Option<Vec<&str>> = None;
        for line in md.lines() {
            if let Some(h) = line.strip_prefix("## ") {
                if body.is_some() {
                    break;
                }
                if h.trim().eq_ignore_ascii_case(heading) {
                    body = Some(Vec::new());
                }
            } else if let Some(b) = body.as_mut() {
                b.push(line);
            }
        }
        body.map(|b| b.join("\n").trim().to_string())
            .filter(|s| !s.is_empty())
    }
}

/// Declares a rule's static with its doc comment captured as [`Rule::doc`].
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* pub static $name:ident = { slug: $slug:literal, severity: $sev:ident, summary: $summary:literal, $(fixable: $fixable:literal,)? $(preview: $preview:literal,)? check: $check:path $(,)? };) => {
        $(#[doc = $doc])*
        pub static $name: $crate::rules::Rule = $crate::rules::Rule {
            slug: $slug,
            severity: $crate::rules::Severity::$sev,
            summary: $summary,
            doc: concat!($($doc, "\n"),*),
            fixable: false $(|| $fixable)?,
            preview: false $(|| $preview)?,
            check: $check,
        };
    };
}
pub(crate) use declare_rule;

/// Runs `rules` over the project, then applies each repository's
/// configuration and the inline ignores ([`suppress::settle`]). Findings at
/// the same place from the same rule are reported once; the result is sorted
/// by path, position and rule.
pub fn run(project: &Project, rules: &[&Rule]) -> Vec<Finding> {
    // The caller chose the rules: preview ones included.
    let cli = suppress::Cli {
        selected: false,
        preview: true,
    };
    run_with(project, rules, cli)
}

/// [`run`], telling how the command line chose the rules.
pub fn run_with(project: &Project, rules: &[&Rule], cli: suppress::Cli) -> Vec<Finding> {
    use rayon::prelude::*;
    // Rules are pure functions of the model: run them side by side; the
    // results are concatenated in the order of `rules` (rayon keeps it).
    let per_rule: Vec<Vec<Finding>> = rules
        .par_iter()
        .map(|r| {
            let mut out = Vec::new();
            (r.check)(project, r, &mut out);
            out
        })
        .collect();
    let mut all: Vec<Finding> = per_rule.into_iter().flatten().collect();
    let mut seen = std::collections::HashSet::new();
    all.retain(|f| seen.insert((f.rule, f.primary.file, f.primary.span)));
    let mut all = suppress::settle(project, rules, all, cli);
    all.sort_by(|a, b| {
        let pa = &project.sources.get(a.primary.file).path;
        let pb = &project.sources.get(b.primary.file).path;
        (pa, a.primary.span.start, a.rule).cmp(&(pb, b.primary.span.start, b.rule))
    });
    all
}

#[cfg(test)]
mod doc_tests {
    #[test]
    fn every_rule_doc_has_the_sections() {
        for r in super::registry::RULES {
            for h in [
                "What it does",
                "Why is this bad",
                "Example",
                "Fix",
                "Roadmap reference",
            ] {
                assert!(r.doc_section(h).is_some(), "{}: {h}", r.slug);
            }
            assert!(
                r.doc_markdown().starts_with("## What it does"),
                "{}",
                r.slug
            );
        }
    }
}
