//! Dockerfile model with spans, built on the `parse-dockerfile` crate.
//!
//! The crate gives instructions with byte spans (heredocs, `# escape=`, line
//! continuations). This module turns them into an owned model: stages, `ARG`
//! and `ENV` declarations, `RUN --mount` options split into key/values,
//! variable references in every instruction, and the comments recovered from
//! the gaps between instructions.

use std::collections::BTreeMap;

use parse_dockerfile as pd;

use super::limits;
use super::shell::{self, VarRef};
use super::span::{Span, Spanned};
use super::ParseError;

/// Which instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    From,
    Arg,
    Env,
    Run,
    Copy,
    Add,
    Workdir,
    User,
    Other(String),
}

/// A `--name[=value]` flag of an instruction.
#[derive(Clone, Debug)]
pub struct Flag {
    pub name: String,
    pub value: Option<Spanned<String>>,
    pub span: Span,
}

/// One `NAME[=value]` of an `ARG` or `ENV` instruction.
#[derive(Clone, Debug)]
pub struct Decl {
    pub name: Spanned<String>,
    pub value: Option<Spanned<String>>,
    /// The whole `NAME=value` word.
    pub span: Span,
}

/// A `RUN --mount=...` option, split into key/value pairs.
#[derive(Clone, Debug)]
pub struct Mount {
    pub span: Span,
    pub options: Vec<(Spanned<String>, Option<Spanned<String>>)>,
}

impl Mount {
    /// The value of `key` (aliases of `target` and `source` included).
    pub fn get(&self, key: &str) -> Option<&Spanned<String>> {
        let aliases: &[&str] = match key {
            "target" => &["target", "dst", "destination"],
            "source" => &["source", "src"],
            _ => &[],
        };
        self.options
            .iter()
            .find(|(k, _)| k.value == key || aliases.contains(&k.value.as_str()))
            .and_then(|(_, v)| v.as_ref())
    }
    /// The mount type (`bind` when not given).
    pub fn kind(&self) -> &str {
        self.get("type").map_or("bind", |v| v.value.as_str())
    }
}

/// One instruction with everything the rules look at.
#[derive(Clone, Debug)]
pub struct Instruction {
    pub kind: Kind,
    /// The whole instruction, keyword to last argument.
    pub span: Span,
    pub keyword: Span,
    /// Index of the stage it belongs to; `None` for global `ARG`s before the first `FROM`.
    pub stage: Option<usize>,
    pub flags: Vec<Flag>,
    pub mounts: Vec<Mount>,
    /// `COPY`/`ADD`: sources (heredoc sources excluded).
    pub sources: Vec<Spanned<String>>,
    /// `COPY`/`ADD`: destination. `WORKDIR`/`USER`: the argument.
    pub dest: Option<Spanned<String>>,
    /// `ARG`/`ENV` declarations.
    pub decls: Vec<Decl>,
    /// `RUN`/`CMD`/`ENTRYPOINT` in exec form (JSON array).
    pub exec_form: bool,
    /// The argument text (the script of a shell-form `RUN`), span in the file.
    pub text: Spanned<String>,
    pub heredocs: Vec<Spanned<String>>,
    /// Variable references anywhere after the keyword (flags, heredocs included).
    pub refs: Vec<VarRef>,
}

impl Instruction {
    pub(crate) fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }
    /// Simple commands of a `RUN` (shell form script and heredoc bodies), spans in the file.
    pub fn commands(&self, escape: char) -> Vec<shell::SimpleCommand> {
        if self.kind != Kind::Run {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut push = |text: &Spanned<String>, exec: bool| {
            let cmds = if exec {
                // exec form: the words are the argv
                vec![shell::SimpleCommand {
                    words: shell::split_words(&text.value, escape),
                }]
            } else {
                shell::split_commands(&text.value, escape)
            };
            for mut c in cmds {
                for w in &mut c.words {
                    w.span = w.span.offset(text.span.start);
                }
                out.push(c);
            }
        };
        push(&self.text, false);
        for h in &self.heredocs {
            push(h, false);
        }
        out
    }
}

