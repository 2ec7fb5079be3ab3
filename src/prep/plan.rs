//! What `prep` would do, computed in memory: which private-scope packages a
//! repository needs (the transitive closure of its manifests' private-scope
//! dependencies), packed natively, and each affected `package.json` rewritten
//! to `file:` references to the tarballs plus `pnpm.overrides` pinning every
//! package of the closure. Nothing here writes a file: `prep` journals and
//! writes the plan, `build --mode tarball` places it into a build context.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use crate::pack::packer::{pack_in_memory, PackError};
use crate::pack::tarball;
use crate::paths::{clean, relative_to, slash};
use crate::project::{self, Options, Project};

/// The directory the tarballs go into, at the repository (or context) root.
pub(crate) const DEPS_DIR: &str = ".docker-deps";

/// Dependency tables of a manifest that `prep` rewrites (installed ones).
const REWRITTEN: [&str; 3] = ["dependencies", "devDependencies", "optionalDependencies"];
/// Tables of a packed package that pull other packages in when installed.
const INSTALLED: [&str; 3] = ["dependencies", "optionalDependencies", "peerDependencies"];

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("path not found: {0}")]
    NotFound(PathBuf),
    #[error("{path}:{line}:{column}: {message}")]
    Unreadable {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{0}: no pnpm-workspace.yaml there")]
    NoWorkspace(PathBuf),
    #[error("{manifest}: `{package}` is in a private scope but no workspace provides it (looked in: {looked}); pass --workspace DIR")]
    Unprovided {
        manifest: PathBuf,
        package: String,
        looked: String,
    },
    #[error("{}: its name and version make the tarball {file}, not one file in .docker-deps/", manifest.display())]
    UnsafeTarball { manifest: PathBuf, file: String },
    #[error(transparent)]
    Pack(#[from] PackError),
}

/// Where `prep` takes packages from and what it rewrites.
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    /// The repository (or build context) whose manifests are rewritten.
    pub root: PathBuf,
    /// Source workspaces; empty: those the repository's `pnpm-workspace.yaml`
    /// reaches outside the root, the configured one, and siblings.
    pub workspaces: Vec<PathBuf>,
    /// Extra private scopes.
    pub private_scopes: Vec<String>,
    /// More directories to discover workspaces from (the repository around a
    /// build context); their packages outside the root are sources too.
    pub search: Vec<PathBuf>,
    /// Rewrite only these manifests (those an image installs); empty: all.
    pub only: Vec<PathBuf>,
    /// Texts this run read already (an earlier model's
    /// [`Sources::disk_texts`](crate::project::Sources::disk_texts)), so
    /// planning does not read them again.
    pub read_cache: HashMap<PathBuf, String>,
}

/// A package to place in `.docker-deps/`.
#[derive(Clone, Debug)]
pub struct PlannedTarball {
    pub name: String,
    pub version: String,
    /// Path relative to the root (`.docker-deps/bytelyst-config-1.4.0.tgz`).
    pub path: String,
    pub bytes: Vec<u8>,
    pub integrity: String,
    pub files: usize,
    /// The package directory it was packed from.
    pub source: PathBuf,
}

/// One rewritten manifest.
#[derive(Clone, Debug)]
pub struct Rewrite {
    /// Path relative to the root (`backend/package.json`).
    pub path: String,
    pub original: Vec<u8>,
    pub rewritten: Vec<u8>,
    /// (package, old specifier, new specifier) of the rewritten dependencies.
    pub dependencies: Vec<(String, String, String)>,
    /// Packages pinned in `pnpm.overrides`.
    pub overrides: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub root: PathBuf,
    pub tarballs: Vec<PlannedTarball>,
    pub rewrites: Vec<Rewrite>,
    /// The source workspaces used.
    pub workspaces: Vec<PathBuf>,
    /// Every text read while planning (and the `read_cache` it was given),
    /// by cleaned path: what a later step of the run (the build context) can
    /// send without reading the disk again.
    pub texts: HashMap<PathBuf, String>,
}

/// A package some workspace provides.
struct Provider {
    dir: PathBuf,
    manifest: PathBuf,
    /// Index of its manifest in `Project::manifests` (the text read once).
    parsed: usize,
    /// Index of the owning workspace in `Project::workspaces`.
    workspace: usize,
}

