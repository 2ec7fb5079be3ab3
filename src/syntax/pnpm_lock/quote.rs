//! js-yaml's rules for whether and how a scalar is quoted, as pnpm's writer
//! (js-yaml with `noCompatMode`) applies them: plain when the text reads
//! back as the same string, otherwise single-quoted, or double-quoted with
//! escapes when a single-quoted scalar cannot hold it; and, for the reader,
//! which plain scalars js-yaml's default schema takes for something other
//! than a string (null, booleans, integers, floats, timestamps, `<<`).
//!
//! Hand-written because a lockfile dockprep writes must be quoted exactly as
//! pnpm would quote it (`'9.0'`, `'@babel/parser'`, `'>=18'` in a flow map,
//! but `7.29.8` and `link:../x` plain), or every write would show up as a
//! diff; the YAML emitters of Rust crates follow their own quoting rules.

/// A scalar the way pnpm's writer (js-yaml with `noCompatMode`) writes it:
/// plain when that reads back as the same string, otherwise single-quoted,
/// or double-quoted when it holds characters a single-quoted scalar cannot.
/// `block` is false inside a flow collection, where `,[]{}` need quotes too.
pub fn quote(s: &str, block: bool) -> String {
    if s.is_empty() {
        return "''".to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.iter().any(|&c| !is_printable(c)) {
        return double_quoted(s);
    }
    let mut plain = is_plain_safe_first(chars[0]) && is_plain_safe_last(chars[chars.len() - 1]);
    let mut prev: Option<char> = None;
    for &c in &chars {
        plain = plain && is_plain_safe(c, prev, block);
        prev = Some(c);
    }
    if plain && !is_ambiguous(s) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "''"))
}

fn is_printable(c: char) -> bool {
    let c = c as u32;
    (0x20..=0x7e).contains(&c)
        || ((0xa1..=0xd7ff).contains(&c) && c != 0x2028 && c != 0x2029)
        || ((0xe000..=0xfffd).contains(&c) && c != 0xfeff)
        || (0x10000..=0x10ffff).contains(&c)
}

