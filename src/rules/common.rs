//! Helpers shared by several rules.

use std::collections::BTreeSet;
use std::path::Path;

use crate::paths::{relative_to, slash};
use crate::project::install::{normalize_abs, Invocation, Manager};
use crate::project::{Image, Install, Project};
use crate::syntax::dockerfile::{Dockerfile, Kind};
use crate::syntax::package_json::Dependency;
use crate::syntax::shell::SimpleCommand;
use crate::syntax::Span;

/// True for a dependency specifier that is resolved through a registry
/// (a semver range, tag or `npm:` alias), not a file, link, workspace or URL.
pub(crate) fn is_registry_spec(spec: &str) -> bool {
    let s = spec.trim();
    !(s.starts_with("file:")
        || s.starts_with("link:")
        || s.starts_with("workspace:")
        || s.starts_with("portal:")
        || s.starts_with("git")
        || s.starts_with("http:")
        || s.starts_with("https:")
        || s.starts_with("github:")
        || s.contains("://")
        || s.starts_with('.')
        || s.starts_with('/'))
}

/// Private-scope dependencies of an install step's manifests that pnpm/npm
/// must fetch from a registry: (manifest index, dependency).
pub(crate) fn private_registry_deps<'p>(
    p: &'p Project,
    install: &Install,
) -> Vec<(usize, &'p Dependency)> {
    let mut out = Vec::new();
    for m in &install.manifests {
        for d in &p.manifests[m.manifest].value.dependencies {
            if p.is_private(&d.name.value)
                && is_registry_spec(&d.spec.value)
                && d.kind != crate::syntax::package_json::DepKind::PeerDependencies
            {
                out.push((m.manifest, d));
            }
        }
    }
    out
}

/// Variables the `.npmrc` files copied into `image` reference.
pub(crate) fn npmrc_vars(p: &Project, image: &Image) -> BTreeSet<String> {
    image
        .npmrcs
        .iter()
        .flat_map(|c| {
            p.npmrcs[c.npmrc]
                .value
                .referenced_vars()
                .map(str::to_string)
        })
        .collect()
}

/// True when `name` is a build argument that carries the registry host.
pub(crate) fn is_registry_arg(p: &Project, npmrc_vars: &BTreeSet<String>, name: &str) -> bool {
    let up = name.to_ascii_uppercase();
    let tokenish = up.contains("TOKEN")
        || up.contains("AUTH")
        || up.contains("PASSWORD")
        || up.contains("SECRET");
    p.host_args.iter().any(|h| h == name)
        || (!tokenish && npmrc_vars.contains(name))
        || (!tokenish && (up.ends_with("NPM_HOST") || up.contains("REGISTRY")))
}

/// Every `ARG` of a Dockerfile: (instruction index, declaration index).
pub(crate) fn arg_decls(df: &Dockerfile) -> impl Iterator<Item = (usize, usize)> + '_ {
    df.instructions
        .iter()
        .enumerate()
        .filter(|(_, i)| i.kind == Kind::Arg)
        .flat_map(|(n, i)| (0..i.decls.len()).map(move |d| (n, d)))
}

/// From the program word to the last word of a command.
pub(crate) fn command_span(cmd: &SimpleCommand) -> Span {
    let argv = cmd.argv();
    match (argv.first(), cmd.words.last()) {
        (Some(a), Some(b)) => a.span.cover(b.span),
        _ => cmd.span(),
    }
}

