//! pnpm's `pnpm-lock.yaml`: lockfile v9 (and v6), read and written back in
//! pnpm's own layout.
//!
//! The model is an order-preserving tree of the YAML subset pnpm writes (block
//! maps, block sequences of scalars, one-line flow collections, plain and
//! quoted scalars), under typed views of the parts dockprep reasons about:
//! importers and their dependencies, `packages`, `snapshots` with their
//! dependency paths (`name@version(peer@version)…`), `catalogs`, `overrides`,
//! `patchedDependencies`, `settings`, `pnpmfileChecksum`. Every other key is
//! kept as it was read.
//!
//! Writing follows pnpm's writer (a fork of js-yaml): two-space indentation,
//! a blank line before every top-level key and before every entry of
//! `importers`, `packages` and `snapshots`, `{}` for empty maps, the flow style
//! where pnpm uses it, and js-yaml's rules for when a scalar needs quotes
//! ([`quote`]). A scalar that was read keeps its exact text, so a lockfile
//! read and written unchanged is byte-identical; a scalar dockprep creates is
//! quoted the way pnpm would quote it.
//!
//! pnpm 11+ writes two YAML documents (an environment lockfile, then the
//! project lockfile); both are kept, and [`Lockfile::project`] is the last.

use indexmap::IndexMap;

use super::{ParseError, Span};

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
    raw: Option<String>,
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
    key_raw: Option<String>,
    /// Whether a blank line preceded it in the source, when read.
    blank_before: Option<bool>,
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
    pub fn as_map(&self) -> Option<&Map> {
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
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &Node) -> bool) {
        self.entries.retain(|k, e| keep(k, &e.value));
    }
    /// Sorts the keys the way pnpm sorts lockfile maps (by UTF-16 code units,
    /// which for these keys is byte order).
    pub fn sort_keys(&mut self) {
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
    crlf: bool,
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
    /// Reads a lockfile. Errors carry the span of the offending text.
    pub fn parse(text: &str) -> Result<Lockfile, ParseError> {
        let crlf = text.contains("\r\n");
        let documents = Parser::new(text).documents()?;
        let Some(last) = documents.last() else {
            return Err(ParseError::new("the lockfile is empty", Span::empty(0)));
        };
        let version = match last.root.get("lockfileVersion") {
            None => {
                return Err(ParseError::new(
                    "no `lockfileVersion`: not a pnpm lockfile",
                    Span::empty(0),
                ))
            }
            Some(v) => {
                let v = v.as_str().unwrap_or("");
                let at = text.find("lockfileVersion").unwrap_or(0);
                let span = Span::new(at, at + "lockfileVersion".len());
                match v.split('.').next().unwrap_or("") {
                    "9" => LockVersion::V9,
                    "6" => LockVersion::V6,
                    _ => {
                        return Err(ParseError::new(
                            format!(
                                "lockfileVersion {v} is not supported (dockprep reads 6.0 and 9.0: pnpm 8 to 11)"
                            ),
                            span,
                        ))
                    }
                }
            }
        };
        Ok(Lockfile {
            documents,
            version,
            crlf,
        })
    }

    /// The lockfile's text, in pnpm's layout.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (i, doc) in self.documents.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            if doc.explicit_start {
                out.push_str("---\n");
            }
            write_root(&mut out, &doc.root);
        }
        if self.crlf {
            out = out.replace('\n', "\r\n");
        }
        out
    }

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
    pub fn set_root(&mut self, key: &str, value: Node) {
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

// ---------------------------------------------------------------------------
// Writing

fn write_root(out: &mut String, root: &Map) {
    for (i, (key, entry)) in root.entries.iter().enumerate() {
        if entry.blank_before.unwrap_or(i > 0) {
            out.push('\n');
        }
        let sectioned = matches!(key.as_str(), "importers" | "packages" | "snapshots");
        write_entry(out, key, entry, 0, sectioned);
    }
}

fn write_entry(out: &mut String, key: &str, entry: &Entry, indent: usize, blank_children: bool) {
    push_indent(out, indent);
    push_key(out, key, entry.key_raw.as_deref(), true);
    out.push(':');
    match &entry.value {
        Node::Scalar(s) => {
            if s.raw.as_deref() == Some("") {
                out.push('\n');
                return;
            }
            out.push(' ');
            push_scalar(out, s, true);
            out.push('\n');
        }
        Node::Map(m) if m.flow || m.is_empty() => {
            out.push(' ');
            write_flow_map(out, m);
            out.push('\n');
        }
        Node::Map(m) => {
            out.push('\n');
            for (k, e) in &m.entries {
                if e.blank_before.unwrap_or(blank_children) {
                    out.push('\n');
                }
                write_entry(out, k, e, indent + 2, false);
            }
        }
        Node::Seq { items, flow } if *flow || items.is_empty() => {
            out.push(' ');
            write_flow_seq(out, items);
            out.push('\n');
        }
        Node::Seq { items, .. } => {
            out.push('\n');
            for item in items {
                match item {
                    Node::Map(m) if !m.flow && !m.is_empty() => {
                        // `- first: …` then the other keys under `first`.
                        let mut block = String::new();
                        for (k, e) in &m.entries {
                            write_entry(&mut block, k, e, indent + 4, false);
                        }
                        push_indent(out, indent + 2);
                        out.push_str("- ");
                        out.push_str(&block[indent + 4..]);
                        continue;
                    }
                    _ => {}
                }
                push_indent(out, indent + 2);
                out.push_str("- ");
                match item {
                    Node::Scalar(s) => push_scalar(out, s, true),
                    Node::Map(m) => write_flow_map(out, m),
                    Node::Seq { items, .. } => write_flow_seq(out, items),
                }
                out.push('\n');
            }
        }
    }
}

fn write_flow_node(out: &mut String, node: &Node) {
    match node {
        Node::Scalar(s) => push_scalar(out, s, false),
        Node::Map(m) => write_flow_map(out, m),
        Node::Seq { items, .. } => write_flow_seq(out, items),
    }
}

fn write_flow_map(out: &mut String, m: &Map) {
    out.push('{');
    for (i, (k, e)) in m.entries.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_key(out, k, e.key_raw.as_deref(), false);
        out.push_str(": ");
        write_flow_node(out, &e.value);
    }
    out.push('}');
}