fn is_ws(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_ns_char_or_ws(c: char) -> bool {
    is_printable(c) && c != '\u{feff}' && c != '\r' && c != '\n'
}

fn is_plain_safe_first(c: char) -> bool {
    is_printable(c)
        && c != '\u{feff}'
        && !is_ws(c)
        && c != '\n'
        && !"-?:,[]{}#&*!|=>'\"%@`".contains(c)
}

fn is_plain_safe_last(c: char) -> bool {
    !is_ws(c) && c != ':'
}

fn is_plain_safe(c: char, prev: Option<char>, block: bool) -> bool {
    let ns_or_ws = is_ns_char_or_ws(c);
    let ns = ns_or_ws && !is_ws(c);
    let flow_ok = block || !",[]{}".contains(c);
    // Not `#`, and not a colon followed by a space.
    let base = ns_or_ws && flow_ok && c != '#' && (prev != Some(':') || ns);
    // js-yaml also lets `:` be followed by a flow indicator inside a flow
    // collection (`[a:,]`), which no YAML reader takes back; quote that.
    base || prev.is_some_and(|p| is_ns_char_or_ws(p) && !is_ws(p) && c == '#')
        || (prev == Some(':') && ns && flow_ok)
}

/// True when a plain `s` would read back as null, a boolean, a number, a
/// timestamp or a merge key (js-yaml's default schema).
pub(super) fn is_ambiguous(s: &str) -> bool {
    matches!(
        s,
        "~" | "null"
            | "Null"
            | "NULL"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "<<"
    ) || is_yaml_int(s)
        || is_yaml_float(s)
        || is_yaml_timestamp(s)
}

fn is_yaml_int(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.is_empty() {
        return false;
    }
    if b[0] == b'-' || b[0] == b'+' {
        i += 1;
    }
    if i >= b.len() {
        return false;
    }
    if b[i] == b'0' {
        if i + 1 == b.len() {
            return true;
        }
        let (radix_ok, start): (fn(u8) -> bool, usize) = match b[i + 1] {
            b'b' => (|c| c == b'0' || c == b'1', i + 2),
            b'x' => (|c| c.is_ascii_hexdigit(), i + 2),
            b'o' => (|c| (b'0'..=b'7').contains(&c), i + 2),
            _ => (|c| c.is_ascii_digit(), i + 1),
        };
        let rest = &b[start..];
        let mut digits = false;
        for &c in rest {
            if c == b'_' {
                continue;
            }
            if !radix_ok(c) {
                return false;
            }
            digits = true;
        }
        return digits && rest.last() != Some(&b'_');
    }
    if b[i] == b'_' {
        return false;
    }
    let rest = &b[i..];
    let mut digits = false;
    for &c in rest {
        if c == b'_' {
            continue;
        }
        if !c.is_ascii_digit() {
            return false;
        }
        digits = true;
    }
    digits && rest.last() != Some(&b'_')
}

fn is_yaml_float(s: &str) -> bool {
    if s.ends_with('_') {
        return false;
    }
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    if matches!(t, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let b = t.as_bytes();
    let mut i = 0;
    let exp = |i: usize| -> bool {
        // [eE][-+]?[0-9]+ to the end
        let mut j = i;
        if j >= b.len() || !(b[j] == b'e' || b[j] == b'E') {
            return false;
        }
        j += 1;
        if j < b.len() && (b[j] == b'-' || b[j] == b'+') {
            j += 1;
        }
        j < b.len() && b[j..].iter().all(u8::is_ascii_digit)
    };
    if !b.is_empty() && b[0] == b'.' && s.len() == t.len() {
        // \.[0-9_]+([eE][-+]?[0-9]+)?
        i = 1;
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
        if i == start {
            return false;
        }
        return i == b.len() || exp(i);
    }
    // [0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?
    if b.is_empty() || !b[0].is_ascii_digit() {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len() || exp(i)
}

fn is_yaml_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let d = |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if b.len() < 8 || !d(0..4) || b[4] != b'-' {
        return false;
    }
    if b.len() == 10 && d(5..7) && b[7] == b'-' && d(8..10) {
        return true;
    }
    // The date-time form: YYYY-M(M)-D(D)(T|t|space+)H(H):MM:SS…
    let rest = &s[5..];
    let mut parts = rest.splitn(3, '-');
    let (Some(m), Some(dt)) = (parts.next(), parts.next()) else {
        return false;
    };
    if m.is_empty() || m.len() > 2 || !m.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let day_len = dt.bytes().take_while(u8::is_ascii_digit).count();
    if day_len == 0 || day_len > 2 {
        return false;
    }
    let after = &dt[day_len..];
    let after = after
        .strip_prefix(['T', 't'])
        .map(str::to_string)
        .unwrap_or_else(|| after.trim_start_matches([' ', '\t']).to_string());
    if after.len() == dt.len() - day_len {
        return false;
    }
    let hb = after.as_bytes();
    let h = hb.iter().take_while(|c| c.is_ascii_digit()).count();
    (1..=2).contains(&h) && hb.get(h) == Some(&b':')
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\0' => out.push_str("\\0"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\x0b' => out.push_str("\\v"),
            '\x0c' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\x1b' => out.push_str("\\e"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if is_printable(c) => out.push(c),
            c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02X}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_js_yaml() {
        for (s, block, want) in [
            ("9.0", true, "'9.0'"),
            ("7.29.8", true, "7.29.8"),
            ("@babel/parser", true, "'@babel/parser'"),
            (">=18", false, "'>=18'"),
            ("^18.0.0 || >=20.0.0", false, "^18.0.0 || >=20.0.0"),
            ("a, b", false, "'a, b'"),
            ("a, b", true, "a, b"),
            ("it's", true, "it's"),
            ("'x", true, "'''x'"),
            ("true", true, "'true'"),
            ("yes", true, "yes"),
            ("2024-01-02", true, "'2024-01-02'"),
            ("0x1F", true, "'0x1F'"),
            ("1e3", true, "'1e3'"),
            ("a: b", true, "'a: b'"),
            ("a:b", true, "a:b"),
            ("a #b", true, "'a #b'"),
            ("a#b", true, "a#b"),
            ("", true, "''"),
            ("x\ny", true, "\"x\\ny\""),
            (" x", true, "' x'"),
            ("link:../x", true, "link:../x"),
            ("workspace:*", true, "workspace:*"),
            ("*", true, "'*'"),
            ("-x", true, "'-x'"),
        ] {
            assert_eq!(quote(s, block), want, "{s:?} block={block}");
        }
    }
}
