//! Calibration: simulated figures of a baseline world beside published ones.
//!
//! The reference figures and their sources live in `data/calibration.ron`. Each
//! simulated figure is a ratio of sums over runs (numerator and denominator per run),
//! with a 95% percentile-bootstrap interval from resampling runs with a fixed seed,
//! so the table is reproducible.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::model::ladder::Rung;
use crate::record::{Outcome, RunRecord};
use crate::scenario::Scenario;
use crate::scenario::schema::Purpose;

const REFERENCES: &str = include_str!("../data/calibration.ron");

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Tolerance {
    Within(f64),
    AtMost(f64),
    Factor(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Measure {
    EspionageShare,
    DestructiveShare,
    RivalDyadsDisrupted,
    ArmedConflictShare,
    CapacityPerAttack,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reference {
    pub id: String,
    pub figure: String,
    pub observed: f64,
    pub tolerance: Tolerance,
    pub measure: Measure,
    pub source: String,
}

/// The built-in reference figures.
pub fn references() -> Vec<Reference> {
    ron::from_str(REFERENCES).expect("data/calibration.ron parses (checked by tests)")
}

/// Numerator and denominator of a measure in one run.
pub fn measure(s: &Scenario, m: Measure, r: &RunRecord) -> (f64, f64) {
    let ops = |pred: &dyn Fn(Rung) -> bool| -> f64 {
        s.actions
            .iter()
            .zip(&r.choices_by_action)
            .filter(|(a, _)| a.purpose == Purpose::Operation && pred(a.rung))
            .map(|(_, &n)| f64::from(n))
            .sum()
    };
    match m {
        Measure::EspionageShare => (ops(&|r| r == Rung::Intelligence), ops(&|_| true)),
        Measure::DestructiveShare => (ops(&|r| r >= Rung::Destructive), ops(&|_| true)),
        Measure::RivalDyadsDisrupted => (f64::from(r.rival_dyads_disrupted), f64::from(r.rival_dyads)),
        Measure::ArmedConflictShare => (f64::from(u8::from(r.outcome == Outcome::ArmedConflict)), 1.0),
        Measure::CapacityPerAttack => {
            let build: f64 = s
                .actions
                .iter()
                .zip(&r.choices_by_action)
                .filter(|(a, _)| a.purpose == Purpose::BuildCapacity)
                .map(|(_, &n)| f64::from(n))
                .sum();
            (build, ops(&|r| r >= Rung::Disruptive))
        }
    }
}

/// One row of the calibration table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: String,
    pub figure: String,
    pub observed: f64,
    pub simulated: f64,
    pub ci95: [f64; 2],
    pub tolerance: Tolerance,
    pub within: bool,
    pub source: String,
}

/// Per-run numerators and denominators of every reference, gathered as runs finish.
pub struct Collector {
    refs: Vec<Reference>,
    /// [reference][run] = (num, den)
    values: Vec<Vec<(f64, f64)>>,
}

impl Collector {
    pub fn new(refs: Vec<Reference>) -> Self {
        let values = vec![Vec::new(); refs.len()];
        Collector { refs, values }
    }

    pub fn add(&mut self, s: &Scenario, r: &RunRecord) {
        for (k, rf) in self.refs.iter().enumerate() {
            self.values[k].push(measure(s, rf.measure, r));
        }
    }

    /// The table, with bootstrap intervals (1,000 resamples, fixed seed).
    pub fn rows(&self) -> Vec<Row> {
        self.refs
            .iter()
            .zip(&self.values)
            .map(|(rf, v)| {
                let simulated = ratio(v.iter().copied());
                let ci95 = bootstrap(v, 1000);
                let within = match rf.tolerance {
                    Tolerance::Within(x) => (simulated - rf.observed).abs() <= x,
                    Tolerance::AtMost(x) => simulated <= x,
                    Tolerance::Factor(f) => simulated >= rf.observed / f && simulated <= rf.observed * f,
                };
                Row {
                    id: rf.id.clone(),
                    figure: rf.figure.clone(),
                    observed: rf.observed,
                    simulated,
                    ci95,
                    tolerance: rf.tolerance,
                    within,
                    source: rf.source.clone(),
                }
            })
            .collect()
    }
}

fn ratio(v: impl Iterator<Item = (f64, f64)>) -> f64 {
    let (n, d) = v.fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    if d > 0.0 { n / d } else { f64::NAN }
}

fn bootstrap(v: &[(f64, f64)], resamples: usize) -> [f64; 2] {
    if v.is_empty() {
        return [f64::NAN, f64::NAN];
    }
    let mut rng = ChaCha8Rng::seed_from_u64(0x00CA_11B4);
    let mut stats: Vec<f64> = (0..resamples)
        .map(|_| ratio((0..v.len()).map(|_| v[rng.random_range(0..v.len())])))
        .filter(|x| x.is_finite())
        .collect();
    if stats.is_empty() {
        return [f64::NAN, f64::NAN];
    }
    stats.sort_by(f64::total_cmp);
    let at = |q: f64| stats[((q * stats.len() as f64) as usize).min(stats.len() - 1)];
    [at(0.025), at(0.975)]
}

/// Tolerance as words, for tables.
pub fn tolerance_text(t: Tolerance, observed: f64) -> String {
    match t {
        Tolerance::Within(x) => format!("±{x}"),
        Tolerance::AtMost(x) => format!("≤ {x}"),
        Tolerance::Factor(f) => format!("{:.1}–{:.1}", observed / f, observed * f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse() {
        let r = references();
        assert!(r.len() >= 5);
        assert!(r.iter().all(|x| !x.source.is_empty()));
    }

    #[test]
    fn bootstrap_brackets_the_ratio() {
        let v: Vec<(f64, f64)> = (0..200).map(|i| (f64::from(i % 3), 2.0)).collect();
        let [lo, hi] = bootstrap(&v, 500);
        let r = ratio(v.iter().copied());
        assert!(lo <= r && r <= hi, "{lo} {r} {hi}");
    }
}
