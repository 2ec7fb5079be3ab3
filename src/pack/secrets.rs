//! Credentials never go into a tarball: every packed file is scanned before
//! it is written anywhere, and a hit refuses the pack, naming the file, line
//! and column (never the value).
//!
//! The scan judges context and value, not words, so that a README may show
//! how a credential is configured while a configured credential is caught:
//!
//! - **`.npmrc` settings**: `_authToken`, `_auth` or `_password` set at the
//!   start of a line (`_auth=…`, `//host/:_authToken=…`, with optional
//!   quotes, which npm strips), a `//host/:_authToken=…` anywhere in a line
//!   (a script writing an `.npmrc`), `npm config set …=…`, the environment
//!   form `npm_config__authToken=…` / `NPM_CONFIG_//host/:_auth=…`, and
//!   `.yarnrc.yml`'s `npmAuthToken:`/`npmAuthIdent:`. The value counts
//!   unless it is a placeholder (below), code (a call, an operator after a
//!   bare key, an identifier path such as `o.password`: words only, no
//!   digit), or, for the base64 settings, the encoding of a placeholder
//!   (`dXNlcm5hbWU6cGFzc3dvcmQ=` is `username:password`).
//! - **Placeholders** are never credentials: `<…>`, `${…}`, `$VAR`, `{{…}}`,
//!   `%VAR%`, `YOUR_…` and other placeholder words, values made of `x` or
//!   `*`, and anything containing `...` or `…`.
//! - **Private keys**: a PEM `-----BEGIN … PRIVATE KEY-----` line followed by
//!   base64 lines of real length (at least 60 characters of key material, no
//!   line but the last shorter than 40) and the matching `-----END …-----`;
//!   the lines may also be joined by `\n` escapes inside a string (a JSON
//!   service-account file). An example with `...` or prose is no key.
//! - **Tokens of a known shape**, with the exact length and alphabet of the
//!   real thing and no placeholder word or run (`xxxx`, `abcdef`, `123456`):
//!   GitHub `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` + 36 base62 characters and
//!   `github_pat_` + 22 + `_` + 59, npm `npm_` + 36, GitLab `glpat-` + 20 or more.
//! - **This environment's credentials**: the exact bytes of the value of every
//!   variable named `*_TOKEN`, `*_AUTHTOKEN`, `*_PASSWORD`,
//!   `NPM_CONFIG__AUTH*` or npm's per-registry `npm_config_//…:_auth…`,
//!   when at least 8 bytes long. These always count, also in a file a
//!   maintainer accepted (see [`Allowed`]): a live credential in a tarball is
//!   a leak whatever the review said. Unset the variable to pack such a file.
//!
//! A maintainer accepts a file they reviewed with `dockprep pack
//! --allow-secret PATH` or, for every command that packs (`pack`, `prep`,
//! `build`), a `[pack] allow_secrets = ["…"]` list in `dockprep.toml`
//! (paths relative to that file).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::bytes::Regex;

/// A credential found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Hit {
    pub line: usize,
    pub column: usize,
    pub what: String,
    /// The value of one of the environment's credentials.
    pub environment: bool,
}

/// What the scan of one file looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Everything.
    All,
    /// Only the environment's credentials (a file a maintainer accepted).
    EnvironmentOnly,
}

/// Files whose credential-looking text a maintainer reviewed and accepted,
/// by their resolved path ([`crate::fsutil::resolve`]).
#[derive(Clone, Debug, Default)]
pub struct Allowed {
    paths: HashSet<PathBuf>,
}

impl Allowed {
    /// Accepts each of `paths` (relative ones against the current directory).
    pub fn new(paths: impl IntoIterator<Item = PathBuf>) -> Allowed {
        let mut a = Allowed::default();
        a.extend(paths);
        a
    }

    fn extend(&mut self, paths: impl IntoIterator<Item = PathBuf>) {
        for p in paths {
            let r = crate::fsutil::resolve(&p).unwrap_or_else(|_| crate::paths::clean(&p));
            self.paths.insert(r);
        }
    }

    /// Adds the `[pack] allow_secrets` of every `dockprep.toml` of the
    /// model, each relative to its file's directory.
    pub(crate) fn with_configs(mut self, p: &crate::project::Project) -> Allowed {
        for r in &p.repos {
            let Some(base) = r.config.path.as_ref().and_then(|c| c.parent()) else {
                continue;
            };
            self.extend(r.config.pack.allow_secrets.iter().map(|a| base.join(a)));
        }
        self
    }

