//! Fixture tests for the rules.
//!
//! The tests come from the registry (`dockprep::for_each_rule!`): one per
//! rule, named after its module; a registered rule without fixtures fails
//! naming the missing folder.
//!
//! Every rule has two fixture trees under `tests/fixtures/<slug>/`: `fires/`
//! holds small repositories (one per subdirectory) that the rule must report,
//! `clean/` holds near misses it must not report. The rendered findings of
//! `fires/` are snapshotted in `tests/snapshots/`.
//!
//! `tests/fixtures/<slug>/regressions/` holds cases the rule gets wrong today;
//! their tests are ignored until the rule is fixed (`cargo test --test rules --
//! --ignored` runs them).

use std::path::{Path, PathBuf};

use dockprep::fix::engine::{self, FixOptions};
use dockprep::project::{self, Options, Project};
use dockprep::rules::{self, registry, Finding, Rule};

/// Relative to the crate root, where cargo runs the tests: paths in the
/// snapshots stay the same on every machine.
const FIXTURES: &str = "tests/fixtures";

/// Fixture directories that belong to no rule: `pnpm-lock/` holds real pnpm
/// lockfiles for the lockfile reader and writer.
const NOT_RULES: [&str; 1] = ["pnpm-lock"];

/// The sections every rule's documentation has, in this order.
const HEADINGS: [&str; 5] = [
    "## What it does",
    "## Why is this bad",
    "## Example",
    "## Fix",
    "## Roadmap reference",
];

fn rule(slug: &str) -> &'static Rule {
    registry::get(slug).unwrap_or_else(|| panic!("no rule `{slug}` in the registry"))
}

fn fixture(slug: &str, kind: &str) -> PathBuf {
    Path::new(FIXTURES).join(slug).join(kind)
}

/// Loads `path` as the CLI does with `--private-scope @acme` and runs `rule` alone.
fn audit(path: &Path, rule: &'static Rule) -> (Project, Vec<Finding>) {
    let opts = Options {
        private_scopes: vec!["@acme".into()],
        host_args: vec![],
        ..dockprep::audit::options()
    };
    let project = project::load(&[path.to_path_buf()], &opts)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        project.errors.is_empty(),
        "{}: the fixture has unreadable or unparsable files: {:#?}",
        path.display(),
        project.errors
    );
    let findings = rules::run(&project, &[rule]);
    assert!(
        findings.iter().all(|f| f.rule == rule.slug),
        "findings of another rule than `{}`",
        rule.slug
    );
    (project, findings)
}

fn render(project: &Project, findings: &[Finding]) -> String {
    dockprep::report::human::render(project, findings, false)
}

/// True when `dir` or a directory below it holds a Dockerfile.
fn has_dockerfile(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        match e.file_type() {
            Ok(t) if t.is_dir() => has_dockerfile(&e.path()),
            Ok(_) => project::is_dockerfile_name(&name),
            Err(_) => false,
        }
    })
}

