//! What a secret looks like in printed text, and the one helper that masks
//! it ([`Redactor`]). Every output dockprep prints goes through it: the
//! audit formats (source lines, messages, errors), `fix` diffs, the build's
//! command line and progress, the errors of every command.
//!
//! Two kinds of secret are masked, each as [`MASK`]:
//! - credential spans, found by syntax in any text ([`credential_spans`]):
//!   the value of an assignment or mapping whose name looks like a
//!   credential ([`is_secret_name`], the notion the `secret-in-arg-or-env`
//!   rule uses) — `.npmrc`'s `_authToken=…`, `ARG NPM_TOKEN=…`,
//!   `ENV …TOKEN=…` or `ENV NAME value`, compose `args:` entries in either
//!   form, `--build-arg …`, `.env` lines —, the userinfo and the query of a
//!   URL, an `Authorization` header's credential. A value that only
//!   references another (`${GITEA_NPM_TOKEN}`, `$VAR`, `$(cat …)`) is no
//!   secret and stays;
//! - known values ([`Redactor::add`]): the secrets a build hands over, and
//!   the values of the environment's credential-like variables
//!   ([`Redactor::from_vars`]).
//!
//! [`display_url`] is how a URL is printed: parsed, without userinfo, query
//! or fragment.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// What a secret is replaced with.
pub const MASK: &str = "****";

/// The fewest characters an environment variable's value needs to be masked
/// wherever it appears (a value such as `1` or `true` would mask too much).
pub const MIN_ENV_VALUE: usize = 6;

/// The fewest characters of a secret handed over explicitly (a build secret).
const MIN_VALUE: usize = 4;

/// True for a name that looks like it holds a credential: `*_TOKEN` (or
/// `TOKEN`), `*_AUTH*`, `AUTH_*`, `*PASSWORD*`, `*SECRET*`, case-insensitive,
/// `-` read as `_`; not the names that point at a credential (`*_FILE`,
/// `*_PATH`, `*_DIR`, `*_URL`, `*_HOST`).
pub fn is_secret_name(name: &str) -> bool {
    let up = name.to_ascii_uppercase().replace('-', "_");
    const POINTERS: &[&str] = &["_FILE", "_PATH", "_DIR", "_URL", "_HOST"];
    if POINTERS.iter().any(|s| up.ends_with(s)) {
        return false;
    }
    up == "TOKEN"
        || up.ends_with("_TOKEN")
        || up.contains("_AUTH")
        || up.starts_with("AUTH_")
        || up.contains("PASSWORD")
        || up.contains("SECRET")
}

/// Masks secrets in printed text: credential spans always, and the values it
/// was given.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    /// Longest first, so a value containing another is masked whole.
    values: Vec<String>,
}

impl Redactor {
    /// Masks `value` (trimmed; at least four characters) wherever it appears.
    pub fn add(&mut self, value: &str) {
        self.add_min(value, MIN_VALUE);
    }

