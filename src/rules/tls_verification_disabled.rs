use std::collections::{BTreeMap, BTreeSet};

use super::{declare_rule, Finding, Rule, Severity};
use crate::project::{FileId, Project};
use crate::syntax::dockerfile::{Dockerfile, Kind};
use crate::syntax::Span;

declare_rule! {
    /// ## What it does
    /// Reports what turns off TLS certificate checks in an image build:
    /// `ENV` values and `ARG` defaults `NODE_TLS_REJECT_UNAUTHORIZED=0` or
    /// `NPM_CONFIG_STRICT_SSL=false` (the `npm_config_` prefix in any case,
    /// `-` or `_`, `false` or `0`); in `RUN`, the same assignments,
    /// `npm|pnpm|yarn config set strict-ssl false` (or `strict-ssl=false`) and
    /// `--strict-ssl=false` / `--no-strict-ssl` flags; and a `strict-ssl=false`
    /// line in an `.npmrc` copied into the image (reported on that line).
    /// High when it happens in the stage the image builds (its `target`, else
    /// the last stage) or a stage that one is built `FROM`, since it then
    /// stays in the shipped image; medium in a build stage.
    ///
    /// ## Why is this bad
    /// Every package (and, with `NODE_TLS_REJECT_UNAUTHORIZED=0`, every HTTPS
    /// request the app makes at run time) is accepted from whoever answers:
    /// a proxy or a poisoned DNS entry can inject code into the build. It is
    /// usually there to get past a corporate proxy's CA, which can be trusted
    /// instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV NODE_TLS_REJECT_UNAUTHORIZED=0
    /// RUN npm config set strict-ssl false && pnpm install
    /// ```
    ///
    /// ## Fix
    /// Mount the CA bundle as a build secret and point Node at it:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=ca,target=/etc/ssl/certs/ca-certificates.crt \
    ///     NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt pnpm install
    /// ```
    ///
    /// ## Roadmap reference
    /// §7.1 and §7.2 (`strict-ssl=false`, `NODE_TLS_REJECT_UNAUTHORIZED=0`), §6 (corp proxy SSL issue).
    pub static TLS_VERIFICATION_DISABLED = {
        slug: "tls-verification-disabled",
        severity: High,
        shown_severity: "high/medium",
        summary: "TLS certificate verification turned off in an image build (NODE_TLS_REJECT_UNAUTHORIZED=0, strict-ssl=false)",
        what: "`NODE_TLS_REJECT_UNAUTHORIZED=0`, `strict-ssl=false` (mount the CA bundle instead)",
        roadmap_id: "—",
        check: check,
    };
}

const ADVICE: &str = "mount the CA bundle as a secret instead (`--mount=type=secret,id=ca,target=/etc/ssl/certs/ca-certificates.crt`, with `NODE_EXTRA_CA_CERTS` pointing at it)";

fn is_false(v: &str) -> bool {
    let v = v.trim().trim_matches(['"', '\'']);
    v.eq_ignore_ascii_case("false") || v == "0"
}

/// What a `NAME=value` does to TLS checks, if anything.
fn assignment(name: &str, value: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase().replace('-', "_");
    if n == "node_tls_reject_unauthorized" && value.trim().trim_matches(['"', '\'']) == "0" {
        Some("`NODE_TLS_REJECT_UNAUTHORIZED=0` makes Node accept any certificate")
    } else if n == "npm_config_strict_ssl" && is_false(value) {
        Some("`strict-ssl=false` makes npm and pnpm accept any registry certificate")
    } else {
        None
    }
}

/// Stages whose instructions end up in the image built with `target`.
fn shipped(df: &Dockerfile, target: Option<&str>) -> BTreeSet<usize> {
    let mut set = BTreeSet::new();
    let mut cur = df.target_stage(target).map(|s| s.index);
    while let Some(s) = cur {
        if !set.insert(s) {
            break;
        }
        cur = df.stages[s].parent;
    }
    set
}

/// Findings keyed by place, keeping the highest severity.
type Found = BTreeMap<(FileId, Span), (Severity, String, String)>;

fn add(found: &mut Found, file: FileId, span: Span, sev: Severity, label: &str, msg: String) {
    let e = found
        .entry((file, span))
        .or_insert((sev, label.to_string(), msg.clone()));
    if sev > e.0 {
        *e = (sev, label.to_string(), msg);
    }
}

