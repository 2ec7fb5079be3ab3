//! The layers point down: every module of `src/` (but `cli/` and `main.rs`,
//! the top) imports only from the layers below its own, read from the code's
//! own `crate::…` paths. The table is `LAYERS` (bottom first); a module that
//! is in no layer fails the test, so a new top-level module must be placed.
//!
//! `planted_violation_is_reported` proves the check can fail: it plants an
//! upward import in a copy of the tree and expects it named.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bottom first. A module may import from lower rows only (and itself).
const LAYERS: &[&[&str]] = &[
    &["paths", "fsutil"],
    &["confine"],
    &["syntax"],
    &["diagnostics"],
    &["config", "workspace"],
    &["project"],
    &["rules"],
    &["fix"],
    &["pack", "docker", "prune", "bench", "lockfile"],
    &["prep"],
    &["build"],
    &["audit"],
    &["report"],
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|row| row.contains(&module))
}

/// The top-level module a file of `src/` belongs to (`None` for the binary).
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    if first == "cli" || first == "main.rs" || first == "lib.rs" {
        return None;
    }
    Some(first.trim_end_matches(".rs").to_string())
}

/// The code of a line, without its plain `//` comment. Doc comments (`///`,
/// `//!`) are kept: their links are dependencies too, and a lower layer's
/// docs that name a higher one describe it from the wrong side. Strings are
/// kept: a path in a string is rare and, if it names a module, worth a look.
fn code(line: &str) -> &str {
    let t = line.trim_start();
    if t.starts_with("///") || t.starts_with("//!") {
        return line;
    }
    match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Top-level modules a text names as `crate::NAME` (also inside `use
/// crate::{a::…, b}` groups), with the line of the first mention.
fn imports(text: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let mut in_group = false;
    for (n, line) in text.lines().enumerate() {
        let c = code(line);
        let mut rest = c;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            if let Some(group) = after.strip_prefix('{') {
                in_group = true;
                for part in group.split([',', '}']) {
                    let name: String = part
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.entry(name).or_insert(n + 1);
                    }
                }
                if group.contains("};") {
                    in_group = false;
                }
            } else {
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.entry(name).or_insert(n + 1);
                }
            }
            rest = after;
        }
        if in_group && !c.contains("crate::") {
            for part in c.split([',', '}']) {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != "self" {
                    out.entry(name).or_insert(n + 1);
                }
            }
            if c.contains("};") {
                in_group = false;
            }
        }
    }
    out
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Every upward or unplaced import below `src`, as `file:line: message`.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rs_files(src, &mut files);
    let mut out = Vec::new();
    for f in files {
        let rel = f.strip_prefix(src).unwrap();
        let Some(module) = module_of(rel) else {
            continue;
        };
        let Some(own) = rank(&module) else {
            out.push(format!(
                "{}: module `{module}` is in no layer (add it to LAYERS in tests/layers.rs and ARCHITECTURE.md)",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&f).unwrap();
        for (name, line) in imports(&text) {
            if name == module {
                continue;
            }
            match rank(&name) {
                Some(r) if r < own => {}
                Some(r) => out.push(format!(
                    "{}:{line}: `{module}` (layer {own}) imports `{name}` (layer {r}): imports point down only",
                    rel.display()
                )),
                None => {
                    // `crate::` followed by a macro or an item of lib.rs: not a module.
                }
            }
        }
    }
    out
}

#[test]
fn imports_point_down_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let v = violations(&src);
    assert!(v.is_empty(), "upward imports:\n{}", v.join("\n"));
}

#[test]
fn every_library_module_is_placed() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    for line in lib.lines() {
        if let Some(m) = line
            .trim()
            .strip_prefix("pub mod ")
            .or(line.trim().strip_prefix("mod "))
        {
            let m = m.trim_end_matches(';');
            assert!(
                rank(m).is_some(),
                "src/lib.rs declares `{m}`, which is in no layer"
            );
        }
    }
}

#[test]
fn planted_violation_is_reported() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("src");
    std::fs::create_dir_all(src.join("syntax")).unwrap();
    std::fs::create_dir_all(src.join("rules")).unwrap();
    std::fs::write(
        src.join("rules/fine.rs"),
        "use crate::project::Project;\nuse crate::{diagnostics::Edit, syntax};\n",
    )
    .unwrap();
    assert!(violations(&src).is_empty(), "{:?}", violations(&src));
    // An upward import, in a `use crate::{…}` group over two lines.
    std::fs::write(
        src.join("syntax/bad.rs"),
        "// crate::report in a comment is fine\nuse crate::{\n    paths::slash,\n    rules::Finding,\n};\n",
    )
    .unwrap();
    std::fs::write(src.join("newmod.rs"), "").unwrap();
    // A doc link is a dependency too.
    std::fs::write(src.join("syntax/doc.rs"), "//! Used by [`crate::fix`].\n").unwrap();
    let v = violations(&src);
    assert_eq!(v.len(), 3, "{v:?}");
    assert!(
        v.iter()
            .any(|m| m.starts_with("syntax/doc.rs:1: `syntax` (layer 2) imports `fix`")),
        "{v:?}"
    );
    assert!(
        v.iter()
            .any(|m| m.starts_with("syntax/bad.rs:4: `syntax` (layer 2) imports `rules`")),
        "{v:?}"
    );
    assert!(
        v.iter().any(|m| m.contains("`newmod` is in no layer")),
        "{v:?}"
    );
}
