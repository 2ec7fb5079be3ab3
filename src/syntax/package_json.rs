//! `package.json`: dependencies of every kind, `packageManager`,
//! `pnpm.overrides`, `files`, `publishConfig`, with locations.

use jsonc_parser::ast::{ObjectProp, Value};
use jsonc_parser::{CollectOptions, ParseOptions};

use super::limits;
use super::span::{Span, Spanned};
use super::ParseError;

/// Which dependency table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DepKind {
    Dependencies,
    DevDependencies,
    PeerDependencies,
    OptionalDependencies,
}

impl DepKind {
    pub(crate) const ALL: [DepKind; 4] = [
        DepKind::Dependencies,
        DepKind::DevDependencies,
        DepKind::PeerDependencies,
        DepKind::OptionalDependencies,
    ];
    pub fn key(self) -> &'static str {
        match self {
            DepKind::Dependencies => "dependencies",
            DepKind::DevDependencies => "devDependencies",
            DepKind::PeerDependencies => "peerDependencies",
            DepKind::OptionalDependencies => "optionalDependencies",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Dependency {
    pub kind: DepKind,
    pub name: Spanned<String>,
    pub spec: Spanned<String>,
}

impl Dependency {
    /// The scope without `@` (`bytelyst` for `@bytelyst/config`).
    pub fn scope(&self) -> Option<&str> {
        scope_of(&self.name.value)
    }
}

/// The scope of a package name, without `@`.
pub fn scope_of(name: &str) -> Option<&str> {
    name.strip_prefix('@')?.split_once('/').map(|(s, _)| s)
}

#[derive(Clone, Debug, Default)]
pub struct PackageJson {
    pub name: Option<Spanned<String>>,
    pub version: Option<Spanned<String>>,
    pub private: bool,
    pub package_manager: Option<Spanned<String>>,
    pub dependencies: Vec<Dependency>,
    /// `pnpm.overrides` (and top-level `overrides`).
    pub overrides: Vec<(Spanned<String>, Spanned<String>)>,
    pub files: Option<Vec<Spanned<String>>>,
    pub main: Option<Spanned<String>>,
    /// `bin` entries as (command name, path).
    pub bin: Vec<(String, Spanned<String>)>,
    pub publish_config: Vec<(Spanned<String>, Spanned<String>)>,
    /// Span of the root object.
    pub span: Span,
}

/// A manifest's text without its leading byte-order mark, which npm and pnpm
/// strip before parsing: the one place every manifest parser takes it off.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

impl PackageJson {
    pub fn parse(text: &str) -> Result<PackageJson, ParseError> {
        limits::check_size(text, limits::MAX_TEXT_BYTES, "package.json")?;
        // jsonc-parser recurses once per level, without a limit of its own.
        if let Some(at) = limits::json_too_deep(text, limits::MAX_NESTING) {
            return Err(limits::too_deep(
                text,
                at,
                limits::MAX_NESTING,
                "package.json",
            ));
        }
        let text_nobom = strip_bom(text);
        let bom = text.len() - text_nobom.len();
        let opts = ParseOptions {
            allow_comments: false,
            allow_loose_object_property_names: false,
            allow_trailing_commas: false,
        };
        let res = jsonc_parser::parse_to_ast(text_nobom, &CollectOptions::default(), &opts)
            .map_err(|e| {
                let r = e.range();
                ParseError::new(
                    format!("invalid JSON: {}", e.kind()),
                    Span::new(r.start + bom, r.end.max(r.start + 1) + bom).clamp_to(text.len()),
                )
            })?;
        let Some(root) = res.value else {
            return Err(ParseError::new(
                "empty package.json",
                Span::new(0, text.len().min(1)),
            ));
        };
        let Value::Object(obj) = root else {
            return Err(ParseError::new(
                "expected a JSON object at the top of package.json",
                span(root_range(&root), bom),
            ));
        };
        let mut p = PackageJson {
            span: span(obj.range, bom),
            ..Default::default()
        };
        for prop in &obj.properties {
            let key = prop.name.as_str();
            match key {
                "name" => p.name = string(prop, bom),
                "version" => p.version = string(prop, bom),
                "packageManager" => p.package_manager = string(prop, bom),
                "main" => p.main = string(prop, bom),
                "private" => p.private = matches!(&prop.value, Value::BooleanLit(b) if b.value),
                "files" => {
                    if let Value::Array(a) = &prop.value {
                        p.files = Some(
                            a.elements
                                .iter()
                                .filter_map(|e| str_value(e, bom))
                                .collect(),
                        );
                    }
                }
                "bin" => match &prop.value {
                    Value::StringLit(s) => {
                        let cmd = p.name.as_ref().map_or(String::new(), |n| {
                            n.value.rsplit('/').next().unwrap_or("").to_string()
                        });
                        p.bin
                            .push((cmd, Spanned::new(s.value.to_string(), span(s.range, bom))));
                    }
                    Value::Object(o) => p.bin.extend(
                        pairs(&o.properties, bom)
                            .into_iter()
                            .map(|(k, v)| (k.value, v)),
                    ),
                    _ => {}
                },
                "publishConfig" => {
                    if let Value::Object(o) = &prop.value {
                        p.publish_config = pairs(&o.properties, bom);
                    }
                }
                "overrides" => {
                    if let Value::Object(o) = &prop.value {
                        p.overrides.extend(pairs(&o.properties, bom));
                    }
                }
                "pnpm" => {
                    if let Value::Object(o) = &prop.value {
                        if let Some(Value::Object(ov)) = o
                            .properties
                            .iter()
                            .find(|q| q.name.as_str() == "overrides")
                            .map(|q| &q.value)
                        {
                            p.overrides.extend(pairs(&ov.properties, bom));
                        }
                    }
                }
                _ => {
                    if let Some(kind) = DepKind::ALL.into_iter().find(|k| k.key() == key) {
                        if let Value::Object(o) = &prop.value {
                            p.dependencies.extend(
                                pairs(&o.properties, bom)
                                    .into_iter()
                                    .map(|(name, spec)| Dependency { kind, name, spec }),
                            );
                        }
                    }
                }
            }
        }
        Ok(p)
    }

    pub fn dependency(&self, name: &str) -> Option<&Dependency> {
        self.dependencies.iter().find(|d| d.name.value == name)
    }
}

trait Clamp {
    fn clamp_to(self, len: usize) -> Self;
}
impl Clamp for Span {
    fn clamp_to(self, len: usize) -> Span {
        Span::new(self.start.min(len), self.end.min(len))
    }
}

fn span(r: jsonc_parser::common::Range, bom: usize) -> Span {
    Span::new(r.start + bom, r.end + bom)
}

fn root_range(v: &Value<'_>) -> jsonc_parser::common::Range {
    use jsonc_parser::common::Ranged;
    v.range()
}

fn string(prop: &ObjectProp<'_>, bom: usize) -> Option<Spanned<String>> {
    str_value(&prop.value, bom)
}

fn str_value(v: &Value<'_>, bom: usize) -> Option<Spanned<String>> {
    match v {
        Value::StringLit(s) => Some(Spanned::new(s.value.to_string(), span(s.range, bom))),
        _ => None,
    }
}

/// String-valued properties of an object, with the key's span.
fn pairs(props: &[ObjectProp<'_>], bom: usize) -> Vec<(Spanned<String>, Spanned<String>)> {
    props
        .iter()
        .filter_map(|q| {
            let v = str_value(&q.value, bom)?;
            let kr = match &q.name {
                jsonc_parser::ast::ObjectPropName::String(s) => s.range,
                jsonc_parser::ast::ObjectPropName::Word(w) => w.range,
            };
            Some((Spanned::new(q.name.as_str().to_string(), span(kr, bom)), v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_with_spans() {
        let t = r#"{
  "name": "@peak/backend",
  "packageManager": "pnpm@10.6.5",
  "dependencies": {"@bytelyst/config": "workspace:*", "express": "^4.21.0"},
  "devDependencies": {"typescript": "5.6.3"},
  "files": ["dist", "!dist/**/*.map"],
  "bin": "cli.js",
  "pnpm": {"overrides": {"@bytelyst/errors": "file:../.docker-deps/e.tgz"}},
  "publishConfig": {"access": "public"}
}"#;
        let p = PackageJson::parse(t).unwrap();
        assert_eq!(p.package_manager.as_ref().unwrap().value, "pnpm@10.6.5");
        assert_eq!(p.dependencies.len(), 3);
        let d = p.dependency("@bytelyst/config").unwrap();
        assert_eq!(d.scope(), Some("bytelyst"));
        assert_eq!(&t[d.name.span.range()], "\"@bytelyst/config\"");
        assert_eq!(p.files.as_ref().unwrap().len(), 2);
        assert_eq!(p.bin[0].0, "backend");
        assert_eq!(p.overrides.len(), 1);
        assert_eq!(p.publish_config[0].1.value, "public");
    }

    #[test]
    fn errors_and_odd_input() {
        assert!(PackageJson::parse("").is_err());
        assert!(PackageJson::parse("[1]").is_err());
        let e = PackageJson::parse("{\n  \"a\": 1,\n}").unwrap_err();
        assert!(e.span.start > 0);
        assert!(PackageJson::parse("\u{feff}{\"name\": \"x\"}").is_ok());
    }
}
