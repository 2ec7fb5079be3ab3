//! `dockprep fix` on a repository that may be hostile: what it cannot read
//! stops it (reported as `audit` reports it), an invalid `dockprep.toml` is
//! fatal without quoting its values, a multi-file fix is all or nothing, and
//! nothing is written through a symlink that leaves the repository.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use dockprep::fix::engine::{self, Change};
use dockprep::fix::writer;

fn dockprep() -> Command {
    let mut c = Command::cargo_bin("dockprep").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// Every regular file below `dir` (symlinks as their target text), by path.
fn snapshot(dir: &Path) -> Vec<(PathBuf, String, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        for e in entries {
            let ft = e.file_type().unwrap();
            let p = e.path();
            if ft.is_symlink() {
                let to = std::fs::read_link(&p).unwrap();
                out.push((p, format!("-> {}", to.display()), None));
            } else if ft.is_dir() {
                out.push((p.clone(), "dir".into(), None));
                stack.push(p);
            } else {
                let mode = e.metadata().unwrap().permissions().mode() & 0o7777;
                out.push((
                    p.clone(),
                    format!("{mode:o}"),
                    Some(std::fs::read(&p).unwrap()),
                ));
            }
        }
    }
    out
}

const IGNORE: &str =
    "node_modules\n**/node_modules\ndist\n.next\n*.log\n.env\n.env.*\n.git\n*.bak\n";
/// A Dockerfile the safe `store-cache-mount-missing` fix changes.
const UNCACHED: &str = "FROM node:22-alpine\nCOPY package.json ./\nRUN pnpm install\n";

