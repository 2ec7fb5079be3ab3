//! Writing a prep plan to disk under a journal, and undoing it.
//!
//! Order of writes (each one atomic: temporary file + rename):
//! 1. `.gitignore` gains `.docker-deps/` and `*.bak` when it lacks them (a
//!    lasting change, roadmap B3; not undone by `restore`);
//! 2. the journal (inside `.docker-deps/`; when that directory does not exist,
//!    it is made under a temporary name holding the journal and renamed into
//!    place, so no `.docker-deps/` ever exists without its journal);
//! 3. the tarballs; 4. the backups (`package.json.bak`); 5. the manifests.
//!
//! A process killed after any of these steps leaves a state `restore` undoes
//! byte for byte. Every step holds [`WRITING`], so a signal handler that takes
//! the lock sees the files and the journal agree.
//!
//! Between processes, `prep`, `restore` and `--strip-overrides` take the
//! repository's [`RepoLock`] for their whole run: [`apply`], [`restore`] and
//! [`strip_overrides`] ask for it.
//!
//! Everything prep finds in the repository may be hostile, its journal
//! included: before writing, prep checks every path it is about to write
//! ([`check`]: the shape prep writes, no symbolic link, its directory inside
//! the root); before acting on a journal, restore checks every entry the
//! same way ([`Journal::check`]) and refuses the whole journal otherwise.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::journal::{
    check_deps_dir, has_deps_reference, inside, sha256, shape, shown, Journal, JournalError, Role,
    Unsafe, BACKUP_SUFFIX, JOURNAL,
};
use super::lock::RepoLock;
use super::plan::{Plan, DEPS_DIR};
use crate::fsutil::{write_atomic, TEMP_PREFIX};

/// Held while a file is being written, so a signal handler never restores
/// in the middle of a step.
pub(crate) static WRITING: Mutex<()> = Mutex::new(());

#[derive(Debug, thiserror::Error)]
pub enum PrepError {
    #[error("a previous prep is still in place:\n{}\nrun `dockprep restore` first, or pass --force to restore it and prep again", .0.iter().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n"))]
    InPlace(Vec<String>),
    #[error("{}: {}", .0.display(), .1)]
    Io(PathBuf, std::io::Error),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("{path}: {reason}; prep does not write there")]
    Unsafe {
        /// Relative to the root, quoted and escaped.
        path: String,
        reason: Unsafe,
    },
    #[error("{}: the lock held is not this repository's", .0.display())]
    NotLocked(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("changed since prep rewrote them (restoring would lose those edits; --force restores anyway):\n{}", .0.iter().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n"))]
    Edited(Vec<String>),
    #[error("{}: {}", .0.display(), .1)]
    Io(PathBuf, std::io::Error),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("no prep journal at {}", .0.display())]
    NoJournal(PathBuf),
    #[error("{}: the lock held is not this repository's", .0.display())]
    NotLocked(PathBuf),
}

/// What `restore` did.
#[derive(Debug, Default)]
pub struct Restored {
    /// Files brought back to their original bytes.
    pub restored: Vec<String>,
    /// Files (and directories) prep had created, removed.
    pub removed: Vec<String>,
    /// Things left alone, with the reason.
    pub notes: Vec<String>,
}

impl Restored {
    pub fn is_empty(&self) -> bool {
        self.restored.is_empty() && self.removed.is_empty()
    }
}

/// Lines of `.gitignore` prep needs (roadmap B3).
const GITIGNORE: [(&str, &str, bool); 2] = [
    (".docker-deps/", ".docker-deps", true),
    ("*.bak", "package.json.bak", false),
];

/// The `.gitignore` lines missing at `root` (checked with git's matcher, so
/// `/.docker-deps` or `.docker-deps` count as covering it).
pub fn missing_gitignore(root: &Path) -> Vec<&'static str> {
    let (gi, _) = ignore::gitignore::Gitignore::new(root.join(".gitignore"));
    GITIGNORE
        .iter()
        .filter(|(_, probe, dir)| !gi.matched(root.join(probe), *dir).is_ignore())
        .map(|(line, _, _)| *line)
        .collect()
}

