//! The Docker-only lockfile (roadmap A3 option 2, F2, open question 6).
//!
//! A repository whose dev `pnpm-workspace.yaml` reaches outside its build
//! context (the pilots list `../learning_ai_common_plat/packages/*`) cannot
//! install with `--frozen-lockfile` in Docker: the image has neither the
//! sibling packages nor a lockfile that fits the workspace it does have.
//! `dockprep lockfile` writes, in the repository's `docker/` folder:
//!
//! - `docker/pnpm-workspace.yaml`: the dev workspace file without the
//!   out-of-context globs (every other key kept as written);
//! - `docker/pnpm-lock.yaml`: the dev lockfile with every out-of-context
//!   workspace package turned into a registry package at its version, with
//!   the integrity the registry publishes for it, its own dependencies
//!   resolved exactly as the dev lockfile resolved them, and the graph cut to
//!   what the in-context importers reach;
//! - `docker/dockprep-lock.json`: sha256 of every input (the dev lockfile and
//!   workspace file, each in-context manifest, the install-relevant fields of
//!   each sibling manifest) and of the two outputs, so `--check` and the audit
//!   rule `docker-lockfile-stale` can tell without network whether it drifted.
//!
//! The Dockerfile copies both files to the image directory that stands for
//! the repository root (`/app/` when `backend/` is installed in
//! `/app/backend`); `pnpm install --frozen-lockfile` in the package directory
//! then installs exactly the dev lockfile's versions. Deriving the Docker
//! lockfile from the dev one, rather than running `pnpm install
//! --lockfile-only` against the flattened workspace, is what removes the
//! roadmap's drift risk: a fresh resolution would pick whatever is newest on
//! the day of the build.
//!
//! Why a `docker/` folder rather than `pnpm-workspace.docker.yaml`: pnpm
//! only reads files named `pnpm-workspace.yaml` and `pnpm-lock.yaml`, so the
//! Dockerfile copies the folder's two files under their real names in one
//! `COPY`, and the folder holds the staleness record beside them.

pub mod adr;
pub mod registry;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::syntax::pnpm_lock::{self, LockVersion, Lockfile, Map, Node, DEP_FIELDS};
use crate::syntax::yaml_edit::{Comments, EditError, Editor};
use crate::syntax::LineIndex;

pub use crate::project::docker_lock::{copies_docker_lock, Stale, DIR, LOCK, RECORD, WORKSPACE};

use crate::workspace::confined_reader;
/// Errors name the file, and the line and column when known (the same
/// type as `dockprep prune`'s).
pub use crate::workspace::Error;

/// An out-of-context workspace package the image installs from the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct External {
    pub name: String,
    pub version: String,
    /// Its importer id in the dev lockfile (`../common/packages/auth`).
    pub importer: String,
}

/// The registry's record of one published version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Published {
    pub integrity: String,
    /// Only when it is not the registry's standard tarball address (pnpm
    /// records it then, and only then).
    pub tarball: Option<String>,
    /// `engines`, `os`, `cpu`, `libc` of the published manifest.
    pub engines: Vec<(String, String)>,
    pub os: Vec<String>,
    pub cpu: Vec<String>,
    pub libc: Vec<String>,
    pub has_bin: bool,
    pub deprecated: Option<String>,
    /// Names of its dependencies and optional dependencies.
    pub dependencies: BTreeSet<String>,
    pub peer_dependencies: BTreeSet<String>,
}

/// Where published versions come from (the registry, or a test's table).
pub trait Source {
    fn published(&self, name: &str, version: &str) -> Result<Published, SourceError>;
}

