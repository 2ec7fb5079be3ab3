//! `dockprep::pack::select::select_files` against the real `npm pack`: for
//! the example workspace's packages, for published packages fetched from the
//! registry, and for small packages built in temporary directories to pin
//! down each rule (negations, nested ignore files, the `.gitignore`
//! fallback, directories in `files`, always included and always excluded
//! files, links, ordering). Each list is compared, in order, with the
//! `files[].path` of `npm pack --dry-run --json --ignore-scripts`.
//!
//! The tests that need npm print `SKIPPED: …` and pass when it cannot run;
//! the safety refusals are checked without npm.

use std::path::{Path, PathBuf};
use std::process::Command;

use dockprep::pack::select::{select_files, sort_like_npm, SelectError};

const EXAMPLES: &str = "examples/fleet/learning_ai_common_plat/packages";

const PUBLISHED: &[&str] = &[
    "express@4.21.2",
    "zod@3.23.8",
    "pino@9.5.0",
    "dayjs@1.11.13",
    "semver@7.6.3",
    "debug@4.3.7",
    "commander@12.1.0",
    "chalk@5.3.0",
    "uuid@10.0.0",
    "ms@2.1.3",
    "yargs@17.7.2",
    "lodash@4.17.21",
    "@types/node@22.10.1",
];

// ---------------------------------------------------------------------------
// helpers

fn npm_cmd() -> Command {
    let mut c = Command::new("npm");
    c.env("NODE_EXTRA_CA_CERTS", "/etc/ssl/certs/ca-certificates.crt")
        .env("npm_config_update_notifier", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_audit", "false")
        .env("npm_config_loglevel", "error");
    c
}

/// Whether npm runs here; otherwise prints why the test skips.
fn npm_available(test: &str) -> bool {
    match npm_cmd().arg("--version").output() {
        Ok(o) if o.status.success() => true,
        Ok(o) => {
            eprintln!(
                "SKIPPED: {test}: `npm --version` failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            false
        }
        Err(e) => {
            eprintln!("SKIPPED: {test}: npm is not available: {e}");
            false
        }
    }
}

/// The `files[].path` list of `npm pack --dry-run --json` in `dir`.
fn npm_list(dir: &Path) -> Vec<String> {
    let out = npm_cmd()
        .args(["pack", "--dry-run", "--json", "--ignore-scripts"])
        .current_dir(dir)
        .output()
        .expect("run npm pack");
    assert!(
        out.status.success(),
        "npm pack --dry-run failed in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "npm pack --json output in {}: {e}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    });
    json[0]["files"]
        .as_array()
        .expect("files[]")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_string())
        .collect()
}

fn ours(dir: &Path) -> Vec<String> {
    select_files(dir).unwrap_or_else(|e| panic!("select_files({}): {e}", dir.display()))
}

