//! `prune`'s output directory against paths that hide where they point:
//! `..`, symbolic links, directories that are not an earlier prune's output,
//! and an output inside a kept package (issue 13, item 3).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dockprep::prune::{prune, Layout, Options};

const LOCK: &str = "lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .: {}

  packages/app:
    dependencies:
      lib:
        specifier: workspace:*
        version: link:../lib

  packages/lib: {}
";

/// A workspace with a git directory and files no prune keeps: what a prune
/// that replaced the workspace would destroy.
fn workspace() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let files = [
        ("pnpm-workspace.yaml", "packages:\n  - 'packages/*'\n"),
        ("pnpm-lock.yaml", LOCK),
        ("package.json", r#"{"name":"root","private":true}"#),
        (
            "packages/app/package.json",
            r#"{"name":"app","dependencies":{"lib":"workspace:*"}}"#,
        ),
        ("packages/app/index.js", "require('lib')\n"),
        ("packages/lib/package.json", r#"{"name":"lib"}"#),
        ("packages/lib/index.js", "module.exports = 1\n"),
        (".git/HEAD", "ref: refs/heads/main\n"),
        ("docs/notes.md", "my notes\n"),
    ];
    for (rel, text) in files {
        let p = d.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    d
}

/// Every file below `dir` with its contents.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn opts(root: &Path, out: PathBuf, force: bool) -> Options {
    Options {
        dir: root.to_path_buf(),
        targets: vec!["app".into()],
        out: Some(out),
        layout: Layout::Full,
        force,
    }
}

/// `/tmp/../tmp/…/W`: the first directory of `p`, `..`, then `p` itself.
fn through_dotdot(p: &Path) -> PathBuf {
    let first = p
        .components()
        .find_map(|c| match c {
            std::path::Component::Normal(n) => Some(n.to_os_string()),
            _ => None,
        })
        .unwrap();
    let mut s = PathBuf::from("/");
    s.push(first);
    s.push("..");
    s.push(p.strip_prefix("/").unwrap());
    s
}

#[test]
fn an_out_that_is_the_workspace_behind_dotdot_is_refused_even_with_force() {
    let d = workspace();
    let root = d.path();
    let before = snapshot(root);
    let outs = [
        through_dotdot(root),
        root.join("packages/.."),
        root.join("packages/app/../../"),
        // The parent of the workspace holds it too.
        through_dotdot(root).join(".."),
    ];
    for out in outs {
        let e = prune(&opts(root, out.clone(), true)).unwrap_err();
        assert!(
            e.to_string().contains("holds the workspace"),
            "{}: {e}",
            out.display()
        );
        assert_eq!(snapshot(root), before, "{}", out.display());
    }
}

#[cfg(unix)]
#[test]
fn an_out_that_is_a_link_to_the_workspace_is_refused() {
    let d = workspace();
    let root = d.path();
    let other = tempfile::tempdir().unwrap();
    let link = other.path().join("link");
    std::os::unix::fs::symlink(root, &link).unwrap();
    let before = snapshot(root);
    for out in [link.clone(), link.join("."), link.join("packages/..")] {
        let e = prune(&opts(root, out.clone(), true)).unwrap_err();
        assert!(
            e.to_string().contains("holds the workspace"),
            "{}: {e}",
            out.display()
        );
    }
    assert_eq!(snapshot(root), before);

    // A link elsewhere: refused as a link (the swap would replace the link,
    // the check would have looked at its target).
    let target = tempfile::tempdir().unwrap();
    std::fs::write(target.path().join("mine.txt"), "mine\n").unwrap();
    let link2 = other.path().join("link2");
    std::os::unix::fs::symlink(target.path(), &link2).unwrap();
    let e = prune(&opts(root, link2.clone(), true)).unwrap_err();
    assert!(e.to_string().contains("symbolic link"), "{e}");
    assert!(target.path().join("mine.txt").is_file());
    assert!(std::fs::symlink_metadata(&link2)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn force_replaces_only_an_earlier_prunes_output() {
    let d = workspace();
    let root = d.path();

    // A directory of the user's, outside the workspace.
    let mine = tempfile::tempdir().unwrap();
    std::fs::write(mine.path().join("thesis.tex"), "years of work\n").unwrap();
    let e = prune(&opts(root, mine.path().to_path_buf(), true)).unwrap_err();
    assert!(
        e.to_string().contains("not written by `dockprep prune`"),
        "{e}"
    );
    assert_eq!(
        std::fs::read_to_string(mine.path().join("thesis.tex")).unwrap(),
        "years of work\n"
    );

    // A directory of the workspace itself (the docs, a package's sources).
    let before = snapshot(root);
    for rel in ["docs", "packages/lib", "packages"] {
        let e = prune(&opts(root, root.join(rel), true)).unwrap_err();
        assert!(
            e.to_string().contains("not written by `dockprep prune`"),
            "{rel}: {e}"
        );
        assert_eq!(snapshot(root), before, "{rel}");
    }

    // An earlier prune's output carries the marker, and is replaced.
    let out = root.join("out");
    prune(&opts(root, out.clone(), false)).unwrap();
    assert!(out.join(".dockprep-prune").is_file());
    std::fs::write(out.join("stale.txt"), "old\n").unwrap();
    prune(&opts(root, out.clone(), true)).unwrap();
    assert!(!out.join("stale.txt").exists());
    assert!(out.join(".dockprep-prune").is_file());
    assert!(out.join("packages/app/index.js").is_file());

    // A marker that is a link is no marker.
    #[cfg(unix)]
    {
        let fake = tempfile::tempdir().unwrap();
        std::fs::write(fake.path().join("data"), "keep\n").unwrap();
        std::os::unix::fs::symlink(
            out.join(".dockprep-prune"),
            fake.path().join(".dockprep-prune"),
        )
        .unwrap();
        assert!(prune(&opts(root, fake.path().to_path_buf(), true)).is_err());
        assert!(fake.path().join("data").is_file());
    }
}

#[test]
fn an_out_inside_a_kept_package_is_not_copied_into_the_next_output() {
    let d = workspace();
    let root = d.path();
    let out = root.join("packages/app/pruned");
    for _ in 0..3 {
        prune(&opts(root, out.clone(), true)).unwrap();
    }
    let files: Vec<String> = snapshot(&out).into_keys().collect();
    assert!(
        !files.iter().any(|f| f.contains("pruned")),
        "an earlier output was copied: {files:?}"
    );
    assert!(files.contains(&"packages/app/index.js".to_string()));
    assert!(files.contains(&"packages/lib/index.js".to_string()));
}

#[test]
fn the_cli_refuses_the_dotdot_workspace_with_the_usage_code() {
    let d = workspace();
    let root = d.path();
    let before = snapshot(root);
    let out = through_dotdot(root);
    let o = common::dockprep()
        .args(["prune", "app", "--force", "-C"])
        .arg(root)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("holds the workspace"));
    assert_eq!(snapshot(root), before);
}