/// A build stage: `FROM image [AS name]` and the instructions up to the next `FROM`.
#[derive(Clone, Debug)]
pub struct Stage {
    pub index: usize,
    pub name: Option<Spanned<String>>,
    pub image: Spanned<String>,
    /// The earlier stage this one is built `FROM`, if any.
    pub parent: Option<usize>,
    /// Index of its `FROM` instruction.
    pub from: usize,
    /// Indexes of its instructions, `FROM` included.
    pub instructions: std::ops::Range<usize>,
}

/// A parsed Dockerfile.
#[derive(Clone, Debug)]
pub struct Dockerfile {
    pub escape: char,
    /// The `# syntax=` parser directive.
    pub syntax: Option<Spanned<String>>,
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// Comment lines (text after `#`, trimmed), recovered from between instructions.
    pub comments: Vec<Spanned<String>>,
}

impl Dockerfile {
    pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
        limits::check_size(text, limits::MAX_TEXT_BYTES, "the Dockerfile")?;
        let parsed = pd::parse(text).map_err(|e| {
            ParseError::at_line_col(
                text,
                e.line(),
                e.column(),
                format!("invalid Dockerfile: {}", first_line(&e.to_string())),
            )
        })?;
        let escape = parsed
            .parser_directives
            .escape
            .as_ref()
            .map_or('\\', |d| d.value.value);
        let syntax = parsed
            .parser_directives
            .syntax
            .as_ref()
            .map(|d| Spanned::new(d.value.value.to_string(), d.value.span.clone().into()));

