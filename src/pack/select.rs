//! Which files `npm pack` puts into a package's tarball, decided natively.
//!
//! This reimplements the file selection of the npm CLI 11 (npm-packlist
//! 10.0.x on top of ignore-walk 8 and minimatch 10), including its quirks, so
//! that [`select_files`] returns exactly the `files[].path` list that
//! `npm pack --dry-run --json` prints, in the same order:
//!
//! * Every directory is walked with a list of rule sources, applied in order,
//!   the last matching rule winning: npm's built-in defaults (`.git`, `.svn`,
//!   `.DS_Store`, `*.orig`, `.*.swp`, `._*`, `npm-debug.log`, `.npmrc`, the
//!   ignore files themselves, …), then — at the package root — the `files`
//!   field of `package.json` (`*` followed by every entry negated), then the
//!   directory's `.npmignore`, or its `.gitignore` when it has no
//!   `.npmignore` (neither is used where `files` applies), then the "strict"
//!   rules that always hold (`package.json`, `README*`, `LICENSE*`/`LICENCE*`,
//!   `COPYING*`, `main`, `browser` and every `bin` target are kept; `/.git`,
//!   `/node_modules`, `.npmrc` and the lock files npm knows are dropped).
//! * A path is also judged by the rules of every ancestor directory, exactly
//!   as ignore-walk does (including its "partial" matching of directories, so
//!   that a directory is entered when a negated rule may match inside it).
//! * Globs follow minimatch with npm's options (`matchBase`, `dot`, `nocase`):
//!   brace expansion, `**`, classes, POSIX classes and extglobs.
//! * Only regular files are packed; symbolic links, sockets, FIFOs and
//!   devices are never followed or packed, and empty directories vanish.
//!
//! On top of npm's behaviour, for safety: a symbolic link that points outside
//! the package, a special file (socket, FIFO, device) that npm would have
//! considered, and an absolute path (`C:\…`, `\\server\…`) or a `..` in
//! `files` are refused with a [`SelectError`] naming the path; and a file
//! named `.npmrc` is never selected, at any depth, even where a nested
//! `.npmignore` or `bin` re-includes it (npm would pack it then). A `files`
//! entry with a leading `/` is, as for npm, anchored at the package root
//! (zod publishes with `"/lib"`), so it cannot leave the package and is
//! accepted.
//!
//! Not supported: `bundleDependencies` (npm adds the bundled packages under
//! `node_modules/`; they are not selected here).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use serde_json::Value;

use crate::syntax::package_json::PackageJson;
use crate::syntax::LineIndex;

/// Why the file selection of a package failed.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// A file or directory could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The directory has no `package.json`.
    #[error("{}: no package.json found (npm pack needs one)", path.display())]
    MissingPackageJson { path: PathBuf },
    /// `package.json` is not valid JSON.
    #[error("{}:{line}:{column}: invalid package.json: {message}", path.display())]
    PackageJsonSyntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// `package.json` is JSON, but a field npm needs has an unusable shape.
    #[error("{}: invalid package.json: {message}", path.display())]
    PackageJsonInvalid { path: PathBuf, message: String },
    /// An entry of `files` names an absolute path (a drive or UNC path) or
    /// goes up with `..`.
    #[error("{}: refusing the `files` entry {entry:?}: {reason}", path.display())]
    UnsafeFilesEntry {
        path: PathBuf,
        entry: String,
        reason: &'static str,
    },
    /// A symbolic link inside the package points outside of it.
    #[error(
        "{}: refusing a symbolic link that points outside the package (to {})",
        path.display(),
        target.display()
    )]
    SymlinkOutsidePackage { path: PathBuf, target: PathBuf },
    /// A socket, FIFO or device file where npm would look for files.
    #[error("{}: refusing to pack a special file ({kind})", path.display())]
    SpecialFile { path: PathBuf, kind: &'static str },
}

/// The package-relative paths (with `/` separators) of every file that
/// `npm pack` would put into the tarball of the package in `pkg_dir`, in the
/// order `npm pack --dry-run --json` lists them.
pub fn select_files(pkg_dir: &Path) -> Result<Vec<String>, SelectError> {
    let manifest = Manifest::read(pkg_dir)?;
    let root_real = fs::canonicalize(pkg_dir).map_err(|source| SelectError::Io {
        path: pkg_dir.to_path_buf(),
        source,
    })?;
    let mut ctx = Ctx {
        root: pkg_dir.to_path_buf(),
        root_real,
        defaults: Rc::new(compile_rules(DEFAULT_RULES.iter().copied())),
        workspace_mode: manifest.has_workspaces(pkg_dir)?,
        manifest,
        found: Vec::new(),
    };
    let root = Walker::new_root(&mut ctx)?;
    root.walk(&mut ctx)?;

    let mut files: Vec<String> = ctx
        .found
        .into_iter()
        // Never ship npm credentials, whatever the ignore files say.
        .filter(|p| !base_name(p).eq_ignore_ascii_case(".npmrc"))
        .collect();
    files.sort();
    files.dedup();
    sort_like_npm(&mut files);
    Ok(files)
}