/// Appends the missing lines to `root/.gitignore` (atomically).
pub fn ensure_gitignore(root: &Path) -> Result<Vec<&'static str>, PrepError> {
    let missing = missing_gitignore(root);
    if missing.is_empty() {
        return Ok(missing);
    }
    target(root, &canonical(root)?, ".gitignore", None)?;
    let path = root.join(".gitignore");
    let mut text = std::fs::read(&path).unwrap_or_default();
    if !text.is_empty() && !text.ends_with(b"\n") {
        text.push(b'\n');
    }
    text.extend_from_slice(
        b"# dockprep prep (roadmap B3): tarballs and backups never get committed\n",
    );
    for l in &missing {
        text.extend_from_slice(l.as_bytes());
        text.push(b'\n');
    }
    let _g = lock_writing();
    write_atomic(&path, &text).map_err(|e| PrepError::Io(path.clone(), e))?;
    Ok(missing)
}

fn lock_writing() -> std::sync::MutexGuard<'static, ()> {
    WRITING.lock().unwrap_or_else(|e| e.into_inner())
}

/// What an earlier prep (dockprep's or `docker-prep.sh`'s) left in place.
pub fn in_place(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if root.join(JOURNAL).is_file() {
        out.push(format!("{JOURNAL} (a prep journal)"));
    }
    for f in walk(root) {
        let rel = crate::paths::slash(f.strip_prefix(root).unwrap_or(&f));
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "package.json.bak" {
            out.push(format!("{rel} (a prep backup)"));
        } else if name == "package.json"
            && std::fs::read_to_string(&f).is_ok_and(|t| has_deps_reference(&t))
        {
            out.push(format!("{rel} (references {DEPS_DIR}/ tarballs)"));
        }
    }
    out
}

/// `package.json` and `package.json.bak` files under `root`, outside
/// `node_modules`, `.git` and `.docker-deps`.
fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .filter_entry(|e| {
            let n = e.file_name().to_string_lossy();
            !(e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && (n == "node_modules" || n == ".git" || n == DEPS_DIR))
        })
        .build();
    for e in walker.flatten() {
        let n = e.file_name().to_string_lossy();
        if (n == "package.json" || n == "package.json.bak")
            && e.file_type().is_some_and(|t| t.is_file())
        {
            out.push(e.into_path());
        }
    }
    out.sort();
    out
}

/// Called after every write step with its number (from 1) and a description.
pub type StepHook<'a> = &'a mut dyn FnMut(usize, &str);

/// Checks every path `plan` writes before anything is written: a
/// `.docker-deps` that is a symbolic link, a path of another shape than prep
/// writes (a tarball whose name a hostile version climbs out with), a
/// symbolic link where a file goes, a directory that resolves outside the
/// root: each is refused.
pub fn check(plan: &Plan) -> Result<(), PrepError> {
    let root = &plan.root;
    check_deps_dir(root)?;
    let canonical_root = canonical(root)?;
    let backups: Vec<String> = plan
        .rewrites
        .iter()
        .map(|r| format!("{}{BACKUP_SUFFIX}", r.path))
        .collect();
    let targets = plan
        .tarballs
        .iter()
        .map(|t| (t.path.as_str(), Some(Role::Tarball)))
        .chain(backups.iter().map(|b| (b.as_str(), Some(Role::Backup))))
        .chain(
            plan.rewrites
                .iter()
                .map(|r| (r.path.as_str(), Some(Role::Manifest))),
        )
        .chain((!missing_gitignore(root).is_empty()).then_some((".gitignore", None)));
    for (rel, role) in targets {
        target(root, &canonical_root, rel, role)?;
    }
    Ok(())
}

