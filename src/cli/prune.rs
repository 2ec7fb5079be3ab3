use std::path::PathBuf;

use super::{exit, Failure};
use dockprep::paths::display_path;
use dockprep::prune::{prune, Layout, Options};

/// Write the subset of a pnpm monorepo that some workspace packages need
/// (like `turbo prune --docker`): their manifests, sources, and a pruned
/// `pnpm-lock.yaml` and `pnpm-workspace.yaml` that a frozen install accepts.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Workspace packages to keep, by name or directory.
    #[arg(required = true, value_name = "TARGET")]
    targets: Vec<String>,
    /// Output directory (default: `out` in the workspace root).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// turbo's Docker layout: `out/json/` (what `pnpm install` reads),
    /// `out/full/` (the sources), `out/pnpm-lock.yaml`, `out/pnpm-workspace.yaml`.
    #[arg(long)]
    docker: bool,
    /// A directory in the workspace (default: the current directory).
    #[arg(long, short = 'C', value_name = "PATH", default_value = ".")]
    dir: PathBuf,
    /// Replace an existing, non-empty output directory.
    #[arg(long)]
    force: bool,
    /// Print what was kept as JSON.
    #[arg(long)]
    json: bool,
    /// Print when each phase ended (on stderr).
    #[arg(long)]
    timings: bool,
}

pub fn run(a: Args) -> Result<u8, Failure> {
    Ok({
        let start = std::time::Instant::now();
        let opts = Options {
            dir: a.dir,
            targets: a.targets,
            out: a.out,
            layout: if a.docker {
                Layout::Docker
            } else {
                Layout::Full
            },
            force: a.force,
        };
        let s = match prune(&opts) {
            Ok(s) => s,
            Err(e) => {
                let code = match e {
                    dockprep::prune::Error::Usage(_) => exit::USAGE,
                    _ => exit::FINDINGS,
                };
                return Err(Failure::new(code, e));
            }
        };
        for m in &s.missing {
            eprintln!("warning: {m} is named by the workspace's patchedDependencies but does not exist; not copied");
        }
        if a.timings {
            for (name, t) in &s.phases {
                eprintln!("{name}: {:.1} ms", t.as_secs_f64() * 1000.0);
            }
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        if a.json {
            let v = serde_json::json!({
                "out": display_path(&s.out),
                "importers": s.importers,
                "importersTotal": s.importers_total,
                "snapshots": s.snapshots,
                "snapshotsTotal": s.snapshots_total,
                "packages": s.packages,
                "packagesTotal": s.packages_total,
                "patchedDependencies": s.patches,
                "files": s.files,
                "missing": s.missing,
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        } else {
            println!(
            "pruned to {} of {} importers, {} of {} snapshots, {} of {} packages{}: {} files in {} ({ms:.1} ms)",
            s.importers.len(),
            s.importers_total,
            s.snapshots,
            s.snapshots_total,
            s.packages,
            s.packages_total,
            if s.patches.is_empty() {
                String::new()
            } else {
                format!(", {} patches", s.patches.len())
            },
            s.files,
            display_path(&s.out),
        );
        }
        exit::CLEAN
    })
}
