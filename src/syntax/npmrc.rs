//! `.npmrc` reader: `key=value` lines, `;`/`#` comments, scoped registries,
//! per-registry auth keys, and `${VAR}` references kept as written.

use super::shell;
use super::span::{Span, Spanned};

/// What a line of an `.npmrc` sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// `registry=URL`
    Registry,
    /// `@scope:registry=URL` (scope without the `@`).
    ScopeRegistry { scope: String },
    /// `//host[:port]/path/:key=value`, e.g. `_authToken`.
    Auth { prefix: String, key: String },
    /// Anything else.
    Other,
}

/// One `key=value` line.
#[derive(Clone, Debug)]
pub struct Entry {
    pub kind: EntryKind,
    pub key: Spanned<String>,
    pub value: Spanned<String>,
    /// `${VAR}` references in the key and value.
    pub refs: Vec<shell::VarRef>,
    pub line: usize,
}

/// The parts of a registry URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryUrl {
    pub scheme: String,
    /// Host as written, `${VAR}` kept; IPv6 in brackets.
    pub host: Spanned<String>,
    pub port: Option<u16>,
    pub path: String,
}

#[derive(Clone, Debug, Default)]
pub struct Npmrc {
    pub entries: Vec<Entry>,
    pub comments: Vec<Spanned<String>>,
}

impl Npmrc {
    /// Never fails: lines that are not `key=value` are kept as keys with an empty value, as npm does.
    pub fn parse(text: &str) -> Npmrc {
        let mut rc = Npmrc::default();
        let mut off = 0;
        for (n, raw) in text.split_inclusive('\n').enumerate() {
            let line_start = off;
            off += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            let trimmed = line.trim_start();
            let lead = line.len() - trimmed.len();
            if trimmed.is_empty() {
                continue;
            }
            if trimmed.starts_with(';') || trimmed.starts_with('#') {
                rc.comments.push(Spanned::new(
                    trimmed.to_string(),
                    Span::new(line_start + lead, line_start + line.len()),
                ));
                continue;
            }
            let (k, v, vstart) = match trimmed.find('=') {
                Some(eq) => (&trimmed[..eq], &trimmed[eq + 1..], lead + eq + 1),
                None => (trimmed, "", line.len()),
            };
            let key = k.trim();
            let kstart = line_start + lead;
            let vtrim = v.trim();
            let vs = line_start + vstart + (v.len() - v.trim_start().len());
            let value = unquote(vtrim);
            let kind = classify(key);
            let mut refs: Vec<shell::VarRef> = Vec::new();
            for (t, base) in [(key, kstart), (vtrim, vs)] {
                refs.extend(npmrc_refs(t).into_iter().map(|mut r| {
                    r.span = r.span.offset(base);
                    r
                }));
            }
            rc.entries.push(Entry {
                kind,
                key: Spanned::new(key.to_string(), Span::new(kstart, kstart + key.len())),
                value: Spanned::new(value.to_string(), Span::new(vs, vs + vtrim.len())),
                refs,
                line: n + 1,
            });
        }
        rc
    }

    /// Scoped registries: (scope without `@`, entry).
    pub(crate) fn scope_registries(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries.iter().filter_map(|e| match &e.kind {
            EntryKind::ScopeRegistry { scope } => Some((scope.as_str(), e)),
            _ => None,
        })
    }

    /// Entries whose value is a registry URL that packages are fetched from.
    pub(crate) fn registry_entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| {
            matches!(
                e.kind,
                EntryKind::Registry | EntryKind::ScopeRegistry { .. }
            )
        })
    }

    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key.value == key)
    }

    /// Names of all `${VAR}` references.
    pub(crate) fn referenced_vars(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .flat_map(|e| e.refs.iter().map(|r| r.name.as_str()))
    }
}

