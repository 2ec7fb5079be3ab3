use super::common::{command_span, command_text, install_dir};
use super::{declare_rule, Finding, Label, Rule};
use crate::project::copies::{self, Receives};
use crate::project::install::{covers, invocation, normalize_abs, Invocation, Manager};
use crate::project::{Image, Install, Project};
use crate::syntax::Span;

declare_rule! {
    /// ## What it does
    /// Reports an install that refuses to run without a lockfile while no
    /// lockfile reaches it: `pnpm install --frozen-lockfile` (`pnpm i`, and
    /// `pnpm fetch`, which reads only the lockfile), `npm ci`
    /// (`clean-install`, `ic`, …) and `yarn install --frozen-lockfile` /
    /// `--immutable`, when no `COPY`/`ADD` of that stage (or of the stages it is
    /// built from) puts `pnpm-lock.yaml` / `package-lock.json` or
    /// `npm-shrinkwrap.json` / `yarn.lock` into the install's directory or one
    /// of its parents before the step, and no bind mount on the step provides
    /// it. A lockfile the image's `.dockerignore` excludes does not count (the
    /// same matcher BuildKit uses decides). The install's directory is the
    /// `WORKDIR`, moved by a `cd` earlier in the same `RUN` and by
    /// `--dir`/`-C` (pnpm), `--prefix` (npm) or `--cwd` (yarn).
    ///
    /// pnpm turns `--frozen-lockfile` on by itself in CI: a plain
    /// `pnpm install` counts when `CI` is set (`ENV CI=true`, an `ARG CI` with
    /// a value, or `CI=true pnpm install`), unless the step says
    /// `--no-frozen-lockfile`, `--frozen-lockfile=false` or `--lockfile=false`.
    ///
    /// ## Why is this bad
    /// The step fails on every build (`ERR_PNPM_NO_LOCKFILE`, `npm ci` "can
    /// only install with an existing package-lock.json"), or, where the
    /// lockfile comes in later, the cache of every layer before it is
    /// wasted on a build that cannot succeed.
    ///
    /// ## Example
    /// ```dockerfile
    /// WORKDIR /app
    /// COPY package.json ./
    /// RUN pnpm install --frozen-lockfile
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// WORKDIR /app
    /// COPY package.json pnpm-lock.yaml ./
    /// RUN pnpm install --frozen-lockfile
    /// ```
    /// and remove the lockfile from the `.dockerignore` (`lockfile-ignored`
    /// fixes that). Where no lockfile can be used yet (the A3 decision),
    /// install with `--lockfile=false` instead.
    ///
    /// ## Roadmap reference
    /// F1, F2; A0-2, A3 (lockfile policy), A6-2.
    pub static FROZEN_LOCKFILE_WITHOUT_LOCKFILE = {
        slug: "frozen-lockfile-without-lockfile",
        severity: High,
        summary: "a frozen-lockfile install with no lockfile copied into its stage",
        what: "`--frozen-lockfile`/`npm ci` with no lockfile copied in (or it is ignored)",
        roadmap_id: "A3",
        check: check,
    };
}

/// The lockfiles a frozen install needs, and why it is frozen; `None` when it is not.
fn frozen(
    inv: &Invocation<'_>,
    cmd: &crate::syntax::shell::SimpleCommand,
    env: &crate::syntax::dockerfile::Environment,
) -> Option<(&'static [&'static str], &'static str)> {
    let sub = inv.subcommand.map(|w| w.text.as_str());
    match inv.manager {
        Manager::Pnpm => {
            if sub == Some("fetch") {
                return Some((&["pnpm-lock.yaml"], "`pnpm fetch` reads only the lockfile"));
            }
            if !matches!(sub, Some("install" | "i")) {
                return None;
            }
            let off = inv.has_flag(&["--no-frozen-lockfile", "--no-lockfile"])
                || inv.flag_value("--frozen-lockfile") == Some("false")
                || inv.flag_value("--lockfile") == Some("false");
            if off {
                return None;
            }
            if inv.has_flag(&["--frozen-lockfile"]) {
                return Some((&["pnpm-lock.yaml"], "`--frozen-lockfile`"));
            }
            let truthy = |v: &str| !v.is_empty() && v != "false" && v != "0";
            let inline = cmd
                .words
                .iter()
                .take_while(|w| w.span.start < inv.program.span.start)
                .any(|w| w.text.strip_prefix("CI=").is_some_and(truthy));
            let ci = inline || env.vars.get("CI").is_some_and(|v| truthy(v));
            ci.then_some((
                &["pnpm-lock.yaml"][..],
                "`CI` is set, so pnpm installs with a frozen lockfile",
            ))
        }
        Manager::Npm => matches!(
            sub,
            Some("ci" | "clean-install" | "ic" | "install-clean" | "isntall-clean")
        )
        .then_some((
            &["package-lock.json", "npm-shrinkwrap.json"][..],
            "`npm ci` installs only from one",
        )),
        Manager::Yarn => (matches!(sub, None | Some("install"))
            && inv.has_flag(&["--frozen-lockfile", "--immutable"]))
        .then_some((&["yarn.lock"][..], "a frozen yarn install")),
    }
}