/// The subdirectories of `dir` (the variants of a fixture), sorted.
fn variants(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

/// `fires/` yields findings (at least one in every variant that has a
/// Dockerfile, so no variant silently stops firing), `clean/` yields none,
/// and the rendered `fires/` findings match the snapshot.
fn check_rule(slug: &str) {
    let rule = rule(slug);
    for kind in ["fires", "clean"] {
        let dir = fixture(slug, kind);
        assert!(
            dir.is_dir(),
            "rule `{slug}` has no fixture folder {}: add one small repository per \
             subdirectory ({}/<variant>/)",
            dir.display(),
            dir.display()
        );
    }

    let fires = fixture(slug, "fires");
    let (project, findings) = audit(&fires, rule);
    let text = render(&project, &findings);
    assert!(
        !findings.is_empty(),
        "`{slug}` reports nothing in {}:\n{text}",
        fires.display()
    );
    for variant in variants(&fires).into_iter().filter(|v| has_dockerfile(v)) {
        assert!(
            findings.iter().any(|f| project
                .sources
                .get(f.primary.file)
                .path
                .starts_with(&variant)),
            "`{slug}` reports nothing in the variant {}:\n{text}",
            variant.display()
        );
    }

    let clean = fixture(slug, "clean");
    let (clean_project, clean_findings) = audit(&clean, rule);
    assert!(
        clean_findings.is_empty(),
        "`{slug}` reports near misses in {}:\n{}",
        clean.display(),
        render(&clean_project, &clean_findings)
    );

    insta::assert_snapshot!(format!("{slug}-fires"), text);

    // The rule's fixes on its fixture, as a diff; afterwards none of its
    // fixable findings is left, and a second run changes nothing.
    let fires = fixture(slug, "fires");
    let opts = Options {
        private_scopes: vec!["@acme".into()],
        ..dockprep::audit::options()
    };
    let fo = FixOptions {
        include_unsafe: true,
        ..Default::default()
    };
    let out = engine::run(std::slice::from_ref(&fires), &opts, &[rule], &fo)
        .unwrap_or_else(|e| panic!("{slug}: {e}"));
    assert!(
        out.remaining.iter().all(|f| f.fix.is_none()),
        "{slug}: fixable findings left after fixing: {:?}",
        out.remaining
            .iter()
            .filter(|f| f.fix.is_some())
            .map(|f| &f.message)
            .collect::<Vec<_>>()
    );
    insta::assert_snapshot!(format!("{slug}-fix"), engine::diff(&out.changes));
}

/// One test per rule of the registry, named after its module
/// (`cargo test --test rules lockfile_ignored`).
macro_rules! rule_tests {
    ($($module:ident => $rule:ident),* $(,)?) => {
        $(
            #[test]
            fn $module() {
                check_rule(dockprep::rules::$module::$rule.slug);
            }
        )*

        /// The rules that have a test case above.
        static TESTED: &[&Rule] = &[$(&dockprep::rules::$module::$rule),*];
    };
}

dockprep::for_each_rule!(rule_tests);

#[test]
fn every_rule_has_fixtures_a_test_and_documentation() {
    for r in registry::RULES {
        for kind in ["fires", "clean"] {
            let dir = fixture(r.slug, kind);
            assert!(
                dir.is_dir(),
                "rule `{}` has no fixture directory {}",
                r.slug,
                dir.display()
            );
        }
        assert!(
            TESTED.iter().any(|t| t.slug == r.slug),
            "rule `{}` has no test case in tests/rules.rs",
            r.slug
        );
        let lines: Vec<&str> = r.doc.lines().map(str::trim).collect();
        let mut last = None;
        for h in HEADINGS {
            let at = lines.iter().position(|l| *l == h);
            assert!(
                at.is_some(),
                "the documentation of `{}` has no `{h}` heading:\n{}",
                r.slug,
                r.doc
            );
            assert!(
                at > last,
                "in the documentation of `{}`, `{h}` is out of order",
                r.slug
            );
            last = at;
        }
    }
    for slug in TESTED.iter().map(|r| r.slug) {
        assert!(
            registry::get(slug).is_some(),
            "tests/rules.rs tests `{slug}`, which is not in the registry"
        );
    }
    for dir in variants(Path::new(FIXTURES)) {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if NOT_RULES.contains(&name.as_str()) {
            continue;
        }
        assert!(
            registry::get(&name).is_some(),
            "{} is not named after a rule",
            dir.display()
        );
    }
    for name in NOT_RULES {
        assert!(registry::get(name).is_none(), "`{name}` is a rule");
        assert!(
            Path::new(FIXTURES).join(name).is_dir(),
            "{FIXTURES}/{name} is gone: drop it from NOT_RULES"
        );
    }
}

/// Runs `slug` on `tests/fixtures/<slug>/<dir>` and expects `expected` findings.
fn expect_findings(slug: &str, dir: &str, expected: usize) {
    let path = Path::new(FIXTURES).join(slug).join(dir);
    let (project, findings) = audit(&path, rule(slug));
    assert_eq!(
        findings.len(),
        expected,
        "{}:\n{}",
        path.display(),
        render(&project, &findings)
    );
}

#[test]
fn regression_npmrc_missing_scope_registry_reports_every_scope() {
    // `@acme` and `@platform` both lack a registry line: one finding on the
    // file naming both.
    let path = Path::new(FIXTURES).join("npmrc-missing-scope-registry/fires/two-scopes");
    let (project, findings) = audit(&path, rule("npmrc-missing-scope-registry"));
    assert_eq!(findings.len(), 1, "{}", render(&project, &findings));
    assert!(findings[0].message.contains("@acme") && findings[0].message.contains("@platform"));
    assert_eq!(findings[0].secondary.len(), 2);
}

#[test]
fn regression_npmrc_localhost_registry_dockerignored_npmrc() {
    expect_findings(
        "npmrc-localhost-registry",
        "regressions/dockerignored-npmrc",
        0,
    );
}

#[test]
fn regression_registry_path_missing_global_arg_only() {
    expect_findings("registry-path-missing", "regressions/global-arg-only", 1);
}

#[test]
fn regression_unused_build_arg_global_arg_named_by_npmrc() {
    expect_findings(
        "unused-build-arg",
        "regressions/global-arg-named-by-npmrc",
        1,
    );
}

#[test]
fn regression_unused_build_arg_same_instruction_braces() {
    expect_findings("unused-build-arg", "regressions/same-instruction-braces", 0);
}

#[test]
fn regression_compose_build_wiring_long_syntax_secret_target() {
    expect_findings(
        "compose-build-wiring",
        "regressions/long-syntax-secret-target",
        0,
    );
}

#[test]
fn regression_store_cache_mount_missing_store_dir_variable() {
    expect_findings(
        "store-cache-mount-missing",
        "regressions/store-dir-variable",
        0,
    );
}

#[test]
fn regression_lockfile_ignored_wildcard_pattern() {
    expect_findings("lockfile-ignored", "regressions/wildcard-pattern", 1);
}

/// Any set of rules' fixes, applied together on every fixture, leaves every
/// file parsable (the engine re-parses each fixed file and fails otherwise).
#[test]
fn fixes_in_any_combination_keep_files_parsable() {
    use proptest::prelude::*;
    let dirs: Vec<PathBuf> = registry::RULES
        .iter()
        .flat_map(|r| ["fires", "clean", "regressions"].map(|k| fixture(r.slug, k)))
        .filter(|d| d.is_dir())
        .collect();
    let n = registry::RULES.len();
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 24,
        ..Default::default()
    });
    runner
        .run(
            &(proptest::collection::vec(any::<bool>(), n), 0..dirs.len()),
            |(mask, d)| {
                let rules: Vec<&'static Rule> = registry::RULES
                    .iter()
                    .copied()
                    .zip(&mask)
                    .filter(|(_, m)| **m)
                    .map(|(r, _)| r)
                    .collect();
                let opts = Options {
                    private_scopes: vec!["@acme".into()],
                    ..dockprep::audit::options()
                };
                let fo = FixOptions {
                    include_unsafe: true,
                    ..Default::default()
                };
                let out = engine::run(&[dirs[d].clone()], &opts, &rules, &fo);
                prop_assert!(
                    out.is_ok(),
                    "{}: {:?}",
                    dirs[d].display(),
                    out.err().map(|e| e.to_string())
                );
                Ok(())
            },
        )
        .unwrap();
}
