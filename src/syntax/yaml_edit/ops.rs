//! The text surgery behind [`Editor`]'s operations: each returns the edits
//! for one change against the original text, or why it cannot be made.

use super::layout::{
    closing, col, comments_above, content_start, dash_pos, entry_end, is_flow, line_end,
    line_start, next_line, node_end, only_trivia, tab_indented,
};
use super::render::{block_entries, block_items, flow, scalar, sibling_quote, Quote};
use super::{show, unsupported, At, Comments, EditError, Editor, NewValue, Place, TextEdit};
use crate::syntax::yaml::{Node, Value};

impl Editor<'_> {
    pub(super) fn no_tab(&self, path: &[&str], at: usize) -> Result<(), EditError> {
        if tab_indented(self.text, at) {
            Err(unsupported(path, "the line is indented with a tab"))
        } else {
            Ok(())
        }
    }

    /// Entries for the document itself when it holds nothing (only
    /// comments or blank lines).
    pub(super) fn fill_document(
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
    pub(super) fn add_to_map(
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
    pub(super) fn add_to_seq(
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
    pub(super) fn fill_null(
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
    pub(super) fn fill_null_inline(
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
    pub(super) fn replace(
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
                let end = match v.value {
                    Value::Scalar(_) => node_end(t, v).unwrap_or(v.span.end),
                    _ => v.span.end,
                };
                Ok(vec![TextEdit {
                    start,
                    end: end.max(start),
                    text,
                }])
            }
            (Value::Scalar(_), NewValue::Map(entries)) => {
                // `key: scalar` → `key:` and the mapping below.
                let v_end = node_end(t, v).unwrap_or(v.span.end);
                let (Some(orig), Some(between)) = (
                    t.get(v.span.start..v_end),
                    t.get(key.span.end..v.span.start),
                ) else {
                    return Err(unsupported(path, "the scalar could not be delimited"));
                };
                if orig.is_empty() || orig.contains(['\n', '\r']) || between.trim() != ":" {
                    return Err(unsupported(path, "the scalar is not alone after its key"));
                }
                if parent_flow {
                    return Ok(vec![TextEdit {
                        start: v.span.start,
                        end: v_end,
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
                            end: v_end,
                            text: format!(":{le}{first}"),
                        });
                        &entries[1..]
                    }
                    _ => {
                        out.push(TextEdit {
                            start: key.span.end,
                            end: v_end,
                            text: ":".into(),
                        });
                        &entries[..]
                    }
                };
                let mut s = String::new();
                block_entries(l, &mut s, c, rest, Quote::Plain);
                out.push(TextEdit {
                    start: line_end(t, v_end),
                    end: line_end(t, v_end),
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
    pub(super) fn remove_lines(
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
    pub(super) fn flow_entry_text(&self, k: &Node, v: &Node) -> Option<String> {
        let t = self.text;
        let ks = t.get(k.span.range())?;
        if v.is_null() && v.span.start <= k.span.end {
            return Some(ks.to_string());
        }
        let end = node_end(t, v)?;
        Some(format!("{ks}: {}", t.get(v.span.start..end)?))
    }

    /// The flow collection `n` written again from `parts`.
    pub(super) fn rewrite_flow(
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
