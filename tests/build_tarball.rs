//! `dockprep build --mode auto` with the private registry stopped: the
//! example backends build from tarballs placed into a context dockprep
//! writes, and `git status` stays clean while they build and after. One test
//! function on purpose: it stops the testbed registry's front door, so
//! nothing else in this binary may run meanwhile (test binaries run one
//! after the other). Skipped, with the reason printed, without the testbed.

use std::path::{Path, PathBuf};
use std::process::Command as Std;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

mod common;

use common::{copy_dir, dockprep, unavailable};

/// Stops the registry; starts it again when dropped (also on a failed assert).
struct RegistryDown;

impl RegistryDown {
    fn new() -> RegistryDown {
        let ok = Std::new("scripts/testbed")
            .arg("registry-stop")
            .status()
            .unwrap();
        assert!(ok.success(), "scripts/testbed registry-stop failed");
        RegistryDown
    }
}

impl Drop for RegistryDown {
    fn drop(&mut self) {
        let _ = Std::new("scripts/testbed").arg("registry-start").status();
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Std::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "git {args:?}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn backends_build_from_tarballs_with_the_registry_stopped() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED (no real engine/registry): {why}");
        return;
    }
    let docker = std::env::var("DOCKPREP_DOCKER").unwrap();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("examples/fleet"), &dir.path().join("fleet"));
    let repos: Vec<PathBuf> = ["learning_ai_peakpulse", "learning_ai_clock"]
        .iter()
        .map(|r| dir.path().join("fleet").join(r))
        .collect();
    for r in &repos {
        git(r, &["init", "-q"]);
        git(r, &["add", "-A"]);
        git(r, &["commit", "-qm", "init"]);
    }
    let _down = RegistryDown::new();

    for repo in &repos {
        let name = repo.file_name().unwrap().to_string_lossy().into_owned();
        // The registry path refuses to start: the preflight fails fast.
        let o = dockprep()
            .arg("build")
            .arg(repo)
            .args(["backend", "--mode", "registry", "--network", "host"])
            .output()
            .unwrap();
        if name == "learning_ai_clock" {
            assert_eq!(o.status.code(), Some(1));
            assert!(
                String::from_utf8_lossy(&o.stderr).contains("not building"),
                "{}",
                String::from_utf8_lossy(&o.stderr)
            );
        }

        // `git status` is watched while the build runs.
        let stop = Arc::new(AtomicBool::new(false));
        let watcher = {
            let (stop, repo) = (stop.clone(), repo.clone());
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let s = git(&repo, &["status", "--porcelain", "--ignored"]);
                    if !s.is_empty() {
                        seen.push(s);
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                seen
            })
        };
        let tag = format!("dockprep-test/tarball-{name}");
        let o = dockprep()
            .arg("build")
            .arg(repo)
            .args([
                "backend",
                "--network",
                "host",
                "--json",
                "--progress",
                "quiet",
                "-t",
                &tag,
            ])
            .output()
            .unwrap();
        stop.store(true, Ordering::Relaxed);
        let dirty = watcher.join().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            o.status.success(),
            "{name}: {err}\n{}",
            String::from_utf8_lossy(&o.stdout)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["builds"][0]["mode"], "tarball", "{name}: {err}");
        assert!(err.contains("building with tarballs instead"), "{err}");
        assert!(
            dirty.is_empty(),
            "{name}: git status during the build: {dirty:?}"
        );
        assert_eq!(git(repo, &["status", "--porcelain", "--ignored"]), "");
        assert!(!repo.join(".docker-deps").exists());

        let ls = Std::new(&docker)
            .args([
                "run",
                "--rm",
                "--network",
                "none",
                &tag,
                "ls",
                "node_modules/@bytelyst",
            ])
            .output()
            .unwrap();
        let want = if name == "learning_ai_clock" {
            "config\nlogger\ntime\n"
        } else {
            "config\nerrors\nlogger\n"
        };
        assert_eq!(String::from_utf8_lossy(&ls.stdout), want, "{name}");
    }
}
