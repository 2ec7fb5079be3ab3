//! The limits every parser enforces, so that no input can exhaust the stack,
//! the memory or the time of a run: past a limit the parser answers a
//! [`ParseError`] at the place where the limit was crossed, never an abort.
//!
//! * **Nesting.** Trees (JSON, YAML) deeper than [`MAX_NESTING`] are
//!   refused before any recursive code sees them. The tree types, their
//!   `Drop`, `Clone` and the code walking them recurse once per level, and
//!   rayon's worker threads (pack, prep, the model's prefetch) have 2 MiB
//!   stacks; 127 levels is what serde_json's default recursion limit
//!   accepts, which the other readers of `package.json` (pack, prep) keep,
//!   so all readers of one file agree. Real manifests and compose files nest fewer than 10 levels.
//! * **Size.** A file longer than [`MAX_TEXT_BYTES`] (the lockfile:
//!   [`MAX_LOCKFILE_BYTES`]) is refused at its first byte. Every parser is
//!   linear, so this only bounds memory and time in proportion; the largest
//!   real lockfiles are a few tens of MiB.
//! * **Variable references.** `${A:-${B:-…}}` nested deeper than
//!   [`MAX_VAR_NESTING`] is refused in a Dockerfile, and expansion stops
//!   there whatever the caller passes.

use super::{ParseError, Span};

/// Deepest nesting of JSON arrays/objects and YAML collections accepted:
/// the most serde_json accepts (it refuses 128 levels).
pub const MAX_NESTING: usize = 127;

/// Largest text accepted by the parsers of small files (manifests,
/// Dockerfiles, compose and workspace files, ignore files).
pub const MAX_TEXT_BYTES: usize = 64 << 20;

/// Largest `pnpm-lock.yaml` accepted.
pub const MAX_LOCKFILE_BYTES: usize = 256 << 20;

/// Deepest nesting of `${…}` variable references in a Dockerfile value.
pub const MAX_VAR_NESTING: usize = 32;

/// An error at byte 0 when `text` is longer than `max`.
pub(crate) fn check_size(text: &str, max: usize, what: &str) -> Result<(), ParseError> {
    if text.len() > max {
        return Err(ParseError::new(
            format!(
                "{what} is {} bytes long; dockprep reads at most {} MiB",
                text.len(),
                max >> 20
            ),
            Span::new(0, text.len().min(1)),
        ));
    }
    Ok(())
}

/// The error for nesting deeper than `max` at byte `at` of `text`.
pub(crate) fn too_deep(text: &str, at: usize, max: usize, what: &str) -> ParseError {
    let at = at.min(text.len());
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    ParseError::new(
        format!("{what} nests deeper than {max} levels; dockprep refuses it"),
        Span::new(at, end),
    )
}

/// Where a JSON text first nests deeper than `max` arrays and objects: the
/// offset of the bracket that goes one level too deep. Strings (with their
/// escapes) and `//`, `/* */` comments are skipped; nothing else of the
/// syntax is checked (the parser does that, once the depth is known to be
/// safe). Linear, no recursion.
pub(crate) fn json_too_deep(text: &str, max: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 1;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Deepest nesting of TOML arrays and inline tables accepted (the toml
/// crate's parser recurses with large frames; `dockprep.toml` nests 2).
pub const MAX_TOML_NESTING: usize = 32;

/// Where a TOML text first nests deeper than `max` arrays and inline
/// tables (`[` and `{` in values; a `[table]` header opens and closes on its
/// line): like [`json_too_deep`], with TOML's strings (`"…"` with escapes,
/// `'…'`, and their triple-quoted forms) and `#` comments skipped.
pub(crate) fn toml_too_deep(text: &str, max: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'') => {
                let triple = b.get(i..i + 3) == Some(&[q, q, q][..]);
                let escapes = q == b'"';
                i += if triple { 3 } else { 1 };
                while i < b.len() {
                    if escapes && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == q && (!triple || b.get(i..i + 3) == Some(&[q, q, q][..])) {
                        i += if triple { 2 } else { 0 };
                        break;
                    }
                    if !triple && b[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_depth_is_found_outside_strings_and_comments() {
        assert_eq!(json_too_deep("[[[]]]", 3), None);
        assert_eq!(json_too_deep("[[[[]]]]", 3), Some(3));
        assert_eq!(json_too_deep(r#"{"a":"[[[[\"[["}"#, 1), None);
        assert_eq!(json_too_deep("// [[[[\n[/* [[[[ */]", 1), None);
        assert_eq!(json_too_deep("[] [] [[]]", 1), Some(7));
        // An unterminated string or comment ends the scan.
        assert_eq!(json_too_deep("\"\\", 0), None);
        assert_eq!(json_too_deep("/*", 0), None);
    }

    #[test]
    fn toml_depth_skips_strings_and_comments() {
        assert_eq!(toml_too_deep("[a]\nx = [[1]]\n[[b]]\n", 2), None);
        assert_eq!(toml_too_deep("x = [[[1]]]", 2), Some(6));
        let quoted = r#"x = "[[[\"[["
y = '[[[['
# [[[[
z = """[["[["""
w = SQSQSQ[[[[SQSQSQ
"#
        .replace("SQ", "'");
        assert_eq!(toml_too_deep(&quoted, 1), None);
        assert_eq!(toml_too_deep("x = {a = {b = 1}}", 1), Some(9));
    }
}
