use std::path::{Path, PathBuf};

use super::common::rel;
use super::{declare_rule, Finding, Label, Rule};
use crate::paths::clean;
use crate::project::Project;
use crate::syntax::shell::{split_commands, Word};
use crate::syntax::yaml::Node;
use crate::syntax::Span;

declare_rule! {
    /// ## What it does
    /// Compares the images CI workflows build (`.github/workflows/*.yml|yaml`,
    /// `.gitea/workflows/*.yml|yaml`) with the compose services of the same
    /// repository. A CI build is `docker build`, `docker buildx build` or
    /// `docker image build` in a `run:` step (`-f`/`--file`, the context
    /// operand, `-t`/`--tag`; relative to the step's `working-directory`), or a
    /// `docker/build-push-action` step (`file:`, `context:`, `tags:`). It is
    /// matched to the service whose `image:` it tags, else to the service whose
    /// name is a `-`/`_`-separated part of the tagged image's name
    /// (`acme/peakpulse-backend:sha` → `backend`). The rule reports a build
    /// whose Dockerfile or context differs from that service's `build:`.
    /// `docker compose build <service>` uses the compose file itself and is
    /// always consistent; builds with `${{ … }}` or `$VAR` paths, and builds
    /// matching no service or several, are not compared.
    ///
    /// ## Why is this bad
    /// CI then tests and ships an image built another way than the one
    /// developers build and measure with `docker compose build`: fixes to
    /// the compose path (cache mounts, registry wiring, layer order) never
    /// reach CI, and CI failures do not reproduce locally.
    ///
    /// ## Example
    /// ```yaml
    /// # .github/workflows/image.yml
    /// - run: docker build -f Dockerfile -t acme/peakpulse-backend:${{ github.sha }} backend
    /// ```
    /// while `docker-compose.yml` builds `backend` from `backend/Dockerfile`
    /// with context `.`.
    ///
    /// ## Fix
    /// ```yaml
    /// - run: docker build -f backend/Dockerfile -t acme/peakpulse-backend:${{ github.sha }} .
    /// ```
    /// or `docker compose build backend`. There is no automatic fix: which of
    /// the two is right is a decision.
    ///
    /// ## Roadmap reference
    /// C5 (CI uses the same Dockerfile path).
    pub static CI_DOCKERFILE_MISMATCH = {
        slug: "ci-dockerfile-mismatch",
        severity: Low,
        summary: "a CI workflow builds an image from another Dockerfile or context than its compose service",
        what: "a CI workflow builds a service from another Dockerfile/context than compose",
        roadmap_id: "C5",
        check: check,
    };
}

/// One image build a workflow runs.
struct CiBuild {
    /// Dockerfile path as written, and where (`None`: the context's `Dockerfile`).
    file: Option<(String, Span)>,
    /// Context as written, and where.
    context: (String, Span),
    tags: Vec<String>,
    /// Relative paths start here.
    base: PathBuf,
}

/// `docker build` flags that take a value.
const VALUE_FLAGS: &[&str] = &[
    "-f",
    "--file",
    "-t",
    "--tag",
    "--build-arg",
    "--build-context",
    "--target",
    "--platform",
    "--secret",
    "--ssh",
    "--cache-from",
    "--cache-to",
    "--label",
    "--network",
    "--progress",
    "-o",
    "--output",
    "--iidfile",
    "--metadata-file",
    "--add-host",
    "--builder",
    "--shm-size",
    "--ulimit",
    "-m",
    "--memory",
    "--annotation",
    "--attest",
    "--allow",
    "--cgroup-parent",
    "--isolation",
];

/// Where `value` is written in `region` of `text`: its first occurrence after
/// one of `after` (else its first occurrence, else the region).
fn locate(text: &str, region: Span, after: &[&str], value: &str) -> Span {
    let r = &text[region.start.min(text.len())..region.end.min(text.len())];
    let mut best = None;
    for (i, _) in r.match_indices(value) {
        let before = r[..i].trim_end_matches([' ', '=', '"', '\'']);
        if after.iter().any(|a| before.ends_with(a)) {
            best = Some(i);
            break;
        }
        best.get_or_insert(i);
    }
    best.map_or(region, |i| {
        Span::new(region.start + i, region.start + i + value.len())
    })
}