/// One path prep is about to write (see [`check`]).
fn target(
    root: &Path,
    canonical_root: &Path,
    rel: &str,
    role: Option<Role>,
) -> Result<(), PrepError> {
    let reason = role
        .map_or(Ok(()), |r| shape(rel, r))
        .and_then(|()| inside(canonical_root, root, rel))
        .and_then(|()| {
            let link = root
                .join(rel)
                .symlink_metadata()
                .is_ok_and(|m| m.is_symlink());
            if link {
                Err(Unsafe::Symlink)
            } else {
                Ok(())
            }
        });
    reason.map_err(|reason| PrepError::Unsafe {
        path: shown(rel),
        reason,
    })
}

fn canonical(root: &Path) -> Result<PathBuf, PrepError> {
    std::fs::canonicalize(root).map_err(|e| PrepError::Io(root.to_path_buf(), e))
}

/// Writes the plan under a journal (after [`check`]). On an error the
/// caller restores. `lock` is the root's, held by the caller.
pub fn apply(plan: &Plan, lock: &RepoLock, hook: StepHook) -> Result<Journal, PrepError> {
    let root = &plan.root;
    if !lock.covers(root) {
        return Err(PrepError::NotLocked(root.clone()));
    }
    check(plan)?;
    let deps = root.join(DEPS_DIR);
    let created = !deps.is_dir();
    let mut j = Journal::new(created);
    for t in &plan.tarballs {
        j.record(root, &t.path, Role::Tarball, &t.bytes);
    }
    for r in &plan.rewrites {
        j.record(
            root,
            &format!("{}{BACKUP_SUFFIX}", r.path),
            Role::Backup,
            &r.original,
        );
    }
    for r in &plan.rewrites {
        j.record(root, &r.path, Role::Manifest, &r.rewritten);
        j.overrides.insert(r.path.clone(), r.overrides.clone());
    }
    // Prep writes no journal that restore would refuse.
    j.check(root)?;
    let mut n = 0;
    let mut step = |what: &str| {
        n += 1;
        hook(n, what);
    };
    {
        let _g = lock_writing();
        if created {
            let tmp = tempfile::Builder::new()
                .prefix(TEMP_PREFIX)
                .tempdir_in(root)
                .map_err(|e| PrepError::Io(root.clone(), e))?;
            let jp = tmp
                .path()
                .join(Path::new(JOURNAL).file_name().unwrap_or_default());
            write_atomic(&jp, &j.to_bytes()).map_err(|e| PrepError::Io(jp.clone(), e))?;
            let tmp = tmp.keep();
            std::fs::rename(&tmp, &deps).map_err(|e| PrepError::Io(deps.clone(), e))?;
        } else {
            let jp = Journal::path(root);
            write_atomic(&jp, &j.to_bytes()).map_err(|e| PrepError::Io(jp.clone(), e))?;
        }
    }
    step(JOURNAL);
    for t in &plan.tarballs {
        write_step(&root.join(&t.path), &t.bytes)?;
        step(&t.path);
    }
    for r in &plan.rewrites {
        let b = format!("{}{BACKUP_SUFFIX}", r.path);
        write_step(&root.join(&b), &r.original)?;
        step(&b);
    }
    for r in &plan.rewrites {
        write_step(&root.join(&r.path), &r.rewritten)?;
        step(&r.path);
    }
    Ok(j)
}

fn write_step(path: &Path, bytes: &[u8]) -> Result<(), PrepError> {
    let _g = lock_writing();
    write_atomic(path, bytes).map_err(|e| PrepError::Io(path.to_path_buf(), e))
}

/// Undoes a prep: from its journal when there is one, else from the
/// `package.json.bak` backups `docker-prep.sh` leaves. Checks everything
/// before writing anything (a journal with one entry that is not prep's is
/// refused whole); safe to run again after being interrupted. `lock` is the
/// root's, held by the caller; `hook` is called after each change.
pub fn restore(
    root: &Path,
    lock: &RepoLock,
    force: bool,
    hook: StepHook,
) -> Result<Restored, RestoreError> {
    if !lock.covers(root) {
        return Err(RestoreError::NotLocked(root.to_path_buf()));
    }
    let _g = lock_writing();
    restore_unlocked(root, force, hook)
}