    /// True when `path` is an accepted file.
    pub(crate) fn contains(&self, path: &Path) -> bool {
        !self.paths.is_empty()
            && crate::fsutil::resolve(path).is_ok_and(|r| self.paths.contains(&r))
    }
}

/// `.npmrc` credential settings: at the start of a line (bare or with a
/// `//host/:` prefix), a `//host/:` one anywhere, or npm's environment form.
/// `npm config set …=` and `pnpm config set …=` count as a prefix too.
/// The group `bare` marks a key at the start of a line (code looks so too).
static NPMRC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?mi)(?:(?P<bare>^[ \t]*)|//[^\s'"`=]+:|\bnpm_config_(?://[^\s'"`=]+:)?|\b(?:npm|pnpm|yarn)[ \t]+(?:config[ \t]+)?set[ \t]+(?://[^\s'"`=]+:)?)(?P<key>_authToken|_auth|_password)[ \t]*=[ \t]*"#,
    )
    .expect("a valid pattern")
});

/// Yarn's `.yarnrc.yml` credentials (`npmAuthToken: …`).
static YARNRC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?m)(?P<bare>^[ \t]*)(?P<key>npmAuthToken|npmAuthIdent|npmPassword)[ \t]*:[ \t]*"#,
    )
    .expect("a valid pattern")
});

/// Tokens whose shape is known: (description, pattern, where the random
/// part starts in the match).
static SHAPED: LazyLock<Vec<(&'static str, Regex, usize)>> = LazyLock::new(|| {
    [
        ("a GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36}\b", 4),
        (
            "a GitHub token",
            r"\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b",
            11,
        ),
        ("an npm access token", r"\bnpm_[A-Za-z0-9]{36}\b", 4),
        ("a GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}", 6),
    ]
    .into_iter()
    .map(|(what, re, at)| (what, Regex::new(re).expect("a valid pattern"), at))
    .collect()
});

static PEM_BEGIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----").expect("a valid pattern")
});

/// Words that make a value a placeholder (compared in lower case).
const PLACEHOLDER_WORDS: &[&str] = &[
    "your",
    "placeholder",
    "changeme",
    "change_me",
    "example",
    "redacted",
    "replace",
    "insert",
    "dummy",
    "sample",
    "xxxx",
    "base64",
    "here",
];

/// Further words that make a token of a known shape a placeholder
/// (`ghp_PersonalAccessToken…`); none is likely in 36 random characters.
const TOKEN_PLACEHOLDER_WORDS: &[&str] = &[
    "token", "secret", "personal", "access", "fake", "abcdef", "012345", "123456", "234567",
    "345678", "456789",
];

/// Scans `bytes` for credentials; `known` are the environment's (see
/// [`known_from_env`]). Returns the first hit in the file.
pub(crate) fn scan(bytes: &[u8], known: &[(String, String)], scope: Scope) -> Option<Hit> {
    let mut best: Option<(usize, String, bool)> = None;
    let mut offer = |at: usize, what: String, environment: bool| {
        if best.as_ref().is_none_or(|(s, _, _)| at < *s) {
            best = Some((at, what, environment));
        }
    };
    if scope == Scope::All {
        if let Some((at, what)) = npmrc_setting(bytes) {
            offer(at, what, false);
        }
        if let Some((at, what)) = shaped_token(bytes) {
            offer(at, what, false);
        }
        if let Some(at) = private_key(bytes) {
            offer(at, "a private key".to_string(), false);
        }
    }
    for (var, value) in known {
        if value.len() < 8 {
            continue;
        }
        if let Some(i) = find(bytes, value.as_bytes()) {
            offer(i, format!("the value of ${var}"), true);
        }
    }
    let (at, what, environment) = best?;
    let (line, column) = position(bytes, at);
    Some(Hit {
        line,
        column,
        what,
        environment,
    })
}

/// 1-based line and column (in characters) of byte `at`.
fn position(bytes: &[u8], at: usize) -> (usize, usize) {
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
    (line, column)
}

