//! `.npmrc`, with every value read as a registry URL.
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    use dockprep::syntax::npmrc::{parse_url, Npmrc};
    for e in &Npmrc::parse(text).entries {
        let _ = parse_url(&e.value);
    }
});
