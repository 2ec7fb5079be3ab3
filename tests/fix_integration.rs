//! Roadmap gates C1 and C2 after `dockprep fix --unsafe`, on the real engine
//! and the testbed registry: the fixed pilots build through the registry path
//! with no `.docker-deps/`, and a one-file change reruns only the steps from
//! the sources' `COPY` on, in under 30 s. Skipped, with the reason printed,
//! when the testbed is not up.

use std::path::PathBuf;

mod common;

use common::{build, dockprep, unavailable};

#[test]
fn fixed_pilots_build_through_the_registry_and_rebuild_warm() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED (no real engine/registry): {why}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fleet = common::testbed_fleet(dir.path());

    let out = dockprep()
        .arg("fix")
        .arg(&fleet)
        .arg("--unsafe")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("GITEA_NPM_TOKEN"),
        "the report names the env the builds need: {text}"
    );
    // Only F2 is left (it needs a Docker-only workspace).
    let audit = dockprep()
        .arg("audit")
        .arg(&fleet)
        .args(["--format", "json", "--preview"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    for f in v["findings"].as_array().unwrap() {
        assert_eq!(f["rule"], "workspace-outside-context", "{f}");
    }
    // Idempotent.
    dockprep()
        .arg("fix")
        .arg(&fleet)
        .args(["--unsafe", "--check"])
        .assert()
        .code(0);

    let cases: [(&str, &str, &str); 3] = [
        ("learning_ai_peakpulse", "backend", "backend/src/store.ts"),
        ("learning_ai_clock", "backend", "backend/src/timers.ts"),
        ("learning_ai_clock", "web", "web/app/zones.tsx"),
    ];
    for (repo, service, source) in cases {
        let repo: PathBuf = fleet.join(repo);
        assert!(!repo.join(".docker-deps").exists());
        // C1: builds through the registry path (no tarballs).
        let (cold, _) = build(&repo, service);
        // C2: one source file changed.
        let file = repo.join(source);
        let touched = dockprep::bench::touch::Touched::new(&file).unwrap();
        let (warm, steps) = build(&repo, service);
        touched.restore().unwrap();
        eprintln!(
            "{} {service}: first build {cold:.1} s, warm rebuild {warm:.1} s",
            repo.display()
        );
        let src_copy = steps
            .iter()
            .filter(|(_, _, i, _)| {
                i.starts_with("COPY ")
                    && !i.starts_with("COPY --from")
                    && !i.contains("package.json")
                    && !i.contains(".npmrc")
                    && !i.contains(".docker-deps")
            })
            .map(|(s, p, _, _)| (s.clone(), *p))
            .min_by_key(|(_, p)| *p)
            .expect("a COPY of the sources");
        for (s, p, instr, cached) in &steps {
            if instr.starts_with("FROM") {
                continue;
            }
            if instr.contains("pnpm install") {
                assert!(
                    *cached,
                    "{service}: the install reran after a source change: {steps:?}"
                );
            }
            if *s == src_copy.0 && *p < src_copy.1 {
                assert!(
                    *cached,
                    "{service}: `{instr}` before the sources' COPY reran: {steps:?}"
                );
            }
        }
        if service == "backend" {
            assert!(
                warm < 30.0,
                "{service}: warm rebuild took {warm:.1} s (gate C2: under 30 s)"
            );
        }
    }
}
