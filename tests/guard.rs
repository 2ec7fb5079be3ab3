//! `dockprep guard` and `dockprep hook` against real git repositories (gate C4:
//! a deliberately staged rewritten manifest is refused, a clean commit passes).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::dockprep;

const ORIGINAL: &str = r#"{
  "name": "api",
  "dependencies": {
    "@bytelyst/config": "^1.4.0",
    "express": "^4.21.2"
  }
}
"#;

/// What `prep` (and the old docker-prep.sh) makes of [`ORIGINAL`].
const REWRITTEN: &str = r#"{
  "name": "api",
  "dependencies": {
    "@bytelyst/config": "file:../.docker-deps/bytelyst-config-1.4.0.tgz",
    "express": "^4.21.2"
  },
  "pnpm": {
    "overrides": {
      "@bytelyst/db": "file:../.docker-deps/bytelyst-db-2.0.1.tgz"
    }
  }
}
"#;

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q"]);
        repo.git(&["config", "user.name", "Test"]);
        repo.git(&["config", "user.email", "test@example.com"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.path().join(rel)).unwrap()
    }

    fn command(&self, path_env: &str, args: &[&str]) -> Output {
        Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("PATH", path_env)
            .output()
            .unwrap()
    }

    /// Runs git (without dockprep on PATH) and asserts it succeeds.
    fn git(&self, args: &[&str]) -> Output {
        let out = self.command(&path_without_dockprep(), args);
        assert!(out.status.success(), "git {args:?}: {out:?}");
        out
    }

    /// `git commit`, with or without the built dockprep on PATH.
    fn commit(&self, with_dockprep: bool) -> Output {
        let path = if with_dockprep {
            let bin = Path::new(env!("CARGO_BIN_EXE_dockprep")).parent().unwrap();
            format!("{}:{}", bin.display(), path_without_dockprep())
        } else {
            path_without_dockprep()
        };
        self.command(&path, &["commit", "-q", "-m", "change"])
    }

    fn guard(&self, dir: &str) -> Output {
        dockprep()
            .arg("guard")
            .current_dir(self.path().join(dir))
            .output()
            .unwrap()
    }

    fn hook(&self, action: &str) -> Output {
        let out = dockprep()
            .args(["hook", action])
            .current_dir(self.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        out
    }

    /// A first commit with the original manifest.
    fn with_history(self) -> Repo {
        self.write("api/package.json", ORIGINAL);
        self.git(&["add", "."]);
        self.git(&["commit", "-q", "-m", "initial"]);
        self
    }
}

/// The test's PATH without any directory that holds a `dockprep`.
fn path_without_dockprep() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !d.join("dockprep").exists())
        .collect();
    std::env::join_paths(dirs).unwrap().into_string().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn is_executable(p: &Path) -> bool {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o111 == 0o111
}

const MESSAGE: &str = "ERROR: rewritten package.json detected. Run `dockprep restore` first.";

#[test]
fn staged_rewritten_manifest_is_refused_with_file_and_line() {
    let repo = Repo::new().with_history();
    repo.write("api/package.json", REWRITTEN);
    repo.git(&["add", "api/package.json"]);
    let out = repo.guard(".");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = stderr(&out);
    assert!(
        err.contains(
            "api/package.json:4:26: file:../.docker-deps/bytelyst-config-1.4.0.tgz reference\n"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "api/package.json:9:24: file:../.docker-deps/bytelyst-db-2.0.1.tgz reference\n"
        ),
        "{err}"
    );
    assert!(err.contains(MESSAGE), "{err}");

    // From a subdirectory: the same repository, paths relative to where we are.
    let out = repo.guard("api");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("package.json:4:26: "), "{out:?}");

    // The old script's restore is mentioned where the old script is.
    repo.write("scripts/docker-prep.sh", "#!/bin/sh\n");
    let err = stderr(&repo.guard("."));
    assert!(
        err.contains("Run `dockprep restore` (or `scripts/docker-prep.sh --restore`) first."),
        "{err}"
    );
}

