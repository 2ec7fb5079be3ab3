use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::exit;
use dockprep::docker::client::{BuildOutcome, Docker, Redactor};
use dockprep::docker::progress::Status;
use dockprep::docker::spec::{self, BuildSpec, Overrides, Secret};
use dockprep::docker::{preflight, summary};
use dockprep::project;

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
    pub fn overrides(&self, tag: Option<String>) -> Result<Overrides, String> {
        overrides(
            &self.build_args,
            &self.secrets,
            &self.add_hosts,
            self.network.clone(),
            self.target.clone(),
            tag,
        )
    }
    /// The plan for `path`: project model, build specs, docker client.
    pub fn plan(
        &self,
        path: &std::path::Path,
        services: &[String],
        tag: Option<String>,
    ) -> Result<Plan, String> {
        let o = self.overrides(tag)?;
        plan(
            path,
            services,
            self.file.as_ref(),
            self.context.as_ref(),
            &o,
            self.docker.clone(),
        )
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

/// Everything `build` and `bench` need to run builds.
pub struct Plan {
    pub project: project::Project,
    pub specs: Vec<BuildSpec>,
    pub docker: Docker,
}

/// Builds the plan: project model, specs, docker client. Errors are messages for the user.
pub fn plan(
    path: &std::path::Path,
    services: &[String],
    file: Option<&PathBuf>,
    context: Option<&PathBuf>,
    overrides: &Overrides,
    docker: Option<PathBuf>,
) -> Result<Plan, String> {
    if !path.exists() {
        return Err(format!("path not found: {}", path.display()));
    }
    let mut roots = vec![path.to_path_buf()];
    if let Some(c) = context {
        roots.push(c.clone());
    }
    let project = project::load(&roots, &dockprep::audit::options()).map_err(|e| e.to_string())?;
    let specs = match file {
        Some(f) => vec![spec::single(
            &project,
            f,
            context.map_or(path, |c| c.as_path()),
            overrides,
        )?],
        None => spec::from_compose(&project, path, services, overrides)?,
    };
    Ok(Plan {
        project,
        specs,
        docker: Docker::detect(docker),
    })
}

/// Checks secrets and registries before a build. Returns the problem, if any.
pub fn precheck(plan: &Plan, spec: &BuildSpec, preflight_on: bool) -> Result<(), String> {
    let missing = spec::missing_secrets(&plan.project, spec);
    if let Some(id) = missing.first() {
        return Err(format!(
            "`{}` mounts secret `{id}`, but nothing provides it: add it to the service's `build.secrets` and the top-level `secrets`, or pass `--secret id={id},env=VAR`",
            spec.name
        ));
    }
    for s in &spec.secrets {
        s.value()?;
    }
    if preflight_on {
        registry_preflight(plan, spec).map_err(|e| format!("{e}; not building"))?;
    }
    Ok(())
}

/// Checks every private registry the image's `.npmrc` names. `Ok(false)`
/// when it names none.
pub fn registry_preflight(plan: &Plan, spec: &BuildSpec) -> Result<bool, String> {
    let targets = preflight::targets(&plan.project, spec)
        .map_err(|e| format!("preflight for `{}`: {e}", spec.name))?;
    for t in &targets {
        preflight::check(t, Duration::from_secs(3))
            .map_err(|e| format!("preflight for `{}`: {e}", spec.name))?;
    }
    Ok(!targets.is_empty())
}

/// Whether the image copies the Docker-only lockfile (`dockprep lockfile`)
/// into a stage.
fn installs_from_docker_lockfile(plan: &Plan, spec: &BuildSpec) -> bool {
    let Some(image) = dockprep::docker::spec::image_of(&plan.project, spec) else {
        return false;
    };
    plan.project.dockerfiles[image.dockerfile]
        .value
        .instructions
        .iter()
        .any(dockprep::lockfile::copies_docker_lock)
}

/// Makes `spec` build from a context dockprep writes: the context filtered
/// by its `.dockerignore`, the manifests rewritten to `.docker-deps/`
/// tarballs of the private-scope packages, the tarballs added. Returns what
/// to tell the user, or `None` (spec unchanged) when the image installs no
/// private package and `forced` is not set.
pub fn use_tarballs(
    plan: &Plan,
    spec: &mut BuildSpec,
    repo: &std::path::Path,
    workspaces: &[PathBuf],
    dir: &std::path::Path,
    forced: bool,
) -> Result<Option<String>, String> {
    use dockprep::docker::context::{write_context, ContextSpec, Walker};
    let p = dockprep::prep::plan::plan(&dockprep::prep::plan::PlanOptions {
        root: spec.context.clone(),
        workspaces: workspaces.to_vec(),
        private_scopes: Vec::new(),
        search: vec![repo.to_path_buf()],
        only: installed_manifests(plan, spec),
    })
    .map_err(|e| format!("tarball mode for `{}`: {e}", spec.name))?;
    if p.tarballs.is_empty() && !forced {
        return Ok(None);
    }
    if !p.tarballs.is_empty() && installs_from_docker_lockfile(plan, spec) {
        return Err(format!(
            "tarball mode for `{}`: the image installs with `--frozen-lockfile` from `{}`, which pins the registry packages; tarballs cannot satisfy it. Build through the registry, or return this image to `--lockfile=false` for the fallback",
            spec.name,
            dockprep::lockfile::LOCK
        ));
    }
    let mut overlay = std::collections::BTreeMap::new();
    for t in &p.tarballs {
        overlay.insert(t.path.clone(), t.bytes.clone());
    }
    for r in &p.rewrites {
        overlay.insert(r.path.clone(), r.rewritten.clone());
    }
    let path = tempfile::Builder::new()
        .prefix("context-")
        .suffix(".tar")
        .tempfile_in(dir)
        .and_then(|f| f.keep().map_err(|e| e.error))
        .map(|(_, p)| p)
        .map_err(|e| format!("cannot write the build context in {}: {e}", dir.display()))?;
    let file = std::fs::File::create(&path)
        .map_err(|e| format!("cannot write the build context {}: {e}", path.display()))?;
    let summary = write_context(
        &ContextSpec {
            dir: &spec.context,
            dockerfile: &spec.dockerfile,
            overlay,
            walker: Walker::for_client(plan.docker.buildx),
        },
        std::io::BufWriter::new(file),
    )
    .map_err(|e| format!("tarball mode for `{}`: {e}", spec.name))?;
    if !summary.excluded_overlay.is_empty() {
        return Err(format!(
            "tarball mode for `{}`: the .dockerignore in effect ({}) excludes {} (roadmap A6-3: `.docker-deps/` must reach the build)",
            spec.name,
            summary
                .ignore_file
                .as_ref()
                .map_or_else(|| "?".into(), |f| f.display().to_string()),
            summary.excluded_overlay.join(", ")
        ));
    }
    spec.context_tar = Some(dockprep::docker::spec::ContextTar {
        path,
        dockerfile: summary.dockerfile_in_tar,
    });
    let mut note = format!(
        "{} private packages as tarballs ({}), {} manifests rewritten in the context only",
        p.tarballs.len(),
        p.tarballs
            .iter()
            .map(|t| format!("{}@{}", t.name, t.version))
            .collect::<Vec<_>>()
            .join(", "),
        p.rewrites.len()
    );
    if !p.tarballs.is_empty() && !copies_docker_deps(plan, spec) {
        note.push_str(&format!(
            "\nwarning: {} never copies `.docker-deps/` into the image, so the install cannot find the tarballs (add `COPY .docker-deps* /app/.docker-deps/`, roadmap A5)",
            spec.dockerfile.display()
        ));
    }
    Ok(Some(note))
}

/// The manifests the image's install steps use (empty when unknown).
fn installed_manifests(plan: &Plan, spec: &BuildSpec) -> Vec<PathBuf> {
    let Some(image) = spec.image.map(|i| &plan.project.images[i]) else {
        return Vec::new();
    };
    image
        .installs
        .iter()
        .flat_map(|i| &i.manifests)
        .map(|m| plan.project.manifests[m.manifest].path.clone())
        .collect()
}

/// True when a `COPY`/`ADD` from the context brings `.docker-deps/` in.
fn copies_docker_deps(plan: &Plan, spec: &BuildSpec) -> bool {
    let Some(image) = spec.image.map(|i| &plan.project.images[i]) else {
        return true;
    };
    plan.project.dockerfiles[image.dockerfile]
        .value
        .instructions
        .iter()
        .filter(|i| {
            matches!(
                i.kind,
                dockprep::syntax::dockerfile::Kind::Copy | dockprep::syntax::dockerfile::Kind::Add
            ) && i.flag("from").is_none()
        })
        .flat_map(|i| &i.sources)
        .any(|s| {
            let src = s.value.trim_start_matches("./").trim_end_matches('/');
            src.is_empty()
                || src == "."
                || dockprep::project::wildcard(src, ".docker-deps")
                || dockprep::project::wildcard(src, ".docker-deps/x.tgz")
        })
}

/// Runs one build with the chosen progress display.
pub fn run_build(
    plan: &Plan,
    spec: &BuildSpec,
    no_cache: bool,
    mode: ProgressMode,
    redactor: &mut Redactor,
) -> Result<BuildOutcome, String> {
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
    let out = plan
        .docker
        .build(spec, no_cache, redactor, |line, progress| match mode {
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
        })
        .map_err(|e| e.to_string());
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    out
}

/// Human report of one build.
pub fn describe(spec: &BuildSpec, out: &BuildOutcome) -> String {
    let mut s = String::new();
    if out.success {
        s.push_str(&format!(
            "built `{}` in {:.1} s ({}, context {})\n",
            spec.name,
            out.seconds,
            spec.dockerfile.display(),
            spec.context.display()
        ));
    } else {
        s.push_str(&format!(
            "FAILED `{}` after {:.1} s (exit {:?})\n",
            spec.name, out.seconds, out.exit_code
        ));
    }
    s.push_str(&summary::step_table(&out.progress));
    for l in summary::install_lines(&out.progress) {
        s.push_str(&format!("  {l}\n"));
    }
    if let Some(f) = out.progress.failed() {
        s.push_str(&format!("failing step: {}\n", f.name));
        if let Status::Error(m) = &f.status {
            s.push_str(&format!("  {m}\n"));
        }
        let tail: Vec<&String> = f.logs.iter().rev().take(15).collect();
        for l in tail.into_iter().rev() {
            s.push_str(&format!("  | {l}\n"));
        }
    }
    s
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

fn parse_kv(list: &[String], what: &str) -> Result<Vec<(String, String)>, String> {
    list.iter()
        .map(|a| {
            a.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| format!("invalid {what} `{a}`: expected KEY=VALUE"))
        })
        .collect()
}

pub fn overrides(
    build_args: &[String],
    secrets: &[String],
    add_hosts: &[String],
    network: Option<String>,
    target: Option<String>,
    tag: Option<String>,
) -> Result<Overrides, String> {
    Ok(Overrides {
        args: parse_kv(build_args, "build arg")?,
        secrets: secrets
            .iter()
            .map(|s| Secret::parse(s))
            .collect::<Result<_, _>>()?,
        add_hosts: add_hosts.to_vec(),
        network,
        target,
        tag,
    })
}

pub fn run(a: Args) -> u8 {
    let plan = match a.flags.plan(&a.path, &a.services, a.tag.clone()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let mut redactor = Redactor::default();
    let mut results = Vec::new();
    let mut code = exit::CLEAN;
    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot create a temporary directory: {e}");
            return exit::FINDINGS;
        }
    };
    for spec in &plan.specs {
        let mut spec = spec.clone();
        if a.mode == Mode::Registry {
            if let Err(e) = precheck(&plan, &spec, !a.flags.no_preflight) {
                eprintln!("error: {}", redactor.redact(&e));
                code = exit::FINDINGS;
                break;
            }
        }
        let why = match a.mode {
            Mode::Registry => None,
            Mode::Tarball => Some("--mode tarball".to_string()),
            Mode::Auto if a.flags.no_preflight => None,
            Mode::Auto => match registry_preflight(&plan, &spec) {
                Ok(true) => None,
                Ok(false) => Some("no private registry is wired into this image".to_string()),
                Err(e) => Some(e),
            },
        };
        let mut mode = "registry";
        if let Some(why) = why {
            let forced = a.mode == Mode::Tarball;
            match use_tarballs(&plan, &mut spec, &a.path, &a.workspace, tmp.path(), forced) {
                Ok(Some(note)) => {
                    mode = "tarball";
                    eprintln!(
                        "{}: {why}\n  building with tarballs instead (the work tree is not touched): {note}",
                        spec.name
                    );
                }
                // Nothing private to provide: the plain build it is.
                Ok(None) => {}
                Err(e) => {
                    eprintln!("error: {}", redactor.redact(&format!("{why}; {e}")));
                    code = exit::FINDINGS;
                    break;
                }
            }
        }
        // The registry path needs its secrets (checked above for --mode registry).
        if mode == "registry" && a.mode != Mode::Registry {
            if let Err(e) = precheck(&plan, &spec, false) {
                eprintln!("error: {}", redactor.redact(&e));
                code = exit::FINDINGS;
                break;
            }
        }
        match run_build(&plan, &spec, a.no_cache, a.flags.progress, &mut redactor) {
            Ok(out) => {
                let spec = &spec;
                if a.json {
                    let mut v = to_json(spec, &out);
                    v["mode"] = json!(mode);
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
                eprintln!("error: {}", redactor.redact(&e));
                code = exit::FINDINGS;
                break;
            }
        }
    }
    if a.json {
        let v = json!({"version": 1, "builds": results});
        println!(
            "{}",
            redactor.redact(&serde_json::to_string_pretty(&v).unwrap_or_default())
        );
    }
    code
}
