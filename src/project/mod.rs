//! Discovery and the model of repositories: which Dockerfiles, which build
//! context, which `.dockerignore` and `.npmrc` apply to which image, which
//! manifests each image installs, which workspace packages exist. Reads files;
//! never writes.

pub mod copies;
pub mod docker_lock;
pub mod install;
mod load;
mod prefetch;
pub mod sources;
pub mod tree;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub use load::{expand_file_glob, is_dockerfile_name, load, wildcard, LoadError, Options};
pub use sources::{FileError, FileId, SourceFile, Sources};

use crate::syntax::compose::Compose;
use crate::syntax::dockerfile::Dockerfile;
use crate::syntax::dockerignore::DockerIgnore;
use crate::syntax::npmrc::Npmrc;
use crate::syntax::package_json::PackageJson;
use crate::syntax::pnpm_workspace::Workspace;
use crate::syntax::shell::SimpleCommand;
pub use docker_lock::{DockerLock, Stale};
use install::Manager;

/// A parsed file of type `T`.
#[derive(Debug)]
pub struct Parsed<T> {
    pub file: FileId,
    /// Path on disk (cleaned, as discovered).
    pub path: PathBuf,
    pub value: T,
}

/// A repository: a directory holding a `package.json`, a Dockerfile or a compose file.
#[derive(Debug)]
pub struct Repo {
    pub root: PathBuf,
    /// Its `dockprep.toml` (or the nearest ancestor's, or the defaults).
    pub config: crate::config::Config,
    pub dockerfiles: Vec<usize>,
    pub composes: Vec<usize>,
    /// CI workflows (`.github/workflows/*.yml`, `.gitea/workflows/*.yml`).
    pub workflows: Vec<usize>,
    pub workspace: Option<usize>,
    /// The `package.json` at the root, if any.
    pub manifest: Option<usize>,
    pub gitignore: Option<ignore::gitignore::Gitignore>,
    /// The root `.gitignore` as read.
    pub gitignore_file: Option<FileId>,
    /// `package.json.bak` prep backups found in the repository (outside
    /// `node_modules` and `.docker-deps`), as read.
    pub backups: Vec<FileId>,
    /// The Docker-only lockfile `dockprep lockfile` wrote, if any.
    pub docker_lock: Option<DockerLock>,
    /// Every manifest read whose innermost repository is this one (indexes
    /// into [`Project::manifests`]), attached once at load.
    pub manifests: Vec<usize>,
}

/// A `COPY` of an `.npmrc` into an image.
#[derive(Clone, Debug)]
pub struct NpmrcCopy {
    pub npmrc: usize,
    pub instruction: usize,
}

/// A manifest copied into the image before an install step.
#[derive(Clone, Debug)]
pub struct InstalledManifest {
    pub manifest: usize,
    /// The `COPY` instruction that brought it in.
    pub instruction: usize,
}

/// A `RUN` step that installs packages.
#[derive(Clone, Debug)]
pub struct Install {
    pub instruction: usize,
    pub stage: usize,
    pub manager: Manager,
    /// The installing command, spans in the Dockerfile.
    pub command: SimpleCommand,
    pub manifests: Vec<InstalledManifest>,
    /// The `.npmrc` copied into the image before this step, if any.
    pub npmrc: Option<NpmrcCopy>,
}

/// One image build: a Dockerfile with its context.
#[derive(Debug)]
pub struct Image {
    pub repo: usize,
    pub dockerfile: usize,
    pub context: PathBuf,
    /// The compose service building it: (compose index, service index).
    pub service: Option<(usize, usize)>,
    pub dockerignore: Option<usize>,
    pub npmrcs: Vec<NpmrcCopy>,
    pub installs: Vec<Install>,
}

/// A package defined by a workspace.
#[derive(Debug, Clone)]
pub struct WorkspacePackage {
    pub name: String,
    pub version: Option<String>,
    pub dir: PathBuf,
    pub manifest: usize,
    pub workspace: usize,
}