/// Where `prep` discovers its source workspaces and their packages: the
/// model of the root, the named workspaces and the search directories (the
/// loader's workspace discovery, [`crate::workspace::globs`], with the
/// workspaces beside them). `Project::workspace_packages` holds the
/// packages every workspace found provides.
pub fn sources(opts: &PlanOptions) -> Result<Project, PlanError> {
    let root = clean(&opts.root);
    if !root.is_dir() {
        return Err(PlanError::NotFound(root));
    }
    let mut paths = vec![root.clone()];
    for w in &opts.workspaces {
        let w = clean(w);
        if !w.join("pnpm-workspace.yaml").is_file() {
            return Err(PlanError::NoWorkspace(w));
        }
        paths.push(w);
    }
    paths.extend(opts.search.iter().map(|s| clean(s)));
    let p = project::load(
        &paths,
        &Options {
            private_scopes: opts.private_scopes.clone(),
            known_rule: Some(crate::rules::registry::is_known),
            read_cache: opts.read_cache.clone(),
            ..Options::default()
        },
    )
    .map_err(|_| PlanError::NotFound(root.clone()))?;
    // A manifest, workspace file or configuration that does not read is
    // fatal: prep never runs on a guess (defaults in place of a broken
    // `dockprep.toml`).
    if let Some(e) = p.errors.iter().find(|e| {
        ["package.json", "pnpm-workspace.yaml", "dockprep.toml"]
            .iter()
            .any(|n| e.path.ends_with(n))
    }) {
        let config = e.path.ends_with("dockprep.toml");
        return Err(PlanError::Unreadable {
            path: e.path.clone(),
            line: e.line,
            column: e.column,
            message: if config {
                without_values(&e.message)
            } else {
                e.message.clone()
            },
        });
    }
    Ok(p)
}

/// A configuration error without the values it quotes (`"…"` and `` `…` ``
/// segments become `…`): the place (file, line, column) says where, and
/// what a value holds never reaches a log.
fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut open: Option<char> = None;
    for c in message.chars() {
        match open {
            Some(q) if c == q => open = None,
            Some(_) => {}
            None if c == '"' || c == '`' => {
                open = Some(c);
                out.push('…');
            }
            None => out.push(c),
        }
    }
    out
}

