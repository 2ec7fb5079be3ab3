//! npm's file selection (minimatch and brace expansion) with the input as
//! a package's `.npmignore`.
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let pkg = dir.path();
    let write = |p: &str, t: &str| {
        let path = pkg.join(p);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a directory");
        std::fs::write(path, t).expect("a file");
    };
    write("package.json", r#"{"name":"p","version":"1.0.0"}"#);
    write(".npmignore", text);
    for f in [
        "index.js",
        "lib/a.js",
        "lib/.hidden",
        "test/x.test.js",
        "README.md",
        "a.b.c",
    ] {
        write(f, "x");
    }
    let _ = dockprep::pack::select::select_files(pkg);
});
