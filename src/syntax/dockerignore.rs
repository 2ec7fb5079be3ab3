//! `.dockerignore` parsing and matching with BuildKit semantics.
//!
//! This module re-implements, in plain Rust with no dependencies, what
//! BuildKit does with a `.dockerignore`: the reader
//! (`moby/patternmatcher/ignorefile.ReadAll`) followed by the matcher
//! (`moby/patternmatcher`, `New` + `MatchesOrParentMatches`).
//!
//! * **Reading.** A UTF-8 BOM is stripped; a line is a comment only when `#`
//!   is its very first character; the rest is trimmed and blank lines are
//!   skipped; a leading `!` marks an exception (re-include) and is trimmed
//!   again after the `!`; the pattern is path-cleaned like Go's
//!   `filepath.Clean` and one leading `/` is removed, so every pattern is
//!   anchored at the context root (`node_modules` does not match
//!   `backend/node_modules`, `**/node_modules` does). CRLF is accepted.
//! * **Matching.** Patterns are evaluated in order and the last one that
//!   matches wins. A path is excluded when it *or any of its parent
//!   directories* matches. Exceptions are only evaluated while the path is
//!   currently excluded, and plain patterns only while it is not.
//! * **Pattern language.** `*` = any run of non-`/` characters, `?` = one
//!   non-`/` character, `[...]` / `[^...]` character classes (`!` is *not* a
//!   negation), `\` escapes, `**` = any number of directories. Like moby,
//!   patterns are classified as exact, prefix (`dir/**`), suffix (`**/x`) or
//!   general; general patterns are translated to the very regular expression
//!   moby builds, and that expression is compiled once, at parse time, into a
//!   small forward-only NFA (no regex crate). moby's quirks are therefore
//!   kept: `**file` also matches `myfile`, a negated class also matches `/`,
//!   and since moby forgets to escape `|`, `{` and `}`, a pattern with a
//!   wildcard such as `*.js|*.ts` is a regexp alternation and `a{2}*` a
//!   counted repetition (`*.{js,ts}` is *not* a brace expansion).
//! * **Errors.** Nothing here panics. A pattern that moby rejects (bad glob
//!   syntax such as an unterminated `[`, a lone `!`, or an expression that Go's
//!   regexp package refuses, like `[z-a]` or `\q`) gets [`Pattern::error`]
//!   set and never matches.
//!
//! Deliberate differences from moby / BuildKit:
//!
//! * BuildKit fails the whole build on an invalid pattern; here only that
//!   pattern is disabled and the others keep working. moby also only notices
//!   regexp-level errors lazily, the first time the pattern is evaluated;
//!   here every error is reported at parse time.
//! * BuildKit's line reader (`bufio.Scanner`) refuses lines longer than
//!   64 KiB and fails the build; here [`DockerIgnore::read_error`] records it
//!   and parsing carries on.
//! * Go regexp syntax that moby lets through via backslash escapes is
//!   emulated (`\d \s \w` and negations, `\b \B \A \z`, `\Q...\E`, octal,
//!   `\xHH`, C escapes, `[[:alpha:]]` classes), except Unicode classes
//!   (`\pL`, `\PL`), which are reported as an error. Go's regexp size and
//!   nesting limits are approximated by a single cap on the compiled size.
//! * The glob syntax check follows current Go, whose `filepath.Match`
//!   validates the whole pattern; BuildKit binaries built with old Go
//!   accepted a few patterns whose syntax error came after the first
//!   mismatch against `.`.
//! * Only the Unix behaviour is implemented (`/` separators, `\` escapes);
//!   the Windows variant, where `\` is a path separator, is not.

use std::borrow::Cow;
use std::ops::Range;

/// Longest line (terminator included) Go's `bufio.Scanner` accepts.
const MAX_LINE_BYTES: usize = 64 * 1024;

/// A parsed `.dockerignore`.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    /// Every non-comment, non-blank line, in file order.
    pub patterns: Vec<Pattern>,
    /// Set when BuildKit would fail to read the file at all (a line longer
    /// than 64 KiB). Patterns are still parsed on a best-effort basis.
    pub read_error: Option<FileError>,
}

/// A problem with the file as a whole rather than with one pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

/// One pattern line of a `.dockerignore`.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The text as written on the line, trimmed (including any `!`).
    pub raw: String,
    /// The cleaned pattern without the leading `!`, exactly as moby matches it.
    pub cleaned: String,
    /// `true` when the pattern re-includes paths (the line started with `!`).
    ///
    /// This is moby's effective flag: in pathological lines such as
    /// `!../../x` (cleaned by moby a second time into `x`) it differs from
    /// `raw.starts_with('!')`.
    pub exception: bool,
    /// 1-based line number in the file.
    pub line: usize,
    /// Byte range of [`Pattern::raw`] in the parsed text.
    pub span: Range<usize>,
    /// Why the pattern is invalid; an invalid pattern never matches.
    pub error: Option<String>,
    compiled: Compiled,
}

/// How a pattern is matched, mirroring moby's internal classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// No wildcard: the path must equal the pattern.
    Exact,
    /// Ends in `**` with no other wildcard: a string prefix test.
    Prefix,
    /// Starts with `**` with no other wildcard: a string suffix test.
    Suffix,
    /// Anything else: matched through the translated regular expression.
    Regex,
    /// Invalid pattern; never matches.
    Never,
}

