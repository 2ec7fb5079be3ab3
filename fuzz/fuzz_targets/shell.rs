//! The shell word splitter and the variable reference scanner.
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    use dockprep::syntax::dockerfile::Environment;
    use dockprep::syntax::shell::{split_commands, var_refs};
    let _ = split_commands(text, '\\');
    let _ = var_refs(text, '`');
    let _ = Environment::default().expand(text);
});
