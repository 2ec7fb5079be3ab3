//! `dockprep prune`: synthetic monorepos (closure, peer variants, patches,
//! overrides, catalogs, injected packages, bad input, atomic output) and the
//! three real monorepos (structural completeness always; a real pnpm's frozen
//! install where pnpm can run).

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use dockprep::prune::{prune, Error, Layout, Options};
use dockprep::syntax::pnpm_lock::Lockfile;
use dockprep::workspace::check;

/// A small repository written into a temporary directory.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        Repo {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn file(self, rel: &str, text: &str) -> Repo {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }
    fn root(&self) -> &Path {
        self.dir.path()
    }
    fn opts(&self, targets: &[&str], out: &Path, layout: Layout) -> Options {
        Options {
            dir: self.root().to_path_buf(),
            targets: targets.iter().map(|t| t.to_string()).collect(),
            out: Some(out.to_path_buf()),
            layout,
            force: false,
        }
    }
}

const WORKSPACE: &str = "# the workspace\npackages:\n  - 'packages/*'   # all of them\n  - '!packages/ignored'\n\ncatalog:\n  lodash: ^4.17.21\n\noverrides:\n  b: 1.0.0\n\npatchedDependencies:\n  a@1.0.0: patches/a@1.0.0.patch\n  z@1.0.0: patches/z@1.0.0.patch\n\nonlyBuiltDependencies:\n  - esbuild\n";

const LOCK: &str = "lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

catalogs:
  default:
    lodash:
      specifier: ^4.17.21
      version: 4.17.21

overrides:
  b: 1.0.0

patchedDependencies:
  a@1.0.0:
    hash: aaaa
    path: patches/a@1.0.0.patch
  z@1.0.0:
    hash: zzzz
    path: patches/z@1.0.0.patch

importers:

  .:
    devDependencies:
      typescript:
        specifier: ^5.0.0
        version: 5.4.5

  packages/app:
    dependencies:
      inj:
        specifier: workspace:*
        version: file:packages/inj
      lib:
        specifier: workspace:*
        version: link:../lib
      lodash:
        specifier: 'catalog:'
        version: 4.17.21
      react-dom:
        specifier: ^18.0.0
        version: 18.2.0(react@18.2.0)
    dependenciesMeta:
      inj:
        injected: true

  packages/inj:
    dependencies:
      b:
        specifier: ^1.0.0
        version: 1.0.0

  packages/lib:
    dependencies:
      a:
        specifier: ^1.0.0
        version: 1.0.0(patch_hash=aaaa)
    devDependencies:
      tool:
        specifier: workspace:*
        version: link:../tool

  packages/other:
    dependencies:
      react-dom:
        specifier: ^17.0.0
        version: 17.0.0(react@17.0.0)
      z:
        specifier: ^1.0.0
        version: 1.0.0(patch_hash=zzzz)

  packages/tool: {}

packages:

  a@1.0.0:
    resolution: {integrity: sha512-a}

  b@1.0.0:
    resolution: {integrity: sha512-b}

  inj@file:packages/inj:
    resolution: {directory: packages/inj, type: directory}

  lodash@4.17.21:
    resolution: {integrity: sha512-l}

  react-dom@17.0.0:
    resolution: {integrity: sha512-rd17}
    peerDependencies:
      react: ^17.0.0

  react-dom@18.2.0:
    resolution: {integrity: sha512-rd18}
    peerDependencies:
      react: ^18.2.0

  react@17.0.0:
    resolution: {integrity: sha512-r17}

  react@18.2.0:
    resolution: {integrity: sha512-r18}

  typescript@5.4.5:
    resolution: {integrity: sha512-ts}
    engines: {node: '>=14.17'}
    hasBin: true

  z@1.0.0:
    resolution: {integrity: sha512-z}