#[test]
fn staged_backups_journal_and_tarballs_are_refused() {
    let repo = Repo::new().with_history();
    repo.write("api/package.json.bak", ORIGINAL);
    repo.write(".docker-deps/.dockprep-prep.json", "{}");
    repo.write(".docker-deps/bytelyst-config-1.4.0.tgz", "tgz");
    repo.git(&["add", "-f", "."]);
    let out = dockprep()
        .args(["guard", "--json"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(&str, &str)> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["kind"].as_str().unwrap(), x["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("journal", ".docker-deps/.dockprep-prep.json"),
            ("docker-deps", ".docker-deps/bytelyst-config-1.4.0.tgz"),
            ("backup", "api/package.json.bak"),
        ]
    );
    // A backup alone is refused too.
    repo.git(&["rm", "-q", "-r", "--cached", ".docker-deps"]);
    let out = repo.guard(".");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("api/package.json.bak:1:1: prep backup staged"));
}

#[test]
fn clean_changes_pass() {
    let repo = Repo::new().with_history();
    repo.write(
        "api/package.json",
        &ORIGINAL.replace("^4.21.2", "file:../packages/express"),
    );
    repo.write("web/package.json", "{ not json, \"file:elsewhere\" ");
    repo.write(
        "api/README.md",
        "file:../.docker-deps/ is where prep puts tarballs\n",
    );
    repo.git(&["add", "."]);
    let out = repo.guard(".");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    // Nothing staged at all.
    repo.git(&["commit", "-q", "-m", "clean"]);
    assert_eq!(repo.guard(".").status.code(), Some(0));
}

#[test]
fn staged_content_counts_not_the_work_tree() {
    let repo = Repo::new().with_history();
    // Rewritten in the work tree only (prep ran, nothing staged): passes.
    repo.write("api/package.json", REWRITTEN);
    repo.write("api/package.json.bak", ORIGINAL);
    repo.write("api/index.js", "1\n");
    repo.git(&["add", "api/index.js"]);
    assert_eq!(repo.guard(".").status.code(), Some(0));
    // Staged rewritten, then restored in the work tree: still refused.
    repo.git(&["add", "api/package.json"]);
    repo.write("api/package.json", ORIGINAL);
    std::fs::remove_file(repo.path().join("api/package.json.bak")).unwrap();
    let out = repo.guard(".");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr(&out).contains("api/package.json:4:26:"));
    // Staging the restored manifest again clears it.
    repo.git(&["add", "api/package.json"]);
    assert_eq!(repo.guard(".").status.code(), Some(0));
}

#[test]
fn installed_hook_blocks_a_real_commit_and_lets_a_clean_one_through() {
    let repo = Repo::new();
    let out = repo.hook("install");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "created .git/hooks/pre-commit with the dockprep guard\n"
    );
    let hook = repo.path().join(".git/hooks/pre-commit");
    assert!(is_executable(&hook));
    assert!(std::fs::read_to_string(&hook)
        .unwrap()
        .starts_with("#!/bin/sh\n# >>> dockprep guard >>>\n"));

    // The first commit (unborn branch) of a rewritten manifest.
    repo.write("api/package.json", REWRITTEN);
    repo.git(&["add", "."]);
    let out = repo.commit(true);
    assert!(!out.status.success(), "{out:?}");
    assert!(stderr(&out).contains("api/package.json:4:26:"), "{out:?}");
    assert!(stderr(&out).contains(MESSAGE));

    // Teammates without dockprep: the grep fallback refuses it too.
    let out = repo.commit(false);
    assert!(!out.status.success(), "{out:?}");
    assert!(stderr(&out).contains(MESSAGE), "{out:?}");
    repo.write("api/package.json.bak", ORIGINAL);
    repo.write("api/package.json", ORIGINAL);
    repo.git(&["add", "."]);
    let out = repo.commit(false);
    assert!(!out.status.success(), "backup staged: {out:?}");

    // Restored and re-staged: both commit.
    repo.git(&["rm", "-q", "--cached", "api/package.json.bak"]);
    let out = repo.commit(true);
    assert!(out.status.success(), "{out:?}");
    repo.write("api/index.js", "1\n");
    repo.git(&["add", "api/index.js"]);
    let out = repo.commit(false);
    assert!(out.status.success(), "{out:?}");
    let log = repo.git(&["log", "--oneline"]);
    assert_eq!(String::from_utf8_lossy(&log.stdout).lines().count(), 2);
}

