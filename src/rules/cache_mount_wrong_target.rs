use super::common::{command_span, command_text, store_mounts, store_word};
use super::{declare_rule, Finding, Label, Rule};
use crate::diagnostics::{Applicability, Edit, Fix};
use crate::project::Project;

declare_rule! {
    /// ## What it does
    /// Reports a package install step (`pnpm install|i|fetch|add`,
    /// `npm ci|install`, `yarn install`) that has a `--mount=type=cache`, but
    /// none on the directory where that package manager keeps packages in that
    /// stage. For pnpm that is `--store-dir`, else `npm_config_store_dir`, else
    /// the `store-dir` of the `.npmrc` copied into the image, else
    /// `$PNPM_HOME/store` when `PNPM_HOME` is set, else
    /// `$XDG_DATA_HOME/pnpm/store`, else `~/.local/share/pnpm/store` for the
    /// stage's user (`/root` unless `USER` or `HOME` say otherwise). For npm it
    /// is `--cache` / `npm_config_cache` / `~/.npm`; for yarn its cache folder.
    /// A mount on the store or on one of its parents counts; a relative target
    /// is resolved against `WORKDIR`.
    ///
    /// An install step with no cache mount at all is `store-cache-mount-missing`.
    ///
    /// ## Why is this bad
    /// The mount looks right in review but caches nothing: pnpm writes its
    /// store elsewhere, so every rebuild that reaches the step downloads every
    /// package again, and the cache on the builder stays empty.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// ENV PNPM_HOME=/pnpm
    /// RUN --mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store \
    ///     pnpm install --frozen-lockfile
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// RUN --mount=type=cache,id=pnpm,target=/pnpm/store \
    ///     pnpm install --frozen-lockfile
    /// ```
    /// With one cache mount on the step, the fix points its target at the
    /// store in effect (safe: only what is cached changes).
    ///
    /// ## Roadmap reference
    /// F10; A2-2, A2-3 (verify the cache is hit).
    pub static CACHE_MOUNT_WRONG_TARGET = {
        slug: "cache-mount-wrong-target",
        severity: High,
        summary: "a cache mount on an install step that misses the package manager's store",
        what: "the install's cache mount misses the store in effect",
        roadmap_id: "A2-2",
        fixable: true,
        check: check,
    };
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let df = &p.dockerfiles[image.dockerfile];
        for inst in &image.installs {
            let Some(sm) = store_mounts(p, image, inst) else {
                continue;
            };
            if sm.covered || sm.caches.is_empty() {
                continue;
            }
            let store = sm.store();
            let what = store_word(inst.manager);
            let manager = inst.manager.name();
            let targets: Vec<String> = sm
                .caches
                .iter()
                .filter_map(|m| m.get("target"))
                .map(|t| format!("`{}`", t.value))
                .collect();
            let aims = match targets.len() {
                0 => "a cache mount without a target".to_string(),
                1 => format!("a cache mount on {}", targets[0]),
                _ => format!("cache mounts on {}", targets.join(", ")),
            };
            let nothing = if sm.caches.len() == 1 {
                "the mount caches nothing"
            } else {
                "none of them caches it"
            };
            let message = format!(
                "`{}` has {aims}, but the {manager} {what} in this stage is `{store}`: {nothing} and every rebuild downloads every package; mount the cache at `{store}`",
                command_text(&inst.command),
            );
            let mut f = rule.finding(
                df.file,
                command_span(&inst.command),
                format!("the {manager} {what} is `{store}`"),
                message,
            );
            for m in &sm.caches {
                let span = m.get("target").map_or(m.span, |t| t.span);
                f = f.with_label(Label::new(
                    df.file,
                    span,
                    format!("not the {what} `{store}`"),
                ));
            }
            // One cache mount with a target: point it at the store.
            let fix = match sm.caches.as_slice() {
                [m] => m.get("target").map(|t| {
                    Fix::new(
                        Applicability::Safe,
                        format!("point the cache mount at the {what} `{store}`"),
                    )
                    .edit(
                        &df.path,
                        Edit::replace(t.span.start, t.span.end, store.clone()),
                    )
                }),
                _ => None,
            };
            out.push(f.with_fix(fix));
        }
    }
}
