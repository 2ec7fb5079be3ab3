//! Packing a workspace's packages: file selection as npm's, the manifest as
//! pnpm writes it, deterministic tarballs, a content cache, in parallel.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::manifest::{self, ManifestError};
use super::select::{select_files_with, SelectError};
use super::tarball::{self, Entry};
use crate::project::{self, Options};

#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("{0}: no pnpm-workspace.yaml with packages")]
    NoWorkspace(PathBuf),
    #[error("{path}:{line}:{column}: {message}")]
    Unreadable {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{0}: {1}")]
    Select(PathBuf, SelectError),
    #[error("{0}/package.json: {1}")]
    Manifest(PathBuf, ManifestError),
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("{path}:{line}:{column}: refusing to pack {what} (remove it, or keep the file out with `files` or `.npmignore`)")]
    Credential {
        path: PathBuf,
        line: usize,
        column: usize,
        what: String,
    },
}

/// What was packed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Packed {
    pub name: String,
    pub version: String,
    pub tarball: PathBuf,
    pub files: usize,
    pub size: u64,
    pub unpacked_size: u64,
    pub integrity: String,
    pub shasum: String,
    /// Reused from the cache: nothing the tarball is made of changed.
    #[serde(default)]
    pub cached: bool,
    #[serde(default)]
    key: String,
}

#[derive(Clone, Debug, Default)]
pub struct PackOptions {
    pub workspace: PathBuf,
    pub out: PathBuf,
    /// Only packages whose name matches this glob (`@bytelyst/*`).
    pub filter: Option<String>,
}

const CACHE: &str = ".dockprep-pack-cache.json";