/// What the search for a lockfile found.
#[derive(Default)]
struct Search {
    found: bool,
    /// Lockfiles a `COPY` would bring but the `.dockerignore` excludes:
    /// (path relative to the context, pattern span).
    excluded: Vec<(String, Span)>,
}

/// Looks for `target` (an absolute path in the image) among what the stage's
/// `COPY`/`ADD` instructions (the model's [`copies`] answer) and the step's
/// bind mounts bring in.
fn provides(
    p: &Project,
    image: &Image,
    inst: &Install,
    steps: &[copies::CopyStep<'_>],
    target: &str,
    s: &mut Search,
) {
    let df = &p.dockerfiles[image.dockerfile].value;
    let run = &df.instructions[inst.instruction];
    let env_run = df.environment_before(inst.instruction);
    for m in run.mounts.iter().filter(|m| m.kind() == "bind") {
        if let Some(t) = m.get("target") {
            let t = normalize_abs(&env_run.expand(&t.value), env_run.workdir.as_deref());
            if covers(&t, target) {
                s.found = true;
            }
        }
    }
    match copies::receives(steps, target) {
        Receives::File { .. } | Receives::Maybe { .. } => s.found = true,
        Receives::Excluded(e) => s.excluded.extend(
            e.into_iter()
                .map(|(_, r, pat)| (r, pat.span.clone().into())),
        ),
        Receives::No => {}
    }
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let df = &p.dockerfiles[image.dockerfile];
        for inst in &image.installs {
            let Some(inv) = invocation(&inst.command) else {
                continue;
            };
            let env = df.value.environment_before(inst.instruction);
            let Some((names, why)) = frozen(&inv, &inst.command, &env) else {
                continue;
            };
            let dir = install_dir(p, image, inst, &inv);
            // The install's directory and its parents.
            let mut dirs = vec![dir.clone()];
            let mut d = dir.as_str();
            while let Some((parent, _)) = d.rsplit_once('/') {
                dirs.push(if parent.is_empty() {
                    "/".into()
                } else {
                    parent.into()
                });
                d = parent;
            }
            dirs.dedup();
            let mut search = Search::default();
            let steps: Vec<_> = p.copies_before(image, inst.instruction).collect();
            for dir in &dirs {
                for name in names {
                    let target = format!("{}/{name}", dir.trim_end_matches('/'));
                    provides(p, image, inst, &steps, &target, &mut search);
                }
            }
            if search.found {
                continue;
            }
            let wanted = names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(" or ");
            let cmd = command_text(&inst.command);
            let (label, message) = match search.excluded.first() {
                Some((r, _)) => (
                    format!("no {wanted}: the `.dockerignore` excludes it"),
                    format!(
                        "`{cmd}` needs a lockfile ({why}), but the `.dockerignore` of this image excludes `{r}`, so the `COPY` that names it brings nothing and the install fails"
                    ),
                ),
                None => (
                    format!("no {wanted} in `{dir}` or above"),
                    format!(
                        "`{cmd}` needs a lockfile ({why}), but no `COPY` before it puts {wanted} into `{dir}` or a parent directory, so the install fails; copy the lockfile with the manifest"
                    ),
                ),
            };
            let mut f = rule.finding(df.file, command_span(&inst.command), label, message);
            if let Some(di) = image.dockerignore {
                for (r, span) in &search.excluded {
                    f = f.with_label(Label::new(
                        p.dockerignores[di].file,
                        *span,
                        format!("excludes `{r}`"),
                    ));
                }
            }
            out.push(f);
        }
    }
}
