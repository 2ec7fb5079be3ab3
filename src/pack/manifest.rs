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

/// Checks a package name against npm's rules for new packages
/// (validate-npm-package-name): at most 214 characters, lower case, `@scope/`
/// at most once, and each part of letters, digits, `-`, `_` and `.` not
/// starting with `.` (so neither `..` nor a `/` beyond the scope's can reach
/// the tarball's file name). The name part may not start with `_` either.
pub fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("is empty");
    }
    if name.len() > 214 {
        return Err("is longer than 214 characters");
    }
    if name.trim() != name {
        return Err("has leading or trailing spaces");
    }
    if name.chars().any(|c| c.is_uppercase()) {
        return Err("has capital letters (npm names are lower case)");
    }
    if matches!(name, "node_modules" | "favicon.ico") {
        return Err("is a name npm reserves");
    }
    let (scope, base) = match name.strip_prefix('@') {
        Some(rest) => match rest.split_once('/') {
            Some((s, b)) => (Some(s), b),
            None => return Err("is a scope without a package name (`@scope/name`)"),
        },
        None => (None, name),
    };
    let part_ok = |p: &str| {
        !p.is_empty()
            && !p.starts_with('.')
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
    };
    if scope.is_some_and(|s| !part_ok(s)) || !part_ok(base) {
        return Err("is not a valid npm name (lower-case letters, digits, `-`, `_`, `.`, not starting with `.`, one `/` after an `@scope`)");
    }
    if scope.is_none() && base.starts_with('_') {
        return Err("starts with `_`");
    }
    Ok(())
}

/// Checks a version the way node-semver's `valid` does (strict):
/// `MAJOR.MINOR.PATCH`, numbers without leading zeros and at most
/// `Number.MAX_SAFE_INTEGER`, optional `-prerelease` and `+build`
/// identifiers (`[0-9A-Za-z-]`, numeric prerelease ones without leading
/// zeros), an optional leading `v`, at most 256 characters.
pub fn check_version(version: &str) -> Result<(), &'static str> {
    const WHY: &str = "is not a valid semver version (`MAJOR.MINOR.PATCH[-pre][+build]`)";
    if version.len() > 256 {
        return Err("is longer than 256 characters");
    }
    let v = version.strip_prefix('v').unwrap_or(version);
    let (rest, build) = match v.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (v, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let numeric = |s: &str| {
        !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit())
            && (s == "0" || !s.starts_with('0'))
            && s.parse::<u64>().is_ok_and(|n| n < (1u64 << 53))
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3 || !parts.iter().all(|p| numeric(p)) {
        return Err(WHY);
    }
    let ident =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if let Some(pre) = pre {
        let ok = pre.split('.').all(|id| {
            ident(id)
                && (!id.bytes().all(|b| b.is_ascii_digit()) || id == "0" || !id.starts_with('0'))
        });
        if !ok {
            return Err(WHY);
        }
    }
    if let Some(build) = build {
        if !build.split('.').all(ident) {
            return Err(WHY);
        }
    }
    Ok(())
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
    fn names_and_versions_that_can_become_file_names() {
        for n in [
            "a",
            "@b/config",
            "lodash.merge",
            "x-y_z",
            "@types/node",
            "a1",
        ] {
            assert_eq!(check_name(n), Ok(()), "{n}");
        }
        for n in [
            "",
            "..",
            ".a",
            "_a",
            "A",
            "@b",
            "@b/",
            "@/a",
            "@b/c/d",
            "a/b",
            "@../x",
            "@b/..",
            "a b",
            " a",
            "a\\b",
            "node_modules",
            "a~b",
            "é",
        ] {
            assert!(check_name(n).is_err(), "{n}");
        }
        assert!(check_name(&"a".repeat(215)).is_err());
        for v in [
            "1.0.0",
            "0.0.0",
            "v1.2.3",
            "1.2.3-beta.1",
            "1.2.3-0",
            "1.2.3+build.5",
            "1.2.3-rc-1+sha.1a",
        ] {
            assert_eq!(check_version(v), Ok(()), "{v}");
        }
        for v in [
            "",
            "1",
            "1.0",
            "1.0.0.0",
            "01.0.0",
            "1.0.0-01",
            "1.0.0-",
            "1.0.0+",
            "1.0.0-a..b",
            "/../../x",
            "1/../../../x",
            "1.0.0/../x",
            "1.0.0-a/b",
            "1.0.0 ",
            " 1.0.0",
            "9007199254740992.0.0",
        ] {
            assert!(check_version(v).is_err(), "{v}");
        }
    }

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
