//! From Go `regexp` syntax to `regex` crate syntax, with Go's meaning.
//!
//! moby compiles the expression it translated from a pattern with Go's
//! `regexp.Compile` (Perl flags: `.` does not match `\n`, negated classes
//! do, `^`/`$` are the ends of the text, `\d \s \w \b` and the POSIX classes
//! are ASCII). This module parses that expression with Go's rules, rejects
//! what Go rejects (with the messages dockprep has always used), and writes
//! an expression for the `regex` crate that means the same thing whatever
//! that crate's defaults are:
//!
//! | Go                           | written as                                  |
//! | ---------------------------- | ------------------------------------------- |
//! | `^`, `\A` / `$`, `\z`        | `\A` / `\z`                                 |
//! | `.`                          | `.` (both exclude only `\n`; no `(?s)`)     |
//! | `[...]`, `\d \s \w`, `[[:alpha:]]` and negations | the exact code points, as a class of `\x{..}` ranges (the `regex` crate's own classes are Unicode-aware) |
//! | `\b`, `\B`                   | `(?-u:\b)`, `(?-u:\B)` (ASCII word characters) |
//! | literals, `\Q...\E`, `\x41`, `\101`, `\n`... | the character, escaped              |
//! | `(...)`                      | `(?:...)` (only matching matters)           |
//! | a repetition of a repetition (`a*\Q\E*`) or of an assertion | the operand wrapped in `(?:...)` |
//!
//! Go accepts code points that are surrogates (`\x{D800}`) but never
//! matches them against text; they become a class that matches nothing.
//!
//! Not mapped: Unicode classes (`\pL`, `\p{Greek}`, `\PL`). Go's tables and
//! names (case-sensitive, general categories and scripts only) differ from
//! the `regex` crate's (loose matching, more properties, another Unicode
//! version), so such a pattern is reported as unsupported and never
//! matches, as it always was in dockprep.
//!
//! Go also limits how large (`expression too large`) and how deeply nested
//! (`expression nests too deeply`) an expression may be. Here the size is
//! an estimate of what the `regex` crate will build, capped so that the
//! compilation cannot fail later; it is reached sooner than Go's limit by
//! huge counted repetitions of wide classes (`?{1000}` many times over) and
//! by lines far beyond the 64 KiB BuildKit can read at all. Nesting only
//! arises from repetitions separated by an empty `\Q\E`, and is capped at
//! [`MAX_DEPTH`], below Go's 1000, to stay within the `regex` crate's
//! default nesting limit.

use std::fmt::Write as _;

/// Cap on the estimated size of the compiled expression, in bytes.
const MAX_COST: u64 = 64 << 20;
/// The `regex` crate's own size limit, well above [`MAX_COST`]: an estimate
/// below the cap always compiles.
pub(super) const SIZE_LIMIT: usize = 256 << 20;
/// Deepest nesting of repetitions and groups accepted.
const MAX_DEPTH: u32 = 100;
/// The `regex` crate's nesting limit; [`MAX_DEPTH`] stays well inside it.
pub(super) const NEST_LIMIT: u32 = 250;

/// Estimated compiled size of one byte of a literal (measured: about 32).
const LITERAL_BYTE: u64 = 40;
/// Estimated compiled size of an ASCII-only class, per range.
const ASCII_RANGE: u64 = 40;
/// Estimated compiled size of a class reaching beyond ASCII (measured:
/// about 1,000 for `[^/]` or `.`), plus [`WIDE_RANGE`] per range.
const WIDE_CLASS: u64 = 1600;
const WIDE_RANGE: u64 = 200;
/// Estimated size of a group, an alternative, a repetition or an assertion.
const NODE: u64 = 100;

/// A class matching nothing (the `regex` crate accepts empty classes).
const NOTHING: &str = r"[^\x{0}-\x{10FFFF}]";
/// The group moby writes for `**/`, as rendered here.
const ANY_DIRS: &str = "(?:.*/)";

/// A Go expression rewritten for the `regex` crate.
#[derive(Debug)]
pub(super) struct Converted {
    /// Matches a text exactly when Go's `MatchString` would.
    pub(super) full: String,
    /// When the expression ends with its only end-of-text assertion and
    /// has no top-level alternation (everything moby writes for a pattern
    /// without `|`, `\z` or `\Q`): an expression matching a path when the
    /// original matches the path itself or one of its parent directories,
    /// i.e. any prefix that stops just before a `/`.
    pub(super) parents: Option<String>,
}

