//! Roadmap A0-1: an `.npmrc.docker` whose scoped registries name their host
//! through a variable (`${GITEA_NPM_HOST}`), so one file serves both the host
//! (`localhost`) and the build container (`host.docker.internal`), with a
//! matching `_authToken=${GITEA_NPM_TOKEN}` line (§7.1).
//!
//! Only hosts are rewritten; scheme, port, path, other settings, comments and
//! their order stay as written.

use crate::diagnostics::{apply_edits, line_ending, line_range, Edit};
use crate::syntax::npmrc::{parse_url, Entry, EntryKind, Npmrc};

/// Where the scopes' packages come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RegistryConfig {
    /// Scopes without the `@`, e.g. `["bytelyst"]`.
    pub scopes: Vec<String>,
    /// The variable that names the registry host, e.g. `GITEA_NPM_HOST`.
    pub host_arg: String,
    /// The variable that holds the token, e.g. `GITEA_NPM_TOKEN`.
    pub token_var: String,
    /// Port used when the file names no registry for a scope.
    pub port: u16,
    /// Path used when the file names no registry for a scope.
    pub path: String,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        RegistryConfig {
            scopes: vec!["bytelyst".into()],
            host_arg: "GITEA_NPM_HOST".into(),
            token_var: "GITEA_NPM_TOKEN".into(),
            port: 3300,
            path: "/api/packages/learning_ai_user/npm/".into(),
        }
    }
}

/// Edits that give `text` (parsed as `rc`) the templated registry and auth
/// lines for every scope of `cfg`. Empty when it already has them.
///
/// - A scope with a registry: its host becomes `${HOST}` (scheme, port, path
///   kept), and so does the host of the auth lines for that registry; when
///   there is none, an `_authToken=${TOKEN}` line is added after the registry.
/// - A registry whose host is already `${SOMETHING}` is left as is (only a
///   missing auth line is added for it).
/// - A scope without a registry: both lines, with `cfg.port` and `cfg.path`,
///   at the top of the file after its leading comments.
pub(crate) fn template_npmrc(text: &str, rc: &Npmrc, cfg: &RegistryConfig) -> Vec<Edit> {
    let le = line_ending(text);
    let host_ref = format!("${{{}}}", cfg.host_arg);
    let token_ref = format!("${{{}}}", cfg.token_var);
    let mut edits: Vec<Edit> = Vec::new();
    let mut top = String::new();
    // Auth prefixes added here, so two scopes never add the same line.
    let mut added: Vec<String> = Vec::new();
    let mut scopes: Vec<&str> = Vec::new();
    for s in &cfg.scopes {
        let s = s.trim_start_matches('@');
        if !s.is_empty() && !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    for scope in scopes {
        let regs: Vec<&Entry> = rc
            .scope_registries()
            .filter(|(s, _)| *s == scope)
            .map(|(_, e)| e)
            .collect();
        if regs.is_empty() {
            let path = slashed(&cfg.path);
            let prefix = format!("//{host_ref}:{}{path}", cfg.port);
            let reg = format!("@{scope}:registry=http://{host_ref}:{}{path}", cfg.port);
            let auth = format!("{prefix}:_authToken={token_ref}");
            if !reads_as_registry(&reg, scope, &host_ref) {
                continue;
            }
            top.push_str(&reg);
            top.push_str(le);
            if !has_auth(rc, &prefix)
                && !added.iter().any(|a| same_prefix(a, &prefix))
                && reads_as_auth(&auth, &prefix)
            {
                top.push_str(&auth);
                top.push_str(le);
                added.push(prefix);
            }
            continue;
        }
        for e in regs {
            let Some(u) = parse_url(&e.value) else {
                continue;
            };
            // The port as written (whatever follows the host up to the path).
            let Some(port) = authority(&e.value.value)
                .and_then(|(hp, _)| hp.strip_prefix(u.host.value.as_str()))
                .map(str::to_string)
            else {
                continue;
            };
            let old_prefix = format!("//{}{port}{}", u.host.value, u.path);
            let templated = u.host.value.starts_with("${");
            let new_host = if templated {
                u.host.value.clone()
            } else {
                if text.get(u.host.span.range()) != Some(u.host.value.as_str()) {
                    continue;
                }
                push_unique(
                    &mut edits,
                    Edit::replace(u.host.span.start, u.host.span.end, &host_ref),
                );
                host_ref.clone()
            };
            let new_prefix = format!("//{new_host}{port}{}", slashed(&u.path));
            let mut has = false;
            for a in &rc.entries {
                let EntryKind::Auth { prefix, .. } = &a.kind else {
                    continue;
                };
                if !same_prefix(prefix, &old_prefix) {
                    continue;
                }
                has = true;
                if templated {
                    continue;
                }
                let hs = a.key.span.start + 2;
                let he = hs + u.host.value.len();
                if text
                    .get(hs..he)
                    .is_some_and(|h| h.eq_ignore_ascii_case(&u.host.value))
                {
                    push_unique(&mut edits, Edit::replace(hs, he, &host_ref));
                }
            }
            let line = format!("{new_prefix}:_authToken={token_ref}");
            if !has
                && !has_auth(rc, &new_prefix)
                && !added.iter().any(|a| same_prefix(a, &new_prefix))
                && reads_as_auth(&line, &new_prefix)
            {
                let at = line_range(text, e.key.span.start).1;
                let nl = if at == text.len() && !text.ends_with('\n') {
                    le
                } else {
                    ""
                };
                edits.push(Edit::insert(at, format!("{nl}{line}{le}")));
                added.push(new_prefix);
            }
        }
    }
    if !top.is_empty() {
        let at = after_leading_comments(text);
        if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
            top.insert_str(0, le);
        }
        edits.push(Edit::insert(at, top));
    }
    let out = crate::diagnostics::merge_inserts(edits);
    if apply_edits(text, &out).is_none() {
        return Vec::new();
    }
    out
}

