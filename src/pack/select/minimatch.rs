//! A port of the parts of minimatch 10 that npm uses: brace expansion (by
//! `braces`), negation, `**`, `matchBase`, `dot`, `nocase`, partial
//! matching, classes, POSIX classes and extglobs, with the same (sometimes
//! surprising) results.
//!
//! Hand-written because the packed file list follows from minimatch's exact
//! behaviour, quirks included: ignore-walk's `flipNegate`, the partial
//! matching that decides whether a directory is entered, extglob parsing
//! and the handling of dots and `**`. The Rust glob crates (`glob`,
//! `globset`, `wildmatch`) implement other dialects, and any difference
//! would pack other files than `npm pack` does.

use super::braces;

#[derive(Clone, Copy, Debug)]
pub(super) struct Opts {
    nocase: bool,
    dot: bool,
    match_base: bool,
    /// Whether a hit means "matched" whatever the negation (ignore-walk).
    flip_negate: bool,
}

impl Opts {
    /// The options of ignore-walk.
    pub(super) const IGNORE: Opts = Opts {
        nocase: true,
        dot: true,
        match_base: true,
        flip_negate: true,
    };
    /// Plain minimatch/glob options.
    pub(super) const GLOB: Opts = Opts {
        nocase: false,
        dot: false,
        match_base: false,
        flip_negate: false,
    };
}

/// minimatch's own limit on a pattern's length (`assertValidPattern`), in
/// UTF-16 code units: npm fails with "pattern is too long" past it.
const MAX_PATTERN_LENGTH: usize = 64 * 1024;
/// Deepest nesting of parentheses (extglobs) accepted. minimatch has no
/// limit of its own but recursion; the AST, its compilation and the matcher
/// here recurse once per level.
const MAX_PAREN_NESTING: usize = 64;
/// How much the extglob AST of one path segment may grow (nodes plus bytes
/// of text): `!(…)` copies the rest of the pattern into its alternatives,
/// so `!(a)!(a)!(a)…` grows exponentially.
const MAX_AST_SIZE: usize = 1 << 20;

/// A pattern beyond the limits: minimatch's length limit, or one of
/// dockprep's bounds on brace expansion and extglob nesting, which no
/// real ignore rule comes near.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(super) struct PatternError(pub(super) String);

pub(super) struct Minimatch {
    pub(super) negate: bool,
    comment: bool,
    empty: bool,
    set: Vec<Vec<Part>>,
    glob_parts: Vec<Vec<String>>,
    opts: Opts,
}

enum Part {
    Str(String),
    GlobStar,
    Seg(Segment),
}

impl Minimatch {
    pub(super) fn new(pattern: &str, opts: Opts) -> Result<Minimatch, PatternError> {
        let length = pattern.encode_utf16().count();
        if length > MAX_PATTERN_LENGTH {
            return Err(PatternError(format!(
                "pattern is too long ({length} UTF-16 units; minimatch accepts {MAX_PATTERN_LENGTH})"
            )));
        }
        let nesting = paren_nesting(pattern);
        if nesting > MAX_PAREN_NESTING {
            return Err(PatternError(format!(
                "parentheses nest {nesting} deep; dockprep accepts {MAX_PAREN_NESTING}"
            )));
        }
        let mut mm = Minimatch {
            negate: false,
            comment: false,
            empty: false,
            set: Vec::new(),
            glob_parts: Vec::new(),
            opts,
        };
        if pattern.starts_with('#') {
            mm.comment = true;
            return Ok(mm);
        }
        if pattern.is_empty() {
            mm.empty = true;
            return Ok(mm);
        }
        let bangs = pattern.len() - pattern.trim_start_matches('!').len();
        mm.negate = bangs % 2 == 1;
        let pattern = &pattern[bangs..];
        let mut seen = std::collections::HashSet::new();
        let glob_set: Vec<String> = braces::brace_expand(pattern)
            .map_err(PatternError)?
            .into_iter()
            .filter(|g| seen.insert(g.clone()))
            .collect();
        mm.glob_parts = glob_set
            .iter()
            .map(|g| level_one_optimize(slash_split(g)))
            .collect();
        mm.set = mm
            .glob_parts
            .iter()
            .map(|parts| parts.iter().map(|p| parse_part(p, opts)).collect())
            .collect::<Result<_, _>>()?;
        Ok(mm)
    }

    pub(super) fn glob_parts(&self) -> &[Vec<String>] {
        &self.glob_parts
    }

    /// `Minimatch#match(f, partial)`.
    pub(super) fn matches(&self, f: &str, partial: bool) -> bool {
        if self.comment {
            return false;
        }
        if self.empty {
            return f.is_empty();
        }
        if f == "/" && partial {
            return true;
        }
        let ff = slash_split(f);
        let filename = ff
            .iter()
            .rev()
            .find(|s| !s.is_empty())
            .cloned()
            .unwrap_or_default();
        let ff: Vec<&str> = ff.iter().map(String::as_str).collect();
        for pattern in &self.set {
            let hit = if self.opts.match_base && pattern.len() == 1 {
                self.match_one(&[filename.as_str()], pattern, partial)
            } else {
                self.match_one(&ff, pattern, partial)
            };
            if hit {
                return self.opts.flip_negate || !self.negate;
            }
        }
        !self.opts.flip_negate && self.negate
    }

    fn match_one(&self, file: &[&str], pattern: &[Part], partial: bool) -> bool {
        if pattern.iter().any(|p| matches!(p, Part::GlobStar)) {
            self.match_globstar(file, pattern, partial, 0, 0)
        } else {
            let refs: Vec<&Part> = pattern.iter().collect();
            self.match_linear(file, &refs, partial, 0, 0)
        }
    }

    fn part_hit(&self, p: &Part, f: &str) -> bool {
        match p {
            Part::Str(s) => s == f,
            Part::Seg(seg) => seg.test(f, self.opts),
            Part::GlobStar => false,
        }
    }

    fn match_linear(
        &self,
        file: &[&str],
        pattern: &[&Part],
        partial: bool,
        file_index: usize,
        pattern_index: usize,
    ) -> bool {
        let (mut fi, mut pi) = (file_index, pattern_index);
        let (fl, pl) = (file.len(), pattern.len());
        while fi < fl && pi < pl {
            if matches!(pattern[pi], Part::GlobStar) || !self.part_hit(pattern[pi], file[fi]) {
                return false;
            }
            fi += 1;
            pi += 1;
        }
        if fi == fl && pi == pl {
            true
        } else if fi == fl {
            partial
        } else if pi == pl {
            fi + 1 == fl && file[fi].is_empty()
        } else {
            false
        }
    }