fn write_flow_seq(out: &mut String, items: &[Node]) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_flow_node(out, item);
    }
    out.push(']');
}

fn push_indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn push_key(out: &mut String, key: &str, raw: Option<&str>, block: bool) {
    match raw {
        Some(r) => out.push_str(r),
        None => out.push_str(&quote(key, block)),
    }
}

fn push_scalar(out: &mut String, s: &Scalar, block: bool) {
    match &s.raw {
        Some(r) => out.push_str(r),
        None if s.typed => out.push_str(&s.value),
        None => out.push_str(&quote(&s.value, block)),
    }
}

/// A scalar the way pnpm's writer (js-yaml with `noCompatMode`) writes it:
/// plain when that reads back as the same string, otherwise single-quoted,
/// or double-quoted when it holds characters a single-quoted scalar cannot.
/// `block` is false inside a flow collection, where `,[]{}` need quotes too.
pub fn quote(s: &str, block: bool) -> String {
    if s.is_empty() {
        return "''".to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.iter().any(|&c| !is_printable(c)) {
        return double_quoted(s);
    }
    let mut plain = is_plain_safe_first(chars[0]) && is_plain_safe_last(chars[chars.len() - 1]);
    let mut prev: Option<char> = None;
    for &c in &chars {
        plain = plain && is_plain_safe(c, prev, block);
        prev = Some(c);
    }
    if plain && !is_ambiguous(s) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "''"))
}

