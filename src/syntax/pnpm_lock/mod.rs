//! pnpm's `pnpm-lock.yaml`: lockfile v9 (and v6), read and written back in
//! pnpm's own layout.
//!
//! The model is an order-preserving tree of the YAML subset pnpm writes (block
//! maps, block sequences of scalars, one-line flow collections, plain and
//! quoted scalars), under typed views of the parts dockprep reasons about:
//! importers and their dependencies, `packages`, `snapshots` with their
//! dependency paths (`name@version(peer@version)…`), `catalogs`, `overrides`,
//! `patchedDependencies`, `settings`, `pnpmfileChecksum`. Every other key is
//! kept as it was read.
//!
//! Writing follows pnpm's writer (a fork of js-yaml): two-space indentation,
//! a blank line before every top-level key and before every entry of
//! `importers`, `packages` and `snapshots`, `{}` for empty maps, the flow style
//! where pnpm uses it, and js-yaml's rules for when a scalar needs quotes
//! ([`quote()`]). A scalar that was read keeps its exact text, so a lockfile
//! read and written unchanged is byte-identical; a scalar dockprep creates is
//! quoted the way pnpm would quote it.
//!
//! pnpm 11+ writes two YAML documents (an environment lockfile, then the
//! project lockfile); both are kept, and [`Lockfile::project`] is the last.
//!
//! The parts: `model` holds the tree and the typed views, `parse` reads the
//! text ([`Lockfile::parse`]), `write` lays it out again
//! ([`Lockfile::render`]), and `quote` has js-yaml's quoting rules, which
//! both sides use: the writer to quote a new scalar, the reader
//! to tell a plain string from a null, boolean or number.

mod model;
mod parse;
mod quote;
mod write;

pub use model::{
    dep_path, join_importer, normalize_relative, split_name_version, strip_suffixes, Dep, Document,
    Entry, LockVersion, Lockfile, Map, Node, Scalar, DEP_FIELDS, ROOT_KEY_ORDER,
};
pub use quote::quote;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_small() {
        let text = "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n\nimporters:\n\n  .:\n    dependencies:\n      a:\n        specifier: ^1.0.0\n        version: 1.0.0\n\npackages:\n\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\n    engines: {node: '>=18'}\n    cpu: [x64]\n\nsnapshots:\n\n  a@1.0.0: {}\n";
        let lock = Lockfile::parse(text).unwrap();
        assert_eq!(lock.render(), text);
        assert_eq!(lock.importer_deps(".")[0].reference, "1.0.0");
    }
}
