//! The YAML reader every YAML file goes through (saphyr, event by event).
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Err(e) = dockprep::syntax::yaml::parse(text) {
        assert!(e.span.end <= text.len());
    }
});
