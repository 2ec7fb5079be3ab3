//! The rules: one file per rule, named after its slug, each a pure function
//! from the [`Project`] model to findings. [`registry::RULES`] lists them all,
//! in the order of the one registry list (the `rules!` invocation below).
//!
//! # Adding a rule
//!
//! 1. Write `src/rules/<slug_with_underscores>.rs` with `declare_rule!`: the
//!    doc comment (`## What it does`, `## Why is this bad`, `## Example`,
//!    `## Fix`, `## Roadmap reference`, in this order) and the metadata —
//!    `slug`, `severity` (and `shown_severity` when findings can have another
//!    one), the plain-text `summary`, the Markdown `what` for the README
//!    table when it differs from `summary`, the short `roadmap_id` (`F3`,
//!    `A4-1`, `—`; an `F…` id puts the rule in the README's first table),
//!    `fixable`, `preview` — and the `check` function.
//! 2. Add one line `<module> => <STATIC>,` to the `rules!` invocation
//!    below: it declares the module and adds the rule to
//!    [`registry::RULES`] at that place (the order of every output).
//! 3. Add the fixtures, `tests/fixtures/<slug>/fires/<variant>/` (small
//!    repositories the rule reports) and `tests/fixtures/<slug>/clean/<variant>/`
//!    (near misses it must not report); `tests/rules.rs` makes a test for
//!    every rule of the registry and fails naming the missing folder.
//! 4. Run `cargo test --test rules <module>` and review the two new snapshots
//!    (`tests/snapshots/rules__<slug>-fires.snap` and `-fix.snap`, written as
//!    `.snap.new`: `cargo insta review`, or rerun with `INSTA_UPDATE=always`
//!    and read the diff).
//! 5. Regenerate the README's rule tables: paste the output of
//!    `cargo run -- rules --format markdown` between the `<!-- rules:begin`
//!    and `<!-- rules:end -->` markers of `README.md` (or run
//!    `DOCKPREP_UPDATE_README=1 cargo test --test readme`); `tests/readme.rs`
//!    fails while they differ.

mod common;
pub mod fixes;
pub mod registry;
pub mod suppress;

