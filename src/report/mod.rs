//! Output formats, one file each. Each takes the project (for file texts and
//! paths) and the findings, and returns text; none decides exit codes.
//!
//! No format prints a secret: every text that comes from the inputs (source
//! lines, messages, errors, fix texts) goes through a
//! [`Redactor`](crate::diagnostics::redact::Redactor) before it is escaped for
//! the format. `render` masks credential spans; `render_with` also masks the
//! values the caller's redactor knows (the environment's tokens).

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use crate::diagnostics::redact::{printable, Redactor};
use crate::diagnostics::{Finding, Severity};
use crate::project::Project;

/// The closing line: `19 findings (11 high, 4 medium, 4 low) in 40 files, 0 errors`.
pub(crate) fn summary_line(project: &Project, findings: &[Finding]) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    format!(
        "{} ({} high, {} medium, {} low) in {}, {}",
        plural(findings.len(), "finding"),
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Low),
        plural(project.sources.len(), "file"),
        plural(project.errors.len(), "error"),
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A text from the inputs as a terminal format prints it: secrets masked,
/// control characters shown as `�`.
pub(crate) fn shown(redactor: &Redactor, s: &str) -> String {
    printable(&redactor.redact(s))
}

/// A message on one line (line breaks become spaces).
fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
