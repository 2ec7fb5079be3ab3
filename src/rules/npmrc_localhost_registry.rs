use super::common::rel;
use super::{declare_rule, Finding, Rule};
use crate::diagnostics::{Applicability, Fix};
use crate::project::Project;
use crate::rules::fixes::npmrc_template::template_npmrc;
use crate::syntax::npmrc::{is_loopback_host, parse_url};

declare_rule! {
    /// ## What it does
    /// Reports a registry URL (`registry=` or `@scope:registry=`) in an
    /// `.npmrc` that is copied into an image whose host is `localhost`,
    /// `127.0.0.1` (any `127.x`), `0.0.0.0` or `[::1]`.
    ///
    /// ## Why is this bad
    /// Inside a build container `localhost` is the container itself, not the
    /// machine running the registry: every install of a private package fails
    /// to connect.
    ///
    /// ## Example
    /// ```text
    /// @bytelyst:registry=http://localhost:3300/api/packages/learning_ai_user/npm/
    /// ```
    ///
    /// ## Fix
    /// Template the host: `http://${GITEA_NPM_HOST}:3300/...`, pass
    /// `GITEA_NPM_HOST=host.docker.internal` as a build arg and add
    /// `extra_hosts: ["host.docker.internal:host-gateway"]`.
    ///
    /// ## Roadmap reference
    /// F4; A0-1, A0-4.
    pub static NPMRC_LOCALHOST_REGISTRY = {
        slug: "npmrc-localhost-registry",
        severity: High,
        summary: "a registry URL in an image's .npmrc points at localhost",
        what: "a registry URL in the image's `.npmrc` points at `localhost`",
        roadmap_id: "F4",
        fixable: true,
        check: check,
    };
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        for copy in &image.npmrcs {
            let rc = &p.npmrcs[copy.npmrc];
            for e in rc.value.registry_entries() {
                let Some(url) = parse_url(&e.value) else {
                    continue;
                };
                if !is_loopback_host(&url.host.value) {
                    continue;
                }
                let df = &p.dockerfiles[image.dockerfile];
                // A0-1 for a scoped registry: the host becomes `${HOST_ARG}`.
                let fix = match &e.kind {
                    crate::syntax::npmrc::EntryKind::ScopeRegistry { scope } => {
                        let cfg =
                            super::common::registry_config(p, image.repo, vec![scope.clone()]);
                        let edits = template_npmrc(p.text(rc.file), &rc.value, &cfg);
                        Some(
                            Fix::new(
                                Applicability::Unsafe,
                                format!(
                                    "template the `@{scope}` registry host as `${{{}}}`",
                                    cfg.host_arg
                                ),
                            )
                            .edits(&rc.path, edits),
                        )
                    }
                    _ => None,
                };
                out.push(rule.finding(
                    rc.file,
                    e.value.span,
                    format!("`{}` is the build container itself", url.host.value),
                    format!(
                        "`{}` (copied into the image built from `{}`) sends `{}` to `{}`; inside a build container that is the container itself, not the registry host",
                        rel(&rc.path, &image.context),
                        rel(&df.path, &image.context),
                        e.key.value,
                        e.value.value
                    ),
                ).with_fix(fix));
            }
        }
    }
}
