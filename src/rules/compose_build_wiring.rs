use std::collections::BTreeSet;

use super::common::{arg_decls, is_registry_arg, npmrc_vars, rel};
use super::{declare_rule, Finding, Label, Rule};
use crate::diagnostics::{Applicability, Fix};
use crate::project::Project;
use crate::rules::fixes::compose_wiring::{wire_service, Wiring};
use crate::syntax::dockerfile::Kind;

declare_rule! {
    /// ## What it does
    /// For each compose service that builds a Dockerfile, checks the wiring
    /// the Dockerfile needs for the registry path: every registry-host `ARG`
    /// without a default is passed in `build.args`, and every
    /// `--mount=type=secret,id=X` is listed in `build.secrets` and defined in
    /// the top-level `secrets:`.
    ///
    /// ## Why is this bad
    /// `docker compose build` then runs without the registry host or token:
    /// the registry path cannot work without manual `--build-arg`/`--secret`
    /// flags, and the build silently depends on pre-packed tarballs.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   backend:
    ///     build:
    ///       context: .
    ///       dockerfile: backend/Dockerfile
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    ///     build:
    ///       args:
    ///         GITEA_NPM_HOST: host.docker.internal
    ///       secrets:
    ///         - gitea_npm_token
    /// secrets:
    ///   gitea_npm_token:
    ///     environment: GITEA_NPM_TOKEN
    /// ```
    ///
    /// ## Roadmap reference
    /// F7; A0-3, §7.3.
    pub static COMPOSE_BUILD_WIRING = {
        slug: "compose-build-wiring",
        severity: Medium,
        summary: "a compose service does not pass the registry ARG or secret its Dockerfile needs",
        what: "a compose service does not pass the `ARG`/secret its Dockerfile needs",
        roadmap_id: "F7",
        fixable: true,
        check: check,
    };
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let Some((c, s)) = image.service else {
            continue;
        };
        let compose = &p.composes[c];
        let svc = &compose.value.services[s];
        let Some(build) = &svc.build else { continue };
        let df = &p.dockerfiles[image.dockerfile];
        let vars = npmrc_vars(p, image);
        let mut labels = Vec::new();
        let mut missing = Vec::new();
        let reg = &p.repos[image.repo].config.registry;
        let mut wiring = Wiring {
            args: Vec::new(),
            secrets: Vec::new(),
            extra_hosts: Vec::new(),
            top_secrets: Vec::new(),
            build_extra_hosts: Vec::new(),
        };

        // Registry-host ARGs: needed when no declaration of the name gives a default.
        let mut seen = BTreeSet::new();
        let decls: Vec<_> = arg_decls(&df.value)
            .map(|(i, d)| &df.value.instructions[i].decls[d])
            .collect();
        for d in &decls {
            let name = &d.name.value;
            if !is_registry_arg(p, &vars, name) || !seen.insert(name.clone()) {
                continue;
            }
            if decls
                .iter()
                .any(|o| &o.name.value == name && o.value.is_some())
            {
                continue;
            }
            if !build.args.iter().any(|a| &a.name.value == name) {
                wiring.args.push((name.clone(), reg.host.clone()));
                missing.push(format!("build arg `{name}`"));
                labels.push(Label::new(
                    df.file,
                    d.name.span,
                    format!("`{name}` declared here"),
                ));
            }
        }
        // Secret mounts.
        let mut ids = BTreeSet::new();
        for ins in df.value.instructions.iter().filter(|i| i.kind == Kind::Run) {
            for m in ins.mounts.iter().filter(|m| m.kind() == "secret") {
                let id = m.get("id").map(|v| v.value.clone()).or_else(|| {
                    m.get("target")
                        .map(|t| t.value.rsplit('/').next().unwrap_or("").to_string())
                });
                let Some(id) = id.filter(|i| !i.is_empty()) else {
                    continue;
                };
                if !ids.insert(id.clone()) {
                    continue;
                }
                let listed = build.secrets.iter().find(|x| x.id() == id);
                if listed.is_none() {
                    wiring.secrets.push(id.clone());
                    if compose.value.secret(&id).is_none() {
                        wiring.top_secrets.push((id.clone(), reg.token_var.clone()));
                    }
                    missing.push(format!("secret `{id}` in `build.secrets`"));
                    labels.push(Label::new(
                        df.file,
                        m.span,
                        format!("secret `{id}` mounted here"),
                    ));
                } else if let Some(src) =
                    listed.filter(|x| compose.value.secret(&x.source.value).is_none())
                {
                    wiring
                        .top_secrets
                        .push((src.source.value.clone(), reg.token_var.clone()));
                    missing.push(format!(
                        "a top-level `secrets.{}` definition",
                        src.source.value
                    ));
                    labels.push(Label::new(
                        df.file,
                        m.span,
                        format!("secret `{id}` mounted here"),
                    ));
                }
            }
        }
        if missing.is_empty() {
            continue;
        }
        let mut f = rule.finding(
            compose.file,
            build.key,
            format!("missing {}", missing.join(", ")),
            format!(
                "service `{}` builds `{}`, which needs {}; `docker compose build` cannot use the registry path",
                svc.name.value,
                rel(&df.path, &image.context),
                missing.join(" and ")
            ),
        );
        for l in labels {
            f = f.with_label(l);
        }
        // A0-3/A0-4: the args, secrets and (for `host.docker.internal`) the host-gateway entry.
        let gateway = format!("{}:host-gateway", reg.host);
        if reg.host == "host.docker.internal"
            && !svc
                .extra_hosts
                .iter()
                .chain(&build.extra_hosts)
                .any(|h| h.value.starts_with("host.docker.internal:"))
        {
            wiring.extra_hosts.push(gateway);
        }
        let edits = wire_service(
            p.text(compose.file),
            &compose.value,
            &svc.name.value,
            &wiring,
        );
        let fix = Fix::new(
            Applicability::Safe,
            format!("wire service `{}` for the registry path", svc.name.value),
        )
        .edits(&compose.path, edits);
        out.push(f.with_fix(Some(fix)));
    }
}
