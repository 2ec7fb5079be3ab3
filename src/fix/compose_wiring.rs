//! scratch
#[cfg(test)]
mod tests {
    use crate::syntax::yaml::{parse, Node, Value};
    fn dump(t: &str, n: &Node, d: usize) {
        let s = &t[n.span.range()];
        println!(
            "{}{:?} {:?} {:?}",
            " ".repeat(d * 2),
            match &n.value {
                Value::Null => "null",
                Value::Scalar(_) => "scalar",
                Value::Seq(_) => "seq",
                Value::Map(_) => "map",
            },
            n.span,
            s
        );
        match &n.value {
            Value::Seq(v) => {
                for i in v {
                    dump(t, i, d + 1)
                }
            }
            Value::Map(m) => {
                for (k, v) in m {
                    dump(t, k, d + 1);
                    dump(t, v, d + 2)
                }
            }
            _ => {}
        }
    }
    #[test]
    fn scratch() {
        for t in [
            "services:\n  web:\n    build: .\n    ports: [\"80:80\", 'x' ]\n    args: {A: 1, B: \"2\"}\n    e: []\n    f: {}\n    g:\n    # c\n  x:\n    - a # c\n    - 'b'\n\n# tail\nsecrets:\n  s:\n    environment: X\n",
            "a: [\n  1,\n  2,\n]\nb:\n  c: |\n    hi\n    there\n\n  d: x",
            "a:\n- 1\n- 2\nb: ~\nc:\n",
            "x: &a\n  k: 1\ny: *a\nz: !reset []\nw: !reset null\nv: &b\nu: null # c\n",
            "a:\r\n  b: 1\r\n  c: 'x'\r\n",
        ] {
            println!("-----");
            dump(t, &parse(t).unwrap(), 0);
        }
    }
}
