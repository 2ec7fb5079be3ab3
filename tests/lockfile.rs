//! `dockprep lockfile`: the Docker-only workspace and lockfile (roadmap A3
//! option 2) on copies of the example fleet.
//!
//! Offline: generation with a stand-in registry, `--check` and the audit
//! rules on every kind of drift, bad input. With the testbed (registry,
//! pnpm, engine): generation from the real registry, pnpm's own verdict on
//! the lockfile, and the fixed fleet building with `--frozen-lockfile`.

use std::path::{Path, PathBuf};

mod common;

use common::{copy_dir, dockprep, unavailable};
use dockprep::lockfile::{self, Published, Source, SourceError};

/// Published records made from the sibling manifests themselves (a stand-in
/// for the registry in offline tests; the integrity is a stand-in too).
struct Local(PathBuf);

impl Source for Local {
    fn published(&self, name: &str, version: &str) -> Result<Published, SourceError> {
        let short = name.rsplit('/').next().unwrap();
        let m = self.0.join(short).join("package.json");
        let text = std::fs::read_to_string(&m).map_err(|_| SourceError::NotPublished {
            name: name.to_string(),
            registry: self.0.display().to_string(),
        })?;
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["version"], version);
        let mut dependencies: std::collections::BTreeSet<String> = Default::default();
        for f in ["dependencies", "optionalDependencies"] {
            if let Some(o) = v[f].as_object() {
                dependencies.extend(o.keys().cloned());
            }
        }
        Ok(Published {
            integrity: format!("sha512-stand-in-for-{name}@{version}=="),
            engines: v["engines"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            dependencies,
            ..Default::default()
        })
    }
}

/// A copy of the fleet with a Docker lockfile written for `repo` (offline).
fn fleet_with_docker_lock(repo: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let fleet = dir.path().join("fleet");
    copy_dir(Path::new("examples/fleet"), &fleet);
    let root = fleet.join(repo);
    let plan = lockfile::plan(&root).unwrap();
    let out = lockfile::generate(
        &plan,
        &Local(fleet.join("learning_ai_common_plat/packages")),
    )
    .unwrap();
    lockfile::write(&root, &out).unwrap();
    (dir, root)
}