/// Parses `source` with Go `regexp/syntax` rules and rewrites it.
pub(super) fn convert(source: &str) -> Result<Converted, String> {
    let mut parser = Parser {
        text: source,
        pos: 0,
        frames: vec![Frame::default()],
        after_repeat: false,
        ends_of_text: 0,
    };
    parser.run()?;
    if parser.frames.len() > 1 {
        return Err(regex_error("missing closing )"));
    }
    let Some(mut top) = parser.frames.pop() else {
        return Err(regex_error("missing closing )"));
    };
    merge_last(&mut top.current);

    let parents = match top.current.split_last() {
        Some((last, body))
            if top.done.is_empty() && parser.ends_of_text == 1 && last.end_of_text =>
        {
            Some(format!("{}(?:/|\\z)", concatenation(body)))
        }
        _ => None,
    };
    top.done.push(top.current);
    let (full, cost) = alternation(&top.done);
    if cost > MAX_COST {
        return Err(regex_error("expression too large"));
    }
    Ok(Converted { full, parents })
}

pub(super) fn regex_error(detail: &str) -> String {
    format!("syntax error in pattern: BuildKit's regexp translation rejects it ({detail})")
}

pub(super) fn unsupported(what: &str) -> String {
    format!(
        "pattern relies on regexp syntax dockprep does not emulate ({what}); \
         treated as never matching"
    )
}

/// One operand of a concatenation, already in `regex` syntax.
#[derive(Debug, Clone)]
struct Item {
    text: String,
    /// Takes a quantifier as it is (a literal, a class, a group); anything
    /// else is wrapped in `(?:...)` first.
    atomic: bool,
    /// Matches the empty string, and two in a row match exactly what one
    /// matches (`x*`, `(?:.*/)?`): the second of two equal neighbours can be
    /// dropped. This keeps `**/**/**/...` and long runs of `*` small.
    idempotent: bool,
    /// An end-of-text assertion that is not repeated.
    end_of_text: bool,
    /// Estimated compiled size.
    cost: u64,
    /// Repetitions and groups nested in one another.
    depth: u32,
    /// The counted repetitions inside, for Go's rule that nested counts may
    /// not multiply beyond 1000.
    counts: Vec<Count>,
}

impl Item {
    fn atom(text: String, cost: u64) -> Item {
        Item {
            text,
            atomic: true,
            idempotent: false,
            end_of_text: false,
            cost,
            depth: 0,
            counts: Vec::new(),
        }
    }

    fn assertion(text: &str) -> Item {
        Item {
            atomic: false,
            ..Item::atom(text.to_owned(), NODE)
        }
    }

    fn literal(c: u32) -> Item {
        let Some(c) = char::from_u32(c) else {
            // A surrogate: Go accepts it and never matches it.
            return Item::atom(NOTHING.to_owned(), NODE);
        };
        let mut text = String::new();
        if c.is_ascii_alphanumeric() || c == '/' || c == '_' {
            text.push(c);
        } else if c.is_ascii_graphic() {
            text.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
        } else {
            let _ = write!(text, "\\x{{{:X}}}", u32::from(c));
        }
        Item::atom(text, LITERAL_BYTE * c.len_utf8() as u64)
    }

    /// A class of code points (sorted, disjoint, inclusive ranges).
    fn class(ranges: &[(u32, u32)]) -> Item {
        let wide = ranges.last().is_some_and(|&(_, hi)| hi > 0x7f);
        let n = ranges.len() as u64;
        let cost = if wide {
            WIDE_CLASS + WIDE_RANGE * n
        } else {
            ASCII_RANGE * (n + 1)
        };
        Item::atom(class_text(ranges), cost)
    }
}

/// A counted repetition (`{n}`, `{n,}`, `{n,m}`) and those nested in it.
#[derive(Debug, Clone)]
struct Count {
    min: usize,
    max: Option<usize>,
    inner: Vec<Count>,
}

/// Go's check that nested counted repetitions stay within `budget` copies
/// of the innermost operand (`x{0}` allows anything inside).
fn counts_fit(counts: &[Count], budget: usize) -> bool {
    counts.iter().all(|c| {
        if c.max == Some(0) {
            return true;
        }
        let times = c.max.unwrap_or(c.min);
        times <= budget && counts_fit(&c.inner, budget.checked_div(times).unwrap_or(budget))
    })
}

/// An open group (the whole expression is the outermost one).
#[derive(Debug, Default)]
struct Frame {
    /// Alternatives before the last `|`.
    done: Vec<Vec<Item>>,
    /// The alternative being parsed.
    current: Vec<Item>,
}

