//! rustc-style diagnostics: severity and rule, `path:line:col`, the source
//! line with a caret label, secondary labels, then a one-line summary.
//!
//! A source line is echoed up to its first NUL, at most [`MAX_LINE`]
//! characters around the label, with its secrets masked (the caret follows
//! the mask). In an error's line the text under the label is masked too
//! (unless the message names it: a key): a value the parser rejected may be a
//! secret written in the wrong place.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::shown;
use crate::diagnostics::redact::{echo_line, Redactor};
use crate::diagnostics::{Finding, Label, Severity};
use crate::paths::display_path;
use crate::project::Project;
use crate::syntax::span::floor_char_boundary;

/// Longest part of a source line shown around a label.
const MAX_LINE: usize = 160;

struct Styles {
    sev: Style,
    blue: Style,
    bold: Style,
}

fn styles(sev: Option<Severity>, color: bool) -> Styles {
    if !color {
        return Styles {
            sev: Style::new(),
            blue: Style::new(),
            bold: Style::new(),
        };
    }
    let c = match sev {
        Some(Severity::High) | None => AnsiColor::Red,
        Some(Severity::Medium) => AnsiColor::Yellow,
        Some(Severity::Low) => AnsiColor::Cyan,
    };
    Styles {
        sev: Style::new().fg_color(Some(c.into())).bold(),
        blue: Style::new().fg_color(Some(AnsiColor::Blue.into())).bold(),
        bold: Style::new().bold(),
    }
}

/// Renders all findings, the errors and the summary. `color` adds ANSI styles.
pub fn render(project: &Project, findings: &[Finding], color: bool) -> String {
    render_with(project, findings, color, &Redactor::default())
}

/// [`render`], masking what `redactor` knows too.
pub fn render_with(
    project: &Project,
    findings: &[Finding],
    color: bool,
    redactor: &Redactor,
) -> String {
    let r = redactor;
    let mut out = String::new();
    for f in findings {
        finding(&mut out, project, f, color, r);
    }
    out.push_str(&errors(project, color, r));
    summary(&mut out, project, findings, color);
    out
}

/// The errors block alone: each file that could not be read or parsed, with
/// its place (what `render` prints after the findings; `fix` prints it too).
pub fn errors(project: &Project, color: bool, r: &Redactor) -> String {
    let mut out = String::new();
    for e in &project.errors {
        let st = styles(None, color);
        let _ = writeln!(
            out,
            "{}error{}: {}{}{}",
            st.sev.render(),
            st.sev.render_reset(),
            st.bold.render(),
            shown(r, &e.message),
            st.bold.render_reset()
        );
        match e.at {
            Some((file, span)) => {
                let width = project
                    .sources
                    .get(file)
                    .position(span.start)
                    .line
                    .to_string()
                    .len();
                let label = Label::new(file, span, "");
                // The rejected text is masked, unless the message names it
                // (a key: `unknown field `selct``).
                let text = project.sources.get(file).text.get(span.start..span.end);
                let how = Echo {
                    mark: '^',
                    header: true,
                    width,
                    hide_label: text.is_none_or(|t| !e.message.contains(t)),
                };
                snippet(&mut out, project, &label, &st, how, r);
                out.push('\n');
            }
            None => {
                let _ = writeln!(
                    out,
                    "  {}-->{} {}:{}:{}\n",
                    st.blue.render(),
                    st.blue.render_reset(),
                    display_path(&e.path),
                    e.line,
                    e.column
                );
            }
        }
    }
    out
}

fn finding(out: &mut String, project: &Project, f: &Finding, color: bool, r: &Redactor) {
    let st = styles(Some(f.severity), color);
    let _ = writeln!(
        out,
        "{}{}[{}]{}: {}{}{}",
        st.sev.render(),
        f.severity.as_str(),
        f.rule,
        st.sev.render_reset(),
        st.bold.render(),
        shown(r, &f.message),
        st.bold.render_reset()
    );
    let width = gutter_width(project, f);
    let echo = |mark, header| Echo {
        mark,
        header,
        width,
        hide_label: false,
    };
    snippet(out, project, &f.primary, &st, echo('^', true), r);
    // A secondary label gets its own `:::` header unless it continues the
    // previous label's file further down.
    let line = |l: &Label| project.sources.get(l.file).position(l.span.start).line;
    let mut prev = &f.primary;
    for l in &f.secondary {
        let header = l.file != prev.file || line(l) <= line(prev);
        if !header && line(l) > line(prev) + 1 {
            out.push_str("...\n");
        }
        snippet(out, project, l, &st, echo('-', header), r);
        prev = l;
    }
    if let Some(fix) = &f.fix {
        let kind = match fix.applicability {
            crate::diagnostics::Applicability::Safe => "fix",
            crate::diagnostics::Applicability::Unsafe => "unsafe fix",
        };
        let _ = writeln!(
            out,
            "{} {}={} {kind} available: {}",
            " ".repeat(width),
            st.blue.render(),
            st.blue.render_reset(),
            shown(r, &fix.message)
        );
    }
    out.push('\n');
}

