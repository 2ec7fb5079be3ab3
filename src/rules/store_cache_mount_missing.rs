use super::common::{command_span, command_text, store_mounts, store_word};
use super::{declare_rule, Finding, Rule};
use crate::diagnostics::{Applicability, Edit, Fix};
use crate::project::Project;

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` that installs packages (`pnpm install|i|fetch|add`,
    /// `npm ci|install`, `yarn install`) without any `--mount=type=cache`. The
    /// message and the fix name that package manager's store or cache
    /// directory as it is in effect in that stage: `--store-dir`,
    /// `npm_config_store_dir`, the `.npmrc`'s `store-dir`, `$PNPM_HOME/store`,
    /// `$XDG_DATA_HOME/pnpm/store`, else `~/.local/share/pnpm/store` for the
    /// stage's user (npm: `~/.npm`; yarn: its cache folder). A step that has a
    /// cache mount, but on another directory, is `cache-mount-wrong-target`.
    ///
    /// ## Why is this bad
    /// Without the mount every rebuild that reaches the install step downloads
    /// every package again.
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
        what: "an install `RUN` without a cache mount on the store in effect in that stage",
        roadmap_id: "F10",
        fixable: true,
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
            let Some(sm) = store_mounts(p, image, inst) else {
                continue;
            };
            // A cache mount on another directory is `cache-mount-wrong-target`.
            if sm.covered || !sm.caches.is_empty() {
                continue;
            }
            let store = sm.store();
            let what = store_word(inst.manager);
            let manager = inst.manager.name();
            let label = format!("no cache mount on the {manager} {what}");
            let message = format!(
                "`{}` runs without a BuildKit cache mount on the {manager} {what} (`{store}` in this stage), so every rebuild downloads every package; add `--mount=type=cache,id={manager},target={store}`",
                command_text(&inst.command),
            );
            // The fix: a cache mount on the store, and the `# syntax=` directive
            // unless the builders are air-gapped.
            let config = &p.repos[image.repo].config;
            let text = p.text(df.file);
            let run = &df.value.instructions[inst.instruction];
            let id = match inst.manager {
                crate::project::install::Manager::Pnpm => {
                    config.cache_id(&p.repos[image.repo].root)
                }
                m => m.name().to_string(),
            };
            let after_kw = super::common::after_keyword(text, run);
            let (secret, exports) = secret_mount(p, image, inst);
            let mut fix = Fix::new(
                Applicability::Safe,
                format!("add a cache mount on the {manager} {what}"),
            )
            .edit(
                &df.path,
                Edit::insert(
                    after_kw,
                    format!("--mount=type=cache,id={id},target={store} {secret}"),
                ),
            )
            .edits(&df.path, exports);
            if df.value.syntax.is_none() && config.build.wants_syntax() {
                fix = fix.edit(&df.path, super::common::syntax_directive_edit());
            }
            out.push(
                rule.finding(df.file, command_span(&inst.command), label, message)
                    .with_fix(Some(fix)),
            );
        }
    }
}
