//! Which files `npm pack` puts into a package's tarball, decided natively.
//!
//! This reimplements the file selection of the npm CLI 11 (npm-packlist
//! 10.0.x on top of ignore-walk 8 and minimatch 10), including its quirks, so
//! that [`select_files`] returns exactly the `files[].path` list that
//! `npm pack --dry-run --json` prints, in the same order:
//!
//! * Every directory is walked with a list of rule sources, applied in order,
//!   the last matching rule winning: npm's built-in defaults (`.git`, `.svn`,
//!   `.DS_Store`, `*.orig`, `.*.swp`, `._*`, `npm-debug.log`, `.npmrc`, the
//!   ignore files themselves, …), then — at the package root — the `files`
//!   field of `package.json` (`*` followed by every entry negated), then the
//!   directory's `.npmignore`, or its `.gitignore` when it has no
//!   `.npmignore` (neither is used where `files` applies), then the "strict"
//!   rules that always hold (`package.json`, `README*`, `LICENSE*`/`LICENCE*`,
//!   `COPYING*`, `main`, `browser` and every `bin` target are kept; `/.git`,
//!   `/node_modules`, `.npmrc` and the lock files npm knows are dropped).
//! * A path is also judged by the rules of every ancestor directory, exactly
//!   as ignore-walk does (including its "partial" matching of directories, so
//!   that a directory is entered when a negated rule may match inside it).
//! * Globs follow minimatch with npm's options (`matchBase`, `dot`, `nocase`):
//!   brace expansion, `**`, classes, POSIX classes and extglobs.
//! * Only regular files are packed; symbolic links, sockets, FIFOs and
//!   devices are never followed or packed, and empty directories vanish.
//!
//! On top of npm's behaviour, for safety: a symbolic link that points outside
//! the package, a special file (socket, FIFO, device) that npm would have
//! considered, and an absolute path (`C:\…`, `\\server\…`) or a `..` in
//! `files` are refused with a [`SelectError`] naming the path; and a file
//! named `.npmrc` is never selected, at any depth, even where a nested
//! `.npmignore` or `bin` re-includes it (npm would pack it then). A `files`
//! entry with a leading `/` is, as for npm, anchored at the package root
//! (zod publishes with `"/lib"`), so it cannot leave the package and is
//! accepted.
//!
//! Not supported: `bundleDependencies` (npm adds the bundled packages under
//! `node_modules/`; they are not selected here).
//!
//! The work is split by what each part reimplements: `walk` is
//! npm-packlist's rules on top of ignore-walk's directory walk, `manifest`
//! what npm reads from `package.json` for it, `minimatch` and `braces`
//! the glob matching of its rules, and `collate` the order of the list.

mod braces;
mod collate;
mod manifest;
mod minimatch;
mod walk;

use std::io;
use std::path::{Path, PathBuf};

use manifest::Manifest;

/// Why the file selection of a package failed.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// A file or directory could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The directory has no `package.json`.
    #[error("{}: no package.json found (npm pack needs one)", path.display())]
    MissingPackageJson { path: PathBuf },
    /// `package.json` is not valid JSON.
    #[error("{}:{line}:{column}: invalid package.json: {message}", path.display())]
    PackageJsonSyntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// `package.json` is JSON, but a field npm needs has an unusable shape.
    #[error("{}: invalid package.json: {message}", path.display())]
    PackageJsonInvalid { path: PathBuf, message: String },
    /// An entry of `files` names an absolute path (a drive or UNC path) or
    /// goes up with `..`.
    #[error("{}: refusing the `files` entry {entry:?}: {reason}", path.display())]
    UnsafeFilesEntry {
        path: PathBuf,
        entry: String,
        reason: &'static str,
    },
    /// A rule of an ignore file (or one npm derives from `package.json`)
    /// that minimatch refuses (longer than 64 KiB), or that is beyond
    /// dockprep's bounds on brace expansion and extglobs.
    #[error(
        "{}{}: invalid ignore rule `{pattern}`: {message}",
        path.display(),
        line.map_or(String::new(), |l| format!(":{l}"))
    )]
    InvalidPattern {
        path: PathBuf,
        line: Option<usize>,
        pattern: String,
        message: String,
    },
    /// A symbolic link inside the package points outside of it.
    #[error(
        "{}: refusing a symbolic link that points outside the package (to {})",
        path.display(),
        target.display()
    )]
    SymlinkOutsidePackage { path: PathBuf, target: PathBuf },
    /// A socket, FIFO or device file where npm would look for files.
    #[error("{}: refusing to pack a special file ({kind})", path.display())]
    SpecialFile { path: PathBuf, kind: &'static str },
}

/// The package-relative paths (with `/` separators) of every file that
/// `npm pack` would put into the tarball of the package in `pkg_dir`, in the
/// order `npm pack --dry-run --json` lists them.
pub fn select_files(pkg_dir: &Path) -> Result<Vec<String>, SelectError> {
    select_files_with(pkg_dir, None)
}

/// [`select_files`] with the text of `package.json` when the caller read
/// it already (so it is not read again).
pub(crate) fn select_files_with(
    pkg_dir: &Path,
    manifest_text: Option<&str>,
) -> Result<Vec<String>, SelectError> {
    let manifest = Manifest::read(pkg_dir, manifest_text)?;
    let found = walk::walk_package(pkg_dir, manifest)?;

    let mut files: Vec<String> = found
        .into_iter()
        // Never ship npm credentials, whatever the ignore files say.
        .filter(|p| !base_name(p).eq_ignore_ascii_case(".npmrc"))
        .collect();
    files.sort();
    files.dedup();
    sort_like_npm(&mut files);
    Ok(files)
}

/// Sorts package paths the way `npm pack --json` lists a tarball's files:
/// paths whose first character has no distinct upper case (capitals, digits,
/// punctuation) first, then the others, each group in the order of
/// `Intl.Collator('en', { sensitivity: 'case', numeric: true })`.
pub fn sort_like_npm(paths: &mut [String]) {
    // Ties under the collator keep the tarball's order, which is
    // npm-packlist's: extension, then base name, then path.
    paths.sort_by(|a, b| {
        let key = |p: &str| {
            let base = base_name(p).to_lowercase();
            let ext = match base.rfind('.') {
                Some(0) | None => String::new(),
                Some(i) => base[i..].to_string(),
            };
            (ext, base)
        };
        key(a).cmp(&key(b)).then_with(|| a.cmp(b))
    });
    paths.sort_by(|a, b| {
        let (ua, ub) = (starts_upper(a), starts_upper(b));
        ub.cmp(&ua).then_with(|| collate::compare(a, b))
    });
}

fn starts_upper(s: &str) -> bool {
    match s.chars().next() {
        None => true,
        Some(c) if (c as u32) > 0xFFFF => true,
        Some(c) => {
            let mut up = c.to_uppercase();
            up.next() == Some(c) && up.next().is_none()
        }
    }
}

fn base_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_order() {
        let mut v: Vec<String> = [
            "src/a.js",
            "README.md",
            "bin/x",
            "package.json",
            "LICENSE",
            "@s/a.js",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        sort_like_npm(&mut v);
        assert_eq!(
            v,
            [
                "@s/a.js",
                "LICENSE",
                "README.md",
                "bin/x",
                "package.json",
                "src/a.js"
            ]
        );
    }
}