        let mut instructions = Vec::with_capacity(parsed.instructions.len());
        let mut stages: Vec<Stage> = Vec::new();
        for inst in &parsed.instructions {
            let mut ins = convert(text, inst, escape);
            if let Some(r) = shell::nested_too_deep(&ins.refs, limits::MAX_VAR_NESTING) {
                return Err(ParseError::new(
                    format!(
                        "variable references nest deeper than {} levels; dockprep refuses them",
                        limits::MAX_VAR_NESTING
                    ),
                    Span::new(r.span.start, r.span.start + 1),
                ));
            }
            if ins.kind == Kind::From {
                let image = ins.text.clone();
                let name = match inst {
                    pd::Instruction::From(f) => f
                        .as_
                        .as_ref()
                        .map(|(_, n)| Spanned::new(n.value.to_string(), n.span.clone().into())),
                    _ => None,
                };
                let parent = stages.iter().position(|s| {
                    s.name
                        .as_ref()
                        .is_some_and(|n| n.value.eq_ignore_ascii_case(&image.value))
                });
                if let Some(last) = stages.last_mut() {
                    last.instructions.end = instructions.len();
                }
                stages.push(Stage {
                    index: stages.len(),
                    name,
                    image,
                    parent,
                    from: instructions.len(),
                    instructions: instructions.len()..instructions.len(),
                });
            }
            ins.stage = stages.last().map(|s| s.index);
            instructions.push(ins);
        }
        if let Some(last) = stages.last_mut() {
            last.instructions.end = instructions.len();
        }
        let comments = recover_comments(text, &instructions);
        Ok(Dockerfile {
            escape,
            syntax,
            instructions,
            stages,
            comments,
        })
    }

    /// `ARG`s declared before the first `FROM`.
    pub(crate) fn global_args(&self) -> impl Iterator<Item = (usize, &Decl)> {
        self.instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.stage.is_none() && i.kind == Kind::Arg)
            .flat_map(|(n, i)| i.decls.iter().map(move |d| (n, d)))
    }

    /// The final stage (the image that is built when no `--target` is given).
    pub(crate) fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The stage a `--target` names, or the final stage.
    pub(crate) fn target_stage(&self, target: Option<&str>) -> Option<&Stage> {
        match target {
            Some(t) => self.stages.iter().find(|s| {
                s.name
                    .as_ref()
                    .is_some_and(|n| n.value.eq_ignore_ascii_case(t))
            }),
            None => self.final_stage(),
        }
    }

    /// Instructions of `stage` and of the stages it is built from, in the order
    /// they take effect (ancestors first), up to but excluding `before`.
    pub(crate) fn lineage(&self, stage: usize, before: usize) -> Vec<usize> {
        let mut chain = vec![stage];
        let mut cur = stage;
        while let Some(p) = self.stages[cur].parent {
            if chain.contains(&p) {
                break;
            }
            chain.push(p);
            cur = p;
        }
        chain
            .iter()
            .rev()
            .flat_map(|&s| self.stages[s].instructions.clone())
            .filter(|&i| i < before || self.instructions[i].stage != Some(stage))
            .filter(|&i| i < before)
            .collect()
    }

    /// The variables (`ARG` defaults, `ENV`) and the user in effect just before
    /// instruction `at`, following the stage's ancestry. Values are expanded.
    pub fn environment_before(&self, at: usize) -> Environment {
        let Some(stage) = self.instructions.get(at).and_then(|i| i.stage) else {
            return Environment::default();
        };
        let mut env = Environment::default();
        let globals = self.global_defaults();
        for i in self.lineage(stage, at) {
            self.apply(&mut env, i, &globals);
        }
        env
    }

    /// Walks instructions `lineage` (as [`Dockerfile::lineage`] lists them),
    /// calling `f` with each and the environment just before it: one pass
    /// for what [`Dockerfile::environment_before`] gives one instruction at a time.
    pub(crate) fn walk_environment(
        &self,
        lineage: &[usize],
        mut f: impl FnMut(usize, &Environment),
    ) {
        let mut env = Environment::default();
        let globals = self.global_defaults();
        for &i in lineage {
            f(i, &env);
            self.apply(&mut env, i, &globals);
        }
    }

    fn global_defaults(&self) -> BTreeMap<String, String> {
        self.global_args()
            .filter_map(|(_, d)| Some((d.name.value.clone(), d.value.as_ref()?.value.clone())))
            .collect()
    }

    /// The effect of instruction `i` on the environment.
    fn apply(&self, env: &mut Environment, i: usize, globals: &BTreeMap<String, String>) {
        let ins = &self.instructions[i];
        match ins.kind {
            Kind::Env => {
                for d in &ins.decls {
                    let v = d
                        .value
                        .as_ref()
                        .map_or(String::new(), |v| env.expand(&v.value));
                    env.vars.insert(d.name.value.clone(), v);
                }
            }
            Kind::Arg => {
                for d in &ins.decls {
                    let v = match &d.value {
                        Some(v) => Some(env.expand(&v.value)),
                        None => globals.get(&d.name.value).cloned(),
                    };
                    if let Some(v) = v {
                        env.vars.entry(d.name.value.clone()).or_insert(v);
                    }
                }
            }
            Kind::User => {
                if let Some(u) = &ins.dest {
                    let user = env.expand(&u.value);
                    env.user = Some(user.split(':').next().unwrap_or("").to_string());
                }
            }
            Kind::Workdir => {
                if let Some(w) = &ins.dest {
                    let w = env.expand(&w.value);
                    env.workdir = Some(if w.starts_with('/') {
                        w
                    } else {
                        format!(
                            "{}/{}",
                            env.workdir.as_deref().unwrap_or("").trim_end_matches('/'),
                            w
                        )
                    });
                }
            }
            _ => {}
        }
    }
}

/// Variables and user in effect at a point of a stage.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    pub vars: BTreeMap<String, String>,
    pub user: Option<String>,
    pub workdir: Option<String>,
}

impl Environment {
    /// The home directory of the user in effect (`HOME` when set).
    pub(crate) fn home(&self) -> String {
        if let Some(h) = self.vars.get("HOME") {
            return h.clone();
        }
        match self.user.as_deref() {
            None | Some("") | Some("root") | Some("0") => "/root".to_string(),
            Some(u) => format!("/home/{u}"),
        }
    }

