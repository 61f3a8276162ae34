//! Counterfactuals: variants, paired statistics, compare and sweep on the real binary.

use std::sync::Arc;

use assert_cmd::Command;
use escalate::compare::ComparisonState;
use escalate::scenario::builtin::{DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME};
use escalate::scenario::variant::load_variant;
use escalate::scenario::{LoadError, load_bytes, load_str};
use escalate::stats::Moments;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn default() -> escalate::scenario::Loaded {
    load_bytes(DEFAULT_SCENARIO_NAME, DEFAULT_SCENARIO.as_bytes()).unwrap()
}

fn bin() -> Command {
    Command::cargo_bin("escalate").unwrap()
}

/// The paired t-interval covers a known effect about 95% of the time.
#[test]
fn paired_interval_covers_a_known_effect() {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let effect = 0.3;
    let (reps, n) = (1000, 40);
    let mut covered = 0;
    for _ in 0..reps {
        let mut d = Moments::default();
        for _ in 0..n {
            // A shared "seed" component cancels in the pair; only noise and the effect remain.
            let common: f64 = rng.random::<f64>() * 10.0;
            let base = common + normal(&mut rng);
            let variant = common + effect + normal(&mut rng);
            d.add(variant - base);
        }
        let (lo, hi) = d.ci95();
        if lo <= effect && effect <= hi {
            covered += 1;
        }
    }
    let coverage = covered as f64 / reps as f64;
    assert!((0.93..=0.97).contains(&coverage), "coverage {coverage}");
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller.
    let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-12), rng.random());
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

#[test]
fn a_variant_identical_to_the_baseline_differs_by_exactly_zero() {
    let base = default();
    let same = load_variant(&base, "as-signed-2018").unwrap();
    let scenarios = [Arc::new(base.scenario.clone()), Arc::new(same.scenario.clone())];
    let mut state = ComparisonState::new(vec!["base".into(), "as-signed-2018".into()], Vec::new());
    for seed in 0..40 {
        let rs: Vec<_> = scenarios.iter().map(|s| escalate::sim::run(s, seed, false)).collect();
        state.add(&rs);
    }
    for row in state.rows() {
        assert_eq!(row.diff_mean, 0.0, "{}", row.metric);
        assert_eq!((row.diff_ci95_low, row.diff_ci95_high), (0.0, 0.0), "{}", row.metric);
    }
}

#[test]
fn universal_adherence_reduces_violations_by_non_signatories() {
    let base = default();
    let all = load_variant(&base, "universal-adherence").unwrap();
    let scenarios = [Arc::new(base.scenario.clone()), Arc::new(all.scenario.clone())];
    let mut state = ComparisonState::new(vec!["base".into(), "universal-adherence".into()], Vec::new());
    for seed in 0..200 {
        let rs: Vec<_> = scenarios.iter().map(|s| escalate::sim::run(s, seed, false)).collect();
        state.add(&rs);
    }
    let row = state.rows().into_iter().find(|r| r.metric == "violations_by_others").unwrap();
    assert!(row.diff_ci95_high < 0.0, "{row:?}");
}

#[test]
fn overrides_edit_written_values_and_insert_defaults() {
    let text = r#"ScenarioFile(
    name: "t",
    horizon: Horizon(turns: 4),
    actors: [
        ActorDef(id: "A", name: "A", doctrine: (restraint: 0.5)),
        ActorDef(id: "B", name: "B"),
    ],
    variants: [
        VariantDef(id: "v", set: [
            OverrideDef(path: "actors[A].doctrine.restraint", value: "0.9"),
            OverrideDef(path: "actors[B].doctrine.firebreak", value: "0.1"),
            OverrideDef(path: "parameters.choice_temperature", value: "2.0"),
            OverrideDef(path: "horizon.turns", value: "6"),
        ]),
    ],
)"#;
    let base = load_str("t.ron", text).unwrap();
    let v = load_variant(&base, "v").unwrap();
    assert_eq!(v.scenario.actors[0].doctrine.restraint, 0.9);
    assert_eq!(v.scenario.actors[1].doctrine.firebreak, 0.1);
    assert_eq!(v.scenario.params.choice_temperature, 2.0);
    assert_eq!(v.scenario.turns, 6);
    // The base is untouched.
    assert_eq!(base.scenario.actors[0].doctrine.restraint, 0.5);
}

