//! What npm-packlist reads from `package.json` to select files: `files`,
//! the always-packed `main`, `browser` and `bin` targets, and `workspaces`,
//! after the normalisation `@npmcli/package-json` and arborist apply. (Not
//! to be confused with [`crate::pack::manifest`], the manifest written into
//! the tarball.)
//!
//! Hand-written because the selection depends on JavaScript's view of the
//! JSON: truthiness, `String(value)`, a string `files` or `bin` iterated by
//! character, `bin` keys and targets "secured" by path normalisation. A
//! plain serde model of `package.json` would reject or read differently
//! what npm accepts. The `files` entries that would reach outside the
//! package are refused here.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use serde_json::Value;

use super::minimatch::{Minimatch, Opts};
use super::walk::check_link_inside;
use super::{base_name, SelectError};
use crate::syntax::package_json::PackageJson;
use crate::syntax::LineIndex;

/// What npm reads from `package.json` for the selection (after the
/// normalisation arborist applies).
pub(super) struct Manifest {
    pub(super) files: Option<Vec<String>>,
    /// `main`, `browser`, then the targets of `bin`.
    pub(super) required: Vec<String>,
    workspaces: Vec<String>,
}

impl Manifest {
    /// Reads `pkg_dir/package.json`, or takes `given`, its text read already.
    pub(super) fn read(pkg_dir: &Path, given: Option<&str>) -> Result<Manifest, SelectError> {
        let path = pkg_dir.join("package.json");
        let bytes = match given {
            Some(t) => t.as_bytes().to_vec(),
            // A regular file, size-capped, never a link leaving the package.
            None => {
                use crate::confine::{read_regular, ReadError};
                check_link_inside(pkg_dir, &path)?;
                match read_regular(&path) {
                    Ok(b) => b,
                    Err(e) if e.is_not_found() => {
                        return Err(SelectError::MissingPackageJson { path })
                    }
                    Err(ReadError::Io(source)) => return Err(SelectError::Io { path, source }),
                    Err(e) => {
                        return Err(SelectError::Io {
                            path,
                            source: io::Error::other(e.to_string()),
                        })
                    }
                }
            }
        };
        check_link_inside(pkg_dir, &path)?;
        let text = String::from_utf8_lossy(&bytes);
        let text = crate::syntax::package_json::strip_bom(&text);
        if let Err(e) = PackageJson::parse(text) {
            let pos = LineIndex::new(text).position(text, e.span.start);
            return Err(SelectError::PackageJsonSyntax {
                path,
                line: pos.line,
                column: pos.column,
                message: e.message,
            });
        }
        let json: Value =
            serde_json::from_str(text).map_err(|e| SelectError::PackageJsonSyntax {
                path: path.clone(),
                line: e.line(),
                column: e.column(),
                message: serde_message(&e),
            })?;
        let Value::Object(obj) = &json else {
            return Err(SelectError::PackageJsonInvalid {
                path,
                message: "expected an object".into(),
            });
        };
        let invalid = |message: String| SelectError::PackageJsonInvalid {
            path: path.clone(),
            message,
        };

        let files = match obj.get("files") {
            None => None,
            Some(v) if !js_truthy(v) => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => Ok(s.clone()),
                        other => Err(invalid(format!(
                            "`files` entries must be strings, found {other}"
                        ))),
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            // `for (const file of "lib")` walks the characters.
            Some(Value::String(s)) => Some(js_units(s)),
            Some(other) => {
                return Err(invalid(format!(
                    "`files` must be an array of strings, found {other}"
                )))
            }
        };
        for entry in files.iter().flatten() {
            let bare = entry.trim_start_matches('!');
            // A leading `/` anchors at the package root for npm (zod has
            // `/lib`) and cannot leave it; drive and UNC paths are refused.
            let reason = if bare.starts_with("\\\\") || has_drive(bare) {
                Some("absolute paths are not allowed")
            } else if bare
                .split(['/', '\\', '{', '}', ','])
                .any(|part| part == "..")
            {
                Some("`..` would leave the package directory")
            } else {
                None
            };
            if let Some(reason) = reason {
                return Err(SelectError::UnsafeFilesEntry {
                    path,
                    entry: entry.clone(),
                    reason,
                });
            }
        }

        let mut required = Vec::new();
        for key in ["browser", "main"] {
            if let Some(v) = obj.get(key).filter(|v| js_truthy(v)) {
                required.push(js_string(v));
            }
        }
        required.extend(bin_targets(obj, pkg_dir));

        let workspaces = match obj.get("workspaces") {
            Some(Value::Array(a)) => a.clone(),
            Some(Value::Object(o)) => match o.get("packages") {
                Some(Value::Array(a)) => a.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();

        Ok(Manifest {
            files,
            required,
            workspaces,
        })
    }

    /// Whether arborist finds workspaces: then npm-packlist reads a
    /// `package.json` in any subdirectory as an ignore file.
    pub(super) fn has_workspaces(&self, pkg_dir: &Path) -> Result<bool, SelectError> {
        if self.workspaces.is_empty() {
            return Ok(false);
        }
        let mut positive = Vec::new();
        let mut negative = Vec::new();
        for pattern in &self.workspaces {
            let bangs = pattern.len() - pattern.trim_start_matches('!').len();
            let p = &pattern[bangs..];
            // `replace(/^\.?\/+/, '')`
            let p = match p.strip_prefix('.') {
                Some(r) if r.starts_with('/') => r.trim_start_matches('/'),
                _ => p.trim_start_matches('/'),
            };
            let mm = Minimatch::new(p.trim_end_matches('/'), Opts::GLOB).map_err(|e| {
                SelectError::InvalidPattern {
                    path: pkg_dir.join("package.json"),
                    line: None,
                    pattern: pattern.chars().take(60).collect(),
                    message: e.to_string(),
                }
            })?;
            if bangs % 2 == 1 {
                negative.push(mm);
            } else {
                positive.push(mm);
            }
        }
        let mut found = false;
        let mut stack = vec![(pkg_dir.to_path_buf(), String::new())];
        while let Some((dir, rel)) = stack.pop() {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let Ok(name) = e.file_name().into_string() else {
                    continue;
                };
                if name == "node_modules" || name == ".git" {
                    continue;
                }
                let path = e.path();
                if !path.is_dir() {
                    continue;
                }
                let sub = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                let manifest = path.join("package.json");
                if manifest.is_file()
                    && positive.iter().any(|m| m.matches(&sub, false))
                    && !negative.iter().any(|m| m.matches(&sub, false))
                {
                    // npm fails on a workspace whose package.json is not JSON.
                    let bytes = fs::read(&manifest).map_err(|source| SelectError::Io {
                        path: manifest.clone(),
                        source,
                    })?;
                    let text = String::from_utf8_lossy(&bytes);
                    let text = crate::syntax::package_json::strip_bom(&text);
                    if let Err(e) = serde_json::from_str::<Value>(text) {
                        return Err(SelectError::PackageJsonSyntax {
                            path: manifest,
                            line: e.line(),
                            column: e.column(),
                            message: serde_message(&e),
                        });
                    }
                    found = true;
                }
                if !e.file_type().is_ok_and(|t| t.is_symlink()) && sub.split('/').count() < 32 {
                    stack.push((path, sub));
                }
            }
        }
        Ok(found)
    }
}

/// A serde_json error without its " at line … column …" (given apart).
fn serde_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// `C:/…` or `C:\…`
fn has_drive(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'/' | b'\\')
}

