use std::path::PathBuf;

use super::{exit, Failure};
use dockprep::paths::display_path;
use dockprep::prep::guard;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A directory inside the git repository to check.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> Result<u8, Failure> {
    Ok({
        let report = match guard::check(&a.path) {
            Ok(r) => r,
            Err(e) => {
                return Err(Failure::usage(e));
            }
        };
        if a.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
        } else if !report.violations.is_empty() {
            for v in &report.violations {
                eprintln!(
                    "{}:{}:{}: {}",
                    display_path(&report.root.join(&v.path)),
                    v.line,
                    v.column,
                    v.message()
                );
            }
            eprintln!("{}", guard::error_message(&report.root));
            eprintln!(
            "hint: then stage the restored manifests again (`git add`) and unstage backups and \
             .docker-deps/ (`git rm --cached`)"
        );
        }
        if report.violations.is_empty() {
            exit::CLEAN
        } else {
            exit::FINDINGS
        }
    })
}