fn gutter_width(project: &Project, f: &Finding) -> usize {
    let line = |l: &Label| project.sources.get(l.file).position(l.span.start).line;
    std::iter::once(&f.primary)
        .chain(&f.secondary)
        .map(line)
        .max()
        .unwrap_or(1)
        .to_string()
        .len()
}

/// How a label's line is shown.
#[derive(Clone, Copy)]
struct Echo {
    /// `^` under a primary label, `-` under a secondary one.
    mark: char,
    /// With the `-->`/`:::` header line.
    header: bool,
    /// Of the line-number gutter.
    width: usize,
    /// Mask the text under the label (an error's rejected value).
    hide_label: bool,
}

fn snippet(
    out: &mut String,
    project: &Project,
    label: &Label,
    st: &Styles,
    how: Echo,
    r: &Redactor,
) {
    let Echo {
        mark,
        header,
        width,
        hide_label,
    } = how;
    let file = project.sources.get(label.file);
    let pos = file.position(label.span.start);
    let pad = " ".repeat(width);
    let (b, rs) = (st.blue.render(), st.blue.render_reset());
    if header {
        let arrow = if mark == '^' { "-->" } else { ":::" };
        let _ = writeln!(
            out,
            "{pad}{b}{arrow}{rs} {}:{}:{}",
            display_path(&file.path),
            pos.line,
            pos.column
        );
        let _ = writeln!(out, "{pad} {b}|{rs}");
    }
    // The line up to a NUL, and the label's extent on it, in bytes.
    let line_start = file.lines.line_start(pos.line).unwrap_or(0);
    let raw = file.lines.line_text(&file.text, pos.line);
    let raw = raw.split('\0').next().unwrap_or("");
    let at = |offset: usize| floor_char_boundary(raw, offset.saturating_sub(line_start));
    let end_pos = file.position(label.span.end.max(label.span.start));
    let (start_b, end_b) = (
        at(label.span.start),
        if end_pos.line == pos.line {
            at(label.span.end.max(label.span.start))
        } else {
            raw.len()
        },
    );
    let masked = if hide_label {
        r.mask_also(raw, start_b..end_b)
    } else {
        r.mask(raw)
    };
    let (start_b, end_b) = (masked.offset(start_b, false), masked.offset(end_b, true));
    // In characters from here on.
    let text = &masked.text;
    let start = text[..start_b].chars().count();
    let end = text[..end_b.max(start_b)].chars().count();
    let chars: Vec<char> = echo_line(text).chars().collect();
    let len = end.saturating_sub(start).max(1);
    // Window a very long line around the label.
    let (from, to) = if chars.len() > MAX_LINE {
        let from = start.saturating_sub(40);
        (from, (from + MAX_LINE).min(chars.len()))
    } else {
        (0, chars.len())
    };
    let visible: String = chars[from..to]
        .iter()
        .map(|c| if *c == '\t' { ' ' } else { *c })
        .collect();
    let dots = if from > 0 { "..." } else { "" };
    let src = format!(
        "{b}{:>width$} |{rs} {dots}{visible}{}",
        pos.line,
        if to < chars.len() { "..." } else { "" }
    );
    let _ = writeln!(out, "{}", src.trim_end());
    let caret_start = start.saturating_sub(from) + dots.len();
    let caret_len = len.min(to.saturating_sub(start.max(from)).max(1));
    let marks: String = std::iter::repeat_n(mark, caret_len).collect();
    let ms = if mark == '^' { &st.sev } else { &st.blue };
    let line = format!(
        "{pad} {b}|{rs} {}{}{marks} {}{}",
        " ".repeat(caret_start),
        ms.render(),
        shown(r, &label.message),
        ms.render_reset()
    );
    let _ = writeln!(out, "{}", line.trim_end());
}

fn summary(out: &mut String, project: &Project, findings: &[Finding], color: bool) {
    let st = styles(None, color);
    let line = super::summary_line(project, findings);
    // The count of findings is bold.
    let (count, rest) = line.split_once(" (").unwrap_or((&line, ""));
    let _ = writeln!(
        out,
        "{}{count}{} ({rest}",
        st.bold.render(),
        st.bold.render_reset(),
    );
}
