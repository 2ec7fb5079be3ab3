//! `dockprep prep` / `restore`: the rewrite, its journal, crash safety (a
//! hook kills prep with no cleanup after each write step in turn), signals,
//! `--force`, `--dry-run`, `--strip-overrides`, the run mode, and restoring
//! `docker-prep.sh`'s backups; checked byte for byte and with real `git status`.
//! The last test builds on the real engine with the registry unreachable.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command as Std;

mod common;

use common::{copy_dir, dockprep, unavailable};

/// Every file and directory under `dir` except `.git`: path → (mode, bytes or link target).
fn snapshot(dir: &Path) -> BTreeMap<String, (u32, Vec<u8>)> {
    use std::os::unix::fs::PermissionsExt;
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, (u32, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.file_name() == ".git" {
                continue;
            }
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let mode = m.permissions().mode();
            if m.is_symlink() {
                let t = std::fs::read_link(&p).unwrap();
                out.insert(rel, (mode, t.to_string_lossy().as_bytes().to_vec()));
            } else if m.is_dir() {
                out.insert(format!("{rel}/"), (mode, Vec::new()));
                walk(root, &p, out);
            } else {
                out.insert(rel, (mode, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Std::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The example fleet in a temporary directory, `repo` committed in its own git repository.
fn fleet(repo: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("examples/fleet"), &dir.path().join("fleet"));
    let root = dir.path().join("fleet").join(repo);
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "init"]);
    (dir, root)
}

fn run(root: &Path, args: &[&str]) -> std::process::Output {
    dockprep().args(args).current_dir(root).output().unwrap()
}

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn assert_clean(root: &Path, before: &BTreeMap<String, (u32, Vec<u8>)>, when: &str) {
    let after = snapshot(root);
    let changed: Vec<_> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(
        changed.is_empty(),
        "{when}: not byte-identical: {changed:?}"
    );
    assert_eq!(
        git(root, &["status", "--porcelain"]),
        "",
        "{when}: git status"
    );
}

#[test]
fn prep_rewrites_and_restore_brings_back_every_byte() {
    let (_d, root) = fleet("learning_ai_peakpulse");
    let before = snapshot(&root);

    let dry = run(&root, &["prep", "--dry-run", "--json"]);
    assert!(dry.status.success(), "{}", text(&dry));
    let v: serde_json::Value = serde_json::from_slice(&dry.stdout).unwrap();
    let names: Vec<_> = v["tarballs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    // The backend's three @bytelyst deps (their own private deps are among them).
    assert_eq!(
        names,
        ["@bytelyst/config", "@bytelyst/errors", "@bytelyst/logger"]
    );
    assert_eq!(v["rewrites"][0]["path"], "backend/package.json");
    assert_clean(&root, &before, "after --dry-run");

    let o = run(&root, &["prep"]);
    assert!(o.status.success(), "{}", text(&o));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("backend/package.json")).unwrap()).unwrap();
    assert_eq!(
        m["dependencies"]["@bytelyst/config"],
        "file:../.docker-deps/bytelyst-config-1.4.0.tgz"
    );
    assert_eq!(m["dependencies"]["express"], "^4.21.2");
    assert_eq!(
        m["pnpm"]["overrides"]["@bytelyst/errors"],
        "file:../.docker-deps/bytelyst-errors-1.0.2.tgz"
    );
    assert!(root
        .join(".docker-deps/bytelyst-logger-1.2.3.tgz")
        .is_file());
    assert_eq!(
        std::fs::read(root.join("backend/package.json.bak")).unwrap(),
        before["backend/package.json"].1
    );
    assert_eq!(
        git(&root, &["status", "--porcelain"]),
        " M backend/package.json\n",
        "tarballs and backups are ignored"
    );

    // A second prep is refused (B2) and changes nothing.
    let mid = snapshot(&root);
    let again = run(&root, &["prep"]);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    assert!(text(&again).contains("previous prep is still in place"));
    assert_eq!(snapshot(&root), mid);

    // --force restores the earlier rewrite, then preps again.
    let forced = run(&root, &["prep", "--force"]);
    assert!(forced.status.success(), "{}", text(&forced));
    assert_eq!(snapshot(&root), mid, "same plan, same bytes");

    // B8: the injected overrides go, the file: dependencies stay.
    let s = run(&root, &["prep", "--strip-overrides"]);
    assert!(s.status.success(), "{}", text(&s));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("backend/package.json")).unwrap()).unwrap();
    assert!(m.get("pnpm").is_none(), "{m}");
    assert!(m["dependencies"]["@bytelyst/config"]
        .as_str()
        .unwrap()
        .starts_with("file:"));

    let r = run(&root, &["restore"]);
    assert!(r.status.success(), "{}", text(&r));
    assert_clean(&root, &before, "after restore");
    let r = run(&root, &["restore"]);
    assert!(text(&r).contains("nothing to restore"), "{}", text(&r));
}

