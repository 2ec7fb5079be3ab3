//! `dockprep hook install`: adds the guard to the pre-commit hook. (in progress)
