//! A pattern made ready for matching, and the matching itself.
//!
//! Like moby, only general patterns go through a regular expression; exact,
//! prefix (`dir/**`) and suffix (`**/x`) patterns are plain string tests.
//! Regular expressions are compiled with the `regex` crate on first use
//! (most patterns of a `.dockerignore` are never asked about a path whose
//! answer they could change), at most once per pattern, and shared between
//! patterns with the same text through a small process-wide cache: a fleet
//! of repositories repeats the same few lines (`*.log`, `.env.*`) in every
//! `.dockerignore`. Every error is still found at parse time, by
//! [`go_regex::convert`], whose size cap keeps the compilation within the
//! `regex` crate's limits.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex::{Regex, RegexBuilder};

use super::go_regex;
use super::translate::{check_glob_syntax, translate};
use super::MatchKind;

#[derive(Debug, Clone)]
pub(super) enum Compiled {
    Never,
    Exact(Box<str>),
    Prefix(Box<str>),
    /// Compared bytewise, exactly as moby slices the pattern.
    Suffix(Box<[u8]>),
    Regex(Box<RegexMatcher>),
}

#[derive(Debug, Clone)]
pub(super) struct RegexMatcher {
    /// The expression moby builds, in Go syntax.
    source: Box<str>,
    /// Its rewrite for the `regex` crate.
    full: LazyRegex,
    /// Matches the path or a parent directory in one search, when the
    /// expression allows it (see [`go_regex::Converted::parents`]).
    parents: Option<LazyRegex>,
}

/// A regular expression compiled on first use.
#[derive(Debug, Clone)]
struct LazyRegex {
    syntax: Box<str>,
    /// `None` inside when compilation failed, which the size cap of
    /// [`go_regex::convert`] rules out; the pattern then never matches.
    regex: OnceLock<Option<Arc<Regex>>>,
}

impl LazyRegex {
    fn new(syntax: String) -> LazyRegex {
        LazyRegex {
            syntax: syntax.into(),
            regex: OnceLock::new(),
        }
    }

    fn is_match(&self, text: &str) -> bool {
        self.regex
            .get_or_init(|| build(&self.syntax))
            .as_ref()
            .is_some_and(|regex| regex.is_match(text))
    }
}

/// Patterns at most this long are shared through the cache...
const CACHE_MAX_SYNTAX: usize = 4096;
/// ...which holds at most this many expressions.
const CACHE_MAX_ENTRIES: usize = 1024;

/// Compiles `syntax` (produced by [`go_regex::convert`], so no flag may be
/// left to a default), through the shared cache. The `Regex` itself is
/// shared, not cloned, so that its match-time caches are too.
fn build(syntax: &str) -> Option<Arc<Regex>> {
    static CACHE: OnceLock<Mutex<HashMap<Box<str>, Arc<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(regex) = cache.lock().ok().and_then(|map| map.get(syntax).cloned()) {
        return Some(regex);
    }
    let regex = RegexBuilder::new(syntax)
        .unicode(true)
        .case_insensitive(false)
        .multi_line(false)
        .dot_matches_new_line(false)
        .crlf(false)
        .ignore_whitespace(false)
        .swap_greed(false)
        .octal(false)
        .size_limit(go_regex::SIZE_LIMIT)
        .nest_limit(go_regex::NEST_LIMIT)
        .build()
        .ok()
        .map(Arc::new)?;
    if syntax.len() <= CACHE_MAX_SYNTAX {
        if let Ok(mut map) = cache.lock() {
            if map.len() < CACHE_MAX_ENTRIES {
                map.insert(syntax.into(), regex.clone());
            }
        }
    }
    Some(regex)
}