/// How a prep that is being abandoned (an error, a signal) ended.
#[derive(Debug)]
pub enum Ending {
    /// `--keep`: the rewrite stays in place.
    Kept,
    Restored(Restored),
    Failed(RestoreError),
}

impl Ending {
    /// The line to tell the user, after `why` (what ended the prep).
    pub fn describe(&self, why: &str) -> String {
        match self {
            Ending::Kept => format!(
                "{why}: the rewrite stays in place (--keep); undo it with `dockprep restore`"
            ),
            Ending::Restored(r) => format!(
                "{why}: restored ({} files back, {} removed)",
                r.restored.len(),
                r.removed.len()
            ),
            Ending::Failed(e) => {
                format!("{why}: restore failed: {e}\nrun `dockprep restore` to finish")
            }
        }
    }
}

/// Restores (unless `keep`) before the process ends, and returns the write
/// lock with the outcome: the caller holds it until it exits, so no further
/// prep step can run in between. Only for a process that holds the root's
/// [`RepoLock`] (a signal handler cannot be handed it; the process keeps it
/// until it exits).
pub fn restore_for_exit(root: &Path, keep: bool) -> (std::sync::MutexGuard<'static, ()>, Ending) {
    let g = lock_writing();
    let ending = if keep {
        Ending::Kept
    } else {
        match restore_unlocked(root, false, &mut |_, _| {}) {
            Ok(r) => Ending::Restored(r),
            Err(e) => Ending::Failed(e),
        }
    };
    (g, ending)
}

fn restore_unlocked(root: &Path, force: bool, hook: StepHook) -> Result<Restored, RestoreError> {
    // Read and check before touching anything.
    let journal = Journal::read(root)?;
    if let Some(j) = &journal {
        j.check(root)?;
    }
    let mut out = Restored::default();
    remove_temp_leftovers(root, journal.as_ref(), &mut out);
    match journal {
        Some(j) => restore_journal(root, &j, force, &mut out, hook)?,
        None => {
            restore_backups(root, &mut out, hook)?;
            // What a restore killed before its last step leaves.
            remove_empty_deps_dir(root, &mut out, hook);
        }
    }
    Ok(out)
}

