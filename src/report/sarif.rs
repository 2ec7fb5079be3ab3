//! `--format sarif`: SARIF 2.1.0, one run. The driver lists every rule given
//! (with its documentation as help); each result has its rule, level, primary
//! location, related locations for the secondary labels and, where the rule
//! has one, the fix as replacements. Paths are relative to the current
//! directory under the `%SRCROOT%` base; columns count UTF-16 code units (the
//! SARIF default). Unreadable files are tool notifications of the invocation.

use std::path::Path;

use serde_json::{json, Map, Value};

use crate::diagnostics::redact::Redactor;
use crate::diagnostics::Fix;
use crate::diagnostics::{Finding, Label, Severity};
use crate::paths::clean;
use crate::paths::display_path;
use crate::project::{Project, SourceFile};
use crate::rules::Rule;
use crate::syntax::{LineIndex, Position, Span};

pub(crate) const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `%SRCROOT%` base of relative artifact URIs: the directory dockprep ran in.
pub(crate) const SRCROOT: &str = "%SRCROOT%";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// Renders the log. `rules` become `tool.driver.rules` in that order
/// (results point into it by `ruleIndex`).
pub fn render(project: &Project, findings: &[Finding], rules: &[&Rule]) -> String {
    render_with(project, findings, rules, &Redactor::default())
}

/// [`render`], masking what `redactor` knows too.
pub fn render_with(
    project: &Project,
    findings: &[Finding],
    rules: &[&Rule],
    redactor: &Redactor,
) -> String {
    let results: Vec<Value> = findings
        .iter()
        .map(|f| result(project, f, rules, redactor))
        .collect();
    let mut invocation = Map::new();
    invocation.insert(
        "executionSuccessful".into(),
        Value::Bool(project.errors.is_empty()),
    );
    if !project.errors.is_empty() {
        let notes: Vec<Value> = project
            .errors
            .iter()
            .map(|e| {
                let region = match e.at {
                    Some((file, span)) => region(project.sources.get(file), span),
                    None => json!({"startLine": e.line, "startColumn": e.column}),
                };
                json!({
                    "level": "error",
                    "message": {"text": redactor.redact(&e.message)},
                    "locations": [{"physicalLocation": {
                        "artifactLocation": artifact(&e.path),
                        "region": region,
                    }}],
                })
            })
            .collect();
        invocation.insert("toolExecutionNotifications".into(), Value::Array(notes));
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dockprep",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|r| descriptor(r)).collect::<Vec<_>>(),
            }},
            "invocations": [Value::Object(invocation)],
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    let mut s =
        serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// `lockfile-ignored` → `LockfileIgnored`.
fn pascal(slug: &str) -> String {
    slug.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The rule's documentation as plain text: headings without their `#`s, code
/// without its fences (indented instead).
fn plain(markdown: &str) -> String {
    let mut in_code = false;
    let mut out = Vec::new();
    for l in markdown.lines() {
        if l.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if in_code {
            out.push(format!("    {l}"));
        } else {
            let heading = l.trim_start_matches('#');
            if heading.len() < l.len() && heading.starts_with(' ') {
                out.push(heading.trim_start().to_string());
            } else {
                out.push(l.to_string());
            }
        }
    }
    out.join("\n")
}

/// Roadmap items of a rule (`F1; A0-2, A6-2.` → `F1`, `A0-2`, `A6-2`).
fn roadmap_tags(reference: &str) -> Vec<String> {
    reference
        .split([';', ','])
        .map(|t| t.trim().trim_end_matches('.').trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

fn descriptor(r: &Rule) -> Value {
    let markdown = r.doc_markdown();
    let what = r
        .doc_section("What it does")
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| r.summary.to_string());
    let reference = r.doc_section("Roadmap reference").unwrap_or_default();
    let mut tags = roadmap_tags(&reference);
    if r.preview {
        tags.push("preview".into());
    }
    json!({
        "id": r.slug,
        "name": pascal(r.slug),
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": what},
        "help": {"text": plain(&markdown), "markdown": markdown},
        "defaultConfiguration": {"level": level(r.severity)},
        "properties": {"tags": tags, "roadmap": reference, "preview": r.preview},
    })
}

fn result(project: &Project, f: &Finding, rules: &[&Rule], redactor: &Redactor) -> Value {
    let mut out = Map::new();
    out.insert("ruleId".into(), json!(f.rule));
    if let Some(i) = rules.iter().position(|r| r.slug == f.rule) {
        out.insert("ruleIndex".into(), json!(i));
    }
    out.insert("level".into(), json!(level(f.severity)));
    out.insert(
        "message".into(),
        json!({"text": redactor.redact(&f.message)}),
    );
    out.insert(
        "locations".into(),
        json!([location(project, &f.primary, redactor)]),
    );
    if !f.secondary.is_empty() {
        let related: Vec<Value> = f
            .secondary
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut loc = location(project, l, redactor);
                loc["id"] = json!(i + 1);
                loc
            })
            .collect();
        out.insert("relatedLocations".into(), Value::Array(related));
    }
    if let Some(fix) = &f.fix {
        out.insert("fixes".into(), json!([fix_object(project, fix, redactor)]));
    }
    Value::Object(out)
}

