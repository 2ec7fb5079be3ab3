//! The one table of all rules.

use super::Rule;

pub static RULES: &[&Rule] = &[
    &super::lockfile_ignored::LOCKFILE_IGNORED,
    &super::frozen_lockfile_without_lockfile::FROZEN_LOCKFILE_WITHOUT_LOCKFILE,
    &super::workspace_outside_context::WORKSPACE_OUTSIDE_CONTEXT,
    &super::docker_lockfile_stale::DOCKER_LOCKFILE_STALE,
    &super::docker_lockfile_unused::DOCKER_LOCKFILE_UNUSED,
    &super::npmrc_missing_scope_registry::NPMRC_MISSING_SCOPE_REGISTRY,
    &super::npmrc_localhost_registry::NPMRC_LOCALHOST_REGISTRY,
    &super::registry_path_missing::REGISTRY_PATH_MISSING,
    &super::unused_build_arg::UNUSED_BUILD_ARG,
    &super::compose_build_wiring::COMPOSE_BUILD_WIRING,
    &super::docker_deps_copy_unconditional::DOCKER_DEPS_COPY_UNCONDITIONAL,
    &super::pnpm_global_install::PNPM_GLOBAL_INSTALL,
    &super::pnpm_version_mismatch::PNPM_VERSION_MISMATCH,
    &super::store_cache_mount_missing::STORE_CACHE_MOUNT_MISSING,
    &super::cache_mount_wrong_target::CACHE_MOUNT_WRONG_TARGET,
    &super::deps_layer_invalidated::DEPS_LAYER_INVALIDATED,
    &super::dockerignore_missing_entries::DOCKERIGNORE_MISSING_ENTRIES,
    &super::arg_invalidates_deps::ARG_INVALIDATES_DEPS,
    &super::docker_deps_ignored::DOCKER_DEPS_IGNORED,
    &super::gitignore_missing_prep_artifacts::GITIGNORE_MISSING_PREP_ARTIFACTS,
    &super::tls_verification_disabled::TLS_VERIFICATION_DISABLED,
    &super::secret_in_arg_or_env::SECRET_IN_ARG_OR_ENV,
    &super::host_gateway_missing::HOST_GATEWAY_MISSING,
    &super::rewritten_manifest::REWRITTEN_MANIFEST,
    &super::syntax_directive_missing::SYNTAX_DIRECTIVE_MISSING,
    &super::ci_dockerfile_mismatch::CI_DOCKERFILE_MISMATCH,
    &super::unused_ignore::UNUSED_IGNORE,
];

/// The rule with this slug.
pub fn get(slug: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.slug == slug)
}

/// True when `slug` names a rule (what a `dockprep.toml` may name).
pub fn is_known(slug: &str) -> bool {
    get(slug).is_some()
}