fn unquote(v: &str) -> &str {
    if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// npm expands only `${VAR}` (and `${VAR?}`) in .npmrc, not bare `$VAR`.
fn npmrc_refs(t: &str) -> Vec<shell::VarRef> {
    shell::var_refs(t, '\0')
        .into_iter()
        .filter(|r| t[r.span.range()].starts_with("${"))
        .collect()
}

fn classify(key: &str) -> EntryKind {
    if key == "registry" {
        return EntryKind::Registry;
    }
    if let Some(rest) = key.strip_prefix('@') {
        if let Some(scope) = rest.strip_suffix(":registry") {
            return EntryKind::ScopeRegistry {
                scope: scope.to_string(),
            };
        }
    }
    if key.starts_with("//") {
        if let Some(i) = key.rfind(':') {
            let (prefix, k) = key.split_at(i);
            if !k[1..].is_empty() && !k[1..].chars().all(|c| c.is_ascii_digit()) {
                return EntryKind::Auth {
                    prefix: prefix.to_string(),
                    key: k[1..].to_string(),
                };
            }
        }
    }
    EntryKind::Other
}

/// Splits `http://${HOST}:3300/api/...` into scheme, host (with span inside
/// `url`'s own span), port and path. `None` when it is not `scheme://host...`.
pub fn parse_url(url: &Spanned<String>) -> Option<RegistryUrl> {
    let u = url.value.as_str();
    let sch = u.find("://")?;
    let scheme = u[..sch].to_ascii_lowercase();
    let rest_start = sch + 3;
    let rest = &u[rest_start..];
    let auth_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..auth_end];
    // drop userinfo
    let (hp_off, hostport) = match authority.rfind('@') {
        Some(i) => (i + 1, &authority[i + 1..]),
        None => (0, authority),
    };
    let (host, port) = if hostport.starts_with('[') {
        let close = hostport.find(']')?;
        let port = hostport[close + 1..]
            .strip_prefix(':')
            .and_then(|p| p.parse().ok());
        (&hostport[..=close], port)
    } else if let Some(i) = hostport
        .rfind(':')
        .filter(|i| !hostport[*i..].contains('}'))
    {
        (&hostport[..i], hostport[i + 1..].parse().ok())
    } else {
        (hostport, None)
    };
    let host_start = rest_start + hp_off;
    // The span is exact only when the value was not quoted; shift past a quote if any.
    let shift = url.span.len().saturating_sub(u.len()) / 2;
    let hs = url.span.start + shift + host_start;
    Some(RegistryUrl {
        scheme,
        host: Spanned::new(host.to_string(), Span::new(hs, hs + host.len())),
        port,
        path: rest[auth_end..].to_string(),
    })
}

/// True for hosts that mean "this machine": inside a container, the container itself.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h == "localhost"
        || h.ends_with(".localhost")
        || h == "[::1]"
        || h == "::1"
        || h == "0.0.0.0"
        || h.starts_with("127.")
}

#[cfg(test)]
mod tests {
    use super::*;

    const RC: &str = "; comment\n# another\n@bytelyst:registry=http://${GITEA_NPM_HOST}:3300/api/packages/u/npm/\n//${GITEA_NPM_HOST}:3300/api/packages/u/npm/:_authToken=${GITEA_NPM_TOKEN}\nstrict-ssl = false\nregistry=\"http://localhost:4873/\"\n";

    #[test]
    fn reads_entries_and_refs() {
        let rc = Npmrc::parse(RC);
        assert_eq!(rc.comments.len(), 2);
        assert_eq!(rc.entries.len(), 4);
        let (scope, e) = rc.scope_registries().next().unwrap();
        assert_eq!(scope, "bytelyst");
        assert_eq!(e.line, 3);
        let url = parse_url(&e.value).unwrap();
        assert_eq!(url.host.value, "${GITEA_NPM_HOST}");
        assert_eq!(&RC[url.host.span.range()], "${GITEA_NPM_HOST}");
        assert_eq!(url.port, Some(3300));
        assert!(matches!(&rc.entries[1].kind, EntryKind::Auth { key, .. } if key == "_authToken"));
        let vars: Vec<_> = rc.referenced_vars().collect();
        assert_eq!(
            vars,
            vec!["GITEA_NPM_HOST", "GITEA_NPM_HOST", "GITEA_NPM_TOKEN"]
        );
        assert_eq!(rc.get("strict-ssl").unwrap().value.value, "false");
        let reg = rc.get("registry").unwrap();
        let u = parse_url(&reg.value).unwrap();
        assert_eq!(&RC[u.host.span.range()], "localhost");
        assert!(is_loopback_host(&u.host.value));
    }
}