/// `dockprep audit PATH --format json EXTRA…`, parsed.
fn audit_json(path: &Path, extra: &[&str]) -> serde_json::Value {
    let out = dockprep()
        .arg("audit")
        .arg(path)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn check(root: &Path) -> (i32, String) {
    let out = dockprep()
        .arg("lockfile")
        .arg(root)
        .arg("--check")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: no `{from}`", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn the_docker_lockfile_keeps_the_dev_resolutions_and_only_what_the_images_reach() {
    let (_d, root) = fleet_with_docker_lock("learning_ai_peakpulse");
    let text = std::fs::read_to_string(root.join(lockfile::LOCK)).unwrap();
    let lock = dockprep::syntax::pnpm_lock::Lockfile::parse(&text).unwrap();
    let dev = dockprep::syntax::pnpm_lock::Lockfile::parse(
        &std::fs::read_to_string(root.join("pnpm-lock.yaml")).unwrap(),
    )
    .unwrap();
    // Only the repository's importers, and no links out of it.
    assert_eq!(lock.importer_ids(), vec![".", "backend", "web"]);
    assert!(!text.contains("link:../"), "{text}");
    // The siblings are registry packages at their versions, with their own
    // sibling dependencies (logger → config, errors) resolved the same way.
    let backend = lock.importer_deps("backend");
    let config = backend
        .iter()
        .find(|d| d.name == "@bytelyst/config")
        .unwrap();
    assert_eq!(
        (config.specifier, config.reference),
        (Some("^1.4.0"), "1.4.0")
    );
    let logger_deps: Vec<(String, String)> = lock
        .node_deps("@bytelyst/logger@1.2.3")
        .iter()
        .map(|d| (d.name.to_string(), d.reference.to_string()))
        .collect();
    assert_eq!(
        logger_deps,
        vec![
            ("@bytelyst/config".to_string(), "1.4.0".to_string()),
            ("@bytelyst/errors".to_string(), "1.0.2".to_string())
        ]
    );
    let pkgs = lock.project().get_map("packages").unwrap();
    assert!(pkgs
        .get_map("@bytelyst/logger@1.2.3")
        .unwrap()
        .get_map("resolution")
        .unwrap()
        .get_str("integrity")
        .is_some());
    // Third-party versions are the dev lockfile's, entry for entry.
    let snaps = lock.graph().unwrap();
    let dev_snaps = dev.graph().unwrap();
    let mut third_party = 0;
    for (k, v) in snaps.iter() {
        if k.starts_with("@bytelyst/") {
            continue;
        }
        assert!(
            dev_snaps.get(k) == Some(v),
            "{k} differs from the dev lockfile"
        );
        third_party += 1;
    }
    assert!(third_party > 50, "{third_party}");
    // Complete: every reference resolves to a snapshot and a package entry.
    for id in lock.importer_ids() {
        for d in lock.importer_deps(id) {
            if let Some(p) = lock.dep_path(d.name, d.reference) {
                assert!(snaps.get(&p).is_some(), "{id}: {p} missing");
            }
        }
    }
    for (k, _) in snaps.iter() {
        assert!(
            pkgs.get(lock.package_key(k)).is_some(),
            "packages entry of {k}"
        );
        for d in lock.node_deps(k) {
            let p = lock.dep_path(d.name, d.reference).unwrap();
            assert!(snaps.get(&p).is_some(), "{k} → {p} missing");
        }
    }
    // Nothing the images do not reach: every snapshot is reachable.
    assert!(snaps.len() < dev_snaps.len() + 3);
    // The Docker workspace: only in-context globs, other keys kept.
    let ws = std::fs::read_to_string(root.join(lockfile::WORKSPACE)).unwrap();
    assert!(ws.contains("  - backend\n  - web\n"), "{ws}");
    assert!(!ws.contains("learning_ai_common_plat"), "{ws}");
    assert!(ws.contains("catalog:\n  zod:"), "{ws}");
}

#[test]
fn check_is_offline_and_names_every_kind_of_drift() {
    let (_d, root) = fleet_with_docker_lock("learning_ai_peakpulse");
    let fleet = root.parent().unwrap().to_path_buf();
    assert_eq!(
        check(&root),
        (0, "docker/pnpm-lock.yaml: up to date\n".into())
    );

    // A sibling's README or description is not an input.
    edit(
        &fleet.join("learning_ai_common_plat/packages/logger/package.json"),
        "\"description\": \"",
        "\"description\": \"(edited) ",
    );
    assert_eq!(check(&root).0, 0);

    let cases: [(&str, &str, &str, &str); 5] = [
        (
            "learning_ai_common_plat/packages/logger/package.json",
            "\"version\": \"1.2.3\"",
            "\"version\": \"1.2.4\"",
            "../learning_ai_common_plat/packages/logger/package.json: changed",
        ),
        (
            "learning_ai_peakpulse/backend/package.json",
            "\"express\": \"^4.21.2\"",
            "\"express\": \"^4.21.1\"",
            "backend/package.json: changed",
        ),
        (
            "learning_ai_peakpulse/pnpm-lock.yaml",
            "lockfileVersion: '9.0'",
            "lockfileVersion: '9.0'\n",
            "pnpm-lock.yaml: changed",
        ),
        (
            "learning_ai_peakpulse/docker/pnpm-lock.yaml",
            "lockfileVersion: '9.0'",
            "lockfileVersion: '9.0'\n",
            "docker/pnpm-lock.yaml: edited after it was written",
        ),
        (
            "learning_ai_peakpulse/pnpm-workspace.yaml",
            "  - web\n",
            "  - web\n  - tools\n",
            "pnpm-workspace.yaml: changed",
        ),
    ];
    for (file, from, to, want) in cases {
        let path = fleet.join(file);
        let before = std::fs::read(&path).unwrap();
        edit(&path, from, to);
        let (code, text) = check(&root);
        assert_eq!(code, 1, "{file}: {text}");
        assert!(text.contains(want), "{file}: want `{want}` in:\n{text}");
        // The audit says the same, as a high finding on the Docker lockfile.
        let v = audit_json(&root, &["--select", "docker-lockfile-stale"]);
        let f = &v["findings"][0];
        assert_eq!(f["rule"], "docker-lockfile-stale", "{v}");
        assert_eq!(f["severity"], "high");
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains(want.split(':').next().unwrap()),
            "{f}"
        );
        std::fs::write(&path, before).unwrap();
        assert_eq!(check(&root).0, 0, "{file} restored");
    }
    // No record: a usage error, not "stale".
    std::fs::remove_file(root.join(lockfile::RECORD)).unwrap();
    let (code, text) = check(&root);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("docker/dockprep-lock.json"), "{text}");
}

