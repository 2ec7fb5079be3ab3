//! The one engine for `pnpm-workspace.yaml` `packages` patterns: which
//! directories are workspace members, the way pnpm finds them.
//!
//! pnpm (`@pnpm/workspace.find-packages`) appends `/package.json` to every
//! pattern and globs them from the workspace root, `!` patterns excluding,
//! with `**/node_modules/**` and `**/bower_components/**` ignored. Its glob
//! dialect (fast-glob / tinyglobby over picomatch) is reproduced here:
//!
//! - `*`, `?` and `[ab]` / `[!a]` stay within one path segment; `**` as a
//!   whole segment matches zero or more directories (elsewhere it is `*`);
//!   `{a,b}` alternatives (also spanning `/`) are expanded first;
//! - a name starting with `.` is matched only by a segment that starts with
//!   `.` itself (a literal `.hidden` or `.*`): `*`, `?`, `[…]` and `**` never
//!   match or enter hidden directories;
//! - `node_modules` and `bower_components` are never matched nor entered;
//! - `!pattern` removes the directories it matches, whatever its place in
//!   the list; it does not remove packages below them;
//! - a member is a directory holding a `package.json` file (`package.json5`
//!   and `package.yaml` manifests are not supported by dockprep);
//! - `./` prefixes and trailing `/` are dropped; `../` prefixes are allowed:
//!   the static prefix (the literal segments before the first wildcard) is
//!   joined to the root and walked from there.
//!
//! The file system is read through a [`Lister`], so the project loader can
//! answer from the listings it already made and `prune`/`lockfile` from the
//! disk ([`Disk`]). The walk is bounded ([`MAX_DEPTH`], [`MAX_ENTRIES`]) and
//! does not follow a symbolic link whose target lies outside the pattern's
//! tree (the workspace root, or for a `../` pattern the directory its static
//! prefix names). It is confined too: a pattern may reach the sibling
//! directories of the workspace root (`../common/packages/*`, `../*`), never
//! above them (`../../x` finds nothing, the root's parent is never a member),
//! never `/proc`, `/sys` or `/dev`, never another file system than the
//! one of the root's parent, where the siblings live (st_dev compared), and a link in the static prefix is held to the
//! same bounds. pnpm follows every link and glob; that is the one
//! deliberate difference. [`linked_regions`] gives the parts of the disk a
//! workspace's patterns link, which its readers may read
//! ([`crate::confine`]).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};

use crate::confine::{self, Jail, Region};

/// The kind of a directory entry (symbolic links as what they point to;
/// dangling ones and special files as [`Kind::Other`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Other,
}

/// How the engine reads directories.
pub trait Lister {
    /// The entries of `dir` (name and kind, links followed), or `None` when
    /// it cannot be listed.
    fn list(&self, dir: &Path) -> Option<Cow<'_, [(String, Kind)]>>;

    /// True when `path` itself is a symbolic link.
    fn is_link(&self, path: &Path) -> bool {
        path.symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
    }

    /// The kind of `path`, when it exists.
    fn kind(&self, path: &Path) -> Option<Kind> {
        let name = path.file_name()?.to_string_lossy();
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let entries = self.list(parent)?;
        entries.iter().find(|e| e.0 == name).map(|e| e.1)
    }
}

/// The kind of a directory entry read from the disk, following a link.
pub(crate) fn entry_kind(e: &std::fs::DirEntry) -> Kind {
    let t = match e.file_type() {
        Ok(t) if t.is_symlink() => std::fs::metadata(e.path()).map(|m| m.file_type()),
        other => other,
    };
    match t {
        Ok(t) if t.is_dir() => Kind::Dir,
        Ok(t) if t.is_file() => Kind::File,
        _ => Kind::Other,
    }
}

/// Lists `dir` from the disk, sorted by name.
pub(crate) fn list_disk(dir: &Path) -> Option<Vec<(String, Kind)>> {
    let rd = std::fs::read_dir(dir).ok()?;
    let mut v: Vec<(String, Kind)> = rd
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), entry_kind(&e)))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    Some(v)
}