fn outputs(o: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The `error: …` block of audit's human report (before its summary line).
fn errors_block(stdout: &str) -> String {
    let start = if stdout.starts_with("error: ") {
        0
    } else {
        stdout.find("\nerror: ").expect("an errors block") + 1
    };
    let body = stdout.trim_end_matches('\n');
    let end = body.rfind('\n').map_or(body.len(), |i| i + 1);
    stdout[start..end].to_string()
}

// ---------------------------------------------------------------------
// Item 6: what `fix` cannot read.

/// Two services share the context `.`; `api/Dockerfile` is Latin-1 (BuildKit
/// builds it, dockprep cannot read it) and copies `dist`. A fix computed
/// without it would exclude `dist` in the shared `.dockerignore` and break
/// the api image.
fn shared_context_with_an_unreadable_dockerfile(r: &Path) {
    write(r, "package.json", br#"{"name":"a"}"#);
    write(r, "dockprep.toml", b"[build]\nsyntax = false\n");
    write(
        r,
        ".dockerignore",
        b"node_modules\n**/node_modules\n.next\n*.log\n.env\n.env.*\n.git\n*.bak\n",
    );
    write(
        r,
        "web/Dockerfile",
        b"FROM node:22-alpine\nCOPY package.json ./\nRUN echo hi\n",
    );
    write(
        r,
        "api/Dockerfile",
        b"# Auteur: Jos\xe9\nFROM node:22-alpine\nCOPY dist ./dist\n",
    );
    write(
        r,
        "compose.yaml",
        b"services:\n  web:\n    build:\n      context: .\n      dockerfile: web/Dockerfile\n  api:\n    build:\n      context: .\n      dockerfile: api/Dockerfile\n",
    );
}

#[test]
fn fix_reports_unreadable_files_as_audit_does_and_writes_nothing() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    shared_context_with_an_unreadable_dockerfile(r);
    let before = snapshot(r);

    let audit = dockprep().arg("audit").arg(r).output().unwrap();
    let audit_errors = errors_block(&outputs(&audit).0);
    assert!(audit_errors.contains("api/Dockerfile"), "{audit_errors}");

    let out = dockprep().arg("fix").arg(r).output().unwrap();
    let (stdout, stderr) = outputs(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains(&audit_errors),
        "the errors block as audit prints it:\n{audit_errors}\n---\n{stdout}"
    );
    assert!(
        stderr.contains("1 file could not be read or parsed; nothing was written"),
        "{stderr}"
    );
    assert!(!stdout.contains("fixed "), "{stdout}");
    assert_eq!(snapshot(r), before, "nothing written");
}

#[test]
fn fix_check_and_diff_exit_1_when_a_file_cannot_be_read() {
    // Nothing else to fix: before, `--check` said all is well (exit 0).
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "package.json", br#"{"name":"a"}"#);
    write(r, ".dockerignore", IGNORE.as_bytes());
    write(
        r,
        "Dockerfile",
        b"# syntax=docker/dockerfile:1.7\nFROM node:22-alpine\nCOPY package.json ./\n",
    );
    write(r, "Dockerfile.dev", b"# Jos\xe9\nFROM node:22-alpine\n");
    let before = snapshot(r);
    for flag in ["--check", "--diff"] {
        let out = dockprep().arg("fix").arg(r).arg(flag).output().unwrap();
        let (stdout, stderr) = outputs(&out);
        assert_eq!(out.status.code(), Some(1), "{flag}: {stdout}{stderr}");
        assert!(
            stdout.contains("error: file is not valid UTF-8")
                && stdout.contains("Dockerfile.dev:1:"),
            "{flag}: {stdout}"
        );
    }
    let out = dockprep().arg("fix").arg(r).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{:?}", outputs(&out));
    assert_eq!(snapshot(r), before);
}

#[test]
fn an_invalid_dockprep_toml_is_fatal_and_its_values_are_not_quoted() {
    // (config, where the error is). Each config also says `syntax = false`
    // before its mistake: with the defaults, `fix` would add the syntax
    // directive the repository turned off.
    let cases: &[(&str, &str)] = &[
        (
            "[build]\nsyntax = false\ntoken = \"s3cr3t-value\"\n",
            "dockprep.toml:3:1:",
        ),
        (
            "[build]\nsyntax = \"s3cr3t-value\"\n",
            "dockprep.toml:2:10:",
        ),
        (
            "[build]\nsyntax = false\n[rules]\nselect = [\"s3cr3t-value\"]\n",
            "dockprep.toml:4:11:",
        ),
        (
            "[build]\nsyntax = false\n[rules]\nselect = [\"a`s3cr3t-value\"]\n",
            "dockprep.toml:4:11:",
        ),
        (
            "[build]\nsyntax = false\n[corepack.env]\nNPM_TOKEN = 123456789\n",
            "dockprep.toml:4:13:",
        ),
        (
            "[build]\nsyntax = false\n[registry]\nport = 99999999\n",
            "dockprep.toml:4:8:",
        ),
    ];
    for (config, at) in cases {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        write(r, "package.json", br#"{"name":"a"}"#);
        write(r, ".dockerignore", IGNORE.as_bytes());
        write(r, "Dockerfile", UNCACHED.as_bytes());
        write(r, "dockprep.toml", config.as_bytes());
        let before = snapshot(r);
        for flags in [&[][..], &["--check"][..], &["--diff"][..]] {
            let out = dockprep()
                .current_dir(r)
                .arg("fix")
                .args(flags)
                .output()
                .unwrap();
            let (stdout, stderr) = outputs(&out);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{config:?} {flags:?}: {stdout}{stderr}"
            );
            assert!(
                stderr.starts_with(&format!("error: {at} invalid dockprep.toml")),
                "{config:?}: {stderr}"
            );
            for secret in ["s3cr3t", "123456789", "99999999"] {
                assert!(
                    !stderr.contains(secret) && !stdout.contains(secret),
                    "{config:?}: quotes a value: {stdout}{stderr}"
                );
            }
            assert!(stdout.is_empty(), "{config:?}: {stdout}");
            assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        }
        assert_eq!(snapshot(r), before, "{config:?}: nothing written");
    }
}

#[test]
fn an_unreadable_dockprep_toml_is_fatal() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "package.json", br#"{"name":"a"}"#);
    write(r, "Dockerfile", UNCACHED.as_bytes());
    write(r, "dockprep.toml", b"[build]\nsyntax = false # \xff\n");
    let before = snapshot(r);
    let out = dockprep().current_dir(r).arg("fix").output().unwrap();
    let (stdout, stderr) = outputs(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.starts_with("error: dockprep.toml:2:"), "{stderr}");
    assert_eq!(snapshot(r), before);
}

// ---------------------------------------------------------------------
// A multi-file fix is all or nothing.

