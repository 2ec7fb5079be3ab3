//! Credentials never go into a tarball: every packed file is scanned for
//! registry tokens and private keys before it is written anywhere. A hit
//! refuses the pack, naming the file, line and column (never the value).

use std::sync::LazyLock;

use regex::bytes::Regex;

/// What looks like a credential, and how it is described.
static PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        // `.npmrc` syntax with a literal value (a `${VAR}` reference is fine).
        (
            "an npm `_authToken`/`_auth`/`_password` with a literal value",
            r#"(?m)(?:^|[\s"'/:])(?:_authToken|_auth|_password)\s*=\s*[^\s$"'{]"#,
        ),
        ("an npm access token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        ("a GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
        ("a GitHub token", r"\bgithub_pat_[A-Za-z0-9_]{60,}\b"),
        ("a GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}\b"),
        (
            "a private key",
            r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----",
        ),
    ]
    .into_iter()
    .filter_map(|(what, re)| Some((what, Regex::new(re).ok()?)))
    .collect()
});

/// A credential found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Hit {
    pub line: usize,
    pub column: usize,
    pub what: String,
}

/// Scans `bytes` for credentials: the patterns above, and the values of the
/// environment variables in `known` (the registry token the build uses).
pub(crate) fn scan(bytes: &[u8], known: &[(String, String)]) -> Option<Hit> {
    let mut best: Option<(usize, String)> = None;
    for (what, re) in PATTERNS.iter() {
        if let Some(m) = re.find(bytes) {
            // Point at the credential, not at the separator before it.
            let start = m.start()
                + m.as_bytes()
                    .iter()
                    .take_while(|b| matches!(b, b' ' | b'\t' | b'"' | b'\'' | b'/' | b':' | b'\n'))
                    .count();
            if best.as_ref().is_none_or(|(s, _)| start < *s) {
                best = Some((start, (*what).to_string()));
            }
        }
    }
    for (var, value) in known {
        if value.len() < 8 {
            continue;
        }
        if let Some(i) = find(bytes, value.as_bytes()) {
            if best.as_ref().is_none_or(|(s, _)| i < *s) {
                best = Some((i, format!("the value of ${var}")));
            }
        }
    }
    let (at, what) = best?;
    let before = &bytes[..at];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&bytes[line_start..at])
        .chars()
        .count()
        + 1;
    Some(Hit { line, column, what })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The credentials of this environment worth looking for: registry tokens
/// (`*_TOKEN`, `NPM_CONFIG__AUTH*`, `NODE_AUTH_TOKEN`).
pub(crate) fn known_from_env() -> Vec<(String, String)> {
    std::env::vars()
        .filter(|(k, _)| {
            let k = k.to_ascii_uppercase();
            k.ends_with("_TOKEN") || k.starts_with("NPM_CONFIG__AUTH") || k.contains("NPM_TOKEN")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(text: &str) -> Option<(usize, usize)> {
        scan(
            text.as_bytes(),
            &[("GITEA_NPM_TOKEN".into(), "s3cr3t-value-123".into())],
        )
        .map(|h| (h.line, h.column))
    }

    #[test]
    fn finds_credentials_with_their_position() {
        assert_eq!(hit("a\n//host/:_authToken=abc123\n"), Some((2, 9)));
        assert_eq!(
            hit("x = 'npm_abcdefghijklmnopqrstuvwxyz0123456789'"),
            Some((1, 6))
        );
        assert_eq!(hit("const t = \"s3cr3t-value-123\";"), Some((1, 12)));
        assert_eq!(hit("-----BEGIN OPENSSH PRIVATE KEY-----\n"), Some((1, 1)));
        assert_eq!(hit("_auth = dXNlcjpwYXNz"), Some((1, 1)));
    }

    #[test]
    fn references_and_prose_are_not_credentials() {
        assert_eq!(hit("//host/:_authToken=${GITEA_NPM_TOKEN}\n"), None);
        assert_eq!(hit("set `_authToken` in your .npmrc"), None);
        assert_eq!(hit("const token = process.env.GITEA_NPM_TOKEN;"), None);
        assert_eq!(hit("npm_config_registry"), None);
        assert_eq!(scan(b"short", &[("X_TOKEN".into(), "abc".into())]), None);
    }
}
