//! A port of the brace-expansion package (v5) as minimatch 10 uses it:
//! `a{b,c}`, nested sets, numeric and alphabetic sequences (`{1..3}`,
//! `{01..3}`, `{a..c}`), escapes, and its treatment of sets it does not
//! expand (`a{b}c`).
//!
//! Hand-written because npm's `files` and ignore rules are expanded with
//! exactly these rules before matching (`/readme{,.*[^~$]}` among npm's own
//! strict rules); the brace-expansion crates follow bash or their own
//! dialect and differ on the edge cases.

/// brace-expansion's own cap on the number of expansions (it stops there
/// silently)...
const MAX: usize = 100_000;
/// ...and dockprep's limits, past which a pattern is refused: every
/// expansion is matched against every path of the package, and expanding
/// recurses once per nested set. No real ignore rule comes near them.
pub(super) const MAX_EXPANSIONS: usize = 4096;
const MAX_EXPANDED_BYTES: usize = 16 << 20;
const MAX_OPEN_BRACES: usize = 128;
// Stand-ins for escaped characters while expanding.
const SLASH: char = '\u{F0000}';
const OPEN: char = '\u{F0001}';
const CLOSE: char = '\u{F0002}';
const COMMA: char = '\u{F0003}';
const PERIOD: char = '\u{F0004}';

/// minimatch's `braceExpand`, or why the pattern is refused.
pub(super) fn brace_expand(pattern: &str) -> Result<Vec<String>, String> {
    if !has_brace_pair(pattern) {
        return Ok(vec![pattern.to_string()]);
    }
    let open = pattern.matches('{').count();
    if open > MAX_OPEN_BRACES {
        return Err(format!(
            "the pattern has {open} `{{`; dockprep expands at most {MAX_OPEN_BRACES}"
        ));
    }
    let out = expand(pattern);
    let bytes: usize = out.iter().map(String::len).sum();
    if out.len() > MAX_EXPANSIONS || bytes > MAX_EXPANDED_BYTES {
        return Err(format!(
            "the pattern's braces expand to more than {MAX_EXPANSIONS} patterns or {} MiB",
            MAX_EXPANDED_BYTES >> 20
        ));
    }
    Ok(out)
}

/// `/\{(?:(?!\{).)*\}/`
fn has_brace_pair(s: &str) -> bool {
    let cs: Vec<char> = s.chars().collect();
    for (i, c) in cs.iter().enumerate() {
        if *c != '{' {
            continue;
        }
        for d in &cs[i + 1..] {
            match d {
                '{' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => break,
                '}' => return true,
                _ => {}
            }
        }
    }
    false
}

fn expand(s: &str) -> Vec<String> {
    if s.is_empty() {
        return Vec::new();
    }
    let s = match s.strip_prefix("{}") {
        Some(rest) => format!("\\{{\\}}{rest}"),
        None => s.to_string(),
    };
    let escaped = s
        .replace("\\\\", &SLASH.to_string())
        .replace("\\{", &OPEN.to_string())
        .replace("\\}", &CLOSE.to_string())
        .replace("\\,", &COMMA.to_string())
        .replace("\\.", &PERIOD.to_string());
    expand_inner(escaped, true)
        .into_iter()
        .map(|e| {
            e.replace(SLASH, "\\")
                .replace(OPEN, "{")
                .replace(CLOSE, "}")
                .replace(COMMA, ",")
                .replace(PERIOD, ".")
        })
        .collect()
}

fn index_of(s: &str, c: char, from: isize) -> isize {
    let from = from.max(0) as usize;
    if from > s.len() {
        return -1;
    }
    s[from..].find(c).map_or(-1, |i| (i + from) as isize)
}

