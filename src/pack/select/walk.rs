//! The walk of a package directory: npm-packlist's rules on top of
//! ignore-walk 8's directory walk.
//!
//! Every directory gets its rule sources in order (npm's defaults, `files`
//! at the root, `.npmignore` or else `.gitignore`, the strict rules), and an
//! entry is judged by the rules of the directory and of every ancestor, with
//! ignore-walk's "partial" matching deciding whether a directory is entered.
//! The symbolic-link and special-file refusals of the safety layer are here
//! too, where the walk meets them.
//!
//! Hand-written rather than built on an ignore-file crate (`ignore`,
//! `globset`): those follow git's semantics, while npm's result depends on
//! ignore-walk's own order of rule sources, its re-checks of each path
//! against every ancestor's rules and minimatch's matching, and the packed
//! file list has to be exactly npm's.

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use super::manifest::Manifest;
use super::minimatch::{Minimatch, Opts, PatternError};
use super::SelectError;

/// The files the walk keeps, relative to `pkg_dir`, in walk order (not yet
/// deduplicated, sorted or filtered for `.npmrc`).
pub(super) fn walk_package(pkg_dir: &Path, manifest: Manifest) -> Result<Vec<String>, SelectError> {
    let root_real = fs::canonicalize(pkg_dir).map_err(|source| SelectError::Io {
        path: pkg_dir.to_path_buf(),
        source,
    })?;
    let mut ctx = Ctx {
        entries: 0,
        root: pkg_dir.to_path_buf(),
        root_real,
        defaults: Rc::new(compile_rules(
            DEFAULT_RULES.iter().copied(),
            &pkg_dir.join("package.json"),
        )?),
        workspace_mode: manifest.has_workspaces(pkg_dir)?,
        manifest,
        found: Vec::new(),
    };
    let root = Walker::new_root(&mut ctx)?;
    root.walk(&mut ctx)?;
    Ok(ctx.found)
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
    mm: Minimatch,
    /// Whether the glob has a single part (or one part and a trailing `/`),
    /// which ignore-walk also tries against the base name of nested entries.
    relative: bool,
}

fn compile_rule(line: &str) -> Result<Rule, PatternError> {
    let mm = Minimatch::new(line, Opts::IGNORE)?;
    let relative = mm.glob_parts().iter().any(|part| {
        let limit = if part.last().is_some_and(|l| !l.is_empty()) {
            1
        } else {
            2
        };
        part.len() <= limit
    });
    Ok(Rule { mm, relative })
}

/// Rules npm-packlist injects as a synthetic ignore file: joined with
/// newlines, so each is trimmed, and blank ones and `#` comments vanish.
/// `from` is the file they come from (`package.json`), for errors.
fn compile_rules<'a>(
    lines: impl IntoIterator<Item = &'a str>,
    from: &Path,
) -> Result<Vec<Rule>, SelectError> {
    let text: Vec<&str> = lines.into_iter().collect();
    parse_ignore_file(&text.join("\n")).map_err(|(_, pattern, e)| SelectError::InvalidPattern {
        path: from.to_path_buf(),
        line: None,
        pattern,
        message: e.to_string(),
    })
}

/// The rules of an ignore file: one per line, trimmed, without blank lines
/// and `#` comments; or the first line minimatch (or dockprep's limits)
/// refuses, with its 1-based number.
fn parse_ignore_file(text: &str) -> Result<Vec<Rule>, (usize, String, PatternError)> {
    text.split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, js_trim(l.strip_suffix('\r').unwrap_or(l))))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(n, l)| compile_rule(l).map_err(|e| (n, short(l), e)))
        .collect()
}

/// A rule as an error message shows it: at most 60 characters.
fn short(rule: &str) -> String {
    match rule.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &rule[..i]),
        None => rule.to_string(),
    }
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
// The walk

/// At most this many directory entries are walked in one package (a
/// package directory that is a whole disk is refused, not walked).
const MAX_ENTRIES: usize = 1_000_000;

struct Ctx {
    /// Directory entries walked so far.
    entries: usize,
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
                    Rc::new(compile_rules(
                        strict.iter().map(String::as_str),
                        &ctx.root.join("package.json"),
                    )?),
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
            ctx.entries += 1;
            if ctx.entries > MAX_ENTRIES {
                return Err(SelectError::Io {
                    path: ctx.root.clone(),
                    source: std::io::Error::other(format!(
                        "more than {MAX_ENTRIES} files and directories: refusing to pack it"
                    )),
                });
            }
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
                let bytes = read_ignore_file(&path)?;
                let text = String::from_utf8_lossy(&bytes);
                Some(parse_ignore_file(&text).map_err(|(line, pattern, e)| {
                    SelectError::InvalidPattern {
                        path: path.clone(),
                        line: Some(line),
                        pattern,
                        message: e.to_string(),
                    }
                })?)
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
            files_rules = Some(compile_rules(
                rules.iter().map(String::as_str),
                &ctx.root.join("package.json"),
            )?);
        }
        strict.extend(ctx.manifest.required.iter().map(|r| format!("!/{r}")));
        self.rules.push((
            Source::Strict,
            Rc::new(compile_rules(
                strict.iter().map(String::as_str),
                &ctx.root.join("package.json"),
            )?),
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

/// Reads an ignore file: a regular file (a FIFO would block the read), at
/// most [`crate::confine::MAX_FILE_BYTES`].
fn read_ignore_file(path: &Path) -> Result<Vec<u8>, SelectError> {
    use crate::confine::{read_regular, ReadError};
    read_regular(path).map_err(|e| match e {
        ReadError::NotRegular(kind) => SelectError::SpecialFile {
            path: path.to_path_buf(),
            kind,
        },
        ReadError::Io(source) => SelectError::Io {
            path: path.to_path_buf(),
            source,
        },
        e => SelectError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        },
    })
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
pub(super) fn check_link_inside(root: &Path, path: &Path) -> Result<(), SelectError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_file_lines() {
        let rules = parse_ignore_file("# comment\n\n  *.log \r\n!keep.log\r\n\u{feff}x\n").unwrap();
        assert_eq!(rules.len(), 3);
        assert!(rules[1].mm.negate);
        let long = format!("ok\n{}\n", "a".repeat(64 * 1024 + 1));
        let Err((line, _, e)) = parse_ignore_file(&long) else {
            panic!("a pattern over 64 KiB is refused, as minimatch does");
        };
        assert_eq!(line, 2);
        assert!(e.to_string().contains("too long"), "{e}");
    }
}
