//! What a `COPY`/`ADD` brings into an image, and where: the one answer to
//! "does this instruction put context file X at image path Y", asked by the
//! loader (which manifests and `.npmrc` an install sees) and by the rules.
//!
//! Pure: it reads the parsed Dockerfile, the image's build context and the
//! `.dockerignore` in effect, and [`Facts`] (what the loader saw of the file
//! system, with the fix overlay) — never the disk.
//!
//! Docker's semantics, as modelled here:
//! - sources are relative to the context root: `./a`, `/a` and `a` are the
//!   same, `..` cannot leave the context, `.`/`./`/`` name the whole context;
//! - a directory source copies its *contents* into the destination;
//! - a file source lands *inside* the destination when the destination is a
//!   directory: it ends with `/` or `/.`, is `.`, the instruction has several
//!   sources (or a wildcard matching several paths), or the path is known to
//!   be a directory in the image by then (a `WORKDIR` of the lineage or one
//!   of its parents, an earlier copy's directory destination, or `/`);
//!   otherwise it is copied *as* the destination;
//! - the destination is resolved against the `WORKDIR` and `ENV`/`ARG` in effect;
//! - a context file the `.dockerignore` excludes is never sent, so never copied;
//! - a source with a variable, a URL, or a `COPY --from` copies something
//!   this model cannot see: it may bring anything under its destination;
//! - `--parents` keeps the source's path under the destination.

use std::path::{Path, PathBuf};

use super::install::{covers, normalize_abs};
use super::tree::Facts;
use super::{Image, Project};
use crate::paths::{clean, relative_to, slash};
use crate::syntax::dockerfile::{Dockerfile, Environment, Instruction, Kind};
use crate::syntax::dockerignore::{DockerIgnore, Pattern};
use crate::syntax::Span;

/// One source of a `COPY`/`ADD`, as Docker reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A path or wildcard pattern in the build context, relative to its root
    /// (`/`-separated; no `./`, no leading or trailing `/`, `..` resolved
    /// inside the context; `""` for the whole context).
    Context { rel: String, glob: bool },
    /// A source this model cannot resolve: a variable or a URL (or git).
    Unknown,
}

impl Source {
    /// How Docker reads the source text `raw` of a `COPY`/`ADD`.
    pub fn parse(raw: &str) -> Source {
        if raw.contains('$') || raw.contains("://") || raw.starts_with("git@") {
            return Source::Unknown;
        }
        let rel = clean_rel(raw);
        let glob = rel.contains(['*', '?', '[']);
        Source::Context { rel, glob }
    }

    /// The context path or pattern, when it is one.
    pub fn rel(&self) -> Option<&str> {
        match self {
            Source::Context { rel, .. } => Some(rel),
            Source::Unknown => None,
        }
    }

    /// Whether the source names the context path `rel` itself (the path
    /// literally, or a wildcard matching it), not a directory holding it.
    pub fn names(&self, rel: &str) -> bool {
        match self {
            Source::Context {
                rel: s,
                glob: false,
            } => s == rel,
            Source::Context { rel: s, glob: true } => {
                glob_prefix(&segments(s), &segments(rel)) == Some(segments(rel).len())
            }
            Source::Unknown => false,
        }
    }
}

/// The sources of a `COPY`/`ADD` (heredocs excluded), with their spans.
pub(crate) fn sources_of(ins: &Instruction) -> impl Iterator<Item = (Span, Source)> + '_ {
    ins.sources
        .iter()
        .map(|s| (s.span, Source::parse(&s.value)))
}

/// Whether `ins` is a `COPY`/`ADD` from the build context (no `--from`).
pub(crate) fn copies_from_context(ins: &Instruction) -> bool {
    matches!(ins.kind, Kind::Copy | Kind::Add) && ins.flag("from").is_none()
}

