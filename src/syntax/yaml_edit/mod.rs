//! Key-path edits of a YAML document's text that keep everything else as
//! written: comments, blank lines, quoting, key order and indentation.
//!
//! An [`Editor`] holds the original text and its parsed tree (with byte
//! spans, from [`crate::syntax::yaml`]). Each operation addresses a value by
//! its key path (`["services", "web", "build", "args"]`) and records text
//! edits against the original; nothing is re-serialised. New entries go at
//! the end of their mapping (or at its start, when asked), new list items at
//! the end of their list, both in the document's own [`Layout`] (indent
//! unit, list offset, flow-only lists, preferred quote, line ending), which a
//! caller may override. Flow collections (`{a: 1}`, `[a, b]`) get flow-style
//! additions. Values written through an alias, a tag or next to a merge key
//! (`<<`) are refused rather than edited, since the edit would change what
//! the alias or merge brings.
//!
//! Every operation is checked before it is kept: the edits so far are
//! applied, the result is parsed again, and the path must then hold what was
//! asked. When that fails the operation's edits are dropped and an
//! [`EditError`] says why; earlier operations stay. So an editor never hands
//! back broken YAML.
//!
//! Line endings: the layout's line ending is the document's (`\r\n` when its
//! first line ends so), and positions are found on `\n`, so CRLF documents
//! are edited consistently. Tabs: YAML forbids them in indentation, so the
//! parser rejects such documents; an edit whose column would be measured on
//! a line indented with a tab (possible inside flow collections) is refused.
//!
//! Pure: text in, edits and text out, no file I/O.
//!
//! Why hand-written: no crate in `Cargo.lock` edits YAML. Of the crates.io
//! options, `yaml-edit` is a lossless syntax tree (rowan) with its own
//! formatting of new nodes, and `yamlpatch` (tree-sitter based) applies
//! JSON-pointer-like operations with its own rendering; neither detects the
//! document's indent and quote conventions the way dockprep's fixes promise,
//! refuses aliases and merge keys, or drops the comment lines above a removed
//! item, and each would bring a parser that disagrees with the saphyr
//! reader dockprep validates with. This module is small, built on the
//! reader the rest of dockprep uses.

mod layout;
mod render;
#[cfg(test)]
mod tests;

pub use layout::Layout;

use layout::{
    blank_separated, closing, col, comments_above, content_start, dash_pos, entry_end, has_tag,
    is_alias, is_flow, line_end, line_start, next_line, node_end, only_trivia, tab_indented,
};
use render::{block_entries, block_items, flow, scalar, sibling_quote, Quote};

use super::yaml::{self, Node, Value};
use super::{ParseError, Span};

/// A value to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewValue {
    /// A string, quoted only when YAML would read it otherwise.
    Str(String),
    /// YAML text written as it is (a scalar moved from elsewhere in the file).
    Raw(String),
    Map(Vec<(String, NewValue)>),
    /// A list of strings.
    Seq(Vec<String>),
}

impl NewValue {
    pub fn str(s: impl Into<String>) -> NewValue {
        NewValue::Str(s.into())
    }
}

/// Where new mapping entries go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Place {
    /// After the last entry.
    #[default]
    End,
    /// After the last entry, with a blank line before the new ones.
    EndAfterBlankLine,
    /// Before the first entry and the comment lines directly above it.
    Start,
}

/// What happens to the comment lines directly above a removed entry or item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comments {
    Keep,
    Drop,
}

/// A replacement of `start..end` of the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// The outcome of an editor: its edits against the original text (sorted,
/// inserts at one place merged) and the edited text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edited {
    pub edits: Vec<TextEdit>,
    pub text: String,
}

/// Why an edit was not made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("the document is not valid YAML: {0}")]
    Parse(ParseError),
    #[error("`{0}` is not in the document")]
    NotFound(String),
    #[error("`{path}` is {found}, not {expected}")]
    Kind {
        path: String,
        found: &'static str,
        expected: &'static str,
    },
    #[error("`{0}` is written through an alias or a tag; not edited in place")]
    Opaque(String),
    #[error("`{path}` is not edited: {reason}")]
    Unsupported { path: String, reason: &'static str },
    #[error("the edit of `{path}` would not leave valid YAML: {reason}")]
    Invalid { path: String, reason: String },
    #[error("after the edit, `{0}` does not hold the intended value")]
    NotHeld(String),
}

fn show(path: &[&str]) -> String {
    if path.is_empty() {
        "(document)".to_string()
    } else {
        path.join(".")
    }
}

fn unsupported(path: &[&str], reason: &'static str) -> EditError {
    EditError::Unsupported {
        path: show(path),
        reason,
    }
}

/// The node at `path` below `root`, by mapping keys.
fn lookup<'n>(root: &'n Node, path: &[&str]) -> Option<&'n Node> {
    path.iter().try_fold(root, |n, k| n.get(k))
}

