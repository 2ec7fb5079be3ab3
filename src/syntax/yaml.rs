//! A small owned YAML tree with byte spans, read with `saphyr`'s marked loader.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use super::span::{CharIndex, Span};
use super::ParseError;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    /// Any scalar, as text (`3300`, `true`, `host.docker.internal`).
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }
    pub(crate) fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    pub(crate) fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }
    /// The entry `key: value` of a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }
    /// A short name of the node's kind for error messages.
    pub(crate) fn kind_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Scalar(_) => "a scalar",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// Parses the first document of `text`. An empty file is `Null`.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    let ci = CharIndex::new(text);
    let docs = MarkedYaml::load_from_str(text).map_err(|e| {
        let m = e.marker();
        let at = ci.byte(m.index());
        ParseError::new(
            format!("invalid YAML: {}", e.info()),
            Span::new(at, (at + 1).min(text.len()).max(at)),
        )
    })?;
    Ok(match docs.first() {
        Some(d) => convert(d, &ci, text, 0),
        None => Node {
            value: Value::Null,
            span: Span::default(),
        },
    })
}

fn convert(n: &MarkedYaml<'_>, ci: &CharIndex, text: &str, depth: usize) -> Node {
    let mut span = Span::new(ci.byte(n.span.start.index()), ci.byte(n.span.end.index()));
    if depth > 256 {
        return Node {
            value: Value::Null,
            span,
        };
    }
    let value = match &n.data {
        YamlData::Value(s) => scalar(s),
        YamlData::Representation(s, _, _) => Value::Scalar(s.to_string()),
        YamlData::Sequence(items) => Value::Seq(
            items
                .iter()
                .map(|i| convert(i, ci, text, depth + 1))
                .collect(),
        ),
        YamlData::Mapping(m) => Value::Map(
            m.iter()
                .map(|(k, v)| {
                    (
                        convert(k, ci, text, depth + 1),
                        convert(v, ci, text, depth + 1),
                    )
                })
                .collect(),
        ),
        YamlData::Tagged(_, inner) => return convert(inner, ci, text, depth + 1),
        YamlData::Alias(_) | YamlData::BadValue => Value::Null,
    };
    // Trim a span that runs into trailing whitespace or the next line.
    if let Value::Scalar(_) = value {
        let s = &text[span.start.min(text.len())..span.end.min(text.len())];
        span.end = span.start + s.trim_end().len();
    }
    Node { value, span }
}

fn scalar(s: &Scalar<'_>) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Scalar(b.to_string()),
        Scalar::Integer(i) => Value::Scalar(i.to_string()),
        Scalar::FloatingPoint(f) => Value::Scalar(f.to_string()),
        Scalar::String(s) => Value::Scalar(s.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_bytes() {
        let t = "# é\nservices:\n  web:\n    build: .\n    ports: [\"80:80\"]\n";
        let n = parse(t).unwrap();
        let web = n.get("services").unwrap().get("web").unwrap();
        let (k, v) = web.entry("build").unwrap();
        assert_eq!(&t[k.span.range()], "build");
        assert_eq!(&t[v.span.range()], ".");
        assert_eq!(web.get("ports").unwrap().as_seq().unwrap().len(), 1);
    }

    #[test]
    fn errors_and_odd_input() {
        assert!(parse("a: [1,\n").is_err());
        assert!(parse("").unwrap().is_null());
        assert!(parse("- a\n- b\n").unwrap().as_seq().is_some());
    }
}