fn is_printable(c: char) -> bool {
    let c = c as u32;
    (0x20..=0x7e).contains(&c)
        || ((0xa1..=0xd7ff).contains(&c) && c != 0x2028 && c != 0x2029)
        || ((0xe000..=0xfffd).contains(&c) && c != 0xfeff)
        || (0x10000..=0x10ffff).contains(&c)
}

fn is_ws(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_ns_char_or_ws(c: char) -> bool {
    is_printable(c) && c != '\u{feff}' && c != '\r' && c != '\n'
}

fn is_plain_safe_first(c: char) -> bool {
    is_printable(c)
        && c != '\u{feff}'
        && !is_ws(c)
        && c != '\n'
        && !"-?:,[]{}#&*!|=>'\"%@`".contains(c)
}

fn is_plain_safe_last(c: char) -> bool {
    !is_ws(c) && c != ':'
}

fn is_plain_safe(c: char, prev: Option<char>, block: bool) -> bool {
    let ns_or_ws = is_ns_char_or_ws(c);
    let ns = ns_or_ws && !is_ws(c);
    let flow_ok = block || !",[]{}".contains(c);
    // Not `#`, and not a colon followed by a space.
    let base = ns_or_ws && flow_ok && c != '#' && (prev != Some(':') || ns);
    // js-yaml also lets `:` be followed by a flow indicator inside a flow
    // collection (`[a:,]`), which no YAML reader takes back; quote that.
    base || prev.is_some_and(|p| is_ns_char_or_ws(p) && !is_ws(p) && c == '#')
        || (prev == Some(':') && ns && flow_ok)
}

/// True when a plain `s` would read back as null, a boolean, a number, a
/// timestamp or a merge key (js-yaml's default schema).
fn is_ambiguous(s: &str) -> bool {
    matches!(
        s,
        "~" | "null"
            | "Null"
            | "NULL"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "<<"
    ) || is_yaml_int(s)
        || is_yaml_float(s)
        || is_yaml_timestamp(s)
}

fn is_yaml_int(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.is_empty() {
        return false;
    }
    if b[0] == b'-' || b[0] == b'+' {
        i += 1;
    }
    if i >= b.len() {
        return false;
    }
    if b[i] == b'0' {
        if i + 1 == b.len() {
            return true;
        }
        let (radix_ok, start): (fn(u8) -> bool, usize) = match b[i + 1] {
            b'b' => (|c| c == b'0' || c == b'1', i + 2),
            b'x' => (|c| c.is_ascii_hexdigit(), i + 2),
            b'o' => (|c| (b'0'..=b'7').contains(&c), i + 2),
            _ => (|c| c.is_ascii_digit(), i + 1),
        };
        let rest = &b[start..];
        let mut digits = false;
        for &c in rest {
            if c == b'_' {
                continue;
            }
            if !radix_ok(c) {
                return false;
            }
            digits = true;
        }
        return digits && rest.last() != Some(&b'_');
    }
    if b[i] == b'_' {
        return false;
    }
    let rest = &b[i..];
    let mut digits = false;
    for &c in rest {
        if c == b'_' {
            continue;
        }
        if !c.is_ascii_digit() {
            return false;
        }
        digits = true;
    }
    digits && rest.last() != Some(&b'_')
}

fn is_yaml_float(s: &str) -> bool {
    if s.ends_with('_') {
        return false;
    }
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    if matches!(t, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let b = t.as_bytes();
    let mut i = 0;
    let exp = |i: usize| -> bool {
        // [eE][-+]?[0-9]+ to the end
        let mut j = i;
        if j >= b.len() || !(b[j] == b'e' || b[j] == b'E') {
            return false;
        }
        j += 1;
        if j < b.len() && (b[j] == b'-' || b[j] == b'+') {
            j += 1;
        }
        j < b.len() && b[j..].iter().all(u8::is_ascii_digit)
    };
    if !b.is_empty() && b[0] == b'.' && s.len() == t.len() {
        // \.[0-9_]+([eE][-+]?[0-9]+)?
        i = 1;
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
        if i == start {
            return false;
        }
        return i == b.len() || exp(i);
    }
    // [0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?
    if b.is_empty() || !b[0].is_ascii_digit() {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len() || exp(i)
}

fn is_yaml_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let d = |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if b.len() < 8 || !d(0..4) || b[4] != b'-' {
        return false;
    }
    if b.len() == 10 && d(5..7) && b[7] == b'-' && d(8..10) {
        return true;
    }
    // The date-time form: YYYY-M(M)-D(D)(T|t|space+)H(H):MM:SS…
    let rest = &s[5..];
    let mut parts = rest.splitn(3, '-');
    let (Some(m), Some(dt)) = (parts.next(), parts.next()) else {
        return false;
    };
    if m.is_empty() || m.len() > 2 || !m.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let day_len = dt.bytes().take_while(u8::is_ascii_digit).count();
    if day_len == 0 || day_len > 2 {
        return false;
    }
    let after = &dt[day_len..];
    let after = after
        .strip_prefix(['T', 't'])
        .map(str::to_string)
        .unwrap_or_else(|| after.trim_start_matches([' ', '\t']).to_string());
    if after.len() == dt.len() - day_len {
        return false;
    }
    let hb = after.as_bytes();
    let h = hb.iter().take_while(|c| c.is_ascii_digit()).count();
    (1..=2).contains(&h) && hb.get(h) == Some(&b':')
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\0' => out.push_str("\\0"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\x0b' => out.push_str("\\v"),
            '\x0c' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\x1b' => out.push_str("\\e"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if is_printable(c) => out.push(c),
            c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02X}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------
// Reading

struct Line<'a> {
    /// Byte offset of the line in the text.
    start: usize,
    /// A blank line came right before it.
    blank_before: bool,
    indent: usize,
    /// The line after its indentation, without the line break.
    body: &'a str,
}

/// Nesting deeper than this is refused (pnpm lockfiles nest about 6 deep),
/// so no input can exhaust the stack.
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    text: &'a str,
    depth: usize,
    lines: Vec<Line<'a>>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        let mut lines = Vec::new();
        let mut start = 0;
        let mut blank = false;
        for raw in text.split_inclusive('\n') {
            let content = raw
                .strip_suffix('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .unwrap_or(raw);
            let indent = content.len() - content.trim_start_matches(' ').len();
            let body = &content[indent..];
            // Blank lines and comments carry no data.
            if body.trim().is_empty() {
                blank = true;
            } else if !body.starts_with('#') {
                lines.push(Line {
                    start,
                    blank_before: std::mem::take(&mut blank),
                    indent,
                    body,
                });
            }
            start += raw.len();
        }
        Parser {
            text,
            depth: 0,
            lines,
            pos: 0,
        }
    }

    fn err(&self, offset: usize, message: impl Into<String>) -> ParseError {
        let end = (offset + 1).min(self.text.len()).max(offset);
        ParseError::new(message, Span::new(offset, end))
    }

    fn documents(mut self) -> Result<Vec<Document>, ParseError> {
        let mut docs = Vec::new();
        let mut explicit = false;
        loop {
            if self.pos < self.lines.len() && self.lines[self.pos].body == "---" {
                if self.lines[self.pos].indent != 0 {
                    return Err(self.err(self.lines[self.pos].start, "indented `---`"));
                }
                explicit = true;
                self.pos += 1;
            }
            let root = if self.pos < self.lines.len() && self.lines[self.pos].body != "---" {
                let l = &self.lines[self.pos];
                if l.indent != 0 {
                    return Err(self.err(l.start, "the document does not start at column 1"));
                }
                if l.body.starts_with("- ") || l.body == "-" {
                    return Err(self.err(l.start, "expected a mapping, found a sequence"));
                }
                self.block_map(0)?
            } else {
                Map::new()
            };
            docs.push(Document {
                explicit_start: explicit,
                root,
            });
            explicit = false;
            if self.pos >= self.lines.len() {
                break;
            }
            // The loop only stops at `---` or the end.
        }
        Ok(docs)
    }

    /// A block mapping whose keys sit at `indent`.
    fn deeper(&mut self, offset: usize) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(offset, format!("nested more than {MAX_DEPTH} levels deep")));
        }
        Ok(())
    }

    fn block_map(&mut self, indent: usize) -> Result<Map, ParseError> {
        let at = self.lines.get(self.pos).map_or(0, |l| l.start + l.indent);
        self.deeper(at)?;
        let r = self.block_map_inner(indent);
        self.depth -= 1;
        r
    }

    fn block_seq(&mut self, indent: usize) -> Result<Node, ParseError> {
        let at = self.lines.get(self.pos).map_or(0, |l| l.start + l.indent);
        self.deeper(at)?;
        let r = self.block_seq_inner(indent);
        self.depth -= 1;
        r
    }

    fn block_map_inner(&mut self, indent: usize) -> Result<Map, ParseError> {
        let mut map = Map::new();
        while self.pos < self.lines.len() {
            let line = &self.lines[self.pos];
            if line.indent < indent || (line.indent == 0 && line.body == "---") {
                break;
            }
            if line.indent > indent {
                return Err(self.err(line.start + line.indent, "unexpected indentation"));
            }
            let (start, body, blank_before) =
                (line.start + line.indent, line.body, line.blank_before);
            if body.starts_with("- ") || body == "-" {
                return Err(self.err(start, "a sequence item where a mapping key was expected"));
            }
            let (key, key_raw, rest) = self.key(body, start)?;
            let rest_start = start + (body.len() - rest.len());
            self.pos += 1;
            let value = if rest.trim().is_empty() {
                match self.lines.get(self.pos) {
                    Some(next) if next.indent > indent && next.body != "---" => {
                        let child = next.indent;
                        if next.body.starts_with("- ") || next.body == "-" {
                            self.block_seq(child)?
                        } else {
                            Node::Map(self.block_map(child)?)
                        }
                    }
                    _ => Node::Scalar(Scalar {
                        value: String::new(),
                        typed: true,
                        raw: Some(String::new()),
                    }),
                }
            } else {
                let value_text = rest.strip_prefix(' ').unwrap_or(rest);
                let value_start = rest_start + (rest.len() - value_text.len());
                self.inline_value(value_text, value_start)?
            };
            if map.entries.contains_key(&key) {
                return Err(self.err(start, format!("duplicate key `{key}`")));
            }
            map.entries.insert(
                key,
                Entry {
                    key_raw: Some(key_raw.to_string()),
                    blank_before: Some(blank_before),
                    value,
                },
            );
        }
        Ok(map)
    }

    fn block_seq_inner(&mut self, indent: usize) -> Result<Node, ParseError> {
        let mut items = Vec::new();
        while self.pos < self.lines.len() {
            let line = &self.lines[self.pos];
            if line.indent < indent || (line.indent == 0 && line.body == "---") {
                break;
            }
            let start = line.start + line.indent;
            if line.indent > indent || !(line.body.starts_with("- ") || line.body == "-") {
                return Err(self.err(start, "expected a `- ` sequence item"));
            }
            let text = line.body[1..].trim_start_matches(' ');
            let text_start = start + (line.body.len() - text.len());
            if text.is_empty() {
                return Err(self.err(start, "an empty sequence item is not supported"));
            }
            if !text.starts_with(['{', '[']) && self.key(text, text_start).is_ok() {
                // `- key: value` starts a mapping whose keys line up with `key`.
                let column = line.indent + (line.body.len() - text.len());
                self.lines[self.pos] = Line {
                    start: line.start,
                    blank_before: line.blank_before,
                    indent: column,
                    body: text,
                };
                items.push(Node::Map(self.block_map(column)?));
                continue;
            }
            self.pos += 1;
            items.push(self.inline_value(text, text_start)?);
        }
        Ok(Node::Seq { items, flow: false })
    }

    /// `key:` at the start of `body`; returns the key, its source text and
    /// what follows the colon.
    fn key<'b>(
        &self,
        body: &'b str,
        start: usize,
    ) -> Result<(String, &'b str, &'b str), ParseError> {
        if body.starts_with(['\'', '"']) {
            let (value, len) = quoted(body, start, self)?;
            let rest = &body[len..];
            let Some(rest) = rest.strip_prefix(':') else {
                return Err(self.err(start + len, "expected `:` after the key"));
            };
            if !(rest.is_empty() || rest.starts_with(' ')) {
                return Err(self.err(start + len + 1, "expected a space after `:`"));
            }
            return Ok((value, &body[..len], rest));
        }
        if body.starts_with(['{', '[', '?', '&', '*', '!', '|', '>']) {
            return Err(self.err(start, "unsupported YAML syntax in a pnpm lockfile"));
        }
        let Some(colon) = find_map_colon(body) else {
            return Err(self.err(start, "expected `key: value`"));
        };
        let key = &body[..colon];
        Ok((key.to_string(), key, &body[colon + 1..]))
    }

    /// A value on the rest of a line: a flow collection or a scalar.
    fn inline_value(&self, text: &str, start: usize) -> Result<Node, ParseError> {
        if text.starts_with(['{', '[']) {
            let mut flow = Flow {
                depth: 0,
                text,
                start,
                i: 0,
                p: self,
            };
            let node = flow.node()?;
            flow.skip_ws();
            if flow.i != text.len() {
                return Err(self.err(start + flow.i, "unexpected text after a flow collection"));
            }
            return Ok(node);
        }
        if text.starts_with(['\'', '"']) {
            let (value, len) = quoted(text, start, self)?;
            if !text[len..].trim().is_empty() {
                return Err(self.err(start + len, "unexpected text after a quoted scalar"));
            }
            return Ok(Node::Scalar(Scalar {
                value,
                typed: false,
                raw: Some(text[..len].to_string()),
            }));
        }
        if text.starts_with(['|', '>', '&', '*', '!']) {
            return Err(self.err(
                start,
                "block scalars, anchors, aliases and tags are not supported in a pnpm lockfile",
            ));
        }
        let value = text.strip_suffix(' ').map_or(text, |t| t.trim_end());
        Ok(Node::Scalar(Scalar {
            value: value.to_string(),
            typed: is_ambiguous(value),
            raw: Some(text.to_string()),
        }))
    }
}

