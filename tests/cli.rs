//! End-to-end tests of the `dockprep` binary.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;

fn dockprep() -> Command {
    let mut c = Command::cargo_bin("dockprep").unwrap();
    c.env("NO_COLOR", "1");
    c
}

/// The ten rules of the roadmap's §0 table (F1–F10).
const SEED_RULES: &str = "lockfile-ignored,workspace-outside-context,npmrc-missing-scope-registry,npmrc-localhost-registry,registry-path-missing,unused-build-arg,compose-build-wiring,docker-deps-copy-unconditional,pnpm-global-install,store-cache-mount-missing";

#[test]
fn audit_fleet_human_matches_snapshot() {
    let out = dockprep()
        .args(["audit", "examples/fleet", "--select", SEED_RULES])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.ends_with("19 findings (11 high, 4 medium, 4 low) in 40 files, 0 errors\n"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour when piped");
    insta::assert_snapshot!("audit-fleet-human", text);
}

#[test]
fn audit_fleet_json_reports_the_roadmap_table() {
    let out = dockprep()
        .args([
            "audit",
            "examples/fleet",
            "--format",
            "json",
            "--select",
            SEED_RULES,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["findings"], 19);
    assert_eq!(v["errors"].as_array().unwrap().len(), 0);
    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    for f in v["findings"].as_array().unwrap() {
        *by_rule
            .entry(f["rule"].as_str().unwrap().to_string())
            .or_default() += 1;
        let path = f["path"].as_str().unwrap();
        assert!(
            path.starts_with("examples/fleet/") && !path.contains('\\'),
            "{path}"
        );
        assert!(Path::new(path).is_file(), "{path}");
        for k in ["line", "column", "end_line", "end_column"] {
            assert!(f[k].as_u64().unwrap() >= 1);
        }
        assert!(!f["message"].as_str().unwrap().is_empty());
        let fixable = f["fixable"].as_bool().unwrap();
        let rule = f["rule"].as_str().unwrap();
        assert_eq!(
            fixable,
            // F2 needs a Docker-only workspace (`dockprep lockfile`); an unused
            // ARG has no fix that would not be a guess.
            !matches!(rule, "workspace-outside-context" | "unused-build-arg"),
            "{rule}"
        );
    }
    let expected: BTreeMap<String, usize> = [
        ("lockfile-ignored", 2),
        ("workspace-outside-context", 2),
        ("npmrc-missing-scope-registry", 1),
        ("npmrc-localhost-registry", 1),
        ("registry-path-missing", 1),
        ("unused-build-arg", 1),
        ("compose-build-wiring", 1),
        ("docker-deps-copy-unconditional", 2),
        ("pnpm-global-install", 4),
        ("store-cache-mount-missing", 4),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(by_rule, expected);
    // The exact locations the issue's example names.
    let f1 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "examples/fleet/learning_ai_peakpulse/.dockerignore")
        .unwrap();
    assert_eq!(
        (
            f1["line"].as_u64(),
            f1["column"].as_u64(),
            f1["end_column"].as_u64()
        ),
        (Some(8), Some(1), Some(15))
    );
    insta::assert_snapshot!("audit-fleet-json", String::from_utf8(out.stdout).unwrap());
}

/// Every rule on the example fleet: the seed table and what the rest of the
/// roadmap (Phase A, B) finds there.
#[test]
fn audit_fleet_with_all_rules_matches_snapshot() {
    let out = dockprep()
        .args(["audit", "examples/fleet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("audit-fleet-all", String::from_utf8(out.stdout).unwrap());
}

#[test]
fn select_and_ignore_filter_rules() {
    let out = dockprep()
        .args([
            "audit",
            "examples/fleet",
            "--format",
            "json",
            "--select",
            "lockfile-ignored,unused-build-arg",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["findings"], 3);
    let out = dockprep()
        .args([
            "audit",
            "examples/fleet",
            "--format",
            "json",
            "--ignore",
            "pnpm-global-install,store-cache-mount-missing",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let all = dockprep()
        .args(["audit", "examples/fleet", "--format", "json"])
        .output()
        .unwrap();
    let all: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    // Four of each ignored rule are gone, nothing else.
    assert_eq!(
        v["summary"]["findings"].as_u64().unwrap() + 8,
        all["summary"]["findings"].as_u64().unwrap()
    );
}

#[test]
fn clean_repository_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name": "a", "packageManager": "pnpm@10.6.5"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "# syntax=docker/dockerfile:1.7\nFROM node:22-alpine\nRUN corepack enable && corepack prepare pnpm@10.6.5 --activate\nCOPY package.json ./\nRUN --mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store pnpm install\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".dockerignore"),
        "**/node_modules\n**/dist\n**/.next\n*.log\n.env\n.env.*\n.git\n*.bak\n",
    )
    .unwrap();
    dockprep().arg("audit").arg(dir.path()).assert().code(0);
}

#[test]
fn usage_errors_exit_two() {
    dockprep()
        .args(["audit", "does/not/exist"])
        .assert()
        .code(2);
    dockprep()
        .args(["audit", "examples/fleet", "--select", "no-such-rule"])
        .assert()
        .code(2);
    dockprep()
        .args(["audit", "--format", "xml"])
        .assert()
        .code(2);
    dockprep().args(["rules", "no-such-rule"]).assert().code(2);
    dockprep()
        .args(["rules", "--format", "xml"])
        .assert()
        .code(2);
}

#[test]
fn rules_command_prints_docs() {
    let out = dockprep()
        .args(["rules", "store-cache-mount-missing"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for h in [
        "## What it does",
        "## Why is this bad",
        "## Example",
        "## Fix",
        "## Roadmap reference",
    ] {
        assert!(text.contains(h), "{h}");
    }
    let list = dockprep().arg("rules").output().unwrap();
    assert_eq!(
        String::from_utf8(list.stdout).unwrap().lines().count(),
        dockprep::rules::registry::RULES.len() + 1
    );
}

/// Files that cannot be read or parsed become `errors` entries with a
/// location; the audit goes on with every other file, exits 1, never panics.
#[test]
fn bad_input_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let w = |p: &str, b: &[u8]| {
        let path = d.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b).unwrap();
    };
    w("r1/Dockerfile", b"FROM node\nFOO bar\nRUN pnpm install\n");
    w("r1/package.json", b"{\"name\": \"x\", \xff\xfe}");
    w("r2/docker-compose.yml", b"services:\n  - a\n");
    w("r2/Dockerfile", b"");
    w(
        "r2/package.json",
        b"{\n  \"name\": \"y\",\n  \"dependencies\": {\"a\": 1,}\n}",
    );
    w(
        "r3/.dockerignore",
        format!("{}\n", "x".repeat(10_000_000)).as_bytes(),
    );
    w("r3/Dockerfile", b"FROM node\nRUN pnpm i\n");
    w("r3/pnpm-workspace.yaml", b"- a\n- b\n");
    w("r3/package.json", b"{}");
    w("r4/package.json", b"");
    w("r4/.npmrc", b"\xff\n");
    w("r4/compose.yaml", b"services: [1, 2\n");
    w(
        "r5/Dockerfile",
        b"\xef\xbb\xbfFROM node AS a\nRUN <<EOF\npnpm install\nEOF\n",
    );
    w("r5/package.json", b"\xef\xbb\xbf{\"name\": \"z\"}");

    let out = dockprep()
        .arg("audit")
        .arg(d)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = v["errors"].as_array().unwrap();
    let find = |suffix: &str| {
        errors
            .iter()
            .find(|e| e["path"].as_str().unwrap().ends_with(suffix))
            .unwrap_or_else(|| panic!("no error for {suffix}: {errors:?}"))
    };
    let e = find("r1/Dockerfile");
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(e["message"].as_str().unwrap().contains("FOO"));
    let e = find("r1/package.json");
    assert!(e["message"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(find("r2/docker-compose.yml")["line"], 2);
    assert_eq!(find("r2/package.json")["line"], 3);
    assert_eq!(find("r3/pnpm-workspace.yaml")["line"], 1);
    find("r4/package.json");
    find("r4/compose.yaml");
    // The parsable files were still audited.
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"].as_str().unwrap().ends_with("r3/Dockerfile")));
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"].as_str().unwrap().ends_with("r5/Dockerfile")));

    // Human output names the same places and does not panic either.
    let out = dockprep().arg("audit").arg(d).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("r1/Dockerfile:2:1"), "{text}");
}

#[test]
fn nothing_readable_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let out = dockprep()
        .arg("audit")
        .arg(dir.path().join("empty"))
        .output()
        .unwrap();
    // No repository at all is not an error: nothing to report.
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn build_refuses_a_secret_nothing_provides() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM node:22-alpine\nRUN --mount=type=secret,id=npm_token cat /run/secrets/npm_token\n",
    )
    .unwrap();
    let out = dockprep()
        .arg("build")
        .arg(dir.path())
        .args(["--docker", "/bin/false"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("secret `npm_token`") && err.contains("nothing provides it"),
        "{err}"
    );
}

#[test]
fn build_never_prints_a_secret_value() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM x\nRUN --mount=type=secret,id=t true\n",
    )
    .unwrap();
    // A client that echoes its arguments and environment, then fails the build.
    let fake = dir.path().join("fake-docker");
    std::fs::write(&fake, "#!/bin/sh\necho \"#1 [1/2] FROM x\" >&2\necho \"#2 [2/2] RUN $*\" >&2\necho \"#2 ERROR: $(cat /proc/self/environ | tr '\\0' ' ') $(cat \"$(echo \"$*\" | sed 's/.*id=t,src=\\([^ ]*\\).*/\\1/')\")\" >&2\nexit 1\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = dockprep()
        .arg("build")
        .arg(dir.path())
        .arg("--docker")
        .arg(&fake)
        .args(["--secret", "id=t,env=DOCKPREP_TEST_SECRET"])
        .env("DOCKPREP_TEST_SECRET", "s3cr3t-value-xyz")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("s3cr3t-value-xyz"), "{all}");
    assert!(
        all.contains("***"),
        "the secret was read and redacted: {all}"
    );
}

/// Precision: a repository following every practice gets no finding from any rule.
#[test]
fn the_clean_example_has_no_finding() {
    let out = dockprep()
        .args(["audit", "examples/clean", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"], serde_json::json!([]), "{v}");
    assert_eq!(v["errors"], serde_json::json!([]), "{v}");
    assert_eq!(out.status.code(), Some(0));
}