/// balanced-match: the first balanced `{…}` as (pre, body, post).
fn balanced(s: &str) -> Option<(String, String, String)> {
    let mut ai = index_of(s, '{', 0);
    let mut bi = index_of(s, '}', ai + 1);
    let mut i = ai;
    let mut result: Option<(isize, isize)> = None;
    if ai >= 0 && bi > 0 {
        let mut begs: Vec<isize> = Vec::new();
        let mut left = s.len() as isize;
        let mut right: Option<isize> = None;
        while i >= 0 && result.is_none() {
            if i == ai {
                begs.push(i);
                ai = index_of(s, '{', i + 1);
            } else if begs.len() == 1 {
                let r = begs.pop().expect("one start");
                result = Some((r, bi));
            } else {
                if let Some(beg) = begs.pop() {
                    if beg < left {
                        left = beg;
                        right = Some(bi);
                    }
                }
                bi = index_of(s, '}', i + 1);
            }
            i = if ai < bi && ai >= 0 { ai } else { bi };
        }
        if !begs.is_empty() {
            if let Some(r) = right {
                result = Some((left, r));
            }
        }
    }
    let (a, b) = result?;
    let (a, b) = (a as usize, b as usize);
    Some((
        s[..a].to_string(),
        s[a + 1..b].to_string(),
        s[b + 1..].to_string(),
    ))
}

fn combine(acc: &[String], pre: &str, values: &[String], drop_empties: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut bytes = 0;
    for a in acc {
        for v in values {
            // One past dockprep's limits is enough to refuse the pattern.
            if out.len() >= MAX.min(MAX_EXPANSIONS + 1) || bytes > MAX_EXPANDED_BYTES {
                return out;
            }
            let e = format!("{a}{pre}{v}");
            bytes += e.len();
            if drop_empties && e.is_empty() {
                continue;
            }
            out.push(e);
        }
    }
    out
}

/// `-?\d+`
fn is_int(s: &str) -> bool {
    let d = s.strip_prefix('-').unwrap_or(s);
    !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
}

fn is_numeric_sequence(body: &str) -> bool {
    let parts: Vec<&str> = body.split("..").collect();
    (parts.len() == 2 || parts.len() == 3) && parts.iter().all(|p| is_int(p))
}

fn is_alpha_sequence(body: &str) -> bool {
    let parts: Vec<&str> = body.split("..").collect();
    let letter = |p: &str| p.len() == 1 && p.as_bytes()[0].is_ascii_alphabetic();
    (parts.len() == 2 || parts.len() == 3)
        && letter(parts[0])
        && letter(parts[1])
        && (parts.len() == 2 || is_int(parts[2]))
}

fn numeric(s: &str) -> i64 {
    if is_int(s) {
        s.parse::<i64>().unwrap_or(if s.starts_with('-') {
            i64::MIN / 4
        } else {
            i64::MAX / 4
        })
    } else {
        s.encode_utf16().next().map_or(0, i64::from)
    }
}

fn expand_sequence(body: &str, alpha: bool) -> Vec<String> {
    let n: Vec<&str> = body.split("..").collect();
    let x = numeric(n[0]);
    let y = numeric(n[1]);
    let width = n[0].len().max(n[1].len());
    let mut incr = if n.len() == 3 {
        numeric(n[2]).abs().max(1)
    } else {
        1
    };
    let reverse = y < x;
    if reverse {
        incr = -incr;
    }
    let pad = n.iter().any(|e| {
        let d = e.strip_prefix('-').unwrap_or(e);
        d.len() >= 2 && d.starts_with('0') && d.as_bytes()[1].is_ascii_digit()
    });
    let mut out = Vec::new();
    let mut i = x;
    while (if reverse { i >= y } else { i <= y }) && out.len() < MAX.min(MAX_EXPANSIONS + 1) {
        let c = if alpha {
            match u32::try_from(i).ok().and_then(char::from_u32) {
                Some('\\') | None => String::new(),
                Some(c) => c.to_string(),
            }
        } else {
            let mut c = i.to_string();
            if pad {
                let need = width.saturating_sub(c.len());
                if need > 0 {
                    let z = "0".repeat(need);
                    c = if i < 0 {
                        format!("-{z}{}", &c[1..])
                    } else {
                        format!("{z}{c}")
                    };
                }
            }
            c
        };
        out.push(c);
        i += incr;
    }
    out
}

/// `/,(?!,).*\}/`, in one pass from the end.
fn has_comma_then_close(post: &str) -> bool {
    let cs: Vec<char> = post.chars().collect();
    // Whether a `}` follows, with no line terminator before it.
    let mut close_ahead = false;
    for k in (0..cs.len()).rev() {
        match cs[k] {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => close_ahead = false,
            '}' => close_ahead = true,
            ',' if close_ahead && cs.get(k + 1) != Some(&',') => return true,
            _ => {}
        }
    }
    false
}