#[test]
fn install_is_idempotent_and_keeps_an_existing_hook() {
    let repo = Repo::new().with_history();
    let original = "#!/bin/sh\necho existing >> .git/existing-ran\nexit 0\n";
    repo.write(".git/hooks/pre-commit", original);
    let hook = repo.path().join(".git/hooks/pre-commit");
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o750)).unwrap();

    let out = repo.hook("install");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "added the dockprep guard to .git/hooks/pre-commit\n"
    );
    let once = repo.read(".git/hooks/pre-commit");
    let text = String::from_utf8_lossy(&once);
    assert!(
        text.ends_with("# <<< dockprep guard <<<\necho existing >> .git/existing-ran\nexit 0\n")
    );
    assert_eq!(
        std::fs::metadata(&hook).unwrap().permissions().mode() & 0o777,
        0o750
    );

    let out = repo.hook("install");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "already installed in .git/hooks/pre-commit\n"
    );
    assert_eq!(repo.read(".git/hooks/pre-commit"), once);

    // The existing hook still runs, after the guard (which its `exit 0` would skip if appended).
    repo.write("api/package.json", REWRITTEN);
    repo.git(&["add", "."]);
    assert!(!repo.commit(true).status.success());
    assert!(!repo.path().join(".git/existing-ran").exists());
    repo.write("api/package.json", ORIGINAL);
    repo.write("api/index.js", "1\n");
    repo.git(&["add", "."]);
    assert!(repo.commit(true).status.success());
    assert!(repo.path().join(".git/existing-ran").exists());

    // Uninstall gives back the original bytes.
    repo.hook("uninstall");
    assert_eq!(repo.read(".git/hooks/pre-commit"), original.as_bytes());
    let out = repo.hook("uninstall");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("not installed"));
}

#[test]
fn husky_gets_the_guard_in_dot_husky() {
    // `.husky/` exists (husky v9: plain shell lines, no shebang).
    let repo = Repo::new();
    repo.write(".husky/pre-commit", "pnpm lint-staged\n");
    let out = repo.hook("install");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "added the dockprep guard to .husky/pre-commit (husky)\n"
    );
    let text = String::from_utf8(repo.read(".husky/pre-commit")).unwrap();
    assert!(text.starts_with("# >>> dockprep guard >>>\n"), "{text}");
    assert!(text.ends_with("# <<< dockprep guard <<<\npnpm lint-staged\n"));
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());

    // Only the manifest says husky: `.husky/pre-commit` is created, executable.
    let repo = Repo::new();
    repo.write(
        "package.json",
        r#"{"scripts": {"prepare": "husky"}, "devDependencies": {"husky": "^9.1.7"}}"#,
    );
    repo.hook("install");
    let hook = repo.path().join(".husky/pre-commit");
    assert!(is_executable(&hook));
    let text = std::fs::read_to_string(&hook).unwrap();
    assert!(text.starts_with("# >>> dockprep guard >>>\n"), "{text}");
    // Uninstalling what install created removes the file.
    repo.hook("uninstall");
    assert!(!hook.exists());
}

#[test]
fn core_hooks_path_is_honoured() {
    let repo = Repo::new().with_history();
    repo.git(&["config", "core.hooksPath", "tools/hooks"]);
    let out = repo.hook("install");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "created tools/hooks/pre-commit with the dockprep guard\n"
    );
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
    repo.write("api/package.json", REWRITTEN);
    repo.git(&["add", "api/package.json"]);
    let out = repo.commit(true);
    assert!(!out.status.success(), "{out:?}");
    assert!(stderr(&out).contains(MESSAGE));
}

#[test]
fn outside_a_git_repository_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let ceiling = dir.path().parent().unwrap();
    for args in [&["guard"][..], &["hook", "install"]] {
        let out = dockprep()
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CEILING_DIRECTORIES", ceiling)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        assert!(
            stderr(&out).contains("is not inside a git repository"),
            "{out:?}"
        );
    }
    let out = dockprep()
        .args(["guard", "/nonexistent/dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not exist"));
}
