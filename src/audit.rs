//! What every command that audits loads with: the model's options with the
//! facts only the layers above the model can provide (the rule registry for
//! `dockprep.toml` slugs, the `lockfile` feature's freshness check of the
//! Docker-only lockfile). `audit`, `fix`, `build` and the tests start here, so
//! they see the same model.

use crate::project::Options;

/// The load options of an audit: [`Options::default`] plus the rule registry
/// and the Docker-lockfile check.
pub fn options() -> Options {
    Options {
        known_rule: Some(crate::rules::registry::is_known),
        docker_lock_check: Some(crate::lockfile::check_state),
        ..Options::default()
    }
}