/// Gate C3 under the worst case: prep dies (no cleanup) after each write step.
#[test]
fn a_prep_killed_after_any_step_is_undone_by_restore() {
    for existing_deps in [false, true] {
        let (_d, root) = fleet("learning_ai_clock");
        if existing_deps {
            // The F8 workaround: an empty placeholder directory, and a stale
            // tarball of the same name that prep overwrites.
            std::fs::create_dir(root.join(".docker-deps")).unwrap();
            std::fs::write(root.join(".docker-deps/.gitkeep"), "").unwrap();
            std::fs::write(root.join(".docker-deps/bytelyst-time-1.1.0.tgz"), "stale").unwrap();
        }
        let before = snapshot(&root);
        let mut step = 1;
        loop {
            let o = dockprep()
                .arg("prep")
                .env("DOCKPREP_TEST_CRASH_AFTER", step.to_string())
                .current_dir(&root)
                .output()
                .unwrap();
            if o.status.success() {
                assert!(step > 4, "prep finished after only {step} steps");
                let r = run(&root, &["restore"]);
                assert!(r.status.success(), "{}", text(&r));
                assert_clean(&root, &before, "after a complete prep");
                break;
            }
            assert!(
                o.status.code().is_none(),
                "step {step}: expected death by signal: {}",
                text(&o)
            );
            assert!(text(&o).contains(&format!("after step {step}")));
            assert_ne!(snapshot(&root), before, "step {step} wrote something");
            let r = run(&root, &["restore"]);
            assert!(r.status.success(), "step {step}: {}", text(&r));
            assert_clean(
                &root,
                &before,
                &format!(
                    "restore after death at step {step} (existing .docker-deps: {existing_deps})"
                ),
            );
            step += 1;
            assert!(step < 50);
        }
    }
}

#[test]
fn an_error_while_writing_restores_automatically_unless_keep() {
    for keep in [false, true] {
        let (_d, root) = fleet("learning_ai_peakpulse");
        // The backup cannot be written: a directory sits where it goes.
        std::fs::create_dir(root.join("backend/package.json.bak")).unwrap();
        let before = snapshot(&root);
        let mut args = vec!["prep"];
        if keep {
            args.push("--keep");
        }
        let o = run(&root, &args);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        if keep {
            assert!(text(&o).contains("--keep"), "{}", text(&o));
            assert!(root.join(".docker-deps/.dockprep-prep.json").is_file());
            std::fs::remove_dir(root.join("backend/package.json.bak")).unwrap();
            let r = run(&root, &["restore"]);
            assert!(r.status.success(), "{}", text(&r));
            std::fs::create_dir(root.join("backend/package.json.bak")).unwrap();
            assert_eq!(snapshot(&root), before);
        } else {
            assert!(text(&o).contains("restored"), "{}", text(&o));
            assert_eq!(snapshot(&root), before);
        }
    }
}

