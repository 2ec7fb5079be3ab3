//! `--format concise`: one line per finding, `path:line:col: severity[rule] message`,
//! sorted by path and position, then the unreadable files as
//! `path:line:col: error: message`, then the summary line.

use std::fmt::Write;

use super::{one_line, shown, summary_line};
use crate::diagnostics::redact::Redactor;
use crate::diagnostics::Finding;
use crate::paths::display_path;
use crate::project::Project;

pub fn render(project: &Project, findings: &[Finding]) -> String {
    render_with(project, findings, &Redactor::default())
}

/// [`render`], masking what `redactor` knows too.
pub fn render_with(project: &Project, findings: &[Finding], redactor: &Redactor) -> String {
    let mut lines: Vec<((String, usize, usize), String)> = findings
        .iter()
        .map(|f| {
            let file = project.sources.get(f.primary.file);
            let pos = file.position(f.primary.span.start);
            let path = display_path(&file.path);
            let text = format!(
                "{path}:{}:{}: {}[{}] {}",
                pos.line,
                pos.column,
                f.severity.as_str(),
                f.rule,
                one_line(&shown(redactor, &f.message))
            );
            ((path, pos.line, pos.column), text)
        })
        .collect();
    // Stable: findings at the same place keep the order `rules::run` gave them.
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for (_, l) in lines {
        out.push_str(&l);
        out.push('\n');
    }
    for e in &project.errors {
        let _ = writeln!(
            out,
            "{}:{}:{}: error: {}",
            display_path(&e.path),
            e.line,
            e.column,
            one_line(&shown(redactor, &e.message))
        );
    }
    out.push_str(&summary_line(project, findings));
    out.push('\n');
    out
}
