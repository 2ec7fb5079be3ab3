//! `dockprep audit --format …`: a snapshot of every format on the example
//! fleet, exit codes per format, the SARIF log validated against the
//! official SARIF 2.1.0 schema (`tests/data/`), its fixes checked against
//! the library's own edits, and UTF-16 columns.

mod common;

use std::path::Path;

use common::dockprep;
use dockprep::diagnostics::apply_edits;
use dockprep::project::{self, Options, Project};
use dockprep::report;
use dockprep::rules::{self, registry, Finding};
use serde_json::Value;

const FORMATS: [&str; 6] = ["human", "concise", "json", "sarif", "github", "markdown"];

/// The ten rules of the roadmap's §0 table: the formats render that table.
const SEED_RULES: &str = "lockfile-ignored,workspace-outside-context,npmrc-missing-scope-registry,npmrc-localhost-registry,registry-path-missing,unused-build-arg,compose-build-wiring,docker-deps-copy-unconditional,pnpm-global-install,store-cache-mount-missing";

fn audit_fleet(format: &str) -> String {
    let out = dockprep()
        .args([
            "audit",
            "examples/fleet",
            "--select",
            SEED_RULES,
            "--format",
            format,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{format}");
    assert!(out.stderr.is_empty(), "{format}");
    String::from_utf8(out.stdout).unwrap()
}

/// The crate version stands in for itself so a release does not move the snapshot.
fn unversioned(s: &str) -> String {
    s.replace(
        &format!("\"{}\"", env!("CARGO_PKG_VERSION")),
        "\"[VERSION]\"",
    )
}

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string("tests/data/sarif-schema-2.1.0.json").unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    // The `language` patterns (of `run` and `toolComponent`) have a lone
    // `]`: a literal in ECMAScript (the regex dialect JSON Schema names), a
    // syntax error for the Rust engine that checks the meta-schema's
    // `format: regex`. The same patterns with the `]` escaped mean the same;
    // everything else is used as shipped.
    let odd = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    let mut replaced = 0;
    for def in ["run", "toolComponent"] {
        let p = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        if *p == odd {
            *p = Value::from(odd.replace("}]", "}\\]"));
            replaced += 1;
        }
    }
    assert_eq!(replaced, 2);
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn assert_valid_sarif(log: &Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

#[test]
fn concise_fleet() {
    let text = audit_fleet("concise");
    assert_eq!(text.lines().count(), 19 + 1);
    assert!(text.ends_with("19 findings (11 high, 4 medium, 4 low) in 40 files, 0 errors\n"));
    insta::assert_snapshot!("formats-fleet-concise", text);
}

#[test]
fn github_fleet() {
    let text = audit_fleet("github");
    assert_eq!(text.lines().count(), 19);
    for l in text.lines() {
        assert!(
            ["::error file=", "::warning file=", "::notice file="]
                .iter()
                .any(|p| l.starts_with(p)),
            "{l}"
        );
        assert!(l.contains(",title=dockprep("), "{l}");
    }
    assert_eq!(text.matches("::error ").count(), 11);
    assert_eq!(text.matches("::warning ").count(), 4);
    assert_eq!(text.matches("::notice ").count(), 4);
    insta::assert_snapshot!("formats-fleet-github", text);
}

#[test]
fn markdown_fleet_is_the_roadmap_table() {
    let text = audit_fleet("markdown");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "| # | Finding | Location | Severity |");
    assert_eq!(lines[1], "|---|---|---|---|");
    assert_eq!(lines.len(), 2 + 19);
    for (n, l) in lines[2..].iter().enumerate() {
        assert!(l.starts_with(&format!("| {} | ", n + 1)), "{l}");
        assert!(
            [" | High |", " | Medium |", " | Low |"]
                .iter()
                .any(|s| l.ends_with(s)),
            "{l}"
        );
        // Four cells: no `|` left unescaped inside them.
        assert_eq!(l.replace("\\|", "").matches('|').count(), 5, "{l}");
    }
    assert!(text.contains("| `examples/fleet/learning_ai_peakpulse/.dockerignore:8` | High |"));
    insta::assert_snapshot!("formats-fleet-markdown", text);
}

#[test]
fn json_fleet_keeps_version_1_with_fixable() {
    let text = audit_fleet("json");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1);
    let keys: Vec<&str> = v["findings"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "rule",
            "severity",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "message",
            "fixable"
        ]
    );
    // `fixable` is true exactly where the SARIF log carries a fix.
    let sarif: Value = serde_json::from_str(&audit_fleet("sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    for (f, r) in findings.iter().zip(results) {
        assert_eq!(f["rule"], r["ruleId"]);
        assert_eq!(f["fixable"].as_bool(), Some(r.get("fixes").is_some()));
    }
    // The same bytes as the `cli` test's snapshot: the shape did not move.
    let cli = std::fs::read_to_string("tests/snapshots/cli__audit-fleet-json.snap").unwrap();
    let body = cli.splitn(3, "---\n").nth(2).unwrap();
    assert_eq!(body.trim_end(), text.trim_end());
}

#[test]
fn sarif_fleet_is_valid_and_complete() {
    let text = audit_fleet("sarif");
    let log: Value = serde_json::from_str(&text).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "dockprep");
    let ids: Vec<&str> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let slugs: Vec<&str> = registry::RULES.iter().map(|r| r.slug).collect();
    assert_eq!(ids, slugs, "every rule of the registry, in its order");
    for (r, rule) in driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .zip(registry::RULES)
    {
        assert_eq!(r["shortDescription"]["text"], rule.summary);
        assert!(r["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Why is this bad"));
        let level = match rule.severity.as_str() {
            "high" => "error",
            "medium" => "warning",
            _ => "note",
        };
        assert_eq!(r["defaultConfiguration"]["level"], level);
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 19);
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(r["ruleId"], ids[i]);
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(Path::new(uri).is_file(), "{uri}");
    }
    assert!(results.iter().any(|r| r.get("relatedLocations").is_some()));
    assert!(results.iter().any(|r| r.get("fixes").is_some()));
    // The validator does reject what breaks the schema.
    let validator = sarif_validator();
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&bad));
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!validator.is_valid(&bad));
    let again = audit_fleet("sarif");
    assert_eq!(text, again, "deterministic");
    insta::assert_snapshot!("formats-fleet-sarif", unversioned(&text));
}

