use std::collections::BTreeSet;

use super::common::rel;
use super::{declare_rule, Finding, Rule};
use crate::project::Project;
use crate::syntax::prep_rewrites::scan_manifest;
use crate::syntax::Span;

declare_rule! {
    /// ## What it does
    /// Reports what a tarball prep (`docker-prep.sh` or `dockprep prep`) leaves
    /// behind when it was not restored:
    /// - a `package.json` holding a `file:…/.docker-deps/…` specifier, in a
    ///   dependency table or in `pnpm.overrides` (found textually, as the
    ///   pre-commit guard does), one finding per specifier;
    /// - a `package.json.bak` backup anywhere in the repository (outside
    ///   `node_modules` and `.docker-deps`).
    ///
    /// Manifests are those the audit reads: repository roots, workspace
    /// members, and those the Dockerfiles copy.
    ///
    /// ## Why is this bad
    /// A rewritten manifest builds only where the tarballs exist: committed, it
    /// breaks every registry build, CI and every other checkout, and the
    /// original ranges are lost. A leftover backup means the restore did not
    /// run, and makes the next prep refuse to start.
    ///
    /// ## Example
    /// ```json
    /// "dependencies": {
    ///   "@acme/config": "file:../.docker-deps/acme-config-1.2.0.tgz"
    /// }
    /// ```
    ///
    /// ## Fix
    /// Run `dockprep restore` (or `scripts/docker-prep.sh --restore`), which
    /// puts `package.json.bak` back; install the pre-commit guard (`dockprep
    /// guard`) so a rewritten manifest cannot be committed.
    ///
    /// ## Roadmap reference
    /// B4 (and B2, C3, C4).
    pub static REWRITTEN_MANIFEST = {
        slug: "rewritten-manifest",
        severity: High,
        summary: "a package.json rewritten to file:…/.docker-deps/ tarballs, or a leftover package.json.bak",
        what: "a `package.json` with `file:…/.docker-deps/` references, or a prep backup",
        roadmap_id: "B4",
        check: check,
    };
}

/// The restore command to suggest for repository `repo`.
fn restore(p: &Project, repo: Option<usize>) -> &'static str {
    match repo {
        Some(r)
            if p.tree
                .has_file(&p.repos[r].root.join("scripts/docker-prep.sh")) =>
        {
            "run `dockprep restore` (or `scripts/docker-prep.sh --restore`)"
        }
        _ => "run `dockprep restore`",
    }
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    let mut seen = BTreeSet::new();
    for m in &p.manifests {
        if !seen.insert(m.file) {
            continue;
        }
        let file = p.sources.get(m.file);
        let text = &file.text;
        let refs = scan_manifest(text.as_bytes());
        if refs.is_empty() {
            continue;
        }
        let repo = p.repo_of(&m.path);
        let shown = repo.map_or_else(
            || crate::paths::slash(&m.path),
            |r| rel(&m.path, &p.repos[r].root),
        );
        for r in refs {
            let at = file.lines.offset(text, r.line, r.column);
            let end = if r.specifier.ends_with('…') {
                text[at..].find(['"', '\n']).map_or(text.len(), |e| at + e)
            } else {
                (at + r.specifier.len()).min(text.len())
            };
            out.push(rule.finding(
                m.file,
                Span::new(at, end),
                "rewritten by prep",
                format!(
                    "`{shown}` holds the prep rewrite `{}`: it installs only where the `.docker-deps` tarballs exist and must not be committed; {}",
                    r.specifier,
                    restore(p, repo)
                ),
            ));
        }
    }
    for (ri, r) in p.repos.iter().enumerate() {
        for &b in &r.backups {
            let f = p.sources.get(b);
            let first = Span::new(0, f.text.find('\n').unwrap_or(f.text.len()));
            out.push(rule.finding(
                b,
                first,
                "prep backup left behind",
                format!(
                    "`{}` is a prep backup: the manifest beside it is (or was) rewritten and was not restored; {}, or delete the backup if the manifest is already restored",
                    rel(&f.path, &r.root),
                    restore(p, Some(ri))
                ),
            ));
        }
    }
}
