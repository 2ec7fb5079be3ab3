//! The workspace's packages: `pnpm-workspace.yaml` `packages` globs to
//! `package.json` files, the way pnpm finds them (`@pnpm/workspace.find-packages`):
//! [`super::globs`] matches the `packages` patterns (`!` patterns exclude,
//! `node_modules` and `bower_components` are never entered), and the root is
//! always a package.

use std::borrow::Cow;
use std::path::Path;

use rayon::prelude::*;

use super::globs::{list_disk, Kind, Lister, Patterns};
use super::{show, Error};
use crate::fsutil::TEMP_PREFIX;
use crate::syntax::package_json::strip_bom;
use crate::syntax::pnpm_workspace::Workspace;

/// One workspace package.
#[derive(Clone, Debug)]
pub struct Package {
    /// Its directory relative to the root, `/`-separated; `.` for the root.
    pub dir: String,
    /// `name` of its `package.json`.
    pub name: Option<String>,
    /// The text of its `package.json` (empty for a root without one).
    pub manifest: String,
}

/// The disk, without the directories `prune` must not search: its output
/// directory, temporary directories and `.git`.
struct Searched<'a> {
    exclude: &'a [&'a Path],
}

impl Lister for Searched<'_> {
    fn list(&self, dir: &Path) -> Option<Cow<'_, [(String, Kind)]>> {
        let mut entries = list_disk(dir)?;
        entries.retain(|(name, kind)| {
            *kind != Kind::Dir
                || !(name == ".git"
                    || name.starts_with(TEMP_PREFIX)
                    || self.exclude.iter().any(|x| *x == dir.join(name)))
        });
        Some(Cow::Owned(entries))
    }
}

/// Finds the workspace's packages (the root first, then by directory) with
/// [`super::globs`], pnpm's semantics. Directories in `exclude` (e.g. the
/// output directory) are not searched.
pub fn workspace_packages(
    root: &Path,
    ws: &Workspace,
    exclude: &[&Path],
) -> Result<Vec<Package>, Error> {
    let ws_path = root.join("pnpm-workspace.yaml");
    let patterns = Patterns::parse(ws.packages.iter().map(|p| p.value.as_str()))
        .map_err(|e| Error::file(&ws_path, e.to_string()))?;
    let found = patterns.members(root, &Searched { exclude });
    // Members' manifests are read inside the root and what the patterns link.
    let jail = super::jail(root, ws.packages.iter().map(|p| p.value.as_str()));
    let dirs: Vec<String> = std::iter::once(".".to_string())
        .chain(found.into_iter().filter(|d| d != "."))
        .collect();

    #[derive(serde::Deserialize)]
    struct NameOnly {
        name: Option<serde_json::Value>,
    }
    dirs.into_par_iter()
        .map(|dir| {
            let path = root.join(&dir).join("package.json");
            let text = match jail.read_text(&path) {
                Ok(t) => t,
                Err(e) if dir == "." && e.is_not_found() => {
                    return Ok(Package {
                        dir,
                        name: None,
                        manifest: String::new(),
                    })
                }
                Err(e) => return Err(Error::read(&path, e)),
            };
            let m: NameOnly = serde_json::from_str(strip_bom(&text)).map_err(|e| Error::At {
                file: show(&path),
                line: e.line(),
                column: e.column(),
                message: format!("invalid JSON: {e}"),
            })?;
            let name = m.name.and_then(|n| n.as_str().map(str::to_string));
            Ok(Package {
                dir,
                name,
                manifest: text,
            })
        })
        .collect()
}

/// The directories of the named targets (package names or directories).
pub(crate) fn resolve_targets(
    root: &Path,
    packages: &[Package],
    targets: &[String],
    ws_path: &Path,
) -> Result<Vec<String>, Error> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| root.to_path_buf());
    let mut out = Vec::new();
    for t in targets {
        if let Some(p) = packages.iter().find(|p| p.name.as_deref() == Some(t)) {
            out.push(p.dir.clone());
            continue;
        }
        let as_dir = [cwd.join(t), root.join(t)].into_iter().find_map(|d| {
            let d = std::path::absolute(&d).ok()?;
            let rel = normalize(d.strip_prefix(root).ok()?)?;
            packages
                .iter()
                .find(|p| p.dir == rel)
                .map(|p| p.dir.clone())
        });
        if let Some(dir) = as_dir {
            out.push(dir);
            continue;
        }
        let near: Vec<&str> = packages
            .iter()
            .filter_map(|p| p.name.as_deref())
            .filter(|n| n.contains(t.as_str()) || t.contains(n))
            .take(5)
            .collect();
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!("; did you mean {}?", near.join(", "))
        };
        return Err(Error::file(
            ws_path,
            format!(
                "target `{t}` is not a workspace package: no package of the {} found by `packages` is named so or lies in that directory{hint}",
                packages.len()
            ),
        ));
    }
    Ok(out)
}

/// `a/./b/../c` → `a/c`, `/`-separated; `.` for the empty path; `None` when
/// it climbs above its start.
pub(crate) fn normalize(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                parts.pop()?;
            }
            _ => return None,
        }
    }
    Some(if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    })
}

/// Joins a `/`-separated relative reference to a directory id and
/// normalizes (`packages/a` + `../b` → `packages/b`); `None` when it leaves
/// the workspace root.
pub(crate) fn join_id(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    let id = crate::syntax::pnpm_lock::join_importer(dir, rel);
    (id != ".." && !id.starts_with("../")).then_some(id)
}
