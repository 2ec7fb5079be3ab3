//! No input makes dockprep abort: every parser answers (a value or an error
//! with a place) on hostile input — nesting far past the limits, huge
//! lines, random bytes — within a time bound and on a stack the size of
//! half a rayon worker's; and the real `dockprep` binary, run on a
//! repository holding each hostile file, exits 0, 1 or 2 (never a signal,
//! never Rust's 101 or the abort's 134) for `audit`, `fix --check`,
//! `prep --dry-run`, `prune`, `lockfile --check` and `pack`.
//!
//! Deterministic: proptest runs with a fixed seed and no persistence. The
//! whole file runs in well under a minute. `fuzz/` has the same parsers as
//! cargo-fuzz targets for longer runs (docs/fuzzing.md).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dockprep::syntax::compose::Compose;
use dockprep::syntax::dockerfile::{Dockerfile, Environment};
use dockprep::syntax::dockerignore::DockerIgnore;
use dockprep::syntax::limits::{MAX_NESTING, MAX_VAR_NESTING};
use dockprep::syntax::npmrc::Npmrc;
use dockprep::syntax::package_json::PackageJson;
use dockprep::syntax::pnpm_lock::Lockfile;
use dockprep::syntax::pnpm_workspace::Workspace;
use dockprep::syntax::shell::{split_commands, var_refs};
use dockprep::syntax::{yaml, ParseError};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

mod common;

/// Half the stack of a rayon worker thread (2 MiB): what pack, prep and the
/// model's prefetch parse on.
const STACK: usize = 1 << 20;
/// Time any one parse may take, in a debug build on a loaded machine.
const PARSE_BOUND: Duration = Duration::from_secs(30);
/// Time any one run of the binary may take.
const RUN_BOUND: Duration = Duration::from_secs(60);

/// Runs `f` on a thread with a [`STACK`]-sized stack and checks the time.
/// A stack overflow aborts the whole test binary, which fails the test.
fn bounded<T: Send>(what: &str, f: impl FnOnce() -> T + Send) -> T {
    let started = Instant::now();
    let out = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(STACK)
            .spawn_scoped(s, f)
            .expect("a thread")
            .join()
            .unwrap_or_else(|_| panic!("{what}: panicked"))
    });
    let took = started.elapsed();
    assert!(took < PARSE_BOUND, "{what}: took {took:?}");
    out
}

/// The error's span lies inside the text.
fn placed(what: &str, text: &str, e: &ParseError) {
    assert!(
        e.span.start <= e.span.end && e.span.end <= text.len(),
        "{what}: span {:?} outside a text of {} bytes",
        e.span,
        text.len()
    );
}

/// Every parser of dockprep on `text`; errors must be placed in the text.
fn every_parser(what: &str, text: &str) {
    bounded(what, || {
        for (name, r) in [
            ("package.json", PackageJson::parse(text).map(drop)),
            ("yaml", yaml::parse(text).map(drop)),
            ("compose", Compose::parse(text).map(drop)),
            ("workspace", Workspace::parse(text).map(drop)),
            ("lockfile", Lockfile::parse(text).map(drop)),
            ("config", dockprep::config::Config::parse(text).map(drop)),
        ] {
            if let Err(e) = r {
                placed(&format!("{what} ({name})"), text, &e);
            }
        }
        match Dockerfile::parse(text) {
            Ok(d) => {
                for (i, ins) in d.instructions.iter().enumerate() {
                    let env = d.environment_before(i);
                    let _ = ins.commands(d.escape);
                    for r in &ins.refs {
                        let _ = env.expand(&text[r.span.range()]);
                    }
                }
            }
            Err(e) => placed(&format!("{what} (Dockerfile)"), text, &e),
        }
        let di = DockerIgnore::parse(text);
        let _ = di.is_excluded("a/b/c");
        let _ = di.build_error();
        let _ = Npmrc::parse(text);
        let _ = split_commands(text, '\\');
        let refs = var_refs(text, '\\');
        let _ = Environment::default().expand(text);
        refs.len()
    });
}

fn nest(open: &str, middle: &str, close: &str, n: usize) -> String {
    format!("{}{middle}{}", open.repeat(n), close.repeat(n))
}

