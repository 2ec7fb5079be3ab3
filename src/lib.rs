//! dockprep: fast, correct and hermetic Docker builds for Node.js/pnpm repositories.
//!
//! Layers, bottom first; imports point down only (`tests/layers.rs` fails
//! otherwise, and `ARCHITECTURE.md` describes each): [`paths`]/[`fsutil`] →
//! [`confine`] (every read of a repository's files) → [`syntax`] (pure
//! parsers with spans) → [`diagnostics`] (the shared
//! vocabulary) → [`config`]/[`workspace`] → [`project`] (the model, read
//! once) → [`rules`] (pure functions of the model) → [`fix`] (the engine) →
//! the features ([`pack`], [`docker`], [`prune`], [`bench`], [`lockfile`],
//! then [`prep`]) → [`audit`] → [`report`] → the binary's `cli`.

#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod audit;
pub mod bench;
pub mod build;
pub mod config;
pub mod confine;
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