/// The UTF-16 code units of a string as strings (what JS iterates by index).
fn js_units(s: &str) -> Vec<String> {
    s.chars().map(String::from).collect()
}

fn js_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// `String(v)` in JavaScript, for values found in `package.json`.
fn js_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .map(|e| match e {
                Value::Null => String::new(),
                e => js_string(e),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".into(),
    }
}

/// The `bin` targets as `@npmcli/package-json` normalises them (including
/// `directories.bin` when there is no `bin`).
fn bin_targets(obj: &serde_json::Map<String, Value>, pkg_dir: &Path) -> Vec<String> {
    let bin = obj.get("bin").filter(|v| js_truthy(v));
    if bin.is_none() {
        if let Some(Value::String(dir)) = obj.get("directories").and_then(|d| d.get("bin")) {
            if !dir.is_empty() {
                return directories_bin(pkg_dir, dir);
            }
        }
    }
    let Some(bin) = bin else {
        return Vec::new();
    };
    let name = obj.get("name").filter(|v| js_truthy(v));
    let map: Vec<(String, &Value)> = match bin {
        Value::String(s) => match name {
            Some(name) => vec![(js_string(name), bin)],
            // Left a string: `for (key in bin)` visits its characters.
            None => return js_units(s).into_iter().collect(),
        },
        Value::Array(items) => {
            let mut m: Vec<(String, &Value)> = Vec::new();
            for item in items {
                let Value::String(k) = item else { continue };
                let key = base_name_posix(k).to_string();
                m.retain(|(existing, _)| *existing != key);
                m.push((key, item));
            }
            m
        }
        Value::Object(o) => o.iter().map(|(k, v)| (k.clone(), v)).collect(),
        _ => return Vec::new(),
    };
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (key, value) in map {
        let Value::String(target) = value else {
            continue;
        };
        let base = base_name_posix(&secure_unixify(&key)).to_string();
        if base.is_empty() {
            continue;
        }
        let target = secure_unixify(target);
        if target.is_empty() {
            continue;
        }
        out.insert(base, target);
    }
    out.into_values().collect()
}

/// `directories.bin`: every non-dot entry below that directory.
fn directories_bin(pkg_dir: &Path, dir: &str) -> Vec<String> {
    let bin_path = secure_unixify(dir);
    let base = if bin_path.is_empty() {
        pkg_dir.to_path_buf()
    } else {
        pkg_dir.join(&bin_path)
    };
    let mut found: Vec<String> = Vec::new();
    let mut stack = vec![(base, String::new())];
    while let Some((d, rel)) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(name) = e.file_name().into_string() else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let sub = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if e.file_type().is_ok_and(|t| t.is_dir()) && sub.split('/').count() < 32 {
                stack.push((e.path(), sub.clone()));
            }
            found.push(sub);
        }
    }
    // Later (deeper) entries win for the same base name, as in glob's
    // breadth-first order.
    found.sort_by(|a, b| {
        (a.matches('/').count(), a.as_str()).cmp(&(b.matches('/').count(), b.as_str()))
    });
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    for f in found {
        by_name.insert(
            base_name(&f).to_string(),
            format!("{bin_path}/{}", secure_unixify(&f)),
        );
    }
    by_name.into_values().collect()
}

fn base_name_posix(p: &str) -> &str {
    p.trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

/// `path.join('.', path.join('/', p))` with `\` and `:` turned into `/`; an
/// empty result for paths that normalise to nothing.
fn secure_unixify(p: &str) -> String {
    let p = p.replace(['\\', ':'], "/");
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if p.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_unixify_paths() {
        assert_eq!(secure_unixify("./bin/x.js"), "bin/x.js");
        assert_eq!(secure_unixify("../../x"), "x");
        assert_eq!(secure_unixify("."), "");
        assert_eq!(secure_unixify("a\\b:c"), "a/b/c");
    }
}
