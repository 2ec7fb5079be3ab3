//! No command prints a secret (issue 13): with distinctive values in the
//! environment's token variables and tokens planted in the inputs (an
//! `.npmrc` `_authToken=`, `ARG NPM_TOKEN=…`, `ENV …TOKEN=…`, compose
//! `args:` in both forms, a `dockprep.toml` type error, registry URLs with a
//! password or a `?token=`), the output (stdout and stderr) of every command,
//! in every format, holds none of them.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, dockprep};

/// In the environment of every command.
const ENV_GITEA: &str = "EnvGiteaTok_4f1c9a";
const ENV_NPM: &str = "EnvNpmTok_7d2e5b";
/// Planted in the inputs.
const NPMRC: &str = "NpmrcTok_a81f3c";
const ARG: &str = "ArgTok_b92e4d";
const ENV: &str = "EnvLineTok_c03f5e";
const COMPOSE_MAP: &str = "ComposeMapTok_d14a6f";
const COMPOSE_LIST: &str = "ComposeListPw_e25b70";
const CONFIG: &str = "ConfigTok_f36c81";
const URL_PASSWORD: &str = "UrlPw_0a7d92";
const URL_QUERY: &str = "UrlQueryTok_1b8ea3";
const RC_URL_PASSWORD: &str = "RcUrlPw_2c9fb4";
const RC_URL_QUERY: &str = "RcUrlQueryTok_3da0c5";
const ENV_AUTH: &str = "EnvNpmAuth_4eb1d6";

const PLANTED: &[&str] = &[
    ENV_GITEA,
    ENV_NPM,
    NPMRC,
    ARG,
    ENV,
    COMPOSE_MAP,
    COMPOSE_LIST,
    CONFIG,
    URL_PASSWORD,
    URL_QUERY,
    RC_URL_PASSWORD,
    RC_URL_QUERY,
    ENV_AUTH,
];

