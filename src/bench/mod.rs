//! Measurement runs and their report (A7 Markdown table, JSON, HTML with an SVG chart).

pub mod report;
pub mod touch;

use serde::{Deserialize, Serialize};

/// Which state of a repository a measurement belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    Before,
    After,
}

/// The time of one build step (a Dockerfile instruction).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepTime {
    /// `[builder 5/8] RUN pnpm install` as BuildKit names it.
    pub name: String,
    pub seconds: f64,
    pub cached: bool,
}

/// Repeated measurements of one kind of build, in seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Samples {
    pub seconds: Vec<f64>,
}

impl Samples {
    pub fn median(&self) -> Option<f64> {
        let mut v = self.seconds.clone();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        Some(if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        })
    }
    pub(crate) fn min(&self) -> Option<f64> {
        self.seconds.iter().copied().min_by(f64::total_cmp)
    }
    pub(crate) fn max(&self) -> Option<f64> {
        self.seconds.iter().copied().max_by(f64::total_cmp)
    }
}

/// All measurements of one surface (a compose service or Dockerfile) in one state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Surface {
    /// Repository name (its directory name).
    pub repo: String,
    /// Service name, or the Dockerfile's path for a build without compose.
    pub surface: String,
    pub variant: Variant,
    pub cold: Samples,
    /// The pnpm install steps' seconds in each cold build (the part the
    /// lockfile policy changes).
    #[serde(default)]
    pub cold_install: Samples,
    pub warm: Samples,
    pub no_change: Samples,
    /// The file touched for the warm builds, relative to the repository.
    pub touched: Option<String>,
    /// Step times of the median warm build.
    pub warm_steps: Vec<StepTime>,
    /// pnpm's account of the warm build's install step, when it ran: (reused, downloaded).
    pub warm_install: Option<(u64, u64)>,
    pub notes: Vec<String>,
}

impl Surface {
    /// A surface with no measurement yet.
    pub fn new(repo: &str, surface: &str, variant: Variant) -> Surface {
        Surface {
            repo: repo.to_string(),
            surface: surface.to_string(),
            variant,
            cold: Samples::default(),
            cold_install: Samples::default(),
            warm: Samples::default(),
            no_change: Samples::default(),
            touched: None,
            warm_steps: Vec::new(),
            warm_install: None,
            notes: Vec::new(),
        }
    }
}

/// A whole bench run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BenchReport {
    pub version: u32,
    pub runs: usize,
    /// `nproc`, CPU model, Docker version: what the numbers were measured on.
    pub machine: String,
    pub surfaces: Vec<Surface>,
}

impl BenchReport {
    /// Adds to each surface's notes where its median warm build spent its
    /// time: the slowest step that ran, against the rest of the build.
    pub fn annotate(&mut self) {
        for s in &mut self.surfaces {
            if s.notes.iter().any(|n| n.starts_with("warm: slowest step")) {
                continue;
            }
            let ran = s
                .warm_steps
                .iter()
                .filter(|x| !x.cached)
                .max_by(|a, b| a.seconds.total_cmp(&b.seconds));
            if let (Some(step), Some(total)) = (ran, s.warm.median()) {
                let instr = step
                    .name
                    .split_once("] ")
                    .map_or(step.name.as_str(), |(_, i)| i);
                s.notes.push(format!(
                    "warm: slowest step `{}` {:.1} s, the rest {:.1} s",
                    instr.chars().take(40).collect::<String>(),
                    step.seconds,
                    (total - step.seconds).max(0.0)
                ));
            }
        }
    }
}
