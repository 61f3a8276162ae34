//! The scenario library runs, and the calibration holds where it should and breaks where
//! it should: every tuning target passes at the shipped defaults, every negative control
//! fails one, the held-out case is reported apart, and the fit recovers values it knows.

#[allow(dead_code)]
mod common;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use common::escalate;
use escalate::calibrate::fit::{self, Dim};
use escalate::calibrate::summary::loss;
use escalate::calibrate::targets::{self, CalibrationFile, Role};
use escalate::calibrate::{Plan, Row};
use escalate::scenario::builtin::{self, DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME};
use escalate::scenario::schema::OverrideDef;
use escalate::scenario::{Loaded, load_bytes, load_file};
use tempfile::TempDir;

#[test]
fn every_shipped_scenario_validates_and_runs() {
    let mut n = 0;
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ron") {
            let loaded = load_file(&path).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            let s = Arc::new(loaded.scenario);
            for seed in 0..3 {
                let r = escalate::sim::run(&s, seed, true);
                assert!(r.turns_played >= 1 && r.turns_played <= s.turns, "{}", path.display());
                assert!(!r.events.is_empty(), "{}", path.display());
            }
            // The calibration measures crises on the built-in copies: they must be the files.
            let stem = path.file_stem().unwrap().to_str().unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            assert_eq!(builtin::scenario(stem), Some(text.as_str()), "{stem} is built in, as it is on disk");
            n += 1;
        }
    }
    assert_eq!(n, builtin::SCENARIOS.len(), "every built-in scenario is a file in scenarios/");
}

fn baseline() -> Loaded {
    load_bytes(DEFAULT_SCENARIO_NAME, DEFAULT_SCENARIO.as_bytes()).unwrap()
}

fn evaluate(file: &CalibrationFile, roles: &[Role], extra: &[OverrideDef], runs: u64) -> Vec<Row> {
    let plan = Plan::new(file, roles, &baseline(), "paris-call-2018").unwrap();
    let pool = rayon::ThreadPoolBuilder::new().build().unwrap();
    plan.evaluate(extra, runs, 2018, &pool, &AtomicBool::new(false), |_| {}).unwrap()
}

fn set(pairs: &[(String, String)]) -> Vec<OverrideDef> {
    pairs.iter().map(|(p, v)| OverrideDef { path: p.clone(), value: v.clone() }).collect()
}

/// Every tuning target passes at the defaults, with its whole bootstrap interval inside
/// the observed one, so another seed would not change the verdict.
#[test]
fn every_tuning_target_passes_at_the_shipped_defaults() {
    let rows = evaluate(&targets::built_in(), &[Role::Tuning], &[], 1000);
    assert!(rows.len() >= 8);
    for r in &rows {
        let [lo, hi] = r.observed_interval;
        assert!(
            r.within && r.ci95[0] >= lo && r.ci95[1] <= hi,
            "{}: simulated {} [{}, {}] against the observed interval [{lo}, {hi}]",
            r.id,
            r.simulated,
            r.ci95[0],
            r.ci95[1]
        );
    }
}

/// Each implausible world fails at least one tuning target; a declared blind spot passes
/// (it is shipped to stay visible, and it must stay blind, or its note is wrong).
#[test]
fn every_negative_control_fails_and_blind_spots_are_declared() {
    let file = targets::built_in();
    let names: Vec<&str> = file.controls.iter().map(|c| c.id.as_str()).collect();
    for required in ["no-grievance", "damage-x10", "detection-off"] {
        assert!(names.contains(&required), "the control {required} is shipped");
    }
    for c in &file.controls {
        let rows = evaluate(&file, &[Role::Tuning], &set(&c.set), 400);
        let broken: Vec<&str> = rows.iter().filter(|r| !r.within).map(|r| r.id.as_str()).collect();
        match &c.blind_spot {
            None => assert!(!broken.is_empty(), "control {} passes every tuning target", c.id),
            Some(why) => assert!(broken.is_empty(), "control {} is declared blind ({why}) but fails {broken:?}", c.id),
        }
    }
}

