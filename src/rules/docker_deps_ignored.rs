use super::common::private_registry_deps;
use super::{declare_rule, Finding, Label, Rule};
use crate::project::copies::Brings;
use crate::project::{wildcard, Image, Project};
use crate::syntax::dockerfile::Kind;
use crate::syntax::Span;

declare_rule! {
    /// ## What it does
    /// Reports a `COPY`/`ADD` (not `--from` a stage) of `.docker-deps` when the
    /// `.dockerignore` in effect for the image leaves the tarballs out of the
    /// build context. Sources that count: `.docker-deps`, `.docker-deps/`,
    /// `.docker-deps*`, `.docker-deps/*`, `.docker-deps/<file>`, and `.` / `./`
    /// when the image installs private-scope packages through `.docker-deps`
    /// (an installed manifest already holds a `file:…/.docker-deps/…`
    /// specifier, or it installs private-scope packages and the repository has
    /// `scripts/docker-prep.sh` or a `.docker-deps` directory in the context).
    /// The judgement is BuildKit's matcher on `.docker-deps/x.tgz` (or on the
    /// file itself for a single-file source), so `!` exceptions count.
    ///
    /// ## Why is this bad
    /// The tarball fallback exists only in the build context: with
    /// `.docker-deps` excluded, `COPY .docker-deps/` fails with "not found",
    /// and the tolerant `COPY .docker-deps* …` silently copies nothing, so
    /// `pnpm install` then fails on every `file:../.docker-deps/…` specifier.
    ///
    /// ## Example
    /// ```text
    /// # .dockerignore
    /// node_modules
    /// .docker-deps
    /// ```
    /// ```dockerfile
    /// COPY .docker-deps* /app/.docker-deps/
    /// ```
    ///
    /// ## Fix
    /// Remove the pattern that excludes `.docker-deps` (or add
    /// `!.docker-deps/*.tgz` after it) whenever the tarball path is in use.
    ///
    /// ## Roadmap reference
    /// A5-3, A6-3.
    pub static DOCKER_DEPS_IGNORED = {
        slug: "docker-deps-ignored",
        severity: Medium,
        summary: "the .dockerignore in effect excludes the .docker-deps tarballs the Dockerfile copies",
        what: "a Dockerfile copies `.docker-deps` that the `.dockerignore` excludes",
        roadmap_id: "A5-3, A6-3",
        check: check,
    };
}

/// The path to probe the matcher with when `src` copies `.docker-deps`
/// explicitly; `None` when it does not.
fn docker_deps_probe(src: &str) -> Option<String> {
    let norm = src.trim_start_matches("./").trim_start_matches('/');
    let mut segs = norm.splitn(2, '/');
    let first = segs.next().unwrap_or("");
    let rest = segs.next().unwrap_or("");
    let names_it = if first.contains(['*', '?', '[']) {
        wildcard(first, ".docker-deps")
    } else {
        first == ".docker-deps"
    };
    if !names_it {
        return None;
    }
    if first == ".docker-deps" && !rest.is_empty() && !rest.contains(['*', '?', '[']) {
        // A single file (or sub-directory) of `.docker-deps`.
        return Some(format!(".docker-deps/{}", rest.trim_end_matches('/')));
    }
    Some(".docker-deps/x.tgz".to_string())
}

