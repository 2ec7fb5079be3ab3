//! The Docker CLI driver: the only place that spawns `docker`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use super::progress::Progress;
use super::spec::{effective_hosts, BuildSpec, SecretFrom};

#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    #[error("cannot run `{program}`: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Secret(#[from] super::spec::SecretError),
    #[error("cannot create a directory for secrets: {0}")]
    SecretDir(std::io::Error),
    /// The private file a secret from the environment is handed over in.
    #[error("cannot write the file for secret `{id}`: {source}")]
    SecretFile { id: String, source: std::io::Error },
    #[error("{0}")]
    Context(String),
    #[error("`{command}` failed (exit {code:?}): {stderr}")]
    Failed {
        command: String,
        code: Option<i32>,
        stderr: String,
    },
}

/// Masks secrets in anything printed (the one masking helper: see
/// [`crate::diagnostics::redact`]).
pub use crate::diagnostics::redact::Redactor;

/// A Docker client that can build with BuildKit.
#[derive(Clone, Debug)]
pub struct Docker {
    pub program: PathBuf,
    /// `docker buildx build --load` when buildx is there, else `DOCKER_BUILDKIT=1 docker build`.
    pub buildx: bool,
}

/// The result of one build.
#[derive(Debug)]
pub struct BuildOutcome {
    pub success: bool,
    pub exit_code: Option<i32>,
    /// Wall time of the whole client process.
    pub seconds: f64,
    pub progress: Progress,
    /// The command line as run (secrets are never in it; paths only).
    pub command: String,
}