    fn add_min(&mut self, value: &str, min: usize) {
        let v = value.trim();
        if v.chars().count() < min || self.values.iter().any(|s| s == v) {
            return;
        }
        self.values.push(v.to_string());
        // The form a JSON string shows it in, when that differs.
        let json = serde_json::to_string(v).unwrap_or_default();
        let json = &json[1..json.len().saturating_sub(1).max(1)];
        if json != v && !self.values.iter().any(|s| s == json) {
            self.values.push(json.to_string());
        }
        self.values.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// A redactor that also masks the value of every credential-like
    /// variable ([`is_secret_name`]: `GITEA_NPM_TOKEN`, `NPM_TOKEN`,
    /// `NPM_CONFIG__AUTH…`, `*_PASSWORD`) of at least [`MIN_ENV_VALUE`]
    /// characters. The caller passes the environment (`std::env::vars_os()`).
    pub fn from_vars<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> Redactor
    where
        K: AsRef<std::ffi::OsStr>,
        V: AsRef<std::ffi::OsStr>,
    {
        let mut r = Redactor::default();
        for (k, v) in vars {
            if is_secret_name(&k.as_ref().to_string_lossy()) {
                r.add_min(&v.as_ref().to_string_lossy(), MIN_ENV_VALUE);
            }
        }
        r
    }

    /// Byte ranges of `text` to mask: credential spans and known values,
    /// sorted and disjoint.
    pub fn spans(&self, text: &str) -> Vec<Range<usize>> {
        let mut out = credential_spans(text);
        out.extend(self.value_spans(text));
        merge(out)
    }

    fn value_spans(&self, text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        for v in &self.values {
            out.extend(text.match_indices(v.as_str()).map(|(i, m)| i..i + m.len()));
        }
        out
    }

    /// `text` with credential spans and known values masked, and where each
    /// original offset went.
    pub fn mask(&self, text: &str) -> Masked {
        Masked::new(text, self.spans(text))
    }

    /// [`Redactor::mask`], masking the byte range `also` of `text` too.
    pub fn mask_also(&self, text: &str, also: Range<usize>) -> Masked {
        let mut spans = self.spans(text);
        spans.push(also);
        Masked::new(text, merge(spans))
    }

    /// `text` with credential spans and known values masked.
    pub fn redact(&self, text: &str) -> String {
        self.mask(text).text
    }

    /// Masks every string of a JSON value (keys stay): the credential spans
    /// are found in each string's own text, so the JSON stays valid (masking
    /// the serialized text does not guarantee that: a span found across the
    /// JSON's own quoting can swallow a quote).
    pub fn redact_json(&self, v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => *s = self.redact(s),
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| self.redact_json(x)),
            serde_json::Value::Object(o) => o.values_mut().for_each(|x| self.redact_json(x)),
            _ => {}
        }
    }

    /// `text` with only the known values masked: for a whole output already
    /// rendered (whose own syntax, JSON or Markdown, is not the inputs').
    pub fn redact_known(&self, text: &str) -> String {
        Masked::new(text, merge(self.value_spans(text))).text
    }
}

/// A text with its secrets masked, and the map from its original offsets.
#[derive(Clone, Debug)]
pub struct Masked {
    pub text: String,
    /// The masked ranges of the original text, sorted and disjoint.
    ranges: Vec<Range<usize>>,
}

impl Masked {
    fn new(text: &str, ranges: Vec<Range<usize>>) -> Masked {
        if ranges.is_empty() {
            return Masked {
                text: text.to_string(),
                ranges,
            };
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for r in &ranges {
            out.push_str(&text[at..r.start]);
            out.push_str(MASK);
            at = r.end;
        }
        out.push_str(&text[at..]);
        Masked { text: out, ranges }
    }

    /// Where byte `offset` of the original text is in the masked one. An
    /// offset inside a masked range lands on the mask's start, or its end
    /// when `end` is true (the end of a label).
    pub fn offset(&self, offset: usize, end: bool) -> usize {
        let mut shift: isize = 0;
        for r in &self.ranges {
            if offset >= r.end {
                shift += MASK.len() as isize - (r.end - r.start) as isize;
            } else if offset > r.start {
                let start = (r.start as isize + shift) as usize;
                return if end { start + MASK.len() } else { start };
            } else {
                break;
            }
        }
        (offset as isize + shift).max(0) as usize
    }
}

/// A source line as echoed: up to its first NUL (a binary file's lines are
/// not text; `/proc/self/environ` holds one variable per NUL), control
/// characters shown as `�` ([`printable`]).
pub fn echo_line(line: &str) -> String {
    let line = line.split('\0').next().unwrap_or("");
    printable(line).replace(['\r', '\n'], "\u{FFFD}")
}

/// `text` safe to print on a terminal: control characters but line breaks
/// and tabs (an escape sequence, a NUL) shown as `�`, one for one.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// A URL as printed: parsed, without userinfo, query or fragment. Text that
/// is no URL with a host (`user:pw@host:1`, which reads as the scheme
/// `user`) is not echoed at all.
pub fn display_url(s: &str) -> String {
    match url::Url::parse(s.trim()) {
        Ok(mut u) if u.has_host() && !u.cannot_be_a_base() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        _ => "(not a URL)".to_string(),
    }
}

/// Byte ranges of `text` that hold a credential (see the module's doc),
/// sorted and disjoint. Each line is read on its own.
pub fn credential_spans(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut base = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        line_spans(body, base, &mut out);
        base += line.len();
    }
    merge(out)
}

