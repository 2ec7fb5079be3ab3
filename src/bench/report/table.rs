//! The rows every format shows: the Before and After entries of one repo
//! and surface paired, their samples summarised (invalid samples left out),
//! and the words of the cells, the notes and the footer. Markdown and HTML
//! render these rows; JSON is the report itself.

use std::collections::HashMap;

use crate::bench::{BenchReport, Samples, Surface, Variant};

/// What a cell shows for a missing measurement.
pub(super) const MISSING: &str = "—";

/// The valid samples of one kind of build, summarised.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Stat {
    pub(super) median: f64,
    pub(super) min: f64,
    pub(super) max: f64,
    pub(super) n: usize,
}

pub(super) fn stat(samples: &Samples) -> Option<Stat> {
    let valid = Samples {
        seconds: samples
            .seconds
            .iter()
            .copied()
            .filter(|s| s.is_finite() && *s >= 0.0)
            // -0.0 would print as "-0.0".
            .map(|s| s + 0.0)
            .collect(),
    };
    // The mean of two huge values can overflow.
    let median = valid.median().filter(|m| m.is_finite())?;
    Some(Stat {
        median,
        min: valid.min()?,
        max: valid.max()?,
        n: valid.seconds.len(),
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Cold,
    Warm,
}

/// The Before and After entries of one repo's surface.
pub(super) struct Row<'a> {
    pub(super) repo: &'a str,
    pub(super) surface: &'a str,
    before: Option<&'a Surface>,
    after: Option<&'a Surface>,
    /// Entries left out because the repo, surface and variant came again.
    duplicates: usize,
}

pub(super) fn rows(report: &BenchReport) -> Vec<Row<'_>> {
    let mut rows: Vec<Row<'_>> = Vec::new();
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    for s in &report.surfaces {
        let i = *index
            .entry((s.repo.as_str(), s.surface.as_str()))
            .or_insert_with(|| {
                rows.push(Row {
                    repo: &s.repo,
                    surface: &s.surface,
                    before: None,
                    after: None,
                    duplicates: 0,
                });
                rows.len() - 1
            });
        let row = &mut rows[i];
        let slot = match s.variant {
            Variant::Before => &mut row.before,
            Variant::After => &mut row.after,
        };
        if slot.is_none() {
            *slot = Some(s);
        } else {
            row.duplicates += 1;
        }
    }
    rows
}

