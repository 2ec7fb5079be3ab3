//! The lockfile side of a prune: which importers and graph entries are kept,
//! whether the kept importers are up to date with their manifests, and the
//! pruned lockfile.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::discover::{join_id, Package};
use super::{show, Error};
use crate::syntax::package_json::{DepKind, Dependency, PackageJson};
use crate::syntax::pnpm_lock::{LockVersion, Lockfile, Node};
use crate::syntax::{Span, Spanned};

/// What the lockfile side reads.
pub struct Input<'a> {
    pub root: &'a Path,
    pub lock_path: &'a Path,
    pub lock_text: &'a str,
    pub lock: &'a Lockfile,
    pub packages: &'a [Package],
}

/// What a prune keeps of a lockfile.
#[derive(Clone, Debug, Default)]
pub struct Kept {
    /// Importer ids, in lockfile order (`.` included).
    pub importers: Vec<String>,
    /// Graph keys (`snapshots` in v9, `packages` in v6).
    pub graph: HashSet<String>,
    /// `packages` keys.
    pub packages: HashSet<String>,
    /// `patch_hash=` values occurring in kept graph keys.
    pub patch_hashes: HashSet<String>,
}

/// The kept importers and graph: `targets` (importer ids), `.`, what they
/// link to or inject, and the graph closure of their references.
pub fn closure(input: &Input, targets: &[String]) -> Result<Kept, Error> {
    let lock = input.lock;
    let graph = lock.graph();
    let packages = lock.project().get_map("packages");
    let mut importers: HashSet<String> = HashSet::new();
    let mut queue: Vec<String> = Vec::new();
    for t in std::iter::once(".").chain(targets.iter().map(String::as_str)) {
        if lock.importer(t).is_none() {
            if t == "." {
                continue;
            }
            let name = input
                .packages
                .iter()
                .find(|p| p.dir == t)
                .and_then(|p| p.name.clone())
                .unwrap_or_default();
            return Err(Error::file(
                input.lock_path,
                format!(
                    "no importer `{t}` for workspace package `{name}` ({}): the lockfile is out of date with the workspace (run pnpm install)",
                    show(&input.root.join(t).join("package.json"))
                ),
            ));
        }
        if importers.insert(t.to_string()) {
            queue.push(t.to_string());
        }
    }
    let mut kept = Kept::default();
    let mut nodes: Vec<String> = Vec::new();
    let keep_node = |key: String, kept: &mut Kept, nodes: &mut Vec<String>| {
        if !kept.graph.contains(&key) {
            kept.graph.insert(key.clone());
            nodes.push(key);
        }
    };
    loop {
        if let Some(id) = queue.pop() {
            for dep in lock.importer_deps(&id) {
                if let Some(rel) = dep.reference.strip_prefix("link:") {
                    if let Some(target) = join_id(&id, rel) {
                        if lock.importer(&target).is_some() && importers.insert(target.clone()) {
                            queue.push(target);
                        }
                    }
                    continue;
                }
                let Some(key) = lock.dep_path(dep.name, dep.reference) else {
                    continue;
                };
                if graph.and_then(|g| g.get(&key)).is_none() {
                    let at = locate(input.lock_text, &["importers", &id, dep.field, dep.name]);
                    return Err(Error::at(
                        input.lock_path,
                        input.lock_text,
                        at,
                        format!(
                            "importer `{id}`: `{}` resolves to `{key}`, which has no `{}` entry: the lockfile is broken (run pnpm install)",
                            dep.name,
                            graph_name(lock)
                        ),
                    ));
                }
                keep_node(key, &mut kept, &mut nodes);
            }
            continue;
        }
        let Some(key) = nodes.pop() else { break };
        let pkg_key = lock.package_key(&key).to_string();
        if let Some(p) = packages.and_then(|p| p.get_map(&pkg_key)) {
            // An injected workspace package: keep its importer too.
            if let Some(dir) = p.get_map("resolution").and_then(|r| r.get_str("directory")) {
                if let Some(id) = join_id(".", dir) {
                    if lock.importer(&id).is_some() && importers.insert(id.clone()) {
                        queue.push(id);
                    }
                }
            }
        }
        if let Some(i) = key.find("patch_hash=") {
            let h = &key[i + "patch_hash=".len()..];
            let h = h.split([')', '(']).next().unwrap_or("");
            kept.patch_hashes.insert(h.to_string());
        }
        kept.packages.insert(pkg_key);
        for dep in lock.node_deps(&key) {
            if let Some(rel) = dep.reference.strip_prefix("link:") {
                if let Some(target) = join_id(".", rel) {
                    if lock.importer(&target).is_some() && importers.insert(target.clone()) {
                        queue.push(target);
                    }
                }
                continue;
            }
            let Some(dk) = lock.dep_path(dep.name, dep.reference) else {
                continue;
            };
            if graph.and_then(|g| g.get(&dk)).is_none() {
                let at = locate(
                    input.lock_text,
                    &[graph_name(lock), &key, dep.field, dep.name],
                );
                return Err(Error::at(
                    input.lock_path,
                    input.lock_text,
                    at,
                    format!(
                        "`{key}`: `{}` resolves to `{dk}`, which has no `{}` entry: the lockfile is broken (run pnpm install)",
                        dep.name,
                        graph_name(lock)
                    ),
                ));
            }
            keep_node(dk, &mut kept, &mut nodes);
        }
    }
    kept.importers = lock
        .importer_ids()
        .into_iter()
        .filter(|id| importers.contains(*id))
        .map(str::to_string)
        .collect();
    Ok(kept)
}

