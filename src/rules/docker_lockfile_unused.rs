use super::common::install_dir;
use super::{declare_rule, Finding, Rule};
use crate::diagnostics::{line_ending, line_range, Applicability, Edit, Fix};
use crate::project::docker_lock::{LOCK, WORKSPACE};
use crate::project::install::{invocation, Manager};
use crate::paths::{relative_to, slash};
use crate::project::{Image, Install, Project};

declare_rule! {
    /// ## What it does
    /// Reports a `pnpm install` in an image that resolves without a lockfile
    /// (`--lockfile=false`, `--no-lockfile`, `--no-frozen-lockfile`) in a
    /// repository that has an up-to-date Docker-only lockfile
    /// (`docker/pnpm-lock.yaml`, written by `dockprep lockfile`).
    ///
    /// ## Why is this bad
    /// Writing the Docker lockfile is how a team picks option 2 of the
    /// roadmap's lockfile policy (A3). Until the images use it, every cold
    /// build still resolves the whole dependency tree again (most of a cold
    /// build's time) and may install other versions than development.
    ///
    /// ## Example
    /// ```dockerfile
    /// WORKDIR /app/backend
    /// COPY backend/package.json ./package.json
    /// RUN --mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store \
    ///     pnpm install --ignore-scripts --lockfile=false
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// WORKDIR /app/backend
    /// COPY backend/package.json ./package.json
    /// COPY docker/pnpm-workspace.yaml docker/pnpm-lock.yaml /app/
    /// RUN --mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store \
    ///     pnpm install --ignore-scripts --frozen-lockfile
    /// ```
    /// The fix (safe, offered only while the Docker lockfile is fresh)
    /// switches the flag to `--frozen-lockfile` and copies the Docker
    /// workspace and lockfile into the deps layer, right after the manifest,
    /// at the image directory that stands for the repository root (the
    /// install directory with the manifest's directory taken off: `/app/` for
    /// `backend/` installed in `/app/backend`). pnpm finds the workspace
    /// there and installs the package from the lockfile; a package of the
    /// workspace that the image does not copy is skipped.
    ///
    /// ## Roadmap reference
    /// A3 (option 2), A3-2, F2, open question 6.
    pub static DOCKER_LOCKFILE_UNUSED = {
        slug: "docker-lockfile-unused",
        severity: Medium,
        summary: "an image installs without a lockfile although a fresh Docker-only lockfile exists",
        what: "an image installs with `--lockfile=false` although a fresh Docker-only lockfile exists (safe fix: `--frozen-lockfile` + the `COPY`)",
        roadmap_id: "A3 (option 2)",
        fixable: true,
        check: check,
    };
}

const NO_LOCKFILE: [&str; 4] = [
    "--lockfile=false",
    "--no-lockfile",
    "--no-frozen-lockfile",
    "--frozen-lockfile=false",
];

/// Whether a stage already copies the Docker lockfile before the install: a
/// `COPY`/`ADD` of the lineage names it (its path relative to the image's
/// build context, which need not be the repository root).
fn copies_docker_lock(p: &Project, image: &Image, inst: &Install) -> bool {
    let Some(lock) = relative_to(&p.repos[image.repo].root.join(LOCK), &image.context) else {
        return false;
    };
    let lock = slash(&lock);
    p.copies_before(image, inst.instruction)
        .filter(|step| step.from.is_none())
        .any(|step| step.sources.iter().any(|(_, s)| s.names(&lock)))
}

