//! On a large model the rules run side by side (and the prefetch reads in
//! parallel): the whole fleet's audit must find
//! exactly what auditing each repository alone finds (small models, run
//! serially).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

type Key = (String, std::path::PathBuf, u64, u64, String);

fn findings(path: &Path) -> BTreeSet<Key> {
    let out = Command::new(env!("CARGO_BIN_EXE_dockprep"))
        .args(["audit", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = Path::new(f["path"].as_str().unwrap());
            (
                f["rule"].as_str().unwrap().to_string(),
                std::fs::canonicalize(p).unwrap(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_large_fleet_finds_what_its_repositories_find_alone() {
    let d = tempfile::tempdir().unwrap();
    let fleet = d.path().join("fleet");
    let gen = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen-fleet");
    let st = Command::new("python3")
        .arg(&gen)
        .arg("40")
        .arg(&fleet)
        .output()
        .expect("python3 runs scripts/gen-fleet");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let dockerfiles = walkdir_count(&fleet, "Dockerfile");
    // Above the parallel thresholds (500 files, 64 images).
    assert!(dockerfiles >= 64, "{dockerfiles} images");
    let whole = findings(&fleet);
    let mut parts = BTreeSet::new();
    for e in std::fs::read_dir(&fleet).unwrap() {
        parts.extend(findings(&e.unwrap().path()));
    }
    assert!(!whole.is_empty());
    let only_whole: Vec<_> = whole.difference(&parts).take(5).collect();
    let only_parts: Vec<_> = parts.difference(&whole).take(5).collect();
    assert!(
        only_whole.is_empty() && only_parts.is_empty(),
        "fleet only: {only_whole:?}\nalone only: {only_parts:?}"
    );
}

fn walkdir_count(dir: &Path, name: &str) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let t = e.file_type().unwrap();
        if t.is_dir() {
            n += walkdir_count(&e.path(), name);
        } else if e.file_name() == name {
            n += 1;
        }
    }
    n
}
