//! The hermetic fallback (roadmap Phase B): `prep` packs the private-scope
//! packages a repository depends on and rewrites its manifests to the
//! tarballs, with a journal so that `restore` (or an automatic restore on
//! error or signal) brings back every original byte; `guard` keeps rewritten
//! manifests and backups out of commits.

pub mod git;
pub mod guard;
pub mod hook;
