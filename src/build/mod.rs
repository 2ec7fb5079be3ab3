//! Build orchestration for `dockprep build` and `dockprep bench`: the plan
//! (the project model loaded once, the build specs, the docker client), the
//! checks before a build (secrets, registry preflight), and where the
//! private-scope packages come from (the registry, or tarballs placed into a
//! build context dockprep writes). Returns data and typed errors; the CLI
//! prints them. [`bench`] runs the measurements of `dockprep bench` (and of
//! `dockprep lockfile --adr`) on top of it.

pub mod bench;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::docker::client::{BuildOutcome, Docker, DockerError, Redactor};
use crate::docker::context::{write_context_using, ContextError, ContextSpec, Ignore, Walker};
use crate::docker::progress::Progress;
use crate::docker::spec::{self, BuildSpec, Overrides, Secret};
use crate::docker::{preflight, summary};
use crate::project::{self, Project};

/// Why a build could not be planned, prepared or run.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("path not found: {}", .0.display())]
    NotFound(PathBuf),
    #[error(transparent)]
    Load(#[from] project::LoadError),
    /// A flag or a compose file that does not describe a build.
    #[error("{0}")]
    Usage(String),
    #[error("`{image}` mounts secret `{id}`, but nothing provides it: add it to the service's `build.secrets` and the top-level `secrets`, or pass `--secret id={id},env=VAR`")]
    MissingSecret { image: String, id: String },
    #[error(transparent)]
    Secret(#[from] spec::SecretError),
    #[error(transparent)]
    Spec(#[from] spec::SpecError),
    #[error("preflight for `{image}`: {message}")]
    Preflight { image: String, message: String },
    /// The registry preflight failed and the build was to go through it.
    #[error("{0}; not building")]
    NotBuilding(Box<BuildError>),
    #[error("tarball mode for `{image}`: {message}")]
    Tarball { image: String, message: String },
    #[error("tarball mode for `{image}`: the image installs with `--frozen-lockfile` from `{lock}`, which pins the registry packages; tarballs cannot satisfy it. Build through the registry, or return this image to `--lockfile=false` for the fallback")]
    FrozenDockerLock { image: String, lock: String },
    #[error("tarball mode for `{image}`: the .dockerignore in effect ({ignore}) excludes {excluded} (roadmap A6-3: `.docker-deps/` must reach the build)")]
    DockerDepsExcluded {
        image: String,
        ignore: String,
        excluded: String,
    },
    #[error("tarball mode for `{image}`: {source}")]
    Context { image: String, source: ContextError },
    #[error("cannot write the build context {}: {message}", path.display())]
    ContextFile { path: PathBuf, message: String },
    /// The registry path was not taken (`why`) and the tarball path failed.
    #[error("{why}; {source}")]
    Fallback {
        why: String,
        source: Box<BuildError>,
    },
    #[error(transparent)]
    Docker(#[from] DockerError),
    /// A build that ran and failed (the text describes it).
    #[error("{0}")]
    Failed(String),
    #[error("{0}")]
    Other(String),
}

/// Where the private-scope packages come from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The registry when its preflight passes; tarballs when it fails or when
    /// no registry is wired for the private packages the image installs.
    Auto,
    /// The private registry (the build stops when the preflight fails).
    Registry,
    /// Tarballs of the sibling workspace in a build context dockprep writes.
    Tarball,
}

/// What to build: a path, its services (or one Dockerfile) and the overrides.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Repository with a compose file (or a Dockerfile).
    pub path: PathBuf,
    /// Compose services (empty: all that build).
    pub services: Vec<String>,
    /// Build this Dockerfile instead of compose services.
    pub file: Option<PathBuf>,
    /// Build context for `file` (default: `path`).
    pub context: Option<PathBuf>,
    pub overrides: Overrides,
    /// Docker client (default: `$DOCKPREP_DOCKER`, else `docker`).
    pub docker: Option<PathBuf>,
}

/// Everything `build` and `bench` need to run builds.
pub struct Plan {
    pub project: Project,
    pub specs: Vec<BuildSpec>,
    pub docker: Docker,
}

fn parse_kv(list: &[String], what: &str) -> Result<Vec<(String, String)>, BuildError> {
    list.iter()
        .map(|a| {
            a.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| {
                    BuildError::Usage(format!("invalid {what} `{a}`: expected KEY=VALUE"))
                })
        })
        .collect()
}