/// The first `.npmrc` (or `.yarnrc.yml`) credential setting with a real
/// value: where its value starts, and what it is.
fn npmrc_setting(bytes: &[u8]) -> Option<(usize, String)> {
    let first = |re: &Regex| setting(re, bytes);
    match (first(&NPMRC), first(&YARNRC)) {
        (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
        (a, b) => a.or(b),
    }
}

fn setting(re: &Regex, bytes: &[u8]) -> Option<(usize, String)> {
    for c in re.captures_iter(bytes) {
        let (Some(all), Some(key)) = (c.get(0), c.name("key")) else {
            continue;
        };
        let bare = c.name("bare").is_some();
        let rest = &bytes[all.end()..];
        let line_end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
        let rest = &rest[..line_end];
        let (value, after, skip) = match rest.first() {
            Some(q @ (b'"' | b'\'')) => match rest[1..].iter().position(|b| b == q) {
                Some(n) => (&rest[1..1 + n], &rest[n + 2..], 1),
                None => continue,
            },
            _ => {
                let n = rest
                    .iter()
                    .position(|b| {
                        b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b'#')
                    })
                    .unwrap_or(rest.len());
                (&rest[..n], &rest[n..], 0)
            }
        };
        // A bare key at the start of a line is also what code looks like
        // (`_auth = token + x`): there, only a comment (`#`, `;`) may follow
        // the value.
        let after = after.trim_ascii_start();
        if bare && !after.is_empty() && !after.starts_with(b"#") && !after.starts_with(b";") {
            continue;
        }
        let value = value.strip_suffix(b";").unwrap_or(value);
        let key = String::from_utf8_lossy(key.as_bytes()).into_owned();
        if is_credential_value(value, &key) {
            return Some((all.end() + skip, format!("an npm `{key}` value")));
        }
    }
    None
}

/// True when a configured value of `key` is a literal credential: not
/// empty, not a placeholder or reference, not code; for the base64 settings
/// (`_auth`, `_password`), not the encoding of a placeholder
/// (`dXNlcm5hbWU6cGFzc3dvcmQ=`, `username:password`).
fn is_credential_value(v: &[u8], key: &str) -> bool {
    let Ok(v) = std::str::from_utf8(v) else {
        return true;
    };
    if v.len() < 4 || is_placeholder(v) {
        return false;
    }
    let base64_key = matches!(
        key.to_ascii_lowercase().as_str(),
        "_auth" | "_password" | "npmauthident" | "npmpassword"
    );
    if base64_key && decodes_to_placeholder(v) {
        return false;
    }
    // Code: a call, an index, an operator.
    if !v
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+/=._~:-".contains(&b))
    {
        return false;
    }
    // An identifier path or words (`o.password`, `NPM_TOKEN`, `authToken`,
    // npm's own docs' `MYTOKEN1`): every part an ordinary word, numbered at
    // most by a few trailing digits.
    !v.split(['.', '_', '-', ':'])
        .all(|w| w.is_empty() || numbered_word(w))
}

/// A word, optionally followed by up to four digits (`token2`, `MYTOKEN1`).
fn numbered_word(w: &str) -> bool {
    let stem = w.trim_end_matches(|c: char| c.is_ascii_digit());
    w.len() - stem.len() <= 4 && is_word(stem)
}

/// Words a documented `user:password` pair is made of.
const CREDENTIAL_WORDS: &[&str] = &[
    "user",
    "username",
    "name",
    "login",
    "email",
    "pass",
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "foo",
    "bar",
    "me",
    "myuser",
    "mypassword",
    "mypass",
];

/// True when `v` is base64 of a placeholder: `user:pass`, `username:password`,
/// `${USER}:${PASS}` and the like.
fn decodes_to_placeholder(v: &str) -> bool {
    use base64::Engine;
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(v) else {
        return false;
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return false;
    };
    if is_placeholder(&text) {
        return true;
    }
    let parts: Vec<&str> = text.split(':').collect();
    parts.len() <= 2
        && parts.iter().all(|p| {
            is_placeholder(p) || CREDENTIAL_WORDS.contains(&p.to_ascii_lowercase().as_str())
        })
}