#[derive(Debug, Clone)]
enum Compiled {
    Never,
    Exact(Box<str>),
    Prefix(Box<str>),
    /// Compared bytewise, exactly as moby slices the pattern.
    Suffix(Box<[u8]>),
    Program(Program),
}

impl DockerIgnore {
    /// Parses the text of a `.dockerignore`. Never fails and never panics;
    /// problems are reported through [`Pattern::error`] and
    /// [`DockerIgnore::read_error`].
    pub fn parse(text: &str) -> DockerIgnore {
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let mut patterns = Vec::new();
        let mut read_error = None;
        let mut offset = bom;

        for (index, segment) in text[bom..].split_inclusive('\n').enumerate() {
            let line = index + 1;
            let start = offset;
            offset += segment.len();

            let scanned = segment.len() + if index == 0 { bom } else { 0 };
            let too_long = if segment.ends_with('\n') {
                scanned > MAX_LINE_BYTES
            } else {
                scanned >= MAX_LINE_BYTES
            };
            if too_long && read_error.is_none() {
                read_error = Some(FileError {
                    line,
                    message: format!(
                        "line {line} is longer than 64 KiB; BuildKit cannot read this \
                         .dockerignore (bufio.Scanner: token too long)"
                    ),
                });
            }

            let content = segment.strip_suffix('\n').unwrap_or(segment);
            let content = content.strip_suffix('\r').unwrap_or(content);
            if content.starts_with('#') {
                continue;
            }
            let trimmed = content.trim();
            if trimmed.is_empty() {
                continue;
            }
            let lead = content.len() - content.trim_start().len();
            let span = start + lead..start + lead + trimmed.len();
            patterns.push(Pattern::from_line(trimmed, line, span));
        }

        DockerIgnore {
            patterns,
            read_error,
        }
    }

    /// Builds a matcher from individual lines (handy in tests). Each item is
    /// treated as one line of a `.dockerignore`; the result is the same as
    /// parsing the items joined with `\n`.
    pub fn from_patterns<I: IntoIterator<Item = S>, S: AsRef<str>>(p: I) -> DockerIgnore {
        let mut text = String::new();
        for (i, line) in p.into_iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            text.push_str(line.as_ref());
        }
        DockerIgnore::parse(&text)
    }

    /// Whether `path` (relative to the context root, `/`-separated, possibly
    /// starting with `./`) is left out of the build context.
    pub fn is_excluded(&self, path: &str) -> bool {
        self.excluded_by(path).is_some()
    }

    /// When `path` is excluded, the pattern that decided it: the last pattern
    /// that switched the result to "excluded". `None` when not excluded.
    ///
    /// The path is cleaned first (Go `filepath.Clean`); the context root
    /// itself (`""`, `.`, `./`) is never excluded. As in moby, a leading `/`
    /// is kept, so `/dist` is not matched by the pattern `dist`: pass paths
    /// relative to the context root.
    pub fn excluded_by(&self, path: &str) -> Option<&Pattern> {
        let path = clean(path);
        let path: &str = &path;
        if path == "." {
            return None;
        }
        let mut decided: Option<&Pattern> = None;
        for pattern in &self.patterns {
            if pattern.error.is_some() {
                continue;
            }
            // An exception can only change an excluded path and a plain
            // pattern only a path that is not excluded (yet).
            if pattern.exception != decided.is_some() {
                continue;
            }
            if pattern.matches_path_or_parent(path) {
                decided = if pattern.exception {
                    None
                } else {
                    Some(pattern)
                };
            }
        }
        decided
    }

    /// Whether any valid pattern is an exception (`!pattern`).
    pub fn has_exceptions(&self) -> bool {
        self.patterns
            .iter()
            .any(|p| p.exception && p.error.is_none())
    }
}

impl Pattern {
    /// Matches this pattern alone against `path`, taken verbatim (no
    /// cleaning, no parent-directory logic).
    pub fn matches(&self, path: &str) -> bool {
        match &self.compiled {
            Compiled::Never => false,
            Compiled::Exact(p) => path == &**p,
            Compiled::Prefix(p) => path.starts_with(&**p),
            Compiled::Suffix(s) => {
                let bytes = path.as_bytes();
                bytes.ends_with(s) || (s.first() == Some(&b'/') && bytes == &s[1..])
            }
            Compiled::Program(program) => program.is_match(path),
        }
    }

    /// How this pattern is matched (moby's classification).
    pub fn match_kind(&self) -> MatchKind {
        match self.compiled {
            Compiled::Never => MatchKind::Never,
            Compiled::Exact(_) => MatchKind::Exact,
            Compiled::Prefix(_) => MatchKind::Prefix,
            Compiled::Suffix(_) => MatchKind::Suffix,
            Compiled::Program(_) => MatchKind::Regex,
        }
    }

    /// For [`MatchKind::Regex`] patterns, the regular expression moby builds
    /// from the pattern (useful for diagnostics).
    pub fn translated_regex(&self) -> Option<&str> {
        match &self.compiled {
            Compiled::Program(p) => Some(&p.source),
            _ => None,
        }
    }

