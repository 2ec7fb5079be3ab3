use std::path::Path;

use super::common::rel;
use super::{declare_rule, Finding, Label, Rule};
use crate::diagnostics::{Applicability, Edit, Fix};
use crate::project::{FileId, Project};
use crate::syntax::dockerfile::Kind;
use crate::syntax::Span;

declare_rule! {
    /// ## What it does
    /// For a repository that uses the tarball fallback (a Dockerfile copies or
    /// names `.docker-deps`, `scripts/docker-prep.sh` exists, or a
    /// `package.json` holds a `file:…/.docker-deps/…` specifier), checks that
    /// its root `.gitignore` covers what prep leaves behind: the tarballs
    /// (probed as `.docker-deps/x.tgz`) and the manifest backups (probed as
    /// `package.json.bak` and `backend/package.json.bak`). Judged with git's
    /// own matching, so `.docker-deps/`, `/.docker-deps` or `.docker-deps/*`
    /// all count.
    ///
    /// ## Why is this bad
    /// Between `docker-prep.sh` and `--restore`, `git status` shows tarballs and
    /// `package.json.bak` files; one `git add -A` commits them, and a committed
    /// backup or tarball makes the next prep refuse to run or ship stale code.
    ///
    /// ## Example
    /// ```text
    /// # .gitignore
    /// node_modules/
    /// dist/
    /// ```
    ///
    /// ## Fix
    /// Append the missing lines (a safe fix; the `.gitignore` is created when
    /// there is none):
    /// ```text
    /// .docker-deps/
    /// *.bak
    /// ```
    ///
    /// ## Roadmap reference
    /// B3; A5-3.
    pub static GITIGNORE_MISSING_PREP_ARTIFACTS = {
        slug: "gitignore-missing-prep-artifacts",
        severity: Low,
        summary: "a repository using .docker-deps does not gitignore .docker-deps/ and *.bak",
        what: "prep is used but `.gitignore` misses `.docker-deps/` or `*.bak`",
        roadmap_id: "B3",
        fixable: true,
        check: check,
    };
}

/// Where the repository shows it uses prep: (file, span, label).
fn evidence(p: &Project, repo: usize) -> Vec<(FileId, Span, String)> {
    let r = &p.repos[repo];
    let mut out = Vec::new();
    for &d in &r.dockerfiles {
        let df = &p.dockerfiles[d];
        let text = p.text(df.file);
        for ins in &df.value.instructions {
            // Evidence that the repository uses prep, per Dockerfile and not
            // per image: any mention of `.docker-deps` in a source (even in a
            // variable or a path this model cannot resolve) counts, so this
            // reads the text rather than asking `project::copies` what
            // reaches an image.
            let hit = if matches!(ins.kind, Kind::Copy | Kind::Add) {
                ins.sources
                    .iter()
                    .find(|s| s.value.contains(".docker-deps"))
                    .map(|s| s.span)
            } else {
                text[ins.span.range()]
                    .find(".docker-deps")
                    .map(|i| Span::new(ins.span.start + i, ins.span.start + i + 12))
            };
            if let Some(span) = hit {
                out.push((df.file, span, "uses `.docker-deps`".to_string()));
                break;
            }
        }
    }
    for m in r.manifests.iter().map(|&m| &p.manifests[m]) {
        let text = p.text(m.file);
        if let Some(rf) = crate::syntax::prep_rewrites::scan_manifest(text.as_bytes())
            .into_iter()
            .next()
        {
            let li = &p.sources.get(m.file).lines;
            let at = li.offset(text, rf.line, rf.column);
            let end = (at + rf.specifier.len()).min(text.len());
            out.push((
                m.file,
                Span::new(at, end),
                "a prep-rewritten specifier".to_string(),
            ));
        }
    }
    out
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for (ri, r) in p.repos.iter().enumerate() {
        let script = r.root.join("scripts/docker-prep.sh");
        let ev = evidence(p, ri);
        if ev.is_empty() && !p.tree.has_file(&script) {
            continue;
        }
        let mut missing = Vec::new();
        if !p.git_ignores(ri, ".docker-deps/x.tgz", false) {
            missing.push(".docker-deps/");
        }
        if !p.git_ignores(ri, "package.json.bak", false)
            || !p.git_ignores(ri, "backend/package.json.bak", false)
        {
            missing.push("*.bak");
        }
        if missing.is_empty() {
            continue;
        }
        let list = missing
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        let why = match ev.first() {
            Some((f, _, _)) => format!(
                "`{}` uses `.docker-deps`",
                rel(&p.sources.get(*f).path, &r.root)
            ),
            None => "`scripts/docker-prep.sh` exists".to_string(),
        };
        let gi_path = r.root.join(".gitignore");
        let (file, span, label, at, nl) = match r.gitignore_file {
            Some(id) => {
                let t = p.text(id);
                (
                    id,
                    Span::new(0, t.find('\n').unwrap_or(t.len())),
                    format!("does not ignore {list}"),
                    t.len(),
                    if t.is_empty() || t.ends_with('\n') {
                        ""
                    } else {
                        "\n"
                    },
                )
            }
            None => {
                let Some((f, s, _)) = ev.first().cloned().or_else(|| anchor(p, ri)) else {
                    continue;
                };
                (
                    f,
                    s,
                    "uses `.docker-deps`; the repository has no `.gitignore`".to_string(),
                    0,
                    "",
                )
            }
        };
        let mut f = rule.finding(
            file,
            span,
            label,
            format!(
                "{why}, but {} does not ignore {list}: prep's tarballs and `package.json.bak` backups show up in `git status` and can be committed",
                if r.gitignore_file.is_some() {
                    "the root `.gitignore`"
                } else {
                    "the repository has no `.gitignore`, so git"
                }
            ),
        );
        for (ef, es, el) in ev
            .iter()
            .filter(|(ef, es, _)| (*ef, *es) != (file, span))
            .take(3)
        {
            f = f.with_label(Label::new(*ef, *es, el.clone()));
        }
        let fix = Fix::new(Applicability::Safe, format!("gitignore {list}")).edit(
            Path::new(&gi_path),
            Edit::insert(at, format!("{nl}{}\n", missing.join("\n"))),
        );
        out.push(f.with_fix(Some(fix)));
    }
}

/// A place to report at when the repository has no `.gitignore` and no
/// `.docker-deps` reference in a file we read: its root manifest, else its
/// first Dockerfile or compose file.
fn anchor(p: &Project, repo: usize) -> Option<(FileId, Span, String)> {
    let r = &p.repos[repo];
    let file = r
        .manifest
        .map(|m| p.manifests[m].file)
        .or_else(|| r.dockerfiles.first().map(|&d| p.dockerfiles[d].file))
        .or_else(|| r.composes.first().map(|&c| p.composes[c].file))?;
    let t = p.text(file);
    Some((
        file,
        Span::new(0, t.find('\n').unwrap_or(t.len())),
        String::new(),
    ))
}