/// True when the image installs private-scope packages through `.docker-deps`.
fn uses_tarballs(p: &Project, image: &Image) -> bool {
    let rewritten = image.installs.iter().flat_map(|i| &i.manifests).any(|m| {
        p.manifests[m.manifest]
            .value
            .dependencies
            .iter()
            .map(|d| &d.spec.value)
            .chain(
                p.manifests[m.manifest]
                    .value
                    .overrides
                    .iter()
                    .map(|o| &o.1.value),
            )
            .any(|s| {
                s.strip_prefix("file:")
                    .is_some_and(|f| f.split(['/', '\\']).any(|c| c == ".docker-deps"))
            })
    });
    if rewritten {
        return true;
    }
    let private = image
        .installs
        .iter()
        .any(|i| !private_registry_deps(p, i).is_empty());
    private
        && (p
            .tree
            .has_file(&p.repos[image.repo].root.join("scripts/docker-prep.sh"))
            || p.tree.has_dir(&image.context.join(".docker-deps")))
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let Some(di) = image.dockerignore.map(|i| &p.dockerignores[i]) else {
            continue;
        };
        let df = &p.dockerfiles[image.dockerfile];
        let mut tarballs = None;
        let candidate = |raw: &str| docker_deps_probe(raw).is_some() || matches!(raw, "." | "./");
        if !df
            .value
            .instructions
            .iter()
            .any(|i| i.sources.iter().any(|s| candidate(&s.value)))
        {
            continue;
        }
        for step in p.copy_steps(image) {
            if step.from.is_some() {
                continue;
            }
            let ins = step.ins;
            for (i, src) in ins.sources.iter().enumerate() {
                let probe = match docker_deps_probe(&src.value) {
                    Some(probe) => probe,
                    None if matches!(src.value.as_str(), "." | "./") => {
                        if !*tarballs.get_or_insert_with(|| uses_tarballs(p, image)) {
                            continue;
                        }
                        ".docker-deps/x.tgz".to_string()
                    }
                    None => continue,
                };
                // Would this source bring a tarball, and does the
                // `.dockerignore` in effect keep it out?
                let Brings::Excluded(pat) = step.brings_from(i, &probe) else {
                    continue;
                };
                let di_name = crate::paths::slash(
                    di.path
                        .file_name()
                        .map_or(di.path.as_path(), std::path::Path::new),
                );
                let consequence = if src.value.contains(['*', '?', '[']) {
                    "the wildcard silently copies nothing and the install cannot find the tarballs"
                } else if matches!(src.value.as_str(), "." | "./") {
                    "the tarballs the rewritten manifests point at never reach the image"
                } else {
                    "the COPY fails with \"not found\" whenever the tarball path is used"
                };
                let f = rule
                    .finding(
                        df.file,
                        src.span,
                        "copies `.docker-deps`, which the context leaves out",
                        format!(
                            "`{} {}` copies the `.docker-deps` tarballs{}, but `{di_name}` (line {}, `{}`) excludes `{probe}` from the build context `{}`: {consequence}",
                            if ins.kind == Kind::Copy { "COPY" } else { "ADD" },
                            src.value,
                            if matches!(src.value.as_str(), "." | "./") {
                                " with the whole context (the image installs private packages through them)"
                            } else {
                                ""
                            },
                            pat.line,
                            pat.raw,
                            crate::paths::slash(&image.context),
                        ),
                    )
                    .with_label(Label::new(
                        di.file,
                        Span::new(pat.span.start, pat.span.end),
                        format!("excludes `{probe}`"),
                    ));
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes() {
        assert_eq!(
            docker_deps_probe(".docker-deps").as_deref(),
            Some(".docker-deps/x.tgz")
        );
        assert_eq!(
            docker_deps_probe("./.docker-deps/").as_deref(),
            Some(".docker-deps/x.tgz")
        );
        assert_eq!(
            docker_deps_probe(".docker-deps*").as_deref(),
            Some(".docker-deps/x.tgz")
        );
        assert_eq!(
            docker_deps_probe(".docker-deps/*").as_deref(),
            Some(".docker-deps/x.tgz")
        );
        assert_eq!(
            docker_deps_probe(".docker-deps/a.tgz").as_deref(),
            Some(".docker-deps/a.tgz")
        );
        assert_eq!(docker_deps_probe(".docker-depsx"), None);
        assert_eq!(docker_deps_probe("deps/.docker-deps"), None);
        assert_eq!(docker_deps_probe("."), None);
    }
}
