//! `dockprep pack` against the real pnpm: the manifest in each tarball equals
//! what `pnpm pack` writes, the tarballs are byte-identical across runs, and
//! they install with `pnpm install` from a directory of `file:` references.
//! Skipped, with the reason printed, when npx/pnpm cannot run here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::copy_dir;
use dockprep::pack::packer::{pack_workspace, PackOptions};

const WS: &str = "examples/fleet/learning_ai_common_plat";
const PNPM: &str = "pnpm@10.6.5";

fn pnpm(dir: &Path, args: &[&str]) -> Option<std::process::Output> {
    let out = Command::new("npx")
        .args(["-y", PNPM])
        .args(args)
        .current_dir(dir)
        .env("NODE_EXTRA_CA_CERTS", "/etc/ssl/certs/ca-certificates.crt")
        .env("COREPACK_ENABLE_STRICT", "0")
        .output()
        .ok()?;
    Some(out)
}

/// `package/package.json` of a tarball, parsed.
fn manifest_in(tgz: &Path) -> serde_json::Value {
    let f = std::fs::File::open(tgz).unwrap();
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(f));
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        if e.path().unwrap().to_string_lossy() == "package/package.json" {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut e, &mut s).unwrap();
            return serde_json::from_str(&s).unwrap();
        }
    }
    panic!("no package.json in {}", tgz.display());
}

#[test]
fn manifests_match_pnpm_pack_and_tarballs_install() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    copy_dir(Path::new(WS), &ws);
    // pnpm pack rewrites workspace: links only after an install of the workspace.
    let Some(out) = pnpm(&ws, &["install", "--ignore-scripts", "--frozen-lockfile"]) else {
        eprintln!("SKIPPED: npx cannot run here");
        return;
    };
    if !out.status.success() {
        eprintln!(
            "SKIPPED: `pnpm install` of the example workspace failed (no registry?): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let pnpm_out = dir.path().join("pnpm-out");
    std::fs::create_dir_all(&pnpm_out).unwrap();
    let o = pnpm(
        &ws,
        &[
            "-r",
            "--filter",
            "./packages/*",
            "exec",
            "pnpm",
            "pack",
            "--pack-destination",
            pnpm_out.to_str().unwrap(),
        ],
    )
    .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let ours = dir.path().join("ours");
    let packed = pack_workspace(&PackOptions {
        workspace: PathBuf::from(WS),
        out: ours.clone(),
        filter: None,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(packed.len(), 17);
    let mut theirs: BTreeMap<String, PathBuf> = BTreeMap::new();
    for e in std::fs::read_dir(&pnpm_out).unwrap().flatten() {
        theirs.insert(e.file_name().to_string_lossy().into_owned(), e.path());
    }
    for p in &packed {
        let name = p
            .tarball
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let t = theirs
            .get(&name)
            .unwrap_or_else(|| panic!("pnpm made no {name}: {theirs:?}"));
        assert_eq!(manifest_in(&p.tarball), manifest_in(t), "{}", p.name);
    }

    // Deterministic: a fresh pack gives the same bytes.
    let again = dir.path().join("again");
    let packed2 = pack_workspace(&PackOptions {
        workspace: PathBuf::from(WS),
        out: again,
        filter: None,
        ..Default::default()
    })
    .unwrap();
    for (a, b) in packed.iter().zip(&packed2) {
        assert_eq!(a.integrity, b.integrity, "{}", a.name);
        assert_eq!(
            std::fs::read(&a.tarball).unwrap(),
            std::fs::read(&b.tarball).unwrap()
        );
    }

    // They install from `file:` references (with overrides for the transitive ones).
    let app = dir.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    let deps: serde_json::Map<String, serde_json::Value> = packed
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                serde_json::Value::String(format!("file:{}", p.tarball.display())),
            )
        })
        .collect();
    let manifest = serde_json::json!({"name": "app", "version": "1.0.0", "private": true,
        "dependencies": {"@bytelyst/auth": deps["@bytelyst/auth"].clone(), "@bytelyst/cli": deps["@bytelyst/cli"].clone()},
        "pnpm": {"overrides": deps}});
    std::fs::write(
        app.join("package.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    let o = pnpm(&app, &["install", "--ignore-scripts", "--lockfile=false"]).unwrap();
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let probe = Command::new("node")
        .args(["-e", "import('@bytelyst/auth').then(m => console.log(Object.keys(m).length > 0 ? 'ok' : 'empty'))"])
        .current_dir(&app)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&probe.stdout).trim(),
        "ok",
        "{}",
        String::from_utf8_lossy(&probe.stderr)
    );
}
