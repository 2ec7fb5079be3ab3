//! What a finished build is reported as: per-step times and pnpm's store reuse.

use std::fmt::Write;

use super::progress::{PnpmStats, Progress, Status, Step};

/// pnpm's `Progress:` account for each step that ran an install.
pub fn installs(p: &Progress) -> Vec<(&Step, PnpmStats)> {
    p.steps()
        .filter_map(|s| PnpmStats::from_logs(&s.logs).map(|st| (s, st)))
        .collect()
}

fn status_word(s: &Step) -> &'static str {
    match s.status {
        Status::Cached => "cached",
        Status::Done => "run",
        Status::Running => "running",
        Status::Error(_) => "FAILED",
        Status::Canceled => "canceled",
    }
}

/// A table of the Dockerfile steps: step, instruction, seconds, cached or run.
pub(crate) fn step_table(p: &Progress) -> String {
    let rows: Vec<&Step> = p.steps().filter(|s| s.is_instruction()).collect();
    let label = |s: &Step| {
        let (i, n) = s.position.unwrap_or((0, 0));
        match &s.stage {
            Some(st) => format!("{st} {i}/{n}"),
            None => format!("{i}/{n}"),
        }
    };
    let w = rows
        .iter()
        .map(|s| label(s).len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  {:<w$}  {:>8}  {:<6}  instruction",
        "step", "seconds", ""
    );
    for s in rows {
        let secs = s
            .seconds
            .map_or_else(|| "-".to_string(), |t| format!("{t:.1}"));
        let mut instr: String = s.instruction.chars().take(90).collect();
        if s.instruction.chars().count() > 90 {
            instr.push('…');
        }
        let _ = writeln!(
            out,
            "  {:<w$}  {:>8}  {:<6}  {}",
            label(s),
            secs,
            status_word(s),
            instr
        );
    }
    out
}

/// One line per install step saying whether the store cache was reused.
pub(crate) fn install_lines(p: &Progress) -> Vec<String> {
    installs(p)
        .into_iter()
        .map(|(s, st)| {
            let verdict = if st.downloaded == 0 && st.reused > 0 {
                "the store cache mount was reused"
            } else if st.reused == 0 {
                "nothing came from the store cache (cold store)"
            } else {
                "the store cache was partly reused"
            };
            let (i, n) = s.position.unwrap_or((0, 0));
            let at = match &s.stage {
                Some(st) => format!("[{st} {i}/{n}]"),
                None => format!("[{i}/{n}]"),
            };
            format!(
                "{at} pnpm resolved {}, reused {}, downloaded {}: {verdict}",
                st.resolved, st.reused, st.downloaded
            )
        })
        .collect()
}