/// Computes the plan (packing in memory, in parallel).
pub fn plan(opts: &PlanOptions) -> Result<Plan, PlanError> {
    let root = clean(&opts.root);
    let p = sources(opts)?;
    if opts.workspaces.is_empty() {
        let repo = p
            .repos
            .iter()
            .filter(|r| relative_to(&root, &r.root).is_some())
            .max_by_key(|r| r.root.components().count());
        let configured = repo.and_then(|r| {
            let base = r.config.path.as_ref()?.parent()?.to_path_buf();
            let ws: Vec<PathBuf> = r
                .config
                .prep
                .workspaces
                .iter()
                .map(|w| base.join(w))
                .collect();
            (!ws.is_empty()).then_some(ws)
        });
        if let Some(workspaces) = configured {
            return plan(&PlanOptions {
                workspaces,
                read_cache: p.sources.disk_texts(),
                ..opts.clone()
            });
        }
    }
    let explicit: Vec<PathBuf> = opts.workspaces.iter().map(|w| clean(w)).collect();
    let providers = providers(&p, &root, &explicit);
    let used: BTreeSet<usize> = providers.values().map(|pr| pr.workspace).collect();
    let versions: Vec<HashMap<String, String>> = (0..p.workspaces.len())
        .map(|w| {
            p.workspace_packages
                .iter()
                .filter(|m| m.workspace == w)
                .filter_map(|m| Some((m.name.clone(), m.version.clone()?)))
                .collect()
        })
        .collect();

    // The repository's manifests with private-scope dependencies someone provides.
    let mut wanted: Vec<(usize, Vec<String>)> = Vec::new();
    for (i, m) in p.manifests.iter().enumerate() {
        if relative_to(&m.path, &root).is_none()
            || m.path.components().any(|c| c.as_os_str() == DEPS_DIR)
        {
            continue;
        }
        if !opts.only.is_empty() && !opts.only.iter().any(|o| clean(o) == m.path) {
            continue;
        }
        // Packages of a source workspace inside the root are sources, not consumers.
        if providers.values().any(|pr| pr.manifest == m.path) {
            continue;
        }
        let mut names = Vec::new();
        for d in &m.value.dependencies {
            if !REWRITTEN.contains(&d.kind.key()) || !p.is_private(&d.name.value) {
                continue;
            }
            if providers.contains_key(&d.name.value) {
                names.push(d.name.value.clone());
            } else if !in_root_workspace(&p, &root, &d.name.value) {
                return Err(PlanError::Unprovided {
                    manifest: m.path.clone(),
                    package: d.name.value.clone(),
                    looked: looked(&p, &explicit),
                });
            }
        }
        if !names.is_empty() {
            wanted.push((i, names));
        }
    }

    // Pack the closure: start from the direct dependencies, follow packed manifests.
    let mut packed: BTreeMap<String, crate::pack::packer::InMemory> = BTreeMap::new();
    let mut frontier: BTreeSet<String> = wanted.iter().flat_map(|(_, n)| n.clone()).collect();
    let guard = crate::pack::packer::Guard {
        allowed: crate::pack::secrets::Allowed::default().with_configs(&p),
        exclude: vec![root.join(DEPS_DIR)],
    };
    while !frontier.is_empty() {
        let batch: Vec<String> = std::mem::take(&mut frontier).into_iter().collect();
        let results: Vec<_> = batch
            .par_iter()
            .map(|name| {
                let pr = &providers[name];
                let text = Some(p.sources.get(p.manifests[pr.parsed].file).text.as_str());
                pack_in_memory(
                    &pr.dir,
                    &pr.manifest,
                    text,
                    &versions[pr.workspace],
                    Some(&p.workspaces[pr.workspace].value),
                    &guard,
                )
            })
            .collect();
        for (name, r) in batch.into_iter().zip(results) {
            let m = r?;
            for table in INSTALLED {
                if let Some(Value::Object(deps)) = m.manifest.get(table) {
                    for dep in deps.keys() {
                        if p.is_private(dep)
                            && providers.contains_key(dep)
                            && !packed.contains_key(dep)
                            && dep != &name
                        {
                            frontier.insert(dep.clone());
                        }
                    }
                }
            }
            packed.insert(name, m);
        }
        frontier.retain(|n| !packed.contains_key(n));
    }

    let mut tarballs: Vec<PlannedTarball> = Vec::new();
    for (name, m) in &packed {
        let path = format!("{DEPS_DIR}/{}", tarball::file_name(&m.name, &m.version));
        // The name and version come from a workspace's manifest: a version
        // such as `1.0.0/../../x` must not take the tarball out of
        // `.docker-deps/` (here or in a build context).
        if super::journal::shape(&path, super::journal::Role::Tarball).is_err() {
            return Err(PlanError::UnsafeTarball {
                manifest: providers[name].manifest.clone(),
                file: super::journal::shown(&path),
            });
        }
        tarballs.push(PlannedTarball {
            name: name.clone(),
            version: m.version.clone(),
            path,
            bytes: m.tarball.bytes.clone(),
            integrity: m.tarball.integrity.clone(),
            files: m.files,
            source: providers[name].dir.clone(),
        });
    }
    let by_name: HashMap<&str, &PlannedTarball> =
        tarballs.iter().map(|t| (t.name.as_str(), t)).collect();

    let mut rewrites = Vec::new();
    for (i, names) in wanted {
        let m = &p.manifests[i];
        let closure = closure_of(&names, &packed, &p);
        // The text the model read (a manifest parsed, so UTF-8).
        let original = p.sources.get(m.file).text.as_bytes().to_vec();
        let dir = m.path.parent().unwrap_or(&root);
        let spec_of = |name: &str| {
            let t = by_name[name];
            let rel = slash(&path_from(&root.join(&t.path), dir));
            if rel.starts_with("../") {
                format!("file:{rel}")
            } else {
                format!("file:./{rel}")
            }
        };
        let rw = rewrite_manifest(&m.path, &original, &names, &closure, spec_of)?;
        rewrites.push(Rewrite {
            path: slash(&path_from(&m.path, &root)),
            original,
            ..rw
        });
    }
    let mut workspaces: Vec<PathBuf> = used
        .iter()
        .map(|&w| {
            p.workspaces[w]
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        })
        .collect();
    workspaces.sort();
    Ok(Plan {
        root,
        tarballs,
        rewrites,
        workspaces,
        texts: p.sources.disk_texts(),
    })
}

