//! The specifiers a tarball prep (`docker-prep.sh`, `dockprep prep`) writes,
//! and any other way of pointing pnpm at a `.docker-deps/` directory, in the
//! files pnpm reads specifiers from: `package.json`, `package.json5`,
//! `package.yaml`, `pnpm-workspace.yaml` (overrides, catalogs), the lockfile
//! and `.pnpmfile.cjs`. The pre-commit guard, `restore` and the audit share
//! this one scan; the guard's shell fallback uses [`fallback_pattern`], built
//! from the same grammar, and a shared case table tests both.
//!
//! A *deps specifier* is, after decoding the file's string escapes (JSON's
//! `\/` and `\u002f`, JSON5's and YAML's `\x2f`, …) and trimming whitespace,
//! a string that starts (in any case) with `file:` or `link:`, or is a local
//! path (`./`, `../`, `/`, `~/`, `C:\`, either separator), whose path, with
//! `%XX` escapes decoded, has a `.docker-deps` component (in any case, `/` or
//! `\` separated). In `.pnpmfile.cjs` (code, where a specifier is often built
//! by concatenation) any string literal naming a `.docker-deps` path
//! component counts. Text that is not valid JSON or UTF-8 is still scanned:
//! a raw line break ends a string, invalid sequences count as one character.

use std::sync::OnceLock;

use crate::syntax::span::{floor_char_boundary, LineIndex};

/// The longest specifier quoted in a [`Reference`] (longer ones end in `…`).
const SNIPPET_MAX: usize = 200;

/// The directory prep writes tarballs to.
const DEPS: &str = ".docker-deps";

/// How a file's strings are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// `"…"` strings with JSON's escapes.
    Json,
    /// `"…"` and `'…'` strings, `\x`, line continuations, comments.
    Json5,
    /// Any YAML scalar (plain, quoted, block), keys included.
    Yaml,
    /// JavaScript: `"…"`, `'…'` and `` `…` `` literals, comments.
    Js,
}

/// The files pnpm reads specifiers from, by file name (matched in any case,
/// as a case-insensitive disk would).
pub const FILES: &[(&str, Format)] = &[
    ("package.json", Format::Json),
    ("package.json5", Format::Json5),
    ("package.yaml", Format::Yaml),
    ("pnpm-workspace.yaml", Format::Yaml),
    ("pnpm-lock.yaml", Format::Yaml),
    (".pnpmfile.cjs", Format::Js),
    (".pnpmfile.mjs", Format::Js),
];

impl Format {
    /// The format of a file named `name` (no directory), if pnpm reads
    /// specifiers from it.
    pub fn of(name: &str) -> Option<Format> {
        FILES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, f)| *f)
    }
}

/// A specifier into `.docker-deps/` found in a file's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub line: usize,
    pub column: usize,
    /// The text as written (escapes not decoded, control characters shown
    /// as `?`), cut at [`SNIPPET_MAX`] bytes.
    pub specifier: String,
}

/// The deps specifiers of a `package.json` ([`Format::Json`]).
pub fn scan_manifest(bytes: &[u8]) -> Vec<Reference> {
    scan(Format::Json, bytes)
}

/// The deps specifiers in `bytes`, a file of `format`.
pub fn scan(format: Format, bytes: &[u8]) -> Vec<Reference> {
    let text = String::from_utf8_lossy(bytes);
    let mut hits: Vec<(usize, usize)> = match format {
        Format::Yaml => yaml_hits(&text),
        _ => literals(&text, format)
            .into_iter()
            .filter(|l| match format {
                Format::Js => names_deps_path(&l.value),
                _ => is_deps_specifier(&l.value),
            })
            .map(|l| (l.start, l.end))
            .collect(),
    };
    if hits.is_empty() {
        return Vec::new();
    }
    hits.sort_unstable();
    hits.dedup_by_key(|h| h.0);
    let index = LineIndex::new(&text);
    hits.into_iter()
        .map(|(start, end)| {
            let pos = index.position(&text, start);
            Reference {
                line: pos.line,
                column: pos.column,
                specifier: snippet(&text[start..end.max(start)]),
            }
        })
        .collect()
}

/// Whether a decoded string value is a deps specifier (see the module doc).
pub fn is_deps_specifier(value: &str) -> bool {
    let v = value.trim_matches(|c: char| c.is_ascii_whitespace());
    let head = v.get(..5).map(str::to_ascii_lowercase);
    let path = match head.as_deref() {
        Some("file:" | "link:") => &v[5..],
        _ if is_local_path(v) => v,
        _ => return false,
    };
    names_deps_path(&percent_decoded(path))
}