/// `(host[:port], /path)` of a `scheme://[user@]host[:port]/path` URL, as written.
fn authority(url: &str) -> Option<(&str, &str)> {
    let rest = &url[url.find("://")? + 3..];
    let end = rest.find('/').unwrap_or(rest.len());
    let auth = &rest[..end];
    let hp = auth.rfind('@').map_or(auth, |i| &auth[i + 1..]);
    Some((hp, &rest[end..]))
}

/// `line` reads back as the token line for `prefix`.
fn reads_as_auth(line: &str, prefix: &str) -> bool {
    let rc = Npmrc::parse(line);
    matches!(rc.entries.as_slice(), [e] if matches!(&e.kind,
        EntryKind::Auth { prefix: p, key } if p == prefix && key == "_authToken"))
}

/// `line` reads back as the registry of `scope` on `host`.
fn reads_as_registry(line: &str, scope: &str, host: &str) -> bool {
    let rc = Npmrc::parse(line);
    matches!(rc.entries.as_slice(), [e] if matches!(&e.kind,
        EntryKind::ScopeRegistry { scope: s } if s == scope)
        && parse_url(&e.value).is_some_and(|u| u.host.value == host))
}

fn push_unique(edits: &mut Vec<Edit>, e: Edit) {
    if !edits.iter().any(|x| x.start == e.start && x.end == e.end) {
        edits.push(e);
    }
}

/// `path` with a leading and a trailing `/`.
fn slashed(path: &str) -> String {
    let p = path.trim_matches('/');
    if p.is_empty() {
        "/".into()
    } else {
        format!("/{p}/")
    }
}

