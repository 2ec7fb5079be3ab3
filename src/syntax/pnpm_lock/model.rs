//! The lockfile model: an order-preserving tree of the YAML subset pnpm
//! writes ([`Node`], [`Map`], [`Scalar`]), the documents of a lockfile, and
//! the typed views dockprep reasons about (importers and their
//! dependencies, the graph of `snapshots` or v6 `packages`, dependency
//! paths). Keys and scalars keep the source text they were read with (set
//! by `parse`, used by `write`), and entries whether a blank line came
//! before them.

use indexmap::IndexMap;

/// The lockfile formats dockprep reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockVersion {
    /// `lockfileVersion: '6.0'` (pnpm 8): `packages` keys start with `/`, no `snapshots`.
    V6,
    /// `lockfileVersion: '9.0'` (pnpm 9, 10, 11): `packages` + `snapshots`.
    V9,
}

/// A scalar: its value and, when read from a file, its exact source text.
#[derive(Clone, Debug)]
pub struct Scalar {
    pub value: String,
    /// Not a string: a boolean, number or null, written plain.
    pub typed: bool,
    pub(super) raw: Option<String>,
}

impl Scalar {
    /// A new scalar, quoted the way pnpm would when written.
    pub fn new(value: impl Into<String>) -> Scalar {
        Scalar {
            value: value.into(),
            typed: false,
            raw: None,
        }
    }

    /// A boolean (`true`/`false`, never quoted).
    pub fn bool(value: bool) -> Scalar {
        Scalar {
            value: value.to_string(),
            typed: true,
            raw: None,
        }
    }

    /// The source text, when read from a file.
    pub fn raw(&self) -> Option<&str> {
        self.raw.as_deref()
    }
}

impl PartialEq for Scalar {
    fn eq(&self, other: &Scalar) -> bool {
        self.value == other.value && self.typed == other.typed
    }
}

/// A mapping, in file order.
#[derive(Clone, Debug, Default)]
pub struct Map {
    pub entries: IndexMap<String, Entry>,
    /// Written as `{a: b}` rather than as a block.
    pub flow: bool,
}

/// One `key: value` of a [`Map`].
#[derive(Clone, Debug)]
pub struct Entry {
    /// The key's source text, when read.
    pub(super) key_raw: Option<String>,
    /// Whether a blank line preceded it in the source, when read.
    pub(super) blank_before: Option<bool>,
    pub value: Node,
}

/// A YAML node of the pnpm subset.
#[derive(Clone, Debug)]
pub enum Node {
    Scalar(Scalar),
    Map(Map),
    Seq { items: Vec<Node>, flow: bool },
}

impl PartialEq for Node {
    fn eq(&self, other: &Node) -> bool {
        match (self, other) {
            (Node::Scalar(a), Node::Scalar(b)) => a == b,
            (Node::Map(a), Node::Map(b)) => {
                a.entries.len() == b.entries.len()
                    && a.entries
                        .iter()
                        .zip(b.entries.iter())
                        .all(|((ka, va), (kb, vb))| ka == kb && va.value == vb.value)
            }
            (Node::Seq { items: a, .. }, Node::Seq { items: b, .. }) => a == b,
            _ => false,
        }
    }
}

