//! Integration tests against a real Docker engine and the testbed registry.
//!
//! They run when `scripts/testbed up` has been evaluated (`DOCKPREP_DOCKER`,
//! `DOCKPREP_REGISTRY_URL`, `GITEA_NPM_TOKEN` set, engine and registry
//! answering, base image present); otherwise each test prints why it is
//! skipped. The builds share one engine and 2 cores, so the scenarios run in
//! one test, in order.

use std::path::Path;
use std::process::Command as Std;

mod common;

use common::{dockprep, steps, unavailable};

const AFTER: &str = "examples/bench/peakpulse-backend/after";
const BEFORE: &str = "examples/bench/peakpulse-backend/before";

macro_rules! require_testbed {
    () => {
        if let Some(why) = unavailable() {
            eprintln!("SKIPPED (no real engine/registry): {why}");
            return;
        }
    };
}

fn build_json(dir: &str, extra: &[&str]) -> (bool, serde_json::Value, String) {
    let out = dockprep()
        .args(["build", dir, "--json", "--progress", "quiet"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.success(), v, stderr)
}

#[test]
fn bench_pair_builds_caches_and_keeps_the_token_out() {
    require_testbed!();
    let token = std::env::var("GITEA_NPM_TOKEN").unwrap();

    // Both states build through the private registry.
    let (ok, v, err) = build_json(BEFORE, &[]);
    assert!(ok, "before failed: {err}\n{v:#}");
    let (ok, v, err) = build_json(AFTER, &[]);
    assert!(ok, "after failed: {err}\n{v:#}");
    assert!(
        !v.to_string().contains(&token),
        "the token leaked into the build output"
    );

    // One source file changed: only the steps from the sources' COPY on rerun,
    // the install step is cached.
    let file = Path::new(AFTER).join("backend/src/pulses.ts");
    let touched = dockprep::bench::touch::Touched::new(&file).unwrap();
    let (ok, v, err) = build_json(AFTER, &[]);
    touched.restore().unwrap();
    assert!(ok, "warm after failed: {err}");
    let st = steps(&v);
    let (stage, src_pos) = st
        .iter()
        .find(|(_, _, i, _)| i.starts_with("COPY backend/src/"))
        .map(|(s, p, _, _)| (s.clone(), *p))
        .expect("a COPY of the sources");
    for (s, pos, instr, cached) in &st {
        // A local base image is reported as DONE, never CACHED.
        if instr.starts_with("FROM") {
            continue;
        }
        if instr.contains("pnpm install") {
            assert!(
                *cached,
                "the install step reran after a source change: {st:?}"
            );
        }
        if *s == stage && *pos < src_pos {
            assert!(*cached, "`{instr}` before the sources' COPY reran: {st:?}");
        }
    }
    assert!(
        st.iter()
            .any(|(_, _, i, c)| i.contains("pnpm run build") && !c),
        "the build step did not rerun: {st:?}"
    );

    // No change: everything cached.
    let (ok, v, err) = build_json(AFTER, &[]);
    assert!(ok, "{err}");
    let st = steps(&v);
    assert!(
        !st.is_empty() && st.iter().all(|(_, _, i, c)| *c || i.starts_with("FROM")),
        "a no-change build ran steps: {st:?}"
    );

    // The token is nowhere in the image or its history.
    let docker = std::env::var("DOCKPREP_DOCKER").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tar = dir.path().join("image.tar");
    let saved = Std::new(&docker)
        .args(["save", "-o"])
        .arg(&tar)
        .arg("peakpulse-backend:after")
        .status()
        .unwrap();
    assert!(saved.success());
    let bytes = std::fs::read(&tar).unwrap();
    assert!(
        !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
        "the token is in the saved image"
    );
    let hist = Std::new(&docker)
        .args(["history", "--no-trunc", "peakpulse-backend:after"])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&hist.stdout).contains(&token),
        "the token is in the image history"
    );
}

#[test]
fn preflight_fails_fast_when_the_registry_does_not_answer() {
    require_testbed!();
    // 127.0.0.2 is loopback, but nothing listens there on the registry's port.
    let start = std::time::Instant::now();
    let out = dockprep()
        .args([
            "build",
            AFTER,
            "--mode",
            "registry",
            "--build-arg",
            "GITEA_NPM_HOST=127.0.0.2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("preflight")
            && err.contains("http://127.0.0.2:3300/api/packages/learning_ai_user/npm/"),
        "{err}"
    );
    assert!(err.contains("does not answer"), "{err}");
    assert!(start.elapsed().as_secs() < 10, "preflight was not fast");

    // A proxy that answers while the registry behind it is down (nginx up, Verdaccio stopped): 502.
    let listener = std::net::TcpListener::bind("127.0.0.2:3300").unwrap();
    let server = std::thread::spawn(move || {
        use std::io::{Read, Write};
        if let Ok((mut s, _)) = listener.accept() {
            let mut b = [0u8; 1024];
            let _ = s.read(&mut b);
            let _ = s.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let out = dockprep()
        .args([
            "build",
            AFTER,
            "--mode",
            "registry",
            "--build-arg",
            "GITEA_NPM_HOST=127.0.0.2",
        ])
        .output()
        .unwrap();
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("answered HTTP 502"), "{err}");
}

#[test]
fn a_failing_step_exits_one_and_is_shown() {
    require_testbed!();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM node:22-alpine\nRUN echo building\nRUN echo 'about to fail' && exit 3\n",
    )
    .unwrap();
    let out = dockprep()
        .arg("build")
        .arg(dir.path())
        .args(["--network", "host", "--no-cache"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAILED"), "{text}");
    assert!(
        text.contains("failing step: [3/3] RUN echo 'about to fail' && exit 3"),
        "{text}"
    );
    assert!(text.contains("about to fail"), "{text}");
}
