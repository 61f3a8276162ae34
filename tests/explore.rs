//! `escalate explore` end to end: a small Morris screening writes its design, results and
//! ranked indices, and the same seed gives the same files whatever the thread count.

#[allow(dead_code)]
mod common;

use common::escalate;
use tempfile::TempDir;

#[test]
fn morris_screening_is_written_and_deterministic() {
    let tmp = TempDir::new().unwrap();
    let mut files = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("m{threads}"));
        escalate()
            .args([
                "explore",
                "--method",
                "morris",
                "--samples",
                "3",
                "--replicates",
                "2",
                "--quiet",
                "--threads",
                threads,
            ])
            .args(["--output", "highest_rung_level", "--out"])
            .arg(&out)
            .assert()
            .success();
        let design = std::fs::read_to_string(out.join("design.csv")).unwrap();
        let params = escalate::model::params::PARAMETERS.len();
        assert_eq!(design.lines().count(), 1 + 3 * (params + 1), "r (d + 1) points and a header");
        let indices = std::fs::read_to_string(out.join("indices.csv")).unwrap();
        assert_eq!(indices.lines().count(), 1 + params, "one ranked row per input");
        files.push((std::fs::read(out.join("results.csv")).unwrap(), indices));
    }
    assert_eq!(files[0], files[1], "thread count does not change the results");
}

#[test]
fn bad_outputs_and_spaces_are_refused_with_a_hint() {
    let a = escalate().args(["explore", "--output", "downtme"]).assert().code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("not an output"));
    escalate().args(["explore", "--discover", "civilian_harm"]).assert().code(2);
}
