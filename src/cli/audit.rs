use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::ValueEnum;

use super::{exit, Failure};
use dockprep::project::{self, Options};
use dockprep::report;
use dockprep::rules::{self, registry, Rule};

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics like rustc's, with the source lines.
    Human,
    /// One line per finding: `path:line:col: severity[rule] message`.
    Concise,
    /// JSON, version 1.
    Json,
    /// SARIF 2.1.0 (code scanning), with rule help and fixes.
    Sarif,
    /// GitHub/Gitea Actions workflow commands (annotations).
    Github,
    /// The roadmap's §0 table: `| # | Finding | Location | Severity |`.
    Markdown,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Directories to audit (every repository below them is found).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Only run these rules (comma-separated slugs).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Skip these rules (comma-separated slugs).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Also run preview rules.
    #[arg(long)]
    preview: bool,
    /// A scope whose packages are private (e.g. `@bytelyst`), in addition to
    /// the scopes of workspace packages found beside or under the paths.
    #[arg(long = "private-scope", value_name = "SCOPE")]
    private_scopes: Vec<String>,
    /// Use this dockprep.toml for every repository (default: the one at or
    /// above each repository's root).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// Rules chosen by `--select`/`--ignore`; an unknown slug is a usage error.
pub(super) fn selected(
    select: &[String],
    ignore: &[String],
    preview: bool,
) -> Result<Vec<&'static Rule>, Failure> {
    for s in select.iter().chain(ignore) {
        if registry::get(s).is_none() {
            return Err(Failure::usage(format!(
                "unknown rule `{s}` (see `dockprep rules`)"
            )));
        }
    }
    Ok(registry::RULES
        .iter()
        .copied()
        .filter(|r| select.is_empty() || select.iter().any(|s| s == r.slug))
        .filter(|r| preview || !r.preview || select.iter().any(|s| s == r.slug))
        .filter(|r| !ignore.iter().any(|s| s == r.slug))
        .collect())
}

pub fn run(args: Args) -> Result<u8, Failure> {
    Ok({
        if let Some(c) = args.config.as_ref().filter(|c| !c.is_file()) {
            return Err(Failure::new(
                exit::USAGE,
                format!("config file not found: {}", c.display()),
            ));
        }
        let opts = Options {
            private_scopes: args.private_scopes.clone(),
            host_args: Vec::new(),
            config: args.config.clone(),
            ..dockprep::audit::options()
        };
        let project = match project::load(&args.paths, &opts) {
            Ok(p) => p,
            Err(e) => {
                return Err(Failure::usage(e));
            }
        };
        // Preview rules also run when a repository's configuration asks for them
        // (its findings are kept only where it does).
        let wants_preview = args.preview
            || project
                .repos
                .iter()
                .any(|r| r.config.rules.preview || !r.config.rules.select.is_empty());
        let rules = selected(&args.select, &args.ignore, wants_preview)?;
        let cli = rules::suppress::Cli {
            selected: !args.select.is_empty(),
            preview: args.preview,
        };
        let findings = rules::run_with(&project, &rules, cli);
        let r = &super::redactor();
        let (p, f) = (&project, &findings);
        let text = match args.format {
            Format::Json => report::json::render_with(p, f, r),
            Format::Concise => report::concise::render_with(p, f, r),
            Format::Sarif => report::sarif::render_with(p, f, registry::RULES, r),
            Format::Github => report::github::render_with(p, f, r),
            Format::Markdown => report::markdown::render_with(p, f, r),
            Format::Human => {
                let color = std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
                report::human::render_with(p, f, color, r)
            }
        };
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
        let code = if project.sources.is_empty() && !project.errors.is_empty() {
            exit::USAGE
        } else if findings.is_empty() && project.errors.is_empty() {
            exit::CLEAN
        } else {
            exit::FINDINGS
        };
        // The process ends next: freeing the model (every file's text and
        // tree) is work nobody waits for (a twentieth of a large audit).
        std::mem::forget(findings);
        std::mem::forget(project);
        code
    })
}