/// Sorts package paths the way `npm pack --json` lists a tarball's files:
/// paths whose first character has no distinct upper case (capitals, digits,
/// punctuation) first, then the others, each group in the order of
/// `Intl.Collator('en', { sensitivity: 'case', numeric: true })`.
pub fn sort_like_npm(paths: &mut [String]) {
    // Ties under the collator keep the tarball's order, which is
    // npm-packlist's: extension, then base name, then path.
    paths.sort_by(|a, b| {
        let key = |p: &str| {
            let base = base_name(p).to_lowercase();
            let ext = match base.rfind('.') {
                Some(0) | None => String::new(),
                Some(i) => base[i..].to_string(),
            };
            (ext, base)
        };
        key(a).cmp(&key(b)).then_with(|| a.cmp(b))
    });
    paths.sort_by(|a, b| {
        let (ua, ub) = (starts_upper(a), starts_upper(b));
        ub.cmp(&ua).then_with(|| collate::compare(a, b))
    });
}

fn starts_upper(s: &str) -> bool {
    match s.chars().next() {
        None => true,
        Some(c) if (c as u32) > 0xFFFF => true,
        Some(c) => {
            let mut up = c.to_uppercase();
            up.next() == Some(c) && up.next().is_none()
        }
    }
}

fn base_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

// ---------------------------------------------------------------------------
// Rules

/// npm-packlist's defaults, applied in every directory.
const DEFAULT_RULES: &[&str] = &[
    ".npmignore",
    ".gitignore",
    "**/.git",
    "**/.svn",
    "**/.hg",
    "**/CVS",
    "**/.git/**",
    "**/.svn/**",
    "**/.hg/**",
    "**/CVS/**",
    "/.lock-wscript",
    "/.wafpickle-*",
    "/build/config.gypi",
    "npm-debug.log",
    "**/.npmrc",
    ".*.swp",
    ".DS_Store",
    "**/.DS_Store/**",
    "._*",
    "**/._*/**",
    "*.orig",
    "/archived-packages/**",
];

/// The strict rules of the package root (after the required `files`).
const ROOT_STRICT_RULES: &[&str] = &[
    "/.git",
    "!/package.json",
    "!/readme{,.*[^~$]}",
    "!/copying{,.*[^~$]}",
    "!/license{,.*[^~$]}",
    "!/licence{,.*[^~$]}",
    "/.git",
    "/node_modules",
    ".npmrc",
    "/package-lock.json",
    "/yarn.lock",
    "/pnpm-lock.yaml",
    "/bun.lockb",
];

/// One line of an ignore list, compiled.
struct Rule {
    mm: mm::Minimatch,
    /// Whether the glob has a single part (or one part and a trailing `/`),
    /// which ignore-walk also tries against the base name of nested entries.
    relative: bool,
}

fn compile_rule(line: &str) -> Rule {
    let mm = mm::Minimatch::new(line, mm::Opts::IGNORE);
    let relative = mm.glob_parts().iter().any(|part| {
        let limit = if part.last().is_some_and(|l| !l.is_empty()) {
            1
        } else {
            2
        };
        part.len() <= limit
    });
    Rule { mm, relative }
}

/// Rules npm-packlist injects as a synthetic ignore file: joined with
/// newlines, so each is trimmed, and blank ones and `#` comments vanish.
fn compile_rules<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<Rule> {
    let text: Vec<&str> = lines.into_iter().collect();
    parse_ignore_file(&text.join("\n"))
}

/// The rules of an ignore file: one per line, trimmed, without blank lines
/// and `#` comments.
fn parse_ignore_file(text: &str) -> Vec<Rule> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .map(js_trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(compile_rule)
        .collect()
}

