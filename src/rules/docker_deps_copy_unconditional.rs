use super::{declare_rule, Finding, Rule};
use crate::project::Project;
use crate::syntax::dockerfile::Kind;

declare_rule! {
    /// ## What it does
    /// Reports `COPY .docker-deps/ …` (or `ADD`) when `.docker-deps` is not
    /// committed (absent from the build context or ignored by git), unless the
    /// tolerant wildcard form `COPY .docker-deps* …` is used.
    ///
    /// ## Why is this bad
    /// `.docker-deps/` exists only after the tarball fallback has run: every
    /// other build (the registry path, CI) fails with "not found" unless an
    /// empty directory was created by hand first.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY .docker-deps/ ../.docker-deps/
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// RUN mkdir -p /app/.docker-deps
    /// COPY .docker-deps* /app/.docker-deps/
    /// ```
    ///
    /// ## Roadmap reference
    /// F8; A5-2.
    pub static DOCKER_DEPS_COPY_UNCONDITIONAL = {
        slug: "docker-deps-copy-unconditional",
        severity: Medium,
        summary: "COPY of .docker-deps/ that fails when the tarball fallback has not run",
        check: check,
    };
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let df = &p.dockerfiles[image.dockerfile];
        for ins in &df.value.instructions {
            if !matches!(ins.kind, Kind::Copy | Kind::Add) || ins.flag("from").is_some() {
                continue;
            }
            for src in &ins.sources {
                let norm = src.value.trim_start_matches("./").trim_start_matches('/');
                let first = norm.split('/').next().unwrap_or("");
                if first != ".docker-deps" {
                    continue;
                }
                let path = image.context.join(".docker-deps");
                if !p.is_uncommitted(image.repo, &path) {
                    continue;
                }
                let state = if path.exists() {
                    "ignored by git"
                } else {
                    "absent"
                };
                out.push(rule.finding(
                    df.file,
                    src.span,
                    format!("`.docker-deps` is {state}"),
                    format!(
                        "`{} {}` fails unless docker-prep has created `.docker-deps/` (it is {state} here); use the tolerant `COPY .docker-deps* …` form",
                        if ins.kind == Kind::Copy { "COPY" } else { "ADD" },
                        src.value
                    ),
                ));
            }
        }
    }
}
