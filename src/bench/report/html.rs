//! The self-contained HTML page: the table, a grouped bar chart of the
//! medians as inline SVG, and the step times of each surface's median warm
//! build. No script and no external resource; every text is escaped.

use std::fmt::Write as _;

use super::table::{footer, one_line, ratio, rows, secs, stat, Kind, Row, MISSING};
use crate::bench::{BenchReport, StepTime, Variant};

/// A self-contained HTML page: the table, a bar chart of the medians (inline
/// SVG) and the step times of each surface's median warm build.
pub fn html(report: &BenchReport) -> String {
    let rows = rows(report);
    let mut out = String::with_capacity(16 * 1024);
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>dockprep bench: Docker build times</title>\n<style>\n",
    );
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body>\n<h1>Docker build times</h1>\n");
    let _ = writeln!(out, "<p class=\"meta\">{}</p>", esc(&footer(report)));
    if rows.is_empty() {
        out.push_str("<p class=\"empty\">No surfaces were measured.</p>\n");
    } else {
        out.push_str("<h2 id=\"summary\">Cold and warm builds</h2>\n");
        out.push_str(&html_table(&rows));
        out.push_str("<h2 id=\"chart\">Medians</h2>\n");
        out.push_str(&chart(&rows));
        out.push_str("<h2 id=\"steps\">Steps of the median warm build</h2>\n");
        for row in &rows {
            out.push_str(&steps_section(row));
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The bars of one group of the chart, in the table's column order.
struct Bar {
    kind: Kind,
    variant: Variant,
    label: &'static str,
    color: &'static str,
}

const BARS: [Bar; 4] = [
    Bar {
        kind: Kind::Cold,
        variant: Variant::Before,
        label: "cold before",
        color: "#9ecae1",
    },
    Bar {
        kind: Kind::Cold,
        variant: Variant::After,
        label: "cold after",
        color: "#2171b5",
    },
    Bar {
        kind: Kind::Warm,
        variant: Variant::Before,
        label: "warm before",
        color: "#fdae6b",
    },
    Bar {
        kind: Kind::Warm,
        variant: Variant::After,
        label: "warm after",
        color: "#d94801",
    },
];

/// Text or attribute value for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";

const CSS: &str = "\
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif;
  color: #1f2328; background: #fff; max-width: 1000px; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
h4 { font-size: .95rem; margin: .4rem 0; font-weight: 600; }
.meta, .muted, .empty { color: #59636e; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; }
tbody tr:nth-child(even) { background: #fafbfc; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.missing { text-align: center; color: #8c959f; }
td.name { overflow-wrap: anywhere; }
td.notes { min-width: 16rem; }
td.notes div + div { margin-top: .15rem; }
.range { font-size: 12px; color: #59636e; }
svg.chart { display: block; width: 100%; max-width: 960px; height: auto; }
.variants { display: flex; flex-wrap: wrap; gap: 1.5rem; }
.variant { flex: 1 1 420px; min-width: 0; }
table.steps code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace;
  word-break: break-word; }
table.steps tr.cached td { color: #59636e; }
table.steps td.bar { width: 16%; }
table.steps tfoot td { font-weight: 600; background: #f6f8fa; }
.bar div { height: .7rem; border-radius: 2px; background: #d94801; }
.before .bar div { background: #fdae6b; }
tr.cached .bar div { background: #c4c9cf; }
";

fn html_table(rows: &[Row<'_>]) -> String {
    let mut out = String::new();
    out.push_str("<table class=\"summary\">\n<thead><tr>");
    for (i, h) in [
        "Repo",
        "Surface",
        "Cold before",
        "Cold after",
        "Warm before",
        "Warm after",
        "Notes",
    ]
    .iter()
    .enumerate()
    {
        let class = if (2..6).contains(&i) {
            " class=\"num\""
        } else {
            ""
        };
        let _ = write!(out, "<th{class}>{h}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        let _ = write!(
            out,
            "<tr><td class=\"name\">{}</td><td class=\"name\">{}</td>",
            esc(&one_line(row.repo)),
            esc(&one_line(row.surface))
        );
        for b in &BARS {
            match row.stat(b.kind, b.variant) {
                None => {
                    let _ = write!(out, "<td class=\"missing\">{MISSING}</td>");
                }
                Some(s) => {
                    let range = if s.n > 1 {
                        format!("<br><span class=\"range\">{:.1}–{:.1}</span>", s.min, s.max)
                    } else {
                        String::new()
                    };
                    let _ = write!(out, "<td class=\"num\">{}{range}</td>", secs(s.median));
                }
            }
        }
        out.push_str("<td class=\"notes\">");
        for note in row.notes() {
            let _ = write!(out, "<div>{}</div>", esc(&one_line(&note)));
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// A step of the axis and the axis' end, both "nice" numbers, for values up to `max`.
fn axis(max: f64) -> (f64, f64) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let norm = raw / magnitude;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    let step = nice * magnitude;
    let end = (max / step).ceil() * step;
    if step.is_finite() && step > 0.0 && end.is_finite() && end >= max {
        (step, end)
    } else {
        (max / 4.0, max)
    }
}

/// `2.5`, `30`, `0.05`: a tick's value without trailing zeros.
fn tick_label(t: f64) -> String {
    let s = format!("{t:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// At most `max` characters, with `…` when cut.
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// A grouped horizontal bar chart of the medians: per row, cold before, cold
/// after, warm before and warm after on one linear scale.
fn chart(rows: &[Row<'_>]) -> String {
    const WIDTH: f64 = 960.0;
    const BAR_H: f64 = 15.0;
    const BAR_GAP: f64 = 4.0;
    const GROUP_GAP: f64 = 26.0;
    const TOP: f64 = 46.0;
    const AXIS_H: f64 = 44.0;
    const KIND_W: f64 = 84.0;
    const VALUE_W: f64 = 64.0;
    const CHAR_W: f64 = 7.6;

    let group_h = 4.0 * BAR_H + 3.0 * BAR_GAP;
    let longest = rows
        .iter()
        .map(|r| {
            (r.repo.chars().count() as f64 * 8.8).max(r.surface.chars().count() as f64 * CHAR_W)
        })
        .fold(0.0, f64::max);
    let label_w = (longest + 16.0).clamp(140.0, 260.0);
    // The repo line is bold and larger: about 8.8 px a character.
    let repo_chars = ((label_w - 14.0) / 8.8) as usize;
    let label_chars = ((label_w - 14.0) / CHAR_W) as usize;
    let plot_x = label_w + KIND_W;
    let plot_w = WIDTH - plot_x - VALUE_W;
    let max = rows
        .iter()
        .flat_map(|r| BARS.iter().filter_map(|b| r.stat(b.kind, b.variant)))
        .map(|s| s.median)
        .fold(0.0, f64::max);
    let (step, end) = axis(max);
    let n = rows.len() as f64;
    let plot_h = n * group_h + (n - 1.0).max(0.0) * GROUP_GAP;
    let height = TOP + plot_h + AXIS_H;
    let x_of = |v: f64| plot_x + (v / end).clamp(0.0, 1.0) * plot_w;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" \
         height=\"{height:.0}\" viewBox=\"0 0 {WIDTH} {height:.0}\" role=\"img\" \
         aria-labelledby=\"chart-title\" font-family=\"{FONT}\" font-size=\"12\" fill=\"#1f2328\">"
    );
    out.push_str(
        "<title id=\"chart-title\">Median build times in seconds: cold and warm, before and after</title>\n",
    );

    // Legend.
    for (i, b) in BARS.iter().enumerate() {
        let x = plot_x + i as f64 * 130.0;
        let _ = writeln!(
            out,
            "<path d=\"M{x:.1} 10h13v13h-13z\" fill=\"{}\"/><text x=\"{:.1}\" y=\"21\">{}</text>",
            b.color,
            x + 19.0,
            b.label
        );
    }

    // Grid and axis.
    let ticks = ((end / step).round() as usize).min(20);
    for k in 0..=ticks {
        let t = k as f64 * step;
        let x = x_of(t);
        let color = if k == 0 { "#8c959f" } else { "#e1e4e8" };
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{color}\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#59636e\">{} s</text>",
            TOP - 8.0,
            TOP + plot_h + 4.0,
            TOP + plot_h + 18.0,
            tick_label(t)
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#59636e\">seconds, median \
         of the runs (linear scale)</text>",
        plot_x + plot_w / 2.0,
        TOP + plot_h + 36.0
    );

    for (i, row) in rows.iter().enumerate() {
        let y0 = TOP + i as f64 * (group_h + GROUP_GAP);
        if i > 0 {
            let _ = writeln!(
                out,
                "<line x1=\"0\" y1=\"{y:.1}\" x2=\"{WIDTH}\" y2=\"{y:.1}\" stroke=\"#eaeef2\"/>",
                y = y0 - GROUP_GAP / 2.0
            );
        }
        let name = format!("{} / {}", row.repo, row.surface);
        let _ = writeln!(
            out,
            "<g><title>{}</title><text x=\"0\" y=\"{:.1}\" font-weight=\"600\" font-size=\"13\">{}</text>\
             <text x=\"0\" y=\"{:.1}\">{}</text></g>",
            esc(&name),
            y0 + 13.0,
            esc(&fit(row.repo, repo_chars)),
            y0 + 29.0,
            esc(&fit(row.surface, label_chars)),
        );
        let ratios = [("warm", Kind::Warm), ("cold", Kind::Cold)]
            .into_iter()
            .filter_map(|(name, kind)| {
                ratio(
                    name,
                    row.stat(kind, Variant::Before)?.median,
                    row.stat(kind, Variant::After)?.median,
                )
            });
        for (j, r) in ratios.enumerate() {
            let _ = writeln!(
                out,
                "<text x=\"0\" y=\"{:.1}\" font-size=\"11\" fill=\"#59636e\">{}</text>",
                y0 + 45.0 + j as f64 * 14.0,
                esc(&fit(&r, label_chars + 2))
            );
        }
        for (j, b) in BARS.iter().enumerate() {
            let y = y0 + j as f64 * (BAR_H + BAR_GAP);
            let text_y = y + BAR_H / 2.0 + 4.0;
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{text_y:.1}\" text-anchor=\"end\" font-size=\"11\" \
                 fill=\"#59636e\">{}</text>",
                plot_x - 6.0,
                b.label
            );
            match row.stat(b.kind, b.variant) {
                Some(s) => {
                    let w = x_of(s.median) - plot_x;
                    let range = if s.n > 1 {
                        format!(" (min {:.1}, max {:.1}, {} samples)", s.min, s.max, s.n)
                    } else {
                        String::new()
                    };
                    let _ = writeln!(
                        out,
                        "<rect x=\"{plot_x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{BAR_H}\" \
                         fill=\"{}\"><title>{}: {} {}{}</title></rect>\
                         <text x=\"{:.1}\" y=\"{text_y:.1}\" stroke=\"#fff\" \
                         stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
                        b.color,
                        esc(&name),
                        b.label,
                        secs(s.median),
                        range,
                        plot_x + w + 5.0,
                        secs(s.median)
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "<text x=\"{:.1}\" y=\"{text_y:.1}\" font-size=\"11\" fill=\"#8c959f\" \
                         font-style=\"italic\">not measured</text>",
                        plot_x + 5.0
                    );
                }
            }
        }
    }
    out.push_str("</svg>\n");
    out
}

/// The step times of the median warm builds of one row, Before then After.
fn steps_section(row: &Row<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<section>\n<h3>{} / {}</h3>\n<div class=\"variants\">",
        esc(row.repo),
        esc(row.surface)
    );
    for (variant, name, class) in [
        (Variant::Before, "Before", "before"),
        (Variant::After, "After", "after"),
    ] {
        let Some(s) = row.get(variant) else { continue };
        let mut title = format!("{name}: warm build");
        if let Some(st) = stat(&s.warm) {
            let _ = write!(title, ", median {}", secs(st.median));
        }
        if let Some(t) = s.touched.as_deref().filter(|t| !t.trim().is_empty()) {
            let _ = write!(title, ", touched {}", t.trim());
        }
        let _ = writeln!(
            out,
            "<div class=\"variant {class}\">\n<h4>{}</h4>",
            esc(&one_line(&title))
        );
        out.push_str(&steps_table(&s.warm_steps));
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n</section>\n");
    out
}

fn steps_table(steps: &[StepTime]) -> String {
    if steps.is_empty() {
        return "<p class=\"muted\">No step times recorded.</p>\n".to_string();
    }
    let valid = |s: &StepTime| (s.seconds.is_finite() && s.seconds >= 0.0).then_some(s.seconds);
    let longest = steps.iter().filter_map(valid).fold(0.0, f64::max);
    let total: f64 = steps.iter().filter_map(valid).sum();
    let cached = steps.iter().filter(|s| s.cached).count();
    let mut out = String::from(
        "<table class=\"steps\">\n<thead><tr><th class=\"num\">#</th><th>Step</th>\
         <th class=\"num\">Seconds</th><th>Status</th><th></th></tr></thead>\n<tbody>\n",
    );
    for (i, step) in steps.iter().enumerate() {
        let (seconds, width) = match valid(step) {
            Some(v) => (
                format!("{v:.1}"),
                if longest > 0.0 {
                    v / longest * 100.0
                } else {
                    0.0
                },
            ),
            None => (MISSING.to_string(), 0.0),
        };
        let status = if step.cached { "cached" } else { "run" };
        let _ = writeln!(
            out,
            "<tr class=\"{status}\"><td class=\"num\">{}</td><td><code>{}</code></td>\
             <td class=\"num\">{seconds}</td><td>{status}</td>\
             <td class=\"bar\"><div style=\"width:{width:.1}%\"></div></td></tr>",
            i + 1,
            esc(&one_line(&step.name)),
        );
    }
    let _ = writeln!(
        out,
        "</tbody>\n<tfoot><tr><td></td><td>Total ({cached} cached, {} run)</td>\
         <td class=\"num\">{total:.1}</td><td></td><td></td></tr></tfoot>\n</table>",
        steps.len() - cached
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::report::fixtures::*;
    use crate::bench::{BenchReport, Variant};

    #[test]
    fn html_has_svg_and_one_rect_per_bar() {
        let page = html(&sample());
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<svg"));
        // peakpulse: 4 bars; clock/web: cold after and warm after.
        assert_eq!(page.matches("<rect").count(), 6);
        assert_eq!(
            page.matches("<text").count(),
            page.matches("</text>").count()
        );
        assert_eq!(page.matches("<tr").count(), page.matches("</tr>").count());
        assert!(page.contains("<th>Repo</th>"));
        assert!(page.contains("warm 11.2× faster"));
        assert!(page.contains("[builder 5/8] RUN pnpm install --lockfile=false"));
        assert!(!page.contains("<script"));
        // No external resources: the only URL is the SVG namespace.
        assert_eq!(page.matches("http").count(), 1);
    }

    #[test]
    fn html_escapes_text() {
        let mut s = surface("<repo>", "a & \"b\"", Variant::After);
        s.warm = samples(&[2.0]);
        s.warm_steps = vec![step("RUN echo '<x>' && true", 2.0, false)];
        s.notes = vec!["<script>alert(1)</script>".into()];
        let page = html(&BenchReport {
            surfaces: vec![s],
            ..BenchReport::default()
        });
        assert!(!page.contains("<repo>"));
        assert!(!page.contains("<script>"));
        assert!(!page.contains("<x>"));
        assert!(page.contains("&lt;repo&gt;"));
        assert!(page.contains("a &amp; &quot;b&quot;"));
        assert!(page.contains("RUN echo &#39;&lt;x&gt;&#39; &amp;&amp; true"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn axis_is_nice_and_safe() {
        assert_eq!(axis(142.0), (50.0, 150.0));
        assert_eq!(axis(20.7), (5.0, 25.0));
        assert_eq!(axis(0.0), (0.2, 1.0));
        assert_eq!(axis(f64::NAN), (0.2, 1.0));
        let (step, end) = axis(f64::MAX);
        assert!(step.is_finite() && end.is_finite() && step > 0.0);
        assert_eq!(tick_label(2.5), "2.5");
        assert_eq!(tick_label(30.0), "30");
        assert_eq!(tick_label(0.0), "0");
    }
}
