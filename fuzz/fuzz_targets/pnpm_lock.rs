//! `pnpm-lock.yaml` (the hand-written reader and writer): what it reads,
//! it writes back readable.
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    use dockprep::syntax::pnpm_lock::Lockfile;
    if let Ok(lock) = Lockfile::parse(text) {
        let written = lock.render();
        assert!(Lockfile::parse(&written).is_ok(), "{text:?} → {written:?}");
    }
});
