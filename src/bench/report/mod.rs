//! Output of `dockprep bench`: the roadmap's A7 Markdown table, a
//! self-contained HTML page (table, SVG bar chart, step times) and JSON.
//!
//! Pure functions, no I/O. A sample that is NaN, infinite or negative is
//! treated as missing, and so is a [`Samples`](super::Samples) left with no
//! sample by that. A row pairs the [`Variant::Before`](super::Variant::Before)
//! and [`Variant::After`](super::Variant::After) entries of one
//! repo and surface, in the order of the pair's first entry in the report; a
//! second entry for the same repo, surface and variant is not shown (the row's
//! notes say how many were left out).
//!
//! `table` pairs the entries into rows and words their cells and notes, the
//! model every format shows; `markdown`, `html` and `json` each render one
//! format.

mod html;
mod json;
mod markdown;
mod table;

pub use html::html;
pub use json::json;
pub use markdown::markdown;
#[cfg(test)]
use markdown::MARKDOWN_HEADER;

/// Reports the tests of the formats share.
#[cfg(test)]
mod fixtures {
    use crate::bench::{BenchReport, Samples, StepTime, Surface, Variant};

    pub(super) fn samples(v: &[f64]) -> Samples {
        Samples {
            seconds: v.to_vec(),
        }
    }

    pub(super) fn surface(repo: &str, name: &str, variant: Variant) -> Surface {
        Surface::new(repo, name, variant)
    }

    pub(super) fn step(name: &str, seconds: f64, cached: bool) -> StepTime {
        StepTime {
            name: name.to_string(),
            seconds,
            cached,
        }
    }

    /// peakpulse/backend measured before and after, clock/web after only.
    pub(super) fn sample() -> BenchReport {
        let mut before = surface("peakpulse", "backend", Variant::Before);
        before.cold = samples(&[151.0, 148.2, 160.3]);
        before.warm = samples(&[140.1, 138.9, 142.0]);
        before.no_change = samples(&[1.2, 1.1, 1.3]);
        before.touched = Some("backend/src/server.ts".into());
        before.warm_install = Some((0, 812));
        before.warm_steps = vec![
            step("[builder 2/8] RUN npm install -g pnpm@10.6.5", 7.9, false),
            step(
                "[builder 5/8] RUN pnpm install --lockfile=false",
                118.4,
                false,
            ),
            step("[builder 8/8] RUN pnpm run build", 11.6, false),
        ];
        before.notes = vec!["npm install -g pnpm on every build".into()];

        let mut after = surface("peakpulse", "backend", Variant::After);
        after.cold = samples(&[131.5, 128.0, 135.2]);
        after.warm = samples(&[12.5, 12.1, 13.0]);
        after.no_change = samples(&[0.6, 0.5, 0.7]);
        after.touched = Some("backend/src/server.ts".into());
        after.warm_install = Some((812, 0));
        after.warm_steps = vec![
            step("[builder 2/8] RUN corepack enable", 0.0, true),
            step(
                "[builder 5/8] RUN --mount=type=cache pnpm install",
                0.0,
                true,
            ),
            step("[builder 7/8] COPY backend/src/ ./src/", 0.3, false),
            step("[builder 8/8] RUN pnpm run build", 11.4, false),
        ];

        let mut web = surface("clock", "web", Variant::After);
        web.cold = samples(&[95.4]);
        web.warm = samples(&[20.7]);
        web.touched = Some("web/src/app/page.tsx".into());

        BenchReport {
            version: 1,
            runs: 3,
            machine: "2 × AMD EPYC, Docker 27.3.1".into(),
            surfaces: vec![before, web, after],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::BenchReport;

    #[test]
    fn empty_report() {
        let report = BenchReport::default();
        let md = markdown(&report);
        assert_eq!(
            md,
            format!(
                "{MARKDOWN_HEADER}\n|---|---|---|---|---|---|---|\n\nRuns: not recorded; each cell \
                 is the median, then min–max when there is more than one sample. Machine: not \
                 recorded\n"
            )
        );
        let page = html(&report);
        assert!(page.contains("No surfaces were measured."));
        assert!(!page.contains("<rect"));
        assert!(json(&report).ends_with("}\n"));
    }
}
