//! A small POSIX-shell word splitter: enough to find the commands a `RUN`
//! line executes (`npm install -g pnpm`, `pnpm install`), with spans.
//!
//! It understands quotes, backslash escapes and line continuations, command
//! separators (`&&`, `||`, `;`, `|`, `&`, newlines, parentheses and braces used
//! as grouping) and comments. It does not expand anything.

use super::span::Span;

/// One word after quote removal, with the span of its source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

/// A simple command: its words in order (assignments like `A=b` included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleCommand {
    pub words: Vec<Word>,
}

impl SimpleCommand {
    pub fn span(&self) -> Span {
        match (self.words.first(), self.words.last()) {
            (Some(a), Some(b)) => a.span.cover(b.span),
            _ => Span::default(),
        }
    }

    /// The words after leading `VAR=value` assignments and wrappers such as
    /// `env`, `exec`, `sudo`, `time`, `command`.
    pub fn argv(&self) -> &[Word] {
        let mut i = 0;
        while i < self.words.len() {
            let w = &self.words[i].text;
            if is_assignment(w)
                || matches!(
                    w.as_str(),
                    "env" | "exec" | "sudo" | "time" | "command" | "nohup"
                )
            {
                i += 1;
            } else {
                break;
            }
        }
        &self.words[i..]
    }
}

fn is_assignment(w: &str) -> bool {
    match w.find('=') {
        Some(eq) if eq > 0 => w[..eq]
            .chars()
            .enumerate()
            .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())),
        _ => false,
    }
}

/// Splits `script` into simple commands. `escape` is the Dockerfile escape
/// character used for line continuations (normally `\`).
pub fn split_commands(script: &str, escape: char) -> Vec<SimpleCommand> {
    tokenize(script, escape, true)
}

/// Splits `text` into words on whitespace only (quotes and escapes honoured),
/// as `ARG`/`ENV` arguments are split.
pub(crate) fn split_words(text: &str, escape: char) -> Vec<Word> {
    tokenize(text, escape, false)
        .into_iter()
        .flat_map(|c| c.words)
        .collect()
}

fn tokenize(script: &str, escape: char, operators: bool) -> Vec<SimpleCommand> {
    let mut out = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut cur = String::new();
    let mut cur_start: Option<usize> = None;
    let mut chars = script.char_indices().peekable();

    fn end_word(words: &mut Vec<Word>, cur: &mut String, start: &mut Option<usize>, end: usize) {
        if let Some(s) = start.take() {
            words.push(Word {
                text: std::mem::take(cur),
                span: Span::new(s, end),
            });
        }
    }
    fn end_cmd(out: &mut Vec<SimpleCommand>, words: &mut Vec<Word>) {
        if !words.is_empty() {
            out.push(SimpleCommand {
                words: std::mem::take(words),
            });
        }
    }

    while let Some((i, c)) = chars.next() {
        match c {
            _ if c == escape || c == '\\' => {
                // line continuation or escaped char
                match chars.peek().copied() {
                    Some((_, '\n')) => {
                        chars.next();
                    }
                    Some((_, '\r')) => {
                        chars.next();
                        if let Some((_, '\n')) = chars.peek() {
                            chars.next();
                        }
                    }
                    Some((j, n)) => {
                        chars.next();
                        cur_start.get_or_insert(i);
                        cur.push(n);
                        let _ = j;
                    }
                    None => {}
                }
            }
            '\'' => {
                cur_start.get_or_insert(i);
                for (_, n) in chars.by_ref() {
                    if n == '\'' {
                        break;
                    }
                    cur.push(n);
                }
            }
            '"' => {
                cur_start.get_or_insert(i);
                while let Some((_, n)) = chars.next() {
                    match n {
                        '"' => break,
                        '\\' => {
                            if let Some((_, m)) = chars.next() {
                                if m != '\n' {
                                    cur.push(m);
                                }
                            }
                        }
                        _ => cur.push(n),
                    }
                }
            }
            '$' if operators && matches!(chars.peek(), Some((_, '('))) => {
                // command substitution: keep it inside the word, balanced
                cur_start.get_or_insert(i);
                cur.push('$');
                let mut depth = 0usize;
                for (_, n) in chars.by_ref() {
                    cur.push(n);
                    match n {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            '#' if operators && cur_start.is_none() => {
                // comment to end of line
                while let Some((_, n)) = chars.peek() {
                    if *n == '\n' {
                        break;
                    }
                    chars.next();
                }
            }
            ' ' | '\t' => end_word(&mut words, &mut cur, &mut cur_start, i),
            '\n' | '\r' if !operators => end_word(&mut words, &mut cur, &mut cur_start, i),
            '\n' | '\r' | ';' | '&' | '|' | '(' | ')' if operators => {
                end_word(&mut words, &mut cur, &mut cur_start, i);
                // `2>&1`-style redirections stay harmless: `&1` becomes a word
                end_cmd(&mut out, &mut words);
            }
            '{' | '}'
                if operators
                    && cur_start.is_none()
                    && matches!(chars.peek(), None | Some((_, ' ' | '\t' | '\n' | ';'))) =>
            {
                end_cmd(&mut out, &mut words);
            }
            _ => {
                cur_start.get_or_insert(i);
                cur.push(c);
            }
        }
    }
    end_word(&mut words, &mut cur, &mut cur_start, script.len());
    end_cmd(&mut out, &mut words);
    out
}

/// A reference to a variable: `$X`, `${X}`, `${X:-default}` and the like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarRef {
    pub name: String,
    /// Span of the whole reference, `$` included.
    pub span: Span,
}

/// Every variable reference in `text`, in order of their start. `escape`
/// (Dockerfile escape char) before `$` makes it literal. A `${` reference
/// runs to its balancing `}` (every brace counts), or to the end of the
/// text when there is none. Linear: the braces are matched in one pass.
pub fn var_refs(text: &str, escape: char) -> Vec<VarRef> {
    refs(text, escape, true)
}

/// The references of `text` that are not inside another one (what an
/// expansion replaces; the nested ones are in the defaults it expands).
pub(crate) fn top_level_var_refs(text: &str, escape: char) -> Vec<VarRef> {
    refs(text, escape, false)
}

fn refs(text: &str, escape: char, nested: bool) -> Vec<VarRef> {
    let bytes = text.as_bytes();
    // Nested references overlap: their braces are matched once, up front.
    // Top-level ones do not: each is scanned to its end, and the scan goes
    // on from there.
    let closing = if nested {
        closing_braces(bytes)
    } else {
        Default::default()
    };
    let end_of = |open: usize| -> usize {
        if nested {
            return closing.get(&open).map_or(bytes.len(), |c| c + 1);
        }
        let mut depth = 0usize;
        for (k, b) in bytes.iter().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return k + 1;
                    }
                }
                _ => {}
            }
        }
        bytes.len()
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == escape as u8 && escape.is_ascii() {
            i += 2;
            continue;
        }
        if b != b'$' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        if i < bytes.len() && bytes[i] == b'{' {
            let name_start = i + 1;
            let mut j = name_start;
            while j < bytes.len() && is_name_byte(bytes[j], j == name_start) {
                j += 1;
            }
            if j > name_start {
                let end = end_of(i);
                out.push(VarRef {
                    name: text[name_start..j].to_string(),
                    span: Span::new(start, end),
                });
                // nested references inside a default value are found too
                i = if nested { j } else { end };
                continue;
            }
        } else {
            let name_start = i;
            let mut j = i;
            while j < bytes.len() && is_name_byte(bytes[j], j == name_start) {
                j += 1;
            }
            if j > name_start {
                out.push(VarRef {
                    name: text[name_start..j].to_string(),
                    span: Span::new(start, j),
                });
                i = j;
                continue;
            }
        }
    }
    out
}

