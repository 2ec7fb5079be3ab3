//! `dockprep.toml` `[rules]` (select/ignore, severity, per-path ignores),
//! `--config`, `dockprep init`, and inline `# dockprep: ignore[…]` comments
//! with `unused-ignore`, on a copy of the example fleet.

use std::path::Path;

mod common;

use common::{copy_dir, dockprep};

/// (rule, path, line, severity) of every finding.
fn audit(dir: &Path, extra: &[&str]) -> Vec<(String, String, u64, String)> {
    let o = dockprep()
        .arg("audit")
        .arg(".")
        .args(["--format", "json"])
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn fleet() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    copy_dir(Path::new("examples/fleet"), d.path());
    d
}

fn edit(path: &Path, from: &str, to: &str) {
    let t = std::fs::read_to_string(path).unwrap();
    assert!(t.contains(from), "{}: no `{from}`", path.display());
    std::fs::write(path, t.replacen(from, to, 1)).unwrap();
}

fn has(f: &[(String, String, u64, String)], rule: &str, path: &str) -> bool {
    f.iter().any(|x| x.0 == rule && x.1 == path)
}

#[test]
fn inline_ignores_suppress_and_stale_ones_are_reported() {
    let d = fleet();
    let before = audit(d.path(), &[]);
    let dockerfile = d.path().join("learning_ai_clock/backend/Dockerfile");
    // Above a multi-line instruction: covers every line of it.
    edit(
        &dockerfile,
        "RUN npm install -g pnpm@10.6.5",
        "# dockprep: ignore[pnpm-global-install, unused-build-arg]\nRUN npm install -g pnpm@10.6.5",
    );
    edit(
        &d.path().join("learning_ai_clock/.dockerignore"),
        "**/pnpm-lock.yaml",
        "# dockprep: ignore[lockfile-ignored]\n**/pnpm-lock.yaml",
    );
    // At the top of a file: the whole file.
    let web = d.path().join("learning_ai_peakpulse/web/Dockerfile");
    let t = std::fs::read_to_string(&web).unwrap();
    std::fs::write(
        &web,
        format!("# dockprep: ignore[store-cache-mount-missing, pnpm-global-install]\n\n{t}"),
    )
    .unwrap();

    let after = audit(d.path(), &[]);
    assert!(!has(
        &after,
        "pnpm-global-install",
        "learning_ai_clock/backend/Dockerfile"
    ));
    assert!(!has(
        &after,
        "lockfile-ignored",
        "learning_ai_clock/.dockerignore"
    ));
    assert!(!has(
        &after,
        "store-cache-mount-missing",
        "learning_ai_peakpulse/web/Dockerfile"
    ));
    assert!(!has(
        &after,
        "pnpm-global-install",
        "learning_ai_peakpulse/web/Dockerfile"
    ));
    // Other rules on the same lines and files still report.
    assert!(has(
        &after,
        "store-cache-mount-missing",
        "learning_ai_clock/backend/Dockerfile"
    ));
    // The ignore of a rule that found nothing there is reported, where it is.
    let unused: Vec<_> = after.iter().filter(|f| f.0 == "unused-ignore").collect();
    assert_eq!(unused.len(), 1, "{after:?}");
    assert_eq!(unused[0].1, "learning_ai_clock/backend/Dockerfile");
    assert_eq!(unused[0].3, "low");
    assert_eq!(after.len(), before.len() - 4 + 1, "{after:?}");
    // `--ignore unused-ignore` silences that, like any rule.
    assert_eq!(
        audit(d.path(), &["--ignore", "unused-ignore"]).len(),
        before.len() - 4
    );
}

#[test]
fn repository_configuration_selects_ignores_and_reweights() {
    let d = fleet();
    let before = audit(d.path(), &[]);
    std::fs::write(
        d.path().join("learning_ai_peakpulse/dockprep.toml"),
        "[rules]\nignore = [\"compose-build-wiring\"]\n\n[rules.severity]\npnpm-global-install = \"high\"\n\n[rules.per-path-ignores]\n\"web/**\" = [\"*\"]\n",
    )
    .unwrap();
    let after = audit(d.path(), &[]);
    assert!(!has(
        &after,
        "compose-build-wiring",
        "learning_ai_peakpulse/docker-compose.yml"
    ));
    assert!(!after
        .iter()
        .any(|f| f.1.starts_with("learning_ai_peakpulse/web/")));
    let sev = |f: &[(String, String, u64, String)], p: &str| {
        f.iter()
            .find(|x| x.0 == "pnpm-global-install" && x.1 == p)
            .map(|x| x.3.clone())
    };
    assert_eq!(
        sev(&after, "learning_ai_peakpulse/backend/Dockerfile").as_deref(),
        Some("high")
    );
    // The other repository keeps its defaults.
    assert_eq!(
        sev(&after, "learning_ai_clock/backend/Dockerfile").as_deref(),
        Some("low")
    );
    assert!(has(
        &after,
        "pnpm-global-install",
        "learning_ai_clock/web/Dockerfile"
    ));
    let dropped = before
        .iter()
        .filter(|f| {
            f.1.starts_with("learning_ai_peakpulse/web/")
                || (f.0 == "compose-build-wiring" && f.1.starts_with("learning_ai_peakpulse/"))
        })
        .count();
    assert_eq!(after.len(), before.len() - dropped);

    // `--config` applies one file to every repository.
    let cfg = d.path().join("strict.toml");
    std::fs::write(&cfg, "[rules]\nselect = [\"workspace-outside-context\"]\n").unwrap();
    let only = audit(d.path(), &["--config", cfg.to_str().unwrap()]);
    assert_eq!(only.len(), 2, "{only:?}");
    assert!(only.iter().all(|f| f.0 == "workspace-outside-context"));
}

#[test]
fn a_bad_configuration_is_an_error_naming_the_key_and_line() {
    let d = fleet();
    let cfg = d.path().join("learning_ai_clock/dockprep.toml");
    std::fs::write(
        &cfg,
        "[rules]\nignore = []\n\n[rules.severity]\nunused-build-ar = \"low\"\n",
    )
    .unwrap();
    let o = dockprep()
        .args(["audit", "learning_ai_clock"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("learning_ai_clock/dockprep.toml:5:1")
            && out.contains("unknown rule `unused-build-ar`"),
        "{out}"
    );
    std::fs::write(&cfg, "[rules]\nignroe = []\n").unwrap();
    let o = dockprep()
        .args(["audit", "learning_ai_clock"])
        .current_dir(d.path())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("dockprep.toml:2:1") && out.contains("ignroe"),
        "{out}"
    );
}

#[test]
fn init_writes_the_commented_defaults_once() {
    let d = tempfile::tempdir().unwrap();
    let o = dockprep().arg("init").arg(d.path()).output().unwrap();
    assert!(o.status.success());
    let text = std::fs::read_to_string(d.path().join("dockprep.toml")).unwrap();
    assert!(text.contains("[rules.per-path-ignores]"));
    assert_eq!(
        dockprep::config::Config::parse(&text).unwrap(),
        Default::default()
    );
    let again = dockprep().arg("init").arg(d.path()).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
}
