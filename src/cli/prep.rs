use std::path::PathBuf;

use super::{exit, Failure};
use dockprep::paths::display_path;
use dockprep::prep::apply::{self, PrepError};
use dockprep::prep::plan::{plan, Plan, PlanOptions};

/// The hermetic fallback (roadmap Phase B, replaces docker-prep.sh): pack private-scope deps into .docker-deps/, rewrite package.json to them
///
/// Packs the private-scope packages the repository depends on, from the
/// sibling workspace, and rewrites its `package.json` files to the tarballs.
///
/// Use this ONLY when the private registry is down or unreachable, or when a
/// Docker build must include uncommitted changes of the sibling workspace.
/// For normal builds use `dockprep build` (or `docker compose build`); and
/// `dockprep build --mode tarball` builds with the tarballs without touching
/// any file, which is better than `prep` whenever dockprep runs the build.
///
/// Side effects: creates `.docker-deps/` (gitignored) with the tarballs and a
/// journal of every original byte; backs up each rewritten `package.json` as
/// `package.json.bak`; rewrites private-scope dependencies to
/// `file:<…>/.docker-deps/<tarball>` and pins every transitive one in
/// `pnpm.overrides`; adds `.docker-deps/` and `*.bak` to `.gitignore` when
/// missing (a lasting change). Undo with `dockprep restore`.
///
/// Safety: refuses to run while an earlier rewrite is in place (unless
/// --force, which restores it first); restores automatically on any error,
/// SIGINT, SIGTERM or SIGHUP (unless --keep); with `-- COMMAND` it runs the
/// build and restores afterwards, so nothing is left to forget; `dockprep
/// guard` keeps rewritten manifests out of commits.
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The repository whose manifests to rewrite.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Workspace to pack from (default: the ones `pnpm-workspace.yaml` reaches
    /// outside the repository, `[prep] workspaces` in dockprep.toml, siblings).
    #[arg(long)]
    workspace: Vec<PathBuf>,
    /// Extra private scope (e.g. `@bytelyst`).
    #[arg(long = "private-scope")]
    private_scopes: Vec<String>,
    /// List the packs and rewrites; change nothing (B1).
    #[arg(long)]
    dry_run: bool,
    /// Restore an earlier rewrite still in place, then prep again (B2).
    #[arg(long)]
    force: bool,
    /// Do not restore on error or signal, nor after COMMAND (B5).
    #[arg(long)]
    keep: bool,
    /// Remove the `pnpm.overrides` entries an earlier prep injected, leaving
    /// the rest of its rewrite (B8: a safety net when a restore is forgotten).
    #[arg(long, conflicts_with_all = ["dry_run", "force", "command"])]
    strip_overrides: bool,
    /// Print the plan or result as JSON.
    #[arg(long)]
    json: bool,
    /// Run this command (e.g. `docker compose build`) in the repository
    /// after the rewrite, then restore whatever its outcome.
    #[arg(last = true, value_name = "COMMAND")]
    command: Vec<String>,
}

