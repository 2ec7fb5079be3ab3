//! `dockprep prune`: the subset of a pnpm monorepo that some of its workspace
//! packages need, for a Docker build (like `turbo prune --docker`).
//!
//! # What is kept
//!
//! - **Importers.** The targets, the root importer `.` (always: its entry must
//!   match the root `package.json`), and, transitively, every workspace package
//!   a kept importer links to (`link:` references in *any* dependency field,
//!   dev dependencies of transitive workspace packages included: pnpm's frozen
//!   check compares each kept importer's whole entry with its manifest, so a
//!   kept importer keeps all its dependencies, and a `link:` must point at a
//!   directory that exists). Injected workspace packages (`file:` references
//!   resolving to a `packages` entry with a `directory` resolution, from
//!   `dependenciesMeta.injected` or `injectWorkspacePackages`) keep both their
//!   graph entries and their own importer. Kept importer entries are copied
//!   unchanged (byte-identical), in the lockfile's order.
//! - **The graph.** From every kept importer's references, the closure over
//!   `snapshots` (lockfile v9; `packages` in v6) following `dependencies` and
//!   `optionalDependencies`; each reference keeps its exact peer-resolved
//!   variant (`a@1.0.0(react@18.0.0)`) and `packages` keeps the entry without
//!   the suffixes. Nothing unreachable is kept.
//! - **Settings that pnpm compares with the configuration**, unchanged:
//!   `settings`, `overrides`, `packageExtensionsChecksum` (the workspace file
//!   keeps `packageExtensions`), `ignoredOptionalDependencies`,
//!   `pnpmfileChecksum` (and the pnpmfile is copied: `.pnpmfile.cjs`,
//!   `.pnpmfile.mjs` or what the workspace's `pnpmfile` names), `catalogs`
//!   (whole, see below). Top-level keys dockprep does not know stay too.
//! - **`patchedDependencies`**: only the entries whose `patch_hash` occurs in the
//!   kept graph; the workspace file's `patchedDependencies` is pruned to the same
//!   keys and only their patch files are copied. When patches are configured in
//!   the root `package.json` (`pnpm.patchedDependencies`, pnpm 8/9), that file
//!   is copied unchanged, so every patch entry and file is kept.
//! - **Two-document lockfiles** (pnpm 11 writes an environment lockfile first):
//!   the first document is kept whole, the project document is pruned.
//!
//! # The workspace file
//!
//! `pnpm-workspace.yaml` is the original text with two edits by key path
//! ([`workspace_yaml`]): `packages:` lists exactly the kept importer
//! directories (no globs, so a later `COPY` of more directories cannot change
//! the workspace), and `patchedDependencies` loses the entries of patches not
//! kept. Every other key, comment and quoting style is kept verbatim.
//!
//! # Output layout
//!
//! With `--docker` (turbo's layout):
//! - `OUT/json/`: the root `package.json`, the pruned `pnpm-workspace.yaml` and
//!   `pnpm-lock.yaml`, `.npmrc`, the pnpmfile, the kept patch files, and each
//!   kept package's `package.json` at its path: everything `pnpm install`
//!   reads, for the dependency layer.
//! - `OUT/full/`: the same without the lockfile, plus every file of the kept
//!   package directories and the root directory's top-level files.
//! - `OUT/pnpm-lock.yaml` and `OUT/pnpm-workspace.yaml`.
//!
//! Without `--docker`, `OUT/` holds what `full/` would, plus the lockfile.
//!
//! Files of package directories are copied respecting `.gitignore` files
//! (the root's and those below it), never `node_modules` or `.git`, and
//! never the directories of other workspace packages nested inside (kept ones
//! are copied on their own account). The root contributes only its top-level
//! files (`package.json`, `.npmrc`, `tsconfig*.json`…), not its directories.
//!
//! Each source file is read once and written once; its other copies in the
//! output (`json/` and `full/` hold the same `package.json`; the lockfile and
//! workspace file appear two and three times) are hard links of that one file
//! (a copy where the file system cannot link). Nothing in the output links
//! into the repository. Creating inodes is what a prune spends most of its
//! time on (see docs/benchmarks.md), so this matters.
//!
//! # Catalogs
//!
//! The lockfile's `catalogs` are kept whole, not pruned to the entries kept
//! importers use: pnpm 10 and 11 accept a lockfile catalog entry that no
//! importer uses as long as the workspace file has it with the same specifier
//! (pnpm 11 rejects the opposite, an entry the workspace file lacks), and the
//! pruned workspace file keeps every catalog verbatim.
//!
//! # Not compared
//!
//! The out-of-date check compares dependency specifiers only (as
//! `ERR_PNPM_OUTDATED_LOCKFILE` does for the common cases); `dependenciesMeta`
//! and `publishConfig.directory` changes are left to pnpm's own frozen check,
//! which sees the unchanged importer entries.
//!
//! # Bad input
//!
//! Every error names the file and the entry, with `file:line:column` where
//! the entry has a place: an unsupported lockfile version, a target that is no
//! workspace package, a lockfile out of date with a kept manifest (pnpm's
//! `ERR_PNPM_OUTDATED_LOCKFILE` rules: specifiers of `dependencies`,
//! `devDependencies`, `optionalDependencies`, with the peers that
//! `autoInstallPeers` adds), a reference to a graph entry that is missing.
//!
//! # Atomic output
//!
//! Everything is written into a temporary directory beside `OUT` (same file
//! system), then renamed into place. Every output carries a marker file,
//! `OUT/.dockprep-prune`. An existing `OUT` that is not empty is refused
//! unless `--force`, and even then unless it carries the marker (an earlier
//! prune's output); `--force` swaps the new directory in and only then
//! deletes the old one. A failure leaves `OUT` as it was.
//!
//! `OUT` is compared with the workspace root after both are resolved
//! ([`crate::fsutil::resolve`]: symbolic links followed, `..` applied), so
//! `--out /tmp/../home/me` is known to hold a workspace in `/home/me/w`, and
//! an `OUT` that is or holds the workspace is refused, as is an `OUT` that is
//! a symbolic link. An `OUT` inside the workspace is never searched for
//! packages or copied as a source (an earlier output would be copied into
//! the next).