/// A repository whose fix changes `a/Dockerfile` and `b/Dockerfile` (in
/// that order), with their changes.
fn two_dockerfiles(r: &Path) -> Vec<Change> {
    write(r, "package.json", br#"{"name":"a"}"#);
    write(r, "dockprep.toml", b"[build]\nsyntax = false\n");
    write(r, ".dockerignore", IGNORE.as_bytes());
    write(r, "a/.dockerignore", IGNORE.as_bytes());
    write(r, "b/.dockerignore", IGNORE.as_bytes());
    write(r, "a/Dockerfile", UNCACHED.as_bytes());
    write(r, "b/Dockerfile", UNCACHED.as_bytes());
    std::fs::set_permissions(
        r.join("b/Dockerfile"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    let out = engine::run(
        &[r.to_path_buf()],
        &dockprep::audit::options(),
        dockprep::rules::registry::RULES,
        &Default::default(),
    )
    .unwrap();
    let names: Vec<_> = out
        .changes
        .iter()
        .map(|c| c.path.strip_prefix(r).unwrap().to_path_buf())
        .collect();
    assert_eq!(
        names,
        [PathBuf::from("a/Dockerfile"), PathBuf::from("b/Dockerfile")]
    );
    out.changes
}

fn no_temp_files_left(r: &Path) {
    for (p, _, _) in snapshot(r) {
        assert!(
            !p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(dockprep::fsutil::TEMP_PREFIX),
            "left behind: {}",
            p.display()
        );
    }
}

#[test]
fn a_failed_write_of_a_later_file_leaves_the_earlier_ones_unwritten() {
    // The second change's directory is a file: its write must fail, and
    // before, the first file had been written by then.
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let mut changes = two_dockerfiles(r);
    let mut bad = changes[1].clone();
    bad.path = r.join("package.json/Dockerfile");
    bad.original = None;
    changes.insert(1, bad);
    let before = snapshot(r);
    let e = engine::write(&changes).unwrap_err().to_string();
    assert!(e.contains("package.json/Dockerfile"), "names the file: {e}");
    assert!(e.contains("nothing was written"), "{e}");
    assert_eq!(snapshot(r), before);
}

#[test]
fn a_rename_failing_midway_is_undone() {
    // The second file's staged text vanishes just before its rename: the
    // rename fails after the first file was renamed, which is undone.
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let changes = two_dockerfiles(r);
    let before = snapshot(r);
    let second = changes[1].path.clone();
    let e = writer::write_with(&changes, &mut |p| {
        if p == second {
            for e in std::fs::read_dir(r.join("b")).unwrap().flatten() {
                if e.file_name()
                    .to_string_lossy()
                    .starts_with(dockprep::fsutil::TEMP_PREFIX)
                {
                    std::fs::remove_file(e.path()).unwrap();
                }
            }
        }
    })
    .unwrap_err();
    let e = e.to_string();
    assert!(
        e.contains("b/Dockerfile") && e.contains("nothing was written"),
        "{e}"
    );
    assert_eq!(snapshot(r), before, "every file byte-identical, modes kept");
}

#[test]
fn a_target_replaced_by_a_directory_before_its_rename_is_undone() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let changes = two_dockerfiles(r);
    let second = changes[1].path.clone();
    let e = writer::write_with(&changes, &mut |p| {
        if p == second {
            std::fs::remove_file(p).unwrap();
            std::fs::create_dir(p).unwrap();
        }
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("b/Dockerfile"), "{e}");
    assert_eq!(
        std::fs::read_to_string(r.join("a/Dockerfile")).unwrap(),
        UNCACHED,
        "the first file is as it was"
    );
    assert!(r.join("b/Dockerfile").is_dir());
    no_temp_files_left(r);
}

#[test]
fn an_edit_between_check_and_rename_is_detected_and_nothing_is_written() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let changes = two_dockerfiles(r);
    let second = changes[1].path.clone();
    let edited = "FROM node:22-alpine\nRUN echo edited meanwhile\n";
    let e = writer::write_with(&changes, &mut |p| {
        if p == second {
            std::fs::write(p, edited).unwrap();
        }
    })
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("b/Dockerfile: changed on disk since it was read")
            && e.contains("nothing was written"),
        "{e}"
    );
    assert_eq!(
        std::fs::read_to_string(r.join("a/Dockerfile")).unwrap(),
        UNCACHED
    );
    assert_eq!(
        std::fs::read_to_string(r.join("b/Dockerfile")).unwrap(),
        edited
    );
    no_temp_files_left(r);
}

#[test]
fn a_new_file_appearing_before_its_rename_is_not_overwritten() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let mut changes = two_dockerfiles(r);
    let mut new = changes[1].clone();
    new.path = r.join("b/NEW.txt");
    new.original = None;
    changes.push(new);
    let e = writer::write_with(&changes, &mut |p| {
        if p.ends_with("b/NEW.txt") {
            std::fs::write(p, "someone else's").unwrap();
        }
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("b/NEW.txt: changed on disk"), "{e}");
    assert_eq!(
        std::fs::read_to_string(r.join("b/NEW.txt")).unwrap(),
        "someone else's"
    );
    assert_eq!(
        std::fs::read_to_string(r.join("a/Dockerfile")).unwrap(),
        UNCACHED
    );
    assert_eq!(
        std::fs::read_to_string(r.join("b/Dockerfile")).unwrap(),
        UNCACHED
    );
    no_temp_files_left(r);
}

#[test]
fn a_successful_write_leaves_no_temporary_file_and_keeps_modes() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let changes = two_dockerfiles(r);
    engine::write(&changes).unwrap();
    for c in &changes {
        assert_eq!(std::fs::read_to_string(&c.path).unwrap(), c.fixed);
    }
    let mode = std::fs::metadata(r.join("b/Dockerfile"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o640);
    no_temp_files_left(r);
}

// ---------------------------------------------------------------------
// Item 8 (the writer's side): symlinks.

/// A change of `rel` (below `root`) from `UNCACHED` to a fixed text.
fn change(root: &Path, rel: &str, original: Option<&str>) -> Change {
    Change {
        path: root.join(rel),
        original: original.map(str::to_string),
        fixed: "FROM node:22-alpine\nRUN echo fixed\n".into(),
        applied: Vec::new(),
        root: Some(root.to_path_buf()),
    }
}

#[test]
fn fix_does_not_replace_or_write_through_a_symlink_leaving_the_repository() {
    let d = tempfile::tempdir().unwrap();
    let outside = d.path().join("outside");
    let r = d.path().join("repo");
    write(&outside, "Dockerfile", UNCACHED.as_bytes());
    write(&r, "package.json", br#"{"name":"a"}"#);
    write(&r, ".dockerignore", IGNORE.as_bytes());
    write(&r, "dockprep.toml", b"[build]\nsyntax = false\n");
    std::os::unix::fs::symlink("../outside/Dockerfile", r.join("Dockerfile")).unwrap();
    let before = (snapshot(&r), snapshot(&outside));
    let out = dockprep().arg("fix").arg(&r).output().unwrap();
    let (stdout, stderr) = outputs(&out);
    // Whether the model reads through the link or not, nothing is written.
    assert_eq!(
        (snapshot(&r), snapshot(&outside)),
        before,
        "{stdout}{stderr}"
    );
    if out.status.code() != Some(0) {
        // The errors block (stdout, as audit prints it) or the refusal
        // (stderr) names the file.
        assert!(
            stdout.contains("Dockerfile") || stderr.contains("Dockerfile"),
            "names the file: {stdout}{stderr}"
        );
    }

    // The writer itself refuses, naming the file.
    let e = engine::write(&[change(&r, "Dockerfile", Some(UNCACHED))])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Dockerfile: a symlink to") && e.contains("outside the repository"),
        "{e}"
    );
    assert_eq!((snapshot(&r), snapshot(&outside)), before);
}

#[test]
fn fix_does_not_write_into_a_symlinked_directory_leaving_the_repository() {
    // Before: `svc/.dockerignore` was created and `svc/Dockerfile` edited
    // in the directory outside.
    let d = tempfile::tempdir().unwrap();
    let outside = d.path().join("outside");
    let r = d.path().join("repo");
    write(&outside, "Dockerfile", UNCACHED.as_bytes());
    write(&outside, "package.json", br#"{"name":"x"}"#);
    write(&r, "package.json", br#"{"name":"a"}"#);
    write(&r, ".dockerignore", IGNORE.as_bytes());
    write(&r, "dockprep.toml", b"[build]\nsyntax = false\n");
    write(
        &r,
        "compose.yaml",
        b"services:\n  web:\n    build:\n      context: .\n      dockerfile: svc/Dockerfile\n  api:\n    build: svc\n",
    );
    std::os::unix::fs::symlink("../outside", r.join("svc")).unwrap();
    let before = (snapshot(&r), snapshot(&outside));
    let out = dockprep().arg("fix").arg(&r).output().unwrap();
    let (stdout, stderr) = outputs(&out);
    assert_eq!(
        (snapshot(&r), snapshot(&outside)),
        before,
        "{stdout}{stderr}"
    );

    for (rel, original) in [
        ("svc/Dockerfile", Some(UNCACHED)),
        ("svc/.dockerignore", None),
    ] {
        let e = engine::write(&[change(&r, rel, original)])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(rel) && e.contains("outside the repository"),
            "{rel}: {e}"
        );
    }
    assert_eq!((snapshot(&r), snapshot(&outside)), before);
}

#[test]
fn a_dangling_symlink_is_not_written_through() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path().join("repo");
    write(&r, "package.json", br#"{"name":"a"}"#);
    std::os::unix::fs::symlink("../outside/created", r.join(".dockerignore")).unwrap();
    let e = engine::write(&[change(&r, ".dockerignore", None)])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(".dockerignore: a symlink to a file that does not exist"),
        "{e}"
    );
    assert!(!d.path().join("outside").exists());
    assert!(std::fs::symlink_metadata(r.join(".dockerignore"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn a_symlink_inside_the_repository_is_kept_and_its_target_edited() {
    // Before: the link was replaced by a regular file, its target left as
    // it was (two files where the repository had one).
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "package.json", br#"{"name":"a"}"#);
    write(r, ".dockerignore", IGNORE.as_bytes());
    write(r, "dockprep.toml", b"[build]\nsyntax = false\n");
    write(r, "docker/base.txt", UNCACHED.as_bytes());
    std::os::unix::fs::symlink("docker/base.txt", r.join("Dockerfile")).unwrap();
    let out = dockprep().arg("fix").arg(r).output().unwrap();
    let (stdout, stderr) = outputs(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        std::fs::symlink_metadata(r.join("Dockerfile"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link is kept"
    );
    let fixed = std::fs::read_to_string(r.join("docker/base.txt")).unwrap();
    assert!(fixed.contains("--mount=type=cache"), "{fixed}");
    no_temp_files_left(r);
}

#[test]
fn two_paths_of_one_file_with_different_fixes_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "package.json", br#"{"name":"a"}"#);
    write(r, "docker/Dockerfile", UNCACHED.as_bytes());
    std::os::unix::fs::symlink("docker/Dockerfile", r.join("Dockerfile")).unwrap();
    let a = change(r, "Dockerfile", Some(UNCACHED));
    let mut b = change(r, "docker/Dockerfile", Some(UNCACHED));
    b.fixed.push_str("RUN echo other\n");
    let e = engine::write(&[a.clone(), b]).unwrap_err().to_string();
    assert!(e.contains("are the same file"), "{e}");
    assert_eq!(
        std::fs::read_to_string(r.join("docker/Dockerfile")).unwrap(),
        UNCACHED
    );
    // The same text through both paths: written once.
    let mut same = a.clone();
    same.path = r.join("docker/Dockerfile");
    engine::write(&[a.clone(), same]).unwrap();
    assert_eq!(
        std::fs::read_to_string(r.join("docker/Dockerfile")).unwrap(),
        a.fixed
    );
}

#[test]
fn a_hard_link_to_a_file_outside_is_replaced_not_written_through() {
    let d = tempfile::tempdir().unwrap();
    let outside = d.path().join("outside");
    let r = d.path().join("repo");
    write(&outside, "Dockerfile", UNCACHED.as_bytes());
    write(&r, "package.json", br#"{"name":"a"}"#);
    write(&r, ".dockerignore", IGNORE.as_bytes());
    write(&r, "dockprep.toml", b"[build]\nsyntax = false\n");
    std::fs::hard_link(outside.join("Dockerfile"), r.join("Dockerfile")).unwrap();
    dockprep().arg("fix").arg(&r).assert().code(0);
    assert_eq!(
        std::fs::read_to_string(outside.join("Dockerfile")).unwrap(),
        UNCACHED
    );
    assert!(std::fs::read_to_string(r.join("Dockerfile"))
        .unwrap()
        .contains("--mount=type=cache"));
}

#[test]
fn a_change_outside_every_repository_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "x/Dockerfile", UNCACHED.as_bytes());
    let mut c = change(r, "x/Dockerfile", Some(UNCACHED));
    c.root = None;
    let e = engine::write(&[c]).unwrap_err().to_string();
    assert!(e.contains("outside every repository"), "{e}");
    assert_eq!(
        std::fs::read_to_string(r.join("x/Dockerfile")).unwrap(),
        UNCACHED
    );
}
