use super::layout::mode;
use super::render::{plain_ok, quoted};
use super::*;

#[test]
fn layout_detection() {
    let t = "a:\n   b:\n      c: 1\n   l:\n   - x\n";
    let st = Layout::detect(t, &yaml::parse(t).unwrap());
    assert_eq!((st.indent, st.seq_indent, st.flow_lists), (3, 0, false));
    let st = Layout::detect("", &yaml::parse("").unwrap());
    assert_eq!(
        (st.indent, st.seq_indent, st.flow_lists, st.quote),
        (2, 2, false, '"')
    );
    assert_eq!(mode(&[4, 2, 4, 2]), Some(2));
    assert!(!plain_ok("3300", false) && !plain_ok("true", false) && !plain_ok("a, b", true));
    assert!(plain_ok("host.docker.internal", false));
    assert_eq!(quoted("it's", '\''), "'it''s'");
}

fn edit(text: &str, f: impl FnOnce(&mut Editor<'_>) -> Result<(), EditError>) -> String {
    let mut ed = Editor::new(text).unwrap();
    f(&mut ed).unwrap_or_else(|e| panic!("{e}\n{text}"));
    ed.finish().unwrap().text
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

const COMPOSE: &str = "# top\nservices:\n  backend:   # the api\n    build:\n      context: .\n      args:\n        A: \"1\"  # one\n    ports: [\"80:80\"]\n  # end\n";

#[test]
fn span_and_source_at_a_path() {
    let ed = Editor::new(COMPOSE).unwrap();
    let p = ["services", "backend", "build", "args"];
    assert_eq!(ed.source(&p), Some("A: \"1\""));
    assert_eq!(
        ed.source(&["services", "backend", "ports"]),
        Some("[\"80:80\"]")
    );
    assert_eq!(
        ed.source(&["services", "backend", "build", "args", "A"]),
        Some("\"1\"")
    );
    assert!(ed.span(&["services", "nope"]).is_none());
    assert!(ed.is_flow(&["services", "backend", "ports"]));
    assert!(!ed.is_flow(&p));
    assert!(ed.is_editable(&p));
}

#[test]
fn insert_entries_block_keeps_comments_and_quotes_like_siblings() {
    let out = edit(COMPOSE, |ed| {
        ed.insert_entries(
            &["services", "backend", "build", "args"],
            vec![("B".into(), NewValue::str("two"))],
            Place::End,
        )
    });
    assert_eq!(
        out,
        "# top\nservices:\n  backend:   # the api\n    build:\n      context: .\n      args:\n        A: \"1\"  # one\n        B: \"two\"\n    ports: [\"80:80\"]\n  # end\n"
    );
}

#[test]
fn insert_entries_creates_intermediate_mappings_in_the_documents_indent() {
    let t = "a:\n    x: 1\n";
    let out = edit(t, |ed| {
        ed.insert_entries(
            &["a", "b", "c"],
            vec![("d".into(), NewValue::str("e"))],
            Place::End,
        )
    });
    assert_eq!(out, "a:\n    x: 1\n    b:\n        c:\n            d: e\n");
    // through a null on the way, and into an empty document
    let out = edit("a:\n", |ed| {
        ed.set(&["a", "b"], NewValue::str("c"), Place::End)
    });
    assert_eq!(out, "a:\n  b: c\n");
    let out = edit("# nothing yet\n", |ed| {
        ed.set(&["k"], NewValue::Seq(s(&["v"])), Place::End)
    });
    assert_eq!(out, "# nothing yet\nk:\n  - v\n");
}

#[test]
fn insert_entries_places() {
    let t = "# about a\na: 1\n\nb: 2\n";
    let out = edit(t, |ed| {
        ed.insert_entries(&[], vec![("c".into(), NewValue::str("3"))], Place::Start)
    });
    assert_eq!(out, "c: \"3\"\n# about a\na: 1\n\nb: 2\n");
    let ed = Editor::new(t).unwrap();
    assert!(ed.blank_separated(&[]));
    let out = edit(t, |ed| {
        ed.insert_entries(
            &[],
            vec![("c".into(), NewValue::str("x"))],
            Place::EndAfterBlankLine,
        )
    });
    assert_eq!(out, "# about a\na: 1\n\nb: 2\n\nc: x\n");
    // no final newline
    let out = edit("a: 1", |ed| {
        ed.insert_entries(&[], vec![("b".into(), NewValue::str("x"))], Place::End)
    });
    assert_eq!(out, "a: 1\nb: x\n");
}

#[test]
fn flow_collections_get_flow_additions() {
    let t = "m: {a: 1}  # c\nl: [x]\ne: []\nf: {}\n";
    let out = edit(t, |ed| {
        ed.insert_entries(&["m"], vec![("b".into(), NewValue::str("y z"))], Place::End)?;
        ed.insert_entries(&["f"], vec![("k".into(), NewValue::str("v"))], Place::End)?;
        ed.append_items(&["l"], &s(&["w", "a:b"]))?;
        ed.append_items(&["e"], &s(&["1"]))
    });
    assert_eq!(
        out,
        "m: {a: 1, b: y z}  # c\nl: [x, w, a:b]\ne: [\"1\"]\nf: {k: v}\n"
    );
}

#[test]
fn block_lists_and_nulls() {
    let t = "l:\n- a   # first\n# between\n- 'b'\nn: ~  # empty\nm:\n";
    let out = edit(t, |ed| {
        ed.append_items(&["l"], &s(&["c"]))?;
        ed.append_items(&["n"], &s(&["d"]))?;
        ed.insert_entries(
            &["m"],
            vec![("k".into(), NewValue::Seq(s(&["e"])))],
            Place::End,
        )
    });
    assert_eq!(
        out,
        "l:\n- a   # first\n# between\n- 'b'\n- 'c'\nn:  # empty\n- d\nm:\n  k:\n  - e\n"
    );
}

#[test]
fn set_replaces_scalars_and_rewrites_collections() {
    let t = "a: 'x'  # keep\nb: ./ctx # ctx\nc:\n  - 1\n  # gone\n  - 2\nd: 4\n";
    let out = edit(t, |ed| {
        ed.set(&["a"], NewValue::str("it's"), Place::End)?;
        ed.set(
            &["b"],
            NewValue::Map(vec![
                ("context".into(), NewValue::Raw("./ctx".into())),
                ("more".into(), NewValue::Seq(s(&["m"]))),
            ]),
            Place::End,
        )?;
        ed.set(&["c"], NewValue::Seq(s(&["z"])), Place::End)
    });
    assert_eq!(
        out,
        "a: 'it''s'  # keep\nb:\n  context: ./ctx # ctx\n  more:\n    - m\nc:\n  - z\nd: 4\n"
    );
    let out = edit("c: [1, 2]\n", |ed| {
        ed.set(&["c"], NewValue::Seq(vec![]), Place::End)
    });
    assert_eq!(out, "c: []\n");
}

#[test]
fn remove_entries_with_or_without_the_comments_above() {
    let t = "a: 1\n\n# about b\nb:\n  - x\n\nc: 3\n";
    assert_eq!(
        edit(t, |ed| ed.remove(&["b"], Comments::Drop)),
        "a: 1\n\nc: 3\n"
    );
    assert_eq!(
        edit(t, |ed| ed.remove(&["b"], Comments::Keep)),
        "a: 1\n\n# about b\n\nc: 3\n"
    );
    assert_eq!(
        edit("m: {a: 1, b: 2}\n", |ed| ed
            .remove(&["m", "a"], Comments::Drop)),
        "m: {b: 2}\n"
    );
    let mut ed = Editor::new(t).unwrap();
    assert_eq!(
        ed.remove(&["nope"], Comments::Drop),
        Err(EditError::NotFound("nope".into()))
    );
}

#[test]
fn retain_entries_and_items() {
    let t = "p:\n  a: 1\n  # about b\n  b: 2\n  c: 3\nf: { a: 1, b: 2 }\n";
    let out = edit(t, |ed| {
        ed.retain_entries(&["p"], |k| k != "b", Comments::Drop)?;
        ed.retain_entries(&["f"], |k| k == "b", Comments::Drop)
    });
    assert_eq!(out, "p:\n  a: 1\n  c: 3\nf: {b: 2}\n");
    let t = "packages:\n  - a\n  # siblings\n  # more\n  - ../b\n  - c\nl: [x, y, z]\n";
    let out = edit(t, |ed| {
        ed.retain_items(
            &["packages"],
            |_, n| n.as_str() != Some("../b"),
            Comments::Drop,
        )?;
        ed.retain_items(&["l"], |i, _| i != 1, Comments::Drop)
    });
    assert_eq!(out, "packages:\n  - a\n  - c\nl: [x, z]\n");
    // every item gone: the key stays, empty
    let out = edit("packages:\n  - a\nx: 1\n", |ed| {
        ed.retain_items(&["packages"], |_, _| false, Comments::Drop)
    });
    assert_eq!(out, "packages:\nx: 1\n");
}

#[test]
fn crlf_documents_stay_crlf() {
    let t = "a:\r\n  l:\r\n    - x\r\n  # c\r\nb: 1\r\n";
    let out = edit(t, |ed| {
        ed.append_items(&["a", "l"], &s(&["z"]))?;
        ed.insert_entries(&["a"], vec![("m".into(), NewValue::str("v"))], Place::End)?;
        ed.remove(&["b"], Comments::Keep)
    });
    assert_eq!(
        out,
        "a:\r\n  l:\r\n    - x\r\n    - z\r\n  m: v\r\n  # c\r\n"
    );
    assert_eq!(out.matches('\n').count(), out.matches("\r\n").count());
}

#[test]
fn tabs_in_indentation_are_refused() {
    // YAML forbids tabs for indentation: the document is rejected whole.
    assert!(matches!(
        Editor::new("a:\n\tb: 1\n"),
        Err(EditError::Parse(_))
    ));
    // Tabs elsewhere are just kept.
    let out = edit("a: 'x\ty'  #\tc\nb: 2\n", |ed| {
        ed.insert_entries(&[], vec![("c".into(), NewValue::str("x"))], Place::End)
    });
    assert_eq!(out, "a: 'x\ty'  #\tc\nb: 2\nc: x\n");
}

#[test]
fn aliases_tags_and_merge_keys_are_refused() {
    let t = "x: &x {a: 1}\ny: *x\nz: !tag {a: 1}\nw:\n  <<: *x\n  b: 2\n";
    let mut ed = Editor::new(t).unwrap();
    let e = vec![("k".to_string(), NewValue::str("v"))];
    assert_eq!(
        ed.insert_entries(&["y"], e.clone(), Place::End),
        Err(EditError::Opaque("y".into()))
    );
    assert_eq!(
        ed.insert_entries(&["z"], e.clone(), Place::End),
        Err(EditError::Opaque("z".into()))
    );
    assert!(matches!(
        ed.insert_entries(&["w"], e.clone(), Place::End),
        Err(EditError::Unsupported { .. })
    ));
    assert!(matches!(
        ed.insert_entries(&["x", "a", "b"], e, Place::End),
        Err(EditError::Kind { .. })
    ));
    assert_eq!(ed.finish().unwrap().text, t);
}

#[test]
fn an_invalid_result_is_refused_and_earlier_edits_stay() {
    let mut ed = Editor::new("a: 1\nb: [x]\n").unwrap();
    ed.set(&["a"], NewValue::str("2"), Place::End).unwrap();
    // broken YAML
    assert!(matches!(
        ed.set(&["c"], NewValue::Raw("[unclosed".into()), Place::End),
        Err(EditError::Invalid { .. })
    ));
    // a line break in a new scalar, and a key that is already there
    assert!(ed
        .insert_entries(&[], vec![("d".into(), NewValue::str("x\ny"))], Place::End)
        .is_err());
    assert!(ed
        .insert_entries(&[], vec![("b".into(), NewValue::str("y"))], Place::End)
        .is_err());
    let done = ed.finish().unwrap();
    assert_eq!(done.text, "a: \"2\"\nb: [x]\n");
    assert_eq!(
        done.edits,
        [TextEdit {
            start: 3,
            end: 4,
            text: "\"2\"".into()
        }]
    );
}

mod proptests {
    use super::*;
    use proptest::prelude::*;

    const BASES: [&str; 5] = [
        "",
        "# only a comment\n",
        "a:\n  b:\n    c: 1\n  l:\n    - x\nz: 2\n",
        "a: {b: {c: 1}}\nz: [1]\n",
        "a:\r\n    b: 'q'\r\n",
    ];

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("a".to_string()),
            Just("b".to_string()),
            "[a-z][a-z0-9_.-]{0,6}",
            "[a-z][a-z ]{0,5}[a-z]",
        ]
    }

    proptest! {
        #[test]
        fn inserting_then_reading_back_gives_the_value(
            base in 0..BASES.len(),
            path in proptest::collection::vec(key(), 1..4),
            leaf in key(),
            value in "[ -~]{0,12}",
        ) {
            let text = BASES[base];
            let mut ed = Editor::new(text).unwrap();
            let p: Vec<&str> = path.iter().map(String::as_str).collect();
            let r = ed.insert_entries(&p, vec![(leaf.clone(), NewValue::Str(value.clone()))], Place::End);
            let done = ed.finish().unwrap();
            match r {
                Ok(()) => {
                    let mut full = p.clone();
                    full.push(&leaf);
                    let again = Editor::new(&done.text).unwrap();
                    prop_assert_eq!(again.get(&full).and_then(|n| n.as_str()), Some(value.as_str()), "{}", done.text);
                }
                // refused (the path runs through a scalar or a list): nothing changed
                Err(_) => prop_assert_eq!(done.text, text),
            }
        }
    }
}