/// The command's words joined as written (quotes removed).
pub(crate) fn command_text(cmd: &SimpleCommand) -> String {
    cmd.argv()
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `path` relative to `base` for messages, `/`-separated.
pub fn rel(path: &Path, base: &Path) -> String {
    relative_to(path, base).map_or_else(|| slash(path), |r| slash(&r))
}

/// The registry a repository's fixes template, for the given scopes.
pub(crate) fn registry_config(
    p: &Project,
    repo: usize,
    scopes: Vec<String>,
) -> crate::rules::fixes::npmrc_template::RegistryConfig {
    let r = &p.repos[repo].config.registry;
    crate::rules::fixes::npmrc_template::RegistryConfig {
        scopes,
        host_arg: r.host_arg.clone(),
        token_var: r.token_var.clone(),
        port: r.port,
        path: r.path.clone(),
    }
}

/// Where a `RUN` flag goes: right after the keyword and its blanks.
pub(crate) fn after_keyword(text: &str, ins: &crate::syntax::dockerfile::Instruction) -> usize {
    let rest = &text[ins.keyword.end..];
    ins.keyword.end + rest.len() - rest.trim_start_matches([' ', '\t']).len()
}

/// §7.2's token export, inserted before the install command at `at`.
pub(crate) fn token_export(reg: &crate::config::Registry, at: usize) -> crate::diagnostics::Edit {
    crate::diagnostics::Edit::insert(
        at,
        format!(
            "export {}=\"$(cat /run/secrets/{} 2>/dev/null || echo '')\" && ",
            reg.token_var, reg.token_secret
        ),
    )
}

/// The `# syntax=` directive §7.2 starts every Dockerfile with.
pub(crate) const SYNTAX_DIRECTIVE: &str = "# syntax=docker/dockerfile:1.7";

/// The edit that puts [`SYNTAX_DIRECTIVE`] on the first line. Every rule uses
/// this same edit, so the fix engine applies it once when several fixes add it.
pub(crate) fn syntax_directive_edit() -> crate::diagnostics::Edit {
    crate::diagnostics::Edit::insert(0, format!("{SYNTAX_DIRECTIVE}\n"))
}

/// The repository a Dockerfile belongs to (the first image built from it, else
/// the repository that discovered it).
pub(crate) fn repo_of_dockerfile(p: &Project, dockerfile: usize) -> Option<usize> {
    p.repo_of_dockerfile(dockerfile)
}

/// An install step's cache mounts against the store its package manager uses.
pub(crate) struct StoreMounts<'p> {
    /// The store (pnpm) or cache (npm, yarn) directories in effect, first the preferred one.
    pub dirs: Vec<String>,
    /// The step's `--mount=type=cache` options.
    pub caches: Vec<&'p crate::syntax::dockerfile::Mount>,
    /// True when one of `caches` covers one of `dirs`.
    pub covered: bool,
}

impl StoreMounts<'_> {
    /// The store path messages name.
    pub fn store(&self) -> String {
        self.dirs.first().cloned().unwrap_or_default()
    }
}

/// `store` for pnpm, `cache` for npm and yarn.
pub(crate) fn store_word(m: crate::project::install::Manager) -> &'static str {
    if m == crate::project::install::Manager::Pnpm {
        "store"
    } else {
        "cache"
    }
}

/// Where `install` keeps packages in its stage, and its cache mounts.
pub(crate) fn store_mounts<'p>(
    p: &'p Project,
    image: &Image,
    install: &Install,
) -> Option<StoreMounts<'p>> {
    use crate::project::install::{covers, invocation, normalize_abs, store_dirs};
    let inv = invocation(&install.command)?;
    let df = &p.dockerfiles[image.dockerfile];
    let env = df.value.environment_before(install.instruction);
    let rc = install.npmrc.as_ref().map(|c| &p.npmrcs[c.npmrc].value);
    let dirs = store_dirs(&inv, &env, rc);
    let run = &df.value.instructions[install.instruction];
    let caches: Vec<_> = run.mounts.iter().filter(|m| m.kind() == "cache").collect();
    let covered = caches.iter().any(|m| {
        m.get("target")
            .map(|t| normalize_abs(&env.expand(&t.value), env.workdir.as_deref()))
            .is_some_and(|t| dirs.iter().any(|d| covers(&t, d)))
    });
    Some(StoreMounts {
        dirs,
        caches,
        covered,
    })
}

/// `pnpm@10.6.5+sha512.…` → `10.6.5`.
pub(crate) fn version_of(spec: &str) -> Option<&str> {
    let v = spec.split_once('@')?.1;
    Some(v.split('+').next().unwrap_or(v))
}

/// Where to add `"packageManager": "pnpm@V"`: the manifest the image installs
/// (else the repository's), just before its closing brace.
pub(crate) fn add_package_manager(
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

/// The directory the install runs in: `WORKDIR`, an earlier `cd` of the same
/// `RUN`, and the package manager's directory flag.
pub(crate) fn install_dir(
    p: &Project,
    image: &Image,
    inst: &Install,
    inv: &Invocation<'_>,
) -> String {
    let df = &p.dockerfiles[image.dockerfile].value;
    let env = df.environment_before(inst.instruction);
    let mut dir = normalize_abs(env.workdir.as_deref().unwrap_or("/"), None);
    for c in df.instructions[inst.instruction].commands(df.escape) {
        if c.span().start >= inst.command.span().start {
            break;
        }
        let argv = c.argv();
        if argv.first().is_some_and(|w| w.text == "cd") {
            if let Some(to) = argv.get(1) {
                dir = normalize_abs(&env.expand(&to.text), Some(&dir));
            }
        }
    }
    let flag = match inv.manager {
        Manager::Pnpm => inv.flag_value("--dir").or_else(|| inv.flag_value("-C")),
        Manager::Npm => inv.flag_value("--prefix"),
        Manager::Yarn => inv.flag_value("--cwd"),
    };
    match flag {
        Some(f) => normalize_abs(&env.expand(f), Some(&dir)),
        None => dir,
    }
}
