use std::path::PathBuf;

use super::build::{precheck, run_build, BuildFlags, Plan, ProgressMode};
use super::exit;
use dockprep::bench::touch::{pick, Touched};
use dockprep::bench::{report, BenchReport, StepTime, Surface, Variant};
use dockprep::docker::client::Redactor;
use dockprep::docker::spec::BuildSpec;
use dockprep::docker::summary;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Repository to measure (the "after" state).
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Compose services to measure (default: all that build).
    services: Vec<String>,
    /// A second copy of the repository: the state before a change, measured in the same run.
    #[arg(long, value_name = "DIR")]
    before: Option<PathBuf>,
    /// Measurements of each kind (the table shows the median).
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// The source file to change for warm builds (default: the newest the image copies).
    #[arg(long, value_name = "FILE")]
    touch: Option<PathBuf>,
    /// Allow emptying the builder cache and its cache mounts before cold builds.
    #[arg(long)]
    yes: bool,
    /// A shell command run before every cold build, after the cache is
    /// emptied (e.g. `scripts/testbed registry-forget`, so resolution meets a
    /// registry without warm metadata).
    #[arg(long, value_name = "COMMAND")]
    cold_hook: Option<String>,
    /// Print the report as JSON instead of the Markdown table.
    #[arg(long)]
    json: bool,
    /// Also write a self-contained HTML report with a chart.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Do not measure: render a report saved with `--json`.
    #[arg(long, value_name = "FILE")]
    from_json: Option<PathBuf>,
    #[command(flatten)]
    flags: BuildFlags,
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

fn machine(plan: &Plan) -> String {
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

fn repo_name(p: &std::path::Path) -> String {
    std::fs::canonicalize(p)
        .ok()
        .and_then(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| p.display().to_string())
}

pub fn run(a: Args) -> u8 {
    if let Some(f) = &a.from_json {
        let rep: BenchReport = match std::fs::read_to_string(f)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {}: {e}", f.display());
                return exit::USAGE;
            }
        };
        return output(&rep, &a);
    }
    let after = match a.flags.plan(&a.path, &a.services, None) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let before = match &a.before {
        Some(dir) => match a.flags.plan(dir, &a.services, None) {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("error: --before: {e}");
                return exit::USAGE;
            }
        },
        None => None,
    };
    if !a.yes {
        let df = after
            .docker
            .run(&["system", "df"])
            .unwrap_or_else(|e| format!("({e})\n"));
        eprintln!(
            "dockprep bench empties the local builder's cache, cache mounts included (`{} builder prune -af`), before every cold build.\nWhat it would wipe now:\n{df}Run again with --yes to measure.",
            after.docker.program.display()
        );
        return exit::USAGE;
    }
    // `x/before` and `x/after` are two states of the repository `x`.
    let repo_after = match &a.before {
        Some(b) => {
            let (pa, pb) = (
                std::fs::canonicalize(&a.path).ok(),
                std::fs::canonicalize(b).ok(),
            );
            match (
                pa.as_ref().and_then(|p| p.parent()),
                pb.as_ref().and_then(|p| p.parent()),
            ) {
                (Some(x), Some(y)) if x == y => repo_name(x),
                _ => repo_name(&a.path),
            }
        }
        None => repo_name(&a.path),
    };
    let mut subjects: Vec<Subject> = Vec::new();
    for spec in &after.specs {
        if let Some(b) = &before {
            match b.specs.iter().find(|s| s.name == spec.name) {
                Some(bs) => subjects.push(new_subject(b, bs, Variant::Before, &repo_after)),
                None => eprintln!(
                    "warning: `{}` has no counterpart in --before; measuring the after state only",
                    spec.name
                ),
            }
        }
        subjects.push(new_subject(&after, spec, Variant::After, &repo_after));
    }
    let mut redactor = Redactor::default();
    let total = subjects.len() * a.runs * 3;
    let mut done = 0;
    for run in 0..a.runs {
        // Alternate before/after so drift of the machine hits both alike.
        let order: Vec<usize> = if run % 2 == 0 {
            (0..subjects.len()).collect()
        } else {
            (0..subjects.len()).rev().collect()
        };
        for i in order {
            let s = &mut subjects[i];
            for step in ["cold", "warm", "no-change"] {
                done += 1;
                eprintln!(
                    "[{done}/{total}] run {}: {} `{}` ({:?}): {step} build",
                    run + 1,
                    s.surface.repo,
                    s.spec.name,
                    s.variant
                );
                if let Err(e) = measure(s, step, &a, &mut redactor) {
                    eprintln!("error: {}", redactor.redact(&e));
                    return exit::FINDINGS;
                }
            }
        }
    }
    let rep = BenchReport {
        version: 1,
        runs: a.runs,
        machine: machine(&after),
        surfaces: subjects.into_iter().map(Subject::finish).collect(),
    };
    output(&rep, &a)
}