/// The overrides of the command line: `--build-arg`, `--secret`,
/// `--add-host`, `--network`, `--target`, `--tag`.
pub fn overrides(
    build_args: &[String],
    secrets: &[String],
    add_hosts: &[String],
    network: Option<String>,
    target: Option<String>,
    tag: Option<String>,
) -> Result<Overrides, BuildError> {
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

/// Builds the plan: the project model (loaded once, with `load`: the
/// caller passes `audit::options()` so a build sees what an audit sees),
/// the specs, the docker client.
pub fn plan(req: &Request, load: &project::Options) -> Result<Plan, BuildError> {
    let path = req.path.as_path();
    if !path.exists() {
        return Err(BuildError::NotFound(path.to_path_buf()));
    }
    let mut roots = vec![path.to_path_buf()];
    if let Some(c) = &req.context {
        roots.push(c.clone());
    }
    let project = project::load(&roots, load)?;
    let specs = match &req.file {
        Some(f) => vec![spec::single(
            &project,
            f,
            req.context.as_deref().unwrap_or(path),
            &req.overrides,
        )?],
        None => spec::from_compose(&project, path, &req.services, &req.overrides)?,
    };
    Ok(Plan {
        project,
        specs,
        docker: Docker::detect(req.docker.clone()),
    })
}

/// Checks secrets and registries before a build.
pub(crate) fn precheck(
    plan: &Plan,
    spec: &BuildSpec,
    preflight_on: bool,
) -> Result<(), BuildError> {
    let missing = spec::missing_secrets(&plan.project, spec);
    if let Some(id) = missing.first() {
        return Err(BuildError::MissingSecret {
            image: spec.name.clone(),
            id: id.clone(),
        });
    }
    for s in &spec.secrets {
        s.value()?;
    }
    if preflight_on {
        registry_preflight(plan, spec).map_err(|e| BuildError::NotBuilding(Box::new(e)))?;
    }
    Ok(())
}

/// Checks every private registry the image's `.npmrc` names. `Ok(false)`
/// when it names none.
pub(crate) fn registry_preflight(plan: &Plan, spec: &BuildSpec) -> Result<bool, BuildError> {
    let failed = |e: preflight::Failure| BuildError::Preflight {
        image: spec.name.clone(),
        message: e.to_string(),
    };
    let targets = preflight::targets(&plan.project, spec).map_err(failed)?;
    for t in &targets {
        preflight::check(t, Duration::from_secs(3)).map_err(failed)?;
    }
    Ok(!targets.is_empty())
}

/// Whether the image copies the Docker-only lockfile (`dockprep lockfile`)
/// into a stage.
fn installs_from_docker_lockfile(plan: &Plan, spec: &BuildSpec) -> bool {
    let Some(image) = spec::image_of(&plan.project, spec) else {
        return false;
    };
    plan.project.dockerfiles[image.dockerfile]
        .value
        .instructions
        .iter()
        .any(crate::lockfile::copies_docker_lock)
}

/// The `.dockerignore` the model chose for the image (the same rule
/// BuildKit follows), so the context writer does not choose again.
fn model_ignore(plan: &Plan, spec: &BuildSpec) -> Ignore {
    let chosen = spec::image_of(&plan.project, spec).and_then(|image| {
        let i = image.dockerignore?;
        let d = &plan.project.dockerignores[i];
        Some((d.path.clone(), d.value.clone()))
    });
    match chosen {
        Some(c) => Ignore::Given(Some(c)),
        // None in the model: no file, or one it could not parse; the writer looks.
        None => Ignore::Find,
    }
}

/// Makes `spec` build from a context dockprep writes: the context filtered
/// by its `.dockerignore`, the manifests rewritten to `.docker-deps/`
/// tarballs of the private-scope packages, the tarballs added. Returns what
/// to tell the user, or `None` (spec unchanged) when the image installs no
/// private package and `forced` is not set.
pub(crate) fn use_tarballs(
    plan: &Plan,
    spec: &mut BuildSpec,
    repo: &Path,
    workspaces: &[PathBuf],
    dir: &Path,
    forced: bool,
) -> Result<Option<String>, BuildError> {
    let tarball = |message: String| BuildError::Tarball {
        image: spec.name.clone(),
        message,
    };
    let p = crate::prep::plan::plan(&crate::prep::plan::PlanOptions {
        root: spec.context.clone(),
        workspaces: workspaces.to_vec(),
        private_scopes: Vec::new(),
        search: vec![repo.to_path_buf()],
        only: installed_manifests(plan, spec),
        read_cache: plan.project.sources.disk_texts(),
    })
    .map_err(|e| tarball(e.to_string()))?;
    if p.tarballs.is_empty() && !forced {
        return Ok(None);
    }
    if !p.tarballs.is_empty() && installs_from_docker_lockfile(plan, spec) {
        return Err(BuildError::FrozenDockerLock {
            image: spec.name.clone(),
            lock: crate::lockfile::LOCK.to_string(),
        });
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
        .map_err(|e| {
            BuildError::Other(format!(
                "cannot write the build context in {}: {e}",
                dir.display()
            ))
        })?;
    let file = std::fs::File::create(&path).map_err(|e| BuildError::ContextFile {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let summary = write_context_using(
        &ContextSpec {
            dir: &spec.context,
            dockerfile: &spec.dockerfile,
            overlay,
            walker: Walker::for_client(plan.docker.buildx),
            known: Some(&p.texts),
        },
        model_ignore(plan, spec),
        std::io::BufWriter::new(file),
    )
    .map_err(|source| BuildError::Context {
        image: spec.name.clone(),
        source,
    })?;
    if !summary.excluded_overlay.is_empty() {
        return Err(BuildError::DockerDepsExcluded {
            image: spec.name.clone(),
            ignore: summary
                .ignore_file
                .as_ref()
                .map_or_else(|| "?".into(), |f| f.display().to_string()),
            excluded: summary.excluded_overlay.join(", "),
        });
    }
    spec.context_tar = Some(spec::ContextTar {
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
                crate::syntax::dockerfile::Kind::Copy | crate::syntax::dockerfile::Kind::Add
            ) && i.flag("from").is_none()
        })
        .flat_map(|i| &i.sources)
        .any(|s| {
            let src = s.value.trim_start_matches("./").trim_end_matches('/');
            src.is_empty()
                || src == "."
                || project::wildcard(src, ".docker-deps")
                || project::wildcard(src, ".docker-deps/x.tgz")
        })
}

/// How one spec is to be built, after [`prepare`].
pub struct Prepared {
    /// The spec to build (with a written context for the tarball path).
    pub spec: BuildSpec,
    /// `"registry"` or `"tarball"`.
    pub mode: &'static str,
    /// Why the registry path was not taken and what the tarballs are, when
    /// they are: `(why, note)`.
    pub fallback: Option<(String, String)>,
}

/// Chooses the path of one spec (registry or tarballs, by `mode`) and runs
/// the checks it needs. Tarball contexts are written into `dir`.
pub fn prepare(
    plan: &Plan,
    spec: &BuildSpec,
    mode: Mode,
    no_preflight: bool,
    repo: &Path,
    workspaces: &[PathBuf],
    dir: &Path,
) -> Result<Prepared, BuildError> {
    let mut spec = spec.clone();
    if mode == Mode::Registry {
        precheck(plan, &spec, !no_preflight)?;
    }
    let why = match mode {
        Mode::Registry => None,
        Mode::Tarball => Some("--mode tarball".to_string()),
        Mode::Auto if no_preflight => None,
        Mode::Auto => match registry_preflight(plan, &spec) {
            Ok(true) => None,
            Ok(false) => Some("no private registry is wired into this image".to_string()),
            Err(e) => Some(e.to_string()),
        },
    };
    let mut chosen = "registry";
    let mut fallback = None;
    if let Some(why) = why {
        let forced = mode == Mode::Tarball;
        match use_tarballs(plan, &mut spec, repo, workspaces, dir, forced) {
            Ok(Some(note)) => {
                chosen = "tarball";
                fallback = Some((why, note));
            }
            // Nothing private to provide: the plain build it is.
            Ok(None) => {}
            Err(e) => {
                return Err(BuildError::Fallback {
                    why,
                    source: Box::new(e),
                })
            }
        }
    }
    // The registry path needs its secrets (checked above for `Mode::Registry`).
    if chosen == "registry" && mode != Mode::Registry {
        precheck(plan, &spec, false)?;
    }
    Ok(Prepared {
        spec,
        mode: chosen,
        fallback,
    })
}

/// Runs one build; `on_line` sees every line of the client's output with
/// the progress so far.
pub fn run_build(
    plan: &Plan,
    spec: &BuildSpec,
    no_cache: bool,
    redactor: &mut Redactor,
    on_line: impl FnMut(&str, &Progress),
) -> Result<BuildOutcome, BuildError> {
    Ok(plan.docker.build(spec, no_cache, redactor, on_line)?)
}

/// Human report of one build.
pub fn describe(spec: &BuildSpec, out: &BuildOutcome) -> String {
    use crate::docker::progress::Status;
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
