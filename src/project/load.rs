//! Walks the audited paths, reads and parses every file that matters, and
//! builds the [`Project`] model.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::install::{self, Manager};
use super::sources::{FileError, FileId};
use super::{
    Image, Install, InstalledManifest, NpmrcCopy, Parsed, Project, Repo, WorkspacePackage,
};
use crate::confine::Jail;
use crate::paths::clean;
use crate::syntax::compose::{self, Compose};
use crate::syntax::dockerfile::{Dockerfile, Kind};
use crate::syntax::dockerignore::DockerIgnore;
use crate::syntax::npmrc::Npmrc;
use crate::syntax::package_json::{scope_of, PackageJson};
use crate::syntax::pnpm_workspace::Workspace;
use crate::syntax::ParseError;

/// What the caller can configure about discovery.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Extra private scopes (with or without `@`).
    pub private_scopes: Vec<String>,
    /// Names of the build argument carrying the registry host (default `GITEA_NPM_HOST`).
    pub host_args: Vec<String>,
    /// File texts to use instead of the files on disk (cleaned paths).
    pub overlay: HashMap<PathBuf, String>,
    /// A `dockprep.toml` for every repository (instead of the one found at
    /// or above each).
    pub config: Option<PathBuf>,
    /// Which rule slugs a `dockprep.toml` may name (the rule registry, which
    /// lives above the model); `None` accepts any.
    pub known_rule: Option<fn(&str) -> bool>,
    /// How a repository's Docker-only lockfile is compared with its inputs
    /// (the `lockfile` feature's check); `None` leaves it unchecked.
    pub docker_lock_check: Option<super::docker_lock::Check>,
    /// Texts of files already read from disk in this run (an earlier load's
    /// [`Sources::disk_texts`](super::Sources::disk_texts), e.g. the
    /// previous fix round's), used instead of reading them again. The
    /// overlay wins over them.
    pub read_cache: HashMap<PathBuf, String>,
}

/// Failure to start an audit at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("path not found: {0}")]
    NotFound(PathBuf),
}

use crate::workspace::globs::{entry_kind, list_disk, Lister, Pattern, Patterns};

/// The loader's view for workspace globs: the listings it made, the disk
/// for directories it did not list (sibling workspaces, skipped directories).
struct Listed<'a>(&'a super::tree::Facts);

impl Lister for Listed<'_> {
    fn list(&self, dir: &Path) -> Option<std::borrow::Cow<'_, [(String, super::tree::Kind)]>> {
        match self.0.list(dir) {
            Some(l) => Some(std::borrow::Cow::Borrowed(l)),
            None => list_disk(dir).map(std::borrow::Cow::Owned),
        }
    }

    fn is_link(&self, path: &Path) -> bool {
        self.0.link_known(path).unwrap_or_else(|| {
            path.symlink_metadata()
                .is_ok_and(|m| m.file_type().is_symlink())
        })
    }
}