/// `String.prototype.trim`.
fn js_trim(s: &str) -> &str {
    s.trim_matches(|c: char| (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}')
}

/// Where the rules of a directory come from, in the order they apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Defaults,
    /// An ignore file of the directory (or, at the root, `files`).
    File(&'static str),
    Strict,
}

// ---------------------------------------------------------------------------
// package.json

/// What npm reads from `package.json` for the selection (after the
/// normalisation arborist applies).
struct Manifest {
    files: Option<Vec<String>>,
    /// `main`, `browser`, then the targets of `bin`.
    required: Vec<String>,
    workspaces: Vec<String>,
}

impl Manifest {
    fn read(pkg_dir: &Path) -> Result<Manifest, SelectError> {
        let path = pkg_dir.join("package.json");
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(SelectError::MissingPackageJson { path })
            }
            Err(source) => return Err(SelectError::Io { path, source }),
        };
        check_link_inside(pkg_dir, &path)?;
        let text = String::from_utf8_lossy(&bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        if let Err(e) = PackageJson::parse(text) {
            let pos = LineIndex::new(text).position(text, e.span.start);
            return Err(SelectError::PackageJsonSyntax {
                path,
                line: pos.line,
                column: pos.column,
                message: e.message,
            });
        }
        let json: Value =
            serde_json::from_str(text).map_err(|e| SelectError::PackageJsonSyntax {
                path: path.clone(),
                line: e.line(),
                column: e.column(),
                message: serde_message(&e),
            })?;
        let Value::Object(obj) = &json else {
            return Err(SelectError::PackageJsonInvalid {
                path,
                message: "expected an object".into(),
            });
        };
        let invalid = |message: String| SelectError::PackageJsonInvalid {
            path: path.clone(),
            message,
        };

        let files = match obj.get("files") {
            None => None,
            Some(v) if !js_truthy(v) => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => Ok(s.clone()),
                        other => Err(invalid(format!(
                            "`files` entries must be strings, found {other}"
                        ))),
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            // `for (const file of "lib")` walks the characters.
            Some(Value::String(s)) => Some(js_units(s)),
            Some(other) => {
                return Err(invalid(format!(
                    "`files` must be an array of strings, found {other}"
                )))
            }
        };
        for entry in files.iter().flatten() {
            let bare = entry.trim_start_matches('!');
            // A leading `/` anchors at the package root for npm (zod has
            // `/lib`) and cannot leave it; drive and UNC paths are refused.
            let reason = if bare.starts_with("\\\\") || has_drive(bare) {
                Some("absolute paths are not allowed")
            } else if bare
                .split(['/', '\\', '{', '}', ','])
                .any(|part| part == "..")
            {
                Some("`..` would leave the package directory")
            } else {
                None
            };
            if let Some(reason) = reason {
                return Err(SelectError::UnsafeFilesEntry {
                    path,
                    entry: entry.clone(),
                    reason,
                });
            }
        }

        let mut required = Vec::new();
        for key in ["browser", "main"] {
            if let Some(v) = obj.get(key).filter(|v| js_truthy(v)) {
                required.push(js_string(v));
            }
        }
        required.extend(bin_targets(obj, pkg_dir));

        let workspaces = match obj.get("workspaces") {
            Some(Value::Array(a)) => a.clone(),
            Some(Value::Object(o)) => match o.get("packages") {
                Some(Value::Array(a)) => a.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();

        Ok(Manifest {
            files,
            required,
            workspaces,
        })
    }

    /// Whether arborist finds workspaces: then npm-packlist reads a
    /// `package.json` in any subdirectory as an ignore file.
    fn has_workspaces(&self, pkg_dir: &Path) -> Result<bool, SelectError> {
        if self.workspaces.is_empty() {
            return Ok(false);
        }
        let mut positive = Vec::new();
        let mut negative = Vec::new();
        for pattern in &self.workspaces {
            let bangs = pattern.len() - pattern.trim_start_matches('!').len();
            let p = &pattern[bangs..];
            // `replace(/^\.?\/+/, '')`
            let p = match p.strip_prefix('.') {
                Some(r) if r.starts_with('/') => r.trim_start_matches('/'),
                _ => p.trim_start_matches('/'),
            };
            let mm = mm::Minimatch::new(p.trim_end_matches('/'), mm::Opts::GLOB);
            if bangs % 2 == 1 {
                negative.push(mm);
            } else {
                positive.push(mm);
            }
        }
        let mut found = false;
        let mut stack = vec![(pkg_dir.to_path_buf(), String::new())];
        while let Some((dir, rel)) = stack.pop() {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let Ok(name) = e.file_name().into_string() else {
                    continue;
                };
                if name == "node_modules" || name == ".git" {
                    continue;
                }
                let path = e.path();
                if !path.is_dir() {
                    continue;
                }
                let sub = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                let manifest = path.join("package.json");
                if manifest.is_file()
                    && positive.iter().any(|m| m.matches(&sub, false))
                    && !negative.iter().any(|m| m.matches(&sub, false))
                {
                    // npm fails on a workspace whose package.json is not JSON.
                    let bytes = fs::read(&manifest).map_err(|source| SelectError::Io {
                        path: manifest.clone(),
                        source,
                    })?;
                    let text = String::from_utf8_lossy(&bytes);
                    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                    if let Err(e) = serde_json::from_str::<Value>(text) {
                        return Err(SelectError::PackageJsonSyntax {
                            path: manifest,
                            line: e.line(),
                            column: e.column(),
                            message: serde_message(&e),
                        });
                    }
                    found = true;
                }
                if !e.file_type().is_ok_and(|t| t.is_symlink()) && sub.split('/').count() < 32 {
                    stack.push((path, sub));
                }
            }
        }
        Ok(found)
    }
}

/// A serde_json error without its " at line … column …" (given apart).
fn serde_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// `C:/…` or `C:\…`
fn has_drive(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'/' | b'\\')
}