/// Why a [`Source`] has no record of a version (never carries a token:
/// `registry` is the URL as printed).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot reach the registry {registry}: {message}")]
    Unreachable { registry: String, message: String },
    #[error("{name} is not published in {registry}")]
    NotPublished { name: String, registry: String },
    #[error("the registry {registry} refused the request ({status}): give a token (--token-file, or the variable the .npmrc names)")]
    Refused { registry: String, status: u16 },
    #[error("the registry {registry} answered {status} for {name}")]
    Status {
        registry: String,
        status: u16,
        name: String,
    },
    #[error("the registry's answer for {name} is not JSON: {message}")]
    NotJson { name: String, message: String },
    #[error("{name}@{version} is not published in {registry} (publish it, or depend on a published version)")]
    VersionMissing {
        name: String,
        version: String,
        registry: String,
    },
    /// The version's metadata lacks what a lockfile records.
    #[error("{0}")]
    Metadata(&'static str),
}

/// The result of [`generate`]: the three files' contents.
#[derive(Clone, Debug)]
pub struct Output {
    pub lockfile: String,
    pub workspace: String,
    pub record: Record,
    pub externals: Vec<External>,
    /// In-context importers, in lockfile order.
    pub importers: Vec<String>,
}

/// The staleness record (`docker/dockprep-lock.json`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    pub version: u32,
    /// Input path (relative to the repository root, `/`-separated) → sha256.
    pub inputs: BTreeMap<String, String>,
    /// Output path → sha256.
    pub outputs: BTreeMap<String, String>,
}

/// Everything read from the repository before any network access.
pub struct Plan {
    pub root: PathBuf,
    dev: Lockfile,
    dev_workspace_text: String,
    /// Importer id → external package.
    externals: BTreeMap<String, External>,
    /// Importer id → the sibling manifest's install-relevant JSON.
    external_manifests: BTreeMap<String, serde_json::Value>,
    in_context: Vec<String>,
    /// Workspace globs (with their byte range in the workspace file) that
    /// point outside the repository.
    outside_globs: Vec<(usize, usize)>,
}

/// Fields of a sibling manifest that change what the Docker lockfile says.
const MANIFEST_FIELDS: [&str; 11] = [
    "name",
    "version",
    "dependencies",
    "optionalDependencies",
    "peerDependencies",
    "peerDependenciesMeta",
    "engines",
    "bin",
    "os",
    "cpu",
    "libc",
];

fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_outside(importer: &str) -> bool {
    importer == ".." || importer.starts_with("../") || importer.starts_with('/')
}

/// The importer a `link:` reference of importer `from` points at.
fn link_target(from: &str, reference: &str) -> Option<String> {
    let rel = reference.strip_prefix("link:")?;
    if rel.starts_with('/') {
        return Some(rel.to_string());
    }
    Some(pnpm_lock::join_importer(from, rel))
}

/// How the plan and the check read a file: the disk ([`read`]), or the
/// model's sources when the loader runs the check.
pub use crate::workspace::Reader;

fn manifest_json(path: &Path, read: &mut Reader<'_>) -> Result<serde_json::Value, Error> {
    let text = read(path)?;
    let body = crate::syntax::package_json::strip_bom(&text);
    serde_json::from_str(body).map_err(|e| {
        let off = LineIndex::new(&text).offset(&text, e.line().max(1), e.column().max(1));
        Error::at(path, &text, off, format!("invalid JSON: {e}"))
    })
}

/// Reads the repository: the dev lockfile and workspace, the in-context
/// importers and the out-of-context ones, and checks that the dev lockfile
/// matches the manifests. No network.
pub fn plan(root: &Path) -> Result<Plan, Error> {
    read_plan(root, true, &mut confined_reader(root))
}