/// Compiles a cleaned pattern (without its `!`), or says why moby rejects it.
pub(super) fn compile(pattern: &str) -> Result<Compiled, String> {
    check_glob_syntax(pattern)?;
    let (kind, regex) = translate(pattern);
    Ok(match kind {
        // A prefix pattern ends in `**` (or `**/`): drop those two bytes.
        MatchKind::Prefix => Compiled::Prefix(pattern[..pattern.len() - 2].into()),
        // A suffix pattern starts with `**`: keep the bytes after them.
        MatchKind::Suffix => Compiled::Suffix(pattern.as_bytes()[2..].into()),
        MatchKind::Regex => {
            let converted = go_regex::convert(&regex)?;
            Compiled::Regex(Box::new(RegexMatcher {
                source: regex.into(),
                full: LazyRegex::new(converted.full),
                parents: converted.parents.map(LazyRegex::new),
            }))
        }
        // (`translate` never answers `Never`.)
        MatchKind::Exact | MatchKind::Never => Compiled::Exact(pattern.into()),
    })
}

impl Compiled {
    pub(super) fn kind(&self) -> MatchKind {
        match self {
            Compiled::Never => MatchKind::Never,
            Compiled::Exact(_) => MatchKind::Exact,
            Compiled::Prefix(_) => MatchKind::Prefix,
            Compiled::Suffix(_) => MatchKind::Suffix,
            Compiled::Regex(_) => MatchKind::Regex,
        }
    }

    /// moby's regular expression, for [`MatchKind::Regex`].
    pub(super) fn source(&self) -> Option<&str> {
        match self {
            Compiled::Regex(m) => Some(&m.source),
            _ => None,
        }
    }

    /// Matches `path` verbatim.
    pub(super) fn matches(&self, path: &str) -> bool {
        match self {
            Compiled::Never => false,
            Compiled::Exact(p) => path == &**p,
            Compiled::Prefix(p) => path.starts_with(&**p),
            Compiled::Suffix(s) => {
                let bytes = path.as_bytes();
                bytes.ends_with(s) || (s.first() == Some(&b'/') && bytes == &s[1..])
            }
            Compiled::Regex(m) => m.full.is_match(path),
        }
    }

    /// Whether the pattern matches a cleaned path or one of its parent
    /// directories (moby splits `filepath.Dir(path)` on `/` and tries every
    /// leading run of elements, so `/x` also tries `""` and `/`).
    pub(super) fn matches_path_or_parent(&self, path: &str) -> bool {
        let dir = match path.rfind('/') {
            None => return self.matches(path),
            Some(0) => "/",
            Some(i) => &path[..i],
        };
        if let Compiled::Regex(m) = self {
            if let Some(parents) = &m.parents {
                // One search answers for the path and for every prefix that
                // stops just before a `/`; only `/` itself is left over.
                return parents.is_match(path) || (dir == "/" && m.full.is_match(dir));
            }
        }
        self.matches(path)
            || dir
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'/')
                .any(|(i, _)| self.matches(&dir[..i]))
            || self.matches(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// moby's loop over the parent directories, whatever the pattern kind.
    fn by_parents(compiled: &Compiled, path: &str) -> bool {
        let dir = match path.rfind('/') {
            None => return compiled.matches(path),
            Some(0) => "/",
            Some(i) => &path[..i],
        };
        compiled.matches(path)
            || dir
                .split('/')
                .scan(0, |end, part| {
                    *end += part.len() + 1;
                    Some(&dir[..*end - 1])
                })
                .any(|prefix| compiled.matches(prefix))
    }

    fn from_alphabet(alphabet: &'static str, len: usize) -> impl Strategy<Value = String> {
        let chars: Vec<char> = alphabet.chars().collect();
        prop::collection::vec(prop::sample::select(chars), 0..len)
            .prop_map(|v| v.into_iter().collect())
    }

    #[test]
    fn cache_shares_compiled_expressions() {
        let a = build(r"\Aa\z").unwrap();
        let b = build(r"\Aa\z").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(a.is_match("a") && !b.is_match("ab"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The one-search parent test agrees with moby's loop.
        #[test]
        fn parent_search_agrees_with_the_loop(
            pattern in from_alphabet("ab/*?[]^!\\.|{}2$", 10),
            path in from_alphabet("ab/.", 8),
        ) {
            if let Ok(compiled) = compile(&pattern) {
                prop_assert_eq!(
                    compiled.matches_path_or_parent(&path),
                    by_parents(&compiled, &path),
                    "pattern {:?} path {:?}", pattern, path
                );
            }
        }
    }
}
