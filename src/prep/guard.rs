//! `dockprep guard`: refuses commits of rewritten manifests and prep backups. (in progress)