fn output(rep: &BenchReport, a: &Args) -> u8 {
    let mut rep = rep.clone();
    rep.annotate();
    let rep = &rep;
    if let Some(h) = &a.html {
        if let Err(e) = dockprep::bench::touch::write_atomic(h, report::html(rep).as_bytes()) {
            eprintln!("error: cannot write {}: {e}", h.display());
            return exit::FINDINGS;
        }
    }
    if a.json {
        print!("{}", report::json(rep));
    } else {
        print!("{}", report::markdown(rep));
    }
    exit::CLEAN
}

fn new_subject<'a>(
    plan: &'a Plan,
    spec: &'a BuildSpec,
    variant: Variant,
    repo: &str,
) -> Subject<'a> {
    Subject {
        plan,
        spec,
        variant,
        surface: Surface::new(repo, &spec.name, variant),
        warm_runs: Vec::new(),
    }
}

fn measure(s: &mut Subject, kind: &str, a: &Args, redactor: &mut Redactor) -> Result<(), String> {
    let plan = s.plan;
    let spec = s.spec;
    precheck(plan, spec, !a.flags.no_preflight)?;
    let mode = if a.flags.progress == ProgressMode::Plain {
        ProgressMode::Plain
    } else {
        ProgressMode::Quiet
    };
    match kind {
        "cold" => {
            plan.docker
                .run(&["builder", "prune", "-af"])
                .map_err(|e| e.to_string())?;
            if let Some(hook) = &a.cold_hook {
                let st = std::process::Command::new("sh")
                    .args(["-c", hook])
                    .stdout(std::process::Stdio::null())
                    .status()
                    .map_err(|e| format!("--cold-hook `{hook}`: {e}"))?;
                if !st.success() {
                    return Err(format!("--cold-hook `{hook}` failed ({st})"));
                }
            }
            let out = run_build(plan, spec, false, mode, redactor)?;
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
            let file = match &a.touch {
                Some(t) => spec.repo.join(t),
                None => dockprep::docker::spec::image_of(&plan.project, spec)
                    .and_then(|img| pick(&plan.project, img))
                    .ok_or_else(|| format!("`{}`: found no source file to change for the warm build; pass --touch FILE", spec.name))?,
            };
            let touched = Touched::new(&file)
                .map_err(|e| format!("cannot change {}: {e}", file.display()))?;
            let out = run_build(plan, spec, false, mode, redactor);
            touched
                .restore()
                .map_err(|e| format!("cannot restore {}: {e}", file.display()))?;
            let out = out?;
            check(&out, spec)?;
            s.surface.touched = Some(dockprep::project::sources::slash(
                &dockprep::project::sources::relative_to(&file, &spec.repo).unwrap_or(file.clone()),
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
            let out = run_build(plan, spec, false, mode, redactor)?;
            check(&out, spec)?;
            s.surface.no_change.seconds.push(out.seconds);
        }
    }
    Ok(())
}

fn check(out: &dockprep::docker::client::BuildOutcome, spec: &BuildSpec) -> Result<(), String> {
    if out.success {
        return Ok(());
    }
    Err(super::build::describe(spec, out))
}