struct Fleet {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Fleet {
    fn repo(&self) -> PathBuf {
        self.root.join("learning_ai_peakpulse")
    }
    fn sibling(&self) -> PathBuf {
        self.root.join("learning_ai_common_plat")
    }
    fn tmp(&self, name: &str) -> PathBuf {
        self._dir.path().join(name)
    }
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    let new = f(text.clone());
    assert_ne!(new, text, "{} was planted", path.display());
    std::fs::write(path, new).unwrap();
}

/// A copy of examples/fleet with the tokens planted.
fn fleet_with(bad_config: bool) -> Fleet {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("fleet");
    copy_dir(Path::new("examples/fleet"), &root);
    let f = Fleet { _dir: dir, root };
    let repo = f.repo();
    // The `.npmrc` the backend image copies: a literal token, and a
    // registry (where nobody listens) with a password and a query token.
    let port = closed_port();
    edit(&repo.join(".npmrc.docker"), |t| {
        format!(
            "{t}//localhost:3300/api/packages/learning_ai_user/npm/:_authToken={NPMRC}\n\
             @bytelyst:registry=http://npmuser:{RC_URL_PASSWORD}@127.0.0.1:{port}/npm/?token={RC_URL_QUERY}\n"
        )
    });
    edit(&repo.join("backend/Dockerfile"), |t| {
        t.replacen(
            "ARG GITEA_NPM_HOST\n",
            &format!("ARG GITEA_NPM_HOST\nARG NPM_TOKEN={ARG}\nENV MY_API_TOKEN={ENV}\n"),
            1,
        )
        // A token only the environment's value gives away, on a line a
        // finding shows (`pnpm-global-install`).
        .replacen(
            "RUN npm install -g pnpm@10.6.5\n",
            &format!("RUN npm install -g pnpm@10.6.5 && echo {ENV_NPM} {ENV_GITEA} {ENV_AUTH}\n"),
            1,
        )
    });
    edit(&repo.join("docker-compose.yml"), |t| {
        t.replacen(
            "      dockerfile: backend/Dockerfile\n",
            &format!("      dockerfile: backend/Dockerfile\n      args:\n        NPM_TOKEN: {COMPOSE_MAP}\n"),
            1,
        )
        .replacen(
            "      dockerfile: web/Dockerfile\n",
            &format!("      dockerfile: web/Dockerfile\n      args:\n        - DB_PASSWORD={COMPOSE_LIST}\n"),
            1,
        )
    });
    if bad_config {
        std::fs::write(
            repo.join("dockprep.toml"),
            format!("[rules]\nignore = \"{CONFIG}\"\n"),
        )
        .unwrap();
    }
    f
}

/// [`fleet_with`] a `dockprep.toml` type error that quotes a token.
fn fleet() -> Fleet {
    fleet_with(true)
}

/// A loopback port nobody listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Runs dockprep with the token variables set; returns (what ran, stdout + stderr).
fn run(cwd: &Path, args: &[&str]) -> (String, String) {
    let mut c = dockprep();
    c.current_dir(cwd)
        .args(args)
        .env("GITEA_NPM_TOKEN", ENV_GITEA)
        .env("NPM_TOKEN", ENV_NPM)
        .env("NPM_CONFIG__AUTH", ENV_AUTH)
        .env_remove("DOCKPREP_REGISTRY_URL")
        .env_remove("DOCKPREP_TOKEN_FILE")
        .env_remove("DOCKPREP_DOCKER");
    let out = c.output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (format!("dockprep {}", args.join(" ")), all)
}

/// Every run's output holds no planted value; `runs` must have produced output.
fn assert_clean(runs: &[(String, String)]) {
    let mut leaks = Vec::new();
    for (what, out) in runs {
        assert!(!out.trim().is_empty(), "`{what}` printed nothing");
        for p in PLANTED {
            if out.contains(p) {
                let line = out.lines().find(|l| l.contains(p)).unwrap_or_default();
                leaks.push(format!("`{what}` printed {p}: {line}"));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets printed:\n{}", leaks.join("\n"));
}

#[test]
fn audit_prints_no_secret_in_any_format() {
    let f = fleet();
    let mut runs = Vec::new();
    for format in ["human", "concise", "json", "sarif", "github", "markdown"] {
        let r = run(
            &f.root,
            &["audit", "learning_ai_peakpulse", "--format", format],
        );
        runs.push(r);
    }
    // A configuration given by flag, and the whole fleet.
    let config = f.repo().join("dockprep.toml");
    runs.push(run(
        &f.root,
        &["audit", ".", "--config", config.to_str().unwrap()],
    ));
    assert_clean(&runs);
    // The source lines were shown (masked), so the test sees them.
    let human = &runs[0].1;
    assert!(human.contains("_authToken=****"), "{human}");
    assert!(human.contains("ARG NPM_TOKEN=****"), "{human}");
    assert!(human.contains("NPM_TOKEN: ****"), "{human}");
    assert!(
        human.contains("invalid type: string, expected a sequence"),
        "{human}"
    );
}

#[test]
fn fix_prints_no_secret() {
    // An invalid dockprep.toml stops `fix` (its error is checked too).
    let bad = fleet();
    let stopped = run(&bad.root, &["fix", "--diff", "learning_ai_peakpulse"]);
    let f = fleet_with(false);
    let mut runs = vec![
        stopped,
        run(&f.root, &["fix", "--diff", "learning_ai_peakpulse"]),
        run(
            &f.root,
            &["fix", "--unsafe", "--diff", "learning_ai_peakpulse"],
        ),
        run(&f.root, &["fix", "--check", "learning_ai_peakpulse"]),
    ];
    runs.push(run(&f.root, &["fix", "--unsafe", "learning_ai_peakpulse"]));
    assert_clean(&runs);
    assert!(runs[0].1.contains("invalid dockprep.toml"), "{}", runs[0].1);
    // The compose file's token line is context of the wiring fix.
    assert!(runs[1].1.contains("NPM_TOKEN: ****"), "{}", runs[1].1);
}

#[test]
fn lockfile_prints_no_registry_password() {
    let f = fleet();
    let port = closed_port();
    let no_scheme = format!("user:{URL_PASSWORD}@127.0.0.1:{port}");
    let userinfo = format!("http://user:{URL_PASSWORD}@127.0.0.1:{port}/npm/");
    let query = format!("http://127.0.0.1:{port}/npm/?token={URL_QUERY}");
    let repo = f.repo();
    let repo = repo.to_str().unwrap();
    // The repository's own .npmrc names the registry, with a password.
    std::fs::copy(f.repo().join(".npmrc.docker"), f.repo().join(".npmrc")).unwrap();
    let runs = vec![
        run(&f.root, &["lockfile", repo]),
        run(&f.root, &["lockfile", repo, "--registry", &no_scheme]),
        run(&f.root, &["lockfile", repo, "--registry", &userinfo]),
        run(&f.root, &["lockfile", repo, "--registry", &query]),
        run(&f.root, &["lockfile", repo, "--check"]),
    ];
    assert_clean(&runs);
    // The printed URLs are there, without their credentials.
    assert!(
        runs[2].1.contains(&format!("http://127.0.0.1:{port}/npm/")),
        "{}",
        runs[2].1
    );
}

#[test]
fn the_other_commands_print_no_secret() {
    let f = fleet();
    let repo = f.repo();
    let out = f.tmp("pruned");
    let packed = f.tmp("packed");
    let runs = vec![
        run(&f.root, &["prep", "--dry-run", "learning_ai_peakpulse"]),
        run(
            &f.root,
            &["prep", "--dry-run", "--json", "learning_ai_peakpulse"],
        ),
        run(
            &repo,
            &["prune", "backend", "--out", out.to_str().unwrap(), "--json"],
        ),
        run(
            &f.root,
            &[
                "pack",
                "--workspace",
                f.sibling().to_str().unwrap(),
                "--out",
                packed.to_str().unwrap(),
            ],
        ),
        run(&f.root, &["rules"]),
        run(&f.root, &["rules", "secret-in-arg-or-env"]),
    ];
    assert_clean(&runs);
}

/// A stand-in docker client that shows what BuildKit would: the Dockerfile
/// it was given (its steps echo in the progress), its command line, the
/// secrets it received, its environment.
fn fake_docker(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let fake = dir.join("fake-docker");
    std::fs::write(
        &fake,
        r##"#!/bin/sh
[ "$1" = build ] || exit 1
f=""; prev=""; last=""
for a in "$@"; do [ "$prev" = "-f" ] && f="$a"; prev="$a"; last="$a"; done
if [ "$last" = "-" ]; then
  t=$(mktemp); cat > "$t"
  df=$(tar -xOf "$t" "$f" 2>/dev/null || tar -xOf "$t" "./$f" 2>/dev/null); rm -f "$t"
else
  df=$(cat "$f")
fi
printf '%s\n' "$df" | sed 's/^/#2 /' >&2
echo "#3 RUN $*" >&2
for a in "$@"; do case "$a" in id=*,src=*) echo "#4 secret: $(cat "${a#*,src=}")" >&2;; esac; done
env | sed 's/^/#5 /' >&2
exit 0
"##,
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    fake
}

#[test]
fn build_prints_no_secret() {
    // The config error is audit's and fix's test; a build needs a valid one.
    let f = fleet_with(false);
    let docker = fake_docker(f._dir.path());
    let docker = docker.to_str().unwrap();
    let secret = "id=gitea_npm_token,env=GITEA_NPM_TOKEN";
    let runs = vec![
        // The preflight fails (nobody listens) and says which registry.
        run(
            &f.root,
            &[
                "build",
                "learning_ai_peakpulse",
                "backend",
                "--secret",
                secret,
                "--docker",
                docker,
            ],
        ),
        run(
            &f.root,
            &[
                "build",
                "learning_ai_peakpulse",
                "--mode",
                "tarball",
                "--progress",
                "plain",
                "--secret",
                secret,
                "--docker",
                docker,
            ],
        ),
        run(
            &f.root,
            &[
                "build",
                "learning_ai_peakpulse",
                "--mode",
                "registry",
                "--no-preflight",
                "--progress",
                "plain",
                "--json",
                "--secret",
                secret,
                "--docker",
                docker,
            ],
        ),
    ];
    assert_clean(&runs);
    // The stand-in ran and its output passed through.
    assert!(runs[0].1.contains("preflight"), "{}", runs[0].1);
    assert!(runs[1].1.contains("#3 RUN build"), "{}", runs[1].1);
    assert!(runs[2].1.contains("--build-arg"), "{}", runs[2].1);
}

#[test]
fn echoed_source_lines_stop_at_a_nul_and_hold_no_control_characters() {
    // A line as `/proc/self/environ` would give it (one variable per NUL),
    // with an escape sequence that would clear a terminal.
    let f = fleet();
    let hidden = "Opaque_9x8y7z";
    edit(&f.repo().join(".dockerignore"), |t| {
        let (first, rest) = t.split_once('\n').unwrap();
        format!("{first} \u{1b}[2J\u{1b}]0;title\u{7}\0SESSION_KEY={hidden}\0\n{rest}")
    });
    let (what, out) = run(&f.root, &["audit", "learning_ai_peakpulse"]);
    let line = out
        .lines()
        .find(|l| l.starts_with("1 | # Keep the build context small"))
        .unwrap_or_else(|| panic!("`{what}` shows the line: {out}"));
    assert!(
        !out.contains(hidden),
        "`{what}` echoed past the NUL: {line}"
    );
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{7}'),
        "`{what}` echoed control characters: {line:?}"
    );
}