/// Whether `path` has a `.docker-deps` component (any case, either separator).
pub fn names_deps_path(path: &str) -> bool {
    path.split(['/', '\\'])
        .any(|c| c.eq_ignore_ascii_case(DEPS))
}

/// A path pnpm reads as a local directory or tarball without a `file:`.
fn is_local_path(v: &str) -> bool {
    let b = v.as_bytes();
    let sep = |i: usize| matches!(b.get(i), Some(b'/' | b'\\'));
    sep(0)
        || (b.first() == Some(&b'~') && sep(1))
        || (b.first() == Some(&b'.') && (sep(1) || (b.get(1) == Some(&b'.') && sep(2))))
        || (b.first().is_some_and(u8::is_ascii_alphabetic) && b.get(1) == Some(&b':') && sep(2))
}

fn percent_decoded(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = || std::str::from_utf8(b.get(i + 1..i + 3)?).ok();
        match hex().and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(v) if b[i] == b'%' => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn snippet(raw: &str) -> String {
    let cut = floor_char_boundary(raw, SNIPPET_MAX);
    let ellipsis = if cut < raw.len() { "…" } else { "" };
    let shown: String = raw[..cut]
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    format!("{shown}{ellipsis}")
}

/// A string literal: the byte range of its text (inside the quotes) and its
/// decoded value.
struct Literal {
    start: usize,
    end: usize,
    value: String,
}

/// The string literals of JSON, JSON5 or JavaScript text, decoded.
fn literals(text: &str, format: Format) -> Vec<Literal> {
    let b = text.as_bytes();
    let quote = |c: u8| match format {
        Format::Json => c == b'"',
        Format::Json5 | Format::Yaml => c == b'"' || c == b'\'',
        Format::Js => c == b'"' || c == b'\'' || c == b'`',
    };
    let comments = format != Format::Json;
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if comments && c == b'/' && b.get(i + 1) == Some(&b'/') {
            i = find(b, i, b"\n").unwrap_or(b.len());
        } else if comments && c == b'/' && b.get(i + 1) == Some(&b'*') {
            i = find(b, i + 2, b"*/").map_or(b.len(), |e| e + 2);
        } else if quote(c) {
            let (lit, next) = literal(text, i + 1, c, format);
            out.push(lit);
            i = next;
        } else {
            i += 1;
        }
    }
    out
}

fn find(b: &[u8], from: usize, what: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(what.len())
        .position(|w| w == what)
        .map(|p| from + p)
}

/// The literal whose text starts at byte `start`, closed by `q`; and the
/// byte after it. A raw line break ends it unless it is a template literal.
fn literal(text: &str, start: usize, q: u8, format: Format) -> (Literal, usize) {
    let b = text.as_bytes();
    let mut value = String::new();
    let mut i = start;
    loop {
        let Some(&c) = b.get(i) else {
            return (
                Literal {
                    start,
                    end: i,
                    value,
                },
                i,
            );
        };
        if c == q {
            return (
                Literal {
                    start,
                    end: i,
                    value,
                },
                i + 1,
            );
        }
        if (c == b'\n' || c == b'\r') && q != b'`' {
            return (
                Literal {
                    start,
                    end: i,
                    value,
                },
                i,
            );
        }
        if c != b'\\' {
            let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
            value.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let (decoded, next) = escape(text, i + 1, format);
        value.extend(decoded);
        i = next;
    }
}

/// The character(s) an escape stands for (the text after its backslash
/// starts at byte `at`); and the byte after it.
fn escape(text: &str, at: usize, format: Format) -> (Option<char>, usize) {
    let b = text.as_bytes();
    let Some(&e) = b.get(at) else {
        return (None, at);
    };
    let json = format == Format::Json;
    let hex = |from: usize, n: usize| -> Option<u32> {
        let h = std::str::from_utf8(b.get(from..from + n)?).ok()?;
        h.bytes()
            .all(|x| x.is_ascii_hexdigit())
            .then(|| u32::from_str_radix(h, 16).ok())?
    };
    let simple = |c: char| (Some(c), at + 1);
    match e {
        b'n' => simple('\n'),
        b't' => simple('\t'),
        b'r' => simple('\r'),
        b'b' => simple('\u{8}'),
        b'f' => simple('\u{c}'),
        b'v' if !json => simple('\u{b}'),
        b'0' if !json => simple('\0'),
        b'x' if !json => match hex(at + 1, 2) {
            Some(v) => (char::from_u32(v), at + 3),
            None => simple('x'),
        },
        b'u' if format == Format::Js && b.get(at + 1) == Some(&b'{') => {
            let close = find(b, at + 2, b"}").filter(|&c| c - (at + 2) <= 8);
            match close.and_then(|c| Some((hex(at + 2, c - (at + 2))?, c))) {
                Some((v, c)) => (Some(char::from_u32(v).unwrap_or('\u{fffd}')), c + 1),
                None => simple('u'),
            }
        }
        b'u' => match hex(at + 1, 4) {
            Some(hi @ 0xD800..=0xDBFF) => {
                let lo = (b.get(at + 5..at + 7) == Some(b"\\u"))
                    .then(|| hex(at + 7, 4))
                    .flatten()
                    .filter(|lo| (0xDC00..=0xDFFF).contains(lo));
                match lo {
                    Some(lo) => (
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)),
                        at + 11,
                    ),
                    None => (Some('\u{fffd}'), at + 5),
                }
            }
            Some(v) => (Some(char::from_u32(v).unwrap_or('\u{fffd}')), at + 5),
            None => simple('u'),
        },
        // A line continuation (JSON5, JavaScript): nothing.
        b'\r' if !json => (None, at + 1 + usize::from(b.get(at + 1) == Some(&b'\n'))),
        b'\n' if !json => (None, at + 1),
        _ => {
            let ch = text[at..].chars().next().unwrap_or('\u{fffd}');
            let next = at + ch.len_utf8();
            if !json && (ch == '\u{2028}' || ch == '\u{2029}') {
                return (None, next);
            }
            (Some(ch), next)
        }
    }
}

