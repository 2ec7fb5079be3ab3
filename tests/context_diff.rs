//! Differential tests of `dockprep::docker::context` against the real engine.
//!
//! Every case builds `FROM scratch` + `COPY . /` with `-o type=local` twice:
//! once from the directory (BuildKit's own context transfer, `.dockerignore`
//! applied by the client's fsutil walker) and once from the tar stream
//! dockprep writes (`docker build -f NAME -`), and compares the two exported
//! trees exactly: paths, types, permission bits, bytes, symlink targets, link
//! counts, and the modification times of files and symlinks.
//!
//! Runs when the testbed is up (`eval "$(scripts/testbed env)"`); otherwise
//! prints why it is skipped.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use dockprep::docker::context::{write_context, ContextSpec, ContextSummary, Walker};

mod common;

macro_rules! require_testbed {
    () => {
        if let Some(why) = common::unavailable() {
            eprintln!("SKIPPED (no real engine/registry): {why}");
            return;
        }
    };
}

const DOCKERFILE: &str = "FROM scratch\nCOPY . /\n";

fn docker() -> Command {
    let mut c = Command::new(std::env::var_os("DOCKPREP_DOCKER").unwrap());
    c.env("DOCKER_BUILDKIT", "1");
    c
}

fn buildx() -> bool {
    docker()
        .args(["buildx", "version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `build -f DOCKERFILE -o type=local,dest=OUT CONTEXT` (`CONTEXT` = `-`
/// reads `stdin`).
fn export(dockerfile: &str, context: &str, stdin: Option<&Path>, out: &Path) {
    let mut c = docker();
    if buildx() {
        c.args(["buildx", "build"]);
    } else {
        c.arg("build");
    }
    // `--no-cache`: a cached `COPY` (its key ignores mtimes) would export
    // the mtimes of whichever build made the cache entry.
    c.args(["--progress=plain", "--no-cache", "-f", dockerfile, "-o"])
        .arg(format!("type=local,dest={}", out.display()))
        .arg(context);
    c.stdin(match stdin {
        Some(p) => Stdio::from(fs::File::open(p).unwrap()),
        None => Stdio::null(),
    });
    let o = c.output().unwrap();
    assert!(
        o.status.success(),
        "build of {context} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// One exported path: type, permission bits, content or link target,
/// link count, and mtime (files and symlinks only).
#[derive(Debug, PartialEq, Eq, Clone)]
struct Node {
    kind: char,
    mode: u32,
    body: Vec<u8>,
    nlink: u64,
    mtime: Option<(i64, i64)>,
}

fn tree(root: &Path) -> BTreeMap<String, Node> {
    use std::os::unix::fs::MetadataExt;
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let m = fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let ft = m.file_type();
            let (kind, body) = if ft.is_dir() {
                stack.push(p.clone());
                ('d', vec![])
            } else if ft.is_symlink() {
                (
                    'l',
                    fs::read_link(&p)
                        .unwrap()
                        .into_os_string()
                        .into_encoded_bytes(),
                )
            } else if ft.is_file() {
                ('f', fs::read(&p).unwrap())
            } else {
                ('?', vec![])
            };
            out.insert(
                rel,
                Node {
                    kind,
                    mode: m.mode() & 0o7777,
                    body,
                    nlink: if ft.is_dir() { 0 } else { m.nlink() },
                    mtime: (!ft.is_dir()).then(|| (m.mtime(), m.mtime_nsec())),
                },
            );
        }
    }
    out
}

/// Builds `ctx` from the directory and from dockprep's tar; returns both
/// exported trees and the summary. The Dockerfile added to the tar (when it
/// is outside the context or excluded) is checked and removed from the tree.
fn both(
    scratch: &Path,
    ctx: &Path,
    dockerfile: &Path,
    overlay: &[(&str, &[u8])],
) -> (
    BTreeMap<String, Node>,
    BTreeMap<String, Node>,
    ContextSummary,
) {
    let (from_dir, from_tar, tar) = (
        scratch.join("out-dir"),
        scratch.join("out-tar"),
        scratch.join("context.tar"),
    );
    for p in [&from_dir, &from_tar] {
        let _ = fs::remove_dir_all(p);
    }
    export(
        dockerfile.to_str().unwrap(),
        ctx.to_str().unwrap(),
        None,
        &from_dir,
    );

    let spec = ContextSpec {
        dir: ctx,
        dockerfile,
        overlay: overlay
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_vec()))
            .collect(),
        walker: Walker::for_client(buildx()),
        known: None,
    };
    let summary = write_context(&spec, fs::File::create(&tar).unwrap()).unwrap();
    export(&summary.dockerfile_in_tar, "-", Some(&tar), &from_tar);

    let dir_tree = tree(&from_dir);
    let mut tar_tree = tree(&from_tar);
    if summary.dockerfile_added {
        let added = tar_tree
            .remove(&summary.dockerfile_in_tar)
            .expect("the added Dockerfile is in the context");
        assert_eq!(added.body, fs::read(dockerfile).unwrap());
    }
    (dir_tree, tar_tree, summary)
}

/// Asserts two exported trees are equal, naming the first differences.
fn assert_same(case: &str, dir: &BTreeMap<String, Node>, tar: &BTreeMap<String, Node>) {
    let mut diffs = Vec::new();
    for (p, n) in dir {
        match tar.get(p) {
            None => diffs.push(format!("only from the directory: {p}")),
            Some(m) if m != n => diffs.push(format!("{p}: directory {n:?} / tar {m:?}")),
            _ => {}
        }
    }
    for p in tar.keys().filter(|p| !dir.contains_key(*p)) {
        diffs.push(format!("only from the tar: {p}"));
    }
    assert!(
        diffs.is_empty(),
        "{case}: the exports differ:\n{}",
        diffs.join("\n")
    );
    assert!(!dir.is_empty(), "{case}: nothing was exported");
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (rel, body) in files {
        if let Some(d) = rel.strip_suffix('/') {
            fs::create_dir_all(root.join(d)).unwrap();
            continue;
        }
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, body).unwrap();
    }
}