/// `path` relative to `base`, lexically, with `..` where it lies outside
/// (both cleaned, both relative or both absolute).
fn rel_from(path: &Path, base: &Path) -> String {
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = if base == Path::new(".") {
        Vec::new()
    } else {
        base.components().collect()
    };
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// Lists `dir` and what lies below it into the facts, unless listed already
/// (the walk lists every audited tree; this covers build contexts outside
/// them), skipping [`SKIP_DIRS`]' insides; at most `budget` entries.
fn list_tree(facts: &mut super::tree::Facts, dir: &Path, budget: &mut usize) {
    if facts.is_listed(dir) || *budget == 0 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut listing = Vec::new();
    let mut links = Vec::new();
    for e in rd.flatten() {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type().is_ok_and(|t| t.is_symlink()) {
            links.push(name.clone());
        }
        listing.push((name, entry_kind(&e)));
    }
    let subdirs: Vec<PathBuf> = listing
        .iter()
        .filter(|(n, k)| *k == super::tree::Kind::Dir && !SKIP_DIRS.contains(&n.as_str()))
        .map(|(n, _)| dir.join(n))
        .collect();
    facts.record(dir, listing);
    facts.record_links(dir, links);
    for d in subdirs {
        // Never follow a link out of the tree being listed.
        if d.symlink_metadata().is_ok_and(|m| m.file_type().is_dir()) {
            list_tree(facts, &d, budget);
        }
    }
}

/// Directories never descended into.
pub(crate) const SKIP_DIRS: &[&str] = &[
    "node_modules",
    ".git",
    ".hg",
    ".svn",
    ".pnpm-store",
    ".docker-deps",
    "target",
];

/// True for `.github/workflows` and `.gitea/workflows`.
fn is_workflow_dir(dir: &Path) -> bool {
    let mut it = dir.components().rev();
    let (Some(a), Some(b)) = (it.next(), it.next()) else {
        return false;
    };
    a.as_os_str() == "workflows" && (b.as_os_str() == ".github" || b.as_os_str() == ".gitea")
}

/// True for `Dockerfile`, `Dockerfile.*` and `*.Dockerfile` (not `*.dockerignore`).
pub fn is_dockerfile_name(name: &str) -> bool {
    if name.ends_with(".dockerignore") {
        return false;
    }
    name == "Dockerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
}

pub fn load(paths: &[PathBuf], opts: &Options) -> Result<Project, LoadError> {
    let mut l = Loader::default();
    l.p.sources.set_overlay(opts.overlay.clone());
    l.p.sources.set_cache(opts.read_cache.clone());
    l.config_file = opts.config.clone();
    l.known_rule = opts.known_rule;
    l.context_budget = super::tree::CONTEXT_ENTRIES_MAX;
    l.docker_lock_check = opts.docker_lock_check;
    l.p.host_args = if opts.host_args.is_empty() {
        vec!["GITEA_NPM_HOST".to_string()]
    } else {
        opts.host_args.clone()
    };
    let mut roots = Vec::new();
    for path in paths {
        if !path.exists() {
            return Err(LoadError::NotFound(path.clone()));
        }
        let dir = if path.is_file() {
            path.parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        } else {
            path.clone()
        };
        roots.push(clean(&dir));
    }
    // Every read stays inside the audited paths and what their workspaces
    // link (added as they are read); `--config` is the user's own file,
    // read wherever it points (still a regular file, size-capped).
    let mut jail = Jail::new(roots.iter().map(PathBuf::as_path));
    if let Some(c) = &opts.config {
        jail.allow_file(c, Path::new("/"));
    }
    l.p.sources.set_jail(jail);
    // Read and parse ahead, on every core, what the walk will read.
    let mut pre =
        super::prefetch::Prefetch::run(&roots, &|p| l.p.sources.knows(p), l.p.sources.jail());
    for (path, file) in pre.take_files() {
        if let Ok(text) = String::from_utf8(file.bytes) {
            l.p.sources.prefetched(path.clone(), text);
            l.pre.insert(path, file.parsed);
        }
    }
    l.listings = pre.listings;
    for dir in &roots {
        l.walk(dir, None);
    }
    // Workspaces of the repositories, then those beside the audited paths.
    for r in 0..l.p.repos.len() {
        if let Some(w) = l.p.repos[r].workspace {
            l.expand_workspace(w);
        }
    }
    for root in &roots {
        let parent = clean(&root.join(".."));
        let Ok(rd) = std::fs::read_dir(&parent) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = rd
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| clean(&e.path()))
            .collect();
        dirs.sort();
        for d in dirs {
            let ws = d.join("pnpm-workspace.yaml");
            if ws.is_file() && l.p.workspaces.iter().all(|w| w.path != ws) {
                // A sibling workspace is its own region (prep's sources).
                l.p.sources.jail_mut().add_tree(&d);
                if let Some(w) = l.workspace(&ws) {
                    l.expand_workspace(w);
                }
            }
        }
    }
    for r in &l.p.repos {
        let h = &r.config.registry.host_arg;
        if !l.p.host_args.contains(h) {
            l.p.host_args.push(h.clone());
        }
    }
    l.private_scopes(opts);
    // The overlay's files exist for everything below (copies, rules).
    for path in opts.overlay.keys() {
        l.p.tree.add_file(path);
    }
    for r in 0..l.p.repos.len() {
        l.images(r);
    }
    l.index();
    Ok(l.p)
}

#[derive(Default)]
struct Loader {
    p: Project,
    visited: HashSet<PathBuf>,
    manifests: HashMap<PathBuf, Option<usize>>,
    npmrcs: HashMap<PathBuf, Option<usize>>,
    ignores: HashMap<PathBuf, Option<usize>>,
    dockerfiles: HashMap<PathBuf, Option<usize>>,
    /// Compiled workspace patterns, by their text (`None`: invalid).
    patterns: HashMap<String, Option<Pattern>>,
    /// Expanded workspace globs, by their joined pattern and tree.
    globs: HashMap<(PathBuf, PathBuf), Vec<PathBuf>>,
    /// Directories already recorded as workspace packages.
    member_dirs: HashSet<PathBuf>,
    /// `--config`: the one configuration of every repository, read once.
    config_file: Option<PathBuf>,
    config_loaded: Option<crate::config::Config>,
    known_rule: Option<fn(&str) -> bool>,
    /// Parsed ahead by `prefetch`, taken by the first read of each path.
    pre: HashMap<PathBuf, super::prefetch::Parsed>,
    /// Directories listed ahead by `prefetch`, taken by the walk.
    listings: HashMap<PathBuf, Vec<super::prefetch::Entry>>,
    /// Entries left for listing build contexts outside the audited trees.
    context_budget: usize,
    docker_lock_check: Option<super::docker_lock::Check>,
}