/// The fit recovers a known value from targets the model itself produced with it.
#[test]
fn the_fit_recovers_a_known_parameter_from_synthetic_targets() {
    let truth = 0.02;
    let path = "parameters.disclosure_rate";
    let file = targets::built_in();
    let known = [OverrideDef { path: path.into(), value: truth.to_string() }];
    let rows = evaluate(&file, &[Role::Tuning], &known, 400);
    let synth = CalibrationFile {
        targets: file
            .targets
            .iter()
            .filter(|t| t.role == Role::Tuning)
            .zip(&rows)
            .filter_map(|(t, r)| {
                escalate::calibrate::summary::synthetic(r).map(|observed| targets::Target { observed, ..t.clone() })
            })
            .collect(),
        controls: Vec::new(),
    };
    let dims = [Dim { path: path.into(), lo: 0.002, hi: 0.06 }];
    let s = fit::search(&dims, 10, 8, 2018, |x| {
        let extra = [OverrideDef { path: path.into(), value: x[0].to_string() }];
        Ok::<f64, ()>(loss(&evaluate(&synth, &[Role::Tuning], &extra, 400)))
    })
    .unwrap();
    let found = s.points[s.best].0[0];
    // Within 25% of the truth: the naming targets' intervals are a few weeks wide, and the
    // loss is flat within them.
    assert!((found - truth).abs() <= 0.25 * truth, "fitted {found}, truth {truth}");
    // And the landscape has a valley: the far end of the range is much worse.
    let worst = s.points.iter().map(|p| p.1).fold(0.0, f64::max);
    assert!(worst > 10.0 * s.points[s.best].1.max(0.1), "a flat landscape: best {}, worst {worst}", s.points[s.best].1);
}

#[test]
fn calibrate_fails_with_exit_4_and_marks_the_failing_rows() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("cal");
    let a = escalate()
        .args(["calibrate", "--runs", "300", "--no-charts", "--set", "parameters.damage_scale=10", "--out"])
        .arg(&out)
        .assert()
        .code(4);
    let text = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(text.contains("OUTSIDE"), "{text}");
    let csv = std::fs::read_to_string(out.join("calibration.csv")).unwrap();
    assert!(csv.lines().any(|l| l.contains(",false,")), "a failing row is marked in the csv");
    assert!(out.join("calibration.json").exists(), "the results are written in full");
}

#[test]
fn validation_rows_are_held_out_and_reported_apart() {
    let file = targets::built_in();
    assert!(file.targets.iter().any(|t| t.role == Role::Validation));
    // Held out: no tuning target is measured on the validation scenario.
    let held: Vec<&String> =
        file.targets.iter().filter(|t| t.role == Role::Validation).flat_map(|t| &t.scenarios).collect();
    for t in file.targets.iter().filter(|t| t.role == Role::Tuning) {
        assert!(!t.scenarios.iter().any(|s| held.contains(&s)), "{} is tuned on a held-out scenario", t.id);
    }
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("val");
    let a = escalate().args(["calibrate", "--validate", "--runs", "300", "--no-charts", "--out"]).arg(&out).assert();
    let text = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    let at = text.find("Held-out validation").expect("a held-out table");
    assert!(text[at..].contains("notpetya-naming-weeks"), "{text}");
    assert!(!text[..at].contains("notpetya-naming-weeks"), "held-out rows are not among the tuning rows");
    let csv = std::fs::read_to_string(out.join("calibration.csv")).unwrap();
    let failing = csv.lines().filter(|l| l.contains(",validation,") && l.contains(",false,")).count();
    // The verdict and the exit code agree: a failing held-out row fails the command.
    assert_eq!(a.get_output().status.code(), Some(if failing > 0 { 4 } else { 0 }), "{csv}");
}

#[test]
fn a_bad_targets_file_is_located_and_refused() {
    let tmp = TempDir::new().unwrap();
    let f = tmp.path().join("t.ron");
    std::fs::write(&f, "Calibration(\n  targets: [\n    Target(id: \"x\", colour: 1),\n  ],\n)\n").unwrap();
    let a = escalate().args(["calibrate", "--runs", "10", "--targets"]).arg(&f).assert().code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("t.ron:3:"), "{err}");
    escalate().args(["calibrate", "--fit", "parameters.damage_scale=2..1"]).assert().code(2);
}
