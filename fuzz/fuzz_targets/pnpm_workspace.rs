//! `pnpm-workspace.yaml`.
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    let _ = dockprep::syntax::pnpm_workspace::Workspace::parse(text);
});