/// Asserts that our list equals npm's, in order.
fn assert_same(dir: &Path, what: &str) {
    let npm = npm_list(dir);
    let ours = ours(dir);
    if npm != ours {
        let missing: Vec<_> = npm.iter().filter(|p| !ours.contains(p)).collect();
        let extra: Vec<_> = ours.iter().filter(|p| !npm.contains(p)).collect();
        panic!(
            "{what}: selection differs from npm in {}\nmissing (npm has, we don't): {missing:?}\nextra (we have, npm doesn't): {extra:?}\nnpm:  {npm:?}\nours: {ours:?}",
            dir.display()
        );
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let ft = e.file_type().unwrap();
        if ft.is_dir() {
            copy_dir(&src, &dst);
        } else if ft.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// A package in a temporary directory.
struct Pkg {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Pkg {
    fn new(package_json: &str) -> Pkg {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("pkg");
        std::fs::create_dir_all(&dir).unwrap();
        let p = Pkg { _tmp: tmp, dir };
        p.file("package.json", package_json);
        p
    }

    fn file(&self, rel: &str, contents: &str) -> &Pkg {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    fn files(&self, rels: &[&str]) -> &Pkg {
        for r in rels {
            self.file(r, "x\n");
        }
        self
    }

    fn dir(&self, rel: &str) -> &Pkg {
        std::fs::create_dir_all(self.dir.join(rel)).unwrap();
        self
    }

    #[cfg(unix)]
    fn symlink(&self, rel: &str, target: &str) -> &Pkg {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, path).unwrap();
        self
    }
}

fn cache_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("pack-fidelity")
}

/// Fetches and extracts a published package into the cache (once); returns
/// the extracted `package/` directory, or why it could not.
fn fetch_published(spec: &str) -> Result<PathBuf, String> {
    let cache = cache_dir();
    let slug = spec.trim_start_matches('@').replace(['/', '@'], "-");
    let root = cache.join(&slug);
    let pkg = root.join("package");
    if pkg.join("package.json").is_file() {
        return Ok(pkg);
    }
    let dl = cache.join("tarballs").join(&slug);
    std::fs::create_dir_all(&dl).map_err(|e| e.to_string())?;
    let out = npm_cmd()
        .args([
            "pack",
            spec,
            "--ignore-scripts",
            "--json",
            "--pack-destination",
        ])
        .arg(&dl)
        .current_dir(&dl)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("npm pack --json: {e}"))?;
    let filename = json[0]["filename"]
        .as_str()
        .ok_or("npm pack --json: no filename")?;
    let tgz = dl.join(filename);
    let partial = cache.join(format!("{slug}.partial"));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial).map_err(|e| e.to_string())?;
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(&tgz)
        .arg("-C")
        .arg(&partial)
        .status()
        .map_err(|e| format!("tar: {e}"))?;
    if !status.success() {
        return Err(format!("tar -xzf {} failed", tgz.display()));
    }
    // Most tarballs have `package/` at the top; some (`@types/*`) another name.
    if !partial.join("package").is_dir() {
        let tops: Vec<_> = std::fs::read_dir(&partial)
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        match tops.as_slice() {
            [top] if top.is_dir() => {
                std::fs::rename(top, partial.join("package")).map_err(|e| e.to_string())?
            }
            _ => return Err(format!("{}: no single top directory", tgz.display())),
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    std::fs::rename(&partial, &root).map_err(|e| e.to_string())?;
    Ok(pkg)
}

// ---------------------------------------------------------------------------
// fidelity on real packages

#[test]
fn example_packages_match_npm() {
    if !npm_available("example_packages_match_npm") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLES);
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("package.json").is_file())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 17, "the example workspace has 17 packages");
    for src in dirs {
        let name = src.file_name().unwrap().to_string_lossy().into_owned();
        // npm runs in a copy, so that it never writes into the repository.
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(&name);
        copy_dir(&src, &dir);
        assert_same(&dir, &name);
    }
}

#[test]
fn published_packages_match_npm() {
    if !npm_available("published_packages_match_npm") {
        return;
    }
    let mut compared = 0;
    for spec in PUBLISHED {
        match fetch_published(spec) {
            Ok(dir) => {
                assert_same(&dir, spec);
                compared += 1;
            }
            Err(e) => eprintln!("SKIPPED: {spec}: cannot fetch it: {}", e.trim()),
        }
    }
    if compared == 0 {
        eprintln!("SKIPPED: published_packages_match_npm: no package could be fetched");
    }
}

// ---------------------------------------------------------------------------
// rules, each against npm

