//! `dockprep bench`: flags, the cache-wiping consent, and the report's
//! output. The measurements are [`dockprep::build::bench`].

use std::path::PathBuf;

use super::build::{BuildFlags, ProgressMode};
use super::{exit, Failure};
use dockprep::bench::{report, BenchReport};
use dockprep::build::bench::{self as measure, Event};

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

/// Why a measurement did not give a report.
pub enum Failed {
    /// `--yes` is missing: what the cache wipe would remove, to show as is.
    Consent(String),
    /// An error (its message) with the exit code.
    Error { code: u8, message: String },
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failed::Consent(m) | Failed::Error { message: m, .. } => f.write_str(m),
        }
    }
}

/// Plans both states and measures them (after the `--yes` consent): the
/// report, or the failure. Progress goes to stderr. `dockprep lockfile
/// --adr` calls it in-process.
pub fn measured(a: &Args) -> Result<BenchReport, Failed> {
    let usage = |message: String| Failed::Error {
        code: exit::USAGE,
        message,
    };
    let after = a
        .flags
        .plan(&a.path, &a.services, None)
        .map_err(|e| usage(e.to_string()))?;
    let before = match &a.before {
        Some(dir) => Some(
            a.flags
                .plan(dir, &a.services, None)
                .map_err(|e| usage(format!("--before: {e}")))?,
        ),
        None => None,
    };
    if !a.yes {
        let df = after
            .docker
            .run(&["system", "df"])
            .unwrap_or_else(|e| format!("({e})\n"));
        return Err(Failed::Consent(format!(
            "dockprep bench empties the local builder's cache, cache mounts included (`{} builder prune -af`), before every cold build.\nWhat it would wipe now:\n{df}Run again with --yes to measure.",
            after.docker.program.display()
        )));
    }
    // `x/before` and `x/after` are two states of the repository `x`.
    let repo = measure::repo_name(&a.path, a.before.as_deref());
    let opts = measure::Options {
        runs: a.runs,
        touch: a.touch.clone(),
        cold_hook: a.cold_hook.clone(),
        no_preflight: a.flags.no_preflight,
        plain: a.flags.progress == ProgressMode::Plain,
    };
    let mut redactor = super::redactor();
    let mut on = |e: Event<'_>| match e {
        Event::Build {
            done,
            total,
            run,
            repo,
            service,
            variant,
            kind,
        } => {
            eprintln!("[{done}/{total}] run {run}: {repo} `{service}` ({variant:?}): {kind} build")
        }
        Event::Line(l) => eprintln!("{l}"),
        Event::Warning(w) => eprintln!("warning: {w}"),
    };
    measure::measure(
        &after,
        before.as_ref(),
        &repo,
        &opts,
        &mut redactor,
        &mut on,
    )
    .map_err(|e| Failed::Error {
        code: exit::FINDINGS,
        message: redactor.redact(&e.to_string()),
    })
}

pub fn run(a: Args) -> Result<u8, Failure> {
    Ok({
        if let Some(f) = &a.from_json {
            let rep: BenchReport = match std::fs::read_to_string(f)
                .map_err(|e| e.to_string())
                .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
            {
                Ok(r) => r,
                Err(e) => {
                    return Err(Failure::usage(format!("{}: {e}", f.display())));
                }
            };
            return Ok(output(&rep, &a));
        }
        match measured(&a) {
            Ok(rep) => output(&rep, &a),
            Err(Failed::Consent(m)) => {
                eprintln!("{m}");
                exit::USAGE
            }
            Err(Failed::Error { code, message }) => return Err(Failure::new(code, message)),
        }
    })
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