/// Drops the last item when it repeats its idempotent neighbour. Only done
/// once the item can no longer take a quantifier.
fn merge_last(items: &mut Vec<Item>) {
    if let [.., a, b] = items.as_slice() {
        if a.idempotent && b.idempotent && a.text == b.text {
            items.pop();
        }
    }
}

fn concatenation(items: &[Item]) -> String {
    if items.is_empty() {
        return "(?:)".to_owned();
    }
    items.iter().map(|i| i.text.as_str()).collect()
}

/// The alternatives joined with `|`, and their estimated size.
fn alternation(alternatives: &[Vec<Item>]) -> (String, u64) {
    let mut text = String::new();
    let mut cost = 0u64;
    for (i, items) in alternatives.iter().enumerate() {
        if i > 0 {
            text.push('|');
        }
        text.push_str(&concatenation(items));
        cost = items.iter().fold(cost.saturating_add(NODE), |sum, item| {
            sum.saturating_add(item.cost)
        });
    }
    (text, cost)
}

/// A class in `regex` syntax. Surrogates, which Go accepts in ranges but
/// which no text contains, are left out.
fn class_text(ranges: &[(u32, u32)]) -> String {
    let mut text = String::from("[");
    let mut empty = true;
    for &(lo, hi) in ranges {
        for (lo, hi) in [(lo, hi.min(0xd7ff)), (lo.max(0xe000), hi)] {
            if lo > hi {
                continue;
            }
            empty = false;
            push_class_point(&mut text, lo);
            if hi > lo {
                text.push('-');
                push_class_point(&mut text, hi);
            }
        }
    }
    if empty {
        return NOTHING.to_owned();
    }
    text.push(']');
    text
}

