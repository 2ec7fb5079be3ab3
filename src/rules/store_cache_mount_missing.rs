use super::common::{command_span, command_text};
use super::{declare_rule, Finding, Label, Rule};
use crate::fix::{Applicability, Edit, Fix};
use crate::project::install::{covers, invocation, normalize_abs, store_dirs};
use crate::project::Project;

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` that installs packages (`pnpm install|i|fetch|add`,
    /// `npm ci|install`, `yarn install`) without a `--mount=type=cache` whose
    /// target is that package manager's store or cache directory as it is in
    /// effect in that stage: `--store-dir`, `npm_config_store_dir`, the
    /// `.npmrc`'s `store-dir`, `$PNPM_HOME/store`, `$XDG_DATA_HOME/pnpm/store`,
    /// else `~/.local/share/pnpm/store` for the stage's user (npm: `~/.npm`;
    /// yarn: its cache folder).
    ///
    /// ## Why is this bad
    /// Without the mount every rebuild that reaches the install step downloads
    /// every package again. A cache mount on the wrong directory looks right
    /// but caches nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pnpm install --ignore-scripts
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// RUN --mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store \
    ///     pnpm install --ignore-scripts
    /// ```
    ///
    /// ## Roadmap reference
    /// F10; A2-2.
    pub static STORE_CACHE_MOUNT_MISSING = {
        slug: "store-cache-mount-missing",
        severity: High,
        summary: "a package install without a BuildKit cache mount on the package manager's store",
        check: check,
    };
}

/// §7.2's form of the install step: where the `.npmrc` it uses reads the
/// registry token from the environment and no secret is mounted, the token
/// secret mount (`.0`, to follow the cache mount) and its export before the
/// command (`.1`).
fn secret_mount(
    p: &Project,
    image: &crate::project::Image,
    inst: &crate::project::Install,
) -> (String, Vec<Edit>) {
    let df = &p.dockerfiles[image.dockerfile];
    let run = &df.value.instructions[inst.instruction];
    let reg = &p.repos[image.repo].config.registry;
    let reads_token = inst.npmrc.as_ref().is_some_and(|c| {
        p.npmrcs[c.npmrc]
            .value
            .referenced_vars()
            .any(|v| v == reg.token_var)
    });
    if !reads_token || run.mounts.iter().any(|m| m.kind() == "secret") {
        return (String::new(), Vec::new());
    }
    let secret = &reg.token_secret;
    let cmd = command_span(&inst.command);
    (
        format!("--mount=type=secret,id={secret} "),
        vec![super::common::token_export(reg, cmd.start)],
    )
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let df = &p.dockerfiles[image.dockerfile];
        for inst in &image.installs {
            let Some(inv) = invocation(&inst.command) else {
                continue;
            };
            let env = df.value.environment_before(inst.instruction);
            let rc = inst.npmrc.as_ref().map(|c| &p.npmrcs[c.npmrc].value);
            let dirs = store_dirs(&inv, &env, rc);
            let run = &df.value.instructions[inst.instruction];
            let caches: Vec<_> = run.mounts.iter().filter(|m| m.kind() == "cache").collect();
            let covered = caches.iter().any(|m| {
                m.get("target")
                    .map(|t| normalize_abs(&env.expand(&t.value), env.workdir.as_deref()))
                    .is_some_and(|t| dirs.iter().any(|d| covers(&t, d)))
            });
            if covered {
                continue;
            }
            let store = dirs.first().cloned().unwrap_or_default();
            let what = if inst.manager == crate::project::install::Manager::Pnpm {
                "store"
            } else {
                "cache"
            };
            let (label, message) = if caches.is_empty() {
                (
                    format!("no cache mount on the {} {what}", inst.manager.name()),
                    format!(
                        "`{}` runs without a BuildKit cache mount on the {} {what} (`{store}` in this stage), so every rebuild downloads every package; add `--mount=type=cache,id={},target={store}`",
                        command_text(&inst.command),
                        inst.manager.name(),
                        inst.manager.name()
                    ),
                )
            } else {
                (
                    format!("cache mount misses the {} {what}", inst.manager.name()),
                    format!(
                        "`{}` has a cache mount, but not on the {} {what} in effect in this stage (`{store}`): the mount caches nothing",
                        command_text(&inst.command),
                        inst.manager.name()
                    ),
                )
            };
            // The fix: a cache mount on the store (or the right target on the existing one),
            // and the `# syntax=` directive unless the builders are air-gapped.
            let config = &p.repos[image.repo].config;
            let text = p.text(df.file);
            let mut fix = match caches.iter().find_map(|m| m.get("target")) {
                Some(t) if caches.len() == 1 => Fix::new(
                    Applicability::Safe,
                    format!("point the cache mount at the {what} `{store}`"),
                )
                .edit(
                    &df.path,
                    Edit::replace(t.span.start, t.span.end, store.clone()),
                ),
                _ => {
                    let id = match inst.manager {
                        crate::project::install::Manager::Pnpm => {
                            config.cache_id(&p.repos[image.repo].root)
                        }
                        m => m.name().to_string(),
                    };
                    let after_kw = super::common::after_keyword(text, run);
                    Fix::new(
                        Applicability::Safe,
                        format!("add a cache mount on the {} {what}", inst.manager.name()),
                    )
                    .edit(
                        &df.path,
                        Edit::insert(
                            after_kw,
                            format!(
                                "--mount=type=cache,id={id},target={store} {}",
                                secret_mount(p, image, inst).0
                            ),
                        ),
                    )
                    .edits(&df.path, secret_mount(p, image, inst).1)
                }
            };
            if df.value.syntax.is_none() && config.build.wants_syntax() {
                fix = fix.edit(&df.path, super::common::syntax_directive_edit());
            }
            let mut f = rule
                .finding(df.file, command_span(&inst.command), label, message)
                .with_fix(Some(fix));
            for m in caches {
                let span = m.get("target").map_or(m.span, |t| t.span);
                f = f.with_label(Label::new(
                    df.file,
                    span,
                    format!("not the {what} `{store}`"),
                ));
            }
            out.push(f);
        }
    }
}
