//! The scenario library runs, and the default scenario's calibration holds.

use std::sync::Arc;

use escalate::calibrate::{Collector, references};
use escalate::scenario::builtin::{DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME};
use escalate::scenario::{load_bytes, load_file};

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
            n += 1;
        }
    }
    assert!(n >= 3, "found {n} scenarios");
}

#[test]
fn the_default_scenario_matches_the_published_record_within_tolerance() {
    let loaded = load_bytes(DEFAULT_SCENARIO_NAME, DEFAULT_SCENARIO.as_bytes()).unwrap();
    let s = Arc::new(loaded.scenario);
    let mut c = Collector::new(references());
    // Fixed seeds; 600 runs put every interval well inside or outside its tolerance.
    for i in 0..600 {
        let r = escalate::sim::run(&s, escalate::batch::seed_for(2018, i), false);
        c.add(&s, &r);
    }
    let rows = c.rows();
    let outside: Vec<String> =
        rows.iter().filter(|r| !r.within).map(|r| format!("{}: {} vs {}", r.id, r.simulated, r.observed)).collect();
    assert!(outside.is_empty(), "outside tolerance: {outside:?}");
}