/// `raw` as a context-relative path: `./`, leading `/`, `.` segments and
/// trailing `/` dropped, `..` resolved without leaving the root.
fn clean_rel(raw: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in raw.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// How many leading segments of `path` the pattern `pat` matches (`*`, `?`
/// within a segment, `**` across segments), preferring all of them.
fn glob_prefix(pat: &[&str], path: &[&str]) -> Option<usize> {
    fn go(p: &[&str], s: &[&str], used: usize, full: usize) -> Option<usize> {
        match p.split_first() {
            None => Some(used),
            Some((&"**", rest)) => (0..=s.len())
                .rev()
                .find_map(|i| go(rest, &s[i..], used + i, full).filter(|&u| u == full))
                .or_else(|| (0..=s.len()).find_map(|i| go(rest, &s[i..], used + i, full))),
            Some((seg, rest)) => {
                let first = s.first()?;
                if super::load::wildcard(seg, first) {
                    go(rest, &s[1..], used + 1, full)
                } else {
                    None
                }
            }
        }
    }
    go(pat, path, 0, path.len())
}

/// What a copy step does with one context file.
#[derive(Clone, Debug)]
pub enum Brings<'p> {
    /// The file reaches the image at this absolute path.
    At(String),
    /// A source would bring it, but the `.dockerignore` in effect excludes it
    /// (this pattern decided), so it never reaches the builder.
    Excluded(&'p Pattern),
    /// No source names it, but one this model cannot see (a variable, a URL,
    /// `--from` another stage or image) may bring it, under [`CopyStep::dest`].
    Unknown,
    /// The step does not copy it.
    No,
}

/// Is there a file at an image path when an instruction runs.
#[derive(Clone, Debug)]
pub enum Receives<'p> {
    /// A context file is copied there (by the last step that does).
    File { instruction: usize, source: PathBuf },
    /// A step whose source this model cannot see copies into a directory
    /// holding the path (or onto it): it may be there.
    Maybe { instruction: usize },
    /// Steps would copy a context file there, but the `.dockerignore`
    /// excludes it: (instruction, path relative to the context, pattern),
    /// in instruction order.
    Excluded(Vec<(usize, String, &'p Pattern)>),
    /// Nothing is copied there.
    No,
}

/// One `COPY`/`ADD` of an image, with its destination resolved.
#[derive(Clone, Debug)]
pub struct CopyStep<'p> {
    pub instruction: usize,
    pub stage: usize,
    pub ins: &'p Instruction,
    /// The destination in the image: absolute, cleaned, variables expanded.
    pub dest: String,
    /// Whether a file source lands inside [`CopyStep::dest`] (else it is copied as it).
    pub dest_is_dir: bool,
    /// `--from`: the stage or image copied from (no context file is copied).
    pub from: Option<&'p str>,
    /// `--parents`: sources keep their context path under the destination.
    pub parents: bool,
    pub sources: Vec<(Span, Source)>,
    /// Per source: whether a wildcard matches several paths (so its files
    /// land inside the destination, as for several sources).
    several: Vec<bool>,
    tree: &'p Facts,
    /// The image's build context (a cleaned path, as the loader records it).
    pub context: &'p Path,
    /// The `.dockerignore` in effect.
    pub ignore: Option<&'p DockerIgnore>,
}

impl<'p> CopyStep<'p> {
    /// The step of instruction `n` of `df` (`None` unless a `COPY`/`ADD` in a
    /// stage). `env` is the environment before it, `known_dirs` the image
    /// paths known to be directories by then (see [`Project::copies_before`]).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        df: &'p Dockerfile,
        n: usize,
        env: &Environment,
        known_dirs: &[String],
        tree: &'p Facts,
        context: &'p Path,
        ignore: Option<&'p DockerIgnore>,
    ) -> Option<CopyStep<'p>> {
        let ins = df.instructions.get(n)?;
        if !matches!(ins.kind, Kind::Copy | Kind::Add) {
            return None;
        }
        let stage = ins.stage?;
        let raw = env.expand(&ins.dest.as_ref()?.value);
        let dest = normalize_abs(&raw, env.workdir.as_deref());
        let sources: Vec<(Span, Source)> = sources_of(ins).collect();
        let dest_is_dir = raw.ends_with('/')
            || raw == "."
            || raw.ends_with("/.")
            || sources.len() + ins.heredocs.len() > 1
            || dest == "/"
            || known_dirs.contains(&dest);
        let several = sources
            .iter()
            .map(|(_, s)| match s {
                Source::Context { rel, glob: true } if !dest_is_dir => {
                    tree.expand_glob(context, rel).len() != 1
                }
                _ => false,
            })
            .collect();
        Some(CopyStep {
            instruction: n,
            stage,
            ins,
            dest,
            dest_is_dir,
            from: ins
                .flag("from")
                .map(|f| f.value.as_ref().map_or("", |v| v.value.as_str())),
            parents: ins.flag("parents").is_some(),
            sources,
            several,
            tree,
            context,
            ignore,
        })
    }

    /// The context paths source `i` matches that exist (a literal source as
    /// its path, a wildcard expanded over the listings).
    pub(crate) fn matches_of(&self, i: usize) -> Vec<PathBuf> {
        if self.from.is_some() {
            return Vec::new();
        }
        match &self.sources[i].1 {
            Source::Context { rel, glob: true } => self.tree.expand_glob(self.context, rel),
            Source::Context { rel, glob: false } => {
                let p = clean(&self.context.join(rel));
                if self.tree.has(&p) {
                    vec![p]
                } else {
                    Vec::new()
                }
            }
            Source::Unknown => Vec::new(),
        }
    }

    /// The context paths the step's sources match that exist, source by source.
    pub fn matches(&self) -> Vec<PathBuf> {
        (0..self.sources.len())
            .flat_map(|i| self.matches_of(i))
            .collect()
    }

    /// Where source `i` puts the context file `rel` (relative to the context
    /// root, `/`-separated), ignoring the `.dockerignore`; `None` when it does not.
    fn lands(&self, i: usize, rel: &str) -> Option<String> {
        let (_, src) = &self.sources[i];
        let Source::Context { rel: s, glob } = src else {
            return None;
        };
        let path = segments(rel);
        let used = if *glob {
            glob_prefix(&segments(s), &path)?
        } else {
            let s = segments(s);
            if path.len() < s.len() || path[..s.len()] != s[..] {
                return None;
            }
            s.len()
        };
        let join = |tail: &str| {
            if tail.is_empty() {
                self.dest.clone()
            } else {
                format!("{}/{tail}", self.dest.trim_end_matches('/'))
            }
        };
        if self.parents {
            return Some(join(&path.join("/")));
        }
        if used == path.len() {
            // The source is the file itself.
            let name = path.last().copied().unwrap_or("");
            if self.dest_is_dir || self.several[i] {
                Some(join(name))
            } else {
                Some(self.dest.clone())
            }
        } else {
            // A directory source: its contents.
            Some(join(&path[used..].join("/")))
        }
    }

    /// What source `i` does with the context file `rel` (relative to the
    /// context root), the `.dockerignore` in effect applied. Whether the file
    /// exists is the caller's question (ask [`Facts`]).
    pub(crate) fn brings_from(&self, i: usize, rel: &str) -> Brings<'p> {
        if self.from.is_some() {
            return Brings::Unknown;
        }
        let rel = clean_rel(rel);
        match &self.sources[i].1 {
            Source::Unknown => Brings::Unknown,
            Source::Context { .. } => match self.lands(i, &rel) {
                None => Brings::No,
                Some(at) => match self.ignore.and_then(|ig| ig.excluded_by(&rel)) {
                    Some(pat) => Brings::Excluded(pat),
                    None => Brings::At(at),
                },
            },
        }
    }

    /// What the step does with the context file `rel`: where the last source
    /// that copies it puts it; else excluded, unknown, or not copied.
    pub fn brings(&self, rel: &str) -> Brings<'p> {
        let mut best = Brings::No;
        for i in 0..self.sources.len() {
            match self.brings_from(i, rel) {
                Brings::At(p) => best = Brings::At(p),
                Brings::Excluded(pat) if !matches!(best, Brings::At(_)) => {
                    best = Brings::Excluded(pat)
                }
                Brings::Unknown if matches!(best, Brings::No) => best = Brings::Unknown,
                _ => {}
            }
        }
        if self.from.is_some() {
            return Brings::Unknown;
        }
        best
    }

    /// Whether a source this model cannot see may put something at
    /// `image_path` (onto it, or into a directory holding it).
    fn may_cover(&self, image_path: &str) -> bool {
        (self.from.is_some() || self.sources.iter().any(|(_, s)| *s == Source::Unknown))
            && covers(&self.dest, image_path)
    }

    /// Is there a file at `image_path` after this step, as far as this step
    /// is concerned.
    pub fn receives(&self, image_path: &str) -> Receives<'p> {
        if self.may_cover(image_path) {
            return Receives::Maybe {
                instruction: self.instruction,
            };
        }
        if self.from.is_some() {
            return Receives::No;
        }
        let mut excluded = Vec::new();
        let mut found = None;
        let under = |root: &str| -> Option<String> {
            if root == "/" {
                return Some(image_path.trim_start_matches('/').to_string());
            }
            image_path
                .strip_prefix(root)
                .and_then(|r| r.strip_prefix('/'))
                .map(str::to_string)
        };
        for i in 0..self.sources.len() {
            for m in self.matches_of(i) {
                // The context file that would land at `image_path` from match `m`.
                let candidate = if self.tree.has_dir(&m) {
                    let root = if self.parents { self.context } else { &m };
                    under(&self.dest).map(|tail| clean(&root.join(tail)))
                } else {
                    Some(m)
                };
                let Some(candidate) = candidate else { continue };
                if !self.tree.has_file(&candidate) {
                    continue;
                }
                let Some(rel) = relative_to(&candidate, self.context).map(|r| slash(&r)) else {
                    continue;
                };
                match self.brings_from(i, &rel) {
                    Brings::At(at) if at == image_path => found = Some(candidate),
                    Brings::Excluded(pat) if self.lands(i, &rel).as_deref() == Some(image_path) => {
                        excluded.push((self.instruction, rel, pat))
                    }
                    _ => {}
                }
            }
        }
        match found {
            Some(source) => Receives::File {
                instruction: self.instruction,
                source,
            },
            None if !excluded.is_empty() => Receives::Excluded(excluded),
            None => Receives::No,
        }
    }
}

