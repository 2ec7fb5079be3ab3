use std::path::PathBuf;

use super::{exit, Failure};
use dockprep::paths::display_path;
use dockprep::prep::hook::{self, Manager, Outcome};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand, Debug)]
enum Action {
    /// Add `dockprep guard` to the pre-commit hook (`.husky/pre-commit` when husky is used).
    Install {
        /// A directory inside the git repository.
        #[arg(default_value = ".")]
        path: PathBuf,
    },
    /// Remove the block that `install` added.
    Uninstall {
        /// A directory inside the git repository.
        #[arg(default_value = ".")]
        path: PathBuf,
    },
}

pub fn run(a: Args) -> Result<u8, Failure> {
    Ok({
        let result = match &a.action {
            Action::Install { path } => hook::install(path),
            Action::Uninstall { path } => hook::uninstall(path),
        };
        let done = match result {
            Ok(d) => d,
            Err(e) => {
                return Err(Failure::usage(e));
            }
        };
        let file = display_path(&done.file);
        let via = match done.manager {
            Manager::Husky => " (husky)",
            Manager::Git => "",
        };
        match done.outcome {
            Outcome::Created => println!("created {file}{via} with the dockprep guard"),
            Outcome::Added => println!("added the dockprep guard to {file}{via}"),
            Outcome::Updated => println!("updated the dockprep guard in {file}{via}"),
            Outcome::AlreadyInstalled => println!("already installed in {file}{via}"),
            Outcome::Removed => println!("removed the dockprep guard from {file}{via}"),
            Outcome::NotInstalled => println!("not installed in {file}{via}"),
        }
        if !done.executable && done.file.exists() {
            eprintln!(
                "warning: {file} is not executable, so git does not run it (chmod +x {file})"
            );
        }
        exit::CLEAN
    })
}
