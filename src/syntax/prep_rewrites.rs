//! The specifiers a tarball prep (`docker-prep.sh`, `dockprep prep`) writes
//! into a `package.json`: `file:` paths into `.docker-deps/`, found
//! textually so that a manifest that is not valid JSON (or UTF-8) is still
//! scanned. The pre-commit guard, `restore` and the audit share this one scan.

use crate::syntax::span::{floor_char_boundary, LineIndex};

/// The longest specifier quoted in a [`Reference`] (longer ones end in `…`).
const SNIPPET_MAX: usize = 200;

/// A `file:` specifier into `.docker-deps/` found in a manifest's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub line: usize,
    pub column: usize,
    pub specifier: String,
}

/// Finds every string starting with `file:` whose path has a `.docker-deps`
/// component, textually: the manifest need not be valid JSON or UTF-8
/// (columns then count each invalid sequence as one character).
pub fn scan_manifest(bytes: &[u8]) -> Vec<Reference> {
    let text = String::from_utf8_lossy(bytes);
    // Same byte offsets as `text`: only ASCII letters change.
    let lower = text.to_ascii_lowercase();
    let mut index = None;
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find("\"file:") {
        let start = from + i + 1;
        let end = text[start..]
            .find(['"', '\n', '\r'])
            .map_or(text.len(), |e| start + e);
        let spec = &text[start..end];
        if into_docker_deps(&spec["file:".len()..]) {
            let index = index.get_or_insert_with(|| LineIndex::new(&text));
            let pos = index.position(&text, start);
            let cut = floor_char_boundary(spec, SNIPPET_MAX);
            let ellipsis = if cut < spec.len() { "…" } else { "" };
            found.push(Reference {
                line: pos.line,
                column: pos.column,
                specifier: format!("{}{ellipsis}", &spec[..cut]),
            });
        }
        from = end;
    }
    found
}

/// Whether a `file:` path has a `.docker-deps` component, at any depth
/// (`\/` JSON escapes and Windows separators included).
fn into_docker_deps(path: &str) -> bool {
    path.split(['/', '\\']).any(|c| c == ".docker-deps")
}