/// A synthetic tree with the awkward cases.
fn synthetic(ctx: &Path) {
    use std::os::unix::fs::{symlink, PermissionsExt};
    write(
        ctx,
        &[
            (
                ".dockerignore",
                "# comment\n**/node_modules\n!backend/node_modules/keep\n*.log\n!important.log\n\
                 **/*.tmp\ncache/**\n!cache/keep/**\nsecret\n",
            ),
            (".env.example", "A=1\n"),
            ("backend/package.json", "{\"name\":\"backend\"}\n"),
            ("backend/src/index.ts", "export {}\n"),
            ("backend/node_modules/x/index.js", "x\n"),
            ("backend/node_modules/keep/index.js", "keep\n"),
            ("web/node_modules/.pnpm/y/index.js", "y\n"),
            ("node_modules/z/index.js", "z\n"),
            ("debug.log", "d\n"),
            ("important.log", "i\n"),
            ("deep/a/b/c.tmp", "t\n"),
            ("deep/a/b/c.txt", "c\n"),
            ("cache/drop/x", "x\n"),
            ("cache/keep/y", "y\n"),
            ("secret", "s\n"),
            ("with space/file name.txt", "s\n"),
            ("ünïcødé/日本.txt", "u\n"),
            ("empty/", ""),
            ("nested/empty/", ""),
            ("scripts/run.sh", "#!/bin/sh\necho hi\n"),
            ("setuid", "x"),
        ],
    );
    fs::set_permissions(
        ctx.join("scripts/run.sh"),
        fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    fs::set_permissions(ctx.join("setuid"), fs::Permissions::from_mode(0o4750)).unwrap();
    fs::set_permissions(ctx.join("nested/empty"), fs::Permissions::from_mode(0o700)).unwrap();
    symlink("backend/package.json", ctx.join("link-to-file")).unwrap();
    symlink("backend", ctx.join("link-to-dir")).unwrap();
    symlink("/does/not/exist", ctx.join("dangling")).unwrap();
    symlink("node_modules", ctx.join("link-to-excluded")).unwrap();
    fs::hard_link(ctx.join("important.log"), ctx.join("hardlink.txt")).unwrap();
    // Special files: a socket, a FIFO, and (as root) a character device.
    let sock = std::os::unix::net::UnixListener::bind(ctx.join("app.sock")).unwrap();
    std::mem::forget(sock);
    let _ = Command::new("mkfifo").arg(ctx.join("pipe")).status();
    let _ = Command::new("mknod")
        .arg(ctx.join("null-device"))
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status();
}

#[test]
fn dockprep_tar_matches_buildkit_transfer() {
    require_testbed!();
    let t = tempfile::tempdir().unwrap();
    let scratch = t.path().join("scratch");
    fs::create_dir_all(&scratch).unwrap();
    let outside = t.path().join("outside/Dockerfile");
    write(t.path(), &[("outside/Dockerfile", DOCKERFILE)]);

    // The fleet examples, with nested node_modules the root-anchored
    // `node_modules` pattern does not exclude; Dockerfile outside the context.
    for name in ["learning_ai_peakpulse", "learning_ai_clock"] {
        let ctx = t.path().join(name);
        common::copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples/fleet")
                .join(name),
            &ctx,
        );
        write(
            &ctx,
            &[
                ("node_modules/a/index.js", "a"),
                ("backend/node_modules/b/index.js", "b"),
                ("backend/server.log", "log"),
            ],
        );
        let (dir, tar, s) = both(&scratch, &ctx, &outside, &[]);
        assert!(s.dockerfile_added, "{name}");
        if name == "learning_ai_peakpulse" {
            // Its `.dockerignore` says `node_modules`, anchored at the root.
            assert!(
                dir.contains_key("backend/node_modules/b/index.js"),
                "{name}"
            );
        }
        assert!(!dir.contains_key("node_modules"), "{name}");
        assert_same(name, &dir, &tar);
    }

    // The synthetic tree, Dockerfile inside the context.
    let ctx = t.path().join("synthetic");
    synthetic(&ctx);
    write(&ctx, &[("Dockerfile", DOCKERFILE)]);
    let (dir, tar, s) = both(&scratch, &ctx, &ctx.join("Dockerfile"), &[]);
    assert!(!s.dockerfile_added);
    assert_eq!(s.dockerfile_in_tar, "Dockerfile");
    for p in [
        "backend/node_modules/keep/index.js",
        "important.log",
        "cache/keep/y",
        "with space/file name.txt",
        "ünïcødé/日本.txt",
        "empty",
        "nested/empty",
        "link-to-dir",
        ".env.example",
    ] {
        assert!(dir.contains_key(p), "synthetic: BuildKit did not send {p}");
    }
    for p in [
        "debug.log",
        "deep/a/b/c.tmp",
        "secret",
        "cache/drop",
        "web/node_modules",
    ] {
        assert!(!dir.contains_key(p), "synthetic: BuildKit sent {p}");
    }
    assert_same("synthetic", &dir, &tar);

    // Same tree, Dockerfile outside the context.
    let (dir, tar, s) = both(&scratch, &ctx, &outside, &[]);
    assert!(s.dockerfile_added);
    assert_same("synthetic, Dockerfile outside", &dir, &tar);

    // A Dockerfile-specific ignore file takes precedence over .dockerignore.
    write(
        &ctx,
        &[
            ("Dockerfile.dockerignore", "secret\nbackend\n!backend/src\n"),
            ("Dockerfile", DOCKERFILE),
        ],
    );
    let (dir, tar, s) = both(&scratch, &ctx, &ctx.join("Dockerfile"), &[]);
    assert_eq!(s.ignore_file, Some(ctx.join("Dockerfile.dockerignore")));
    assert!(dir.contains_key("debug.log") && dir.contains_key("backend/src/index.ts"));
    assert!(!dir.contains_key("backend/package.json"));
    assert_same("Dockerfile.dockerignore", &dir, &tar);
    fs::remove_file(ctx.join("Dockerfile.dockerignore")).unwrap();

    // A Dockerfile the .dockerignore excludes (BuildKit still reads it).
    let ctx = t.path().join("excluded-dockerfile");
    write(
        &ctx,
        &[
            (".dockerignore", "Dockerfile\n.dockerignore\n"),
            ("Dockerfile", DOCKERFILE),
            ("app.js", "1"),
        ],
    );
    let (dir, tar, s) = both(&scratch, &ctx, &ctx.join("Dockerfile"), &[]);
    assert!(s.dockerfile_added);
    assert_eq!(dir.keys().collect::<Vec<_>>(), ["app.js"]);
    assert_same("excluded Dockerfile", &dir, &tar);

    // The walkers' corner cases (the engine's client decides which ones hold).
    let ctx = t.path().join("exceptions");
    write(
        &ctx,
        &[
            ("Dockerfile", DOCKERFILE),
            ("ex/keep/k", "k"),
            ("ex/drop/d", "d"),
            ("d/x", "x"),
        ],
    );
    for ignore in [
        "ex\n!ex/keep/k\n",
        "ex\n!ex/nothing\n",
        "ex\n!**/k\n",
        "ex\n!ex/*/k\n",
        "ex\n!ex/keep/*\n",
        "*/x\n!d\n",
        "*\n!ex\n",
        "**\n!**/k\n!Dockerfile\n",
    ] {
        fs::write(ctx.join(".dockerignore"), ignore).unwrap();
        let (dir, tar, _) = both(&scratch, &ctx, &ctx.join("Dockerfile"), &[]);
        assert_same(&format!("exceptions {ignore:?}"), &dir, &tar);
    }
}

