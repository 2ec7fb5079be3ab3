//! Every reader is confined to the repository (and the workspaces it links):
//! symbolic links leaving it are file errors, never followed; only regular
//! files are read, at most 16 MiB; workspace globs stay within the
//! repository's siblings; the fix engine neither writes through nor
//! replaces a link leaving the repository. Each test is a reproducer of an
//! attack from issue 13: on the starting commit it leaked, hung, grew
//! without bound or walked the disk.
//!
//! Commands that hung or grew before run with a time limit and, where they
//! grew, a memory limit (`ulimit -v`), so a regression fails the test
//! instead of the machine.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::copy_dir;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dockprep"))
}

/// What a run printed, and how it ended.
struct Run {
    code: Option<i32>,
    out: String,
    err: String,
}

impl Run {
    fn all(&self) -> String {
        format!("{}{}", self.out, self.err)
    }
}

/// Runs dockprep with `args` in `cwd`, killed after `secs` seconds
/// (`code: None`), its address space capped at 2 GB, with `env` set.
fn run_limited(cwd: &Path, args: &[&str], env: &[(&str, &str)], secs: u64) -> Run {
    let mut script = String::from("ulimit -v 2000000; exec \"$0\"");
    for i in 1..=args.len() {
        script.push_str(&format!(" \"${i}\""));
    }
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(script)
        .arg(bin())
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let out = child.stdout.take().unwrap();
    let err = child.stderr.take().unwrap();
    let read = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = r.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let (out, err) = (read(Box::new(out)), read(Box::new(err)));
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code,
        out: out.join().unwrap(),
        err: err.join().unwrap(),
    }
}

fn run(cwd: &Path, args: &[&str]) -> Run {
    run_limited(cwd, args, &[], 60)
}

const FORMATS: [&str; 6] = ["human", "concise", "json", "sarif", "github", "markdown"];

/// Item 2: a committed `backend/Dockerfile -> /proc/self/environ` printed the
/// whole environment; now a file error naming the link, nothing of the
/// target printed, in every format.
#[cfg(unix)]
#[test]
fn a_dockerfile_linking_to_the_environment_is_a_file_error_in_every_format() {
    let t = tempfile::tempdir().unwrap();
    let repo = t.path().join("repo");
    write(
        &repo.join("package.json"),
        "{\"name\": \"r\", \"version\": \"1.0.0\"}\n",
    );
    std::fs::create_dir_all(repo.join("backend")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", repo.join("backend/Dockerfile")).unwrap();
    let marker = "CONFINEMENT_MARKER_7f3a";
    for format in FORMATS {
        let r = run_limited(
            t.path(),
            &["audit", "repo", "--format", format],
            &[("LEAKED_VALUE", marker)],
            60,
        );
        let all = r.all();
        assert!(
            !all.contains(marker),
            "{format}: the environment leaked:\n{all}"
        );
        assert!(
            all.contains("symlink points outside the repository"),
            "{format}:\n{all}"
        );
        assert!(all.contains("backend/Dockerfile"), "{format}:\n{all}");
        assert!(r.code.is_some(), "{format}: did not finish");
    }
    let r = run(t.path(), &["audit", "repo", "--format", "concise"]);
    assert!(
        r.all()
            .contains("repo/backend/Dockerfile:1:1: error: symlink points outside the repository"),
        "{}",
        r.all()
    );
}

/// Item 2, the other side: links that stay inside the repository keep
/// working (a Dockerfile and a compose file reached through links).
#[cfg(unix)]
#[test]
fn links_inside_the_repository_keep_working() {
    let t = tempfile::tempdir().unwrap();
    let repo = t.path().join("repo");
    write(
        &repo.join("package.json"),
        "{\"name\": \"r\", \"version\": \"1.0.0\"}\n",
    );
    write(
        &repo.join("docker/backend.Dockerfile"),
        "FROM node:22\nRUN npm install -g pnpm@9.0.0\n",
    );
    std::fs::create_dir_all(repo.join("backend")).unwrap();
    std::os::unix::fs::symlink(
        "../docker/backend.Dockerfile",
        repo.join("backend/Dockerfile"),
    )
    .unwrap();
    // A directory link inside the repository, read through.
    std::os::unix::fs::symlink("docker", repo.join("ops")).unwrap();
    std::os::unix::fs::symlink("ops/backend.Dockerfile", repo.join("web.Dockerfile")).unwrap();
    let r = run(t.path(), &["audit", "repo", "--format", "json"]);
    let v: serde_json::Value =
        serde_json::from_str(&r.out).unwrap_or_else(|e| panic!("{e}: {}", r.all()));
    assert_eq!(v["errors"], serde_json::json!([]), "{}", r.all());
    let rules: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["path"].as_str().unwrap()))
        .collect();
    for df in ["repo/backend/Dockerfile", "repo/web.Dockerfile"] {
        assert!(
            rules.contains(&("pnpm-global-install", df)),
            "{df} was not read: {rules:?}"
        );
    }
}