/// YAML: every scalar (decoded by the parser) that is a deps specifier,
/// and every line the raw pattern matches (so a file the parser rejects, or
/// nests deeper than it reads, is still covered).
fn yaml_hits(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if let Ok(doc) = crate::syntax::yaml::parse(text) {
        let mut stack = vec![&doc];
        while let Some(n) = stack.pop() {
            match &n.value {
                crate::syntax::yaml::Value::Scalar(s) if is_deps_specifier(s) => {
                    let (mut start, mut end) = (n.span.start, n.span.end.min(text.len()));
                    if let (Some(q @ (b'"' | b'\'')), true) =
                        (text.as_bytes().get(start), end > start + 1)
                    {
                        start += 1;
                        if text.as_bytes().get(end - 1) == Some(q) {
                            end -= 1;
                        }
                    }
                    out.push((start, end.max(start)));
                }
                crate::syntax::yaml::Value::Seq(items) => stack.extend(items),
                crate::syntax::yaml::Value::Map(entries) => {
                    stack.extend(entries.iter().flat_map(|(k, v)| [k, v]));
                }
                _ => {}
            }
        }
    }
    let Some(re) = raw_matcher(Format::Yaml) else {
        return out;
    };
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some(m) = re.find(body) {
            if !out
                .iter()
                .any(|&(s, _)| s >= offset && s < offset + line.len())
            {
                out.push((offset + m.start(), offset + m.end()));
            }
        }
        offset += line.len();
    }
    out
}

/// [`fallback_pattern`] compiled for this crate's regex engine (same
/// syntax subset, so the two match the same lines).
fn raw_matcher(format: Format) -> Option<&'static regex::Regex> {
    static CELLS: [OnceLock<Option<regex::Regex>>; 4] = [const { OnceLock::new() }; 4];
    let i = match format {
        Format::Json => 0,
        Format::Json5 => 1,
        Format::Yaml => 2,
        Format::Js => 3,
    };
    // Built from constants: a pattern that does not compile is a bug the
    // tests catch.
    CELLS[i]
        .get_or_init(|| regex::Regex::new(&format!("(?i){}", fallback_pattern(format))).ok())
        .as_ref()
}