/// Private-scope packages by name, from the workspace that owns each (the
/// nearest `pnpm-workspace.yaml` above it), outside the root unless a
/// workspace was named explicitly.
fn providers(p: &Project, root: &Path, explicit: &[PathBuf]) -> HashMap<String, Provider> {
    let mut out: HashMap<String, Provider> = HashMap::new();
    for m in &p.workspace_packages {
        if !p.is_private(&m.name) {
            continue;
        }
        let ws_dir = p.workspaces[m.workspace]
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let allowed = if explicit.is_empty() {
            relative_to(&m.dir, root).is_none()
        } else {
            explicit.contains(&ws_dir)
        };
        if !allowed {
            continue;
        }
        let cand = Provider {
            dir: m.dir.clone(),
            manifest: p.manifests[m.manifest].path.clone(),
            parsed: m.manifest,
            workspace: m.workspace,
        };
        // The owning workspace is the deepest one containing the package.
        let depth = |pr: &Provider| p.workspaces[pr.workspace].path.components().count();
        match out.get(&m.name) {
            Some(prev) if depth(prev) >= depth(&cand) => {}
            _ => {
                out.insert(m.name.clone(), cand);
            }
        }
    }
    out
}

/// True when a workspace package inside the root provides `name` (it is in
/// the build context already; `prep` leaves it alone).
fn in_root_workspace(p: &Project, root: &Path, name: &str) -> bool {
    p.workspace_packages
        .iter()
        .any(|m| m.name == name && relative_to(&m.dir, root).is_some())
}

fn looked(p: &Project, explicit: &[PathBuf]) -> String {
    let dirs: Vec<String> = if explicit.is_empty() {
        p.workspaces
            .iter()
            .map(|w| crate::paths::display_path(&w.path))
            .collect()
    } else {
        explicit
            .iter()
            .map(|e| crate::paths::display_path(e))
            .collect()
    };
    if dirs.is_empty() {
        "no pnpm-workspace.yaml found".into()
    } else {
        dirs.join(", ")
    }
}

/// `names` and every private-scope package they pull in, sorted.
fn closure_of(
    names: &[String],
    packed: &BTreeMap<String, crate::pack::packer::InMemory>,
    p: &Project,
) -> Vec<String> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut stack: Vec<String> = names.to_vec();
    while let Some(n) = stack.pop() {
        if !seen.insert(n.clone()) {
            continue;
        }
        let Some(m) = packed.get(&n) else { continue };
        for table in INSTALLED {
            if let Some(Value::Object(deps)) = m.manifest.get(table) {
                stack.extend(
                    deps.keys()
                        .filter(|d| p.is_private(d) && packed.contains_key(*d))
                        .cloned(),
                );
            }
        }
    }
    seen.into_iter().collect()
}

/// Rewrites one manifest's text: the named dependencies to `file:` specifiers,
/// `pnpm.overrides` pinning the closure. Keeps key order, the indentation and
/// the line endings of the original.
fn rewrite_manifest(
    path: &Path,
    original: &[u8],
    names: &[String],
    closure: &[String],
    spec_of: impl Fn(&str) -> String,
) -> Result<Rewrite, PlanError> {
    let text = std::str::from_utf8(original).map_err(|e| {
        let (line, column) = crate::confine::utf8_position(original, e.valid_up_to());
        PlanError::Unreadable {
            path: path.to_path_buf(),
            line,
            column,
            message: "not UTF-8".into(),
        }
    })?;
    let mut v: Value =
        serde_json::from_str(crate::syntax::package_json::strip_bom(text)).map_err(|e| {
            PlanError::Unreadable {
                path: path.to_path_buf(),
                line: e.line(),
                column: e.column().max(1),
                message: e.to_string(),
            }
        })?;
    let mut deps = Vec::new();
    for table in REWRITTEN {
        if let Some(Value::Object(t)) = v.get_mut(table) {
            for (name, spec) in t.iter_mut() {
                if names.contains(name) {
                    let new = spec_of(name);
                    let old = spec.as_str().unwrap_or_default().to_string();
                    if old != new {
                        deps.push((name.clone(), old, new.clone()));
                    }
                    *spec = Value::String(new);
                }
            }
        }
    }
    let obj = v.as_object_mut().ok_or_else(|| PlanError::Unreadable {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: "package.json is not a JSON object".into(),
    })?;
    let pnpm = obj
        .entry("pnpm")
        .or_insert_with(|| Value::Object(Default::default()));
    if !pnpm.is_object() {
        *pnpm = Value::Object(Default::default());
    }
    let overrides = pnpm
        .as_object_mut()
        .map(|o| {
            o.entry("overrides")
                .or_insert_with(|| Value::Object(Default::default()))
        })
        .filter(|o| o.is_object());
    let mut pinned = Vec::new();
    if let Some(Value::Object(o)) = overrides {
        for name in closure {
            o.insert(name.clone(), Value::String(spec_of(name)));
            pinned.push(name.clone());
        }
    }
    Ok(Rewrite {
        path: String::new(),
        original: Vec::new(),
        rewritten: to_text_like(&v, text).into_bytes(),
        dependencies: deps,
        overrides: pinned,
    })
}

