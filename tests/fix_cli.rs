//! `dockprep fix` on small repositories: what it writes, what it leaves alone.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use assert_cmd::Command;

fn dockprep() -> Command {
    let mut c = Command::cargo_bin("dockprep").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap()
}

#[test]
fn heredoc_and_continuations_are_fixed_correctly() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(
        r,
        "package.json",
        r#"{"name": "a", "packageManager": "pnpm@10.6.5", "dependencies": {"express": "^4.21.2"}}"#,
    );
    write(r, "dockprep.toml", "[build]\nsyntax = false\n");
    // The frozen install has its lockfile (else `frozen-lockfile-without-lockfile`, which has no fix).
    write(r, "pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
    write(
        r,
        "Dockerfile",
        "FROM node:22-alpine\nCOPY package.json pnpm-lock.yaml ./\nRUN apk add --no-cache git \\\n    # tools for the build\n    && npm i -g pnpm@10.6.5 \\\n    && pnpm install --frozen-lockfile\nRUN <<EOF\nset -e\npnpm install --prod\nEOF\n",
    );
    dockprep()
        .arg("fix")
        .arg(r)
        .arg("--unsafe")
        .assert()
        .code(0);
    let df = read(r, "Dockerfile");
    assert!(
        df.contains("&& corepack enable && corepack prepare pnpm@10.6.5 --activate \\\n"),
        "{df}"
    );
    assert!(
        df.contains("# tools for the build"),
        "comments between continuation lines survive: {df}"
    );
    assert_eq!(
        df.matches("--mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store")
            .count(),
        2,
        "{df}"
    );
    assert!(df.contains("RUN --mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store <<EOF\nset -e\npnpm install --prod\nEOF"), "{df}");
    dockprep::syntax::dockerfile::Dockerfile::parse(&df).unwrap();
    // Nothing left to do; a second run changes no byte.
    dockprep()
        .arg("fix")
        .arg(r)
        .args(["--unsafe", "--check"])
        .assert()
        .code(0);
}

#[test]
fn unparsable_dockerfile_is_left_alone_with_a_note() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let text = "FROM node:22-alpine\nFROBNICATE x\nRUN npm install -g pnpm && pnpm install\n";
    write(r, "Dockerfile", text);
    write(r, "package.json", "{\"name\": \"a\"}");
    let out = dockprep()
        .arg("fix")
        .arg(r)
        .arg("--unsafe")
        .output()
        .unwrap();
    assert_eq!(read(r, "Dockerfile"), text);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("fixed"), "{all}");
}

#[test]
fn line_endings_and_mode_are_kept_and_diff_check_write_nothing() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "package.json", "{\"name\": \"a\"}");
    let text = "FROM node:22-alpine\r\nCOPY package.json ./\r\nRUN pnpm install\r\n";
    write(r, "Dockerfile", text);
    write(r, ".dockerignore", "node_modules\r\npnpm-lock.yaml\r\n");
    std::fs::set_permissions(r.join("Dockerfile"), std::fs::Permissions::from_mode(0o640)).unwrap();

    let out = dockprep().arg("fix").arg(r).arg("--diff").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("+# syntax=docker/dockerfile:1.7"));
    assert_eq!(read(r, "Dockerfile"), text, "--diff writes nothing");
    dockprep().arg("fix").arg(r).arg("--check").assert().code(1);
    assert_eq!(read(r, "Dockerfile"), text, "--check writes nothing");

    dockprep().arg("fix").arg(r).assert().code(0);
    let df = read(r, "Dockerfile");
    assert!(
        df.starts_with("# syntax=docker/dockerfile:1.7\r\n"),
        "{df:?}"
    );
    assert!(
        !df.replace("\r\n", "").contains('\n'),
        "only CRLF line endings: {df:?}"
    );
    let di = read(r, ".dockerignore");
    assert!(
        di.starts_with("node_modules\r\n") && !di.contains("pnpm-lock.yaml"),
        "{di:?}"
    );
    assert!(
        di.contains("**/node_modules\r\n") && !di.replace("\r\n", "").contains('\n'),
        "A6 entries, CRLF kept: {di:?}"
    );
    let mode = std::fs::metadata(r.join("Dockerfile"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn a_file_changed_since_it_was_read_is_not_written() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "package.json", "{\"name\": \"a\"}");
    write(
        r,
        "Dockerfile",
        "FROM node:22-alpine\nCOPY package.json ./\nRUN pnpm install\n",
    );
    let out = dockprep::fix::engine::run(
        &[r.to_path_buf()],
        &Default::default(),
        dockprep::rules::registry::RULES,
        &Default::default(),
    )
    .unwrap();
    assert!(!out.changes.is_empty());
    write(
        r,
        "Dockerfile",
        "FROM node:22-alpine\nRUN echo edited meanwhile\n",
    );
    let e = dockprep::fix::engine::write(&out.changes).unwrap_err();
    assert!(e.to_string().contains("changed on disk"), "{e}");
    assert_eq!(
        read(r, "Dockerfile"),
        "FROM node:22-alpine\nRUN echo edited meanwhile\n"
    );
}