snapshots:

  a@1.0.0(patch_hash=aaaa): {}

  b@1.0.0: {}

  inj@file:packages/inj:
    dependencies:
      b: 1.0.0

  lodash@4.17.21: {}

  react-dom@17.0.0(react@17.0.0):
    dependencies:
      react: 17.0.0

  react-dom@18.2.0(react@18.2.0):
    dependencies:
      react: 18.2.0

  react@17.0.0: {}

  react@18.2.0: {}

  typescript@5.4.5: {}

  z@1.0.0(patch_hash=zzzz): {}
";

fn monorepo() -> Repo {
    Repo::new()
        .file("pnpm-workspace.yaml", WORKSPACE)
        .file("pnpm-lock.yaml", LOCK)
        .file(".npmrc", "engine-strict=true\n")
        .file(
            "package.json",
            r#"{"name":"root","private":true,"devDependencies":{"typescript":"^5.0.0"}}"#,
        )
        .file(
            "packages/app/package.json",
            r#"{
  "name": "app",
  "dependencies": {
    "inj": "workspace:*",
    "lib": "workspace:*",
    "lodash": "catalog:",
    "react-dom": "^18.0.0"
  },
  "dependenciesMeta": {"inj": {"injected": true}}
}"#,
        )
        .file("packages/app/src/index.ts", "export {}\n")
        .file("packages/app/bin/run.sh", "#!/bin/sh\n")
        .file("packages/app/node_modules/x/index.js", "junk\n")
        .file("packages/app/.gitignore", "dist\n")
        .file("packages/app/dist/index.js", "built\n")
        .file(
            "packages/inj/package.json",
            r#"{"name":"inj","dependencies":{"b":"^1.0.0"}}"#,
        )
        .file(
            "packages/lib/package.json",
            r#"{"name":"lib","dependencies":{"a":"^1.0.0"},"devDependencies":{"tool":"workspace:*"}}"#,
        )
        .file("packages/lib/index.js", "module.exports = 1\n")
        .file(
            "packages/other/package.json",
            r#"{"name":"other","dependencies":{"react-dom":"^17.0.0","z":"^1.0.0"}}"#,
        )
        .file("packages/tool/package.json", r#"{"name":"tool"}"#)
        .file("packages/ignored/package.json", r#"{"name":"ignored"}"#)
        .file("patches/a@1.0.0.patch", "a patch\n")
        .file("patches/z@1.0.0.patch", "z patch\n")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The structural checks every pruned output must pass.
fn assert_sound(original_text: &str, pruned_text: &str) {
    let original = Lockfile::parse(original_text).unwrap();
    let pruned = Lockfile::parse(pruned_text).unwrap();
    let problems = check::completeness(&pruned, None);
    assert!(problems.is_empty(), "incomplete: {problems:#?}");
    let diffs = check::same_entries(&original, &pruned);
    assert!(diffs.is_empty(), "differs from the original: {diffs:#?}");
    // What is kept renders byte for byte as in the original.
    assert_eq!(pruned.render(), pruned_text, "not in pnpm's layout");
}

#[test]
fn keeps_the_closure_with_peer_variants_patches_catalogs_and_injected() {
    // Arrange
    let repo = monorepo();
    let out = repo.root().join("out");
    // Act
    let s = prune(&repo.opts(&["app"], &out, Layout::Full)).unwrap();
    // Assert
    assert_eq!(
        s.importers,
        [
            ".",
            "packages/app",
            "packages/inj",
            "packages/lib",
            "packages/tool"
        ]
    );
    let lock = read(&out.join("pnpm-lock.yaml"));
    assert_sound(LOCK, &lock);
    let l = Lockfile::parse(&lock).unwrap();
    let snaps: Vec<&str> = l.graph().unwrap().keys().collect();
    assert_eq!(
        snaps,
        [
            "a@1.0.0(patch_hash=aaaa)",
            "b@1.0.0",
            "inj@file:packages/inj",
            "lodash@4.17.21",
            "react-dom@18.2.0(react@18.2.0)",
            "react@18.2.0",
            "typescript@5.4.5"
        ]
    );
    assert!(!lock.contains("react-dom@17.0.0"), "the other peer variant");
    assert!(!lock.contains("zzzz"), "z's patch is not needed");
    assert!(lock.contains("catalogs:\n  default:\n    lodash:"));
    assert!(lock.contains("overrides:\n  b: 1.0.0\n"));
    assert!(lock.contains("settings:\n  autoInstallPeers: true\n"));

    let ws = read(&out.join("pnpm-workspace.yaml"));
    assert_eq!(
        ws,
        "# the workspace\npackages:\n  - 'packages/app'\n  - 'packages/inj'\n  - 'packages/lib'\n  - 'packages/tool'\n\ncatalog:\n  lodash: ^4.17.21\n\noverrides:\n  b: 1.0.0\n\npatchedDependencies:\n  a@1.0.0: patches/a@1.0.0.patch\n\nonlyBuiltDependencies:\n  - esbuild\n"
    );
    assert_eq!(
        files(&out),
        [
            ".dockprep-prune",
            ".npmrc",
            "package.json",
            "packages/app/.gitignore",
            "packages/app/bin/run.sh",
            "packages/app/package.json",
            "packages/app/src/index.ts",
            "packages/inj/package.json",
            "packages/lib/index.js",
            "packages/lib/package.json",
            "packages/tool/package.json",
            "patches/a@1.0.0.patch",
            "pnpm-lock.yaml",
            "pnpm-workspace.yaml",
        ]
    );
}

#[test]
fn docker_layout_like_turbo() {
    let repo = monorepo();
    let out = repo.root().join("out");
    prune(&repo.opts(&["lib"], &out, Layout::Docker)).unwrap();
    assert_eq!(
        files(&out),
        [
            ".dockprep-prune",
            "full/.npmrc",
            "full/package.json",
            "full/packages/lib/index.js",
            "full/packages/lib/package.json",
            "full/packages/tool/package.json",
            "full/patches/a@1.0.0.patch",
            "full/pnpm-workspace.yaml",
            "json/.npmrc",
            "json/package.json",
            "json/packages/lib/package.json",
            "json/packages/tool/package.json",
            "json/patches/a@1.0.0.patch",
            "json/pnpm-lock.yaml",
            "json/pnpm-workspace.yaml",
            "pnpm-lock.yaml",
            "pnpm-workspace.yaml",
        ]
    );
    let lock = read(&out.join("json/pnpm-lock.yaml"));
    assert_eq!(lock, read(&out.join("pnpm-lock.yaml")));
    assert_sound(LOCK, &lock);
    assert!(!lock.contains("react"), "no react for lib");
    assert!(!lock.contains("packages/app"));
}

#[test]
fn a_target_by_directory_and_several_targets() {
    let repo = monorepo();
    let out = repo.root().join("o");
    let s = prune(&repo.opts(&["packages/tool", "other"], &out, Layout::Full)).unwrap();
    assert_eq!(s.importers, [".", "packages/other", "packages/tool"]);
    let lock = read(&out.join("pnpm-lock.yaml"));
    assert_sound(LOCK, &lock);
    assert!(lock.contains("z@1.0.0(patch_hash=zzzz)") && !lock.contains("aaaa"));
    let ws = read(&out.join("pnpm-workspace.yaml"));
    assert!(ws.contains("patchedDependencies:\n  z@1.0.0: patches/z@1.0.0.patch\n\n"));
}

#[test]
fn no_patches_needed_drops_the_key() {
    let repo = monorepo();
    let out = repo.root().join("o");
    prune(&repo.opts(&["tool"], &out, Layout::Full)).unwrap();
    let lock = read(&out.join("pnpm-lock.yaml"));
    assert_sound(LOCK, &lock);
    assert!(!lock.contains("patchedDependencies"));
    let ws = read(&out.join("pnpm-workspace.yaml"));
    assert!(!ws.contains("patchedDependencies"), "{ws}");
    assert!(ws.contains("overrides:\n  b: 1.0.0\n\nonlyBuiltDependencies:"));
    assert!(!out.join("patches").exists());
}

fn err(repo: &Repo, targets: &[&str]) -> (Error, PathBuf) {
    let out = repo.root().join("out");
    let e = prune(&repo.opts(targets, &out, Layout::Docker)).unwrap_err();
    (e, out)
}

/// Nothing was written: no output, no temporary directory beside it.
fn assert_nothing_written(root: &Path, out: &Path) {
    assert!(!out.exists(), "{} was written", out.display());
    for e in std::fs::read_dir(root).unwrap().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        assert!(!n.starts_with(".dockprep-tmp-"), "left {n}");
    }
}

#[test]
fn unsupported_lockfile_version_names_the_file_and_line() {
    let repo = monorepo().file(
        "pnpm-lock.yaml",
        "lockfileVersion: 5.4\n\nimporters:\n  .: {}\n",
    );
    let (e, out) = err(&repo, &["app"]);
    let msg = e.to_string();
    assert!(msg.contains("pnpm-lock.yaml:1:1:"), "{msg}");
    assert!(
        msg.contains("lockfileVersion 5.4 is not supported"),
        "{msg}"
    );
    assert_nothing_written(repo.root(), &out);
}

#[test]
fn a_target_that_is_not_a_workspace_package() {
    let repo = monorepo();
    for t in ["nope", "ignored", "packages/ignored"] {
        let (e, out) = err(&repo, &[t]);
        let msg = e.to_string();
        assert!(msg.contains("pnpm-workspace.yaml:"), "{msg}");
        assert!(
            msg.contains(&format!("target `{t}` is not a workspace package")),
            "{msg}"
        );
        assert_nothing_written(repo.root(), &out);
    }
}

#[test]
fn out_of_date_lockfile_names_the_manifest_and_the_dependency() {
    // A changed specifier: package.json's position, and the lockfile's.
    let repo = monorepo().file(
        "packages/lib/package.json",
        r#"{"name":"lib","dependencies":{"a":"^2.0.0"},"devDependencies":{"tool":"workspace:*"}}"#,
    );
    let (e, out) = err(&repo, &["app"]);
    let msg = e.to_string();
    assert!(msg.contains("packages/lib/package.json:1:31:"), "{msg}");
    assert!(msg.contains("`a` is `^2.0.0`"), "{msg}");
    assert!(msg.contains("`^1.0.0`"), "{msg}");
    assert!(msg.contains("pnpm-lock.yaml:58:7"), "{msg}");
    assert_nothing_written(repo.root(), &out);

    // An added dependency.
    let repo = monorepo().file(
        "packages/tool/package.json",
        r#"{"name":"tool","dependencies":{"left-pad":"^1.0.0"}}"#,
    );
    let msg = err(&repo, &["app"]).0.to_string();
    assert!(msg.contains("packages/tool/package.json:1:32:"), "{msg}");
    assert!(
        msg.contains("`left-pad` (`^1.0.0`) is not in importer `packages/tool`"),
        "{msg}"
    );

    // A removed one: the lockfile's entry is named.
    let repo = monorepo().file(
        "packages/lib/package.json",
        r#"{"name":"lib","devDependencies":{"tool":"workspace:*"}}"#,
    );
    let msg = err(&repo, &["lib"]).0.to_string();
    assert!(msg.contains("pnpm-lock.yaml:58:7:"), "{msg}");
    assert!(
        msg.contains("importer `packages/lib` has `a` in dependencies"),
        "{msg}"
    );

    // A workspace package the lockfile does not know.
    let repo = monorepo().file("packages/new/package.json", r#"{"name":"new"}"#);
    let msg = err(&repo, &["new"]).0.to_string();
    assert!(
        msg.contains("pnpm-lock.yaml: no importer `packages/new`"),
        "{msg}"
    );

    // With autoInstallPeers, a peer dependency belongs in the importer too.
    let repo = monorepo().file(
        "packages/tool/package.json",
        r#"{"name":"tool","peerDependencies":{"react":"^18.0.0"}}"#,
    );
    let msg = err(&repo, &["tool"]).0.to_string();
    assert!(
        msg.contains("`react` (`^18.0.0`) is not in importer"),
        "{msg}"
    );
}

#[test]
fn a_broken_graph_names_the_entry() {
    let repo = monorepo().file("pnpm-lock.yaml", &LOCK.replace("\n  b@1.0.0: {}\n", "\n"));
    let (e, out) = err(&repo, &["inj"]);
    let msg = e.to_string();
    assert!(msg.contains("pnpm-lock.yaml:"), "{msg}");
    assert!(
        msg.contains("`b` resolves to `b@1.0.0`, which has no `snapshots` entry"),
        "{msg}"
    );
    assert_nothing_written(repo.root(), &out);
}

#[test]
fn output_is_atomic_and_refuses_to_overwrite() {
    let repo = monorepo().file("out/keep.txt", "mine\n");
    let out = repo.root().join("out");
    let e = prune(&repo.opts(&["app"], &out, Layout::Docker)).unwrap_err();
    assert!(e.to_string().contains("not empty (use --force"), "{e}");
    assert_eq!(files(&out), ["keep.txt"]);

    // A failure after the check leaves the old output as it was.
    let bad = monorepo().file("out/keep.txt", "mine\n").file(
        "pnpm-lock.yaml",
        "lockfileVersion: '9.0'\nimporters:\n  a: 'x\n",
    );
    let bad_out = bad.root().join("out");
    let mut o = bad.opts(&["app"], &bad_out, Layout::Docker);
    o.force = true;
    assert!(prune(&o).is_err());
    assert_eq!(files(&bad_out), ["keep.txt"]);

    // --force does not replace a directory that no prune wrote…
    let mut o = repo.opts(&["app"], &out, Layout::Docker);
    o.force = true;
    let e = prune(&o).unwrap_err();
    assert!(
        e.to_string().contains("not written by `dockprep prune`"),
        "{e}"
    );
    assert_eq!(files(&out), ["keep.txt"]);
    // …but replaces an earlier prune's output whole.
    std::fs::remove_file(out.join("keep.txt")).unwrap();
    prune(&repo.opts(&["app"], &out, Layout::Docker)).unwrap();
    std::fs::write(out.join("keep.txt"), "mine\n").unwrap();
    prune(&o).unwrap();
    assert!(!out.join("keep.txt").exists());
    assert!(out.join("json/pnpm-lock.yaml").is_file());
    assert_nothing_written(repo.root(), &repo.root().join("absent"));

    // The output may not hold the workspace.
    let mut o = repo.opts(&["app"], repo.root(), Layout::Full);
    o.force = true;
    assert!(prune(&o)
        .unwrap_err()
        .to_string()
        .contains("holds the workspace"));
}

#[test]
fn cli_prints_a_summary_and_maps_errors_to_exit_codes() {
    let repo = monorepo();
    common::dockprep()
        .args(["prune", "app", "--docker", "-C"])
        .arg(repo.root())
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "pruned to 5 of 6 importers, 7 of 10 snapshots",
        ));
    assert!(repo.root().join("out/json/pnpm-lock.yaml").is_file());
    common::dockprep()
        .args(["prune", "nope", "--out"])
        .arg(repo.root().join("other"))
        .arg("-C")
        .arg(repo.root())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("target `nope`"));
    common::dockprep()
        .args(["prune", "app", "-C"])
        .arg(repo.root())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not empty"));
}

