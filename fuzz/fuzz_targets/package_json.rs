//! `package.json` (jsonc-parser behind dockprep's nesting check).
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    let _ = dockprep::syntax::package_json::PackageJson::parse(text);
});
