//! Uncertain inputs and how a point of the unit cube becomes their values.

use serde::{Deserialize, Serialize};

/// How an input's values are spread over its range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Distribution {
    Uniform,
    /// Uniform in the logarithm: for inputs known to an order of magnitude.
    LogUniform,
    /// Triangular with this mode.
    Triangular(f64),
    /// One of these values, equally likely.
    Discrete(Vec<f64>),
}

/// One uncertain input: an override path, its range and its distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Input {
    pub path: String,
    pub lo: f64,
    pub hi: f64,
    pub distribution: Distribution,
}

impl Input {
    pub fn uniform(path: &str, lo: f64, hi: f64) -> Input {
        Input { path: path.into(), lo, hi, distribution: Distribution::Uniform }
    }

    /// The value at quantile `u` in [0, 1) (the inverse distribution function).
    pub fn at(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        let (lo, hi) = (self.lo, self.hi);
        // exp(ln) can land a rounding error outside the range; the range is a hard bound.
        let v = match &self.distribution {
            Distribution::Uniform => lo + (hi - lo) * u,
            Distribution::LogUniform => (lo.ln() + (hi.ln() - lo.ln()) * u).exp(),
            Distribution::Triangular(c) => {
                let f = (c - lo) / (hi - lo);
                if u < f {
                    lo + (u * (hi - lo) * (c - lo)).sqrt()
                } else {
                    hi - ((1.0 - u) * (hi - lo) * (hi - c)).sqrt()
                }
            }
            Distribution::Discrete(v) => return v[((u * v.len() as f64) as usize).min(v.len() - 1)],
        };
        v.clamp(lo, hi)
    }

    /// What is wrong with the input, if anything.
    pub fn problem(&self) -> Option<String> {
        if !(self.lo.is_finite() && self.hi.is_finite() && self.lo < self.hi) {
            return Some(format!("`{}`: the range must run from a lower to a higher number", self.path));
        }
        match &self.distribution {
            Distribution::LogUniform if self.lo <= 0.0 => {
                Some(format!("`{}`: a log-uniform range must be above 0 (it starts at {})", self.path, self.lo))
            }
            Distribution::Triangular(c) if !(self.lo..=self.hi).contains(c) => {
                Some(format!("`{}`: the mode {c} lies outside {}..{}", self.path, self.lo, self.hi))
            }
            Distribution::Discrete(v) if v.is_empty() => Some(format!("`{}`: a discrete list needs values", self.path)),
            _ => None,
        }
    }
}

/// Latin hypercube: `n` points in the unit cube of `d` dimensions, each dimension's
/// strata used once (a random spot in each, strata shuffled independently per dimension).
pub fn latin_hypercube(d: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
    use rand::seq::SliceRandom;
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x1A71_4C0B);
    let mut cols = Vec::with_capacity(d);
    for _ in 0..d {
        let mut strata: Vec<usize> = (0..n).collect();
        strata.shuffle(&mut rng);
        cols.push(strata.into_iter().map(|k| (k as f64 + rng.random::<f64>()) / n as f64).collect::<Vec<f64>>());
    }
    (0..n).map(|i| cols.iter().map(|c| c[i]).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_map_onto_each_distribution() {
        let u = Input::uniform("a", 2.0, 4.0);
        assert_eq!(u.at(0.5), 3.0);
        let l = Input { distribution: Distribution::LogUniform, ..Input::uniform("a", 0.01, 1.0) };
        assert!((l.at(0.5) - 0.1).abs() < 1e-12);
        let t = Input { distribution: Distribution::Triangular(1.0), ..Input::uniform("a", 0.0, 4.0) };
        assert!((t.at(0.25) - 1.0).abs() < 1e-12, "the mode sits at the quantile (c − lo)/(hi − lo)");
        let d = Input { distribution: Distribution::Discrete(vec![1.0, 2.0, 5.0]), ..Input::uniform("a", 1.0, 5.0) };
        assert_eq!((d.at(0.0), d.at(0.5), d.at(0.99)), (1.0, 2.0, 5.0));
        assert!(Input { distribution: Distribution::LogUniform, ..Input::uniform("a", 0.0, 1.0) }.problem().is_some());
    }
}
