//! Applying fixes in rounds: load (with the fixed texts standing in for the
//! files), audit, take every fix whose edits do not overlap, apply, check the
//! result parses, repeat until nothing changes. Nothing is written here.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::diagnostics::{apply_edits, line_ending, Applicability, Edit};
use crate::paths::{clean, relative_to};
use crate::project::{self, LoadError, Options, Project};
use crate::rules::{self, Finding, Rule};

#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(
        "{path}: the `{rule}` fix would leave the file unparsable ({message}); nothing was written"
    )]
    Unparsable {
        path: PathBuf,
        rule: String,
        message: String,
    },
    #[error("fixes did not converge after {0} rounds; nothing was written")]
    NoConvergence(usize),
    /// A `dockprep.toml` that could not be read or parsed: fatal (the fixes
    /// would follow settings the repository did not ask for). The message
    /// quotes nothing from the file.
    #[error("{}:{line}:{column}: {message}; nothing was fixed", crate::paths::display_path(.path))]
    Config {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// A file the engine had to read from disk that the confinement refused.
    #[error("{}:{line}:{column}: {message}; nothing was written", path.display())]
    Unreadable {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(transparent)]
    Write(#[from] super::writer::WriteError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Clone, Copy, Debug)]
pub struct FixOptions {
    pub include_unsafe: bool,
    pub max_rounds: usize,
}

impl Default for FixOptions {
    fn default() -> Self {
        FixOptions {
            include_unsafe: false,
            max_rounds: 10,
        }
    }
}

/// A file the fixes change.
#[derive(Clone, Debug)]
pub struct Change {
    pub path: PathBuf,
    /// The text on disk when first read (`None`: the file is new).
    pub original: Option<String>,
    pub fixed: String,
    /// (rule, what its fix did), in order.
    pub applied: Vec<(String, String)>,
    /// The repository the file belongs to, the bound of what writing it may
    /// touch (the outermost of the model's repositories below the paths
    /// fixed that holds it; `None`: none does, and it is not written).
    pub root: Option<PathBuf>,
}

pub struct Outcome {
    pub changes: Vec<Change>,
    /// The project as fixed (all findings re-run on it).
    pub project: Project,
    /// Findings left after fixing.
    pub remaining: Vec<Finding>,
    pub rounds: usize,
}

/// The parser that must accept a file of this name after a fix.
fn validate(path: &Path, text: &str) -> Result<(), String> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let r = if crate::project::is_dockerfile_name(name) {
        crate::syntax::dockerfile::Dockerfile::parse(text).map(|_| ())
    } else if crate::syntax::compose::FILE_NAMES.contains(&name) {
        crate::syntax::compose::Compose::parse(text).map(|_| ())
    } else if name == "package.json" {
        crate::syntax::package_json::PackageJson::parse(text).map(|_| ())
    } else if name == "pnpm-workspace.yaml" {
        crate::syntax::pnpm_workspace::Workspace::parse(text).map(|_| ())
    } else if name == "dockprep.toml" {
        crate::config::Config::parse_checked(text, crate::rules::registry::is_known).map(|_| ())
    } else {
        Ok(())
    };
    r.map_err(|e| e.message)
}

/// The repository roots a write may stay within: the model's repositories
/// below the paths fixed, outermost first (a nested repository's files are
/// bounded by the repository holding it).
fn bounds(project: &Project, paths: &[PathBuf]) -> Vec<PathBuf> {
    let inputs: Vec<PathBuf> = paths
        .iter()
        .map(|p| match p.parent() {
            Some(d) if p.is_file() => clean(d),
            _ => clean(p),
        })
        .collect();
    let mut roots: Vec<PathBuf> = project
        .repos
        .iter()
        .map(|r| clean(&r.root))
        .filter(|r| inputs.iter().any(|i| relative_to(r, i).is_some()))
        .collect();
    roots.sort_by_key(|r| r.components().count());
    roots.dedup();
    roots
}

/// The first error of a `dockprep.toml` (or of `config`, the file given
/// for every repository) the load recorded, as the fatal [`FixError::Config`].
fn config_error(project: &Project, config: Option<&Path>) -> Option<FixError> {
    let config = config.map(clean);
    let e = project.errors.iter().find(|e| {
        e.path.file_name() == Some(std::ffi::OsStr::new("dockprep.toml"))
            || config.as_deref() == Some(clean(&e.path).as_path())
    })?;
    let (text, value) = match e.at {
        Some((file, span)) => {
            let text = project.sources.get(file).text.as_str();
            (text, text.get(span.start..span.end).unwrap_or(""))
        }
        None => ("", ""),
    };
    Some(FixError::Config {
        path: e.path.clone(),
        line: e.line,
        column: e.column,
        message: without_values(&e.message, text, value),
    })
}

/// `message` with every value it quotes from `file` left out (`…`): a
/// `"…"` string (Rust's escaping, as serde quotes a value) always, a
/// `` `…` `` span when its text occurs in the file (a key, a value; not the
/// schema's own names). When the offending `value` itself holds a backtick
/// the quoting cannot be told apart, and the message stops at its first
/// quote.
pub(crate) fn without_values(message: &str, file: &str, value: &str) -> String {
    let message = message
        .split(['\r', '\n'])
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let message = message.as_str();
    if value.contains('`') {
        let cut = message.find(['"', '`']).unwrap_or(message.len());
        let head = message[..cut].trim_end();
        return if cut < message.len() {
            format!("{head} …")
        } else {
            head.to_string()
        };
    }
    let mut out = String::new();
    let mut rest = message;
    while let Some(i) = rest.find(['"', '`']) {
        out.push_str(&rest[..i]);
        let quote = rest.as_bytes()[i];
        let after = &rest[i + 1..];
        let end = if quote == b'"' {
            let mut escaped = false;
            after.char_indices().find_map(|(j, c)| {
                if escaped {
                    escaped = false;
                    None
                } else if c == '\\' {
                    escaped = true;
                    None
                } else {
                    (c == '"').then_some(j)
                }
            })
        } else {
            after.find('`')
        };
        let Some(end) = end else {
            out.push('…');
            return out;
        };
        let inner = &after[..end];
        if quote == b'`' && !file.contains(inner) {
            out.push('`');
            out.push_str(inner);
            out.push('`');
        } else {
            out.push('…');
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn overlaps(a: &Edit, b: &Edit) -> bool {
    (a.start < b.end && b.start < a.end)
        || (a.start == b.start && (a.start == a.end || b.start == b.end))
}

pub fn run(
    paths: &[PathBuf],
    load: &Options,
    rules: &[&Rule],
    opts: &FixOptions,
) -> Result<Outcome, FixError> {
    let mut overlay: HashMap<PathBuf, String> = HashMap::new();
    let mut originals: BTreeMap<PathBuf, Option<String>> = BTreeMap::new();
    let mut applied: BTreeMap<PathBuf, Vec<(String, String)>> = BTreeMap::new();
    // Texts read from disk in earlier rounds: each round re-parses, none re-reads.
    let mut read_cache: HashMap<PathBuf, String> = load.read_cache.clone();
    for round in 1..=opts.max_rounds {
        let mut lo = load.clone();
        lo.overlay = overlay.clone();
        lo.read_cache = std::mem::take(&mut read_cache);
        lo.known_rule.get_or_insert(rules::registry::is_known);
        let project = project::load(paths, &lo)?;
        if let Some(e) = config_error(&project, load.config.as_deref()) {
            return Err(e);
        }
        read_cache = project.sources.disk_texts();
        let findings = rules::run(&project, rules);
        let mut accepted: BTreeMap<PathBuf, Vec<Edit>> = BTreeMap::new();
        let mut taken: Vec<(PathBuf, String, String)> = Vec::new();
        for f in &findings {
            let Some(fix) = &f.fix else { continue };
            if fix.applicability == Applicability::Unsafe && !opts.include_unsafe {
                continue;
            }
            let mut fresh = Vec::new();
            let mut conflict = false;
            for (p, e) in &fix.edits {
                let p = clean(p);
                let existing = accepted.get(&p).map(Vec::as_slice).unwrap_or(&[]);
                if existing.contains(e) || fresh.iter().any(|(q, x)| *q == p && x == e) {
                    continue; // the same edit from another fix
                }
                if existing.iter().any(|a| overlaps(a, e)) {
                    conflict = true;
                    break;
                }
                fresh.push((p, e.clone()));
            }
            if conflict {
                continue; // next round
            }
            for (p, e) in fresh {
                if !taken
                    .iter()
                    .any(|(q, r, m)| *q == p && r == f.rule && *m == fix.message)
                {
                    taken.push((p.clone(), f.rule.to_string(), fix.message.clone()));
                }
                accepted.entry(p).or_default().push(e);
            }
        }
        let mut changed = false;
        for (path, edits) in accepted {
            let current = match overlay.get(&path) {
                Some(t) => t.clone(),
                None => {
                    // The text the load read, else the disk (once: it is cached).
                    let disk = match read_cache.get(&path) {
                        Some(t) => Some(t.clone()),
                        // Through the model's confinement: never a link leaving
                        // the repository, a FIFO or a device.
                        None => match project.sources.jail().read_text(&path) {
                            Ok(t) => {
                                read_cache.insert(path.clone(), t.clone());
                                Some(t)
                            }
                            Err(e) if e.is_not_found() => None,
                            Err(e) => {
                                let (line, column) = e.position();
                                return Err(FixError::Unreadable {
                                    path,
                                    line,
                                    column,
                                    message: e.to_string(),
                                });
                            }
                        },
                    };
                    originals.entry(path.clone()).or_insert(disk.clone());
                    disk.unwrap_or_default()
                }
            };
            let le = line_ending(&current);
            let edits: Vec<Edit> = edits
                .into_iter()
                .map(|mut e| {
                    if le == "\r\n" {
                        e.text = e.text.replace("\r\n", "\n").replace('\n', "\r\n");
                    }
                    e
                })
                .collect();
            let rule = taken
                .iter()
                .find(|(q, _, _)| *q == path)
                .map_or_else(String::new, |(_, r, _)| r.clone());
            let new = apply_edits(&current, &edits).ok_or_else(|| FixError::Unparsable {
                path: path.clone(),
                rule: rule.clone(),
                message: "overlapping edits".into(),
            })?;
            if new == current {
                continue;
            }
            validate(&path, &new).map_err(|message| FixError::Unparsable {
                path: path.clone(),
                rule,
                message,
            })?;
            changed = true;
            for (q, r, m) in taken.iter().filter(|(q, _, _)| *q == path) {
                applied
                    .entry(q.clone())
                    .or_default()
                    .push((r.clone(), m.clone()));
            }
            overlay.insert(path, new);
        }
        if !changed {
            let bounds = bounds(&project, paths);
            let changes = originals
                .into_iter()
                .filter_map(|(path, original)| {
                    let fixed = overlay.remove(&path)?;
                    (Some(&fixed) != original.as_ref()).then(|| Change {
                        applied: applied.remove(&path).unwrap_or_default(),
                        root: bounds
                            .iter()
                            .find(|r| relative_to(&path, r).is_some())
                            .cloned(),
                        path,
                        original,
                        fixed,
                    })
                })
                .collect();
            return Ok(Outcome {
                changes,
                project,
                remaining: findings,
                rounds: round,
            });
        }
    }
    Err(FixError::NoConvergence(opts.max_rounds))
}

/// Writes the changes, all or none, never outside their repository: see
/// [`super::writer`].
pub fn write(changes: &[Change]) -> Result<(), FixError> {
    Ok(super::writer::write(changes)?)
}

/// A unified diff of the changes, `a/` and `b/` prefixed. Both sides are
/// masked first ([`crate::diagnostics::redact`]: a credential span is `****`,
/// masking keeps lines), so no secret shows, as context or as a change.
pub fn diff(changes: &[Change]) -> String {
    let r = crate::diagnostics::redact::Redactor::default();
    let mut out = String::new();
    for c in changes {
        let old = r.redact(c.original.as_deref().unwrap_or(""));
        let fixed = r.redact(&c.fixed);
        let shown = crate::paths::display_path(&c.path);
        let shown = shown.trim_start_matches('/');
        let d = similar::TextDiff::from_lines(&old, &fixed);
        let from = if c.original.is_some() {
            format!("a/{shown}")
        } else {
            "/dev/null".to_string()
        };
        out.push_str(
            &d.unified_diff()
                .context_radius(3)
                .header(&from, &format!("b/{shown}"))
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::without_values;

    #[test]
    fn config_messages_lose_the_values_they_quote() {
        let file = "[build]\nsyntax = \"hunter2\"\n[rules]\nselect = [\"nope\"]\n";
        assert_eq!(
            without_values(
                "invalid type: string \"hunter2\", expected a boolean",
                file,
                "\"hunter2\""
            ),
            "invalid type: string …, expected a boolean"
        );
        // Escaped quotes inside a quoted value do not end it.
        assert_eq!(
            without_values("string \"a\\\"b\\\\\" here", file, "x"),
            "string … here"
        );
        // A backtick span is a value when the file holds its text; the
        // schema's own names stay.
        assert_eq!(
            without_values(
                "unknown rule `nope` (see `dockprep rules`)",
                file,
                "\"nope\""
            ),
            "unknown rule … (see `dockprep rules`)"
        );
        // A value holding a backtick: the message stops at its first quote.
        assert_eq!(
            without_values("unknown rule `a`b` (see `dockprep rules`)", file, "\"a`b\""),
            "unknown rule …"
        );
        // Unterminated quoting drops the rest; lines are joined.
        assert_eq!(without_values("bad \"open\nsecond", file, ""), "bad …");
        assert_eq!(
            without_values("invalid table header\nexpected `.`, `]`", file, ""),
            "invalid table header expected `.`, …"
        );
    }
}