#[test]
fn overlay_changes_only_what_it_names() {
    require_testbed!();
    let t = tempfile::tempdir().unwrap();
    let scratch = t.path().join("scratch");
    fs::create_dir_all(&scratch).unwrap();
    let ctx = t.path().join("ctx");
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/fleet/learning_ai_peakpulse"),
        &ctx,
    );
    write(&ctx, &[("Dockerfile.test", DOCKERFILE)]);
    let manifest = b"{\"name\":\"rewritten\",\"dependencies\":{\"@bytelyst/config\":\"file:../.docker-deps/bytelyst-config-1.4.0.tgz\"}}\n";
    let tgz = b"\x1f\x8b not really a tarball";
    let overlay: [(&str, &[u8]); 4] = [
        ("backend/package.json", manifest),
        (".docker-deps/bytelyst-config-1.4.0.tgz", tgz),
        ("pnpm-lock.yaml", b"excluded by the .dockerignore"),
        ("node_modules/x/package.json", b"{}"),
    ];
    let (mut dir, tar, s) = both(&scratch, &ctx, &ctx.join("Dockerfile.test"), &overlay);
    assert_eq!(
        s.excluded_overlay,
        ["node_modules/x/package.json", "pnpm-lock.yaml"]
    );
    assert_eq!(s.replaced_overlay, ["backend/package.json"]);

    // The export from the directory, edited by hand as the overlay says.
    let replaced = dir.get_mut("backend/package.json").unwrap();
    replaced.body = manifest.to_vec();
    replaced.mtime = tar["backend/package.json"].mtime;
    assert_eq!(
        tar[".docker-deps/bytelyst-config-1.4.0.tgz"].body,
        tgz.to_vec()
    );
    for p in [".docker-deps", ".docker-deps/bytelyst-config-1.4.0.tgz"] {
        dir.insert(p.to_string(), tar[p].clone());
    }
    assert_eq!(tar[".docker-deps"].mode, 0o755);
    assert_eq!(tar[".docker-deps/bytelyst-config-1.4.0.tgz"].mode, 0o644);
    assert_same("overlay", &dir, &tar);
}

