//! Writing a prune: the plan of files, then one temporary directory beside
//! the output, renamed into place.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use super::workspace_yaml::{pnpmfiles, PatchConfig};
use super::{show, Error, Layout};
use crate::fsutil::TEMP_PREFIX;
use crate::workspace::discover::Package;
use crate::workspace::lock::Kept;

/// Everything a prune writes, before it is written.
#[derive(Clone, Debug)]
pub struct Plan {
    pub root: PathBuf,
    /// Files `pnpm install` reads (root and kept `package.json`, `.npmrc`,
    /// pnpmfiles, patch files), relative to the root.
    pub manifests: Vec<String>,
    /// Every file of the kept package directories and the root's top-level
    /// files, relative to the root (the lockfile and workspace file excepted).
    pub sources: Vec<String>,
    /// Files the lockfile or workspace names that do not exist.
    pub missing: Vec<String>,
    pub lockfile: String,
    pub workspace: String,
}

impl Plan {
    pub fn new(
        out: &OutDir,
        packages: &[Package],
        kept: &Kept,
        patches: &PatchConfig,
        ws_text: &str,
        lockfile: String,
        workspace: String,
    ) -> Result<Plan, Error> {
        let root = out.root.as_path();
        let mut manifests = Vec::new();
        let mut missing = Vec::new();
        if root.join("package.json").is_file() {
            manifests.push("package.json".to_string());
        }
        for id in kept.importers.iter().filter(|i| i.as_str() != ".") {
            manifests.push(format!("{id}/package.json"));
        }
        if root.join(".npmrc").is_file() {
            manifests.push(".npmrc".to_string());
        }
        manifests.extend(pnpmfiles(root, ws_text));
        for p in &patches.files {
            if root.join(p).is_file() {
                manifests.push(p.clone());
            } else {
                missing.push(p.clone());
            }
        }
        let sources = source_files(root, packages, kept, out.in_root.as_deref())?;
        Ok(Plan {
            root: root.to_path_buf(),
            manifests,
            sources,
            missing,
            lockfile,
            workspace,
        })
    }
}

/// The files of the kept package directories (respecting `.gitignore`,
/// skipping `node_modules`, `.git` and nested packages that are not kept) and
/// the root's top-level files; never the output directory (`out`, relative
/// to the root), which would copy an earlier output into the next.
fn source_files(
    root: &Path,
    packages: &[Package],
    kept: &Kept,
    out: Option<&str>,
) -> Result<Vec<String>, Error> {
    let out = out.map(str::to_string);
    let kept_dirs: HashSet<String> = kept
        .importers
        .iter()
        .filter(|i| i.as_str() != ".")
        .cloned()
        .collect();
    let other_pkgs: HashSet<String> = packages
        .iter()
        .map(|p| p.dir.clone())
        .filter(|d| d != "." && !kept_dirs.contains(d))
        .collect();
    // Directories on the way from the root to a kept package.
    let mut ancestors: HashSet<String> = HashSet::new();
    for d in &kept_dirs {
        let mut s = d.as_str();
        while let Some(i) = s.rfind('/') {
            s = &s[..i];
            ancestors.insert(s.to_string());
        }
    }
    let kept_for_filter = kept_dirs.clone();
    let inside_kept = move |rel: &str| {
        let mut s = rel;
        loop {
            if kept_for_filter.contains(s) {
                return true;
            }
            match s.rfind('/') {
                Some(i) => s = &s[..i],
                None => return false,
            }
        }
    };
    let found = Mutex::new(Vec::new());
    let root_owned = root.to_path_buf();
    let mut wb = ignore::WalkBuilder::new(root);
    wb.standard_filters(false)
        .git_ignore(true)
        .git_exclude(true)
        .require_git(false)
        .parents(false)
        .hidden(false);
    wb.filter_entry(move |e| {
        if e.depth() == 0 || !e.file_type().is_some_and(|t| t.is_dir()) {
            return true;
        }
        let name = e.file_name().to_string_lossy();
        if name == "node_modules" || name == ".git" || name.starts_with(TEMP_PREFIX) {
            return false;
        }
        let Ok(rel) = e.path().strip_prefix(&root_owned) else {
            return false;
        };
        let rel = crate::paths::slash(rel);
        if other_pkgs.contains(&rel) || out.as_deref() == Some(rel.as_str()) {
            return false;
        }
        ancestors.contains(&rel) || inside_kept(&rel)
    });
    let root_owned = root.to_path_buf();
    let kept_dirs2 = kept_dirs.clone();
    wb.build_parallel().run(|| {
        let found = &found;
        let root = root_owned.clone();
        let kept_dirs = kept_dirs2.clone();
        Box::new(move |entry| {
            let Ok(e) = entry else {
                return ignore::WalkState::Continue;
            };
            if !e.file_type().is_some_and(|t| t.is_file()) {
                return ignore::WalkState::Continue;
            }
            let Ok(rel) = e.path().strip_prefix(&root) else {
                return ignore::WalkState::Continue;
            };
            let rel = crate::paths::slash(rel);
            let parent = rel.rfind('/').map_or("", |i| &rel[..i]);
            let keep = if parent.is_empty() {
                rel != "pnpm-lock.yaml" && rel != "pnpm-workspace.yaml"
            } else {
                let mut s = parent;
                loop {
                    if kept_dirs.contains(s) {
                        break true;
                    }
                    match s.rfind('/') {
                        Some(i) => s = &s[..i],
                        None => break false,
                    }
                }
            };
            if keep {
                found.lock().expect("no panics while holding").push(rel);
            }
            ignore::WalkState::Continue
        })
    });
    let mut v = found.into_inner().expect("no panics while holding");
    v.sort();
    Ok(v)
}