    /// Whether the pattern matches a cleaned path or one of its parent
    /// directories (moby splits `filepath.Dir(path)` on `/` and tries every
    /// leading run of elements).
    fn matches_path_or_parent(&self, path: &str) -> bool {
        let dir = match path.rfind('/') {
            None => return self.matches(path),
            Some(0) => "/",
            Some(i) => &path[..i],
        };
        if let Compiled::Program(program) = &self.compiled {
            // One NFA pass answers for the path and for every prefix that
            // stops just before a `/`; only `/` itself is left over.
            return program.run(path, true) || (dir == "/" && program.run(dir, false));
        }
        self.matches(path)
            || dir
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'/')
                .any(|(i, _)| self.matches(&dir[..i]))
            || self.matches(dir)
    }

    fn from_line(raw: &str, line: usize, span: Range<usize>) -> Pattern {
        let mut pattern = Pattern {
            raw: raw.to_owned(),
            cleaned: String::new(),
            exception: false,
            line,
            span,
            error: None,
            compiled: Compiled::Never,
        };

        // Stage 1, as ignorefile.ReadAll: split off `!`, clean, unroot.
        let (invert, body) = match raw.strip_prefix('!') {
            Some(rest) => (true, rest.trim()),
            None => (false, raw),
        };
        let mut normalised = String::with_capacity(raw.len() + 1);
        if invert {
            normalised.push('!');
        }
        if !body.is_empty() {
            let cleaned = clean(body);
            let cleaned: &str = &cleaned;
            let cleaned = if cleaned.len() > 1 {
                cleaned.strip_prefix('/').unwrap_or(cleaned)
            } else {
                cleaned
            };
            normalised.push_str(cleaned);
        }

        // Stage 2, as patternmatcher.New: trim, clean again, split off `!`.
        let trimmed = normalised.trim();
        if trimmed.is_empty() {
            pattern.error =
                Some("pattern is empty after path cleaning; BuildKit ignores it".to_owned());
            return pattern;
        }
        let cleaned = clean(trimmed);
        let body = match cleaned.strip_prefix('!') {
            Some("") => {
                pattern.exception = true;
                pattern.error = Some("illegal exclusion pattern: \"!\"".to_owned());
                return pattern;
            }
            Some(rest) => {
                pattern.exception = true;
                rest
            }
            None => &cleaned,
        };
        pattern.cleaned = body.to_owned();
        match compile(body) {
            Ok(compiled) => pattern.compiled = compiled,
            Err(message) => pattern.error = Some(message),
        }
        pattern
    }
}

// ---------------------------------------------------------------------------
// Path cleaning (Go `path/filepath.Clean`, Unix flavour).

/// Lexically cleans a `/`-separated path: collapses repeated `/`, drops `.`
/// elements, resolves `..` where possible and removes a trailing `/`. The
/// empty path becomes `.`.
fn clean(path: &str) -> Cow<'_, str> {
    if is_clean(path) {
        return Cow::Borrowed(path);
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    Cow::Owned(if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_owned()
    } else {
        joined
    })
}

fn is_clean(path: &str) -> bool {
    if path == "/" || path == "." {
        return true;
    }
    let (rooted, rest) = match path.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, path),
    };
    if rest.is_empty() {
        return false;
    }
    let mut seen_name = false;
    for part in rest.split('/') {
        match part {
            "" | "." => return false,
            ".." if rooted || seen_name => return false,
            ".." => {}
            _ => seen_name = true,
        }
    }
    true
}

// ---------------------------------------------------------------------------
// Compilation.

fn bad_pattern(detail: &str) -> String {
    format!("syntax error in pattern: {detail}")
}

fn compile(pattern: &str) -> Result<Compiled, String> {
    check_glob_syntax(pattern)?;
    let (kind, regex) = translate(pattern);
    Ok(match kind {
        // A prefix pattern ends in `**` (or `**/`): drop those two bytes.
        MatchKind::Prefix => Compiled::Prefix(pattern[..pattern.len() - 2].into()),
        // A suffix pattern starts with `**`: keep the bytes after them.
        MatchKind::Suffix => Compiled::Suffix(pattern.as_bytes()[2..].into()),
        MatchKind::Regex => Compiled::Program(Program::parse(&regex)?),
        // (`translate` never answers `Never`.)
        MatchKind::Exact | MatchKind::Never => Compiled::Exact(pattern.into()),
    })
}

/// The syntax check moby performs with Go's `filepath.Match`: every `\` must
/// escape something and every `[` must open a well-formed class.
fn check_glob_syntax(pattern: &str) -> Result<(), String> {
    let mut rest = pattern;
    while let Some(i) = rest.find(['\\', '[']) {
        let after = &rest[i + 1..];
        if rest.as_bytes()[i] == b'\\' {
            let Some(c) = after.chars().next() else {
                return Err(bad_pattern("trailing backslash"));
            };
            rest = &after[c.len_utf8()..];
        } else {
            rest = check_glob_class(after)?;
        }
    }
    Ok(())
}

/// Checks a class body (after `[`) with `filepath.Match` rules and returns
/// the text after the closing `]`.
fn check_glob_class(body: &str) -> Result<&str, String> {
    let mut rest = body.strip_prefix('^').unwrap_or(body);
    let mut items = 0;
    loop {
        if items > 0 {
            if let Some(after) = rest.strip_prefix(']') {
                return Ok(after);
            }
        }
        rest = glob_class_char(rest)?;
        if let Some(after) = rest.strip_prefix('-') {
            rest = glob_class_char(after)?;
        }
        items += 1;
    }
}