pub fn run(a: Args) -> Result<u8, Failure> {
    Ok({
        let root = a.path.clone();
        if a.strip_overrides {
            return match apply::strip_overrides(&root) {
                Ok(changed) => {
                    for c in &changed {
                        println!("stripped injected pnpm.overrides from {c}");
                    }
                    if changed.is_empty() {
                        println!("no injected pnpm.overrides left");
                    }
                    Ok(exit::CLEAN)
                }
                Err(e) => {
                    return Err(Failure::new(exit::FINDINGS, e));
                }
            };
        }
        let start = std::time::Instant::now();
        let opts = PlanOptions {
            root: root.clone(),
            workspaces: a.workspace.clone(),
            private_scopes: a.private_scopes.clone(),
            search: Vec::new(),
            only: Vec::new(),
            read_cache: Default::default(),
        };
        let in_place = apply::in_place(&root);
        if !in_place.is_empty() {
            if !a.force || a.dry_run {
                return Err(Failure::new(
                    exit::FINDINGS,
                    format!("{}", PrepError::InPlace(in_place)),
                ));
            }
            match apply::restore(&root, false) {
                Ok(r) => eprintln!(
                    "--force: restored the earlier rewrite ({} files back, {} removed)",
                    r.restored.len(),
                    r.removed.len()
                ),
                Err(e) => {
                    return Err(Failure::new(
                        exit::FINDINGS,
                        format!("--force could not restore the earlier rewrite: {e}"),
                    ));
                }
            }
        }
        let p = match plan(&opts) {
            Ok(p) => p,
            Err(e) => {
                return Err(Failure::new(exit::FINDINGS, e));
            }
        };
        let gitignore = apply::missing_gitignore(&p.root);
        if a.dry_run {
            print_plan(&p, &gitignore, a.json, true);
            return Ok(exit::CLEAN);
        }
        if p.rewrites.is_empty() {
            print_plan(&p, &gitignore, a.json, false);
            eprintln!(
            "nothing to prep: no manifest depends on a private-scope package a workspace provides"
        );
            return Ok(exit::CLEAN);
        }
        if let Err(e) = dockprep::prep::restore_on_signals(p.root.clone(), a.keep, restore_and_exit)
        {
            return Err(Failure::new(
                exit::FINDINGS,
                format!("cannot watch for signals: {e}"),
            ));
        }
        let result = apply::ensure_gitignore(&p.root).and_then(|_| {
            apply::apply(&p, &mut |n, what| {
                crash_point(n, what);
            })
        });
        if let Err(e) = result {
            restore_and_exit(
                &p.root,
                a.keep,
                &format!("error: {e}"),
                exit::FINDINGS.into(),
            );
        }
        print_plan(&p, &gitignore, a.json, false);
        if a.command.is_empty() {
            eprintln!(
                "prepared in {:.1} ms; build now, then run `dockprep restore{}`",
                start.elapsed().as_secs_f64() * 1000.0,
                if root == std::path::Path::new(".") {
                    String::new()
                } else {
                    format!(" {}", display_path(&root))
                }
            );
            return Ok(exit::CLEAN);
        }
        eprintln!("running: {}", a.command.join(" "));
        let code = match dockprep::prep::run_command(&p.root, &a.command) {
            Ok(c) => c,
            Err(e) => {
                restore_and_exit(
                    &p.root,
                    a.keep,
                    &format!("error: cannot run `{}`: {e}", a.command[0]),
                    exit::FINDINGS.into(),
                );
            }
        };
        if a.keep {
            eprintln!(
                "`{}` exited with {code}; the rewrite stays (--keep)",
                a.command[0]
            );
            return Ok(u8::try_from(code).unwrap_or(exit::FINDINGS));
        }
        match apply::restore(&p.root, false) {
            Ok(r) => eprintln!(
                "`{}` exited with {code}; restored ({} files back, {} removed)",
                a.command[0],
                r.restored.len(),
                r.removed.len()
            ),
            Err(e) => {
                return Err(Failure::new(
                    exit::FINDINGS,
                    format!("restore after `{}` failed: {e}", a.command[0]),
                ));
            }
        }
        u8::try_from(code).unwrap_or(exit::FINDINGS)
    })
}

/// Test hook (debug builds only): `DOCKPREP_TEST_CRASH_AFTER=N` kills the
/// process, with no cleanup at all, right after write step N.
fn crash_point(n: usize, what: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("DOCKPREP_TEST_CRASH_AFTER").is_ok_and(|v| v == n.to_string()) {
        eprintln!("DOCKPREP_TEST_CRASH_AFTER: dying after step {n} ({what})");
        std::process::abort();
    }
    let _ = (n, what);
}

fn print_plan(p: &Plan, gitignore: &[&str], json: bool, dry: bool) {
    if json {
        let v = serde_json::json!({
            "dryRun": dry,
            "root": display_path(&p.root),
            "workspaces": p.workspaces.iter().map(|w| display_path(w)).collect::<Vec<_>>(),
            "tarballs": p.tarballs.iter().map(|t| serde_json::json!({
                "name": t.name, "version": t.version, "path": t.path, "files": t.files,
                "size": t.bytes.len(), "integrity": t.integrity, "source": display_path(&t.source),
            })).collect::<Vec<_>>(),
            "rewrites": p.rewrites.iter().map(|r| serde_json::json!({
                "path": r.path,
                "dependencies": r.dependencies.iter().map(|(n, o, s)| serde_json::json!({"name": n, "from": o, "to": s})).collect::<Vec<_>>(),
                "overrides": r.overrides,
            })).collect::<Vec<_>>(),
            "gitignoreAdded": gitignore,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return;
    }
    let verb = if dry { "would " } else { "" };
    for t in &p.tarballs {
        println!(
            "{verb}pack  {}@{} → {} ({} files, {} B) from {}",
            t.name,
            t.version,
            t.path,
            t.files,
            t.bytes.len(),
            display_path(&t.source)
        );
    }
    for r in &p.rewrites {
        println!("{verb}rewrite  {} (backup {}.bak)", r.path, r.path);
        for (n, o, s) in &r.dependencies {
            println!("    {n}: {o} → {s}");
        }
        if !r.overrides.is_empty() {
            println!("    pnpm.overrides: {}", r.overrides.join(", "));
        }
    }
    for l in gitignore {
        println!("{verb}add to .gitignore  {l}");
    }
}

/// Ends the process with `code` after restoring (unless `keep`), holding the
/// prep's write lock to the end so no further prep step can run.
fn restore_and_exit(root: &std::path::Path, keep: bool, why: &str, code: i32) -> ! {
    let (_writing, ending) = apply::restore_for_exit(root, keep);
    eprintln!("{}", ending.describe(why));
    std::process::exit(code)
}
