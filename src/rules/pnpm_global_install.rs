use super::common::{add_package_manager, command_span, command_text, version_of};
use super::{declare_rule, Finding, Label, Rule};
use crate::diagnostics::{line_range, Applicability, Edit, Fix};
use crate::project::install::{global_pnpm_install, invocation};
use crate::project::Project;
use crate::syntax::dockerfile::Kind;

declare_rule! {
    /// ## What it does
    /// Reports pnpm installed with `npm install -g pnpm…` / `npm i -g pnpm…`
    /// (any flag order, `--global` too) or `yarn global add pnpm` instead of
    /// corepack. Only the install method is reported here: a pinned version
    /// that differs from the `packageManager` field (or pins one while the
    /// field is missing) is `pnpm-version-mismatch`.
    ///
    /// ## Why is this bad
    /// The global npm install runs on every build that reaches it (5–10 s) and
    /// downloads pnpm from the registry each time; corepack activates the
    /// version the repository declares in `packageManager`.
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
        summary: "pnpm installed with npm install -g instead of corepack",
        what: "`npm install -g pnpm` (or `yarn global add pnpm`) instead of corepack",
        roadmap_id: "F9",
        fixable: true,
        check: check,
    };
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
                    // A version that differs from `packageManager` is `pnpm-version-mismatch`.
                    let detail = match wanted {
                        Some(b) => format!("; corepack would use pnpm {b} from `packageManager`"),
                        None => "; no `packageManager` field pins the version".to_string(),
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
            }
        }
    }
}
