use super::common::{
    command_span, command_text, is_registry_arg, npmrc_vars, private_registry_deps,
};
use super::{declare_rule, Finding, Label, Rule};
use crate::diagnostics::{line_range, Applicability, Edit, Fix};
use crate::project::Project;
use crate::syntax::dockerfile::Kind;

declare_rule! {
    /// ## What it does
    /// Reports an install step that resolves private-scope packages through a
    /// registry while the Dockerfile declares no registry-host `ARG` (one its
    /// `.npmrc` references, or the configured `GITEA_NPM_HOST`) and the step
    /// mounts no build secret for the registry token.
    ///
    /// ## Why is this bad
    /// With neither the host nor the token, the private registry cannot be
    /// reached from the build: the image builds only when `.docker-deps/` was
    /// pre-populated by the tarball fallback (`docker-prep.sh`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// COPY .npmrc.docker ./.npmrc
    /// COPY backend/package.json ./
    /// RUN pnpm install --lockfile=false
    /// ```
    ///
    /// ## Fix
    /// Declare `ARG GITEA_NPM_HOST=host.docker.internal` and mount the token:
    /// `RUN --mount=type=secret,id=gitea_npm_token export GITEA_NPM_TOKEN="$(cat /run/secrets/gitea_npm_token)" && pnpm install`.
    ///
    /// ## Roadmap reference
    /// F5; A0-3, A2-2, §7.2.
    pub static REGISTRY_PATH_MISSING = {
        slug: "registry-path-missing",
        severity: High,
        summary: "an install of private packages has no registry host ARG and no secret mount",
        what: "private packages installed with no registry-host `ARG` and no secret mount",
        roadmap_id: "F5",
        fixable: true,
        check: check,
    };
}

/// §7.2: `ARG HOST=host.docker.internal` before the install step, the token
/// secret mounted on it and exported for the `.npmrc` to read.
fn fix(p: &Project, image: &crate::project::Image, inst: &crate::project::Install) -> Fix {
    let df = &p.dockerfiles[image.dockerfile];
    let reg = &p.repos[image.repo].config.registry;
    let text = p.text(df.file);
    let run = &df.value.instructions[inst.instruction];
    let (line_start, _) = line_range(text, run.span.start);
    let after_kw = super::common::after_keyword(text, run);
    let cmd = command_span(&inst.command);
    let secret = &reg.token_secret;
    Fix::new(
        Applicability::Safe,
        format!(
            "declare `{}` and mount the `{secret}` secret on the install",
            reg.host_arg
        ),
    )
    .edit(
        &df.path,
        Edit::insert(line_start, format!("ARG {}={}\n", reg.host_arg, reg.host)),
    )
    .edit(
        &df.path,
        Edit::insert(after_kw, format!("--mount=type=secret,id={secret} ")),
    )
    .edit(&df.path, super::common::token_export(reg, cmd.start))
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let df = &p.dockerfiles[image.dockerfile];
        let vars = npmrc_vars(p, image);
        for inst in &image.installs {
            let deps = private_registry_deps(p, inst);
            let Some((m, dep)) = deps.first() else {
                continue;
            };
            let run = &df.value.instructions[inst.instruction];
            if run.mounts.iter().any(|m| m.kind() == "secret") {
                continue;
            }
            let scope: Vec<usize> = df.value.lineage(inst.stage, inst.instruction);
            let has_arg = df
                .value
                .instructions
                .iter()
                .enumerate()
                .filter(|(i, ins)| {
                    // RUN sees only ARGs declared in its stage or an ancestor;
                    // a global ARG must be re-declared there.
                    ins.kind == Kind::Arg && scope.contains(i)
                })
                .flat_map(|(_, ins)| &ins.decls)
                .any(|d| is_registry_arg(p, &vars, &d.name.value));
            if has_arg {
                continue;
            }
            let mf = &p.manifests[*m];
            out.push(
                rule.finding(
                    df.file,
                    command_span(&inst.command),
                    "no registry host ARG, no secret mount",
                    format!(
                        "`{}` resolves `{}` but the Dockerfile declares no registry host ARG (e.g. `{}`) and mounts no build secret: it builds only from pre-packed tarballs",
                        command_text(&inst.command),
                        dep.name.value,
                        p.host_args.first().map_or("GITEA_NPM_HOST", String::as_str)
                    ),
                )
                .with_label(Label::new(mf.file, dep.name.span, "private-scope dependency"))
                .with_fix(Some(fix(p, image, inst))),
            );
        }
    }
}