/// The three real monorepos, three targets each: structural completeness
/// always; a real pnpm's `--frozen-lockfile --lockfile-only` where it runs.
#[test]
fn real_monorepos_prune_complete_and_accepted_by_pnpm() {
    let Some(data) = common::monorepos() else {
        return;
    };
    let repair = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/monorepo-repair");
    let accepts = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pnpm-accepts");
    let pnpm_why_not = pnpm_unavailable(&accepts);
    if let Some(why) = &pnpm_why_not {
        eprintln!("SKIPPED: pnpm acceptance ({why}); structural checks still run");
    }
    let cases = [
        (
            "vuejs-core",
            ["vue", "@vue/compiler-sfc", "@vue/server-renderer"],
        ),
        (
            "vitejs-vite",
            ["vite", "create-vite", "@vitejs/plugin-legacy"],
        ),
        ("pnpm-pnpm", ["pnpm", "@pnpm/lockfile.fs", "pacquet"]),
    ];
    let tmp = tempfile::tempdir().unwrap();
    for (mono, targets) in cases {
        let ws = tmp.path().join(mono);
        common::copy_dir(&data.join(mono), &ws);
        make_writable(&ws);
        // pnpm-pnpm's lockfile names files the data set lacks (its
        // __patches__ and .pnpmfile.cjs): take those features out of the copy.
        let st = std::process::Command::new("python3")
            .arg(&repair)
            .arg(&ws)
            .status()
            .expect("python3 runs scripts/monorepo-repair");
        assert!(st.success(), "{mono}: monorepo-repair failed");
        let original = read(&ws.join("pnpm-lock.yaml"));
        let orig = Lockfile::parse(&original).unwrap();
        let dirs: HashSet<String> = orig.importer_ids().iter().map(|s| s.to_string()).collect();
        assert_eq!(
            check::completeness(&orig, Some(&dirs)),
            Vec::<String>::new(),
            "{mono}: the original is complete"
        );
        for target in targets {
            let out = tmp
                .path()
                .join(format!("out-{mono}-{}", target.replace('/', "_")));
            let s = prune(&Options {
                dir: ws.clone(),
                targets: vec![target.to_string()],
                out: Some(out.clone()),
                layout: Layout::Docker,
                force: false,
            })
            .unwrap_or_else(|e| panic!("{mono} {target}: {e}"));
            assert!(s.missing.is_empty(), "{mono} {target}: {:?}", s.missing);
            let lock = read(&out.join("json/pnpm-lock.yaml"));
            let pruned = Lockfile::parse(&lock).unwrap();
            let problems = check::completeness(&pruned, Some(&dirs));
            assert!(problems.is_empty(), "{mono} {target}: {problems:#?}");
            let diffs = check::same_entries(&orig, &pruned);
            assert!(diffs.is_empty(), "{mono} {target}: {diffs:#?}");
            assert_eq!(pruned.render(), lock);
            // Every kept importer's manifest is in json/.
            for id in pruned.importer_ids() {
                assert!(out.join("json").join(id).join("package.json").is_file());
            }
            assert!(
                s.importers.len() < s.importers_total || mono == "vuejs-core",
                "{mono} {target}: pruned nothing"
            );
            if pnpm_why_not.is_none() {
                let o = std::process::Command::new(&accepts)
                    .arg(out.join("json"))
                    .output()
                    .unwrap();
                let stderr = String::from_utf8_lossy(&o.stderr);
                assert!(
                    o.status.success(),
                    "{mono} {target}: pnpm rejects the pruned output: {stderr}"
                );
                assert!(
                    !stderr.contains("rewrote"),
                    "{mono} {target}: pnpm rewrote the lockfile: {stderr}"
                );
                eprintln!(
                    "{mono} {target}: {} importers of {}: {}",
                    s.importers.len(),
                    s.importers_total,
                    String::from_utf8_lossy(&o.stdout).trim()
                );
            }
        }
    }
}

/// Why `scripts/pnpm-accepts` cannot run here, if it cannot.
fn pnpm_unavailable(accepts: &Path) -> Option<String> {
    if std::env::var_os("DOCKPREP_SKIP_PNPM").is_some() {
        return Some("DOCKPREP_SKIP_PNPM is set".into());
    }
    if !accepts.is_file() {
        return Some(format!("{} is missing", accepts.display()));
    }
    match std::process::Command::new(accepts)
        .arg("--install")
        .output()
    {
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(format!(
            "pnpm cannot be installed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Some(format!("cannot run {}: {e}", accepts.display())),
    }
}

/// The data set is read-only; its copy must not be.
fn make_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let meta = std::fs::symlink_metadata(&p).unwrap();
        if meta.file_type().is_symlink() {
            continue;
        }
        let mut perm = meta.permissions();
        perm.set_mode(perm.mode() | 0o200);
        std::fs::set_permissions(&p, perm).unwrap();
        if meta.is_dir() {
            make_writable(&p);
        }
    }
}
