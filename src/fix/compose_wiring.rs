//! Roadmap A0-3/A0-4 as edits to a compose file: a service's build arg(s),
//! build secret(s) and `extra_hosts`, and the top-level `secrets` they name.
//!
//! The YAML is edited by key path on the text itself, so comments, quoting,
//! key order and indentation stay as written. New keys go at the end of their
//! mapping, indented with the file's own unit and list style (2 spaces and
//! block lists when the file shows none). Flow collections (`{a: 1}`,
//! `[a, b]`) get flow-style additions. Anything odder (aliases, merge keys,
//! tagged or non-empty null values) is left alone, and the result is re-parsed
//! before it is returned: edits that would not yield a valid compose file are
//! dropped.

use crate::fix::{apply_edits, line_ending, Edit};
use crate::syntax::compose::{extra_host_name, Compose};
use crate::syntax::yaml::{self, Node, Value};

/// What to ensure for one service.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wiring {
    /// Build args to ensure in `services.<svc>.build.args`, e.g. `("GITEA_NPM_HOST", "host.docker.internal")`.
    /// Any value counts as present.
    pub args: Vec<(String, String)>,
    /// Secret names to ensure in `services.<svc>.build.secrets`.
    pub secrets: Vec<String>,
    /// Entries to ensure in `services.<svc>.extra_hosts`, e.g. `host.docker.internal:host-gateway`.
    /// An entry for the same host name counts as present.
    pub extra_hosts: Vec<String>,
    /// Entries to ensure in `services.<svc>.build.extra_hosts` (the hosts the
    /// build's `RUN` steps resolve). An entry for the same host name counts as present.
    pub build_extra_hosts: Vec<String>,
    /// `(name, environment variable)` to ensure in the top-level `secrets` as `name: {environment: VAR}`.
    pub top_secrets: Vec<(String, String)>,
}

impl Wiring {
    /// The roadmap's wiring (§7.3): `GITEA_NPM_HOST=host.docker.internal`,
    /// secret `gitea_npm_token` from `$GITEA_NPM_TOKEN`, and the host gateway.
    pub fn gitea() -> Wiring {
        Wiring {
            args: vec![("GITEA_NPM_HOST".into(), "host.docker.internal".into())],
            secrets: vec!["gitea_npm_token".into()],
            extra_hosts: vec!["host.docker.internal:host-gateway".into()],
            top_secrets: vec![("gitea_npm_token".into(), "GITEA_NPM_TOKEN".into())],
            build_extra_hosts: Vec::new(),
        }
    }
}

/// Edits that wire `service` of the compose file `text` (parsed as `compose`)
/// as `w` asks. Empty when everything is present, when the service does not
/// exist, or when the places to edit have a shape this does not rewrite.
pub fn wire_service(text: &str, compose: &Compose, service: &str, w: &Wiring) -> Vec<Edit> {
    let Some(svc) = compose.service(service) else {
        return Vec::new();
    };
    let Ok(root) = yaml::parse(text) else {
        return Vec::new();
    };
    let Some((rk, services)) = root.entry("services") else {
        return Vec::new();
    };
    let mut cx = Cx {
        text,
        style: Style::detect(text, &root),
        edits: Vec::new(),
    };
    if !cx.owned(rk, services) {
        return Vec::new();
    }
    let Some((sk, sv)) = services.entry(service).filter(|(k, v)| cx.owned(k, v)) else {
        return Vec::new();
    };
    let services_flow = cx.is_flow(services);

    // What is missing, deduplicated.
    let mut args: Vec<(String, String)> = Vec::new();
    let mut secrets: Vec<String> = Vec::new();
    if let Some(b) = &svc.build {
        for (k, v) in &w.args {
            if !b.args.iter().any(|a| &a.name.value == k) && !args.iter().any(|(n, _)| n == k) {
                args.push((k.clone(), v.clone()));
            }
        }
        for s in &w.secrets {
            if !b
                .secrets
                .iter()
                .any(|x| &x.source.value == s || x.id() == s)
                && !secrets.contains(s)
            {
                secrets.push(s.clone());
            }
        }
    }
    let build_hosts = match &svc.build {
        Some(b) => missing_hosts(&w.build_extra_hosts, &b.extra_hosts),
        None => Vec::new(),
    };
    let hosts = missing_hosts(&w.extra_hosts, &svc.extra_hosts);
    let mut tops: Vec<(String, String)> = Vec::new();
    for (n, var) in &w.top_secrets {
        if compose.secret(n).is_none() && !tops.iter().any(|(x, _)| x == n) {
            tops.push((n.clone(), var.clone()));
        }
    }

    match &sv.value {
        Value::Map(_) => {
            let mut new_keys: Vec<(String, New)> = Vec::new();
            if !args.is_empty() || !secrets.is_empty() || !build_hosts.is_empty() {
                if let Some((bk, bv)) = sv.entry("build").filter(|(k, v)| cx.owned(k, v)) {
                    cx.wire_build(bk, bv, cx.is_flow(sv), &args, &secrets, &build_hosts);
                }
            }
            cx.wire_hosts(sv, cx.is_flow(sv), &hosts, &mut new_keys);
            if !new_keys.is_empty() && sv.entry("<<").is_none() {
                cx.append_to_map(sv, new_keys, false);
            }
        }
        Value::Null if !hosts.is_empty() => {
            cx.fill_null(
                sk,
                sv,
                services_flow,
                New::Map(vec![("extra_hosts".into(), New::Seq(hosts.clone()))]),
            );
        }
        _ => {}
    }

    if !tops.is_empty() {
        let entries: Vec<(String, New)> = tops
            .iter()
            .map(|(n, v)| {
                (
                    n.clone(),
                    New::Map(vec![("environment".into(), New::Str(v.clone()))]),
                )
            })
            .collect();
        match root.entry("secrets") {
            None => {
                if root.entry("<<").is_none() {
                    let blank = cx.style.blank_sep;
                    cx.append_to_map(&root, vec![("secrets".into(), New::Map(entries))], blank);
                }
            }
            Some((k, v)) if !cx.owned(k, v) => {}
            Some((k, v)) => match &v.value {
                Value::Null => cx.fill_null(k, v, cx.is_flow(&root), New::Map(entries)),
                Value::Map(_) => cx.append_to_map(v, entries, false),
                _ => {}
            },
        }
    }
    cx.finish()
}