#[test]
fn the_fix_switches_the_install_to_frozen_lockfile_and_f2_goes_quiet() {
    let (_d, root) = fleet_with_docker_lock("learning_ai_peakpulse");
    let fleet = root.parent().unwrap().to_path_buf();
    // Phase A first (the canonical deps layer), as a team would.
    dockprep()
        .arg("fix")
        .arg(&root)
        .arg("--unsafe")
        .assert()
        .code(0);
    let v = audit_json(&root, &[]);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(!rules.contains(&"workspace-outside-context"), "{rules:?}");
    assert!(
        !rules.contains(&"docker-lockfile-unused"),
        "fix --unsafe applied it: {rules:?}"
    );
    for df in ["backend/Dockerfile", "web/Dockerfile"] {
        let text = std::fs::read_to_string(root.join(df)).unwrap();
        assert!(text.contains("--frozen-lockfile"), "{df}:\n{text}");
        assert!(!text.contains("--lockfile=false"), "{df}:\n{text}");
        assert!(
            text.contains("COPY docker/pnpm-workspace.yaml docker/pnpm-lock.yaml /app/\n"),
            "{df}:\n{text}"
        );
        // The COPY sits in the deps layer: before the install.
        let copy = text.find("COPY docker/pnpm-workspace.yaml").unwrap();
        let install = text.find("--frozen-lockfile").unwrap();
        assert!(copy < install, "{df}");
    }
    // Idempotent, and the other pilot (no Docker lockfile) keeps F2.
    dockprep()
        .arg("fix")
        .arg(&root)
        .args(["--unsafe", "--check"])
        .assert()
        .code(0);
    let v = audit_json(
        &fleet.join("learning_ai_clock"),
        &["--select", "workspace-outside-context"],
    );
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "{v}");
}

