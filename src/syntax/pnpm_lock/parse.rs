//! Reading `pnpm-lock.yaml`: a line-based parser for the YAML subset pnpm
//! writes (block maps, block sequences of scalars and maps, one-line flow
//! collections, plain and quoted scalars, one or more documents).
//!
//! Hand-written rather than built on a YAML library because a lockfile read
//! and written unchanged must come out byte-identical: the parser records
//! every key's and scalar's exact source text and the blank lines between
//! entries, which a general YAML parser throws away. It refuses, with the
//! span of the offending text, the YAML pnpm never writes (block scalars,
//! anchors, aliases, tags, duplicate keys) and nesting deeper than
//! `MAX_DEPTH`, so no input can exhaust the stack.

use super::model::{Document, Entry, LockVersion, Lockfile, Map, Node, Scalar};
use super::quote::is_ambiguous;
use crate::syntax::{ParseError, Span};

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
}

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
