use super::common::rel;
use super::{declare_rule, Finding, Rule};
use crate::diagnostics::{line_range, Applicability, Edit, Fix};
use crate::project::copies::{self, Source};
use crate::project::Project;
use crate::syntax::dockerfile::Kind;

declare_rule! {
    /// ## What it does
    /// Reports a `COPY`/`ADD` of sources (a directory, `.`, or a file that the
    /// install does not read) placed before the install step of the same
    /// stage. The install reads only manifests, lockfiles, `.npmrc`, the
    /// workspace file, patches and `.docker-deps`.
    ///
    /// ## Why is this bad
    /// Any source change invalidates the layer cache from that `COPY` on: the
    /// install reruns on every code change, which is what makes warm rebuilds
    /// take minutes instead of seconds.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY backend/ ./
    /// RUN pnpm install
    /// ```
    ///
    /// ## Fix
    /// A deps layer first, the sources after the install (unsafe: the layer
    /// order changes):
    /// ```dockerfile
    /// COPY backend/package.json ./
    /// RUN pnpm install
    /// COPY backend/ ./
    /// ```
    ///
    /// ## Roadmap reference
    /// A4-1.
    pub static DEPS_LAYER_INVALIDATED = {
        slug: "deps-layer-invalidated",
        severity: High,
        summary: "sources copied before the install step, so any change reinstalls dependencies",
        what: "sources copied before the install step of the same stage",
        roadmap_id: "A4-1",
        fixable: true,
        check: check,
    };
}

/// Files an install step reads.
fn is_deps_file(name: &str) -> bool {
    matches!(
        name,
        "package.json"
            | "pnpm-lock.yaml"
            | "package-lock.json"
            | "npm-shrinkwrap.json"
            | "yarn.lock"
            | "pnpm-workspace.yaml"
            | ".pnpmfile.cjs"
            | ".yarnrc.yml"
    ) || name.starts_with(".npmrc")
        || name.starts_with(".yarnrc")
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let df = &p.dockerfiles[image.dockerfile];
        let text = p.text(df.file);
        for inst in &image.installs {
            let stage = &df.value.stages[inst.stage];
            let mut offending = Vec::new();
            for n in stage.instructions.start..inst.instruction {
                let ins = &df.value.instructions[n];
                if !matches!(ins.kind, Kind::Copy | Kind::Add)
                    || ins.flag("from").is_some()
                    || ins.sources.is_empty()
                {
                    continue;
                }
                // Which sources are only dependency files: a question about
                // the sources themselves (Docker's reading of them), not
                // about what lands where.
                let first = ins
                    .sources
                    .iter()
                    .zip(copies::sources_of(ins))
                    .find(|(raw, (_, src))| match src {
                        Source::Context { rel, .. } => {
                            let head = rel.split('/').next().unwrap_or("");
                            let name = rel.rsplit('/').next().unwrap_or("");
                            let path = image.context.join(rel);
                            !(head.starts_with(".docker-deps")
                                || head == "patches"
                                || (!p.tree.has_dir(&path)
                                    && !rel.is_empty()
                                    && is_deps_file(name)))
                        }
                        // A variable or URL: judged by the name it ends with.
                        Source::Unknown => !is_deps_file(
                            raw.value
                                .trim_end_matches('/')
                                .rsplit('/')
                                .next()
                                .unwrap_or(""),
                        ),
                    })
                    .map(|(_, (span, _))| span);
                if let Some(first) = first {
                    offending.push((n, first));
                }
            }
            // One fix moves every offending COPY, in order, after the install.
            let fix = combined_fix(
                p,
                image,
                inst,
                &offending.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            );
            for (n, span) in offending {
                let ins = &df.value.instructions[n];
                let f = rule.finding(
                    df.file,
                    span,
                    "sources copied before the install",
                    format!(
                        "`{}` copies sources before `{}` in the same stage: any source change reruns the install",
                        text[ins.span.range()].lines().next().unwrap_or(""),
                        super::common::command_text(&inst.command)
                    ),
                );
                out.push(f.with_fix(fix.clone()));
            }
        }
    }
}

/// All of `ns` moved after the install, in their order; `None` when one of them cannot be.
fn combined_fix(
    p: &Project,
    image: &crate::project::Image,
    inst: &crate::project::Install,
    ns: &[usize],
) -> Option<Fix> {
    let df = &p.dockerfiles[image.dockerfile];
    let text = p.text(df.file);
    let (_, run_end) = line_range(
        text,
        df.value.instructions[inst.instruction]
            .span
            .end
            .saturating_sub(1),
    );
    let mut fix = Fix::new(Applicability::Unsafe, String::new());
    let mut moved = String::new();
    let mut what = Vec::new();
    for &n in ns {
        let (edit, text_moved, desc) = one(p, image, inst, n)?;
        fix = fix.edit(&df.path, edit);
        moved.push_str(&text_moved);
        what.push(desc);
    }
    if ns.is_empty() {
        return None;
    }
    fix.message = what.join("; ");
    Some(fix.edit(&df.path, Edit::insert(run_end, moved)))
}

/// One `COPY` moved after the install; when it brought the installed manifest,
/// a manifest-only `COPY` (with its lockfile) takes its place.
fn one(
    p: &Project,
    image: &crate::project::Image,
    inst: &crate::project::Install,
    n: usize,
) -> Option<(Edit, String, String)> {
    let df = &p.dockerfiles[image.dockerfile];
    let ins = &df.value.instructions[n];
    if ins.sources.len() != 1 || !ins.heredocs.is_empty() || ins.kind != Kind::Copy {
        return None;
    }
    let text = p.text(df.file);
    let src = &ins.sources[0].value;
    let norm = src.trim_start_matches("./").trim_end_matches('/');
    let dir = if norm.is_empty() || norm == "." {
        image.context.clone()
    } else {
        image.context.join(norm)
    };
    if !p.tree.has_dir(&dir) {
        return None;
    }
    let dest = &ins.dest.as_ref()?.value;
    let (ls, le) = line_range(text, ins.span.start);
    let moved = format!("{}\n", &text[ins.span.range()]);
    let flags: Vec<&str> = ins.flags.iter().map(|f| &text[f.span.range()]).collect();
    let manifest = dir.join("package.json");
    let installs_it = inst
        .manifests
        .iter()
        .any(|m| p.manifests[m.manifest].path == crate::paths::clean(&manifest));
    let replacement = if installs_it {
        let prefix = if norm.is_empty() || norm == "." {
            String::new()
        } else {
            format!("{norm}/")
        };
        let mut files = vec![format!("{prefix}package.json")];
        for lock in ["pnpm-lock.yaml", "package-lock.json", "yarn.lock"] {
            if p.tree.has_file(&dir.join(lock)) {
                files.push(format!("{prefix}{lock}"));
            }
        }
        let dest_dir = if dest.ends_with('/') || dest == "." {
            dest.clone()
        } else {
            format!("{dest}/")
        };
        format!(
            "{}\n",
            std::iter::once("COPY")
                .chain(flags)
                .chain(files.iter().map(String::as_str))
                .chain([dest_dir.as_str()])
                .collect::<Vec<_>>()
                .join(" ")
        )
    } else {
        String::new()
    };
    let what = if installs_it {
        format!(
            "copy only `{}` before the install, the rest of `{src}` after it",
            rel(&manifest, &image.context)
        )
    } else {
        format!("copy `{src}` after the install")
    };
    Some((Edit::replace(ls, le, replacement), moved, what))
}
