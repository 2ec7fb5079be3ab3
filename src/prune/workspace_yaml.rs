//! The pruned `pnpm-workspace.yaml`: the original text with `packages:`
//! replaced by the kept importer directories and `patchedDependencies`
//! pruned, edited by key path with [`crate::syntax::yaml_edit`] so every
//! other key, comment and quote survives; each edit is checked by parsing
//! the result again.

use std::collections::HashSet;
use std::path::Path;

use super::Error;
use crate::syntax::pnpm_lock::Lockfile;
use crate::syntax::yaml;
use crate::syntax::yaml_edit::{Comments, EditError, Editor, NewValue, Place};
use crate::workspace::lock::{patch_hash, Kept};

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
            Ok(t) => {
                serde_json::from_str(crate::syntax::package_json::strip_bom(&t)).unwrap_or_default()
            }
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
    let internal = |e: EditError| {
        Error::file(
            ws_path,
            format!("internal error: the pruned workspace file could not be written: {e}"),
        )
    };
    let mut ed = Editor::new(text).map_err(|e| match e {
        EditError::Parse(p) => Error::parse(ws_path, text, &p),
        e => internal(e),
    })?;

    // `packages:` written again: one single-quoted directory a line.
    let dirs: Vec<String> = importers
        .iter()
        .filter(|d| d.as_str() != ".")
        .cloned()
        .collect();
    let mut layout = ed.layout().clone();
    layout.seq_indent = 2;
    layout.quote = '\'';
    layout.always_quote_items = true;
    layout.flow_lists = false;
    ed.set_layout(layout);
    ed.set(&["packages"], NewValue::Seq(dirs), Place::Start)
        .map_err(internal)?;

    if !patches.in_package_json {
        let path = ["patchedDependencies"];
        let keep: HashSet<&str> = patches.keys.iter().map(String::as_str).collect();
        let none_kept = ed.get(&path).and_then(|v| v.as_map()).map(|entries| {
            entries
                .iter()
                .all(|(ek, _)| !ek.as_str().is_some_and(|s| keep.contains(s)))
        });
        match none_kept {
            Some(true) => ed.remove(&path, Comments::Keep),
            Some(false) => ed.retain_entries(&path, |k| keep.contains(k), Comments::Keep),
            None => Ok(()),
        }
        .map_err(internal)?;
    }
    Ok(ed.finish().map_err(internal)?.text)
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
