//! The report as JSON: the serde form of [`BenchReport`], which `dockprep
//! bench` can read back.

use crate::bench::BenchReport;

/// The report as pretty-printed JSON and a newline. serde_json writes NaN and
/// infinite seconds as `null`.
pub fn json(report: &BenchReport) -> String {
    let mut out =
        serde_json::to_string_pretty(report).expect("a BenchReport has only string map keys");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::report::fixtures::*;

    #[test]
    fn json_round_trips() {
        let report = sample();
        let j = json(&report);
        assert!(j.ends_with("}\n"));
        let back: BenchReport = serde_json::from_str(&j).unwrap();
        assert_eq!(back, report);
        assert!(j.contains("\"variant\": \"before\""));
    }
}