/// Whether `n` holds `v`: every entry of a mapping, every item of a list.
fn holds(n: &Node, v: &NewValue) -> bool {
    match v {
        NewValue::Str(s) => n.as_str() == Some(s.as_str()),
        NewValue::Raw(_) => true,
        NewValue::Map(entries) => {
            n.as_map().is_some()
                && entries
                    .iter()
                    .all(|(k, v)| n.get(k).is_some_and(|x| holds(x, v)))
        }
        NewValue::Seq(items) => n.as_seq().is_some_and(|s| {
            items
                .iter()
                .all(|i| s.iter().any(|x| x.as_str() == Some(i.as_str())))
        }),
    }
}

/// The number of items of a list; a null (empty) value has none.
fn seq_len(n: Option<&Node>) -> Option<usize> {
    match n {
        None => Some(0),
        Some(n) if n.is_null() => Some(0),
        Some(n) => n.as_seq().map(<[Node]>::len),
    }
}

/// A resolved path: the key (none for the document), the value and the
/// mapping holding it.
struct At<'a> {
    key: Option<&'a Node>,
    node: &'a Node,
    parent: Option<&'a Node>,
}

/// Edits to one document by key path; see the module doc.
pub struct Editor<'t> {
    text: &'t str,
    root: Node,
    layout: Layout,
    edits: Vec<TextEdit>,
}

impl<'t> Editor<'t> {
    /// Parses `text` (its first document) and detects its layout.
    pub fn new(text: &'t str) -> Result<Editor<'t>, EditError> {
        let root = yaml::parse(text).map_err(EditError::Parse)?;
        let layout = Layout::detect(text, &root);
        Ok(Editor {
            text,
            root,
            layout,
            edits: Vec::new(),
        })
    }

    /// The original text.
    pub fn text(&self) -> &'t str {
        self.text
    }

    /// The original document's tree.
    pub fn root(&self) -> &Node {
        &self.root
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Lays out what the following operations write as `layout` says.
    pub fn set_layout(&mut self, layout: Layout) {
        self.layout = layout;
    }

    /// The value at `path` of the original document (aliases and tags not
    /// looked through: an alias reads as null).
    pub fn get(&self, path: &[&str]) -> Option<&Node> {
        lookup(&self.root, path)
    }

    /// The byte range of the value at `path`: from its content (past any
    /// anchor) to the end of its own text, closing bracket included and
    /// trailing comments excluded.
    pub fn span(&self, path: &[&str]) -> Option<Span> {
        let n = self.get(path)?;
        let start = content_start(self.text, n).min(n.span.end.max(n.span.start));
        let end = node_end(self.text, n)?;
        Some(Span::new(start.min(end), end))
    }

    /// The text of the value at `path`, as [`Editor::span`] delimits it.
    pub fn source(&self, path: &[&str]) -> Option<&'t str> {
        let s = self.span(path)?;
        self.text.get(s.range())
    }

    /// Whether every value along `path` is written in place (no alias, no
    /// tag), so that the value at `path` can be edited.
    pub fn is_editable(&self, path: &[&str]) -> bool {
        self.resolve(path).is_ok()
    }

    /// Whether the value at `path` is a flow collection (`{..}`, `[..]`).
    pub fn is_flow(&self, path: &[&str]) -> bool {
        self.get(path).is_some_and(|n| is_flow(self.text, n))
    }

    /// Whether the entries of the block mapping at `path` are separated by
    /// blank lines.
    pub fn blank_separated(&self, path: &[&str]) -> bool {
        self.get(path)
            .is_some_and(|n| blank_separated(self.text, n))
    }

    /// Ensures the mapping at `path` has `entries`, added at `place`. A null
    /// value at `path` (`key:`, `key: ~`) becomes a block mapping; a missing
    /// one is created with its missing parents.
    pub fn insert_entries(
        &mut self,
        path: &[&str],
        entries: Vec<(String, NewValue)>,
        place: Place,
    ) -> Result<(), EditError> {
        if entries.is_empty() {
            return Ok(());
        }
        let edits = match self.resolve(path) {
            Ok(at) => match &at.node.value {
                Value::Map(_) => self.add_to_map(path, at.node, &entries, place)?,
                Value::Null if at.key.is_none() => self.fill_document(&entries, place)?,
                Value::Null => self.fill_null(path, at, &NewValue::Map(entries.clone()))?,
                _ => {
                    return Err(EditError::Kind {
                        path: show(path),
                        found: at.node.kind_name(),
                        expected: "a mapping",
                    })
                }
            },
            Err(EditError::NotFound(_)) if !path.is_empty() => {
                let (last, parent) = path.split_last().expect("not empty");
                return self.insert_entries(
                    parent,
                    vec![(last.to_string(), NewValue::Map(entries))],
                    place,
                );
            }
            Err(e) => return Err(e),
        };
        let want = NewValue::Map(entries);
        self.commit(path, edits, |root| {
            lookup(root, path).is_some_and(|n| holds(n, &want))
        })
    }

