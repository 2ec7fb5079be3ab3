//! The pruned `pnpm-workspace.yaml`: the original text with `packages:`
//! replaced by the kept importer directories and `patchedDependencies`
//! pruned, edited by key path on the parsed tree's byte spans so every other
//! key, comment and quote survives; the result is parsed again to check it.

use std::collections::HashSet;
use std::path::Path;

use super::lock::{patch_hash, Kept};
use super::Error;
use crate::syntax::pnpm_lock::Lockfile;
use crate::syntax::yaml;

/// Where the patches are configured and which are kept.
#[derive(Clone, Debug, Default)]
pub struct PatchConfig {
    /// `pnpm.patchedDependencies` of the root `package.json` (copied
    /// unchanged, so every patch is kept).
    pub in_package_json: bool,
    /// Kept `patchedDependencies` keys of the lockfile.
    pub keys: Vec<String>,
    /// Patch files to copy, relative to the root.
    pub files: Vec<String>,
}

impl PatchConfig {
    /// Reads the patch configuration; with patches in `package.json`, marks
    /// every patch of the lockfile as kept in `kept`.
    pub fn read(
        root: &Path,
        ws_text: &str,
        lock: &Lockfile,
        kept: &mut Kept,
    ) -> Result<PatchConfig, Error> {
        let mut cfg = PatchConfig::default();
        let Some(lock_pd) = lock.project().get_map("patchedDependencies") else {
            return Ok(cfg);
        };
        let pj_path = root.join("package.json");
        let pj: serde_json::Value = match std::fs::read_to_string(&pj_path) {
            Ok(t) => serde_json::from_str(&t).unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        };
        let pj_patches = pj
            .get("pnpm")
            .and_then(|p| p.get("patchedDependencies"))
            .and_then(|p| p.as_object());
        let ws_root = yaml::parse(ws_text).unwrap_or(yaml::Node {
            value: yaml::Value::Null,
            span: Default::default(),
        });
        let ws_patches = ws_root.get("patchedDependencies");
        if pj_patches.is_some() {
            cfg.in_package_json = true;
            for (_, v) in lock_pd.iter() {
                if let Some(h) = patch_hash(v) {
                    kept.patch_hashes.insert(h.to_string());
                }
            }
        }
        let mut files = Vec::new();
        for (key, v) in lock_pd.iter() {
            if !patch_hash(v).is_some_and(|h| kept.patch_hashes.contains(h)) {
                continue;
            }
            cfg.keys.push(key.to_string());
            let from_lock = v.get("path").and_then(|p| p.as_str());
            let from_ws = ws_patches.and_then(|m| m.get(key)).and_then(|p| p.as_str());
            let from_pj = pj_patches.and_then(|m| m.get(key)).and_then(|p| p.as_str());
            for p in [from_lock, from_ws, from_pj].into_iter().flatten() {
                let p = p.trim_start_matches("./").to_string();
                if !files.contains(&p) {
                    files.push(p);
                }
            }
        }
        cfg.files = files;
        Ok(cfg)
    }

    pub fn kept_keys(&self) -> Vec<String> {
        self.keys.clone()
    }
}