/// For each `${` of `bytes`, the offset of the `}` balancing its `{`.
fn closing_braces(bytes: &[u8]) -> std::collections::HashMap<usize, usize> {
    let mut open = Vec::new();
    let mut closing = std::collections::HashMap::new();
    if !bytes.contains(&b'$') {
        return closing;
    }
    for (k, b) in bytes.iter().enumerate() {
        match b {
            b'{' => open.push(k),
            b'}' => {
                if let Some(o) = open.pop() {
                    if o > 0 && bytes[o - 1] == b'$' {
                        closing.insert(o, k);
                    }
                }
            }
            _ => {}
        }
    }
    closing
}

/// The first reference of `refs` (as [`var_refs`] lists them) that lies
/// inside more than `max - 1` others: `${A:-${B:-…}}` nested too deeply.
pub(crate) fn nested_too_deep(refs: &[VarRef], max: usize) -> Option<&VarRef> {
    let mut ends: Vec<usize> = Vec::new();
    for r in refs {
        while ends.last().is_some_and(|&e| e <= r.span.start) {
            ends.pop();
        }
        if ends.len() >= max {
            return Some(r);
        }
        ends.push(r.span.end);
    }
    None
}

fn is_name_byte(b: u8, first: bool) -> bool {
    b == b'_' || b.is_ascii_alphabetic() || (!first && b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argvs(s: &str) -> Vec<Vec<String>> {
        split_commands(s, '\\')
            .iter()
            .map(|c| c.argv().iter().map(|w| w.text.clone()).collect())
            .collect()
    }

    #[test]
    fn splits_on_separators_and_continuations() {
        assert_eq!(
            argvs("apk add git && npm i -g \"pnpm@10\" \\\n  && CI=1 pnpm install --frozen-lockfile # done"),
            vec![
                vec!["apk", "add", "git"],
                vec!["npm", "i", "-g", "pnpm@10"],
                vec!["pnpm", "install", "--frozen-lockfile"],
            ]
        );
        assert_eq!(
            argvs("export T=\"$(cat /run/secrets/t 2>/dev/null || echo '')\"; pnpm i").len(),
            2
        );
    }

    #[test]
    fn word_spans_point_at_source() {
        let s = "npm install -g pnpm@10.6.5";
        let cmds = split_commands(s, '\\');
        let w = &cmds[0].words[3];
        assert_eq!(&s[w.span.range()], "pnpm@10.6.5");
    }

    #[test]
    fn finds_variable_references() {
        let r = var_refs("${A:-${B}} $C_1 \\$D $ ${}", '\\');
        let names: Vec<_> = r.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, vec!["A", "B", "C_1"]);
        let spans: Vec<_> = r.iter().map(|v| v.span.range()).collect();
        assert_eq!(spans, vec![0..10, 5..9, 11..15]);
        // Unbalanced: the reference runs to the end of the text.
        assert_eq!(var_refs("${A:-{x}", '\\')[0].span.range(), 0..8);
        assert_eq!(var_refs("${A}}", '\\')[0].span.range(), 0..4);
    }

    #[test]
    fn deep_nesting_is_found_in_linear_time() {
        let n = 200_000;
        let text = format!("{}x{}", "${A:-".repeat(n), "}".repeat(n));
        let started = std::time::Instant::now();
        let refs = var_refs(&text, '\\');
        assert_eq!(refs.len(), n);
        assert_eq!(nested_too_deep(&refs, 32).unwrap().span.start, 32 * 5);
        assert!(nested_too_deep(&refs[..32], 32).is_none());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        let siblings = var_refs(&"${A}".repeat(1000), '\\');
        assert!(nested_too_deep(&siblings, 1).is_none());
    }
}