impl Node {
    pub fn str(value: impl Into<String>) -> Node {
        Node::Scalar(Scalar::new(value))
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) => Some(&s.value),
            _ => None,
        }
    }
    pub(crate) fn as_map(&self) -> Option<&Map> {
        match self {
            Node::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match self {
            Node::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_seq(&self) -> Option<&[Node]> {
        match self {
            Node::Seq { items, .. } => Some(items),
            _ => None,
        }
    }
    /// Looks up `key` when this is a map.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.get(key)
    }
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }
    pub fn flow() -> Map {
        Map {
            entries: IndexMap::new(),
            flow: true,
        }
    }
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.get(key).map(|e| &e.value)
    }
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries.get_mut(key).map(|e| &mut e.value)
    }
    pub fn get_map(&self, key: &str) -> Option<&Map> {
        self.get(key)?.as_map()
    }
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }
    /// Sets `key`, keeping its position (and key text) when it exists.
    pub fn insert(&mut self, key: impl Into<String>, value: Node) {
        let key = key.into();
        match self.entries.get_mut(&key) {
            Some(e) => e.value = value,
            None => {
                self.entries.insert(
                    key,
                    Entry {
                        key_raw: None,
                        blank_before: None,
                        value,
                    },
                );
            }
        }
    }
    /// Removes `key`, keeping the order of the others.
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        self.entries.shift_remove(key).map(|e| e.value)
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.entries.iter().map(|(k, e)| (k.as_str(), &e.value))
    }
    /// Keeps only the entries for which `keep` is true, in order.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&str, &Node) -> bool) {
        self.entries.retain(|k, e| keep(k, &e.value));
    }
    /// Sorts the keys the way pnpm sorts lockfile maps (by UTF-16 code units,
    /// which for these keys is byte order).
    pub(crate) fn sort_keys(&mut self) {
        self.entries.sort_unstable_by(|a, _, b, _| a.cmp(b));
    }
}

/// One YAML document of a lockfile.
#[derive(Clone, Debug)]
pub struct Document {
    /// Began with a `---` line.
    pub explicit_start: bool,
    pub root: Map,
}

/// A whole `pnpm-lock.yaml`.
#[derive(Clone, Debug)]
pub struct Lockfile {
    pub documents: Vec<Document>,
    pub version: LockVersion,
    /// Whether the text read had CRLF line breaks (kept when written).
    pub(super) crlf: bool,
}

/// One dependency of an importer or a snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dep<'a> {
    /// `dependencies`, `devDependencies` or `optionalDependencies`.
    pub field: &'static str,
    pub name: &'a str,
    /// The manifest's specifier (importers only).
    pub specifier: Option<&'a str>,
    /// The resolved reference: `1.2.3(peer@1.0.0)`, `link:../x`, `file:…`,
    /// or an alias's `name@version`.
    pub reference: &'a str,
}

/// The dependency fields of importers and snapshots, in pnpm's order.
pub const DEP_FIELDS: [&str; 3] = ["dependencies", "devDependencies", "optionalDependencies"];

/// Top-level keys of the project document, in the order pnpm writes them.
pub const ROOT_KEY_ORDER: [&str; 13] = [
    "lockfileVersion",
    "settings",
    "catalogs",
    "overrides",
    "packageExtensionsChecksum",
    "ignoredOptionalDependencies",
    "patchedDependencies",
    "pnpmfileChecksum",
    "importers",
    "dependencies",
    "devDependencies",
    "packages",
    "snapshots",
];

impl Lockfile {
    /// Forgets the source text of every key and scalar, so the lockfile is
    /// written purely by pnpm's rules (used to check those rules).
    pub fn forget_source(&mut self) {
        fn node(n: &mut Node) {
            match n {
                Node::Scalar(s) => {
                    if s.raw.as_deref() != Some("") {
                        s.raw = None
                    }
                }
                Node::Map(m) => map(m),
                Node::Seq { items, .. } => items.iter_mut().for_each(node),
            }
        }
        fn map(m: &mut Map) {
            for e in m.entries.values_mut() {
                e.key_raw = None;
                e.blank_before = None;
                node(&mut e.value);
            }
        }
        for d in &mut self.documents {
            map(&mut d.root);
        }
    }

    /// Sets a top-level key of the project document: in place when it
    /// exists, else where pnpm writes it ([`ROOT_KEY_ORDER`]; unknown keys last).
    pub(crate) fn set_root(&mut self, key: &str, value: Node) {
        let root = self.project_mut();
        if root.entries.contains_key(key) {
            root.insert(key, value);
            return;
        }
        let rank = |k: &str| {
            ROOT_KEY_ORDER
                .iter()
                .position(|r| *r == k)
                .unwrap_or(usize::MAX)
        };
        let at = root
            .entries
            .keys()
            .position(|k| rank(k) > rank(key))
            .unwrap_or(root.entries.len());
        root.entries.shift_insert(
            at,
            key.to_string(),
            Entry {
                key_raw: None,
                blank_before: None,
                value,
            },
        );
    }