/// Adds to `jail` what the `packages` entries of the workspace at `root`
/// link outside it ([`Pattern::linked_regions`]); invalid entries add
/// nothing.
pub(crate) fn link_regions<'a>(
    jail: &mut Jail,
    root: &Path,
    entries: impl IntoIterator<Item = &'a str>,
) {
    // Only an entry with a `..` part can leave the root: the others are
    // not compiled.
    for e in entries.into_iter().filter(|e| e.contains("..")) {
        if let Ok(p) = Pattern::parse(e) {
            for r in p.linked_regions(root, jail) {
                jail.add(r);
            }
        }
    }
}

/// Reads the disk.
pub(crate) struct Disk;

impl Lister for Disk {
    fn list(&self, dir: &Path) -> Option<Cow<'_, [(String, Kind)]>> {
        list_disk(dir).map(Cow::Owned)
    }

    fn kind(&self, path: &Path) -> Option<Kind> {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Some(Kind::Dir),
            Ok(m) if m.is_file() => Some(Kind::File),
            Ok(_) => Some(Kind::Other),
            Err(_) => None,
        }
    }
}

/// Directories never matched nor entered (pnpm's default ignores).
pub(crate) const NEVER: [&str; 2] = ["node_modules", "bower_components"];

/// At most this many directory levels below a pattern's static prefix.
pub(crate) const MAX_DEPTH: usize = 32;

/// At most this many directory entries are looked at for one pattern.
pub(crate) const MAX_ENTRIES: usize = 200_000;

/// At most this many alternatives one pattern's `{…}` expand to.
const MAX_ALTERNATIVES: usize = 256;

/// A pattern that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid `packages` pattern `{pattern}`: {message}")]
pub struct PatternError {
    pub pattern: String,
    pub message: String,
}

#[derive(Clone, Debug)]
enum Seg {
    /// A name (or `..` in the static prefix).
    Literal(String),
    /// A one-segment glob; `dot` when it starts with `.` (matches hidden names).
    Glob { m: GlobMatcher, dot: bool },
    /// `**`.
    Globstar,
}

impl Seg {
    fn matches(&self, name: &str) -> bool {
        if NEVER.contains(&name) {
            return false;
        }
        match self {
            Seg::Literal(l) => l == name,
            Seg::Glob { m, dot } => (*dot || !name.starts_with('.')) && m.is_match(name),
            Seg::Globstar => !name.starts_with('.'),
        }
    }
}

/// One `packages` entry, compiled.
#[derive(Clone, Debug)]
pub struct Pattern {
    text: String,
    negated: bool,
    /// The brace alternatives, each as segments.
    alts: Vec<Vec<Seg>>,
}

