//! New text for new values: scalars quoted only when YAML would read them
//! differently, block and flow collections in the document's layout.

use super::layout::Layout;
use super::NewValue;
use crate::syntax::yaml::{Node, Value};

/// How to quote a new scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Quote {
    /// Plain when YAML reads it back as the same string, else the layout's quote.
    Plain,
    /// Like `Plain`, but also quote anything with a `:` (list items such as `"a:b"`).
    Item,
    /// Always this quote character, as the siblings are.
    With(char),
}

/// The quote of an existing scalar, or `Plain` for an unquoted one; `None`
/// for a collection.
pub(super) fn sibling_quote(text: &str, v: &Node) -> Option<Quote> {
    match v.value {
        Value::Scalar(_) => Some(match text.as_bytes().get(v.span.start) {
            Some(b'"') => Quote::With('"'),
            Some(b'\'') => Quote::With('\''),
            _ => Quote::Plain,
        }),
        _ => None,
    }
}

/// Whether YAML reads `s` back, unquoted, as the same string.
pub(super) fn plain_ok(s: &str, in_flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.trim() != s
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || first.is_ascii_digit()
        || first == '+'
        || first == '.'
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars().any(|c| c.is_control())
        || (in_flow && s.contains([',', '[', ']', '{', '}']))
    {
        return false;
    }
    !matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
    )
}

/// `s` in quotes `c` (`'` or `"`), escaped for them.
pub(super) fn quoted(s: &str, c: char) -> String {
    if c == '\'' {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

pub(super) fn scalar(l: &Layout, s: &str, q: Quote, in_flow: bool) -> String {
    let c = match q {
        Quote::With(c) => c,
        Quote::Item if l.always_quote_items || s.contains(':') => l.quote,
        _ if plain_ok(s, in_flow) => return s.to_string(),
        _ => l.quote,
    };
    quoted(s, c)
}

/// `entries` as block mapping lines at column `c`, values quoted as `q`.
pub(super) fn block_entries(
    l: &Layout,
    out: &mut String,
    c: usize,
    entries: &[(String, NewValue)],
    q: Quote,
) {
    let le = l.line_ending;
    let pad = " ".repeat(c);
    for (k, v) in entries {
        let key = scalar(l, k, Quote::Plain, false);
        match v {
            NewValue::Str(s) => {
                out.push_str(&format!("{pad}{key}: {}{le}", scalar(l, s, q, false)))
            }
            NewValue::Raw(s) => out.push_str(&format!("{pad}{key}: {s}{le}")),
            NewValue::Map(m) if m.is_empty() => out.push_str(&format!("{pad}{key}: {{}}{le}")),
            NewValue::Map(m) => {
                out.push_str(&format!("{pad}{key}:{le}"));
                block_entries(l, out, c + l.indent, m, Quote::Plain);
            }
            NewValue::Seq(items) if l.flow_lists || items.is_empty() => {
                out.push_str(&format!("{pad}{key}: {}{le}", flow(l, v, Quote::Item)));
            }
            NewValue::Seq(items) => {
                out.push_str(&format!("{pad}{key}:{le}"));
                block_items(l, out, c + l.seq_indent, items, Quote::Item);
            }
        }
    }
}

/// `items` as block list lines with their `-` at column `c`.
pub(super) fn block_items(l: &Layout, out: &mut String, c: usize, items: &[String], q: Quote) {
    let pad = " ".repeat(c);
    for i in items {
        out.push_str(&format!(
            "{pad}- {}{}",
            scalar(l, i, q, false),
            l.line_ending
        ));
    }
}

/// `v` in flow style, a top-level scalar quoted as `q`.
pub(super) fn flow(l: &Layout, v: &NewValue, q: Quote) -> String {
    match v {
        NewValue::Str(s) => scalar(l, s, q, true),
        NewValue::Raw(s) => s.clone(),
        NewValue::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!(
                    "{}: {}",
                    scalar(l, k, Quote::Plain, true),
                    flow(l, v, Quote::Plain)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        NewValue::Seq(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| scalar(l, i, Quote::Item, true))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