#[test]
fn a_stale_docker_lockfile_is_not_wired_in_by_fix() {
    let (_d, root) = fleet_with_docker_lock("learning_ai_peakpulse");
    edit(
        &root.join("backend/package.json"),
        "\"express\": \"^4.21.2\"",
        "\"express\": \"^4.21.1\"",
    );
    let out = dockprep()
        .arg("fix")
        .arg(&root)
        .args(["--unsafe", "--select", "docker-lockfile-unused", "--diff"])
        .output()
        .unwrap();
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn bad_input_is_refused_with_the_file_and_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = dir.path().join("fleet");
    copy_dir(Path::new("examples/fleet"), &fleet);
    let root = fleet.join("learning_ai_peakpulse");
    let lock = root.join("pnpm-lock.yaml");
    let original = std::fs::read_to_string(&lock).unwrap();
    let run = |root: &Path| {
        let out = dockprep()
            .arg("lockfile")
            .arg(root)
            .args(["--registry", "http://127.0.0.1:9/"])
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };

    // An unsupported lockfile version.
    std::fs::write(
        &lock,
        original.replace("lockfileVersion: '9.0'", "lockfileVersion: 5.4"),
    )
    .unwrap();
    let (code, err) = run(&root);
    assert_eq!(code, 2);
    assert!(
        err.contains("pnpm-lock.yaml:1:1") && err.contains("5.4"),
        "{err}"
    );
    std::fs::write(&lock, &original).unwrap();

    // A dev lockfile out of date with a manifest: names the manifest and the dependency.
    edit(
        &root.join("backend/package.json"),
        "\"express\": \"^4.21.2\"",
        "\"express\": \"^4.21.2\",\n    \"left-pad\": \"^1.3.0\"",
    );
    let (code, err) = run(&root);
    assert_eq!(code, 2);
    assert!(
        err.contains("backend/package.json:") && err.contains("left-pad"),
        "{err}"
    );
    assert!(err.contains("out of date"), "{err}");
    assert!(!root.join("docker").exists(), "nothing written");
    copy_dir(
        Path::new("examples/fleet/learning_ai_peakpulse/backend"),
        &root.join("backend"),
    );

    // A registry that does not answer: an error naming it, nothing written.
    let (code, err) = run(&root);
    assert_eq!(code, 2);
    assert!(err.contains("127.0.0.1:9"), "{err}");
    assert!(!root.join("docker").exists(), "nothing written");

    // A sibling manifest that is not JSON: its file, line and column.
    let sibling = fleet.join("learning_ai_common_plat/packages/logger/package.json");
    let good = std::fs::read_to_string(&sibling).unwrap();
    std::fs::write(&sibling, good.replacen("\"version\"", "version", 1)).unwrap();
    let (code, err) = run(&root);
    assert_eq!(code, 2);
    assert!(
        err.contains("logger/package.json:3:") && err.contains("invalid JSON"),
        "{err}"
    );
    assert!(!root.join("docker").exists(), "nothing written");
    std::fs::write(&sibling, good).unwrap();

    // No dev lockfile.
    std::fs::remove_file(&lock).unwrap();
    let (code, err) = run(&root);
    assert_eq!(code, 2);
    assert!(
        err.contains("pnpm-lock.yaml") && err.contains("pnpm install"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// With the testbed: the real registry, pnpm and the engine.

fn pnpm() -> Option<PathBuf> {
    let out = std::process::Command::new("npx")
        .args(["-y", "-p", "pnpm@10.6.5", "-c", "command -v pnpm"])
        .env(
            "npm_config_registry",
            std::env::var("DOCKPREP_REGISTRY_URL").ok()?,
        )
        .output()
        .ok()?;
    let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    p.is_file().then_some(p)
}

#[test]
fn generated_from_the_registry_it_is_exactly_what_pnpm_would_write_and_installs_frozen() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED (no testbed registry): {why}");
        return;
    }
    let Some(pnpm) = pnpm() else {
        eprintln!("SKIPPED: pnpm 10.6.5 could not be fetched through the testbed registry");
        return;
    };
    for repo in ["learning_ai_peakpulse", "learning_ai_clock"] {
        let dir = tempfile::tempdir().unwrap();
        let fleet = dir.path().join("fleet");
        copy_dir(Path::new("examples/fleet"), &fleet);
        let root = fleet.join(repo);
        let out = dockprep().arg("lockfile").arg(&root).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let printed = String::from_utf8_lossy(&out.stdout);
        assert!(!printed.contains(&std::env::var("GITEA_NPM_TOKEN").unwrap()));
        let ours = std::fs::read_to_string(root.join(lockfile::LOCK)).unwrap();
        assert!(ours.contains("sha512-"), "real integrity");

        // The Docker workspace as the image sees it: the two files at its
        // root, the manifests, an .npmrc naming the registry.
        let reg = std::env::var("DOCKPREP_REGISTRY_URL").unwrap();
        let host_path = reg.trim_start_matches("http:");
        let npmrc =
            format!("@bytelyst:registry={reg}\n{host_path}:_authToken=${{GITEA_NPM_TOKEN}}\n");
        let ws = tempfile::tempdir().unwrap();
        for f in ["pnpm-lock.yaml", "pnpm-workspace.yaml"] {
            std::fs::copy(root.join("docker").join(f), ws.path().join(f)).unwrap();
        }
        std::fs::write(ws.path().join(".npmrc"), &npmrc).unwrap();
        std::fs::copy(root.join("package.json"), ws.path().join("package.json")).unwrap();
        for pkg in ["backend", "web"] {
            std::fs::create_dir_all(ws.path().join(pkg)).unwrap();
            std::fs::copy(
                root.join(pkg).join("package.json"),
                ws.path().join(pkg).join("package.json"),
            )
            .unwrap();
        }
        let pn = |dir: &Path, args: &[&str]| {
            let o = std::process::Command::new(&pnpm)
                .args(args)
                .current_dir(dir)
                .env("npm_config_manage_package_manager_versions", "false")
                .env("npm_config_store_dir", ws.path().join(".store"))
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "pnpm {args:?} in {}: {}{}",
                dir.display(),
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
        };
        // pnpm resolving from our lockfile rewrites nothing: it is complete
        // and in pnpm's own form.
        pn(
            ws.path(),
            &["install", "--lockfile-only", "--ignore-scripts"],
        );
        let rewritten = std::fs::read_to_string(ws.path().join("pnpm-lock.yaml")).unwrap();
        assert!(
            rewritten == ours,
            "{repo}: pnpm rewrote the Docker lockfile"
        );
        // A frozen install of the backend alone, as in the image.
        let backend = ws.path().join("backend");
        std::fs::remove_file(ws.path().join("web/package.json")).unwrap();
        pn(
            &backend,
            &["install", "--frozen-lockfile", "--ignore-scripts"],
        );
        assert!(backend.join("node_modules/@bytelyst").is_dir(), "{repo}");
    }

    // A sibling version the registry does not have: named, nothing written.
    let dir = tempfile::tempdir().unwrap();
    let fleet = dir.path().join("fleet");
    copy_dir(Path::new("examples/fleet"), &fleet);
    edit(
        &fleet.join("learning_ai_common_plat/packages/logger/package.json"),
        "\"version\": \"1.2.3\"",
        "\"version\": \"1.2.4\"",
    );
    let root = fleet.join("learning_ai_peakpulse");
    let out = dockprep().arg("lockfile").arg(&root).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("logger/package.json")
            && err.contains("@bytelyst/logger@1.2.4 is not published"),
        "{err}"
    );
    assert!(!root.join("docker").exists());
}