impl Project {
    /// The `COPY`/`ADD` steps of `image` in effect before instruction
    /// `before`: those of its stage and of the stages it is built from (in
    /// the order they take effect), `--from` copies included.
    pub(crate) fn copies_before<'p>(
        &'p self,
        image: &'p Image,
        before: usize,
    ) -> impl Iterator<Item = CopyStep<'p>> + 'p {
        let df = &self.dockerfiles[image.dockerfile].value;
        let ignore = image.dockerignore.map(|i| &self.dockerignores[i].value);
        let lineage = df
            .instructions
            .get(before)
            .and_then(|i| i.stage)
            .map(|s| df.lineage(s, before))
            .unwrap_or_default();
        copy_steps(df, lineage, &self.tree, &image.context, ignore).into_iter()
    }

    /// Every `COPY`/`ADD` from the build context (no `--from`) of `image`'s
    /// Dockerfile, in file order, each resolved against the lineage before it.
    pub(crate) fn copy_steps<'p>(&'p self, image: &'p Image) -> Vec<CopyStep<'p>> {
        let df = &self.dockerfiles[image.dockerfile].value;
        let ignore = image.dockerignore.map(|i| &self.dockerignores[i].value);
        all_copy_steps(df, &self.tree, &image.context, ignore)
    }

    /// Is there a file at `image_path` (absolute) when instruction `before`
    /// of `image` runs: the last copy that puts one there, else one that may,
    /// else the excluded files that would have.
    pub fn receives<'p>(
        &'p self,
        image: &'p Image,
        before: usize,
        image_path: &str,
    ) -> Receives<'p> {
        receives(
            &self.copies_before(image, before).collect::<Vec<_>>(),
            image_path,
        )
    }
}

