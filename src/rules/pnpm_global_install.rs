use super::common::{command_span, command_text, rel};
use super::{declare_rule, Finding, Label, Rule};
use crate::fix::{line_range, Applicability, Edit, Fix};
use crate::project::install::{corepack_pnpm, global_pnpm_install, invocation};
use crate::project::Project;
use crate::syntax::dockerfile::Kind;

declare_rule! {
    /// ## What it does
    /// Reports pnpm installed with `npm install -g pnpm…` / `npm i -g pnpm…`
    /// (any flag order, `--global` too) instead of corepack, and a pnpm
    /// version pinned in the Dockerfile (`pnpm@X` in `npm -g` or
    /// `corepack prepare`) that differs from the `packageManager` field.
    ///
    /// ## Why is this bad
    /// The global npm install runs on every build that reaches it (5–10 s),
    /// downloads pnpm from the registry each time, and is not pinned to the
    /// version the repository declares, so local and image installs can differ.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN npm install -g pnpm@10.6.5
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// RUN corepack enable && corepack prepare pnpm@10.6.5 --activate
    /// ```
    /// with the version taken from `packageManager`.
    ///
    /// ## Roadmap reference
    /// F9; A1-1, A1-2.
    pub static PNPM_GLOBAL_INSTALL = {
        slug: "pnpm-global-install",
        severity: Low,
        summary: "pnpm installed with npm install -g instead of corepack, or pinned to another version",
        fixable: true,
        check: check,
    };
}

/// `pnpm@10.6.5+sha512.…` → `10.6.5`.
fn version_of(spec: &str) -> Option<&str> {
    let v = spec.split_once('@')?.1;
    Some(v.split('+').next().unwrap_or(v))
}

/// Where to add `"packageManager": "pnpm@V"`: the manifest the image installs
/// (else the repository's), just before its closing brace.
fn add_package_manager(
    p: &Project,
    image: &crate::project::Image,
    v: &str,
) -> Option<(std::path::PathBuf, usize, String)> {
    let m = image
        .installs
        .iter()
        .flat_map(|i| &i.manifests)
        .map(|m| m.manifest)
        .next()
        .or(p.repos[image.repo].manifest)?;
    let mf = &p.manifests[m];
    let text = p.text(mf.file);
    let close = mf.value.span.end.checked_sub(1)?;
    if text.as_bytes().get(close) != Some(&b'}') {
        return None;
    }
    let body = text[..close].trim_end();
    let at = body.len();
    let indent = text[mf.value.span.start..close]
        .lines()
        .nth(1)
        .map(|l| &l[..l.len() - l.trim_start().len()])
        .filter(|i| !i.is_empty())
        .unwrap_or("  ")
        .to_string();
    let comma = if body.ends_with('{') { "" } else { "," };
    Some((
        mf.path.clone(),
        at,
        format!("{comma}\n{indent}\"packageManager\": \"pnpm@{v}\""),
    ))
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let df = &p.dockerfiles[image.dockerfile];
        let pm = p
            .package_manager(image)
            .filter(|(_, s)| s.value.starts_with("pnpm@"));
        let wanted = pm.and_then(|(_, s)| version_of(&s.value));
        let pm_label = pm.map(|(m, s)| {
            Label::new(
                p.manifests[m].file,
                s.span,
                "`packageManager` declared here",
            )
        });
        let pm_file = pm.map(|(m, _)| rel(&p.manifests[m].path, &image.context));
        let config = &p.repos[image.repo].config;
        let text = p.text(df.file);
        for (n, ins) in df
            .value
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.kind == Kind::Run)
        {
            for cmd in ins.commands(df.value.escape) {
                let global = invocation(&cmd)
                    .and_then(|inv| Some((inv.manager, global_pnpm_install(&inv)?.clone())));
                if let Some((manager, word)) = global {
                    let pinned = version_of(&word.text);
                    let detail = match (pinned, wanted) {
                        (Some(a), Some(b)) if a != b => {
                            format!(", and pins pnpm {a} while `packageManager` says {b}")
                        }
                        (_, Some(b)) => {
                            format!("; corepack would use pnpm {b} from `packageManager`")
                        }
                        (_, None) => "; no `packageManager` field pins the version".to_string(),
                    };
                    let mut f = rule.finding(
                        df.file,
                        command_span(&cmd),
                        format!("installs pnpm with {}", manager.name()),
                        format!(
                            "`{}` downloads pnpm from the registry on every build instead of using corepack{detail}",
                            command_text(&cmd)
                        ),
                    );
                    if let Some(l) = &pm_label {
                        f = f.with_label(l.clone());
                    }
                    // A1: corepack with the version of `packageManager` (else the pinned one;
                    // with neither, no fix: it would be a guess).
                    let fix = wanted.or(pinned).map(|v| {
                        let span = command_span(&cmd);
                        let mut fix = Fix::new(
                            Applicability::Unsafe,
                            format!("install pnpm {v} with corepack"),
                        )
                        .edit(
                            &df.path,
                            Edit::replace(
                                span.start,
                                span.end,
                                format!("corepack enable && corepack prepare pnpm@{v} --activate"),
                            ),
                        );
                        // The environment a private corepack mirror needs, set once before the step.
                        let env = df.value.environment_before(n);
                        let missing: Vec<String> = config
                            .corepack
                            .env
                            .iter()
                            .filter(|(k, v)| env.vars.get(*k) != Some(*v))
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect();
                        if !missing.is_empty() {
                            let (ls, _) = line_range(text, ins.span.start);
                            fix = fix.edit(
                                &df.path,
                                Edit::insert(ls, format!("ENV {}\n", missing.join(" "))),
                            );
                        }
                        // No `packageManager` yet: pin the version there too.
                        if wanted.is_none() {
                            if let Some((path, at, text)) = add_package_manager(p, image, v) {
                                fix = fix.edit(&path, Edit::insert(at, text));
                                fix.message.push_str(" and record it as `packageManager`");
                            }
                        }
                        fix
                    });
                    out.push(f.with_fix(fix));
                    continue;
                }
                if let (Some(word), Some(b)) = (corepack_pnpm(&cmd), wanted) {
                    if let Some(a) = version_of(&word.text).filter(|a| *a != b) {
                        let mut f = rule.finding(
                            df.file,
                            word.span,
                            format!("pnpm {a}, not {b}"),
                            format!(
                                "the image activates pnpm {a} but `{}` declares `packageManager` pnpm@{b}",
                                pm_file.as_deref().unwrap_or("package.json")
                            ),
                        );
                        if let Some(l) = &pm_label {
                            f = f.with_label(l.clone());
                        }
                        let fix = Fix::new(
                            Applicability::Unsafe,
                            format!("activate pnpm {b} as `packageManager` says"),
                        )
                        .edit(
                            &df.path,
                            Edit::replace(word.span.start, word.span.end, format!("pnpm@{b}")),
                        );
                        out.push(f.with_fix(Some(fix)));
                    }
                }
            }
        }
    }
}