/// Each syntax nested `n` deep, with a name.
fn deep_inputs(n: usize) -> Vec<(String, String)> {
    let indented = |n: usize, item: &str| -> String {
        (0..n.min(1500))
            .map(|i| format!("{}{item}\n", " ".repeat(i)))
            .collect()
    };
    let aliases: String = (1..n.min(3000))
        .map(|i| format!("a{i}: &a{i} [*a{}, *a{}]\n", i - 1, i - 1))
        .collect();
    vec![
        (
            "JSON arrays".into(),
            format!("{{\"name\":\"x\",\"a\":{}}}", nest("[", "", "]", n)),
        ),
        (
            "JSON objects".into(),
            format!("{{\"dependencies\":{}}}", nest("{\"a\":", "1", "}", n)),
        ),
        ("JSON unclosed".into(), "[{".repeat(n)),
        (
            "YAML block sequences".into(),
            format!("packages:\n  - {}a\n", "- ".repeat(n)),
        ),
        (
            "YAML flow".into(),
            format!("services: {}\n", nest("[{a: ", "x", "}]", n)),
        ),
        ("YAML indented maps".into(), indented(n, "a:")),
        ("YAML indented sequences".into(), indented(n, "-")),
        ("YAML complex keys".into(), format!("{}a\n", "? ".repeat(n))),
        ("YAML tags".into(), nest("!t [", "a", "]", n)),
        (
            "YAML aliases".into(),
            format!("packages: [a]\na0: &a0 [x]\n{aliases}"),
        ),
        (
            "lockfile flow".into(),
            format!(
                "lockfileVersion: '9.0'\nimporters:\n  .:\n    x: {}\n",
                nest("{a: ", "b", "}", n)
            ),
        ),
        (
            "lockfile blocks".into(),
            format!("lockfileVersion: '9.0'\n{}", indented(n, "a:")),
        ),
        (
            "Dockerfile variables".into(),
            format!(
                "FROM node:22\nARG A\nENV X={v}\nWORKDIR /{v}\nRUN --mount=type=cache,target={v} echo {v}\n",
                v = nest("${A:-", "x", "}", n)
            ),
        ),
        (
            "Dockerfile substitutions".into(),
            format!("FROM node:22\nRUN {}\n", nest("$(", "pnpm install", ")", n)),
        ),
        (
            "TOML".into(),
            format!("[prep]\nworkspaces = {}\n", nest("[", "", "]", n)),
        ),
        (
            "ignore patterns".into(),
            format!(
                "{}\n{}\n[\n!\n{}\n",
                nest("(", "a", ")", n),
                "a*\\Q\\E*".repeat(n),
                nest("{a,", "b", "}", n)
            ),
        ),
    ]
}

#[test]
fn deep_nesting_of_every_syntax() {
    for n in [MAX_NESTING - 1, MAX_NESTING + 1, 10_000, 100_000] {
        for (name, text) in deep_inputs(n) {
            every_parser(&format!("{name}, {n} deep"), &text);
        }
    }
}