    /// The project lockfile (the last document).
    pub fn project(&self) -> &Map {
        &self
            .documents
            .last()
            .expect("parse checks one document")
            .root
    }

    pub fn project_mut(&mut self) -> &mut Map {
        &mut self
            .documents
            .last_mut()
            .expect("parse checks one document")
            .root
    }

    /// `importers`, or for a v6 single-project lockfile the root itself as `.`.
    pub fn importer_ids(&self) -> Vec<&str> {
        match self.project().get_map("importers") {
            Some(m) => m.keys().collect(),
            None => vec!["."],
        }
    }

    /// One importer's map (`.` of a single-project lockfile is the root).
    pub fn importer(&self, id: &str) -> Option<&Map> {
        match self.project().get_map("importers") {
            Some(m) => m.get_map(id),
            None if id == "." => Some(self.project()),
            None => None,
        }
    }

    /// The dependencies an importer records, in file order per field.
    pub fn importer_deps<'a>(&'a self, id: &str) -> Vec<Dep<'a>> {
        let Some(imp) = self.importer(id) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for field in DEP_FIELDS {
            let Some(deps) = imp.get_map(field) else {
                continue;
            };
            for (name, node) in deps.iter() {
                // v9 and v6 importers: {specifier, version}; v5-style plain refs too.
                let (specifier, reference) = match node {
                    Node::Map(m) => (m.get_str("specifier"), m.get_str("version").unwrap_or("")),
                    Node::Scalar(s) => (None, s.value.as_str()),
                    Node::Seq { .. } => continue,
                };
                out.push(Dep {
                    field,
                    name,
                    specifier,
                    reference,
                });
            }
        }
        out
    }

    /// The map of resolved graph nodes: `snapshots` in v9, `packages` in v6.
    pub fn graph(&self) -> Option<&Map> {
        match self.version {
            LockVersion::V9 => self.project().get_map("snapshots"),
            LockVersion::V6 => self.project().get_map("packages"),
        }
    }

    /// The dependencies of one graph node (`dependencies` and
    /// `optionalDependencies`; snapshots have no dev dependencies).
    pub fn node_deps<'a>(&'a self, dep_path: &str) -> Vec<Dep<'a>> {
        let Some(node) = self.graph().and_then(|g| g.get_map(dep_path)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for field in ["dependencies", "optionalDependencies"] {
            if let Some(deps) = node.get_map(field) {
                for (name, v) in deps.iter() {
                    if let Some(reference) = v.as_str() {
                        out.push(Dep {
                            field,
                            name,
                            specifier: None,
                            reference,
                        });
                    }
                }
            }
        }
        out
    }

    /// The graph key a dependency `name` resolved to `reference` points at,
    /// or `None` for a `link:` (a workspace package, not in the graph).
    pub fn dep_path(&self, name: &str, reference: &str) -> Option<String> {
        dep_path(self.version, name, reference)
    }

    /// The `packages` key of a graph key (the same in v6; in v9 the graph key
    /// without its peer and patch suffixes).
    pub fn package_key<'a>(&self, dep_path: &'a str) -> &'a str {
        match self.version {
            LockVersion::V9 => strip_suffixes(dep_path),
            LockVersion::V6 => dep_path,
        }
    }
}

/// See [`Lockfile::dep_path`].
pub fn dep_path(version: LockVersion, name: &str, reference: &str) -> Option<String> {
    if reference.starts_with("link:") || reference.is_empty() {
        return None;
    }
    let prefix = match version {
        LockVersion::V9 => "",
        LockVersion::V6 => "/",
    };
    if version == LockVersion::V6 && reference.starts_with('/') {
        return Some(reference.to_string());
    }
    // An alias resolves to `real-name@version`; a plain version to `name@version`.
    let at = if let Some(rest) = reference.strip_prefix('@') {
        rest.find('@').map(|i| i + 1)
    } else {
        reference.find('@')
    };
    if let Some(at) = at {
        let colon = reference.find(':');
        let paren = reference.find('(');
        if colon.is_none_or(|c| at < c) && paren.is_none_or(|p| at < p) {
            return Some(format!("{prefix}{reference}"));
        }
    }
    if reference.contains(':') && version == LockVersion::V6 {
        // `file:`, `https:`…: the key is the reference itself in v6.
        return Some(reference.to_string());
    }
    Some(format!("{prefix}{name}@{reference}"))
}