impl Loader {
    /// Builds the model's indexes, once: repository roots, every manifest
    /// attached to its innermost repository, the images of each Dockerfile,
    /// the Dockerfile of each file and of each repository.
    fn index(&mut self) {
        let p = &mut self.p;
        p.images_by_dockerfile = vec![Vec::new(); p.dockerfiles.len()];
        for (i, image) in p.images.iter().enumerate() {
            p.images_by_dockerfile[image.dockerfile].push(i);
        }
        p.dockerfile_by_file = p
            .dockerfiles
            .iter()
            .enumerate()
            .map(|(i, d)| (d.file, i))
            .collect();
        p.dockerfile_repo = vec![None; p.dockerfiles.len()];
        for (r, repo) in p.repos.iter().enumerate() {
            for &d in &repo.dockerfiles {
                p.dockerfile_repo[d].get_or_insert(r);
            }
        }
        let roots = self
            .p
            .repos
            .iter()
            .enumerate()
            .map(|(i, r)| (clean(&r.root), i))
            .collect();
        self.p.repo_roots = roots;
        for m in 0..self.p.manifests.len() {
            if let Some(r) = self.p.repo_of(&self.p.manifests[m].path) {
                self.p.repos[r].manifests.push(m);
            }
        }
    }

    fn error(&mut self, e: FileError) {
        if !self.p.errors.contains(&e) {
            self.p.errors.push(e);
        }
    }

    /// Reads and parses a file; records errors. Returns the file id and value.
    fn read<T>(
        &mut self,
        path: &Path,
        parse: impl Fn(&str) -> Result<T, ParseError>,
    ) -> Option<(FileId, T)> {
        let id = match self.p.sources.read(path) {
            Ok(id) => id,
            Err(e) => {
                self.error(e);
                return None;
            }
        };
        match parse(&self.p.sources.get(id).text) {
            Ok(v) => Some((id, v)),
            Err(e) => {
                let fe = self.p.sources.parse_error(id, &e);
                self.error(fe);
                None
            }
        }
    }

    fn cached<T>(
        &mut self,
        path: &Path,
        cache: fn(&mut Loader) -> &mut HashMap<PathBuf, Option<usize>>,
        parse: impl Fn(&str) -> Result<T, ParseError>,
        store: fn(&mut Project) -> &mut Vec<Parsed<T>>,
    ) -> Option<usize> {
        let path = clean(path);
        if let Some(v) = cache(self).get(&path) {
            return *v;
        }
        let v = self.read(&path, parse).map(|(file, value)| {
            let list = store(&mut self.p);
            list.push(Parsed {
                file,
                path: path.clone(),
                value,
            });
            list.len() - 1
        });
        cache(self).insert(path, v);
        v
    }

    fn manifest(&mut self, path: &Path) -> Option<usize> {
        let pre = match self.pre.remove(&clean(path)) {
            Some(super::prefetch::Parsed::Manifest(r)) => Some(r),
            _ => None,
        };
        let pre = std::cell::RefCell::new(pre);
        self.cached(
            path,
            |l| &mut l.manifests,
            move |t| {
                pre.borrow_mut()
                    .take()
                    .unwrap_or_else(|| PackageJson::parse(t))
            },
            |p| &mut p.manifests,
        )
    }
    fn npmrc(&mut self, path: &Path) -> Option<usize> {
        self.cached(
            path,
            |l| &mut l.npmrcs,
            |t| Ok(Npmrc::parse(t)),
            |p| &mut p.npmrcs,
        )
    }
    fn dockerignore(&mut self, path: &Path) -> Option<usize> {
        let v = self.cached(
            path,
            |l| &mut l.ignores,
            |t| {
                // BuildKit cannot read a .dockerignore with a line over 64 KiB and fails the build.
                let di = DockerIgnore::parse(t);
                match &di.read_error {
                    Some(e) => {
                        let li = crate::syntax::LineIndex::new(t);
                        let at = li.line_start(e.line).unwrap_or(0);
                        Err(ParseError::new(
                            e.message.clone(),
                            crate::syntax::Span::new(at, (at + 1).min(t.len())),
                        ))
                    }
                    None => Ok(di),
                }
            },
            |p| &mut p.dockerignores,
        )?;
        // BuildKit fails the build on an invalid pattern: an error of the file
        // (the other patterns still count in the model).
        let d = &self.p.dockerignores[v];
        if let Some(e) = d.value.build_error() {
            let fe = self.p.sources.parse_error(d.file, &e);
            self.error(fe);
        }
        Some(v)
    }
    fn dockerfile(&mut self, path: &Path) -> Option<usize> {
        let pre = match self.pre.remove(&clean(path)) {
            Some(super::prefetch::Parsed::Dockerfile(r)) => Some(r),
            _ => None,
        };
        let pre = std::cell::RefCell::new(pre);
        self.cached(
            path,
            |l| &mut l.dockerfiles,
            move |t| {
                pre.borrow_mut()
                    .take()
                    .unwrap_or_else(|| Dockerfile::parse(t))
            },
            |p| &mut p.dockerfiles,
        )
    }
    fn workspace(&mut self, path: &Path) -> Option<usize> {
        let (file, value) = self.read(path, Workspace::parse)?;
        // What its globs link outside its directory may be read from now on.
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        for g in value.packages.iter().filter(|g| g.value.contains("..")) {
            let pat = self
                .patterns
                .entry(g.value.clone())
                .or_insert_with(|| Pattern::parse(&g.value).ok());
            let regions: Vec<_> = pat
                .iter()
                .flat_map(|p| p.linked_regions(dir, self.p.sources.jail()))
                .collect();
            for r in regions {
                self.p.sources.jail_mut().add(r);
            }
        }
        self.p.workspaces.push(Parsed {
            file,
            path: clean(path),
            value,
        });
        Some(self.p.workspaces.len() - 1)
    }