/// Sorts and joins overlapping or touching ranges; drops empty ones.
fn merge(mut v: Vec<Range<usize>>) -> Vec<Range<usize>> {
    v.retain(|r| r.start < r.end);
    v.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Bytes of a name before `=`: `NPM_TOKEN`, `//host:1/path/:_authToken`, `--npm-token`.
fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b':' | b'/' | b'@')
}

/// Where an unquoted value written next to its `=` ends.
fn ends_token(c: char) -> bool {
    c.is_whitespace() || "\"'`;,&|)}]<>".contains(c)
}

/// The length of an unquoted value written next to its `=`: up to
/// [`ends_token`], a `${…}` or `$(…)` taken whole.
fn token_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && matches!(b.get(i + 1), Some(b'{' | b'(')) {
            let (open, close) = if b[i + 1] == b'{' {
                (b'{', b'}')
            } else {
                (b'(', b')')
            };
            let mut depth = 0usize;
            let mut j = i + 1;
            while j < b.len() {
                if b[j] == open {
                    depth += 1;
                } else if b[j] == close {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                j += 1;
            }
            i = (j + 1).min(b.len());
            continue;
        }
        let c = s[i..].chars().next().unwrap_or(' ');
        if ends_token(c) {
            break;
        }
        i += c.len_utf8();
    }
    i
}

/// True for a value that only refers to another: `$VAR`, `${VAR}`,
/// `${VAR:?message}`, `${VAR:-}`, `$(command)`.
fn is_reference(v: &str) -> bool {
    let v = v.trim();
    if let Some(rest) = v.strip_prefix("$(") {
        return rest.ends_with(')');
    }
    let name_len = |s: &str| {
        s.bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count()
    };
    if let Some(inner) = v.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        let n = name_len(inner);
        let op = &inner[n..];
        // No default, an empty one, or an error message if unset.
        return n > 0
            && (matches!(op, "" | "-" | ":-") || op.starts_with('?') || op.starts_with(":?"));
    }
    if let Some(name) = v.strip_prefix('$') {
        return !name.is_empty() && name_len(name) == name.len();
    }
    false
}

/// The value starting at byte `at`: inside its quotes when quoted; else up
/// to a token's end (`rest` false) or the end of the line, trimmed (`rest`).
fn value_at(line: &str, at: usize, rest: bool) -> Option<Range<usize>> {
    let s = line.get(at..)?;
    let q = s.chars().next()?;
    let r = if q == '"' || q == '\'' {
        let body = &s[1..];
        let mut end = body.len();
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                end = i;
                break;
            }
        }
        at + 1..at + 1 + end
    } else if rest {
        at..at + s.trim_end().len()
    } else {
        at..at + token_len(s)
    };
    let v = &line[r.clone()];
    (!v.trim().is_empty() && !is_reference(v) && v != MASK).then_some(r)
}

static MAPPING: LazyLock<Regex> = LazyLock::new(|| {
    // A key where YAML or JSON puts one: first on its line (after a list
    // item's `- `), or after a flow collection's `{`, `[` or `,`; not a word
    // in prose (`a build secret: …`).
    Regex::new(
        r#"(?:^[ \t]*(?:-[ \t]+)*|[{,\[][ \t]*)(?:"([^"\\]+)"|'([^']+)'|([A-Za-z_][A-Za-z0-9_.-]*))[ \t]*:"#,
    )
        .expect("the mapping pattern")
});
static LEGACY_ENV: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*ENV[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]+(\S.*)$").expect("the ENV pattern")
});
static USERINFO: LazyLock<Regex> = LazyLock::new(|| {
    // `user:password@host` written without a scheme; not `image:tag@sha256:…`.
    Regex::new(r#"(?:^|[\s"'=(<,])[A-Za-z0-9._~%!$&*+;-]+:([^\s/@"'<>:]+)@([A-Za-z0-9.\[\]-]+)"#)
        .expect("the userinfo pattern")
});
static AUTHORIZATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\bauthorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|token)\s+)?([^\s"',]+)"#,
    )
    .expect("the Authorization pattern")
});

