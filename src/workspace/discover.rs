//! The workspace's packages: `pnpm-workspace.yaml` `packages` globs to
//! `package.json` files, the way pnpm finds them (`@pnpm/workspace.find-packages`):
//! each pattern gets `/package.json` appended, `!` patterns exclude,
//! `node_modules` and `bower_components` are never entered, and the root is
//! always a package.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSetBuilder};
use rayon::prelude::*;

use super::{show, Error};
use crate::fsutil::TEMP_PREFIX;
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

/// Directory names never searched for packages.
const SKIP_DIRS: [&str; 3] = ["node_modules", "bower_components", ".git"];

fn glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

/// Finds the workspace's packages (the root first, then by directory).
/// Directories in `exclude` (e.g. the output directory) are not searched.
pub fn workspace_packages(
    root: &Path,
    ws: &Workspace,
    exclude: &[&Path],
) -> Result<Vec<Package>, Error> {
    let ws_path = root.join("pnpm-workspace.yaml");
    let mut include = GlobSetBuilder::new();
    let mut ignore = GlobSetBuilder::new();
    // (base directory, max depth below it or None for `**`)
    let mut bases: Vec<(String, Option<usize>)> = Vec::new();
    for p in &ws.packages {
        let (neg, pat) = match p.value.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, p.value.as_str()),
        };
        let pat = pat.trim_start_matches("./").trim_end_matches('/');
        let full = if pat.is_empty() || pat == "." {
            "package.json".to_string()
        } else {
            format!("{pat}/package.json")
        };
        let g = glob(&full).map_err(|e| {
            Error::file(
                &ws_path,
                format!("invalid `packages` pattern `{}`: {e}", p.value),
            )
        })?;
        if neg {
            ignore.add(g);
            continue;
        }
        include.add(g);
        let comps: Vec<&str> = full.split('/').collect();
        let lit = comps
            .iter()
            .take_while(|c| !c.contains(['*', '?', '[', '{']))
            .count()
            .min(comps.len() - 1);
        let base = comps[..lit].join("/");
        let depth = if comps[lit..].iter().any(|c| c.contains("**")) {
            None
        } else {
            Some(comps.len() - lit)
        };
        bases.push((base, depth));
    }
    let include = include
        .build()
        .map_err(|e| Error::file(&ws_path, e.to_string()))?;
    let ignore = ignore
        .build()
        .map_err(|e| Error::file(&ws_path, e.to_string()))?;

    // Only walk what no other base already covers with unlimited depth.
    bases.sort();
    bases.dedup();
    let excluded: Vec<PathBuf> = exclude.iter().map(|p| p.to_path_buf()).collect();
    let mut found = BTreeSet::new();
    for (base, depth) in &bases {
        let dir = if base.is_empty() {
            root.to_path_buf()
        } else {
            root.join(base)
        };
        if !dir.is_dir() {
            continue;
        }
        let mut wb = ignore::WalkBuilder::new(&dir);
        wb.standard_filters(false).max_depth(*depth);
        let excluded = excluded.clone();
        wb.filter_entry(move |e| {
            if !e.file_type().is_some_and(|t| t.is_dir()) {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            !(SKIP_DIRS.contains(&name.as_ref())
                || name.starts_with(TEMP_PREFIX)
                || excluded.iter().any(|x| x == e.path()))
        });
        for entry in wb.build().flatten() {
            if entry.file_name() != "package.json"
                || !entry.file_type().is_some_and(|t| t.is_file())
            {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(root) else {
                continue;
            };
            let rel = crate::paths::slash(rel);
            if include.is_match(&rel) && !ignore.is_match(&rel) {
                let dir = rel.strip_suffix("/package.json").unwrap_or(".").to_string();
                found.insert(if rel == "package.json" {
                    ".".to_string()
                } else {
                    dir
                });
            }
        }
    }
    found.remove(".");
    let dirs: Vec<String> = std::iter::once(".".to_string()).chain(found).collect();

    #[derive(serde::Deserialize)]
    struct NameOnly {
        name: Option<serde_json::Value>,
    }
    dirs.into_par_iter()
        .map(|dir| {
            let path = root.join(&dir).join("package.json");
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if dir == "." && e.kind() == std::io::ErrorKind::NotFound => {
                    return Ok(Package {
                        dir,
                        name: None,
                        manifest: String::new(),
                    })
                }
                Err(e) => return Err(Error::io(&path, e)),
            };
            let m: NameOnly =
                serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
                    Error::At {
                        file: show(&path),
                        line: e.line(),
                        column: e.column(),
                        message: format!("invalid JSON: {e}"),
                    }
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
pub fn resolve_targets(
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
pub fn normalize(path: &Path) -> Option<String> {
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
pub fn join_id(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    let id = crate::syntax::pnpm_lock::join_importer(dir, rel);
    (id != ".." && !id.starts_with("../")).then_some(id)
}