/// The file every prune output carries at its top: `--force` replaces only
/// a directory that has it (one an earlier prune wrote), never another one.
pub const MARKER: &str = ".dockprep-prune";

const MARKER_TEXT: &str =
    "Written by `dockprep prune`. `dockprep prune --force` may replace this directory.\n";

/// An output directory that passed [`check_out`].
#[derive(Clone, Debug)]
pub struct OutDir {
    /// As the user named it (absolute).
    pub path: PathBuf,
    /// The workspace root it was checked against.
    pub root: PathBuf,
    /// Its place inside the workspace (`/`-separated, relative to the root)
    /// when it lies there: it is not walked for packages or sources.
    pub in_root: Option<String>,
}

/// Refuses an output directory that would lose data: one that is, or holds,
/// the workspace (compared after [`resolve`](crate::fsutil::resolve), so
/// neither `..` nor a symbolic link hides it), a symbolic link, a file, or a
/// directory that is not empty, unless `force` and the directory carries the
/// [`MARKER`] of an earlier prune.
pub fn check_out(out: &Path, root: &Path, force: bool) -> Result<OutDir, Error> {
    let out_r = crate::fsutil::resolve(out).map_err(|e| Error::io(out, e))?;
    let root_r = crate::fsutil::resolve(root).map_err(|e| Error::io(root, e))?;
    if root_r.starts_with(&out_r) {
        return Err(Error::Usage(format!(
            "the output directory {} holds the workspace itself ({})",
            show(out),
            show(&root_r)
        )));
    }
    let in_root = out_r.strip_prefix(&root_r).ok().map(crate::paths::slash);
    let checked = OutDir {
        path: out.to_path_buf(),
        root: root.to_path_buf(),
        in_root,
    };
    match std::fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(checked),
        Err(e) => return Err(Error::io(out, e)),
        Ok(m) if m.file_type().is_symlink() => {
            return Err(Error::Usage(format!(
                "the output {} is a symbolic link (name the directory itself)",
                show(out)
            )))
        }
        Ok(m) if !m.is_dir() => {
            return Err(Error::Usage(format!(
                "the output {} exists and is not a directory",
                show(out)
            )))
        }
        Ok(_) => {}
    }
    let mut entries = std::fs::read_dir(out).map_err(|e| Error::io(out, e))?;
    if entries.next().is_none() {
        return Ok(checked);
    }
    if !force {
        return Err(Error::Usage(format!(
            "the output directory {} exists and is not empty (use --force to replace it)",
            show(out)
        )));
    }
    let marked = std::fs::symlink_metadata(out.join(MARKER)).is_ok_and(|m| m.is_file());
    if !marked {
        return Err(Error::Usage(format!(
            "the output directory {} exists, is not empty and was not written by `dockprep prune` \
             (it has no {MARKER}): --force replaces only an earlier prune's output",
            show(out)
        )));
    }
    Ok(checked)
}

/// Copies `src` to each of `dsts` (relative to `base`), reading it once and
/// keeping its mode (executable scripts stay executable).
fn copy_to(src: &Path, base: &Path, dsts: &[&str]) -> Result<(), Error> {
    use std::io::{Read, Write};
    let mut f = std::fs::File::open(src).map_err(|e| Error::io(src, e))?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes).map_err(|e| Error::io(src, e))?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let mode = f
            .metadata()
            .map_err(|e| Error::io(src, e))?
            .permissions()
            .mode();
        opts.mode(mode & 0o777);
    }
    let first = base.join(dsts[0]);
    let mut out = opts.open(&first).map_err(|e| Error::io(&first, e))?;
    out.write_all(&bytes).map_err(|e| Error::io(&first, e))?;
    link_copies(&first, base, &dsts[1..])
}

