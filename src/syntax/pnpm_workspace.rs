//! `pnpm-workspace.yaml`: `packages` globs and `catalog`/`catalogs`.

use super::span::Spanned;
use super::yaml::{self, Node};
use super::ParseError;

/// `name: version-range` of a catalog.
pub(crate) type CatalogEntry = (Spanned<String>, Spanned<String>);

#[derive(Clone, Debug, Default)]
pub struct Workspace {
    pub packages: Vec<Spanned<String>>,
    /// The default catalog (`catalog:`, or `catalogs.default`).
    pub catalog: Vec<CatalogEntry>,
    /// Named catalogs.
    pub catalogs: Vec<(Spanned<String>, Vec<CatalogEntry>)>,
}

impl Workspace {
    pub fn parse(text: &str) -> Result<Workspace, ParseError> {
        let root = yaml::parse(text)?;
        let mut w = Workspace::default();
        if root.is_null() {
            return Ok(w);
        }
        if root.as_map().is_none() {
            return Err(ParseError::new(
                format!(
                    "expected a mapping at the top of pnpm-workspace.yaml, found {}",
                    root.kind_name()
                ),
                root.span,
            ));
        }
        if let Some(p) = root.get("packages").filter(|p| !p.is_null()) {
            let items = p.as_seq().ok_or_else(|| {
                ParseError::new(
                    format!("expected a list for `packages`, found {}", p.kind_name()),
                    p.span,
                )
            })?;
            for i in items {
                w.packages.push(string(i)?);
            }
        }
        if let Some(c) = root.get("catalog").filter(|c| !c.is_null()) {
            w.catalog = catalog(c)?;
        }
        if let Some(cs) = root.get("catalogs").filter(|c| !c.is_null()) {
            let m = cs.as_map().ok_or_else(|| {
                ParseError::new(
                    format!(
                        "expected a mapping for `catalogs`, found {}",
                        cs.kind_name()
                    ),
                    cs.span,
                )
            })?;
            for (k, v) in m {
                let name = string(k)?;
                let entries = if v.is_null() { Vec::new() } else { catalog(v)? };
                if name.value == "default" && w.catalog.is_empty() {
                    w.catalog = entries.clone();
                }
                w.catalogs.push((name, entries));
            }
        }
        Ok(w)
    }

    /// The range a `catalog:` or `catalog:NAME` specifier stands for.
    pub(crate) fn catalog_range(&self, catalog: &str, package: &str) -> Option<&Spanned<String>> {
        let entries = if catalog.is_empty() || catalog == "default" {
            &self.catalog
        } else {
            &self.catalogs.iter().find(|(n, _)| n.value == catalog)?.1
        };
        entries
            .iter()
            .find(|(n, _)| n.value == package)
            .map(|(_, v)| v)
    }
}

fn string(n: &Node) -> Result<Spanned<String>, ParseError> {
    n.as_str()
        .map(|s| Spanned::new(s.to_string(), n.span))
        .ok_or_else(|| {
            ParseError::new(
                format!("expected a string, found {}", n.kind_name()),
                n.span,
            )
        })
}

fn catalog(n: &Node) -> Result<Vec<CatalogEntry>, ParseError> {
    n.as_map()
        .ok_or_else(|| {
            ParseError::new(
                format!("expected a mapping for a catalog, found {}", n.kind_name()),
                n.span,
            )
        })?
        .iter()
        .map(|(k, v)| Ok((string(k)?, string(v)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_packages_and_catalogs() {
        let t = "packages:\n  - backend\n  - \"../learning_ai_common_plat/packages/*\"\ncatalog:\n  zod: ^3.23.8\ncatalogs:\n  react18:\n    react: ^18.3.1\n";
        let w = Workspace::parse(t).unwrap();
        assert_eq!(w.packages.len(), 2);
        assert_eq!(
            &t[w.packages[1].span.range()],
            "\"../learning_ai_common_plat/packages/*\""
        );
        assert_eq!(w.catalog_range("", "zod").unwrap().value, "^3.23.8");
        assert_eq!(
            w.catalog_range("react18", "react").unwrap().value,
            "^18.3.1"
        );
        assert!(Workspace::parse("packages: backend\n").is_err());
    }
}