/// The Docker-lockfile fixture with the record's outputs extended by `key`.
fn docker_lock_repo(t: &Path, key: &str) -> PathBuf {
    let fleet = t.join("fleet");
    copy_dir(
        Path::new("tests/fixtures/docker-lockfile-stale/fires/edited-manifest"),
        &fleet,
    );
    let record = fleet.join("app/docker/dockprep-lock.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    v["outputs"][key] = serde_json::json!("00");
    std::fs::write(&record, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    fleet.join("app")
}

/// Item 7: a record key `/dev/zero` grew the process past 2 GB (`audit` and
/// `lockfile --check`); now the record is refused, at the key.
#[cfg(unix)]
#[test]
fn a_record_naming_dev_zero_is_refused_at_the_key() {
    let t = tempfile::tempdir().unwrap();
    let app = docker_lock_repo(t.path(), "/dev/zero");
    let r = run(&app, &["lockfile", ".", "--check"]);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        r.err.contains("docker/dockprep-lock.json:")
            && r.err.contains("`/dev/zero` is not a relative path"),
        "{}",
        r.all()
    );
    let r = run(&app, &["audit", ".", "--format", "concise"]);
    assert!(r.code.is_some_and(|c| c != 101), "{}", r.all());
    assert!(
        r.out.contains("`/dev/zero` is not a relative path"),
        "{}",
        r.all()
    );
    // A key climbing out of the repository, also refused.
    let t = tempfile::tempdir().unwrap();
    let app = docker_lock_repo(t.path(), "../../../etc/passwd");
    let r = run(&app, &["lockfile", ".", "--check"]);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.err.contains("is outside the repository"), "{}", r.all());
}

/// Item 7: a record key naming a FIFO hung `audit` and `lockfile --check`;
/// now a file error ("not a regular file").
#[cfg(unix)]
#[test]
fn a_record_naming_a_fifo_does_not_hang() {
    let t = tempfile::tempdir().unwrap();
    let app = docker_lock_repo(t.path(), "fifo");
    let ok = Command::new("mkfifo")
        .arg(app.join("fifo"))
        .status()
        .unwrap();
    assert!(ok.success());
    let r = run_limited(&app, &["lockfile", ".", "--check"], &[], 20);
    assert_eq!(r.code, Some(2), "hung or wrong code: {}", r.all());
    assert!(
        r.err.contains("fifo:1:1: not a regular file (FIFO)"),
        "{}",
        r.all()
    );
    let r = run_limited(&app, &["audit", ".", "--format", "concise"], &[], 20);
    assert!(r.code.is_some(), "audit hung");
    assert!(r.out.contains("not a regular file (FIFO)"), "{}", r.all());
}

/// Only regular files are read, at most 16 MiB: a Dockerfile past the cap
/// is a file error; one linking to `/dev/zero` leaves the repository.
#[cfg(unix)]
#[test]
fn files_past_the_size_cap_and_devices_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let repo = t.path().join("repo");
    write(
        &repo.join("package.json"),
        "{\"name\": \"r\", \"version\": \"1.0.0\"}\n",
    );
    let mut big = String::from("FROM node:22\n");
    let line = format!("# {}\n", "x".repeat(1022));
    while big.len() <= 16 * 1024 * 1024 {
        big.push_str(&line);
    }
    write(&repo.join("Dockerfile"), &big);
    std::os::unix::fs::symlink("/dev/zero", repo.join("zero.Dockerfile")).unwrap();
    let r = run_limited(t.path(), &["audit", "repo", "--format", "concise"], &[], 60);
    let all = r.all();
    assert!(
        all.contains("repo/Dockerfile:1:1: error: file is larger than 16 MiB"),
        "{all}"
    );
    assert!(
        all.contains("repo/zero.Dockerfile:1:1: error: symlink points outside the repository"),
        "{all}"
    );
}

