use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::{exit, Failure};
use dockprep::build::{self, BuildError, Plan};
use dockprep::docker::client::{BuildOutcome, Redactor};
use dockprep::docker::progress::Status;
use dockprep::docker::spec::{BuildSpec, Overrides};
use dockprep::docker::summary;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    /// A progress line on a terminal, nothing otherwise.
    Auto,
    /// BuildKit's plain output passes through.
    Plain,
    /// Nothing while building.
    Quiet,
}

/// Flags shared by `build` and `bench`: how to run the builds.
#[derive(clap::Args, Debug, Clone)]
pub struct BuildFlags {
    /// Docker client to use (default: $DOCKPREP_DOCKER, else `docker`).
    #[arg(long, value_name = "PATH")]
    pub docker: Option<PathBuf>,
    /// Build argument KEY=VALUE (overrides compose `args`).
    #[arg(long = "build-arg", value_name = "KEY=VALUE")]
    pub build_args: Vec<String>,
    /// Secret `id=NAME,src=FILE` or `id=NAME,env=VAR`.
    #[arg(long = "secret", value_name = "SPEC")]
    pub secrets: Vec<String>,
    /// Extra host `NAME:IP` (`host-gateway` is loopback on the host network).
    #[arg(long = "add-host", value_name = "NAME:IP")]
    pub add_hosts: Vec<String>,
    /// Network for RUN steps (e.g. `host`).
    #[arg(long)]
    pub network: Option<String>,
    /// Target stage.
    #[arg(long)]
    pub target: Option<String>,
    /// Skip the registry check before building.
    #[arg(long)]
    pub no_preflight: bool,
    /// How to show progress while building.
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    pub progress: ProgressMode,
    /// Build this Dockerfile instead of compose services.
    #[arg(long, short = 'f')]
    pub file: Option<PathBuf>,
    /// Build context for --file (default: PATH).
    #[arg(long)]
    pub context: Option<PathBuf>,
}

impl BuildFlags {
    pub fn overrides(&self, tag: Option<String>) -> Result<Overrides, BuildError> {
        build::overrides(
            &self.build_args,
            &self.secrets,
            &self.add_hosts,
            self.network.clone(),
            self.target.clone(),
            tag,
        )
    }
    /// The plan for `path`: project model (loaded as an audit loads it),
    /// build specs, docker client.
    pub fn plan(
        &self,
        path: &std::path::Path,
        services: &[String],
        tag: Option<String>,
    ) -> Result<Plan, BuildError> {
        let req = build::Request {
            path: path.to_path_buf(),
            services: services.to_vec(),
            file: self.file.clone(),
            context: self.context.clone(),
            overrides: self.overrides(tag)?,
            docker: self.docker.clone(),
        };
        build::plan(&req, &dockprep::audit::options())
    }
}

/// Where the private-scope packages come from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// The registry when its preflight passes; tarballs when it fails or when
    /// no registry is wired for the private packages the image installs.
    Auto,
    /// The private registry (the build stops when the preflight fails).
    Registry,
    /// Tarballs of the sibling workspace, placed with the rewritten manifests
    /// into a build context dockprep writes: no file on disk changes.
    Tarball,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Repository with a compose file (or a Dockerfile).
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Compose services to build (default: all that build).
    services: Vec<String>,
    /// Image tag.
    #[arg(long, short = 't')]
    tag: Option<String>,
    /// Build without the layer cache.
    #[arg(long)]
    no_cache: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// Registry path, tarball path (the hermetic fallback), or auto.
    #[arg(long, value_enum, default_value_t = Mode::Auto)]
    mode: Mode,
    /// Workspace the tarballs are packed from (default: as `dockprep prep`).
    #[arg(long)]
    workspace: Vec<PathBuf>,
    #[command(flatten)]
    flags: BuildFlags,
}

