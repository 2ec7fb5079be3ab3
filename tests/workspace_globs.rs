//! `pnpm-workspace.yaml` `packages` patterns × one directory tree: every
//! caller of the workspace-glob engine (the audit model's workspace packages,
//! `workspace::discover` for `prune`/`lockfile`, `prep`'s source discovery)
//! finds the same member set, the expected one. When a real pnpm is on the
//! machine, `pnpm ls -r --depth -1 --json` on the same trees must agree too
//! (except where dockprep deliberately differs: links leaving the tree).
//!
//! The tree (below a temporary directory; `ws` is the workspace root):
//!
//! ```text
//! ws/package.json
//! ws/packages/{alpha,beta,core,internal}/package.json
//! ws/packages/alpha/nested/package.json
//! ws/packages/alpha/node_modules/dep/package.json
//! ws/packages/.hidden/package.json
//! ws/packages/nopkg/README.md             (no package.json)
//! ws/packages/outlink -> ../../outside/pkg (a link leaving the tree)
//! ws/apps/{web,api}/package.json
//! ws/apps/web/test/fixture/package.json
//! ws/apps/inlink -> ../packages/beta      (a link inside the tree)
//! ws/.config/tool/package.json
//! ws/node_modules/nm/package.json
//! ws/bower_components/bc/package.json
//! sib/packages/{s1,s2,.h}/package.json
//! outside/pkg/package.json
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use dockprep::paths::clean;

struct Case {
    patterns: &'static [&'static str],
    /// Members (relative to the temporary directory), the root aside.
    expected: &'static [&'static str],
    /// What pnpm finds besides (it follows links leaving the tree).
    pnpm_also: &'static [&'static str],
}

const ALL_PACKAGES: &[&str] = &[
    "ws/packages/alpha",
    "ws/packages/alpha/nested",
    "ws/packages/beta",
    "ws/packages/core",
    "ws/packages/internal",
];

