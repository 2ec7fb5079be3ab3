//! Each input file of an `audit` or `fix` run is read from disk once:
//! `scripts/read-once` runs the command under strace on a copy of a fixture
//! and lists the regular files opened for reading more than once. Skipped
//! (saying SKIPPED) when strace cannot run here.

use std::path::Path;
use std::process::Command;

/// `scripts/read-once [--fixture DIR] ARGS...` with this build's binary:
/// `None` (SKIPPED printed) when it cannot measure, else the files read
/// more than once as (count, path).
fn read_more_than_once(fixture: Option<&str>, args: &[&str]) -> Option<Vec<(usize, String)>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut c = Command::new(root.join("scripts/read-once"));
    c.env("DOCKPREP", env!("CARGO_BIN_EXE_dockprep"))
        .env("NO_COLOR", "1");
    if let Some(f) = fixture {
        c.arg("--fixture").arg(root.join(f));
    }
    let out = c.args(args).output().expect("scripts/read-once runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) | Some(1) => {}
        _ => {
            let why = stderr
                .lines()
                .rev()
                .find(|l| l.starts_with("read-once:"))
                .unwrap_or("scripts/read-once could not measure");
            eprintln!("SKIPPED: {why}");
            return None;
        }
    }
    let list = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (n, p) = l.split_once(' ')?;
            Some((n.parse().ok()?, p.to_string()))
        })
        .collect();
    Some(list)
}

#[test]
fn audit_reads_each_file_once() {
    let Some(dups) = read_more_than_once(None, &["audit"]) else {
        return;
    };
    assert!(dups.is_empty(), "read more than once: {dups:?}");
}

#[test]
fn audit_with_a_docker_lockfile_reads_each_file_once() {
    // The freshness check of the Docker-only lockfile reads through the model.
    let Some(dups) = read_more_than_once(
        Some("tests/fixtures/docker-lockfile-stale/fires/sibling-bumped"),
        &["audit"],
    ) else {
        return;
    };
    assert!(dups.is_empty(), "read more than once: {dups:?}");
}

#[test]
fn fix_reads_each_file_once_over_all_rounds() {
    // Every round re-parses; none re-reads. `--diff`: the writing path
    // re-reads each changed file once more on purpose (it writes a file
    // only if it is still what was read).
    let Some(dups) = read_more_than_once(None, &["fix", "--unsafe", "--diff"]) else {
        return;
    };
    assert!(dups.is_empty(), "read more than once: {dups:?}");
}

#[test]
fn fix_with_a_docker_lockfile_reads_each_file_once() {
    let Some(dups) = read_more_than_once(
        Some("tests/fixtures/docker-lockfile-stale/fires/sibling-bumped"),
        &["fix", "--unsafe", "--diff"],
    ) else {
        return;
    };
    assert!(dups.is_empty(), "read more than once: {dups:?}");
}

/// A stand-in docker client that takes the context (no engine needed).
fn fake_docker(dir: &std::path::Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let fake = dir.join("fake-docker");
    std::fs::write(
        &fake,
        "#!/bin/sh\n[ \"$1\" = build ] || exit 1\ncat > /dev/null\necho '#1 [1/1] FROM x' >&2\nexit 0\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    fake.to_string_lossy().into_owned()
}

#[test]
fn build_auto_reads_each_file_once() {
    // The model, the tarball plan (its own load over the model's texts), the
    // packer and the build context: every file from disk once.
    let d = tempfile::tempdir().unwrap();
    let fake = fake_docker(d.path());
    let Some(dups) = read_more_than_once(
        None,
        &[
            "build",
            "{}/learning_ai_peakpulse",
            "backend",
            "--mode",
            "auto",
            "--docker",
            &fake,
        ],
    ) else {
        return;
    };
    assert!(dups.is_empty(), "read more than once: {dups:?}");
}

#[test]
fn build_of_two_images_reads_model_files_once() {
    // Two images with one context: each context sends the files the model
    // never read once per image; the files the model read (manifests,
    // Dockerfiles, workspace, ignore and registry files) are read once.
    let d = tempfile::tempdir().unwrap();
    let fake = fake_docker(d.path());
    let Some(dups) = read_more_than_once(
        None,
        &[
            "build",
            "{}/learning_ai_peakpulse",
            "--mode",
            "tarball",
            "--docker",
            &fake,
        ],
    ) else {
        return;
    };
    let model: Vec<_> = dups
        .iter()
        .filter(|(n, p)| {
            *n > 2
                || [
                    "package.json",
                    "Dockerfile",
                    "pnpm-workspace.yaml",
                    ".dockerignore",
                    ".npmrc.docker",
                    "docker-compose.yml",
                ]
                .iter()
                .any(|f| p.ends_with(f))
        })
        .collect();
    assert!(model.is_empty(), "read more than once: {model:?}");
}
