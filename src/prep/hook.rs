//! `dockprep hook install|uninstall`: puts the guard into the repository's
//! pre-commit hook, `.husky/pre-commit` when husky is used, else the git hooks
//! directory (`core.hooksPath` honoured), between marker comments so that
//! installing is idempotent and the block can be replaced or removed.

use std::path::{Path, PathBuf};

use super::git::{self, GitError};
use super::guard;
use crate::fsutil::write_atomic;
use crate::syntax::prep_rewrites::{fallback_pattern, Format, FILES};

pub const BEGIN: &str = "# >>> dockprep guard >>>";
pub const END: &str = "# <<< dockprep guard <<<";
const SHEBANG: &str = "#!/bin/sh\n";

#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not UTF-8 text; not touching it", .0.display())]
    NotText(PathBuf),
    #[error("{} has `{BEGIN}` without a matching `{END}`; fix it by hand", .0.display())]
    Unbalanced(PathBuf),
}

/// Which hook mechanism the repository uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manager {
    Husky,
    Git,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Added,
    Updated,
    AlreadyInstalled,
    Removed,
    NotInstalled,
}

#[derive(Clone, Debug)]
pub struct Done {
    pub file: PathBuf,
    pub manager: Manager,
    pub outcome: Outcome,
    /// False when the hook file exists but git would not run it (hooks
    /// directory only; husky runs its files through `sh`).
    pub executable: bool,
}

/// The pre-commit hook file of the repository containing `path`.
pub(crate) fn locate(path: &Path) -> Result<(PathBuf, PathBuf, Manager), HookError> {
    let root = git::toplevel(path)?;
    if uses_husky(&root) {
        let file = root.join(".husky/pre-commit");
        return Ok((root, file, Manager::Husky));
    }
    let configured = git::output(&root, ["config", "--path", "--get", "core.hooksPath"])
        .map(|o| String::from_utf8_lossy(&o).trim_end().to_string())
        .unwrap_or_default();
    let dir = if configured.is_empty() {
        let out = git::output(&root, ["rev-parse", "--git-path", "hooks"])?;
        root.join(String::from_utf8_lossy(&out).trim_end())
    } else {
        root.join(configured)
    };
    Ok((root, dir.join("pre-commit"), Manager::Git))
}

/// Husky is used when `.husky/` exists or the top-level manifest depends on
/// it or runs it from its `prepare` script.
fn uses_husky(root: &Path) -> bool {
    if root.join(".husky").is_dir() {
        return true;
    }
    let Ok(text) = std::fs::read_to_string(root.join("package.json")) else {
        return false;
    };
    let Ok(v) =
        serde_json::from_str::<serde_json::Value>(crate::syntax::package_json::strip_bom(&text))
    else {
        return false;
    };
    ["dependencies", "devDependencies"]
        .iter()
        .any(|k| v[k].get("husky").is_some())
        || v["scripts"]["prepare"]
            .as_str()
            .is_some_and(|s| s.contains("husky"))
}

/// The hook block: `dockprep guard` when it is on PATH, else a shell
/// fallback so that teammates without dockprep are protected too: it
/// refuses staged backups and `.docker-deps/` files, and greps the staged
/// content of every file pnpm reads specifiers from with the pattern
/// [`fallback_pattern`] builds from the guard's own grammar (escapes,
/// either separator, any case).
pub fn block(message: &str) -> String {
    let mut scans = String::new();
    for format in [Format::Json, Format::Json5, Format::Yaml, Format::Js] {
        let specs: Vec<String> = FILES
            .iter()
            .filter(|(_, f)| *f == format)
            .map(|(name, _)| sh_quote(&format!(":(glob,icase)**/{name}")))
            .collect();
        scans.push_str(&format!(
            " ||\n    dockprep_scan {} {}",
            sh_quote(&fallback_pattern(format)),
            specs.join(" ")
        ));
    }
    format!(
        r#"{BEGIN}
# Refuses commits of files rewritten by `dockprep prep` or docker-prep.sh
# (specifiers into .docker-deps/, however escaped) and of prep backups.
if command -v dockprep >/dev/null 2>&1; then
  dockprep guard || exit 1
else
  dockprep_scan() {{
    dockprep_pattern=$1
    shift
    git diff --cached --name-only -z --diff-filter=ACMR -- "$@" |
      xargs -0 -r git --literal-pathspecs grep --cached -l -i -E -e "$dockprep_pattern" -- | grep .
  }}
  if git diff --cached --name-only --diff-filter=ACMR -- ':(glob,icase)**/package.json.bak' ':(glob,icase)**/.docker-deps/**' | grep .{scans}; then
    echo {} >&2
    exit 1
  fi
fi
{END}
"#,
        sh_quote(message)
    )
}

/// `s` in single quotes for `sh`.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

