//! The Docker CLI driver, BuildKit's progress parser and what builds need.
//! The driver is the only place that spawns `docker`.

pub mod client;
pub mod context;
pub mod preflight;
pub mod progress;
pub mod spec;
pub mod summary;