    /// Ensures `items` are in the list at `path`, appended at its end. A
    /// null value becomes a block list; a missing one is created.
    pub fn append_items(&mut self, path: &[&str], items: &[String]) -> Result<(), EditError> {
        if items.is_empty() {
            return Ok(());
        }
        let (edits, before) = match self.resolve(path) {
            Ok(at) => match &at.node.value {
                Value::Seq(s) => (self.add_to_seq(path, at.node, items)?, s.len()),
                Value::Null if at.key.is_some() => {
                    (self.fill_null(path, at, &NewValue::Seq(items.to_vec()))?, 0)
                }
                _ => {
                    return Err(EditError::Kind {
                        path: show(path),
                        found: at.node.kind_name(),
                        expected: "a list",
                    })
                }
            },
            Err(EditError::NotFound(_)) if !path.is_empty() => {
                let (last, parent) = path.split_last().expect("not empty");
                return self.insert_entries(
                    parent,
                    vec![(last.to_string(), NewValue::Seq(items.to_vec()))],
                    Place::End,
                );
            }
            Err(e) => return Err(e),
        };
        let want = NewValue::Seq(items.to_vec());
        let n = before + items.len();
        self.commit(path, edits, |root| {
            lookup(root, path).is_some_and(|x| holds(x, &want) && seq_len(Some(x)) == Some(n))
        })
    }

    /// Sets the value at `path` to `value`:
    /// - missing: a new entry at `place` of its mapping (parents created);
    /// - null: filled (a block mapping or list, or a scalar after the `:`);
    /// - a scalar and a new scalar: replaced, quoted like the old one;
    /// - a scalar and a new mapping: the mapping's first entry takes the
    ///   scalar's line (so a trailing comment stays there), the rest follow;
    /// - a collection: the whole entry rewritten (comments inside it go).
    pub fn set(&mut self, path: &[&str], value: NewValue, place: Place) -> Result<(), EditError> {
        let Some((last, parent_path)) = path.split_last() else {
            return Err(unsupported(path, "the document itself is not replaced"));
        };
        let edits = match self.resolve(path) {
            Ok(at) => self.replace(path, at, &value)?,
            Err(EditError::NotFound(_)) => {
                return self.insert_entries(parent_path, vec![(last.to_string(), value)], place)
            }
            Err(e) => return Err(e),
        };
        let exact = value.clone();
        self.commit(path, edits, |root| {
            lookup(root, path).is_some_and(|n| {
                holds(n, &exact)
                    && match &exact {
                        NewValue::Seq(items) => seq_len(Some(n)) == Some(items.len()),
                        NewValue::Map(m) => n.as_map().is_some_and(|x| x.len() == m.len()),
                        _ => true,
                    }
            })
        })
    }

    /// Removes the entry at `path` from its mapping, with the comment lines
    /// directly above it when `comments` says so. A blank line left on both
    /// sides becomes one.
    pub fn remove(&mut self, path: &[&str], comments: Comments) -> Result<(), EditError> {
        let at = self.resolve_any(path)?;
        let (Some(key), Some(parent)) = (at.key, at.parent) else {
            return Err(unsupported(path, "the document itself is not removed"));
        };
        let edits = if is_flow(self.text, parent) {
            let kept: Vec<String> = parent
                .as_map()
                .unwrap_or(&[])
                .iter()
                .filter(|(k, _)| !std::ptr::eq(k, key))
                .map(|(k, v)| self.flow_entry_text(k, v))
                .collect::<Option<_>>()
                .ok_or_else(|| unsupported(path, "an entry's text could not be delimited"))?;
            vec![self.rewrite_flow(path, parent, kept, '{', '}')?]
        } else {
            vec![self.remove_lines(
                path,
                key.span.start,
                entry_end(self.text, key, at.node),
                comments,
            )?]
        };
        let (_, parent_path) = path.split_last().expect("has a key");
        let last = path[path.len() - 1];
        self.commit(path, edits, |root| {
            lookup(root, parent_path).is_some_and(|p| p.get(last).is_none())
        })
    }

    /// Keeps the entries of the mapping at `path` whose key `keep` accepts.
    /// Block entries are removed line by line (see [`Editor::remove`]); a
    /// flow mapping is written again on one line from its kept entries.
    pub fn retain_entries(
        &mut self,
        path: &[&str],
        keep: impl Fn(&str) -> bool,
        comments: Comments,
    ) -> Result<(), EditError> {
        let at = self.resolve(path)?;
        let Some(entries) = at.node.as_map() else {
            return Err(EditError::Kind {
                path: show(path),
                found: at.node.kind_name(),
                expected: "a mapping",
            });
        };
        let kept = |k: &Node| k.as_str().is_some_and(&keep);
        let n = entries.iter().filter(|(k, _)| kept(k)).count();
        if n == entries.len() {
            return Ok(());
        }
        let edits = if is_flow(self.text, at.node) {
            let texts: Vec<String> = entries
                .iter()
                .filter(|(k, _)| kept(k))
                .map(|(k, v)| self.flow_entry_text(k, v))
                .collect::<Option<_>>()
                .ok_or_else(|| unsupported(path, "an entry's text could not be delimited"))?;
            vec![self.rewrite_flow(path, at.node, texts, '{', '}')?]
        } else {
            let mut out = Vec::new();
            for (k, v) in entries.iter().filter(|(k, _)| !kept(k)) {
                out.push(self.remove_lines(
                    path,
                    k.span.start,
                    entry_end(self.text, k, v),
                    comments,
                )?);
            }
            coalesce(out)
        };
        self.commit(path, edits, |root| {
            lookup(root, path).is_some_and(|m| m.as_map().map_or(n == 0, |x| x.len() == n))
        })
    }