/// The registry: declares each rule's module and lists its static in
/// [`RULES`] (re-exported as [`registry::RULES`]), in the order given. It
/// also defines `dockprep::for_each_rule!(callback)`, which calls the macro
/// `callback!` with the same `module => STATIC` list (the tests make one
/// test per rule with it).
macro_rules! rules {
    ($($module:ident => $rule:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every rule, in registry order: the order of `dockprep rules`,
        /// of the audit's rules and of the README's tables.
        pub static RULES: &[&Rule] = &[$(&$module::$rule),*];

        /// Calls `$callback! { module => STATIC, … }` with every rule of the
        /// registry, in its order (`STATIC` is `dockprep::rules::module::STATIC`).
        #[macro_export]
        #[doc(hidden)]
        macro_rules! for_each_rule {
            ($callback:ident) => {
                $callback! { $($module => $rule),* }
            };
        }
    };
}

rules! {
    lockfile_ignored => LOCKFILE_IGNORED,
    frozen_lockfile_without_lockfile => FROZEN_LOCKFILE_WITHOUT_LOCKFILE,
    workspace_outside_context => WORKSPACE_OUTSIDE_CONTEXT,
    docker_lockfile_stale => DOCKER_LOCKFILE_STALE,
    docker_lockfile_unused => DOCKER_LOCKFILE_UNUSED,
    npmrc_missing_scope_registry => NPMRC_MISSING_SCOPE_REGISTRY,
    npmrc_localhost_registry => NPMRC_LOCALHOST_REGISTRY,
    registry_path_missing => REGISTRY_PATH_MISSING,
    unused_build_arg => UNUSED_BUILD_ARG,
    compose_build_wiring => COMPOSE_BUILD_WIRING,
    docker_deps_copy_unconditional => DOCKER_DEPS_COPY_UNCONDITIONAL,
    pnpm_global_install => PNPM_GLOBAL_INSTALL,
    pnpm_version_mismatch => PNPM_VERSION_MISMATCH,
    store_cache_mount_missing => STORE_CACHE_MOUNT_MISSING,
    cache_mount_wrong_target => CACHE_MOUNT_WRONG_TARGET,
    deps_layer_invalidated => DEPS_LAYER_INVALIDATED,
    dockerignore_missing_entries => DOCKERIGNORE_MISSING_ENTRIES,
    arg_invalidates_deps => ARG_INVALIDATES_DEPS,
    docker_deps_ignored => DOCKER_DEPS_IGNORED,
    gitignore_missing_prep_artifacts => GITIGNORE_MISSING_PREP_ARTIFACTS,
    tls_verification_disabled => TLS_VERIFICATION_DISABLED,
    secret_in_arg_or_env => SECRET_IN_ARG_OR_ENV,
    host_gateway_missing => HOST_GATEWAY_MISSING,
    rewritten_manifest => REWRITTEN_MANIFEST,
    syntax_directive_missing => SYNTAX_DIRECTIVE_MISSING,
    ci_dockerfile_mismatch => CI_DOCKERFILE_MISMATCH,
    unused_ignore => UNUSED_IGNORE,
}

use crate::project::{FileId, Project};
use crate::syntax::Span;

pub use crate::diagnostics::{Finding, Label, Severity};

/// A rule: its identity, documentation and check.
pub struct Rule {
    pub slug: &'static str,
    pub severity: Severity,
    /// The severity as the README's rule table shows it, when findings can
    /// have another one than [`Rule::severity`] (`high/medium`,
    /// ``medium (high for `.env`)``); it starts with the default severity.
    pub shown_severity: Option<&'static str>,
    /// One line, plain text (terminal, SARIF).
    pub summary: &'static str,
    /// The README table's `what` column: the summary in Markdown (code in
    /// backticks); `summary` unless the rule file gives one.
    pub what: &'static str,
    /// The roadmap item the rule implements as the README table's `roadmap`
    /// column shows it (`F1`, `A5-3, A6-3`, `A3 (option 2)`; `—` for none).
    /// [`Rule::roadmap`] is the full reference.
    pub roadmap_id: &'static str,
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

    /// The rule implements a finding of the roadmap's §0 table (F1–F10):
    /// its [`Rule::roadmap_id`] is `F<number>`. These rules make the README's
    /// first rule table.
    pub fn is_roadmap_finding(&self) -> bool {
        self.roadmap_id
            .strip_prefix('F')
            .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
    }

    /// The severity as the README's rule table shows it.
    pub fn shown_severity(&self) -> &'static str {
        self.shown_severity.unwrap_or(self.severity.as_str())
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
    pub(crate) fn doc_section(&self, heading: &str) -> Option<String> {
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
/// The fields come in this order; `shown_severity`, `what`, `fixable` and
/// `preview` are optional.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $name:ident = {
            slug: $slug:literal,
            severity: $sev:ident,
            $(shown_severity: $shown:literal,)?
            summary: $summary:literal,
            $(what: $what:literal,)?
            roadmap_id: $roadmap_id:literal,
            $(fixable: $fixable:literal,)?
            $(preview: $preview:literal,)?
            check: $check:path $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $name: $crate::rules::Rule = $crate::rules::Rule {
            slug: $slug,
            severity: $crate::diagnostics::Severity::$sev,
            shown_severity: $crate::rules::declare_rule!(@some $($shown)?),
            summary: $summary,
            what: $crate::rules::declare_rule!(@first $($what,)? $summary),
            roadmap_id: $roadmap_id,
            doc: concat!($($doc, "\n"),*),
            fixable: false $(|| $fixable)?,
            preview: false $(|| $preview)?,
            check: $check,
        };
    };
    (@some) => { None };
    (@some $x:literal) => { Some($x) };
    (@first $x:literal $(, $rest:literal)*) => { $x };
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

/// From this many files read, rules run in parallel.
const PARALLEL_FILES: usize = 500;

/// [`run`], telling how the command line chose the rules.
pub fn run_with(project: &Project, rules: &[&Rule], cli: suppress::Cli) -> Vec<Finding> {
    use rayon::prelude::*;
    // Rules are pure functions of the model: on a large model they run side
    // by side, the results concatenated in the order of `rules` (rayon keeps
    // it). On a small one, starting the thread pool costs more than it saves.
    let check = |r: &&Rule| {
        let mut out = Vec::new();
        (r.check)(project, r, &mut out);
        out
    };
    let per_rule: Vec<Vec<Finding>> = if project.sources.len() >= PARALLEL_FILES {
        rules.par_iter().map(check).collect()
    } else {
        rules.iter().map(check).collect()
    };
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

    /// The README table's columns agree with the rest of the rule: the shown
    /// severity starts with the default one, each roadmap id of
    /// `roadmap_id` is in the `## Roadmap reference` section, the texts are
    /// one line.
    #[test]
    fn every_rule_has_consistent_table_metadata() {
        for r in super::registry::RULES {
            assert!(
                r.shown_severity().starts_with(r.severity.as_str()),
                "{}: shown_severity `{}` does not start with `{}`",
                r.slug,
                r.shown_severity(),
                r.severity.as_str()
            );
            assert!(!r.roadmap_id.is_empty(), "{}: empty roadmap_id", r.slug);
            if r.roadmap_id != "—" {
                for id in r.roadmap_id.split(", ") {
                    let id = id.split(' ').next().unwrap_or(id);
                    assert!(
                        r.roadmap().contains(id),
                        "{}: roadmap_id `{id}` is not in the roadmap reference `{}`",
                        r.slug,
                        r.roadmap()
                    );
                }
            }
            for text in [r.summary, r.what, r.roadmap_id, r.shown_severity()] {
                assert!(
                    !text.is_empty() && !text.contains('\n'),
                    "{}: `{text}` must be one line",
                    r.slug
                );
            }
        }
    }
}
