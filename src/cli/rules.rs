use super::exit;
use dockprep::rules::registry;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print this rule's documentation.
    slug: Option<String>,
}

pub fn run(args: Args) -> u8 {
    match args.slug {
        None => {
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
            exit::CLEAN
        }
        Some(s) => match registry::get(&s) {
            Some(r) => {
                println!("# {} ({})\n\n{}\n", r.slug, r.severity.as_str(), r.summary);
                println!("{}", r.doc_markdown());
                exit::CLEAN
            }
            None => {
                eprintln!("error: unknown rule `{s}` (see `dockprep rules`)");
                exit::USAGE
            }
        },
    }
}
