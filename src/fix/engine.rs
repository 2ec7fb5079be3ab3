//! Applying fixes in rounds: load (with the fixed texts standing in for the
//! files), audit, take every fix whose edits do not overlap, apply, check the
//! result parses, repeat until nothing changes. Nothing is written here.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::diagnostics::{apply_edits, line_ending, Applicability, Edit};
use crate::paths::clean;
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
    #[error("{0}: changed on disk since it was read; not written")]
    Changed(PathBuf),
    #[error("{}:{line}:{column}: {message}; nothing was written", path.display())]
    Unreadable {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
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
            let changes = originals
                .into_iter()
                .filter_map(|(path, original)| {
                    let fixed = overlay.remove(&path)?;
                    (Some(&fixed) != original.as_ref()).then(|| Change {
                        applied: applied.remove(&path).unwrap_or_default(),
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

/// Writes the changes: each file only if it is still what was read, through a
/// temporary file and a rename (mode kept).
pub fn write(changes: &[Change]) -> Result<(), FixError> {
    for c in changes {
        let now = std::fs::read_to_string(&c.path).ok();
        if now != c.original {
            return Err(FixError::Changed(c.path.clone()));
        }
    }
    for c in changes {
        crate::fsutil::write_atomic(&c.path, c.fixed.as_bytes()).map_err(|source| {
            FixError::Io {
                path: c.path.clone(),
                source,
            }
        })?;
    }
    Ok(())
}

/// A unified diff of the changes, `a/` and `b/` prefixed.
pub fn diff(changes: &[Change]) -> String {
    let mut out = String::new();
    for c in changes {
        let old = c.original.as_deref().unwrap_or("");
        let shown = crate::paths::display_path(&c.path);
        let shown = shown.trim_start_matches('/');
        let d = similar::TextDiff::from_lines(old, &c.fixed);
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