fn variant_error(path: &str, value: &str) -> String {
    let text = format!(
        r#"ScenarioFile(
    name: "t",
    horizon: Horizon(turns: 4),
    actors: [ActorDef(id: "A", name: "A"), ActorDef(id: "B", name: "B")],
    variants: [VariantDef(id: "v", set: [OverrideDef(path: "{path}", value: "{value}")])],
)"#
    );
    match load_str("t.ron", &text) {
        Err(LoadError::Invalid(e)) => e.render_plain(),
        other => panic!("expected an invalid scenario, got {:?}", other.map(|l| l.scenario.name)),
    }
}

#[test]
fn bad_overrides_are_errors_with_suggestions_at_the_override() {
    let e = variant_error("actors[A].doctrine.firebrake", "0.1");
    assert!(e.contains("did you mean `firebreak`"), "{e}");
    assert!(e.contains("t.ron:5:"), "located at the override: {e}");
    let e = variant_error("actors[AA].doctrine.firebreak", "0.1");
    assert!(e.contains("no element with id `AA`") && e.contains("did you mean `A`"), "{e}");
    let e = variant_error("parameters.choice_temprature", "1.0");
    assert!(e.contains("did you mean `choice_temperature`"), "{e}");
    let e = variant_error("actors[A].doctrine.firebreak", "7.0");
    assert!(e.contains("outside 0..=1"), "out-of-range values are validated: {e}");
    let e = variant_error("actors[A].doctrine.firebreak", "high");
    assert!(e.contains("variant `v`"), "{e}");
}

#[test]
fn compare_on_the_binary_writes_per_variant_batches_and_zero_differences_for_identical_variants() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    bin()
        .args([
            "compare",
            "--variants",
            "base,as-signed-2018,us-signs",
            "--runs",
            "60",
            "--quiet",
            "--no-charts",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    for f in ["comparison.csv", "comparison.json", "manifest.json", "base/runs.csv", "us-signs/summary.json"] {
        assert!(out.join(f).exists(), "{f}");
    }
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    for line in csv.lines().filter(|l| l.starts_with("as-signed-2018,")) {
        let cells: Vec<&str> = line.split(',').collect();
        // diff_mean, diff_sd, diff_ci95_low, diff_ci95_high
        let diffs: Vec<f64> = cells[7..11].iter().map(|c| c.parse().unwrap()).collect();
        assert_eq!(diffs, vec![0.0; 4], "{line}");
    }
}

#[test]
fn compare_and_sweep_argument_errors_are_clear() {
    let cases: &[(&[&str], &str)] = &[
        (&["compare", "--variants", "base"], "at least two variants"),
        (&["compare", "--variants", "base,nope"], "no variant `nope`"),
        (&["compare", "--variants", "base,us-signs", "--baseline", "x"], "baseline `x` is not among"),
        (&["compare", "--variants", "base,base"], "listed twice"),
        (&["sweep", "--param", "parameters.choice_temperature"], "not PATH=VALUES"),
        (&["sweep", "--param", "parameters.choice_temperature=1..0:1"], "positive STEP"),
        (&["sweep", "--param", "parameters.nope=1,2"], "unknown parameter"),
        (&["sweep", "--param", "parameters.choice_temperature=1"], "at least two points"),
    ];
    for (args, msg) in cases {
        bin().args(*args).args(["--runs", "5", "--quiet"]).assert().code(2).stderr(predicates::str::contains(*msg));
    }
}

#[test]
fn sweep_writes_one_row_per_point_and_metric() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sw");
    bin()
        .args([
            "sweep",
            "--param",
            "parameters.norm_violation_cost=0,2",
            "--param",
            "parameters.choice_temperature=0.3,0.4",
        ])
        .args(["--runs", "30", "--quiet", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let rows = csv.lines().count() - 1;
    assert_eq!(rows, 4 * escalate::compare::METRICS.len());
    assert!(csv.starts_with("point,parameters.norm_violation_cost,parameters.choice_temperature,metric"));
}