pub mod output;
pub mod workspace_yaml;

use std::path::PathBuf;

use crate::syntax::pnpm_lock::Lockfile;
pub(crate) use crate::workspace::show;
/// Errors name the file, and the line and column when known (the shared
/// workspace error type).
pub use crate::workspace::Error;
use crate::workspace::{discover, find_root, lock, read_workspace, WorkspaceFiles};

/// How the output is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Everything directly in `OUT/`.
    Full,
    /// `OUT/json/`, `OUT/full/`, `OUT/pnpm-lock.yaml`, `OUT/pnpm-workspace.yaml`.
    Docker,
}

/// What to prune and where to write it.
#[derive(Clone, Debug)]
pub struct Options {
    /// A directory inside the workspace (the root is found upwards).
    pub dir: PathBuf,
    /// Package names, or package directories (relative to the current
    /// directory or to the workspace root).
    pub targets: Vec<String>,
    /// The output directory; `out` in the workspace root when `None`.
    pub out: Option<PathBuf>,
    pub layout: Layout,
    /// Replace an existing, non-empty output directory.
    pub force: bool,
}

/// What a prune kept.
#[derive(Clone, Debug)]
pub struct Summary {
    pub root: PathBuf,
    pub out: PathBuf,
    /// Kept importer ids, in lockfile order.
    pub importers: Vec<String>,
    pub importers_total: usize,
    pub snapshots: usize,
    pub snapshots_total: usize,
    pub packages: usize,
    pub packages_total: usize,
    /// Kept `patchedDependencies` keys.
    pub patches: Vec<String>,
    /// Files written.
    pub files: usize,
    /// Files the lockfile or workspace file names (patches) that do not
    /// exist, so were not copied: `pnpm install` will miss them.
    pub missing: Vec<String>,
    /// When each phase ended, from the start (`--timings`).
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

/// Prunes the workspace at or above `opts.dir` to `opts.targets` and writes
/// the result to the output directory.
pub fn prune(opts: &Options) -> Result<Summary, Error> {
    if opts.targets.is_empty() {
        return Err(Error::Usage("name at least one target package".into()));
    }
    let t0 = std::time::Instant::now();
    let phases = std::cell::RefCell::new(Vec::new());
    let phase = |name: &'static str| phases.borrow_mut().push((name, t0.elapsed()));
    let root = find_root(&opts.dir)?;
    let out = match &opts.out {
        Some(o) => std::path::absolute(o).map_err(|e| Error::io(o, e))?,
        None => root.join("out"),
    };
    let out_dir = output::check_out(&out, &root, opts.force)?;
    // Not searched for packages (its files are an earlier output's).
    let out_in_root = out_dir.in_root.as_ref().map(|r| root.join(r));

    let WorkspaceFiles {
        ws_path,
        ws_text,
        ws,
        lock_path,
        lock_text,
        lock: lockfile,
    } = read_workspace(
        &root,
        "prune needs the workspace's lockfile (run pnpm install)",
    )?;

    phase("parsed");
    let packages = discover::workspace_packages(
        &root,
        &ws,
        &out_in_root.iter().map(PathBuf::as_path).collect::<Vec<_>>(),
    )?;
    phase("discovered");
    let target_dirs = discover::resolve_targets(&root, &packages, &opts.targets, &ws_path)?;

    let input = lock::Input {
        root: &root,
        lock_path: &lock_path,
        lock_text: &lock_text,
        lock: &lockfile,
        packages: &packages,
    };
    let mut kept = lock::closure(&input, &target_dirs)?;
    phase("closure");
    lock::check_fresh(&input, &kept)?;
    phase("fresh");
    let patches = workspace_yaml::PatchConfig::read(&root, &ws_text, &lockfile, &mut kept)?;
    let count = |l: &Lockfile, key: &str| l.project().get_map(key).map_or(0, |m| m.len());
    let graph_key = match lockfile.version {
        crate::syntax::pnpm_lock::LockVersion::V9 => "snapshots",
        crate::syntax::pnpm_lock::LockVersion::V6 => "packages",
    };
    let importers_total = lockfile.importer_ids().len();
    let snapshots_total = count(&lockfile, graph_key);
    let packages_total = count(&lockfile, "packages");
    // The original is not needed any more: prune it in place, no copy.
    let pruned = lock::pruned_lockfile(lockfile, &kept);
    phase("pruned lockfile");
    let ws_pruned = workspace_yaml::prune(&ws_path, &ws_text, &kept.importers, &patches)?;

    phase("pruned workspace");
    let plan = output::Plan::new(
        &out_dir,
        &packages,
        &kept,
        &patches,
        &ws_text,
        pruned.render(),
        ws_pruned,
    )?;
    phase("planned");
    let files = output::write(&plan, &out, opts.layout, opts.force)?;

    phase("written");
    Ok(Summary {
        root,
        out,
        importers: kept.importers.clone(),
        importers_total,
        snapshots: count(&pruned, graph_key),
        snapshots_total,
        packages: count(&pruned, "packages"),
        packages_total,
        patches: patches.kept_keys(),
        files,
        missing: plan.missing.clone(),
        phases: phases.take(),
    })
}