fn push_class_point(text: &mut String, c: u32) {
    match char::from_u32(c) {
        Some(c) if c.is_ascii_alphanumeric() => text.push(c),
        _ => {
            let _ = write!(text, "\\x{{{c:X}}}");
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

/// Complement of normalised ranges over all code points.
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

/// `{min,max}` bounds (`max` = `None`: unbounded) and the bytes they used.
type RepeatBounds = (usize, Option<usize>, usize);

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    /// Open groups, innermost last.
    frames: Vec<Frame>,
    /// The previous token was a repetition operator: another one directly
    /// after it is an error in Go (`a**`), even though it would apply to
    /// the repetition after an empty `\Q\E`.
    after_repeat: bool,
    /// End-of-text assertions seen anywhere.
    ends_of_text: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn current(&mut self) -> &mut Vec<Item> {
        let last = self.frames.len() - 1;
        &mut self.frames[last].current
    }

    fn push(&mut self, item: Item) {
        let current = self.current();
        merge_last(current);
        current.push(item);
    }

    fn push_end_of_text(&mut self) {
        self.ends_of_text += 1;
        self.push(Item {
            end_of_text: true,
            ..Item::assertion(r"\z")
        });
    }

    fn run(&mut self) -> Result<(), String> {
        while let Some(c) = self.bump() {
            let start = self.pos - c.len_utf8();
            let mut repeated = false;
            match c {
                '^' => self.push(Item::assertion(r"\A")),
                '$' => self.push_end_of_text(),
                '.' => self.push(Item::atom(".".to_owned(), WIDE_CLASS + 2 * WIDE_RANGE)),
                '[' => {
                    let ranges = self.class()?;
                    self.push(Item::class(&ranges));
                }
                '(' => {
                    if self.peek() == Some('?') {
                        return Err(unsupported("group flags"));
                    }
                    self.frames.push(Frame::default());
                }
                ')' => {
                    if self.frames.len() < 2 {
                        return Err(regex_error("unexpected )"));
                    }
                    let Some(frame) = self.frames.pop() else {
                        return Err(regex_error("unexpected )"));
                    };
                    let group = self.close_group(frame)?;
                    self.push(group);
                }
                '|' => {
                    let last = self.frames.len() - 1;
                    let frame = &mut self.frames[last];
                    merge_last(&mut frame.current);
                    let alternative = std::mem::take(&mut frame.current);
                    frame.done.push(alternative);
                }
                '*' => {
                    self.repeat(0, None, false, start)?;
                    repeated = true;
                }
                '+' => {
                    self.repeat(1, None, false, start)?;
                    repeated = true;
                }
                '?' => {
                    self.repeat(0, Some(1), false, start)?;
                    repeated = true;
                }
                '{' => match self.counted_repeat() {
                    Some(Ok((min, max, consumed))) => {
                        self.pos += consumed;
                        self.repeat(min, max, true, start)?;
                        repeated = true;
                    }
                    Some(Err(e)) => return Err(e),
                    None => self.push(Item::literal(u32::from('{'))),
                },
                '\\' => self.escape()?,
                c => self.push(Item::literal(u32::from(c))),
            }
            self.after_repeat = repeated;
        }
        Ok(())
    }

    fn close_group(&mut self, mut frame: Frame) -> Result<Item, String> {
        merge_last(&mut frame.current);
        frame.done.push(frame.current);
        let depth = frame
            .done
            .iter()
            .flatten()
            .map(|i| i.depth)
            .max()
            .unwrap_or(0)
            + 1;
        if depth > MAX_DEPTH {
            return Err(regex_error("expression nests too deeply"));
        }
        let (text, cost) = alternation(&frame.done);
        let counts = frame
            .done
            .into_iter()
            .flatten()
            .flat_map(|i| i.counts)
            .collect();
        Ok(Item {
            depth,
            counts,
            ..Item::atom(format!("(?:{text})"), cost.saturating_add(NODE))
        })
    }

    /// Applies `{min,max}` (`max` = `None`: unbounded) to the last item;
    /// `counted` for the `{...}` forms. `start` is where the operator began.
    fn repeat(
        &mut self,
        min: usize,
        max: Option<usize>,
        counted: bool,
        start: usize,
    ) -> Result<(), String> {
        // A trailing `?` only makes the repetition non-greedy.
        let lazy = self.peek() == Some('?');
        if lazy {
            self.bump();
        }
        let Some(item) = self.current().pop() else {
            return Err(regex_error("missing argument to repetition operator"));
        };
        if self.after_repeat {
            return Err(regex_error("invalid nested repetition operator"));
        }
        let depth = item.depth + 1;
        if depth > MAX_DEPTH {
            return Err(regex_error("expression nests too deeply"));
        }
        let mut counts = item.counts;
        if counted {
            counts = vec![Count {
                min,
                max,
                inner: counts,
            }];
            if (min >= 2 || max.is_some_and(|max| max >= 2)) && !counts_fit(&counts, 1000) {
                let end = self.pos - usize::from(lazy);
                return Err(regex_error(&format!(
                    "invalid repeat count {}",
                    &self.text[start..end]
                )));
            }
        }

        let mut text = if item.atomic {
            item.text
        } else {
            format!("(?:{})", item.text)
        };
        // `x*` always; `(?:.*/)?` (or any count of it from 0) too.
        let idempotent = min == 0 && (max.is_none() || text == ANY_DIRS);
        match (counted, min, max) {
            (false, 0, None) => text.push('*'),
            (false, 1, None) => text.push('+'),
            (false, _, _) => text.push('?'),
            (true, min, None) => {
                let _ = write!(text, "{{{min},}}");
            }
            (true, min, Some(max)) if max == min => {
                let _ = write!(text, "{{{min}}}");
            }
            (true, min, Some(max)) => {
                let _ = write!(text, "{{{min},{max}}}");
            }
        }
        if lazy {
            text.push('?');
        }
        let times = max.unwrap_or(min).max(1) as u64;
        self.current().push(Item {
            text,
            atomic: false,
            idempotent,
            end_of_text: false,
            cost: item.cost.saturating_mul(times).saturating_add(NODE),
            depth,
            counts,
        });
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
            'A' => {
                self.bump();
                self.push(Item::assertion(r"\A"));
            }
            'z' => {
                self.bump();
                self.push_end_of_text();
            }
            'b' => {
                self.bump();
                self.push(Item::assertion(r"(?-u:\b)"));
            }
            'B' => {
                self.bump();
                self.push(Item::assertion(r"(?-u:\B)"));
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
                    self.push(Item::literal(u32::from(c)));
                }
            }
            'p' | 'P' => return Err(unsupported("Unicode class \\p")),
            _ => {
                if let Some((group, negated)) = perl_class(c) {
                    self.bump();
                    let mut class = Vec::new();
                    add_group(&mut class, group, negated);
                    normalise_ranges(&mut class);
                    self.push(Item::class(&class));
                } else {
                    let c = self.escaped_char()?;
                    self.push(Item::literal(c));
                }
            }
        }
        Ok(())
    }

    /// A single-character escape (the text after a `\`), with Go's rules;
    /// the code point may be a surrogate.
    fn escaped_char(&mut self) -> Result<u32, String> {
        let Some(c) = self.bump() else {
            return Err(regex_error("trailing backslash"));
        };
        if c.is_ascii() && !c.is_ascii_alphanumeric() {
            return Ok(u32::from(c));
        }
        let octal = |c: Option<char>| c.filter(|c| ('0'..='7').contains(c));
        match c {
            '0'..='7' => {
                if c != '0' && octal(self.peek()).is_none() {
                    return Err(regex_error("backreferences are not supported"));
                }
                let mut value = u32::from(c) - u32::from('0');
                for _ in 0..2 {
                    match octal(self.peek()) {
                        Some(d) => {
                            self.bump();
                            value = value * 8 + (u32::from(d) - u32::from('0'));
                        }
                        None => break,
                    }
                }
                Ok(value)
            }
            'x' => self.hex_escape(),
            'a' => Ok(0x07),
            'f' => Ok(0x0c),
            'n' => Ok(0x0a),
            'r' => Ok(0x0d),
            't' => Ok(0x09),
            'v' => Ok(0x0b),
            _ => Err(regex_error(&format!("invalid escape sequence \\{c}"))),
        }
    }

    /// After `\x`: two hex digits, or any number of them (at least one, at
    /// most U+10FFFF) in braces.
    fn hex_escape(&mut self) -> Result<u32, String> {
        let invalid = || regex_error("invalid escape sequence \\x");
        if self.peek() == Some('{') {
            self.bump();
            let mut value = 0u32;
            let mut digits = 0;
            loop {
                match self.bump() {
                    Some('}') if digits > 0 => return Ok(value),
                    Some(c) => {
                        let digit = c.to_digit(16).ok_or_else(invalid)?;
                        value = value * 16 + digit;
                        if value > MAX_SCALAR {
                            return Err(invalid());
                        }
                        digits += 1;
                    }
                    None => return Err(invalid()),
                }
            }
        }
        let hi = self.bump().and_then(|c| c.to_digit(16));
        let lo = self.bump().and_then(|c| c.to_digit(16));
        match (hi, lo) {
            (Some(hi), Some(lo)) => Ok(hi * 16 + lo),
            _ => Err(invalid()),
        }
    }

    /// A character class, after its `[`, with Go `parseClass` rules.
    fn class(&mut self) -> Result<Vec<(u32, u32)>, String> {
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
            ranges.push((lo, hi));
        }
        normalise_ranges(&mut ranges);
        if negated {
            ranges = complement(&ranges);
        }
        Ok(ranges)
    }

    fn class_char(&mut self) -> Result<u32, String> {
        match self.bump() {
            None => Err(regex_error("missing closing ]")),
            Some('\\') => self.escaped_char(),
            Some(c) => Ok(u32::from(c)),
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

    /// `[^/]` as written here.
    const NOT_SLASH: &str = r"[\x{0}-\x{2E}0-\x{D7FF}\x{E000}-\x{10FFFF}]";

    fn full(source: &str) -> String {
        convert(source).unwrap().full
    }

    #[test]
    fn rewrites_for_the_regex_crate() {
        assert_eq!(full("^a[^/]*/b$"), format!(r"\Aa{NOT_SLASH}*/b\z"));
        assert_eq!(full(r"^\.env\.[^/]*$"), format!(r"\A\.env\.{NOT_SLASH}*\z"));
        assert_eq!(
            full(r"^[a-c\-]\W$"),
            r"\A[\x{2D}a-c][\x{0}-\x{2F}\x{3A}-\x{40}\x{5B}-\x{5E}\x{60}\x{7B}-\x{D7FF}\x{E000}-\x{10FFFF}]\z"
        );
        assert_eq!(full(r"^\d\b$"), r"\A[0-9](?-u:\b)\z");
        assert_eq!(full("^{2}x$"), r"(?:\A){2}x\z");
        assert_eq!(full(r"^a*\Q\E*$"), r"\A(?:a*)*\z");
        assert_eq!(full(r"^\Qa.b$"), r"\Aa\.b\$");
        assert_eq!(full(r"^\x{D800}$"), format!(r"\A{NOTHING}\z"));
        assert_eq!(full("^a|b$"), r"\Aa|b\z");
        assert_eq!(full("^a|$"), r"\Aa|\z");
        assert_eq!(full("^|$"), r"\A|\z");
    }

    #[test]
    fn merges_repeated_stars_and_dirs() {
        assert_eq!(full("^(.*/)?(.*/)?(.*/)?x$"), r"\A(?:.*/)?x\z");
        let stars = format!("^{}$", "[^/]*".repeat(1000));
        assert_eq!(full(&stars), format!(r"\A{NOT_SLASH}*\z"));
        // Only neighbours in one concatenation, and never a quantified one.
        assert_eq!(full("^(.*/)?|(.*/)?$"), r"\A(?:.*/)?|(?:.*/)?\z");
        assert_eq!(
            full(r"^(.*/)?(.*/)?\Q\E{0}$"),
            r"\A(?:.*/)?(?:(?:.*/)?){0}\z"
        );
    }

    #[test]
    fn parents_form_only_for_a_trailing_end() {
        let c = convert("^a[^/]*$").unwrap();
        assert_eq!(
            c.parents.as_deref(),
            Some(format!(r"\Aa{NOT_SLASH}*(?:/|\z)").as_str())
        );
        for source in ["^a|b$", r"^a\z$", r"^a\Q$", "^a$b"] {
            assert!(convert(source).unwrap().parents.is_none(), "{source}");
        }
    }

    #[test]
    fn go_errors() {
        let cases = [
            ("^[z-a]$", "invalid character class range z-a"),
            (r"^\q$", r"invalid escape sequence \q"),
            (r"^\1$", "backreferences are not supported"),
            (r"^\x4$", r"invalid escape sequence \x"),
            (r"^\x{}$", r"invalid escape sequence \x"),
            (r"^\x{110000}$", r"invalid escape sequence \x"),
            ("^a{1001}$", "invalid repeat count {1001}"),
            ("^a{2,1}$", "invalid repeat count {2,1}"),
            (r"^a{100}\Q\E{100}$", "invalid repeat count {100}"),
            ("^(.*/)?{2}$", "invalid nested repetition operator"),
            ("^a|*$", "missing argument to repetition operator"),
            ("^[[:foo:]]$", "invalid character class range [:foo:]"),
            ("^[a$", "missing closing ]"),
            ("^(a$", "missing closing )"),
            ("^a)$", "unexpected )"),
        ];
        for (source, detail) in cases {
            assert_eq!(
                convert(source).unwrap_err(),
                regex_error(detail),
                "{source}"
            );
        }
        assert_eq!(
            convert(r"^\pL$").unwrap_err(),
            unsupported("Unicode class \\p")
        );
        let deep = format!("^a{}$", r"*\Q\E".repeat(200));
        assert_eq!(
            convert(&deep).unwrap_err(),
            regex_error("expression nests too deeply")
        );
        let huge = format!("^{}$", "[^/]{1000}".repeat(1000));
        assert_eq!(
            convert(&huge).unwrap_err(),
            regex_error("expression too large")
        );
    }

    #[test]
    fn accepted_expressions_compile() {
        let deep = format!("^a{}$", r"*\Q\E".repeat(MAX_DEPTH as usize - 1));
        let big = format!("^{}$", "[^/]".repeat(30_000));
        for source in [
            deep.as_str(),
            big.as_str(),
            "^{2}[^/]*$",
            r"^[\x{D800}-\x{DFFF}]$",
            r"^[^\d\D]$",
            r"^\Q\E$",
            "^(|)$",
        ] {
            let c = convert(source).unwrap();
            for syntax in std::iter::once(&c.full).chain(c.parents.as_ref()) {
                let built = regex::RegexBuilder::new(syntax)
                    .size_limit(SIZE_LIMIT)
                    .nest_limit(NEST_LIMIT)
                    .build();
                assert!(built.is_ok(), "{source}: {built:?}");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// Whatever Go syntax is accepted compiles with the `regex` crate,
        /// so the lazy compilation never fails.
        #[test]
        fn accepted_expressions_always_compile(
            source in proptest::collection::vec(
                proptest::sample::select(
                    "ab/*+?()[]^$|{}2,-.\\dwsDbBAzQExp:0\n\u{e9}".chars().collect::<Vec<_>>()
                ),
                0..14,
            )
        ) {
            let source: String = source.into_iter().collect();
            if let Ok(c) = convert(&source) {
                for syntax in std::iter::once(&c.full).chain(c.parents.as_ref()) {
                    let built = regex::RegexBuilder::new(syntax)
                        .size_limit(SIZE_LIMIT)
                        .nest_limit(NEST_LIMIT)
                        .build();
                    proptest::prop_assert!(built.is_ok(), "{:?} -> {:?}: {:?}", source, syntax, built);
                }
            }
        }
    }
}