/// Runs one build with the chosen progress display.
pub fn run_build(
    plan: &Plan,
    spec: &BuildSpec,
    no_cache: bool,
    mode: ProgressMode,
    redactor: &mut Redactor,
) -> Result<BuildOutcome, BuildError> {
    let bar = if mode == ProgressMode::Auto && std::io::stderr().is_terminal() {
        let b = ProgressBar::new_spinner();
        b.set_style(
            ProgressStyle::with_template("{spinner} {prefix} {elapsed:>4} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        b.set_prefix(spec.name.clone());
        b.enable_steady_tick(Duration::from_millis(120));
        Some(b)
    } else {
        None
    };
    let out = build::run_build(
        plan,
        spec,
        no_cache,
        redactor,
        |line, progress| match mode {
            ProgressMode::Plain => eprintln!("{line}"),
            ProgressMode::Quiet => {}
            ProgressMode::Auto => {
                if let Some(b) = &bar {
                    if let Some(s) = progress.steps().filter(|s| s.is_instruction()).last() {
                        let (i, n) = s.position.unwrap_or((0, 0));
                        b.set_message(format!("[{i}/{n}] {}", s.instruction));
                    }
                }
            }
        },
    );
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    out
}

/// Human report of one build.
pub fn describe(spec: &BuildSpec, out: &BuildOutcome) -> String {
    build::describe(spec, out)
}

/// JSON of one build.
pub fn to_json(spec: &BuildSpec, out: &BuildOutcome) -> serde_json::Value {
    let steps: Vec<_> = out
        .progress
        .steps()
        .map(|s| {
            json!({"id": s.id, "name": s.name, "stage": s.stage, "position": s.position, "instruction": s.instruction,
                   "status": s.status, "cached": s.cached(), "seconds": s.seconds,
                   "logs": if matches!(s.status, Status::Error(_)) { s.logs.iter().rev().take(20).rev().cloned().collect::<Vec<_>>() } else { Vec::new() }})
        })
        .collect();
    let installs: Vec<_> = summary::installs(&out.progress)
        .into_iter()
        .map(|(s, st)| json!({"step": s.name, "resolved": st.resolved, "reused": st.reused, "downloaded": st.downloaded, "added": st.added,
                              "store_reused": st.downloaded == 0 && st.reused > 0}))
        .collect();
    json!({"name": spec.name, "dockerfile": spec.dockerfile, "context": spec.context, "tag": spec.tag,
           "success": out.success, "exit_code": out.exit_code, "seconds": out.seconds, "command": out.command,
           "steps": steps, "installs": installs})
}

impl From<Mode> for build::Mode {
    fn from(m: Mode) -> build::Mode {
        match m {
            Mode::Auto => build::Mode::Auto,
            Mode::Registry => build::Mode::Registry,
            Mode::Tarball => build::Mode::Tarball,
        }
    }
}

pub fn run(a: Args) -> Result<u8, Failure> {
    Ok({
        let plan = match a.flags.plan(&a.path, &a.services, a.tag.clone()) {
            Ok(p) => p,
            Err(e) => {
                return Err(Failure::usage(e));
            }
        };
        let mut redactor = super::redactor();
        let mut results = Vec::new();
        let mut code = exit::CLEAN;
        let tmp = match tempfile::tempdir() {
            Ok(t) => t,
            Err(e) => {
                return Err(Failure::new(
                    exit::FINDINGS,
                    format!("cannot create a temporary directory: {e}"),
                ));
            }
        };
        for spec in &plan.specs {
            let prepared = match build::prepare(
                &plan,
                spec,
                a.mode.into(),
                a.flags.no_preflight,
                &a.path,
                &a.workspace,
                tmp.path(),
            ) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("error: {}", redactor.redact(&e.to_string()));
                    code = exit::FINDINGS;
                    break;
                }
            };
            let spec = &prepared.spec;
            if let Some((why, note)) = &prepared.fallback {
                eprintln!(
                    "{}: {}\n  building with tarballs instead (the work tree is not touched): {note}",
                    spec.name,
                    redactor.redact(why)
                );
            }
            match run_build(&plan, spec, a.no_cache, a.flags.progress, &mut redactor) {
                Ok(out) => {
                    if a.json {
                        let mut v = to_json(spec, &out);
                        v["mode"] = json!(prepared.mode);
                        results.push(v);
                    } else {
                        print!("{}", redactor.redact(&describe(spec, &out)));
                    }
                    if !out.success {
                        code = exit::FINDINGS;
                        break;
                    }
                }
                Err(e) => {
                    eprintln!("error: {}", redactor.redact(&e.to_string()));
                    code = exit::FINDINGS;
                    break;
                }
            }
        }
        if a.json {
            let mut v = json!({"version": 1, "builds": results});
            redactor.redact_json(&mut v);
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        code
    })
}
