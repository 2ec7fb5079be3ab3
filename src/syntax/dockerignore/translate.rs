//! From a cleaned pattern to what moby matches it with: the glob syntax
//! check, the classification into exact / prefix / suffix / regexp matching,
//! and the glob-to-regexp translation.
//!
//! The regular expression produced here is the very text moby builds, in
//! Go `regexp` syntax; [`super::go_regex`] then turns it into `regex` crate
//! syntax with the same meaning.

use super::MatchKind;

/// How every error BuildKit fails on starts (`filepath.ErrBadPattern`).
pub(super) const SYNTAX_ERROR: &str = "syntax error in pattern";

pub(super) fn bad_pattern(detail: &str) -> String {
    format!("{SYNTAX_ERROR}: {detail}")
}

/// The syntax check moby performs with Go's `filepath.Match`: every `\` must
/// escape something and every `[` must open a well-formed class.
pub(super) fn check_glob_syntax(pattern: &str) -> Result<(), String> {
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
/// exact / prefix / suffix / regexp matching. The string is only meaningful
/// for [`MatchKind::Regex`].
pub(super) fn translate(pattern: &str) -> (MatchKind, String) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
