//! `pack` on hostile or merely ordinary packages (issue 13): the credential
//! check judges context and value (README examples pack, configured
//! credentials are refused with file:line:col and never printed), a reviewed
//! file can be accepted, and neither `version`, `name` nor `--out` can make
//! pack write outside its output or pack its own earlier output.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine;

/// Where a credential starts in a case's text (removed before writing).
const HERE: &str = "⟦";

/// A small random generator (xorshift), seeded from the clock: the secrets
/// below are made fresh on every run, none is written in this file.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        Rng(t | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    /// `n` characters of `alphabet`.
    fn pick(&mut self, alphabet: &str, n: usize) -> String {
        let a = alphabet.as_bytes();
        (0..n)
            .map(|_| a[(self.next() % a.len() as u64) as usize] as char)
            .collect()
    }
    /// Base62 without vowels, so that no word (`your`, `fake`) can appear
    /// by chance and make a token look like a placeholder.
    fn token(&mut self, n: usize) -> String {
        self.pick("0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz", n)
    }
    fn hex(&mut self, n: usize) -> String {
        self.pick("0123456789abcdef", n)
    }
    /// A PEM block of `label` with `n` bytes of random key material in
    /// 64-character lines, joined by `nl`.
    fn pem(&mut self, label: &str, n: usize, nl: &str) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(self.bytes(n));
        let mut s = format!("-----BEGIN {label}-----{nl}");
        for chunk in b64.as_bytes().chunks(64) {
            s.push_str(std::str::from_utf8(chunk).unwrap());
            s.push_str(nl);
        }
        s.push_str(&format!("-----END {label}-----"));
        s
    }
}