impl Pattern {
    /// Compiles one entry (`packages/*`, `!packages/internal`, `../x/*`).
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let err = |message: String| PatternError {
            pattern: text.to_string(),
            message,
        };
        let (negated, body) = match text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let mut expanded = Vec::new();
        expand_braces(body, &mut expanded);
        if expanded.len() > MAX_ALTERNATIVES {
            return Err(err(format!(
                "more than {MAX_ALTERNATIVES} `{{…}}` alternatives"
            )));
        }
        let mut alts = Vec::new();
        for alt in expanded {
            let mut segs = Vec::new();
            for s in alt.split('/') {
                if s.is_empty() || s == "." {
                    continue;
                }
                segs.push(segment(s).map_err(&err)?);
            }
            alts.push(segs);
        }
        Ok(Pattern {
            text: text.to_string(),
            negated,
            alts,
        })
    }

    /// The entry as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True for a `!` entry.
    pub fn negated(&self) -> bool {
        self.negated
    }

    /// True when `rel` (a member directory relative to the root,
    /// `/`-separated, `.` for the root) matches the pattern (sign aside).
    pub fn matches(&self, rel: &str) -> bool {
        let parts: Vec<&str> = rel
            .split('/')
            .filter(|s| !s.is_empty() && *s != ".")
            .collect();
        if parts.iter().any(|p| NEVER.contains(p)) {
            return false;
        }
        self.alts.iter().any(|segs| match_parts(segs, &parts))
    }

    /// The tree whose symbolic links the walk follows: the root, or for a
    /// `../` pattern the directory its static prefix names. (Patterns whose
    /// alternatives differ there use the first.)
    pub fn tree(&self, root: &Path) -> PathBuf {
        let Some(segs) = self.alts.first() else {
            return crate::paths::clean(root);
        };
        if !matches!(segs.first(), Some(Seg::Literal(l)) if l == "..") {
            return crate::paths::clean(root);
        }
        let mut base = root.to_path_buf();
        for s in segs {
            match s {
                Seg::Literal(l) => base.push(l),
                _ => break,
            }
        }
        crate::paths::clean(&base)
    }

    /// The parts of the disk outside `root` this pattern links (its
    /// members' files may be read there): for `../common/packages/*` the
    /// real directory `../common/packages`, for `../*` everything inside the
    /// root's siblings ([`Region::Below`] the parent). Nothing for a pattern
    /// that stays inside the root, a negated one, or one whose static prefix
    /// leaves the bounds of [`Pattern::expand`] (above the siblings, another
    /// file system, `/proc`). Directories are resolved through `resolve`'s
    /// cache (a fleet's repositories share their sibling).
    pub fn linked_regions(&self, root: &Path, resolve: &Jail) -> Vec<Region> {
        let mut out = Vec::new();
        let leaves = |segs: &Vec<Seg>| {
            segs.iter()
                .take_while(|s| matches!(s, Seg::Literal(_)))
                .any(|s| matches!(s, Seg::Literal(l) if l == ".."))
        };
        if self.negated || !self.alts.iter().any(leaves) {
            return out;
        }
        let Ok(real_root) = resolve.real_dir(&crate::paths::clean(root)) else {
            return out;
        };
        let Some(parent) = real_root.parent().map(Path::to_path_buf) else {
            return out;
        };
        for segs in &self.alts {
            let mut at = real_root.clone();
            let mut rest = segs.as_slice();
            let mut above = false;
            while let Some((Seg::Literal(l), tail)) = rest.split_first() {
                if l == ".." {
                    above |= !at.pop() || !at.starts_with(&parent);
                } else {
                    at.push(l);
                }
                rest = tail;
            }
            if above || at.starts_with(&real_root) || !at.starts_with(&parent) {
                continue;
            }
            let region = if at == parent {
                if rest.is_empty() {
                    continue;
                }
                Region::Below(parent.clone())
            } else {
                let Ok(real) = resolve.real_dir(&at) else {
                    continue;
                };
                if real == parent
                    || !real.starts_with(&parent)
                    || confine::is_virtual(&real)
                    || resolve.device(&real) != resolve.device(&parent)
                {
                    continue;
                }
                Region::Tree(real)
            };
            if !out.contains(&region) {
                out.push(region);
            }
        }
        out
    }

    /// The member directories the pattern (its sign ignored) finds below
    /// `root`: relative to `root`, `/`-separated (`..` kept, `.` for the
    /// root), sorted, each holding a `package.json` file.
    pub fn expand(&self, root: &Path, lister: &dyn Lister) -> Vec<String> {
        let tree = self.tree(root);
        let mut w = Walk {
            lister,
            tree: std::fs::canonicalize(&tree).ok(),
            budget: MAX_ENTRIES,
            out: Vec::new(),
            bound: Bound::new(root),
        };
        for segs in &self.alts {
            let mut rel = Vec::new();
            w.walk(&crate::paths::clean(root), &mut rel, segs, 0, true);
        }
        let mut out = w.out;
        out.sort();
        out.dedup();
        out
    }
}

/// A workspace's `packages` list, compiled.
#[derive(Clone, Debug, Default)]
pub struct Patterns {
    include: Vec<Pattern>,
    exclude: Vec<Pattern>,
}

impl Patterns {
    /// Compiles every entry; the first invalid one is an error.
    pub fn parse<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<Patterns, PatternError> {
        let mut p = Patterns::default();
        for e in entries {
            p.push(Pattern::parse(e)?);
        }
        Ok(p)
    }

    /// Assembles compiled entries (e.g. kept in a cache).
    pub(crate) fn from_compiled(entries: impl IntoIterator<Item = Pattern>) -> Patterns {
        let mut p = Patterns::default();
        for e in entries {
            p.push(e);
        }
        p
    }

