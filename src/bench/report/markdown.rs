//! The roadmap's A7 Markdown table: a row per repo and surface, cells
//! escaped so that a `|` or a line break in a name or note cannot break the
//! table, then the footer line.

use super::table::{footer, one_line, rows};
use crate::bench::BenchReport;

/// The header of the roadmap's A7 table.
pub(crate) const MARKDOWN_HEADER: &str =
    "| Repo | Surface | Cold before | Cold after | Warm before | Warm after | Notes |";
const MARKDOWN_RULE: &str = "|---|---|---|---|---|---|---|";

/// The A7 table, one row per repo and surface, then a blank line and a line
/// with the number of runs and the machine.
pub fn markdown(report: &BenchReport) -> String {
    let mut out = String::new();
    out.push_str(MARKDOWN_HEADER);
    out.push('\n');
    out.push_str(MARKDOWN_RULE);
    out.push('\n');
    for row in rows(report) {
        let cells = row.cells();
        out.push('|');
        for cell in &cells {
            let cell = md_escape(cell);
            if !cell.is_empty() {
                out.push(' ');
                out.push_str(&cell);
            }
            out.push_str(" |");
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&footer(report));
    out.push('\n');
    out
}

/// A table cell's text: no line breaks, `|` and `\` escaped.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::report::fixtures::*;
    use crate::bench::{BenchReport, Variant};

    #[test]
    fn markdown_header_and_rows() {
        let md = markdown(&sample());
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(
            lines[0],
            "| Repo | Surface | Cold before | Cold after | Warm before | Warm after | Notes |"
        );
        assert_eq!(lines[1], "|---|---|---|---|---|---|---|");
        // Rows in the order of first appearance, Before and After paired.
        assert!(lines[2].starts_with(
            "| peakpulse | backend | 151.0 s (148.2–160.3) | 131.5 s (128.0–135.2) \
             | 140.1 s (138.9–142.0) | 12.5 s (12.1–13.0) | "
        ));
        assert_eq!(
            lines[3],
            "| clock | web | — | 95.4 s | — | 20.7 s | touched web/src/app/page.tsx |"
        );
        assert_eq!(lines[4], "");
        assert!(lines[5].starts_with("Runs: 3 per build"));
        assert!(lines[5].ends_with("Machine: 2 × AMD EPYC, Docker 27.3.1"));
        assert_eq!(lines.len(), 6);
    }

    #[test]
    fn markdown_snapshot() {
        insta::assert_snapshot!("markdown_sample", markdown(&sample()));
    }

    #[test]
    fn markdown_escapes_cells() {
        let mut s = surface("a|b", "web\\api", Variant::After);
        s.warm = samples(&[1.0]);
        s.notes = vec!["x | y".into(), "two\nlines".into()];
        let report = BenchReport {
            surfaces: vec![s],
            ..BenchReport::default()
        };
        let md = markdown(&report);
        assert_eq!(
            md.lines().nth(2).unwrap(),
            "| a\\|b | web\\\\api | — | — | — | 1.0 s | x \\| y; two lines |"
        );
        // Every row still has exactly 8 unescaped pipes.
        let row = md
            .lines()
            .nth(2)
            .unwrap()
            .replace("\\\\", "")
            .replace("\\|", "");
        assert_eq!(row.matches('|').count(), 8);
    }
}