#[test]
fn the_fixed_fleet_builds_with_frozen_lockfile_on_the_real_engine() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED (no real engine/registry): {why}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fleet = common::testbed_fleet(dir.path());
    // Phase A first: the canonical deps layer, still `--lockfile=false`
    // (exit 1: F2 is left, it needs the Docker lockfile).
    dockprep()
        .arg("fix")
        .arg(&fleet)
        .arg("--unsafe")
        .assert()
        .code(1);
    // Gate C7: the ADR, with both options measured by `dockprep bench`.
    let peakpulse = fleet.join("learning_ai_peakpulse");
    let out = dockprep()
        .arg("lockfile")
        .arg(&peakpulse)
        .args(["--adr", "--service", "backend", "--", "--network", "host"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let adr =
        std::fs::read_to_string(peakpulse.join("docs/decisions/0001-docker-lockfile-policy.md"))
            .unwrap();
    for row in [
        "| 1: `--lockfile=false` | ",
        "| 2: Docker-only lockfile, `--frozen-lockfile` | ",
    ] {
        let line = adr
            .lines()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("{adr}"));
        assert!(
            !line.contains("not measured") && line.matches(" s |").count() == 4,
            "{line}"
        );
    }
    assert!(
        adr.contains("## Decision") && adr.contains("To be decided"),
        "{adr}"
    );
    assert!(
        adr.contains("Option 1") && adr.contains("Option 2") && adr.contains("drift"),
        "{adr}"
    );
    // The ADR measured a copy: the repository's Dockerfile is unchanged.
    let df = std::fs::read_to_string(peakpulse.join("backend/Dockerfile")).unwrap();
    assert!(df.contains("--lockfile=false"), "{df}");

    dockprep()
        .arg("lockfile")
        .arg(fleet.join("learning_ai_clock"))
        .assert()
        .code(0);
    dockprep()
        .arg("fix")
        .arg(&fleet)
        .arg("--unsafe")
        .assert()
        .code(0);
    // Nothing left but what needs a person: no F2, no stale or unused lockfile.
    let v = audit_json(&fleet, &[]);
    assert_eq!(v["findings"].as_array().unwrap().len(), 0, "{v}");

    for (repo, service) in [
        ("learning_ai_peakpulse", "backend"),
        ("learning_ai_clock", "backend"),
        ("learning_ai_clock", "web"),
    ] {
        let root = fleet.join(repo);
        let df = std::fs::read_to_string(root.join(service).join("Dockerfile")).unwrap();
        assert!(df.contains("--frozen-lockfile"), "{df}");
        let (_, steps) = common::build(&root, service);
        let install = steps
            .iter()
            .find(|(_, _, i, _)| i.contains("pnpm install"))
            .unwrap_or_else(|| panic!("{repo} {service}: no install step in {steps:?}"));
        assert!(install.2.contains("--frozen-lockfile"), "{install:?}");
    }
}

