//! `dockprep.toml`.
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    let _ = dockprep::config::Config::parse(text);
});
