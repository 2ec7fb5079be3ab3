//! What to build: compose services (or one Dockerfile) turned into build
//! specifications with args, secrets, hosts, network, target and tag, checked
//! before anything runs.

use std::path::{Path, PathBuf};

use crate::paths::clean;
use crate::project::{Image, Project};
use crate::syntax::compose::FILE_NAMES;
use crate::syntax::dockerfile::Kind;

/// Where a secret's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretFrom {
    File(PathBuf),
    Env(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Secret {
    pub id: String,
    pub from: SecretFrom,
}

impl Secret {
    /// Parses `id=X,src=FILE` / `id=X,source=FILE` / `id=X,env=VAR` (the
    /// `docker build --secret` form). A bare `id=X` reads the env var `X`.
    pub fn parse(spec: &str) -> Result<Secret, SecretError> {
        let mut id = None;
        let mut from = None;
        for part in spec.split(',') {
            match part.split_once('=') {
                Some(("id", v)) => id = Some(v.to_string()),
                Some(("src" | "source", v)) => from = Some(SecretFrom::File(PathBuf::from(v))),
                Some(("env", v)) => from = Some(SecretFrom::Env(v.to_string())),
                Some(("type", "file" | "env")) => {}
                _ => {
                    return Err(SecretError::Invalid {
                        spec: spec.to_string(),
                        why: "expected id=NAME,src=FILE or id=NAME,env=VAR",
                    })
                }
            }
        }
        let id = id.ok_or_else(|| SecretError::Invalid {
            spec: spec.to_string(),
            why: "no id=",
        })?;
        let from = from.unwrap_or_else(|| SecretFrom::Env(id.clone()));
        Ok(Secret { id, from })
    }

    /// The secret's value, or why it cannot be read.
    pub fn value(&self) -> Result<String, SecretError> {
        match &self.from {
            SecretFrom::File(p) => {
                std::fs::read_to_string(p).map_err(|source| SecretError::Unreadable {
                    id: self.id.clone(),
                    path: p.clone(),
                    source,
                })
            }
            SecretFrom::Env(v) => std::env::var(v).map_err(|_| SecretError::Unset {
                id: self.id.clone(),
                var: v.clone(),
            }),
        }
    }
}

/// A `--secret` that cannot be parsed or read (the value is never part of it).
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("invalid secret `{spec}`: {why}")]
    Invalid { spec: String, why: &'static str },
    #[error("secret `{id}`: cannot read {}: {source}", path.display())]
    Unreadable {
        id: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("secret `{id}` comes from the environment variable `{var}`, which is not set")]
    Unset { id: String, var: String },
}

/// Why a compose file or a Dockerfile does not describe a build.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("no compose file in {} to find service `{service}` in", dir.display())]
    NoCompose { dir: PathBuf, service: String },
    #[error("{} has neither a compose file nor a Dockerfile", .0.display())]
    Nothing(PathBuf),
    /// A file the model could not read or parse (`why`: where and what).
    #[error("cannot read {what}{}{why}", path.display())]
    Unreadable {
        what: &'static str,
        path: PathBuf,
        why: String,
    },
    #[error("no service `{service}` in {}", compose.display())]
    NoService { service: String, compose: PathBuf },
    #[error("service `{service}` in {} has no `build`", compose.display())]
    NoBuild { service: String, compose: PathBuf },
    #[error("service `{0}`: its Dockerfile could not be read (see `dockprep audit`)")]
    DockerfileUnread(String),
    #[error("no service in {} has a `build`", .0.display())]
    NothingToBuild(PathBuf),
}

/// ` (LINE:COLUMN: MESSAGE)` of the model's error for `path`, or nothing.
fn error_at(project: &Project, path: &Path) -> String {
    project
        .errors
        .iter()
        .find(|e| e.path == path)
        .map_or(String::new(), |e| {
            format!(" ({}:{}: {})", e.line, e.column, e.message)
        })
}

/// One image to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildSpec {
    /// The compose service, or the Dockerfile path.
    pub name: String,
    pub repo: PathBuf,
    pub dockerfile: PathBuf,
    pub context: PathBuf,
    pub args: Vec<(String, String)>,
    pub secrets: Vec<Secret>,
    pub add_hosts: Vec<String>,
    pub network: Option<String>,
    pub target: Option<String>,
    pub tag: Option<String>,
    /// Index of the image in the project model (for preflight and messages).
    pub image: Option<usize>,
    /// When set, the build reads its context from this tar stream (written
    /// by [`crate::docker::context::write_context`]) on the client's stdin
    /// instead of walking [`BuildSpec::context`].
    pub context_tar: Option<ContextTar>,
}

