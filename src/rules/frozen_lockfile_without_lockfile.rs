use std::path::Path;

use super::common::{command_span, command_text, install_dir};
use super::{declare_rule, Finding, Label, Rule};
use crate::project::install::{covers, invocation, normalize_abs, Invocation, Manager};
use crate::project::sources::{clean, relative_to, slash};
use crate::project::{Image, Install, Project};
use crate::syntax::dockerfile::Kind;
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
/// `COPY`/`ADD` instructions and the step's bind mounts bring in.
fn provides(p: &Project, image: &Image, inst: &Install, target: &str, s: &mut Search) {
    let df = &p.dockerfiles[image.dockerfile].value;
    let ignore = image.dockerignore.map(|i| &p.dockerignores[i]);
    let name = target.rsplit('/').next().unwrap_or(target);
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
    let check_file = |file: &Path, s: &mut Search| {
        if !p.tree.has_file(file) {
            return;
        }
        let Some(r) = relative_to(file, &image.context).map(|r| slash(&r)) else {
            return;
        };
        match ignore.and_then(|i| i.value.excluded_by(&r).map(|pat| (i, pat))) {
            Some((_, pat)) => s.excluded.push((r, pat.span.clone().into())),
            None => s.found = true,
        }
    };
    for i in df.lineage(inst.stage, inst.instruction) {
        let ins = &df.instructions[i];
        if !matches!(ins.kind, Kind::Copy | Kind::Add) {
            continue;
        }
        let env = df.environment_before(i);
        let Some(dest) = ins.dest.as_ref() else {
            continue;
        };
        let dest_raw = env.expand(&dest.value);
        let dest_abs = normalize_abs(&dest_raw, env.workdir.as_deref());
        if ins.flag("from").is_some() {
            // From another stage or image: assume it may bring the lockfile.
            if covers(&dest_abs, target) {
                s.found = true;
            }
            continue;
        }
        let dest_names_dir = dest_raw.ends_with('/')
            || dest_raw == "."
            || dest_raw.ends_with("/.")
            || ins.sources.len() > 1;
        for src in &ins.sources {
            if src.value.contains('$') || src.value.contains("://") {
                // Unknown or remote source: assume it may be the lockfile.
                if covers(&dest_abs, target) {
                    s.found = true;
                }
                continue;
            }
            let rel = src.value.trim_start_matches("./").trim_start_matches('/');
            let paths = if rel.contains(['*', '?', '[']) {
                p.tree.expand_glob(&image.context, rel)
            } else {
                vec![clean(&image.context.join(rel))]
            };
            for path in paths {
                if p.tree.has_dir(&path) {
                    if let Some(under) = target
                        .strip_prefix(dest_abs.trim_end_matches('/'))
                        .filter(|r| r.starts_with('/'))
                    {
                        check_file(&path.join(under.trim_start_matches('/')), s);
                    }
                } else if path.file_name().is_some_and(|n| n == name) {
                    let as_file = !dest_names_dir && dest_abs == target;
                    let into_dir = format!("{}/{name}", dest_abs.trim_end_matches('/')) == target;
                    if as_file || into_dir {
                        check_file(&path, s);
                    }
                }
            }
        }
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
            for dir in &dirs {
                for name in names {
                    let target = format!("{}/{name}", dir.trim_end_matches('/'));
                    provides(p, image, inst, &target, &mut search);
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
