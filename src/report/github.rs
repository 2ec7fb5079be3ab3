//! `--format github`: GitHub Actions workflow commands (Gitea Actions reads
//! them too), one per finding, which the runner turns into annotations:
//! `::error file=PATH,line=L,col=C,endLine=L,endColumn=C,title=dockprep(RULE)::MESSAGE`.
//! High is `error`, medium `warning`, low `notice`. Columns count characters;
//! `endColumn` is exclusive. Column properties are left out when a span
//! covers several lines (the runner only accepts them on one line).

use std::fmt::Write;

use super::shown;
use crate::diagnostics::redact::Redactor;
use crate::diagnostics::{Finding, Severity};
use crate::paths::display_path;
use crate::project::Project;

/// The workflow command for a severity.
fn command(s: Severity) -> &'static str {
    match s {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "notice",
    }
}

/// Escapes a command's message (`%`, CR, LF).
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property's value (as data, plus `:` and `,`).
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(project: &Project, findings: &[Finding]) -> String {
    render_with(project, findings, &Redactor::default())
}

/// [`render`], masking what `redactor` knows too.
pub fn render_with(project: &Project, findings: &[Finding], redactor: &Redactor) -> String {
    let mut out = String::new();
    for f in findings {
        let file = project.sources.get(f.primary.file);
        let start = file.position(f.primary.span.start);
        let end = file.position(f.primary.span.end.max(f.primary.span.start));
        let mut props = vec![
            format!("file={}", escape_property(&display_path(&file.path))),
            format!("line={}", start.line),
        ];
        if start.line == end.line {
            props.push(format!("col={}", start.column));
            props.push(format!("endLine={}", end.line));
            props.push(format!("endColumn={}", end.column));
        } else {
            props.push(format!("endLine={}", end.line));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("dockprep({})", f.rule))
        ));
        let _ = writeln!(
            out,
            "::{} {}::{}",
            command(f.severity),
            props.join(","),
            escape_data(&shown(redactor, &f.message))
        );
    }
    for e in &project.errors {
        let _ = writeln!(
            out,
            "::error file={},line={},col={},title=dockprep::{}",
            escape_property(&display_path(&e.path)),
            e.line,
            e.column,
            escape_data(&shown(redactor, &e.message))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_runner_expects() {
        assert_eq!(escape_data("50% a\r\nb: c,d"), "50%25 a%0D%0Ab: c,d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
