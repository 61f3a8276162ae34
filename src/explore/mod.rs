//! Global sensitivity analysis and scenario discovery: the estimators behind
//! `escalate explore`, kept free of the simulation so that each can be checked against
//! functions whose answers are known (Ishigami, Sobol' G, planted boxes).
//!
//! `space` maps the unit cube onto declared inputs; `sobol` holds the Saltelli design
//! and the Saltelli 2010 / Jansen estimators; `morris` the elementary-effects screening;
//! `prim` Friedman & Fisher's patient rule induction for scenario discovery. Only
//! `study` touches the simulation: it reads a space and runs a design.

pub mod analysis;
pub mod cart;
pub mod files;
pub mod morris;
pub mod plan;
pub mod prim;
pub mod sobol;
pub mod space;
pub mod study;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A 95% percentile-bootstrap interval of `stat` over `n` rows resampled with
/// replacement (`resamples` times, fixed seed: the same data give the same interval).
pub fn bootstrap95(n: usize, resamples: usize, seed: u64, mut stat: impl FnMut(&[usize]) -> f64) -> [f64; 2] {
    bootstrap95_many(n, resamples, seed, 1, |idx| vec![stat(idx)])[0]
}

/// [`bootstrap95`] of `k` statistics at once, on the same resamples: one pass over
/// the resamples however many statistics there are (a Sobol' analysis has 2d).
pub fn bootstrap95_many(
    n: usize,
    resamples: usize,
    seed: u64,
    k: usize,
    mut stat: impl FnMut(&[usize]) -> Vec<f64>,
) -> Vec<[f64; 2]> {
    if n == 0 {
        return vec![[f64::NAN, f64::NAN]; k];
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xB007_57A9);
    let mut idx = vec![0usize; n];
    let mut stats: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); k];
    for _ in 0..resamples {
        idx.iter_mut().for_each(|i| *i = rng.random_range(0..n));
        for (s, v) in stats.iter_mut().zip(stat(&idx)) {
            if v.is_finite() {
                s.push(v);
            }
        }
    }
    stats
        .into_iter()
        .map(|mut s| {
            if s.is_empty() {
                return [f64::NAN, f64::NAN];
            }
            s.sort_by(f64::total_cmp);
            let at = |q: f64| s[((q * s.len() as f64) as usize).min(s.len() - 1)];
            [at(0.025), at(0.975)]
        })
        .collect()
}