#[test]
fn nesting_limits_are_errors_at_a_place() {
    // Just inside: accepted. Just outside: refused, where it crosses.
    let ok = format!("{{\"a\":{}}}", nest("[", "", "]", MAX_NESTING - 1));
    assert!(PackageJson::parse(&ok).is_ok());
    // Whoever else reads package.json with serde_json (pack, prep) agrees.
    assert!(serde_json::from_str::<serde_json::Value>(&ok).is_ok());
    let deep = format!("{{\"a\":{}}}", nest("[", "", "]", MAX_NESTING));
    let e = PackageJson::parse(&deep).unwrap_err();
    assert_eq!(e.span.start, 5 + MAX_NESTING - 1, "{e:?}");
    assert!(e.message.contains("nests deeper"), "{}", e.message);
    assert!(serde_json::from_str::<serde_json::Value>(&deep).is_err());

    let ok = format!("a: {}\n", nest("[", "x", "]", MAX_NESTING - 1));
    assert!(yaml::parse(&ok).is_ok());
    let deep = format!("a: {}\n", nest("[", "x", "]", MAX_NESTING));
    let e = yaml::parse(&deep).unwrap_err();
    assert_eq!(e.span.start, 3 + MAX_NESTING - 1, "{e:?}");
    // Aliases count with what they expand to.
    let chain: String = (1..=MAX_NESTING + 1)
        .map(|i| format!("a{i}: &a{i} [*a{}]\n", i - 1))
        .collect();
    let e = yaml::parse(&format!("a0: &a0 x\n{chain}")).unwrap_err();
    assert!(e.message.contains("nests deeper"), "{}", e.message);
    let e = Compose::parse(&format!("services:\n  a: {}\n", nest("[", "", "]", 200))).unwrap_err();
    // Two mappings, then the arrays.
    assert_eq!(e.span.start, "services:\n  a: ".len() + MAX_NESTING - 2);

    let var = |n| format!("FROM a\nENV X={}\n", nest("${A:-", "x", "}", n));
    assert!(Dockerfile::parse(&var(MAX_VAR_NESTING)).is_ok());
    let e = Dockerfile::parse(&var(MAX_VAR_NESTING + 1)).unwrap_err();
    assert_eq!(e.span.start, "FROM a\nENV X=".len() + 5 * MAX_VAR_NESTING);
}

#[test]
fn nested_defaults_expand_in_linear_time() {
    // Was quadratic (var_refs) and cubic (expand): 100,000 levels took
    // minutes.
    let text = nest("${A:-", "x", "}", 200_000);
    let refs = bounded("var_refs", || var_refs(&text, '\\').len());
    assert_eq!(refs, 200_000);
    let out = bounded("expand", || Environment::default().expand(&text));
    assert!(out.len() <= text.len());
    assert_eq!(
        Environment::default().expand(&nest("${A:-", "x", "}", MAX_VAR_NESTING)),
        "x"
    );
}

#[test]
fn invalid_dockerignore_patterns_fail_the_build() {
    for (text, line) in [
        ("a\n  [\n", 2),
        ("a\n!\n", 2),
        ("x/\\\n", 1),
        ("a\n[z-a]*\n", 2),
    ] {
        let di = DockerIgnore::parse(text);
        let e = di.build_error().unwrap_or_else(|| panic!("{text:?}"));
        let li = dockprep::syntax::LineIndex::new(text);
        assert_eq!(li.position(text, e.span.start).line, line, "{text:?}");
        assert!(
            e.message.contains("BuildKit fails the build"),
            "{}",
            e.message
        );
    }
    // What BuildKit skips or only dockprep cannot evaluate is no build error.
    for text in ["a\n", "\\pL*\n", "/\n", "!a\n"] {
        assert!(
            DockerIgnore::parse(text).build_error().is_none(),
            "{text:?}"
        );
    }
}

/// A lossy string from raw bytes.
fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Atoms of every syntax, to be repeated: brackets, indicators, quotes,
/// variable references, extglobs, braces.
fn hostile_atoms() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "[", "]", "{", "}", "(", ")", "- ", "? ", ": ", "\n", "  ", "\"", "'", "\\", "${A:-", "$(",
        "!(", "@(", "+(", "*", "**/", "{a,", "&a ", "*a ", "!t ", "#", ",", "FROM a\n", "RUN ",
        "ENV X=", "a", "\u{e9}", "\u{feff}", "\r\n", "\t", "\0",
    ]);
    (prop::collection::vec(atoms, 1..8), 1usize..3000).prop_map(|(v, k)| v.concat().repeat(k))
}

fn config(cases: u32, seed: u64) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(96, 0x5eed_0001))]

    #[test]
    fn random_bytes(b in prop::collection::vec(any::<u8>(), 0..4096)) {
        every_parser("random bytes", &lossy(&b));
    }
}

proptest! {
    #![proptest_config(config(64, 0x5eed_0002))]

    #[test]
    fn repeated_syntax(s in hostile_atoms()) {
        every_parser("repeated atoms", &s);
    }
}

// --- the binary ----------------------------------------------------------

