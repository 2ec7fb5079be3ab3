//! No input may make a parser or the model panic.

use dockprep::syntax::compose::Compose;
use dockprep::syntax::dockerfile::Dockerfile;
use dockprep::syntax::dockerignore::DockerIgnore;
use dockprep::syntax::npmrc::{parse_url, Npmrc};
use dockprep::syntax::package_json::PackageJson;
use dockprep::syntax::pnpm_workspace::Workspace;
use dockprep::syntax::shell::{split_commands, var_refs};
use dockprep::syntax::LineIndex;
use proptest::prelude::*;

/// Strings built from the characters these formats care about.
fn syntaxy() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "FROM ",
        "RUN ",
        "ARG ",
        "ENV ",
        "COPY ",
        "ADD ",
        "AS ",
        "--mount=",
        "type=cache,",
        "target=",
        "id=",
        "\\\n",
        "\n",
        " ",
        "\t",
        "$",
        "${",
        "}",
        ":-",
        "\"",
        "'",
        "<<EOF\n",
        "EOF\n",
        "#",
        "# escape=`\n",
        "=",
        ",",
        "@s:registry=",
        "//h:1/p/:_authToken=",
        "http://",
        "[::1]",
        "services:",
        "  build:",
        "- ",
        ": ",
        "{",
        "[",
        "]",
        "\u{e9}",
        "\u{feff}",
        "pnpm install",
        "npm i -g pnpm@1",
        "&&",
        "|",
        ";",
        "(",
        ")",
        "**",
        "*",
        "?",
        "!",
        "/",
        "..",
        "node_modules",
        "\r\n",
        "\"a\":",
        "x",
    ]);
    prop::collection::vec(atoms, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn dockerfile(s in syntaxy()) {
        if let Ok(d) = Dockerfile::parse(&s) {
            for (i, ins) in d.instructions.iter().enumerate() {
                let _ = d.environment_before(i);
                let _ = ins.commands(d.escape);
                for m in &ins.mounts {
                    let _ = m.get("target");
                    prop_assert!(m.span.end <= s.len());
                }
                prop_assert!(ins.span.start <= ins.span.end && ins.span.end <= s.len());
            }
        }
    }

    #[test]
    fn line_oriented_formats(s in syntaxy()) {
        let rc = Npmrc::parse(&s);
        for e in &rc.entries {
            let _ = parse_url(&e.value);
        }
        let di = DockerIgnore::parse(&s);
        let _ = di.is_excluded("a/b/pnpm-lock.yaml");
        let _ = split_commands(&s, '\\');
        let _ = var_refs(&s, '`');
        let li = LineIndex::new(&s);
        for off in 0..=s.len() + 1 {
            let p = li.position(&s, off);
            prop_assert!(p.line >= 1 && p.column >= 1);
        }
    }

    #[test]
    fn structured_formats(s in syntaxy()) {
        let _ = Compose::parse(&s);
        let _ = Workspace::parse(&s);
        let _ = PackageJson::parse(&s);
    }

    #[test]
    fn arbitrary_text(s in any::<String>()) {
        let _ = Dockerfile::parse(&s);
        let _ = Compose::parse(&s);
        let _ = PackageJson::parse(&s);
        let _ = Npmrc::parse(&s);
        let _ = DockerIgnore::parse(&s);
    }
}