    fn bad_in_globstar(&self, f: &str) -> bool {
        f == "." || f == ".." || (!self.opts.dot && f.starts_with('.'))
    }

    fn match_globstar(
        &self,
        file: &[&str],
        pattern: &[Part],
        partial: bool,
        file_index: usize,
        pattern_index: usize,
    ) -> bool {
        let refs: Vec<&Part> = pattern.iter().collect();
        let is_gs = |p: &&Part| matches!(p, Part::GlobStar);
        let first = pattern_index
            + refs[pattern_index..]
                .iter()
                .position(is_gs)
                .expect("a globstar");
        let last = refs.iter().rposition(is_gs).expect("a globstar");
        let head = &refs[pattern_index..first];
        let (body, tail): (&[&Part], &[&Part]) = if partial {
            (&refs[first + 1..], &[])
        } else {
            (&refs[first + 1..last.max(first + 1)], &refs[last + 1..])
        };
        let mut file_index = file_index;
        if !head.is_empty() {
            let end = (file_index + head.len()).min(file.len());
            let file_head = &file[file_index.min(end)..end];
            if !self.match_linear(file_head, head, partial, 0, 0) {
                return false;
            }
            file_index += head.len();
        }
        let mut tail_match = 0;
        if !tail.is_empty() {
            if tail.len() + file_index > file.len() {
                return false;
            }
            let mut tail_start = file.len() - tail.len();
            if self.match_linear(file, tail, partial, tail_start, 0) {
                tail_match = tail.len();
            } else {
                if !file[file.len() - 1].is_empty() || file_index + tail.len() == file.len() {
                    return false;
                }
                tail_start -= 1;
                if !self.match_linear(file, tail, partial, tail_start, 0) {
                    return false;
                }
                tail_match = tail.len() + 1;
            }
        }
        if body.is_empty() {
            let mut saw_some = tail_match > 0;
            for f in file.iter().take(file.len() - tail_match).skip(file_index) {
                saw_some = true;
                if self.bad_in_globstar(f) {
                    return false;
                }
            }
            return partial || saw_some;
        }
        // Sections of the body between further globstars, with the last
        // file index each may start at (computed as minimatch does).
        let mut sections: Vec<(Vec<&Part>, isize)> = vec![(Vec::new(), 0)];
        let mut non_gs = 0usize;
        let mut sums = vec![0usize];
        for b in body {
            if matches!(b, Part::GlobStar) {
                sums.push(non_gs);
                sections.push((Vec::new(), 0));
            } else {
                sections.last_mut().expect("a section").0.push(b);
                non_gs += 1;
            }
        }
        let file_length = (file.len() - tail_match) as isize;
        let n = sections.len();
        for (k, s) in sections.iter_mut().enumerate() {
            s.1 = file_length - (sums[n - 1 - k] + s.0.len()) as isize;
        }
        self.match_sections(file, &sections, file_index, 0, partial, 0, tail_match > 0) == Tri::True
    }

    #[allow(clippy::too_many_arguments)]
    fn match_sections(
        &self,
        file: &[&str],
        sections: &[(Vec<&Part>, isize)],
        file_index: usize,
        index: usize,
        partial: bool,
        depth: usize,
        saw_tail: bool,
    ) -> Tri {
        let Some((body, after)) = sections.get(index) else {
            let mut saw_tail = saw_tail;
            for f in file.iter().skip(file_index) {
                saw_tail = true;
                if self.bad_in_globstar(f) {
                    return Tri::False;
                }
            }
            return if saw_tail { Tri::True } else { Tri::False };
        };
        let mut fi = file_index;
        while (fi as isize) <= *after {
            let end = (fi + body.len()).min(file.len());
            if self.match_linear(&file[..end], body, partial, fi, 0) && depth < 200 {
                let sub = self.match_sections(
                    file,
                    sections,
                    fi + body.len(),
                    index + 1,
                    partial,
                    depth + 1,
                    saw_tail,
                );
                if sub != Tri::False {
                    return sub;
                }
            }
            if file.get(fi).is_some_and(|f| self.bad_in_globstar(f)) {
                return Tri::False;
            }
            fi += 1;
        }
        if partial {
            Tri::True
        } else {
            Tri::Null
        }
    }
}

/// minimatch's `true`, `false` and `null` results of globstar sections.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tri {
    True,
    False,
    Null,
}

/// `p.split(/\/+/)`.
fn slash_split(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_slash = false;
    for c in p.chars() {
        if c == '/' {
            if !prev_slash {
                out.push(std::mem::take(&mut cur));
            }
            prev_slash = true;
        } else {
            cur.push(c);
            prev_slash = false;
        }
    }
    out.push(cur);
    out
}

fn level_one_optimize(parts: Vec<String>) -> Vec<String> {
    let mut set: Vec<String> = Vec::new();
    for part in parts {
        let prev = set.last().map(String::as_str);
        if part == "**" && prev == Some("**") {
            continue;
        }
        if part == ".." {
            if let Some(p) = prev {
                if !p.is_empty() && p != ".." && p != "." && p != "**" {
                    set.pop();
                    continue;
                }
            }
        }
        set.push(part);
    }
    if set.is_empty() {
        set.push(String::new());
    }
    set
}