/// A build context already written as a tar file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextTar {
    /// The uncompressed tar file.
    pub path: PathBuf,
    /// The Dockerfile's name inside the tar (passed as `-f`).
    pub dockerfile: String,
}

/// Flags given on the command line, applied on top of the compose file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub args: Vec<(String, String)>,
    pub secrets: Vec<Secret>,
    pub add_hosts: Vec<String>,
    pub network: Option<String>,
    pub target: Option<String>,
    pub tag: Option<String>,
}

/// Finds the compose file at the root of `dir`.
pub(crate) fn compose_file(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

fn repo_name(dir: &Path) -> String {
    std::fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "app".to_string())
        .to_ascii_lowercase()
        .replace(
            |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_',
            "",
        )
}

/// Build specs for the compose services of `dir` (all that build, or those
/// named); without a compose file, `dir/Dockerfile` with `dir` as context.
pub(crate) fn from_compose(
    project: &Project,
    dir: &Path,
    services: &[String],
    o: &Overrides,
) -> Result<Vec<BuildSpec>, SpecError> {
    let dir = clean(dir);
    let Some(cpath) = compose_file(&dir) else {
        if let Some(s) = services.first() {
            return Err(SpecError::NoCompose {
                dir: dir.clone(),
                service: s.clone(),
            });
        }
        let df = dir.join("Dockerfile");
        if !df.is_file() {
            return Err(SpecError::Nothing(dir.clone()));
        }
        return single(project, &df, &dir, o).map(|s| vec![s]);
    };
    let cpath = clean(&cpath);
    let Some(c) = project.composes.iter().position(|c| c.path == cpath) else {
        return Err(SpecError::Unreadable {
            what: "",
            why: error_at(project, &cpath),
            path: cpath,
        });
    };
    let compose = &project.composes[c].value;
    let cdir = cpath.parent().map(Path::to_path_buf).unwrap_or_default();
    for s in services {
        match compose.service(s) {
            None => {
                return Err(SpecError::NoService {
                    service: s.clone(),
                    compose: cpath,
                })
            }
            Some(svc) if svc.build.is_none() => {
                return Err(SpecError::NoBuild {
                    service: s.clone(),
                    compose: cpath,
                })
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (si, svc) in compose.services.iter().enumerate() {
        let Some(b) = &svc.build else { continue };
        if !services.is_empty() && !services.contains(&svc.name.value) {
            continue;
        }
        let image = project
            .images
            .iter()
            .position(|i| i.service == Some((c, si)));
        let Some(img) = image.map(|i| &project.images[i]) else {
            return Err(SpecError::DockerfileUnread(svc.name.value.clone()));
        };
        let mut args: Vec<(String, String)> = b
            .args
            .iter()
            .filter_map(|a| {
                let v = match &a.value {
                    Some(v) => v.value.clone(),
                    None => std::env::var(&a.name.value).ok()?,
                };
                Some((a.name.value.clone(), v))
            })
            .collect();
        merge(&mut args, &o.args);
        let mut secrets = Vec::new();
        for bs in &b.secrets {
            if let Some(top) = compose.secret(&bs.source.value) {
                let from = match (&top.file, &top.environment) {
                    (Some(f), _) => SecretFrom::File(clean(&cdir.join(&f.value))),
                    (None, Some(e)) => SecretFrom::Env(e.value.clone()),
                    (None, None) => continue,
                };
                secrets.push(Secret {
                    id: bs.id().to_string(),
                    from,
                });
            }
        }
        for s in &o.secrets {
            secrets.retain(|x| x.id != s.id);
            secrets.push(s.clone());
        }
        let mut add_hosts: Vec<String> = svc
            .extra_hosts
            .iter()
            .chain(&b.extra_hosts)
            .map(|h| h.value.clone())
            .collect();
        add_hosts.extend(o.add_hosts.iter().cloned());
        let tag = o
            .tag
            .clone()
            .or_else(|| svc.image.as_ref().map(|i| i.value.clone()))
            .or_else(|| Some(format!("{}-{}", repo_name(&dir), svc.name.value)));
        out.push(BuildSpec {
            name: svc.name.value.clone(),
            repo: dir.clone(),
            dockerfile: project.dockerfiles[img.dockerfile].path.clone(),
            context: img.context.clone(),
            args,
            secrets,
            add_hosts,
            network: o
                .network
                .clone()
                .or_else(|| b.network.as_ref().map(|n| n.value.clone())),
            target: o
                .target
                .clone()
                .or_else(|| b.target.as_ref().map(|t| t.value.clone())),
            tag,
            image,
            context_tar: None,
        });
    }
    if out.is_empty() {
        return Err(SpecError::NothingToBuild(cpath));
    }
    Ok(out)
}

/// A build of one Dockerfile with a context (`--file`/`--context`).
pub fn single(
    project: &Project,
    dockerfile: &Path,
    context: &Path,
    o: &Overrides,
) -> Result<BuildSpec, SpecError> {
    let df = clean(dockerfile);
    let d = project
        .dockerfiles
        .iter()
        .position(|x| x.path == df)
        .ok_or_else(|| SpecError::Unreadable {
            what: "Dockerfile ",
            why: error_at(project, &df),
            path: df.clone(),
        })?;
    let context = clean(context);
    let image = project
        .images
        .iter()
        .position(|i| i.dockerfile == d && i.context == context);
    Ok(BuildSpec {
        name: crate::paths::slash(&df),
        repo: context.clone(),
        dockerfile: df,
        context: context.clone(),
        args: o.args.clone(),
        secrets: o.secrets.clone(),
        add_hosts: o.add_hosts.clone(),
        network: o.network.clone(),
        target: o.target.clone(),
        tag: o
            .tag
            .clone()
            .or_else(|| Some(format!("{}-image", repo_name(&context)))),
        image,
        context_tar: None,
    })
}

fn merge(args: &mut Vec<(String, String)>, over: &[(String, String)]) {
    for (k, v) in over {
        args.retain(|(a, _)| a != k);
        args.push((k.clone(), v.clone()));
    }
}

/// Secret ids the Dockerfile mounts that no source provides.
pub(crate) fn missing_secrets(project: &Project, spec: &BuildSpec) -> Vec<String> {
    let Some(df) = project
        .dockerfiles
        .iter()
        .find(|d| d.path == spec.dockerfile)
    else {
        return Vec::new();
    };
    let mut missing = Vec::new();
    for ins in df.value.instructions.iter().filter(|i| i.kind == Kind::Run) {
        for m in ins.mounts.iter().filter(|m| m.kind() == "secret") {
            let id = m
                .get("id")
                .map(|v| v.value.clone())
                .or_else(|| {
                    m.get("target")
                        .map(|t| t.value.rsplit('/').next().unwrap_or("").to_string())
                })
                .unwrap_or_default();
            if !id.is_empty() && !spec.secrets.iter().any(|s| s.id == id) && !missing.contains(&id)
            {
                missing.push(id);
            }
        }
    }
    missing
}

/// `--add-host` values as Docker needs them: on the host network the host is
/// loopback, so `host-gateway` becomes `127.0.0.1` there.
pub(crate) fn effective_hosts(spec: &BuildSpec) -> Vec<String> {
    let host_net = spec.network.as_deref() == Some("host");
    spec.add_hosts
        .iter()
        .map(|h| match h.rsplit_once(':') {
            Some((name, "host-gateway")) if host_net => format!("{name}:127.0.0.1"),
            _ => h.clone(),
        })
        .collect()
}

/// The image model entry of a spec.
pub(crate) fn image_of<'p>(project: &'p Project, spec: &BuildSpec) -> Option<&'p Image> {
    spec.image.map(|i| &project.images[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_secret_flags() {
        assert_eq!(
            Secret::parse("id=t,src=/x").unwrap().from,
            SecretFrom::File("/x".into())
        );
        assert_eq!(
            Secret::parse("id=t,env=TOK").unwrap().from,
            SecretFrom::Env("TOK".into())
        );
        assert_eq!(
            Secret::parse("id=t").unwrap().from,
            SecretFrom::Env("t".into())
        );
        assert!(Secret::parse("src=/x").is_err());
        assert!(Secret::parse("id=t,bogus").is_err());
    }

    #[test]
    fn host_gateway_is_loopback_on_host_network() {
        let mut s = BuildSpec {
            name: "x".into(),
            repo: ".".into(),
            dockerfile: "Dockerfile".into(),
            context: ".".into(),
            args: vec![],
            secrets: vec![],
            add_hosts: vec!["host.docker.internal:host-gateway".into()],
            network: Some("host".into()),
            target: None,
            tag: None,
            image: None,
            context_tar: None,
        };
        assert_eq!(effective_hosts(&s), vec!["host.docker.internal:127.0.0.1"]);
        s.network = None;
        assert_eq!(
            effective_hosts(&s),
            vec!["host.docker.internal:host-gateway"]
        );
    }
}
