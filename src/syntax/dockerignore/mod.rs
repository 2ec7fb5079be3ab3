//! `.dockerignore` parsing and matching with BuildKit semantics.
//!
//! BuildKit reads a `.dockerignore` with `moby/patternmatcher/ignorefile`
//! (`ReadAll`) and decides about each path with `moby/patternmatcher`
//! (`New` + `MatchesOrParentMatches`). That behaviour is ported here by
//! hand, because no crate implements it: the `ignore` and `globset` crates
//! follow `.gitignore` and shell-glob rules, which differ in anchoring,
//! in `**`, in exceptions and in every quirk listed below. What is ported:
//! the reader, Go's path cleaning (`clean.rs`), moby's classification and
//! glob-to-regexp translation (`translate.rs`), and the syntax rules of Go's
//! `regexp` package for the expressions moby builds (`go_regex.rs`, which
//! rewrites them for the `regex` crate). The matching itself is done by the
//! `regex` crate (`compiled.rs`); no regular-expression engine is
//! hand-written.
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
//!   general; the first three are string tests, and general patterns are
//!   translated to the very regular expression moby builds, which is then
//!   rewritten into an equivalent `regex` crate expression (Go's ASCII
//!   classes and word boundaries spelled out, `^`/`$` as `\A`/`\z`) and
//!   compiled once, on first use. moby's quirks are therefore kept:
//!   `**file` also matches `myfile`, a negated class also matches `/`, and
//!   since moby forgets to escape `|`, `{` and `}`, a pattern with a
//!   wildcard such as `*.js|*.ts` is a regexp alternation and `a{2}*` a
//!   counted repetition (`*.{js,ts}` is *not* a brace expansion).
//! * **Errors.** Nothing here panics. A pattern that moby rejects (bad glob
//!   syntax such as an unterminated `[`, a lone `!`, or an expression that Go's
//!   regexp package refuses, like `[z-a]` or `\q`) gets [`Pattern::error`]
//!   and [`Pattern::fails_build`] set and never matches;
//!   [`DockerIgnore::build_error`] names the first, which the model reports
//!   as an error of the file.
//!
//! Deliberate differences from moby / BuildKit:
//!
//! * BuildKit fails the whole build on an invalid pattern; here that
//!   pattern is disabled, the others keep working, and
//!   [`DockerIgnore::build_error`] reports it. moby also only notices
//!   regexp-level errors lazily, the first time the pattern is evaluated;
//!   here every error is reported at parse time.
//! * BuildKit's line reader (`bufio.Scanner`) refuses lines longer than
//!   64 KiB and fails the build; here [`DockerIgnore::read_error`] records it
//!   and parsing carries on.
//! * All Go regexp syntax that moby lets through via backslash escapes is
//!   honoured (`\d \s \w` and negations, `\b \B \A \z`, `\Q...\E`, octal,
//!   `\xHH`, `\x{...}`, C escapes, `[[:alpha:]]` classes), except Unicode
//!   classes (`\pL`, `\PL`), which are reported as an error: Go's Unicode
//!   tables and property names are not the `regex` crate's. Go's regexp
//!   size and nesting limits are approximated (see `go_regex.rs`).
//! * The glob syntax check follows current Go, whose `filepath.Match`
//!   validates the whole pattern; BuildKit binaries built with old Go
//!   accepted a few patterns whose syntax error came after the first
//!   mismatch against `.`.
//! * Only the Unix behaviour is implemented (`/` separators, `\` escapes);
//!   the Windows variant, where `\` is a path separator, is not.

use std::ops::Range;

mod clean;
mod compiled;
mod go_regex;
mod translate;

use clean::clean;
use compiled::{compile, Compiled};

use super::{limits, ParseError, Span};

/// A pattern as an error message shows it: at most 80 characters.
fn shorten(raw: &str) -> String {
    match raw.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &raw[..i]),
        None => raw.to_owned(),
    }
}

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
    /// Whether BuildKit fails the build on [`Pattern::error`]: a lone `!`,
    /// bad glob syntax (refused when the matcher is made) or an expression
    /// Go's regexp package refuses (refused the first time a path is
    /// matched against it). Not set for a pattern BuildKit skips (empty
    /// after cleaning) or one only dockprep cannot evaluate (`\pL`).
    pub fails_build: bool,
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

impl DockerIgnore {
    /// Parses the text of a `.dockerignore`. Never fails and never panics;
    /// problems are reported through [`Pattern::error`] and
    /// [`DockerIgnore::read_error`].
    pub fn parse(text: &str) -> DockerIgnore {
        if let Err(e) = limits::check_size(text, limits::MAX_TEXT_BYTES, "the .dockerignore") {
            return DockerIgnore {
                patterns: Vec::new(),
                read_error: Some(FileError {
                    line: 1,
                    message: e.message,
                }),
            };
        }
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

    /// The first pattern BuildKit fails the build on, as an error with the
    /// pattern's span (BuildKit stops at the first one, too).
    pub fn build_error(&self) -> Option<ParseError> {
        let p = self.patterns.iter().find(|p| p.fails_build)?;
        let why = p.error.as_deref().unwrap_or("invalid pattern");
        Some(ParseError::new(
            format!(
                "invalid .dockerignore pattern `{}`: {why}; BuildKit fails the build on it",
                shorten(&p.raw)
            ),
            Span::new(p.span.start, p.span.end),
        ))
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
        self.compiled.matches(path)
    }

    /// How this pattern is matched (moby's classification).
    pub fn match_kind(&self) -> MatchKind {
        self.compiled.kind()
    }

    /// For [`MatchKind::Regex`] patterns, the regular expression moby builds
    /// from the pattern, in Go syntax (useful for diagnostics).
    pub fn translated_regex(&self) -> Option<&str> {
        self.compiled.source()
    }

    /// Whether the pattern matches a cleaned path or one of its parent
    /// directories.
    fn matches_path_or_parent(&self, path: &str) -> bool {
        self.compiled.matches_path_or_parent(path)
    }

    fn from_line(raw: &str, line: usize, span: Range<usize>) -> Pattern {
        let mut pattern = Pattern {
            raw: raw.to_owned(),
            cleaned: String::new(),
            exception: false,
            line,
            span,
            error: None,
            fails_build: false,
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
                pattern.fails_build = true;
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
            Err(message) => {
                pattern.fails_build = message.starts_with(translate::SYNTAX_ERROR);
                pattern.error = Some(message);
            }
        }
        pattern
    }
}
