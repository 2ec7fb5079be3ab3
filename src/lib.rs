//! dockprep: fast, correct and hermetic Docker builds for Node.js/pnpm repositories.
//!
//! Layers, data flowing down: [`syntax`] (pure parsers with spans) →
//! [`project`] (discovery and the model of repositories) → [`rules`] (pure
//! checks returning findings) → [`report`] (output formats) → `cli`.

#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod audit;
pub mod bench;
pub mod build;
pub mod config;
pub mod diagnostics;
pub mod docker;
pub mod fix;
pub mod fsutil;
pub mod lockfile;
pub mod pack;
pub mod paths;
pub mod prep;
pub mod project;
pub mod prune;
pub mod report;
pub mod rules;
pub mod syntax;
pub mod workspace;