    fn push(&mut self, p: Pattern) {
        if p.negated {
            self.exclude.push(p);
        } else {
            self.include.push(p);
        }
    }

    /// The positive entries, in order.
    pub fn includes(&self) -> &[Pattern] {
        &self.include
    }

    /// True when a `!` entry removes member `rel`.
    pub fn is_excluded(&self, rel: &str) -> bool {
        self.exclude.iter().any(|p| p.matches(rel))
    }

    /// Every member directory below `root` (relative, sorted, `.` only when
    /// a pattern names the root).
    pub(crate) fn members(&self, root: &Path, lister: &dyn Lister) -> Vec<String> {
        let mut out: Vec<String> = self
            .include
            .iter()
            .flat_map(|p| p.expand(root, lister))
            .filter(|rel| !self.is_excluded(rel))
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Compiles one segment.
fn segment(s: &str) -> Result<Seg, String> {
    if s == "**" {
        return Ok(Seg::Globstar);
    }
    if !s.contains(['*', '?', '[', '\\', '{', '}']) {
        return Ok(Seg::Literal(s.to_string()));
    }
    // `**` inside a segment is `*`; braces left by the expansion are literal.
    let mut g = String::with_capacity(s.len());
    let mut escaped = false;
    let mut last_star = false;
    let mut has_meta = false;
    let mut literal = String::new();
    for c in s.chars() {
        if escaped {
            escaped = false;
            literal.push(c);
            push_literal(&mut g, c);
            last_star = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '*' if last_star => {}
            '*' | '?' | '[' | ']' | '!' | '^' | '-' => {
                has_meta |= matches!(c, '*' | '?' | '[');
                literal.push(c);
                g.push(c);
                last_star = c == '*';
            }
            '{' | '}' => {
                literal.push(c);
                push_literal(&mut g, c);
                last_star = false;
            }
            _ => {
                literal.push(c);
                g.push(c);
                last_star = false;
            }
        }
    }
    if escaped {
        return Err("ends with `\\`".into());
    }
    if !has_meta {
        return Ok(Seg::Literal(literal));
    }
    let m = GlobBuilder::new(&g)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| e.kind().to_string())?
        .compile_matcher();
    Ok(Seg::Glob {
        m,
        dot: s.starts_with('.'),
    })
}

fn push_literal(g: &mut String, c: char) {
    if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\' | ',') {
        g.push('\\');
        g.push(c);
    } else {
        g.push(c);
    }
}

/// Expands the first top-level `{a,b}` group (with a `,`) of `s`, then the
/// rest, into `out`; groups without a `,` stay literal. Stops growing at
/// [`MAX_ALTERNATIVES`] + 1 results.
fn expand_braces(s: &str, out: &mut Vec<String>) {
    if out.len() > MAX_ALTERNATIVES {
        return;
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'{' => {
                // Find the matching `}` and the top-level commas.
                let mut depth = 0;
                let mut commas = Vec::new();
                let mut j = i;
                let mut close = None;
                while j < b.len() {
                    match b[j] {
                        b'\\' => j += 1,
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                close = Some(j);
                                break;
                            }
                        }
                        b',' if depth == 1 => commas.push(j),
                        _ => {}
                    }
                    j += 1;
                }
                match close {
                    Some(c) if !commas.is_empty() => {
                        let (pre, post) = (&s[..i], &s[c + 1..]);
                        let mut start = i + 1;
                        for end in commas.into_iter().chain(std::iter::once(c)) {
                            expand_braces(&format!("{pre}{}{post}", &s[start..end]), out);
                            start = end + 1;
                        }
                        return;
                    }
                    _ => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    out.push(s.to_string());
}

/// Matches segments against the parts of a relative path.
fn match_parts(segs: &[Seg], parts: &[&str]) -> bool {
    match segs.split_first() {
        None => parts.is_empty(),
        Some((Seg::Globstar, rest)) => {
            if match_parts(rest, parts) {
                return true;
            }
            for i in 0..parts.len() {
                if !Seg::Globstar.matches(parts[i]) {
                    return false;
                }
                if match_parts(rest, &parts[i + 1..]) {
                    return true;
                }
            }
            false
        }
        Some((Seg::Literal(l), rest)) if l == ".." => {
            parts.first() == Some(&"..") && match_parts(rest, &parts[1..])
        }
        Some((s, rest)) => {
            !parts.is_empty() && s.matches(parts[0]) && match_parts(rest, &parts[1..])
        }
    }
}

struct Walk<'a> {
    lister: &'a dyn Lister,
    /// The canonical tree links may point into (`None`: it does not exist).
    tree: Option<PathBuf>,
    budget: usize,
    out: Vec<String>,
    bound: Bound,
}