fn graph_name(lock: &Lockfile) -> &'static str {
    match lock.version {
        LockVersion::V9 => "snapshots",
        LockVersion::V6 => "packages",
    }
}

/// Checks every kept importer against its `package.json` the way pnpm's
/// frozen install does (`satisfiesPackageManifest`): the same dependency
/// names in the same fields with the same specifiers.
pub(crate) fn check_fresh(input: &Input, kept: &Kept) -> Result<(), Error> {
    for id in &kept.importers {
        let path = input.root.join(id).join("package.json");
        let cached = input
            .packages
            .iter()
            .find(|p| &p.dir == id && !p.manifest.is_empty())
            .map(|p| Ok(p.manifest.clone()));
        let text = match cached.unwrap_or_else(|| std::fs::read_to_string(&path)) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && id == "." => "{}".to_string(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let at = locate(input.lock_text, &["importers", id]);
                return Err(Error::at(
                    input.lock_path,
                    input.lock_text,
                    at,
                    format!(
                        "importer `{id}` has no {}: the lockfile is out of date with the workspace (run pnpm install)",
                        show(&path)
                    ),
                ));
            }
            Err(e) => return Err(Error::io(&path, e)),
        };
        manifest_matches(
            input.lock,
            input.lock_text,
            input.lock_path,
            id,
            &path,
            &text,
        )?;
    }
    Ok(())
}