    /// A file on disk, or one that fixes are about to create.
    fn file_exists(&self, path: &Path) -> bool {
        path.is_file() || self.p.sources.overlay_has(&clean(path))
    }

    /// How a `dockprep.toml` is parsed: its rule slugs checked when the
    /// caller named the known ones.
    fn config_parser(
        &self,
    ) -> impl Fn(&str) -> Result<crate::config::Config, ParseError> + 'static {
        let known = self.known_rule;
        move |t: &str| match known {
            Some(k) => crate::config::Config::parse_checked(t, k),
            None => crate::config::Config::parse(t),
        }
    }

    /// The `dockprep.toml` of `dir` or its nearest ancestor that has one.
    fn config_for(&mut self, dir: &Path) -> crate::config::Config {
        if let Some(f) = self.config_file.clone() {
            if let Some(c) = &self.config_loaded {
                return c.clone();
            }
            let c = match self.read(&f, self.config_parser()) {
                Some((_, mut c)) => {
                    c.path = Some(f);
                    c
                }
                None => crate::config::Config::default(),
            };
            self.config_loaded = Some(c.clone());
            return c;
        }
        let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let mut rel = dir.to_path_buf();
        for a in abs.ancestors() {
            let f = a.join("dockprep.toml");
            if f.is_file() {
                // Read through the displayed (relative) path when it is below the audited one.
                let shown = if a == abs {
                    rel.join("dockprep.toml")
                } else {
                    f.clone()
                };
                // Above the audited paths: that one file, resolving inside its directory.
                let jail = self.p.sources.jail_mut();
                if !jail.contains(a) {
                    jail.allow_file(&shown, a);
                }
                if let Some((_, mut c)) = self.read(&shown, self.config_parser()) {
                    c.path = Some(shown);
                    return c;
                }
                return crate::config::Config::default();
            }
            rel = rel.join("..");
        }
        crate::config::Config::default()
    }

    fn walk(&mut self, dir: &Path, mut repo: Option<usize>) {
        if !self.visited.insert(dir.to_path_buf()) {
            return;
        }
        let listed = match self.listings.remove(dir) {
            Some(l) => Ok(l),
            None => super::prefetch::list_entries(dir),
        };
        let entries = match listed {
            Ok(l) => l,
            Err(e) => {
                self.error(FileError {
                    path: dir.to_path_buf(),
                    line: 1,
                    column: 1,
                    message: format!("cannot read directory: {e}"),
                    at: None,
                });
                return;
            }
        };
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        let mut listing = Vec::with_capacity(entries.len());
        let mut links = Vec::new();
        for e in entries {
            if e.is_link {
                links.push(e.name.clone());
            }
            if e.is_dir {
                if !SKIP_DIRS.contains(&e.name.as_str()) {
                    dirs.push(e.name.clone());
                }
            } else if e.is_file_or_link {
                files.push(e.name.clone());
            }
            listing.push((e.name, e.kind));
        }
        self.p.tree.record(dir, listing);
        self.p.tree.record_links(dir, links);
        files.sort();
        dirs.sort();
        let is_root = repo.is_none()
            && files.iter().any(|f| {
                f == "package.json"
                    || compose::FILE_NAMES.contains(&f.as_str())
                    || is_dockerfile_name(f)
            });
        if is_root {
            // The root .gitignore, read through the sources (so fixes see their own edits).
            let gi_path = dir.join(".gitignore");
            let gitignore_file =
                if gi_path.is_file() || self.p.sources.overlay_has(&clean(&gi_path)) {
                    match self.p.sources.read(&gi_path) {
                        Ok(id) => Some(id),
                        Err(e) => {
                            self.error(e);
                            None
                        }
                    }
                } else {
                    None
                };
            let gitignore = {
                let mut b = ignore::gitignore::GitignoreBuilder::new(dir);
                if let Some(id) = gitignore_file {
                    for line in self.p.sources.get(id).text.lines() {
                        let _ = b.add_line(None, line);
                    }
                }
                b.build().ok()
            };
            let config = self.config_for(dir);
            self.p.repos.push(Repo {
                config,
                gitignore_file,
                root: dir.to_path_buf(),
                dockerfiles: Vec::new(),
                composes: Vec::new(),
                workflows: Vec::new(),
                workspace: None,
                manifest: None,
                gitignore,
                backups: Vec::new(),
                docker_lock: None,
                manifests: Vec::new(),
            });
            let r = self.p.repos.len() - 1;
            repo = Some(r);
            if files.iter().any(|f| f == "package.json") {
                self.p.repos[r].manifest = self.manifest(&dir.join("package.json"));
            }
            if files.iter().any(|f| f == "pnpm-workspace.yaml") {
                self.p.repos[r].workspace = self.workspace(&dir.join("pnpm-workspace.yaml"));
            }
            // After the workspace: its check reads what the workspace links.
            self.p.repos[r].docker_lock = self.docker_lock(dir);
        }
        if let Some(r) = repo {
            if is_workflow_dir(dir) {
                for f in files
                    .iter()
                    .filter(|f| f.ends_with(".yml") || f.ends_with(".yaml"))
                {
                    let path = dir.join(f);
                    if let Some((file, value)) = self.read(&path, crate::syntax::yaml::parse) {
                        self.p.workflows.push(Parsed {
                            file,
                            path: clean(&path),
                            value,
                        });
                        self.p.repos[r].workflows.push(self.p.workflows.len() - 1);
                    }
                }
            }
            for f in &files {
                let path = dir.join(f);
                if is_dockerfile_name(f) {
                    if let Some(d) = self.dockerfile(&path) {
                        self.p.repos[r].dockerfiles.push(d);
                    }
                } else if f == "package.json.bak" {
                    // Read as text (lossily when not UTF-8): only its place is reported.
                    let id = self.p.sources.read(&path).ok().or_else(|| {
                        let bytes = self.p.sources.jail().read(&path).ok()?;
                        let text = String::from_utf8_lossy(&bytes).into_owned();
                        Some(self.p.sources.add(clean(&path), text))
                    });
                    if let Some(id) = id {
                        self.p.repos[r].backups.push(id);
                    }
                } else if compose::FILE_NAMES.contains(&f.as_str()) {
                    let pre = match self.pre.remove(&clean(&path)) {
                        Some(super::prefetch::Parsed::Compose(r)) => Some(r),
                        _ => None,
                    };
                    let pre = std::cell::RefCell::new(pre);
                    let parse =
                        move |t: &str| pre.borrow_mut().take().unwrap_or_else(|| Compose::parse(t));
                    if let Some((file, value)) = self.read(&path, parse) {
                        self.p.composes.push(Parsed {
                            file,
                            path: clean(&path),
                            value,
                        });
                        self.p.repos[r].composes.push(self.p.composes.len() - 1);
                    }
                }
            }
        }
        for d in dirs {
            self.walk(&dir.join(d), repo);
        }
    }

    /// The repository's Docker-only lockfile and its freshness (hashes only,
    /// no network: `dockprep lockfile --check`).
    fn docker_lock(&mut self, dir: &Path) -> Option<super::DockerLock> {
        let record = dir.join(super::docker_lock::RECORD);
        if !record.is_file() {
            return None;
        }
        let lock = dir.join(super::docker_lock::LOCK);
        let file = self
            .p
            .sources
            .read(if lock.is_file() { &lock } else { &record })
            .ok()?;
        let state = match self.docker_lock_check {
            Some(check) => {
                let sources = &mut self.p.sources;
                check(dir, &mut |p: &Path| sources.text(p))
            }
            None => Err(crate::workspace::Error::File {
                file: crate::paths::display_path(&dir.join(super::docker_lock::RECORD)),
                message: "freshness not checked".to_string(),
            }),
        };
        Some(super::DockerLock { file, state })
    }

    /// Finds the member packages of workspace `w` ([`crate::workspace::globs`]).
    fn expand_workspace(&mut self, w: usize) {
        let ws_dir = self.p.workspaces[w]
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let ws_dir = clean(&ws_dir);
        // Invalid patterns find nothing (`prune` and `lockfile` report them).
        let mut compiled = Vec::new();
        for g in &self.p.workspaces[w].value.packages {
            let pat = self
                .patterns
                .entry(g.value.clone())
                .or_insert_with(|| Pattern::parse(&g.value).ok());
            compiled.extend(pat.clone());
        }
        let patterns = Patterns::from_compiled(compiled);
        let mut dirs = Vec::new();
        for pat in patterns.includes() {
            // Many repositories of a fleet name the same sibling glob: expand it once.
            let key = (clean(&ws_dir.join(pat.text())), pat.tree(&ws_dir));
            if !self.globs.contains_key(&key) {
                let found = pat
                    .expand(&ws_dir, &Listed(&self.p.tree))
                    .into_iter()
                    .map(|rel| clean(&ws_dir.join(rel)))
                    .collect();
                self.globs.insert(key.clone(), found);
            }
            dirs.extend(self.globs[&key].iter().cloned());
        }
        dirs.sort();
        dirs.dedup();
        for d in dirs {
            if patterns.is_excluded(&rel_from(&d, &ws_dir)) || self.member_dirs.contains(&d) {
                continue;
            }
            let mf = d.join("package.json");
            self.member_dirs.insert(d.clone());
            if let Some(m) = self.manifest(&mf) {
                let pj = &self.p.manifests[m].value;
                if let Some(name) = &pj.name {
                    self.p.workspace_packages.push(WorkspacePackage {
                        name: name.value.clone(),
                        version: pj.version.as_ref().map(|v| v.value.clone()),
                        dir: d.clone(),
                        manifest: m,
                        workspace: w,
                    });
                }
            }
        }
    }

    fn private_scopes(&mut self, opts: &Options) {
        let mut scopes: Vec<String> = opts
            .private_scopes
            .iter()
            .chain(self.p.repos.iter().flat_map(|r| &r.config.registry.scopes))
            .map(|s| s.trim_start_matches('@').to_string())
            .collect();
        scopes.extend(
            self.p
                .workspace_packages
                .iter()
                .filter_map(|p| scope_of(&p.name).map(str::to_string)),
        );
        // A dependency linked with the workspace protocol is internal by definition.
        for m in &self.p.manifests {
            for d in &m.value.dependencies {
                if d.spec.value.starts_with("workspace:") {
                    if let Some(s) = d.scope() {
                        scopes.push(s.to_string());
                    }
                }
            }
        }
        self.p.private_scopes = scopes.into_iter().filter(|s| !s.is_empty()).collect();
    }

    /// The images of repository `r`: one per compose service that builds, then
    /// one for every Dockerfile no service builds (context: the repository root).
    fn images(&mut self, r: usize) {
        let mut built = HashSet::new();
        let composes = self.p.repos[r].composes.clone();
        for c in composes {
            let cdir = self.p.composes[c]
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let cfile = self.p.composes[c].file;
            for s in 0..self.p.composes[c].value.services.len() {
                let Some(b) = self.p.composes[c].value.services[s].build.clone() else {
                    continue;
                };
                if b.context.value.contains("://") || b.context.value.starts_with("git@") {
                    continue;
                }
                let context = clean(&cdir.join(&b.context.value));
                let df_path = clean(
                    &context.join(
                        b.dockerfile
                            .as_ref()
                            .map_or("Dockerfile", |d| d.value.as_str()),
                    ),
                );
                if !df_path.is_file() {
                    let span = b.dockerfile.as_ref().map_or(b.key, |d| d.span);
                    let e = ParseError::new(
                        format!(
                            "service `{}` builds `{}`, which does not exist",
                            self.p.composes[c].value.services[s].name.value,
                            df_path.display()
                        ),
                        span,
                    );
                    let fe = self.p.sources.parse_error(cfile, &e);
                    self.error(fe);
                    continue;
                }
                let Some(d) = self.dockerfile(&df_path) else {
                    continue;
                };
                built.insert(d);
                self.image(r, d, context, Some((c, s)));
            }
        }
        let root = self.p.repos[r].root.clone();
        for d in self.p.repos[r].dockerfiles.clone() {
            if !built.contains(&d) {
                self.image(r, d, root.clone(), None);
            }
        }
    }

    fn image(&mut self, repo: usize, d: usize, context: PathBuf, service: Option<(usize, usize)>) {
        // A context outside the audited trees: list it once (bounded), when
        // it is inside the confinement (else it stays unknown).
        let jail = self.p.sources.jail();
        if jail
            .real_dir(&clean(&context))
            .is_ok_and(|r| jail.contains(&r))
        {
            list_tree(&mut self.p.tree, &clean(&context), &mut self.context_budget);
        }
        let df_path = self.p.dockerfiles[d].path.clone();
        let beside = PathBuf::from(format!("{}.dockerignore", df_path.display()));
        let dockerignore = if self.file_exists(&beside) {
            self.dockerignore(&beside)
        } else {
            let root = context.join(".dockerignore");
            if self.file_exists(&root) {
                self.dockerignore(&root)
            } else {
                None
            }
        };
        let df = &self.p.dockerfiles[d].value;
        let ignore = dockerignore.map(|i| &self.p.dockerignores[i].value);
        let escape = df.escape;
        let copies: Vec<Copied> = super::copies::all_copy_steps(df, &self.p.tree, &context, ignore)
            .iter()
            .filter(|step| step.from.is_none())
            .map(|step| {
                (
                    step.instruction,
                    step.stage,
                    copied_files(&self.p.tree, step),
                )
            })
            .collect();
        let mut runs: Vec<PendingRun> = Vec::new();
        for (i, ins) in df.instructions.iter().enumerate() {
            let Some(stage) = ins.stage else { continue };
            if ins.kind != Kind::Run {
                continue;
            }
            let cmds: Vec<_> = ins
                .commands(escape)
                .into_iter()
                .filter_map(|c| {
                    {
                        let inv = install::invocation(&c)?;
                        install::is_project_install(&inv).then_some(inv.manager)
                    }
                    .map(|m| (m, c))
                })
                .collect();
            if !cmds.is_empty() {
                runs.push(PendingRun {
                    instruction: i,
                    stage,
                    cmds,
                });
            }
        }
        let mut npmrcs = Vec::new();
        let mut manifest_copies: Vec<(usize, usize, usize)> = Vec::new(); // (instruction, stage, manifest)
        for (i, stage, files) in &copies {
            for (src, name) in files {
                if name == ".npmrc" {
                    if let Some(n) = self.npmrc(src) {
                        npmrcs.push((
                            NpmrcCopy {
                                npmrc: n,
                                instruction: *i,
                            },
                            *stage,
                        ));
                    }
                } else if name == "package.json" {
                    if let Some(m) = self.manifest(src) {
                        manifest_copies.push((*i, *stage, m));
                    }
                }
            }
        }
        let df = &self.p.dockerfiles[d].value;
        let mut installs = Vec::new();
        for PendingRun {
            instruction: i,
            stage,
            cmds,
        } in runs
        {
            let lineage: HashSet<usize> = df.lineage(stage, i).into_iter().collect();
            let manifests: Vec<InstalledManifest> = manifest_copies
                .iter()
                .filter(|(ci, _, _)| lineage.contains(ci))
                .map(|(ci, _, m)| InstalledManifest {
                    manifest: *m,
                    instruction: *ci,
                })
                .collect();
            let npmrc = npmrcs
                .iter()
                .rev()
                .find(|(c, _)| lineage.contains(&c.instruction))
                .map(|(c, _)| c.clone());
            for (manager, command) in cmds {
                installs.push(Install {
                    instruction: i,
                    stage,
                    manager,
                    command,
                    manifests: manifests.clone(),
                    npmrc: npmrc.clone(),
                });
            }
        }
        self.p.images.push(Image {
            repo,
            dockerfile: d,
            context,
            service,
            dockerignore,
            npmrcs: npmrcs.into_iter().map(|(c, _)| c).collect(),
            installs,
        });
    }
}

