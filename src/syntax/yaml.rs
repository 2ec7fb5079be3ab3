//! A small owned YAML tree with byte spans, read with `saphyr`'s marked loader.

use saphyr::{MarkedYaml, Marker, Scalar, ScanError, YamlData, YamlLoader};
use saphyr_parser::{BufferedInput, Event, Parser, SpannedEventReceiver};

use super::limits;
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
///
/// The text is read event by event (saphyr's own `load` recurses once per
/// level, and so do its tree's `Drop`, `Clone` and `Hash`), and a document
/// nesting deeper than [`limits::MAX_NESTING`] collections, aliases
/// expanded, is refused at the event that crosses the limit.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    limits::check_size(text, limits::MAX_TEXT_BYTES, "the YAML file")?;
    let ci = CharIndex::new(text);
    let at = |m: Marker| ci.byte(m.index()).min(text.len());
    let scan_error = |e: &ScanError| {
        let b = at(*e.marker());
        ParseError::new(
            format!("invalid YAML: {}", e.info()),
            Span::new(b, (b + 1).min(text.len()).max(b)),
        )
    };
    let mut loader = YamlLoader::<MarkedYaml<'_>>::default();
    let mut nesting = Nesting::default();
    for event in Parser::new(BufferedInput::new(text.chars())) {
        let (event, span) = event.map_err(|e| scan_error(&e))?;
        if nesting.feed(&event) > limits::MAX_NESTING {
            return Err(limits::too_deep(
                text,
                at(span.start),
                limits::MAX_NESTING,
                "the YAML document",
            ));
        }
        loader.on_event(event, span);
        if let Some(e) = loader.error() {
            return Err(scan_error(e));
        }
    }
    let docs = loader.into_documents();
    Ok(match docs.first() {
        Some(d) => convert(d, &ci, text, 0),
        None => Node {
            value: Value::Null,
            span: Span::default(),
        },
    })
}

/// How deeply the events seen so far nest: open collections, plus the
/// height of what an alias expands to (the loader copies the anchored node
/// in its place).
#[derive(Default)]
struct Nesting {
    /// Per open collection: its anchor id and the greatest height of its
    /// children so far.
    open: Vec<(usize, usize)>,
    /// The height (collection levels) of each anchored node.
    anchored: std::collections::HashMap<usize, usize>,
}

impl Nesting {
    /// Takes one event; answers the nesting it reaches.
    fn feed(&mut self, event: &Event<'_>) -> usize {
        let done = match event {
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.open.push((*anchor, 0));
                return self.open.len();
            }
            Event::SequenceEnd | Event::MappingEnd => match self.open.pop() {
                Some((anchor, height)) => (anchor, height + 1),
                None => return 0,
            },
            Event::Scalar(_, _, anchor, _) => (*anchor, 0),
            Event::Alias(id) => (0, self.anchored.get(id).copied().unwrap_or(0)),
            _ => return self.open.len(),
        };
        let (anchor, height) = done;
        if anchor > 0 {
            self.anchored.insert(anchor, height);
        }
        if let Some(parent) = self.open.last_mut() {
            parent.1 = parent.1.max(height);
        }
        self.open.len() + height
    }
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
