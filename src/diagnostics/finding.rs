//! What a rule reports: a [`Finding`] with its [`Severity`], labelled
//! places ([`Label`]) and an optional [`Fix`](super::Fix).

use super::FileId;
use crate::syntax::Span;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// A place in a file, with a short label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(file: FileId, span: Span, message: impl Into<String>) -> Self {
        Label {
            file,
            span,
            message: message.into(),
        }
    }
}

/// One problem found by a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub fixable: bool,
    /// The fix, when the rule has one for this occurrence.
    pub fix: Option<crate::diagnostics::Fix>,
}

impl Finding {
    /// Attaches a fix (a fix with no edits is ignored).
    pub(crate) fn with_fix(mut self, fix: Option<crate::diagnostics::Fix>) -> Self {
        if let Some(f) = fix.filter(|f| !f.edits.is_empty()) {
            self.fixable = true;
            self.fix = Some(f);
        }
        self
    }

    pub(crate) fn with_label(mut self, label: Label) -> Self {
        if label != self.primary && !self.secondary.contains(&label) {
            self.secondary.push(label);
        }
        self
    }
}
