//! What happens to findings after the rules ran: each repository's
//! `dockprep.toml` (`[rules]` select/ignore/preview, severity per rule,
//! per-path ignores), then inline ignores:
//!
//! ```text
//! # dockprep: ignore[unused-build-arg, store-cache-mount-missing]
//! ```
//!
//! on the line above an instruction (a Dockerfile; the whole instruction,
//! continuation lines included) or an entry (`.dockerignore`, `.npmrc`,
//! YAML, `.gitignore`), or in the comment block at the top of a file for the
//! whole file. An ignore that suppresses nothing is reported by
//! `unused-ignore` when that rule runs.

use std::path::Path;

use super::{registry, Finding, Rule};
use crate::paths::relative_to;
use crate::project::{FileId, Project};
use crate::syntax::Span;

/// An inline ignore comment.
#[derive(Clone, Debug)]
pub(crate) struct Directive {
    pub file: FileId,
    /// 1-based lines it covers; `None` for the whole file.
    pub lines: Option<(usize, usize)>,
    /// The slugs, with their spans in the file.
    pub slugs: Vec<(String, Span)>,
}

const MARKER: &str = "dockprep:";

/// The comment characters of a file that can carry directives, by its name.
fn comment_chars(path: &Path) -> Option<&'static [char]> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    if crate::project::is_dockerfile_name(name)
        || lower.ends_with("dockerignore")
        || lower == ".gitignore"
        || lower.ends_with(".yml")
        || lower.ends_with(".yaml")
        || lower.ends_with(".toml")
    {
        Some(&['#'])
    } else if lower.starts_with(".npmrc") {
        Some(&['#', ';'])
    } else {
        None
    }
}

/// Parses `ignore[a, b]` after the marker; `None` when it is not an ignore.
fn parse_directive(line: &str, line_start: usize) -> Option<Vec<(String, Span)>> {
    let at = line.find(MARKER)?;
    let rest = &line[at + MARKER.len()..];
    let trimmed = rest.trim_start();
    let inner = trimmed.strip_prefix("ignore[")?;
    let close = inner.find(']')?;
    let base = line_start + at + MARKER.len() + (rest.len() - trimmed.len()) + "ignore[".len();
    let mut out = Vec::new();
    let mut off = 0;
    for part in inner[..close].split(',') {
        let lead = part.len() - part.trim_start().len();
        let slug = part.trim();
        if !slug.is_empty() {
            let start = base + off + lead;
            out.push((slug.to_string(), Span::new(start, start + slug.len())));
        }
        off += part.len() + 1;
    }
    Some(out)
}

/// Every inline ignore of the project's files.
pub(crate) fn directives(project: &Project) -> Vec<Directive> {
    let mut out = Vec::new();
    for (id, src) in project.sources.iter() {
        if !src.text.contains(MARKER) {
            continue;
        }
        let Some(chars) = comment_chars(&src.path) else {
            continue;
        };
        let lines: Vec<(usize, &str)> = {
            let mut start = 0;
            src.text
                .split_inclusive('\n')
                .map(|l| {
                    let s = start;
                    start += l.len();
                    (s, l.trim_end_matches(['\n', '\r']))
                })
                .collect()
        };
        let is_comment = |l: &str| l.trim_start().starts_with(chars);
        let is_blank = |l: &str| l.trim().is_empty();
        let mut leading = true;
        for (i, (start, l)) in lines.iter().enumerate() {
            if !is_comment(l) {
                if !is_blank(l) {
                    leading = false;
                }
                continue;
            }
            let body = l.trim_start();
            let Some(slugs) = parse_directive(body, start + (l.len() - body.len())) else {
                continue;
            };
            let scope = if leading {
                None
            } else {
                // The next line that is neither blank nor a comment.
                let target = lines[i + 1..]
                    .iter()
                    .position(|(_, t)| !is_comment(t) && !is_blank(t))
                    .map(|k| i + 1 + k + 1);
                match target {
                    Some(t) => Some((t, instruction_end(project, id, t).unwrap_or(t))),
                    None => Some((0, 0)),
                }
            };
            out.push(Directive {
                file: id,
                lines: scope,
                slugs,
            });
        }
    }
    out
}

/// The last line of the Dockerfile instruction that starts on `line`.
fn instruction_end(project: &Project, file: FileId, line: usize) -> Option<usize> {
    let d = &project.dockerfiles[project.dockerfile_in(file)?];
    let src = project.sources.get(file);
    d.value.instructions.iter().find_map(|i| {
        (src.position(i.span.start).line == line).then(|| {
            src.position(i.span.end.saturating_sub(1).max(i.span.start))
                .line
        })
    })
}

