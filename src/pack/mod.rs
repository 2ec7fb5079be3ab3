//! Packing packages the way the npm CLI does.
//!
//! [`select`] decides which files of a package directory go into its tarball,
//! reimplementing the rules of `npm pack` (npm-packlist and ignore-walk).

pub mod manifest;
pub mod packer;
pub mod secrets;
pub mod select;
pub mod tarball;