/// Rewrites the `docker/` files of the rule fixtures of
/// `docker-lockfile-stale` and `docker-lockfile-unused` from the template
/// `tests/fixtures/docker-lockfile-stale/clean/fresh`, then applies each
/// variant's drift. Run with `cargo test --test lockfile -- --ignored`.
#[test]
#[ignore = "regenerates rule fixtures"]
fn write_rule_fixtures() {
    let fx = Path::new("tests/fixtures");
    let template = fx.join("docker-lockfile-stale/clean/fresh");
    let generate = |variant: &Path| {
        let root = variant.join("app");
        let _ = std::fs::remove_dir_all(root.join("docker"));
        let plan = lockfile::plan(&root).unwrap();
        let out = lockfile::generate(&plan, &Local(variant.join("common/packages"))).unwrap();
        lockfile::write(&root, &out).unwrap();
    };
    generate(&template);
    type Drift = fn(&Path);
    let variants: [(&str, Drift); 6] = [
        ("docker-lockfile-stale/fires/edited-manifest", |v| {
            edit(
                &v.join("app/api/package.json"),
                "\"^1.0.0\"",
                "\"^1.0.0\",\n    \"left-pad\": \"^1.3.0\"",
            )
        }),
        ("docker-lockfile-stale/fires/sibling-bumped", |v| {
            edit(
                &v.join("common/packages/util/package.json"),
                "\"1.0.0\"",
                "\"1.0.1\"",
            )
        }),
        ("docker-lockfile-unused/fires/lockfile-false", |_| {}),
        ("docker-lockfile-unused/clean/frozen", |v| {
            edit(
                &v.join("app/api/Dockerfile"),
                "COPY api/package.json ./package.json\n",
                "COPY api/package.json ./package.json\nCOPY docker/pnpm-workspace.yaml docker/pnpm-lock.yaml /app/\n",
            );
            edit(
                &v.join("app/api/Dockerfile"),
                "--lockfile=false",
                "--frozen-lockfile",
            );
        }),
        ("docker-lockfile-unused/clean/stale", |v| {
            edit(&v.join("app/api/package.json"), "\"^1.0.0\"", "\"^1.0.1\"")
        }),
        ("docker-lockfile-unused/clean/no-docker-lock", |v| {
            std::fs::remove_dir_all(v.join("app/docker")).unwrap()
        }),
    ];
    for (dir, drift) in variants {
        let v = fx.join(dir);
        let _ = std::fs::remove_dir_all(&v);
        copy_dir(&template, &v);
        generate(&v);
        drift(&v);
    }
}

/// The tarball fallback cannot satisfy a frozen install from the Docker
/// lockfile: `build --mode tarball` refuses before running the client.
#[test]
fn tarball_mode_refuses_an_image_that_installs_from_the_docker_lockfile() {
    let (d, root) = fleet_with_docker_lock("learning_ai_peakpulse");
    dockprep()
        .arg("fix")
        .arg(&root)
        .arg("--unsafe")
        .assert()
        .code(0);
    let (o, captured) = common::tarball_build_with_stand_in(d.path(), &root, "backend");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("docker/pnpm-lock.yaml") && err.contains("--frozen-lockfile"),
        "{err}"
    );
    assert!(
        !captured.join("args").exists(),
        "the client was asked to build"
    );
}

#[test]
fn a_docker_dir_linking_outside_is_not_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = dir.path().join("fleet");
    copy_dir(Path::new("examples/fleet"), &fleet);
    let root = fleet.join("learning_ai_peakpulse");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, root.join("docker")).unwrap();
    let plan = lockfile::plan(&root).unwrap();
    let out = lockfile::generate(
        &plan,
        &Local(fleet.join("learning_ai_common_plat/packages")),
    )
    .unwrap();
    let e = lockfile::write(&root, &out).unwrap_err();
    assert!(e.to_string().contains("outside the repository"), "{e}");
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}