fn restore_journal(
    root: &Path,
    j: &Journal,
    force: bool,
    out: &mut Restored,
    hook: StepHook,
) -> Result<(), RestoreError> {
    let mut n = 0;
    let mut step = |what: &str| {
        n += 1;
        hook(n, what);
    };
    // 1. Check: a file that is neither what prep wrote nor the original was
    //    edited since; restoring it would lose work. A symbolic link where
    //    prep wrote a file was put there since, too.
    let mut edited = Vec::new();
    for e in &j.entries {
        let path = root.join(&e.path);
        if path.symlink_metadata().is_ok_and(|m| m.is_symlink()) {
            if e.original.is_some() {
                edited.push(format!("{} (now a symbolic link)", e.path));
            }
            continue;
        }
        let Ok(now) = std::fs::read(&path) else {
            continue;
        };
        let now = sha256(&now);
        let orig = e.original_bytes().map(|b| sha256(&b));
        if now != e.written && Some(&now) != orig.as_ref() && e.role == Role::Manifest {
            edited.push(e.path.clone());
        }
    }
    if !edited.is_empty() && !force {
        return Err(RestoreError::Edited(edited));
    }
    // 2. Originals back (manifests first: they matter most).
    let mut order: Vec<&super::journal::Entry> = j.entries.iter().collect();
    order.sort_by_key(|e| match e.role {
        Role::Manifest => 0,
        Role::Backup => 1,
        Role::Tarball => 2,
    });
    for e in order {
        let path = root.join(&e.path);
        match e.original_bytes() {
            Some(orig) => {
                let link = path.symlink_metadata().is_ok_and(|m| m.is_symlink());
                if link || std::fs::read(&path).ok().as_deref() != Some(&orig[..]) {
                    write_atomic(&path, &orig).map_err(|x| RestoreError::Io(path.clone(), x))?;
                    out.restored.push(e.path.clone());
                    step(&e.path);
                }
            }
            // Prep only ever creates regular files; anything else is not its own.
            None if path.symlink_metadata().is_ok_and(|m| !m.is_file()) => {}
            None => match std::fs::remove_file(&path) {
                Ok(()) => {
                    out.removed.push(e.path.clone());
                    step(&e.path);
                }
                Err(x) if x.kind() == std::io::ErrorKind::NotFound => {}
                Err(x) => return Err(RestoreError::Io(path, x)),
            },
        }
    }
    // 3. The journal last, then the directory prep made (only when empty).
    let jp = Journal::path(root);
    std::fs::remove_file(&jp).map_err(|x| RestoreError::Io(jp.clone(), x))?;
    out.removed.push(JOURNAL.to_string());
    step(JOURNAL);
    let deps = root.join(DEPS_DIR);
    if j.created_deps_dir {
        remove_temp_in(&deps, out);
        match std::fs::remove_dir(&deps) {
            Ok(()) => {
                out.removed.push(format!("{DEPS_DIR}/"));
                step(DEPS_DIR);
            }
            Err(_) if deps.is_dir() => out.notes.push(format!(
                "{DEPS_DIR}/ kept: it holds files prep did not write"
            )),
            Err(_) => {}
        }
    }
    Ok(())
}

/// Without a journal, an empty `.docker-deps/` (a real directory) is what a
/// restore killed between removing the journal and the directory leaves.
fn remove_empty_deps_dir(root: &Path, out: &mut Restored, hook: StepHook) {
    let deps = root.join(DEPS_DIR);
    if !deps.symlink_metadata().is_ok_and(|m| m.is_dir()) {
        return;
    }
    remove_temp_in(&deps, out);
    if std::fs::remove_dir(&deps).is_ok() {
        out.removed.push(format!("{DEPS_DIR}/"));
        hook(out.restored.len() + out.removed.len(), DEPS_DIR);
    }
}

/// Without a journal: `package.json.bak` beside a manifest that references
/// `.docker-deps/` tarballs is the original (the `docker-prep.sh` convention).
fn restore_backups(root: &Path, out: &mut Restored, hook: StepHook) -> Result<(), RestoreError> {
    for bak in walk(root)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "package.json.bak"))
    {
        let manifest = bak.with_file_name("package.json");
        let rel = crate::paths::slash(manifest.strip_prefix(root).unwrap_or(&manifest));
        let now = std::fs::read(&manifest).ok();
        let backup = std::fs::read(&bak).map_err(|e| RestoreError::Io(bak.clone(), e))?;
        let rewritten = now
            .as_deref()
            .is_some_and(|b| has_deps_reference(&String::from_utf8_lossy(b)));
        if rewritten || now.is_none() {
            std::fs::rename(&bak, &manifest).map_err(|e| RestoreError::Io(manifest.clone(), e))?;
            out.restored.push(rel.clone());
            hook(out.restored.len() + out.removed.len(), &rel);
        } else if now.as_deref() == Some(&backup[..]) {
            std::fs::remove_file(&bak).map_err(|e| RestoreError::Io(bak.clone(), e))?;
            out.removed.push(format!("{rel}{BACKUP_SUFFIX}"));
            hook(out.restored.len() + out.removed.len(), &rel);
        } else {
            out.notes.push(format!(
                "{rel}{BACKUP_SUFFIX} kept: {rel} is not rewritten and differs from it"
            ));
        }
    }
    Ok(())
}

