use std::path::PathBuf;

use super::{exit, Failure};
use dockprep::prep::apply;

/// Undo `dockprep prep`: every rewritten file back byte for byte, the
/// tarballs, backups and journal it created removed. Without a journal it
/// restores the `package.json.bak` backups `scripts/docker-prep.sh` leaves.
///
/// The journal arrives with the repository, so it is checked first: an entry
/// prep could not have written (a path outside the repository, through a
/// symbolic link, of another shape) makes restore refuse the whole journal,
/// touching nothing. Waits for a prep or restore running in the repository.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The repository prep ran in.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Restore even manifests edited since prep rewrote them (the edits are lost).
    #[arg(long)]
    force: bool,
    /// Fail at once when a prep or restore of the repository is running,
    /// instead of waiting for it.
    #[arg(long)]
    no_wait: bool,
}

pub fn run(a: Args) -> Result<u8, Failure> {
    let lock = super::prep::take_lock(&a.path, a.no_wait)?;
    let r = apply::restore(&a.path, &lock, a.force, &mut |n, what| {
        super::prep::test_point("RESTORE_", n, what);
    })
    .map_err(|e| Failure::new(exit::FINDINGS, e))?;
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
    Ok(exit::CLEAN)
}