/// `a/./b/../c` → `a/c` for a `/`-separated relative path, keeping the
/// leading `..` that climb out of its start; `.` when nothing is left.
pub fn normalize_relative(rel: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." if out.last().is_some_and(|s| *s != "..") => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    if out.is_empty() {
        ".".to_string()
    } else {
        out.join("/")
    }
}

/// The importer id `rel` names from importer `from` (`backend` +
/// `../../c/p` → `../c/p`). Ids may climb out of the lockfile's directory,
/// as pnpm writes them for workspace packages outside it.
pub fn join_importer(from: &str, rel: &str) -> String {
    normalize_relative(&format!("{from}/{rel}"))
}

/// A graph key without its `(peer@version)` / `(patch_hash=…)` suffixes.
pub fn strip_suffixes(dep_path: &str) -> &str {
    // The first `(` after the version starts the suffixes; names cannot hold `(`.
    match dep_path.find('(') {
        Some(i) => &dep_path[..i],
        None => dep_path,
    }
}

/// Splits `name@version` (a `packages` key; scoped names keep their `@`).
pub fn split_name_version(key: &str) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    let start = usize::from(key.starts_with('@'));
    let at = key[start..].find('@')? + start;
    Some((&key[..at], &key[at + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep_paths() {
        let v9 = LockVersion::V9;
        assert_eq!(dep_path(v9, "a", "1.0.0").as_deref(), Some("a@1.0.0"));
        assert_eq!(dep_path(v9, "a", "link:../a"), None);
        assert_eq!(
            dep_path(v9, "debug", "obug@1.0.2").as_deref(),
            Some("obug@1.0.2")
        );
        assert_eq!(
            dep_path(v9, "x", "@scope/y@2.0.0(react@18.0.0)").as_deref(),
            Some("@scope/y@2.0.0(react@18.0.0)")
        );
        assert_eq!(
            dep_path(v9, "a", "1.0.0(b@2.0.0)").as_deref(),
            Some("a@1.0.0(b@2.0.0)")
        );
        assert_eq!(
            dep_path(v9, "node", "runtime:26.7.0").as_deref(),
            Some("node@runtime:26.7.0")
        );
        assert_eq!(
            dep_path(v9, "x", "file:packages/x").as_deref(),
            Some("x@file:packages/x")
        );
        assert_eq!(strip_suffixes("a@1.0.0(b@2.0.0)(c@1.0.0)"), "a@1.0.0");
        assert_eq!(
            normalize_relative("../a/packages/x/../y"),
            "../a/packages/y"
        );
        assert_eq!(normalize_relative("./"), ".");
        assert_eq!(join_importer("backend", "../../c/p"), "../c/p");
        assert_eq!(join_importer(".", "packages/a/../b"), "packages/b");
        assert_eq!(split_name_version("@s/n@1.0.0"), Some(("@s/n", "1.0.0")));
        assert_eq!(split_name_version("/n@1.0.0"), Some(("n", "1.0.0")));
    }

    #[test]
    fn new_root_keys_go_where_pnpm_writes_them() {
        let mut lock =
            Lockfile::parse("lockfileVersion: '9.0'\n\nimporters:\n\n  .: {}\n").unwrap();
        lock.set_root("snapshots", Node::Map(Map::new()));
        lock.set_root("settings", Node::Map(Map::new()));
        lock.set_root("x-unknown", Node::str("y"));
        let keys: Vec<&str> = lock.project().keys().collect();
        assert_eq!(
            keys,
            [
                "lockfileVersion",
                "settings",
                "importers",
                "snapshots",
                "x-unknown"
            ]
        );
    }
}
