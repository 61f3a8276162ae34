//! `calibrate --fit`: a search of named parameters for the values that best meet the
//! tuning targets. A Latin hypercube spreads the first evaluations over the whole box
//! (so the landscape is seen, not just a descent), then a compass search refines the
//! best point: try a step up and down in each dimension, move on improvement, halve the
//! steps when nothing improves. Derivative-free and robust to the noise of a finite
//! batch; every evaluation runs on the same seeds, so that noise is common to all points.

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One fitted input: an override path and its range.
#[derive(Debug, Clone, PartialEq)]
pub struct Dim {
    pub path: String,
    pub lo: f64,
    pub hi: f64,
}

/// Parses `PATH=LO..HI`.
pub fn parse_dim(s: &str) -> Result<Dim, String> {
    let hint = "write PATH=LO..HI, e.g. parameters.choice_temperature=0.2..0.8";
    let (path, range) = s.split_once('=').ok_or_else(|| format!("`{s}`: {hint}"))?;
    let (lo, hi) = range.split_once("..").ok_or_else(|| format!("`{s}`: no `..` in the range; {hint}"))?;
    let num = |x: &str| x.trim().parse::<f64>().map_err(|_| format!("`{s}`: `{x}` is not a number; {hint}"));
    let (lo, hi) = (num(lo)?, num(hi.trim_start_matches('='))?);
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(format!("`{s}`: the range must run from a lower to a higher number; {hint}"));
    }
    if path.trim().is_empty() {
        return Err(format!("`{s}`: no path; {hint}"));
    }
    Ok(Dim { path: path.trim().to_string(), lo, hi })
}

/// A Latin hypercube of `n` points in the box: each dimension's range is cut into `n`
/// equal strata and every stratum is used once, at a random spot within it.
pub fn latin_hypercube(dims: &[Dim], n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x1A71_4C0B);
    let mut columns: Vec<Vec<f64>> = Vec::with_capacity(dims.len());
    for d in dims {
        let mut strata: Vec<usize> = (0..n).collect();
        strata.shuffle(&mut rng);
        columns.push(
            strata.into_iter().map(|k| d.lo + (d.hi - d.lo) * (k as f64 + rng.random::<f64>()) / n as f64).collect(),
        );
    }
    (0..n).map(|i| columns.iter().map(|c| c[i]).collect()).collect()
}

/// Every point evaluated, in order, and which was best.
#[derive(Debug, Clone)]
pub struct Search {
    pub points: Vec<(Vec<f64>, f64)>,
    pub best: usize,
    /// Evaluations of the hypercube stage (the rest are the refinement's).
    pub design: usize,
}

/// Minimises `loss` over the box: `samples` hypercube points, then up to `rounds`
/// evaluations of compass search from the best of them.
pub fn search<E>(
    dims: &[Dim],
    samples: usize,
    rounds: usize,
    seed: u64,
    mut loss: impl FnMut(&[f64]) -> Result<f64, E>,
) -> Result<Search, E> {
    let mut points = Vec::new();
    for x in latin_hypercube(dims, samples.max(1), seed) {
        let l = loss(&x)?;
        points.push((x, l));
    }
    let design = points.len();
    let best_of =
        |p: &[(Vec<f64>, f64)]| (0..p.len()).min_by(|&a, &b| p[a].1.total_cmp(&p[b].1)).expect("at least one point");
    let mut best = best_of(&points);
    // The first steps are a quarter of the range, so the refinement can leave the
    // hypercube's best stratum if the noise put it there.
    let mut step: Vec<f64> = dims.iter().map(|d| (d.hi - d.lo) / 4.0).collect();
    let mut used = 0;
    'outer: while used < rounds {
        let mut moved = false;
        for (i, d) in dims.iter().enumerate() {
            for dir in [1.0, -1.0] {
                if used >= rounds {
                    break 'outer;
                }
                let mut x = points[best].0.clone();
                x[i] = (x[i] + dir * step[i]).clamp(d.lo, d.hi);
                if points.iter().any(|(p, _)| *p == x) {
                    continue;
                }
                let l = loss(&x)?;
                used += 1;
                points.push((x, l));
                if l < points[best].1 {
                    best = points.len() - 1;
                    moved = true;
                    break;
                }
            }
        }
        if !moved {
            step.iter_mut().for_each(|s| *s /= 2.0);
            if step.iter().zip(dims).all(|(s, d)| *s < (d.hi - d.lo) * 1e-3) {
                break;
            }
        }
    }
    Ok(Search { points, best, design })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypercube_uses_every_stratum_once() {
        let dims = [Dim { path: "a".into(), lo: 0.0, hi: 1.0 }, Dim { path: "b".into(), lo: 10.0, hi: 20.0 }];
        let pts = latin_hypercube(&dims, 10, 7);
        for (j, d) in dims.iter().enumerate() {
            let mut strata: Vec<usize> = pts.iter().map(|p| ((p[j] - d.lo) / (d.hi - d.lo) * 10.0) as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
    }

    #[test]
    fn search_finds_the_minimum_of_a_bowl() {
        let dims = [Dim { path: "a".into(), lo: -5.0, hi: 5.0 }, Dim { path: "b".into(), lo: 0.0, hi: 10.0 }];
        let s = search(&dims, 12, 60, 1, |x| Ok::<_, ()>((x[0] - 1.3).powi(2) + (x[1] - 7.2).powi(2))).unwrap();
        let b = &s.points[s.best].0;
        assert!((b[0] - 1.3).abs() < 0.05 && (b[1] - 7.2).abs() < 0.05, "{b:?}");
    }

    #[test]
    fn ranges_are_checked() {
        assert!(parse_dim("parameters.damage_scale=0.5..2").is_ok());
        assert!(parse_dim("parameters.damage_scale=2..0.5").unwrap_err().contains("lower to a higher"));
        assert!(parse_dim("parameters.damage_scale=0.5").unwrap_err().contains("`..`"));
        assert!(parse_dim("parameters.damage_scale").unwrap_err().contains("PATH=LO..HI"));
    }
}