impl Docker {
    /// `--docker PATH`, else `DOCKPREP_DOCKER`, else `docker`; detects buildx.
    pub fn detect(explicit: Option<PathBuf>) -> Docker {
        let program = explicit
            .or_else(|| {
                std::env::var_os("DOCKPREP_DOCKER")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .unwrap_or_else(|| PathBuf::from("docker"));
        let buildx = Command::new(&program)
            .args(["buildx", "version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        Docker { program, buildx }
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.env("DOCKER_BUILDKIT", "1");
        c
    }

    /// Runs a non-build docker command, returning stdout.
    pub fn run(&self, args: &[&str]) -> Result<String, DockerError> {
        let out = self
            .command()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|source| DockerError::Spawn {
                program: self.program.display().to_string(),
                source,
            })?;
        if !out.status.success() {
            return Err(DockerError::Failed {
                command: format!("{} {}", self.program.display(), args.join(" ")),
                code: out.status.code(),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The build's arguments (after `docker`), with secrets as files.
    pub fn build_args(
        &self,
        spec: &BuildSpec,
        secret_files: &[(String, PathBuf)],
        no_cache: bool,
    ) -> Vec<String> {
        let mut a: Vec<String> = if self.buildx {
            vec!["buildx".into(), "build".into(), "--load".into()]
        } else {
            vec!["build".into()]
        };
        a.push("--progress=plain".into());
        a.push("-f".into());
        match &spec.context_tar {
            Some(tar) => a.push(tar.dockerfile.clone()),
            None => a.push(spec.dockerfile.display().to_string()),
        }
        for (k, v) in &spec.args {
            a.push("--build-arg".into());
            a.push(format!("{k}={v}"));
        }
        for (id, path) in secret_files {
            a.push("--secret".into());
            a.push(format!("id={id},src={}", path.display()));
        }
        for h in effective_hosts(spec) {
            a.push("--add-host".into());
            a.push(h);
        }
        if let Some(n) = &spec.network {
            a.push("--network".into());
            a.push(n.clone());
        }
        if let Some(t) = &spec.target {
            a.push("--target".into());
            a.push(t.clone());
        }
        if let Some(t) = &spec.tag {
            a.push("-t".into());
            a.push(t.clone());
        }
        if no_cache {
            a.push("--no-cache".into());
        }
        match &spec.context_tar {
            // The context is the tar stream on stdin.
            Some(_) => a.push("-".into()),
            None => a.push(spec.context.display().to_string()),
        }
        a
    }

    /// Runs the build, feeding every (redacted) progress line to `on_line`.
    /// Secrets from the environment are written to private temporary files,
    /// so values never appear on a command line.
    ///
    /// With [`BuildSpec::context_tar`] set, the tar file is the client's stdin
    /// and the context argument is `-` (`docker build -f NAME -`, also the
    /// form of `docker buildx build`): the client uploads the stream as is and
    /// BuildKit unpacks it without applying any `.dockerignore`.
    pub fn build(
        &self,
        spec: &BuildSpec,
        no_cache: bool,
        redactor: &mut Redactor,
        mut on_line: impl FnMut(&str, &Progress),
    ) -> Result<BuildOutcome, DockerError> {
        let dir = tempfile::tempdir().map_err(DockerError::SecretDir)?;
        let mut files = Vec::new();
        for s in &spec.secrets {
            let value = s.value()?;
            redactor.add(&value);
            let path = match &s.from {
                SecretFrom::File(p) => p.clone(),
                SecretFrom::Env(_) => {
                    let p = dir.path().join(&s.id);
                    write_private(&p, value.as_bytes()).map_err(|source| {
                        DockerError::SecretFile {
                            id: s.id.clone(),
                            source,
                        }
                    })?;
                    p
                }
            };
            files.push((s.id.clone(), path));
        }
        let args = self.build_args(spec, &files, no_cache);
        let command = redactor.redact(&format!("{} {}", self.program.display(), args.join(" ")));
        let stdin = match &spec.context_tar {
            Some(tar) => Stdio::from(std::fs::File::open(&tar.path).map_err(|e| {
                DockerError::Context(format!(
                    "cannot open the build context {}: {e}",
                    tar.path.display()
                ))
            })?),
            None => Stdio::null(),
        };
        let start = Instant::now();
        let mut child = self
            .command()
            .args(&args)
            .stdin(stdin)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| DockerError::Spawn {
                program: self.program.display().to_string(),
                source,
            })?;
        let mut progress = Progress::new();
        if let Some(err) = child.stderr.take() {
            for line in BufReader::new(err).split(b'\n') {
                let Ok(line) = line else { break };
                let line = redactor.redact(&String::from_utf8_lossy(&line));
                progress.feed(&line);
                on_line(&line, &progress);
            }
        }
        let status = child.wait().map_err(|source| DockerError::Spawn {
            program: self.program.display().to_string(),
            source,
        })?;
        Ok(BuildOutcome {
            success: status.success(),
            exit_code: status.code(),
            seconds: start.elapsed().as_secs_f64(),
            progress,
            command,
        })
    }
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tar_context_is_read_from_stdin() {
        let mut spec = crate::docker::spec::BuildSpec {
            name: "x".into(),
            repo: ".".into(),
            dockerfile: "/repo/Dockerfile".into(),
            context: "/repo".into(),
            args: vec![],
            secrets: vec![],
            add_hosts: vec![],
            network: None,
            target: None,
            tag: None,
            image: None,
            context_tar: None,
        };
        for buildx in [false, true] {
            let docker = Docker {
                program: "docker".into(),
                buildx,
            };
            let a = docker.build_args(&spec, &[], false);
            assert_eq!(a.last().unwrap(), "/repo");
            spec.context_tar = Some(crate::docker::spec::ContextTar {
                path: "/tmp/ctx.tar".into(),
                dockerfile: ".dockerfile.0123".into(),
            });
            let a = docker.build_args(&spec, &[], false);
            assert_eq!(a.last().unwrap(), "-");
            let f = a.iter().position(|x| x == "-f").unwrap();
            assert_eq!(a[f + 1], ".dockerfile.0123");
            assert!(!a.iter().any(|x| x.contains("/repo")));
            spec.context_tar = None;
        }
    }
}
