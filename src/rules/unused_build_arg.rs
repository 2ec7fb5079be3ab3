use std::collections::BTreeSet;

use super::common::npmrc_vars;
use super::{declare_rule, Finding, Rule};
use crate::project::Project;
use crate::syntax::dockerfile::{Dockerfile, Kind};

declare_rule! {
    /// ## What it does
    /// Reports an `ARG` that nothing in its scope references: a global `ARG`
    /// (before the first `FROM`) that no `FROM` uses and no stage re-declares,
    /// or a stage `ARG` that no later instruction of the stage (or of a stage
    /// built from it) references, that no `.npmrc` copied into the image
    /// references as `${NAME}`, and whose name is not one a build tool reads
    /// from the environment (`NEXT_PUBLIC_*`, `VITE_*`, `NODE_*`,
    /// `npm_config_*`, …). BuildKit's predefined proxy and platform args are
    /// always used.
    ///
    /// ## Why is this bad
    /// Passing the argument is a no-op: the build looks configured (for the
    /// registry path, say) but nothing changes.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// ARG GITEA_NPM_HOST
    /// RUN pnpm install
    /// ```
    ///
    /// ## Fix
    /// Use the argument (reference it from the `.npmrc` as `${GITEA_NPM_HOST}`,
    /// or re-export it with `ENV`), or delete it.
    ///
    /// ## Roadmap reference
    /// F6.
    pub static UNUSED_BUILD_ARG = {
        slug: "unused-build-arg",
        severity: Medium,
        summary: "an ARG that nothing in its scope references",
        what: "an `ARG` nothing in its scope references",
        roadmap_id: "F6",
        check: check,
    };
}

const PREDEFINED: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "FTP_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETSTAGE",
    "SOURCE_DATE_EPOCH",
    "BUILDKIT_SYNTAX",
    "BUILDKIT_INLINE_CACHE",
    "BUILDKIT_MULTI_PLATFORM",
    "BUILDKIT_CONTEXT_KEEP_GIT_DIR",
    "BUILDKIT_SANDBOX_HOSTNAME",
    "BUILDKIT_BUILD_NAME",
    "BUILDKIT_CACHE_MOUNT_NS",
    "BUILDKIT_DOCKERFILE_CHECK",
];

/// Prefixes of variables that build tools read from the environment.
const ENV_CONSUMED: &[&str] = &[
    "NEXT_PUBLIC_",
    "VITE_",
    "REACT_APP_",
    "NUXT_",
    "GATSBY_",
    "EXPO_PUBLIC_",
    "PUBLIC_",
    "NODE_",
    "NPM_CONFIG_",
    "PNPM_",
    "COREPACK_",
    "YARN_",
    "TURBO_",
    "NX_",
    "CI",
];

fn always_used(name: &str) -> bool {
    let up = name.to_ascii_uppercase();
    PREDEFINED.contains(&up.as_str())
        || ENV_CONSUMED.iter().any(|p| {
            if p.ends_with('_') {
                up.starts_with(p)
            } else {
                up == *p
            }
        })
}

/// Stages built from `stage`, directly or not (itself included).
fn descendants(df: &Dockerfile, stage: usize) -> BTreeSet<usize> {
    let mut set = BTreeSet::from([stage]);
    for s in &df.stages {
        if s.parent.is_some_and(|p| set.contains(&p)) {
            set.insert(s.index);
        }
    }
    set
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for (d, df) in p.dockerfiles.iter().enumerate() {
        let v = &df.value;
        let rc_vars: BTreeSet<String> = p.images_of(d).flat_map(|i| npmrc_vars(p, i)).collect();
        for (n, ins) in v.instructions.iter().enumerate() {
            if ins.kind != Kind::Arg {
                continue;
            }
            for decl in &ins.decls {
                let name = &decl.name.value;
                // An `.npmrc` reads the variable from a RUN's environment, which
                // holds only ARGs declared in a stage.
                if always_used(name) || (ins.stage.is_some() && rc_vars.contains(name)) {
                    continue;
                }
                let used = match ins.stage {
                    None => v.instructions.iter().any(|i| {
                        (i.kind == Kind::From && i.refs.iter().any(|r| &r.name == name))
                            || (i.kind == Kind::Arg
                                && i.stage.is_some()
                                && i.decls.iter().any(|d| &d.name.value == name))
                    }),
                    Some(stage) => {
                        let scope = descendants(v, stage);
                        v.instructions.iter().enumerate().skip(n + 1).any(|(_, i)| {
                            i.stage.is_some_and(|s| scope.contains(&s))
                                && i.kind != Kind::From
                                && i.refs.iter().any(|r| &r.name == name)
                        }) || ins
                            .refs
                            .iter()
                            .any(|r| &r.name == name && r.span.start >= decl.span.end)
                    }
                };
                if used {
                    continue;
                }
                let where_ = match ins.stage {
                    None => "no `FROM` uses it and no stage re-declares it".to_string(),
                    Some(s) => format!(
                        "nothing after it in stage {} references it",
                        v.stages[s].name.as_ref().map_or_else(
                            || format!("#{s} (unnamed)"),
                            |n| format!("`{}`", n.value)
                        )
                    ),
                };
                out.push(rule.finding(
                    df.file,
                    decl.name.span,
                    "never used",
                    format!("`ARG {name}` is never used: {where_}, so passing `--build-arg {name}` changes nothing"),
                ));
            }
        }
    }
}
