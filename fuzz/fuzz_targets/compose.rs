//! Compose files.
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    let _ = dockprep::syntax::compose::Compose::parse(text);
});