/// The pruned workspace file's text.
pub fn prune(
    ws_path: &Path,
    text: &str,
    importers: &[String],
    patches: &PatchConfig,
) -> Result<String, Error> {
    let root = yaml::parse(text).map_err(|e| Error::parse(ws_path, text, &e))?;
    let mut edits: Vec<(usize, usize, String)> = Vec::new();

    let mut list = String::from("packages:");
    let dirs: Vec<&String> = importers.iter().filter(|d| d.as_str() != ".").collect();
    if dirs.is_empty() {
        list.push_str(" []\n");
    } else {
        list.push('\n');
        for d in dirs {
            list.push_str("  - '");
            list.push_str(&d.replace('\'', "''"));
            list.push_str("'\n");
        }
    }
    match root.entry("packages") {
        Some((k, v)) => {
            let end = node_end(v).max(k.span.end);
            edits.push((line_start(text, k.span.start), line_end(text, end), list));
        }
        None => edits.push((0, 0, list)),
    }

    if !patches.in_package_json {
        if let Some((k, v)) = root.entry("patchedDependencies") {
            if let Some(entries) = v.as_map() {
                let keep: HashSet<&str> = patches.keys.iter().map(String::as_str).collect();
                if entries
                    .iter()
                    .all(|(ek, _)| !ek.as_str().is_some_and(|s| keep.contains(s)))
                {
                    let start = line_start(text, k.span.start);
                    let mut end = line_end(text, node_end(v).max(k.span.end));
                    // Keep one blank line between the neighbours, not two.
                    if text[..start].ends_with("\n\n") {
                        while text[end..].starts_with('\n') {
                            end += 1;
                        }
                    }
                    edits.push((start, end, String::new()));
                } else if v.span.end > v.span.start && text[v.span.range()].starts_with('{') {
                    // A flow map: write it again with the kept entries.
                    let kept: Vec<String> = entries
                        .iter()
                        .filter(|(ek, _)| ek.as_str().is_some_and(|s| keep.contains(s)))
                        .map(|(ek, ev)| {
                            format!("{}: {}", &text[ek.span.range()], &text[ev.span.range()])
                        })
                        .collect();
                    edits.push((v.span.start, v.span.end, format!("{{{}}}", kept.join(", "))));
                } else {
                    for (ek, ev) in entries {
                        if ek.as_str().is_some_and(|s| keep.contains(s)) {
                            continue;
                        }
                        edits.push((
                            line_start(text, ek.span.start),
                            line_end(text, node_end(ev).max(ek.span.end)),
                            String::new(),
                        ));
                    }
                }
            }
        }
    }

    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (s, e, r) in edits {
        out.replace_range(s..e, &r);
    }
    // The edit must leave a valid file with exactly the kept packages.
    let check = yaml::parse(&out).map_err(|e| {
        Error::file(
            ws_path,
            format!("internal error: the pruned workspace file does not parse: {e}"),
        )
    })?;
    let n = check
        .get("packages")
        .and_then(|p| p.as_seq())
        .map_or(0, |s| s.len());
    if n != importers.iter().filter(|d| d.as_str() != ".").count() {
        return Err(Error::file(
            ws_path,
            "internal error: the pruned workspace file lost `packages` entries",
        ));
    }
    Ok(out)
}

/// The end of a node's own text (a block collection's span may run into the
/// next key; its last item's end does not).
fn node_end(n: &yaml::Node) -> usize {
    match &n.value {
        yaml::Value::Seq(items) => items.last().map_or(n.span.end, node_end).max(n.span.start),
        yaml::Value::Map(entries) => entries
            .last()
            .map_or(n.span.end, |(_, v)| node_end(v))
            .max(n.span.start),
        _ => n.span.end,
    }
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn line_end(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// Reads `pnpmfile` of the workspace file (a path or list of paths) and the
/// default pnpmfiles that exist: the files to copy, relative to the root.
pub fn pnpmfiles(root: &Path, ws_text: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(n) = yaml::parse(ws_text) {
        if let Some(p) = n.get("pnpmfile") {
            if let Some(s) = p.as_str() {
                out.push(s.trim_start_matches("./").to_string());
            }
            for i in p.as_seq().unwrap_or(&[]) {
                if let Some(s) = i.as_str() {
                    out.push(s.trim_start_matches("./").to_string());
                }
            }
        }
    }
    for f in [".pnpmfile.cjs", ".pnpmfile.mjs"] {
        if !out.iter().any(|o| o == f) && root.join(f).is_file() {
            out.push(f.to_string());
        }
    }
    out.retain(|f| root.join(f).is_file());
    out
}
