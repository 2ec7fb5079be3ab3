//! `dockprep.toml`: per-repository settings (the registry the fixes template,
//! whether builders can pull a `# syntax=` frontend, the cache id, corepack's
//! environment for a private mirror).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Registry {
    /// Private scopes without `@` (added to the discovered ones).
    pub scopes: Vec<String>,
    /// The build arg carrying the registry host.
    pub host_arg: String,
    /// Its value for builds (compose `args`, ARG default).
    pub host: String,
    /// The BuildKit secret id carrying the token.
    pub token_secret: String,
    /// The environment variable the `.npmrc` reads the token from.
    pub token_var: String,
    pub port: u16,
    pub path: String,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            scopes: Vec::new(),
            host_arg: "GITEA_NPM_HOST".into(),
            host: "host.docker.internal".into(),
            token_secret: "gitea_npm_token".into(),
            token_var: "GITEA_NPM_TOKEN".into(),
            port: 3300,
            path: "/api/packages/learning_ai_user/npm/".into(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Build {
    /// Add `# syntax=docker/dockerfile:1.7`? `false` for air-gapped builders
    /// (they cannot pull the frontend image the directive names).
    pub syntax: bool,
    /// The builders are air-gapped: the same as `syntax = false`.
    pub air_gapped: bool,
    /// Cache mount id: `pnpm`, or a template with `{repo}` (`pnpm-{repo}`).
    pub cache_id: String,
}

impl Build {
    /// True when Dockerfiles should carry a `# syntax=` directive: not when
    /// `syntax = false` or `air_gapped = true`.
    pub fn wants_syntax(&self) -> bool {
        self.syntax && !self.air_gapped
    }
}

impl Default for Build {
    fn default() -> Self {
        Build {
            syntax: true,
            air_gapped: false,
            cache_id: "pnpm".into(),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Corepack {
    /// `ENV` set before `corepack enable` (e.g. `COREPACK_NPM_REGISTRY`,
    /// `COREPACK_INTEGRITY_KEYS`, `COREPACK_ENABLE_DOWNLOAD_PROMPT` for a private mirror).
    pub env: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Prep {
    /// Workspaces `prep` packs private-scope packages from, relative to the
    /// `dockprep.toml` (default: those the repository's `pnpm-workspace.yaml`
    /// reaches outside it, and sibling workspaces).
    pub workspaces: Vec<PathBuf>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Pack {
    /// Files (relative to this file) a maintainer reviewed whose
    /// credential-looking text packing accepts (`pack`, `prep`, `build`).
    pub allow_secrets: Vec<PathBuf>,
}

/// Which rules run and how their findings count.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Rules {
    /// Only these rules (default: all but preview ones).
    pub select: Vec<Spanned<String>>,
    /// Never these rules.
    pub ignore: Vec<Spanned<String>>,
    /// Also the preview rules.
    pub preview: bool,
    /// Severity per rule slug.
    pub severity: BTreeMap<Spanned<String>, crate::diagnostics::Severity>,
    /// Rules ignored under path globs (relative to this file's directory;
    /// `"*"` for every rule).
    pub per_path_ignores: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub registry: Registry,
    pub build: Build,
    pub corepack: Corepack,
    pub prep: Prep,
    pub pack: Pack,
    pub rules: Rules,
    /// Where it was read from.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

impl Config {
    /// Parses a `dockprep.toml` and checks that every rule slug it names is
    /// one `known` accepts (the rule registry lives above this layer, so the
    /// caller that knows it passes it in); the error names line and column.
    pub fn parse_checked(
        text: &str,
        known: impl Fn(&str) -> bool,
    ) -> Result<Config, crate::syntax::ParseError> {
        let c = Config::parse(text)?;
        let r = &c.rules;
        // A rule named as a key is quoted; one given as a value is not (a
        // value may be anything, a token pasted in the wrong place too).
        for s in r.severity.keys() {
            if !known(s.get_ref()) {
                return Err(crate::syntax::ParseError::new(
                    format!(
                        "invalid dockprep.toml: unknown rule `{}` (see `dockprep rules`)",
                        s.get_ref()
                    ),
                    s.span().into(),
                ));
            }
        }
        let values = [
            ("rules.select", r.select.iter().collect::<Vec<_>>()),
            ("rules.ignore", r.ignore.iter().collect()),
            (
                "[rules.per-path-ignores]",
                r.per_path_ignores.values().flatten().collect(),
            ),
        ];
        for (key, slugs) in values {
            for s in slugs {
                if s.get_ref() != "*" && !known(s.get_ref()) {
                    return Err(crate::syntax::ParseError::new(
                        format!(
                            "invalid dockprep.toml: an unknown rule in `{key}` (see `dockprep rules`)"
                        ),
                        s.span().into(),
                    ));
                }
            }
        }
        Ok(c)
    }

    /// Parses a `dockprep.toml` (rule slugs unchecked: see
    /// [`Config::parse_checked`]); the error names line and column.
    pub fn parse(text: &str) -> Result<Config, crate::syntax::ParseError> {
        use crate::syntax::limits;
        limits::check_size(text, limits::MAX_TEXT_BYTES, "dockprep.toml")?;
        if let Some(at) = limits::toml_too_deep(text, limits::MAX_TOML_NESTING) {
            return Err(limits::too_deep(
                text,
                at,
                limits::MAX_TOML_NESTING,
                "dockprep.toml",
            ));
        }
        let c = toml::from_str::<Config>(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            crate::syntax::ParseError::new(
                format!("invalid dockprep.toml: {}", without_values(e.message())),
                span.into(),
            )
        })?;
        let r = &c.rules;
        for g in r.per_path_ignores.keys() {
            if let Err(e) = globset::Glob::new(g.get_ref()) {
                return Err(crate::syntax::ParseError::new(
                    format!("invalid dockprep.toml: bad path glob: {}", e.kind()),
                    g.span().into(),
                ));
            }
        }
        Ok(c)
    }

    /// The cache id for a repository.
    pub fn cache_id(&self, repo: &Path) -> String {
        let name = repo
            .file_name()
            .map_or_else(|| "app".to_string(), |n| n.to_string_lossy().into_owned());
        self.build.cache_id.replace("{repo}", &name)
    }
}

/// A TOML or serde message without the values it quotes: `invalid type:
/// string "…", expected a sequence` becomes `invalid type: string, expected
/// a sequence`, `unknown variant `…`` becomes `unknown variant`. The value
/// may be anything, a token pasted in the wrong place too; the error's place
/// (line and column) says where it is. Names of the file's own keys stay.
fn without_values(message: &str) -> String {
    static QUOTED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(invalid (?:type|value): [a-z][a-z ]*?) (?:"(?:[^"\\]|\\.)*"|`[^`]*`)|(unknown variant) `[^`]*`"#,
        )
        .expect("the pattern of quoted values")
    });
    let m = QUOTED.replace_all(message, "$1$2");
    m.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// What `dockprep init` writes: every key with its default, explained.
pub const DEFAULT_TOML: &str = r#"# dockprep.toml: settings for the repositories at and below this directory.
# Every key below shows its default; delete what you do not change.

[registry]
# Private scopes (without `@`), in addition to those of the workspace packages
# dockprep finds beside the audited repositories.
scopes = []
# The build argument carrying the registry host, and its value for builds.
host_arg = "GITEA_NPM_HOST"
host = "host.docker.internal"
# The BuildKit secret id carrying the registry token, and the variable the
# `.npmrc` reads it from (`_authToken=${GITEA_NPM_TOKEN}`).
token_secret = "gitea_npm_token"
token_var = "GITEA_NPM_TOKEN"
port = 3300
path = "/api/packages/learning_ai_user/npm/"

[build]
# Add `# syntax=docker/dockerfile:1.7` to Dockerfiles using RUN --mount.
# `false` for air-gapped builders that cannot pull a frontend image.
syntax = true
# The pnpm store cache mount id: `pnpm` (shared) or per repository, e.g. "pnpm-{repo}".
cache_id = "pnpm"

[corepack.env]
# ENV set before `corepack enable`, e.g. for a private mirror:
# COREPACK_NPM_REGISTRY = "http://host.docker.internal:3300/api/packages/learning_ai_user/npm/"

[prep]
# Workspaces `dockprep prep` packs private packages from (relative to this file).
# Default: those `pnpm-workspace.yaml` reaches outside the repository, and siblings.
workspaces = []

[pack]
# Files (relative to this file) whose credential-looking text you reviewed:
# packing refuses a file that looks like it holds a token or private key
# unless it is listed here, e.g. ["../shared/packages/auth/README.md"].
allow_secrets = []

[rules]
# Only these rules (default: all but preview rules); never these.
select = []
ignore = []
# Also run preview rules.
preview = false

[rules.severity]
# Severity per rule: "low", "medium" or "high", e.g.
# unused-build-arg = "low"

[rules.per-path-ignores]
# Rules ignored under path globs relative to this file ("*": every rule), e.g.
# "legacy/**" = ["pnpm-global-install"]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_init_file_is_the_defaults() {
        let c = Config::parse(DEFAULT_TOML).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn rule_settings_name_unknown_rules_and_their_line() {
        let text =
            "[rules]\nignore = [\"unused-build-arg\"]\n[rules.severity]\nno-such-rule = \"low\"\n";
        let known = |s: &str| s == "unused-build-arg";
        let e = Config::parse_checked(text, known).unwrap_err();
        assert!(
            e.message.contains("unknown rule `no-such-rule`"),
            "{}",
            e.message
        );
        assert_eq!(&text[e.span.start..e.span.end], "no-such-rule");
        let e =
            Config::parse("[rules]\nseverity = { unused-build-arg = \"urgent\" }\n").unwrap_err();
        assert!(
            e.message.contains("unknown variant, expected one of"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("urgent"), "{}", e.message);
        let e = Config::parse("[rules]\nselct = []\n").unwrap_err();
        assert!(e.message.contains("selct"), "{}", e.message);
        assert_eq!(e.span.start, 8);
    }

    #[test]
    fn defaults_and_overrides() {
        let c = Config::parse("[registry]\nport = 4873\n[build]\nsyntax = false\n[corepack.env]\nCOREPACK_INTEGRITY_KEYS = \"0\"\n").unwrap();
        assert_eq!(c.registry.port, 4873);
        assert_eq!(c.registry.host_arg, "GITEA_NPM_HOST");
        assert!(!c.build.syntax);
        assert!(!c.build.wants_syntax());
        let a = Config::parse("[build]\nair_gapped = true\n").unwrap();
        assert!(a.build.syntax && !a.build.wants_syntax());
        assert_eq!(c.corepack.env["COREPACK_INTEGRITY_KEYS"], "0");
        let e = Config::parse("[registry]\nport = \"x\"\n").unwrap_err();
        assert!(e.span.start > 0);
        assert!(Config::parse("[nope]\n").is_err());
    }

    #[test]
    fn errors_quote_no_values() {
        for text in [
            "[rules]\nignore = \"tok_3f9a8c7e\"\n",
            "[registry]\nport = \"tok_3f9a8c7e\"\n",
            "[registry]\nscopes = [\"a\", 3]\nhost = [\"tok_3f9a8c7e\"]\n",
            "[build]\nsyntax = \"tok_3f9a8c7e\"\n",
            "[rules.severity]\nunused-build-arg = \"tok_3f9a8c7e\"\n",
            "[corepack.env]\nNPM_TOKEN = 12345678\n",
            "[rules]\nignore = tok_3f9a8c7e\n",
            "[rules]\nignore = [\"tok_3f9a8c7e\n",
        ] {
            let e = Config::parse(text).unwrap_err();
            assert!(
                !e.message.contains("tok_3f9a8c7e") && !e.message.contains("12345678"),
                "{text}: {}",
                e.message
            );
            assert!(!e.message.contains('\n'), "one line: {}", e.message);
        }
        let e =
            Config::parse_checked("[rules]\nignore = [\"tok_3f9a8c7e\"]\n", |_| false).unwrap_err();
        assert!(!e.message.contains("tok_3f9a8c7e"), "{}", e.message);
        let e = Config::parse("[rules]\nignore = \"x\"\n").unwrap_err();
        assert_eq!(
            e.message,
            "invalid dockprep.toml: invalid type: string, expected a sequence"
        );
    }
}
