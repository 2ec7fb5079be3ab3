use std::collections::BTreeMap;

use super::common::{command_span, command_text, private_registry_deps, rel};
use super::{declare_rule, Finding, Label, Rule};
use crate::project::Project;
use crate::syntax::Span;

declare_rule! {
    /// ## What it does
    /// Checks that the `.npmrc` copied into an image has an
    /// `@scope:registry=` line for every private scope that the manifests
    /// installed in the image depend on through a registry range. Also
    /// reports an install of private packages with no `.npmrc` at all.
    ///
    /// ## Why is this bad
    /// Without the scope line pnpm asks the public registry for
    /// `@bytelyst/*` and fails: the "registry" path does not work and the
    /// build only succeeds from pre-packed tarballs (`.docker-deps/`).
    ///
    /// ## Example
    /// ```text
    /// # .npmrc.docker (tarball-only)
    /// auto-install-peers=true
    /// ```
    ///
    /// ## Fix
    /// Use the templated form:
    /// `@bytelyst:registry=http://${GITEA_NPM_HOST}:3300/api/packages/learning_ai_user/npm/`
    /// and `//${GITEA_NPM_HOST}:3300/api/packages/learning_ai_user/npm/:_authToken=${GITEA_NPM_TOKEN}`.
    ///
    /// ## Roadmap reference
    /// F3; A0-1, §7.1.
    pub static NPMRC_MISSING_SCOPE_REGISTRY = {
        slug: "npmrc-missing-scope-registry",
        severity: High,
        summary: "the .npmrc copied into an image has no registry for a private scope it installs",
        check: check,
    };
}

fn is_public_registry(url: &str) -> bool {
    url.contains("registry.npmjs.org")
        || url.contains("registry.yarnpkg.com")
        || url.contains("registry.npmmirror.com")
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let df = &p.dockerfiles[image.dockerfile];
        for inst in &image.installs {
            let deps = private_registry_deps(p, inst);
            if deps.is_empty() {
                continue;
            }
            let mut by_scope: BTreeMap<&str, (usize, &crate::syntax::package_json::Dependency)> =
                BTreeMap::new();
            for (m, d) in &deps {
                if let Some(s) = d.scope() {
                    by_scope.entry(s).or_insert((*m, d));
                }
            }
            match &inst.npmrc {
                Some(copy) => {
                    let rc = &p.npmrcs[copy.npmrc];
                    if rc
                        .value
                        .get("registry")
                        .is_some_and(|e| !is_public_registry(&e.value.value))
                    {
                        continue;
                    }
                    let text = p.text(rc.file);
                    let first = Span::new(
                        0,
                        text.find('\n')
                            .map_or(text.len(), |n| text[..n].trim_end_matches('\r').len()),
                    );
                    for (scope, (m, dep)) in by_scope {
                        if rc.value.scope_registries().any(|(s, _)| s == scope) {
                            continue;
                        }
                        let mf = &p.manifests[m];
                        out.push(
                            rule.finding(
                                rc.file,
                                first,
                                format!("no `@{scope}:registry=` line"),
                                format!(
                                    "`{}` is copied into the image built from `{}` but has no `@{scope}:registry=` line, while `{}` depends on `{}`: pnpm will look for it on the public registry, so only pre-packed tarballs can build",
                                    rel(&rc.path, &image.context),
                                    rel(&df.path, &image.context),
                                    rel(&mf.path, &image.context),
                                    dep.name.value
                                ),
                            )
                            .with_label(Label::new(mf.file, dep.name.span, format!("`{}` is in the private scope `@{scope}`", dep.name.value))),
                        );
                    }
                }
                None => {
                    let ins = &df.value.instructions[inst.instruction];
                    if ins
                        .mounts
                        .iter()
                        .any(|m| m.get("target").is_some_and(|t| t.value.ends_with(".npmrc")))
                    {
                        continue;
                    }
                    let (m, dep) = by_scope.values().next().copied().expect("non-empty");
                    let mf = &p.manifests[m];
                    out.push(
                        rule.finding(
                            df.file,
                            command_span(&inst.command),
                            "no .npmrc in the image",
                            format!(
                                "`{}` installs `{}` from the private scope, but no `.npmrc` naming its registry is copied or mounted into the image before it",
                                command_text(&inst.command),
                                dep.name.value
                            ),
                        )
                        .with_label(Label::new(mf.file, dep.name.span, "private-scope dependency")),
                    );
                }
            }
        }
    }
}