fn read_plan(root: &Path, validate: bool, read: &mut Reader<'_>) -> Result<Plan, Error> {
    if !root.join("pnpm-workspace.yaml").is_file() {
        return Err(Error::file(
            &root.join("pnpm-workspace.yaml"),
            "no pnpm-workspace.yaml: a Docker-only lockfile is for a workspace that reaches outside its build context",
        ));
    }
    let files = crate::workspace::read_workspace_with(
        root,
        "the Docker lockfile keeps the dev lockfile's resolutions (run pnpm install)",
        read,
    )?;
    let crate::workspace::WorkspaceFiles {
        ws_path,
        ws_text: dev_workspace_text,
        ws,
        lock_path,
        lock_text,
        lock: dev,
    } = files;
    if dev.version != LockVersion::V9 {
        return Err(Error::file(
            &lock_path,
            "lockfile v6 (pnpm 8): dockprep writes Docker lockfiles from lockfile v9 (pnpm 9+); run `pnpm install` with pnpm 9 or later",
        ));
    }
    let outside_globs: Vec<(usize, usize)> = ws
        .packages
        .iter()
        .filter(|g| {
            !g.value.starts_with('!') && is_outside(&pnpm_lock::normalize_relative(&g.value))
        })
        .map(|g| (g.span.start, g.span.end))
        .collect();
    let mut externals = BTreeMap::new();
    let mut external_manifests = BTreeMap::new();
    let mut in_context = Vec::new();
    for id in dev.importer_ids() {
        if !is_outside(id) {
            in_context.push(id.to_string());
            continue;
        }
        let mpath = root.join(id).join("package.json");
        let v = manifest_json(&mpath, read)?;
        let name = v.get("name").and_then(|x| x.as_str());
        let version = v.get("version").and_then(|x| x.as_str());
        let (Some(name), Some(version)) = (name, version) else {
            return Err(Error::file(
                &mpath,
                "an out-of-context workspace package needs a name and a version to be installed from the registry",
            ));
        };
        externals.insert(
            id.to_string(),
            External {
                name: name.to_string(),
                version: version.to_string(),
                importer: id.to_string(),
            },
        );
        let subset: serde_json::Map<String, serde_json::Value> = MANIFEST_FIELDS
            .iter()
            .filter_map(|k| v.get(*k).map(|x| (k.to_string(), x.clone())))
            .collect();
        external_manifests.insert(id.to_string(), serde_json::Value::Object(subset));
    }
    if externals.is_empty() {
        return Err(Error::file(
            &ws_path,
            "every workspace package is inside the repository: the dev lockfile already works in Docker (copy it and use --frozen-lockfile)",
        ));
    }
    // The dev lockfile must match the in-context manifests, or the Docker
    // lockfile would carry the mismatch into `--frozen-lockfile`.
    for id in in_context.iter().filter(|_| validate) {
        let mpath = root.join(id).join("package.json");
        let text = read(&mpath)?;
        crate::workspace::lock::manifest_matches(&dev, &lock_text, &lock_path, id, &mpath, &text)?;
    }
    Ok(Plan {
        root: root.to_path_buf(),
        dev,
        dev_workspace_text,
        externals,
        external_manifests,
        in_context,
        outside_globs,
    })
}

impl Plan {
    /// The external packages the in-context importers reach, transitively.
    pub fn reached(&self) -> Result<Vec<&External>, Error> {
        let lock_path = self.root.join("pnpm-lock.yaml");
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<String> = VecDeque::new();
        for id in &self.in_context {
            for d in self.dev.importer_deps(id) {
                if let Some(t) = link_target(id, d.reference) {
                    if self.externals.contains_key(&t) && seen.insert(t.clone()) {
                        queue.push_back(t);
                    }
                }
            }
        }
        while let Some(ext) = queue.pop_front() {
            for d in self.dev.importer_deps(&ext) {
                if d.field == "devDependencies" {
                    continue;
                }
                if let Some(t) = link_target(&ext, d.reference) {
                    if !self.externals.contains_key(&t) {
                        return Err(Error::file(
                            &lock_path,
                            format!(
                                "importer `{ext}` (outside the repository) depends on `{}` inside it ({t}); the registry copy cannot link back into the image",
                                d.name
                            ),
                        ));
                    }
                    if seen.insert(t.clone()) {
                        queue.push_back(t);
                    }
                }
            }
        }
        Ok(seen.iter().map(|id| &self.externals[id]).collect())
    }

    /// Hashes of every input, as recorded and as `--check` recomputes them.
    pub fn inputs(&self) -> Result<BTreeMap<String, String>, Error> {
        self.inputs_read(&mut confined_reader(&self.root))
    }

