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