    /// Expands `$X`, `${X}`, `${X:-d}`, `${X-d}`, `${X:+a}` with the known variables.
    ///
    /// Defaults nested deeper than [`limits::MAX_VAR_NESTING`] are left as
    /// written (a parsed Dockerfile refuses them already; this bounds what
    /// any other text can cost).
    pub fn expand(&self, text: &str) -> String {
        self.expand_nested(text, 0)
    }

    fn expand_nested(&self, text: &str, depth: usize) -> String {
        if depth >= limits::MAX_VAR_NESTING {
            return text.to_string();
        }
        if !text.contains('$') {
            return text.to_string();
        }
        let mut out = String::new();
        let mut last = 0;
        for r in shell::top_level_var_refs(text, '\\') {
            if r.span.start < last {
                continue;
            }
            out.push_str(&text[last..r.span.start]);
            let whole = &text[r.span.range()];
            let value = self.vars.get(&r.name);
            let inner = whole.strip_prefix("${").and_then(|s| s.strip_suffix('}'));
            let rest = inner.map(|s| &s[r.name.len()..]).unwrap_or("");
            let expanded = if let Some(d) = rest.strip_prefix(":-") {
                value
                    .filter(|v| !v.is_empty())
                    .cloned()
                    .unwrap_or_else(|| self.expand_nested(d, depth + 1))
            } else if let Some(d) = rest.strip_prefix('-') {
                value
                    .cloned()
                    .unwrap_or_else(|| self.expand_nested(d, depth + 1))
            } else if let Some(a) = rest.strip_prefix(":+") {
                if value.is_some_and(|v| !v.is_empty()) {
                    self.expand_nested(a, depth + 1)
                } else {
                    String::new()
                }
            } else {
                value.cloned().unwrap_or_default()
            };
            out.push_str(&expanded);
            last = r.span.end;
        }
        out.push_str(&text[last..]);
        out
    }
}

/// The crate's message without its trailing " at line N column M".
fn first_line(s: &str) -> &str {
    let s = s.lines().next().unwrap_or(s);
    match s.rfind(" at line ") {
        Some(i) if s[i..].contains(" column ") => &s[..i],
        _ => s,
    }
}

fn sp(r: &std::ops::Range<usize>) -> Span {
    Span::new(r.start, r.end)
}

fn unescaped(u: &pd::UnescapedString<'_>) -> Spanned<String> {
    Spanned::new(u.value.to_string(), sp(&u.span))
}