/// A word as people write them: `lower`, `UPPER`, `Capitalized`, `camelCase`.
/// Random letters (`dXNlcjpwYXNz`, base64) are not.
fn is_word(w: &str) -> bool {
    if !w.bytes().all(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    if w.bytes().all(|b| b.is_ascii_uppercase()) {
        return true;
    }
    // Humps: an optional capital, then lower-case letters; repeated.
    let b = w.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_uppercase() {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_lowercase() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    true
}

/// Placeholders: `<…>`, `${…}`, `$VAR`, `{{…}}`, `%VAR%`, `[…]`, values of
/// `x` or `*`, `...`, and placeholder words.
fn is_placeholder(v: &str) -> bool {
    let v = v.trim();
    if v.is_empty()
        || v.starts_with(['<', '$', '{', '[', '%', '('])
        || v.contains("${")
        || v.contains("...")
        || v.contains('…')
        || v.contains("***")
    {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if lower
        .bytes()
        .all(|b| matches!(b, b'x' | b'*' | b'-' | b'_' | b'.'))
    {
        return true;
    }
    // One character repeated (`00000000-0000-…`, `aaaaaaaa`).
    let mut alnum = lower.bytes().filter(u8::is_ascii_alphanumeric);
    if let Some(first) = alnum.next() {
        if alnum.all(|b| b == first) {
            return true;
        }
    }
    PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w))
}

/// The first token of a known shape that is not a placeholder.
fn shaped_token(bytes: &[u8]) -> Option<(usize, String)> {
    let mut best: Option<(usize, String)> = None;
    for (what, re, at) in SHAPED.iter() {
        for m in re.find_iter(bytes) {
            if best.as_ref().is_some_and(|(s, _)| m.start() >= *s) {
                break;
            }
            let body = String::from_utf8_lossy(&m.as_bytes()[*at..]).to_ascii_lowercase();
            let placeholder = is_placeholder(&body)
                || TOKEN_PLACEHOLDER_WORDS.iter().any(|w| body.contains(w))
                || has_run(body.as_bytes(), 8);
            if !placeholder {
                best = Some((m.start(), (*what).to_string()));
                break;
            }
        }
    }
    best
}

/// True when one byte repeats `n` times in a row.
fn has_run(b: &[u8], n: usize) -> bool {
    b.windows(n).any(|w| w.iter().all(|x| *x == w[0]))
}

/// Where the first PEM private key with real key material starts.
fn private_key(bytes: &[u8]) -> Option<usize> {
    for c in PEM_BEGIN.captures_iter(bytes) {
        let (Some(begin), Some(label)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let mut end_marker = b"-----END ".to_vec();
        end_marker.extend_from_slice(label.as_bytes());
        end_marker.extend_from_slice(b"-----");
        // A key is a few kilobytes at most; look no further.
        let window = &bytes[begin.end()..bytes.len().min(begin.end() + 64 * 1024)];
        let Some(end) = find(window, &end_marker) else {
            continue;
        };
        if is_key_material(&window[..end]) {
            return Some(begin.start());
        }
    }
    None
}

/// The text between a BEGIN and an END line: optional `Name: value`
/// headers, then base64 lines of real length.
fn is_key_material(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    let mut lens = Vec::new();
    for piece in text.split('\n').flat_map(|l| l.split("\\n")) {
        let t = piece.trim_matches(|c: char| {
            c.is_ascii_whitespace() || matches!(c, '"' | '\'' | '`' | '+' | ',' | ';' | '\\')
        });
        if t.is_empty() {
            continue;
        }
        if lens.is_empty() && t.contains(": ") {
            continue; // a header (`Proc-Type: 4,ENCRYPTED`)
        }
        if t.starts_with('=') && t.len() <= 5 {
            continue; // an OpenPGP checksum
        }
        let data = t.trim_end_matches('=');
        if data.is_empty()
            || t.len() - data.len() > 2
            || !data
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        {
            return false;
        }
        lens.push(t.len());
    }
    let total: usize = lens.iter().sum();
    let Some((_, init)) = lens.split_last() else {
        return false;
    };
    total >= 60 && init.iter().all(|l| *l >= 40)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The credentials of this environment worth looking for: registry tokens
/// and passwords (`*_TOKEN`, `*_AUTHTOKEN`, `*_PASSWORD`, `NPM_CONFIG__AUTH*`,
/// npm's `npm_config_//host/:_authToken`).
pub(crate) fn known_from_env() -> Vec<(String, String)> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, _)| is_credential_name(k))
        .collect()
}

