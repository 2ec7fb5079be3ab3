use super::{declare_rule, Finding, Rule};
use crate::diagnostics::redact::is_secret_name;
use crate::project::Project;
use crate::syntax::dockerfile::Kind;
use crate::syntax::npmrc::EntryKind;

declare_rule! {
    /// ## What it does
    /// Reports a secret handed to a build the way that leaks it:
    /// - an `ARG` or `ENV` whose name looks like a credential: `*_TOKEN`
    ///   (or `TOKEN`), `*_AUTH*`, `*PASSWORD*`, `*SECRET*`, `NPM_CONFIG__AUTH*`,
    ///   case-insensitive. Names that point at a credential rather than hold
    ///   one are left alone: those ending in `_FILE`, `_PATH`, `_DIR`, `_URL`,
    ///   `_HOST` (`GITEA_NPM_TOKEN_FILE=/run/secrets/…`), and an `ENV` that
    ///   clears the name (`ENV NPM_TOKEN=`);
    /// - an `_authToken=`, `_auth=` or `_password=` line with a literal value
    ///   (not a `${VAR}` reference) in an `.npmrc` copied into an image;
    /// - a compose `build.args` entry with a credential-like name.
    ///
    /// Messages never show the value.
    ///
    /// ## Why is this bad
    /// Build arguments are recorded in the image history and provenance
    /// (`docker history`, `docker buildx imagetools inspect`); `ENV` values are
    /// stored in the image config and visible in every container; a copied
    /// `.npmrc` with a literal token sits in a layer forever. Anyone who can
    /// pull the image can read the registry token.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG GITEA_NPM_TOKEN
    /// ENV GITEA_NPM_TOKEN=$GITEA_NPM_TOKEN
    /// RUN pnpm install
    /// ```
    ///
    /// ## Fix
    /// Pass it as a BuildKit secret, read only by the step that needs it, and
    /// reference it from the `.npmrc` as `${GITEA_NPM_TOKEN}`:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=gitea_npm_token \
    ///     export GITEA_NPM_TOKEN="$(cat /run/secrets/gitea_npm_token)" && pnpm install
    /// ```
    ///
    /// ## Roadmap reference
    /// A0-1, A0-3, A2-2 (the token travels as a secret, never as an ARG).
    pub static SECRET_IN_ARG_OR_ENV = {
        slug: "secret-in-arg-or-env",
        severity: High,
        summary: "a token or password passed as ARG/ENV, a compose build arg, or a literal in a copied .npmrc",
        what: "a token-like `ARG`/`ENV`/compose arg, or a literal `_authToken` in a copied file",
        roadmap_id: "—",
        check: check,
    };
}

/// `.npmrc` keys that carry a credential.
fn is_auth_key(key: &str) -> bool {
    matches!(key, "_authToken" | "_auth" | "_password")
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for df in &p.dockerfiles {
        for ins in &df.value.instructions {
            let kw = match ins.kind {
                Kind::Arg => "ARG",
                Kind::Env => "ENV",
                _ => continue,
            };
            for decl in &ins.decls {
                let name = &decl.name.value;
                if !is_secret_name(name) {
                    continue;
                }
                if ins.kind == Kind::Env
                    && decl
                        .value
                        .as_ref()
                        .is_none_or(|v| v.value.trim_matches(['"', '\'']).is_empty())
                {
                    continue;
                }
                let (how, what) = match (ins.kind == Kind::Env, &decl.value) {
                    (true, Some(v)) if v.value.contains('$') => (
                        "stored in the image config (visible to every container and `docker inspect`)",
                        "copies a build value",
                    ),
                    (true, _) => (
                        "stored in the image config (visible to every container and `docker inspect`)",
                        "sets a literal value",
                    ),
                    (false, Some(_)) => (
                        "recorded in the image history and build provenance",
                        "declares a literal default",
                    ),
                    (false, None) => (
                        "recorded in the image history and build provenance when passed",
                        "declares a build argument",
                    ),
                };
                out.push(rule.finding(
                    df.file,
                    decl.name.span,
                    "credential-like name",
                    format!(
                        "`{kw} {name}` {what} for what looks like a credential: it is {how}; pass it with `RUN --mount=type=secret,id=…` instead"
                    ),
                ));
            }
        }
    }
    // `.npmrc` files copied into an image, each once.
    let mut seen = std::collections::BTreeSet::new();
    for image in &p.images {
        for c in &image.npmrcs {
            if !seen.insert(c.npmrc) {
                continue;
            }
            let rc = &p.npmrcs[c.npmrc];
            for e in &rc.value.entries {
                let key = match &e.kind {
                    EntryKind::Auth { key, .. } => key.as_str(),
                    EntryKind::Other => e.key.value.as_str(),
                    _ => continue,
                };
                if !is_auth_key(key) || e.value.value.is_empty() || !e.refs.is_empty() {
                    continue;
                }
                out.push(rule.finding(
                    rc.file,
                    e.value.span,
                    "a literal credential",
                    format!(
                        "`{key}` has a literal value in an `.npmrc` copied into the image built from `{}`: the credential stays in an image layer; write `{key}=${{TOKEN_VAR}}` and pass the token as a build secret",
                        super::common::rel(&p.dockerfiles[image.dockerfile].path, &image.context)
                    ),
                ));
            }
        }
    }
    // Compose build args.
    for c in &p.composes {
        for svc in &c.value.services {
            let Some(b) = &svc.build else { continue };
            for a in &b.args {
                if !is_secret_name(&a.name.value) {
                    continue;
                }
                let what = match &a.value {
                    None => "taken from the environment",
                    Some(v) if v.value.contains('$') => "from a variable",
                    Some(_) => "a literal value",
                };
                out.push(rule.finding(
                    c.file,
                    a.name.span,
                    "credential-like build arg",
                    format!(
                        "service `{}` passes `{}` ({what}) as a build arg: build args are recorded in the image history and provenance; list it in `build.secrets` and mount it with `RUN --mount=type=secret` instead",
                        svc.name.value, a.name.value
                    ),
                ));
            }
        }
    }
}
