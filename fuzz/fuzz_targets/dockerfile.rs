//! Dockerfiles, with every instruction's environment, commands and
//! variable expansion.
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    use dockprep::syntax::dockerfile::Dockerfile;
    if let Ok(d) = Dockerfile::parse(text) {
        for (i, ins) in d.instructions.iter().enumerate() {
            let env = d.environment_before(i);
            let _ = ins.commands(d.escape);
            for r in &ins.refs {
                let _ = env.expand(&text[r.span.range()]);
            }
        }
    }
});