impl Row<'_> {
    pub(super) fn get(&self, variant: Variant) -> Option<&Surface> {
        match variant {
            Variant::Before => self.before,
            Variant::After => self.after,
        }
    }

    pub(super) fn stat(&self, kind: Kind, variant: Variant) -> Option<Stat> {
        let s = self.get(variant)?;
        stat(match kind {
            Kind::Cold => &s.cold,
            Kind::Warm => &s.warm,
        })
    }

    /// The after/before ratios of the medians: `warm 11.2× faster, cold 1.1× faster`.
    fn ratios(&self) -> Option<String> {
        let parts: Vec<String> = [("warm", Kind::Warm), ("cold", Kind::Cold)]
            .into_iter()
            .filter_map(|(name, kind)| {
                let before = self.stat(kind, Variant::Before)?.median;
                let after = self.stat(kind, Variant::After)?.median;
                ratio(name, before, after)
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// The items of the Notes column, unescaped.
    pub(super) fn notes(&self) -> Vec<String> {
        let mut out = Vec::new();
        out.extend(self.ratios());
        if let Some((reused, downloaded)) = self.after.and_then(|s| s.warm_install) {
            out.push(format!("store reused {reused}, downloaded {downloaded}"));
        }
        if let Some((reused, downloaded)) = self.before.and_then(|s| s.warm_install) {
            out.push(format!(
                "before: store reused {reused}, downloaded {downloaded}"
            ));
        }
        let no_change: Vec<String> = [("before", Variant::Before), ("after", Variant::After)]
            .into_iter()
            .filter_map(|(name, v)| {
                let s = stat(&self.get(v)?.no_change)?;
                Some(format!("{name} {}", secs(s.median)))
            })
            .collect();
        if !no_change.is_empty() {
            out.push(format!("no-change {}", no_change.join(", ")));
        }
        match (touched(self.after), touched(self.before)) {
            (Some(a), Some(b)) if a != b => out.push(format!("touched {a} (before: {b})")),
            (Some(t), _) | (None, Some(t)) => out.push(format!("touched {t}")),
            (None, None) => {}
        }
        let after_notes: &[String] = self.after.map_or(&[], |s| &s.notes);
        for n in after_notes {
            if !n.trim().is_empty() {
                out.push(n.trim().to_string());
            }
        }
        for n in self.before.map_or(&[][..], |s| &s.notes) {
            if !n.trim().is_empty() && !after_notes.contains(n) {
                out.push(format!("before: {}", n.trim()));
            }
        }
        if self.duplicates > 0 {
            out.push(format!(
                "{} more {} for this surface not shown",
                self.duplicates,
                if self.duplicates == 1 {
                    "entry"
                } else {
                    "entries"
                }
            ));
        }
        out
    }

    /// The seven cells of the table, unescaped.
    pub(super) fn cells(&self) -> [String; 7] {
        [
            self.repo.to_string(),
            self.surface.to_string(),
            time_cell(self.stat(Kind::Cold, Variant::Before)),
            time_cell(self.stat(Kind::Cold, Variant::After)),
            time_cell(self.stat(Kind::Warm, Variant::Before)),
            time_cell(self.stat(Kind::Warm, Variant::After)),
            self.notes().join("; "),
        ]
    }
}

/// `warm 11.2× faster` / `warm 1.3× slower`, from the medians; `None` when a
/// median is zero.
pub(super) fn ratio(name: &str, before: f64, after: f64) -> Option<String> {
    if !(before > 0.0 && after > 0.0) {
        return None;
    }
    let r = before / after;
    if !(r.is_finite() && (1.0 / r).is_finite()) {
        return None;
    }
    let faster = format!("{r:.1}");
    let slower = format!("{:.1}", 1.0 / r);
    Some(if r >= 1.0 && faster != "1.0" {
        format!("{name} {faster}× faster")
    } else if r < 1.0 && slower != "1.0" {
        format!("{name} {slower}× slower")
    } else {
        format!("{name} about the same (1.0×)")
    })
}

/// The file touched for the warm builds, when given.
fn touched(s: Option<&Surface>) -> Option<&str> {
    s.and_then(|s| s.touched.as_deref())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

pub(super) fn secs(x: f64) -> String {
    format!("{x:.1} s")
}

/// `20.7 s`, or `20.7 s (20.1–21.3)` with more than one sample, or `—`.
fn time_cell(s: Option<Stat>) -> String {
    match s {
        None => MISSING.to_string(),
        Some(s) if s.n > 1 => format!("{:.1} s ({:.1}–{:.1})", s.median, s.min, s.max),
        Some(s) => secs(s.median),
    }
}

pub(super) fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The line under the table: runs and machine.
pub(super) fn footer(report: &BenchReport) -> String {
    let runs = match report.runs {
        0 => "Runs: not recorded".to_string(),
        1 => "Runs: 1 per build".to_string(),
        n => format!("Runs: {n} per build"),
    };
    let machine = one_line(&report.machine);
    let machine = if machine.is_empty() {
        "not recorded".to_string()
    } else {
        machine
    };
    format!(
        "{runs}; each cell is the median, then min–max when there is more than one sample. \
         Machine: {machine}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::report::fixtures::*;
    use crate::bench::report::{html, json, markdown};

    #[test]
    fn notes_have_ratios_store_no_change_touched_and_notes() {
        let md = markdown(&sample());
        let row = md.lines().nth(2).unwrap();
        let notes = row.rsplit(" | ").next().unwrap().trim_end_matches(" |");
        assert_eq!(
            notes,
            "warm 11.2× faster, cold 1.1× faster; store reused 812, downloaded 0; \
             before: store reused 0, downloaded 812; no-change before 1.2 s, after 0.6 s; \
             touched backend/src/server.ts; before: npm install -g pnpm on every build"
        );
    }

    #[test]
    fn ratios() {
        assert_eq!(ratio("warm", 140.1, 12.5).unwrap(), "warm 11.2× faster");
        assert_eq!(ratio("cold", 10.0, 20.0).unwrap(), "cold 2.0× slower");
        assert_eq!(
            ratio("warm", 10.0, 10.2).unwrap(),
            "warm about the same (1.0×)"
        );
        assert_eq!(ratio("warm", 0.0, 10.0), None);
        assert_eq!(ratio("warm", 10.0, 0.0), None);
        assert_eq!(ratio("warm", 0.0, 0.0), None);
        assert_eq!(ratio("warm", f64::MAX, f64::MIN_POSITIVE), None);

        let mut b = surface("r", "s", Variant::Before);
        b.warm = samples(&[10.0]);
        let mut a = surface("r", "s", Variant::After);
        a.warm = samples(&[25.0]);
        a.cold = samples(&[30.0]);
        let report = BenchReport {
            surfaces: vec![b, a],
            ..BenchReport::default()
        };
        let md = markdown(&report);
        assert!(
            md.contains("| r | s | — | 30.0 s | 10.0 s | 25.0 s | warm 2.5× slower |"),
            "{md}"
        );
    }

    #[test]
    fn nan_infinite_and_negative_are_missing() {
        let mut s = surface("r", "s", Variant::After);
        s.cold = samples(&[f64::NAN, f64::INFINITY, -1.0]);
        s.warm = samples(&[f64::NAN, 4.0, f64::NEG_INFINITY]);
        s.no_change = samples(&[f64::NAN]);
        s.warm_steps = vec![step("RUN x", f64::NAN, false), step("RUN y", 1.0, true)];
        let mut b = surface("r", "s", Variant::Before);
        b.warm = samples(&[f64::NAN]);
        let report = BenchReport {
            runs: 1,
            surfaces: vec![s, b],
            ..BenchReport::default()
        };
        let md = markdown(&report);
        assert_eq!(
            md.lines().nth(2).unwrap(),
            "| r | s | — | — | — | 4.0 s | |"
        );
        let page = html(&report);
        assert_eq!(page.matches("<rect").count(), 1);
        assert!(!page.contains("NaN") && !page.contains("inf"));
        let j = json(&report);
        assert!(j.contains("null"));
    }

    #[test]
    fn zero_values_and_single_surface() {
        let mut s = surface("r", "s", Variant::After);
        s.cold = samples(&[0.0]);
        s.warm = samples(&[0.0, -0.0]);
        s.warm_steps = vec![step("RUN x", 0.0, true)];
        let report = BenchReport {
            surfaces: vec![s],
            ..BenchReport::default()
        };
        let md = markdown(&report);
        assert_eq!(
            md.lines().nth(2).unwrap(),
            "| r | s | — | 0.0 s | — | 0.0 s (0.0–0.0) | |"
        );
        let page = html(&report);
        assert_eq!(page.matches("<rect").count(), 2);
        assert!(page.contains("width=\"0.0\""));
        assert!(!page.contains("NaN"));
    }

    #[test]
    fn duplicates_are_counted() {
        let mut a = surface("r", "s", Variant::After);
        a.warm = samples(&[1.0]);
        let mut b = a.clone();
        b.warm = samples(&[9.0]);
        let report = BenchReport {
            surfaces: vec![a, b],
            ..BenchReport::default()
        };
        assert_eq!(
            markdown(&report).lines().nth(2).unwrap(),
            "| r | s | — | — | — | 1.0 s | 1 more entry for this surface not shown |"
        );
    }
}