/// The deepest nesting of `(` in `p` (escapes and classes not told apart:
/// an upper bound of the extglob nesting).
fn paren_nesting(p: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for c in p.chars() {
        match c {
            '(' => {
                depth += 1;
                max = max.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn parse_part(p: &str, opts: Opts) -> Result<Part, PatternError> {
    if p == "**" {
        return Ok(Part::GlobStar);
    }
    if p.is_empty() {
        return Ok(Part::Str(String::new()));
    }
    let chars: Vec<char> = p.chars().collect();
    let mut ast = Ast::default();
    ast.new_node(None, None);
    ast.parse(&chars, 0, 0, 0);
    ast.flatten(0);
    ast.fill_negs();
    if ast.size > MAX_AST_SIZE {
        return Err(PatternError(format!(
            "the extglobs of `{}` expand beyond dockprep's limit",
            shorten(p)
        )));
    }
    let nodes = ast.compile_plain(0, opts.dot);
    let magic = nodes.iter().any(|n| !matches!(n, Node::Lit(_)))
        || (opts.nocase && p.to_uppercase() != p.to_lowercase());
    if !magic {
        return Ok(Part::Str(
            nodes
                .iter()
                .map(|n| match n {
                    Node::Lit(c) => *c,
                    _ => unreachable!("only literals"),
                })
                .collect(),
        ));
    }
    let min_len = nodes
        .iter()
        .filter(|n| matches!(n, Node::Lit(_) | Node::Any | Node::Class { .. }))
        .count();
    Ok(Part::Seg(Segment {
        nodes,
        fast: fast_test(p),
        literal_dot_start: p.starts_with('.'),
        min_len,
    }))
}

/// A pattern as an error message shows it: at most 60 characters.
fn shorten(p: &str) -> String {
    match p.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &p[..i]),
        None => p.to_string(),
    }
}

// --- fast tests --------------------------------------------------------

/// The shortcuts minimatch takes for common shapes; they replace the
/// regular expression (and differ from it in corner cases).
enum Fast {
    Star,
    StarExt(String),
    Qmarks(usize, String),
    StarDotStar,
    DotStar,
}

fn is_ext_char(c: char) -> bool {
    !matches!(c, '+' | '@' | '!' | '?' | '*' | '[' | '(')
}

fn fast_test(p: &str) -> Option<Fast> {
    let stars = p.len() - p.trim_start_matches('*').len();
    let rest = &p[stars..];
    if stars > 0 && rest.is_empty() {
        return Some(Fast::Star);
    }
    if stars > 0 && rest.chars().all(is_ext_char) {
        return Some(Fast::StarExt(rest.to_string()));
    }
    let qm = p.len() - p.trim_start_matches('?').len();
    if qm > 0 && p[qm..].chars().all(is_ext_char) {
        return Some(Fast::Qmarks(p.encode_utf16().count(), p[qm..].to_string()));
    }
    if stars > 0 {
        if let Some(r) = rest.strip_prefix('.') {
            if !r.is_empty() && r.chars().all(|c| c == '*') {
                return Some(Fast::StarDotStar);
            }
        }
    }
    if let Some(r) = p.strip_prefix('.') {
        if !r.is_empty() && r.chars().all(|c| c == '*') {
            return Some(Fast::DotStar);
        }
    }
    None
}

struct Segment {
    nodes: Vec<Node>,
    fast: Option<Fast>,
    literal_dot_start: bool,
    /// Characters every match takes (the nodes outside groups that take
    /// one): a shorter name cannot match.
    min_len: usize,
}

impl Segment {
    fn test(&self, f: &str, opts: Opts) -> bool {
        let not_dots = f != "." && f != "..";
        let dot_ok = |f: &str| {
            if opts.dot {
                not_dots
            } else {
                !f.starts_with('.')
            }
        };
        let ends = |ext: &str| {
            if opts.nocase {
                f.to_lowercase().ends_with(&ext.to_lowercase())
            } else {
                f.ends_with(ext)
            }
        };
        match &self.fast {
            Some(Fast::Star) => !f.is_empty() && dot_ok(f),
            Some(Fast::StarExt(ext)) => (opts.dot || !f.starts_with('.')) && ends(ext),
            Some(Fast::Qmarks(len, ext)) => {
                f.encode_utf16().count() == *len && dot_ok(f) && (ext.is_empty() || ends(ext))
            }
            Some(Fast::StarDotStar) => dot_ok(f) && f.contains('.'),
            Some(Fast::DotStar) => not_dots && f.starts_with('.'),
            None => {
                if !opts.dot && f.starts_with('.') && !self.literal_dot_start {
                    return false;
                }
                let s: Vec<char> = f.chars().collect();
                if s.len() < self.min_len {
                    return false;
                }
                let m = Matcher {
                    s: &s,
                    nocase: opts.nocase,
                };
                let mut start = m.none();
                start[0] = true;
                m.reach(&self.nodes, start)[s.len()]
            }
        }
    }
}

// --- the AST of one path segment ----------------------------------------

const MAX_EXT_DEPTH: usize = 2;

#[derive(Clone, Debug)]
enum Piece {
    Text(String),
    Node(usize),
}

#[derive(Debug)]
struct AstNode {
    kind: Option<char>,
    parts: Vec<Piece>,
    parent: Option<usize>,
    parent_index: usize,
    empty_ext: bool,
}

#[derive(Default)]
struct Ast {
    nodes: Vec<AstNode>,
    negs: Vec<usize>,
    filled: bool,
    /// Nodes made plus bytes of text pushed; past [`MAX_AST_SIZE`] no more
    /// copies are made and the pattern is refused.
    size: usize,
}

fn is_ext_type(c: char) -> bool {
    matches!(c, '!' | '?' | '+' | '*' | '@')
}

fn adopt_any(parent: char, child: char) -> bool {
    matches!(
        (parent, child),
        ('!' | '?' | '@', '?' | '@') | ('*' | '+', '*' | '+' | '?' | '@')
    )
}

fn adopt_plain(parent: char, child: char) -> bool {
    matches!(
        (parent, child),
        ('!', '@')
            | ('?', '?' | '@')
            | ('@', '@')
            | ('*', '*' | '+' | '?' | '@')
            | ('+', '+' | '@')
    )
}

fn adopt_with_space(parent: char, child: char) -> bool {
    matches!((parent, child), ('!', '?') | ('@', '?') | ('+', '?' | '*'))
}

fn usurp_type(parent: char, child: char) -> Option<char> {
    match (parent, child) {
        ('!', '!') => Some('@'),
        ('?', '*' | '+') => Some('*'),
        ('@', c) if is_ext_type(c) => Some(c),
        ('+', '?' | '*') => Some('*'),
        _ => None,
    }
}

impl Ast {
    fn new_node(&mut self, kind: Option<char>, parent: Option<usize>) -> usize {
        let parent_index = parent.map_or(0, |p| self.nodes[p].parts.len());
        let id = self.nodes.len();
        self.size += 1;
        self.nodes.push(AstNode {
            kind,
            parts: Vec::new(),
            parent,
            parent_index,
            empty_ext: false,
        });
        if kind == Some('!') && !self.filled {
            self.negs.push(id);
        }
        id
    }

    fn push(&mut self, id: usize, piece: Piece) {
        if matches!(&piece, Piece::Text(t) if t.is_empty()) {
            return;
        }
        if let Piece::Text(t) = &piece {
            self.size += t.len();
        }
        self.nodes[id].parts.push(piece);
    }

    /// `AST.#parseAST`: returns the index after what was consumed.
    fn parse(&mut self, s: &[char], id: usize, pos: usize, depth: usize) -> usize {
        let mut lit = Literal::default();
        let mut acc = String::new();
        if self.nodes[id].kind.is_none() {
            let mut i = pos;
            while i < s.len() {
                let c = s[i];
                i += 1;
                if lit.literal(c, i) {
                    acc.push(c);
                    continue;
                }
                if is_ext_type(c) && s.get(i) == Some(&'(') && depth <= MAX_EXT_DEPTH {
                    self.push(id, Piece::Text(std::mem::take(&mut acc)));
                    let ext = self.new_node(Some(c), Some(id));
                    i = self.parse(s, ext, i, depth + 1);
                    self.push(id, Piece::Node(ext));
                    continue;
                }
                acc.push(c);
            }
            self.push(id, Piece::Text(acc));
            return i;
        }

        let kind = self.nodes[id].kind.expect("an extglob");
        let mut i = pos + 1;
        let mut part = self.new_node(None, Some(id));
        let mut parts = Vec::new();
        while i < s.len() {
            let c = s[i];
            i += 1;
            if lit.literal(c, i) {
                acc.push(c);
                continue;
            }
            let adopt = is_ext_type(c) && adopt_any(kind, c);
            if is_ext_type(c) && s.get(i) == Some(&'(') && (depth <= MAX_EXT_DEPTH || adopt) {
                self.push(part, Piece::Text(std::mem::take(&mut acc)));
                let ext = self.new_node(Some(c), Some(part));
                self.push(part, Piece::Node(ext));
                i = self.parse(s, ext, i, depth + usize::from(!adopt));
                continue;
            }
            if c == '|' {
                self.push(part, Piece::Text(std::mem::take(&mut acc)));
                parts.push(part);
                part = self.new_node(None, Some(id));
                continue;
            }
            if c == ')' {
                if acc.is_empty() && self.nodes[id].parts.is_empty() {
                    self.nodes[id].empty_ext = true;
                }
                self.push(part, Piece::Text(std::mem::take(&mut acc)));
                parts.push(part);
                for p in parts {
                    self.push(id, Piece::Node(p));
                }
                return i;
            }
            acc.push(c);
        }
        // Unclosed: the rest, from the type character on, is plain text.
        let node = &mut self.nodes[id];
        node.kind = None;
        node.parts = vec![Piece::Text(s[pos - 1..].iter().collect())];
        i
    }

    fn flatten(&mut self, id: usize) {
        if self.nodes[id].kind.is_none() {
            let children: Vec<usize> = self.nodes[id]
                .parts
                .iter()
                .filter_map(|p| match p {
                    Piece::Node(n) => Some(*n),
                    Piece::Text(_) => None,
                })
                .collect();
            for c in children {
                self.flatten(c);
            }
            return;
        }
        let mut iterations = 0;
        loop {
            let mut done = true;
            let mut i = 0;
            while i < self.nodes[id].parts.len() {
                if let Piece::Node(c) = self.nodes[id].parts[i] {
                    self.flatten(c);
                    let this = self.nodes[id].kind.expect("an extglob");
                    if let Some(gc_kind) = self.single_ext_child(c) {
                        if adopt_plain(this, gc_kind) {
                            done = false;
                            self.adopt(id, c, i);
                        } else if adopt_with_space(this, gc_kind) {
                            done = false;
                            let gc = self.only_node(c);
                            let blank = self.new_node(None, Some(gc));
                            self.nodes[blank].parts.push(Piece::Text(String::new()));
                            self.nodes[gc].parts.push(Piece::Node(blank));
                            self.adopt(id, c, i);
                        } else if self.nodes[id].parts.len() == 1 {
                            if let Some(nt) = usurp_type(this, gc_kind) {
                                done = false;
                                let gc = self.only_node(c);
                                let parts = self.nodes[gc].parts.clone();
                                for p in &parts {
                                    if let Piece::Node(n) = p {
                                        self.nodes[*n].parent = Some(id);
                                    }
                                }
                                let node = &mut self.nodes[id];
                                node.parts = parts;
                                node.kind = Some(nt);
                                node.empty_ext = false;
                            }
                        }
                    }
                }
                i += 1;
            }
            iterations += 1;
            if done || iterations >= 10 {
                break;
            }
        }
    }

    /// The type of the only part of a plain node, when that is an extglob.
    fn single_ext_child(&self, c: usize) -> Option<char> {
        let node = &self.nodes[c];
        if node.kind.is_some() || node.parts.len() != 1 {
            return None;
        }
        match node.parts[0] {
            Piece::Node(gc) => self.nodes[gc].kind,
            Piece::Text(_) => None,
        }
    }

    fn only_node(&self, c: usize) -> usize {
        match self.nodes[c].parts[0] {
            Piece::Node(gc) => gc,
            Piece::Text(_) => unreachable!("checked by single_ext_child"),
        }
    }

    fn adopt(&mut self, id: usize, child: usize, index: usize) {
        let gc = self.only_node(child);
        let parts = self.nodes[gc].parts.clone();
        for p in &parts {
            if let Piece::Node(n) = p {
                self.nodes[*n].parent = Some(id);
            }
        }
        self.nodes[id].parts.splice(index..index + 1, parts);
    }

    /// Copies what follows each `!(…)` into its alternatives, as the
    /// negative lookahead must see the rest of the pattern.
    fn fill_negs(&mut self) {
        self.filled = true;
        while let Some(n) = self.negs.pop() {
            if self.size > MAX_AST_SIZE {
                return;
            }
            if self.nodes[n].kind != Some('!') {
                continue;
            }
            let mut p = n;
            let mut pp = self.nodes[n].parent;
            while let Some(ppid) = pp {
                if self.nodes[ppid].kind.is_none() {
                    let mut i = self.nodes[p].parent_index + 1;
                    while i < self.nodes[ppid].parts.len() && self.size <= MAX_AST_SIZE {
                        let piece = self.nodes[ppid].parts[i].clone();
                        let alts = self.nodes[n].parts.clone();
                        for alt in alts {
                            if let Piece::Node(a) = alt {
                                self.copy_in(a, &piece);
                            }
                        }
                        i += 1;
                    }
                }
                p = ppid;
                pp = self.nodes[ppid].parent;
            }
        }
    }

    fn copy_in(&mut self, target: usize, piece: &Piece) {
        if self.size > MAX_AST_SIZE {
            return;
        }
        match piece {
            Piece::Text(t) => self.push(target, Piece::Text(t.clone())),
            Piece::Node(c) => {
                let clone = self.clone_node(*c, target);
                self.push(target, Piece::Node(clone));
            }
        }
    }

    fn clone_node(&mut self, c: usize, parent: usize) -> usize {
        let kind = self.nodes[c].kind;
        let id = self.new_node(kind, Some(parent));
        for piece in self.nodes[c].parts.clone() {
            self.copy_in(id, &piece);
        }
        id
    }

    fn is_start(&self, id: usize) -> bool {
        let Some(parent) = self.nodes[id].parent else {
            return true;
        };
        if !self.is_start(parent) {
            return false;
        }
        let idx = self.nodes[id].parent_index;
        if idx == 0 {
            return true;
        }
        (0..idx).all(|i| {
            matches!(self.nodes[parent].parts.get(i),
                Some(Piece::Node(n)) if self.nodes[*n].kind == Some('!'))
        })
    }

    fn is_end(&self, id: usize) -> bool {
        let Some(parent) = self.nodes[id].parent else {
            return true;
        };
        if self.nodes[parent].kind == Some('!') {
            return true;
        }
        if !self.is_end(parent) {
            return false;
        }
        if self.nodes[id].kind.is_none() {
            return true;
        }
        self.nodes[id].parent_index + 1 == self.nodes[parent].parts.len()
    }

    fn to_text(&self, id: usize) -> String {
        let node = &self.nodes[id];
        let parts: Vec<String> = node
            .parts
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Node(n) => self.to_text(*n),
            })
            .collect();
        match node.kind {
            None => parts.concat(),
            Some(k) => format!("{k}({})", parts.join("|")),
        }
    }

    /// The matcher of a plain (non-extglob) node.
    fn compile_plain(&self, id: usize, dot: bool) -> Vec<Node> {
        let node = &self.nodes[id];
        let start = self.is_start(id);
        let no_empty =
            start && self.is_end(id) && node.parts.iter().all(|p| matches!(p, Piece::Text(_)));
        let mut out = Vec::new();
        for p in &node.parts {
            match p {
                Piece::Text(t) => parse_glob(t, no_empty, &mut out),
                Piece::Node(n) => out.extend(self.compile_ext(*n, dot)),
            }
        }
        if start && matches!(node.parts.first(), Some(Piece::Text(_))) {
            let just_dots = node.parts.len() == 1
                && matches!(&node.parts[0], Piece::Text(t) if t == "." || t == "..");
            if !just_dots {
                let bracket = |i: usize| out.get(i).is_some_and(Node::starts_with_bracket);
                let lit_dot = |i: usize| matches!(out.get(i), Some(Node::Lit('.')));
                let no_trav = (dot && bracket(0))
                    || (lit_dot(0) && bracket(1))
                    || (lit_dot(0) && lit_dot(1) && bracket(2));
                if no_trav {
                    out.insert(0, Node::NoTraversal);
                } else if !dot && bracket(0) {
                    out.insert(0, Node::NoDot);
                }
            }
        }
        if let Some(parent) = node.parent {
            if self.nodes[parent].kind == Some('!') && self.is_end(id) {
                out.push(Node::End);
            }
        }
        out
    }

    fn compile_ext(&self, id: usize, dot: bool) -> Vec<Node> {
        let node = &self.nodes[id];
        let Some(kind) = node.kind else {
            return self.compile_plain(id, dot);
        };
        let whole = self.is_start(id) && self.is_end(id);
        let mut alts: Vec<Vec<Node>> = node
            .parts
            .iter()
            .filter_map(|p| match p {
                Piece::Node(n) => Some(self.compile_plain(*n, dot)),
                Piece::Text(_) => None,
            })
            .collect();
        if whole {
            alts.retain(|a| !a.is_empty());
        }
        if whole && alts.is_empty() && kind != '!' {
            return self.to_text(id).chars().map(Node::Lit).collect();
        }
        if kind == '!' && node.empty_ext {
            return vec![Node::Star { non_empty: true }];
        }
        vec![Node::Group { kind, alts }]
    }
}