/// Where a walk that left its root (a `../` pattern) may go: inside the
/// root's siblings, on the file system of the root's parent (where the
/// siblings live: a mount point among them is not entered), outside
/// `/proc`, `/sys` and `/dev`; the root's parent is listed, never a member.
/// Directories are resolved once each.
struct Bound {
    root: PathBuf,
    /// The root's real parent (`None`: the root cannot be resolved, or is
    /// `/`) and file system, resolved when the walk first leaves the root.
    at: std::cell::OnceCell<(Option<PathBuf>, Option<u64>)>,
    /// Resolves directories (its cache; it confines nothing).
    real: Jail,
}

impl Bound {
    fn new(root: &Path) -> Bound {
        Bound {
            root: root.to_path_buf(),
            at: std::cell::OnceCell::new(),
            real: Jail::unconfined(),
        }
    }

    /// True when the walk may list `dir` (`member`: report it as a member).
    fn allows(&self, dir: &Path, member: bool) -> bool {
        let (parent, dev) = self.at.get_or_init(|| {
            let real_root = std::fs::canonicalize(&self.root).ok();
            let parent = real_root
                .as_deref()
                .and_then(Path::parent)
                .map(Path::to_path_buf);
            let dev = parent.as_deref().and_then(|p| self.real.device(p));
            (parent, dev)
        });
        let Some(parent) = parent else {
            return false;
        };
        let Ok(real) = self.real.real_dir(&crate::paths::clean(dir)) else {
            return false;
        };
        let placed = if real == *parent {
            !member
        } else {
            real.starts_with(parent)
        };
        placed && !confine::is_virtual(&real) && self.real.device(&real) == *dev
    }
}