/// The example fleet in a temporary directory; returns the app repository
/// (`learning_ai_peakpulse`, whose workspace reaches the sibling
/// `learning_ai_common_plat`).
fn fleet() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(Path::new("examples/fleet"), &dir.path().join("fleet"));
    let root = dir.path().join("fleet/learning_ai_peakpulse");
    // A record, so that `lockfile --check` reads the workspace.
    std::fs::create_dir_all(root.join("docker")).unwrap();
    std::fs::write(
        root.join("docker/dockprep-lock.json"),
        r#"{"version":1,"inputs":{},"outputs":{}}"#,
    )
    .unwrap();
    (dir, root)
}

/// Runs the binary with a time bound; its exit code, or the signal that
/// ended it (killed past the bound counts as a failure too).
fn run(root: &Path, args: &[&str]) -> (Result<i32, String>, Duration) {
    let started = Instant::now();
    // NO_ABORT_BIN runs the suite against another build (an older commit's,
    // to see the reproducers fail there).
    let bin = std::env::var_os("NO_ABORT_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_dockprep")),
        PathBuf::from,
    );
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(root)
        .env("NO_COLOR", "1")
        // Loopback only, and nothing answers there.
        .env("DOCKPREP_REGISTRY_URL", "http://127.0.0.1:9/")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the dockprep binary");
    let stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut e) = stderr {
            let _ = std::io::Read::read_to_string(&mut e, &mut text);
        }
        text
    });
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if started.elapsed() > RUN_BOUND {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stderr = reader.join().unwrap_or_default();
    let tail: String = stderr
        .chars()
        .rev()
        .take(300)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let result = match status {
        None => Err(format!("still running after {RUN_BOUND:?}: {tail}")),
        Some(s) => match s.code() {
            Some(c @ 0..=2) => Ok(c),
            Some(c) => Err(format!("exit code {c}: {tail}")),
            None => {
                use std::os::unix::process::ExitStatusExt;
                Err(format!("killed by signal {:?}: {tail}", s.signal()))
            }
        },
    };
    (result, started.elapsed())
}

/// Hostile files: where (relative to the app repository) and what.
fn hostile_files() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let deep_json = format!("{{\"name\":\"x\",\"a\":{}}}", nest("[", "", "]", 20_000));
    let deep_member = format!(
        "{{\"name\":\"@bytelyst/config\",\"version\":\"1.4.0\",\"a\":{}}}",
        nest("{\"a\":", "1", "}", 10_000)
    );
    let long_line = "a".repeat(1 << 20);
    let mut random = Vec::with_capacity(8192);
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..8192 {
        // xorshift64*
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        random.push((x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8);
    }
    vec![
        (
            "root manifest, 20,000 arrays",
            "package.json",
            deep_json.clone().into_bytes(),
        ),
        (
            "member manifest",
            "backend/package.json",
            deep_json.into_bytes(),
        ),
        (
            "sibling member manifest (pack and prep workers)",
            "../learning_ai_common_plat/packages/config/package.json",
            deep_member.into_bytes(),
        ),
        (
            "workspace, 10,000 block sequences",
            "pnpm-workspace.yaml",
            format!("packages:\n  - backend\nx:\n  {}a\n", "- ".repeat(10_000)).into_bytes(),
        ),
        (
            "workspace, flow",
            "pnpm-workspace.yaml",
            format!("packages: [backend]\nx: {}\n", nest("[", "", "]", 10_000)).into_bytes(),
        ),
        (
            "compose, 10,000 block sequences",
            "docker-compose.yml",
            format!(
                "services:\n  backend:\n    build: .\n    x:\n      {}a\n",
                "- ".repeat(10_000)
            )
            .into_bytes(),
        ),
        ("compose, indented maps", "docker-compose.yml", {
            let mut t = String::from("services:\n  backend:\n    build: .\n    x:\n");
            for i in 0..1000 {
                t.push_str(&format!("{}a:\n", " ".repeat(6 + i)));
            }
            t.into_bytes()
        }),
        (
            "lockfile, flow",
            "pnpm-lock.yaml",
            format!(
                "lockfileVersion: '9.0'\nimporters:\n  .:\n    x: {}\n",
                nest("{a: ", "b", "}", 10_000)
            )
            .into_bytes(),
        ),
        (
            "Dockerfile, 100,000 nested defaults",
            "backend/Dockerfile",
            format!(
                "FROM node:22\nARG A\nENV X={v}\nRUN pnpm install --store-dir {v}\n",
                v = nest("${A:-", "x", "}", 100_000)
            )
            .into_bytes(),
        ),
        (
            ".dockerignore, invalid patterns and a 1 MiB line",
            ".dockerignore",
            format!(
                "node_modules\n[\n!\n{long_line}\n{}\n",
                "a*\\Q\\E*".repeat(5000)
            )
            .into_bytes(),
        ),
        (
            ".npmrc, 1 MiB line",
            ".npmrc",
            format!("registry={long_line}\n").into_bytes(),
        ),
        (
            "sibling .npmignore, hostile patterns",
            "../learning_ai_common_plat/packages/config/.npmignore",
            format!(
                "{long_line}\n{}\n{}b\n{}\n",
                "{a,b}".repeat(30),
                "*a".repeat(40),
                "!(a)".repeat(40)
            )
            .into_bytes(),
        ),
        (
            "sibling .npmignore, one long pattern inside the limit",
            "../learning_ai_common_plat/packages/config/.npmignore",
            format!("{}*\n", "*a?".repeat(20_000)).into_bytes(),
        ),
        (
            "Docker lockfile record, deep",
            "docker/dockprep-lock.json",
            nest("[", "", "]", 20_000).into_bytes(),
        ),
        (
            "dockprep.toml, deep",
            "dockprep.toml",
            format!("[prep]\nworkspaces = {}\n", nest("[", "", "]", 20_000)).into_bytes(),
        ),
        (
            "random bytes in the manifest",
            "package.json",
            random.clone(),
        ),
        (
            "random bytes in the workspace",
            "pnpm-workspace.yaml",
            random.clone(),
        ),
        (
            "random bytes in the lockfile",
            "pnpm-lock.yaml",
            random.clone(),
        ),
        (
            "random bytes in the Dockerfile",
            "backend/Dockerfile",
            random.clone(),
        ),
        ("random bytes in the .dockerignore", ".dockerignore", random),
    ]
}