/// Everything an audit knows.
#[derive(Default)]
pub struct Project {
    pub sources: Sources,
    pub errors: Vec<FileError>,
    pub repos: Vec<Repo>,
    pub dockerfiles: Vec<Parsed<Dockerfile>>,
    pub composes: Vec<Parsed<Compose>>,
    /// CI workflow files, as YAML trees with spans.
    pub workflows: Vec<Parsed<crate::syntax::yaml::Node>>,
    pub manifests: Vec<Parsed<PackageJson>>,
    pub npmrcs: Vec<Parsed<Npmrc>>,
    pub dockerignores: Vec<Parsed<DockerIgnore>>,
    pub workspaces: Vec<Parsed<Workspace>>,
    pub workspace_packages: Vec<WorkspacePackage>,
    pub images: Vec<Image>,
    /// Scopes (without `@`) of internal packages.
    pub private_scopes: BTreeSet<String>,
    /// Registry-host build argument names from the configuration.
    pub host_args: Vec<String>,
    /// Repository roots (cleaned) to their index, for [`Project::repo_of`].
    pub(crate) repo_roots: std::collections::HashMap<PathBuf, usize>,
    /// What the loader saw of the file system, with the fix overlay's files:
    /// what rules ask instead of the disk.
    pub tree: tree::Facts,
    /// The images built from each Dockerfile, for [`Project::images_of`].
    pub(crate) images_by_dockerfile: Vec<Vec<usize>>,
    /// The Dockerfile parsed from each file, for [`Project::dockerfile_in`].
    pub(crate) dockerfile_by_file: std::collections::HashMap<FileId, usize>,
    /// The repository that discovered each Dockerfile.
    pub(crate) dockerfile_repo: Vec<Option<usize>>,
}

impl Project {
    pub fn text(&self, file: FileId) -> &str {
        &self.sources.get(file).text
    }

    /// True for a package name in a private scope.
    pub(crate) fn is_private(&self, package: &str) -> bool {
        crate::syntax::package_json::scope_of(package)
            .is_some_and(|s| self.private_scopes.contains(s))
    }

    /// The innermost repository whose root contains `path` (a cleaned path,
    /// as the loader records them): one lookup per ancestor, so relating
    /// every file to its repository stays linear in the fleet size.
    pub(crate) fn repo_of(&self, path: &Path) -> Option<usize> {
        let outside = path.starts_with("..");
        path.ancestors().find_map(|a| {
            let key = if a.as_os_str().is_empty() {
                if outside {
                    return None;
                }
                Path::new(".")
            } else {
                a
            };
            self.repo_roots.get(key).copied()
        })
    }

    /// The repository whose root is exactly `root` (cleaned).
    pub(crate) fn repo_at(&self, root: &Path) -> Option<usize> {
        self.repo_roots.get(root).copied()
    }

    pub fn dockerfile_of(&self, image: &Image) -> &Parsed<Dockerfile> {
        &self.dockerfiles[image.dockerfile]
    }

    /// Images built from Dockerfile `index`.
    pub(crate) fn images_of(&self, dockerfile: usize) -> impl Iterator<Item = &Image> {
        self.images_by_dockerfile
            .get(dockerfile)
            .into_iter()
            .flatten()
            .map(|&i| &self.images[i])
    }

    /// The Dockerfile parsed from file `file`, if it is one.
    pub(crate) fn dockerfile_in(&self, file: FileId) -> Option<usize> {
        self.dockerfile_by_file.get(&file).copied()
    }

    /// The repository a Dockerfile belongs to: the first image built from
    /// it, else the repository that discovered it.
    pub(crate) fn repo_of_dockerfile(&self, dockerfile: usize) -> Option<usize> {
        self.images_of(dockerfile)
            .map(|i| i.repo)
            .next()
            .or_else(|| self.dockerfile_repo.get(dockerfile).copied().flatten())
    }

    /// The `packageManager` that applies to an image: from its installed
    /// manifests, else its repository root manifest.
    pub(crate) fn package_manager(
        &self,
        image: &Image,
    ) -> Option<(usize, &crate::syntax::Spanned<String>)> {
        image
            .installs
            .iter()
            .flat_map(|i| &i.manifests)
            .map(|m| m.manifest)
            .chain(self.repos[image.repo].manifest)
            .find_map(|m| {
                self.manifests[m]
                    .value
                    .package_manager
                    .as_ref()
                    .map(|pm| (m, pm))
            })
    }

    /// True when git ignores `rel` (relative to the repository root).
    pub(crate) fn git_ignores(&self, repo: usize, rel: &str, is_dir: bool) -> bool {
        self.repos[repo]
            .gitignore
            .as_ref()
            .is_some_and(|g| g.matched_path_or_any_parents(rel, is_dir).is_ignore())
    }

    /// True when `path` (inside repository `repo`) is absent or ignored by git.
    pub(crate) fn is_uncommitted(&self, repo: usize, path: &Path) -> bool {
        if !self.tree.has(path) {
            return true;
        }
        let r = &self.repos[repo];
        match &r.gitignore {
            Some(gi) => {
                let rel =
                    crate::paths::relative_to(path, &r.root).unwrap_or_else(|| path.to_path_buf());
                gi.matched_path_or_any_parents(&rel, self.tree.has_dir(path))
                    .is_ignore()
            }
            None => false,
        }
    }
}