/// `AST.#parseGlob`: the matcher of a run of plain glob text.
fn parse_glob(glob: &str, no_empty: bool, out: &mut Vec<Node>) {
    let g: Vec<char> = glob.chars().collect();
    let all_stars = !g.is_empty() && g.iter().all(|c| *c == '*');
    let mut escaping = false;
    let mut in_star = false;
    let mut i = 0;
    while i < g.len() {
        let c = g[i];
        if escaping {
            escaping = false;
            out.push(Node::Lit(c));
            i += 1;
            continue;
        }
        if c == '*' {
            if !in_star {
                in_star = true;
                out.push(Node::Star {
                    non_empty: no_empty && all_stars,
                });
            }
            i += 1;
            continue;
        }
        in_star = false;
        if c == '\\' {
            if i == g.len() - 1 {
                out.push(Node::Lit('\\'));
            } else {
                escaping = true;
            }
            i += 1;
            continue;
        }
        if c == '[' {
            if let Some((node, consumed)) = parse_class(&g, i) {
                out.push(node);
                i += consumed;
                continue;
            }
        }
        if c == '?' {
            out.push(Node::Any);
            i += 1;
            continue;
        }
        out.push(Node::Lit(c));
        i += 1;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Posix {
    Alnum,
    Alpha,
    Ascii,
    Blank,
    Cntrl,
    Digit,
    Graph,
    Lower,
    Print,
    Punct,
    Space,
    Upper,
    Word,
    Xdigit,
}

const POSIX: &[(&str, Posix)] = &[
    ("[:alnum:]", Posix::Alnum),
    ("[:alpha:]", Posix::Alpha),
    ("[:ascii:]", Posix::Ascii),
    ("[:blank:]", Posix::Blank),
    ("[:cntrl:]", Posix::Cntrl),
    ("[:digit:]", Posix::Digit),
    ("[:graph:]", Posix::Graph),
    ("[:lower:]", Posix::Lower),
    ("[:print:]", Posix::Print),
    ("[:punct:]", Posix::Punct),
    ("[:space:]", Posix::Space),
    ("[:upper:]", Posix::Upper),
    ("[:word:]", Posix::Word),
    ("[:xdigit:]", Posix::Xdigit),
];

impl Posix {
    fn contains(self, c: char) -> bool {
        match self {
            Posix::Alnum => c.is_alphanumeric(),
            Posix::Alpha => c.is_alphabetic(),
            Posix::Ascii => c.is_ascii(),
            Posix::Blank => {
                c == '\t'
                    || (c.is_whitespace() && !c.is_control() && c != '\u{2028}' && c != '\u{2029}')
            }
            // minimatch maps both to \p{C}.
            Posix::Cntrl | Posix::Print => c.is_control(),
            Posix::Digit => c.is_numeric(),
            // \p{Z}\p{C}, used negated.
            Posix::Graph => c.is_whitespace() || c.is_control(),
            Posix::Lower => c.is_lowercase(),
            Posix::Punct => {
                if c.is_ascii() {
                    c.is_ascii_punctuation() && !"$+<=>^`|~".contains(c)
                } else {
                    false
                }
            }
            Posix::Space => c.is_whitespace(),
            Posix::Upper => c.is_uppercase(),
            Posix::Word => c.is_alphanumeric() || c == '_',
            Posix::Xdigit => c.is_ascii_hexdigit(),
        }
    }
}

#[derive(Clone, Debug)]
enum ClassItem {
    Char(char),
    Range(char, char),
    Posix(Posix),
}

impl ClassItem {
    fn contains(&self, c: char) -> bool {
        match self {
            ClassItem::Char(x) => *x == c,
            ClassItem::Range(a, b) => *a <= c && c <= *b,
            ClassItem::Posix(p) => p.contains(c),
        }
    }
}

/// `parseClass`: the class at `g[pos] == '['`, with how many characters
/// it takes, or `None` when it is not a class (a literal `[`).
fn parse_class(g: &[char], pos: usize) -> Option<(Node, usize)> {
    let mut ranges: Vec<ClassItem> = Vec::new();
    let mut negs: Vec<Posix> = Vec::new();
    let mut i = pos + 1;
    let mut saw_start = false;
    let mut escaping = false;
    let mut negate = false;
    let mut end_pos = pos;
    let mut range_start: Option<char> = None;
    let starts = |i: usize, s: &str| {
        let s: Vec<char> = s.chars().collect();
        g.len() >= i + s.len() && g[i..i + s.len()] == s[..]
    };
    'outer: while i < g.len() {
        let c = g[i];
        if (c == '!' || c == '^') && i == pos + 1 {
            negate = true;
            i += 1;
            continue;
        }
        if c == ']' && saw_start && !escaping {
            end_pos = i + 1;
            break;
        }
        saw_start = true;
        if c == '\\' && !escaping {
            escaping = true;
            i += 1;
            continue;
        }
        if c == '[' && !escaping {
            for (name, class) in POSIX {
                if starts(i, name) {
                    if range_start.is_some() {
                        return Some((Node::Never, g.len() - pos));
                    }
                    i += name.chars().count();
                    if *class == Posix::Graph {
                        negs.push(*class);
                    } else {
                        ranges.push(ClassItem::Posix(*class));
                    }
                    continue 'outer;
                }
            }
        }
        escaping = false;
        if let Some(rs) = range_start.take() {
            if c > rs {
                ranges.push(ClassItem::Range(rs, c));
            } else if c == rs {
                ranges.push(ClassItem::Char(c));
            }
            i += 1;
            continue;
        }
        if starts(i + 1, "-]") {
            ranges.push(ClassItem::Char(c));
            ranges.push(ClassItem::Char('-'));
            i += 2;
            continue;
        }
        if starts(i + 1, "-") {
            range_start = Some(c);
            i += 2;
            continue;
        }
        ranges.push(ClassItem::Char(c));
        i += 1;
    }
    if end_pos < i {
        return None;
    }
    if ranges.is_empty() && negs.is_empty() {
        return Some((Node::Never, g.len() - pos));
    }
    if negs.is_empty() && ranges.len() == 1 && !negate {
        if let ClassItem::Char(c) = ranges[0] {
            return Some((Node::Lit(c), end_pos - pos));
        }
    }
    Some((
        Node::Class {
            negate,
            ranges,
            negs,
        },
        end_pos - pos,
    ))
}

// --- matching one segment -----------------------------------------------

#[derive(Clone, Debug)]
enum Node {
    Lit(char),
    /// `?`
    Any,
    /// `*`
    Star {
        non_empty: bool,
    },
    Class {
        negate: bool,
        ranges: Vec<ClassItem>,
        negs: Vec<Posix>,
    },
    /// An extglob; for `!` each alternative ends with [`Node::End`] and
    /// carries the rest of the pattern.
    Group {
        kind: char,
        alts: Vec<Vec<Node>>,
    },
    /// A class that can never match.
    Never,
    /// The segment is not `.` or `..` (checked at its start).
    NoTraversal,
    /// The next character is not a `.`.
    NoDot,
    End,
}

impl Node {
    /// Whether minimatch's regular expression source for the node starts
    /// with `[` (which decides its dot guards).
    fn starts_with_bracket(&self) -> bool {
        match self {
            Node::Any | Node::Star { .. } => true,
            Node::Class { ranges, negs, .. } => ranges.is_empty() || negs.is_empty(),
            _ => false,
        }
    }
}

struct Matcher<'s> {
    s: &'s [char],
    nocase: bool,
}