/// Packs every package of the workspace at `opts.workspace` into `opts.out`.
pub fn pack_workspace(opts: &PackOptions) -> Result<Vec<Packed>, PackError> {
    let ws_file = opts.workspace.join("pnpm-workspace.yaml");
    let p = project::load(std::slice::from_ref(&opts.workspace), &Options::default())
        .map_err(|e| PackError::Io(opts.workspace.clone(), std::io::Error::other(e.to_string())))?;
    if let Some(e) = p
        .errors
        .iter()
        .find(|e| e.path.starts_with(&opts.workspace))
    {
        return Err(PackError::Unreadable {
            path: e.path.clone(),
            line: e.line,
            column: e.column,
            message: e.message.clone(),
        });
    }
    let ws_index = p
        .workspaces
        .iter()
        .position(|w| w.path == crate::paths::clean(&ws_file))
        .ok_or_else(|| PackError::NoWorkspace(opts.workspace.clone()))?;
    let workspace = &p.workspaces[ws_index].value;
    let members: Vec<_> = p
        .workspace_packages
        .iter()
        .filter(|w| w.workspace == ws_index)
        .collect();
    let versions: HashMap<String, String> = members
        .iter()
        .filter_map(|m| Some((m.name.clone(), m.version.clone()?)))
        .collect();
    std::fs::create_dir_all(&opts.out).map_err(|e| PackError::Io(opts.out.clone(), e))?;
    let cache_path = opts.out.join(CACHE);
    let cache: BTreeMap<String, Packed> = std::fs::read_to_string(&cache_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let selected: Vec<_> = members
        .iter()
        .filter(|m| {
            opts.filter
                .as_ref()
                .is_none_or(|f| crate::project::wildcard(f, &m.name) || glob_name(f, &m.name))
        })
        .collect();
    let results: Vec<Result<Packed, PackError>> = selected
        .par_iter()
        .map(|m| {
            pack_one(
                &m.dir,
                &p.manifests[m.manifest].path,
                &versions,
                workspace,
                &opts.out,
                cache.get(&m.name),
            )
        })
        .collect();
    let mut packed = Vec::new();
    for r in results {
        packed.push(r?);
    }
    let mut new_cache = cache;
    for pk in &packed {
        new_cache.insert(pk.name.clone(), pk.clone());
    }
    let text = serde_json::to_string_pretty(&new_cache).unwrap_or_default();
    crate::fsutil::write_atomic(&cache_path, text.as_bytes())
        .map_err(|e| PackError::Io(cache_path.clone(), e))?;
    packed.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(packed)
}

/// `@scope/*`-style globs where `*` may cross the `/` of a scope.
fn glob_name(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

/// A package packed in memory: what `pack` prints, and the tarball's bytes.
pub(crate) struct InMemory {
    pub name: String,
    pub version: String,
    pub files: usize,
    pub tarball: tarball::Tarball,
    /// The manifest as packed.
    pub manifest: serde_json::Value,
}

/// Packs the package at `dir` into memory (no file is written).
/// `manifest_text` is the manifest's text when the caller read it already.
pub(crate) fn pack_in_memory(
    dir: &Path,
    manifest_path: &Path,
    manifest_text: Option<&str>,
    versions: &HashMap<String, String>,
    workspace: Option<&crate::syntax::pnpm_workspace::Workspace>,
) -> Result<InMemory, PackError> {
    // The content key serves the on-disk pack cache only.
    let (name, version, rewritten, entries, _key) =
        collect(dir, manifest_path, manifest_text, versions, workspace)?;
    let files = entries.len();
    let t = tarball::write(entries).map_err(|e| PackError::Io(dir.to_path_buf(), e))?;
    Ok(InMemory {
        name,
        version,
        files,
        tarball: t,
        manifest: rewritten,
    })
}

type Collected = (String, String, serde_json::Value, Vec<Entry>, String);

/// Selects and reads the package's files, rewrites its manifest, and keys the lot.
fn collect(
    dir: &Path,
    manifest_path: &Path,
    manifest_text: Option<&str>,
    versions: &HashMap<String, String>,
    workspace: Option<&crate::syntax::pnpm_workspace::Workspace>,
) -> Result<Collected, PackError> {
    let files = select_files_with(dir, manifest_text)
        .map_err(|e| PackError::Select(dir.to_path_buf(), e))?;
    let read;
    let raw = match manifest_text {
        Some(t) => t,
        None => {
            read = std::fs::read_to_string(manifest_path)
                .map_err(|e| PackError::Io(manifest_path.to_path_buf(), e))?;
            &read
        }
    };
    let value: serde_json::Value =
        serde_json::from_str(crate::syntax::package_json::strip_bom(raw)).map_err(|e| {
            PackError::Unreadable {
                path: manifest_path.to_path_buf(),
                line: e.line(),
                column: e.column().max(1),
                message: e.to_string(),
            }
        })?;
    let rewritten = manifest::rewrite(&value, versions, workspace)
        .map_err(|e| PackError::Manifest(dir.to_path_buf(), e))?;
    let name = rewritten["name"].as_str().unwrap_or_default().to_string();
    let version = rewritten["version"].as_str().unwrap_or("0.0.0").to_string();
    let bins: Vec<String> = match &rewritten["bin"] {
        serde_json::Value::String(s) => vec![s.trim_start_matches("./").to_string()],
        serde_json::Value::Object(o) => o
            .values()
            .filter_map(|v| v.as_str())
            .map(|s| s.trim_start_matches("./").to_string())
            .collect(),
        _ => Vec::new(),
    };
    let mut entries = Vec::with_capacity(files.len());
    let mut hasher = blake3::Hasher::new();
    let known = super::secrets::known_from_env();
    for f in &files {
        let bytes = if f == "package.json" {
            manifest::to_text(&rewritten).into_bytes()
        } else {
            std::fs::read(dir.join(f)).map_err(|e| PackError::Io(dir.join(f), e))?
        };
        if let Some(h) = super::secrets::scan(&bytes, &known) {
            return Err(PackError::Credential {
                path: dir.join(f),
                line: h.line,
                column: h.column,
                what: h.what,
            });
        }
        let executable = bins.iter().any(|b| b == f) || is_executable(&dir.join(f));
        hasher.update(f.as_bytes());
        hasher.update(&[0, u8::from(executable)]);
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
        entries.push(Entry {
            path: f.clone(),
            bytes,
            executable,
        });
    }
    let key = hasher.finalize().to_hex().to_string();
    Ok((name, version, rewritten, entries, key))
}

fn pack_one(
    dir: &Path,
    manifest_path: &Path,
    versions: &HashMap<String, String>,
    workspace: &crate::syntax::pnpm_workspace::Workspace,
    out: &Path,
    cached: Option<&Packed>,
) -> Result<Packed, PackError> {
    let (name, version, _, entries, key) =
        collect(dir, manifest_path, None, versions, Some(workspace))?;
    let files = entries.len();
    let file = out.join(tarball::file_name(&name, &version));
    if let Some(c) = cached.filter(|c| c.key == key && c.tarball == file && file.is_file()) {
        let mut c = c.clone();
        c.cached = true;
        return Ok(c);
    }
    let t = tarball::write(entries).map_err(|e| PackError::Io(file.clone(), e))?;
    crate::fsutil::write_atomic(&file, &t.bytes).map_err(|e| PackError::Io(file.clone(), e))?;
    Ok(Packed {
        name,
        version,
        tarball: file,
        files,
        size: t.bytes.len() as u64,
        unpacked_size: t.unpacked_size,
        integrity: t.integrity,
        shasum: t.shasum,
        cached: false,
        key,
    })
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        false
    }
}