#[test]
fn files_with_globs_directories_and_negations() {
    if !npm_available("files_with_globs_directories_and_negations") {
        return;
    }
    let p = Pkg::new(
        r#"{"name":"t","version":"1.0.0","files":[
            "lib", "!lib/**/*.test.js", "!lib/internal", "./dist/", "types/*",
            "src/**/*.d.ts", "bin/cli.js", "!docs/draft.md", "docs", "*.md",
            "missing-dir", "{a,b}.js", "[xy].cjs", "+(m|n).mjs", "extra/",
            "/anchored", "/etc/passwd"
        ]}"#,
    );
    p.files(&[
        "lib/index.js",
        "lib/index.test.js",
        "lib/deep/x.js",
        "lib/deep/x.test.js",
        "lib/internal/secret.js",
        "lib/.DS_Store",
        "lib/.gitignore",
        "dist/a.js",
        "dist/sub/b.js",
        "types/a.d.ts",
        "types/sub/b.d.ts",
        "src/a.ts",
        "src/a.d.ts",
        "src/x/y/b.d.ts",
        "bin/cli.js",
        "bin/other.js",
        "docs/guide.md",
        "docs/draft.md",
        "NOTES.md",
        "a.js",
        "b.js",
        "c.js",
        "x.cjs",
        "z.cjs",
        "mn.mjs",
        "nm.mjs",
        "other.txt",
        "extra/.npmignore",
        "extra/keep.js",
        "extra/drop.js",
        "anchored/a.js",
        "sub/anchored/b.js",
    ])
    .file("extra/.npmignore", "drop.js\n");
    assert_same(&p.dir, "files field");
}