/// [`Project::receives`] over steps already listed (by [`Project::copies_before`]),
/// for a caller asking about several paths.
pub fn receives<'p>(steps: &[CopyStep<'p>], image_path: &str) -> Receives<'p> {
    let image_path = normalize_abs(image_path, None);
    let mut excluded = Vec::new();
    let mut last = None;
    for step in steps {
        match step.receives(&image_path) {
            r @ (Receives::File { .. } | Receives::Maybe { .. }) => last = Some(r),
            Receives::Excluded(e) => excluded.extend(e),
            Receives::No => {}
        }
    }
    match last {
        Some(r) => r,
        None if !excluded.is_empty() => Receives::Excluded(excluded),
        None => Receives::No,
    }
}

/// The copy steps among instructions `lineage` (in order), each knowing the
/// directories the instructions before it created (`WORKDIR`s and their
/// parents, earlier directory destinations, parents of earlier file copies).
pub(crate) fn copy_steps<'p>(
    df: &'p Dockerfile,
    lineage: Vec<usize>,
    tree: &'p Facts,
    context: &'p Path,
    ignore: Option<&'p DockerIgnore>,
) -> Vec<CopyStep<'p>> {
    let mut known: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let add = |known: &mut Vec<String>, dir: &str| {
        let mut d = dir;
        loop {
            if !known.iter().any(|k| k == d) {
                known.push(d.to_string());
            }
            match d.rsplit_once('/') {
                Some(("", _)) | None => break,
                Some((parent, _)) => d = parent,
            }
        }
    };
    df.walk_environment(&lineage, |n, env| {
        // Every `WORKDIR` before made its directory (and the parents).
        if let Some(w) = &env.workdir {
            add(&mut known, &normalize_abs(w, None));
        }
        let Some(step) = CopyStep::new(df, n, env, &known, tree, context, ignore) else {
            return;
        };
        let dir_dest = step.dest_is_dir
            || (step.from.is_none() && step.matches().iter().any(|m| tree.has_dir(m)));
        if dir_dest {
            add(&mut known, &step.dest.clone());
        } else if let Some((parent, _)) = step.dest.rsplit_once('/') {
            if !parent.is_empty() {
                add(&mut known, parent);
            }
        }
        out.push(step);
    });
    out
}