/// The UTF-16 code units of a string as strings (what JS iterates by index).
fn js_units(s: &str) -> Vec<String> {
    s.chars().map(String::from).collect()
}

fn js_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// `String(v)` in JavaScript, for values found in `package.json`.
fn js_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .map(|e| match e {
                Value::Null => String::new(),
                e => js_string(e),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".into(),
    }
}

/// The `bin` targets as `@npmcli/package-json` normalises them (including
/// `directories.bin` when there is no `bin`).
fn bin_targets(obj: &serde_json::Map<String, Value>, pkg_dir: &Path) -> Vec<String> {
    let bin = obj.get("bin").filter(|v| js_truthy(v));
    if bin.is_none() {
        if let Some(Value::String(dir)) = obj.get("directories").and_then(|d| d.get("bin")) {
            if !dir.is_empty() {
                return directories_bin(pkg_dir, dir);
            }
        }
    }
    let Some(bin) = bin else {
        return Vec::new();
    };
    let name = obj.get("name").filter(|v| js_truthy(v));
    let map: Vec<(String, &Value)> = match bin {
        Value::String(s) => match name {
            Some(name) => vec![(js_string(name), bin)],
            // Left a string: `for (key in bin)` visits its characters.
            None => return js_units(s).into_iter().collect(),
        },
        Value::Array(items) => {
            let mut m: Vec<(String, &Value)> = Vec::new();
            for item in items {
                let Value::String(k) = item else { continue };
                let key = base_name_posix(k).to_string();
                m.retain(|(existing, _)| *existing != key);
                m.push((key, item));
            }
            m
        }
        Value::Object(o) => o.iter().map(|(k, v)| (k.clone(), v)).collect(),
        _ => return Vec::new(),
    };
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (key, value) in map {
        let Value::String(target) = value else {
            continue;
        };
        let base = base_name_posix(&secure_unixify(&key)).to_string();
        if base.is_empty() {
            continue;
        }
        let target = secure_unixify(target);
        if target.is_empty() {
            continue;
        }
        out.insert(base, target);
    }
    out.into_values().collect()
}

/// `directories.bin`: every non-dot entry below that directory.
fn directories_bin(pkg_dir: &Path, dir: &str) -> Vec<String> {
    let bin_path = secure_unixify(dir);
    let base = if bin_path.is_empty() {
        pkg_dir.to_path_buf()
    } else {
        pkg_dir.join(&bin_path)
    };
    let mut found: Vec<String> = Vec::new();
    let mut stack = vec![(base, String::new())];
    while let Some((d, rel)) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(name) = e.file_name().into_string() else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let sub = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if e.file_type().is_ok_and(|t| t.is_dir()) && sub.split('/').count() < 32 {
                stack.push((e.path(), sub.clone()));
            }
            found.push(sub);
        }
    }
    // Later (deeper) entries win for the same base name, as in glob's
    // breadth-first order.
    found.sort_by(|a, b| {
        (a.matches('/').count(), a.as_str()).cmp(&(b.matches('/').count(), b.as_str()))
    });
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    for f in found {
        by_name.insert(
            base_name(&f).to_string(),
            format!("{bin_path}/{}", secure_unixify(&f)),
        );
    }
    by_name.into_values().collect()
}

