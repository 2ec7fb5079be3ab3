use super::{declare_rule, Finding, Rule};
use crate::diagnostics::{Applicability, Edit, Fix};
use crate::project::copies;
use crate::project::install::normalize_abs;
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
        what: "`COPY .docker-deps/` that fails unless the tarball fallback ran",
        roadmap_id: "F8",
        fixable: true,
        check: check,
    };
}

/// A5: `RUN mkdir -p DEST` + `COPY .docker-deps* DEST/` in place of the
/// instruction, and `.docker-deps/` and `*.bak` in the root `.gitignore`.
/// Only for a single `.docker-deps[/]` source (`norm`: as [`copies::Source`] reads it) (anything else is left alone).
fn fix(p: &Project, image: &crate::project::Image, n: usize, norm: &str) -> Option<Fix> {
    let df = &p.dockerfiles[image.dockerfile];
    let ins = &df.value.instructions[n];
    if ins.sources.len() != 1 || !ins.heredocs.is_empty() || norm != ".docker-deps" {
        return None;
    }
    let env = df.value.environment_before(n);
    let dest = normalize_abs(
        &env.expand(&ins.dest.as_ref()?.value),
        env.workdir.as_deref(),
    );
    let text = p.text(df.file);
    let flags: Vec<&str> = ins.flags.iter().map(|f| &text[f.span.range()]).collect();
    let copy = std::iter::once("COPY")
        .chain(flags)
        .chain([".docker-deps*"])
        .collect::<Vec<_>>()
        .join(" ");
    let mut fix = Fix::new(
        Applicability::Safe,
        "copy `.docker-deps*` tolerantly, after creating the directory",
    )
    .edit(
        &df.path,
        Edit::replace(
            ins.span.start,
            ins.span.end,
            format!("RUN mkdir -p {dest}\n{copy} {dest}/"),
        ),
    );
    let repo = &p.repos[image.repo];
    let mut lines = Vec::new();
    if !p.git_ignores(image.repo, ".docker-deps", true) {
        lines.push(".docker-deps/");
    }
    if !p.git_ignores(image.repo, "package.json.bak", false) {
        lines.push("*.bak");
    }
    if !lines.is_empty() {
        let path = repo.root.join(".gitignore");
        let (at, nl) = match repo.gitignore_file {
            Some(id) => {
                let t = p.text(id);
                (
                    t.len(),
                    if t.is_empty() || t.ends_with('\n') {
                        ""
                    } else {
                        "\n"
                    },
                )
            }
            None => (0, ""),
        };
        fix = fix.edit(
            &path,
            Edit::insert(at, format!("{nl}{}\n", lines.join("\n"))),
        );
    }
    Some(fix)
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let df = &p.dockerfiles[image.dockerfile];
        for (n, ins) in df.value.instructions.iter().enumerate() {
            if !copies::copies_from_context(ins) {
                continue;
            }
            for src in &ins.sources {
                if !src.value.contains(".docker-deps") {
                    continue;
                }
                let source = copies::Source::parse(&src.value);
                let Some(norm) = source.rel() else { continue };
                if norm.split('/').next() != Some(".docker-deps") {
                    continue;
                }
                let path = image.context.join(".docker-deps");
                if !p.is_uncommitted(image.repo, &path) {
                    continue;
                }
                let state = if p.tree.has(&path) {
                    "ignored by git"
                } else {
                    "absent"
                };
                let f = rule.finding(
                    df.file,
                    src.span,
                    format!("`.docker-deps` is {state}"),
                    format!(
                        "`{} {}` fails unless docker-prep has created `.docker-deps/` (it is {state} here); use the tolerant `COPY .docker-deps* …` form",
                        if ins.kind == Kind::Copy { "COPY" } else { "ADD" },
                        src.value
                    ),
                );
                out.push(f.with_fix(fix(p, image, n, norm)));
            }
        }
    }
}
