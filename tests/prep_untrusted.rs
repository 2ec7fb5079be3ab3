//! `prep` and `restore` on a repository that may be hostile (issue 13): a
//! journal that arrives with the clone, symbolic links where prep writes, an
//! invalid `dockprep.toml`; and two dockprep processes at once (the lock),
//! a killed restore. Real files in temporary directories, real processes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Std, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{copy_dir, dockprep};

type Snapshot = BTreeMap<String, (u32, Vec<u8>)>;

/// Every file and directory under `dir` except `.git`: path → (mode, bytes or link target).
fn snapshot(dir: &Path) -> Snapshot {
    use std::os::unix::fs::PermissionsExt;
    fn walk(root: &Path, dir: &Path, out: &mut Snapshot) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
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
    assert!(o.status.success(), "git {args:?}: {o:?}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The example fleet in a temporary directory (with a directory `outside`
/// beside it), `repo` committed in its own git repository.
fn fleet(repo: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("examples/fleet"), &dir.path().join("fleet"));
    let root = dir.path().join("fleet").join(repo);
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "init"]);
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("victim"), "keep me\n").unwrap();
    std::fs::write(outside.join("package.json"), "{\"name\": \"elsewhere\"}\n").unwrap();
    std::fs::write(outside.join(".dockprep-tmp-x"), "keep me too\n").unwrap();
    std::fs::write(outside.join("secret"), "SECRET_TOKEN=npm_abcdef\n").unwrap();
    (dir, root, outside)
}

