use std::path::PathBuf;

use super::common::rel;
use super::{declare_rule, Finding, Rule};
use crate::diagnostics::{line_range, Applicability, Edit, Fix};
use crate::project::install::Manager;
use crate::paths::relative_to;
use crate::project::Project;

declare_rule! {
    /// ## What it does
    /// Checks whether the `.dockerignore` in effect for an image excludes the
    /// lockfile of the context (`pnpm-lock.yaml`, or `package-lock.json` /
    /// `yarn.lock` for npm and yarn installs). The decision is made with
    /// BuildKit's own matching rules, so `*.yaml` counts and a later
    /// `!pnpm-lock.yaml` clears it.
    ///
    /// ## Why is this bad
    /// A lockfile that never reaches the build context blocks every
    /// lockfile-based optimisation: `pnpm install --frozen-lockfile`,
    /// `pnpm fetch`, and reproducible installs. The image resolves every
    /// dependency afresh on each build.
    ///
    /// ## Example
    /// ```text
    /// # .dockerignore
    /// node_modules
    /// pnpm-lock.yaml
    /// ```
    ///
    /// ## Fix
    /// Remove the lockfile pattern (or add `!pnpm-lock.yaml` after it).
    ///
    /// ## Roadmap reference
    /// F1; A0-2, A6-2.
    pub static LOCKFILE_IGNORED = {
        slug: "lockfile-ignored",
        severity: High,
        summary: "the .dockerignore in effect excludes the context's lockfile",
        what: "the `.dockerignore` in effect excludes the context's lockfile",
        roadmap_id: "F1",
        fixable: true,
        check: check,
    };
}

fn lockfile(m: Manager) -> &'static str {
    match m {
        Manager::Pnpm => "pnpm-lock.yaml",
        Manager::Npm => "package-lock.json",
        Manager::Yarn => "yarn.lock",
    }
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let Some(di) = image.dockerignore else {
            continue;
        };
        let ignore = &p.dockerignores[di];
        // Lockfiles to check, relative to the context: the root one and one beside each installed manifest.
        let mut candidates: Vec<(String, PathBuf)> = Vec::new();
        let mut managers: Vec<Manager> = image.installs.iter().map(|i| i.manager).collect();
        if managers.is_empty() && p.tree.has_file(&image.context.join("pnpm-lock.yaml")) {
            managers.push(Manager::Pnpm);
        }
        managers.dedup();
        for m in &managers {
            let name = lockfile(*m);
            candidates.push((name.to_string(), image.context.join(name)));
            for inst in image.installs.iter().filter(|i| i.manager == *m) {
                for im in &inst.manifests {
                    let dir = p.manifests[im.manifest].path.parent().map(|d| d.join(name));
                    if let Some(f) = dir.filter(|f| p.tree.has_file(f)) {
                        if let Some(r) = relative_to(&f, &image.context) {
                            candidates.push((crate::paths::slash(&r), f));
                        }
                    }
                }
            }
        }
        for (relpath, _) in candidates {
            if let Some(pat) = ignore.value.excluded_by(&relpath) {
                let text = p.text(ignore.file);
                let base = relpath.rsplit('/').next().unwrap_or(&relpath);
                // A pattern that names only the lockfile goes; a broader one gets an exception after it.
                let only_lockfile = [
                    relpath.clone(),
                    format!("**/{base}"),
                    format!("**/{relpath}"),
                ]
                .contains(&pat.cleaned);
                let (ls, le) = line_range(text, pat.span.start);
                let fix = if only_lockfile {
                    Fix::new(
                        Applicability::Safe,
                        format!("remove the `{}` exclusion", pat.raw),
                    )
                    .edit(&ignore.path, Edit::delete(ls, le))
                } else {
                    let nl = if text[..le].ends_with('\n') { "" } else { "\n" };
                    Fix::new(
                        Applicability::Safe,
                        format!("re-include `{relpath}` after `{}`", pat.raw),
                    )
                    .edit(&ignore.path, Edit::insert(le, format!("{nl}!{relpath}\n")))
                };
                out.push(
                    rule.finding(
                        ignore.file,
                        pat.span.clone().into(),
                        format!("excludes `{relpath}`"),
                        format!(
                            "`{}` excludes the lockfile `{relpath}` from the build context `{}` (pattern `{}`), so no lockfile-based install can run in its images",
                            rel(&ignore.path, &image.context),
                            crate::paths::slash(&image.context),
                            pat.raw
                        ),
                    )
                    .with_fix(Some(fix)),
                );
            }
        }
    }
}
