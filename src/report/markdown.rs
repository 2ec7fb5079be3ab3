//! `--format markdown`: the roadmap's §0 findings table,
//! `| # | Finding | Location | Severity |`, ready to paste into a roadmap.
//! Files that could not be read follow as a list after a blank line; with
//! none, the table is all there is.

use std::fmt::Write;

use super::{one_line, shown};
use crate::diagnostics::redact::Redactor;
use crate::diagnostics::{Finding, Severity};
use crate::paths::display_path;
use crate::project::Project;

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
    }
}

/// Text safe inside a table cell: one line, `|` escaped.
fn cell(s: &str) -> String {
    one_line(s).replace('|', "\\|")
}

/// `path:line` as inline code (a fence longer than any backtick run inside).
fn code(s: &str) -> String {
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if longest > 0 { " " } else { "" };
    format!("{fence}{pad}{}{pad}{fence}", cell(s))
}

pub fn render(project: &Project, findings: &[Finding]) -> String {
    render_with(project, findings, &Redactor::default())
}

/// [`render`], masking what `redactor` knows too.
pub fn render_with(project: &Project, findings: &[Finding], redactor: &Redactor) -> String {
    let mut out = String::from("| # | Finding | Location | Severity |\n|---|---|---|---|\n");
    for (n, f) in findings.iter().enumerate() {
        let file = project.sources.get(f.primary.file);
        let pos = file.position(f.primary.span.start);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            n + 1,
            cell(&shown(redactor, &f.message)),
            code(&format!("{}:{}", display_path(&file.path), pos.line)),
            severity(f.severity)
        );
    }
    if !project.errors.is_empty() {
        out.push_str("\nNot audited:\n\n");
        for e in &project.errors {
            let _ = writeln!(
                out,
                "- {}: {}",
                code(&format!("{}:{}", display_path(&e.path), e.line)),
                one_line(&shown(redactor, &e.message))
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_breaks() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
        assert_eq!(code("a:1"), "`a:1`");
        assert_eq!(code("we`ird:2"), "`` we`ird:2 ``");
    }
}
