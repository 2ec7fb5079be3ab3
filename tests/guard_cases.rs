//! One case table for both guards: `dockprep guard` (the binary) and the
//! shell fallback `dockprep hook install` writes for teammates without
//! dockprep. Each case stages one file in a real git repository; both must
//! block every should-block case and pass every should-pass one.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::dockprep;

/// (staged path, content, should block)
const CASES: &[(&str, &str, bool)] = &[
    // package.json: the specifier prep writes, at any depth and case.
    ("package.json", r#"{"dependencies": {"a": "file:../.docker-deps/a.tgz"}}"#, true),
    ("api/package.json", r#"{"dependencies": {"a": "file:./.docker-deps/a.tgz"}}"#, true),
    ("package.json", r#"{"dependencies": {"a": "file:.docker-deps/a.tgz"}}"#, true),
    ("a/b/package.json", r#"{"dependencies": {"a": "file:../../.docker-deps/a.tgz"}}"#, true),
    ("package.json", r#"{"dependencies": {"a": "FILE:../.docker-deps/a.tgz"}}"#, true),
    ("package.json", r#"{"dependencies": {"a": "File:../.DOCKER-DEPS/a.tgz"}}"#, true),
    ("package.json", r#"{"pnpm": {"overrides": {"a": "file:../.docker-deps/a.tgz"}}}"#, true),
    ("package.json", r#"{"dependencies": {"a": "file:../.docker-deps"}}"#, true),
    ("package.json", r#"{"dependencies": {"a": "file:///abs/.docker-deps/a.tgz"}}"#, true),
    ("package.json", r#"{"dependencies": {"a": " file:../.docker-deps/a.tgz"}}"#, true),
    // JSON escapes that decode to the specifier.
    ("package.json", r#"{"dependencies": {"a": "file:..\/.docker-deps\/a.tgz"}}"#, true),
    ("package.json", r#"{"dependencies": {"a": "file:..\u002f.docker-deps/a.tgz"}}"#, true),
    ("package.json", r#"{"dependencies": {"a": "file:..\u002F.docker-deps\u002Fa.tgz"}}"#, true),
    ("package.json", r#"{"dependencies": {"a": "\u0066ile:../.docker-deps/a.tgz"}}"#, true),
    ("package.json", r#"{"dependencies": {"a": "file:../\u002edocker-deps/a.tgz"}}"#, true),
    ("package.json", r#"{"dependencies": {"a": "file:../.\u0064ocker\u002Ddeps/a.tgz"}}"#, true),
    // Windows separators (a JSON-escaped backslash).
    ("package.json", r#"{"dependencies": {"a": "file:..\\.docker-deps\\a.tgz"}}"#, true),
    // link: and bare relative paths (pnpm reads both as local packages).
    ("package.json", r#"{"dependencies": {"a": "link:../.docker-deps/a"}}"#, true),
    ("package.json", r#"{"dependencies": {"a": "LINK:..\\.docker-deps"}}"#, true),
    ("package.json", r#"{"dependencies": {"a": "../.docker-deps/a.tgz"}}"#, true),
    ("package.json", r#"{"dependencies": {"a": "./.docker-deps/a.tgz"}}"#, true),
    ("package.json", r#"{"dependencies": {"a": "file:..%2F.docker-deps%2Fa.tgz"}}"#, true),
    // A manifest name in another case (one file on a case-insensitive disk).
    ("api/Package.json", r#"{"dependencies": {"a": "file:../.docker-deps/a.tgz"}}"#, true),
    // package.json5 (single quotes, \x escapes, comments with apostrophes).
    ("package.json5", "{dependencies: {a: 'file:../.docker-deps/a.tgz'}}", true),
    ("package.json5", "// don't\n{dependencies: {a: 'file:..\\x2f.docker-deps/a.tgz'}} // it's\n", true),
    ("web/package.json5", "/* it's */ {a: \"link:../.docker-deps/a\"}", true),
    // package.yaml.
    ("package.yaml", "dependencies:\n  a: file:../.docker-deps/a.tgz\n", true),
    ("package.yaml", "dependencies:\n  a: \"file:..\\x2f.docker-deps/a.tgz\"\n", true),
    ("package.yaml", "dependencies:\n  a: 'LINK:../.docker-deps/a'\n", true),
    // pnpm-workspace.yaml overrides and catalogs (pnpm 10 reads them there).
    ("pnpm-workspace.yaml", "packages:\n  - apps/*\noverrides:\n  a: file:./.docker-deps/a.tgz\n", true),
    ("pnpm-workspace.yaml", "overrides:\n  \"a\": \"file:.\\u002f.docker-deps\\u002fa.tgz\"\n", true),
    ("pnpm-workspace.yaml", "catalog:\n  a: link:../.docker-deps/a\n", true),
    ("pnpm-workspace.yaml", "overrides: {a: file:../.docker-deps/a.tgz}\n", true),
    // The lockfile a local install writes after a prep.
    ("pnpm-lock.yaml", "importers:\n  .:\n    dependencies:\n      a:\n        specifier: file:../.docker-deps/a.tgz\n        version: file:.docker-deps/a.tgz\n", true),
    // .pnpmfile.cjs: any string naming a .docker-deps path.
    (".pnpmfile.cjs", "module.exports = { hooks: { readPackage(p) { p.dependencies.a = 'file:../.docker-deps/a.tgz'; return p } } }\n", true),
    (".pnpmfile.cjs", "const d = path.join(__dirname, '.docker-deps')\n", true),
    (".pnpmfile.cjs", "const s = `file:${dir}/.docker-deps/a.tgz`\n", true),
    // Files prep writes.
    ("package.json.bak", "{}", true),
    (".docker-deps/a.tgz", "tgz", true),
    (".docker-deps/.dockprep-prep.json", "{}", true),
    ("sub/.DOCKER-DEPS/a.tgz", "tgz", true),
    // Should pass.
    ("package.json", r#"{"dependencies": {"a": "^1.0.0"}}"#, false),
    ("package.json", r#"{"dependencies": {"a": "file:../my.docker-deps/a.tgz"}}"#, false),
    ("package.json", r#"{"dependencies": {"a": "file:../.docker-deps-old/a.tgz"}}"#, false),
    ("package.json", r#"{"dependencies": {"a": "file:../packages/config"}}"#, false),
    ("package.json", r#"{"dependencies": {"a": "link:../packages/a"}}"#, false),
    ("package.json", r#"{"scripts": {"clean": "rm -rf ./.docker-deps"}}"#, false),
    ("package.json", r#"{"description": "see file:../.docker-deps/x.tgz"}"#, false),
    ("package.json", r#"{"dependencies": {"a": "npm:@x/y@^1"}}"#, false),
    ("package.json5", "{a: 'file:../vendor/a.tgz'} // file:../.docker-deps is prep's\n", false),
    ("package.yaml", "dependencies:\n  a: ^1.0.0\n# file:../.docker-deps/a.tgz\n", false),
    ("pnpm-workspace.yaml", "packages:\n  - apps/*\n  - '!**/test/**'\n", false),
    (".pnpmfile.cjs", "module.exports = { hooks: {} } // no docker deps\n", false),
    ("README.md", "file:../.docker-deps/a.tgz\n", false),
    ("docs/package.json.md", "\"file:../.docker-deps/a.tgz\"\n", false),
];

fn git(dir: &Path, path_env: &str, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("PATH", path_env)
        .output()
        .unwrap()
}

/// The test's PATH without any directory that holds a `dockprep`.
fn path_without_dockprep() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !d.join("dockprep").exists())
        .collect();
    std::env::join_paths(dirs).unwrap().into_string().unwrap()
}

#[test]
fn binary_and_fallback_agree_with_the_case_table() {
    assert!(CASES.iter().filter(|c| c.2).count() >= 29);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let path = path_without_dockprep();
    let ok = |args: &[&str]| {
        let o = git(root, &path, args);
        assert!(o.status.success(), "git {args:?}: {o:?}");
    };
    ok(&["init", "-q"]);
    ok(&["config", "user.name", "Test"]);
    ok(&["config", "user.email", "test@example.com"]);
    std::fs::write(root.join("README.md"), "x\n").unwrap();
    ok(&["add", "README.md"]);
    ok(&["commit", "-q", "-m", "initial"]);
    let out = dockprep()
        .args(["hook", "install"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let hook = root.join(".git/hooks/pre-commit");

    let mut wrong = Vec::new();
    for (i, (file, content, block)) in CASES.iter().enumerate() {
        let p = root.join(file);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        ok(&["add", "-f", "--", file]);
        let binary = dockprep().arg("guard").current_dir(root).output().unwrap();
        let fallback = Command::new("sh")
            .arg(&hook)
            .current_dir(root)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("PATH", &path)
            .output()
            .unwrap();
        for (who, out) in [("binary", &binary), ("fallback", &fallback)] {
            let blocked = match out.status.code() {
                Some(0) => false,
                Some(1) => true,
                _ => panic!("case {i} ({who}): {out:?}"),
            };
            if blocked != *block {
                wrong.push(format!(
                    "case {i} {who}: {file} {content:?}: expected {}, got {}",
                    if *block { "block" } else { "pass" },
                    if blocked { "block" } else { "pass" },
                ));
            }
        }
        ok(&["reset", "-q", "--", file]);
        std::fs::remove_file(&p).unwrap();
    }
    assert!(
        wrong.is_empty(),
        "{} of {} verdicts wrong:\n{}",
        wrong.len(),
        CASES.len() * 2,
        wrong.join("\n")
    );
}
