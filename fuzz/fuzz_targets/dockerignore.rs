//! `.dockerignore`: BuildKit's reader, pattern compiler and matcher.
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    use dockprep::syntax::dockerignore::DockerIgnore;
    let di = DockerIgnore::parse(text);
    let _ = di.build_error();
    for path in ["a", "a/b", ".git/x", "node_modules/p/package.json", "x.log"] {
        let _ = di.is_excluded(path);
    }
});