/// A workspace with one package `a` holding `files`; returns the temp dir,
/// the workspace and an output directory outside it.
fn workspace(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let ws = d.path().join("ws");
    let mut all = vec![
        ("pnpm-workspace.yaml", "packages:\n  - 'packages/*'\n"),
        ("package.json", r#"{"name":"root","private":true}"#),
        (
            "packages/a/package.json",
            r#"{"name":"a","version":"1.0.0","main":"index.js"}"#,
        ),
        ("packages/a/index.js", "module.exports = 1\n"),
    ];
    all.extend_from_slice(files);
    for (rel, text) in all {
        let p = ws.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let out = d.path().join("out");
    (d, ws, out)
}

fn pack(ws: &Path, out: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = common::dockprep();
    c.arg("pack")
        .arg("--workspace")
        .arg(ws)
        .arg("--out")
        .arg(out);
    c.args(args).current_dir(ws);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// 1-based line and column (characters) of `HERE` in `marked`, and the text
/// without it.
fn locate(marked: &str) -> ((usize, usize), String) {
    let at = marked.find(HERE).expect("a marked case");
    let before = &marked[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    ((line, col), marked.replacen(HERE, "", 1))
}

/// README-like texts that show how credentials are configured, and code that
/// handles them: none holds one, each must pack.
fn harmless() -> Vec<(&'static str, String)> {
    vec![
        (
            "README.md",
            "## TLS\n\nPut your key in `server.key`:\n\n```\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...\n...\n-----END RSA PRIVATE KEY-----\n```\n".into(),
        ),
        (
            "README.md",
            "```pem\n-----BEGIN PRIVATE KEY-----\n<your private key here>\n-----END PRIVATE KEY-----\n```\n".into(),
        ),
        (
            "README.md",
            format!(
                "Create a token and export it:\n\n    export GITHUB_TOKEN=ghp_PersonalAccessToken0124…\n    export GH_TOKEN=ghp_{}\n",
                "x".repeat(36)
            ),
        ),
        (
            "docs/auth.md",
            // The right length and alphabet, but a placeholder in words.
            format!(
                "GITHUB_TOKEN=ghp_YourPersonalAccessTokenGoesHere01234\nNPM_TOKEN=npm_{}\n",
                "X".repeat(36)
            ),
        ),
        (
            "lib/login.js",
            "function login(o) {\n  let _password = o.password\n  const _authToken = o._authToken;\n  _password = o.password;\n  return { _authToken, _password }\n}\n".into(),
        ),
        (
            "README.md",
            "Add to `.npmrc`:\n\n```ini\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n@acme:registry=https://npm.acme.dev/\n//npm.acme.dev/:_authToken=\"${ACME_TOKEN}\"\n```\n".into(),
        ),
        (
            "README.md",
            "```ini\n_authToken=<YOUR_TOKEN>\n_auth=****\n_password=xxxxxxxx\n//npm.pkg.github.com/:_authToken=YOUR_GITHUB_TOKEN\n//registry.example.com/:_authToken=...\n```\n".into(),
        ),
        (
            "CONTRIBUTING.md",
            "Never commit `_authToken`, `_auth` or `_password` settings; npm reads\n`NPM_CONFIG__AUTH` from the environment. See `npm help npmrc`.\n".into(),
        ),
        (
            "lib/registry.ts",
            "export interface Auth {\n  _authToken?: string;\n  _password?: string;\n}\nexport function header(c: Auth) {\n  if (c._authToken) return `Bearer ${c._authToken}`;\n  const line = '//registry.npmjs.org/:_authToken=' + c._authToken + '\\n';\n  _auth = Buffer.from(user + ':' + pass).toString('base64')\n  return line;\n}\n".into(),
        ),
        (
            ".github/workflows/release.yml",
            "env:\n  NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\nsteps:\n  - run: echo \"//registry.npmjs.org/:_authToken=$NODE_AUTH_TOKEN\" > ~/.npmrc\n".into(),
        ),
        (
            "certs/ca.pem",
            // Public material: a certificate is no secret.
            Rng::new().pem("CERTIFICATE", 700, "\n"),
        ),
        (
            "README.md",
            "Keys look like this (shortened):\n\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n".into(),
        ),
        (
            "README.md",
            "Tokens: `npm_` followed by 36 characters, e.g. `npm_abcdefghijklmnopqrstuvwxyz0123456789`.\n".into(),
        ),
        (
            "docs/env.md",
            // The environment's token is short: not searched for.
            "CI_JOB_TOKEN=abc\nset NPM_CONFIG__AUTH in CI\n".into(),
        ),
    ]
}

/// Real-looking credentials (made fresh each run), each with the position
/// the refusal must name (`HERE`) and extra environment.
/// A case: the file, its text with `HERE`, the environment it packs in.
type Secret = (&'static str, String, Vec<(&'static str, String)>);

fn secrets() -> Vec<Secret> {
    let mut r = Rng::new();
    let hex = r.hex(36);
    let env_token = r.token(32);
    let env_auth = base64::engine::general_purpose::STANDARD.encode(r.bytes(18));
    let env_pass = format!("{}!{}", r.token(10), r.hex(6));
    vec![
        (
            "README.md",
            format!("Configure:\n\n//registry.npmjs.org/:_authToken={HERE}{hex}\n"),
            vec![],
        ),
        (
            "README.md",
            // npm strips the quotes: the value is the token.
            format!(
                "```\n//npm.acme.dev/:_authToken=\"{HERE}{}\"\n```\n",
                r.hex(40)
            ),
            vec![],
        ),
        (
            "docs/npmrc.txt",
            format!(
                "@acme:registry=https://npm.acme.dev/\n//npm.acme.dev/:_authToken='{HERE}{}'\n",
                r.token(40)
            ),
            vec![],
        ),
        (
            "npmrc.example",
            format!(
                "always-auth=true\n_auth={HERE}{}\n",
                base64::engine::general_purpose::STANDARD.encode(format!("deploy:{}", r.token(16)))
            ),
            vec![],
        ),
        (
            "config/npmrc",
            format!(
                "registry=https://npm.acme.dev/\nusername=deploy\n_password={HERE}{}\n",
                base64::engine::general_purpose::STANDARD.encode(r.token(14))
            ),
            vec![],
        ),
        (
            "keys/deploy.js",
            format!(
                "module.exports = `\n{HERE}{}\n`;\n",
                r.pem("RSA PRIVATE KEY", 1190, "\n")
            ),
            vec![],
        ),
        (
            "service-account.json",
            format!(
                "{{\n  \"type\": \"service_account\",\n  \"private_key\": \"{HERE}{}\\n\"\n}}\n",
                r.pem("PRIVATE KEY", 1200, "\\n")
            ),
            vec![],
        ),
        (
            "scripts/release.sh",
            format!("#!/bin/sh\nexport GH_TOKEN={HERE}ghp_{}\n", r.token(36)),
            vec![],
        ),
        (
            "lib/publish.js",
            format!("const token = '{HERE}npm_{}';\n", r.token(36)),
            vec![],
        ),
        (
            "scripts/setup.sh",
            format!(
                "echo \"//registry.npmjs.org/:_authToken={HERE}{}\" > .npmrc\n",
                r.hex(32)
            ),
            vec![],
        ),
        (
            "Dockerfile.ci",
            format!(
                "FROM node:22\nENV NPM_CONFIG__AUTH={HERE}{}\n",
                env_auth.replace('=', "")
            ),
            vec![],
        ),
        (
            "lib/client.js",
            format!("const headers = {{\n  authorization: 'Bearer {HERE}{env_token}',\n}};\n"),
            vec![("MY_DEPLOY_TOKEN", env_token.clone())],
        ),
        (
            "lib/auth.json",
            format!("{{\"basic\": \"{HERE}{env_auth}\"}}\n"),
            vec![("NPM_CONFIG__AUTH", env_auth.clone())],
        ),
        (
            "config/db.js",
            format!("module.exports = {{ password: \"{HERE}{env_pass}\" }};\n"),
            vec![("DB_PASSWORD", env_pass.clone())],
        ),
    ]
}

#[test]
fn harmless_texts_pack() {
    let cases = harmless();
    assert!(cases.len() >= 12);
    let mut failed = Vec::new();
    for (i, (file, body)) in cases.iter().enumerate() {
        let (_d, ws, out) = workspace(&[(&format!("packages/a/{file}"), body)]);
        let o = pack(&ws, &out, &[("CI_JOB_TOKEN", "abc")], &[]);
        if !o.status.success() {
            failed.push(format!("case {i} ({file}) was refused: {}", text(&o)));
            continue;
        }
        let tgz = out.join("a-1.0.0.tgz");
        let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(
            std::fs::File::open(&tgz).unwrap(),
        ));
        let names: Vec<String> = ar
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.contains(&format!("package/{file}")),
            "case {i}: {names:?}"
        );
    }
    assert!(
        failed.is_empty(),
        "{} of {} harmless texts refused:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
}

#[test]
fn real_looking_secrets_are_refused_at_their_place_and_never_printed() {
    let cases = secrets();
    assert!(cases.len() >= 10);
    let mut failed = Vec::new();
    for (i, (file, marked, env)) in cases.iter().enumerate() {
        let ((line, col), body) = locate(marked);
        let (_d, ws, out) = workspace(&[(&format!("packages/a/{file}"), &body)]);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let o = pack(&ws, &out, &env, &[]);
        let t = text(&o);
        if o.status.code() != Some(1) {
            failed.push(format!("case {i} ({file}) packed: {t}"));
            continue;
        }
        let place = format!("packages/a/{file}:{line}:{col}: refusing to pack");
        if !t.contains(&place) {
            failed.push(format!("case {i}: want {place}, got {t}"));
        }
        // The value is never printed: neither the token at the place
        // named nor any line of key material.
        let value: String = body
            .lines()
            .nth(line - 1)
            .unwrap()
            .chars()
            .skip(col - 1)
            .take_while(|c| c.is_ascii_alphanumeric() || "+/=_-!".contains(*c))
            .collect();
        let material = body
            .split(['\n', '"'])
            .flat_map(|l| l.split("\\n"))
            .filter(|l| l.len() >= 40 && !l.contains(' '));
        for v in std::iter::once(value.trim_matches('-')).chain(material) {
            if v.len() >= 12 {
                assert!(!t.contains(v), "case {i}: the value is printed: {t}");
            }
        }
        assert!(
            !out.join("a-1.0.0.tgz").exists(),
            "case {i}: a tarball was written"
        );
    }
    assert!(
        failed.is_empty(),
        "{} of {} secrets not refused at their place:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
}

#[test]
fn a_reviewed_file_can_be_accepted_but_never_with_the_environments_token() {
    let mut r = Rng::new();
    let key = r.pem("EC PRIVATE KEY", 121, "\n");
    let readme = format!("# a\n\nA test key for the examples:\n\n{key}\n");
    let (_d, ws, out) = workspace(&[("packages/a/README.md", &readme)]);
    let o = pack(&ws, &out, &[], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("packages/a/README.md:5:1: refusing to pack a private key"));

    // Accepted on the command line (relative to the current directory)…
    let o = pack(&ws, &out, &[], &["--allow-secret", "packages/a/README.md"]);
    assert!(o.status.success(), "{}", text(&o));
    std::fs::remove_dir_all(&out).unwrap();

    // …or in dockprep.toml (relative to that file).
    std::fs::write(
        ws.join("dockprep.toml"),
        "[pack]\nallow_secrets = [\"packages/a/README.md\"]\n",
    )
    .unwrap();
    let o = pack(&ws, &out, &[], &[]);
    assert!(o.status.success(), "{}", text(&o));
    std::fs::remove_dir_all(&out).unwrap();

    // Accepting one file accepts no other.
    std::fs::write(ws.join("packages/a/NOTES.md"), &readme).unwrap();
    let o = pack(&ws, &out, &[], &[]);
    assert!(
        text(&o).contains("packages/a/NOTES.md:5:1: refusing"),
        "{}",
        text(&o)
    );
    std::fs::remove_file(ws.join("packages/a/NOTES.md")).unwrap();

    // The environment's own token in an accepted file is still refused.
    let token = r.token(40);
    std::fs::write(
        ws.join("packages/a/README.md"),
        format!("{readme}\ncurl -H 'Authorization: token {token}'\n"),
    )
    .unwrap();
    let o = pack(&ws, &out, &[("GITEA_NPM_TOKEN", &token)], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(
        t.contains("README.md:") && t.contains("the value of $GITEA_NPM_TOKEN"),
        "{t}"
    );
    assert!(!t.contains(&token));
}

#[test]
fn prep_reads_the_allow_list_from_dockprep_toml() {
    let d = tempfile::tempdir().unwrap();
    common::copy_dir(Path::new("examples/fleet"), &d.path().join("fleet"));
    let root = d.path().join("fleet/learning_ai_peakpulse");
    let readme = d
        .path()
        .join("fleet/learning_ai_common_plat/packages/errors/README.md");
    let mut text_ = std::fs::read_to_string(&readme).unwrap();
    text_.push_str(&Rng::new().pem("PRIVATE KEY", 1200, "\n"));
    text_.push('\n');
    std::fs::write(&readme, text_).unwrap();
    let prep = || {
        common::dockprep()
            .args(["prep", "--dry-run"])
            .current_dir(&root)
            .output()
            .unwrap()
    };
    let o = prep();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("packages/errors/README.md:"),
        "{}",
        text(&o)
    );
    std::fs::write(
        root.join("dockprep.toml"),
        "[pack]\nallow_secrets = [\"../learning_ai_common_plat/packages/errors/README.md\"]\n",
    )
    .unwrap();
    let o = prep();
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn a_version_or_name_that_is_a_path_is_refused_before_any_write() {
    for (manifest, field) in [
        (r#"{"name":"a","version":"1/../../../escaped"}"#, "version"),
        (r#"{"name":"a","version":"/../../x"}"#, "version"),
        (r#"{"name":"a","version":"1.0.0/../../x"}"#, "version"),
        (r#"{"name":"a","version":1}"#, "version"),
        (r#"{"name":"../../a","version":"1.0.0"}"#, "name"),
        (r#"{"name":"@s/a/../../b","version":"1.0.0"}"#, "name"),
        (r#"{"name":"A","version":"1.0.0"}"#, "name"),
    ] {
        let (d, ws, out) = workspace(&[("packages/a/package.json", manifest)]);
        // The output holds the directory the version climbs out of.
        std::fs::create_dir_all(out.join("a-1")).unwrap();
        let o = pack(&ws, &out, &[], &[]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(1), "{manifest}: {t}");
        assert!(
            t.contains("packages/a/package.json:1:") && t.contains(&format!("`{field}`")),
            "{manifest}: {t}"
        );
        let tgz: Vec<PathBuf> = walk(d.path())
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
            .collect();
        assert!(tgz.is_empty(), "{manifest}: wrote {tgz:?}");
    }
}

#[test]
fn an_out_inside_the_package_is_not_packed_into_the_next_tarball() {
    let (_d, ws, _) = workspace(&[]);
    for (version, out) in [("1.0.0", "packages/a/dist"), ("1.0.1", "packages/a/dist")] {
        std::fs::write(
            ws.join("packages/a/package.json"),
            format!(r#"{{"name":"a","version":"{version}"}}"#),
        )
        .unwrap();
        let o = pack(&ws, &ws.join(out), &[], &[]);
        assert!(o.status.success(), "{}", text(&o));
    }
    // Through a path that reaches the package by `..` too.
    std::fs::write(
        ws.join("packages/a/package.json"),
        r#"{"name":"a","version":"1.0.2"}"#,
    )
    .unwrap();
    let o = pack(&ws, &ws.join("packages/../packages/a/dist"), &[], &[]);
    assert!(o.status.success(), "{}", text(&o));
    // The package directory itself cannot be the output.
    let o = pack(&ws, &ws.join("packages/a/."), &[], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("is the directory of the package a"),
        "{}",
        text(&o)
    );
    for v in ["1.0.1", "1.0.2"] {
        let tgz = ws.join(format!("packages/a/dist/a-{v}.tgz"));
        let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(
            std::fs::File::open(&tgz).unwrap(),
        ));
        let names: Vec<String> = ar
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["package/index.js", "package/package.json"], "{v}");
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if e.file_type().unwrap().is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