    /// [`Plan::inputs`], reading the files with `read`.
    fn inputs_read(&self, read: &mut Reader<'_>) -> Result<BTreeMap<String, String>, Error> {
        let mut inputs = BTreeMap::new();
        for f in ["pnpm-lock.yaml", "pnpm-workspace.yaml"] {
            let text = read(&self.root.join(f))?;
            inputs.insert(f.to_string(), sha256_hex(text.as_bytes()));
        }
        for id in &self.in_context {
            let rel = manifest_rel(id);
            let text = read(&self.root.join(&rel))?;
            inputs.insert(rel, sha256_hex(text.as_bytes()));
        }
        for ext in self.reached()? {
            let v = &self.external_manifests[&ext.importer];
            inputs.insert(
                manifest_rel(&ext.importer),
                sha256_hex(serde_json::to_string(v).unwrap_or_default().as_bytes()),
            );
        }
        Ok(inputs)
    }
}

/// Why a record key is not a path the record may name (`None`: it is):
/// relative, `/`-separated, without `.` or empty parts, `..` only as one
/// leading part of an input (a sibling workspace's manifest).
fn bad_key(key: &str, output: bool) -> Option<&'static str> {
    if key.is_empty() || key.starts_with('/') || key.contains('\\') || has_drive(key) {
        return Some("is not a relative path");
    }
    let mut parts = key.split('/');
    let first = parts.next().unwrap_or("");
    let parents = usize::from(first == "..");
    if parents == 1 && output {
        return Some("is outside the repository (an output lies inside it)");
    }
    let rest: Vec<&str> = if parents == 1 {
        parts.collect()
    } else {
        key.split('/').collect()
    };
    if rest.is_empty() || rest.iter().any(|p| p.is_empty() || *p == "." || *p == "..") {
        return Some("is outside the repository or not a plain relative path");
    }
    None
}