fn canon(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) if !((c as u32) >= 128 && (u as u32) < 128) => u,
        _ => c,
    }
}

impl Matcher<'_> {
    fn lit_eq(&self, a: char, b: char) -> bool {
        a == b || (self.nocase && canon(a) == canon(b))
    }

    fn class_has(&self, items: &[ClassItem], c: char) -> bool {
        items.iter().any(|it| {
            it.contains(c)
                || (self.nocase
                    && (it.contains(canon(c)) || c.to_lowercase().any(|l| it.contains(l))))
        })
    }

    /// Whether the one-character node `node` (a literal, `?` or a class)
    /// takes the character at `pos`.
    fn takes(&self, node: &Node, pos: usize) -> bool {
        let Some(&c) = self.s.get(pos) else {
            return false;
        };
        match node {
            Node::Lit(l) => self.lit_eq(c, *l),
            Node::Any => true,
            Node::Class {
                negate,
                ranges,
                negs,
            } => {
                let in_ranges = !ranges.is_empty() && (self.class_has(ranges, c) != *negate);
                let in_negs = !negs.is_empty() && {
                    let found = negs.iter().any(|p| p.contains(c));
                    found == *negate
                };
                in_ranges || in_negs
            }
            _ => false,
        }
    }

    /// The empty set of positions (`0..=len`).
    fn none(&self) -> Vec<bool> {
        vec![false; self.s.len() + 1]
    }

    /// Where `nodes` can end when they start at any position of `from`.
    ///
    /// minimatch matches through a JavaScript regular expression, which
    /// backtracks; this computes the same answer (whether some way through
    /// matches) as sets of positions, node after node: time linear in the
    /// nodes and polynomial in the segment's length whatever the pattern,
    /// recursion only into extglob groups (bounded by their nesting).
    fn reach(&self, nodes: &[Node], mut from: Vec<bool>) -> Vec<bool> {
        let s = self.s;
        let n = s.len();
        for node in nodes {
            if !from.contains(&true) {
                break;
            }
            from = match node {
                Node::Lit(_) | Node::Any | Node::Class { .. } => {
                    let mut to = self.none();
                    for p in 0..n {
                        to[p + 1] = from[p] && self.takes(node, p);
                    }
                    to
                }
                Node::Star { non_empty } => {
                    let mut to = self.none();
                    if let Some(first) = from.iter().position(|&b| b) {
                        for q in to.iter_mut().skip(first + usize::from(*non_empty)) {
                            *q = true;
                        }
                    }
                    to
                }
                Node::Never => self.none(),
                Node::NoTraversal => {
                    if s == ['.'] || s == ['.', '.'] {
                        from[0] = false;
                    }
                    from
                }
                Node::NoDot => {
                    for (p, b) in from.iter_mut().enumerate() {
                        *b = *b && s.get(p) != Some(&'.');
                    }
                    from
                }
                Node::End => {
                    let mut to = self.none();
                    to[n] = from[n];
                    to
                }
                Node::Group { kind, alts } => self.group(*kind, alts, from),
            };
        }
        from
    }

    /// Where one iteration of `alts` can end, starting at `pos`.
    fn once(&self, alts: &[Vec<Node>], pos: usize) -> Vec<bool> {
        let mut start = self.none();
        start[pos] = true;
        let mut to = self.none();
        for a in alts {
            for (t, r) in to.iter_mut().zip(self.reach(a, start.clone())) {
                *t |= r;
            }
        }
        to
    }

    fn group(&self, kind: char, alts: &[Vec<Node>], from: Vec<bool>) -> Vec<bool> {
        let n = self.s.len();
        let mut to = self.none();
        match kind {
            // `@(…)` once, `?(…)` at most once.
            '@' | '?' => {
                for a in alts {
                    for (t, r) in to.iter_mut().zip(self.reach(a, from.clone())) {
                        *t |= r;
                    }
                }
                if kind == '?' {
                    for (t, f) in to.iter_mut().zip(&from) {
                        *t |= *f;
                    }
                }
            }
            // `+(…)` once (possibly empty), then any number of non-empty
            // iterations; `*(…)` any number of non-empty iterations.
            '+' | '*' => {
                if kind == '*' {
                    to.clone_from(&from);
                } else {
                    for p in (0..=n).filter(|&p| from[p]) {
                        for (t, r) in to.iter_mut().zip(self.once(alts, p)) {
                            *t |= r;
                        }
                    }
                }
                // Non-empty iterations only move forward: one pass in order.
                for p in 0..=n {
                    if to[p] {
                        let next = self.once(alts, p);
                        for q in p + 1..=n {
                            to[q] |= next[q];
                        }
                    }
                }
            }
            // `!(…)`: where no alternative (which carries the rest of the
            // pattern) matches from here, any run of characters.
            _ => {
                for p in (0..=n).filter(|&p| from[p]) {
                    if !self.once(alts, p).contains(&true) {
                        for t in &mut to[p..] {
                            *t = true;
                        }
                        break;
                    }
                }
            }
        }
        to
    }
}

