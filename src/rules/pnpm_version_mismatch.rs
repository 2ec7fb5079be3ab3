use super::common::{add_package_manager, rel, version_of};
use super::{declare_rule, Finding, Label, Rule};
use crate::diagnostics::{Applicability, Edit, Fix};
use crate::project::install::{corepack_pnpm, global_pnpm_install, invocation};
use crate::project::Project;
use crate::syntax::dockerfile::{Dockerfile, Kind};
use crate::syntax::shell::Word;
use crate::syntax::Spanned;

declare_rule! {
    /// ## What it does
    /// Compares the pnpm version a Dockerfile activates with the
    /// `packageManager` field of the manifest the image installs (else the
    /// repository root's). The Dockerfile's version comes from
    /// `npm install -g pnpm@X` (any form `pnpm-global-install` recognises),
    /// `corepack prepare pnpm@X --activate`, `corepack install -g pnpm@X` or
    /// `corepack use pnpm@X`, with `ARG`/`ENV` values substituted
    /// (`pnpm@${PNPM_VERSION}`, `pnpm@$COREPACK_PNPM_VERSION`). It reports a
    /// version that differs, and a pinned version while no `packageManager`
    /// field exists. An unpinned `pnpm` or a variable without a known value is
    /// not compared.
    ///
    /// How pnpm gets installed (npm instead of corepack) is
    /// `pnpm-global-install`; this rule reports only the version.
    ///
    /// ## Why is this bad
    /// The image and the developers' machines then run different pnpm
    /// versions: lockfile formats and resolution differ between majors, so
    /// `--frozen-lockfile` can fail in the image while it passes locally, or
    /// the image installs a different tree than the one that was tested.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN corepack enable && corepack prepare pnpm@9.12.0 --activate
    /// ```
    /// with `"packageManager": "pnpm@10.6.5"` in `package.json`.
    ///
    /// ## Fix
    /// ```dockerfile
    /// RUN corepack enable && corepack prepare pnpm@10.6.5 --activate
    /// ```
    /// The fix (unsafe: the image's pnpm changes) writes the `packageManager`
    /// version into the Dockerfile, or into the `ARG`/`ENV` default the
    /// version comes from; with no `packageManager` field it records the
    /// Dockerfile's version there.
    ///
    /// ## Roadmap reference
    /// F9; A1-2.
    pub static PNPM_VERSION_MISMATCH = {
        slug: "pnpm-version-mismatch",
        severity: Low,
        summary: "the pnpm version the Dockerfile activates differs from packageManager",
        what: "the pnpm the Dockerfile activates differs from `packageManager` (or it is missing)",
        roadmap_id: "A1-2",
        fixable: true,
        check: check,
    };
}

/// The `ARG`/`ENV` value a variable has just before instruction `at`: the
/// last declaration with a value in the stage's lineage, else the global `ARG`.
fn declaration<'d>(df: &'d Dockerfile, at: usize, name: &str) -> Option<&'d Spanned<String>> {
    let stage = df.instructions.get(at)?.stage?;
    df.lineage(stage, at)
        .into_iter()
        .rev()
        .map(|i| &df.instructions[i])
        .filter(|i| matches!(i.kind, Kind::Arg | Kind::Env))
        .flat_map(|i| i.decls.iter().rev())
        .find(|d| d.name.value == name && d.value.is_some())
        .or_else(|| {
            df.global_args()
                .map(|(_, d)| d)
                .filter(|d| d.name.value == name && d.value.is_some())
                .last()
        })
        .and_then(|d| d.value.as_ref())
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let df = &p.dockerfiles[image.dockerfile];
        let pm = p.package_manager(image);
        if pm.is_some_and(|(_, s)| !s.value.starts_with("pnpm@")) {
            continue; // another package manager: not pnpm's version to compare
        }
        for (n, ins) in df
            .value
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.kind == Kind::Run)
        {
            for cmd in ins.commands(df.value.escape) {
                let word: Option<Word> = invocation(&cmd)
                    .and_then(|inv| global_pnpm_install(&inv).cloned())
                    .or_else(|| corepack_pnpm(&cmd).cloned());
                let Some(word) = word else { continue };
                let Some(raw) = word.text.split_once('@').map(|(_, v)| v) else {
                    continue; // unpinned
                };
                // The version, with ARG/ENV values substituted.
                let env = df.value.environment_before(n);
                let refs = crate::syntax::shell::var_refs(raw, '\\');
                let version = env.expand(raw);
                let version = version.split('+').next().unwrap_or("").to_string();
                if version.is_empty() || version.contains('$') {
                    continue;
                }
                let decl = refs
                    .first()
                    .and_then(|r| declaration(&df.value, n, &r.name))
                    .filter(|d| !d.value.contains('$'));
                let source = match (&decl, refs.first()) {
                    (Some(_), Some(r)) => format!(" (from `{}`)", r.name),
                    _ => String::new(),
                };
                let (label, message, fix) = match pm {
                    Some((m, s)) => {
                        let Some(wanted) = version_of(&s.value) else {
                            continue;
                        };
                        if wanted == version {
                            continue;
                        }
                        let file = rel(&p.manifests[m].path, &image.context);
                        let fix = Fix::new(
                            Applicability::Unsafe,
                            format!("activate pnpm {wanted} as `packageManager` says"),
                        );
                        let fix = match &decl {
                            Some(d) if refs.len() == 1 => {
                                fix.edit(&df.path, Edit::replace(d.span.start, d.span.end, wanted))
                            }
                            Some(_) => fix,
                            None if refs.is_empty() => fix.edit(
                                &df.path,
                                Edit::replace(
                                    word.span.start,
                                    word.span.end,
                                    format!("pnpm@{wanted}"),
                                ),
                            ),
                            None => fix,
                        };
                        (
                            format!("pnpm {version}, not {wanted}"),
                            format!(
                                "the image activates pnpm {version}{source} but `{file}` declares `packageManager` pnpm@{wanted}: the image and local installs run different pnpm versions"
                            ),
                            Some(fix),
                        )
                    }
                    None => {
                        let fix = add_package_manager(p, image, &version).map(|(path, at, t)| {
                            Fix::new(
                                Applicability::Unsafe,
                                format!("record pnpm {version} as `packageManager`"),
                            )
                            .edit(&path, Edit::insert(at, t))
                        });
                        (
                            format!("pins pnpm {version}; no `packageManager`"),
                            format!(
                                "the image pins pnpm {version}{source}, but no `packageManager` field declares the repository's pnpm version: local installs may use any other"
                            ),
                            fix,
                        )
                    }
                };
                let mut f = rule.finding(df.file, word.span, label, message);
                if let Some((m, s)) = pm {
                    f = f.with_label(Label::new(
                        p.manifests[m].file,
                        s.span,
                        "`packageManager` declared here",
                    ));
                }
                if let (Some(d), Some(r)) = (decl, refs.first()) {
                    f = f.with_label(Label::new(
                        df.file,
                        d.span,
                        format!("`{}` set here", r.name),
                    ));
                }
                out.push(f.with_fix(fix));
            }
        }
    }
}
