use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{exit, Failure};
use dockprep::lockfile::{self, registry::Registry};
use dockprep::syntax::npmrc::{EntryKind, Npmrc};

/// Write the Docker-only workspace and lockfile (roadmap A3 option 2) for a
/// repository whose pnpm workspace reaches outside its build context, so the
/// images can install with `pnpm install --frozen-lockfile`.
///
/// Writes `docker/pnpm-workspace.yaml` (the dev workspace without the
/// out-of-context globs), `docker/pnpm-lock.yaml` (the dev lockfile's
/// resolutions, with each sibling workspace package as a registry package at
/// its version and published integrity) and `docker/dockprep-lock.json`
/// (hashes of the inputs, for `--check`). Then `dockprep fix` switches the
/// install steps to `--frozen-lockfile` with these files in the deps layer.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The repository (the directory holding pnpm-workspace.yaml and pnpm-lock.yaml).
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Only check that the Docker lockfile matches its inputs (no network);
    /// exit 1 when it is stale.
    #[arg(long, conflicts_with = "adr")]
    check: bool,
    /// Also write docs/decisions/0001-docker-lockfile-policy.md with both
    /// options measured by `dockprep bench` (needs a Docker engine).
    #[arg(long)]
    adr: bool,
    /// Compose service to measure for the ADR (default: the first that installs with pnpm).
    #[arg(long, value_name = "SERVICE", requires = "adr")]
    service: Option<String>,
    /// Build flags for the ADR's `dockprep bench` runs, after `--`
    /// (e.g. `-- --network host`).
    #[arg(last = true, value_name = "BENCH FLAGS", requires = "adr")]
    bench_flags: Vec<String>,
    /// The registry the sibling packages are published to (default:
    /// $DOCKPREP_REGISTRY_URL, else the scope's registry in the repository's .npmrc).
    #[arg(long, value_name = "URL")]
    registry: Option<String>,
    /// A file holding the registry token (default: $DOCKPREP_TOKEN_FILE, else
    /// the variable the .npmrc's `_authToken` names).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<u8, Failure> {
    Ok({
        if a.check {
            return check(&a.path);
        }
        let started = Instant::now();
        let plan = match lockfile::plan(&a.path) {
            Ok(p) => p,
            Err(e) => {
                return Err(Failure::usage(e));
            }
        };
        let reached = match plan.reached() {
            Ok(r) => r,
            Err(e) => {
                return Err(Failure::usage(e));
            }
        };
        let scope = reached
            .first()
            .and_then(|e| dockprep::syntax::package_json::scope_of(&e.name).map(str::to_string));
        let (url, token) = match registry_for(&a, scope.as_deref()) {
            Ok(r) => r,
            Err(e) => {
                return Err(Failure::usage(e));
            }
        };
        let registry = Registry::new(&url, token);
        let out = match lockfile::generate(&plan, &registry) {
            Ok(o) => o,
            Err(e) => {
                return Err(Failure::usage(e));
            }
        };
        if let Err(e) = lockfile::write(&a.path, &out) {
            return Err(Failure::usage(e));
        }
        println!(
            "wrote {} and {} ({} importers; {} sibling packages from {}), {} in {:.0} ms",
            lockfile::LOCK,
            lockfile::WORKSPACE,
            out.importers.len(),
            out.externals.len(),
            registry.shown,
            lockfile::RECORD,
            started.elapsed().as_secs_f64() * 1000.0
        );
        for e in &out.externals {
            println!("  {}@{}  (was {})", e.name, e.version, e.importer);
        }
        println!(
        "next: `dockprep fix {}` switches the install steps to `--frozen-lockfile`; run `dockprep lockfile --check` in CI",
        a.path.display()
    );
        if a.adr {
            return Ok(super::lockfile_adr::write(
                &a.path,
                a.service.as_deref(),
                &a.bench_flags,
                &out,
            ));
        }
        exit::CLEAN
    })
}

fn check(root: &Path) -> Result<u8, Failure> {
    Ok(match lockfile::check(root) {
        Ok(None) => {
            println!("{}: up to date", lockfile::LOCK);
            exit::CLEAN
        }
        Ok(Some(stale)) => {
            println!("{}: stale", lockfile::LOCK);
            for (file, why) in &stale.changes {
                println!("  {file}: {why}");
            }
            println!("run `dockprep lockfile` to write it again");
            exit::FINDINGS
        }
        Err(e) => return Err(Failure::usage(e)),
    })
}

/// `${VAR}` in an .npmrc value, from the environment.
fn expand(value: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else {
            out.push_str(&rest[i..]);
            return Ok(out);
        };
        let var = &rest[i + 2..i + j];
        let var = var.split(':').next().unwrap_or(var);
        match std::env::var(var) {
            Ok(v) => out.push_str(&v),
            Err(_) => return Err(format!("${{{var}}} is not set")),
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The registry URL and token: flags, then the testbed/CI variables, then
/// the repository's .npmrc.
fn registry_for(a: &Args, scope: Option<&str>) -> Result<(String, Option<String>), String> {
    let npmrc = std::fs::read_to_string(a.path.join(".npmrc"))
        .ok()
        .map(|t| Npmrc::parse(&t));
    let (url, from) = match (&a.registry, std::env::var("DOCKPREP_REGISTRY_URL").ok()) {
        (Some(u), _) => (u.clone(), "--registry".to_string()),
        (None, Some(u)) if !u.is_empty() => (u, "$DOCKPREP_REGISTRY_URL".to_string()),
        _ => {
            let from_rc = npmrc.as_ref().and_then(|rc| {
                rc.entries.iter().find_map(|e| match &e.kind {
                    EntryKind::ScopeRegistry { scope: s }
                        if Some(s.as_str()) == scope.map(|x| x.trim_start_matches('@')) =>
                    {
                        Some(e.value.value.clone())
                    }
                    _ => None,
                })
            });
            let Some(u) = from_rc else {
                return Err(format!(
                    "no registry for {}: pass --registry, set DOCKPREP_REGISTRY_URL, or add `{}:registry=` to {}",
                    scope.unwrap_or("the sibling packages"),
                    scope.unwrap_or("@scope"),
                    a.path.join(".npmrc").display()
                ));
            };
            let rc = a.path.join(".npmrc").display().to_string();
            let u = expand(&u).map_err(|e| format!("{rc}: the registry URL: {e}"))?;
            (u, rc)
        }
    };
    // Not quoted: a malformed URL may hold a password (`user:pw@host:1`).
    let web = url::Url::parse(url.trim())
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
    if !web {
        return Err(format!(
            "{from}: the registry URL is not an http(s) URL with a host"
        ));
    }
    let token_file = a
        .token_file
        .clone()
        .or_else(|| std::env::var_os("DOCKPREP_TOKEN_FILE").map(PathBuf::from));
    let token = match token_file {
        Some(f) => Some(
            std::fs::read_to_string(&f)
                .map_err(|e| format!("{}: {e}", f.display()))?
                .trim()
                .to_string(),
        ),
        None => npmrc.as_ref().and_then(|rc| {
            rc.entries.iter().find_map(|e| match &e.kind {
                EntryKind::Auth { prefix, key }
                    if key == "_authToken"
                        && url.contains(prefix.trim_start_matches('/').trim_end_matches('/')) =>
                {
                    expand(&e.value.value).ok()
                }
                _ => None,
            })
        }),
    };
    Ok((url, token.filter(|t| !t.is_empty())))
}
