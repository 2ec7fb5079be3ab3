//! Table tests for `syntax::dockerignore`.
//!
//! Most rows are ported from moby/patternmatcher's own tests
//! (`patternmatcher_test.go` and `ignorefile/ignorefile_test.go`); the rest
//! pin down behaviour dockprep relies on for Node/pnpm repositories, and
//! moby quirks. The expectations of the dockprep rows were checked against
//! moby's Go code.
//!
//! Every row is `(patterns, path, excluded)`: the patterns are lines of a
//! `.dockerignore` and `excluded` is what BuildKit decides for `path`
//! (moby's `MatchesOrParentMatches`, i.e. a path is excluded when it or a
//! parent directory is).

use dockprep::syntax::dockerignore::{DockerIgnore, MatchKind};

type Row = (&'static [&'static str], &'static str, bool);

fn check_rows(table: &str, rows: &[Row]) {
    let mut failures = Vec::new();
    for (patterns, path, want) in rows {
        let ignore = DockerIgnore::from_patterns(patterns.iter());
        let got = ignore.is_excluded(path);
        if got != *want {
            failures.push(format!(
                "  patterns={patterns:?} path={path:?}: want excluded={want}, got {got}"
            ));
        }
        // `excluded_by` must agree with `is_excluded`.
        assert_eq!(ignore.excluded_by(path).is_some(), got);
    }
    assert!(
        failures.is_empty(),
        "{table}: {} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// patternmatcher_test.go: TestMatches (`tests`, single pattern each).
// Run there through MatchesOrParentMatches and MatchesUsingParentResult(s),
// which all give the same answers.

const MOBY_MATCHES: &[(&str, &str, bool)] = &[
    ("**", "file", true),
    ("**", "file/", true),
    ("**/", "file", true), // weird one
    ("**/", "file/", true),
    ("**", "/", true),
    ("**/", "/", true),
    ("**", "dir/file", true),
    ("**/", "dir/file", true),
    ("**", "dir/file/", true),
    ("**/", "dir/file/", true),
    ("**/**", "dir/file", true),
    ("**/**", "dir/file/", true),
    ("dir/**", "dir/file", true),
    ("dir/**", "dir/file/", true),
    ("dir/**", "dir/dir2/file", true),
    ("dir/**", "dir/dir2/file/", true),
    ("**/dir", "dir", true),
    ("**/dir", "dir/file", true),
    ("**/dir2/*", "dir/dir2/file", true),
    ("**/dir2/*", "dir/dir2/file/", true),
    ("**/dir2/**", "dir/dir2/dir3/file", true),
    ("**/dir2/**", "dir/dir2/dir3/file/", true),
    ("**file", "file", true),
    ("**file", "dir/file", true),
    ("**/file", "dir/file", true),
    ("**file", "dir/dir/file", true),
    ("**/file", "dir/dir/file", true),
    ("**/file*", "dir/dir/file", true),
    ("**/file*", "dir/dir/file.txt", true),
    ("**/file*txt", "dir/dir/file.txt", true),
    ("**/file*.txt", "dir/dir/file.txt", true),
    ("**/file*.txt*", "dir/dir/file.txt", true),
    ("**/**/*.txt", "dir/dir/file.txt", true),
    ("**/**/*.txt2", "dir/dir/file.txt", false),
    ("**/*.txt", "file.txt", true),
    ("**/**/*.txt", "file.txt", true),
    ("a**/*.txt", "a/file.txt", true),
    ("a**/*.txt", "a/dir/file.txt", true),
    ("a**/*.txt", "a/dir/dir/file.txt", true),
    ("a/*.txt", "a/dir/file.txt", false),
    ("a/*.txt", "a/file.txt", true),
    ("a/*.txt**", "a/file.txt", true),
    ("a[b-d]e", "ae", false),
    ("a[b-d]e", "ace", true),
    ("a[b-d]e", "aae", false),
    ("a[^b-d]e", "aze", true),
    (".*", ".foo", true),
    (".*", "foo", false),
    ("abc.def", "abcdef", false),
    ("abc.def", "abc.def", true),
    ("abc.def", "abcZdef", false),
    ("abc?def", "abcZdef", true),
    ("abc?def", "abcdef", false),
    ("a\\\\", "a\\", true),
    ("**/foo/bar", "foo/bar", true),
    ("**/foo/bar", "dir/foo/bar", true),
    ("**/foo/bar", "dir/dir2/foo/bar", true),
    ("abc/**", "abc", false),
    ("abc/**", "abc/def", true),
    ("abc/**", "abc/def/ghi", true),
    ("**/.foo", ".foo", true),
    ("**/.foo", "bar.foo", false),
    ("a(b)c/def", "a(b)c/def", true),
    ("a(b)c/def", "a(b)c/xyz", false),
    ("a.|)$(}+{bc", "a.|)$(}+{bc", true),
    (
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        true,
    ),
    (
        "dist/*.whl",
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        true,
    ),
    // Added by moby only when not on Windows (no `\` escapes there).
    ("a\\*b", "a*b", true),
];

// TestMatches (`multiPatternTests`).
const MOBY_MULTI: &[Row] = &[
    (&["**", "!util/docker/web"], "util/docker/web/foo", false),
    (
        &["**", "!util/docker/web", "util/docker/web/foo"],
        "util/docker/web/foo",
        true,
    ),
    (
        &[
            "**",
            "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        ],
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        false,
    ),
    (
        &["**", "!dist/*.whl"],
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        false,
    ),
];

#[test]
fn moby_matches_table() {
    let rows: Vec<Row> = MOBY_MATCHES
        .iter()
        .map(|(pattern, path, want)| -> Row { (std::slice::from_ref(pattern), path, *want) })
        .collect();
    check_rows("moby TestMatches", &rows);
    check_rows("moby TestMatches (multi)", MOBY_MULTI);
    for (pattern, _, _) in MOBY_MATCHES {
        let ignore = DockerIgnore::from_patterns([pattern]);
        assert_eq!(ignore.patterns[0].error, None, "{pattern:?}");
    }
}

// ---------------------------------------------------------------------------
// patternmatcher_test.go: TestMatch (`matchTests`, borrowed by moby from Go's
// filepath.Match tests). moby runs them through the deprecated `Matches`
// (which only looks at one parent level); the expectations are the same with
// the parent-aware semantics used here. `bad` marks rows where moby returns
// ErrBadPattern: the pattern must carry an error and match nothing.
// moby skips the rows containing `\` on Windows; we implement the Unix
// behaviour, so all rows apply.

const MOBY_FILEPATH_MATCH: &[(&str, &str, bool, bool)] = &[
    ("abc", "abc", true, false),
    ("*", "abc", true, false),
    ("*c", "abc", true, false),
    ("a*", "a", true, false),
    ("a*", "abc", true, false),
    ("a*", "ab/c", true, false),
    ("a*/b", "abc/b", true, false),
    ("a*/b", "a/c/b", false, false),
    ("a*b*c*d*e*/f", "axbxcxdxe/f", true, false),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/f", true, false),
    ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false, false),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false, false),
    ("a*b?c*x", "abxbbxdbxebxczzx", true, false),
    ("a*b?c*x", "abxbbxdbxebxczzy", false, false),
    ("ab[c]", "abc", true, false),
    ("ab[b-d]", "abc", true, false),
    ("ab[e-g]", "abc", false, false),
    ("ab[^c]", "abc", false, false),
    ("ab[^b-d]", "abc", false, false),
    ("ab[^e-g]", "abc", true, false),
    ("a\\*b", "a*b", true, false),
    ("a\\*b", "ab", false, false),
    ("a?b", "a☺b", true, false),
    ("a[^a]b", "a☺b", true, false),
    ("a???b", "a☺b", false, false),
    ("a[^a][^a][^a]b", "a☺b", false, false),
    ("[a-ζ]*", "α", true, false),
    ("*[a-ζ]", "A", false, false),
    ("a?b", "a/b", false, false),
    ("a*b", "a/b", false, false),
    ("[\\]a]", "]", true, false),
    ("[\\-]", "-", true, false),
    ("[x\\-]", "x", true, false),
    ("[x\\-]", "-", true, false),
    ("[x\\-]", "z", false, false),
    ("[\\-x]", "x", true, false),
    ("[\\-x]", "-", true, false),
    ("[\\-x]", "a", false, false),
    ("[]a]", "]", false, true),
    ("[-]", "-", false, true),
    ("[x-]", "x", false, true),
    ("[x-]", "-", false, true),
    ("[x-]", "z", false, true),
    ("[-x]", "x", false, true),
    ("[-x]", "-", false, true),
    ("[-x]", "a", false, true),
    ("\\", "a", false, true),
    ("[a-b-c]", "a", false, true),
    ("[", "a", false, true),
    ("[^", "a", false, true),
    ("[^bc", "a", false, true),
    ("a[", "a", false, true),
    ("a[", "ab", false, true),
    ("*x", "xxx", true, false),
];

#[test]
fn moby_filepath_match_table() {
    let mut failures = Vec::new();
    for (pattern, path, want, bad) in MOBY_FILEPATH_MATCH {
        let ignore = DockerIgnore::from_patterns([pattern]);
        let got = ignore.is_excluded(path);
        let has_error = ignore.patterns[0].error.is_some();
        if got != *want || has_error != *bad {
            failures.push(format!(
                "  pattern={pattern:?} path={path:?}: want ({want}, bad={bad}), got ({got}, bad={has_error})"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------
// patternmatcher_test.go: the small stand-alone tests.

const MOBY_SMALL: &[Row] = &[
    // TestWildcardMatches
    (&["*"], "fileutils.go", true),
    // TestPatternMatches
    (&["*.go"], "fileutils.go", true),
    // TestExclusionPatternMatchesPatternBefore
    (&["!fileutils.go", "*.go"], "fileutils.go", true),
    // TestPatternMatchesFolderExclusions
    (&["docs", "!docs/README.md"], "docs/README.md", false),
    // TestPatternMatchesFolderWithSlashExclusions
    (&["docs/", "!docs/README.md"], "docs/README.md", false),
    // TestPatternMatchesFolderWildcardExclusions
    (&["docs/*", "!docs/README.md"], "docs/README.md", false),
    // TestExclusionPatternMatchesPatternAfter
    (&["*.go", "!fileutils.go"], "fileutils.go", false),
    // TestExclusionPatternMatchesWholeDirectory: "." is never excluded.
    (&["*.go"], ".", false),
    // TestSingleExclamationError (the pattern is rejected, nothing matches)
    (&["!"], "fileutils.go", false),
    // TestMatchesWithNoPatterns
    (&[], "/any/path/there", false),
    // TestMatchesWithMalformedPatterns
    (&["["], "/any/path/there", false),
    // TestMatchesOrParentMatchesMalformedPatternDoesNotPanicOnRepeatedCall:
    // passes filepath.Match's check but is refused by Go's regexp (`l-O`).
    (&["[Local-Only]/"], "x", false),
];

#[test]
fn moby_small_tests() {
    check_rows("moby small tests", MOBY_SMALL);

    // TestSingleExclamationError / TestCleanPatternsErrorSingleException
    let bang = DockerIgnore::from_patterns(["!"]);
    assert!(bang.patterns[0].error.is_some());
    assert!(bang.patterns[0].exception);
    assert!(!bang.has_exceptions());

    // TestMatchesWithMalformedPatterns
    let malformed = DockerIgnore::from_patterns(["["]);
    assert!(malformed.patterns[0].error.is_some());
    assert_eq!(malformed.patterns[0].match_kind(), MatchKind::Never);

    // Regression test for moby/moby#52203: no panic on repeated calls.
    let local = DockerIgnore::from_patterns(["[Local-Only]/"]);
    assert_eq!(local.patterns[0].cleaned, "[Local-Only]");
    assert!(local.patterns[0].error.is_some());
    for _ in 0..2 {
        assert!(!local.is_excluded("x"));
        assert!(!local.patterns[0].matches("[Local-Only]"));
    }
}

#[test]
fn moby_clean_patterns() {
    // TestCleanPatterns
    assert_eq!(
        DockerIgnore::from_patterns(["docs", "config"])
            .patterns
            .len(),
        2
    );
    // TestCleanPatternsStripEmptyPatterns
    assert_eq!(
        DockerIgnore::from_patterns(["docs", "config", ""])
            .patterns
            .len(),
        2
    );
    // TestCleanPatternsExceptionFlag
    assert!(DockerIgnore::from_patterns(["docs", "!docs/README.md"]).has_exceptions());
    // TestCleanPatternsLeadingSpaceTrimmed
    let leading = DockerIgnore::from_patterns(["docs", "  !docs/README.md"]);
    assert!(leading.has_exceptions());
    assert_eq!(leading.patterns[1].cleaned, "docs/README.md");
    // TestCleanPatternsTrailingSpaceTrimmed
    let trailing = DockerIgnore::from_patterns(["docs", "!docs/README.md  "]);
    assert!(trailing.has_exceptions());
    assert_eq!(trailing.patterns[1].raw, "!docs/README.md");
}

// patternmatcher_test.go: TestCompile (`compileTests`), Unix column. The
// Windows column (`\` as separator) is skipped: only Unix paths are modelled.
const MOBY_COMPILE: &[(&str, MatchKind, &str)] = &[
    ("*", MatchKind::Regex, "^[^/]*$"),
    ("file*", MatchKind::Regex, "^file[^/]*$"),
    ("*file", MatchKind::Regex, "^[^/]*file$"),
    ("a*/b", MatchKind::Regex, "^a[^/]*/b$"),
    ("**", MatchKind::Suffix, ""),
    ("**/**", MatchKind::Regex, "^(.*/)?.*$"),
    ("dir/**", MatchKind::Prefix, ""),
    ("**/dir", MatchKind::Suffix, ""),
    ("**/dir2/*", MatchKind::Regex, "^(.*/)?dir2/[^/]*$"),
    ("**/dir2/**", MatchKind::Regex, "^(.*/)?dir2/.*$"),
    ("**file", MatchKind::Suffix, ""),
    ("**/file*txt", MatchKind::Regex, "^(.*/)?file[^/]*txt$"),
    ("**/**/*.txt", MatchKind::Regex, "^(.*/)?(.*/)?[^/]*\\.txt$"),
    ("a[b-d]e", MatchKind::Regex, "^a[b-d]e$"),
    (".*", MatchKind::Regex, "^\\.[^/]*$"),
    ("abc.def", MatchKind::Exact, ""),
    ("abc?def", MatchKind::Regex, "^abc[^/]def$"),
    ("**/foo/bar", MatchKind::Suffix, ""),
    ("a(b)c/def", MatchKind::Exact, ""),
    ("a.|)$(}+{bc", MatchKind::Exact, ""),
    (
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        MatchKind::Exact,
        "",
    ),
];

#[test]
fn moby_compile_table() {
    for (pattern, kind, regex) in MOBY_COMPILE {
        let ignore = DockerIgnore::from_patterns([pattern]);
        let p = &ignore.patterns[0];
        assert_eq!(p.match_kind(), *kind, "{pattern:?}");
        let want = (*kind == MatchKind::Regex).then_some(*regex);
        assert_eq!(p.translated_regex(), want, "{pattern:?}");
    }
}

// ---------------------------------------------------------------------------
// ignorefile_test.go: TestReadAll.

#[test]
fn moby_ignorefile_read_all() {
    assert!(DockerIgnore::parse("").patterns.is_empty());

    let content =
        "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! ";
    let ignore = DockerIgnore::parse(content);
    // (cleaned, exception, valid, line)
    let expected = [
        ("test1", false, true, 1),
        ("test2", false, true, 2),       // /foo/bar is treated as foo/bar
        ("a/file/here", false, true, 3), // likewise
        ("lastfile", false, true, 5),
        ("inverted/abs/path", true, true, 7),
        ("", true, false, 8), // "!" alone: moby's New rejects it
        ("", true, false, 9),
    ];
    assert_eq!(ignore.patterns.len(), expected.len());
    for (p, (cleaned, exception, valid, line)) in ignore.patterns.iter().zip(expected) {
        assert_eq!(p.cleaned, cleaned);
        assert_eq!(p.exception, exception, "{cleaned}");
        assert_eq!(p.error.is_none(), valid, "{cleaned}: {:?}", p.error);
        assert_eq!(p.line, line, "{cleaned}");
        assert_eq!(&content[p.span.clone()], p.raw);
    }
    assert_eq!(ignore.patterns[4].raw, "! /inverted/abs/path");
    assert_eq!(ignore.patterns[6].raw, "!");
    assert!(ignore.read_error.is_none());
}

// ---------------------------------------------------------------------------
// dockprep rows.

const DOCKPREP_ROWS: &[Row] = &[
    // Patterns are anchored at the context root.
    (&["node_modules"], "node_modules", true),
    (&["node_modules"], "node_modules/react/index.js", true),
    (&["node_modules"], "backend/node_modules", false),
    (
        &["node_modules"],
        "backend/node_modules/react/index.js",
        false,
    ),
    (&["**/node_modules"], "backend/node_modules", true),
    (
        &["**/node_modules"],
        "backend/node_modules/react/index.js",
        true,
    ),
    (&["**/node_modules"], "node_modules", true),
    (&["**/node_modules"], "apps/web/node_modules/.pnpm/x", true),
    (&["*/node_modules"], "apps/node_modules/x", true),
    (&["*/node_modules"], "apps/web/node_modules", false),
    // Lockfiles.
    (
        &["**/pnpm-lock.yaml", "!pnpm-lock.yaml"],
        "pnpm-lock.yaml",
        false,
    ),
    (
        &["**/pnpm-lock.yaml", "!pnpm-lock.yaml"],
        "packages/a/pnpm-lock.yaml",
        true,
    ),
    (&["*.yaml"], "pnpm-lock.yaml", true),
    (&["*.yaml"], "pnpm-workspace.yaml", true),
    (&["*.yaml"], "packages/a/pnpm-lock.yaml", false),
    // Comments: only a `#` in the very first column.
    (&[" # not a comment"], "# not a comment", true),
    (&["# a comment"], "# a comment", false),
    (&["#"], "#", false),
    (&["\\#file"], "#file", true),
    // `!` re-includes; a literal leading `!` needs a backslash.
    (&["dir", "!dir/file"], "dir/file", false),
    (&["dir", "!dir/file"], "dir/other", true),
    (&["dir", "!dir/file"], "dir", true),
    (&["dir/", "!dir/keep/**"], "dir/keep/a.txt", false),
    (&["dir/", "!dir/keep/**"], "dir/keep", true),
    (&["*", "!src"], "src/index.ts", false),
    (&["*", "!src"], "package.json", true),
    (&["!dist", "dist"], "dist/app.js", true),
    (&["\\!important"], "!important", true),
    (&["! important"], "important", false),
    // Cleaning of patterns and paths.
    (&["/dist"], "dist/app.js", true),
    (&["./build/"], "build/x", true),
    (&["a//b/./c/../d"], "a/b/d", true),
    (&["dist"], "./dist/a.js", true),
    (&["dist"], "dist/", true),
    (&["dist"], "src/../dist/a.js", true),
    (&["**"], ".", false),
    (&["**"], "./", false),
    (&["**"], "", false),
    // Dotfiles.
    (&[".*"], ".env", true),
    (&[".*"], "apps/.env", false),
    (&["**/.git"], ".git/HEAD", true),
    (&["**/*.log", "!keep.log"], "keep.log", false),
    (&["**/*.log", "!keep.log"], "logs/keep.log", true),
    // Character classes: only `^` negates, `!` is literal.
    (&["[!a]bc"], "!bc", true),
    (&["[!a]bc"], "abc", true),
    (&["[!a]bc"], "xbc", false),
    (&["file[0-9].txt"], "file7.txt", true),
    (&["file[0-9].txt"], "filex.txt", false),
    // moby quirks reproduced on purpose.
    (&["**file"], "dir/myfile", true), // suffix test, not a path component
    (&["a[^b]c"], "a/c", true),        // negated classes also match `/`
    (&["file\\d"], "file1", true),     // `\d` reaches Go's regexp as a digit class
    (&["file\\d"], "filed", false),
    (&["[[:digit:]]x"], "1x", true), // POSIX class via Go's regexp
    (&["a^b*"], "a^b", false),       // `^` is an anchor once in a regexp
    (&["**/^x*"], "x", true),
    (&["**/^x*"], "a/x", false),
    // moby's escape table misses `|`, `{` and `}`: in patterns with a
    // wildcard they are regexp alternation and counted repetition.
    (&["*.js|*.ts"], "src/a.ts", true), // `[^/]*\.ts$`, unanchored start
    (&["*.js|*.ts"], "app.json", true), // `^[^/]*\.js`, unanchored end
    (&["*.js|*.ts"], "src/app.js", false),
    (&["a|b"], "a|b", true), // no wildcard: compared literally
    (&["a|b"], "a", false),
    (&["*.{js,ts}"], "a.js", false), // not a brace expansion
    (&["*.{js,ts}"], "a.{js,ts}", true),
    (&["a{2}*"], "aa", true),
    (&["a{2}*"], "aab", true),
    (&["a{2}*"], "a", false),
    (&["a{2}"], "a{2}", true),
    (&["a{2}"], "aa", false),
    (&["{2}*"], "x", true),
    // Invalid patterns match nothing and do not disturb the others.
    (&["[z-a]"], "b", false),
    (&["\\q"], "q", false),
    (&["*.md", "[", "!README.md"], "README.md", false),
    (&["*.md", "[", "!README.md"], "CHANGES.md", true),
    // Unicode.
    (&["日本語/**/ファイル*"], "日本語/a/b/ファイル1.txt", true),
    (&["日本語/**/ファイル*"], "日本語/ファイル", true),
    (&["r?sum?.pdf"], "résumé.pdf", true),
    // Go regexp meaning kept although matching is done by the `regex`
    // crate, whose classes and `\b` are Unicode-aware and whose `.` and `$`
    // depend on flags: Go's `\d \w \s \b` are ASCII only...
    (&["file\\d"], "file\u{663}", false), // ARABIC-INDIC DIGIT THREE
    (&["a\\wb"], "aéb", false),
    (&["a\\wb"], "a_b", true),
    (&["a\\sb"], "a\u{a0}b", false), // NO-BREAK SPACE
    (&["a\\sb"], "a\tb", true),
    (&["[[:alpha:]]x"], "éx", false),
    (&["é\\b*"], "é", false),
    (&["e\\b*"], "e", true),
    (&["é\\B*"], "é", true),
    // ...a negated class matches `\n`, `.` (from `**`) does not, and `$`
    // is the very end of the text, not before a final newline.
    (&["a?b"], "a\nb", true),
    (&["a/**/b"], "a/xy/b", true),
    (&["a/**/b"], "a/x\ny/b", false),
    (&["a*b"], "ab\n", false),
    (&["[^\\d\\D]"], "a", false), // an empty class
    // Go syntax the hand-written engine used to refuse: `\x{...}`, and
    // a repetition after an empty `\Q\E`, which applies to the
    // repetition before it (`[^/]{2}` three times).
    (&["a\\x{41}*"], "aAb", true),
    (&["a\\x{41}*"], "ax{41}", false),
    (&["a?{2}\\Q\\E{3}"], "a123456", true),
    (&["a?{2}\\Q\\E{3}"], "a12345", false),
    // Runs of `**/` and `*` are merged, which keeps the expression small.
    (&["**/**/**/**/**/**/x"], "a/b/x", true),
    (&["a*******b"], "ab", true),
    (&["a*******b"], "a/b", true), // it contains `**`
];

#[test]
fn dockprep_table() {
    check_rows("dockprep rows", DOCKPREP_ROWS);
}

#[test]
fn table_size() {
    let rows = MOBY_MATCHES.len()
        + MOBY_MULTI.len()
        + MOBY_FILEPATH_MATCH.len()
        + MOBY_SMALL.len()
        + MOBY_COMPILE.len();
    assert!(rows >= 150, "ported moby rows: {rows}");
    assert!(DOCKPREP_ROWS.len() >= 50);
}

#[test]
fn invalid_patterns_report_errors() {
    for pattern in ["[z-a]", "\\q", "[", "a\\", "!", "!/", "[]a]", "x\\pL"] {
        let ignore = DockerIgnore::from_patterns([pattern]);
        assert!(
            ignore.patterns[0].error.is_some(),
            "{pattern:?} should be invalid"
        );
    }
}

#[test]
fn excluded_by_reports_the_deciding_pattern() {
    let ignore = DockerIgnore::parse("*.md\n!README.md\ndocs\n");
    assert_eq!(
        ignore.excluded_by("docs/README.md").map(|p| p.line),
        Some(3)
    );
    assert_eq!(ignore.excluded_by("CHANGES.md").map(|p| p.line), Some(1));
    assert!(ignore.excluded_by("README.md").is_none());
    assert!(ignore.excluded_by("src/main.rs").is_none());

    // An exception that re-includes, then a later re-exclusion.
    let ignore = DockerIgnore::parse("node_modules\n!node_modules/keep\n**/keep\n");
    assert_eq!(
        ignore.excluded_by("node_modules/keep").map(|p| &*p.raw),
        Some("**/keep")
    );
}

#[test]
fn pattern_matches_is_verbatim() {
    let ignore = DockerIgnore::from_patterns(["dir"]);
    let p = &ignore.patterns[0];
    assert!(p.matches("dir"));
    assert!(!p.matches("dir/file")); // no parent logic
    assert!(!p.matches("./dir")); // no cleaning
}

#[test]
fn crlf_bom_and_spans() {
    let text = "\u{feff}# comment\r\ndist\r\n  !dist/keep.txt  \r\n\r\n*.log";
    let ignore = DockerIgnore::parse(text);
    let raws: Vec<&str> = ignore.patterns.iter().map(|p| p.raw.as_str()).collect();
    assert_eq!(raws, ["dist", "!dist/keep.txt", "*.log"]);
    let lines: Vec<usize> = ignore.patterns.iter().map(|p| p.line).collect();
    assert_eq!(lines, [2, 3, 5]);
    for p in &ignore.patterns {
        assert_eq!(&text[p.span.clone()], p.raw);
    }
    assert!(ignore.is_excluded("dist/app.js"));
    assert!(!ignore.is_excluded("dist/keep.txt"));
    assert!(ignore.is_excluded("debug.log"));

    // The BOM is only stripped at the very start, so `#` after it is a comment.
    let bom_pattern = DockerIgnore::parse("\u{feff}secret.txt");
    assert_eq!(bom_pattern.patterns[0].cleaned, "secret.txt");
    assert_eq!(bom_pattern.patterns[0].span, 3..13);
    assert!(bom_pattern.is_excluded("secret.txt"));

    // A carriage return in the middle of a line is kept; trimming removes
    // the one at the end.
    let cr = DockerIgnore::parse("a\rb\n");
    assert_eq!(cr.patterns[0].cleaned, "a\rb");
}

#[test]
fn odd_inputs_do_not_panic() {
    let huge_a = "a".repeat(1 << 20);
    let huge_star = "*".repeat(1 << 20);
    let huge_bracket = "[".repeat(1 << 20);
    let huge_mixed = "**/a?[b-c]\\*".repeat((1 << 20) / 12);
    let huge_path = "a/".repeat(1 << 19);
    let mut inputs: Vec<String> = [
        "",
        "!",
        "!!",
        "! ",
        "[",
        "![",
        "[^",
        "\\",
        "!\\",
        "a\\",
        "**",
        "***",
        "!**",
        "/",
        "!/",
        "//",
        "..",
        "../..",
        "!../../x",
        "./ /",
        "\u{feff}",
        "\u{feff}**/x",
        "\r\n\r\n",
        "\n\n\n",
        "\0",
        "é[",
        "[é-a]",
        "[[:foo:]]",
        "[[:alpha:]",
        "\\Qa.b",
        "\\x4",
        "\\x41",
        "\\101",
        "\\8",
        "\\pL",
        "\\b*\\B",
        "a^b*",
        "日本語/[^語]*",
        "🦀/**/🦀?",
        "\u{2028}x\u{3000}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    inputs.extend([
        huge_a.clone(),
        huge_star,
        huge_bracket,
        huge_mixed,
        format!("!{huge_a}"),
    ]);

    let paths = [
        "",
        ".",
        "/",
        "a",
        "a/b/c",
        "./a",
        "../a",
        "日本語/x",
        "🦀/🦀/🦀x",
        "a\nb",
    ];
    for input in &inputs {
        let ignore = DockerIgnore::parse(input);
        for path in paths {
            let _ = ignore.is_excluded(path);
            let _ = ignore.excluded_by(path);
            for p in &ignore.patterns {
                let _ = p.matches(path);
            }
        }
    }
    // A 1 MB path against a few small patterns (a huge pattern against a
    // huge path is quadratic, as in any NFA, and not a realistic input).
    let small = DockerIgnore::parse("a/**/b\n*\n!a/a\n**/x\n[[:alpha:]]*\n");
    assert!(small.is_excluded(&huge_path));

    let long = DockerIgnore::parse(&format!("ok\n{huge_a}\n"));
    assert_eq!(long.read_error.as_ref().map(|e| e.line), Some(2));
    assert!(long.is_excluded("ok"));

    // Pseudo-random patterns built from the interesting characters.
    let alphabet: Vec<char> = "ab/*?[]^!-\\.#$()|{}+ :éA0\r\n\t".chars().collect();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        let len = (next() % 12) as usize;
        let text: String = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        let ignore = DockerIgnore::parse(&text);
        for path in ["a", "ab/a", "a/b/c.d", "[a]", "é/A0", "!b"] {
            let _ = ignore.excluded_by(path);
        }
    }
}
