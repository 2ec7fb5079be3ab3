use std::path::PathBuf;

use super::{exit, Failure};
use dockprep::prep::apply;

/// Undo `dockprep prep`: every rewritten file back byte for byte, the
/// tarballs, backups and journal it created removed. Without a journal it
/// restores the `package.json.bak` backups `scripts/docker-prep.sh` leaves.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The repository prep ran in.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Restore even manifests edited since prep rewrote them (the edits are lost).
    #[arg(long)]
    force: bool,
}

pub fn run(a: Args) -> Result<u8, Failure> {
    Ok({
        match apply::restore(&a.path, a.force) {
            Ok(r) => {
                for f in &r.restored {
                    println!("restored  {f}");
                }
                for f in &r.removed {
                    println!("removed   {f}");
                }
                for n in &r.notes {
                    println!("note: {n}");
                }
                if r.is_empty() {
                    println!("nothing to restore");
                }
                exit::CLEAN
            }
            Err(e) => {
                return Err(Failure::new(exit::FINDINGS, e));
            }
        }
    })
}
