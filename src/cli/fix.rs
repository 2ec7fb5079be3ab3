use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::PathBuf;

use super::{exit, Failure};
use dockprep::diagnostics::Applicability;
use dockprep::fix::engine::{self, FixError, FixOptions};
use dockprep::paths::display_path;
use dockprep::project::Options;
use dockprep::report;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Directories to fix (every repository below them).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Also apply unsafe fixes (they may change how the build behaves).
    #[arg(long = "unsafe")]
    include_unsafe: bool,
    /// Print a unified diff and write nothing.
    #[arg(long)]
    diff: bool,
    /// Write nothing; exit 1 when anything would change.
    #[arg(long)]
    check: bool,
    /// Only these rules' fixes (comma-separated slugs).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Not these rules' fixes (comma-separated slugs).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// A scope whose packages are private (e.g. `@bytelyst`).
    #[arg(long = "private-scope", value_name = "SCOPE")]
    private_scopes: Vec<String>,
}

pub fn run(a: Args) -> Result<u8, Failure> {
    Ok({
        let rules = super::audit::selected(&a.select, &a.ignore, true)?;
        let opts = Options {
            private_scopes: a.private_scopes.clone(),
            ..dockprep::audit::options()
        };
        let fo = FixOptions {
            include_unsafe: a.include_unsafe,
            ..Default::default()
        };
        let out = match engine::run(&a.paths, &opts, &rules, &fo) {
            Ok(o) => o,
            // An invalid dockprep.toml is fatal: its settings would be ignored.
            Err(e @ FixError::Config { .. }) => return Err(Failure::new(exit::FINDINGS, e)),
            Err(e) => {
                return Err(Failure::usage(e));
            }
        };
        // Files that could not be read or parsed: reported as `audit` reports
        // them; nothing is written, since the fixes were computed from a model
        // without them (a `.dockerignore` entry a missing Dockerfile copies,
        // a compose service wired for a Dockerfile not seen).
        let unreadable = out.project.errors.len();
        let errors = || {
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            print!(
                "{}",
                report::human::errors(&out.project, color, &super::redactor())
            );
        };
        if a.diff {
            print!(
                "{}",
                super::redactor().redact_known(&engine::diff(&out.changes))
            );
        }
        if a.check || a.diff {
            if !a.diff {
                for c in &out.changes {
                    println!("would fix {}", display_path(&c.path));
                }
            }
            if unreadable > 0 {
                errors();
            }
            return Ok(if unreadable > 0 || (a.check && !out.changes.is_empty()) {
                exit::FINDINGS
            } else {
                exit::CLEAN
            });
        }
        if unreadable > 0 {
            errors();
            let files = |n: usize| match n {
                1 => "1 file".to_string(),
                n => format!("{n} files"),
            };
            let pending = match out.changes.len() {
                0 => String::new(),
                n => format!("; nothing was written ({} would change)", files(n)),
            };
            return Err(Failure::new(
                exit::FINDINGS,
                format!(
                    "{} could not be read or parsed{pending}: fix {}, then run `dockprep fix` again",
                    files(unreadable),
                    if unreadable == 1 { "it" } else { "them" },
                ),
            ));
        }
        if let Err(e) = engine::write(&out.changes) {
            return Err(Failure::usage(e));
        }
        for c in &out.changes {
            println!("fixed {}", display_path(&c.path));
            for (rule, what) in &c.applied {
                println!("  - {rule}: {what}");
            }
        }
        let p = &out.project;
        if !out.remaining.is_empty() {
            println!("not fixed ({}):", out.remaining.len());
            for f in &out.remaining {
                let file = p.sources.get(f.primary.file);
                let pos = file.position(f.primary.span.start);
                let why = match &f.fix {
                    Some(x) if x.applicability == Applicability::Unsafe && !a.include_unsafe => {
                        format!("unsafe fix available ({}): rerun with --unsafe", x.message)
                    }
                    Some(_) => {
                        "its fix conflicted with another; run `dockprep fix` again".to_string()
                    }
                    None => "no automatic fix".to_string(),
                };
                println!(
                    "  {}[{}] {}:{}:{}: {why}",
                    f.severity.as_str(),
                    f.rule,
                    display_path(&file.path),
                    pos.line,
                    pos.column
                );
            }
        }
        // A0-5: the environment the builds now read.
        let mut env: BTreeSet<String> = BTreeSet::new();
        for c in &p.composes {
            env.extend(
                c.value
                    .secrets
                    .iter()
                    .filter_map(|s| s.environment.as_ref().map(|e| e.value.clone())),
            );
        }
        if !env.is_empty() {
            println!(
                "`docker compose build` / `dockprep build` now need: {}",
                env.iter()
                    .map(|e| format!("export {e}=…"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if out.remaining.is_empty() {
            exit::CLEAN
        } else {
            exit::FINDINGS
        }
    })
}
