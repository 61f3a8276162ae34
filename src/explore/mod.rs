//! Global sensitivity analysis and scenario discovery: the estimators behind
//! `escalate explore`, kept free of the simulation so that each can be checked against
//! functions whose answers are known (Ishigami, Sobol' G, planted boxes).
//!
//! `space` maps the unit cube onto declared inputs; `sobol` holds the Saltelli design
//! and the Saltelli 2010 / Jansen estimators; `morris` the elementary-effects screening;
//! `prim` Friedman & Fisher's patient rule induction for scenario discovery. Only
//! `study` touches the simulation: it reads a space and runs a design.

pub mod morris;
pub mod prim;
pub mod sobol;
pub mod space;
pub mod study;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A 95% percentile-bootstrap interval of `stat` over `n` rows resampled with
/// replacement (`resamples` times, fixed seed: the same data give the same interval).
pub fn bootstrap95(n: usize, resamples: usize, seed: u64, mut stat: impl FnMut(&[usize]) -> f64) -> [f64; 2] {
    if n == 0 {
        return [f64::NAN, f64::NAN];
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xB007_57A9);
    let mut idx = vec![0usize; n];
    let mut stats: Vec<f64> = (0..resamples)
        .map(|_| {
            idx.iter_mut().for_each(|i| *i = rng.random_range(0..n));
            stat(&idx)
        })
        .filter(|x| x.is_finite())
        .collect();
    if stats.is_empty() {
        return [f64::NAN, f64::NAN];
    }
    stats.sort_by(f64::total_cmp);
    let at = |q: f64| stats[((q * stats.len() as f64) as usize).min(stats.len() - 1)];
    [at(0.025), at(0.975)]
}