#[test]
fn signals_restore_and_the_run_mode_restores_after_the_command() {
    let (_d, root) = fleet("learning_ai_peakpulse");
    let before = snapshot(&root);

    // The command sees the rewrite; afterwards everything is back.
    let o = run(
        &root,
        &[
            "prep",
            "--",
            "sh",
            "-c",
            "grep -q 'file:../.docker-deps/' backend/package.json && exit 7",
        ],
    );
    assert_eq!(o.status.code(), Some(7), "{}", text(&o));
    assert_clean(&root, &before, "after the run mode");

    for (sig, code) in [("TERM", 143), ("INT", 130)] {
        let child = Std::new(env!("CARGO_BIN_EXE_dockprep"))
            .args(["prep", "--", "sleep", "30"])
            .current_dir(&root)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until the rewrite is in place.
        let start = std::time::Instant::now();
        while !std::fs::read_to_string(root.join("backend/package.json"))
            .unwrap()
            .contains(".docker-deps")
        {
            assert!(start.elapsed().as_secs() < 20, "prep did not rewrite");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        let k = Std::new("kill")
            .args([&format!("-{sig}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(k.success());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{}", text(&out));
        assert_clean(&root, &before, &format!("after SIG{sig}"));
    }
}

#[test]
fn restore_undoes_docker_prep_sh_backups_and_keeps_unrelated_ones() {
    let (_d, root) = fleet("learning_ai_peakpulse");
    let before = snapshot(&root);
    // What scripts/docker-prep.sh leaves: a backup and a rewritten manifest, no journal.
    let orig = std::fs::read(root.join("backend/package.json")).unwrap();
    std::fs::write(root.join("backend/package.json.bak"), &orig).unwrap();
    let rewritten = String::from_utf8(orig.clone()).unwrap().replace(
        "\"^1.4.0\"",
        "\"file:../.docker-deps/bytelyst-config-1.4.0.tgz\"",
    );
    std::fs::write(root.join("backend/package.json"), rewritten).unwrap();
    // A backup beside an untouched, different manifest is not ours to apply.
    std::fs::write(root.join("web/package.json.bak"), "{}\n").unwrap();

    let refused = run(&root, &["prep"]);
    assert_eq!(refused.status.code(), Some(1));
    let r = run(&root, &["restore"]);
    assert!(r.status.success(), "{}", text(&r));
    assert!(
        text(&r).contains("web/package.json.bak kept"),
        "{}",
        text(&r)
    );
    std::fs::remove_file(root.join("web/package.json.bak")).unwrap();
    assert_clean(&root, &before, "after restoring docker-prep.sh's backup");
}

#[test]
fn gitignore_gains_the_entries_prep_needs_as_a_lasting_change() {
    let (_d, root) = fleet("learning_ai_clock");
    std::fs::write(root.join(".gitignore"), "node_modules/\n").unwrap();
    git(&root, &["commit", "-qam", "no prep entries"]);
    let o = run(&root, &["prep"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("add to .gitignore  .docker-deps/"),
        "{}",
        text(&o)
    );
    let gi = std::fs::read_to_string(root.join(".gitignore")).unwrap();
    assert!(
        gi.starts_with("node_modules/\n") && gi.contains("\n.docker-deps/\n*.bak\n"),
        "{gi}"
    );
    assert_eq!(
        git(&root, &["status", "--porcelain"]),
        " M .gitignore\n M backend/package.json\n M web/package.json\n"
    );
    let r = run(&root, &["restore"]);
    assert!(r.status.success(), "{}", text(&r));
    assert_eq!(git(&root, &["status", "--porcelain"]), " M .gitignore\n");
}

#[test]
fn a_private_dependency_no_workspace_provides_is_an_error() {
    let (_d, root) = fleet("learning_ai_peakpulse");
    let p = root.join("backend/package.json");
    let t = std::fs::read_to_string(&p).unwrap().replace(
        "\"express\"",
        "\"@bytelyst/nowhere\": \"^1.0.0\",\n    \"express\"",
    );
    std::fs::write(&p, t).unwrap();
    let before = snapshot(&root);
    let o = run(&root, &["prep"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("backend/package.json: `@bytelyst/nowhere` is in a private scope but no workspace provides it"),
        "{}",
        text(&o)
    );
    assert_eq!(snapshot(&root), before);

    std::fs::write(
        &p,
        "{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"a\": 1,,\n  }\n}\n",
    )
    .unwrap();
    let o = run(&root, &["prep"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("backend/package.json:4:"), "{}", text(&o));
}

/// Gate C3 on the real engine: the registry unreachable, `prep -- docker build`
/// builds the backend from the tarballs and `git status` is clean afterwards.
#[test]
fn prep_run_mode_builds_with_the_registry_down() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED (no real engine/registry): {why}");
        return;
    }
    let (_d, root) = fleet("learning_ai_peakpulse");
    // This backend's `.npmrc.docker` names no private registry at all (F3),
    // so the @bytelyst packages can only come from the tarballs.
    assert!(!std::fs::read_to_string(root.join(".npmrc.docker"))
        .unwrap()
        .contains("@bytelyst:registry"));
    let before = snapshot(&root);
    let docker = std::env::var("DOCKPREP_DOCKER").unwrap();
    let o = run(
        &root,
        &[
            "prep",
            "--",
            &docker,
            "build",
            "--network",
            "host",
            "-f",
            "backend/Dockerfile",
            "-t",
            "dockprep-test/prep-peakpulse",
            ".",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_clean(&root, &before, "after prep -- docker build");
    let ls = Std::new(&docker)
        .args([
            "run",
            "--rm",
            "--network",
            "none",
            "dockprep-test/prep-peakpulse",
            "ls",
            "node_modules/@bytelyst",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ls.stdout),
        "config\nerrors\nlogger\n"
    );
}

#[test]
fn nothing_token_like_is_ever_packed() {
    let (_d, root) = fleet("learning_ai_peakpulse");
    let readme = root.join("../learning_ai_common_plat/packages/errors/README.md");
    let orig = std::fs::read_to_string(&readme).unwrap();
    let lines = orig.lines().count();
    for (leak, env) in [
        ("//npm.example/:_authToken=0123456789abcdef", None),
        (
            "the token is tok-0123456789-secret",
            Some("tok-0123456789-secret"),
        ),
    ] {
        std::fs::write(&readme, format!("{orig}{leak}\n")).unwrap();
        let before = snapshot(&root);
        let mut c = dockprep();
        c.arg("prep").current_dir(&root);
        if let Some(v) = env {
            c.env("GITEA_NPM_TOKEN", v);
        }
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let t = text(&o);
        assert!(
            t.contains(&format!("packages/errors/README.md:{}:", lines + 1))
                && t.contains("refusing to pack"),
            "{t}"
        );
        assert!(!t.contains("0123456789"), "the value is never printed: {t}");
        assert_eq!(snapshot(&root), before);
    }
}

/// `build --mode tarball` without an engine: a stand-in client receives the
/// context on stdin; it holds the rewritten manifest and the tarballs, and
/// the work tree is untouched. A `.dockerignore` that excludes
/// `.docker-deps` is refused before anything runs (A6-3).
#[test]
fn tarball_mode_hands_the_client_a_context_with_the_rewrite() {
    let (d, root) = fleet("learning_ai_peakpulse");
    let before = snapshot(&root);
    let (o, out) = common::tarball_build_with_stand_in(d.path(), &root, "backend");
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("3 private packages as tarballs"),
        "{}",
        text(&o)
    );
    let args = std::fs::read_to_string(out.join("args")).unwrap();
    assert!(
        args.starts_with("build --progress=plain -f backend/Dockerfile "),
        "{args}"
    );
    assert!(
        args.trim_end().ends_with(" -"),
        "context from stdin: {args}"
    );
    let mut files = BTreeMap::new();
    let mut ar = tar::Archive::new(std::fs::File::open(out.join("context.tar")).unwrap());
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let p = e
            .path()
            .unwrap()
            .to_string_lossy()
            .trim_start_matches("./")
            .to_string();
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut b).unwrap();
        files.insert(p, b);
    }
    let m = String::from_utf8(files["backend/package.json"].clone()).unwrap();
    assert!(
        m.contains("\"@bytelyst/config\": \"file:../.docker-deps/bytelyst-config-1.4.0.tgz\""),
        "{m}"
    );
    assert!(files.contains_key(".docker-deps/bytelyst-errors-1.0.2.tgz"));
    assert!(!files.contains_key("web/package.json.bak"));
    assert_eq!(snapshot(&root), before, "the work tree is untouched");

    std::fs::write(root.join(".dockerignore"), ".docker-deps\n").unwrap();
    let (o, _) = common::tarball_build_with_stand_in(d.path(), &root, "backend");
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("A6-3"), "{}", text(&o));
}