fn base_name_posix(p: &str) -> &str {
    p.trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

/// `path.join('.', path.join('/', p))` with `\` and `:` turned into `/`; an
/// empty result for paths that normalise to nothing.
fn secure_unixify(p: &str) -> String {
    let p = p.replace(['\\', ':'], "/");
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if p.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    out
}

// ---------------------------------------------------------------------------
// The walk

struct Ctx {
    root: PathBuf,
    root_real: PathBuf,
    defaults: Rc<Vec<Rule>>,
    workspace_mode: bool,
    manifest: Manifest,
    found: Vec<String>,
}

/// One directory being walked, with the rules that apply in it.
struct Walker<'p> {
    parent: Option<&'p Walker<'p>>,
    dir: PathBuf,
    /// Path relative to the package root, `""` for the root.
    rel: String,
    basename: String,
    exact: bool,
    sources: Vec<Source>,
    rules: Vec<(Source, Rc<Vec<Rule>>)>,
    required: Vec<String>,
    entries: Vec<String>,
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

impl<'p> Walker<'p> {
    fn new_root(ctx: &mut Ctx) -> Result<Walker<'static>, SelectError> {
        let mut w = Walker {
            parent: None,
            dir: ctx.root.clone(),
            rel: String::new(),
            basename: String::new(),
            exact: false,
            sources: vec![
                Source::Defaults,
                Source::File("package.json"),
                Source::File(".npmignore"),
                Source::File(".gitignore"),
                Source::Strict,
            ],
            rules: vec![(Source::Defaults, ctx.defaults.clone())],
            required: Vec::new(),
            entries: Vec::new(),
        };
        w.load(ctx, true)?;
        Ok(w)
    }

    fn child<'a>(
        &'a self,
        ctx: &mut Ctx,
        name: &str,
        exact: bool,
    ) -> Result<Walker<'a>, SelectError>
    where
        'p: 'a,
    {
        // Required files (from `files`) directly inside this directory.
        let required: Vec<String> = self
            .required
            .iter()
            .filter_map(|f| {
                let (dir, file) = f.rsplit_once('/')?;
                (dir == name && !file.is_empty()).then(|| file.to_string())
            })
            .collect();
        let mut strict = vec!["/.git".to_string()];
        strict.extend(required.iter().map(|f| format!("!{f}")));
        let mut sources = vec![Source::Defaults];
        if ctx.workspace_mode {
            sources.push(Source::File("package.json"));
        }
        sources.extend([
            Source::File(".npmignore"),
            Source::File(".gitignore"),
            Source::Strict,
        ]);
        let mut w = Walker {
            parent: Some(self),
            dir: self.dir.join(name),
            rel: join_rel(&self.rel, name),
            basename: name.to_string(),
            exact,
            sources,
            rules: vec![
                (Source::Defaults, ctx.defaults.clone()),
                (
                    Source::Strict,
                    Rc::new(compile_rules(strict.iter().map(String::as_str))),
                ),
            ],
            required,
            entries: Vec::new(),
        };
        w.load(ctx, false)?;
        Ok(w)
    }

    /// Reads the directory and the rules of its ignore files.
    fn load(&mut self, ctx: &mut Ctx, is_root: bool) -> Result<(), SelectError> {
        let rd = fs::read_dir(&self.dir).map_err(|source| SelectError::Io {
            path: self.dir.clone(),
            source,
        })?;
        for e in rd {
            let e = e.map_err(|source| SelectError::Io {
                path: self.dir.clone(),
                source,
            })?;
            self.entries
                .push(e.file_name().to_string_lossy().into_owned());
        }
        self.entries.sort();
        for source in self.sources.clone() {
            let Source::File(name) = source else { continue };
            if !self.entries.iter().any(|e| e == name) {
                continue;
            }
            let rules = if is_root && name == "package.json" {
                self.process_package(ctx)?
            } else {
                let path = self.dir.join(name);
                check_link_inside(&ctx.root_real, &path)?;
                let bytes = fs::read(&path).map_err(|source| SelectError::Io {
                    path: path.clone(),
                    source,
                })?;
                Some(parse_ignore_file(&String::from_utf8_lossy(&bytes)))
            };
            if let Some(rules) = rules {
                self.rules.push((source, Rc::new(rules)));
            }
        }
        // `files` replaces the ignore files; `.npmignore` replaces `.gitignore`.
        if self.has_rules(Source::File("package.json")) {
            self.rules.retain(|(s, _)| {
                *s != Source::File(".npmignore") && *s != Source::File(".gitignore")
            });
        } else if self.has_rules(Source::File(".npmignore")) {
            self.rules.retain(|(s, _)| *s != Source::File(".gitignore"));
        }
        Ok(())
    }

    fn has_rules(&self, source: Source) -> bool {
        self.rules.iter().any(|(s, _)| *s == source)
    }

    /// npm-packlist's `processPackage`: the `files` rules (returned) and the
    /// root's strict rules (stored).
    fn process_package(&mut self, ctx: &mut Ctx) -> Result<Option<Vec<Rule>>, SelectError> {
        let mut strict: Vec<String> = ROOT_STRICT_RULES.iter().map(|s| s.to_string()).collect();
        let mut files_rules = None;
        if let Some(files) = &ctx.manifest.files {
            let mut ignores = Vec::new();
            for entry in files {
                let mut file = entry.clone();
                if file.starts_with("./") {
                    file.remove(0);
                }
                if file.ends_with("/*") {
                    file.push('*');
                }
                let inverse = format!("!{file}");
                // npm stats the entry with `\` turned into `/`.
                let target = node_join(&self.dir, &file.trim_start_matches('!').replace('\\', "/"));
                match fs::symlink_metadata(&target) {
                    Ok(md) if md.is_file() => {
                        strict.insert(0, inverse);
                        self.required
                            .push(file.strip_prefix('/').unwrap_or(&file).to_string());
                    }
                    Ok(md) if md.is_dir() => {
                        let all = format!("{inverse}/**");
                        ignores.push(inverse);
                        ignores.push(all);
                    }
                    Ok(_) => {}
                    Err(_) => ignores.push(inverse),
                }
            }
            let mut rules = vec!["*".to_string()];
            rules.extend(ignores);
            files_rules = Some(compile_rules(rules.iter().map(String::as_str)));
        }
        strict.extend(ctx.manifest.required.iter().map(|r| format!("!/{r}")));
        self.rules.push((
            Source::Strict,
            Rc::new(compile_rules(strict.iter().map(String::as_str))),
        ));
        Ok(files_rules)
    }

    /// ignore-walk's `filterEntry`: whether `entry` (relative to this
    /// directory) is included, judged by this directory and its ancestors.
    fn filter_entry(&self, entry: &str, partial: bool, entry_base: Option<&str>) -> bool {
        let mut included = true;
        if let Some(parent) = self.parent {
            let parent_entry = format!("{}/{}", self.basename, entry);
            included =
                parent.filter_entry(&parent_entry, partial, Some(entry_base.unwrap_or(entry)));
            if !included && !self.exact {
                return false;
            }
        }
        let slashed = format!("/{entry}");
        for source in &self.sources {
            let Some((_, rules)) = self.rules.iter().find(|(s, _)| s == source) else {
                continue;
            };
            for rule in rules.iter() {
                let negate = rule.mm.negate;
                if negate == included {
                    continue;
                }
                let m = &rule.mm;
                let hit = m.matches(&slashed, false)
                    || m.matches(entry, false)
                    || (partial
                        && (m.matches(&format!("{slashed}/"), false)
                            || m.matches(&format!("{entry}/"), false)
                            || (negate && (m.matches(&slashed, true) || m.matches(entry, true)))
                            || (rule.relative
                                && entry_base.is_some_and(|base| {
                                    m.matches(&format!("/{base}/"), false)
                                        || m.matches(&format!("{base}/"), false)
                                        || (negate
                                            && (m.matches(&format!("/{base}"), true)
                                                || m.matches(base, true)))
                                }))));
                if hit {
                    included = negate;
                }
            }
        }
        included
    }

    fn walk(&self, ctx: &mut Ctx) -> Result<(), SelectError> {
        for name in &self.entries {
            let pass_file = self.filter_entry(name, false, None);
            let pass_dir = self.filter_entry(name, true, None);
            if !pass_file && !pass_dir {
                continue;
            }
            // npm-packlist skips names that are invalid on Windows.
            if name.contains('*') {
                continue;
            }
            let path = self.dir.join(name);
            let md = fs::symlink_metadata(&path).map_err(|source| SelectError::Io {
                path: path.clone(),
                source,
            })?;
            let ft = md.file_type();
            if ft.is_file() {
                if pass_file {
                    ctx.found.push(join_rel(&self.rel, name));
                }
            } else if ft.is_dir() {
                if pass_dir {
                    let exact = pass_file || self.filter_entry(&format!("{name}/"), false, None);
                    let child = self.child(ctx, name, exact)?;
                    child.walk(ctx)?;
                }
            } else if ft.is_symlink() {
                // npm never follows or packs links; refuse those leaving the package.
                check_link_inside(&ctx.root_real, &path)?;
            } else {
                return Err(SelectError::SpecialFile {
                    path,
                    kind: special_kind(&ft),
                });
            }
        }
        Ok(())
    }
}