    /// Keeps the items of the list at `path` that `keep` (given the index
    /// and the item) accepts. Block items are removed line by line, with the
    /// comment lines directly above when `comments` says so; a flow list is
    /// written again on one line from its kept items.
    pub fn retain_items(
        &mut self,
        path: &[&str],
        keep: impl Fn(usize, &Node) -> bool,
        comments: Comments,
    ) -> Result<(), EditError> {
        let at = self.resolve(path)?;
        let Some(items) = at.node.as_seq() else {
            return Err(EditError::Kind {
                path: show(path),
                found: at.node.kind_name(),
                expected: "a list",
            });
        };
        let kept: Vec<bool> = items.iter().enumerate().map(|(i, n)| keep(i, n)).collect();
        let n = kept.iter().filter(|k| **k).count();
        if n == items.len() {
            return Ok(());
        }
        let edits = if is_flow(self.text, at.node) {
            let texts: Vec<String> = items
                .iter()
                .zip(&kept)
                .filter(|(_, k)| **k)
                .map(|(i, _)| {
                    let end = node_end(self.text, i)?;
                    self.text.get(i.span.start..end).map(str::to_string)
                })
                .collect::<Option<_>>()
                .ok_or_else(|| unsupported(path, "an item's text could not be delimited"))?;
            vec![self.rewrite_flow(path, at.node, texts, '[', ']')?]
        } else {
            let mut out = Vec::new();
            for (item, _) in items.iter().zip(&kept).filter(|(_, k)| !**k) {
                let dash = dash_pos(self.text, item)
                    .ok_or_else(|| unsupported(path, "a list item without its `-`"))?;
                out.push(self.remove_lines(path, dash, node_end(self.text, item), comments)?);
            }
            coalesce(out)
        };
        self.commit(path, edits, |root| seq_len(lookup(root, path)) == Some(n))
    }

    /// The edits so far and the text they give. Every operation was checked
    /// when it was made; the whole is checked once more.
    pub fn finish(self) -> Result<Edited, EditError> {
        let edits = self.merged();
        let text = apply(self.text, &edits).ok_or_else(|| EditError::Invalid {
            path: show(&[]),
            reason: "the edits overlap".into(),
        })?;
        yaml::parse(&text).map_err(|e| EditError::Invalid {
            path: show(&[]),
            reason: e.message,
        })?;
        Ok(Edited { edits, text })
    }

    // ---- internals ----

    /// An alias (its content lives elsewhere) or a tagged node (`!reset []`).
    fn is_opaque(&self, n: &Node) -> bool {
        is_alias(self.text, n) || has_tag(self.text, n)
    }

    /// The value of `key: value` is written right there.
    fn owned(&self, k: &Node, v: &Node) -> bool {
        v.span.start >= k.span.end && v.span.end <= self.text.len() && !self.is_opaque(v)
    }