/// Item 8: `fix` replaced `.npmrc.docker -> /etc/passwd` with a regular file
/// holding the template and the whole target. Now the model never reads
/// through the link (a file error), and nothing is written through or over
/// it.
#[cfg(unix)]
#[test]
fn fix_never_reads_writes_or_replaces_a_link_leaving_the_repository() {
    let t = tempfile::tempdir().unwrap();
    let fleet = t.path().join("fleet");
    copy_dir(
        Path::new("examples/fleet/learning_ai_peakpulse"),
        &fleet.join("learning_ai_peakpulse"),
    );
    copy_dir(
        Path::new("examples/fleet/learning_ai_common_plat"),
        &fleet.join("learning_ai_common_plat"),
    );
    let secret = t.path().join("passwd");
    let secret_text = "root:x:0:0:CONFINEMENT_MARKER_passwd:/root:/bin/bash\n";
    std::fs::write(&secret, secret_text).unwrap();
    let repo = fleet.join("learning_ai_peakpulse");
    std::fs::remove_file(repo.join(".npmrc.docker")).unwrap();
    std::os::unix::fs::symlink(&secret, repo.join(".npmrc.docker")).unwrap();
    let r = run(&fleet, &["fix", "--unsafe", "learning_ai_peakpulse"]);
    let all = r.all();
    assert!(!all.contains("CONFINEMENT_MARKER"), "{all}");
    let md = std::fs::symlink_metadata(repo.join(".npmrc.docker")).unwrap();
    assert!(md.file_type().is_symlink(), "the link was replaced");
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), secret_text);
    let r = run(
        &fleet,
        &["audit", "learning_ai_peakpulse", "--format", "concise"],
    );
    assert!(
        r.out
            .contains(".npmrc.docker:1:1: error: symlink points outside the repository"),
        "{}",
        r.all()
    );

    // A file a fix creates (the missing `.dockerignore`) that is such a
    // link: the fix is refused with the error, the link and target kept.
    let repo = t.path().join("small");
    write(
        &repo.join("package.json"),
        "{\"name\": \"r\", \"version\": \"1.0.0\", \"packageManager\": \"pnpm@9.0.0\"}\n",
    );
    write(
        &repo.join("Dockerfile"),
        "FROM node:22\nCOPY package.json ./\nRUN pnpm install\nCOPY . .\n",
    );
    std::os::unix::fs::symlink(&secret, repo.join(".dockerignore")).unwrap();
    let r = run(t.path(), &["fix", "small"]);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        r.err
            .contains("small/.dockerignore:1:1: symlink points outside the repository"),
        "{}",
        r.all()
    );
    assert!(!r.all().contains("CONFINEMENT_MARKER"), "{}", r.all());
    let md = std::fs::symlink_metadata(repo.join(".dockerignore")).unwrap();
    assert!(md.file_type().is_symlink(), "the link was replaced");
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), secret_text);

    // A FIFO there: refused, never waited on.
    std::fs::remove_file(repo.join(".dockerignore")).unwrap();
    let ok = Command::new("mkfifo")
        .arg(repo.join(".dockerignore"))
        .status()
        .unwrap();
    assert!(ok.success());
    let r = run_limited(t.path(), &["fix", "small"], &[], 20);
    assert_eq!(r.code, Some(2), "hung or wrong code: {}", r.all());
    assert!(r.err.contains("not a regular file (FIFO)"), "{}", r.all());
}

