//! The Docker-only lockfile `dockprep lockfile` writes, as the model sees it:
//! where its files live, whether an image copies it, and whether it matches
//! its inputs. The freshness check itself belongs to the `lockfile` feature
//! (it re-derives the inputs the way the writer does); a caller that wants the
//! state passes it in [`Options::docker_lock_check`](super::Options), so the
//! model never imports a feature.

/// The folder, relative to the repository root.
pub const DIR: &str = "docker";
pub const LOCK: &str = "docker/pnpm-lock.yaml";
pub const WORKSPACE: &str = "docker/pnpm-workspace.yaml";
pub const RECORD: &str = "docker/dockprep-lock.json";

/// Why a Docker lockfile is stale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stale {
    /// Changed inputs and outputs, with what changed.
    pub changes: Vec<(String, &'static str)>,
}

/// Reads a file for a [`Check`]: the loader passes its
/// [`Sources::text`](super::Sources::text), so the check's reads go through
/// the model (read once, overlay-aware).
pub type Reader<'a> = dyn FnMut(&std::path::Path) -> Result<String, super::FileError> + 'a;

/// Compares a repository's Docker lockfile with its inputs, reading through
/// the given reader: `Ok(None)` when fresh, `Ok(Some)` stale, `Err` when the
/// record cannot be read.
pub(crate) type Check =
    fn(&std::path::Path, &mut Reader<'_>) -> Result<Option<Stale>, crate::workspace::Error>;

/// A repository's `docker/pnpm-lock.yaml` and whether it matches its inputs.
#[derive(Debug)]
pub struct DockerLock {
    /// `docker/pnpm-lock.yaml` (the record `docker/dockprep-lock.json` when
    /// the lockfile is missing), as read.
    pub file: super::FileId,
    /// `Ok(None)` fresh, `Ok(Some)` stale, `Err` unreadable record (or not
    /// checked: the load was given no [`Check`]).
    pub state: Result<Option<Stale>, crate::workspace::Error>,
}

impl DockerLock {
    pub(crate) fn is_fresh(&self) -> bool {
        matches!(self.state, Ok(None))
    }
}

/// Whether a Dockerfile instruction copies the Docker-only lockfile into the
/// image (`COPY docker/pnpm-lock.yaml …`, `./docker/…`, a wildcard naming
/// it), for a build context at the repository root. Where the image is
/// known, ask [`super::copies`] with the lockfile's context-relative path.
pub fn copies_docker_lock(ins: &crate::syntax::dockerfile::Instruction) -> bool {
    super::copies::copies_from_context(ins)
        && super::copies::sources_of(ins).any(|(_, s)| s.names(LOCK))
}
