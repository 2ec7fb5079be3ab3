//! The hermetic fallback (roadmap Phase B): `prep` packs the private-scope
//! packages a repository depends on and rewrites its manifests to the
//! tarballs, with a journal so that `restore` (or an automatic restore on
//! error or signal) brings back every original byte; `guard` keeps rewritten
//! manifests and backups out of commits.

pub mod apply;
pub mod git;
pub mod guard;
pub mod hook;
pub mod journal;
pub mod lock;
pub mod plan;

use std::path::PathBuf;
use std::process::Child;
use std::sync::Mutex;

/// The command `prep` runs between rewrite and restore, so a signal handler
/// can stop it before restoring.
pub(crate) static CHILD: Mutex<Option<Child>> = Mutex::new(None);

/// On SIGINT, SIGTERM or SIGHUP: stop the running command, restore (unless
/// `keep`) and exit with 128 + the signal's number.
///
/// `finish` (the command line's) restores, tells the user and ends the
/// process: called with the root, `keep`, what happened and the exit code.
pub fn restore_on_signals(
    root: PathBuf,
    keep: bool,
    finish: fn(&std::path::Path, bool, &str, i32) -> !,
) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            if let Some(c) = CHILD.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
                let _ = c.kill();
                let _ = c.wait();
            }
            let name = match sig {
                SIGINT => "interrupted (SIGINT)",
                SIGTERM => "terminated (SIGTERM)",
                _ => "hung up (SIGHUP)",
            };
            finish(&root, keep, name, 128 + sig);
        }
    });
    Ok(())
}

/// Runs `command` in `dir` with the terminal's stdio, where the signal
/// handler can reach it; returns its exit code.
pub fn run_command(dir: &std::path::Path, command: &[String]) -> std::io::Result<i32> {
    let Some((program, args)) = command.split_first() else {
        return Ok(0);
    };
    let child = std::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .spawn()?;
    *CHILD.lock().unwrap_or_else(|e| e.into_inner()) = Some(child);
    loop {
        {
            let mut g = CHILD.lock().unwrap_or_else(|e| e.into_inner());
            let Some(c) = g.as_mut() else { return Ok(1) };
            if let Some(status) = c.try_wait()? {
                *g = None;
                return Ok(status.code().unwrap_or(1));
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
}