/// The host name of an `extra_hosts` entry (`name:address` or `name=address`).
/// The entries of `wanted` (`NAME:IP` or `NAME=IP`) whose host name `present`
/// does not map yet, as `NAME:IP`, each name once.
fn missing_hosts(wanted: &[String], present: &[crate::syntax::Spanned<String>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in wanted {
        let h = h.replacen('=', ":", 1);
        let name = extra_host_name(&h);
        if !present.iter().any(|e| extra_host_name(&e.value) == name)
            && !out.iter().any(|x| extra_host_name(x) == name)
        {
            out.push(h);
        }
    }
    out
}

/// A value to add.
#[derive(Clone, Debug)]
enum New {
    Str(String),
    /// Text kept as written (a scalar moved from elsewhere in the file).
    Raw(String),
    Map(Vec<(String, New)>),
    Seq(Vec<String>),
}

/// How to quote a new scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quote {
    /// Plain when YAML reads it back as the same string, else the file's quote.
    Plain,
    /// Like `Plain`, but also quote anything with a `:` (list items such as `"a:b"`).
    Item,
    /// Always this quote character, as the siblings are.
    With(char),
}

/// The file's layout conventions.
#[derive(Clone, Debug)]
struct Style {
    /// Indent of a nested mapping relative to its key.
    unit: usize,
    /// Indent of a block list's `-` relative to its key.
    seq_off: usize,
    /// The file writes its lists as `[a, b]` only.
    flow_lists: bool,
    /// The quote character the file prefers.
    quote: char,
    /// Top-level entries or services are separated by blank lines.
    blank_sep: bool,
    le: &'static str,
}

impl Style {
    fn detect(text: &str, root: &Node) -> Style {
        let mut st = Stats::default();
        stats(text, root, &mut st, 0);
        let unit = mode(&st.units).unwrap_or(2);
        let seq_off = mode(&st.seq_offs).unwrap_or(unit);
        let mut blank_sep = false;
        let mut check = |m: &Node| {
            if let Some(entries) = m.as_map() {
                if is_flow(text, m) {
                    return;
                }
                for pair in entries.windows(2) {
                    let Some(end) = entry_end(text, &pair[0].0, &pair[0].1) else {
                        continue;
                    };
                    let from = line_end(text, end);
                    let to = line_start(text, pair[1].0.span.start);
                    if from < to && text[from..to].lines().any(|l| l.trim().is_empty()) {
                        blank_sep = true;
                    }
                }
            }
        };
        check(root);
        if let Some(s) = root.get("services") {
            if !is_alias(text, s) {
                check(s);
            }
        }
        Style {
            unit,
            seq_off,
            flow_lists: st.flow_lists > 0 && st.block_lists == 0,
            quote: if st.single > st.double { '\'' } else { '"' },
            blank_sep,
            le: line_ending(text),
        }
    }
}

#[derive(Default)]
struct Stats {
    units: Vec<usize>,
    seq_offs: Vec<usize>,
    flow_lists: usize,
    block_lists: usize,
    single: usize,
    double: usize,
}

