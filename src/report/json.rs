//! `--format json`: one object with `version`, `findings`, `errors`, `summary`.

use serde::Serialize;

use crate::diagnostics::redact::Redactor;
use crate::diagnostics::{Finding, Severity};
use crate::paths::display_path;
use crate::project::Project;

#[derive(Serialize)]
struct Out<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: String,
    fixable: bool,
}

#[derive(Serialize)]
struct JsonError {
    path: String,
    line: usize,
    column: usize,
    message: String,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    findings: usize,
}

pub fn render(project: &Project, findings: &[Finding]) -> String {
    render_with(project, findings, &Redactor::default())
}

/// [`render`], masking what `redactor` knows too.
pub fn render_with(project: &Project, findings: &[Finding], redactor: &Redactor) -> String {
    let out = Out {
        version: 1,
        findings: findings
            .iter()
            .map(|f| {
                let file = project.sources.get(f.primary.file);
                let start = file.position(f.primary.span.start);
                let end = file.position(f.primary.span.end);
                JsonFinding {
                    rule: f.rule,
                    severity: f.severity,
                    path: display_path(&file.path),
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                    message: redactor.redact(&f.message),
                    fixable: f.fixable,
                }
            })
            .collect(),
        errors: project
            .errors
            .iter()
            .map(|e| JsonError {
                path: display_path(&e.path),
                line: e.line,
                column: e.column,
                message: redactor.redact(&e.message),
            })
            .collect(),
        summary: Summary {
            files: project.sources.len(),
            findings: findings.len(),
        },
    };
    let mut s =
        serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
