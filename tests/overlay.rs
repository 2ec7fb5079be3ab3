//! Rules read the model, never the disk: a file that exists only in the fix
//! engine's overlay gives every rule the same result as the same file on
//! disk. Each case also checks that the file matters (absent, the findings
//! differ), so the comparison cannot pass by the rules ignoring it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use dockprep::project;
use dockprep::rules::{self, registry};

/// (rule, file relative to the repository, byte span, message) of every finding.
type Seen = Vec<(String, String, usize, usize, String)>;

fn audit(root: &Path, overlay: HashMap<PathBuf, String>) -> Seen {
    let opts = project::Options {
        private_scopes: vec!["@acme".into()],
        overlay,
        ..dockprep::audit::options()
    };
    let p = project::load(&[root.to_path_buf()], &opts).unwrap();
    rules::run(&p, registry::RULES)
        .into_iter()
        .map(|f| {
            let path = &p.sources.get(f.primary.file).path;
            let rel = path.strip_prefix(root).unwrap_or(path);
            (
                f.rule.to_string(),
                rel.display().to_string(),
                f.primary.span.start,
                f.primary.span.end,
                f.message.replace(&root.display().to_string(), "<root>"),
            )
        })
        .collect()
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A repository whose Dockerfile installs a private package, copies
/// `.docker-deps/` and installs with the frozen lockfile.
fn repo(root: &Path) {
    write(
        root,
        "package.json",
        r#"{"name": "app", "packageManager": "pnpm@10.6.5", "dependencies": {"@acme/config": "^1.0.0"}}"#,
    );
    write(
        root,
        "Dockerfile",
        "FROM node:22-alpine\nWORKDIR /app\nCOPY package.json pnpm-lock.yaml* ./\nCOPY .docker-deps/ /app/.docker-deps/\nRUN pnpm install --frozen-lockfile\nCOPY . .\n",
    );
    write(root, ".gitignore", "node_modules\n");
    write(root, ".dockerignore", "node_modules\n.docker-deps\n");
}

#[test]
fn a_file_in_the_overlay_is_a_file_on_disk() {
    let cases = [
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
        ("scripts/docker-prep.sh", "#!/bin/sh\n"),
        (".docker-deps/acme-config-1.0.0.tgz", "x"),
    ];
    for (rel, text) in cases {
        let absent = tempfile::tempdir().unwrap();
        repo(absent.path());
        let on_disk = tempfile::tempdir().unwrap();
        repo(on_disk.path());
        write(on_disk.path(), rel, text);
        let in_overlay = tempfile::tempdir().unwrap();
        repo(in_overlay.path());
        let overlay = HashMap::from([(in_overlay.path().join(rel), text.to_string())]);

        let none = audit(absent.path(), HashMap::new());
        let disk = audit(on_disk.path(), HashMap::new());
        let over = audit(in_overlay.path(), overlay);
        assert_ne!(
            none, disk,
            "{rel}: the file changes no finding, the case proves nothing"
        );
        assert_eq!(disk, over, "{rel}: on disk vs only in the overlay");
    }
}