/// pnpm's frozen-install test of one importer against its manifest
/// (`satisfiesPackageManifest`): the same dependency names in the same
/// fields with the same specifiers (peers added by `autoInstallPeers`, links
/// left out by `excludeLinksFromLockfile`, pnpm 11's runtimes). The error
/// names the manifest's line, or the lockfile's for an entry the manifest
/// no longer lists.
pub(crate) fn manifest_matches(
    lock: &Lockfile,
    lock_text: &str,
    lock_path: &Path,
    id: &str,
    path: &Path,
    text: &str,
) -> Result<(), Error> {
    let settings = lock.project().get_map("settings");
    let setting = |k: &str| settings.and_then(|s| s.get_str(k)) == Some("true");
    let auto_peers = setting("autoInstallPeers");
    let no_links = setting("excludeLinksFromLockfile");
    {
        let manifest = PackageJson::parse(text).map_err(|e| Error::parse(path, text, &e))?;
        let of = |k: DepKind| {
            manifest
                .dependencies
                .iter()
                .filter(move |d| d.kind == k && !(no_links && d.spec.value.starts_with("link:")))
        };
        let has = |k: DepKind, n: &str| of(k).any(|d| d.name.value == n);
        // (field, dependency) as pnpm expects them in the importer.
        let mut expected = Vec::new();
        for d in of(DepKind::OptionalDependencies) {
            expected.push(("optionalDependencies", d));
        }
        let mut in_deps: HashSet<&str> = HashSet::new();
        for d in of(DepKind::Dependencies) {
            in_deps.insert(&d.name.value);
            if !has(DepKind::OptionalDependencies, &d.name.value) {
                expected.push(("dependencies", d));
            }
        }
        if auto_peers {
            for d in of(DepKind::PeerDependencies) {
                let n = d.name.value.as_str();
                if !(in_deps.contains(n)
                    || has(DepKind::DevDependencies, n)
                    || has(DepKind::OptionalDependencies, n))
                {
                    in_deps.insert(n);
                    expected.push(("dependencies", d));
                }
            }
        }
        for d in of(DepKind::DevDependencies) {
            let n = d.name.value.as_str();
            if !in_deps.contains(n) && !has(DepKind::OptionalDependencies, n) {
                expected.push(("devDependencies", d));
            }
        }
        // pnpm 11: a runtime of `engines`/`devEngines` with `onFail: download`
        // is a dependency `node: runtime:<version>`.
        let runtimes = runtime_deps(text);
        let runtime_spans: Vec<Dependency> = runtimes
            .iter()
            .filter(|(field, name, _, _)| {
                !expected
                    .iter()
                    .any(|(f, d)| f == field && d.name.value == *name)
            })
            .map(|(field, name, spec, at)| Dependency {
                kind: if *field == "dependencies" {
                    DepKind::Dependencies
                } else {
                    DepKind::DevDependencies
                },
                name: Spanned::new(name.clone(), Span::new(*at, *at)),
                spec: Spanned::new(spec.clone(), Span::new(*at, *at)),
            })
            .collect();
        for d in &runtime_spans {
            let field = if d.kind == DepKind::Dependencies {
                "dependencies"
            } else {
                "devDependencies"
            };
            expected.push((field, d));
        }

        let recorded: HashMap<&str, (&str, Option<&str>)> = lock
            .importer_deps(id)
            .into_iter()
            .map(|d| (d.name, (d.field, d.specifier)))
            .collect();
        let out_of_date = "the lockfile is out of date (run pnpm install)";
        for (field, d) in &expected {
            let name = d.name.value.as_str();
            let spec = d.spec.value.as_str();
            let at = d.name.span.start;
            match recorded.get(name) {
                None => {
                    return Err(Error::at(
                        path,
                        text,
                        at,
                        format!(
                            "`{name}` (`{spec}`) is not in importer `{id}` of {}: {out_of_date}",
                            show(lock_path)
                        ),
                    ))
                }
                Some((f, s)) if *s != Some(spec) || f != field => {
                    let lock_at = locate(lock_text, &["importers", id, f, name]);
                    let p = crate::syntax::LineIndex::new(lock_text).position(lock_text, lock_at);
                    return Err(Error::at(
                        path,
                        text,
                        at,
                        format!(
                            "`{name}` is `{spec}` in {field} here but `{}` in {f} at {}:{}:{}: {out_of_date}",
                            s.unwrap_or("?"),
                            show(lock_path),
                            p.line,
                            p.column
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        if expected.len() != recorded.len() {
            let listed: HashSet<&str> = expected
                .iter()
                .map(|(_, d)| d.name.value.as_str())
                .collect();
            for d in lock.importer_deps(id) {
                if !listed.contains(d.name) {
                    let at = locate(lock_text, &["importers", id, d.field, d.name]);
                    return Err(Error::at(
                        lock_path,
                        lock_text,
                        at,
                        format!(
                            "importer `{id}` has `{}` in {}, which {} does not list: {out_of_date}",
                            d.name,
                            d.field,
                            show(path)
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// `(field, name, "runtime:VERSION", offset)` for each `engines.runtime`
/// (to `dependencies`) and `devEngines.runtime` (to `devDependencies`) with
/// `onFail: download`, as pnpm 11 adds them.
fn runtime_deps(text: &str) -> Vec<(&'static str, String, String, usize)> {
    if !text.contains("\"runtime\"") {
        return Vec::new();
    }
    let Ok(v) =
        serde_json::from_str::<serde_json::Value>(crate::syntax::package_json::strip_bom(text))
    else {
        return Vec::new();
    };
    let at = text.find("\"runtime\"").unwrap_or(0);
    let mut out = Vec::new();
    for (key, field) in [
        ("engines", "dependencies"),
        ("devEngines", "devDependencies"),
    ] {
        let Some(rt) = v.get(key).and_then(|e| e.get("runtime")) else {
            continue;
        };
        let list = match rt {
            serde_json::Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for r in list {
            let (Some(name), Some(version)) = (
                r.get("name").and_then(|n| n.as_str()),
                r.get("version").and_then(|n| n.as_str()),
            ) else {
                continue;
            };
            if r.get("onFail").and_then(|o| o.as_str()) == Some("download") {
                out.push((field, name.to_string(), format!("runtime:{version}"), at));
            }
        }
    }
    out
}

/// The lockfile with only what `kept` names: importers, `packages`,
/// `snapshots`, `patchedDependencies` (and `time`) pruned; everything else,
/// and the first document of a two-document lockfile, as it was.
pub(crate) fn pruned_lockfile(lock: Lockfile, kept: &Kept) -> Lockfile {
    let mut out = lock;
    let v6 = out.version == LockVersion::V6;
    let root = out.project_mut();
    if let Some(Node::Map(m)) = root.get_mut("importers") {
        let ids: HashSet<&str> = kept.importers.iter().map(String::as_str).collect();
        m.retain(|k, _| ids.contains(k));
    }
    if let Some(Node::Map(m)) = root.get_mut("packages") {
        let keys = if v6 { &kept.graph } else { &kept.packages };
        m.retain(|k, _| keys.contains(k));
    }
    if let Some(Node::Map(m)) = root.get_mut("snapshots") {
        m.retain(|k, _| kept.graph.contains(k));
    }
    if let Some(Node::Map(m)) = root.get_mut("time") {
        m.retain(|k, _| kept.packages.contains(k) || kept.packages.contains(&format!("/{k}")));
    }
    if let Some(Node::Map(m)) = root.get_mut("patchedDependencies") {
        m.retain(|_, v| patch_hash(v).is_some_and(|h| kept.patch_hashes.contains(h)));
        if m.is_empty() {
            root.remove("patchedDependencies");
        }
    }
    out
}

/// The hash of a `patchedDependencies` entry (`{hash, path}` or, pnpm 11, the
/// hash itself).
pub fn patch_hash(v: &Node) -> Option<&str> {
    match v {
        Node::Scalar(s) => Some(&s.value),
        Node::Map(m) => m.get_str("hash"),
        Node::Seq { .. } => None,
    }
}

/// The byte offset of the deepest entry of `path` (keys at indentation
/// 0, 2, 4…) found in the project document of a lockfile's text; used to
/// point error messages at an entry.
pub(crate) fn locate(text: &str, path: &[&str]) -> usize {
    let start = text.rfind("\n---\n").map_or(0, |i| i + 5);
    let mut depth = 0;
    let mut best = start;
    let mut pos = start;
    for line in text[start..].split_inclusive('\n') {
        let here = pos;
        pos += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start_matches(' ');
        if trimmed.is_empty() {
            continue;
        }
        let indent = body.len() - trimmed.len();
        if indent < depth * 2 {
            break;
        }
        if indent != depth * 2 {
            continue;
        }
        if key_of(trimmed).as_deref() == Some(path[depth]) {
            best = here + indent;
            depth += 1;
            if depth == path.len() {
                break;
            }
        } else if depth == 0 {
            continue;
        }
    }
    best
}

fn key_of(body: &str) -> Option<String> {
    if let Some(rest) = body.strip_prefix('\'') {
        let mut out = String::new();
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    out.push('\'');
                    continue;
                }
                return Some(out);
            }
            out.push(c);
        }
        return None;
    }
    if let Some(rest) = body.strip_prefix('"') {
        return rest.split('"').next().map(str::to_string);
    }
    let b = body.as_bytes();
    (0..b.len())
        .find(|&i| b[i] == b':' && (i + 1 == b.len() || b[i + 1] == b' '))
        .map(|i| body[..i].to_string())
}