/// Makes each of `dsts` (relative to `base`) a hard link of `first`, or a
/// copy where the file system cannot link.
fn link_copies(first: &Path, base: &Path, dsts: &[&str]) -> Result<(), Error> {
    for d in dsts {
        let dst = base.join(d);
        if std::fs::hard_link(first, &dst).is_err() {
            std::fs::copy(first, &dst).map_err(|e| Error::io(&dst, e))?;
        }
    }
    Ok(())
}

enum Content<'a> {
    Copy(PathBuf),
    Text(&'a str),
}

/// Writes the plan into a temporary directory beside `out`, then renames it
/// to `out`. Returns the number of files written.
pub fn write(plan: &Plan, out: &Path, layout: Layout, force: bool) -> Result<usize, Error> {
    // Checked again (the first check was before planning), with the marker.
    check_out(out, &plan.root, force)?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempdir_in(parent)
        .map_err(|e| Error::io(parent, e))?;

    let mut files: Vec<(String, Content)> = Vec::new();
    let copy = |rel: &String| Content::Copy(plan.root.join(rel));
    let lock = "pnpm-lock.yaml".to_string();
    let ws = "pnpm-workspace.yaml".to_string();
    match layout {
        Layout::Docker => {
            for m in &plan.manifests {
                files.push((format!("json/{m}"), copy(m)));
            }
            files.push((format!("json/{lock}"), Content::Text(&plan.lockfile)));
            files.push((format!("json/{ws}"), Content::Text(&plan.workspace)));
            let mut full: BTreeSet<&String> = plan.manifests.iter().collect();
            full.extend(plan.sources.iter());
            for f in full {
                files.push((format!("full/{f}"), copy(f)));
            }
            files.push((format!("full/{ws}"), Content::Text(&plan.workspace)));
            files.push((lock, Content::Text(&plan.lockfile)));
            files.push((ws, Content::Text(&plan.workspace)));
        }
        Layout::Full => {
            let mut full: BTreeSet<&String> = plan.manifests.iter().collect();
            full.extend(plan.sources.iter());
            for f in full {
                files.push((f.clone(), copy(f)));
            }
            files.push((lock, Content::Text(&plan.lockfile)));
            files.push((ws, Content::Text(&plan.workspace)));
        }
    }

    let base = tmp.path();
    // Directories, parents first, each made once.
    let mut dirs: BTreeSet<&str> = BTreeSet::new();
    for (rel, _) in &files {
        let mut s = rel.as_str();
        while let Some(i) = s.rfind('/') {
            s = &s[..i];
            if !dirs.insert(s) {
                break;
            }
        }
    }
    for d in dirs {
        let p = base.join(d);
        std::fs::create_dir(&p).map_err(|e| Error::io(&p, e))?;
    }
    // One read and one new file per source, however many copies it has:
    // further copies are hard links of the first (see the module docs).
    let mut by_source: std::collections::BTreeMap<&Path, Vec<&str>> = Default::default();
    let mut by_text: Vec<(&str, Vec<&str>)> = Vec::new();
    for (rel, content) in &files {
        match content {
            Content::Copy(src) => by_source.entry(src.as_path()).or_default().push(rel),
            Content::Text(t) => match by_text.iter_mut().find(|(x, _)| std::ptr::eq(*x, *t)) {
                Some((_, d)) => d.push(rel),
                None => by_text.push((t, vec![rel])),
            },
        }
    }
    for (t, dsts) in &by_text {
        let first = base.join(dsts[0]);
        std::fs::write(&first, t).map_err(|e| Error::io(&first, e))?;
        link_copies(&first, base, &dsts[1..])?;
    }
    let by_source: Vec<(&Path, Vec<&str>)> = by_source.into_iter().collect();
    by_source
        .par_iter()
        .try_for_each(|(src, dsts)| copy_to(src, base, dsts))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(base, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::io(base, e))?;
    }

    let marker = base.join(MARKER);
    std::fs::write(&marker, MARKER_TEXT).map_err(|e| Error::io(&marker, e))?;

    // Into place (checked once more: the directory may have appeared since).
    check_out(out, &plan.root, force)?;
    let old = if out.exists() {
        let old = parent.join(format!(
            "{TEMP_PREFIX}old-{}",
            tmp.path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        std::fs::rename(out, &old).map_err(|e| Error::io(out, e))?;
        Some(old)
    } else {
        None
    };
    if let Err(e) = std::fs::rename(base, out) {
        if let Some(old) = &old {
            let _ = std::fs::rename(old, out);
        }
        return Err(Error::io(out, e));
    }
    // The temporary directory is now `out`: nothing left to remove.
    let _ = tmp.keep();
    if let Some(old) = old {
        let _ = std::fs::remove_dir_all(old);
    }
    Ok(files.len())
}
