use std::path::PathBuf;

use super::{exit, Failure};

/// Write a commented default `dockprep.toml` (every key at its default).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The repository root (or a parent of several) to write it into.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Overwrite an existing dockprep.toml.
    #[arg(long)]
    force: bool,
}

pub fn run(a: Args) -> Result<u8, Failure> {
    Ok({
        let file = a.path.join("dockprep.toml");
        if !a.path.is_dir() {
            return Err(Failure::new(
                exit::USAGE,
                format!("not a directory: {}", a.path.display()),
            ));
        }
        if file.exists() && !a.force {
            return Err(Failure::new(
                exit::FINDINGS,
                format!("{} exists (pass --force to overwrite it)", file.display()),
            ));
        }
        match dockprep::fsutil::write_atomic(&file, dockprep::config::DEFAULT_TOML.as_bytes()) {
            Ok(()) => {
                println!("wrote {}", file.display());
                exit::CLEAN
            }
            Err(e) => {
                return Err(Failure::new(
                    exit::FINDINGS,
                    format!("{}: {e}", file.display()),
                ));
            }
        }
    })
}
