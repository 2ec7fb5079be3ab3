use super::common::{repo_of_dockerfile, syntax_directive_edit, SYNTAX_DIRECTIVE};
use super::{declare_rule, Finding, Label, Rule};
use crate::diagnostics::{line_range, Applicability, Edit, Fix};
use crate::project::Project;
use crate::syntax::dockerfile::Dockerfile;
use crate::syntax::Span;

declare_rule! {
    /// ## What it does
    /// Reports a Dockerfile that uses `RUN --mount=…` (any mount type: cache,
    /// secret, bind, ssh, tmpfs) or a heredoc (`RUN <<EOF`, `COPY <<EOF`)
    /// without a `# syntax=` parser directive on its first line. A `# syntax=`
    /// comment further down does not count: BuildKit only reads directives
    /// before the first comment or instruction.
    ///
    /// The rule is silent for repositories whose `dockprep.toml` says the
    /// builders are air-gapped (`[build] syntax = false` or
    /// `[build] air_gapped = true`): they cannot pull the frontend image the
    /// directive names.
    ///
    /// ## Why is this bad
    /// Without the directive the build uses whatever Dockerfile frontend the
    /// builder embeds. Older engines and the classic builder reject
    /// `--mount` and heredocs outright; newer ones accept them, but the
    /// features the file relies on then depend on the Docker version of each
    /// machine and CI runner. The directive pins the frontend, so the same file
    /// builds the same way everywhere.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// RUN --mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store \
    ///     pnpm install --frozen-lockfile
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// # syntax=docker/dockerfile:1.7
    /// FROM node:22-alpine
    /// RUN --mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store \
    ///     pnpm install --frozen-lockfile
    /// ```
    /// The fix inserts the directive as the first line (safe).
    ///
    /// ## Roadmap reference
    /// A2-1; §7.2 (canonical Dockerfile).
    pub static SYNTAX_DIRECTIVE_MISSING = {
        slug: "syntax-directive-missing",
        severity: Low,
        summary: "RUN --mount or heredocs without a `# syntax=` directive on the first line",
        what: "`RUN --mount`/heredocs without `# syntax=` (silent with `[build] syntax = false`)",
        roadmap_id: "A2-1",
        fixable: true,
        check: check,
    };
}

/// The BuildKit-only features a Dockerfile uses: (span, what).
fn features(text: &str, df: &Dockerfile) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    for ins in &df.instructions {
        for f in ins.flags.iter().filter(|f| f.name == "mount") {
            let kind = ins
                .mounts
                .iter()
                .find(|m| m.span == f.span)
                .map_or("bind", |m| m.kind());
            out.push((f.span, format!("`--mount=type={kind}`")));
        }
        if !ins.heredocs.is_empty() {
            // The `<<EOF` marker on the instruction's first line.
            let head = &text[ins.keyword.end..ins.span.end];
            let span = head.find("<<").map_or(ins.keyword, |i| {
                let start = ins.keyword.end + i;
                let len = text[start..]
                    .find(|c: char| c.is_whitespace())
                    .unwrap_or(text.len() - start);
                Span::new(start, start + len)
            });
            out.push((span, "a heredoc".to_string()));
        }
    }
    out
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for (d, df) in p.dockerfiles.iter().enumerate() {
        if df.value.syntax.is_some() {
            continue;
        }
        let Some(repo) = repo_of_dockerfile(p, d) else {
            continue;
        };
        if !p.repos[repo].config.build.wants_syntax() {
            continue;
        }
        let text = p.text(df.file);
        let used = features(text, &df.value);
        let Some((span, what)) = used.first() else {
            continue;
        };
        let misplaced = df
            .value
            .comments
            .iter()
            .find(|c| c.value.to_ascii_lowercase().starts_with("syntax="));
        let more = match used.len() {
            1 => String::new(),
            n => format!(
                " (and {} more BuildKit-only use{})",
                n - 1,
                if n == 2 { "" } else { "s" }
            ),
        };
        let why = match misplaced {
            Some(_) => "its `# syntax=` comment is not on the first line, so BuildKit ignores it",
            None => "it has no `# syntax=` directive",
        };
        let mut fix = Fix::new(
            Applicability::Safe,
            format!("add `{SYNTAX_DIRECTIVE}` as the first line"),
        )
        .edit(&df.path, syntax_directive_edit());
        if let Some(c) = misplaced {
            // The stale comment goes: the directive now stands on the first line.
            let (ls, le) = line_range(text, c.span.start);
            fix = fix.edit(&df.path, Edit::delete(ls, le));
            fix.message = format!("move `{SYNTAX_DIRECTIVE}` to the first line");
        }
        let mut f = rule
            .finding(
                df.file,
                *span,
                format!("{what} needs a `# syntax=` directive"),
                format!(
                    "the Dockerfile uses {what}{more}, but {why}: the build depends on the frontend each builder embeds; start the file with `{SYNTAX_DIRECTIVE}`"
                ),
            )
            .with_fix(Some(fix));
        if let Some(c) = misplaced {
            f = f.with_label(Label::new(
                df.file,
                c.span,
                "not a directive here: not on the first line",
            ));
        }
        out.push(f);
    }
}
