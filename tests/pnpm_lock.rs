//! The pnpm lockfile model against real lockfiles: the three monorepos of
//! `../shared/data/monorepos` (and every other lockfile they hold) and the
//! v6/v9 fixtures generated with pnpm 8 and 10.

mod common;

use dockprep::syntax::pnpm_lock::{LockVersion, Lockfile};
use std::path::{Path, PathBuf};

fn lockfiles_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            lockfiles_under(&p, out);
        } else if p.file_name().is_some_and(|n| {
            n == "pnpm-lock.yaml"
                || n.to_string_lossy().ends_with(".yaml")
                    && p.to_string_lossy().contains("fixtures/pnpm-lock")
        }) {
            out.push(p);
        }
    }
}

/// Reads, writes unchanged, and also writes from values alone (every source
/// text forgotten): both must give back the file byte for byte. With
/// `pnpm_layout` false (hand-written test fixtures), the text written from
/// values alone must only read back as the same lockfile.
fn check_round_trip(path: &Path) -> Result<LockVersion, String> {
    round_trip(path, true)
}

fn round_trip(path: &Path, pnpm_layout: bool) -> Result<LockVersion, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut lock =
        Lockfile::parse(&text).map_err(|e| format!("{}: {}", path.display(), e.message))?;
    let written = lock.render();
    if written != text && pnpm_layout {
        return Err(format!(
            "{}: not byte-identical:\n{}",
            path.display(),
            first_diff(&text, &written)
        ));
    }
    lock.forget_source();
    let regenerated = lock.render();
    if !pnpm_layout {
        let again = Lockfile::parse(&regenerated)
            .map_err(|e| format!("{}: {}", path.display(), e.message))?;
        let same = again.documents.len() == lock.documents.len()
            && again.documents.iter().zip(&lock.documents).all(|(a, b)| {
                dockprep::syntax::pnpm_lock::Node::Map(a.root.clone())
                    == dockprep::syntax::pnpm_lock::Node::Map(b.root.clone())
            });
        return if same {
            Ok(lock.version)
        } else {
            Err(format!("{}: values changed", path.display()))
        };
    }
    if regenerated != text {
        return Err(format!(
            "{}: pnpm's layout rules give a different text:\n{}",
            path.display(),
            first_diff(&text, &regenerated)
        ));
    }
    Ok(lock.version)
}

fn first_diff(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n- {x}\n+ {y}", i + 1);
        }
    }
    format!(
        "lengths {} vs {} lines",
        a.lines().count(),
        b.lines().count()
    )
}

#[test]
fn the_three_monorepo_lockfiles_round_trip_byte_identically() {
    let Some(dir) = common::monorepos() else {
        return;
    };
    for name in ["vuejs-core", "vitejs-vite", "pnpm-pnpm"] {
        let path = dir.join(name).join("pnpm-lock.yaml");
        assert_eq!(check_round_trip(&path).unwrap(), LockVersion::V9, "{name}");
    }
}

#[test]
fn every_lockfile_in_the_monorepos_round_trips_or_is_refused_clearly() {
    let Some(dir) = common::monorepos() else {
        return;
    };
    let mut files = Vec::new();
    lockfiles_under(&dir, &mut files);
    assert!(files.len() > 3, "{files:?}");
    let mut checked = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        match Lockfile::parse(&text) {
            Ok(_) => {
                round_trip(f, false).unwrap();
                checked += 1;
            }
            // Older formats (v5) are refused with the version in the message.
            Err(e) => assert!(
                e.message.contains("lockfileVersion") || e.message.contains("not supported"),
                "{}: {}",
                f.display(),
                e.message
            ),
        }
    }
    assert!(checked >= 3, "{checked}");
}

#[test]
fn the_v6_and_v9_fixtures_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pnpm-lock");
    let mut n = 0;
    for (file, version) in [
        ("v6-workspace.yaml", LockVersion::V6),
        ("v6-single.yaml", LockVersion::V6),
        ("v9-workspace.yaml", LockVersion::V9),
        ("v9-single.yaml", LockVersion::V9),
    ] {
        let p = dir.join(file);
        if !p.exists() {
            continue;
        }
        assert_eq!(check_round_trip(&p).unwrap(), version, "{file}");
        n += 1;
    }
    let _ = n;
}