fn flags(fs: &[pd::Flag<'_>]) -> Vec<Flag> {
    fs.iter()
        .map(|f| Flag {
            name: f.name.value.to_string(),
            value: f.value.as_ref().map(unescaped),
            span: sp(&f.span()),
        })
        .collect()
}

fn command_text(text: &str, c: &pd::Command<'_>) -> (Spanned<String>, bool) {
    match c {
        pd::Command::Shell(s) => (Spanned::new(s.value.to_string(), sp(&s.span)), false),
        pd::Command::Exec(e) => (
            Spanned::new(text[e.span.clone()].to_string(), sp(&e.span)),
            true,
        ),
        _ => (Spanned::new(String::new(), Span::default()), false),
    }
}

fn convert(text: &str, inst: &pd::Instruction<'_>, escape: char) -> Instruction {
    use pd::Instruction as I;
    let mut out = Instruction {
        kind: Kind::Other(String::new()),
        span: Span::default(),
        keyword: Span::default(),
        stage: None,
        flags: Vec::new(),
        mounts: Vec::new(),
        sources: Vec::new(),
        dest: None,
        decls: Vec::new(),
        exec_form: false,
        text: Spanned::new(String::new(), Span::default()),
        heredocs: Vec::new(),
        refs: Vec::new(),
    };
    let mut end = 0usize;
    let bump = |s: Span, end: &mut usize| *end = (*end).max(s.end);
    match inst {
        I::From(f) => {
            out.kind = Kind::From;
            out.keyword = sp(&f.from.span);
            out.flags = flags(&f.options);
            out.text = unescaped(&f.image);
            bump(out.text.span, &mut end);
            if let Some((_, n)) = &f.as_ {
                bump(sp(&n.span), &mut end);
            }
        }
        I::Arg(a) => {
            out.kind = Kind::Arg;
            out.keyword = sp(&a.arg.span);
            out.text = unescaped(&a.arguments);
            out.decls = decls(&out.text, escape, false);
        }
        I::Env(e) => {
            out.kind = Kind::Env;
            out.keyword = sp(&e.env.span);
            out.text = unescaped(&e.arguments);
            out.decls = decls(&out.text, escape, true);
        }
        I::Run(r) => {
            out.kind = Kind::Run;
            out.keyword = sp(&r.run.span);
            out.flags = flags(&r.options);
            let (t, exec) = command_text(text, &r.arguments);
            out.text = t;
            out.exec_form = exec;
            out.heredocs = r
                .here_docs
                .iter()
                .map(|h| Spanned::new(h.value.to_string(), sp(&h.span)))
                .collect();
            for h in &out.heredocs {
                bump(h.span, &mut end);
            }
        }
        I::Copy(c) => {
            out.kind = Kind::Copy;
            out.keyword = sp(&c.copy.span);
            out.flags = flags(&c.options);
            copy_parts(&mut out, &c.src, &c.dest, &mut end);
        }
        I::Add(c) => {
            out.kind = Kind::Add;
            out.keyword = sp(&c.add.span);
            out.flags = flags(&c.options);
            copy_parts(&mut out, &c.src, &c.dest, &mut end);
        }
        I::Workdir(w) => {
            out.kind = Kind::Workdir;
            out.keyword = sp(&w.workdir.span);
            out.text = unescaped(&w.arguments);
            out.dest = Some(out.text.clone());
        }
        I::User(u) => {
            out.kind = Kind::User;
            out.keyword = sp(&u.user.span);
            out.text = unescaped(&u.arguments);
            out.dest = Some(out.text.clone());
        }
        I::Cmd(c) => {
            other(&mut out, text, &c.cmd.span, "CMD");
            (out.text, out.exec_form) = command_text(text, &c.arguments);
        }
        I::Entrypoint(c) => {
            other(&mut out, text, &c.entrypoint.span, "ENTRYPOINT");
            (out.text, out.exec_form) = command_text(text, &c.arguments);
        }
        I::Label(l) => {
            other(&mut out, text, &l.label.span, "LABEL");
            out.text = unescaped(&l.arguments);
        }
        I::Expose(x) => {
            other(&mut out, text, &x.expose.span, "EXPOSE");
            if let (Some(a), Some(b)) = (x.arguments.first(), x.arguments.last()) {
                let s = Span::new(a.span.start, b.span.end);
                out.text = Spanned::new(text[s.range()].to_string(), s);
            }
        }
        I::Shell(x) => {
            other(&mut out, text, &x.shell.span, "SHELL");
            if let (Some(a), Some(b)) = (x.arguments.first(), x.arguments.last()) {
                let s = Span::new(a.span.start, b.span.end);
                out.text = Spanned::new(text[s.range()].to_string(), s);
            }
        }
        I::Stopsignal(x) => {
            other(&mut out, text, &x.stopsignal.span, "STOPSIGNAL");
            out.text = unescaped(&x.arguments);
        }
        I::Maintainer(x) => {
            other(&mut out, text, &x.maintainer.span, "MAINTAINER");
            out.text = unescaped(&x.name);
        }
        I::Volume(x) => {
            other(&mut out, text, &x.volume.span, "VOLUME");
            let s = match &x.arguments {
                pd::JsonOrStringArray::Json(j) => Some(sp(&j.span)),
                pd::JsonOrStringArray::String(v) => v
                    .first()
                    .zip(v.last())
                    .map(|(a, b)| Span::new(a.span.start, b.span.end)),
            };
            if let Some(s) = s {
                out.text = Spanned::new(text[s.range()].to_string(), s);
            }
        }
        I::Healthcheck(x) => {
            other(&mut out, text, &x.healthcheck.span, "HEALTHCHECK");
            out.flags = flags(&x.options);
            let s = Span::new(
                x.healthcheck.span.end,
                line_end(text, x.healthcheck.span.end),
            );
            out.text = Spanned::new(text[s.range()].trim().to_string(), s);
        }
        I::Onbuild(x) => {
            other(&mut out, text, &x.onbuild.span, "ONBUILD");
            let inner = convert(text, &x.instruction, escape);
            out.text = Spanned::new(text[inner.span.range()].to_string(), inner.span);
        }
        _ => {}
    }
    for f in &out.flags {
        bump(f.span, &mut end);
    }
    bump(out.text.span, &mut end);
    bump(out.keyword, &mut end);
    out.span = Span::new(out.keyword.start, end);
    out.mounts = out
        .flags
        .iter()
        .filter(|f| f.name == "mount")
        .filter_map(|f| f.value.as_ref().map(|v| parse_mount(v, f.span)))
        .collect();
    let after_kw = Span::new(out.keyword.end, out.span.end);
    out.refs = shell::var_refs(&text[after_kw.range()], escape)
        .into_iter()
        .map(|mut r| {
            r.span = r.span.offset(after_kw.start);
            r
        })
        .collect();
    out
}

fn line_end(text: &str, from: usize) -> usize {
    text[from..].find('\n').map_or(text.len(), |i| from + i)
}

fn other(out: &mut Instruction, text: &str, kw: &std::ops::Range<usize>, name: &str) {
    out.kind = Kind::Other(name.to_string());
    out.keyword = sp(kw);
    let _ = text;
}

fn copy_parts(
    out: &mut Instruction,
    src: &[pd::Source<'_>],
    dest: &pd::UnescapedString<'_>,
    end: &mut usize,
) {
    for s in src {
        match s {
            pd::Source::Path(p) => out.sources.push(unescaped(p)),
            pd::Source::HereDoc(h) => {
                let hd = Spanned::new(h.value.to_string(), sp(&h.span));
                *end = (*end).max(hd.span.end);
                out.heredocs.push(hd);
            }
            _ => {}
        }
    }
    let d = unescaped(dest);
    *end = (*end).max(d.span.end);
    let start = out.sources.first().map_or(d.span.start, |s| s.span.start);
    out.text = Spanned::new(String::new(), Span::new(start, d.span.end));
    out.dest = Some(d);
}

/// Splits `NAME=value NAME2 NAME3="x y"` (and the legacy `ENV NAME value`).
fn decls(args: &Spanned<String>, escape: char, env: bool) -> Vec<Decl> {
    let words = shell::split_words(&args.value, escape);
    let raw = &args.value;
    if env && words.len() >= 2 && !words[0].text.contains('=') {
        // legacy form: ENV NAME value with spaces
        let name = &words[0];
        let vstart = words[1].span.start;
        return vec![Decl {
            name: Spanned::new(name.text.clone(), name.span.offset(args.span.start)),
            value: Some(Spanned::new(
                raw[vstart..].trim_end().to_string(),
                Span::new(vstart, raw.trim_end().len()).offset(args.span.start),
            )),
            span: args.span,
        }];
    }
    words
        .into_iter()
        .map(|w| {
            let src = &raw[w.span.range()];
            let span = w.span.offset(args.span.start);
            match (w.text.find('='), src.find('=')) {
                (Some(eq), Some(seq)) => Decl {
                    name: Spanned::new(
                        w.text[..eq].to_string(),
                        Span::new(span.start, span.start + seq),
                    ),
                    value: Some(Spanned::new(
                        w.text[eq + 1..].to_string(),
                        Span::new(span.start + seq + 1, span.end),
                    )),
                    span,
                },
                _ => Decl {
                    name: Spanned::new(w.text.clone(), span),
                    value: None,
                    span,
                },
            }
        })
        .collect()
}

/// Splits a `--mount` value `type=cache,id=pnpm,target=/root/.local/share/pnpm/store`.
fn parse_mount(v: &Spanned<String>, flag_span: Span) -> Mount {
    let mut options = Vec::new();
    // The unescaped value and the source text have the same length unless quoted;
    // spans are computed on the value and shifted by the value's start.
    let base = v.span.start + usize::from(v.span.len() > v.value.len());
    let mut pos = 0;
    for part in v.value.split(',') {
        let start = base + pos;
        pos += part.len() + 1;
        if part.is_empty() {
            continue;
        }
        match part.split_once('=') {
            Some((k, val)) => options.push((
                Spanned::new(
                    k.trim().to_ascii_lowercase(),
                    Span::new(start, start + k.len()),
                ),
                Some(Spanned::new(
                    val.trim().trim_matches('"').to_string(),
                    Span::new(start + k.len() + 1, start + part.len()),
                )),
            )),
            None => options.push((
                Spanned::new(
                    part.trim().to_ascii_lowercase(),
                    Span::new(start, start + part.len()),
                ),
                None,
            )),
        }
    }
    Mount {
        span: flag_span,
        options,
    }
}

/// Comment lines in the gaps between instructions.
fn recover_comments(text: &str, instructions: &[Instruction]) -> Vec<Spanned<String>> {
    let mut out = Vec::new();
    let mut gaps = Vec::new();
    let mut pos = 0;
    for i in instructions {
        if i.span.start > pos {
            gaps.push(Span::new(pos, i.span.start));
        }
        pos = pos.max(i.span.end);
    }
    gaps.push(Span::new(pos, text.len()));
    for g in gaps {
        let mut off = g.start;
        for line in text[g.range()].split_inclusive('\n') {
            let trimmed = line.trim_start();
            if let Some(body) = trimmed.strip_prefix('#') {
                let start = off + (line.len() - trimmed.len());
                let end = off + line.trim_end().len();
                out.push(Spanned::new(
                    body.trim().to_string(),
                    Span::new(start, end.max(start)),
                ));
            }
            off += line.len();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DF: &str = "# syntax=docker/dockerfile:1.7\nARG NODE=22\nFROM node:${NODE}-alpine AS builder\n# deps\nARG GITEA_NPM_HOST=host.docker.internal\nENV PNPM_HOME=/pnpm GITEA_NPM_HOST=$GITEA_NPM_HOST\nCOPY backend/package.json ./\nRUN --mount=type=cache,id=pnpm,target=/pnpm/store \\\n    --mount=type=secret,id=tok \\\n    npm i -g pnpm@10 && pnpm install\nFROM builder AS final\nUSER node\nCOPY --from=builder /app/dist ./dist\n";

    #[test]
    fn stages_args_mounts_comments() {
        let d = Dockerfile::parse(DF).unwrap();
        assert_eq!(d.syntax.as_ref().unwrap().value, "docker/dockerfile:1.7");
        assert_eq!(d.stages.len(), 2);
        assert_eq!(d.stages[1].parent, Some(0));
        assert_eq!(d.global_args().count(), 1);
        let run = d.instructions.iter().find(|i| i.kind == Kind::Run).unwrap();
        assert_eq!(run.mounts.len(), 2);
        assert_eq!(run.mounts[0].kind(), "cache");
        let t = run.mounts[0].get("target").unwrap();
        assert_eq!(&DF[t.span.range()], "/pnpm/store");
        assert_eq!(run.commands('\\').len(), 2);
        assert!(d.comments.iter().any(|c| c.value == "deps"));
        let env = d.instructions.iter().find(|i| i.kind == Kind::Env).unwrap();
        assert_eq!(env.decls.len(), 2);
        assert_eq!(&DF[env.decls[1].name.span.range()], "GITEA_NPM_HOST");
        assert!(env.refs.iter().any(|r| r.name == "GITEA_NPM_HOST"));
        let from = &d.instructions[d.stages[0].from];
        assert_eq!(from.refs[0].name, "NODE");
        let last = d.instructions.len() - 1;
        let e = d.environment_before(last);
        assert_eq!(e.vars.get("PNPM_HOME").map(String::as_str), Some("/pnpm"));
        assert_eq!(e.home(), "/home/node");
    }

    #[test]
    fn errors_have_positions() {
        let e = Dockerfile::parse("FROM a\nRUN echo \"x\nCOPY\n").unwrap_err();
        assert!(e.span.start > 0, "{e:?}");
    }
}