/// `docker build …` in one command: the build, if the words make one.
fn docker_build(argv: &[Word], text: &str, region: Span, base: &Path) -> Option<CiBuild> {
    if argv.first()?.text != "docker" {
        return None;
    }
    let rest = match (
        argv.get(1).map(|w| w.text.as_str()),
        argv.get(2).map(|w| w.text.as_str()),
    ) {
        (Some("build"), _) => &argv[2..],
        (Some("buildx" | "image"), Some("build")) => &argv[3..],
        _ => return None,
    };
    let mut file = None;
    let mut context = None;
    let mut tags = Vec::new();
    let mut i = 0;
    while i < rest.len() {
        let t = rest[i].text.as_str();
        let (name, inline) = match t.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (t, None),
        };
        if name.starts_with('-') && name.len() > 1 {
            let value = match inline {
                Some(v) => Some(v),
                None if VALUE_FLAGS.contains(&name) => {
                    i += 1;
                    rest.get(i).map(|w| w.text.clone())
                }
                None => None,
            };
            match (name, value) {
                ("-f" | "--file", Some(v)) => file = Some(v),
                ("-t" | "--tag", Some(v)) => tags.push(v),
                _ => {}
            }
        } else {
            context = Some(t.to_string());
        }
        i += 1;
    }
    let context = context?;
    if context.contains("://") || context == "-" {
        return None;
    }
    let file = file.map(|f| {
        let span = locate(text, region, &["-f", "--file"], &f);
        (f, span)
    });
    let cspan = locate(text, region, &[" "], &context);
    Some(CiBuild {
        file,
        context: (context, cspan),
        tags,
        base: base.to_path_buf(),
    })
}

