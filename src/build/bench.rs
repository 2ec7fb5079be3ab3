//! The measurements of `dockprep bench` (and of `dockprep lockfile --adr`,
//! in-process): cold (emptied builder cache), warm (one source file
//! touched) and no-change builds of every surface, before/after alternated
//! run by run, collected into a [`BenchReport`]. What happens is told to an
//! observer ([`Event`]); nothing is printed here.

use std::path::{Path, PathBuf};

use super::{precheck, run_build, BuildError, Plan};
use crate::bench::touch::{pick, Touched};
use crate::bench::{BenchReport, StepTime, Surface, Variant};
use crate::docker::client::{BuildOutcome, Redactor};
use crate::docker::spec::BuildSpec;
use crate::docker::summary;

/// How to measure.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Measurements of each kind.
    pub runs: usize,
    /// The source file to change for warm builds, relative to the
    /// repository (default: the newest the image copies).
    pub touch: Option<PathBuf>,
    /// A shell command run before every cold build, after the cache is emptied.
    pub cold_hook: Option<String>,
    /// Skip the registry check before each build.
    pub no_preflight: bool,
    /// Pass BuildKit's lines to the observer ([`Event::Line`]).
    pub plain: bool,
}

/// What the measurement tells its observer.
#[derive(Debug)]
pub enum Event<'a> {
    /// A build is about to run: `[done/total] run N: repo `service` (variant): kind build`.
    Build {
        done: usize,
        total: usize,
        run: usize,
        repo: &'a str,
        service: &'a str,
        variant: Variant,
        kind: &'a str,
    },
    /// A line of the client's output (with [`Options::plain`]).
    Line(&'a str),
    /// Something the user should know that does not stop the measurement.
    Warning(String),
}

/// One warm build: its time, steps and pnpm's store account.
type WarmRun = (f64, Vec<StepTime>, Option<(u64, u64)>);

struct Subject<'a> {
    plan: &'a Plan,
    spec: &'a BuildSpec,
    variant: Variant,
    surface: Surface,
    warm_runs: Vec<WarmRun>,
}

impl Subject<'_> {
    /// The surface, with the steps of the median warm build.
    fn finish(mut self) -> Surface {
        self.warm_runs.sort_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, steps, install)) = self
            .warm_runs
            .get(self.warm_runs.len().saturating_sub(1) / 2)
            .cloned()
        {
            self.surface.warm_steps = steps;
            self.surface.warm_install = install;
        }
        self.surface
    }
}

/// `nproc`, CPU model, Docker engine version.
pub fn machine(plan: &Plan) -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let docker = plan
        .docker
        .run(&["version", "--format", "{{.Server.Version}}"])
        .map(|v| v.trim().to_string())
        .unwrap_or_default();
    format!("{cores} cores, {cpu}, Docker engine {docker}")
}

fn dir_name(p: &Path) -> String {
    std::fs::canonicalize(p)
        .ok()
        .and_then(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| p.display().to_string())
}

/// The repository name of a measurement: `x` when `after` and `before` are
/// `x/after` and `x/before` (two states of one repository), else the
/// directory name of `after`.
pub fn repo_name(after: &Path, before: Option<&Path>) -> String {
    let Some(b) = before else {
        return dir_name(after);
    };
    let (pa, pb) = (
        std::fs::canonicalize(after).ok(),
        std::fs::canonicalize(b).ok(),
    );
    match (
        pa.as_ref().and_then(|p| p.parent()),
        pb.as_ref().and_then(|p| p.parent()),
    ) {
        (Some(x), Some(y)) if x == y => dir_name(x),
        _ => dir_name(after),
    }
}

