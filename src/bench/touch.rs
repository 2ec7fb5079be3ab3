//! The warm build's one-file change: pick the newest source file an image
//! copies, append a comment line, and restore it byte for byte afterwards.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::paths::{relative_to, slash};
use crate::project::{Image, Project};
use crate::syntax::dockerfile::Kind;

/// Files that are not sources: changing them is a dependency change.
const NOT_SOURCES: &[&str] = &[
    "package.json",
    "pnpm-lock.yaml",
    "package-lock.json",
    "yarn.lock",
    "npm-shrinkwrap.json",
    "pnpm-workspace.yaml",
];

/// The comment line to append for a file, by extension (`None`: cannot comment).
pub(crate) fn comment_for(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "ts" | "tsx" | "mts" | "cts" | "js" | "jsx" | "mjs" | "cjs" | "go" | "rs" | "java"
        | "kt" | "c" | "h" | "cc" | "cpp" | "swift" | "scss" | "less" => {
            "\n// dockprep bench: warm-build change\n"
        }
        "css" => "\n/* dockprep bench: warm-build change */\n",
        "py" | "sh" | "rb" | "yaml" | "yml" | "toml" | "graphql" => {
            "\n# dockprep bench: warm-build change\n"
        }
        "html" | "md" | "vue" | "svelte" => "\n<!-- dockprep bench: warm-build change -->\n",
        "sql" => "\n-- dockprep bench: warm-build change\n",
        _ => return None,
    })
}

/// The newest source file (one that takes a comment) that `image` copies from its context.
pub(crate) fn pick(project: &Project, image: &Image) -> Option<PathBuf> {
    let df = &project.dockerfiles[image.dockerfile].value;
    let ignore = image.dockerignore.map(|i| &project.dockerignores[i].value);
    let mut best: Option<(SystemTime, PathBuf)> = None;
    let mut consider = |p: &Path| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if NOT_SOURCES.contains(&name)
            || name.starts_with(".npmrc")
            || name.starts_with("Dockerfile")
            || comment_for(p).is_none()
        {
            return;
        }
        if let (Some(i), Some(r)) = (ignore, relative_to(p, &image.context)) {
            if i.is_excluded(&slash(&r)) {
                return;
            }
        }
        let Ok(m) = p.metadata().and_then(|m| m.modified()) else {
            return;
        };
        let better = match &best {
            None => true,
            Some((t, q)) => m > *t || (m == *t && p < q.as_path()),
        };
        if better {
            best = Some((m, p.to_path_buf()));
        }
    };
    for ins in df
        .instructions
        .iter()
        .filter(|i| matches!(i.kind, Kind::Copy | Kind::Add) && i.flag("from").is_none())
    {
        for s in &ins.sources {
            if s.value.contains(['$', '*', '?', '[']) {
                continue;
            }
            let p = image
                .context
                .join(s.value.trim_start_matches("./").trim_start_matches('/'));
            walk(&p, &mut consider, 0);
        }
    }
    best.map(|(_, p)| p)
}

fn walk(p: &Path, f: &mut impl FnMut(&Path), depth: usize) {
    if depth > 32 {
        return;
    }
    if p.is_file() {
        f(p);
    } else if p.is_dir() {
        let Ok(rd) = std::fs::read_dir(p) else { return };
        let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for e in entries {
            if e.file_name()
                .is_some_and(|n| n == "node_modules" || n == ".git")
            {
                continue;
            }
            walk(&e, f, depth + 1);
        }
    }
}

/// A file with a comment appended; restored byte for byte when dropped.
pub struct Touched {
    path: PathBuf,
    original: Vec<u8>,
    restored: bool,
}

impl Touched {
    /// Appends `comment_for(path)` (or a newline) to `path`, with a unique
    /// stamp: BuildKit caches by content, so the same change twice would be a
    /// cache hit, not a warm build.
    pub fn new(path: &Path) -> std::io::Result<Touched> {
        let original = std::fs::read(path)?;
        let mut changed = original.clone();
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let comment = comment_for(path).unwrap_or("\n");
        changed.extend_from_slice(
            comment
                .replacen("change", &format!("change {stamp}"), 1)
                .as_bytes(),
        );
        write_atomic(path, &changed)?;
        Ok(Touched {
            path: path.to_path_buf(),
            original,
            restored: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the original bytes back.
    pub fn restore(mut self) -> std::io::Result<()> {
        self.restored = true;
        write_atomic(&self.path, &self.original)
    }
}

impl Drop for Touched {
    fn drop(&mut self) {
        if !self.restored {
            let _ = write_atomic(&self.path, &self.original);
        }
    }
}

pub use crate::fsutil::write_atomic;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touch_and_restore_byte_for_byte() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("a.ts");
        std::fs::write(&f, b"export const a = 1;").unwrap();
        let t = Touched::new(&f).unwrap();
        assert!(std::fs::read_to_string(&f)
            .unwrap()
            .contains("// dockprep bench"));
        t.restore().unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"export const a = 1;");
        {
            let _t = Touched::new(&f).unwrap();
        }
        assert_eq!(std::fs::read(&f).unwrap(), b"export const a = 1;");
    }

    #[test]
    fn picks_newest_copied_source() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        std::fs::create_dir_all(r.join("src")).unwrap();
        std::fs::write(r.join("package.json"), "{\"name\":\"x\"}").unwrap();
        std::fs::write(r.join("src/old.ts"), "1").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(r.join("src/new.ts"), "2").unwrap();
        std::fs::write(r.join("src/data.json"), "{}").unwrap();
        std::fs::write(
            r.join("Dockerfile"),
            "FROM node\nCOPY package.json ./\nCOPY src/ ./src/\nRUN true\n",
        )
        .unwrap();
        let p = crate::project::load(&[r.to_path_buf()], &Default::default()).unwrap();
        let picked = pick(&p, &p.images[0]).unwrap();
        assert!(picked.ends_with("src/new.ts"), "{}", picked.display());
    }
}
