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

fn files_of(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["", "charts"] {
        let Ok(rd) = std::fs::read_dir(dir.join(sub)) else { continue };
        let mut names: Vec<_> = rd.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
        names.sort();
        for p in names {
            let name = p.strip_prefix(dir).unwrap().display().to_string();
            if name != "manifest.json" {
                out.push((name, std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

/// A small discovery run on the grid-wiper space, split `shards` ways (1: unsharded).
fn discovery(tmp: &std::path::Path, name: &str, shard: Option<&str>, samples: &str) -> std::path::PathBuf {
    let out = tmp.join(name);
    let mut c = escalate();
    c.args(["explore", "scenarios/grid-wiper.ron", "--space", "data/spaces/grid-wiper-force.ron"])
        .args(["--discover", "armed-conflict", "--samples", samples, "--replicates", "3", "--quiet", "--out"])
        .arg(&out);
    if let Some(s) = shard {
        c.args(["--shard", s]);
    }
    c.assert().success();
    out
}

#[test]
fn three_shards_merged_equal_one_exploration_byte_for_byte() {
    let tmp = TempDir::new().unwrap();
    let whole = discovery(tmp.path(), "whole", None, "40");
    let parts: Vec<_> =
        (0..3).map(|k| discovery(tmp.path(), &format!("part{k}"), Some(&format!("{k}/3")), "40")).collect();
    // A shard holds its own points' results and no analysis (that needs every point).
    assert!(!parts[0].join("indices.csv").exists() && parts[0].join("results.csv").exists());
    let merged = tmp.path().join("merged");
    escalate().arg("merge").args(&parts).arg("--out").arg(&merged).arg("--quiet").assert().success();
    let (a, b) = (files_of(&whole), files_of(&merged));
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    for ((n, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{n} differs between the whole exploration and the merged shards");
    }
    for f in ["prim.json", "explore.html", "charts/prim-armed-conflict.png", "design.csv", "plan.json"] {
        assert!(names(&a).iter().any(|n| n == f), "{f} is written");
    }
    let prim: serde_json::Value = serde_json::from_slice(&std::fs::read(whole.join("prim.json")).unwrap()).unwrap();
    assert!(prim["summary"].as_str().unwrap().starts_with("armed_conflict "), "{}", prim["summary"]);

    // Parts of another exploration, or a damaged part, are refused.
    let other = discovery(tmp.path(), "other", Some("2/3"), "41");
    let mixed = [parts[0].clone(), parts[1].clone(), other];
    let e = common::merge(&mixed, &tmp.path().join("m2")).failure();
    let err = String::from_utf8_lossy(&e.get_output().stderr).to_string();
    assert!(err.contains("not parts of the same"), "{err}");
    let results = parts[1].join("results.csv");
    let text = std::fs::read_to_string(&results).unwrap();
    std::fs::write(&results, text.replacen(",1,", ",0,", 1)).unwrap();
    let e = common::merge(&parts, &tmp.path().join("m3")).failure();
    let err = String::from_utf8_lossy(&e.get_output().stderr).to_string();
    assert!(err.contains("results.csv"), "{err}");
    assert!(!tmp.path().join("m2").exists() && !tmp.path().join("m3").exists(), "a refused merge leaves nothing");
}

#[test]
fn sobol_writes_indices_at_n_and_n_over_2_with_charts_and_a_page() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("s");
    let a = escalate()
        .args(["explore", "scenarios/grid-wiper.ron", "--space", "data/spaces/grid-wiper-force.ron"])
        .args(["--method", "sobol", "--samples", "16", "--replicates", "2", "--output", "civilian_harm", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(stdout.contains("Convergence:"), "{stdout}");
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        stderr.contains("7 inputs")
            && stderr.contains("144 points × 2 replicates = 288 runs")
            && stderr.contains("threads (estimated from"),
        "{stderr}"
    );
    let idx = std::fs::read_to_string(out.join("indices.csv")).unwrap();
    assert!(idx.starts_with("output,input,rank,first,first_low,first_high,total,total_low,total_high,first_half_n"));
    assert_eq!(idx.lines().count(), 1 + 3 * 7, "the space's three outputs, civilian_harm once");
    assert_eq!(std::fs::read_to_string(out.join("design.csv")).unwrap().lines().count(), 1 + 16 * 9);
    assert!(out.join("charts/sobol-civilian-harm.svg").exists());
    let page = std::fs::read_to_string(out.join("explore.html")).unwrap();
    assert!(page.contains("Sobol&#39;") || page.contains("Sobol'"));
    assert!(!page.contains("http://") && !page.contains("https://"), "the page is self-contained");
}

#[test]
fn a_space_input_the_scenario_lacks_is_located_in_the_space_file() {
    let tmp = TempDir::new().unwrap();
    let space = tmp.path().join("space.ron");
    std::fs::write(
        &space,
        "Space(\n  inputs: [\n    Input(path: \"parameters.firebreak_cost\", lo: 0.5, hi: 8.0, distribution: Uniform),\n    \
         Input(path: \"parameters.firebrake\", lo: 0.0, hi: 1.0, distribution: Uniform),\n  ],\n)\n",
    )
    .unwrap();
    let a = escalate().args(["explore", "--space"]).arg(&space).arg("--quiet").assert().code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("space.ron:4:17") && err.contains("parameters.firebrake") && err.contains("hint"), "{err}");
    // A malformed file is located too, and nothing is written.
    std::fs::write(&space, "Space(\n  inputs: [ Input(path: 3) ],\n)\n").unwrap();
    let a = escalate().args(["explore", "--space"]).arg(&space).assert().code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("space.ron:2:"), "{err}");
}