fn run(root: &Path, args: &[&str]) -> Output {
    dockprep().args(args).current_dir(root).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn assert_same(before: &Snapshot, after: &Snapshot, when: &str) {
    let changed: Vec<_> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(changed.is_empty(), "{when}: changed: {changed:?}");
}

fn assert_clean(root: &Path, before: &Snapshot, when: &str) {
    assert_same(before, &snapshot(root), when);
    assert_eq!(
        git(root, &["status", "--porcelain"]),
        "",
        "{when}: git status"
    );
}

fn write_journal(root: &Path, entries: &str) {
    std::fs::create_dir_all(root.join(".docker-deps")).unwrap();
    std::fs::write(
        root.join(".docker-deps/.dockprep-prep.json"),
        format!(
            r#"{{"version": 1, "tool": "dockprep 0.1.0", "created_deps_dir": true, "entries": [{entries}]}}"#
        ),
    )
    .unwrap();
}

fn entry(path: &str, role: &str, original: Option<&str>) -> String {
    let original = original.map_or("null".to_string(), |o| format!("\"{o}\""));
    format!(
        r#"{{"path": {}, "role": "{role}", "original": {original}, "written": "00"}}"#,
        serde_json::Value::String(path.into())
    )
}

/// A journal is untrusted: each of these makes `restore` and `prep --force`
/// refuse the whole journal, naming the entry, and touch no file in the
/// repository or outside it.
#[test]
fn a_hostile_journal_is_refused_whole() {
    let (_d, root, outside) = fleet("learning_ai_peakpulse");
    let out = outside.display().to_string();
    std::os::unix::fs::symlink(&outside, root.join("linked")).unwrap();
    git(&root, &["add", "linked"]);
    git(&root, &["commit", "-qm", "a link"]);
    // "cHduZWQK" is base64 of "pwned\n".
    let ok_manifest = entry("backend/package.json", "manifest", None);
    let cases: Vec<(String, &str)> = vec![
        (
            entry(&format!("{out}/planted"), "manifest", Some("cHduZWQK")),
            "absolute",
        ),
        (
            entry(&format!("{out}/victim"), "tarball", None),
            "absolute delete",
        ),
        (entry("../../outside/victim", "tarball", None), "`..`"),
        (
            entry(".docker-deps/../../../outside/victim", "tarball", None),
            "`..` after .docker-deps",
        ),
        (
            entry("linked/package.json", "manifest", None),
            "a symlinked directory",
        ),
        (
            entry("linked/package.json", "manifest", Some("cHduZWQK")),
            "a symlinked directory (write)",
        ),
        (
            entry("backend/index.js", "manifest", None),
            "not a package.json",
        ),
        (
            entry("backend/x.tgz", "tarball", None),
            "a tarball outside .docker-deps",
        ),
        (
            entry(".docker-deps/sub/x.tgz", "tarball", None),
            "a tarball below .docker-deps/",
        ),
        (
            entry(".docker-deps/.dockprep-prep.json", "tarball", None),
            "the journal as a tarball",
        ),
        (
            entry("web/package.json.bak", "backup", None),
            "a backup of no manifest",
        ),
        (entry(".git/package.json", "manifest", None), "inside .git"),
        (
            entry("./backend/package.json", "manifest", None),
            "a `.` component",
        ),
        (
            entry("backend//package.json", "manifest", None),
            "an empty component",
        ),
        (
            entry("backend\\package.json", "manifest", None),
            "a backslash",
        ),
        (entry("", "manifest", None), "empty"),
        (
            entry("backend/package.json", "manifest", Some("not base64!")),
            "bad base64",
        ),
        (format!("{ok_manifest}, {ok_manifest}"), "twice"),
        (
            format!(
                "{ok_manifest}, {}",
                entry(&format!("{out}/victim"), "tarball", None)
            ),
            "a good entry, then a bad one",
        ),
    ];
    for (entries, what) in &cases {
        write_journal(&root, entries);
        let before = snapshot(&root);
        let outside_before = snapshot(&outside);
        for args in [
            &["restore"][..],
            &["restore", "--force"],
            &["prep", "--force"],
        ] {
            let o = run(&root, args);
            assert_eq!(o.status.code(), Some(1), "{what}: {args:?}: {}", text(&o));
            assert!(
                text(&o).contains("not a journal prep wrote, so nothing was restored"),
                "{what}: {args:?}: {}",
                text(&o)
            );
            assert!(text(&o).contains("entry "), "{what}: {}", text(&o));
            assert_same(
                &before,
                &snapshot(&root),
                &format!("{what}: {args:?}: repository"),
            );
            assert_same(
                &outside_before,
                &snapshot(&outside),
                &format!("{what}: {args:?}: outside"),
            );
        }
        let o = run(&root, &["prep", "--strip-overrides"]);
        assert_eq!(o.status.code(), Some(1), "{what}: {}", text(&o));
        assert_same(
            &before,
            &snapshot(&root),
            &format!("{what}: strip-overrides"),
        );
        std::fs::remove_dir_all(root.join(".docker-deps")).unwrap();
    }
    // Not JSON, or not the shape: a typed error with the place, no content.
    for (body, what) in [
        ("{\"entries\": [", "cut short"),
        ("[1, \"SECRET\"]", "not the shape prep writes"),
    ] {
        std::fs::create_dir_all(root.join(".docker-deps")).unwrap();
        std::fs::write(root.join(".docker-deps/.dockprep-prep.json"), body).unwrap();
        let o = run(&root, &["restore"]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert!(text(&o).contains(".dockprep-prep.json:1:"), "{}", text(&o));
        assert!(text(&o).contains(what), "{}", text(&o));
        assert!(!text(&o).contains("SECRET"), "{}", text(&o));
        std::fs::remove_dir_all(root.join(".docker-deps")).unwrap();
    }
    // A journal that is a symbolic link is not read.
    std::fs::create_dir(root.join(".docker-deps")).unwrap();
    std::fs::write(
        outside.join("journal.json"),
        r#"{"version": 1, "tool": "x", "created_deps_dir": true, "entries": []}"#,
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.join("journal.json"),
        root.join(".docker-deps/.dockprep-prep.json"),
    )
    .unwrap();
    let o = run(&root, &["restore"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("a symbolic link"), "{}", text(&o));
    assert!(outside.join("journal.json").exists());
}

/// `.docker-deps` as a link to elsewhere: prep does not write through it,
/// restore does not delete through it.
#[test]
fn a_symlinked_docker_deps_is_refused() {
    let (_d, root, outside) = fleet("learning_ai_peakpulse");
    let elsewhere = outside.join("deps");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, root.join(".docker-deps")).unwrap();
    let before = snapshot(&root);
    let o = run(&root, &["prep"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains(".docker-deps: a symbolic link"),
        "{}",
        text(&o)
    );
    assert!(
        std::fs::read_dir(&elsewhere).unwrap().next().is_none(),
        "wrote through the link"
    );
    assert_same(&before, &snapshot(&root), "prep");

    // What an earlier prep through the link left there: restore leaves it.
    std::fs::write(elsewhere.join("bytelyst-config-1.4.0.tgz"), "tgz").unwrap();
    std::fs::write(
        elsewhere.join(".dockprep-prep.json"),
        format!(
            r#"{{"version": 1, "tool": "x", "created_deps_dir": true, "entries": [{}]}}"#,
            entry(".docker-deps/bytelyst-config-1.4.0.tgz", "tarball", None)
        ),
    )
    .unwrap();
    let there = snapshot(&elsewhere);
    for args in [&["restore"][..], &["prep", "--force"]] {
        let o = run(&root, args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o));
        assert!(text(&o).contains("a symbolic link"), "{}", text(&o));
        assert_same(&there, &snapshot(&elsewhere), "restore through the link");
    }
}

/// A symbolic link where prep would write a file (a manifest, a backup, the
/// `.gitignore`), or a manifest whose directory is a link out of the root:
/// prep refuses before writing anything, and reads nothing through it.
#[test]
fn prep_does_not_write_through_symbolic_links() {
    type Setup = fn(&Path, &Path);
    let cases: [(&str, Setup, &str); 5] = [
        (
            "a manifest linked outside",
            |root, outside| {
                std::fs::copy(
                    root.join("backend/package.json"),
                    outside.join("package.json"),
                )
                .unwrap();
                std::fs::remove_file(root.join("backend/package.json")).unwrap();
                std::os::unix::fs::symlink(
                    outside.join("package.json"),
                    root.join("backend/package.json"),
                )
                .unwrap();
            },
            "\"backend/package.json\": it is a symbolic link",
        ),
        (
            "a manifest linked inside",
            |root, _| {
                std::fs::rename(
                    root.join("backend/package.json"),
                    root.join("backend/real.json"),
                )
                .unwrap();
                std::os::unix::fs::symlink("real.json", root.join("backend/package.json")).unwrap();
            },
            "\"backend/package.json\": it is a symbolic link",
        ),
        (
            "a backup linked to a secret",
            |root, outside| {
                std::os::unix::fs::symlink(
                    outside.join("secret"),
                    root.join("backend/package.json.bak"),
                )
                .unwrap();
            },
            "\"backend/package.json.bak\": it is a symbolic link",
        ),
        (
            "a .gitignore linked to a secret",
            |root, outside| {
                std::fs::remove_file(root.join(".gitignore")).unwrap();
                std::os::unix::fs::symlink(outside.join("secret"), root.join(".gitignore"))
                    .unwrap();
            },
            "\".gitignore\": it is a symbolic link",
        ),
        (
            "a manifest's directory linked outside",
            |root, outside| {
                let dir = outside.join("backend");
                std::fs::rename(root.join("backend"), &dir).unwrap();
                std::os::unix::fs::symlink(&dir, root.join("backend")).unwrap();
            },
            "resolves outside the repository",
        ),
    ];
    for (what, setup, expected) in cases {
        let (_d, root, outside) = fleet("learning_ai_peakpulse");
        setup(&root, &outside);
        let before = snapshot(&root);
        let outside_before = snapshot(&outside);
        let o = run(&root, &["prep"]);
        assert_eq!(o.status.code(), Some(1), "{what}: {}", text(&o));
        // Refused by prep's own check, or earlier, by the model's
        // confinement (a manifest linked outside is never read).
        let refused = (text(&o).contains(expected)
            && text(&o).contains("prep does not write there"))
            || text(&o).contains("symlink points outside the repository")
            || text(&o).contains("path is outside the repository");
        assert!(refused, "{what}: {}", text(&o));
        assert!(!text(&o).contains("SECRET"), "{what}: {}", text(&o));
        assert_same(&before, &snapshot(&root), what);
        assert_same(&outside_before, &snapshot(&outside), what);
    }
}

/// An invalid `dockprep.toml` stops prep (it does not run on defaults); the
/// error names the place and quotes no value.
#[test]
fn an_invalid_configuration_is_fatal_for_prep() {
    let (_d, root, _) = fleet("learning_ai_peakpulse");
    for (toml, at) in [
        (
            "[prep]\nworkspaces = \"npm_SeCrEtToKeN\"\n",
            "dockprep.toml:2:14: ",
        ),
        ("[registry]\nhost = 12345678\n", "dockprep.toml:2:8: "),
        (
            "[prep]\nworkspaces = [\"../x\"]\ntoken = \"npm_SeCrEtToKeN\"\n",
            "dockprep.toml:3:1: ",
        ),
        ("[prep\n", "dockprep.toml:1:"),
    ] {
        std::fs::write(root.join("dockprep.toml"), toml).unwrap();
        let before = snapshot(&root);
        for args in [&["prep"][..], &["prep", "--dry-run"]] {
            let o = run(&root, args);
            assert_eq!(o.status.code(), Some(1), "{toml}: {}", text(&o));
            let t = text(&o);
            assert!(t.contains(at), "{toml}: {t}");
            assert!(t.contains("invalid dockprep.toml"), "{toml}: {t}");
            for value in ["SeCrEt", "12345678"] {
                assert!(!t.contains(value), "{toml}: quotes a value: {t}");
            }
            assert_same(&before, &snapshot(&root), toml);
        }
    }
}

/// A dockprep run with the debug build's pause point: stops after write step
/// `step` (0: all checked, nothing written) until [`Paused::go`].
struct Paused {
    child: Child,
    go: PathBuf,
}

impl Paused {
    fn start(root: &Path, args: &[&str], step: usize, kind: &str) -> Paused {
        let go = root
            .parent()
            .unwrap()
            .join(format!("go-{}", std::process::id()));
        let _ = std::fs::remove_file(&go);
        let marker = PathBuf::from(format!("{}.paused", go.display()));
        let _ = std::fs::remove_file(&marker);
        let child = Std::new(env!("CARGO_BIN_EXE_dockprep"))
            .args(args)
            .current_dir(root)
            .env(format!("DOCKPREP_TEST_PAUSE_{kind}AFTER"), step.to_string())
            .env("DOCKPREP_TEST_PAUSE_FILE", &go)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while !marker.exists() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "never reached step {step}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Paused { child, go }
    }

    fn go(self) -> Output {
        std::fs::write(&self.go, "").unwrap();
        self.child.wait_with_output().unwrap()
    }
}

fn spawn(root: &Path, args: &[&str]) -> Child {
    Std::new(env!("CARGO_BIN_EXE_dockprep"))
        .args(args)
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Still running after a while (waiting for the lock).
fn assert_waits(c: &mut Child, what: &str) {
    std::thread::sleep(Duration::from_millis(700));
    assert!(c.try_wait().unwrap().is_none(), "{what} did not wait");
}

/// Two preps at once: the second waits for the first, then sees its rewrite
/// and refuses; one restore then brings back every byte.
#[test]
fn a_second_prep_waits_and_then_sees_the_first() {
    let (_d, root, _) = fleet("learning_ai_peakpulse");
    let before = snapshot(&root);
    // The first has checked the repository and written nothing yet.
    let first = Paused::start(&root, &["prep"], 0, "");
    let mut second = spawn(&root, &["prep"]);
    assert_waits(&mut second, "the second prep");
    let o = first.go();
    assert!(o.status.success(), "{}", text(&o));
    let o = second.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("waiting for another dockprep prep or restore"),
        "{t}"
    );
    assert!(t.contains("a previous prep is still in place"), "{t}");
    let r = run(&root, &["restore"]);
    assert!(r.status.success(), "{}", text(&r));
    assert_clean(&root, &before, "after restore");
}

/// A restore during a prep waits for it: it never undoes half a prep that
/// then goes on writing (a rewritten manifest with no backup or journal).
#[test]
fn a_restore_during_a_prep_waits_for_it() {
    let (_d, root, _) = fleet("learning_ai_peakpulse");
    let before = snapshot(&root);
    // Journal, three tarballs and the backup written; the manifest not yet.
    let prep = Paused::start(&root, &["prep"], 5, "");
    let mut restore = spawn(&root, &["restore"]);
    assert_waits(&mut restore, "restore");
    let o = prep.go();
    assert!(o.status.success(), "{}", text(&o));
    let o = restore.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("restored  backend/package.json"),
        "{}",
        text(&o)
    );
    assert_clean(&root, &before, "after the restore that waited");
}

/// `--no-wait` fails at once while another run holds the repository, and
/// `prep -- COMMAND` holds it while COMMAND runs; nothing changes meanwhile.
#[test]
fn no_wait_fails_at_once_while_prep_runs_its_command() {
    let (_d, root, _) = fleet("learning_ai_peakpulse");
    let before = snapshot(&root);
    let go = root.parent().unwrap().join("go-command");
    let started = root.parent().unwrap().join("started");
    // At most a minute, so a failed test leaves no process behind.
    let script = format!(
        "touch '{}'; i=0; while [ ! -e '{}' ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done",
        started.display(),
        go.display()
    );
    let prep = spawn(&root, &["prep", "--", "sh", "-c", &script]);
    let start = Instant::now();
    while !started.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the command never ran"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let during = snapshot(&root);
    for args in [
        &["restore", "--no-wait"][..],
        &["prep", "--no-wait"],
        &["prep", "--no-wait", "--force"],
        &["prep", "--no-wait", "--strip-overrides"],
    ] {
        let t = Instant::now();
        let o = run(&root, args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o));
        assert!(
            text(&o).contains("another dockprep prep or restore is running in this repository"),
            "{args:?}: {}",
            text(&o)
        );
        assert!(t.elapsed() < Duration::from_secs(10));
        assert_same(&during, &snapshot(&root), &format!("{args:?}"));
    }
    // A waiting restore runs after the command's own restore: nothing left.
    let mut restore = spawn(&root, &["restore"]);
    assert_waits(&mut restore, "restore");
    std::fs::write(&go, "").unwrap();
    let o = prep.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let o = restore.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("nothing to restore"), "{}", text(&o));
    assert_clean(&root, &before, "after the run mode");
}