/// The configuration that governs `path`: the innermost repository's.
fn config_of<'p>(project: &'p Project, path: &Path) -> Option<&'p crate::config::Config> {
    project.repo_of(path).map(|r| &project.repos[r].config)
}

/// How the command line chose the rules (it overrides the configuration).
#[derive(Clone, Copy, Debug, Default)]
pub struct Cli {
    /// `--select` was given.
    pub selected: bool,
    /// `--preview` was given.
    pub preview: bool,
}

/// Applies the per-repository configuration to one finding: `None` drops it.
fn configure(project: &Project, f: Finding, cli: Cli) -> Option<Finding> {
    let path = &project.sources.get(f.primary.file).path;
    let Some(c) = config_of(project, path) else {
        return Some(f);
    };
    let r = &c.rules;
    let named = |list: &[toml::Spanned<String>]| list.iter().any(|s| s.get_ref() == f.rule);
    if named(&r.ignore) {
        return None;
    }
    if !cli.selected && !r.select.is_empty() && !named(&r.select) {
        return None;
    }
    let preview = registry::get(f.rule).is_some_and(|x| x.preview);
    if preview && !cli.selected && !cli.preview && !r.preview && !named(&r.select) {
        return None;
    }
    let base = c
        .path
        .as_ref()
        .and_then(|p| p.parent())
        .unwrap_or(Path::new("."));
    if let Some(rel) = relative_to(path, base) {
        for (glob, slugs) in &r.per_path_ignores {
            let hit = slugs
                .iter()
                .any(|s| s.get_ref() == f.rule || s.get_ref() == "*");
            if hit
                && globset::Glob::new(glob.get_ref())
                    .is_ok_and(|g| g.compile_matcher().is_match(&rel))
            {
                return None;
            }
        }
    }
    let mut f = f;
    if let Some(sev) = r
        .severity
        .iter()
        .find(|(k, _)| k.get_ref() == f.rule)
        .map(|(_, v)| *v)
    {
        f.severity = sev;
    }
    Some(f)
}

/// Configuration, then inline ignores, then `unused-ignore` findings.
pub(crate) fn settle(
    project: &Project,
    ran: &[&Rule],
    findings: Vec<Finding>,
    cli: Cli,
) -> Vec<Finding> {
    let directives = directives(project);
    let mut used: Vec<Vec<bool>> = directives
        .iter()
        .map(|d| vec![false; d.slugs.len()])
        .collect();
    let mut out = Vec::with_capacity(findings.len());
    'findings: for f in findings {
        let Some(f) = configure(project, f, cli) else {
            continue;
        };
        let line = project
            .sources
            .get(f.primary.file)
            .position(f.primary.span.start)
            .line;
        for (di, d) in directives.iter().enumerate() {
            if d.file != f.primary.file || d.lines.is_some_and(|(a, b)| line < a || line > b) {
                continue;
            }
            if let Some(si) = d.slugs.iter().position(|(s, _)| s == f.rule) {
                used[di][si] = true;
                continue 'findings;
            }
        }
        out.push(f);
    }
    let Some(unused_rule) = ran
        .iter()
        .find(|r| r.slug == super::unused_ignore::UNUSED_IGNORE.slug)
    else {
        return out;
    };
    for (di, d) in directives.iter().enumerate() {
        for (si, (slug, span)) in d.slugs.iter().enumerate() {
            if used[di][si] {
                continue;
            }
            let message = match registry::get(slug) {
                None => format!("`{slug}` is not a rule (see `dockprep rules`)"),
                // A rule that did not run could have matched: nothing to say.
                Some(r) if !ran.iter().any(|x| x.slug == r.slug) => continue,
                Some(_) if d.lines == Some((0, 0)) => {
                    format!("this ignore of `{slug}` is above nothing")
                }
                Some(_) => format!("this ignore of `{slug}` suppresses nothing"),
            };
            let f = unused_rule.finding(d.file, *span, "unused", message);
            if let Some(f) = configure(project, f, cli) {
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_slugs_with_their_spans() {
        let line = "# dockprep: ignore[ a-b ,c]";
        let d = parse_directive(line, 10).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].0, "a-b");
        assert_eq!(&line[d[0].1.start - 10..d[0].1.end - 10], "a-b");
        assert_eq!(&line[d[1].1.start - 10..d[1].1.end - 10], "c");
        assert!(parse_directive("# dockprep: fix", 0).is_none());
        assert!(parse_directive("# dockprep: ignore[unclosed", 0).is_none());
    }
}