/// The image directory standing for the repository root: the install
/// directory with the installed manifest's directory (relative to the
/// repository) taken off.
fn root_in_image(install_dir: &str, manifest_dir: &str) -> Option<String> {
    let mut segs: Vec<&str> = install_dir.split('/').filter(|s| !s.is_empty()).collect();
    for _ in manifest_dir
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
    {
        segs.pop()?;
    }
    Some(format!("/{}", segs.join("/")))
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let repo = &p.repos[image.repo];
        let Some(lock) = &repo.docker_lock else {
            continue;
        };
        if !lock.is_fresh() {
            continue; // docker-lockfile-stale reports it
        }
        let df = &p.dockerfiles[image.dockerfile];
        let text = p.text(df.file);
        for inst in &image.installs {
            let Some(inv) = invocation(&inst.command) else {
                continue;
            };
            if inv.manager != Manager::Pnpm
                || !matches!(
                    inv.subcommand.map(|w| w.text.as_str()),
                    Some("install" | "i")
                )
            {
                continue;
            }
            let off = inv
                .args
                .iter()
                .find(|w| NO_LOCKFILE.contains(&w.text.as_str()));
            let frozen = inv
                .args
                .iter()
                .any(|w| w.text == "--frozen-lockfile" || w.text == "--frozen-lockfile=true");
            if frozen {
                continue;
            }
            let span = off.map_or(
                inv.program
                    .span
                    .cover(inv.subcommand.map_or(inv.program.span, |w| w.span)),
                |w| w.span,
            );
            let mut finding = rule.finding(
                df.file,
                span,
                "resolves without a lockfile",
                format!(
                    "this install resolves every dependency again although `{LOCK}` is up to date; install with `--frozen-lockfile` from it"
                ),
            );
            finding = finding.with_fix(fix(p, image, inst, &inv, off, text));
            out.push(finding);
        }
    }
}

fn fix(
    p: &Project,
    image: &Image,
    inst: &Install,
    inv: &crate::project::install::Invocation<'_>,
    off: Option<&crate::syntax::shell::Word>,
    text: &str,
) -> Option<Fix> {
    let repo = &p.repos[image.repo];
    let df = &p.dockerfiles[image.dockerfile];
    // The Docker files must reach the image: inside the context, not ignored.
    let ignore = image.dockerignore.map(|i| &p.dockerignores[i].value);
    for f in [LOCK, WORKSPACE] {
        let rel = slash(&relative_to(&repo.root.join(f), &image.context)?);
        if ignore.is_some_and(|i| i.excluded_by(&rel).is_some()) {
            return None;
        }
    }
    let mut edits = vec![match off {
        Some(w) => Edit::replace(w.span.start, w.span.end, "--frozen-lockfile"),
        None => Edit::insert(inv.subcommand?.span.end, " --frozen-lockfile"),
    }];
    if !copies_docker_lock(p, image, inst) {
        let installed = inst.manifests.first()?;
        let mf = &p.manifests[installed.manifest];
        let mdir = relative_to(mf.path.parent()?, &repo.root).map(|r| slash(&r))?;
        let root = root_in_image(&install_dir(p, image, inst, inv), &mdir)?;
        let ctx_rel = |f: &str| relative_to(&repo.root.join(f), &image.context).map(|r| slash(&r));
        let copy_ins = &df.value.instructions[installed.instruction];
        let (_, line_end) = line_range(
            text,
            copy_ins.span.end.saturating_sub(1).max(copy_ins.span.start),
        );
        let nl = line_ending(text);
        let dest = if root == "/" {
            "/".to_string()
        } else {
            format!("{root}/")
        };
        edits.push(Edit::insert(
            line_end,
            format!("COPY {} {} {dest}{nl}", ctx_rel(WORKSPACE)?, ctx_rel(LOCK)?),
        ));
    }
    Some(
        Fix::new(
            Applicability::Safe,
            format!("install with `--frozen-lockfile` from `{LOCK}`"),
        )
        .edits(&df.path, edits),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn root_mapping() {
        assert_eq!(
            super::root_in_image("/app/backend", "backend").as_deref(),
            Some("/app")
        );
        assert_eq!(super::root_in_image("/app", ".").as_deref(), Some("/app"));
        assert_eq!(
            super::root_in_image("/srv/api", "apps/api").as_deref(),
            Some("/")
        );
        assert_eq!(super::root_in_image("/api", "apps/api"), None);
    }
}