/// Leftovers of a process killed while writing: dockprep's temporary files
/// and directories (recognised by their prefix) at the root, in
/// `.docker-deps/` and beside the files of `journal` (checked already).
fn remove_temp_leftovers(root: &Path, journal: Option<&Journal>, out: &mut Restored) {
    remove_temp_in(root, out);
    remove_temp_in(&root.join(DEPS_DIR), out);
    if let Some(j) = journal {
        let mut dirs: Vec<PathBuf> = j
            .entries
            .iter()
            .filter_map(|e| root.join(&e.path).parent().map(Path::to_path_buf))
            .collect();
        dirs.sort();
        dirs.dedup();
        for d in dirs {
            remove_temp_in(&d, out);
        }
    }
}

fn remove_temp_in(dir: &Path, out: &mut Restored) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        if !e.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            continue;
        }
        let p = e.path();
        let ok = if e.file_type().is_ok_and(|t| t.is_dir()) {
            std::fs::remove_dir_all(&p)
        } else {
            std::fs::remove_file(&p)
        };
        if ok.is_ok() {
            out.removed
                .push(crate::paths::slash(&super::plan::path_from(&p, dir)));
        }
    }
}

/// Takes out the `pnpm.overrides` entries prep injected (roadmap B8), leaving
/// the `file:` dependencies: a manifest left rewritten then no longer pins
/// the whole workspace to tarballs. The journal is updated, so `restore`
/// still works afterwards.
pub fn strip_overrides(root: &Path, lock: &RepoLock) -> Result<Vec<String>, RestoreError> {
    if !lock.covers(root) {
        return Err(RestoreError::NotLocked(root.to_path_buf()));
    }
    let _g = lock_writing();
    let mut j = Journal::read(root)?.ok_or_else(|| RestoreError::NoJournal(Journal::path(root)))?;
    j.check(root)?;
    let mut changed = Vec::new();
    for e in j.entries.iter_mut().filter(|e| e.role == Role::Manifest) {
        let path = root.join(&e.path);
        // Prep wrote a file there; a link put there since is not its own.
        if path.symlink_metadata().is_ok_and(|m| m.is_symlink()) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(mut v) = serde_json::from_str::<serde_json::Value>(
            crate::syntax::package_json::strip_bom(&text),
        ) else {
            continue;
        };
        let original: Option<serde_json::Value> = e
            .original_bytes()
            .and_then(|b| serde_json::from_slice(&b).ok());
        let orig_overrides = original
            .as_ref()
            .and_then(|o| o.pointer("/pnpm/overrides"))
            .and_then(|o| o.as_object())
            .cloned()
            .unwrap_or_default();
        let orig_has_pnpm = original.as_ref().is_some_and(|o| o.get("pnpm").is_some());
        let pinned = j.overrides.get(&e.path).cloned().unwrap_or_default();
        let Some(pnpm) = v.get_mut("pnpm").and_then(|p| p.as_object_mut()) else {
            continue;
        };
        if let Some(o) = pnpm.get_mut("overrides").and_then(|o| o.as_object_mut()) {
            for name in &pinned {
                match orig_overrides.get(name) {
                    Some(orig) => {
                        o.insert(name.clone(), orig.clone());
                    }
                    None => {
                        o.remove(name);
                    }
                }
            }
            if o.is_empty() && orig_overrides.is_empty() {
                pnpm.remove("overrides");
            }
        }
        if pnpm.is_empty() && !orig_has_pnpm {
            if let Some(obj) = v.as_object_mut() {
                obj.remove("pnpm");
            }
        }
        let new = super::plan::to_text_like(&v, &text);
        if new != text {
            write_atomic(&path, new.as_bytes()).map_err(|x| RestoreError::Io(path.clone(), x))?;
            e.written = sha256(new.as_bytes());
            changed.push(e.path.clone());
        }
    }
    j.overrides.clear();
    let jp = Journal::path(root);
    write_atomic(&jp, &j.to_bytes()).map_err(|x| RestoreError::Io(jp.clone(), x))?;
    Ok(changed)
}