/// One (possibly escaped) class character, which must be followed by more
/// text; returns that text.
fn glob_class_char(text: &str) -> Result<&str, String> {
    let text = match text.as_bytes().first() {
        None => return Err(bad_pattern("unterminated character class")),
        Some(b'-') => return Err(bad_pattern("unexpected '-' in character class")),
        Some(b']') => return Err(bad_pattern("empty character class or range")),
        Some(b'\\') => &text[1..],
        Some(_) => text,
    };
    let Some(c) = text.chars().next() else {
        return Err(bad_pattern("unterminated character class"));
    };
    let rest = &text[c.len_utf8()..];
    if rest.is_empty() {
        return Err(bad_pattern("unterminated character class"));
    }
    Ok(rest)
}

/// moby's pattern-to-regexp translation, including its classification into
/// exact / prefix / suffix / regexp matching.
fn translate(pattern: &str) -> (MatchKind, String) {
    // moby reads the pattern with Go's text/scanner, which skips a BOM.
    let body = pattern.strip_prefix('\u{feff}').unwrap_or(pattern);
    let mut chars = body.chars().peekable();
    let mut regex = String::with_capacity(body.len() + 8);
    regex.push('^');
    let mut kind = MatchKind::Exact;
    let mut first = true;

    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                // `**/` is treated as `**`.
                if chars.peek() == Some(&'/') {
                    chars.next();
                }
                if chars.peek().is_none() {
                    if kind == MatchKind::Exact {
                        kind = MatchKind::Prefix;
                    } else {
                        regex.push_str(".*");
                        kind = MatchKind::Regex;
                    }
                } else {
                    regex.push_str("(.*/)?");
                    kind = MatchKind::Regex;
                }
                if first {
                    kind = MatchKind::Suffix;
                }
            }
            '*' => {
                regex.push_str("[^/]*");
                kind = MatchKind::Regex;
            }
            '?' => {
                regex.push_str("[^/]");
                kind = MatchKind::Regex;
            }
            // moby means to escape `.+()|{}$`, but its lookup table is a
            // byte bitmap indexed by `1 << (c / 8)`, which overflows to 0 for
            // `|`, `{` and `}`: those reach the regexp unescaped (so `|` is
            // an alternation and `{n,m}` a counted repetition).
            '.' | '+' | '(' | ')' | '$' => {
                regex.push('\\');
                regex.push(c);
            }
            '\\' => {
                regex.push('\\');
                if let Some(next) = chars.next() {
                    regex.push(next);
                    kind = MatchKind::Regex;
                }
            }
            '[' | ']' => {
                regex.push(c);
                kind = MatchKind::Regex;
            }
            _ => regex.push(c),
        }
        first = false;
    }

    if kind == MatchKind::Regex {
        regex.push('$');
    }
    (kind, regex)
}

// ---------------------------------------------------------------------------
// The regular expressions produced by `translate`, parsed with Go
// `regexp/syntax` rules (Perl flags: `.` excludes `\n`, negated classes
// include it, `^`/`$` anchor the whole text) into a linear program.

/// Safety valve against patterns that expand enormously (`x{1000}` inside a
/// huge line); Go's regexp package has comparable limits.
const MAX_TOKENS: usize = 1 << 22;

#[derive(Debug, Clone)]
struct Program {
    source: Box<str>,
    tokens: Vec<Token>,
    /// Every match must start at offset 0 (the program begins with `^` and
    /// has no top-level alternation), so no search from later offsets.
    anchored: bool,
}