/// A `COPY`/`ADD`: (instruction, stage, copied files as (source on disk, name in the image)).
type Copied = (usize, usize, Vec<(PathBuf, String)>);

/// A `RUN` with install commands, before manifests and `.npmrc` are attached.
struct PendingRun {
    instruction: usize,
    stage: usize,
    cmds: Vec<(Manager, crate::syntax::shell::SimpleCommand)>,
}

/// The install inputs a `COPY`/`ADD` brings from the context: (path on
/// disk, file name in the image). A file source counts as itself; a
/// directory source for the `package.json` and `.npmrc` directly inside it
/// (an install reads those of its directory; a workspace's other manifests
/// are found through the workspace). Only files that exist and reach the
/// image (see [`super::copies`]) are returned.
fn copied_files(
    tree: &super::tree::Facts,
    step: &super::copies::CopyStep<'_>,
) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for i in 0..step.sources.len() {
        for m in step.matches_of(i) {
            let candidates = if tree.has_dir(&m) {
                ["package.json", ".npmrc"].map(|n| m.join(n)).to_vec()
            } else {
                vec![m]
            };
            for f in candidates {
                if !tree.has_file(&f) {
                    continue;
                }
                let Some(rel) = crate::paths::relative_to(&f, step.context) else {
                    continue;
                };
                if let super::copies::Brings::At(at) =
                    step.brings_from(i, &crate::paths::slash(&rel))
                {
                    let name = at.rsplit('/').next().unwrap_or("").to_string();
                    out.push((f, name));
                }
            }
        }
    }
    out
}