fn location(project: &Project, l: &Label, redactor: &Redactor) -> Value {
    let file = project.sources.get(l.file);
    let mut loc = json!({"physicalLocation": {
        "artifactLocation": artifact(&file.path),
        "region": region(file, l.span),
    }});
    if !l.message.is_empty() {
        loc["message"] = json!({"text": redactor.redact(&l.message)});
    }
    loc
}

fn region_at(start: Position, end: Position) -> Value {
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

fn region(file: &SourceFile, span: Span) -> Value {
    let start = file.position_utf16(span.start);
    let end = file.position_utf16(span.end.max(span.start));
    region_at(start, end)
}

/// The fix as one artifact change per file, replacements in file order. A
/// file the audit did not read is one the fix creates: its regions are
/// offsets into empty text.
/// Inserted texts are masked like everything else: a fix that would write a
/// secret is shown with `****` in its place.
fn fix_object(project: &Project, fix: &Fix, redactor: &Redactor) -> Value {
    let mut files: Vec<&Path> = Vec::new();
    for (p, _) in &fix.edits {
        if !files.contains(&p.as_path()) {
            files.push(p);
        }
    }
    let changes: Vec<Value> = files
        .iter()
        .map(|path| {
            let source = project
                .sources
                .lookup(&clean(path))
                .map(|id| project.sources.get(id));
            let empty = LineIndex::new("");
            let (text, lines) = match source {
                Some(s) => (s.text.as_str(), &s.lines),
                None => ("", &empty),
            };
            let mut edits: Vec<_> = fix
                .edits
                .iter()
                .filter(|(p, _)| p == path)
                .map(|(_, e)| e)
                .collect();
            edits.sort_by_key(|e| (e.start, e.end));
            let replacements: Vec<Value> = edits
                .iter()
                .map(|e| {
                    let start = lines.position_utf16(text, e.start);
                    let end = lines.position_utf16(text, e.end.max(e.start));
                    let mut r = json!({"deletedRegion": region_at(start, end)});
                    if !e.text.is_empty() {
                        r["insertedContent"] = json!({"text": redactor.redact(&e.text)});
                    }
                    r
                })
                .collect();
            json!({"artifactLocation": artifact(path), "replacements": replacements})
        })
        .collect();
    let applicability = match fix.applicability {
        crate::diagnostics::Applicability::Safe => "safe",
        crate::diagnostics::Applicability::Unsafe => "unsafe",
    };
    json!({
        "description": {"text": redactor.redact(&fix.message)},
        "artifactChanges": changes,
        "properties": {"applicability": applicability},
    })
}

/// An `artifactLocation`: a relative, percent-encoded URI under `%SRCROOT%`,
/// or a `file:` URI for a path outside the current directory.
fn artifact(path: &Path) -> Value {
    let shown = display_path(path);
    if let Some(abs) = shown.strip_prefix('/') {
        json!({"uri": format!("file:///{}", encode(abs))})
    } else if shown.as_bytes().get(1) == Some(&b':') && shown.as_bytes()[0].is_ascii_alphabetic() {
        // A Windows drive (`C:/…`): the colon stays.
        json!({"uri": format!("file:///{}:{}", &shown[..1], encode(&shown[2..]))})
    } else {
        json!({"uri": encode(&shown), "uriBaseId": SRCROOT})
    }
}

/// Percent-encodes what may not stand in a URI path as it is (`:` too, which
/// would make a relative reference's first segment read as a scheme).
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(encode("a b/ü#:.txt"), "a%20b/%C3%BC%23%3A.txt");
        assert_eq!(pascal("lockfile-ignored"), "LockfileIgnored");
    }

    #[test]
    fn plain_help_keeps_code_lines() {
        assert_eq!(
            plain("## Example\n```text\n# .dockerignore\nx\n```\n## Fix\n`a`"),
            "Example\n    # .dockerignore\n    x\nFix\n`a`"
        );
    }

    #[test]
    fn roadmap_tags_split_the_reference() {
        assert_eq!(roadmap_tags("F7; A0-3, §7.3."), vec!["F7", "A0-3", "§7.3"]);
    }
}
