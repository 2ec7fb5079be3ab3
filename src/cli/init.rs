use std::path::PathBuf;

use super::exit;

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

pub fn run(a: Args) -> u8 {
    let file = a.path.join("dockprep.toml");
    if !a.path.is_dir() {
        eprintln!("error: not a directory: {}", a.path.display());
        return exit::USAGE;
    }
    if file.exists() && !a.force {
        eprintln!(
            "error: {} exists (pass --force to overwrite it)",
            file.display()
        );
        return exit::FINDINGS;
    }
    match dockprep::fsutil::write_atomic(&file, dockprep::config::DEFAULT_TOML.as_bytes()) {
        Ok(()) => {
            println!("wrote {}", file.display());
            exit::CLEAN
        }
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            exit::FINDINGS
        }
    }
}