/// `C:…` (a path that is absolute on Windows).
fn has_drive(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

fn manifest_rel(id: &str) -> String {
    if id == "." {
        "package.json".to_string()
    } else {
        format!("{id}/package.json")
    }
}

/// Writes the Docker lockfile and workspace from a plan, asking `source`
/// for each reached external package's published record.
pub fn generate(plan: &Plan, source: &dyn Source) -> Result<Output, Error> {
    let lock_path = plan.root.join("pnpm-lock.yaml");
    let dev = &plan.dev;
    let reached = plan.reached()?;
    let by_importer: HashMap<&str, &External> =
        reached.iter().map(|e| (e.importer.as_str(), *e)).collect();
    let version_of = |from: &str, reference: &str| -> Option<&External> {
        link_target(from, reference).and_then(|t| by_importer.get(t.as_str()).copied())
    };

    let mut lock = dev.clone();
    let root = lock.project_mut();

    // Importers: the in-context ones, with links to siblings made registry versions.
    let mut importers = Map::new();
    if let Some(dev_importers) = dev.project().get_map("importers") {
        for id in &plan.in_context {
            let Some(Node::Map(imp)) = dev_importers.get(id) else {
                continue;
            };
            let mut imp = imp.clone();
            for field in DEP_FIELDS {
                let Some(Node::Map(deps)) = imp.get_mut(field) else {
                    continue;
                };
                let names: Vec<String> = deps.keys().map(str::to_string).collect();
                for name in names {
                    let Some(Node::Map(entry)) = deps.get_mut(&name) else {
                        continue;
                    };
                    let Some(reference) = entry.get_str("version").map(str::to_string) else {
                        continue;
                    };
                    if let Some(ext) = version_of(id, &reference) {
                        let spec = entry.get_str("specifier").unwrap_or("");
                        if spec.starts_with("workspace:") {
                            return Err(Error::file(
                                &plan.root.join(manifest_rel(id)),
                                format!(
                                    "{field} `{name}` is `{spec}`, which only resolves inside the dev workspace; give it a semver range (e.g. `^{}`) so the image can install it from the registry",
                                    ext.version
                                ),
                            ));
                        }
                        entry.insert("version", Node::str(ext.version.clone()));
                    }
                }
            }
            importers.insert(id.clone(), Node::Map(imp));
        }
    }

    // Registry packages for the siblings: `packages` and `snapshots` entries.
    let mut new_packages: Vec<(String, Node)> = Vec::new();
    let mut new_snapshots: Vec<(String, Node)> = Vec::new();
    let mut roots: Vec<String> = Vec::new();
    for ext in &reached {
        let published = source.published(&ext.name, &ext.version).map_err(|e| {
            Error::file(&plan.root.join(manifest_rel(&ext.importer)), e.to_string())
        })?;
        let key = format!("{}@{}", ext.name, ext.version);
        if !published.peer_dependencies.is_empty() {
            return Err(Error::file(
                &plan.root.join(manifest_rel(&ext.importer)),
                format!(
                    "{key} has peer dependencies ({}); dockprep does not yet resolve peers of out-of-context packages",
                    published.peer_dependencies.iter().cloned().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        // What the dev workspace resolved for it, apart from its dev dependencies.
        let runtime_deps: Vec<_> = dev
            .importer_deps(&ext.importer)
            .into_iter()
            .filter(|d| d.field != "devDependencies")
            .collect();
        // The published manifest must be the one the dev workspace resolved.
        let local: BTreeSet<String> = runtime_deps.iter().map(|d| d.name.to_string()).collect();
        if local != published.dependencies {
            let only_local: Vec<_> = local.difference(&published.dependencies).cloned().collect();
            let only_published: Vec<_> =
                published.dependencies.difference(&local).cloned().collect();
            return Err(Error::file(
                &plan.root.join(manifest_rel(&ext.importer)),
                format!(
                    "the published {key} has other dependencies than the workspace copy (only here: [{}]; only published: [{}]); publish a new version or bump it",
                    only_local.join(", "),
                    only_published.join(", ")
                ),
            ));
        }
        new_packages.push((key.clone(), package_entry(&published)));
        let mut snap = Map::new();
        for field in ["dependencies", "optionalDependencies"] {
            let mut deps: Vec<(String, String)> = Vec::new();
            for d in runtime_deps.iter().filter(|d| d.field == field) {
                let reference = match version_of(&ext.importer, d.reference) {
                    Some(e) => e.version.clone(),
                    None => d.reference.to_string(),
                };
                if let Some(p) = pnpm_lock::dep_path(LockVersion::V9, d.name, &reference) {
                    roots.push(p);
                }
                deps.push((d.name.to_string(), reference));
            }
            if deps.is_empty() {
                continue;
            }
            deps.sort();
            let mut m = Map::new();
            for (n, r) in deps {
                m.insert(n, Node::str(r));
            }
            snap.insert(field, Node::Map(m));
        }
        new_snapshots.push((key, Node::Map(snap)));
    }

    // The graph: what the kept importers and the siblings reach.
    for (id, imp) in importers.iter() {
        let Some(imp) = imp.as_map() else { continue };
        for field in DEP_FIELDS {
            let Some(deps) = imp.get_map(field) else {
                continue;
            };
            for (name, e) in deps.iter() {
                if let Some(r) = e.get("version").and_then(Node::as_str) {
                    if version_of(id, r).is_none() {
                        if let Some(p) = pnpm_lock::dep_path(LockVersion::V9, name, r) {
                            roots.push(p);
                        }
                    }
                }
            }
        }
    }
    let external_keys: BTreeSet<&str> = new_snapshots.iter().map(|(k, _)| k.as_str()).collect();
    let mut keep: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<String> = roots.into_iter().collect();
    let dev_snapshots = dev.project().get_map("snapshots");
    while let Some(p) = queue.pop_front() {
        // The siblings' own dependencies are roots already.
        if external_keys.contains(p.as_str()) || !keep.insert(p.clone()) {
            continue;
        }
        if dev_snapshots.and_then(|s| s.get(&p)).is_none() {
            return Err(Error::file(
                &lock_path,
                format!("`{p}` is referenced but has no snapshots entry: the dev lockfile is incomplete (run `pnpm install`)"),
            ));
        }
        for d in dev.node_deps(&p) {
            if let Some(next) = pnpm_lock::dep_path(LockVersion::V9, d.name, d.reference) {
                if !keep.contains(&next) {
                    queue.push_back(next);
                }
            }
        }
    }

    let mut snapshots = Map::new();
    let mut packages = Map::new();
    if let Some(s) = dev_snapshots {
        for (k, v) in s.iter() {
            if keep.contains(k) {
                snapshots.insert(k, v.clone());
            }
        }
    }
    let package_keys: BTreeSet<&str> = keep.iter().map(|k| pnpm_lock::strip_suffixes(k)).collect();
    if let Some(p) = dev.project().get_map("packages") {
        for (k, v) in p.iter() {
            if package_keys.contains(k) {
                packages.insert(k, v.clone());
            }
        }
    }
    for (k, v) in new_packages {
        packages.insert(k, v);
    }
    for (k, v) in new_snapshots {
        snapshots.insert(k, v);
    }
    packages.sort_keys();
    snapshots.sort_keys();

    // Patches of packages the image no longer installs would fail the install.
    if let Some(Node::Map(patched)) = root.get_mut("patchedDependencies") {
        let names: BTreeSet<&str> = package_keys
            .iter()
            .filter_map(|k| pnpm_lock::split_name_version(k).map(|(n, _)| n))
            .collect();
        // Keys are `name@version`, `name@range` or just `name`.
        patched.retain(|k, _| {
            package_keys.contains(k)
                || names.contains(k)
                || pnpm_lock::split_name_version(k).is_some_and(|(n, _)| names.contains(n))
        });
    }
    // Catalog entries only the siblings used go, as pnpm drops them.
    let mut used: BTreeSet<(String, String)> = BTreeSet::new();
    for (_, imp) in importers.iter() {
        for field in DEP_FIELDS {
            for (name, e) in imp
                .as_map()
                .and_then(|m| m.get_map(field))
                .into_iter()
                .flat_map(Map::iter)
            {
                if let Some(cat) = e
                    .get("specifier")
                    .and_then(Node::as_str)
                    .and_then(|s| s.strip_prefix("catalog:"))
                {
                    let cat = if cat.is_empty() { "default" } else { cat };
                    used.insert((cat.to_string(), name.to_string()));
                }
            }
        }
    }
    if let Some(Node::Map(catalogs)) = root.get_mut("catalogs") {
        for (cat, entries) in catalogs.entries.iter_mut() {
            if let Node::Map(m) = &mut entries.value {
                m.retain(|name, _| used.contains(&(cat.clone(), name.to_string())));
            }
        }
        catalogs.retain(|_, v| v.as_map().is_some_and(|m| !m.is_empty()));
        if catalogs.is_empty() {
            root.remove("catalogs");
        }
    }
    lock.set_root("importers", Node::Map(importers));
    lock.set_root("packages", Node::Map(packages));
    lock.set_root("snapshots", Node::Map(snapshots));
    let lockfile = lock.render();

    let workspace =
        docker_workspace(&plan.dev_workspace_text, &plan.outside_globs).map_err(|e| {
            Error::file(
                &plan.root.join("pnpm-workspace.yaml"),
                format!("internal error: the Docker workspace file could not be written: {e}"),
            )
        })?;
    let mut record = Record {
        version: 1,
        inputs: plan.inputs()?,
        outputs: BTreeMap::new(),
    };
    record
        .outputs
        .insert(LOCK.to_string(), sha256_hex(lockfile.as_bytes()));
    record
        .outputs
        .insert(WORKSPACE.to_string(), sha256_hex(workspace.as_bytes()));
    Ok(Output {
        lockfile,
        workspace,
        record,
        externals: reached.into_iter().cloned().collect(),
        importers: plan.in_context.clone(),
    })
}

/// The `packages` entry pnpm writes for a registry package.
fn package_entry(p: &Published) -> Node {
    let mut m = Map::new();
    let mut res = Map::flow();
    res.insert("integrity", Node::str(p.integrity.clone()));
    if let Some(t) = &p.tarball {
        res.insert("tarball", Node::str(t.clone()));
    }
    m.insert("resolution", Node::Map(res));
    if !p.engines.is_empty() {
        let mut e = Map::flow();
        for (k, v) in &p.engines {
            e.insert(k.clone(), Node::str(v.clone()));
        }
        m.insert("engines", Node::Map(e));
    }
    for (key, list) in [("cpu", &p.cpu), ("os", &p.os), ("libc", &p.libc)] {
        if !list.is_empty() {
            m.insert(
                key,
                Node::Seq {
                    items: list.iter().map(|s| Node::str(s.clone())).collect(),
                    flow: true,
                },
            );
        }
    }
    if let Some(d) = &p.deprecated {
        m.insert("deprecated", Node::str(d.clone()));
    }
    if p.has_bin {
        m.insert(
            "hasBin",
            Node::Scalar(crate::syntax::pnpm_lock::Scalar::bool(true)),
        );
    }
    Node::Map(m)
}

/// The dev workspace file without the out-of-context globs (the `packages`
/// items starting at the given byte ranges) and the comment lines right
/// above each.
fn docker_workspace(text: &str, outside: &[(usize, usize)]) -> Result<String, EditError> {
    let mut ed = Editor::new(text)?;
    ed.retain_items(
        &["packages"],
        |_, item| !outside.iter().any(|&(start, _)| start == item.span.start),
        Comments::Drop,
    )?;
    let mut out = String::from(
        "# Docker-only workspace written by `dockprep lockfile` from ../pnpm-workspace.yaml:\n# the packages outside the repository come from the registry. Do not edit.\n",
    );
    out.push_str(&ed.finish()?.text);
    Ok(out)
}

/// Writes the three files (each temp file + rename; the record last, so a
/// crash leaves a record that does not match and `--check` says stale).
pub fn write(root: &Path, out: &Output) -> Result<(), Error> {
    let dir = root.join(DIR);
    std::fs::create_dir_all(&dir).map_err(|e| Error::file(&dir, e.to_string()))?;
    // `docker/` may arrive with the repository as a link to elsewhere: the
    // files are written only where it resolves inside the repository.
    let inside = match (crate::fsutil::resolve(&dir), crate::fsutil::resolve(root)) {
        (Ok(d), Ok(r)) => d.starts_with(&r),
        _ => false,
    };
    if !inside {
        return Err(Error::file(
            &dir,
            "resolves outside the repository (a symbolic link?); nothing was written",
        ));
    }
    for (rel, text) in [(LOCK, &out.lockfile), (WORKSPACE, &out.workspace)] {
        let p = root.join(rel);
        crate::fsutil::write_atomic(&p, text.as_bytes())
            .map_err(|e| Error::file(&p, e.to_string()))?;
    }
    let p = root.join(RECORD);
    let mut json = serde_json::to_string_pretty(&out.record).unwrap_or_default();
    json.push('\n');
    crate::fsutil::write_atomic(&p, json.as_bytes()).map_err(|e| Error::file(&p, e.to_string()))
}

/// Compares the record with the repository, without network, reading the
/// disk. `Ok(None)` when fresh; `Err` when there is no Docker lockfile or it
/// cannot be read.
pub fn check(root: &Path) -> Result<Option<Stale>, Error> {
    check_with(root, &mut confined_reader(root))
}

/// [`check`] as the model's [`crate::project::docker_lock::Check`]: what
/// `audit`, `fix` and `build` pass to the loader. It reads through the
/// loader's sources (each file once, the fix overlay's texts for fixed files).
pub(crate) fn check_state(
    root: &Path,
    read: &mut crate::project::docker_lock::Reader<'_>,
) -> Result<Option<Stale>, Error> {
    check_with(root, &mut |p: &Path| {
        read(p).map_err(|e| Error::At {
            file: crate::workspace::show(&e.path),
            line: e.line,
            column: e.column,
            message: e.message,
        })
    })
}

/// [`check`], reading every file with `read`.
pub(crate) fn check_with(root: &Path, read: &mut Reader<'_>) -> Result<Option<Stale>, Error> {
    let rpath = root.join(RECORD);
    if !rpath.is_file() {
        return Err(Error::file(
            &rpath,
            "no Docker lockfile record: run `dockprep lockfile` first",
        ));
    }
    let text = read(&rpath)?;
    let record: Record = serde_json::from_str(&text).map_err(|e| {
        let li = LineIndex::new(&text);
        let off = li.offset(&text, e.line().max(1), e.column().max(1));
        Error::at(&rpath, &text, off, format!("invalid record: {e}"))
    })?;
    // Keys are paths relative to the root: outputs inside it (they are
    // read), inputs inside it or in a sibling (`../common/…`, only compared).
    for (rel, outputs) in record
        .inputs
        .keys()
        .map(|k| (k, false))
        .chain(record.outputs.keys().map(|k| (k, true)))
    {
        if let Some(why) = bad_key(rel, outputs) {
            let key = serde_json::to_string(rel).unwrap_or_default();
            let at = text.find(&format!("{key}:")).or_else(|| text.find(&key));
            return Err(Error::at(
                &rpath,
                &text,
                at.unwrap_or(0),
                format!("invalid record: `{rel}` {why}"),
            ));
        }
    }
    let mut changes = Vec::new();
    for (rel, want) in &record.outputs {
        let out = root.join(rel);
        match read(&out) {
            Ok(t) if &sha256_hex(t.as_bytes()) == want => {}
            Ok(_) => changes.push((rel.clone(), "edited after it was written")),
            Err(_) if out.symlink_metadata().is_err() => changes.push((rel.clone(), "missing")),
            Err(e) => return Err(e),
        }
    }
    let now = match read_plan(root, false, read) {
        Ok(p) => p.inputs_read(read)?,
        Err(e) => {
            return Ok(Some(Stale {
                changes: vec![(e.to_string(), "so the inputs cannot be compared")],
            }))
        }
    };
    for (rel, want) in &record.inputs {
        match now.get(rel) {
            Some(h) if h == want => {}
            Some(_) => changes.push((rel.clone(), "changed")),
            None => changes.push((rel.clone(), "no longer an input")),
        }
    }
    for rel in now.keys() {
        if !record.inputs.contains_key(rel) {
            changes.push((rel.clone(), "new input"));
        }
    }
    Ok(if changes.is_empty() {
        None
    } else {
        Some(Stale { changes })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_keys() {
        assert_eq!(bad_key("docker/pnpm-lock.yaml", true), None);
        assert_eq!(bad_key("../common/packages/a/package.json", false), None);
        assert!(bad_key("../common/package.json", true).is_some());
        assert!(bad_key("/dev/zero", true).is_some());
        assert!(bad_key("/dev/zero", false).is_some());
        assert!(bad_key("../../x/package.json", false).is_some());
        assert!(bad_key("a/../../x", false).is_some());
        assert!(bad_key("./a", false).is_some());
        assert!(bad_key("C:/x", false).is_some());
        assert!(bad_key("..", false).is_some());
    }

    #[test]
    fn normalizes() {
        assert_eq!(
            link_target("backend", "link:../../c/p").as_deref(),
            Some("../c/p")
        );
        assert_eq!(link_target(".", "link:backend").as_deref(), Some("backend"));
    }

    #[test]
    fn workspace_drops_outside_globs_and_their_comments() {
        let text =
            "packages:\n  - backend\n  # siblings\n  - ../c/packages/*\ncatalog:\n  zod: ^3\n";
        let at = text.find("../c").unwrap();
        let out = docker_workspace(text, &[(at, at + 14)]).unwrap();
        assert!(
            out.ends_with("packages:\n  - backend\ncatalog:\n  zod: ^3\n"),
            "{out}"
        );
    }
}