fn is_credential_name(k: &str) -> bool {
    let k = k.to_ascii_uppercase();
    k.ends_with("_TOKEN")
        || k.ends_with("_AUTHTOKEN")
        || k.ends_with("_PASSWORD")
        || k.starts_with("NPM_CONFIG__AUTH")
        || (k.starts_with("NPM_CONFIG_") && (k.contains(":_AUTH") || k.contains(":_PASSWORD")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(text: &str) -> Option<(usize, usize)> {
        scan(
            text.as_bytes(),
            &[("GITEA_NPM_TOKEN".into(), "s3cr3t-value-123".into())],
            Scope::All,
        )
        .map(|h| (h.line, h.column))
    }

    #[test]
    fn finds_credentials_with_their_position() {
        assert_eq!(hit("a\n//host/:_authToken=9c1e4f2a\n"), Some((2, 20)));
        assert_eq!(hit("//host/:_authToken=\"4f2a9c01\"\n"), Some((1, 21)));
        assert_eq!(hit("const t = \"s3cr3t-value-123\";"), Some((1, 12)));
        assert_eq!(hit("_auth = ZGVwbG95OmszOXg="), Some((1, 9)));
        assert_eq!(hit("ENV NPM_CONFIG__AUTH=ZGVwbG95OmszOXg="), Some((1, 22)));
        assert_eq!(
            hit("echo \"//registry.npmjs.org/:_authToken=9f86d081884c\" > .npmrc"),
            Some((1, 40))
        );
        assert_eq!(hit("npm config set _auth=ZGVwbG95OmszOXg="), Some((1, 22)));
        assert_eq!(
            hit("npmRegistries:\n  \"//npm.acme.dev\":\n    npmAuthToken: \"9f86d0818\"\n"),
            Some((3, 20))
        );
        assert_eq!(hit("_auth = ZGVwbG95OmszOXg= # mine"), Some((1, 9)));
        assert_eq!(hit("//h/:_authToken=deadbeef01234"), Some((1, 17)));
        assert_eq!(
            hit("//h/:_authToken=1b2c3d4e-5f60-4a1b-9c2d-3e4f5a6b7c8d"),
            Some((1, 17))
        );
        // A default in a reference is a literal token all the same.
        let npm = format!("npm_{}", "k3Y9".repeat(9));
        assert_eq!(
            hit(&format!("_authToken=${{NPM_TOKEN:-{npm}}}")),
            Some((1, 25))
        );
    }

    #[test]
    fn placeholders_references_and_code_are_not_credentials() {
        for text in [
            "//host/:_authToken=${GITEA_NPM_TOKEN}\n",
            "//host/:_authToken=\"${GITEA_NPM_TOKEN}\"\n",
            "set `_authToken` in your .npmrc",
            "const token = process.env.GITEA_NPM_TOKEN;",
            "npm_config_registry",
            "_authToken=<YOUR_TOKEN>",
            "_authToken=YOUR_NPM_TOKEN",
            "_auth=****",
            "_password=xxxxxxxx",
            "//host/:_authToken=...",
            "let _password = o.password",
            "_password = o.password",
            "_password = o.password;",
            "_authToken = getToken();",
            "'//registry.npmjs.org/:_authToken=' + token",
            "_auth=dXNlcm5hbWU6cGFzc3dvcmQ=",
            "_password=cGFzc3dvcmQ=",
            "_auth=user:pass",
            "npm config set //registry.npmjs.org/:_authToken=$NPM_TOKEN",
            "npm config set _authToken=YOUR_TOKEN",
            "npmAuthToken: \"${NPM_TOKEN}\"",
            "  npmAuthToken: ${NPM_TOKEN-}",
            "const PEM = '-----BEGIN PRIVATE KEY-----';",
            "if (k.includes('-----BEGIN PRIVATE KEY-----') && k.includes('-----END PRIVATE KEY-----')) {}",
            "NPM_TOKEN=npm_1234567890abcdefghijklmnopqrstuvwxyz",
            "//somewhere-else.com/myorg/:_authToken=MYTOKEN1",
            "//registry.example.com/:_authToken=my-token-2",
            "_authToken=xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
            "_authToken=00000000-0000-0000-0000-000000000000",
            "_auth=base64encodedcredentials",
            "_authToken=NpmToken123",
            "this._authToken = token",
            "_authToken = token",
            "| `_authToken` | string | the token |",
            "_password=<base64-encoded-password>",
            "token = /ghp_[A-Za-z0-9]{36}/",
        ] {
            assert_eq!(hit(text), None, "{text}");
        }
        assert_eq!(
            scan(b"short", &[("X_TOKEN".into(), "abc".into())], Scope::All),
            None
        );
    }

    #[test]
    fn words_are_not_random() {
        for w in ["password", "NPM", "authToken", "AuthToken", "o"] {
            assert!(is_word(w), "{w}");
        }
        for w in ["dXNlcjpwYXNz", "aGVsbG8", "abc1"] {
            assert!(!is_word(w), "{w}");
        }
    }

    #[test]
    fn credential_variable_names() {
        for k in [
            "GITEA_NPM_TOKEN",
            "NODE_AUTH_TOKEN",
            "npm_token",
            "DB_PASSWORD",
            "NPM_CONFIG__AUTH",
            "npm_config__authToken",
            "npm_config_//registry.npmjs.org/:_authToken",
        ] {
            assert!(is_credential_name(k), "{k}");
        }
        for k in [
            "HOME",
            "TOKENIZER",
            "NPM_CONFIG_REGISTRY",
            "PASSWORD_POLICY",
        ] {
            assert!(!is_credential_name(k), "{k}");
        }
    }
}