/// A POSIX extended regular expression (for `grep -iE`, one line at a time)
/// that matches a line of raw `format` text holding a deps specifier in any
/// of the encodings the scan decodes: the shell fallback of the pre-commit
/// hook, for machines without dockprep. Only syntax POSIX ERE and this
/// crate's `regex` read alike is used (`(a|b)`, `*`, `?`, `[^…]`,
/// `[[:space:]]`, `[a-z]`, `\` before a special character, `^`, `$`).
pub fn fallback_pattern(format: Format) -> String {
    let letters = matches!(format, Format::Json5 | Format::Js);
    let word = |w: &str, percent: bool| -> String {
        w.chars().map(|c| encoded(c, percent, letters)).collect()
    };
    let sep = |percent: bool| {
        format!(
            "({}|{})",
            encoded('/', percent, letters),
            encoded('\\', percent, letters)
        )
    };
    let quotes = match format {
        Format::Json => "\"",
        Format::Json5 | Format::Yaml => "\"'",
        Format::Js => "\"'`",
    };
    let alt = |chars: &str| {
        let v: Vec<String> = chars.chars().map(literal_char).collect();
        format!("({})", v.join("|"))
    };
    let content = format!("([^{quotes}]*{})?", sep(true));
    let deps = word(DEPS, true);
    if format == Format::Js {
        let q = alt(quotes);
        return format!("{q}{content}{deps}({}|{q})", sep(true));
    }
    let open = match format {
        Format::Yaml => "(^|:[[:space:]]|-[[:space:]]|,|\\{|\\[|\"|')".to_string(),
        _ => alt(quotes),
    };
    let close = match format {
        Format::Yaml => format!("({}|\"|'|[[:space:]]|,|]|}}|#|$)", sep(true)),
        _ => format!("({}|{})", sep(true), alt(quotes)),
    };
    let ws = "([[:space:]]|\\\\[tnrfv]|\\\\u00(20|09|0a|0b|0c|0d)|\\\\x(20|09|0a|0b|0c|0d))*";
    let dot = encoded('.', false, letters);
    let local = format!(
        "(({}|{dot}{dot}?)?{}|[a-z]{}{})",
        encoded('~', false, letters),
        sep(false),
        encoded(':', false, letters),
        sep(false)
    );
    format!(
        "{open}{ws}({}|{}|{local}){content}{deps}{close}",
        word("file:", false),
        word("link:", false),
    )
}

/// `c` as written, or in any escape a file of these formats may spell it
/// with: `\c` (punctuation; letters too in JSON5 and JavaScript, except
/// those that are escapes themselves), `\xHH`, `\u00HH`, `\u{HH}`,
/// `\U000000HH`, and (in a path) `%HH`.
fn encoded(c: char, percent: bool, letters: bool) -> String {
    let h = format!("{:02x}", c as u32);
    let lit = literal_char(c);
    let mut alts = vec![lit.clone()];
    if !c.is_ascii_alphanumeric() || (letters && !"bfnrtvux".contains(c)) {
        alts.push(format!("\\\\{lit}"));
    }
    alts.push(format!("\\\\x{h}"));
    alts.push(format!("\\\\u00{h}"));
    alts.push(format!("\\\\u\\{{0*{h}}}"));
    alts.push(format!("\\\\U000000{h}"));
    if percent {
        alts.push(format!("%{h}"));
    }
    format!("({})", alts.join("|"))
}