fn stats(text: &str, n: &Node, st: &mut Stats, depth: usize) {
    if depth > 64 || is_alias(text, n) {
        return;
    }
    match &n.value {
        Value::Scalar(_) => match text.as_bytes().get(n.span.start) {
            Some(b'\'') => st.single += 1,
            Some(b'"') => st.double += 1,
            _ => {}
        },
        Value::Seq(items) => {
            for i in items {
                stats(text, i, st, depth + 1);
            }
        }
        Value::Map(m) => {
            let block = !is_flow(text, n);
            for (k, v) in m {
                stats(text, k, st, depth + 1);
                stats(text, v, st, depth + 1);
                if !block || is_alias(text, v) {
                    continue;
                }
                let kc = col(text, k.span.start);
                match &v.value {
                    Value::Map(vm) if !is_flow(text, v) => {
                        if let Some((fk, _)) = vm.first() {
                            let c = col(text, fk.span.start);
                            if c > kc && line_start(text, fk.span.start) > k.span.start {
                                st.units.push(c - kc);
                            }
                        }
                    }
                    Value::Seq(_) if is_flow(text, v) => st.flow_lists += 1,
                    Value::Seq(items) => {
                        st.block_lists += 1;
                        if let Some(d) = items.first().and_then(|i| dash_pos(text, i)) {
                            let c = col(text, d);
                            if c >= kc && line_start(text, d) > k.span.start {
                                st.seq_offs.push(c - kc);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        Value::Null => {}
    }
}

/// The most frequent value, the smallest on a tie.
fn mode(v: &[usize]) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for &x in v {
        let n = v.iter().filter(|&&y| y == x).count();
        best = match best {
            Some((bx, bn)) if bn > n || (bn == n && bx <= x) => Some((bx, bn)),
            _ => Some((x, n)),
        };
    }
    best.map(|(x, _)| x)
}

/// Byte offset where the line containing `at` starts.
fn line_start(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
}

/// Byte offset just past the line terminator of the line containing `at`.
fn line_end(text: &str, at: usize) -> usize {
    crate::fix::line_range(text, at).1
}

/// Column (in bytes) of `at` on its line.
fn col(text: &str, at: usize) -> usize {
    at - line_start(text, at)
}

fn is_alias(text: &str, n: &Node) -> bool {
    text.as_bytes().get(n.span.start) == Some(&b'*')
}

/// A node written with a `!tag`.
fn has_tag(text: &str, n: &Node) -> bool {
    let b = text.as_bytes();
    let cs = content_start(text, n);
    let mut i = n.span.start;
    while i < b.len() && i < cs {
        if b[i] == b'!' && (i == n.span.start || b[i - 1].is_ascii_whitespace()) {
            return true;
        }
        i += 1;
    }
    false
}

/// Start of a node's content past any `&anchor` and `!tag`.
fn content_start(text: &str, n: &Node) -> usize {
    let b = text.as_bytes();
    let mut i = n.span.start;
    while i < b.len() {
        match b[i] {
            b'&' | b'!' => {
                while i < b.len() && !b[i].is_ascii_whitespace() && !b"[]{},".contains(&b[i]) {
                    i += 1;
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            _ => break,
        }
    }
    i
}

/// A `[..]` or `{..}` collection.
fn is_flow(text: &str, n: &Node) -> bool {
    if !matches!(n.value, Value::Map(_) | Value::Seq(_)) || is_alias(text, n) {
        return false;
    }
    let cs = content_start(text, n);
    match text.as_bytes().get(cs) {
        Some(b'{') => true,
        // A compact block list (`key:\n- [a]`) starts at its first item.
        Some(b'[') => !text[line_start(text, cs)..cs].trim_end().ends_with('-'),
        _ => false,
    }
}

/// Offset of the `-` of a block list item.
fn dash_pos(text: &str, item: &Node) -> Option<usize> {
    let before = text[..item.span.start].trim_end_matches([' ', '\t']);
    before.ends_with('-').then(|| before.len() - 1)
}

/// Offset of the closing bracket of a flow collection.
fn closing(text: &str, n: &Node) -> Option<usize> {
    let want = match n.value {
        Value::Map(_) => b'}',
        _ => b']',
    };
    let b = text.as_bytes();
    let mut i = n.span.end;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    (b.get(i) == Some(&want)).then_some(i)
}

/// Where a node's own text ends (trailing comments and blank lines excluded).
fn node_end(text: &str, n: &Node) -> Option<usize> {
    if is_alias(text, n) {
        return Some(n.span.end);
    }
    match &n.value {
        Value::Scalar(_) | Value::Null => Some(n.span.end),
        _ if is_flow(text, n) => closing(text, n).map(|c| c + 1),
        Value::Seq(items) => items
            .iter()
            .try_fold(n.span.start, |m, i| node_end(text, i).map(|e| m.max(e))),
        Value::Map(m) => m.iter().try_fold(n.span.start, |acc, (k, v)| {
            entry_end(text, k, v).map(|e| acc.max(e))
        }),
    }
}

fn entry_end(text: &str, k: &Node, v: &Node) -> Option<usize> {
    node_end(text, v).map(|e| e.max(k.span.end))
}

struct Cx<'t> {
    text: &'t str,
    style: Style,
    edits: Vec<Edit>,
}

impl Cx<'_> {
    /// An alias (its content lives elsewhere) or a tagged node (`!reset []`):
    /// not edited.
    fn is_opaque(&self, n: &Node) -> bool {
        is_alias(self.text, n) || has_tag(self.text, n)
    }
    /// The value of `key: value` is written right there, not through an
    /// alias or a tag.
    fn owned(&self, k: &Node, v: &Node) -> bool {
        v.span.start >= k.span.end && v.span.end <= self.text.len() && !self.is_opaque(v)
    }
    fn is_flow(&self, n: &Node) -> bool {
        is_flow(self.text, n)
    }

    fn wire_build(
        &mut self,
        bk: &Node,
        bv: &Node,
        parent_flow: bool,
        args: &[(String, String)],
        secrets: &[String],
        hosts: &[String],
    ) {
        let t = self.text;
        let args_new = || {
            New::Map(
                args.iter()
                    .map(|(k, v)| (k.clone(), New::Str(v.clone())))
                    .collect(),
            )
        };
        let secrets_new = || New::Seq(secrets.to_vec());
        match &bv.value {
            Value::Scalar(_) => {
                // `build: ctx` → the mapping form, context kept as written.
                let (Some(orig), Some(between)) =
                    (t.get(bv.span.range()), t.get(bk.span.end..bv.span.start))
                else {
                    return;
                };
                if orig.is_empty() || orig.contains(['\n', '\r']) || between.trim() != ":" {
                    return;
                }
                let mut entries = vec![("context".to_string(), New::Raw(orig.to_string()))];
                if !args.is_empty() {
                    entries.push(("args".into(), args_new()));
                }
                if !secrets.is_empty() {
                    entries.push(("secrets".into(), secrets_new()));
                }
                if !hosts.is_empty() {
                    entries.push(("extra_hosts".into(), New::Seq(hosts.to_vec())));
                }
                if parent_flow {
                    let s = self.flow(&New::Map(entries), Quote::Plain);
                    self.edits
                        .push(Edit::replace(bv.span.start, bv.span.end, s));
                } else {
                    let c = col(t, bk.span.start) + self.style.unit;
                    let le = self.style.le;
                    self.edits.push(Edit::replace(
                        bk.span.end,
                        bv.span.end,
                        format!(":{le}{}context: {orig}", " ".repeat(c)),
                    ));
                    let mut s = String::new();
                    self.block_entries(&mut s, c, &entries[1..], Quote::Plain);
                    self.edits.push(Edit::insert(line_end(t, bv.span.end), s));
                }
            }
            Value::Map(_) => {
                let flow = self.is_flow(bv);
                let mut new_keys = Vec::new();
                if !args.is_empty() {
                    match bv.entry("args") {
                        None => new_keys.push(("args".to_string(), args_new())),
                        Some((k, v)) if !self.owned(k, v) => {}
                        Some((k, v)) => match &v.value {
                            Value::Null => self.fill_null(k, v, flow, args_new()),
                            Value::Map(_) => self.append_to_map(
                                v,
                                args.iter()
                                    .map(|(k, v)| (k.clone(), New::Str(v.clone())))
                                    .collect(),
                                false,
                            ),
                            Value::Seq(_) => {
                                let items: Vec<String> =
                                    args.iter().map(|(k, v)| format!("{k}={v}")).collect();
                                self.append_to_seq(v, &items);
                            }
                            Value::Scalar(_) => {}
                        },
                    }
                }
                if !secrets.is_empty() {
                    match bv.entry("secrets") {
                        None => new_keys.push(("secrets".to_string(), secrets_new())),
                        Some((k, v)) if !self.owned(k, v) => {}
                        Some((k, v)) => match &v.value {
                            Value::Null => self.fill_null(k, v, flow, secrets_new()),
                            Value::Seq(_) => self.append_to_seq(v, secrets),
                            _ => {}
                        },
                    }
                }
                self.wire_hosts(bv, flow, hosts, &mut new_keys);
                if !new_keys.is_empty() && bv.entry("<<").is_none() {
                    self.append_to_map(bv, new_keys, false);
                }
            }
            _ => {}
        }
    }

    /// Adds `entries` at the end of mapping `map`.
    /// Adds `hosts` to the `extra_hosts` of `map` (a service or its `build`),
    /// in the form it already has; a missing key goes to `new_keys`.
    fn wire_hosts(
        &mut self,
        map: &Node,
        flow: bool,
        hosts: &[String],
        new_keys: &mut Vec<(String, New)>,
    ) {
        if hosts.is_empty() {
            return;
        }
        let seq = || New::Seq(hosts.to_vec());
        match map.entry("extra_hosts") {
            None => new_keys.push(("extra_hosts".to_string(), seq())),
            Some((k, v)) if !self.owned(k, v) => {}
            Some((k, v)) => match &v.value {
                Value::Null => self.fill_null(k, v, flow, seq()),
                Value::Seq(_) => self.append_to_seq(v, hosts),
                Value::Map(_) => {
                    let entries = hosts
                        .iter()
                        .map(|h| {
                            let (n, a) = h.split_once(':').unwrap_or((h, ""));
                            (n.to_string(), New::Str(a.to_string()))
                        })
                        .collect();
                    self.append_to_map(v, entries, false);
                }
                Value::Scalar(_) => {}
            },
        }
    }

    fn append_to_map(&mut self, map: &Node, entries: Vec<(String, New)>, blank_before: bool) {
        let t = self.text;
        let Some(m) = map.as_map() else { return };
        // `? complex` keys: their column is not the mapping's
        if self.is_opaque(map) || entries.is_empty() || m.iter().any(|(k, _)| k.as_str().is_none())
        {
            return;
        }
        // Values quoted like the last sibling's.
        let q = m
            .last()
            .and_then(|(_, v)| sibling_quote(t, v))
            .unwrap_or(Quote::Plain);
        if self.is_flow(map) {
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        self.scalar(k, Quote::Plain, true),
                        self.flow(v, q)
                    )
                })
                .collect();
            let joined = parts.join(", ");
            match m.last() {
                None => {
                    let open = content_start(t, map);
                    if t.as_bytes().get(open) != Some(&b'{') || closing(t, map).is_none() {
                        return;
                    }
                    self.edits.push(Edit::insert(open + 1, joined));
                }
                Some((k, v)) => {
                    let (Some(close), Some(end)) = (closing(t, map), entry_end(t, k, v)) else {
                        return;
                    };
                    if v.is_null() || !only_trivia(t.get(end..close).unwrap_or("x")) {
                        return;
                    }
                    self.edits.push(Edit::insert(end, format!(", {joined}")));
                }
            }
            return;
        }
        let Some((fk, _)) = m.first() else { return };
        let Some(end) = node_end(t, map) else { return };
        let at = line_end(t, end);
        let c = col(t, fk.span.start);
        match next_line(t, at) {
            Some((i, l))
                if i > c
                    || (i == c && !(c == 0 && (l.starts_with("---") || l.starts_with("...")))) =>
            {
                return
            }
            _ => {}
        }
        let mut s = String::new();
        if blank_before && !t[line_start(t, end)..at].trim().is_empty() {
            s.push_str(self.style.le);
        }
        self.block_entries(&mut s, c, &entries, q);
        self.edits.push(Edit::insert(at, s));
    }

    /// Adds `items` at the end of list `seq`.
    fn append_to_seq(&mut self, seq: &Node, items: &[String]) {
        let t = self.text;
        let Some(existing) = seq.as_seq() else { return };
        if self.is_opaque(seq) || items.is_empty() {
            return;
        }
        let q = existing
            .last()
            .and_then(|v| sibling_quote(t, v))
            .unwrap_or(Quote::Item);
        if self.is_flow(seq) {
            let joined = items
                .iter()
                .map(|i| self.scalar(i, q, true))
                .collect::<Vec<_>>()
                .join(", ");
            match existing.last() {
                None => {
                    let open = content_start(t, seq);
                    if t.as_bytes().get(open) != Some(&b'[') || closing(t, seq).is_none() {
                        return;
                    }
                    self.edits.push(Edit::insert(open + 1, joined));
                }
                Some(last) => {
                    let (Some(close), Some(end)) = (closing(t, seq), node_end(t, last)) else {
                        return;
                    };
                    if last.is_null() || !only_trivia(t.get(end..close).unwrap_or("x")) {
                        return;
                    }
                    self.edits.push(Edit::insert(end, format!(", {joined}")));
                }
            }
            return;
        }
        let Some(first) = existing.first() else {
            return;
        };
        let Some(dash) = dash_pos(t, first) else {
            return;
        };
        let Some(end) = node_end(t, seq) else { return };
        let at = line_end(t, end);
        let d = col(t, dash);
        match next_line(t, at) {
            Some((i, l)) if i > d || (i == d && l.starts_with('-')) => return,
            _ => {}
        }
        let pad = " ".repeat(d);
        let mut s = String::new();
        for i in items {
            s.push_str(&format!(
                "{pad}- {}{}",
                self.scalar(i, q, false),
                self.style.le
            ));
        }
        self.edits.push(Edit::insert(at, s));
    }

    /// Gives the empty value of `key:` the content `val` (a mapping or list).
    fn fill_null(&mut self, key: &Node, null: &Node, parent_flow: bool, val: New) {
        let t = self.text;
        if parent_flow || !null.is_null() {
            return;
        }
        let eol = line_end(t, key.span.end);
        let line = t[key.span.end..eol].trim_end_matches(['\n', '\r']);
        let Some(rest) = line.trim_start().strip_prefix(':') else {
            return;
        };
        let after_colon = key.span.end + (line.len() - rest.len());
        let r = rest.trim_start();
        let tok = ["~", "null", "Null", "NULL"]
            .into_iter()
            .find(|w| {
                r.starts_with(w) && r[w.len()..].chars().next().is_none_or(char::is_whitespace)
            })
            .unwrap_or("");
        let tail = r[tok.len()..].trim_start();
        if !(tail.is_empty() || tail.starts_with('#')) {
            return;
        }
        // The null must be the one on this line.
        if !null.span.is_empty() && !(key.span.end..eol).contains(&null.span.start) {
            return;
        }
        if !tok.is_empty() {
            let tok_end = after_colon + (rest.len() - r.len()) + tok.len();
            self.edits.push(Edit::replace(key.span.end, tok_end, ":"));
        }
        let kc = col(t, key.span.start);
        match next_line(t, eol) {
            Some((i, l)) if i > kc || (i == kc && l.starts_with('-')) => return,
            _ => {}
        }
        let mut s = String::new();
        match &val {
            New::Map(entries) => {
                self.block_entries(&mut s, kc + self.style.unit, entries, Quote::Plain)
            }
            New::Seq(items) => self.block_items(&mut s, kc + self.style.seq_off, items),
            New::Str(_) | New::Raw(_) => return,
        }
        self.edits.push(Edit::insert(eol, s));
    }

    fn block_entries(&self, out: &mut String, c: usize, entries: &[(String, New)], q: Quote) {
        let le = self.style.le;
        let pad = " ".repeat(c);
        for (k, v) in entries {
            let key = self.scalar(k, Quote::Plain, false);
            match v {
                New::Str(s) => {
                    out.push_str(&format!("{pad}{key}: {}{le}", self.scalar(s, q, false)))
                }
                New::Raw(s) => out.push_str(&format!("{pad}{key}: {s}{le}")),
                New::Map(m) => {
                    out.push_str(&format!("{pad}{key}:{le}"));
                    self.block_entries(out, c + self.style.unit, m, Quote::Plain);
                }
                New::Seq(_) if self.style.flow_lists => {
                    out.push_str(&format!("{pad}{key}: {}{le}", self.flow(v, Quote::Item)));
                }
                New::Seq(items) => {
                    out.push_str(&format!("{pad}{key}:{le}"));
                    self.block_items(out, c + self.style.seq_off, items);
                }
            }
        }
    }

    fn block_items(&self, out: &mut String, c: usize, items: &[String]) {
        let pad = " ".repeat(c);
        for i in items {
            out.push_str(&format!(
                "{pad}- {}{}",
                self.scalar(i, Quote::Item, false),
                self.style.le
            ));
        }
    }

    fn flow(&self, v: &New, q: Quote) -> String {
        match v {
            New::Str(s) => self.scalar(s, q, true),
            New::Raw(s) => s.clone(),
            New::Map(m) => format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!(
                        "{}: {}",
                        self.scalar(k, Quote::Plain, true),
                        self.flow(v, Quote::Plain)
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            New::Seq(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| self.scalar(i, Quote::Item, true))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    fn scalar(&self, s: &str, q: Quote, in_flow: bool) -> String {
        let c = match q {
            Quote::With(c) => c,
            Quote::Item if s.contains(':') => self.style.quote,
            _ if plain_ok(s, in_flow) => return s.to_string(),
            _ => self.style.quote,
        };
        quoted(s, c)
    }

    /// Sorts and merges the edits, and keeps them only when the result parses.
    fn finish(self) -> Vec<Edit> {
        let t = self.text;
        let mut out = super::merge_inserts(self.edits);
        for e in &mut out {
            if e.start == t.len() && !t.is_empty() && !t.ends_with('\n') && !e.text.is_empty() {
                e.text.insert_str(0, self.style.le);
            }
        }
        match apply_edits(t, &out) {
            Some(fixed) if Compose::parse(&fixed).is_ok() => out,
            _ => Vec::new(),
        }
    }
}

/// Indent and text of the first line at or after `at` that is not blank or
/// a comment.
fn next_line(text: &str, at: usize) -> Option<(usize, &str)> {
    text.get(at..)?.lines().find_map(|l| {
        let t = l.trim_start_matches([' ', '\t']);
        let t = t.trim_end();
        (!t.is_empty() && !t.starts_with('#'))
            .then(|| (l.len() - l.trim_start_matches([' ', '\t']).len(), t))
    })
}

/// Only whitespace, commas and comments (what may sit between a flow
/// collection's last item and its closing bracket).
fn only_trivia(s: &str) -> bool {
    s.lines().all(|l| {
        let code = match l.find('#') {
            Some(i) if i == 0 || l.as_bytes()[i - 1].is_ascii_whitespace() => &l[..i],
            _ => l,
        };
        code.chars().all(|c| c.is_whitespace() || c == ',') && code.matches(',').count() <= 1
    })
}

/// The quote of an existing scalar, or `Plain` for an unquoted one.
fn sibling_quote(text: &str, v: &Node) -> Option<Quote> {
    match v.value {
        Value::Scalar(_) => Some(match text.as_bytes().get(v.span.start) {
            Some(b'"') => Quote::With('"'),
            Some(b'\'') => Quote::With('\''),
            _ => Quote::Plain,
        }),
        _ => None,
    }
}

/// Whether YAML reads `s` back, unquoted, as the same string.
fn plain_ok(s: &str, in_flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.trim() != s
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || first.is_ascii_digit()
        || first == '+'
        || first == '.'
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars().any(|c| c.is_control())
        || (in_flow && s.contains([',', '[', ']', '{', '}']))
    {
        return false;
    }
    !matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
    )
}

fn quoted(s: &str, c: char) -> String {
    if c == '\'' {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEAKPULSE: &str =
        include_str!("../../examples/fleet/learning_ai_peakpulse/docker-compose.yml");
    const CLOCK: &str = include_str!("../../examples/fleet/learning_ai_clock/docker-compose.yml");

    /// Wires `svc`, checks that the edits apply, that the result parses and
    /// that a second call finds nothing to do; returns the new text.
    fn wire(text: &str, svc: &str, w: &Wiring) -> String {
        let c = Compose::parse(text).unwrap();
        let edits = wire_service(text, &c, svc, w);
        let fixed = apply_edits(text, &edits).expect("edits overlap");
        let c2 = Compose::parse(&fixed).unwrap_or_else(|e| panic!("{e}:\n{fixed}"));
        let again = wire_service(&fixed, &c2, svc, w);
        assert!(again.is_empty(), "not idempotent: {again:?}\n{fixed}");
        fixed
    }

    fn wire_all(text: &str, svcs: &[&str], w: &Wiring) -> String {
        svcs.iter().fold(text.to_string(), |t, s| wire(&t, s, w))
    }

    /// The parsed result has exactly the wiring `w` asks for `svc`.
    fn assert_wired(text: &str, svc: &str, w: &Wiring) {
        let c = Compose::parse(text).unwrap();
        let s = c.service(svc).unwrap();
        let b = s.build.as_ref().unwrap();
        for (k, v) in &w.args {
            let found: Vec<_> = b.args.iter().filter(|a| &a.name.value == k).collect();
            assert_eq!(found.len(), 1, "arg {k} in\n{text}");
            assert_eq!(found[0].value.as_ref().unwrap().value, *v);
        }
        for name in &w.secrets {
            assert_eq!(
                b.secrets.iter().filter(|x| &x.source.value == name).count(),
                1,
                "secret {name} in\n{text}"
            );
        }
        for h in &w.extra_hosts {
            assert_eq!(
                s.extra_hosts.iter().filter(|x| &x.value == h).count(),
                1,
                "host {h} in\n{text}"
            );
        }
        for (n, var) in &w.top_secrets {
            let sec: Vec<_> = c.secrets.iter().filter(|x| &x.name.value == n).collect();
            assert_eq!(sec.len(), 1, "top secret {n} in\n{text}");
            assert_eq!(sec[0].environment.as_ref().unwrap().value, *var);
        }
    }

    /// Every line of `before` is still in `after`, byte for byte and in order.
    fn assert_lines_kept(before: &str, after: &str) {
        let mut rest = after.split_inclusive('\n');
        for l in before.split_inclusive('\n') {
            let l = l.trim_end_matches(['\r', '\n']);
            assert!(
                rest.any(|x| x.trim_end_matches(['\r', '\n']) == l),
                "lost {l:?} in\n{after}"
            );
        }
    }

    fn no_edits(text: &str, svc: &str, w: &Wiring) -> bool {
        let c = Compose::parse(text).unwrap();
        wire_service(text, &c, svc, w).is_empty()
    }

    #[test]
    fn peakpulse_nothing_wired() {
        let w = Wiring::gitea();
        let fixed = wire_all(PEAKPULSE, &["backend", "web"], &w);
        assert_wired(&fixed, "backend", &w);
        assert_wired(&fixed, "web", &w);
        assert_lines_kept(PEAKPULSE, &fixed);
        insta::assert_snapshot!("peakpulse_compose", fixed);
    }

    #[test]
    fn clock_web_partly_wired() {
        let w = Wiring::gitea();
        // web already has the arg: only the secret, the host and the top-level secret come
        let c = Compose::parse(CLOCK).unwrap();
        let edits = wire_service(CLOCK, &c, "web", &w);
        let web = apply_edits(CLOCK, &edits).unwrap();
        assert_eq!(web.matches("GITEA_NPM_HOST").count(), 1);
        let fixed = wire_all(CLOCK, &["backend", "web"], &w);
        assert_wired(&fixed, "backend", &w);
        assert_wired(&fixed, "web", &w);
        let c = Compose::parse(&fixed).unwrap();
        let names: Vec<_> = c
            .service("web")
            .unwrap()
            .build
            .as_ref()
            .unwrap()
            .args
            .iter()
            .map(|a| a.name.value.as_str())
            .collect();
        assert_eq!(names, ["GITEA_NPM_HOST", "NEXT_PUBLIC_API_URL"]);
        assert_lines_kept(CLOCK, &fixed);
        insta::assert_snapshot!("clock_compose", fixed);
    }

    #[test]
    fn comments_and_layout_survive() {
        let t = "# top comment\nservices:\n  # the api\n  api:   # trailing\n    build:\n      context: ./api  # ctx\n      # dockerfile: other\n    image: 'x'   # img\n    # end of api\n\n# before db\n  db:\n    image: postgres\n# footer\n";
        let w = Wiring::gitea();
        let fixed = wire(t, "api", &w);
        assert_wired(&fixed, "api", &w);
        assert_lines_kept(t, &fixed);
        assert_eq!(
            fixed,
            "# top comment\nservices:\n  # the api\n  api:   # trailing\n    build:\n      context: ./api  # ctx\n      args:\n        GITEA_NPM_HOST: host.docker.internal\n      secrets:\n        - gitea_npm_token\n      # dockerfile: other\n    image: 'x'   # img\n    extra_hosts:\n      - 'host.docker.internal:host-gateway'\n    # end of api\n\n# before db\n  db:\n    image: postgres\n\nsecrets:\n  gitea_npm_token:\n    environment: GITEA_NPM_TOKEN\n# footer\n"
        );
    }

    #[test]
    fn string_form_build_becomes_a_mapping() {
        let w = Wiring::gitea();
        let fixed = wire(
            "services:\n  web:\n    build: \"./web\" # ctx\n    image: x\n",
            "web",
            &w,
        );
        assert_wired(&fixed, "web", &w);
        assert_eq!(
            fixed,
            "services:\n  web:\n    build:\n      context: \"./web\" # ctx\n      args:\n        GITEA_NPM_HOST: host.docker.internal\n      secrets:\n        - gitea_npm_token\n    image: x\n    extra_hosts:\n      - \"host.docker.internal:host-gateway\"\nsecrets:\n  gitea_npm_token:\n    environment: GITEA_NPM_TOKEN\n"
        );
        assert_eq!(
            Compose::parse(&fixed).unwrap().services[0]
                .build
                .as_ref()
                .unwrap()
                .context
                .value,
            "./web"
        );
        // at the end of a file without a final newline
        let fixed = wire("services:\n  web:\n    build: .", "web", &w);
        assert_wired(&fixed, "web", &w);
        assert!(
            fixed.starts_with("services:\n  web:\n    build:\n      context: .\n      args:\n"),
            "{fixed}"
        );
        // only what is asked
        let only_arg = Wiring {
            args: w.args.clone(),
            ..Wiring::default()
        };
        assert_eq!(
            wire("services:\n  web:\n    build: .\n", "web", &only_arg),
            "services:\n  web:\n    build:\n      context: .\n      args:\n        GITEA_NPM_HOST: host.docker.internal\n"
        );
        // nothing to add to the build: the string form stays
        let hosts_only = Wiring {
            extra_hosts: w.extra_hosts.clone(),
            ..Wiring::default()
        };
        assert!(
            wire("services:\n  web:\n    build: .\n", "web", &hosts_only)
                .contains("    build: .\n")
        );
    }

    #[test]
    fn build_extra_hosts_in_every_shape() {
        let w = Wiring {
            build_extra_hosts: vec!["host.docker.internal:host-gateway".into()],
            ..Wiring::default()
        };
        let hosts = |t: &str| {
            Compose::parse(t).unwrap().services[0]
                .build
                .as_ref()
                .unwrap()
                .extra_hosts
                .iter()
                .map(|h| h.value.clone())
                .collect::<Vec<_>>()
        };
        for t in [
            "services:\n  web:\n    build: .\n",
            "services:\n  web:\n    build:\n      context: .\n",
            "services:\n  web:\n    build:\n      context: .\n      extra_hosts:\n        - \"db:10.0.0.2\"\n",
            "services:\n  web:\n    build:\n      context: .\n      extra_hosts:\n        db: 10.0.0.2\n",
            "services:\n  web:\n    build:\n      context: .\n      extra_hosts:\n",
            "services:\n  web:\n    build: {context: ., extra_hosts: [\"db:10.0.0.2\"]}\n",
        ] {
            let fixed = wire(t, "web", &w);
            assert!(
                hosts(&fixed).contains(&"host.docker.internal:host-gateway".to_string()),
                "{fixed}"
            );
        }
        // a mapping of the same host to an address counts as present
        let t = "services:\n  web:\n    build:\n      extra_hosts: [\"host.docker.internal=10.0.0.1\"]\n";
        assert!(no_edits(t, "web", &w));
    }

    #[test]
    fn list_form_args_get_list_items() {
        let w = Wiring::gitea();
        let t = "services:\n  web:\n    build:\n      context: .\n      args:\n        - B\n        - \"A=1\"\n      secrets: [other]\n    extra_hosts:\n      db: 10.0.0.2\n";
        let fixed = wire(t, "web", &w);
        assert_wired(&fixed, "web", &w);
        assert!(
            fixed
                .contains("        - \"A=1\"\n        - \"GITEA_NPM_HOST=host.docker.internal\"\n"),
            "{fixed}"
        );
        assert!(
            fixed.contains("secrets: [other, gitea_npm_token]"),
            "{fixed}"
        );
        assert!(
            fixed.contains("      db: 10.0.0.2\n      host.docker.internal: host-gateway\n"),
            "{fixed}"
        );
        // a bare `- NAME` or another value counts as present
        let t = "services:\n  web:\n    build:\n      args:\n        - GITEA_NPM_HOST\n";
        let only_arg = Wiring {
            args: w.args.clone(),
            ..Wiring::default()
        };
        assert!(no_edits(t, "web", &only_arg));
        let t = "services:\n  web:\n    build:\n      args:\n        GITEA_NPM_HOST: localhost\n    extra_hosts: [\"host.docker.internal=10.0.0.1\"]\nsecrets:\n  gitea_npm_token:\n    file: ./token\n";
        let hosts = Wiring {
            args: w.args.clone(),
            extra_hosts: w.extra_hosts.clone(),
            top_secrets: w.top_secrets.clone(),
            ..Wiring::default()
        };
        assert!(no_edits(t, "web", &hosts));
    }

    #[test]
    fn flow_style_gets_flow_additions() {
        let w = Wiring::gitea();
        let t = "services:\n  web:\n    build: {context: ., args: {A: \"1\"}, secrets: []}\n    extra_hosts: [\"a:b\"]   # hosts\nsecrets: {}\n";
        let fixed = wire(t, "web", &w);
        assert_wired(&fixed, "web", &w);
        assert_eq!(
            fixed,
            "services:\n  web:\n    build: {context: ., args: {A: \"1\", GITEA_NPM_HOST: \"host.docker.internal\"}, secrets: [gitea_npm_token]}\n    extra_hosts: [\"a:b\", \"host.docker.internal:host-gateway\"]   # hosts\nsecrets: {gitea_npm_token: {environment: GITEA_NPM_TOKEN}}\n"
        );
        // a flow service, string build, multi-line list with a trailing comma
        let t = "services:\n  web: {build: ./web, extra_hosts: [\n    \"a:b\",\n  ]}\n";
        let fixed = wire(t, "web", &w);
        assert_wired(&fixed, "web", &w);
        assert_eq!(
            fixed,
            "services:\n  web: {build: {context: ./web, args: {GITEA_NPM_HOST: host.docker.internal}, secrets: [gitea_npm_token]}, extra_hosts: [\n    \"a:b\", \"host.docker.internal:host-gateway\",\n  ]}\nsecrets:\n  gitea_npm_token:\n    environment: GITEA_NPM_TOKEN\n"
        );
        // a whole flow file
        let t = "{services: {web: {build: {context: .}}}}\n";
        let fixed = wire(t, "web", &w);
        assert_wired(&fixed, "web", &w);
        // a file with only flow lists gets flow lists
        let t = "services:\n  web:\n    build:\n      context: .\n    ports: [\"80:80\"]\n";
        let fixed = wire(t, "web", &w);
        assert!(
            fixed.contains("      secrets: [gitea_npm_token]\n"),
            "{fixed}"
        );
        assert!(
            fixed.contains("    extra_hosts: [\"host.docker.internal:host-gateway\"]\n"),
            "{fixed}"
        );
    }

    #[test]
    fn crlf_and_indentation_are_the_files() {
        let w = Wiring::gitea();
        let t = "services:\r\n    web:\r\n        build:\r\n            context: .\r\n        ports:\r\n        - 80:80\r\n";
        let fixed = wire(t, "web", &w);
        assert_wired(&fixed, "web", &w);
        assert_lines_kept(t, &fixed);
        assert_eq!(
            fixed,
            "services:\r\n    web:\r\n        build:\r\n            context: .\r\n            args:\r\n                GITEA_NPM_HOST: host.docker.internal\r\n            secrets:\r\n            - gitea_npm_token\r\n        ports:\r\n        - 80:80\r\n        extra_hosts:\r\n        - \"host.docker.internal:host-gateway\"\r\nsecrets:\r\n    gitea_npm_token:\r\n        environment: GITEA_NPM_TOKEN\r\n"
        );
        assert_eq!(fixed.matches('\n').count(), fixed.matches("\r\n").count());
    }

    #[test]
    fn empty_values_are_filled() {
        let w = Wiring::gitea();
        let t = "services:\n  web:\n    build:\n      context: .\n      args: ~ # none yet\n    extra_hosts:\nsecrets:\n";
        let fixed = wire(t, "web", &w);
        assert_wired(&fixed, "web", &w);
        assert_eq!(
            fixed,
            "services:\n  web:\n    build:\n      context: .\n      args: # none yet\n        GITEA_NPM_HOST: host.docker.internal\n      secrets:\n        - gitea_npm_token\n    extra_hosts:\n      - \"host.docker.internal:host-gateway\"\nsecrets:\n  gitea_npm_token:\n    environment: GITEA_NPM_TOKEN\n"
        );
        // a service with nothing in it gets its host entry
        let fixed = wire("services:\n  db:\n", "db", &w);
        assert!(fixed.starts_with("services:\n  db:\n    extra_hosts:\n      - \"host.docker.internal:host-gateway\"\n"), "{fixed}");
    }

    #[test]
    fn nothing_to_do() {
        let w = Wiring::gitea();
        for t in [
            "",
            "# just a comment\n",
            "version: \"3\"\n",
            "services:\n",
            "services: {}\n",
            "services:\n  other:\n    image: x\n",
        ] {
            assert!(no_edits(t, "web", &w), "{t:?}");
        }
        assert!(no_edits(&wire(PEAKPULSE, "web", &w), "web", &w));
        assert!(no_edits(
            &wire(PEAKPULSE, "web", &w),
            "web",
            &Wiring::default()
        ));
    }

    #[test]
    fn odd_shapes_are_left_alone() {
        let w = Wiring::gitea();
        let only_build = Wiring {
            args: w.args.clone(),
            secrets: w.secrets.clone(),
            ..Wiring::default()
        };
        for t in [
            // an aliased build is shared: not edited through the alias
            "x-b: &b\n  context: .\nservices:\n  web:\n    build: *b\n",
            // a merge key may bring the keys: none are added next to it
            "x-b: &b\n  context: .\nservices:\n  web:\n    build:\n      <<: *b\n",
            // tagged or aliased values
            "x-a: &a {A: 1}\nx-s: &s [x]\nservices:\n  web:\n    build:\n      args: *a\n      secrets: *s\n",
            "services:\n  web:\n    build:\n      args: !reset null\n      secrets: !reset []\n",
            // null build
            "services:\n  web:\n    build:\n",
        ] {
            assert!(no_edits(t, "web", &only_build), "{t}");
        }
        let t = "x-s: &s\n  extra_hosts: [\"a:b\"]\nservices:\n  web:\n    <<: *s\n    image: x\n";
        let hosts_only = Wiring {
            extra_hosts: w.extra_hosts.clone(),
            ..Wiring::default()
        };
        assert!(no_edits(t, "web", &hosts_only));
    }

    #[test]
    fn style_detection() {
        let root = yaml::parse("a:\n   b:\n      c: 1\n   l:\n   - x\n").unwrap();
        let st = Style::detect("a:\n   b:\n      c: 1\n   l:\n   - x\n", &root);
        assert_eq!((st.unit, st.seq_off, st.flow_lists), (3, 0, false));
        let st = Style::detect("", &yaml::parse("").unwrap());
        assert_eq!(
            (st.unit, st.seq_off, st.flow_lists, st.quote),
            (2, 2, false, '"')
        );
        assert_eq!(mode(&[4, 2, 4, 2]), Some(2));
        assert!(!plain_ok("3300", false) && !plain_ok("true", false) && !plain_ok("a, b", true));
        assert!(plain_ok("host.docker.internal", false));
        assert_eq!(quoted("it's", '\''), "'it''s'");
    }
}