const CASES: &[Case] = &[
    Case {
        patterns: &["packages/*"],
        expected: &[
            "ws/packages/alpha",
            "ws/packages/beta",
            "ws/packages/core",
            "ws/packages/internal",
        ],
        pnpm_also: &["ws/packages/outlink"],
    },
    Case {
        patterns: &["packages/[ab]*"],
        expected: &["ws/packages/alpha", "ws/packages/beta"],
        pnpm_also: &[],
    },
    Case {
        patterns: &["packages/{alpha,core}", "apps/{web,api}"],
        expected: &[
            "ws/apps/api",
            "ws/apps/web",
            "ws/packages/alpha",
            "ws/packages/core",
        ],
        pnpm_also: &[],
    },
    Case {
        patterns: &["{packages/beta,apps/w*}"],
        expected: &["ws/apps/web", "ws/packages/beta"],
        pnpm_also: &[],
    },
    Case {
        patterns: &["**"],
        expected: &[
            "ws/apps/api",
            "ws/apps/inlink",
            "ws/apps/web",
            "ws/apps/web/test/fixture",
            "ws/packages/alpha",
            "ws/packages/alpha/nested",
            "ws/packages/beta",
            "ws/packages/core",
            "ws/packages/internal",
        ],
        pnpm_also: &["ws/packages/outlink"],
    },
    Case {
        patterns: &["packages/**", "!packages/internal"],
        expected: &[
            "ws/packages/alpha",
            "ws/packages/alpha/nested",
            "ws/packages/beta",
            "ws/packages/core",
        ],
        pnpm_also: &["ws/packages/outlink"],
    },
    Case {
        patterns: &["!packages/alpha", "packages/*", "!**/internal"],
        expected: &["ws/packages/beta", "ws/packages/core"],
        pnpm_also: &["ws/packages/outlink"],
    },
    Case {
        patterns: &["../sib/packages/*", "apps/*"],
        expected: &[
            "sib/packages/s1",
            "sib/packages/s2",
            "ws/apps/api",
            "ws/apps/inlink",
            "ws/apps/web",
        ],
        pnpm_also: &[],
    },
    Case {
        patterns: &["packages/.*", ".config/*"],
        expected: &["ws/.config/tool", "ws/packages/.hidden"],
        pnpm_also: &[],
    },
    Case {
        patterns: &[
            "node_modules/*",
            "packages/alpha/node_modules/*",
            "bower_components/*",
        ],
        expected: &[],
        pnpm_also: &[],
    },
    Case {
        patterns: &["packages/nopkg", "packages/alpha", "packages/missing"],
        expected: &["ws/packages/alpha"],
        pnpm_also: &[],
    },
    Case {
        patterns: &["./apps/*/", "!apps/inlink"],
        expected: &["ws/apps/api", "ws/apps/web"],
        pnpm_also: &[],
    },
    Case {
        patterns: &["**/nested", "apps/**/fixture"],
        expected: &["ws/apps/web/test/fixture", "ws/packages/alpha/nested"],
        pnpm_also: &[],
    },
    Case {
        patterns: &["packages/?ore", "packages/*/nested"],
        expected: &["ws/packages/alpha/nested", "ws/packages/core"],
        pnpm_also: &[],
    },
];

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Builds the tree; returns the (canonical) temporary directory.
fn tree(tmp: &Path) -> PathBuf {
    let top = std::fs::canonicalize(tmp).unwrap();
    let manifests = [
        "ws",
        "ws/packages/alpha",
        "ws/packages/alpha/nested",
        "ws/packages/alpha/node_modules/dep",
        "ws/packages/beta",
        "ws/packages/core",
        "ws/packages/internal",
        "ws/packages/.hidden",
        "ws/apps/web",
        "ws/apps/api",
        "ws/apps/web/test/fixture",
        "ws/.config/tool",
        "ws/node_modules/nm",
        "ws/bower_components/bc",
        "sib/packages/s1",
        "sib/packages/s2",
        "sib/packages/.h",
        "outside/pkg",
    ];
    for m in manifests {
        let name = format!("@t/{}", m.replace(['/', '.'], "-"));
        write(
            &top.join(m).join("package.json"),
            &format!("{{\"name\": \"{name}\", \"version\": \"1.0.0\"}}\n"),
        );
    }
    write(&top.join("ws/packages/nopkg/README.md"), "no manifest\n");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("../../outside/pkg", top.join("ws/packages/outlink")).unwrap();
        std::os::unix::fs::symlink("../packages/beta", top.join("ws/apps/inlink")).unwrap();
    }
    top
}

fn set_patterns(top: &Path, patterns: &[&str]) {
    let mut y = String::from("packages:\n");
    for p in patterns {
        y.push_str(&format!("  - \"{p}\"\n"));
    }
    write(&top.join("ws/pnpm-workspace.yaml"), &y);
}

/// `dir` relative to `top`, `/`-separated; `None` for the workspace root.
fn rel(top: &Path, dir: &Path) -> Option<String> {
    let d = clean(dir);
    let r = d.strip_prefix(top).ok()?;
    let s = dockprep::paths::slash(r);
    (s != "ws").then_some(s)
}

fn audit_members(top: &Path) -> BTreeSet<String> {
    let ws = top.join("ws");
    let p = dockprep::project::load(
        std::slice::from_ref(&ws),
        &dockprep::project::Options::default(),
    )
    .unwrap();
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let w = p
        .workspaces
        .iter()
        .position(|w| w.path == ws.join("pnpm-workspace.yaml"))
        .expect("the workspace is loaded");
    p.workspace_packages
        .iter()
        .filter(|m| m.workspace == w)
        .filter_map(|m| rel(top, &m.dir))
        .collect()
}

fn discover_members(top: &Path) -> BTreeSet<String> {
    let root = top.join("ws");
    let text = std::fs::read_to_string(root.join("pnpm-workspace.yaml")).unwrap();
    let ws = dockprep::syntax::pnpm_workspace::Workspace::parse(&text).unwrap();
    dockprep::workspace::discover::workspace_packages(&root, &ws, &[])
        .unwrap()
        .into_iter()
        .filter_map(|p| rel(top, &root.join(&p.dir)))
        .collect()
}