/// The tree of the glob tests, below `top`:
///
/// ```text
/// outer/package.json           (the repository's parent: never a member)
/// outer/repo/                  the workspace (backend/ inside)
/// outer/sib/pkg/package.json   a sibling package
/// far/pkg/package.json         above the siblings
/// outer/repo/evil -> ../../far (a link in a static prefix, leaving)
/// ```
#[cfg(unix)]
fn glob_tree(top: &Path, patterns: &[&str]) -> PathBuf {
    let manifest = |name: &str| format!("{{\"name\": \"@t/{name}\", \"version\": \"1.0.0\"}}\n");
    let repo = top.join("outer/repo");
    write(&top.join("outer/package.json"), &manifest("outer"));
    write(&repo.join("package.json"), &manifest("root"));
    write(&repo.join("backend/package.json"), &manifest("backend"));
    write(&top.join("outer/sib/pkg/package.json"), &manifest("sib"));
    write(&top.join("far/pkg/package.json"), &manifest("far"));
    std::os::unix::fs::symlink("../../far", repo.join("evil")).unwrap();
    let mut y = String::from("packages:\n");
    for p in patterns {
        y.push_str(&format!("  - \"{p}\"\n"));
    }
    write(&repo.join("pnpm-workspace.yaml"), &y);
    repo
}

