//! `dockprep guard` (roadmap B4, gate C4): refuses commits of manifests
//! rewritten by `prep` (or `docker-prep.sh`) and of prep backups.
//!
//! What counts is the staged content (the index), not the work tree: a
//! manifest restored in the work tree but still staged rewritten is refused,
//! a rewritten work-tree manifest that is not staged is not.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::git::{self, GitError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A specifier into a `.docker-deps/` directory in a file pnpm reads
    /// specifiers from (`package.json`, `package.json5`, `package.yaml`,
    /// `pnpm-workspace.yaml`, `pnpm-lock.yaml`, `.pnpmfile.cjs`).
    Reference,
    /// A `package.json.bak` backup.
    Backup,
    /// The prep journal, `.docker-deps/.dockprep-prep.json`.
    Journal,
    /// Any other file under a `.docker-deps/` directory (tarballs).
    DockerDeps,
}

/// One staged thing that must not be committed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub kind: Kind,
    /// Relative to the top level of the work tree, `/`-separated.
    pub path: String,
    /// 1-based; 1:1 for findings about a whole file.
    pub line: usize,
    pub column: usize,
    /// The specifier for a reference, the file name otherwise.
    pub snippet: String,
}

impl Violation {
    pub fn message(&self) -> String {
        match self.kind {
            Kind::Reference => format!("{} reference", self.snippet),
            Kind::Backup => "prep backup staged".into(),
            Kind::Journal => "prep journal staged".into(),
            Kind::DockerDeps => "file under .docker-deps/ staged".into(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The top level of the work tree.
    pub root: PathBuf,
    /// How many staged files were looked at.
    pub staged: usize,
    pub violations: Vec<Violation>,
}

/// Checks what is staged in the repository containing `path`.
pub fn check(path: &Path) -> Result<Report, GitError> {
    let root = git::toplevel(path)?;
    let names = git::output(
        &root,
        [
            "diff",
            "--cached",
            "--name-only",
            "-z",
            "--diff-filter=ACMR",
        ],
    )?;
    let staged: Vec<&[u8]> = names.split(|b| *b == 0).filter(|n| !n.is_empty()).collect();
    let mut violations = Vec::new();
    for raw in &staged {
        let path = String::from_utf8_lossy(raw).into_owned();
        match classify(&path) {
            Some(Staged::Scan(format)) => {
                let blob = git::output(
                    &root,
                    ["cat-file".into(), "blob".into(), staged_object(raw)],
                )?;
                violations.extend(scan(format, &blob).into_iter().map(|r| Violation {
                    kind: Kind::Reference,
                    path: path.clone(),
                    line: r.line,
                    column: r.column,
                    snippet: r.specifier,
                }));
            }
            Some(Staged::Refused(kind)) => {
                let name = path.rsplit('/').next().unwrap_or(&path).to_string();
                violations.push(Violation {
                    kind,
                    path,
                    line: 1,
                    column: 1,
                    snippet: name,
                });
            }
            None => {}
        }
    }
    Ok(Report {
        root,
        staged: staged.len(),
        violations,
    })
}

/// `:0:<path>`, the stage-0 index entry (explicit, so that a path like
/// `1:x/package.json` is not read as a stage number).
fn staged_object(path: &[u8]) -> OsString {
    let mut spec = b":0:".to_vec();
    spec.extend_from_slice(path);
    git::path_from_bytes(&spec).into_os_string()
}

/// What the guard does with a staged path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Staged {
    /// A file pnpm reads specifiers from: scan its content.
    Scan(Format),
    /// A file prep writes: refused whatever it holds.
    Refused(Kind),
}

/// What a staged path is, if the guard cares. Names match in any case (one
/// file on a case-insensitive disk).
fn classify(path: &str) -> Option<Staged> {
    let mut parts: Vec<&str> = path.split('/').collect();
    let name = parts.pop()?;
    let deps = |p: &&str| p.eq_ignore_ascii_case(".docker-deps");
    if name.eq_ignore_ascii_case("package.json.bak") {
        return Some(Staged::Refused(Kind::Backup));
    }
    if parts.last().is_some_and(deps) && name.eq_ignore_ascii_case(".dockprep-prep.json") {
        return Some(Staged::Refused(Kind::Journal));
    }
    if parts.iter().any(deps) {
        return Some(Staged::Refused(Kind::DockerDeps));
    }
    Format::of(name).map(Staged::Scan)
}

use crate::syntax::prep_rewrites::{scan, Format};

/// The roadmap's B4 message, adapted: which restore to run.
pub fn error_message(root: &Path) -> String {
    let script = if root.join("scripts/docker-prep.sh").is_file() {
        " (or `scripts/docker-prep.sh --restore`)"
    } else {
        ""
    };
    format!("ERROR: rewritten package.json detected. Run `dockprep restore`{script} first.")
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::syntax::prep_rewrites::scan_manifest;

    fn refs(text: &[u8]) -> Vec<(usize, usize, String)> {
        scan_manifest(text)
            .into_iter()
            .map(|r| (r.line, r.column, r.specifier))
            .collect()
    }

    #[test]
    fn finds_references_with_line_and_column() {
        let text = "{\n  \"dependencies\": {\n    \"@bytelyst/config\": \"file:../.docker-deps/bytelyst-config-1.4.0.tgz\",\n    \"express\": \"^4.21.2\"\n  },\n  \"pnpm\": {\"overrides\": {\"@bytelyst/db\": \"file:./.docker-deps/db.tgz\"}}\n}\n";
        assert_eq!(
            refs(text.as_bytes()),
            vec![
                (
                    3,
                    26,
                    "file:../.docker-deps/bytelyst-config-1.4.0.tgz".to_string()
                ),
                (6, 43, "file:./.docker-deps/db.tgz".to_string()),
            ]
        );
    }

    #[test]
    fn any_depth_and_only_docker_deps_components() {
        let hit = |s: &str| !scan_manifest(format!("{{\"a\": \"{s}\"}}").as_bytes()).is_empty();
        assert!(hit("file:../../.docker-deps/x.tgz"));
        assert!(hit("file:.docker-deps/x.tgz"));
        assert!(hit("FILE:../.docker-deps/x.tgz"));
        assert!(hit("file:..\\/.docker-deps\\/x.tgz"));
        assert!(hit("file:///abs/.docker-deps/x.tgz"));
        assert!(!hit("file:../my.docker-deps/x.tgz"));
        assert!(!hit("file:../.docker-deps-old/x.tgz"));
        assert!(!hit("file:../packages/config"));
        assert!(hit("link:../.docker-deps/x"));
        assert!(hit("../.docker-deps/x.tgz"));
        assert!(!hit(".docker-deps/x.tgz"));
        // Not a specifier: `file:` inside a longer string.
        assert!(!hit("see file:../.docker-deps/x.tgz"));
    }

    #[test]
    fn scans_text_that_is_not_json() {
        let text = b"{ \"dependencies\": { \"a\": \"file:../.docker-deps/a.tgz\", ,,, \n \"b\": \"file:../.docker-deps/b.tgz";
        assert_eq!(
            refs(text),
            vec![
                (1, 27, "file:../.docker-deps/a.tgz".into()),
                (2, 8, "file:../.docker-deps/b.tgz".into()),
            ]
        );
    }

    #[test]
    fn scans_text_that_is_not_utf8() {
        let mut text = b"{\"d\": \"\xff\xfe\", \"a\": \"file:../.docker-deps/a\xe9.tgz\"}".to_vec();
        text.extend_from_slice(b"\n\xc3");
        let r = refs(&text);
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].0, r[0].1), (1, 19));
        assert!(r[0].2.starts_with("file:../.docker-deps/a"));
    }

    #[test]
    fn long_specifiers_are_cut() {
        let long = format!("{{\"a\": \"file:../.docker-deps/{}é\"}}", "x".repeat(500));
        let r = scan_manifest(long.as_bytes());
        assert!(r[0].specifier.len() <= 200 + "…".len());
        assert!(r[0].specifier.ends_with('…'));
    }

    #[test]
    fn nothing_to_find_in_odd_input() {
        for t in [
            &b""[..],
            b"\"",
            b"\"file:",
            b"\"file:\n",
            b"\xff\"file:.docker-deps",
        ] {
            let _ = scan_manifest(t);
        }
        assert_eq!(refs(b"\"file:.docker-deps").len(), 1);
    }

    #[test]
    fn classifies_staged_paths() {
        let scan = |f| Some(Staged::Scan(f));
        let refused = |k| Some(Staged::Refused(k));
        assert_eq!(classify("package.json"), scan(Format::Json));
        assert_eq!(classify("apps/api/Package.JSON"), scan(Format::Json));
        assert_eq!(classify("pnpm-workspace.yaml"), scan(Format::Yaml));
        assert_eq!(classify("a/.pnpmfile.cjs"), scan(Format::Js));
        assert_eq!(classify("apps/api/package.json.bak"), refused(Kind::Backup));
        assert_eq!(
            classify(".docker-deps/.dockprep-prep.json"),
            refused(Kind::Journal)
        );
        assert_eq!(
            classify("web/.Docker-Deps/bytelyst-config-1.4.0.tgz"),
            refused(Kind::DockerDeps)
        );
        assert_eq!(classify("src/package.json.orig"), None);
        assert_eq!(classify("README.md"), None);
    }
}
