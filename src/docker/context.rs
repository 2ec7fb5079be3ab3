//! The build context as a tar stream, written by dockprep. (in progress)
