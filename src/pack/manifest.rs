//! The manifest as `pnpm pack` writes it into the tarball: `workspace:`
//! ranges resolved to the workspace package's version, `catalog:` resolved
//! from `pnpm-workspace.yaml`, `publishConfig` fields applied.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::syntax::pnpm_workspace::Workspace;

/// Dependency tables whose specifiers pnpm rewrites.
const DEP_TABLES: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
];

/// Scripts pnpm leaves out of the packed manifest.
const LIFECYCLE: &[&str] = &[
    "prepublishOnly",
    "prepack",
    "prepare",
    "postpack",
    "publish",
    "postpublish",
];

/// `publishConfig` fields pnpm copies to the top level of the packed manifest.
const PUBLISH_FIELDS: &[&str] = &[
    "bin",
    "browser",
    "cpu",
    "esnext",
    "es2015",
    "exports",
    "imports",
    "libc",
    "main",
    "module",
    "os",
    "type",
    "types",
    "typings",
    "typesVersions",
    "umd:main",
    "unpkg",
];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ManifestError {
    #[error("`{dep}`: `{spec}` names a workspace package that is not in the workspace")]
    NotInWorkspace { dep: String, spec: String },
    #[error("`{dep}`: `{spec}` names no entry of the catalog")]
    NotInCatalog { dep: String, spec: String },
    #[error("package.json is not a JSON object")]
    NotAnObject,
}

/// Rewrites `manifest` (a parsed package.json) for packing. `versions` maps
/// workspace package names to their versions.
pub fn rewrite(
    manifest: &Value,
    versions: &HashMap<String, String>,
    workspace: Option<&Workspace>,
) -> Result<Value, ManifestError> {
    let Value::Object(obj) = manifest else {
        return Err(ManifestError::NotAnObject);
    };
    let mut out: Map<String, Value> = obj.clone();
    for table in DEP_TABLES {
        let Some(Value::Object(deps)) = out.get_mut(table) else {
            continue;
        };
        for (name, spec) in deps.iter_mut() {
            let Value::String(s) = spec else { continue };
            if let Some(range) = s.strip_prefix("workspace:") {
                let alias_target = range
                    .split_once('@')
                    .filter(|(n, _)| !n.is_empty())
                    .map(|(n, r)| (n.to_string(), r.to_string()));
                let (pkg, r) = alias_target
                    .clone()
                    .unwrap_or((name.clone(), range.to_string()));
                let v = versions
                    .get(&pkg)
                    .ok_or_else(|| ManifestError::NotInWorkspace {
                        dep: name.clone(),
                        spec: s.clone(),
                    })?;
                let resolved = match r.as_str() {
                    "*" | "" => v.clone(),
                    "^" => format!("^{v}"),
                    "~" => format!("~{v}"),
                    other => other.to_string(),
                };
                *s = match alias_target {
                    Some((pkg, _)) => format!("npm:{pkg}@{resolved}"),
                    None => resolved,
                };
            } else if let Some(cat) = s.strip_prefix("catalog:") {
                let range = workspace
                    .and_then(|w| w.catalog_range(cat, name))
                    .ok_or_else(|| ManifestError::NotInCatalog {
                        dep: name.clone(),
                        spec: s.clone(),
                    })?;
                *s = range.value.clone();
            }
        }
    }
    // pnpm drops its own settings and the scripts that ran for packing or
    // belong to publishing; the trimmed `scripts` moves to the end.
    out.remove("pnpm");
    out.remove("packageManager");
    if let Some(Value::Object(mut scripts)) = out.get("scripts").cloned() {
        let before = scripts.len();
        scripts.retain(|k, _| !LIFECYCLE.contains(&k.as_str()));
        if scripts.len() != before {
            out.remove("scripts");
            out.insert("scripts".into(), Value::Object(scripts));
        }
    }
    // `publishConfig` fields move to the top level.
    if let Some(Value::Object(mut pc)) = out.get("publishConfig").cloned() {
        let moved: Vec<(String, Value)> = pc
            .iter()
            .filter(|(k, _)| PUBLISH_FIELDS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !moved.is_empty() {
            pc.retain(|k, _| !PUBLISH_FIELDS.contains(&k.as_str()));
            out.insert("publishConfig".into(), Value::Object(pc));
            for (k, v) in moved {
                out.insert(k, v);
            }
        }
    }
    Ok(Value::Object(out))
}

/// The manifest's text as it goes into the tarball.
pub(crate) fn to_text(manifest: &Value) -> String {
    let mut s = serde_json::to_string_pretty(manifest).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_workspace_catalog_and_publish_config() {
        let m: Value = serde_json::from_str(
            r#"{"name":"@b/a","version":"1.0.0","main":"src/index.ts",
                "dependencies":{"@b/c":"workspace:*","@b/d":"workspace:^","@b/e":"workspace:~","@b/f":"workspace:^1.0.0","zod":"catalog:","x":"npm:y@1"},
                "peerDependencies":{"@b/c":"workspace:^"},
                "publishConfig":{"main":"dist/index.js","access":"restricted"}}"#,
        )
        .unwrap();
        let versions: HashMap<String, String> = [
            ("@b/c", "1.2.3"),
            ("@b/d", "2.0.0"),
            ("@b/e", "0.3.1"),
            ("@b/f", "1.4.0"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let ws =
            Workspace::parse("packages: [\"packages/*\"]\ncatalog:\n  zod: ^3.23.8\n").unwrap();
        let r = rewrite(&m, &versions, Some(&ws)).unwrap();
        assert_eq!(r["dependencies"]["@b/c"], "1.2.3");
        assert_eq!(r["dependencies"]["@b/d"], "^2.0.0");
        assert_eq!(r["dependencies"]["@b/e"], "~0.3.1");
        assert_eq!(r["dependencies"]["@b/f"], "^1.0.0");
        assert_eq!(r["dependencies"]["zod"], "^3.23.8");
        assert_eq!(r["dependencies"]["x"], "npm:y@1");
        assert_eq!(r["peerDependencies"]["@b/c"], "^1.2.3");
        assert_eq!(r["main"], "dist/index.js");
        assert_eq!(r["publishConfig"]["access"], "restricted");
        assert!(r["publishConfig"].get("main").is_none());
        let bad: Value =
            serde_json::from_str(r#"{"dependencies":{"@b/zz":"workspace:*"}}"#).unwrap();
        assert!(rewrite(&bad, &versions, None).is_err());
    }
}