#[test]
fn the_binary_never_aborts() {
    let started = Instant::now();
    let cases = hostile_files();
    let failures = std::sync::Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some((what, path, bytes)) = cases.get(i) else {
                    break;
                };
                let (dir, root) = fleet();
                std::fs::write(root.join(path), bytes).unwrap();
                let out = dir.path().join("out");
                let packed = dir.path().join("packed");
                let (out, packed) = (out.to_str().unwrap(), packed.to_str().unwrap());
                let commands: [&[&str]; 6] = [
                    &["audit"],
                    &["fix", "--check"],
                    &["prep", "--dry-run"],
                    &["prune", "backend", "--out", out],
                    &["lockfile", "--check"],
                    &["pack", "--out", packed],
                ];
                for args in commands {
                    let (result, took) = run(&root, args);
                    if let Err(why) = result {
                        failures.lock().unwrap().push(format!(
                            "{what} ({path}): dockprep {args:?} after {took:?}: {why}"
                        ));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!(
        "{} hostile repositories × 6 commands in {:?}",
        cases.len(),
        started.elapsed()
    );
}

#[test]
fn oversized_files_are_errors_at_their_start() {
    use dockprep::syntax::limits::MAX_TEXT_BYTES;
    let huge = " ".repeat(MAX_TEXT_BYTES + 1);
    let started = Instant::now();
    for (name, r) in [
        ("package.json", PackageJson::parse(&huge).map(drop)),
        ("yaml", yaml::parse(&huge).map(drop)),
        ("Dockerfile", Dockerfile::parse(&huge).map(drop)),
        ("config", dockprep::config::Config::parse(&huge).map(drop)),
    ] {
        let e = r.expect_err(name);
        assert_eq!(e.span.start, 0, "{name}");
        assert!(
            e.message.contains("dockprep reads at most"),
            "{name}: {}",
            e.message
        );
    }
    assert!(DockerIgnore::parse(&huge).read_error.is_some());
    assert!(started.elapsed() < Duration::from_secs(5));
}