/// The driver's own path: `Docker::build` with `context_tar` set.
#[test]
fn docker_build_reads_a_tar_context() {
    require_testbed!();
    use dockprep::docker::client::{Docker, Redactor};
    use dockprep::docker::spec::{BuildSpec, ContextTar};
    let t = tempfile::tempdir().unwrap();
    let ctx = t.path().join("ctx");
    write(
        &ctx,
        &[
            ("app.js", "1"),
            ("skip.log", "x"),
            (".dockerignore", "*.log\n"),
        ],
    );
    let dockerfile = t.path().join("Dockerfile");
    fs::write(&dockerfile, DOCKERFILE).unwrap();
    let docker = Docker::detect(None);
    let spec = ContextSpec {
        dir: &ctx,
        dockerfile: &dockerfile,
        overlay: [("app.js".to_string(), b"2".to_vec())].into(),
        walker: Walker::for_client(docker.buildx),
        known: None,
    };
    let tar: PathBuf = t.path().join("ctx.tar");
    let summary = write_context(&spec, fs::File::create(&tar).unwrap()).unwrap();
    let build = BuildSpec {
        name: "context-tar".into(),
        repo: t.path().to_path_buf(),
        dockerfile: dockerfile.clone(),
        context: ctx.clone(),
        args: vec![],
        secrets: vec![],
        add_hosts: vec![],
        network: None,
        target: None,
        tag: Some("dockprep-context-tar-test:latest".into()),
        image: None,
        context_tar: Some(ContextTar {
            path: tar,
            dockerfile: summary.dockerfile_in_tar,
        }),
    };
    let mut lines = Vec::new();
    let outcome = docker
        .build(&build, false, &mut Redactor::default(), |l, _| {
            lines.push(l.to_string())
        })
        .unwrap();
    assert!(outcome.success, "{}\n{}", outcome.command, lines.join("\n"));
    assert!(outcome.command.ends_with(" -"), "{}", outcome.command);
    let _ = docker.run(&["image", "rm", "dockprep-context-tar-test:latest"]);
}