/// One step of a linear program. State `i` is "about to run token `i`";
/// state `tokens.len()` accepts. Every epsilon edge points forward, so the
/// epsilon closure is a single ascending pass.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// Consume one character in the set.
    One(CharSet),
    /// Consume any number of characters in the set.
    Star(CharSet),
    /// Epsilon to the next token, and also over the following `n` tokens.
    Skip(usize),
    /// Epsilon over the following `n` tokens only.
    Jump(usize),
    /// Epsilon to the next token when the assertion holds.
    Assert(Assertion),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Assertion {
    BeginText,
    EndText,
    WordBoundary,
    NotWordBoundary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum CharSet {
    Char(char),
    /// `.`: anything but `\n`.
    NotNewline,
    /// Sorted, disjoint, inclusive ranges of scalar values.
    Ranges(Box<[(u32, u32)]>),
}

impl CharSet {
    fn contains(&self, c: char) -> bool {
        match self {
            CharSet::Char(x) => *x == c,
            CharSet::NotNewline => c != '\n',
            CharSet::Ranges(ranges) => {
                let c = c as u32;
                let i = ranges.partition_point(|&(_, hi)| hi < c);
                ranges.get(i).is_some_and(|&(lo, _)| lo <= c)
            }
        }
    }
}

const MAX_SCALAR: u32 = 0x10_FFFF;
const DIGIT: &[(u32, u32)] = &[(0x30, 0x39)];
const SPACE: &[(u32, u32)] = &[(0x09, 0x0a), (0x0c, 0x0d), (0x20, 0x20)];
const WORD: &[(u32, u32)] = &[(0x30, 0x39), (0x41, 0x5a), (0x5f, 0x5f), (0x61, 0x7a)];

/// `\d`, `\s`, `\w` and negations: the ranges and whether they are negated.
fn perl_class(c: char) -> Option<(&'static [(u32, u32)], bool)> {
    Some(match c {
        'd' => (DIGIT, false),
        'D' => (DIGIT, true),
        's' => (SPACE, false),
        'S' => (SPACE, true),
        'w' => (WORD, false),
        'W' => (WORD, true),
        _ => return None,
    })
}

fn posix_class(name: &str) -> Option<&'static [(u32, u32)]> {
    Some(match name {
        "alnum" => &[(0x30, 0x39), (0x41, 0x5a), (0x61, 0x7a)],
        "alpha" => &[(0x41, 0x5a), (0x61, 0x7a)],
        "ascii" => &[(0x00, 0x7f)],
        "blank" => &[(0x09, 0x09), (0x20, 0x20)],
        "cntrl" => &[(0x00, 0x1f), (0x7f, 0x7f)],
        "digit" => DIGIT,
        "graph" => &[(0x21, 0x7e)],
        "lower" => &[(0x61, 0x7a)],
        "print" => &[(0x20, 0x7e)],
        "punct" => &[(0x21, 0x2f), (0x3a, 0x40), (0x5b, 0x60), (0x7b, 0x7e)],
        "space" => &[(0x09, 0x0d), (0x20, 0x20)],
        "upper" => &[(0x41, 0x5a)],
        "word" => WORD,
        "xdigit" => &[(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
        _ => return None,
    })
}

fn normalise_ranges(ranges: &mut Vec<(u32, u32)>) {
    ranges.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for &(lo, hi) in ranges.iter() {
        match merged.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    *ranges = merged;
}

/// Complement of normalised ranges over all scalar values.
fn complement(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(ranges.len() + 1);
    let mut next = 0;
    for &(lo, hi) in ranges {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = hi + 1;
    }
    if next <= MAX_SCALAR {
        out.push((next, MAX_SCALAR));
    }
    out
}

fn add_group(class: &mut Vec<(u32, u32)>, group: &[(u32, u32)], negated: bool) {
    if negated {
        class.extend(complement(group));
    } else {
        class.extend_from_slice(group);
    }
}

fn regex_error(detail: &str) -> String {
    format!("syntax error in pattern: BuildKit's regexp translation rejects it ({detail})")
}

fn unsupported(what: &str) -> String {
    format!(
        "pattern relies on regexp syntax dockprep does not emulate ({what}); \
         treated as never matching"
    )
}

impl Program {
    fn parse(source: &str) -> Result<Program, String> {
        let mut parser = RegexParser {
            text: source,
            pos: 0,
            tokens: Vec::with_capacity(source.len() + 1),
            frames: Vec::new(),
            last: Last::Nothing,
            optional_end: usize::MAX,
            optionals_ending_there: 0,
        };
        parser.run()?;
        let anchored = parser.tokens.first() == Some(&Token::Assert(Assertion::BeginText));
        Ok(Program {
            source: source.into(),
            tokens: parser.tokens,
            anchored,
        })
    }

    fn is_match(&self, text: &str) -> bool {
        self.run(text, false)
    }

    /// Runs the NFA over `text`. With `prefixes`, also reports a match when
    /// the text cut just before any of its `/` would match on its own.
    fn run(&self, text: &str, prefixes: bool) -> bool {
        let words = (self.tokens.len() + 1).div_ceil(64);
        if words <= 4 {
            let mut buffers = [[0u64; 4]; 3];
            let [a, b, c] = &mut buffers;
            self.simulate(
                text,
                prefixes,
                &mut a[..words],
                &mut b[..words],
                &mut c[..words],
            )
        } else {
            let mut a = vec![0u64; words];
            let mut b = vec![0u64; words];
            let mut c = vec![0u64; words];
            self.simulate(text, prefixes, &mut a, &mut b, &mut c)
        }
    }

    /// Like Go's `MatchString`: a match may start anywhere (it normally
    /// cannot, the program starts with `^`) and end anywhere (it normally
    /// cannot either, the program ends with `$`).
    fn simulate<'a>(
        &self,
        text: &str,
        prefixes: bool,
        mut current: &'a mut [u64],
        mut next: &'a mut [u64],
        scratch: &mut [u64],
    ) -> bool {
        let accept = self.tokens.len();
        let mut chars = text.chars().peekable();
        let mut prev = None;
        current[0] = 1;
        loop {
            if !self.anchored {
                current[0] |= 1;
            }
            let after = chars.peek().copied();
            self.close(current, prev, after);
            if has(current, accept) {
                return true;
            }
            if prefixes && after == Some('/') {
                // The prefix ends here: the same states, closed as if at the
                // end of the text (only `$`/`\z` can behave differently).
                scratch.copy_from_slice(current);
                self.close(scratch, prev, None);
                if has(scratch, accept) {
                    return true;
                }
            }
            let Some(c) = chars.next() else {
                return false;
            };
            next.fill(0);
            let mut alive = false;
            for (w, &word) in current.iter().enumerate() {
                let mut bits = word;
                while bits != 0 {
                    let state = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    match self.tokens.get(state) {
                        Some(Token::One(set)) if set.contains(c) => {
                            put(next, state + 1);
                            alive = true;
                        }
                        Some(Token::Star(set)) if set.contains(c) => {
                            put(next, state);
                            alive = true;
                        }
                        _ => {}
                    }
                }
            }
            if !alive && self.anchored {
                return false;
            }
            prev = Some(c);
            std::mem::swap(&mut current, &mut next);
        }
    }

    /// Adds everything reachable through epsilon edges at a position whose
    /// previous and next characters are `prev` and `after`.
    fn close(&self, set: &mut [u64], prev: Option<char>, after: Option<char>) {
        for w in 0..set.len() {
            let mut bits = set[w];
            while bits != 0 {
                let state = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let (a, b) = match self.tokens.get(state) {
                    Some(Token::Star(_)) => (Some(state + 1), None),
                    Some(Token::Skip(n)) => (Some(state + 1), Some(state + 1 + n)),
                    Some(Token::Jump(n)) => (Some(state + 1 + n), None),
                    Some(Token::Assert(assertion)) if holds(*assertion, prev, after) => {
                        (Some(state + 1), None)
                    }
                    _ => (None, None),
                };
                for target in [a, b].into_iter().flatten() {
                    if !has(set, target) {
                        put(set, target);
                        if target / 64 == w {
                            bits |= 1 << (target % 64);
                        }
                    }
                }
            }
        }
    }
}

fn has(set: &[u64], state: usize) -> bool {
    set[state / 64] & (1 << (state % 64)) != 0
}

fn put(set: &mut [u64], state: usize) {
    set[state / 64] |= 1 << (state % 64);
}

fn holds(assertion: Assertion, prev: Option<char>, after: Option<char>) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    match assertion {
        Assertion::BeginText => prev.is_none(),
        Assertion::EndText => after.is_none(),
        Assertion::WordBoundary => word(prev) != word(after),
        Assertion::NotWordBoundary => word(prev) == word(after),
    }
}

/// What the last parsed item was, for applying a quantifier to it. Every
/// index is where that item's tokens start (they run to the end).
#[derive(Clone, Copy)]
enum Last {
    Nothing,
    Atom(usize),
    Assertion(usize),
    Repeated,
}

/// `{min,max}` bounds (`max` = `None`: unbounded) and the bytes they used.
type RepeatBounds = (usize, Option<usize>, usize);

/// An open group (the whole expression is an implicit one).
struct Frame {
    /// Index of the frame's first token.
    start: usize,
    /// Index of the placeholder that starts the current alternative.
    alternative: usize,
    /// `Jump` placeholders at the end of earlier alternatives.
    jumps: Vec<usize>,
}

struct RegexParser<'a> {
    text: &'a str,
    pos: usize,
    tokens: Vec<Token>,
    frames: Vec<Frame>,
    last: Last,
    /// Where the most recent forward epsilon edge lands (the end of an
    /// optional such as `x?` or `(...)?`, or of an alternation), and how many
    /// such edges land there.
    optional_end: usize,
    optionals_ending_there: usize,
}

