//! Packing a workspace's packages: file selection as npm's, the manifest as
//! pnpm writes it, deterministic tarballs, a content cache, in parallel.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::manifest::{self, ManifestError};
use super::secrets::{Allowed, Scope};
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
    #[error("{path}:{line}:{column}: refusing to pack {what} (remove it, keep the file out with `files` or `.npmignore`, or accept the reviewed file with `--allow-secret` or `[pack] allow_secrets` in dockprep.toml)")]
    Credential {
        path: PathBuf,
        line: usize,
        column: usize,
        what: String,
    },
    #[error("{path}:{line}:{column}: refusing to pack {what}, which is set in this environment (unset the variable to pack the file)")]
    EnvironmentCredential {
        path: PathBuf,
        line: usize,
        column: usize,
        what: String,
    },
    #[error("{out}: the output directory is the directory of the package {package}, whose next tarball would hold the previous ones (choose another --out)")]
    OutIsPackage { out: PathBuf, package: String },
    /// A `name` or `version` that is no valid npm name or semver version
    /// (it becomes part of the tarball's file name).
    #[error("{path}:{line}:{column}: refusing to pack: `{field}` {value:?} {reason}")]
    InvalidField {
        path: PathBuf,
        line: usize,
        column: usize,
        field: &'static str,
        value: String,
        reason: String,
    },
}

/// What guards a pack beyond npm's file selection.
#[derive(Clone, Debug, Default)]
pub struct Guard {
    /// Files a maintainer accepted despite credential-looking text.
    pub allowed: Allowed,
    /// Directories never packed (the output directory, when it lies inside
    /// a package: the previous tarballs would go into the next).
    pub exclude: Vec<PathBuf>,
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
    /// Files accepted despite credential-looking text (`--allow-secret`),
    /// besides the `[pack] allow_secrets` of the workspace's `dockprep.toml`.
    pub allow_secrets: Vec<PathBuf>,
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
        .find(|e| crate::paths::relative_to(&e.path, &opts.workspace).is_some())
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
    let guard = Guard {
        allowed: Allowed::new(opts.allow_secrets.iter().cloned()).with_configs(&p),
        exclude: vec![opts.out.clone()],
    };
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
    // The tarballs (and the cache) would be packed into the next ones.
    let out_r =
        crate::fsutil::resolve(&opts.out).map_err(|e| PackError::Io(opts.out.clone(), e))?;
    if let Some(m) = selected
        .iter()
        .find(|m| crate::fsutil::resolve(&m.dir).is_ok_and(|d| d == out_r))
    {
        return Err(PackError::OutIsPackage {
            out: opts.out.clone(),
            package: m.name.clone(),
        });
    }
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
                &guard,
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
    guard: &Guard,
) -> Result<InMemory, PackError> {
    // The content key serves the on-disk pack cache only.
    let (name, version, rewritten, entries, _key) = collect(
        dir,
        manifest_path,
        manifest_text,
        versions,
        workspace,
        guard,
    )?;
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
    guard: &Guard,
) -> Result<Collected, PackError> {
    let mut files = select_files_with(dir, manifest_text)
        .map_err(|e| PackError::Select(dir.to_path_buf(), e))?;
    let excluded = excluded_dirs(dir, &guard.exclude);
    if !excluded.is_empty() {
        files.retain(|f| {
            !excluded.iter().any(|x| {
                f == x
                    || f.strip_prefix(x.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
        });
    }
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
    let (name, version) = name_and_version(manifest_path, raw, &rewritten)?;
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
        if let Some(h) = scan_file(&dir.join(f), &bytes, &known, &guard.allowed) {
            return Err(h);
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

/// The credential check of one file: `Some` refuses it.
fn scan_file(
    path: &Path,
    bytes: &[u8],
    known: &[(String, String)],
    allowed: &Allowed,
) -> Option<PackError> {
    let mut h = super::secrets::scan(bytes, known, Scope::All)?;
    if allowed.contains(path) {
        // An accepted file is still scanned for what no review accepts.
        h = super::secrets::scan(bytes, known, Scope::EnvironmentOnly)?;
    }
    let path = path.to_path_buf();
    let (line, column, what) = (h.line, h.column, h.what);
    Some(if h.environment {
        PackError::EnvironmentCredential {
            path,
            line,
            column,
            what,
        }
    } else {
        PackError::Credential {
            path,
            line,
            column,
            what,
        }
    })
}

fn pack_one(
    dir: &Path,
    manifest_path: &Path,
    versions: &HashMap<String, String>,
    workspace: &crate::syntax::pnpm_workspace::Workspace,
    out: &Path,
    cached: Option<&Packed>,
    guard: &Guard,
) -> Result<Packed, PackError> {
    let (name, version, _, entries, key) =
        collect(dir, manifest_path, None, versions, Some(workspace), guard)?;
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

/// The directories of `exclude` that lie inside the package at `dir`, as
/// package-relative `/`-separated paths (both resolved first, so `..` and
/// links do not hide one inside the other).
fn excluded_dirs(dir: &Path, exclude: &[PathBuf]) -> Vec<String> {
    if exclude.is_empty() {
        return Vec::new();
    }
    let Ok(d) = crate::fsutil::resolve(dir) else {
        return Vec::new();
    };
    exclude
        .iter()
        .filter_map(|x| crate::fsutil::resolve(x).ok())
        .filter_map(|x| x.strip_prefix(&d).ok().map(crate::paths::slash))
        .filter(|r| !r.is_empty())
        .collect()
}

/// The package's `name` and `version`, refused unless they are a valid npm
/// name and a valid semver version: both become the tarball's file name, so
/// `1.0.0/../../x` would write outside the output directory.
fn name_and_version(
    manifest_path: &Path,
    raw: &str,
    rewritten: &serde_json::Value,
) -> Result<(String, String), PackError> {
    let spans = crate::syntax::package_json::PackageJson::parse(raw).ok();
    let invalid = |field: &'static str, value: String, reason: String| {
        let at = spans
            .as_ref()
            .and_then(|p| match field {
                "name" => p.name.as_ref(),
                _ => p.version.as_ref(),
            })
            .map_or(0, |s| s.span.start);
        let pos = crate::syntax::LineIndex::new(raw).position(raw, at);
        PackError::InvalidField {
            path: manifest_path.to_path_buf(),
            line: pos.line,
            column: pos.column,
            field,
            value,
            reason,
        }
    };
    let name = match &rewritten["name"] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => {
            return Err(invalid("name", String::new(), "is missing".into()));
        }
        other => return Err(invalid("name", other.to_string(), "is not a string".into())),
    };
    if let Err(why) = manifest::check_name(&name) {
        return Err(invalid("name", name, why.to_string()));
    }
    let version = match &rewritten["version"] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "0.0.0".to_string(),
        other => {
            return Err(invalid(
                "version",
                other.to_string(),
                "is not a string".into(),
            ))
        }
    };
    if let Err(why) = manifest::check_version(&version) {
        return Err(invalid("version", version, why.to_string()));
    }
    Ok((name, version))
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
