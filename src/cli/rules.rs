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
            for r in registry::RULES {
                let preview = if r.preview { " (preview)" } else { "" };
                println!(
                    "{:<32} {:<6} {}{preview}",
                    r.slug,
                    r.severity.as_str(),
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