impl RegexParser<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn push_set(&mut self, set: CharSet) {
        self.last = Last::Atom(self.tokens.len());
        self.tokens.push(Token::One(set));
    }

    fn push_assertion(&mut self, assertion: Assertion) {
        self.last = Last::Assertion(self.tokens.len());
        self.tokens.push(Token::Assert(assertion));
    }

    fn open_frame(&mut self) {
        self.frames.push(Frame {
            start: self.tokens.len(),
            alternative: self.tokens.len(),
            jumps: Vec::new(),
        });
        // Becomes `Skip` if this alternative is followed by `|`.
        self.tokens.push(Token::Skip(0));
        self.last = Last::Nothing;
    }

    /// Closes the innermost frame and returns where its tokens start.
    fn close_frame(&mut self) -> usize {
        let frame = self.frames.pop().expect("a frame is open");
        if frame.jumps.is_empty() {
            // No alternation: drop the placeholder.
            let start = frame.alternative;
            self.tokens.remove(start);
            if self.optional_end != usize::MAX && self.optional_end > start {
                self.optional_end -= 1;
            }
            return start;
        }
        let end = self.tokens.len();
        for jump in &frame.jumps {
            self.tokens[*jump] = Token::Jump(end - jump - 1);
        }
        // The jumps land here, which matters to `is_redundant_dirs_group`.
        self.record_optional_end();
        frame.start
    }

    fn run(&mut self) -> Result<(), String> {
        self.open_frame();
        while let Some(c) = self.bump() {
            match c {
                '^' => self.push_assertion(Assertion::BeginText),
                '$' => self.push_assertion(Assertion::EndText),
                '.' => self.push_set(CharSet::NotNewline),
                '[' => {
                    let set = self.class()?;
                    self.push_set(set);
                }
                '(' => {
                    if self.peek() == Some('?') {
                        return Err(unsupported("group flags"));
                    }
                    self.open_frame();
                }
                ')' => {
                    if self.frames.len() < 2 {
                        return Err(regex_error("unexpected )"));
                    }
                    let start = self.close_frame();
                    self.last = Last::Atom(start);
                }
                '|' => {
                    let frame = self.frames.last_mut().expect("a frame is open");
                    let jump = self.tokens.len();
                    self.tokens[frame.alternative] = Token::Skip(jump - frame.alternative);
                    frame.jumps.push(jump);
                    self.tokens.push(Token::Jump(0));
                    frame.alternative = self.tokens.len();
                    self.tokens.push(Token::Skip(0));
                    self.last = Last::Nothing;
                    self.optional_end = usize::MAX;
                }
                '*' => self.repeat(0, None)?,
                '+' => self.repeat(1, None)?,
                '?' => self.repeat(0, Some(1))?,
                '{' => match self.counted_repeat() {
                    Some(Ok((min, max, consumed))) => {
                        self.pos += consumed;
                        self.repeat(min, max)?;
                    }
                    Some(Err(e)) => return Err(e),
                    None => self.push_set(CharSet::Char('{')),
                },
                '\\' => self.escape()?,
                c => self.push_set(CharSet::Char(c)),
            }
            if self.tokens.len() > MAX_TOKENS {
                return Err(regex_error("expression too large"));
            }
        }
        if self.frames.len() > 1 {
            return Err(regex_error("missing closing )"));
        }
        self.close_frame();
        Ok(())
    }

    fn record_optional_end(&mut self) {
        let end = self.tokens.len();
        if self.optional_end == end {
            self.optionals_ending_there += 1;
        } else {
            self.optional_end = end;
            self.optionals_ending_there = 1;
        }
    }

    /// `(.*/)?(.*/)?` matches exactly what `(.*/)?` matches, so a `(.*/)?`
    /// group that directly follows another one (and nothing else optional
    /// ends between them) can be dropped. This keeps `**/**/**/...` (and long
    /// runs of `*`) linear instead of piling up equivalent NFA states.
    fn is_redundant_dirs_group(&self, start: usize, atom: &[Token]) -> bool {
        let body = [
            Token::Star(CharSet::NotNewline),
            Token::One(CharSet::Char('/')),
        ];
        atom == body
            && start >= 3
            && self.tokens[start - 3] == Token::Skip(2)
            && self.tokens[start - 2..start] == body
            && self.optional_end == start
            && self.optionals_ending_there == 1
    }

    /// Applies `{min,max}` (`max` = `None`: unbounded) to the last item.
    fn repeat(&mut self, min: usize, max: Option<usize>) -> Result<(), String> {
        match self.last {
            Last::Nothing => return Err(regex_error("missing argument to repetition operator")),
            Last::Repeated => return Err(regex_error("invalid nested repetition operator")),
            Last::Assertion(i) => {
                // An empty-width assertion repeated at least once is itself;
                // one that may be repeated zero times always passes.
                if min == 0 {
                    self.tokens.truncate(i);
                }
            }
            Last::Atom(start) => {
                let atom = self.tokens.split_off(start);
                let copies = max.unwrap_or(min).max(min) + 1;
                if atom.len().saturating_mul(copies) > MAX_TOKENS {
                    return Err(regex_error("expression too large"));
                }
                for _ in 0..min {
                    self.tokens.extend_from_slice(&atom);
                }
                match max {
                    None => match atom.as_slice() {
                        [Token::One(set)] => self.tokens.push(Token::Star(set.clone())),
                        _ => return Err(unsupported("repeated group")),
                    },
                    Some(1) if min == 0 && self.is_redundant_dirs_group(start, &atom) => {}
                    Some(max) => {
                        for _ in min..max {
                            self.tokens.push(Token::Skip(atom.len()));
                            self.tokens.extend_from_slice(&atom);
                            self.record_optional_end();
                        }
                    }
                }
            }
        }
        // A trailing `?` only makes the repetition non-greedy.
        if self.peek() == Some('?') {
            self.bump();
        }
        self.last = Last::Repeated;
        Ok(())
    }

    /// After a `{`: `Some` when it starts a counted repetition (`{n}`,
    /// `{n,}`, `{n,m}`), with the bounds and the bytes used; `None` when the
    /// `{` is a literal, as in Go.
    fn counted_repeat(&self) -> Option<Result<RepeatBounds, String>> {
        let rest = &self.text[self.pos..];
        let (min, mut used) = repeat_count(rest)?;
        let max = match rest[used..].strip_prefix(',') {
            Some(after) if after.starts_with('}') => {
                used += 1;
                None
            }
            Some(after) => {
                let (max, digits) = repeat_count(after)?;
                used += 1 + digits;
                Some(max)
            }
            None => Some(min),
        };
        if !rest[used..].starts_with('}') {
            return None;
        }
        used += 1;
        if min > 1000 || max.is_some_and(|max| max > 1000 || min > max) {
            return Some(Err(regex_error(&format!(
                "invalid repeat count {{{}",
                &rest[..used]
            ))));
        }
        Some(Ok((min, max, used)))
    }

    fn escape(&mut self) -> Result<(), String> {
        let Some(c) = self.peek() else {
            return Err(regex_error("trailing backslash"));
        };
        match c {
            'A' | 'z' | 'b' | 'B' => {
                self.bump();
                self.push_assertion(match c {
                    'A' => Assertion::BeginText,
                    'z' => Assertion::EndText,
                    'b' => Assertion::WordBoundary,
                    _ => Assertion::NotWordBoundary,
                });
            }
            'Q' => {
                self.bump();
                let rest = &self.text[self.pos..];
                let (literal, consumed) = match rest.find("\\E") {
                    Some(end) => (&rest[..end], end + 2),
                    None => (rest, rest.len()),
                };
                self.pos += consumed;
                for c in literal.chars() {
                    self.push_set(CharSet::Char(c));
                }
            }
            'p' | 'P' => return Err(unsupported("Unicode class \\p")),
            _ => {
                if let Some((group, negated)) = perl_class(c) {
                    self.bump();
                    let mut class = Vec::new();
                    add_group(&mut class, group, negated);
                    self.push_set(CharSet::Ranges(class.into()));
                } else {
                    let c = self.escaped_char()?;
                    self.push_set(CharSet::Char(c));
                }
            }
        }
        Ok(())
    }

    /// A single-character escape (the text after a `\`), Go `parseEscape`.
    fn escaped_char(&mut self) -> Result<char, String> {
        let Some(c) = self.bump() else {
            return Err(regex_error("trailing backslash"));
        };
        if c.is_ascii() && !c.is_ascii_alphanumeric() {
            return Ok(c);
        }
        let octal = |c: Option<char>| c.filter(|c| ('0'..='7').contains(c));
        match c {
            '0'..='7' => {
                if c != '0' && octal(self.peek()).is_none() {
                    return Err(regex_error("backreferences are not supported"));
                }
                let mut value = c as u32 - '0' as u32;
                for _ in 0..2 {
                    match octal(self.peek()) {
                        Some(d) => {
                            self.bump();
                            value = value * 8 + (d as u32 - '0' as u32);
                        }
                        None => break,
                    }
                }
                Ok(char::from_u32(value).unwrap_or('\u{fffd}'))
            }
            'x' => {
                let hi = self.bump().and_then(|c| c.to_digit(16));
                let lo = self.bump().and_then(|c| c.to_digit(16));
                match (hi, lo) {
                    (Some(hi), Some(lo)) => Ok(char::from_u32(hi * 16 + lo).unwrap_or('\u{fffd}')),
                    _ => Err(regex_error("invalid escape sequence \\x")),
                }
            }
            'a' => Ok('\u{7}'),
            'f' => Ok('\u{c}'),
            'n' => Ok('\n'),
            'r' => Ok('\r'),
            't' => Ok('\t'),
            'v' => Ok('\u{b}'),
            _ => Err(regex_error(&format!("invalid escape sequence \\{c}"))),
        }
    }

    /// A character class, after its `[`, with Go `parseClass` rules.
    fn class(&mut self) -> Result<CharSet, String> {
        let negated = if self.peek() == Some('^') {
            self.bump();
            true
        } else {
            false
        };
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        let mut first = true;
        loop {
            let rest = &self.text[self.pos..];
            if rest.is_empty() {
                return Err(regex_error("missing closing ]"));
            }
            if rest.starts_with(']') && !first {
                self.bump();
                break;
            }
            first = false;

            if rest.len() > 2 && rest.starts_with("[:") {
                if let Some(end) = rest[2..].find(":]") {
                    let name = &rest[2..2 + end];
                    let (name, negate) = match name.strip_prefix('^') {
                        Some(name) => (name, true),
                        None => (name, false),
                    };
                    let Some(group) = posix_class(name) else {
                        return Err(regex_error(&format!(
                            "invalid character class range {}",
                            &rest[..end + 4]
                        )));
                    };
                    add_group(&mut ranges, group, negate);
                    self.pos += end + 4;
                    continue;
                }
            }
            if let Some(after) = rest.strip_prefix('\\') {
                match after.chars().next() {
                    Some('p' | 'P') => return Err(unsupported("Unicode class \\p")),
                    Some(c) => {
                        if let Some((group, negate)) = perl_class(c) {
                            add_group(&mut ranges, group, negate);
                            self.pos += 2;
                            continue;
                        }
                    }
                    None => {}
                }
            }

            let start = self.pos;
            let lo = self.class_char()?;
            let mut hi = lo;
            let rest = &self.text[self.pos..];
            if rest.len() >= 2 && rest.starts_with('-') && !rest[1..].starts_with(']') {
                self.bump();
                hi = self.class_char()?;
                if hi < lo {
                    return Err(regex_error(&format!(
                        "invalid character class range {}",
                        &self.text[start..self.pos]
                    )));
                }
            }
            ranges.push((lo as u32, hi as u32));
        }
        normalise_ranges(&mut ranges);
        if negated {
            ranges = complement(&ranges);
        }
        Ok(CharSet::Ranges(ranges.into()))
    }

    fn class_char(&mut self) -> Result<char, String> {
        match self.bump() {
            None => Err(regex_error("missing closing ]")),
            Some('\\') => self.escaped_char(),
            Some(c) => Ok(c),
        }
    }
}