/// `c` as an ERE literal.
fn literal_char(c: char) -> String {
    if ".[]()*+?{|^$\\".contains(c) {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(format: Format, text: &str) -> bool {
        !scan(format, text.as_bytes()).is_empty()
    }

    #[test]
    fn specifiers() {
        for v in [
            "file:../.docker-deps/x.tgz",
            "FILE:.docker-deps/x.tgz",
            "link:..\\.DOCKER-DEPS",
            " file:../.docker-deps",
            "../.docker-deps/x.tgz",
            "/abs/.docker-deps/x.tgz",
            "~/.docker-deps/x.tgz",
            "C:\\w\\.docker-deps\\x.tgz",
            "file:..%2f.docker-deps%2Fx.tgz",
            "file:%2Edocker-deps/x.tgz",
        ] {
            assert!(is_deps_specifier(v), "{v}");
        }
        for v in [
            "file:../my.docker-deps/x.tgz",
            "file:../.docker-deps-old/x.tgz",
            "see file:../.docker-deps/x.tgz",
            "rm -rf ./.docker-deps",
            ".docker-deps/x.tgz",
            "npm:x@1",
            "file:",
            "",
        ] {
            assert!(!is_deps_specifier(v), "{v}");
        }
    }

    #[test]
    fn escapes_are_decoded() {
        for t in [
            r#""file:..\u002f.docker-deps/x""#,
            r#""\u0066ile:../.docker-deps/x""#,
            r#""file:..\/.docker-deps\/x""#,
            r#""file:..\\.docker-deps\\x""#,
            r#""file:../\ud83d\ude00/.docker-deps/x""#,
        ] {
            assert!(hits(Format::Json, t), "{t}");
        }
        assert!(hits(Format::Json5, r"'file:..\x2f.docker-deps/x'"));
        assert!(hits(Format::Json5, "'file:../.dock\\\ner-deps/x'"));
        assert!(!hits(Format::Json, "'file:../.docker-deps/x'"));
        assert!(hits(Format::Js, r"'\u{2e}docker-deps'"));
        assert!(!hits(Format::Json5, "// 'file:../.docker-deps/x'\n{}"));
        assert!(!hits(Format::Json5, "/* 'file:../.docker-deps/x' */{}"));
    }

    #[test]
    fn yaml_scalars_of_any_style() {
        for t in [
            "a: file:../.docker-deps/x.tgz\n",
            "a: 'file:../.docker-deps/x.tgz'\n",
            "a: \"file:..\\x2f.docker-deps/x.tgz\"\n",
            "a: \"file:..\\u002f.docker-\\\n  deps/x.tgz\"\n",
            "a: >-\n  file:../.docker-deps/x.tgz\n",
            "- [file:../.docker-deps/x.tgz]\n",
            "file:../.docker-deps/x.tgz: 1\n",
            // Not YAML at all: the raw pattern still sees it.
            "a: [file:../.docker-deps/x.tgz\n  b: {\n",
        ] {
            assert!(hits(Format::Yaml, t), "{t}");
        }
        assert!(!hits(Format::Yaml, "a: see file:../.docker-deps/x\n"));
        assert!(!hits(Format::Yaml, "# file:../.docker-deps/x\na: 1\n"));
    }

    #[test]
    fn finds_references_with_line_and_column() {
        let text = "{\n  \"a\": \"file:../.docker-deps/a.tgz\",\n  \"b\": \"\\u0066ile:./.docker-deps/b.tgz\"\n}\n";
        let r: Vec<_> = scan_manifest(text.as_bytes())
            .into_iter()
            .map(|r| (r.line, r.column, r.specifier))
            .collect();
        assert_eq!(
            r,
            [
                (2, 9, "file:../.docker-deps/a.tgz".to_string()),
                (3, 9, "\\u0066ile:./.docker-deps/b.tgz".to_string()),
            ]
        );
        let y = scan(
            Format::Yaml,
            b"overrides:\n  a: 'file:../.docker-deps/a.tgz'\n",
        );
        assert_eq!((y[0].line, y[0].column), (2, 7));
        assert_eq!(y[0].specifier, "file:../.docker-deps/a.tgz");
    }

    #[test]
    fn snippets_are_cut_and_show_no_control_characters() {
        let long = format!("{{\"a\": \"file:../.docker-deps/{}é\"}}", "x".repeat(500));
        let r = scan_manifest(long.as_bytes());
        assert!(r[0].specifier.len() <= SNIPPET_MAX + "…".len());
        assert!(r[0].specifier.ends_with('…'));
        let r = scan_manifest(b"\"file:../.docker-deps/\x1b[2Jx\x07\"");
        assert_eq!(r[0].specifier, "file:../.docker-deps/?[2Jx?");
    }

    #[test]
    fn the_fallback_pattern_compiles_and_matches_the_raw_forms() {
        for f in [Format::Json, Format::Json5, Format::Yaml, Format::Js] {
            let re = regex::Regex::new(&format!("(?i){}", fallback_pattern(f))).unwrap();
            assert!(re.is_match("\"file:..\\u002F.docker-deps/x\""), "{f:?}");
        }
        let re = raw_matcher(Format::Json).unwrap();
        assert!(re.is_match(r#""a": "LINK:..\\.docker-deps""#));
        assert!(!re.is_match(r#""a": "file:../.docker-deps-old/x""#));
        assert!(!re.is_match(r#""a": "see file:../.docker-deps/x""#));
    }

    #[test]
    fn nothing_to_find_in_odd_input() {
        for t in [
            &b""[..],
            b"\"",
            b"\"file:",
            b"\"\\",
            b"\"\\u12",
            b"'\\x",
            b"/*",
            b"\xff\"",
        ] {
            for f in [Format::Json, Format::Json5, Format::Yaml, Format::Js] {
                let _ = scan(f, t);
            }
        }
        assert_eq!(scan_manifest(b"\"file:.docker-deps").len(), 1);
        assert_eq!(Format::of("PACKAGE.JSON"), Some(Format::Json));
        assert_eq!(Format::of("package.json.bak"), None);
    }
}
