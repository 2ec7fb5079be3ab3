//! The README's rule tables are generated from the rule files: the part
//! between the `<!-- rules:begin` and `<!-- rules:end -->` markers must equal
//! the output of `dockprep rules --format markdown` (with one blank line on
//! each side). `DOCKPREP_UPDATE_README=1 cargo test --test readme` rewrites it.

use assert_cmd::Command;

const README: &str = "README.md";
const BEGIN: &str = "<!-- rules:begin";
const END: &str = "<!-- rules:end -->";
const REGENERATE: &str = "cargo run -- rules --format markdown";

/// The output of `dockprep rules --format markdown`.
fn generated() -> String {
    let out = Command::cargo_bin("dockprep")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["rules", "--format", "markdown"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "`dockprep rules --format markdown` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The byte range of the generated section: after the begin marker's line,
/// up to the end marker.
fn section(readme: &str) -> std::ops::Range<usize> {
    assert_eq!(
        readme.matches(BEGIN).count(),
        1,
        "{README} must have one `{BEGIN} … -->` line"
    );
    assert_eq!(
        readme.matches(END).count(),
        1,
        "{README} must have one `{END}` line"
    );
    let begin = readme.find(BEGIN).unwrap();
    let start = begin
        + readme[begin..]
            .find('\n')
            .expect("a line after the begin marker")
        + 1;
    let end = readme.find(END).unwrap();
    assert!(start <= end, "{END} comes before {BEGIN}");
    assert!(
        readme[..end].ends_with('\n'),
        "{END} must start its own line"
    );
    // The tables belong to the audit's section.
    let audit = readme
        .find("\n## `dockprep audit")
        .expect("a `## `dockprep audit …` section");
    let next = readme[audit + 1..]
        .find("\n## ")
        .map_or(readme.len(), |i| audit + 1 + i);
    assert!(
        audit < begin && end < next,
        "the rule tables must stay in the `## dockprep audit` section"
    );
    start..end
}

#[test]
fn readme_rule_tables_are_generated_from_the_rules() {
    let readme = std::fs::read_to_string(README).unwrap();
    let range = section(&readme);
    let want = format!("\n{}\n", generated());
    let have = &readme[range.clone()];
    if have == want {
        return;
    }
    if std::env::var_os("DOCKPREP_UPDATE_README").is_some() {
        let mut new = readme.clone();
        new.replace_range(range, &want);
        std::fs::write(README, new).unwrap();
        return;
    }
    let diff: Vec<String> = have
        .lines()
        .zip(want.lines())
        .enumerate()
        .filter(|(_, (h, w))| h != w)
        .take(5)
        .map(|(i, (h, w))| format!("  line {}:\n    README:    {h}\n    generated: {w}", i + 1))
        .collect();
    panic!(
        "{README}'s rule tables differ from the rule files' metadata \
         ({} lines in the README, {} generated; first differences below).\n\
         Regenerate: paste the output of `{REGENERATE}` between the `{BEGIN}` and `{END}` \
         lines (one blank line on each side), or run \
         `DOCKPREP_UPDATE_README=1 cargo test --test readme`.\n{}",
        have.lines().count(),
        want.lines().count(),
        diff.join("\n")
    );
}

/// The README still opens with the two commands (the main job and the tests).
#[test]
fn readme_starts_with_the_two_commands() {
    let readme = std::fs::read_to_string(README).unwrap();
    let head: Vec<&str> = readme.lines().take(6).collect();
    assert_eq!(
        head,
        [
            "# dockprep",
            "",
            "```sh",
            "cargo run --release -- audit examples/fleet   # the main job, on the shipped example fleet",
            "cargo test                                    # the tests",
            "```",
        ],
        "the first lines of {README}"
    );
}
