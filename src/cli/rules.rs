use clap::ValueEnum;

use super::{exit, Failure};
use dockprep::rules::{registry, Rule};

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One line per rule: slug, severity, fixable, roadmap reference, summary.
    Human,
    /// The README's two rule tables (`| rule | severity | roadmap | what |`):
    /// the roadmap's F-findings, then the rest.
    Markdown,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print this rule's documentation (Markdown in every format).
    slug: Option<String>,
    /// Output format of the list.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn run(args: Args) -> Result<u8, Failure> {
    Ok({
        match args.slug {
            None => {
                match args.format {
                    Format::Human => print_list(),
                    Format::Markdown => print!("{}", markdown_tables(registry::RULES)),
                }
                exit::CLEAN
            }
            Some(s) => match registry::get(&s) {
                Some(r) => {
                    println!("# {} ({})\n\n{}\n", r.slug, r.severity.as_str(), r.summary);
                    println!("{}", r.doc_markdown());
                    exit::CLEAN
                }
                None => {
                    return Err(Failure::usage(format!(
                        "unknown rule `{s}` (see `dockprep rules`)"
                    )));
                }
            },
        }
    })
}

fn print_list() {
    println!(
        "{:<34} {:<8} {:<8} {:<24} summary",
        "rule", "severity", "fixable", "roadmap"
    );
    for r in registry::RULES {
        let preview = if r.preview { " (preview)" } else { "" };
        let roadmap = r.roadmap().trim_end_matches('.');
        let roadmap = if roadmap.starts_with("None") {
            "-"
        } else {
            roadmap
        };
        println!(
            "{:<34} {:<8} {:<8} {:<24} {}{preview}",
            r.slug,
            r.severity.as_str(),
            if r.fixable { "yes" } else { "no" },
            roadmap,
            r.summary
        );
    }
}

/// The README's rule tables, generated from the rules' metadata (`slug`,
/// `shown_severity`, `roadmap_id`, `what`), in registry order: first the
/// rules of the roadmap's §0 findings (`roadmap_id` `F…`), then the others.
fn markdown_tables(rules: &[&Rule]) -> String {
    let (findings, rest): (Vec<&Rule>, Vec<&Rule>) =
        rules.iter().copied().partition(|r| r.is_roadmap_finding());
    let mut out = table(&findings);
    out.push_str(
        "\nThe rest of the roadmap (Phase A, B, C) and the security mistakes the same\n\
         Dockerfiles make:\n\n",
    );
    out.push_str(&table(&rest));
    out
}

fn table(rules: &[&Rule]) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = String::from("| rule | severity | roadmap | what |\n|---|---|---|---|\n");
    for r in rules {
        let preview = if r.preview { " (preview)" } else { "" };
        out.push_str(&format!(
            "| `{}` | {} | {} | {}{preview} |\n",
            r.slug,
            cell(r.shown_severity()),
            cell(r.roadmap_id),
            cell(r.what)
        ));
    }
    out
}
