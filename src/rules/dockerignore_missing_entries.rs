use super::{declare_rule, Finding, Rule, Severity};
use crate::diagnostics::{Applicability, Edit, Fix};
use crate::project::copies;
use crate::project::Project;
use crate::syntax::Span;

declare_rule! {
    /// ## What it does
    /// Checks that the `.dockerignore` in effect for an image excludes what the
    /// roadmap's A6-1 lists: `node_modules` at every depth, `dist`, `.next`,
    /// `*.log`, `.env`, `.env.*`, `.git`, `*.bak`. Judged with BuildKit's
    /// matcher, so `node_modules` alone does not cover `backend/node_modules`.
    /// An entry the Dockerfile copies on purpose (`COPY dist ./dist`) is not
    /// asked for.
    ///
    /// ## Why is this bad
    /// Everything not excluded is sent to the builder on every build and can
    /// invalidate `COPY . .`-style layers: a host `node_modules` or `.next`
    /// makes contexts huge and builds slow; `.env` files leak secrets into
    /// images (hence high severity for them).
    ///
    /// ## Example
    /// ```text
    /// node_modules
    /// dist
    /// ```
    ///
    /// ## Fix
    /// Append the missing entries (each once, order and comments kept).
    ///
    /// ## Roadmap reference
    /// A6-1.
    pub static DOCKERIGNORE_MISSING_ENTRIES = {
        slug: "dockerignore-missing-entries",
        severity: Medium,
        shown_severity: "medium (high for `.env`)",
        summary: "the .dockerignore in effect does not exclude node_modules, dist, .env, .git, …",
        what: "the `.dockerignore` in effect misses `**/node_modules`, `dist`, `.next`, `*.log`, `.env`, `.env.*`, `.git`, `*.bak`",
        roadmap_id: "A6-1",
        fixable: true,
        check: check,
    };
}

/// (pattern to add, paths it must exclude).
const ENTRIES: &[(&str, &[&str])] = &[
    ("node_modules", &["node_modules"]),
    (
        "**/node_modules",
        &["backend/node_modules", "a/b/node_modules"],
    ),
    ("dist", &["dist"]),
    (".next", &[".next"]),
    ("*.log", &["npm-debug.log"]),
    (".env", &[".env"]),
    (".env.*", &[".env.local"]),
    (".git", &[".git"]),
    ("*.bak", &["package.json.bak"]),
];

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let df = &p.dockerfiles[image.dockerfile];
        // Top-level names the Dockerfile copies on purpose.
        let copied: Vec<String> = df
            .value
            .instructions
            .iter()
            .filter(|i| copies::copies_from_context(i))
            .flat_map(copies::sources_of)
            .filter_map(|(_, s)| Some(s.rel()?.split('/').next().unwrap_or("").to_string()))
            .collect();
        let ignore = image.dockerignore.map(|i| &p.dockerignores[i]);
        let missing: Vec<&str> = ENTRIES
            .iter()
            .filter(|(pat, probes)| {
                let head = pat.trim_start_matches("**/");
                !copied.iter().any(|c| c == head)
                    && probes
                        .iter()
                        .any(|probe| ignore.is_none_or(|i| !i.value.is_excluded(probe)))
            })
            .map(|(pat, _)| *pat)
            .collect();
        if missing.is_empty() {
            continue;
        }
        let severity = if missing.iter().any(|m| m.starts_with(".env")) {
            Severity::High
        } else {
            rule.severity
        };
        let list = missing
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let (file, span, path, at, nl) = match ignore {
            Some(i) => {
                let t = p.text(i.file);
                let first = Span::new(0, t.find('\n').map_or(t.len(), |n| n));
                (
                    i.file,
                    first,
                    i.path.clone(),
                    t.len(),
                    if t.is_empty() || t.ends_with('\n') {
                        ""
                    } else {
                        "\n"
                    },
                )
            }
            None => {
                let from = &df.value.instructions[df.value.stages.first().map_or(0, |s| s.from)];
                (
                    df.file,
                    from.keyword,
                    image.context.join(".dockerignore"),
                    0,
                    "",
                )
            }
        };
        let mut f = rule.finding(
            file,
            span,
            format!("missing {list}"),
            format!(
                "the build context `{}` does not exclude {list}: they are sent to the builder on every build{}",
                crate::paths::slash(&image.context),
                if severity == Severity::High { ", and `.env` files can end up in the image" } else { "" }
            ),
        );
        f.severity = severity;
        let fix = Fix::new(Applicability::Safe, format!("exclude {list}")).edit(
            &path,
            Edit::insert(at, format!("{nl}{}\n", missing.join("\n"))),
        );
        out.push(f.with_fix(Some(fix)));
    }
}
