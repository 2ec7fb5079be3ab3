//! Checks of a (pruned) lockfile that pnpm's frozen `--lockfile-only`
//! install does not make: the graph is complete and has nothing extra, and a
//! pruned lockfile kept its entries exactly as the original had them.

use std::collections::HashSet;

use super::discover::join_id;
use crate::syntax::pnpm_lock::{LockVersion, Lockfile};

/// Problems of completeness: a reference from an importer or a graph entry
/// that resolves to no graph entry, a graph entry without its `packages`
/// entry, a `link:` to an importer-like directory that is not an importer
/// (only when `importer_dirs` lists it), and graph or `packages` entries no
/// importer reaches.
pub fn completeness(lock: &Lockfile, importer_dirs: Option<&HashSet<String>>) -> Vec<String> {
    let mut problems = Vec::new();
    let graph = lock.graph();
    let packages = lock.project().get_map("packages");
    let v9 = lock.version == LockVersion::V9;
    let mut seen: HashSet<String> = HashSet::new();
    let mut stack: Vec<String> = Vec::new();
    let link = |from: &str, base: &str, name: &str, rel: &str, problems: &mut Vec<String>| {
        let Some(target) = join_id(base, rel) else {
            return;
        };
        if lock.importer(&target).is_none()
            && importer_dirs.is_some_and(|dirs| dirs.contains(&target))
        {
            problems.push(format!(
                "{from}: `{name}` links to workspace package `{target}`, which has no importer"
            ));
        }
    };
    for id in lock.importer_ids() {
        for dep in lock.importer_deps(id) {
            if let Some(rel) = dep.reference.strip_prefix("link:") {
                link(
                    &format!("importer `{id}`"),
                    id,
                    dep.name,
                    rel,
                    &mut problems,
                );
                continue;
            }
            let Some(key) = lock.dep_path(dep.name, dep.reference) else {
                continue;
            };
            if graph.and_then(|g| g.get(&key)).is_none() {
                problems.push(format!(
                    "importer `{id}`: `{}` resolves to `{key}`, which is missing",
                    dep.name
                ));
            } else if seen.insert(key.clone()) {
                stack.push(key);
            }
        }
    }
    while let Some(key) = stack.pop() {
        let pk = lock.package_key(&key);
        if v9 && packages.and_then(|p| p.get(pk)).is_none() {
            problems.push(format!("`{key}` has no `packages` entry `{pk}`"));
        }
        for dep in lock.node_deps(&key) {
            if let Some(rel) = dep.reference.strip_prefix("link:") {
                link(&format!("`{key}`"), ".", dep.name, rel, &mut problems);
                continue;
            }
            let Some(dk) = lock.dep_path(dep.name, dep.reference) else {
                continue;
            };
            if graph.and_then(|g| g.get(&dk)).is_none() {
                problems.push(format!(
                    "`{key}`: `{}` resolves to `{dk}`, which is missing",
                    dep.name
                ));
            } else if seen.insert(dk.clone()) {
                stack.push(dk);
            }
        }
    }
    if let Some(g) = graph {
        for k in g.keys() {
            if !seen.contains(k) {
                problems.push(format!("`{k}` is not reachable from any importer"));
            }
        }
    }
    if v9 {
        let used: HashSet<&str> = seen.iter().map(|k| lock.package_key(k)).collect();
        for k in packages
            .map(|p| p.keys().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            if !used.contains(k) {
                problems.push(format!("`packages` entry `{k}` is used by no snapshot"));
            }
        }
    }
    problems
}

/// Differences between a pruned lockfile and its original: every importer,
/// `packages` and `snapshots` entry of the pruned one must be the original's
/// (same text when rendered), and every other top-level key but
/// `patchedDependencies` and `time` must be unchanged.
pub fn same_entries(original: &Lockfile, pruned: &Lockfile) -> Vec<String> {
    let mut problems = Vec::new();
    if original.documents.len() != pruned.documents.len() {
        problems.push("the number of YAML documents changed".to_string());
    }
    for (i, (a, b)) in original
        .documents
        .iter()
        .zip(&pruned.documents)
        .enumerate()
        .take(original.documents.len().saturating_sub(1))
    {
        if a.root.entries.len() != b.root.entries.len()
            || a.root.iter().zip(b.root.iter()).any(|(x, y)| x != y)
        {
            problems.push(format!("document {} changed", i + 1));
        }
    }
    let (o, p) = (original.project(), pruned.project());
    for (key, node) in p.iter() {
        match key {
            "importers" | "packages" | "snapshots" | "patchedDependencies" | "time" => {
                let (Some(om), Some(pm)) = (o.get_map(key), node.as_map()) else {
                    problems.push(format!("`{key}` is not a map in both"));
                    continue;
                };
                for (k, v) in pm.iter() {
                    if om.get(k) != Some(v) {
                        problems.push(format!("`{key}` entry `{k}` differs from the original"));
                    }
                }
                // Order: the kept keys in the original's order.
                let order: Vec<&str> = om.keys().filter(|k| pm.get(k).is_some()).collect();
                if order != pm.keys().collect::<Vec<_>>() {
                    problems.push(format!("`{key}` is not in the original's order"));
                }
            }
            _ => {
                if o.get(key) != Some(node) {
                    problems.push(format!("top-level `{key}` differs from the original"));
                }
            }
        }
    }
    for key in o.keys() {
        if p.get(key).is_none() && key != "patchedDependencies" {
            problems.push(format!("top-level `{key}` was dropped"));
        }
    }
    problems
}