/// The copy steps from the build context (no `--from`) of every stage of
/// `df`, each resolved against the lineage before it: for the loader, which
/// looks at every `COPY` once.
pub(crate) fn all_copy_steps<'p>(
    df: &'p Dockerfile,
    tree: &'p Facts,
    context: &'p Path,
    ignore: Option<&'p DockerIgnore>,
) -> Vec<CopyStep<'p>> {
    let mut out = Vec::new();
    for stage in &df.stages {
        if !df.instructions[stage.instructions.clone()]
            .iter()
            .any(copies_from_context)
        {
            continue;
        }
        let end = stage.instructions.end;
        let lineage = df.lineage(stage.index, end);
        out.extend(
            copy_steps(df, lineage, tree, context, ignore)
                .into_iter()
                .filter(|s| s.stage == stage.index && s.from.is_none()),
        );
    }
    out.sort_by_key(|s| s.instruction);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::tree::Kind as K;
    use std::collections::BTreeMap;

    /// Listings of a context `ctx` holding `files` (directories implied).
    fn facts(files: &[&str]) -> Facts {
        let mut dirs: BTreeMap<String, BTreeMap<String, K>> = BTreeMap::new();
        dirs.entry("ctx".into()).or_default();
        for f in files {
            let mut path = format!("ctx/{f}");
            let mut kind = K::File;
            while let Some((parent, name)) = path.rsplit_once('/') {
                dirs.entry(parent.to_string())
                    .or_default()
                    .insert(name.to_string(), kind);
                kind = K::Dir;
                path = parent.to_string();
            }
        }
        let mut t = Facts::default();
        for (d, e) in dirs {
            t.record(Path::new(&d), e.into_iter().collect());
        }
        t
    }

    const FILES: &[&str] = &[
        "package.json",
        "pnpm-lock.yaml",
        "other.yaml",
        "backend/package.json",
        "backend/src/index.ts",
        "apps/web/package.json",
        "apps/api/package.json",
    ];

    /// Where every copy step of `df` puts `rel` (one answer per step).
    fn brings(df: &str, ignore: Option<&str>, rel: &str) -> Vec<String> {
        let df = Dockerfile::parse(df).unwrap();
        let tree = facts(FILES);
        let ig = ignore.map(DockerIgnore::parse);
        all_copy_steps(&df, &tree, Path::new("ctx"), ig.as_ref())
            .iter()
            .map(|s| match s.brings(rel) {
                Brings::At(p) => p,
                Brings::Excluded(p) => format!("excluded by {}", p.raw),
                Brings::Unknown => "unknown".into(),
                Brings::No => "no".into(),
            })
            .collect()
    }

    /// What the image holds at `path` before the last instruction of `df`.
    fn receives(df: &str, ignore: Option<&str>, path: &str) -> String {
        let df = Dockerfile::parse(df).unwrap();
        let tree = facts(FILES);
        let ig = ignore.map(DockerIgnore::parse);
        let last = df.instructions.len() - 1;
        let stage = df.instructions[last].stage.unwrap();
        let steps = copy_steps(
            &df,
            df.lineage(stage, last),
            &tree,
            Path::new("ctx"),
            ig.as_ref(),
        );
        let mut out = "no".to_string();
        for s in &steps {
            match s.receives(path) {
                Receives::File { source, .. } => out = slash(&source),
                Receives::Maybe { instruction } => out = format!("maybe ({instruction})"),
                Receives::Excluded(e) if out == "no" => {
                    out = format!("excluded {} by {}", e[0].1, e[0].2.raw)
                }
                _ => {}
            }
        }
        out
    }

    #[test]
    fn destination_directory_or_file() {
        let df = "FROM node\nCOPY package.json /a\nCOPY package.json /b/\nCOPY package.json pnpm-lock.yaml /c\nCOPY package.json /d/.\n";
        assert_eq!(
            brings(df, None, "package.json"),
            [
                "/a",
                "/b/package.json",
                "/c/package.json",
                "/d/package.json"
            ]
        );
        // `/c` is a directory now: a later single-file copy lands inside it.
        let df = "FROM node\nCOPY package.json pnpm-lock.yaml /c/\nCOPY other.yaml /c\n";
        assert_eq!(brings(df, None, "other.yaml"), ["no", "/c/other.yaml"]);
    }

    #[test]
    fn workdir_relative_destinations() {
        let df = "FROM node\nWORKDIR /app\nCOPY package.json ./\nCOPY package.json copy.json\nCOPY package.json /app\nWORKDIR web\nCOPY package.json .\nCOPY package.json /app\n";
        assert_eq!(
            brings(df, None, "package.json"),
            [
                "/app/package.json",
                "/app/copy.json",
                "/app/package.json",
                "/app/web/package.json",
                "/app/package.json"
            ]
        );
        let df = "FROM node\nENV DIR=/srv\nWORKDIR $DIR\nCOPY package.json ${DIR}/x/\n";
        assert_eq!(brings(df, None, "package.json"), ["/srv/x/package.json"]);
    }

    #[test]
    fn whole_context_and_directory_sources() {
        let df = "FROM node\nWORKDIR /srv\nCOPY . .\nCOPY ./backend /app/\nCOPY backend/ /api\n";
        assert_eq!(
            brings(df, None, "backend/package.json"),
            [
                "/srv/backend/package.json",
                "/app/package.json",
                "/api/package.json"
            ]
        );
        assert_eq!(
            brings(df, None, "package.json"),
            ["/srv/package.json", "no", "no"]
        );
        assert_eq!(
            receives(df, None, "/app/src/index.ts"),
            "ctx/backend/src/index.ts"
        );
        assert_eq!(receives(df, None, "/app/backend/package.json"), "no");
        assert_eq!(
            receives(df, None, "/srv/apps/web/package.json"),
            "ctx/apps/web/package.json"
        );
    }

    #[test]
    fn sources_are_context_relative() {
        let df = "FROM node\nCOPY /package.json ./pnpm-lock.yaml ../other.yaml /x/\n";
        for f in ["package.json", "pnpm-lock.yaml", "other.yaml"] {
            assert_eq!(brings(df, None, f), [format!("/x/{f}")]);
        }
    }

    #[test]
    fn wildcards() {
        let df = "FROM node\nWORKDIR /app\nCOPY package*.json pnpm-*.yaml ./\nCOPY apps/*/package.json /w\nCOPY pnpm-lock.y?ml /lock.yaml\nCOPY app* /all/\n";
        assert_eq!(
            brings(df, None, "apps/web/package.json"),
            ["no", "/w/package.json", "no", "/all/web/package.json"]
        );
        assert_eq!(
            brings(df, None, "pnpm-lock.yaml"),
            ["/app/pnpm-lock.yaml", "no", "/lock.yaml", "no"]
        );
        assert_eq!(brings(df, None, "other.yaml"), ["no", "no", "no", "no"]);
        assert_eq!(receives(df, None, "/lock.yaml"), "ctx/pnpm-lock.yaml");
        assert_eq!(
            receives(df, None, "/w/package.json"),
            "ctx/apps/web/package.json"
        );
    }

    #[test]
    fn dockerignore_exclusion_and_exception() {
        let ig = "*.yaml\n!pnpm-lock.yaml\nbackend/src\n";
        let df = "FROM node\nWORKDIR /app\nCOPY . .\nRUN pnpm i\n";
        assert_eq!(brings(df, Some(ig), "other.yaml"), ["excluded by *.yaml"]);
        assert_eq!(
            brings(df, Some(ig), "pnpm-lock.yaml"),
            ["/app/pnpm-lock.yaml"]
        );
        assert_eq!(
            brings(df, Some(ig), "backend/src/index.ts"),
            ["excluded by backend/src"]
        );
        assert_eq!(
            receives(df, Some(ig), "/app/other.yaml"),
            "excluded other.yaml by *.yaml"
        );
        assert_eq!(
            receives(df, Some(ig), "/app/pnpm-lock.yaml"),
            "ctx/pnpm-lock.yaml"
        );
        // Excluded files a copy does not name stay "not copied".
        let df = "FROM node\nCOPY package.json /app/\nRUN pnpm i\n";
        assert_eq!(brings(df, Some(ig), "other.yaml"), ["no"]);
    }

    #[test]
    fn unknown_sources() {
        let df = "FROM node AS build\nFROM node\nARG SRC\nCOPY --from=build /out /app/\nCOPY $SRC /lock/\nCOPY https://example.com/x.yaml /remote/x.yaml\nRUN pnpm i\n";
        // (`all_copy_steps` leaves the `--from` copy out.)
        assert_eq!(brings(df, None, "package.json"), ["unknown", "unknown"]);
        let parsed = Dockerfile::parse(df).unwrap();
        let tree = facts(FILES);
        let from = copy_steps(&parsed, vec![3], &tree, Path::new("ctx"), None);
        assert!(matches!(from[0].brings("package.json"), Brings::Unknown));
        assert_eq!(receives(df, None, "/app/pnpm-lock.yaml"), "maybe (3)");
        assert_eq!(receives(df, None, "/lock/pnpm-lock.yaml"), "maybe (4)");
        assert_eq!(receives(df, None, "/remote/x.yaml"), "maybe (5)");
        assert_eq!(receives(df, None, "/srv/pnpm-lock.yaml"), "no");
    }

    #[test]
    fn json_form_flags_and_parents() {
        let df = "FROM node\nCOPY [\"package.json\", \"pnpm-lock.yaml\", \"/j/\"]\nCOPY --chown=node:node --link [\"./package.json\", \"/k\"]\nCOPY --parents apps/*/package.json /p/\nRUN pnpm i\n";
        assert_eq!(
            brings(df, None, "package.json"),
            ["/j/package.json", "/k", "no"]
        );
        assert_eq!(
            brings(df, None, "apps/api/package.json"),
            ["no", "no", "/p/apps/api/package.json"]
        );
        assert_eq!(
            receives(df, None, "/p/apps/api/package.json"),
            "ctx/apps/api/package.json"
        );
    }

    #[test]
    fn stage_lineage() {
        let df = "FROM node AS deps\nWORKDIR /app\nCOPY pnpm-lock.yaml ./\nFROM node AS other\nCOPY package.json /app/\nFROM deps\nRUN pnpm i --frozen-lockfile\n";
        assert_eq!(
            receives(df, None, "/app/pnpm-lock.yaml"),
            "ctx/pnpm-lock.yaml"
        );
        assert_eq!(receives(df, None, "/app/package.json"), "no");
    }

    #[test]
    fn source_names() {
        assert_eq!(
            Source::parse("./docker/x/"),
            Source::Context {
                rel: "docker/x".into(),
                glob: false
            }
        );
        assert_eq!(
            Source::parse("."),
            Source::Context {
                rel: String::new(),
                glob: false
            }
        );
        assert_eq!(Source::parse("${A}/x"), Source::Unknown);
        assert!(Source::parse("docker/*.yaml").names("docker/pnpm-lock.yaml"));
        assert!(!Source::parse("docker").names("docker/pnpm-lock.yaml"));
        assert!(Source::parse("**/pnpm-lock.yaml").names("docker/pnpm-lock.yaml"));
    }
}

#[cfg(test)]
mod load_tests {
    /// The manifests the loader attaches to the first install of a Dockerfile.
    fn installed(dockerfile: &str) -> usize {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("package.json"), "{\"name\":\"a\"}").unwrap();
        std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
        let p = crate::project::load(&[dir.path().to_path_buf()], &Default::default()).unwrap();
        p.images[0].installs[0].manifests.len()
    }

    /// A destination the `WORKDIR` made, or one ending in `/.`, is a
    /// directory: the manifest lands inside it (the loader used to name it
    /// `app` / `.` and attach no manifest).
    #[test]
    fn loader_sees_manifests_copied_into_directories() {
        assert_eq!(
            installed("FROM node\nWORKDIR /app\nCOPY package.json /app\nRUN pnpm install\n"),
            1
        );
        assert_eq!(
            installed("FROM node\nCOPY package.json /app/.\nRUN pnpm install\n"),
            1
        );
        assert_eq!(
            installed("FROM node\nCOPY package.json /app/\nRUN pnpm install\n"),
            1
        );
        // Copied as a file named `app`: not a manifest.
        assert_eq!(
            installed("FROM node\nCOPY package.json /app\nRUN pnpm install\n"),
            0
        );
    }
}