/// `config set strict-ssl false` / `strict-ssl=false` in an argv.
fn config_set(argv: &[&str]) -> bool {
    let rest = match argv {
        [_, "config", "set", rest @ ..] | [_, "set", rest @ ..] => rest,
        _ => return false,
    };
    match rest {
        [k, v, ..] if k.eq_ignore_ascii_case("strict-ssl") => is_false(v),
        [kv, ..] => kv
            .split_once('=')
            .is_some_and(|(k, v)| k.eq_ignore_ascii_case("strict-ssl") && is_false(v)),
        _ => false,
    }
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    let mut found = Found::new();
    for (d, df) in p.dockerfiles.iter().enumerate() {
        let v = &df.value;
        let mut finals = BTreeSet::new();
        let mut any = false;
        for image in p.images_of(d) {
            any = true;
            let target = image.service.and_then(|(c, s)| {
                p.composes[c].value.services[s]
                    .build
                    .as_ref()
                    .and_then(|b| b.target.as_ref())
                    .map(|t| t.value.clone())
            });
            finals.extend(shipped(v, target.as_deref()));
        }
        if !any {
            finals = shipped(v, None);
        }
        let sev = |stage: Option<usize>| {
            if stage.is_some_and(|s| finals.contains(&s)) {
                Severity::High
            } else {
                Severity::Medium
            }
        };
        let where_ = |stage: Option<usize>| {
            if sev(stage) == Severity::High {
                "in the stage the image builds".to_string()
            } else {
                match stage.and_then(|s| v.stages[s].name.as_ref()) {
                    Some(n) => format!("in build stage `{}`", n.value),
                    None if stage.is_none() => "before the first `FROM`".to_string(),
                    None => "in a build stage".to_string(),
                }
            }
        };
        for ins in &v.instructions {
            match ins.kind {
                Kind::Env | Kind::Arg => {
                    for decl in &ins.decls {
                        let Some(val) = &decl.value else { continue };
                        let Some(what) = assignment(&decl.name.value, &val.value) else {
                            continue;
                        };
                        let kw = if ins.kind == Kind::Env {
                            "ENV"
                        } else {
                            "ARG default"
                        };
                        add(
                            &mut found,
                            df.file,
                            decl.span,
                            sev(ins.stage),
                            "turns off certificate checks",
                            format!(
                                "{kw} `{}`: {what} {}; {ADVICE}",
                                decl.name.value,
                                where_(ins.stage)
                            ),
                        );
                    }
                }
                Kind::Run => {
                    for cmd in ins.commands(v.escape) {
                        for w in &cmd.words {
                            if let Some((n, val)) = w.text.split_once('=') {
                                if let Some(what) = assignment(n, val) {
                                    add(
                                        &mut found,
                                        df.file,
                                        w.span,
                                        sev(ins.stage),
                                        "turns off certificate checks",
                                        format!(
                                            "`RUN` sets `{n}`: {what} {}; {ADVICE}",
                                            where_(ins.stage)
                                        ),
                                    );
                                    continue;
                                }
                            }
                            let t = w.text.to_ascii_lowercase();
                            let flag = t == "--no-strict-ssl"
                                || t.strip_prefix("--strict-ssl=").is_some_and(is_false);
                            if flag {
                                add(
                                    &mut found,
                                    df.file,
                                    w.span,
                                    sev(ins.stage),
                                    "turns off certificate checks",
                                    format!("`{}` makes the package manager accept any registry certificate {}; {ADVICE}", w.text, where_(ins.stage)),
                                );
                            }
                        }
                        let argv = cmd.argv();
                        let words: Vec<&str> = argv.iter().map(|w| w.text.as_str()).collect();
                        if matches!(words.first(), Some(&("npm" | "pnpm" | "yarn")))
                            && config_set(&words)
                        {
                            let span = super::common::command_span(&cmd);
                            add(
                                &mut found,
                                df.file,
                                span,
                                sev(ins.stage),
                                "turns off certificate checks",
                                format!(
                                    "`{}` makes {} accept any registry certificate {}; {ADVICE}",
                                    super::common::command_text(&cmd),
                                    words[0],
                                    where_(ins.stage)
                                ),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        // `.npmrc` files copied into the images of this Dockerfile.
        for image in p.images_of(d) {
            for c in &image.npmrcs {
                let rc = &p.npmrcs[c.npmrc];
                let Some(e) = rc.value.entries.iter().find(|e| {
                    e.key.value.eq_ignore_ascii_case("strict-ssl") && is_false(&e.value.value)
                }) else {
                    continue;
                };
                let stage = v.instructions[c.instruction].stage;
                let span = e.key.span.cover(e.value.span);
                let copied_at = p
                    .sources
                    .get(df.file)
                    .position(v.instructions[c.instruction].span.start);
                add(
                    &mut found,
                    rc.file,
                    span,
                    sev(stage),
                    "turns off certificate checks",
                    format!(
                        "`strict-ssl=false` in this `.npmrc` (copied by `{}` line {}) makes npm and pnpm accept any registry certificate {}; {ADVICE}",
                        super::common::rel(&df.path, &image.context),
                        copied_at.line,
                        where_(stage)
                    ),
                );
            }
        }
    }
    for ((file, span), (sev, label, msg)) in found {
        let mut f = rule.finding(file, span, label, msg);
        f.severity = sev;
        out.push(f);
    }
}
