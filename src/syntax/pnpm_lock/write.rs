//! Writing a lockfile in pnpm's layout, as pnpm's writer (a fork of
//! js-yaml) lays it out: two-space indentation, a blank line before every
//! top-level key and before every entry of `importers`, `packages` and
//! `snapshots`, `{}` for an empty map, the flow style where pnpm uses it.
//! A key or scalar that was read is written with its source text, and a
//! read entry keeps the blank line it had or had not; anything new is quoted
//! by [`quote`].

use super::model::{Entry, Lockfile, Map, Node, Scalar};
use super::quote::quote;

impl Lockfile {
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
}

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