/// A restore killed after any of its steps: a second restore finishes the
/// job, an empty `.docker-deps/` left behind included.
#[test]
fn a_restore_killed_after_any_step_is_finished_by_the_next() {
    for existing_deps in [false, true] {
        let (_d, root, _) = fleet("learning_ai_clock");
        if existing_deps {
            std::fs::create_dir(root.join(".docker-deps")).unwrap();
            std::fs::write(root.join(".docker-deps/.gitkeep"), "").unwrap();
        }
        let before = snapshot(&root);
        let mut step = 1;
        loop {
            let o = run(&root, &["prep"]);
            assert!(o.status.success(), "{}", text(&o));
            let o = dockprep()
                .arg("restore")
                .env("DOCKPREP_TEST_CRASH_RESTORE_AFTER", step.to_string())
                .current_dir(&root)
                .output()
                .unwrap();
            if o.status.success() {
                assert!(step > 3, "restore finished after only {step} steps");
                assert_clean(&root, &before, "a complete restore");
                break;
            }
            assert!(o.status.code().is_none(), "step {step}: {}", text(&o));
            assert!(
                text(&o).contains(&format!("after step {step}")),
                "{}",
                text(&o)
            );
            let r = run(&root, &["restore"]);
            assert!(r.status.success(), "step {step}: {}", text(&r));
            assert_clean(
                &root,
                &before,
                &format!("restore after a restore died at step {step} (existing .docker-deps: {existing_deps})"),
            );
            step += 1;
            assert!(step < 50);
        }
    }
}