/// Escapes and `[...]` classes while scanning a pattern: characters inside
/// them are literal text, never extglob syntax.
#[derive(Default)]
struct Literal {
    escaping: bool,
    in_class: bool,
    class_start: usize,
    class_neg: bool,
}

impl Literal {
    /// Feeds `c` (at 1-based position `i` after reading it); true when it is
    /// part of an escape or a class.
    fn literal(&mut self, c: char, i: usize) -> bool {
        if self.escaping || c == '\\' {
            self.escaping = !self.escaping;
            return true;
        }
        if self.in_class {
            if i == self.class_start + 1 {
                if c == '^' || c == '!' {
                    self.class_neg = true;
                }
            } else if c == ']' && !(i == self.class_start + 2 && self.class_neg) {
                self.in_class = false;
            }
            return true;
        }
        if c == '[' {
            self.in_class = true;
            self.class_start = i;
            self.class_neg = false;
            return true;
        }
        false
    }
}

/// The backtracking matcher the set-based one replaced, kept as the
/// tests' oracle (it is exponential on `*a*a*a…b`).
#[cfg(test)]
impl Matcher<'_> {
    fn seq(&self, nodes: &[Node], pos: usize, k: &dyn Fn(usize) -> bool) -> bool {
        let Some((node, rest)) = nodes.split_first() else {
            return k(pos);
        };
        let s = self.s;
        let next = |p: usize| self.seq(rest, p, k);
        match node {
            Node::Lit(c) => pos < s.len() && self.lit_eq(s[pos], *c) && next(pos + 1),
            Node::Any => pos < s.len() && next(pos + 1),
            Node::Star { non_empty } => {
                let from = pos + usize::from(*non_empty);
                (from..=s.len()).any(next)
            }
            Node::Class {
                negate,
                ranges,
                negs,
            } => {
                if pos >= s.len() {
                    return false;
                }
                let c = s[pos];
                let in_ranges = !ranges.is_empty() && (self.class_has(ranges, c) != *negate);
                let in_negs = !negs.is_empty() && {
                    let found = negs.iter().any(|p| p.contains(c));
                    found == *negate
                };
                (in_ranges || in_negs) && next(pos + 1)
            }
            Node::Never => false,
            Node::NoTraversal => !(pos == 0 && (s == ['.'] || s == ['.', '.'])) && next(pos),
            Node::NoDot => s.get(pos) != Some(&'.') && next(pos),
            Node::End => pos == s.len() && next(pos),
            Node::Group { kind, alts } => match kind {
                '@' => alts.iter().any(|a| self.seq(a, pos, &next)),
                '?' => next(pos) || alts.iter().any(|a| self.seq(a, pos, &next)),
                '*' => next(pos) || self.repeat(alts, pos, true, &next),
                '+' => self.repeat(alts, pos, false, &next),
                _ => {
                    // '!': nothing of the alternatives (with the rest of
                    // the pattern) matches here; then any run of characters.
                    if alts.iter().any(|a| self.seq(a, pos, &|_| true)) {
                        return false;
                    }
                    (pos..=s.len()).any(next)
                }
            },
        }
    }

    /// One more iteration of a repeated group, then the rest or another
    /// iteration; iterations after the required first must not be empty.
    fn repeat(
        &self,
        alts: &[Vec<Node>],
        pos: usize,
        optional: bool,
        k: &dyn Fn(usize) -> bool,
    ) -> bool {
        alts.iter().any(|a| {
            self.seq(a, pos, &|p| {
                (p > pos || !optional) && (k(p) || (p > pos && self.repeat(alts, p, true, k)))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        Minimatch::new(pattern, Opts::IGNORE)
            .unwrap()
            .matches(path, false)
    }

    fn partial(pattern: &str, path: &str) -> bool {
        Minimatch::new(pattern, Opts::IGNORE)
            .unwrap()
            .matches(path, true)
    }

    #[test]
    fn minimatch_basics() {
        assert!(m("*.js", "/a/b/c.JS"));
        assert!(m("lib", "/x/lib"));
        assert!(!m("/lib", "/x/lib"));
        assert!(m("/lib", "/lib"));
        assert!(m("**/.git", "/a/.git"));
        assert!(m("**/.git/**", "a/.git/x/y"));
        assert!(!m("**/.git/**", "a/.git"));
        assert!(m("!/readme{,.*[^~$]}", "/README.md"));
        assert!(!m("!/readme{,.*[^~$]}", "/README.md~"));
        assert!(m("!/readme{,.*[^~$]}", "/Readme"));
        assert!(!m("!/./lib/main.js", "/lib/main.js"));
        assert!(m("src/**/*.d.ts", "src/a/b.d.ts"));
        assert!(m("src/**/*.d.ts", "src/b.d.ts"));
        assert!(m("@(a|b)x", "bx"));
        assert!(!m("x!(a|b)", "xa"));
        assert!(m("x!(a|b)", "xc"));
        // A leading `!` negates the rule, even before `(`.
        assert!(!m("!(a|b)x", "cx"));
        assert!(m("+(a|b).js", "abba.js"));
        assert!(m("[[:digit:]]x", "7x"));
        assert!(m("[!a-c]", "d"));
        assert!(!m("[!a-c]", "B"));
        assert!(m("a?c", "abc"));
        assert!(!partial("!lib/x/y.js", "/lib"));
        assert!(partial("!lib/x/y.js", "lib"));
        assert!(partial("!lib/x/y.js", "lib/x"));
        assert!(!m("!lib/x/y.js", "lib/x"));
        assert!(!partial("!lib/x/y.js", "src"));
    }

    /// The segments of a pattern matched by the set-based matcher and by
    /// the backtracking one it replaced.
    fn both(pattern: &str, f: &str, opts: Opts) -> Option<(bool, bool)> {
        let Ok(Part::Seg(seg)) = parse_part(pattern, opts) else {
            return None;
        };
        let s: Vec<char> = f.chars().collect();
        let m = Matcher {
            s: &s,
            nocase: opts.nocase,
        };
        let mut start = m.none();
        start[0] = true;
        let new = m.reach(&seg.nodes, start)[s.len()];
        let old = m.seq(&seg.nodes, 0, &|p| p == s.len());
        Some((new, old))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// Extglobs, stars, classes and dots: both matchers agree.
        #[test]
        fn set_matcher_agrees_with_backtracking(
            pattern in proptest::collection::vec(proptest::sample::select(vec![
                "a", "b", ".", "*", "?", "[ab]", "[!a]", "@(", "!(", "+(", "*(", "?(", "|", ")", "\\",
            ]), 0..9),
            f in proptest::collection::vec(proptest::sample::select(vec!["a", "b", ".", "A"]), 0..7),
            nocase: bool,
            dot: bool,
        ) {
            let (pattern, f) = (pattern.concat(), f.concat());
            let opts = Opts { nocase, dot, match_base: false, flip_negate: false };
            if let Some((new, old)) = both(&pattern, &f, opts) {
                proptest::prop_assert_eq!(new, old, "pattern {:?} segment {:?}", pattern, f);
            }
        }
    }

    #[test]
    fn hostile_patterns_are_refused_or_fast() {
        let started = std::time::Instant::now();
        // Exponential for a backtracking matcher.
        let stars = format!("{}b", "*a".repeat(40));
        assert!(!m(&stars, &"a".repeat(250)));
        assert!(m(&stars, &format!("{}b", "a".repeat(250))));
        let ext = format!("{}b", "+(a|aa)".repeat(20));
        assert!(!m(&ext, &"a".repeat(200)));
        // A long segment of nodes is matched without recursing per node
        // (a name has at most 255 bytes on Linux).
        let long = format!("{}*", "x".repeat(60_000));
        assert!(!m(&long, &"x".repeat(255)));
        let long = format!("*{}*", "?".repeat(200));
        assert!(m(&long, &"x".repeat(255)));
        assert!(!m(&long, &"x".repeat(150)));
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        // minimatch's length limit, counted in UTF-16 units.
        assert!(Minimatch::new(&"a".repeat(64 * 1024), Opts::IGNORE).is_ok());
        assert!(Minimatch::new(&"a".repeat(64 * 1024 + 1), Opts::IGNORE).is_err());
        assert!(Minimatch::new(&"\u{1F600}".repeat(32 * 1024 + 1), Opts::IGNORE).is_err());
        // Nesting, exponential `!(…)` copies and brace explosions.
        let deep = format!("{}a{}", "@(".repeat(10_000), ")".repeat(10_000));
        assert!(Minimatch::new(&deep, Opts::IGNORE).is_err());
        assert!(Minimatch::new(
            &format!("{}a{}", "@(".repeat(20), ")".repeat(20)),
            Opts::IGNORE
        )
        .is_ok());
        assert!(Minimatch::new(&"!(a)".repeat(40), Opts::IGNORE).is_err());
        assert!(Minimatch::new(&"{a,b}".repeat(30), Opts::IGNORE).is_err());
        assert!(Minimatch::new(&"{a,b}".repeat(12), Opts::IGNORE).is_ok());
        assert!(Minimatch::new(&format!("{}x", "{a,".repeat(5000)), Opts::IGNORE).is_ok());
        let nested = format!("{}x{}", "{a,".repeat(5000), "}".repeat(5000));
        assert!(Minimatch::new(&nested, Opts::IGNORE).is_err());
        let nested = format!("{}x{}", "{a,".repeat(100), "}".repeat(100));
        // `{a,{a,…x}}` is `a` and `x`.
        assert_eq!(
            Minimatch::new(&nested, Opts::IGNORE)
                .unwrap()
                .glob_parts()
                .len(),
            2
        );
        assert!(Minimatch::new("{1..100000000}", Opts::IGNORE).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }
}