/// Expands a `COPY` source glob (`package*.json`) under `context` on the
/// disk ([`super::tree::expand_copy_glob`]).
pub fn expand_file_glob(context: &Path, rel: &str) -> Vec<PathBuf> {
    super::tree::expand_copy_glob(&crate::workspace::globs::Disk, context, rel)
}

/// One name against one segment of a `COPY` source, with Go's
/// `filepath.Match` (what BuildKit uses): `*` any run and `?` any one
/// character but `/`, `[a-z0-9]` and `[^…]` classes, `\` escaping the next
/// character. A malformed pattern (an unclosed or empty class) matches
/// nothing.
pub fn wildcard(pattern: &str, name: &str) -> bool {
    enum Tok {
        Star,
        Any,
        Char(char),
        Class(bool, Vec<(char, char)>),
    }
    fn esc(p: &[char], i: &mut usize) -> Option<char> {
        let c = *p.get(*i)?;
        if c == '-' || c == ']' {
            return None;
        }
        *i += 1;
        if c == '\\' {
            let c = *p.get(*i)?;
            *i += 1;
            return Some(c);
        }
        Some(c)
    }
    fn parse(p: &[char]) -> Option<Vec<Tok>> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < p.len() {
            match p[i] {
                '*' => {
                    i += 1;
                    if !matches!(out.last(), Some(Tok::Star)) {
                        out.push(Tok::Star);
                    }
                }
                '?' => {
                    i += 1;
                    out.push(Tok::Any);
                }
                '\\' => {
                    out.push(Tok::Char(*p.get(i + 1)?));
                    i += 2;
                }
                '[' => {
                    i += 1;
                    let negated = p.get(i) == Some(&'^');
                    if negated {
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    loop {
                        if p.get(i) == Some(&']') && !ranges.is_empty() {
                            i += 1;
                            break;
                        }
                        let lo = esc(p, &mut i)?;
                        let hi = if p.get(i) == Some(&'-') {
                            i += 1;
                            esc(p, &mut i)?
                        } else {
                            lo
                        };
                        ranges.push((lo, hi));
                    }
                    out.push(Tok::Class(negated, ranges));
                }
                c => {
                    i += 1;
                    out.push(Tok::Char(c));
                }
            }
        }
        Some(out)
    }
    fn one(t: &Tok, c: char) -> bool {
        c != '/'
            && match t {
                Tok::Any => true,
                Tok::Char(x) => *x == c,
                Tok::Class(neg, ranges) => {
                    ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *neg
                }
                Tok::Star => false,
            }
    }
    let p: Vec<char> = pattern.chars().collect();
    let Some(toks) = parse(&p) else {
        return false;
    };
    let n: Vec<char> = name.chars().collect();
    // Greedy with one backtrack point: linear in practice, never exponential.
    let (mut ti, mut ni) = (0, 0);
    let mut back: Option<(usize, usize)> = None;
    while ni < n.len() {
        match toks.get(ti) {
            Some(Tok::Star) => {
                back = Some((ti, ni));
                ti += 1;
            }
            Some(t) if one(t, n[ni]) => {
                ti += 1;
                ni += 1;
            }
            _ => match back {
                Some((bt, bn)) if n[bn] != '/' => {
                    back = Some((bt, bn + 1));
                    ti = bt + 1;
                    ni = bn + 1;
                }
                _ => return false,
            },
        }
    }
    toks[ti..].iter().all(|t| matches!(t, Tok::Star))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_globs() {
        assert!(is_dockerfile_name("Dockerfile"));
        assert!(is_dockerfile_name("web.Dockerfile"));
        assert!(is_dockerfile_name("Dockerfile.prod"));
        assert!(!is_dockerfile_name("Dockerfile.dockerignore"));
        assert!(wildcard("package*.json", "package.json"));
        assert!(wildcard(".docker-deps*", ".docker-deps"));
        assert!(!wildcard("*.json", "a.yaml"));
        assert!(wildcard("[ab]*", "beta"));
        assert!(!wildcard("[^ab]*", "beta"));
        assert!(wildcard("a\\*", "a*"));
        assert!(!wildcard("a\\*", "ab"));
        assert!(!wildcard("*", "a/b"));
        assert!(wildcard("**.json", "package.json"));
        assert!(!wildcard("[a", "a"));
        assert!(!wildcard("[]", "a"));
        assert!(wildcard("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaab"));
        assert!(!wildcard("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaa"));
    }
}
