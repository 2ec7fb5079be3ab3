use std::collections::BTreeMap;

use super::common::{command_span, command_text, private_registry_deps, rel};
use super::{declare_rule, Finding, Label, Rule};
use crate::diagnostics::{Applicability, Fix};
use crate::project::Project;
use crate::rules::fixes::npmrc_template::template_npmrc;
use crate::syntax::package_json::Dependency;
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
        what: "the image's `.npmrc` has no `@scope:registry=` for a private scope it installs",
        roadmap_id: "F3",
        fixable: true,
        check: check,
    };
}

fn is_public_registry(url: &str) -> bool {
    url.contains("registry.npmjs.org")
        || url.contains("registry.yarnpkg.com")
        || url.contains("registry.npmmirror.com")
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    // Missing scopes per `.npmrc`, over every image that copies it:
    // scope -> (manifest, dependency); plus one image for the message.
    type Missing<'p> = BTreeMap<String, (usize, &'p Dependency)>;
    let mut per_rc: BTreeMap<usize, (Missing<'_>, usize)> = BTreeMap::new();
    for (i, image) in p.images.iter().enumerate() {
        let df = &p.dockerfiles[image.dockerfile];
        for inst in &image.installs {
            let deps = private_registry_deps(p, inst);
            if deps.is_empty() {
                continue;
            }
            let Some(copy) = &inst.npmrc else {
                let ins = &df.value.instructions[inst.instruction];
                if ins
                    .mounts
                    .iter()
                    .any(|m| m.get("target").is_some_and(|t| t.value.ends_with(".npmrc")))
                {
                    continue;
                }
                let (m, dep) = deps[0];
                out.push(
                    rule.finding(
                        df.file,
                        command_span(&inst.command),
                        "no .npmrc in the image",
                        format!(
                            "`{}` installs `{}` from a private scope, but no `.npmrc` naming its registry is copied or mounted into the image before it",
                            command_text(&inst.command),
                            dep.name.value
                        ),
                    )
                    .with_label(Label::new(p.manifests[m].file, dep.name.span, "private-scope dependency")),
                );
                continue;
            };
            let rc = &p.npmrcs[copy.npmrc].value;
            if rc
                .get("registry")
                .is_some_and(|e| !is_public_registry(&e.value.value))
            {
                continue;
            }
            let entry = per_rc
                .entry(copy.npmrc)
                .or_insert_with(|| (BTreeMap::new(), i));
            for (m, d) in deps {
                let Some(scope) = d.scope() else { continue };
                if !rc.scope_registries().any(|(s, _)| s == scope) {
                    entry.0.entry(scope.to_string()).or_insert((m, d));
                }
            }
        }
    }
    for (n, (missing, i)) in per_rc {
        if missing.is_empty() {
            continue;
        }
        let rc = &p.npmrcs[n];
        let image = &p.images[i];
        let text = p.text(rc.file);
        let first = Span::new(
            0,
            text.find('\n')
                .map_or(text.len(), |e| text[..e].trim_end_matches('\r').len()),
        );
        let lines: Vec<String> = missing
            .keys()
            .map(|s| format!("`@{s}:registry=`"))
            .collect();
        let deps: Vec<String> = missing
            .values()
            .map(|(m, d)| {
                format!(
                    "`{}` (in `{}`)",
                    d.name.value,
                    rel(&p.manifests[*m].path, &image.context)
                )
            })
            .collect();
        let mut f = rule.finding(
            rc.file,
            first,
            format!("no {} line", lines.join(", no ")),
            format!(
                "`{}` is copied into images that install {}, but has no {} line: pnpm looks for them on the public registry, so only pre-packed tarballs can build",
                rel(&rc.path, &image.context),
                deps.join(", "),
                lines.join(" or ")
            ),
        );
        let cfg = super::common::registry_config(p, image.repo, missing.keys().cloned().collect());
        let edits = template_npmrc(text, &rc.value, &cfg);
        f = f.with_fix(Some(
            Fix::new(
                Applicability::Unsafe,
                format!("add the templated registry of {}", lines.join(", ")),
            )
            .edits(&rc.path, edits),
        ));
        for (scope, (m, d)) in &missing {
            f = f.with_label(Label::new(
                p.manifests[*m].file,
                d.name.span,
                format!("`{}` is in the private scope `@{scope}`", d.name.value),
            ));
        }
        out.push(f);
    }
}