/// Whether `line` holds a word [`is_secret_name`] can accept as part of a
/// key (`TOKEN`, `AUTH`, `PASSWORD`, `SECRET`, any case): without one, no
/// `NAME=value`, `NAME: value`, `ENV` or `Authorization` span can be found,
/// and the patterns (compiled once per process) are not needed.
fn names_a_secret(line: &str) -> bool {
    const WORDS: [&[u8]; 4] = [b"TOKEN", b"AUTH", b"PASSWORD", b"SECRET"];
    let b = line.as_bytes();
    WORDS
        .iter()
        .any(|w| b.windows(w.len()).any(|win| win.eq_ignore_ascii_case(w)))
}

fn line_spans(line: &str, base: usize, out: &mut Vec<Range<usize>>) {
    let b = line.as_bytes();
    let mut push = |r: Range<usize>| out.push(base + r.start..base + r.end);
    if !names_a_secret(line) {
        url_spans(line, &mut push);
        return;
    }
    // `NAME=value`, `NAME = value` at the start of a line (ini, TOML, .env).
    for (i, _) in line.match_indices('=') {
        if b.get(i + 1) == Some(&b'=') || i > 0 && matches!(b[i - 1], b'=' | b'!' | b'<' | b'>') {
            continue;
        }
        let mut key_end = i;
        while key_end > 0 && matches!(b[key_end - 1], b' ' | b'\t') {
            key_end -= 1;
        }
        let mut key_start = key_end;
        while key_start > 0 && is_key_byte(b[key_start - 1]) {
            key_start -= 1;
        }
        if key_start == key_end {
            continue;
        }
        let first = line[..key_start].trim().is_empty();
        if key_end < i && !first {
            continue;
        }
        let key = &line[key_start..key_end];
        let name = key.rsplit([':', '/']).next().unwrap_or(key);
        if !is_secret_name(name.trim_start_matches('-')) {
            continue;
        }
        let mut v = i + 1;
        if first {
            v += line[v..].len() - line[v..].trim_start().len();
        }
        if let Some(r) = value_at(line, v, first) {
            push(r);
        }
    }
    // `NAME: value` (YAML, JSON, compose `args:`).
    for c in MAPPING.captures_iter(line) {
        let Some(key) = c.get(1).or(c.get(2)).or(c.get(3)) else {
            continue;
        };
        let colon = c.get(0).map_or(0, |m| m.end());
        let quoted = c.get(3).is_none();
        let after = &line[colon..];
        let next = after.chars().next();
        if !(next.is_none_or(char::is_whitespace) || quoted && matches!(next, Some('"' | '\''))) {
            continue;
        }
        if !is_secret_name(key.as_str()) {
            continue;
        }
        let at = colon + after.len() - after.trim_start().len();
        let rest = &line[at..];
        if rest.is_empty() || rest.starts_with(['|', '>', '&', '*', '#']) {
            continue;
        }
        let r = if rest.starts_with(['"', '\'']) {
            value_at(line, at, false)
        } else {
            // Plain scalar: to a comment, or the flow collection's next item.
            let flow = line[..key.start()].contains(['{', '[']);
            let mut end = rest.len();
            if let Some(i) = rest.find(" #") {
                end = end.min(i);
            }
            if flow {
                if let Some(i) = rest.find([',', '}', ']']) {
                    end = end.min(i);
                }
            }
            let v = rest[..end].trim_end();
            (!v.is_empty() && !is_reference(v) && v != MASK).then(|| at..at + v.len())
        };
        if let Some(r) = r {
            push(r);
        }
    }
    // Dockerfile's `ENV NAME value` form.
    if let Some(c) = LEGACY_ENV.captures(line) {
        if let (Some(name), Some(v)) = (c.get(1), c.get(2)) {
            if is_secret_name(name.as_str()) {
                let rest = v.as_str().trim_end();
                let quoted = rest.len() >= 2
                    && (rest.starts_with('"') && rest.ends_with('"')
                        || rest.starts_with('\'') && rest.ends_with('\''));
                let r = if quoted {
                    v.start() + 1..v.start() + rest.len() - 1
                } else {
                    v.start()..v.start() + rest.len()
                };
                let val = &line[r.clone()];
                if !val.is_empty() && !is_reference(val) && val != MASK {
                    push(r);
                }
            }
        }
    }
    url_spans(line, &mut push);
    for c in AUTHORIZATION.captures_iter(line) {
        if let Some(m) = c.get(1) {
            if !is_reference(m.as_str()) && m.as_str() != MASK {
                push(m.range());
            }
        }
    }
}

