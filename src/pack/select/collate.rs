//! An approximation of ICU's root collation for
//! `Intl.Collator('en', { sensitivity: 'case', numeric: true })`, the order
//! in which `npm pack --json` lists a tarball's files: exact for ASCII,
//! Latin-1 letters fold to their base letters, other characters sort after
//! the Latin letters by code point.
//!
//! Hand-written: npm's order is the one this collator gives (case only as a
//! tie-breaker, digit runs compared as numbers), which no plain or
//! case-insensitive string order is, and the ICU collation crates would
//! bring their data tables into the binary for this one comparison, while
//! package file names are nearly always ASCII, where this port is exact.

use std::cmp::Ordering;

/// ASCII punctuation and symbols in ICU's primary order (after the
/// whitespace characters, before the digits).
const SYMBOLS: &str = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$";

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Space(u8),
    Symbol(u8),
    /// A run of digits: (length without leading zeros, digits).
    Number(usize, String),
    Letter(u8),
    Other(u32),
}

fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à'..='å' | 'À'..='Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è'..='ë' | 'È'..='Ë' => "e",
        'ì'..='ï' | 'Ì'..='Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò'..='ö' | 'ø' | 'Ò'..='Ö' | 'Ø' => "o",
        'ù'..='ü' | 'Ù'..='Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        'œ' | 'Œ' => "oe",
        _ => return None,
    })
}

fn ignorable(c: char) -> bool {
    matches!(c as u32, 0x00..=0x08 | 0x0E..=0x1F | 0x7F | 0x300..=0x36F)
}

/// Primary keys and case bits (1 = upper case) of a string.
fn keys(s: &str) -> (Vec<Key>, Vec<bool>) {
    let chars: Vec<char> = s.chars().collect();
    let mut keys = Vec::new();
    let mut cases = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let digits: String = chars[start..i].iter().collect();
            let trimmed = digits.trim_start_matches('0').to_string();
            keys.push(Key::Number(trimmed.len(), trimmed));
            continue;
        }
        i += 1;
        if ignorable(c) {
            continue;
        }
        if let Some(p) = "\t\n\u{b}\u{c}\r ".find(c) {
            keys.push(Key::Space(p as u8));
            cases.push(false);
        } else if let Some(p) = SYMBOLS.find(c) {
            keys.push(Key::Symbol(p as u8));
            cases.push(false);
        } else if c.is_ascii_alphabetic() {
            keys.push(Key::Letter(c.to_ascii_lowercase() as u8));
            cases.push(c.is_ascii_uppercase());
        } else if let Some(base) = fold(c) {
            for b in base.bytes() {
                keys.push(Key::Letter(b));
                cases.push(c.is_uppercase());
            }
        } else {
            let lower = c.to_lowercase().next().unwrap_or(c);
            keys.push(Key::Other(lower as u32));
            cases.push(c.is_uppercase());
        }
    }
    (keys, cases)
}

pub(super) fn compare(a: &str, b: &str) -> Ordering {
    let (ka, ca) = keys(a);
    let (kb, cb) = keys(b);
    ka.cmp(&kb).then_with(|| ca.cmp(&cb))
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::*;

    #[test]
    fn orders_like_icu() {
        assert_eq!(compare("aB", "Ab"), Less);
        assert_eq!(compare("a-b", "a_b"), Greater);
        assert_eq!(compare("x/y", "x.y"), Greater);
        assert_eq!(compare("a10", "a9"), Greater);
        assert_eq!(compare("a010", "a10"), Equal);
        assert_eq!(compare("é", "E"), Less);
        assert_eq!(compare("æ", "af"), Less);
        assert_eq!(compare("A", "a0"), Less);
        assert_eq!(compare("0", "-"), Greater);
    }
}