/// The builds of one workflow.
fn builds(text: &str, root: &Path, wf: &Node) -> Vec<CiBuild> {
    let mut out = Vec::new();
    let Some(jobs) = wf.get("jobs").and_then(Node::as_map) else {
        return out;
    };
    for (_, job) in jobs {
        let job_dir = job
            .get("defaults")
            .and_then(|d| d.get("run"))
            .and_then(|r| r.get("working-directory"))
            .and_then(Node::as_str);
        for step in job.get("steps").and_then(Node::as_seq).unwrap_or(&[]) {
            if let Some(uses) = step.get("uses").filter(|u| {
                u.as_str()
                    .is_some_and(|s| s.starts_with("docker/build-push-action"))
            }) {
                let with = step.get("with");
                let get = |k: &str| with.and_then(|w| w.get(k)).filter(|n| n.as_str().is_some());
                let context = get("context").map_or((".".to_string(), uses.span), |n| {
                    (n.as_str().unwrap_or(".").to_string(), n.span)
                });
                let tags = get("tags")
                    .and_then(Node::as_str)
                    .map(|t| {
                        t.split([',', '\n'])
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(CiBuild {
                    file: get("file").map(|n| (n.as_str().unwrap_or("").to_string(), n.span)),
                    context,
                    tags,
                    base: root.to_path_buf(),
                });
                continue;
            }
            let Some(run) = step.get("run").filter(|r| r.as_str().is_some()) else {
                continue;
            };
            let dir = step
                .get("working-directory")
                .and_then(Node::as_str)
                .or(job_dir)
                .unwrap_or(".");
            let base = clean(&root.join(dir));
            for cmd in split_commands(run.as_str().unwrap_or(""), '\\') {
                if let Some(b) = docker_build(cmd.argv(), text, run.span, &base) {
                    out.push(b);
                }
            }
        }
    }
    out
}

/// The repository part of an image reference: `ghcr.io/acme/web:1` → `ghcr.io/acme/web`.
fn image_name(tag: &str) -> &str {
    let tag = tag.split('@').next().unwrap_or(tag);
    match tag.rfind(':') {
        Some(i) if !tag[i..].contains('/') => &tag[..i],
        _ => tag,
    }
}

/// True when `service` is a `-`/`_`-separated part of the image's last path segment.
fn names_service(image: &str, service: &str) -> bool {
    let last = image.rsplit('/').next().unwrap_or(image);
    let s: Vec<&str> = service.split(['-', '_']).collect();
    let parts: Vec<&str> = last.split(['-', '_']).collect();
    parts.windows(s.len()).any(|w| w == s.as_slice())
}

fn check(p: &Project, rule: &Rule, out: &mut Vec<Finding>) {
    for (r, repo) in p.repos.iter().enumerate() {
        for &w in &repo.workflows {
            let wf = &p.workflows[w];
            let text = p.text(wf.file);
            for b in builds(text, &repo.root, &wf.value) {
                let written = |s: &str| s.contains("${{") || s.contains('$');
                if written(&b.context.0) || b.file.as_ref().is_some_and(|f| written(&f.0)) {
                    continue;
                }
                // The compose-built images of this repository and their services.
                let candidates: Vec<_> = p
                    .images
                    .iter()
                    .filter(|i| i.repo == r)
                    .filter_map(|i| {
                        i.service
                            .map(|(c, s)| (i, &p.composes[c].value.services[s]))
                    })
                    .collect();
                let by_image: Vec<_> = candidates
                    .iter()
                    .filter(|(_, s)| {
                        s.image.as_ref().is_some_and(|im| {
                            b.tags
                                .iter()
                                .any(|t| image_name(t) == image_name(&im.value))
                        })
                    })
                    .collect();
                let matched = if by_image.is_empty() {
                    let by_name: Vec<_> = candidates
                        .iter()
                        .filter(|(_, s)| {
                            b.tags
                                .iter()
                                .any(|t| names_service(image_name(t), &s.name.value))
                        })
                        .collect();
                    let longest = by_name.iter().map(|(_, s)| s.name.value.len()).max();
                    let best: Vec<_> = by_name
                        .into_iter()
                        .filter(|(_, s)| Some(s.name.value.len()) == longest)
                        .collect();
                    best
                } else {
                    by_image
                };
                let [(image, service)] = matched.as_slice() else {
                    continue; // no service, or several: nothing to compare
                };
                let context = clean(&b.base.join(&b.context.0));
                let file = match &b.file {
                    Some((f, _)) => clean(&b.base.join(f)),
                    None => context.join("Dockerfile"),
                };
                let compose_file = &p.dockerfiles[image.dockerfile].path;
                if file == *compose_file && context == image.context {
                    continue;
                }
                let show = |path: &Path| {
                    let s = rel(path, &repo.root);
                    if s.is_empty() {
                        ".".to_string()
                    } else {
                        s
                    }
                };
                let mut diffs = Vec::new();
                if file != *compose_file {
                    diffs.push(format!(
                        "the Dockerfile `{}` instead of `{}`",
                        show(&file),
                        show(compose_file)
                    ));
                }
                if context != image.context {
                    diffs.push(format!(
                        "the context `{}` instead of `{}`",
                        show(&context),
                        show(&image.context)
                    ));
                }
                let svc = &service.name.value;
                let span = b.file.as_ref().map_or(b.context.1, |f| f.1);
                let label = match &b.file {
                    Some(_) => format!("compose builds `{svc}` from `{}`", show(compose_file)),
                    None => format!(
                        "compose builds `{svc}` with context `{}`",
                        show(&image.context)
                    ),
                };
                let mut f = rule.finding(
                    wf.file,
                    span,
                    label,
                    format!(
                        "CI builds the `{svc}` image with {}, not as the compose service `{svc}` does: CI ships a different build than `docker compose build {svc}`; use the service's Dockerfile and context, or `docker compose build {svc}`",
                        diffs.join(" and ")
                    ),
                );
                if let Some((c, s)) = image.service {
                    let build = p.composes[c].value.services[s].build.as_ref();
                    if let Some(bd) = build {
                        let at = bd.dockerfile.as_ref().map_or(bd.context.span, |d| d.span);
                        f = f.with_label(Label::new(
                            p.composes[c].file,
                            at,
                            format!("the service `{svc}` builds `{}`", show(compose_file)),
                        ));
                    }
                }
                out.push(f);
            }
        }
    }
}