#[test]
fn human_fleet_is_unchanged() {
    let text = audit_fleet("human");
    let cli = std::fs::read_to_string("tests/snapshots/cli__audit-fleet-human.snap").unwrap();
    let body = cli.splitn(3, "---\n").nth(2).unwrap();
    assert_eq!(body.trim_end(), text.trim_end());
}

fn load(paths: &[&Path]) -> Project {
    let opts = Options {
        private_scopes: vec!["@acme".into()],
        host_args: vec![],
        ..dockprep::audit::options()
    };
    let paths: Vec<_> = paths.iter().map(|p| p.to_path_buf()).collect();
    project::load(&paths, &opts).unwrap()
}

/// Byte offset of a SARIF (1-based line, 1-based UTF-16 column) in `text`.
fn offset(text: &str, line: u64, column: u64) -> usize {
    let mut start = 0;
    for _ in 1..line {
        start += text[start..]
            .find('\n')
            .map_or(text.len() - start, |i| i + 1);
    }
    let mut units = 1;
    for (i, c) in text[start..].char_indices() {
        if units >= column as usize || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// Applies one artifact change's replacements (regions of the original text).
fn apply_replacements(text: &str, change: &Value) -> String {
    let mut edits: Vec<(usize, usize, String)> = change["replacements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let d = &r["deletedRegion"];
            let n = |k: &str| d[k].as_u64().unwrap();
            (
                offset(text, n("startLine"), n("startColumn")),
                offset(text, n("endLine"), n("endColumn")),
                r["insertedContent"]["text"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| (e.0, e.1));
    let mut out = String::new();
    let mut pos = 0;
    for (s, e, t) in edits {
        out.push_str(&text[pos..s]);
        out.push_str(&t);
        pos = e;
    }
    out.push_str(&text[pos..]);
    out
}

/// Every rule (preview ones too) over every `fires` fixture: the SARIF log is
/// valid, and each fix, applied from its SARIF replacements, gives the same
/// text as the library's own edits.
#[test]
fn sarif_fixes_match_the_library_edits() {
    let mut dirs: Vec<_> = std::fs::read_dir("tests/fixtures")
        .unwrap()
        .flatten()
        .map(|e| e.path().join("fires"))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let project = load(&dirs.iter().map(|p| p.as_path()).collect::<Vec<_>>());
    assert!(project.errors.is_empty(), "{:#?}", project.errors);
    let findings: Vec<Finding> = rules::run(&project, registry::RULES);
    let fixed: Vec<&Finding> = findings.iter().filter(|f| f.fix.is_some()).collect();
    assert!(fixed.len() >= 10, "{} fixes", fixed.len());
    let log: Value =
        serde_json::from_str(&report::sarif::render(&project, &findings, registry::RULES)).unwrap();
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    let mut checked = 0;
    for (f, r) in findings.iter().zip(results) {
        let Some(fix) = &f.fix else {
            assert!(r.get("fixes").is_none());
            continue;
        };
        let sarif_fix = &r["fixes"][0];
        assert_eq!(sarif_fix["description"]["text"], fix.message.as_str());
        for change in sarif_fix["artifactChanges"].as_array().unwrap() {
            let uri = change["artifactLocation"]["uri"].as_str().unwrap();
            let edits: Vec<_> = fix
                .edits
                .iter()
                .filter(|(p, _)| dockprep::paths::display_path(p) == uri)
                .map(|(_, e)| e.clone())
                .collect();
            assert!(!edits.is_empty(), "{uri}");
            let before = std::fs::read_to_string(uri).unwrap_or_default();
            let expected = apply_edits(&before, &edits).unwrap();
            assert_eq!(apply_replacements(&before, change), expected, "{uri}");
            checked += 1;
        }
    }
    assert!(checked >= fixed.len());
}

/// Columns count UTF-16 code units in SARIF and characters elsewhere.
#[test]
fn sarif_columns_are_utf16() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name": "x", "packageManager": "pnpm@10.6.5"}"#,
    )
    .unwrap();
    let dockerfile = "FROM node:22-alpine\nWORKDIR /app\nRUN echo \"é𝄞\" && npm install -g pnpm@10.6.5\nCOPY package.json ./\nRUN pnpm install\n";
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    let project = load(&[dir.path()]);
    let findings = rules::run(&project, &[registry::get("pnpm-global-install").unwrap()]);
    assert_eq!(findings.len(), 1);
    let log: Value =
        serde_json::from_str(&report::sarif::render(&project, &findings, registry::RULES)).unwrap();
    assert_valid_sarif(&log);
    let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    let start = findings[0].primary.span.start;
    let line_start = dockerfile[..start].rfind('\n').unwrap() + 1;
    let chars = dockerfile[line_start..start].chars().count() as u64;
    let units = dockerfile[line_start..start].encode_utf16().count() as u64;
    assert_eq!(units, chars + 1, "𝄞 is two UTF-16 units");
    assert_eq!(region["startLine"], 3);
    assert_eq!(region["startColumn"], units + 1);
    assert_eq!(
        offset(dockerfile, 3, region["startColumn"].as_u64().unwrap()),
        start
    );
    let json: Value = serde_json::from_str(&report::json::render(&project, &findings)).unwrap();
    assert_eq!(json["findings"][0]["column"], chars + 1);
}

/// Exit codes do not depend on the format: 0 clean, 1 findings or unreadable
/// files, 2 nothing could be read.
#[test]
fn exit_codes_are_the_same_for_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let clean = Path::new("examples/clean");
    let broken = dir.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    std::fs::write(broken.join("package.json"), "{\"name\":").unwrap();
    std::fs::write(broken.join("Dockerfile"), "FROM node:22-alpine\n").unwrap();
    let missing = dir.path().join("missing");
    for format in FORMATS {
        for (path, code) in [
            (clean, 0),
            (broken.as_path(), 1),
            (missing.as_path(), 2),
            (Path::new("examples/fleet"), 1),
        ] {
            let out = dockprep()
                .arg("audit")
                .arg(path)
                .args(["--format", format])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(code), "{format} {}", path.display());
        }
    }
    // An unknown format is a usage error.
    dockprep()
        .args(["audit", "examples/fleet", "--format", "xml"])
        .assert()
        .code(2);
}

/// Unreadable files are reported in every machine format.
#[test]
fn errors_appear_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package.json"), "{\"name\":").unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM node:22-alpine\n").unwrap();
    let run = |format: &str| {
        let out = dockprep()
            .arg("audit")
            .arg(dir.path())
            .args(["--format", format])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let concise = run("concise");
    assert!(
        concise.contains("/package.json:1:9: error: invalid JSON"),
        "{concise}"
    );
    assert!(run("github").starts_with("::error file="));
    assert!(run("markdown").contains("\nNot audited:\n\n- `"));
    let log: Value = serde_json::from_str(&run("sarif")).unwrap();
    assert_valid_sarif(&log);
    let inv = &log["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert_eq!(
        inv["toolExecutionNotifications"].as_array().unwrap().len(),
        1
    );
}