#[test]
fn npmignore_at_the_root_and_nested() {
    if !npm_available("npmignore_at_the_root_and_nested") {
        return;
    }
    let p = Pkg::new(r#"{"name":"t","version":"1.0.0"}"#);
    p.file(
        ".npmignore",
        "# comment\n\n  test/  \r\n*.log\n!keep.log\ncoverage\n/root-only.txt\ndocs/**\n!docs/api/**\n*.map\n",
    )
    .files(&[
        "index.js",
        "test/a.test.js",
        "app.log",
        "keep.log",
        "coverage/lcov.info",
        "root-only.txt",
        "sub/root-only.txt",
        "docs/intro.md",
        "docs/api/x.md",
        "a.js.map",
        "src/a.js",
        "src/a.js.map",
        "src/internal/x.js",
        "src/internal/y.js",
        "src/internal/z.map",
        "src/test/inner.js",
    ])
    .file("src/internal/.npmignore", "y.js\n!z.map\n")
    .file("src/internal/.gitignore", "x.js\n");
    assert_same(&p.dir, "nested .npmignore");
}

#[test]
fn gitignore_is_the_fallback_without_npmignore() {
    if !npm_available("gitignore_is_the_fallback_without_npmignore") {
        return;
    }
    let p = Pkg::new(r#"{"name":"t","version":"1.0.0"}"#);
    p.file(".gitignore", "dist\n*.tmp\n/local\n")
        .files(&[
            "index.js",
            "dist/out.js",
            "a.tmp",
            "local/x.js",
            "lib/local/y.js",
            "lib/b.tmp",
            "lib/gen.js",
            "other/gen.js",
            "other/z.tmp",
        ])
        .file("lib/.gitignore", "gen.js\n")
        // A .npmignore replaces the .gitignore of its directory only.
        .file("other/.npmignore", "nothing-here\n")
        .file("other/.gitignore", "gen.js\n");
    assert_same(&p.dir, ".gitignore fallback");
}

#[test]
fn files_field_replaces_root_ignore_files_but_not_nested_ones() {
    if !npm_available("files_field_replaces_root_ignore_files_but_not_nested_ones") {
        return;
    }
    let p = Pkg::new(r#"{"name":"t","version":"1.0.0","files":["src"]}"#);
    p.file(".npmignore", "src/a.js\n")
        .file(".gitignore", "src\n")
        .files(&["src/a.js", "src/internal/b.js", "src/internal/c.js"])
        .file("src/internal/.npmignore", "c.js\n");
    assert_same(&p.dir, "files vs ignore files");
}

#[test]
fn always_included_files() {
    if !npm_available("always_included_files") {
        return;
    }
    let p = Pkg::new(
        r#"{"name":"t","version":"1.0.0","files":["lib"],"main":"main.js",
            "browser":"browser.js","bin":{"t":"./bin/t.js","u":"bin/u"}}"#,
    );
    p.files(&[
        "lib/a.js",
        "main.js",
        "browser.js",
        "bin/t.js",
        "bin/u",
        "bin/not-a-bin.js",
        "README",
        "readme.markdown",
        "Readme.txt",
        "README.md~",
        "LICENSE",
        "licence.txt",
        "LICENSE-MIT",
        "License.md",
        "COPYING",
        "copying.lesser",
        "CHANGELOG.md",
        "docs/README.md",
        "lib/LICENSE",
    ]);
    assert_same(&p.dir, "always included");

    // npm's quirk: a `main` spelled with `./` is not required.
    let q =
        Pkg::new(r#"{"name":"t","version":"1.0.0","files":[],"main":"./main.js","bin":"cli.js"}"#);
    q.files(&["main.js", "cli.js", "other.js"]);
    assert_same(&q.dir, "main with ./ and a string bin");
}

#[test]
fn always_excluded_files() {
    if !npm_available("always_excluded_files") {
        return;
    }
    let p = Pkg::new(r#"{"name":"t","version":"1.0.0"}"#);
    p.files(&[
        "index.js",
        ".DS_Store",
        "lib/.DS_Store",
        "x.orig",
        "lib/y.orig",
        ".a.swp",
        "lib/.b.swp",
        "._x",
        "lib/._y",
        "npm-debug.log",
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lockb",
        "bun.lock",
        "npm-shrinkwrap.json",
        "lib/package-lock.json",
        ".git/config",
        "lib/.git",
        ".svn/x",
        ".hg/x",
        "CVS/x",
        "lib/CVS/y",
        "node_modules/dep/index.js",
        "lib/node_modules/dep/index.js",
        ".lock-wscript",
        ".wafpickle-7",
        "build/config.gypi",
        "build/other.gypi",
        "archived-packages/x.tgz",
        ".npmignore",
        ".gitignore",
        "lib/.gitignore",
        ".npmrc",
        ".env",
        "key.pem",
    ])
    .file(".npmignore", "nothing\n")
    .file("lib/.gitignore", "nothing\n");
    assert_same(&p.dir, "always excluded");
}

#[test]
fn npmrc_is_never_selected_even_when_npm_would() {
    // A nested .npmignore can re-include a .npmrc for npm; never for us.
    let p = Pkg::new(r#"{"name":"t","version":"1.0.0"}"#);
    p.files(&[
        "index.js",
        ".npmrc",
        "sub/.npmrc",
        "sub/a.js",
        "deep/er/.NPMRC",
    ])
    .file("sub/.npmignore", "!.npmrc\n")
    .file("deep/er/.npmignore", "!.npmrc\n");
    let ours = ours(&p.dir);
    assert!(
        !ours.iter().any(|f| f.to_lowercase().ends_with(".npmrc")),
        "{ours:?}"
    );
    if !npm_available("npmrc_is_never_selected_even_when_npm_would") {
        return;
    }
    let npm = npm_list(&p.dir);
    let without: Vec<String> = npm
        .iter()
        .filter(|f| !f.to_lowercase().ends_with(".npmrc"))
        .cloned()
        .collect();
    assert_eq!(without, ours);
    assert!(
        npm.contains(&"sub/.npmrc".to_string()),
        "npm packs it: {npm:?}"
    );
}

#[test]
fn bundled_dependencies_are_left_out_without_breaking() {
    if !npm_available("bundled_dependencies_are_left_out_without_breaking") {
        return;
    }
    let p = Pkg::new(
        r#"{"name":"t","version":"1.0.0","dependencies":{"dep":"1.0.0"},
            "bundleDependencies":["dep"]}"#,
    );
    p.files(&["index.js", "node_modules/dep/index.js"]).file(
        "node_modules/dep/package.json",
        r#"{"name":"dep","version":"1.0.0"}"#,
    );
    let npm: Vec<String> = npm_list(&p.dir)
        .into_iter()
        .filter(|f| !f.starts_with("node_modules/"))
        .collect();
    assert_eq!(ours(&p.dir), npm);
}

#[cfg(unix)]
#[test]
fn links_empty_directories_and_odd_names() {
    if !npm_available("links_empty_directories_and_odd_names") {
        return;
    }
    let p = Pkg::new(r#"{"name":"t","version":"1.0.0"}"#);
    p.files(&[
        "lib/a.js",
        "lib/b.js",
        "a*b.js",
        "weird dir/x.js",
        "@scope/pkg.js",
        "@top.js",
    ])
    .dir("empty")
    .dir("nested/empty/too")
    .symlink("link-to-file.js", "lib/a.js")
    .symlink("link-to-dir", "lib")
    .symlink("lib/dangling.js", "missing.js");
    assert_same(&p.dir, "links and empty dirs");
}

#[test]
fn order_of_the_listing() {
    if !npm_available("order_of_the_listing") {
        return;
    }
    let p = Pkg::new(r#"{"name":"t","version":"1.0.0"}"#);
    p.files(&[
        "b.js",
        "B.md",
        "a.js",
        "A.js",
        "_x.js",
        "-y.js",
        "10.js",
        "9.js",
        "2.10.js",
        "2.9.js",
        "z/1.js",
        "Z/1.js",
        "é.js",
        "e.js",
        "ä/x.js",
        "x-y/z.js",
        "x.y/z.js",
        "x_y/z.js",
        "x/y.js",
        "x y.js",
        "(p).js",
        "[q].js",
        "~t.js",
        "$u.js",
        "#v.js",
        "@w.js",
        "lib/File.js",
        "lib/file.JS",
        "lib/file10.js",
        "lib/file9.js",
        "lib/file09.ts",
    ]);
    assert_same(&p.dir, "order");
}

#[test]
fn ignore_file_glob_features() {
    if !npm_available("ignore_file_glob_features") {
        return;
    }
    let p = Pkg::new(r#"{"name":"t","version":"1.0.0"}"#);
    p.file(
        ".npmignore",
        &[
            "*.{map,tmp}",
            "[abc].txt",
            "[!xyz]?.cfg",
            "+(foo|bar).js",
            "!(keep).dat",
            "**/fixtures/**",
            "!**/fixtures/keep/**",
            "docs/*/draft.md",
            "\\#literal",
            "*.TEST.js",
            "nested/",
            "/anchored.js",
            "{1..3}.log",
            "[[:digit:]]x.txt",
        ]
        .join("\n"),
    );
    p.files(&[
        "index.js",
        "a.map",
        "b.tmp",
        "c.txt",
        "a.txt",
        "d.txt",
        "ab.cfg",
        "xa.cfg",
        "foo.js",
        "foobar.js",
        "baz.js",
        "keep.dat",
        "drop.dat",
        "test/fixtures/a.json",
        "test/fixtures/keep/b.json",
        "test/unit.js",
        "docs/v1/draft.md",
        "docs/v1/final.md",
        "docs/draft.md",
        "#literal",
        "x.test.js",
        "nested/a.js",
        "lib/nested/b.js",
        "anchored.js",
        "lib/anchored.js",
        "1.log",
        "4.log",
        "7x.txt",
        "ax.txt",
    ]);
    assert_same(&p.dir, "glob features");
}

#[test]
fn workspaces_root_and_directories_bin() {
    if !npm_available("workspaces_root_and_directories_bin") {
        return;
    }
    // With workspaces, npm reads a `package.json` in a subdirectory as an
    // ignore file.
    let p = Pkg::new(r#"{"name":"root","version":"1.0.0","workspaces":["packages/*"]}"#);
    p.file(
        "packages/a/package.json",
        "{\n\"name\": \"a\",\n\"version\": \"1.0.0\"\n}\n",
    )
    .files(&["packages/a/index.js", "packages/a/.npmignore", "index.js"])
    .file("packages/a/.npmignore", "index.js\n")
    .file("tools/package.json", "{\n\"files\": [\"x\"]\n}\n")
    .files(&["tools/x", "tools/y"]);
    assert_same(&p.dir, "workspaces root");

    let q = Pkg::new(
        r#"{"name":"t","version":"1.0.0","files":["lib"],"directories":{"bin":"./scripts"}}"#,
    );
    q.files(&[
        "lib/a.js",
        "scripts/run",
        "scripts/sub/tool",
        "scripts/.hidden",
        "other.js",
    ]);
    assert_same(&q.dir, "directories.bin");
}

// ---------------------------------------------------------------------------
// ordering against node's collator directly

#[test]
fn sort_order_matches_node_collator() {
    let names: Vec<String> = [
        "a",
        "A",
        "b",
        "B",
        "ab",
        "aB",
        "Ab",
        "a-b",
        "a_b",
        "a.b",
        "a/b",
        "a b",
        "a1",
        "a10",
        "a9",
        "a01",
        "1",
        "10",
        "9",
        "_",
        "-",
        ".",
        "@",
        "~",
        "$",
        "é",
        "e",
        "E",
        "ä",
        "z",
        "Z",
        "x/y.js",
        "x.y.js",
        "x-y.js",
        "README.md",
        "readme.md",
        "LICENSE",
        "lib/a.js",
        "lib/A.js",
        "lib/ä.js",
        "(a)",
        "[a]",
        "{a}",
        "#a",
        "%a",
        "&a",
        "'a",
        "+a",
        "=a",
        "^a",
        "`a",
        "|a",
        "!a",
        "?a",
        ",a",
        ";a",
        ":a",
        "\"a",
        "*a",
        "\\a",
        "<a",
        ">a",
        "v1.2.3",
        "v1.10.0",
        "v1.9.0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let script = r#"
const c = new Intl.Collator('en', { sensitivity: 'case', numeric: true });
const path = require('path');
const names = JSON.parse(require('fs').readFileSync(0, 'utf8'));
// npm-packlist's order (the order of the tarball), then npm's listing order.
names.sort((a, b) => {
  const [ea, eb] = [path.extname(a).toLowerCase(), path.extname(b).toLowerCase()];
  const [ba, bb] = [path.basename(a).toLowerCase(), path.basename(b).toLowerCase()];
  return ea.localeCompare(eb, 'en') || ba.localeCompare(bb, 'en') || a.localeCompare(b, 'en');
});
const up = s => { const ch = s.charAt(0); return ch === ch.toUpperCase(); };
const u = names.filter(up).sort(c.compare), o = names.filter(s => !up(s)).sort(c.compare);
process.stdout.write(JSON.stringify(u.concat(o)));
"#;
    let child = Command::new("node")
        .args(["-e", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("SKIPPED: sort_order_matches_node_collator: node is not available");
        return;
    };
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(serde_json::to_string(&names).unwrap().as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let node: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    let mut ours = names.clone();
    sort_like_npm(&mut ours);
    assert_eq!(ours, node);
}

// ---------------------------------------------------------------------------
// safety refusals (no npm needed)

#[cfg(unix)]
#[test]
fn refuses_a_symlink_pointing_outside() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "s").unwrap();
    let p = Pkg::new(r#"{"name":"t","version":"1.0.0"}"#);
    p.files(&["index.js"]).symlink(
        "lib/leak.js",
        outside.path().join("secret").to_str().unwrap(),
    );
    match select_files(&p.dir) {
        Err(e @ SelectError::SymlinkOutsidePackage { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("lib/leak.js"), "{msg}");
            assert!(msg.contains("outside the package"), "{msg}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }

    // Relative, dangling and directory links leaving the package too.
    for (name, target) in [
        ("up.js", "../../etc/passwd"),
        ("gone.js", "../nowhere/x.js"),
        ("dir", "/etc"),
    ] {
        let q = Pkg::new(r#"{"name":"t","version":"1.0.0"}"#);
        q.files(&["index.js"]).symlink(name, target);
        let e = select_files(&q.dir).expect_err(name);
        assert!(
            matches!(e, SelectError::SymlinkOutsidePackage { .. }),
            "{e}"
        );
        assert!(e.to_string().contains(name), "{e}");
    }

    // An ignored link is never looked at, as npm never looks at it.
    let r = Pkg::new(r#"{"name":"t","version":"1.0.0","files":["index.js"]}"#);
    r.files(&["index.js"])
        .symlink("leak.js", "/etc/passwd")
        .symlink("node_modules/.bin/x", "/usr/bin/env");
    assert_eq!(ours(&r.dir), ["index.js", "package.json"]);
}

#[test]
fn refuses_absolute_and_parent_paths_in_files() {
    for entry in [
        "../outside",
        "lib/../../x",
        "!../y",
        "a/{..,b}/c",
        "..",
        "C:/x",
        "c:\\x",
        "\\\\server\\share",
    ] {
        let p = Pkg::new(&format!(
            r#"{{"name":"t","version":"1.0.0","files":[{}]}}"#,
            serde_json::to_string(entry).unwrap()
        ));
        p.files(&["index.js"]);
        match select_files(&p.dir) {
            Err(e @ SelectError::UnsafeFilesEntry { .. }) => {
                let msg = e.to_string();
                assert!(msg.contains("package.json"), "{msg}");
                assert!(msg.contains(&format!("{entry:?}")), "{msg}");
            }
            other => panic!("{entry}: expected a refusal, got {other:?}"),
        }
    }
}

#[cfg(unix)]
#[test]
fn refuses_special_files() {
    let p = Pkg::new(r#"{"name":"t","version":"1.0.0"}"#);
    p.files(&["index.js"]);
    let fifo = p.dir.join("lib").join("pipe");
    std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    let ok = Command::new("mkfifo").arg(&fifo).status();
    if !ok.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED: refuses_special_files: mkfifo is not available");
        return;
    }
    let e = select_files(&p.dir).expect_err("a FIFO");
    assert!(matches!(e, SelectError::SpecialFile { .. }), "{e}");
    assert!(e.to_string().contains("lib/pipe"), "{e}");
    assert!(e.to_string().contains("FIFO"), "{e}");

    // Unix socket, also when npm would consider it.
    let q = Pkg::new(r#"{"name":"t","version":"1.0.0"}"#);
    q.files(&["index.js"]);
    let sock = q.dir.join("s.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let e = select_files(&q.dir).expect_err("a socket");
    assert!(
        matches!(e, SelectError::SpecialFile { kind: "socket", .. }),
        "{e}"
    );

    // Not refused where npm would not look.
    let r = Pkg::new(r#"{"name":"t","version":"1.0.0","files":["index.js"]}"#);
    r.files(&["index.js"]);
    let fifo = r.dir.join("tmp-pipe");
    Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert_eq!(ours(&r.dir), ["index.js", "package.json"]);
}

#[test]
fn bad_package_json_is_reported_with_a_position() {
    let p = Pkg::new("{\n  \"name\": \"t\",\n  \"version\": \"1.0.0\",\n}\n");
    let e = select_files(&p.dir).expect_err("trailing comma");
    match &e {
        SelectError::PackageJsonSyntax {
            path, line, column, ..
        } => {
            assert!(path.ends_with("package.json"));
            // The trailing comma.
            assert_eq!((*line, *column), (3, 21), "{e}");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
    assert!(e.to_string().contains("package.json:3:21:"), "{e}");

    let q = Pkg::new(r#"{"name":"t","version":"1.0.0","files":{"a":1}}"#);
    let e = select_files(&q.dir).expect_err("files object");
    assert!(matches!(e, SelectError::PackageJsonInvalid { .. }), "{e}");

    let tmp = tempfile::tempdir().unwrap();
    let e = select_files(tmp.path()).expect_err("no package.json");
    assert!(matches!(e, SelectError::MissingPackageJson { .. }), "{e}");
    assert!(e.to_string().contains("package.json"), "{e}");
}
