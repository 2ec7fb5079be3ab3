//! `docs/decisions/0001-docker-lockfile-policy.md` (roadmap A3-1, gate C7):
//! the two options with the roadmap's trade-offs and the measured cold and
//! warm builds of both on the repository; the decision is left to a person.

/// One option's measured builds, in seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    pub cold: f64,
    /// The install step of the cold build.
    pub cold_install: Option<f64>,
    pub warm: f64,
    pub no_change: f64,
}

/// What the ADR reports.
#[derive(Clone, Debug)]
pub struct Inputs {
    pub repository: String,
    /// The image measured (compose service or Dockerfile).
    pub image: String,
    pub date: String,
    pub command: String,
    /// Option 1 (`--lockfile=false`) and option 2 (Docker-only lockfile).
    pub option1: Option<Measured>,
    pub option2: Option<Measured>,
    /// Why a measurement is missing.
    pub missing: Option<String>,
    pub externals: Vec<String>,
}

fn cell(m: &Option<Measured>, f: impl Fn(&Measured) -> f64) -> String {
    m.as_ref()
        .map_or("not measured".to_string(), |m| format!("{:.1} s", f(m)))
}

fn install_cell(m: &Option<Measured>) -> String {
    match m {
        None => "not measured".to_string(),
        Some(m) => m
            .cold_install
            .map_or("no pnpm install seen".to_string(), |x| format!("{x:.1} s")),
    }
}

/// The ADR's text.
pub fn render(i: &Inputs) -> String {
    let ratio = match (&i.option1, &i.option2) {
        (Some(a), Some(b)) if b.cold > 0.0 => format!(
            "Option 2's cold build took {:.1} s against {:.1} s ({:.2}× faster){}; warm builds {:.1} s against {:.1} s.",
            b.cold,
            a.cold,
            a.cold / b.cold,
            match (a.cold_install, b.cold_install) {
                (Some(x), Some(y)) if y > 0.0 => format!(
                    ", its install step {y:.1} s against {x:.1} s ({:.2}×)",
                    x / y
                ),
                _ => String::new(),
            },
            b.warm,
            a.warm
        ),
        _ => format!(
            "Not measured: {}.",
            i.missing.as_deref().unwrap_or("no build engine was available")
        ),
    };
    format!(
        "# ADR 0001: lockfile policy for Docker builds\n\
\n\
- Status: **proposed** (the decision is for the team; fill in below)\n\
- Repository: `{repo}`\n\
- Measured on: {date}, image `{image}`, with `{command}`\n\
- Roadmap: A3 (lockfile policy), F2, gate C7, open question 6\n\
\n\
## Context\n\
\n\
The dev `pnpm-workspace.yaml` lists packages outside this repository\n\
({externals}), which are not in the Docker build context (F2). Inside\n\
Docker the workspace differs from the dev one, so the dev `pnpm-lock.yaml`\n\
cannot be used with `--frozen-lockfile`; the images install with\n\
`--lockfile=false` and resolve every dependency on every cold build.\n\
\n\
## Options\n\
\n\
### Option 1: keep `--lockfile=false` (current)\n\
\n\
- Simple; no extra files; nothing to keep in sync.\n\
- Non-reproducible: each cold build resolves afresh and may install newer\n\
  versions than the ones tested in development.\n\
- Resolution is the slow part of a cold build (every package's metadata is\n\
  fetched).\n\
\n\
### Option 2: a Docker-only lockfile (`dockprep lockfile`)\n\
\n\
- `docker/pnpm-workspace.yaml` lists only this repository's packages;\n\
  `docker/pnpm-lock.yaml` is derived from the dev lockfile, with the\n\
  `@bytelyst/*` siblings as registry packages at their versions and\n\
  integrity. Images install with `--frozen-lockfile`: reproducible, the same\n\
  versions as development, and no resolution step.\n\
- Risk: drift between the dev lockfile and the Docker lockfile. Mitigation:\n\
  `dockprep lockfile --check` (no network, fails when any input changed) in\n\
  CI and the `docker-lockfile-stale` audit rule; regenerate with\n\
  `dockprep lockfile` after `pnpm install`.\n\
- Needs each sibling version the repository uses to be published in the\n\
  registry before the lockfile is written.\n\
\n\
## Measurements\n\
\n\
| option | cold build | its install step | warm build (one source file changed) | no change |\n\
|---|---|---|---|---|\n\
| 1: `--lockfile=false` | {c1} | {i1} | {w1} | {n1} |\n\
| 2: Docker-only lockfile, `--frozen-lockfile` | {c2} | {i2} | {w2} | {n2} |\n\
\n\
{ratio}\n\
\n\
Cold: no BuildKit cache and an empty pnpm store cache mount. Warm: one\n\
source file changed after a cold build. Reproduce with `{command}`.\n\
\n\
## Decision\n\
\n\
_To be decided by the team: option 1 or option 2, and who owns the\n\
regeneration step._\n\
\n\
## Consequences\n\
\n\
_To be filled in with the decision._\n",
        repo = i.repository,
        date = i.date,
        image = i.image,
        command = i.command,
        externals = if i.externals.is_empty() {
            "none found".to_string()
        } else {
            i.externals
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        },
        c1 = cell(&i.option1, |m| m.cold),
        w1 = cell(&i.option1, |m| m.warm),
        n1 = cell(&i.option1, |m| m.no_change),
        c2 = cell(&i.option2, |m| m.cold),
        i1 = install_cell(&i.option1),
        i2 = install_cell(&i.option2),
        w2 = cell(&i.option2, |m| m.warm),
        n2 = cell(&i.option2, |m| m.no_change),
        ratio = ratio,
    )
}
