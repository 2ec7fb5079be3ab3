//! No input may make a parser or the model panic.

use dockprep::syntax::compose::Compose;
use dockprep::syntax::dockerfile::Dockerfile;
use dockprep::syntax::dockerignore::DockerIgnore;
use dockprep::syntax::npmrc::{parse_url, Npmrc};
use dockprep::syntax::package_json::PackageJson;
use dockprep::syntax::pnpm_lock::{Lockfile, Node};
use dockprep::syntax::pnpm_workspace::Workspace;
use dockprep::syntax::shell::{split_commands, var_refs};
use dockprep::syntax::LineIndex;
use proptest::prelude::*;

/// Text shaped like a pnpm lockfile: its keys, indentation, flow collections,
/// quotes, dependency paths and document markers, in any order.
fn lockfile_like() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "lockfileVersion: '9.0'\n",
        "lockfileVersion: '6.0'\n",
        "importers:\n",
        "packages:\n",
        "snapshots:\n",
        "\n",
        "  ",
        "    ",
        "- ",
        "a: ",
        "'@s/b':",
        "x@1.0.0(y@2.0.0)",
        ": ",
        ":",
        "{",
        "}",
        "[",
        "]",
        ", ",
        "'",
        "''",
        "\"",
        "\\u00e9",
        "\\",
        "---\n",
        "true",
        "9.0",
        "#",
        " #",
        "|",
        ">",
        "&",
        "*",
        "!",
        "\u{e9}",
        "\u{2028}",
        "\t",
        "\r\n",
        "resolution: {integrity: sha512-x}",
        "link:../a",
    ]);
    prop::collection::vec(atoms, 0..80).prop_map(|v| v.concat())
}

/// A scalar value: any string from these atoms (quotes, indicators, `: `,
/// ` #`, numbers, booleans, dates, unprintables), or a boolean.
fn scalar() -> impl Strategy<Value = Node> {
    let atoms = prop::sample::select(vec![
        "a",
        "-",
        "?",
        ":",
        ": ",
        " #",
        "#",
        ",",
        "[",
        "]",
        "{",
        "}",
        "'",
        "\"",
        "@",
        "`",
        "%",
        "!",
        "&",
        "*",
        "|",
        ">",
        "=",
        " ",
        "\t",
        "\n",
        "\u{7f}",
        "\u{85}",
        "\u{e9}",
        "\u{feff}",
        "1",
        "0x1",
        "1e3",
        ".5",
        "9.0",
        "true",
        "null",
        "~",
        "2024-01-02",
        "<<",
        "link:../x",
        "^1.0.0",
        "x@1.0.0(y@2.0.0)",
        "\\",
        "yes",
    ]);
    prop_oneof![
        prop::collection::vec(atoms, 0..6).prop_map(|v| Node::str(v.concat())),
        any::<bool>().prop_map(|b| Node::Scalar(dockprep::syntax::pnpm_lock::Scalar::bool(b))),
    ]
}

/// A lockfile-shaped tree: maps (block or flow) and sequences of scalars,
/// with keys from the same atoms as the scalars.
fn tree() -> impl Strategy<Value = Node> {
    scalar().prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            (
                prop::collection::vec((scalar(), inner.clone()), 0..5),
                any::<bool>()
            )
                .prop_map(|(entries, flow)| {
                    let mut m = if flow {
                        dockprep::syntax::pnpm_lock::Map::flow()
                    } else {
                        dockprep::syntax::pnpm_lock::Map::new()
                    };
                    for (k, v) in entries {
                        let key = k.as_str().unwrap_or("").to_string();
                        // A flow map holds only flow values.
                        let v = if flow { flowify(v) } else { v };
                        m.insert(key, v);
                    }
                    Node::Map(m)
                }),
            (prop::collection::vec(scalar(), 0..4), any::<bool>())
                .prop_map(|(items, flow)| Node::Seq { items, flow }),
        ]
    })
}

fn flowify(n: Node) -> Node {
    match n {
        Node::Map(m) => {
            let mut f = dockprep::syntax::pnpm_lock::Map::flow();
            for (k, v) in m.iter() {
                f.insert(k.to_string(), flowify(v.clone()));
            }
            Node::Map(f)
        }
        Node::Seq { items, .. } => Node::Seq { items, flow: true },
        s => s,
    }
}

/// Parsing what was written gives back the same lockfile, value for value.
fn same(a: &Lockfile, b: &Lockfile) -> bool {
    a.documents.len() == b.documents.len()
        && a.documents
            .iter()
            .zip(&b.documents)
            .all(|(x, y)| Node::Map(x.root.clone()) == Node::Map(y.root.clone()))
}

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
    fn pnpm_lockfile(s in lockfile_like()) {
        if let Ok(lock) = Lockfile::parse(&s) {
            let written = lock.render();
            let again = Lockfile::parse(&written);
            prop_assert!(again.is_ok(), "{s:?} was written as {written:?}: {:?}", again.err());
            prop_assert!(same(&lock, &again.unwrap()), "{s:?} → {written:?}");
            let mut fresh = lock.clone();
            fresh.forget_source();
            let by_rules = fresh.render();
            let again = Lockfile::parse(&by_rules);
            prop_assert!(again.is_ok(), "{s:?} was written by the rules as {by_rules:?}: {:?}", again.err());
            prop_assert!(same(&lock, &again.unwrap()), "{s:?} → {by_rules:?}");
        }
    }

    /// pnpm's layout and js-yaml's quoting, written from values alone,
    /// always read back as the same values.
    #[test]
    fn pnpm_lockfile_writer(root in prop::collection::vec((scalar(), tree()), 0..6)) {
        let mut text = String::from("lockfileVersion: '9.0'\n");
        let lock = Lockfile::parse(&text).unwrap();
        let mut lock = lock;
        for (k, v) in root {
            let key = k.as_str().unwrap_or("").to_string();
            if key == "lockfileVersion" {
                continue;
            }
            lock.project_mut().insert(key, v);
        }
        text = lock.render();
        let again = Lockfile::parse(&text);
        prop_assert!(again.is_ok(), "{text}\n{:?}", again.err());
        prop_assert!(same(&lock, &again.unwrap()), "{text}");
    }

    #[test]
    fn arbitrary_text(s in any::<String>()) {
        let _ = Lockfile::parse(&s);
        let _ = Dockerfile::parse(&s);
        let _ = Compose::parse(&s);
        let _ = PackageJson::parse(&s);
        let _ = Npmrc::parse(&s);
        let _ = DockerIgnore::parse(&s);
    }
}
