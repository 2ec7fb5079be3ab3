//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command as Std;

use assert_cmd::Command;

/// Why the real-engine tests cannot run here, if they cannot.
pub fn unavailable() -> Option<String> {
    let Some(docker) = std::env::var_os("DOCKPREP_DOCKER") else {
        return Some(
            "DOCKPREP_DOCKER is not set (run `eval \"$(scripts/testbed up)\"` first)".into(),
        );
    };
    let ok = |args: &[&str]| {
        Std::new(&docker)
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !ok(&["info"]) {
        return Some(format!(
            "the Docker engine behind {} does not answer",
            Path::new(&docker).display()
        ));
    }
    if !ok(&["image", "inspect", "node:22-alpine"]) {
        return Some("base image node:22-alpine is missing (scripts/testbed up makes it)".into());
    }
    let Ok(url) = std::env::var("DOCKPREP_REGISTRY_URL") else {
        return Some("DOCKPREP_REGISTRY_URL is not set".into());
    };
    if std::env::var("GITEA_NPM_TOKEN").is_err() {
        return Some("GITEA_NPM_TOKEN is not set".into());
    }
    let ping = Std::new("curl")
        .args([
            "-sf",
            "-o",
            "/dev/null",
            &format!("{}/-/ping", url.trim_end_matches('/')),
        ])
        .status();
    if !ping.is_ok_and(|s| s.success()) {
        return Some(format!("the registry at {url} does not answer"));
    }
    None
}

pub fn dockprep() -> Command {
    let mut c = Command::cargo_bin("dockprep").unwrap();
    c.env("NO_COLOR", "1");
    c
}

/// Copies a directory tree (without `node_modules` and `dist`).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type().unwrap().is_dir() {
            if e.file_name() != "node_modules" && e.file_name() != "dist" {
                copy_dir(&src, &dst);
            }
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Dockerfile steps of the first build: (stage, position in the stage, instruction, cached).
pub fn steps(v: &serde_json::Value) -> Vec<(String, u64, String, bool)> {
    v["builds"][0]["steps"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|s| !s["position"].is_null())
                .map(|s| {
                    (
                        s["stage"].as_str().unwrap_or("").to_string(),
                        s["position"][0].as_u64().unwrap_or(0),
                        s["instruction"].as_str().unwrap_or("").to_string(),
                        s["cached"].as_bool().unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The real monorepos of `../shared/data/monorepos` (manifests and lockfiles
/// of vuejs/core, vitejs/vite and pnpm/pnpm): `DOCKPREP_MONOREPOS`, else
/// beside the repository, else `/work/shared`. `None` (saying SKIPPED) when
/// absent.
#[allow(dead_code)]
pub fn monorepos() -> Option<std::path::PathBuf> {
    let candidates = [
        std::env::var_os("DOCKPREP_MONOREPOS").map(std::path::PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/monorepos")),
        Some(std::path::PathBuf::from("/work/shared/data/monorepos")),
    ];
    for c in candidates.into_iter().flatten() {
        if c.join("vuejs-core/pnpm-lock.yaml").is_file() {
            return Some(c);
        }
    }
    eprintln!(
        "SKIPPED: the monorepos of ../shared/data/monorepos are not here (set DOCKPREP_MONOREPOS)"
    );
    None
}

/// Builds `service` of `repo` with `dockprep build --network host` (the
/// testbed's registry path); panics with the log when it fails. Returns the
/// wall time and the steps as [`steps`] gives them.
pub fn build(repo: &Path, service: &str) -> (f64, Vec<(String, u64, String, bool)>) {
    let start = std::time::Instant::now();
    let out = dockprep()
        .arg("build")
        .arg(repo)
        .arg(service)
        .args(["--network", "host", "--json", "--progress", "quiet"])
        .output()
        .unwrap();
    let secs = start.elapsed().as_secs_f64();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert!(
        out.status.success(),
        "{} {service} did not build: {}\n{}",
        repo.display(),
        String::from_utf8_lossy(&out.stderr),
        serde_json::to_string_pretty(&v).unwrap_or_default()
    );
    (secs, steps(&v))
}

/// A copy of `examples/fleet` in `dir` with the `dockprep.toml` the testbed
/// needs: its builders cannot pull a `# syntax=` frontend image, and the
/// machine's corepack cannot verify today's npm signatures (a private-mirror
/// setting the fix must carry into the Dockerfiles).
pub fn testbed_fleet(dir: &Path) -> std::path::PathBuf {
    let fleet = dir.join("fleet");
    copy_dir(Path::new("examples/fleet"), &fleet);
    std::fs::write(
        fleet.join("dockprep.toml"),
        "[build]\nsyntax = false\n\n[corepack.env]\nCOREPACK_INTEGRITY_KEYS = \"0\"\nCOREPACK_ENABLE_DOWNLOAD_PROMPT = \"0\"\n",
    )
    .unwrap();
    fleet
}

/// `dockprep build ROOT SERVICE --mode tarball` with a stand-in docker
/// client written into `dir`: its `build` saves the arguments to
/// `dir/captured/args` and the context from stdin to
/// `dir/captured/context.tar`; anything else fails. Returns the output and
/// the capture directory.
pub fn tarball_build_with_stand_in(
    dir: &Path,
    root: &Path,
    service: &str,
) -> (std::process::Output, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let fake = dir.join("fake-docker");
    let out = dir.join("captured");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\n[ \"$1\" = build ] || exit 1\necho \"$@\" > {0}/args\ncat > {0}/context.tar\necho '#1 [1/1] FROM x' >&2\nexit 0\n",
            out.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = dockprep()
        .arg("build")
        .arg(root)
        .args([service, "--mode", "tarball", "--docker"])
        .arg(&fake)
        .output()
        .unwrap();
    (o, out)
}