fn join_rel(rel: &str, name: &str) -> String {
    if rel.is_empty() {
        name.to_string()
    } else {
        format!("{rel}/{name}")
    }
}

/// `path.join(dir, rel)`: `.` and empty segments dropped, a trailing `/` kept.
fn node_join(dir: &Path, rel: &str) -> PathBuf {
    let parts: Vec<&str> = rel
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    let mut s = dir.as_os_str().to_os_string();
    for p in &parts {
        s.push("/");
        s.push(p);
    }
    if rel.ends_with('/') && !parts.is_empty() {
        s.push("/");
    }
    PathBuf::from(s)
}

#[cfg(unix)]
fn special_kind(ft: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_socket() {
        "socket"
    } else if ft.is_fifo() {
        "FIFO"
    } else if ft.is_block_device() {
        "block device"
    } else if ft.is_char_device() {
        "character device"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &fs::FileType) -> &'static str {
    "not a regular file"
}

/// Fails when `path` is a symbolic link resolving (or, dangling, pointing)
/// outside `root_real`.
fn check_link_inside(root: &Path, path: &Path) -> Result<(), SelectError> {
    let Ok(md) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    if !md.file_type().is_symlink() {
        return Ok(());
    }
    let root_real = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let target = match fs::canonicalize(path) {
        Ok(t) => t,
        Err(_) => {
            let link = fs::read_link(path).map_err(|source| SelectError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let base = path
                .parent()
                .and_then(|p| fs::canonicalize(p).ok())
                .unwrap_or_else(|| root_real.clone());
            normalize_lexically(&base.join(link))
        }
    };
    if target.starts_with(&root_real) {
        Ok(())
    } else {
        Err(SelectError::SymlinkOutsidePackage {
            path: path.to_path_buf(),
            target,
        })
    }
}

fn normalize_lexically(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// minimatch

/// A port of the parts of minimatch 10 that npm uses: brace expansion,
/// negation, `**`, `matchBase`, `dot`, `nocase`, partial matching, classes
/// and extglobs, with the same (sometimes surprising) results.
mod mm {
    use super::braces;

    #[derive(Clone, Copy, Debug)]
    pub struct Opts {
        pub nocase: bool,
        pub dot: bool,
        pub match_base: bool,
        /// Whether a hit means "matched" whatever the negation (ignore-walk).
        pub flip_negate: bool,
    }

    impl Opts {
        /// The options of ignore-walk.
        pub const IGNORE: Opts = Opts {
            nocase: true,
            dot: true,
            match_base: true,
            flip_negate: true,
        };
        /// Plain minimatch/glob options.
        pub const GLOB: Opts = Opts {
            nocase: false,
            dot: false,
            match_base: false,
            flip_negate: false,
        };
    }

    pub struct Minimatch {
        pub negate: bool,
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
        pub fn new(pattern: &str, opts: Opts) -> Minimatch {
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
                return mm;
            }
            if pattern.is_empty() {
                mm.empty = true;
                return mm;
            }
            let bangs = pattern.len() - pattern.trim_start_matches('!').len();
            mm.negate = bangs % 2 == 1;
            let pattern = &pattern[bangs..];
            let mut glob_set: Vec<String> = Vec::new();
            for g in braces::brace_expand(pattern) {
                if !glob_set.contains(&g) {
                    glob_set.push(g);
                }
            }
            mm.glob_parts = glob_set
                .iter()
                .map(|g| level_one_optimize(slash_split(g)))
                .collect();
            mm.set = mm
                .glob_parts
                .iter()
                .map(|parts| parts.iter().map(|p| parse_part(p, opts)).collect())
                .collect();
            mm
        }

        pub fn glob_parts(&self) -> &[Vec<String>] {
            &self.glob_parts
        }

        /// `Minimatch#match(f, partial)`.
        pub fn matches(&self, f: &str, partial: bool) -> bool {
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
            self.match_sections(file, &sections, file_index, 0, partial, 0, tail_match > 0)
                == Tri::True
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

    fn parse_part(p: &str, opts: Opts) -> Part {
        if p == "**" {
            return Part::GlobStar;
        }
        if p.is_empty() {
            return Part::Str(String::new());
        }
        let chars: Vec<char> = p.chars().collect();
        let mut ast = Ast::default();
        ast.new_node(None, None);
        ast.parse(&chars, 0, 0, 0);
        ast.flatten(0);
        ast.fill_negs();
        let nodes = ast.compile_plain(0, opts.dot);
        let magic = nodes.iter().any(|n| !matches!(n, Node::Lit(_)))
            || (opts.nocase && p.to_uppercase() != p.to_lowercase());
        if !magic {
            return Part::Str(
                nodes
                    .iter()
                    .map(|n| match n {
                        Node::Lit(c) => *c,
                        _ => unreachable!("only literals"),
                    })
                    .collect(),
            );
        }
        Part::Seg(Segment {
            nodes,
            fast: fast_test(p),
            literal_dot_start: p.starts_with('.'),
        })
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
                    Matcher {
                        s: &s,
                        nocase: opts.nocase,
                    }
                    .seq(&self.nodes, 0, &|p| p == s.len())
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
            self.nodes[id].parts.push(piece);
        }

        /// `AST.#parseAST`: returns the index after what was consumed.
        fn parse(&mut self, s: &[char], id: usize, pos: usize, depth: usize) -> usize {
            let mut lit = crate::pack::select::Literal::default();
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
                if self.nodes[n].kind != Some('!') {
                    continue;
                }
                let mut p = n;
                let mut pp = self.nodes[n].parent;
                while let Some(ppid) = pp {
                    if self.nodes[ppid].kind.is_none() {
                        let mut i = self.nodes[p].parent_index + 1;
                        while i < self.nodes[ppid].parts.len() {
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
                        || (c.is_whitespace()
                            && !c.is_control()
                            && c != '\u{2028}'
                            && c != '\u{2029}')
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
}

// ---------------------------------------------------------------------------
// brace expansion

/// A port of the brace-expansion package (v5) as minimatch uses it.
mod braces {
    const MAX: usize = 100_000;
    // Stand-ins for escaped characters while expanding.
    const SLASH: char = '\u{F0000}';
    const OPEN: char = '\u{F0001}';
    const CLOSE: char = '\u{F0002}';
    const COMMA: char = '\u{F0003}';
    const PERIOD: char = '\u{F0004}';

    /// minimatch's `braceExpand`.
    pub fn brace_expand(pattern: &str) -> Vec<String> {
        if !has_brace_pair(pattern) {
            return vec![pattern.to_string()];
        }
        expand(pattern)
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
        for a in acc {
            for v in values {
                if out.len() >= MAX {
                    return out;
                }
                let e = format!("{a}{pre}{v}");
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
        while (if reverse { i >= y } else { i <= y }) && out.len() < MAX {
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

    /// `/,(?!,).*\}/`
    fn has_comma_then_close(post: &str) -> bool {
        let cs: Vec<char> = post.chars().collect();
        cs.iter().enumerate().any(|(k, c)| {
            *c == ',' && cs.get(k + 1) != Some(&',') && {
                let mut found = false;
                for d in &cs[k + 1..] {
                    if matches!(d, '\n' | '\r' | '\u{2028}' | '\u{2029}') {
                        break;
                    }
                    if *d == '}' {
                        found = true;
                        break;
                    }
                }
                found
            }
        })
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
                'outer: for part in n {
                    for v in expand_inner(part, false) {
                        if drops && v.is_empty() {
                            continue;
                        }
                        if values.len() >= MAX {
                            break 'outer;
                        }
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
        use super::brace_expand;

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
}

// ---------------------------------------------------------------------------
// collation

/// An approximation of ICU's root collation for
/// `Intl.Collator('en', { sensitivity: 'case', numeric: true })`: exact for
/// ASCII, Latin-1 letters fold to their base letters, other characters sort
/// after the Latin letters by code point.
mod collate {
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

    pub fn compare(a: &str, b: &str) -> Ordering {
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
}

#[cfg(test)]
mod tests {
    use super::mm::{Minimatch, Opts};
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        Minimatch::new(pattern, Opts::IGNORE).matches(path, false)
    }

    fn partial(pattern: &str, path: &str) -> bool {
        Minimatch::new(pattern, Opts::IGNORE).matches(path, true)
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

    #[test]
    fn ignore_file_lines() {
        let rules = parse_ignore_file("# comment\n\n  *.log \r\n!keep.log\r\n\u{feff}x\n");
        assert_eq!(rules.len(), 3);
        assert!(rules[1].mm.negate);
    }

    #[test]
    fn secure_unixify_paths() {
        assert_eq!(secure_unixify("./bin/x.js"), "bin/x.js");
        assert_eq!(secure_unixify("../../x"), "x");
        assert_eq!(secure_unixify("."), "");
        assert_eq!(secure_unixify("a\\b:c"), "a/b/c");
    }

    #[test]
    fn npm_order() {
        let mut v: Vec<String> = [
            "src/a.js",
            "README.md",
            "bin/x",
            "package.json",
            "LICENSE",
            "@s/a.js",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        sort_like_npm(&mut v);
        assert_eq!(
            v,
            [
                "@s/a.js",
                "LICENSE",
                "README.md",
                "bin/x",
                "package.json",
                "src/a.js"
            ]
        );
    }
}
