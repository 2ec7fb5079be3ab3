//! rustc-style diagnostics: severity and rule, `path:line:col`, the source
//! line with a caret label, secondary labels, then a one-line summary.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::diagnostics::{Finding, Label, Severity};
use crate::paths::display_path;
use crate::project::Project;

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
    let mut out = String::new();
    for f in findings {
        finding(&mut out, project, f, color);
    }
    out.push_str(&errors(project, color));
    summary(&mut out, project, findings, color);
    out
}

/// The errors block alone: each file that could not be read or parsed, with
/// its place (what `render` prints after the findings; `fix` prints it too).
pub fn errors(project: &Project, color: bool) -> String {
    let mut out = String::new();
    for e in &project.errors {
        let st = styles(None, color);
        let _ = writeln!(
            out,
            "{}error{}: {}{}{}",
            st.sev.render(),
            st.sev.render_reset(),
            st.bold.render(),
            e.message,
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
                snippet(
                    &mut out,
                    project,
                    &Label::new(file, span, ""),
                    &st,
                    '^',
                    true,
                    width,
                );
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

fn finding(out: &mut String, project: &Project, f: &Finding, color: bool) {
    let st = styles(Some(f.severity), color);
    let _ = writeln!(
        out,
        "{}{}[{}]{}: {}{}{}",
        st.sev.render(),
        f.severity.as_str(),
        f.rule,
        st.sev.render_reset(),
        st.bold.render(),
        f.message,
        st.bold.render_reset()
    );
    let width = gutter_width(project, f);
    snippet(out, project, &f.primary, &st, '^', true, width);
    // A secondary label gets its own `:::` header unless it continues the
    // previous label's file further down.
    let line = |l: &Label| project.sources.get(l.file).position(l.span.start).line;
    let mut prev = &f.primary;
    for l in &f.secondary {
        let header = l.file != prev.file || line(l) <= line(prev);
        if !header && line(l) > line(prev) + 1 {
            out.push_str("...\n");
        }
        snippet(out, project, l, &st, '-', header, width);
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
            fix.message
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

fn snippet(
    out: &mut String,
    project: &Project,
    label: &Label,
    st: &Styles,
    mark: char,
    header: bool,
    width: usize,
) {
    let file = project.sources.get(label.file);
    let pos = file.position(label.span.start);
    let line_text = file.lines.line_text(&file.text, pos.line);
    let pad = " ".repeat(width);
    let (b, r) = (st.blue.render(), st.blue.render_reset());
    if header {
        let arrow = if mark == '^' { "-->" } else { ":::" };
        let _ = writeln!(
            out,
            "{pad}{b}{arrow}{r} {}:{}:{}",
            display_path(&file.path),
            pos.line,
            pos.column
        );
        let _ = writeln!(out, "{pad} {b}|{r}");
    }
    // The label's extent on its first line, in characters.
    let chars: Vec<char> = line_text.chars().collect();
    let start = pos.column - 1;
    let end_pos = file.position(label.span.end.max(label.span.start));
    let end = if end_pos.line == pos.line {
        end_pos.column - 1
    } else {
        chars.len()
    };
    let len = end.saturating_sub(start).max(1);
    // Window a very long line around the label.
    let (from, to) = if chars.len() > MAX_LINE {
        let from = start.saturating_sub(40);
        (from, (from + MAX_LINE).min(chars.len()))
    } else {
        (0, chars.len())
    };
    let shown: String = chars[from..to]
        .iter()
        .map(|c| if *c == '\t' { ' ' } else { *c })
        .collect();
    let dots = if from > 0 { "..." } else { "" };
    let src = format!(
        "{b}{:>width$} |{r} {dots}{shown}{}",
        pos.line,
        if to < chars.len() { "..." } else { "" }
    );
    let _ = writeln!(out, "{}", src.trim_end());
    let caret_start = start.saturating_sub(from) + dots.len();
    let caret_len = len.min(to.saturating_sub(start.max(from)).max(1));
    let marks: String = std::iter::repeat_n(mark, caret_len).collect();
    let ms = if mark == '^' { &st.sev } else { &st.blue };
    let line = format!(
        "{pad} {b}|{r} {}{}{marks} {}{}",
        " ".repeat(caret_start),
        ms.render(),
        label.message,
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