/// Item 9: workspace globs left the repository without bound
/// (`../../../../**` read thousands of files across the disk; `pack` walked
/// for 50 s). They may reach the repository's siblings, never above them,
/// never the parent itself, never through a link leaving the bounds — in
/// the model (audit, pack), in `workspace::discover` (prune, lockfile).
#[cfg(unix)]
#[test]
fn workspace_globs_reach_the_siblings_never_above() {
    let t = tempfile::tempdir().unwrap();
    let top = std::fs::canonicalize(t.path()).unwrap();
    let patterns = [
        "backend",
        "../sib/*",
        "../../far/*",
        "../../../../**",
        "..",
        "evil/*",
        "evil/**",
    ];
    let repo = glob_tree(&top, &patterns);
    let rel = |d: &Path| {
        dockprep::paths::slash(
            dockprep::paths::clean(d)
                .strip_prefix(&top)
                .unwrap_or(Path::new("?")),
        )
    };

    let p = dockprep::project::load(
        std::slice::from_ref(&repo),
        &dockprep::project::Options::default(),
    )
    .unwrap();
    let mut model: Vec<String> = p.workspace_packages.iter().map(|m| rel(&m.dir)).collect();
    model.sort();
    model.dedup();
    assert_eq!(
        model,
        ["outer/repo/backend", "outer/sib/pkg"],
        "audit's model"
    );
    assert!(
        p.sources
            .iter()
            .all(|(_, f)| !rel(&f.path).starts_with("far")),
        "read above the siblings"
    );

    let text = std::fs::read_to_string(repo.join("pnpm-workspace.yaml")).unwrap();
    let ws = dockprep::syntax::pnpm_workspace::Workspace::parse(&text).unwrap();
    let mut found: Vec<String> = dockprep::workspace::discover::workspace_packages(&repo, &ws, &[])
        .unwrap()
        .into_iter()
        .filter(|p| p.dir != ".")
        .map(|p| rel(&repo.join(&p.dir)))
        .collect();
    found.sort();
    assert_eq!(
        found,
        ["outer/repo/backend", "outer/sib/pkg"],
        "workspace::discover"
    );

    let out = t.path().join("packed");
    let r = run(
        &top,
        &[
            "pack",
            "--workspace",
            "outer/repo",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
    let mut packed: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tgz"))
        .collect();
    packed.sort();
    assert_eq!(
        packed,
        ["t-backend-1.0.0.tgz", "t-sib-1.0.0.tgz"],
        "{}",
        r.all()
    );
}

/// `../*` links every sibling (and only those): its packages are members
/// and readable, the parent's own `package.json` is not.
#[cfg(unix)]
#[test]
fn a_glob_over_the_siblings_links_them_and_not_the_parent() {
    let t = tempfile::tempdir().unwrap();
    let top = std::fs::canonicalize(t.path()).unwrap();
    let repo = glob_tree(&top, &["../*", "../*/*"]);
    let p = dockprep::project::load(
        std::slice::from_ref(&repo),
        &dockprep::project::Options::default(),
    )
    .unwrap();
    let mut dirs: Vec<PathBuf> = p
        .workspace_packages
        .iter()
        .map(|m| m.dir.strip_prefix(&top).unwrap().to_path_buf())
        .collect();
    dirs.sort();
    dirs.dedup();
    assert_eq!(
        dirs,
        [
            PathBuf::from("outer/repo"),
            PathBuf::from("outer/repo/backend"),
            PathBuf::from("outer/sib/pkg")
        ]
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
}

/// Item 7, the importers: a lockfile importer above the siblings
/// (`../../far/pkg`) is not read; the plan refuses it at its path.
#[cfg(unix)]
#[test]
fn lockfile_importers_above_the_siblings_are_not_read() {
    let t = tempfile::tempdir().unwrap();
    let fleet = t.path().join("fleet");
    copy_dir(Path::new("examples/fleet"), &fleet);
    let root = fleet.join("learning_ai_peakpulse");
    write(
        &t.path().join("far/pkg/package.json"),
        "{\"name\": \"@bytelyst/far\", \"version\": \"CONFINEMENT_MARKER\"}\n",
    );
    let lock = root.join("pnpm-lock.yaml");
    let text = std::fs::read_to_string(&lock).unwrap();
    let at = text
        .find("\n  ../learning_ai_common_plat/")
        .expect("a sibling importer");
    let mut edited = text.clone();
    edited.insert_str(at + 1, "  ../../far/pkg: {}\n\n");
    std::fs::write(&lock, edited).unwrap();
    let r = run(
        &fleet,
        &[
            "lockfile",
            "learning_ai_peakpulse",
            "--registry",
            "http://127.0.0.1:9/",
        ],
    );
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        r.err
            .contains("far/pkg/package.json:1:1: path is outside the repository"),
        "{}",
        r.all()
    );
    assert!(!r.all().contains("CONFINEMENT_MARKER"), "{}", r.all());
}

/// Low: invalid UTF-8 errors give the line and column of the first
/// invalid byte in `lockfile`, `prune` and `fix` too (as `audit` did).
#[test]
fn invalid_utf8_is_reported_at_its_line_and_column() {
    let t = tempfile::tempdir().unwrap();
    let fleet = t.path().join("fleet");
    copy_dir(Path::new("examples/fleet"), &fleet);
    let logger = fleet.join("learning_ai_common_plat/packages/logger/package.json");
    let mut bytes = b"{\n  \"name\": \"x".to_vec();
    bytes.push(0xff);
    bytes.extend_from_slice(b"\"\n}\n");
    std::fs::write(&logger, &bytes).unwrap();
    let r = run(
        &fleet,
        &[
            "lockfile",
            "learning_ai_peakpulse",
            "--registry",
            "http://127.0.0.1:9/",
        ],
    );
    assert!(
        r.err
            .contains("logger/package.json:2:13: file is not valid UTF-8"),
        "lockfile: {}",
        r.all()
    );
    let r = run(
        &fleet,
        &["prune", "-C", "learning_ai_common_plat", "@bytelyst/config"],
    );
    assert!(
        r.err
            .contains("logger/package.json:2:13: file is not valid UTF-8"),
        "prune: {}",
        r.all()
    );

    let repo = t.path().join("small");
    write(
        &repo.join("package.json"),
        "{\"name\": \"r\", \"version\": \"1.0.0\", \"packageManager\": \"pnpm@9.0.0\"}\n",
    );
    write(
        &repo.join("Dockerfile"),
        "FROM node:22\nCOPY package.json ./\nRUN pnpm install\nCOPY . .\n",
    );
    std::fs::write(repo.join(".dockerignore"), b"node_modules\n\xc3(\n").unwrap();
    let r = run(t.path(), &["fix", "small"]);
    assert!(
        r.err
            .contains("small/.dockerignore:2:1: file is not valid UTF-8"),
        "fix: {}",
        r.all()
    );
}

/// Low: a BOM before a manifest, accepted by audit, is accepted by `pack`
/// and `prune` too (npm and pnpm strip it).
#[test]
fn a_bom_before_a_manifest_is_accepted_everywhere() {
    let t = tempfile::tempdir().unwrap();
    let ws = t.path().join("common");
    copy_dir(Path::new("examples/fleet/learning_ai_common_plat"), &ws);
    for rel in ["package.json", "packages/config/package.json"] {
        let p = ws.join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, format!("\u{feff}{text}")).unwrap();
    }
    let out = t.path().join("packed");
    let r = run(
        t.path(),
        &[
            "pack",
            "--workspace",
            "common",
            "--out",
            out.to_str().unwrap(),
            "--filter",
            "@bytelyst/config",
        ],
    );
    assert_eq!(r.code, Some(0), "pack: {}", r.all());
    let r = run(t.path(), &["prune", "-C", "common", "@bytelyst/config"]);
    assert_eq!(r.code, Some(0), "prune: {}", r.all());
    let r = run(t.path(), &["audit", "common", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(v["errors"], serde_json::json!([]), "audit: {}", r.all());
}

/// A compose service building `context: /etc`, `dockerfile: passwd` printed
/// the first line of `/etc/passwd` as an unknown instruction; a Dockerfile
/// outside the repository is not read.
#[test]
fn a_compose_build_outside_the_repository_is_not_read() {
    let t = tempfile::tempdir().unwrap();
    let secret = t.path().join("elsewhere/secret");
    write(&secret, "CONFINEMENT_MARKER x\n");
    let repo = t.path().join("repo");
    write(
        &repo.join("package.json"),
        "{\"name\": \"r\", \"version\": \"1.0.0\"}\n",
    );
    write(
        &repo.join("docker-compose.yml"),
        &format!(
            "services:\n  app:\n    build:\n      context: {}\n      dockerfile: secret\n",
            t.path().join("elsewhere").display()
        ),
    );
    for format in FORMATS {
        let r = run(t.path(), &["audit", "repo", "--format", format]);
        assert!(
            !r.all().contains("CONFINEMENT_MARKER"),
            "{format}: {}",
            r.all()
        );
        assert!(
            r.all().contains("path is outside the repository"),
            "{format}: {}",
            r.all()
        );
    }
}

/// A `pnpm-workspace.yaml -> /proc/self/environ` was parsed as YAML by
/// `audit`, `prune` and `lockfile`; now each refuses it at 1:1.
#[cfg(unix)]
#[test]
fn a_workspace_file_linking_outside_is_refused_by_every_reader() {
    let t = tempfile::tempdir().unwrap();
    let repo = t.path().join("repo");
    write(
        &repo.join("package.json"),
        "{\"name\": \"r\", \"version\": \"1.0.0\"}\n",
    );
    write(&repo.join("Dockerfile"), "FROM node:22\n");
    std::os::unix::fs::symlink("/proc/self/environ", repo.join("pnpm-workspace.yaml")).unwrap();
    let want = "repo/pnpm-workspace.yaml:1:1: symlink points outside the repository";
    let r = run(t.path(), &["audit", "repo", "--format", "concise"]);
    assert!(
        r.out
            .contains("repo/pnpm-workspace.yaml:1:1: error: symlink points outside"),
        "audit: {}",
        r.all()
    );
    let r = run(t.path(), &["prune", "-C", "repo", "x"]);
    assert!(r.err.contains(want), "prune: {}", r.all());
    let r = run(
        t.path(),
        &["lockfile", "repo", "--registry", "http://127.0.0.1:9/"],
    );
    assert!(r.err.contains(want), "lockfile: {}", r.all());
}

/// `pack` hung on a package whose `.npmignore` is a FIFO; now it refuses
/// the special file.
#[cfg(unix)]
#[test]
fn pack_refuses_a_fifo_ignore_file() {
    let t = tempfile::tempdir().unwrap();
    let ws = t.path().join("ws");
    write(
        &ws.join("pnpm-workspace.yaml"),
        "packages:\n  - \"packages/*\"\n",
    );
    write(
        &ws.join("package.json"),
        "{\"name\": \"ws\", \"private\": true}\n",
    );
    write(
        &ws.join("packages/a/package.json"),
        "{\"name\": \"a\", \"version\": \"1.0.0\"}\n",
    );
    let ok = Command::new("mkfifo")
        .arg(ws.join("packages/a/.npmignore"))
        .status()
        .unwrap();
    assert!(ok.success());
    let out = t.path().join("out");
    let r = run_limited(
        t.path(),
        &["pack", "--workspace", "ws", "--out", out.to_str().unwrap()],
        &[],
        20,
    );
    assert!(r.code.is_some(), "pack hung");
    assert!(
        r.err
            .contains(".npmignore: refusing to pack a special file (FIFO)"),
        "{}",
        r.all()
    );
}