    /// Walks `path`, refusing values not written in place.
    fn resolve(&self, path: &[&str]) -> Result<At<'_>, EditError> {
        self.walk(path, true)
    }

    /// Walks `path`; the last value may be opaque (it is removed whole).
    fn resolve_any(&self, path: &[&str]) -> Result<At<'_>, EditError> {
        self.walk(path, false)
    }

    fn walk(&self, path: &[&str], last_owned: bool) -> Result<At<'_>, EditError> {
        let mut at = At {
            key: None,
            node: &self.root,
            parent: None,
        };
        for (i, seg) in path.iter().enumerate() {
            if at.node.as_map().is_none() {
                return Err(if at.node.is_null() {
                    EditError::NotFound(show(&path[..=i]))
                } else {
                    EditError::Kind {
                        path: show(&path[..i]),
                        found: at.node.kind_name(),
                        expected: "a mapping",
                    }
                });
            }
            let Some((k, v)) = at.node.entry(seg) else {
                return Err(EditError::NotFound(show(&path[..=i])));
            };
            let must_own = last_owned || i + 1 < path.len();
            if must_own && !self.owned(k, v) {
                return Err(EditError::Opaque(show(&path[..=i])));
            }
            at = At {
                key: Some(k),
                node: v,
                parent: Some(at.node),
            };
        }
        Ok(at)
    }

    /// Keeps `edits` when the edits so far plus them parse and `check` holds.
    fn commit(
        &mut self,
        path: &[&str],
        edits: Vec<TextEdit>,
        check: impl FnOnce(&Node) -> bool,
    ) -> Result<(), EditError> {
        let n = self.edits.len();
        self.edits.extend(edits);
        let result = match apply(self.text, &self.merged()) {
            None => Err(EditError::Invalid {
                path: show(path),
                reason: "the edits overlap".into(),
            }),
            Some(t) => match yaml::parse(&t) {
                Err(e) => Err(EditError::Invalid {
                    path: show(path),
                    reason: e.message,
                }),
                Ok(root) if !check(&root) => Err(EditError::NotHeld(show(path))),
                Ok(_) => Ok(()),
            },
        };
        if result.is_err() {
            self.edits.truncate(n);
        }
        result
    }

    /// The edits sorted, inserts at one place joined in the order made, and
    /// text added at the end of a file without a final newline put on a
    /// line of its own.
    fn merged(&self) -> Vec<TextEdit> {
        let t = self.text;
        let mut edits = self.edits.clone();
        edits.sort_by_key(|e| (e.start, e.end));
        let mut out: Vec<TextEdit> = Vec::new();
        for e in edits {
            match out.last_mut() {
                Some(p) if p.start == p.end && e.start == e.end && p.start == e.start => {
                    p.text.push_str(&e.text)
                }
                _ => out.push(e),
            }
        }
        for e in &mut out {
            if e.start == t.len() && !t.is_empty() && !t.ends_with('\n') && !e.text.is_empty() {
                e.text.insert_str(0, self.layout.line_ending);
            }
        }
        out
    }

    fn no_tab(&self, path: &[&str], at: usize) -> Result<(), EditError> {
        if tab_indented(self.text, at) {
            Err(unsupported(path, "the line is indented with a tab"))
        } else {
            Ok(())
        }
    }

    /// Entries for the document itself when it holds nothing (only
    /// comments or blank lines).
    fn fill_document(
        &self,
        entries: &[(String, NewValue)],
        place: Place,
    ) -> Result<Vec<TextEdit>, EditError> {
        let t = self.text;
        if !t.lines().all(|l| {
            let l = l.trim();
            l.is_empty() || l.starts_with('#')
        }) {
            return Err(unsupported(
                &[],
                "the document is a null that is written out",
            ));
        }
        let mut s = String::new();
        block_entries(&self.layout, &mut s, 0, entries, Quote::Plain);
        let at = if place == Place::Start { 0 } else { t.len() };
        Ok(vec![TextEdit {
            start: at,
            end: at,
            text: s,
        }])
    }

    /// Adds `entries` to mapping `map` (at `path`).
    fn add_to_map(
        &self,
        path: &[&str],
        map: &Node,
        entries: &[(String, NewValue)],
        place: Place,
    ) -> Result<Vec<TextEdit>, EditError> {
        let t = self.text;
        let l = &self.layout;
        let m = map.as_map().unwrap_or(&[]);
        if self.is_opaque(map) {
            return Err(EditError::Opaque(show(path)));
        }
        // `? complex` keys: their column is not the mapping's
        if m.iter().any(|(k, _)| k.as_str().is_none()) {
            return Err(unsupported(path, "the mapping has a complex key"));
        }
        if map.entry("<<").is_some() {
            return Err(unsupported(path, "a merge key may bring the keys"));
        }
        // Values quoted like the last sibling's.
        let q = m
            .last()
            .and_then(|(_, v)| sibling_quote(t, v))
            .unwrap_or(Quote::Plain);
        if is_flow(t, map) {
            let joined = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(l, k, Quote::Plain, true), flow(l, v, q)))
                .collect::<Vec<_>>()
                .join(", ");
            let open = content_start(t, map);
            let odd = || unsupported(path, "the flow mapping's brackets are not where expected");
            if closing(t, map).is_none() || t.as_bytes().get(open) != Some(&b'{') {
                return Err(odd());
            }
            return match (m.first(), m.last()) {
                (None, _) => Ok(vec![TextEdit {
                    start: open + 1,
                    end: open + 1,
                    text: joined,
                }]),
                (Some(_), _) if place == Place::Start => Ok(vec![TextEdit {
                    start: open + 1,
                    end: open + 1,
                    text: format!("{joined}, "),
                }]),
                (_, Some((k, v))) => {
                    let (Some(close), Some(end)) = (closing(t, map), entry_end(t, k, v)) else {
                        return Err(odd());
                    };
                    if v.is_null() || !only_trivia(t.get(end..close).unwrap_or("x")) {
                        return Err(odd());
                    }
                    Ok(vec![TextEdit {
                        start: end,
                        end,
                        text: format!(", {joined}"),
                    }])
                }
                (Some(_), None) => unreachable!("a first entry is also a last one"),
            };
        }
        let Some((fk, _)) = m.first() else {
            return Err(unsupported(path, "an empty block mapping"));
        };
        self.no_tab(path, fk.span.start)?;
        let c = col(t, fk.span.start);
        if place == Place::Start {
            let ls = line_start(t, fk.span.start);
            if !t[ls..fk.span.start].trim().is_empty() {
                return Err(unsupported(path, "the first key does not start its line"));
            }
            let at = comments_above(t, ls);
            let mut s = String::new();
            block_entries(l, &mut s, c, entries, q);
            return Ok(vec![TextEdit {
                start: at,
                end: at,
                text: s,
            }]);
        }
        let end = node_end(t, map)
            .ok_or_else(|| unsupported(path, "the mapping's end could not be found"))?;
        let at = line_end(t, end);
        match next_line(t, at) {
            Some((i, nl))
                if i > c
                    || (i == c
                        && !(c == 0 && (nl.starts_with("---") || nl.starts_with("...")))) =>
            {
                return Err(unsupported(
                    path,
                    "text after the mapping's end belongs to it",
                ));
            }
            _ => {}
        }
        let mut s = String::new();
        if place == Place::EndAfterBlankLine && !t[line_start(t, end)..at].trim().is_empty() {
            s.push_str(l.line_ending);
        }
        block_entries(l, &mut s, c, entries, q);
        Ok(vec![TextEdit {
            start: at,
            end: at,
            text: s,
        }])
    }

    /// Adds `items` at the end of list `seq` (at `path`).
    fn add_to_seq(
        &self,
        path: &[&str],
        seq: &Node,
        items: &[String],
    ) -> Result<Vec<TextEdit>, EditError> {
        let t = self.text;
        let l = &self.layout;
        let existing = seq.as_seq().unwrap_or(&[]);
        if self.is_opaque(seq) {
            return Err(EditError::Opaque(show(path)));
        }
        let q = existing
            .last()
            .and_then(|v| sibling_quote(t, v))
            .unwrap_or(Quote::Item);
        if is_flow(t, seq) {
            let joined = items
                .iter()
                .map(|i| scalar(l, i, q, true))
                .collect::<Vec<_>>()
                .join(", ");
            let odd = || unsupported(path, "the flow list's brackets are not where expected");
            return match existing.last() {
                None => {
                    let open = content_start(t, seq);
                    if t.as_bytes().get(open) != Some(&b'[') || closing(t, seq).is_none() {
                        return Err(odd());
                    }
                    Ok(vec![TextEdit {
                        start: open + 1,
                        end: open + 1,
                        text: joined,
                    }])
                }
                Some(last) => {
                    let (Some(close), Some(end)) = (closing(t, seq), node_end(t, last)) else {
                        return Err(odd());
                    };
                    if last.is_null() || !only_trivia(t.get(end..close).unwrap_or("x")) {
                        return Err(odd());
                    }
                    Ok(vec![TextEdit {
                        start: end,
                        end,
                        text: format!(", {joined}"),
                    }])
                }
            };
        }
        let first = existing
            .first()
            .ok_or_else(|| unsupported(path, "an empty block list"))?;
        let dash =
            dash_pos(t, first).ok_or_else(|| unsupported(path, "a list item without its `-`"))?;
        self.no_tab(path, dash)?;
        let end = node_end(t, seq)
            .ok_or_else(|| unsupported(path, "the list's end could not be found"))?;
        let at = line_end(t, end);
        let d = col(t, dash);
        match next_line(t, at) {
            Some((i, nl)) if i > d || (i == d && nl.starts_with('-')) => {
                return Err(unsupported(path, "text after the list's end belongs to it"));
            }
            _ => {}
        }
        let mut s = String::new();
        block_items(l, &mut s, d, items, q);
        Ok(vec![TextEdit {
            start: at,
            end: at,
            text: s,
        }])
    }

    /// Gives the empty value of `key:` the content `val`.
    fn fill_null(
        &self,
        path: &[&str],
        at: At<'_>,
        val: &NewValue,
    ) -> Result<Vec<TextEdit>, EditError> {
        let t = self.text;
        let l = &self.layout;
        let (Some(key), null) = (at.key, at.node) else {
            return Err(unsupported(path, "the document itself"));
        };
        if at.parent.is_some_and(|p| is_flow(t, p)) {
            return Err(unsupported(path, "an empty value in a flow mapping"));
        }
        if !null.is_null() {
            return Err(unsupported(path, "the value is not empty"));
        }
        let eol = line_end(t, key.span.end);
        let line = t[key.span.end..eol].trim_end_matches(['\n', '\r']);
        let Some(rest) = line.trim_start().strip_prefix(':') else {
            return Err(unsupported(path, "the key's `:` is not on its line"));
        };
        let after_colon = key.span.end + (line.len() - rest.len());
        let r = rest.trim_start();
        let tok = ["~", "null", "Null", "NULL"]
            .into_iter()
            .find(|w| {
                r.starts_with(w) && r[w.len()..].chars().next().is_none_or(char::is_whitespace)
            })
            .unwrap_or("");
        let tail = r[tok.len()..].trim_start();
        if !(tail.is_empty() || tail.starts_with('#')) {
            return Err(unsupported(
                path,
                "the empty value is not alone on its line",
            ));
        }
        // The null must be the one on this line.
        if !null.span.is_empty() && !(key.span.end..eol).contains(&null.span.start) {
            return Err(unsupported(
                path,
                "the empty value is not on the key's line",
            ));
        }
        self.no_tab(path, key.span.start)?;
        let mut out = Vec::new();
        let tok_at = after_colon + (rest.len() - r.len());
        let kc = col(t, key.span.start);
        let mut s = String::new();
        match val {
            NewValue::Map(entries) => {
                block_entries(l, &mut s, kc + l.indent, entries, Quote::Plain)
            }
            NewValue::Seq(items) if items.is_empty() => {
                return self.fill_null_inline(key, tok_at, tok, "[]");
            }
            NewValue::Seq(items) => block_items(l, &mut s, kc + l.seq_indent, items, Quote::Item),
            NewValue::Str(x) => {
                return self.fill_null_inline(key, tok_at, tok, &scalar(l, x, Quote::Plain, false))
            }
            NewValue::Raw(x) => return self.fill_null_inline(key, tok_at, tok, x),
        }
        if !tok.is_empty() {
            out.push(TextEdit {
                start: key.span.end,
                end: tok_at + tok.len(),
                text: ":".into(),
            });
        }
        match next_line(t, eol) {
            Some((i, nl)) if i > kc || (i == kc && nl.starts_with('-')) => {
                return Err(unsupported(path, "the lines after the key belong to it"));
            }
            _ => {}
        }
        out.push(TextEdit {
            start: eol,
            end: eol,
            text: s,
        });
        Ok(out)
    }

    /// `key: text` in place of `key:` or `key: ~`.
    fn fill_null_inline(
        &self,
        key: &Node,
        tok_at: usize,
        tok: &str,
        text: &str,
    ) -> Result<Vec<TextEdit>, EditError> {
        Ok(vec![TextEdit {
            start: key.span.end,
            end: tok_at + tok.len(),
            text: format!(": {text}"),
        }])
    }

    /// Replaces the existing value at `path` (see [`Editor::set`]).
    fn replace(
        &self,
        path: &[&str],
        at: At<'_>,
        value: &NewValue,
    ) -> Result<Vec<TextEdit>, EditError> {
        let t = self.text;
        let l = &self.layout;
        let key = at.key.expect("a path with a key");
        let v = at.node;
        let parent_flow = at.parent.is_some_and(|p| is_flow(t, p));
        match (&v.value, value) {
            (Value::Null, NewValue::Map(_) | NewValue::Seq(_)) => self.fill_null(path, at, value),
            (Value::Null, NewValue::Str(_) | NewValue::Raw(_)) if v.span.is_empty() => {
                self.fill_null(path, at, value)
            }
            (Value::Null | Value::Scalar(_), NewValue::Str(_) | NewValue::Raw(_)) => {
                let q = sibling_quote(t, v).unwrap_or(Quote::Plain);
                let text = match value {
                    NewValue::Str(s) => scalar(l, s, q, parent_flow),
                    NewValue::Raw(s) => s.clone(),
                    _ => unreachable!(),
                };
                let start = content_start(t, v);
                Ok(vec![TextEdit {
                    start,
                    end: v.span.end.max(start),
                    text,
                }])
            }
            (Value::Scalar(_), NewValue::Map(entries)) => {
                // `key: scalar` → `key:` and the mapping below.
                let (Some(orig), Some(between)) =
                    (t.get(v.span.range()), t.get(key.span.end..v.span.start))
                else {
                    return Err(unsupported(path, "the scalar could not be delimited"));
                };
                if orig.is_empty() || orig.contains(['\n', '\r']) || between.trim() != ":" {
                    return Err(unsupported(path, "the scalar is not alone after its key"));
                }
                if parent_flow {
                    return Ok(vec![TextEdit {
                        start: v.span.start,
                        end: v.span.end,
                        text: flow(l, value, Quote::Plain),
                    }]);
                }
                self.no_tab(path, key.span.start)?;
                let c = col(t, key.span.start) + l.indent;
                let le = l.line_ending;
                let mut out = Vec::new();
                let rest = match entries.first() {
                    Some((_, NewValue::Str(_) | NewValue::Raw(_))) => {
                        let mut first = String::new();
                        block_entries(l, &mut first, c, &entries[..1], Quote::Plain);
                        let first = first.trim_end_matches(['\n', '\r']);
                        out.push(TextEdit {
                            start: key.span.end,
                            end: v.span.end,
                            text: format!(":{le}{first}"),
                        });
                        &entries[1..]
                    }
                    _ => {
                        out.push(TextEdit {
                            start: key.span.end,
                            end: v.span.end,
                            text: ":".into(),
                        });
                        &entries[..]
                    }
                };
                let mut s = String::new();
                block_entries(l, &mut s, c, rest, Quote::Plain);
                out.push(TextEdit {
                    start: line_end(t, v.span.end),
                    end: line_end(t, v.span.end),
                    text: s,
                });
                Ok(out)
            }
            (Value::Scalar(_), NewValue::Seq(_)) => Err(unsupported(
                path,
                "a scalar is replaced by a scalar or a mapping only",
            )),
            (Value::Map(_) | Value::Seq(_), _) => {
                let end = entry_end(t, key, v)
                    .ok_or_else(|| unsupported(path, "the value's end could not be found"))?;
                if parent_flow {
                    return Ok(vec![TextEdit {
                        start: content_start(t, v),
                        end,
                        text: flow(l, value, Quote::Plain),
                    }]);
                }
                let ls = line_start(t, key.span.start);
                if !t[ls..key.span.start].trim().is_empty() {
                    return Err(unsupported(path, "the key does not start its line"));
                }
                self.no_tab(path, key.span.start)?;
                let name = path[path.len() - 1];
                let mut s = String::new();
                block_entries(
                    l,
                    &mut s,
                    col(t, key.span.start),
                    &[(name.to_string(), value.clone())],
                    Quote::Plain,
                );
                Ok(vec![TextEdit {
                    start: ls,
                    end: line_end(t, end),
                    text: s,
                }])
            }
        }
    }

    /// The lines from the one holding `from` to the one holding `to`
    /// (`None`: not found), with the comments above when asked; a blank line
    /// left on both sides becomes one.
    fn remove_lines(
        &self,
        path: &[&str],
        from: usize,
        to: Option<usize>,
        comments: Comments,
    ) -> Result<TextEdit, EditError> {
        let t = self.text;
        let to = to.ok_or_else(|| unsupported(path, "the entry's end could not be found"))?;
        let mut start = line_start(t, from);
        if !t[start..from].trim().is_empty() {
            return Err(unsupported(path, "the entry does not start its line"));
        }
        if comments == Comments::Drop {
            start = comments_above(t, start);
        }
        let mut end = line_end(t, to);
        let before = &t[..start];
        if before.ends_with("\n\n") || before.ends_with("\n\r\n") {
            loop {
                if t[end..].starts_with('\n') {
                    end += 1;
                } else if t[end..].starts_with("\r\n") {
                    end += 2;
                } else {
                    break;
                }
            }
        }
        Ok(TextEdit {
            start,
            end,
            text: String::new(),
        })
    }

    /// `k: v` of a flow mapping as written.
    fn flow_entry_text(&self, k: &Node, v: &Node) -> Option<String> {
        let t = self.text;
        let ks = t.get(k.span.range())?;
        if v.is_null() && v.span.start <= k.span.end {
            return Some(ks.to_string());
        }
        let end = node_end(t, v)?;
        Some(format!("{ks}: {}", t.get(v.span.start..end)?))
    }

    /// The flow collection `n` written again from `parts`.
    fn rewrite_flow(
        &self,
        path: &[&str],
        n: &Node,
        parts: Vec<String>,
        open: char,
        close: char,
    ) -> Result<TextEdit, EditError> {
        let t = self.text;
        let start = content_start(t, n);
        let end = closing(t, n)
            .map(|c| c + 1)
            .or_else(|| {
                // A span that already takes in the closing bracket.
                t.get(..n.span.end)
                    .filter(|s| s.ends_with(close))
                    .map(|_| n.span.end)
            })
            .ok_or_else(|| unsupported(path, "the flow collection's end could not be found"))?;
        if !t[start..].starts_with(open) {
            return Err(unsupported(
                path,
                "the flow collection's start could not be found",
            ));
        }
        Ok(TextEdit {
            start,
            end,
            text: format!("{open}{}{close}", parts.join(", ")),
        })
    }
}

/// Deletions sorted and joined where they overlap.
fn coalesce(mut edits: Vec<TextEdit>) -> Vec<TextEdit> {
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out: Vec<TextEdit> = Vec::new();
    for e in edits {
        match out.last_mut() {
            Some(p) if e.start <= p.end => p.end = p.end.max(e.end),
            _ => out.push(e),
        }
    }
    out
}

/// `text` with `edits` (sorted, not overlapping) applied.
fn apply(text: &str, edits: &[TextEdit]) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for e in edits {
        if e.start < pos
            || e.end > text.len()
            || e.end < e.start
            || !text.is_char_boundary(e.start)
            || !text.is_char_boundary(e.end)
        {
            return None;
        }
        out.push_str(&text[pos..e.start]);
        out.push_str(&e.text);
        pos = e.end;
    }
    out.push_str(&text[pos..]);
    Some(out)
}