fn parse_comma_parts(s: &str) -> Vec<String> {
    if s.is_empty() {
        return vec![String::new()];
    }
    let Some((pre, body, post)) = balanced(s) else {
        return s.split(',').map(str::to_string).collect();
    };
    let mut p: Vec<String> = pre.split(',').map(str::to_string).collect();
    p.last_mut()
        .expect("split yields one part")
        .push_str(&format!("{{{body}}}"));
    let mut post_parts = parse_comma_parts(&post);
    if !post.is_empty() {
        let first = post_parts.remove(0);
        p.last_mut().expect("one part").push_str(&first);
        p.extend(post_parts);
    }
    p
}

fn expand_inner(mut s: String, mut is_top: bool) -> Vec<String> {
    let mut acc = vec![String::new()];
    let mut drop_empties = false;
    let mut first_group = true;
    loop {
        let Some((pre, body, post)) = balanced(&s) else {
            return combine(&acc, &s, &[String::new()], drop_empties);
        };
        if pre.ends_with('$') {
            acc = combine(
                &acc,
                &format!("{pre}{{{body}}}"),
                &[String::new()],
                drop_empties && post.is_empty(),
            );
            first_group = false;
            if post.is_empty() {
                break;
            }
            s = post;
            continue;
        }
        let numeric_seq = is_numeric_sequence(&body);
        let alpha_seq = is_alpha_sequence(&body);
        let is_seq = numeric_seq || alpha_seq;
        let is_options = body.contains(',');
        if !is_seq && !is_options {
            if has_comma_then_close(&post) {
                s = format!("{pre}{{{body}{CLOSE}{post}");
                is_top = true;
                continue;
            }
            return combine(
                &acc,
                &format!("{pre}{{{body}}}{post}"),
                &[String::new()],
                drop_empties,
            );
        }
        if first_group {
            drop_empties = is_top && !is_seq;
            first_group = false;
        }
        let values = if is_seq {
            expand_sequence(&body, alpha_seq)
        } else {
            let mut n = parse_comma_parts(&body);
            if n.len() == 1 {
                n = expand_inner(n.remove(0), false)
                    .into_iter()
                    .map(|e| format!("{{{e}}}"))
                    .collect();
                if n.len() == 1 {
                    acc = combine(
                        &acc,
                        &format!("{pre}{}", n[0]),
                        &[String::new()],
                        drop_empties && post.is_empty(),
                    );
                    if post.is_empty() {
                        break;
                    }
                    s = post;
                    continue;
                }
            }
            let drops = drop_empties
                && post.is_empty()
                && pre.is_empty()
                && acc.iter().all(String::is_empty);
            let mut values = Vec::new();
            let mut bytes = 0;
            'outer: for part in n {
                for v in expand_inner(part, false) {
                    if drops && v.is_empty() {
                        continue;
                    }
                    if values.len() >= MAX.min(MAX_EXPANSIONS + 1) || bytes > MAX_EXPANDED_BYTES {
                        break 'outer;
                    }
                    bytes += v.len();
                    values.push(v);
                }
            }
            values
        };
        acc = combine(&acc, &pre, &values, drop_empties && post.is_empty());
        if post.is_empty() {
            break;
        }
        s = post;
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::brace_expand as expand_or_refuse;

    fn brace_expand(p: &str) -> Vec<String> {
        expand_or_refuse(p).unwrap()
    }

    #[test]
    fn expands_like_brace_expansion() {
        assert_eq!(brace_expand("a{b,c}d"), ["abd", "acd"]);
        assert_eq!(
            brace_expand("/readme{,.*[^~$]}"),
            ["/readme", "/readme.*[^~$]"]
        );
        assert_eq!(brace_expand("{1..3}"), ["1", "2", "3"]);
        assert_eq!(brace_expand("x{a..c}"), ["xa", "xb", "xc"]);
        assert_eq!(brace_expand("{01..3}"), ["01", "02", "03"]);
        assert_eq!(brace_expand("a{b}c"), ["a{b}c"]);
        assert_eq!(brace_expand("x{{a,b}}y"), ["x{a}y", "x{b}y"]);
        assert_eq!(brace_expand("{a,b{c,d}}"), ["a", "bc", "bd"]);
        assert_eq!(brace_expand("a\\{b,c}"), ["a{b,c}"]);
    }
}
