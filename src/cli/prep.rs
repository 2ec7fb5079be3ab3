use std::path::PathBuf;

use super::{exit, Failure};
use dockprep::paths::display_path;
use dockprep::prep::apply::{self, PrepError};
use dockprep::prep::lock::RepoLock;
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
/// Safety: one prep or restore at a time per repository (a second one waits,
/// or fails with --no-wait); refuses to run while an earlier rewrite is in
/// place (unless --force, which restores it first); refuses to write through
/// a symbolic link or outside the repository; restores automatically on any error,
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
    /// Fail at once when another prep or restore of the repository is
    /// running, instead of waiting for it.
    #[arg(long)]
    no_wait: bool,
    /// Run this command (e.g. `docker compose build`) in the repository
    /// after the rewrite, then restore whatever its outcome.
    #[arg(last = true, value_name = "COMMAND")]
    command: Vec<String>,
}

pub fn run(a: Args) -> Result<u8, Failure> {
    let root = a.path.clone();
    if a.dry_run {
        // Writes nothing, so it takes no lock.
        refuse_in_place(&root)?;
        let p = plan(&plan_options(&a)).map_err(|e| Failure::new(exit::FINDINGS, e))?;
        print_plan(&p, &apply::missing_gitignore(&p.root), a.json, true);
        return Ok(exit::CLEAN);
    }
    // Held to the end (and, on a signal or an error, until the process exits).
    let lock = take_lock(&root, a.no_wait)?;
    if a.strip_overrides {
        let changed =
            apply::strip_overrides(&root, &lock).map_err(|e| Failure::new(exit::FINDINGS, e))?;
        for c in &changed {
            println!("stripped injected pnpm.overrides from {c}");
        }
        if changed.is_empty() {
            println!("no injected pnpm.overrides left");
        }
        return Ok(exit::CLEAN);
    }
    let start = std::time::Instant::now();
    // Looked at under the lock: what another prep or restore did while this
    // one waited counts.
    if a.force {
        if !apply::in_place(&root).is_empty() {
            let r = apply::restore(&root, &lock, false, &mut |_, _| {}).map_err(|e| {
                Failure::new(
                    exit::FINDINGS,
                    format!("--force could not restore the earlier rewrite: {e}"),
                )
            })?;
            eprintln!(
                "--force: restored the earlier rewrite ({} files back, {} removed)",
                r.restored.len(),
                r.removed.len()
            );
        }
    } else {
        refuse_in_place(&root)?;
    }
    let p = plan(&plan_options(&a)).map_err(|e| Failure::new(exit::FINDINGS, e))?;
    let gitignore = apply::missing_gitignore(&p.root);
    if p.rewrites.is_empty() {
        print_plan(&p, &gitignore, a.json, false);
        eprintln!(
            "nothing to prep: no manifest depends on a private-scope package a workspace provides"
        );
        return Ok(exit::CLEAN);
    }
    // Nothing is written yet: a path prep must not write is refused as is.
    apply::check(&p).map_err(|e| Failure::new(exit::FINDINGS, e))?;
    test_point("", 0, "checked");
    if let Err(e) = dockprep::prep::restore_on_signals(p.root.clone(), a.keep, restore_and_exit) {
        return Err(Failure::new(
            exit::FINDINGS,
            format!("cannot watch for signals: {e}"),
        ));
    }
    let result = apply::ensure_gitignore(&p.root).and_then(|_| {
        apply::apply(&p, &lock, &mut |n, what| {
            test_point("", n, what);
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
    match apply::restore(&p.root, &lock, false, &mut |_, _| {}) {
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
    Ok(u8::try_from(code).unwrap_or(exit::FINDINGS))
}

fn plan_options(a: &Args) -> PlanOptions {
    PlanOptions {
        root: a.path.clone(),
        workspaces: a.workspace.clone(),
        private_scopes: a.private_scopes.clone(),
        search: Vec::new(),
        only: Vec::new(),
        read_cache: Default::default(),
    }
}

/// B2: an earlier rewrite still in place is an error (without --force).
fn refuse_in_place(root: &std::path::Path) -> Result<(), Failure> {
    let in_place = apply::in_place(root);
    if in_place.is_empty() {
        return Ok(());
    }
    Err(Failure::new(exit::FINDINGS, PrepError::InPlace(in_place)))
}

/// The repository's lock (see `dockprep::prep::lock`): waits for another
/// prep or restore, telling the user, unless `no_wait`.
pub(super) fn take_lock(root: &std::path::Path, no_wait: bool) -> Result<RepoLock, Failure> {
    RepoLock::acquire(root, !no_wait, &mut || {
        eprintln!(
            "waiting for another dockprep prep or restore in {} to finish (--no-wait: fail instead)",
            display_path(root)
        );
    })
    .map_err(|e| Failure::new(exit::FINDINGS, e))
}

/// Test hooks (debug builds only), after write step `n` (0: everything
/// checked, nothing written) of a prep (`kind` "") or a restore (`kind`
/// "RESTORE_"):
/// - `DOCKPREP_TEST_CRASH_{kind}AFTER=N` kills the process, with no cleanup
///   at all;
/// - `DOCKPREP_TEST_PAUSE_{kind}AFTER=N` with `DOCKPREP_TEST_PAUSE_FILE=F`
///   creates `F.paused` and waits (up to a minute) until `F` exists.
pub(super) fn test_point(kind: &str, n: usize, what: &str) {
    #[cfg(debug_assertions)]
    {
        let at = |var: &str| {
            std::env::var(format!("DOCKPREP_TEST_{var}_{kind}AFTER"))
                .is_ok_and(|v| v == n.to_string())
        };
        if at("CRASH") {
            eprintln!("DOCKPREP_TEST_CRASH_{kind}AFTER: dying after step {n} ({what})");
            std::process::abort();
        }
        if let (true, Some(go)) = (at("PAUSE"), std::env::var_os("DOCKPREP_TEST_PAUSE_FILE")) {
            let go = std::path::PathBuf::from(go);
            let mut paused = go.clone().into_os_string();
            paused.push(".paused");
            let _ = std::fs::write(&paused, what);
            let start = std::time::Instant::now();
            while !go.exists() && start.elapsed().as_secs() < 60 {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
    }
    let _ = (kind, n, what);
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
