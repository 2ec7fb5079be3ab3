use super::{declare_rule, Finding, Rule};
use crate::project::Project;
use crate::syntax::Span;

declare_rule! {
    /// ## What it does
    /// Reports a Docker-only lockfile (`docker/pnpm-lock.yaml`, written by
    /// `dockprep lockfile`) that no longer matches what it was written from:
    /// the dev `pnpm-lock.yaml` or `pnpm-workspace.yaml`, a manifest of the
    /// repository, the install-relevant fields of a sibling package's
    /// manifest (its version, dependencies, engines, bin…), or the Docker
    /// files themselves edited by hand. The comparison uses the hashes in
    /// `docker/dockprep-lock.json`, so it needs no network.
    ///
    /// ## Why is this bad
    /// This is the drift risk the roadmap names for option 2 of A3. A stale
    /// Docker lockfile either fails the image build (`--frozen-lockfile`
    /// refuses a lockfile that does not match the manifests:
    /// `ERR_PNPM_OUTDATED_LOCKFILE`) or, worse, installs other versions than
    /// development does: a sibling bumped to a new version is still installed
    /// at the old one in the image.
    ///
    /// ## Example
    /// `backend/package.json` gained a dependency after `dockprep lockfile`
    /// ran; `dockprep lockfile --check` prints `backend/package.json: changed`.
    ///
    /// ## Fix
    /// Run `pnpm install` (so the dev lockfile is current), then
    /// `dockprep lockfile` to write the Docker lockfile again. No automatic
    /// fix: it needs the registry for the siblings' published integrity.
    /// Run `dockprep lockfile --check` in CI to catch this before a build.
    ///
    /// ## Roadmap reference
    /// A3 (option 2: drift risk between the dev and Docker lockfiles), F2, open question 6.
    pub static DOCKER_LOCKFILE_STALE = {
        slug: "docker-lockfile-stale",
        severity: High,
        summary: "the Docker-only lockfile no longer matches the dev lockfile, the manifests or the siblings",
        roadmap_id: "A3 (option 2)",
        check: check,
    };
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for repo in &p.repos {
        let Some(lock) = &repo.docker_lock else {
            continue;
        };
        let text = p.text(lock.file);
        let first_line = Span::new(0, text.find('\n').unwrap_or(text.len()));
        let message = match &lock.state {
            Ok(None) => continue,
            Ok(Some(stale)) => {
                let list: Vec<String> = stale
                    .changes
                    .iter()
                    .take(5)
                    .map(|(f, why)| format!("{f} {why}"))
                    .collect();
                let more = stale.changes.len().saturating_sub(5);
                format!(
                    "the Docker-only lockfile is stale: {}{}; run `dockprep lockfile` to write it again",
                    list.join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() }
                )
            }
            Err(e) => format!("the Docker-only lockfile cannot be checked: {e}"),
        };
        out.push(rule.finding(lock.file, first_line, "stale", message));
    }
}