pub fn install(path: &Path) -> Result<Done, HookError> {
    let (root, file, manager) = locate(path)?;
    let block = block(&guard::error_message(&root));
    let existing = read(&file)?;
    let (text, outcome) = match &existing {
        None => {
            let header = if manager == Manager::Git { SHEBANG } else { "" };
            (format!("{header}{block}"), Outcome::Created)
        }
        Some(old) => {
            match with_block(old, &block).ok_or_else(|| HookError::Unbalanced(file.clone()))? {
                (new, _) if new == *old => (new, Outcome::AlreadyInstalled),
                (new, true) => (new, Outcome::Updated),
                (new, false) => (new, Outcome::Added),
            }
        }
    };
    if outcome != Outcome::AlreadyInstalled {
        write(&file, &text, existing.is_none())?;
    }
    Ok(done(file, manager, outcome))
}

pub fn uninstall(path: &Path) -> Result<Done, HookError> {
    let (_, file, manager) = locate(path)?;
    let Some(old) = read(&file)? else {
        return Ok(done(file, manager, Outcome::NotInstalled));
    };
    let Some((start, end)) = find_block(&old).map_err(|()| HookError::Unbalanced(file.clone()))?
    else {
        return Ok(done(file, manager, Outcome::NotInstalled));
    };
    let rest = format!("{}{}", &old[..start], &old[end..]);
    let io = |source| HookError::Io {
        path: file.clone(),
        source,
    };
    if rest.is_empty() || rest == SHEBANG {
        // Nothing but what `install` created.
        std::fs::remove_file(&file).map_err(io)?;
    } else {
        write_atomic(&file, rest.as_bytes()).map_err(io)?;
    }
    Ok(done(file, manager, Outcome::Removed))
}

fn done(file: PathBuf, manager: Manager, outcome: Outcome) -> Done {
    let executable = manager == Manager::Husky || is_executable(&file);
    Done {
        file,
        manager,
        outcome,
        executable,
    }
}

fn read(file: &Path) -> Result<Option<String>, HookError> {
    match std::fs::read(file) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| HookError::NotText(file.to_path_buf())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(HookError::Io {
            path: file.to_path_buf(),
            source,
        }),
    }
}

fn write(file: &Path, text: &str, new: bool) -> Result<(), HookError> {
    let io = |source| HookError::Io {
        path: file.to_path_buf(),
        source,
    };
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    write_atomic(file, text.as_bytes()).map_err(io)?;
    if new {
        // A new hook must be executable (an existing one keeps its mode).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o755)).map_err(io)?;
        }
    }
    Ok(())
}

fn is_executable(file: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(file).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        file.is_file()
    }
}

/// `text` with `block` in it: replacing an installed block, else right after
/// the shebang line (before the existing commands, so that a hook ending in
/// `exec …` or `exit` still runs the guard). `None` when the markers are
/// unbalanced; the flag says whether a block was replaced.
fn with_block(text: &str, block: &str) -> Option<(String, bool)> {
    if let Some((start, end)) = find_block(text).ok()? {
        return Some((format!("{}{block}{}", &text[..start], &text[end..]), true));
    }
    let at = if text.starts_with("#!") {
        text.find('\n').map_or(text.len(), |i| i + 1)
    } else {
        0
    };
    let newline = if text[..at].ends_with('\n') || at == 0 {
        ""
    } else {
        "\n"
    };
    Some((
        format!("{}{newline}{block}{}", &text[..at], &text[at..]),
        false,
    ))
}

/// Byte range of the installed block, marker lines included; `Err` when a
/// begin marker has no end marker after it.
fn find_block(text: &str) -> Result<Option<(usize, usize)>, ()> {
    let mut start = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let next = offset + line.len();
        match (line.trim_end(), start) {
            (BEGIN, None) => start = Some(offset),
            (END, Some(s)) => return Ok(Some((s, next))),
            _ => {}
        }
        offset = next;
    }
    start.map_or(Ok(None), |_| Err(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_goes_after_the_shebang_and_is_replaced_in_place() {
        let b = block("m");
        let (t, replaced) = with_block("#!/bin/sh\nnpm test\nexec foo\n", &b).unwrap();
        assert!(!replaced);
        assert_eq!(t, format!("#!/bin/sh\n{b}npm test\nexec foo\n"));
        assert_eq!(with_block(&t, &b).unwrap(), (t.clone(), true));
        let newer = block("other");
        let (u, _) = with_block(&t, &newer).unwrap();
        assert_eq!(u, format!("#!/bin/sh\n{newer}npm test\nexec foo\n"));
        assert_eq!(find_block(&u), Ok(Some((10, 10 + newer.len()))));
    }

    #[test]
    fn husky_style_and_odd_files() {
        let b = block("m");
        assert_eq!(
            with_block("pnpm lint-staged\n", &b).unwrap().0,
            format!("{b}pnpm lint-staged\n")
        );
        assert_eq!(
            with_block("#!/bin/sh", &b).unwrap().0,
            format!("#!/bin/sh\n{b}")
        );
        assert_eq!(with_block("", &b).unwrap().0, b);
        assert!(with_block(&format!("{BEGIN}\nx\n"), &b).is_none());
    }

    #[test]
    fn message_is_quoted_for_the_shell() {
        assert!(block("it's").contains(r"echo 'it'\''s' >&2"));
        assert!(
            !block("m").contains("\n\n"),
            "no empty line inside the block"
        );
    }
}