/// A repetition count: decimal digits without a leading zero; returns the
/// value (saturating well above the 1000 limit) and the digits used.
fn repeat_count(text: &str) -> Option<(usize, usize)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || (digits > 1 && text.starts_with('0')) {
        return None;
    }
    let value = text.as_bytes()[..digits].iter().fold(0usize, |n, d| {
        (n * 10 + usize::from(d - b'0')).min(1_000_000)
    });
    Some((value, digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go() {
        let cases = [
            ("", "."),
            (".", "."),
            ("./", "."),
            ("/", "/"),
            ("//", "/"),
            ("a/", "a"),
            ("a//b", "a/b"),
            ("./a/./b/", "a/b"),
            ("a/../b", "b"),
            ("a/../..", ".."),
            ("../a/..", ".."),
            ("/../a", "/a"),
            ("/..", "/"),
            ("a/b/../../..", ".."),
            ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "clean({input:?})");
            assert!(is_clean(want), "is_clean({want:?})");
        }
    }

    #[test]
    fn translation_matches_moby() {
        assert_eq!(translate("a*/b"), (MatchKind::Regex, "^a[^/]*/b$".into()));
        assert_eq!(
            translate("**/**/*.txt"),
            (MatchKind::Regex, "^(.*/)?(.*/)?[^/]*\\.txt$".into())
        );
        assert_eq!(translate("dir/**").0, MatchKind::Prefix);
        assert_eq!(translate("**file").0, MatchKind::Suffix);
    }
}