/// The leftover itself: an empty `.docker-deps/` with no journal goes; one
/// holding files prep did not write stays.
#[test]
fn restore_removes_an_empty_docker_deps_only() {
    let (_d, root, _) = fleet("learning_ai_clock");
    let before = snapshot(&root);
    std::fs::create_dir(root.join(".docker-deps")).unwrap();
    let o = run(&root, &["restore"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("removed   .docker-deps/"), "{}", text(&o));
    assert_clean(&root, &before, "empty leftover");
    std::fs::create_dir(root.join(".docker-deps")).unwrap();
    std::fs::write(root.join(".docker-deps/mine.tgz"), "x").unwrap();
    let o = run(&root, &["restore"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(root.join(".docker-deps/mine.tgz").is_file());
}

/// The tarball's file name comes from a workspace's manifest: a version
/// with `/../` in it (with the directory it climbs from committed in the
/// repository) does not put a tarball outside `.docker-deps/`.
#[test]
fn a_hostile_version_names_no_tarball_outside() {
    let (d, root, _) = fleet("learning_ai_peakpulse");
    let m = d
        .path()
        .join("fleet/learning_ai_common_plat/packages/config/package.json");
    let manifest = std::fs::read_to_string(&m).unwrap();
    std::fs::write(
        &m,
        manifest.replace(
            "\"version\": \"1.4.0\"",
            "\"version\": \"1.4.0/../../../../../evil\"",
        ),
    )
    .unwrap();
    std::fs::create_dir_all(root.join(".docker-deps/bytelyst-config-1.4.0")).unwrap();
    std::fs::write(root.join(".docker-deps/bytelyst-config-1.4.0/.keep"), "").unwrap();
    let before = snapshot(d.path());
    for args in [&["prep"][..], &["prep", "--dry-run"]] {
        let o = run(&root, args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o));
        // Refused where the version is read (pack's semver check; prep's own
        // check of the tarball name stands behind it).
        assert!(
            text(&o).contains("is not a valid semver version")
                || text(&o).contains("not one file in .docker-deps/"),
            "{}",
            text(&o)
        );
        assert_same(&before, &snapshot(d.path()), &format!("{args:?}"));
    }
}