/// The colon that ends a plain block key: the first `:` followed by a space
/// or the end of the line.
fn find_map_colon(body: &str) -> Option<usize> {
    let b = body.as_bytes();
    (0..b.len()).find(|&i| b[i] == b':' && (i + 1 == b.len() || b[i + 1] == b' '))
}

/// A quoted scalar at the start of `text`: its value and its length in bytes.
fn quoted(text: &str, start: usize, p: &Parser) -> Result<(String, usize), ParseError> {
    let mut out = String::new();
    let q = text.as_bytes()[0];
    let mut chars = text.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if q == b'\'' {
            if c == '\'' {
                if matches!(chars.peek(), Some((_, '\''))) {
                    chars.next();
                    out.push('\'');
                    continue;
                }
                return Ok((out, i + 1));
            }
            out.push(c);
        } else {
            match c {
                '"' => return Ok((out, i + 1)),
                '\\' => {
                    let Some((j, e)) = chars.next() else { break };
                    let simple = match e {
                        '0' => Some('\0'),
                        'a' => Some('\x07'),
                        'b' => Some('\x08'),
                        't' | '\t' => Some('\t'),
                        'n' => Some('\n'),
                        'v' => Some('\x0b'),
                        'f' => Some('\x0c'),
                        'r' => Some('\r'),
                        'e' => Some('\x1b'),
                        ' ' => Some(' '),
                        '"' => Some('"'),
                        '/' => Some('/'),
                        '\\' => Some('\\'),
                        'N' => Some('\u{85}'),
                        '_' => Some('\u{a0}'),
                        'L' => Some('\u{2028}'),
                        'P' => Some('\u{2029}'),
                        _ => None,
                    };
                    if let Some(s) = simple {
                        out.push(s);
                        continue;
                    }
                    let len = match e {
                        'x' => 2,
                        'u' => 4,
                        'U' => 8,
                        _ => return Err(p.err(start + j, format!("unknown escape `\\{e}`"))),
                    };
                    let hex: String = (0..len)
                        .filter_map(|_| chars.next().map(|(_, c)| c))
                        .collect();
                    let ch = u32::from_str_radix(&hex, 16)
                        .ok()
                        .filter(|_| hex.len() == len)
                        .and_then(char::from_u32)
                        .ok_or_else(|| p.err(start + j, "invalid escape sequence"))?;
                    out.push(ch);
                }
                c => out.push(c),
            }
        }
    }
    Err(p.err(start, "unterminated quoted scalar"))
}