/// URL userinfo and query, and `user:password@host` without a scheme.
fn url_spans(line: &str, push: &mut impl FnMut(Range<usize>)) {
    let b = line.as_bytes();
    // URLs: userinfo and query.
    for (i, _) in line.match_indices("://") {
        let scheme = line[..i]
            .bytes()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-'))
            .count();
        if scheme == 0 || !b[i - scheme].is_ascii_alphabetic() {
            continue;
        }
        let start = i + 3;
        let stop = |c: char| c.is_whitespace() || "\"'`<>".contains(c);
        let tail = &line[start..];
        let end = start + tail.find(stop).unwrap_or(tail.len());
        let url = &line[start..end];
        let auth_len = url.find(['/', '?', '#']).unwrap_or(url.len());
        if let Some(at) = url[..auth_len].rfind('@') {
            push(start..start + at);
        }
        if let Some(q) = url.find('?') {
            let query = &url[q + 1..];
            let qe = query.find('#').unwrap_or(query.len());
            push(start + q + 1..start + q + 1 + qe);
        }
    }
    if !line.contains('@') {
        return;
    }
    for c in USERINFO.captures_iter(line) {
        let (Some(pw), Some(host)) = (c.get(1), c.get(2)) else {
            continue;
        };
        // An image digest (`node:22@sha256:…`) is no password.
        if host.as_str().starts_with("sha") && line[host.end()..].starts_with(':') {
            continue;
        }
        push(pw.range());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(s: &str) -> String {
        Redactor::default().redact(s)
    }

    #[test]
    fn json_strings_are_masked_and_the_json_stays_valid() {
        let mut v = serde_json::json!({
            "command": "docker build --build-arg NPM_TOKEN=abc123def --progress plain",
            "lines": ["//h/:_authToken=npm_abcdef123", "ok"],
        });
        Redactor::default().redact_json(&mut v);
        let text = serde_json::to_string_pretty(&v).unwrap();
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(
            !text.contains("abc123def") && !text.contains("npm_abcdef123"),
            "{text}"
        );
        assert_eq!(back["lines"][1], "ok");
    }

    #[test]
    fn names() {
        for n in [
            "GITEA_NPM_TOKEN",
            "npm_token",
            "TOKEN",
            "NPM_CONFIG__AUTH",
            "npm_config__authToken",
            "DB_PASSWORD",
            "APP_SECRET_KEY",
            "AUTH_SECRET",
            "_authToken",
            "_password",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "GITEA_NPM_HOST",
            "GITEA_NPM_TOKEN_FILE",
            "SECRET_PATH",
            "NEXT_PUBLIC_AUTH_URL",
            "NODE_ENV",
            "TOKENIZER_MODEL",
            "AUTHOR",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn credential_spans_in_each_syntax() {
        for (line, shown) in [
            (
                "//localhost:3300/api/npm/:_authToken=npm_abcdef123",
                "//localhost:3300/api/npm/:_authToken=****",
            ),
            ("_auth = dXNlcjpwYXNz", "_auth = ****"),
            ("ARG NPM_TOKEN=abc123def", "ARG NPM_TOKEN=****"),
            ("ARG NPM_TOKEN=\"abc 123\"", "ARG NPM_TOKEN=\"****\""),
            (
                "ENV A=1 MY_API_TOKEN=xyz987 B=2",
                "ENV A=1 MY_API_TOKEN=**** B=2",
            ),
            ("ENV NPM_TOKEN xyz 987", "ENV NPM_TOKEN ****"),
            ("        NPM_TOKEN: abc123", "        NPM_TOKEN: ****"),
            ("      - NPM_TOKEN=abc123", "      - NPM_TOKEN=****"),
            (
                "    args: {NPM_TOKEN: abc, X: 1}",
                "    args: {NPM_TOKEN: ****, X: 1}",
            ),
            ("\"NPM_TOKEN\": \"abc123\",", "\"NPM_TOKEN\": \"****\","),
            (
                "--build-arg DB_PASSWORD=hunter22 .",
                "--build-arg DB_PASSWORD=**** .",
            ),
            ("ARG NPM_TOKEN=${X:-abc}", "ARG NPM_TOKEN=****"),
            ("token_var = \"abc\"", "token_var = \"abc\""),
            (
                "http://u:pw@host:1/p?token=abc#f",
                "http://****@host:1/p?****",
            ),
            ("user:pw123@127.0.0.1:1", "user:****@127.0.0.1:1"),
            (
                "Authorization: Bearer abc.def",
                "Authorization: Bearer ****",
            ),
        ] {
            assert_eq!(masked(line), shown, "{line}");
        }
    }

    #[test]
    fn references_and_lookalikes_stay() {
        for line in [
            "//localhost:3300/api/npm/:_authToken=${GITEA_NPM_TOKEN}",
            "ENV GITEA_NPM_TOKEN=$GITEA_NPM_TOKEN",
            "    export GITEA_NPM_TOKEN=\"$(cat /run/secrets/gitea_npm_token 2>/dev/null || echo '')\" && \\",
            "ENV NPM_TOKEN=",
            "ARG GITEA_NPM_HOST=host.docker.internal",
            "FROM node:22-alpine@sha256:0123abcd AS base",
            "RUN --mount=type=secret,id=gitea_npm_token pnpm install",
            "if [ \"$NPM_TOKEN\" == x ]; then",
            "`_authToken=`, `_auth=` or `_password=` line",
            "      - GITEA_NPM_TOKEN",
            "secrets:",
            "http://localhost:3300/api/packages/x/npm/",
            "ARG NPM_TOKEN=****",
            "and mounts no build secret: it builds only from tarballs",
            "write `_authToken=${TOKEN_VAR}` and pass the token",
            "RUN NPM_TOKEN=$(cat /run/secrets/t) pnpm install",
        ] {
            assert_eq!(masked(line), line);
        }
    }

    #[test]
    fn known_values_longest_first() {
        let mut r = Redactor::default();
        r.add("abcd");
        r.add("abcdefgh\n");
        r.add("ab");
        assert_eq!(r.redact("x abcdefgh y abcd ab"), "x **** y **** ab");
        let mut q = Redactor::default();
        q.add("pa\"ss\\word");
        assert_eq!(
            q.redact_known(r#"{"m": "pa\"ss\\word"}"#),
            r#"{"m": "****"}"#
        );
    }

    #[test]
    fn environment_values_of_credential_names() {
        let r = Redactor::from_vars([
            ("GITEA_NPM_TOKEN", "tok-123456"),
            ("NPM_CONFIG__AUTH", "dXNlcjpw"),
            ("CI_PASSWORD", "1"),
            ("HOME", "/root/home"),
        ]);
        assert_eq!(
            r.redact_known("tok-123456 dXNlcjpw 1 /root/home"),
            "**** **** 1 /root/home"
        );
    }

    #[test]
    fn offsets_map_through_masks() {
        let line = "ARG NPM_TOKEN=abcdefgh X=1";
        let m = Redactor::default().mask(line);
        assert_eq!(m.text, "ARG NPM_TOKEN=**** X=1");
        assert_eq!(m.offset(4, false), 4);
        assert_eq!(m.offset(14, false), 14);
        assert_eq!(m.offset(16, false), 14);
        assert_eq!(m.offset(16, true), 18);
        assert_eq!(m.offset(22, false), 18);
        assert_eq!(m.offset(26, true), 22);
    }

    #[test]
    fn urls_print_without_credentials() {
        assert_eq!(
            display_url("https://u:secret@reg.example/api/npm?token=pw#x"),
            "https://reg.example/api/npm"
        );
        assert_eq!(display_url("user:pw@127.0.0.1:1"), "(not a URL)");
        assert_eq!(
            display_url("http://127.0.0.1:1/npm/?token=pw"),
            "http://127.0.0.1:1/npm/"
        );
    }

    #[test]
    fn echoed_lines_stop_at_nul() {
        assert_eq!(echo_line("A=1\0NPM_TOKEN=x"), "A=1");
        assert_eq!(echo_line("a\u{1b}[31mb\tc"), "a\u{FFFD}[31mb\tc");
    }
}