/// Two `//host:port/path` prefixes naming the same registry.
fn same_prefix(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

fn has_auth(rc: &Npmrc, prefix: &str) -> bool {
    rc.entries
        .iter()
        .any(|e| matches!(&e.kind, EntryKind::Auth { prefix: p, .. } if same_prefix(p, prefix)))
}

/// Offset just past the file's leading comment lines (blank lines between them included).
fn after_leading_comments(text: &str) -> usize {
    let mut off = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('#') || t.starts_with(';') {
            at = off + line.len();
        } else if !t.is_empty() {
            break;
        }
        off += line.len();
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEAKPULSE: &str =
        include_str!("../../../examples/fleet/learning_ai_peakpulse/.npmrc.docker");
    const CLOCK: &str = include_str!("../../../examples/fleet/learning_ai_clock/.npmrc.docker");
    const HOST: &str = "${GITEA_NPM_HOST}";

    /// Applies the edits, checks that a second call finds nothing, returns the text.
    fn fix_with(text: &str, cfg: &RegistryConfig) -> String {
        let edits = template_npmrc(text, &Npmrc::parse(text), cfg);
        let fixed = apply_edits(text, &edits).expect("edits overlap");
        let again = template_npmrc(&fixed, &Npmrc::parse(&fixed), cfg);
        assert!(again.is_empty(), "not idempotent: {again:?}\n{fixed}");
        fixed
    }

    fn fix(text: &str) -> String {
        fix_with(text, &RegistryConfig::default())
    }

    /// The scope's registry and its token line, as the parsed model sees them.
    fn assert_wired(text: &str, scope: &str, port: u16, path: &str) {
        let rc = Npmrc::parse(text);
        let regs: Vec<_> = rc.scope_registries().filter(|(s, _)| *s == scope).collect();
        assert_eq!(regs.len(), 1, "{text}");
        let u = parse_url(&regs[0].1.value).unwrap();
        assert_eq!(u.host.value, HOST);
        assert_eq!(u.port, Some(port));
        assert_eq!(u.path, path);
        let auth: Vec<_> = rc
            .entries
            .iter()
            .filter(|e| matches!(&e.kind, EntryKind::Auth { prefix, key } if key == "_authToken" && same_prefix(prefix, &format!("//{HOST}:{port}{path}"))))
            .collect();
        assert_eq!(auth.len(), 1, "{text}");
        assert_eq!(auth[0].value.value, "${GITEA_NPM_TOKEN}");
    }

    /// Every line of `before` is still in `after`, in order.
    fn assert_lines_kept(before: &str, after: &str) {
        let mut rest = after.split_inclusive('\n');
        for l in before.split_inclusive('\n') {
            assert!(rest.any(|x| x == l), "lost {l:?} in\n{after}");
        }
    }

    #[test]
    fn peakpulse_tarball_only_gets_both_lines_after_the_comment() {
        let fixed = fix(PEAKPULSE);
        assert_wired(
            &fixed,
            "bytelyst",
            3300,
            "/api/packages/learning_ai_user/npm/",
        );
        assert_lines_kept(PEAKPULSE, &fixed);
        assert!(fixed.starts_with("# Docker builds get"));
        insta::assert_snapshot!("peakpulse_npmrc_docker", fixed);
    }

    #[test]
    fn clock_localhost_becomes_templated() {
        let fixed = fix(CLOCK);
        assert_wired(
            &fixed,
            "bytelyst",
            3300,
            "/api/packages/learning_ai_user/npm/",
        );
        assert_eq!(fixed.lines().count(), CLOCK.lines().count());
        assert!(fixed.ends_with("auto-install-peers=true\n"));
        assert!(!fixed.contains("localhost"));
        insta::assert_snapshot!("clock_npmrc_docker", fixed);
    }

    #[test]
    fn keeps_scheme_port_and_path_of_an_existing_registry() {
        let t = "; top\nstrict-ssl=false\n@bytelyst:registry=\"https://127.0.0.1:8443/npm\"\n//127.0.0.1:8443/npm/:_authToken=abc\n//registry.npmjs.org/:_authToken=x\nregistry=http://localhost:4873/\n";
        let fixed = fix(t);
        assert_eq!(
            fixed,
            "; top\nstrict-ssl=false\n@bytelyst:registry=\"https://${GITEA_NPM_HOST}:8443/npm\"\n//${GITEA_NPM_HOST}:8443/npm/:_authToken=abc\n//registry.npmjs.org/:_authToken=x\nregistry=http://localhost:4873/\n"
        );
    }

    #[test]
    fn adds_a_missing_token_line_after_the_registry() {
        let fixed = fix("a=1\n@bytelyst:registry=http://localhost/npm/\nb=2");
        assert_eq!(
            fixed,
            "a=1\n@bytelyst:registry=http://${GITEA_NPM_HOST}/npm/\n//${GITEA_NPM_HOST}/npm/:_authToken=${GITEA_NPM_TOKEN}\nb=2"
        );
        // at the end of a file without a final newline
        let fixed = fix("@bytelyst:registry=http://localhost:3300/x/");
        assert_eq!(
            fixed,
            "@bytelyst:registry=http://${GITEA_NPM_HOST}:3300/x/\n//${GITEA_NPM_HOST}:3300/x/:_authToken=${GITEA_NPM_TOKEN}\n"
        );
    }

    #[test]
    fn templated_registry_is_left_alone() {
        let t = "@bytelyst:registry=http://${NPM_HOST}:3300/x/\n//${NPM_HOST}:3300/x/:_authToken=${T}\n";
        assert!(template_npmrc(t, &Npmrc::parse(t), &RegistryConfig::default()).is_empty());
        // only its missing token line is added
        let fixed = fix("@bytelyst:registry=http://${NPM_HOST}:3300/x/\n");
        assert_eq!(
            fixed,
            "@bytelyst:registry=http://${NPM_HOST}:3300/x/\n//${NPM_HOST}:3300/x/:_authToken=${GITEA_NPM_TOKEN}\n"
        );
    }

    #[test]
    fn crlf_and_empty_files() {
        let fixed = fix("# c\r\n@bytelyst:registry=http://localhost:3300/x/\r\nfoo=1\r\n");
        assert_eq!(
            fixed,
            "# c\r\n@bytelyst:registry=http://${GITEA_NPM_HOST}:3300/x/\r\n//${GITEA_NPM_HOST}:3300/x/:_authToken=${GITEA_NPM_TOKEN}\r\nfoo=1\r\n"
        );
        let fixed = fix("# only a comment\r\n\r\nfoo=1\r\n");
        assert_eq!(
            fixed,
            "# only a comment\r\n@bytelyst:registry=http://${GITEA_NPM_HOST}:3300/api/packages/learning_ai_user/npm/\r\n//${GITEA_NPM_HOST}:3300/api/packages/learning_ai_user/npm/:_authToken=${GITEA_NPM_TOKEN}\r\n\r\nfoo=1\r\n"
        );
        let fixed = fix("");
        assert_eq!(
            fixed,
            "@bytelyst:registry=http://${GITEA_NPM_HOST}:3300/api/packages/learning_ai_user/npm/\n//${GITEA_NPM_HOST}:3300/api/packages/learning_ai_user/npm/:_authToken=${GITEA_NPM_TOKEN}\n"
        );
        assert_eq!(fix("# c").lines().count(), 3);
    }

    #[test]
    fn several_scopes_share_one_token_line() {
        let cfg = RegistryConfig {
            scopes: vec!["a".into(), "@b".into(), "a".into()],
            port: 8080,
            path: "npm".into(),
            ..RegistryConfig::default()
        };
        let fixed = fix_with("x=1\n", &cfg);
        assert_eq!(
            fixed,
            "@a:registry=http://${GITEA_NPM_HOST}:8080/npm/\n//${GITEA_NPM_HOST}:8080/npm/:_authToken=${GITEA_NPM_TOKEN}\n@b:registry=http://${GITEA_NPM_HOST}:8080/npm/\nx=1\n"
        );
        // two scopes on one localhost registry: its token line is rewritten once
        let t = "@a:registry=http://localhost:1/r/\n@b:registry=http://localhost:1/r/\n//LOCALHOST:1/r/:_auth=xyz\n";
        assert_eq!(
            fix_with(t, &cfg),
            "@a:registry=http://${GITEA_NPM_HOST}:1/r/\n@b:registry=http://${GITEA_NPM_HOST}:1/r/\n//${GITEA_NPM_HOST}:1/r/:_auth=xyz\n"
        );
    }
}