/// A one-line flow collection.
struct Flow<'a, 'p> {
    depth: usize,
    text: &'a str,
    start: usize,
    i: usize,
    p: &'p Parser<'p>,
}

impl Flow<'_, '_> {
    fn skip_ws(&mut self) {
        while self.text[self.i..].starts_with(' ') {
            self.i += 1;
        }
    }

    fn err(&self, message: &str) -> ParseError {
        self.p.err(self.start + self.i, message)
    }

    fn node(&mut self) -> Result<Node, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("a flow collection nested too deep"));
        }
        let r = self.node_inner();
        self.depth -= 1;
        r
    }

    fn node_inner(&mut self) -> Result<Node, ParseError> {
        self.skip_ws();
        let rest = &self.text[self.i..];
        if rest.starts_with('{') {
            self.i += 1;
            let mut map = Map::flow();
            self.skip_ws();
            if self.text[self.i..].starts_with('}') {
                self.i += 1;
                return Ok(Node::Map(map));
            }
            loop {
                self.skip_ws();
                let (key, raw) = self.scalar(true)?;
                self.skip_ws();
                if !self.text[self.i..].starts_with(':') {
                    return Err(self.err("expected `:` in a flow mapping"));
                }
                self.i += 1;
                let value = self.node()?;
                map.entries.insert(
                    key.value,
                    Entry {
                        key_raw: raw,
                        blank_before: Some(false),
                        value,
                    },
                );
                self.skip_ws();
                match self.text[self.i..].chars().next() {
                    Some(',') => self.i += 1,
                    Some('}') => {
                        self.i += 1;
                        return Ok(Node::Map(map));
                    }
                    _ => return Err(self.err("expected `,` or `}`")),
                }
            }
        }
        if rest.starts_with('[') {
            self.i += 1;
            let mut items = Vec::new();
            self.skip_ws();
            if self.text[self.i..].starts_with(']') {
                self.i += 1;
                return Ok(Node::Seq { items, flow: true });
            }
            loop {
                items.push(self.node()?);
                self.skip_ws();
                match self.text[self.i..].chars().next() {
                    Some(',') => self.i += 1,
                    Some(']') => {
                        self.i += 1;
                        return Ok(Node::Seq { items, flow: true });
                    }
                    _ => return Err(self.err("expected `,` or `]`")),
                }
            }
        }
        let (s, _) = self.scalar(false)?;
        Ok(Node::Scalar(s))
    }

    /// A scalar inside a flow collection; for a key, stops at `: `.
    fn scalar(&mut self, key: bool) -> Result<(Scalar, Option<String>), ParseError> {
        let rest = &self.text[self.i..];
        if rest.starts_with(['\'', '"']) {
            let (value, len) = quoted(rest, self.start + self.i, self.p)?;
            let raw = rest[..len].to_string();
            self.i += len;
            return Ok((
                Scalar {
                    value,
                    typed: false,
                    raw: Some(raw.clone()),
                },
                Some(raw),
            ));
        }
        let b = rest.as_bytes();
        let mut end = 0;
        while end < b.len() {
            let c = b[end];
            if c == b',' || c == b'}' || c == b']' || c == b'{' || c == b'[' {
                break;
            }
            if c == b':' && (end + 1 == b.len() || matches!(b[end + 1], b' ' | b',' | b'}' | b']'))
            {
                if key {
                    break;
                }
                return Err(self.err("`: ` inside a plain flow scalar"));
            }
            end += 1;
        }
        let raw = rest[..end].trim_end();
        if raw.is_empty() {
            return Err(self.err("expected a value"));
        }
        self.i += raw.len();
        Ok((
            Scalar {
                value: raw.to_string(),
                typed: is_ambiguous(raw),
                raw: Some(raw.to_string()),
            },
            Some(raw.to_string()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_js_yaml() {
        for (s, block, want) in [
            ("9.0", true, "'9.0'"),
            ("7.29.8", true, "7.29.8"),
            ("@babel/parser", true, "'@babel/parser'"),
            (">=18", false, "'>=18'"),
            ("^18.0.0 || >=20.0.0", false, "^18.0.0 || >=20.0.0"),
            ("a, b", false, "'a, b'"),
            ("a, b", true, "a, b"),
            ("it's", true, "it's"),
            ("'x", true, "'''x'"),
            ("true", true, "'true'"),
            ("yes", true, "yes"),
            ("2024-01-02", true, "'2024-01-02'"),
            ("0x1F", true, "'0x1F'"),
            ("1e3", true, "'1e3'"),
            ("a: b", true, "'a: b'"),
            ("a:b", true, "a:b"),
            ("a #b", true, "'a #b'"),
            ("a#b", true, "a#b"),
            ("", true, "''"),
            ("x\ny", true, "\"x\\ny\""),
            (" x", true, "' x'"),
            ("link:../x", true, "link:../x"),
            ("workspace:*", true, "workspace:*"),
            ("*", true, "'*'"),
            ("-x", true, "'-x'"),
        ] {
            assert_eq!(quote(s, block), want, "{s:?} block={block}");
        }
    }

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
    fn round_trip_small() {
        let text = "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n\nimporters:\n\n  .:\n    dependencies:\n      a:\n        specifier: ^1.0.0\n        version: 1.0.0\n\npackages:\n\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\n    engines: {node: '>=18'}\n    cpu: [x64]\n\nsnapshots:\n\n  a@1.0.0: {}\n";
        let lock = Lockfile::parse(text).unwrap();
        assert_eq!(lock.render(), text);
        assert_eq!(lock.importer_deps(".")[0].reference, "1.0.0");
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

    #[test]
    fn errors_point_at_the_text() {
        let e = Lockfile::parse("lockfileVersion: '5.4'\n").unwrap_err();
        assert!(e.message.contains("5.4"), "{}", e.message);
        let e = Lockfile::parse("lockfileVersion: '9.0'\nimporters:\n  a: 'x\n").unwrap_err();
        assert!(e.message.contains("unterminated"), "{}", e.message);
        assert_eq!(
            e.span.start,
            "lockfileVersion: '9.0'\nimporters:\n  a: ".len()
        );
        assert!(Lockfile::parse("").is_err());
        assert!(Lockfile::parse("a: |\n  x\n").is_err());
    }
}
