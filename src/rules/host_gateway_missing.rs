use super::{declare_rule, Finding, Label, Rule};
use crate::diagnostics::{Applicability, Fix};
use crate::project::{FileId, Project};
use crate::rules::fixes::compose_wiring::{wire_service, Wiring};
use crate::syntax::dockerfile::Kind;
use crate::syntax::npmrc::parse_url;
use crate::syntax::Span;

declare_rule! {
    /// ## What it does
    /// For each compose service that builds an image, finds where the build
    /// talks to `host.docker.internal`: a `build.args` value naming it (for an
    /// `ARG` the Dockerfile declares), an `ARG` default or `ENV` value in the
    /// Dockerfile (unless `build.args` overrides that `ARG` with another
    /// value), or a registry URL in an `.npmrc` the image copies. Reports the
    /// service when its `build.extra_hosts` has no entry for
    /// `host.docker.internal` (`host-gateway` or a fixed address both count).
    /// A service-level `extra_hosts` entry does not count: it applies to the
    /// running container, not to the build's `RUN` steps.
    ///
    /// ## Why is this bad
    /// Docker Desktop resolves `host.docker.internal` by itself; Docker Engine
    /// on Linux (CI runners, servers) does not, so `pnpm install` fails with
    /// `ENOTFOUND host.docker.internal` and the registry path only works on
    /// laptops.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   backend:
    ///     build:
    ///       context: .
    ///       args:
    ///         GITEA_NPM_HOST: host.docker.internal
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    ///     build:
    ///       extra_hosts:
    ///         - "host.docker.internal:host-gateway"
    /// ```
    ///
    /// ## Roadmap reference
    /// A0-4, §7.3.
    pub static HOST_GATEWAY_MISSING = {
        slug: "host-gateway-missing",
        severity: Medium,
        summary: "a compose build uses host.docker.internal without build.extra_hosts host-gateway",
        what: "a build uses `host.docker.internal` without `build.extra_hosts: host-gateway`",
        roadmap_id: "A0-4",
        fixable: true,
        check: check,
    };
}

const HOST: &str = "host.docker.internal";

fn names_host(s: &str) -> bool {
    s.to_ascii_lowercase().contains(HOST)
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let Some((c, s)) = image.service else {
            continue;
        };
        let compose = &p.composes[c];
        let svc = &compose.value.services[s];
        let Some(build) = &svc.build else { continue };
        if build
            .extra_hosts
            .iter()
            .any(|h| crate::syntax::compose::extra_host_name(&h.value).eq_ignore_ascii_case(HOST))
        {
            continue;
        }
        let df = &p.dockerfiles[image.dockerfile];
        let declared = |name: &str| {
            df.value
                .instructions
                .iter()
                .filter(|i| i.kind == Kind::Arg)
                .flat_map(|i| &i.decls)
                .any(|d| d.name.value == name)
        };
        let mut uses: Vec<(FileId, Span, String)> = Vec::new();
        for a in &build.args {
            if let Some(v) = a.value.as_ref().filter(|v| names_host(&v.value)) {
                if declared(&a.name.value) {
                    uses.push((
                        compose.file,
                        v.span,
                        format!("build arg `{}`", a.name.value),
                    ));
                }
            }
        }
        for ins in &df.value.instructions {
            if !matches!(ins.kind, Kind::Arg | Kind::Env) {
                continue;
            }
            for d in &ins.decls {
                let Some(v) = d.value.as_ref().filter(|v| names_host(&v.value)) else {
                    continue;
                };
                let overridden = ins.kind == Kind::Arg
                    && build.args.iter().any(|a| {
                        a.name.value == d.name.value
                            && a.value.as_ref().is_some_and(|x| !names_host(&x.value))
                    });
                if !overridden {
                    let kw = if ins.kind == Kind::Arg { "ARG" } else { "ENV" };
                    uses.push((df.file, v.span, format!("`{kw} {}`", d.name.value)));
                }
            }
        }
        for rc in &image.npmrcs {
            let n = &p.npmrcs[rc.npmrc];
            for e in n.value.registry_entries() {
                if let Some(u) = parse_url(&e.value).filter(|u| names_host(&u.host.value)) {
                    uses.push((
                        n.file,
                        u.host.span,
                        format!("`{}` in `.npmrc`", e.key.value),
                    ));
                }
            }
        }
        if uses.is_empty() {
            continue;
        }
        let first = uses
            .iter()
            .map(|(_, _, what)| what.clone())
            .next()
            .unwrap_or_default();
        let service_level = svc
            .extra_hosts
            .iter()
            .find(|h| crate::syntax::compose::extra_host_name(&h.value).eq_ignore_ascii_case(HOST));
        let mut f = rule.finding(
            compose.file,
            build.key,
            "no `host.docker.internal:host-gateway` in `build.extra_hosts`",
            format!(
                "service `{}` builds with `{HOST}` ({first}{}) but its `build.extra_hosts` does not map it{}: on Linux Docker Engine the build cannot resolve the host",
                svc.name.value,
                if uses.len() > 1 {
                    format!(" and {} more", uses.len() - 1)
                } else {
                    String::new()
                },
                if service_level.is_some() {
                    " (the service-level `extra_hosts` entry applies only to the running container)"
                } else {
                    ""
                }
            ),
        );
        for (file, span, what) in &uses {
            f = f.with_label(Label::new(*file, *span, format!("{what} uses `{HOST}`")));
        }
        if let Some(h) = service_level {
            f = f.with_label(Label::new(
                compose.file,
                h.span,
                "applies to the container, not the build",
            ));
        }
        let wiring = Wiring {
            build_extra_hosts: vec![format!("{HOST}:host-gateway")],
            ..Wiring::default()
        };
        let edits = wire_service(
            p.text(compose.file),
            &compose.value,
            &svc.name.value,
            &wiring,
        );
        let fix = Fix::new(
            Applicability::Safe,
            format!(
                "add `{HOST}:host-gateway` to `build.extra_hosts` of service `{}`",
                svc.name.value
            ),
        )
        .edits(&compose.path, edits);
        out.push(f.with_fix(Some(fix)));
    }
}
