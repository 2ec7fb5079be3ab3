//! `dockprep.toml`: per-repository settings (the registry the fixes template,
//! whether builders can pull a `# syntax=` frontend, the cache id, corepack's
//! environment for a private mirror).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

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
pub struct Config {
    pub registry: Registry,
    pub build: Build,
    pub corepack: Corepack,
    pub prep: Prep,
    /// Where it was read from.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

impl Config {
    /// Parses a `dockprep.toml`; the error names line and column.
    pub fn parse(text: &str) -> Result<Config, crate::syntax::ParseError> {
        toml::from_str::<Config>(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            crate::syntax::ParseError::new(
                format!("invalid dockprep.toml: {}", e.message()),
                span.into(),
            )
        })
    }

    /// The cache id for a repository.
    pub fn cache_id(&self, repo: &Path) -> String {
        let name = repo
            .file_name()
            .map_or_else(|| "app".to_string(), |n| n.to_string_lossy().into_owned());
        self.build.cache_id.replace("{repo}", &name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
