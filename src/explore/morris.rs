//! Morris screening (Morris 1991; μ* from Campolongo, Cariboni & Saltelli 2007): r
//! trajectories through a p-level grid, each moving one input at a time by Δ, give one
//! elementary effect per input per trajectory. μ* (the mean absolute effect) ranks
//! inputs by influence; σ (their spread) flags non-linearity or interaction. r (d + 1)
//! evaluations.

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::bootstrap95_many;

/// One trajectory: d + 1 points of the unit cube, and which input moved at each step
/// (step k moves `order[k]` from point k to point k + 1, by `delta[k]`).
#[derive(Debug, Clone)]
pub struct Trajectory {
    pub points: Vec<Vec<f64>>,
    pub order: Vec<usize>,
    pub delta: Vec<f64>,
}

/// `r` trajectories in `d` dimensions on a `levels`-level grid (even; 4 is usual), with
/// Δ = levels / (2 (levels − 1)). Each step goes up or down at random, staying in [0, 1].
pub fn trajectories(d: usize, r: usize, levels: usize, seed: u64) -> Vec<Trajectory> {
    assert!(levels >= 2 && levels.is_multiple_of(2), "Morris needs an even number of levels");
    let step = levels as f64 / (2.0 * (levels as f64 - 1.0));
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x303A_5215);
    (0..r)
        .map(|_| {
            let mut x: Vec<f64> = (0..d).map(|_| rng.random_range(0..levels) as f64 / (levels as f64 - 1.0)).collect();
            let mut order: Vec<usize> = (0..d).collect();
            order.shuffle(&mut rng);
            let mut points = vec![x.clone()];
            let mut delta = Vec::with_capacity(d);
            for &i in &order {
                let up = if x[i] + step > 1.0 + 1e-12 {
                    false
                } else if x[i] - step < -1e-12 {
                    true
                } else {
                    rng.random::<bool>()
                };
                let dv = if up { step } else { -step };
                x[i] += dv;
                delta.push(dv);
                points.push(x.clone());
            }
            Trajectory { points, order, delta }
        })
        .collect()
}

/// μ, μ* and σ of one input's elementary effects, each with a 95% bootstrap interval
/// over the trajectories.
#[derive(Debug, Clone, Serialize)]
pub struct Effects {
    pub mu: f64,
    pub mu_ci: [f64; 2],
    pub mu_star: f64,
    pub mu_star_ci: [f64; 2],
    pub sigma: f64,
    pub sigma_ci: [f64; 2],
}

/// μ, μ* and σ of elementary effects (σ with the r − 1 divisor; 0 for one effect).
fn moments(e: impl Iterator<Item = f64> + Clone) -> [f64; 3] {
    let r = e.clone().count() as f64;
    let mu = e.clone().sum::<f64>() / r;
    let mu_star = e.clone().map(f64::abs).sum::<f64>() / r;
    let sigma = if r > 1.0 { (e.map(|x| (x - mu).powi(2)).sum::<f64>() / (r - 1.0)).sqrt() } else { 0.0 };
    [mu, mu_star, sigma]
}

/// The elementary effects of each input (in output units per unit of the cube), from
/// the outputs at each trajectory's points (`y[t][k]`: trajectory t, point k).
pub fn effects(d: usize, trajs: &[Trajectory], y: &[Vec<f64>], resamples: usize, seed: u64) -> Vec<Effects> {
    // ee[i][t]
    let mut ee = vec![vec![0.0; trajs.len()]; d];
    for (t, tr) in trajs.iter().enumerate() {
        for (k, &i) in tr.order.iter().enumerate() {
            ee[i][t] = (y[t][k + 1] - y[t][k]) / tr.delta[k];
        }
    }
    ee.iter()
        .map(|e| {
            let [mu, mu_star, sigma] = moments(e.iter().copied());
            let ci = bootstrap95_many(e.len(), resamples, seed, 3, |idx| moments(idx.iter().map(|&k| e[k])).to_vec());
            Effects { mu, mu_ci: ci[0], mu_star, mu_star_ci: ci[1], sigma, sigma_ci: ci[2] }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trajectories_move_one_input_at_a_time_by_delta() {
        for tr in trajectories(5, 20, 4, 3) {
            assert_eq!(tr.points.len(), 6);
            for k in 0..5 {
                let moved: Vec<usize> = (0..5).filter(|&i| tr.points[k][i] != tr.points[k + 1][i]).collect();
                assert_eq!(moved, vec![tr.order[k]]);
                assert!((tr.delta[k].abs() - 2.0 / 3.0).abs() < 1e-12);
                assert!(tr.points[k + 1].iter().all(|v| (-1e-12..=1.0 + 1e-12).contains(v)));
            }
        }
    }

    #[test]
    fn inert_inputs_rank_last() {
        // Inputs 0 and 2 matter (2 non-linearly, with an interaction); 1, 3 and 4 are inert.
        let f = |x: &[f64]| 5.0 * x[0] + 3.0 * x[2] * x[2] + 2.0 * x[0] * x[2];
        let trajs = trajectories(5, 30, 4, 11);
        let y: Vec<Vec<f64>> = trajs.iter().map(|t| t.points.iter().map(|p| f(p)).collect()).collect();
        let e = effects(5, &trajs, &y, 200, 1);
        let mut rank: Vec<usize> = (0..5).collect();
        rank.sort_by(|&a, &b| e[b].mu_star.total_cmp(&e[a].mu_star));
        assert_eq!(&rank[..2], &[0, 2], "{e:?}");
        for i in [1, 3, 4] {
            assert!(e[i].mu_star.abs() < 1e-9 && e[i].sigma.abs() < 1e-9, "input {i} is inert: {:?}", e[i]);
        }
        assert!(e[2].sigma > 0.1, "a non-linear input has spread");
    }
}