fn prep_members(top: &Path) -> BTreeSet<String> {
    let ws = top.join("ws");
    let p = dockprep::prep::plan::sources(&dockprep::prep::plan::PlanOptions {
        root: ws.clone(),
        ..Default::default()
    })
    .unwrap();
    let w = p
        .workspaces
        .iter()
        .position(|w| w.path == ws.join("pnpm-workspace.yaml"))
        .expect("the workspace is loaded");
    p.workspace_packages
        .iter()
        .filter(|m| m.workspace == w)
        .filter_map(|m| rel(top, &m.dir))
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[cfg(unix)]
#[test]
fn every_caller_finds_the_same_members() {
    let tmp = tempfile::tempdir().unwrap();
    let top = tree(tmp.path());
    let mut failures = Vec::new();
    for c in CASES {
        set_patterns(&top, c.patterns);
        let want = set(c.expected);
        for (who, got) in [
            ("audit", audit_members(&top)),
            ("workspace::discover", discover_members(&top)),
            ("prep", prep_members(&top)),
        ] {
            if got != want {
                failures.push(format!(
                    "{:?}: {who} found {got:?}, expected {want:?}",
                    c.patterns
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The table reaches every kind of package directory.
    let covered: BTreeSet<&str> = CASES
        .iter()
        .flat_map(|c| c.expected.iter().copied())
        .collect();
    assert!(ALL_PACKAGES.iter().all(|p| covered.contains(p)));
}

/// The pnpm to compare with: `DOCKPREP_PNPM`, the one `scripts/pnpm-accepts
/// --install` put in its cache, or one on the `PATH`.
fn pnpm() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DOCKPREP_PNPM") {
        return Some(PathBuf::from(p));
    }
    let cache = std::env::var_os("DOCKPREP_TOOLS_CACHE")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME").map(|x| PathBuf::from(x).join("dockprep-bench"))
        })
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/dockprep-bench"))
        });
    if let Some(c) = cache {
        let p = c.join("pnpm-10.6.5/node_modules/.bin/pnpm");
        if p.is_file() {
            return Some(p);
        }
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("pnpm"))
        .find(|p| p.is_file())
}

fn pnpm_members(pnpm: &Path, top: &Path) -> Result<BTreeSet<String>, String> {
    let out = Command::new(pnpm)
        .args(["ls", "-r", "--depth", "-1", "--json"])
        .current_dir(top.join("ws"))
        .env("npm_config_update_notifier", "false")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("{e}: not JSON"))?;
    Ok(v.as_array()
        .ok_or("not an array")?
        .iter()
        .filter_map(|p| p.get("path")?.as_str().map(PathBuf::from))
        .filter_map(|d| rel(top, &d))
        .collect())
}

#[cfg(unix)]
#[test]
fn pnpm_finds_the_same_members() {
    let Some(pnpm) = pnpm() else {
        eprintln!("SKIPPED: no pnpm (set DOCKPREP_PNPM or run scripts/pnpm-accepts --install)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let top = tree(tmp.path());
    set_patterns(&top, &["packages/*"]);
    if let Err(e) = pnpm_members(&pnpm, &top) {
        eprintln!("SKIPPED: {} cannot run here: {e}", pnpm.display());
        return;
    }
    let mut failures = Vec::new();
    for c in CASES {
        set_patterns(&top, c.patterns);
        let want: BTreeSet<String> = set(c.expected)
            .into_iter()
            .chain(set(c.pnpm_also))
            .collect();
        match pnpm_members(&pnpm, &top) {
            Ok(got) if got == want => {}
            Ok(got) => failures.push(format!(
                "{:?}: pnpm found {got:?}, dockprep {want:?} (+ links leaving the tree)",
                c.patterns
            )),
            Err(e) => failures.push(format!("{:?}: pnpm failed: {e}", c.patterns)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
