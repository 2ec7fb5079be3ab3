//! `dockprep fix` on a repository that may be hostile: what it cannot read
//! stops it (reported as `audit` reports it), an invalid `dockprep.toml` is
//! fatal without quoting its values.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

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