/// Measures every spec of `after` (and its counterpart in `before`, by
/// name) `opts.runs` times: cold, warm, no-change. Empties the builder's
/// cache before each cold build: the caller asks the user first.
pub fn measure(
    after: &Plan,
    before: Option<&Plan>,
    repo: &str,
    opts: &Options,
    redactor: &mut Redactor,
    on: &mut dyn FnMut(Event<'_>),
) -> Result<BenchReport, BuildError> {
    let mut subjects: Vec<Subject> = Vec::new();
    for spec in &after.specs {
        if let Some(b) = before {
            match b.specs.iter().find(|s| s.name == spec.name) {
                Some(bs) => subjects.push(subject(b, bs, Variant::Before, repo)),
                None => on(Event::Warning(format!(
                    "`{}` has no counterpart in --before; measuring the after state only",
                    spec.name
                ))),
            }
        }
        subjects.push(subject(after, spec, Variant::After, repo));
    }
    let total = subjects.len() * opts.runs * 3;
    let mut done = 0;
    for run in 0..opts.runs {
        // Alternate before/after so drift of the machine hits both alike.
        let order: Vec<usize> = if run % 2 == 0 {
            (0..subjects.len()).collect()
        } else {
            (0..subjects.len()).rev().collect()
        };
        for i in order {
            let s = &mut subjects[i];
            for kind in ["cold", "warm", "no-change"] {
                done += 1;
                on(Event::Build {
                    done,
                    total,
                    run: run + 1,
                    repo: &s.surface.repo,
                    service: &s.spec.name,
                    variant: s.variant,
                    kind,
                });
                measure_one(s, kind, opts, redactor, on)?;
            }
        }
    }
    Ok(BenchReport {
        version: 1,
        runs: opts.runs,
        machine: machine(after),
        surfaces: subjects.into_iter().map(Subject::finish).collect(),
    })
}

fn subject<'a>(plan: &'a Plan, spec: &'a BuildSpec, variant: Variant, repo: &str) -> Subject<'a> {
    Subject {
        plan,
        spec,
        variant,
        surface: Surface::new(repo, &spec.name, variant),
        warm_runs: Vec::new(),
    }
}

fn build(
    plan: &Plan,
    spec: &BuildSpec,
    opts: &Options,
    redactor: &mut Redactor,
    on: &mut dyn FnMut(Event<'_>),
) -> Result<BuildOutcome, BuildError> {
    run_build(plan, spec, false, redactor, |line, _| {
        if opts.plain {
            on(Event::Line(line));
        }
    })
}

fn measure_one(
    s: &mut Subject,
    kind: &str,
    opts: &Options,
    redactor: &mut Redactor,
    on: &mut dyn FnMut(Event<'_>),
) -> Result<(), BuildError> {
    let plan = s.plan;
    let spec = s.spec;
    precheck(plan, spec, !opts.no_preflight)?;
    match kind {
        "cold" => {
            plan.docker.run(&["builder", "prune", "-af"])?;
            if let Some(hook) = &opts.cold_hook {
                let st = std::process::Command::new("sh")
                    .args(["-c", hook])
                    .stdout(std::process::Stdio::null())
                    .status()
                    .map_err(|e| BuildError::Other(format!("--cold-hook `{hook}`: {e}")))?;
                if !st.success() {
                    return Err(BuildError::Other(format!(
                        "--cold-hook `{hook}` failed ({st})"
                    )));
                }
            }
            let out = build(plan, spec, opts, redactor, on)?;
            check(&out, spec)?;
            s.surface.cold.seconds.push(out.seconds);
            let installs = summary::installs(&out.progress);
            if !installs.is_empty() {
                let secs = installs
                    .iter()
                    .map(|(st, _)| st.seconds.unwrap_or(0.0))
                    .sum();
                s.surface.cold_install.seconds.push(secs);
            }
        }
        "warm" => {
            let file = match &opts.touch {
                Some(t) => spec.repo.join(t),
                None => crate::docker::spec::image_of(&plan.project, spec)
                    .and_then(|img| pick(&plan.project, img))
                    .ok_or_else(|| BuildError::Other(format!("`{}`: found no source file to change for the warm build; pass --touch FILE", spec.name)))?,
            };
            let touched = Touched::new(&file)
                .map_err(|e| BuildError::Other(format!("cannot change {}: {e}", file.display())))?;
            let out = build(plan, spec, opts, redactor, on);
            touched.restore().map_err(|e| {
                BuildError::Other(format!("cannot restore {}: {e}", file.display()))
            })?;
            let out = out?;
            check(&out, spec)?;
            s.surface.touched = Some(crate::paths::slash(
                &crate::paths::relative_to(&file, &spec.repo).unwrap_or(file.clone()),
            ));
            s.surface.warm.seconds.push(out.seconds);
            let steps = out
                .progress
                .steps()
                .filter(|st| st.is_instruction())
                .map(|st| StepTime {
                    name: st.name.clone(),
                    seconds: st.seconds.unwrap_or(0.0),
                    cached: st.cached(),
                })
                .collect();
            let install = summary::installs(&out.progress)
                .last()
                .map(|(_, st)| (st.reused, st.downloaded));
            s.warm_runs.push((out.seconds, steps, install));
        }
        _ => {
            let out = build(plan, spec, opts, redactor, on)?;
            check(&out, spec)?;
            s.surface.no_change.seconds.push(out.seconds);
        }
    }
    Ok(())
}

fn check(out: &BuildOutcome, spec: &BuildSpec) -> Result<(), BuildError> {
    if out.success {
        return Ok(());
    }
    Err(BuildError::Failed(super::describe(spec, out)))
}
