use std::collections::HashMap;
use std::path::Path;

use super::{declare_rule, Finding, Rule};
use crate::project::install::Manager;
use crate::paths::{clean, relative_to};
use crate::project::Project;

declare_rule! {
    /// ## What it does
    /// Checks every `packages` glob of a `pnpm-workspace.yaml` that lies inside
    /// an image's build context, and reports globs that point outside that
    /// context (for example `../learning_ai_common_plat/packages/*`).
    ///
    /// ## Why is this bad
    /// Inside the build the sibling directory does not exist. pnpm sees a
    /// different workspace than on the developer's machine, so the dev
    /// lockfile does not match and `pnpm install --frozen-lockfile` fails; the
    /// build falls back to full resolution or to pre-packed tarballs.
    ///
    /// ## Example
    /// ```yaml
    /// packages:
    ///   - backend
    ///   - ../learning_ai_common_plat/packages/*
    /// ```
    ///
    /// ## Fix
    /// Build with a Docker-only workspace that lists only in-context packages
    /// and a Docker-only lockfile: `dockprep lockfile` writes both into
    /// `docker/`, then `dockprep fix` switches the installs to
    /// `--frozen-lockfile` (rule `docker-lockfile-unused`). The rule is silent
    /// for a repository that has them; `docker-lockfile-stale` then reports
    /// drift. Or widen the context.
    ///
    /// ## Roadmap reference
    /// F2; A3, open question 6.
    pub static WORKSPACE_OUTSIDE_CONTEXT = {
        slug: "workspace-outside-context",
        severity: High,
        summary: "pnpm-workspace.yaml lists packages outside the build context",
        what: "`pnpm-workspace.yaml` lists packages outside the build context",
        roadmap_id: "F2",
        check: check,
    };
}

/// The directory part of a glob before its first wildcard segment.
fn static_prefix(glob: &str) -> String {
    glob.split('/')
        .take_while(|s| !s.contains(['*', '?', '[', '{']))
        .collect::<Vec<_>>()
        .join("/")
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    // Images that install with pnpm, by build context: a workspace is looked up
    // through its directory's ancestors, so the rule is linear in the fleet.
    let mut by_context: HashMap<&Path, Vec<&crate::project::Image>> = HashMap::new();
    for image in p
        .images
        .iter()
        .filter(|i| i.installs.iter().any(|x| x.manager == Manager::Pnpm))
    {
        by_context
            .entry(image.context.as_path())
            .or_default()
            .push(image);
    }
    for ws in &p.workspaces {
        let ws_dir = ws.path.parent().map(Path::to_path_buf).unwrap_or_default();
        // A Docker-only workspace and lockfile (`dockprep lockfile`) resolve
        // F2 for the images; `docker-lockfile-stale` watches their drift.
        if p.repo_at(&clean(&ws_dir))
            .is_some_and(|r| p.repos[r].docker_lock.is_some())
        {
            continue;
        }
        for ancestor in ws_dir.ancestors() {
            let key = if ancestor.as_os_str().is_empty() {
                Path::new(".")
            } else {
                ancestor
            };
            let Some(images) = by_context.get(key) else {
                continue;
            };
            for image in images {
                for g in ws
                    .value
                    .packages
                    .iter()
                    .filter(|g| !g.value.starts_with('!'))
                {
                    let target = clean(&ws_dir.join(static_prefix(&g.value)));
                    if relative_to(&target, &image.context).is_some() {
                        continue;
                    }
                    out.push(rule.finding(
                        ws.file,
                        g.span,
                        "outside the build context",
                        format!(
                            "workspace package glob `{}` points outside the build context `{}`; inside its images the workspace differs from the dev one, so `--frozen-lockfile` cannot work",
                            g.value,
                            crate::paths::slash(&image.context),
                        ),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn prefix() {
        assert_eq!(super::static_prefix("../a/packages/*"), "../a/packages");
        assert_eq!(super::static_prefix("apps/**"), "apps");
        assert_eq!(super::static_prefix("backend"), "backend");
    }
}
