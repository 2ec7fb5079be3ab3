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
//! parser rejects such documents ([`Editor::new`] fails with
//! [`EditError::Parse`]); as a second guard, an edit whose column would be
//! measured on a line indented with a tab is refused. Tabs elsewhere are
//! kept as written.
//!
//! Pure: text in, edits and text out; no file I/O, no printing.
//!
//! Why hand-written: no crate in `Cargo.lock` edits YAML. On crates.io,
//! `yaml-edit` is a lossless rowan tree edited through its own node API, and
//! `yamlpatch` applies replace/add/remove operations located with
//! tree-sitter (`yamlpath`); both render additions their own way, and
//! neither has the semantics the callers rely on (new text in the indent,
//! list style and quote the document shows, aliases and merge keys refused,
//! the comment lines above a removed item removed with it). Each would also
//! bring a second YAML parser that may disagree with the saphyr reader the
//! results are validated with. This module is small and built on that
//! reader.

mod layout;
mod ops;
mod render;
#[cfg(test)]
mod tests;

pub use layout::Layout;

use layout::{
    blank_separated, content_start, dash_pos, entry_end, has_tag, is_alias, is_flow, node_end,
};

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

/// A replacement of `start..end` of the original text (the crate's one
/// edit type).
pub type TextEdit = crate::syntax::edit::Edit;

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
    /// [`Editor::deferred`]: operations checked together at the end.
    deferred: bool,
    pending: Vec<Pending>,
}

/// An operation whose check waits for [`Editor::finish`].
struct Pending {
    path: Vec<String>,
    edits: Vec<TextEdit>,
    check: Box<Check>,
}

/// Whether an operation's result holds in the new tree, at its path.
type Check = dyn Fn(&Node, &[&str]) -> bool;

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
            deferred: false,
            pending: Vec::new(),
        })
    }

    /// Checks the operations together when [`Editor::finish`] is called
    /// (one re-parse instead of one per operation): for callers that ignore
    /// a single operation's failure anyway. When the whole does not parse or
    /// an operation's result does not hold, the operations are checked one
    /// by one, in order, and those that fail are dropped, exactly as in the
    /// default mode.
    pub fn deferred(mut self) -> Self {
        self.deferred = true;
        self
    }

    /// Runs the deferred checks (see [`Editor::deferred`]).
    fn settle(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() {
            return;
        }
        let all: Vec<TextEdit> = pending.iter().flat_map(|p| p.edits.clone()).collect();
        self.edits.extend(all);
        let whole = apply(self.text, &self.merged()).and_then(|t| yaml::parse(&t).ok());
        if let Some(root) = whole {
            if pending.iter().all(|p| {
                let path: Vec<&str> = p.path.iter().map(String::as_str).collect();
                (p.check)(&root, &path)
            }) {
                return;
            }
        }
        self.edits.clear();
        for p in pending {
            let path: Vec<&str> = p.path.iter().map(String::as_str).collect();
            let _ = self.verify(&path, p.edits, &p.check);
        }
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

    #[cfg(test)]
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
        self.commit(path, edits, move |root, path| {
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
        self.commit(path, edits, move |root, path| {
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
        self.commit(path, edits, move |root, path| {
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
        self.commit(path, edits, |root, path| {
            let (last, parent_path) = path.split_last().expect("has a key");
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
        self.commit(path, edits, move |root, path| {
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
        self.commit(path, edits, move |root, path| {
            seq_len(lookup(root, path)) == Some(n)
        })
    }

    /// The edits so far and the text they give. Every operation was checked
    /// when it was made; the whole is checked once more.
    pub fn finish(mut self) -> Result<Edited, EditError> {
        self.settle();
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

    /// Keeps `edits` when the edits so far plus them parse and `check` holds
    /// (given the new tree and the path). In [`Editor::deferred`] mode the
    /// check waits for [`Editor::finish`].
    fn commit(
        &mut self,
        path: &[&str],
        edits: Vec<TextEdit>,
        check: impl Fn(&Node, &[&str]) -> bool + 'static,
    ) -> Result<(), EditError> {
        if self.deferred {
            self.pending.push(Pending {
                path: path.iter().map(|s| s.to_string()).collect(),
                edits,
                check: Box::new(check),
            });
            return Ok(());
        }
        self.verify(path, edits, &check)
    }

    /// Adds `edits` when the edits so far plus them parse and `check` holds.
    fn verify(
        &mut self,
        path: &[&str],
        edits: Vec<TextEdit>,
        check: &Check,
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
                Ok(root) if !check(&root, path) => Err(EditError::NotHeld(show(path))),
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

/// `text` with `edits` (not overlapping) applied.
fn apply(text: &str, edits: &[TextEdit]) -> Option<String> {
    crate::syntax::edit::apply_edits(text, edits)
}
