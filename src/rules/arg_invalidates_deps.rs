use super::common::npmrc_vars;
use super::{declare_rule, Finding, Rule};
use crate::diagnostics::{line_range, Applicability, Edit, Fix};
use crate::project::Project;
use crate::syntax::dockerfile::Kind;

declare_rule! {
    /// ## What it does
    /// Reports an `ARG` declared above the install step of its stage but used
    /// only after it: referenced by a later instruction, or (for names build
    /// tools read from the environment, like `NEXT_PUBLIC_*` or `VITE_*`)
    /// consumed by a later `RUN`. Neither the install step, the `.npmrc` it
    /// reads, nor anything between reads it.
    ///
    /// ## Why is this bad
    /// An `ARG`'s value is part of the environment, and so of the cache key, of
    /// every `RUN` after its declaration: changing it (a different API URL per
    /// environment) reruns the install although dependencies did not change.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG NEXT_PUBLIC_API_URL
    /// COPY package.json ./
    /// RUN pnpm install
    /// RUN pnpm run build
    /// ```
    ///
    /// ## Fix
    /// Move the `ARG` just before the first instruction after the install that
    /// uses it (unsafe: the layer order changes).
    ///
    /// ## Roadmap reference
    /// A4-2.
    pub static ARG_INVALIDATES_DEPS = {
        slug: "arg-invalidates-deps",
        severity: Medium,
        summary: "an ARG declared above the install step but used only after it",
        what: "an `ARG` declared above the install but used only after it (`NEXT_PUBLIC_*`)",
        roadmap_id: "A4-2",
        fixable: true,
        check: check,
    };
}

/// Prefixes of variables that build tools read from the environment.
const ENV_CONSUMED: &[&str] = &[
    "NEXT_PUBLIC_",
    "VITE_",
    "REACT_APP_",
    "NUXT_PUBLIC_",
    "GATSBY_",
    "EXPO_PUBLIC_",
    "PUBLIC_",
];

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for image in &p.images {
        let df = &p.dockerfiles[image.dockerfile];
        let v = &df.value;
        let text = p.text(df.file);
        let rc_vars = npmrc_vars(p, image);
        for inst in &image.installs {
            let stage = &v.stages[inst.stage];
            let end = stage.instructions.end;
            for n in stage.instructions.start..inst.instruction {
                let ins = &v.instructions[n];
                if ins.kind != Kind::Arg || ins.decls.len() != 1 {
                    continue;
                }
                let name = &ins.decls[0].name.value;
                if rc_vars.contains(name) {
                    continue;
                }
                let uses = |i: usize| v.instructions[i].refs.iter().any(|r| &r.name == name);
                if (n + 1..=inst.instruction).any(uses) {
                    continue;
                }
                let env_consumed = ENV_CONSUMED.iter().any(|pfx| name.starts_with(pfx));
                let first_use = (inst.instruction + 1..end)
                    .find(|&i| uses(i) || (env_consumed && v.instructions[i].kind == Kind::Run));
                let Some(first_use) = first_use else { continue };
                let (ls, le) = line_range(text, ins.span.start);
                let (us, _) = line_range(text, v.instructions[first_use].span.start);
                let moved = text[ls..le].to_string();
                let moved = if moved.ends_with('\n') {
                    moved
                } else {
                    format!("{moved}\n")
                };
                let fix = Fix::new(
                    Applicability::Unsafe,
                    format!("declare `{name}` after the install, before its first use"),
                )
                .edit(&df.path, Edit::delete(ls, le))
                .edit(&df.path, Edit::insert(us, moved));
                out.push(
                    rule.finding(
                        df.file,
                        ins.decls[0].name.span,
                        "declared above the install, used after it",
                        format!(
                            "`ARG {name}` is declared before `{}` but only used after it: a new value reruns the install",
                            super::common::command_text(&inst.command)
                        ),
                    )
                    .with_fix(Some(fix)),
                );
            }
        }
    }
}