impl Walk<'_> {
    /// True when the walk may enter `path` (a directory reached by name):
    /// not a link, or a link into the tree.
    fn may_enter(&self, path: &Path) -> bool {
        if !self.lister.is_link(path) {
            return true;
        }
        match (&self.tree, std::fs::canonicalize(path)) {
            (Some(tree), Ok(target)) => target.starts_with(tree),
            _ => false,
        }
    }

    fn member(&mut self, dir: &Path, rel: &[String]) {
        if outside(rel) && !self.bound.allows(dir, true) {
            return;
        }
        let has_manifest = self.lister.list(dir).is_some_and(|entries| {
            entries
                .binary_search_by(|e| e.0.as_str().cmp("package.json"))
                .is_ok_and(|i| entries[i].1 == Kind::File)
        });
        if has_manifest {
            self.out.push(if rel.is_empty() {
                ".".to_string()
            } else {
                rel.join("/")
            });
        }
    }

    /// The subdirectories of `dir` (sorted), counted against the budget.
    fn subdirs(&mut self, dir: &Path) -> Vec<String> {
        let Some(entries) = self.lister.list(dir) else {
            return Vec::new();
        };
        let n = entries.len().min(self.budget);
        self.budget -= n;
        entries[..n]
            .iter()
            .filter(|e| e.1 == Kind::Dir && !NEVER.contains(&e.0.as_str()))
            .map(|e| e.0.clone())
            .collect()
    }

    /// Walks `segs` from `dir`; `prefix` while only literal segments were
    /// consumed (the static prefix is joined as written, links and all).
    fn walk(
        &mut self,
        dir: &Path,
        rel: &mut Vec<String>,
        segs: &[Seg],
        depth: usize,
        prefix: bool,
    ) {
        if depth > MAX_DEPTH || self.budget == 0 {
            return;
        }
        let Some((first, rest)) = segs.split_first() else {
            self.member(dir, rel);
            return;
        };
        match first {
            Seg::Literal(l) if l == ".." => {
                // Only in the static prefix: leaves the directory lexically.
                let parent = crate::paths::clean(&dir.join(".."));
                if rel.last().is_some_and(|r| r != "..") {
                    let last = rel.pop();
                    if !outside(rel) || self.bound.allows(&parent, false) {
                        self.walk(&parent, rel, rest, depth, prefix);
                    }
                    rel.extend(last);
                } else {
                    rel.push("..".to_string());
                    if self.bound.allows(&parent, false) {
                        self.walk(&parent, rel, rest, depth, prefix);
                    }
                    rel.pop();
                }
            }
            Seg::Literal(l) => {
                if NEVER.contains(&l.as_str()) {
                    return;
                }
                let next = dir.join(l);
                // The static prefix is joined as written, but held to the bounds.
                let ok = if outside(rel) {
                    self.bound.allows(&next, false) && (prefix || self.may_enter(&next))
                } else {
                    self.may_enter(&next)
                };
                if ok {
                    rel.push(l.clone());
                    self.walk(&next, rel, rest, depth + 1, prefix);
                    rel.pop();
                }
            }
            Seg::Globstar => {
                self.walk(dir, rel, rest, depth, false);
                for name in self.subdirs(dir) {
                    let next = dir.join(&name);
                    if first.matches(&name) && self.may_go(&next, rel) {
                        rel.push(name);
                        self.walk(&next, rel, segs, depth + 1, false);
                        rel.pop();
                    }
                }
            }
            Seg::Glob { .. } => {
                for name in self.subdirs(dir) {
                    let next = dir.join(&name);
                    if first.matches(&name) && self.may_go(&next, rel) {
                        rel.push(name);
                        self.walk(&next, rel, rest, depth + 1, false);
                        rel.pop();
                    }
                }
            }
        }
    }

    /// [`Walk::may_enter`], and inside the bounds once outside the root.
    fn may_go(&self, next: &Path, rel: &[String]) -> bool {
        (!outside(rel) || self.bound.allows(next, false)) && self.may_enter(next)
    }
}

/// True when a walk at `rel` (relative to the root) has left the root.
fn outside(rel: &[String]) -> bool {
    rel.first().is_some_and(|r| r == "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, rel: &str) -> bool {
        Pattern::parse(p).unwrap().matches(rel)
    }

    #[test]
    fn dialect() {
        assert!(m("packages/*", "packages/a"));
        assert!(!m("packages/*", "packages/a/b"));
        assert!(!m("packages/*", "packages/.hidden"));
        assert!(m("packages/.*", "packages/.hidden"));
        assert!(m("packages/[ab]*", "packages/beta"));
        assert!(!m("packages/[ab]*", "packages/core"));
        assert!(m("packages/[!a]*", "packages/core"));
        assert!(m("{apps,libs}/*", "libs/x"));
        assert!(m("{apps/*,tools}", "tools"));
        assert!(!m("{apps/*,tools}", "apps"));
        assert!(m("**", "."));
        assert!(m("**", "a/b/c"));
        assert!(!m("**", "a/.b/c"));
        assert!(m("packages/**", "packages"));
        assert!(m("**/deep", "x/y/deep"));
        assert!(m("a**", "abc"));
        assert!(!m("**", "a/node_modules/b"));
        assert!(!m("node_modules/*", "node_modules/b"));
        assert!(m("../sib/packages/*", "../sib/packages/a"));
        assert!(!m("../sib/packages/*", "sib/packages/a"));
        assert!(m("./packages/*/", "packages/a"));
        assert!(m("packages/x\\*", "packages/x*"));
        assert!(m("packages/{a}", "packages/{a}"));
        assert!(Pattern::parse("packages/[a").is_err());
    }

    #[test]
    fn tree_of_sibling_patterns() {
        let p = Pattern::parse("../sib/packages/*").unwrap();
        assert_eq!(p.tree(Path::new("/w/ws")), PathBuf::from("/w/sib/packages"));
        let p = Pattern::parse("packages/*").unwrap();
        assert_eq!(p.tree(Path::new("/w/ws")), PathBuf::from("/w/ws"));
    }
}