/// `path` relative to the directory `base` (both cleaned the same way), with
/// `..` where it lies outside.
pub(crate) fn path_from(path: &Path, base: &Path) -> PathBuf {
    let (path, base) = (clean(path), clean(base));
    let keep = |c: &std::path::Component| *c != std::path::Component::CurDir;
    let p: Vec<_> = path.components().filter(keep).collect();
    let b: Vec<_> = base.components().filter(keep).collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    out
}

/// Serialises `v` with the indentation, final newline and line endings of `like`.
pub(crate) fn to_text_like(v: &Value, like: &str) -> String {
    use serde::Serialize;
    let indent: String = like
        .lines()
        .nth(1)
        .map(|l| l.chars().take_while(|c| *c == ' ' || *c == '\t').collect())
        .filter(|s: &String| !s.is_empty())
        .unwrap_or_else(|| "  ".into());
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    if v.serialize(&mut ser).is_err() {
        return like.to_string();
    }
    let mut out = String::from_utf8(buf).unwrap_or_default();
    if like.ends_with('\n') {
        out.push('\n');
    }
    if like.contains("\r\n") {
        out = out.replace('\n', "\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_errors_quote_no_values() {
        assert_eq!(
            without_values(
                "invalid dockprep.toml: invalid type: string \"npm_Secret\", expected a sequence"
            ),
            "invalid dockprep.toml: invalid type: string …, expected a sequence"
        );
        assert_eq!(
            without_values("unknown rule `x` (see `y`); \"cut"),
            "unknown rule … (see …); …"
        );
    }

    #[test]
    fn relative_paths() {
        let f = |a: &str, b: &str| slash(&path_from(Path::new(a), Path::new(b)));
        assert_eq!(
            f("r/.docker-deps/a.tgz", "r/backend"),
            "../.docker-deps/a.tgz"
        );
        assert_eq!(f("r/.docker-deps/a.tgz", "r"), ".docker-deps/a.tgz");
        assert_eq!(
            f("/x/r/.docker-deps/a.tgz", "/x/r/a/b"),
            "../../.docker-deps/a.tgz"
        );
        assert_eq!(f("./.docker-deps/a.tgz", "."), ".docker-deps/a.tgz");
    }

    #[test]
    fn keeps_indentation_and_endings() {
        let like = "{\r\n\t\"a\": 1\r\n}\r\n";
        let v: Value = serde_json::from_str(like).unwrap();
        assert_eq!(to_text_like(&v, like), like);
        let like = "{\n    \"a\": [\n        1\n    ]\n}";
        let v: Value = serde_json::from_str(like).unwrap();
        assert_eq!(to_text_like(&v, like), like);
    }

    #[test]
    fn rewrites_dependencies_and_pins_the_closure() {
        let text = b"{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"@s/a\": \"^1.0.0\",\n    \"left\": \"1\"\n  },\n  \"pnpm\": {\n    \"overrides\": {\n      \"other\": \"2\"\n    }\n  }\n}\n";
        let rw = rewrite_manifest(
            Path::new("package.json"),
            text,
            &["@s/a".into()],
            &["@s/a".into(), "@s/b".into()],
            |n| format!("file:../.docker-deps/{}.tgz", &n[3..]),
        )
        .unwrap();
        let out = String::from_utf8(rw.rewritten).unwrap();
        assert_eq!(
            out,
            "{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"@s/a\": \"file:../.docker-deps/a.tgz\",\n    \"left\": \"1\"\n  },\n  \"pnpm\": {\n    \"overrides\": {\n      \"other\": \"2\",\n      \"@s/a\": \"file:../.docker-deps/a.tgz\",\n      \"@s/b\": \"file:../.docker-deps/b.tgz\"\n    }\n  }\n}\n"
        );
        assert_eq!(rw.overrides, vec!["@s/a", "@s/b"]);
        assert_eq!(rw.dependencies.len(), 1);
    }

    #[test]
    fn bad_json_names_line_and_column() {
        let e = rewrite_manifest(
            Path::new("p/package.json"),
            b"{\n  \"a\": ,\n}",
            &[],
            &[],
            |_| String::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("p/package.json:2:8"), "{e}");
    }
}
