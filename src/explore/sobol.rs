//! Sobol' indices: the share of an output's variance due to each input alone (first
//! order) and with all its interactions (total). The Saltelli design evaluates the model
//! on two independent matrices A and B of a scrambled Sobol' sequence and on each AB_i
//! (A with column i taken from B): N (d + 2) evaluations. Estimators are Saltelli et al.
//! 2010 for the first order and Jansen 1999 for the total, the pair recommended there;
//! intervals are bootstrap percentiles over the N rows.

use serde::Serialize;

use super::bootstrap95_many;

/// Which evaluation a design row is: in A, in B, or in AB_i.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Block {
    A,
    B,
    AB(usize),
}

/// The Saltelli design in the unit cube, in evaluation order: for each base row j, its
/// A point, its B point, then AB_1..AB_d. Rows of the same j stay together so a design
/// split across shards keeps whole rows.
pub fn design(d: usize, n: usize, seed: u32) -> Vec<(usize, Block, Vec<f64>)> {
    assert!(2 * d <= 256, "the Sobol' sequence has 256 dimensions: at most 128 inputs");
    let mut out = Vec::with_capacity(n * (d + 2));
    for j in 0..n {
        let a: Vec<f64> = (0..d).map(|i| f64::from(sobol_burley::sample(j as u32, i as u32, seed))).collect();
        let b: Vec<f64> = (0..d).map(|i| f64::from(sobol_burley::sample(j as u32, (d + i) as u32, seed))).collect();
        let abs: Vec<Vec<f64>> = (0..d)
            .map(|i| {
                let mut ab = a.clone();
                ab[i] = b[i];
                ab
            })
            .collect();
        out.push((j, Block::A, a));
        out.push((j, Block::B, b));
        out.extend(abs.into_iter().enumerate().map(|(i, ab)| (j, Block::AB(i), ab)));
    }
    out
}

/// First-order indices, total indices and the variance, on some base rows.
type Estimate = (Vec<f64>, Vec<f64>, f64);

/// First-order and total indices with 95% bootstrap intervals.
#[derive(Debug, Clone, Serialize)]
pub struct Indices {
    pub first: Vec<f64>,
    pub first_ci: Vec<[f64; 2]>,
    pub total: Vec<f64>,
    pub total_ci: Vec<[f64; 2]>,
    /// Variance of the output over A and B.
    pub variance: f64,
}

/// Model outputs on the design, by base row: f(A_j), f(B_j), f(AB_i,j).
#[derive(Debug, Clone)]
pub struct Outputs {
    pub a: Vec<f64>,
    pub b: Vec<f64>,
    /// [i][j]
    pub ab: Vec<Vec<f64>>,
}

impl Outputs {
    /// Sorts evaluations (in any order) into their blocks.
    pub fn collect(d: usize, n: usize, evals: impl IntoIterator<Item = (usize, Block, f64)>) -> Outputs {
        let mut o = Outputs { a: vec![f64::NAN; n], b: vec![f64::NAN; n], ab: vec![vec![f64::NAN; n]; d] };
        for (j, block, y) in evals {
            match block {
                Block::A => o.a[j] = y,
                Block::B => o.b[j] = y,
                Block::AB(i) => o.ab[i][j] = y,
            }
        }
        o
    }

    /// The estimates on base rows `rows` (all of them, or a bootstrap resample).
    fn estimate(&self, rows: &[usize]) -> Estimate {
        let n = rows.len() as f64;
        let mean = rows.iter().map(|&j| self.a[j] + self.b[j]).sum::<f64>() / (2.0 * n);
        let var = rows.iter().map(|&j| (self.a[j] - mean).powi(2) + (self.b[j] - mean).powi(2)).sum::<f64>()
            / (2.0 * n - 1.0);
        let mut first = Vec::with_capacity(self.ab.len());
        let mut total = Vec::with_capacity(self.ab.len());
        for ab in &self.ab {
            let s: f64 = rows.iter().map(|&j| self.b[j] * (ab[j] - self.a[j])).sum::<f64>() / n;
            let t: f64 = rows.iter().map(|&j| (self.a[j] - ab[j]).powi(2)).sum::<f64>() / (2.0 * n);
            first.push(if var > 0.0 { s / var } else { f64::NAN });
            total.push(if var > 0.0 { t / var } else { f64::NAN });
        }
        (first, total, var)
    }

    /// The indices over the first `n` base rows (all: `self.a.len()`), with intervals from
    /// `resamples` bootstrap resamples.
    pub fn indices(&self, n: usize, resamples: usize, seed: u64) -> Indices {
        let rows: Vec<usize> = (0..n.min(self.a.len())).collect();
        let (first, total, variance) = self.estimate(&rows);
        let d = self.ab.len();
        // Every index from each resample of the rows: one estimate per resample.
        let mut ci = bootstrap95_many(rows.len(), resamples, seed, 2 * d, |idx| {
            let sel: Vec<usize> = idx.iter().map(|&k| rows[k]).collect();
            let (f, t, _) = self.estimate(&sel);
            f.into_iter().chain(t).collect()
        });
        let total_ci = ci.split_off(d);
        Indices { first, first_ci: ci, total, total_ci, variance }
    }
}

/// The share of the output's variance that is seed noise, from R replicates at each of
/// several points: the mean within-point variance over the variance of all runs.
pub fn noise_share(values: &[Vec<f64>]) -> f64 {
    let all: Vec<f64> = values.iter().flatten().copied().collect();
    if all.len() < 2 {
        return f64::NAN;
    }
    let var = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)
    };
    let total = var(&all);
    let within: Vec<f64> = values.iter().filter(|v| v.len() >= 2).map(|v| var(v)).collect();
    if within.is_empty() || total <= 0.0 {
        return f64::NAN;
    }
    (within.iter().sum::<f64>() / within.len() as f64 / total).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(d: usize, n: usize, f: impl Fn(&[f64]) -> f64) -> Indices {
        let evals = design(d, n, 7).into_iter().map(|(j, b, x)| (j, b, f(&x)));
        Outputs::collect(d, n, evals).indices(n, 200, 1)
    }

    #[test]
    fn the_design_has_n_times_d_plus_2_points_and_ab_differs_in_one_column() {
        let d = design(3, 8, 1);
        assert_eq!(d.len(), 8 * 5);
        let (a, ab1) = (&d[0].2, &d[2].2);
        assert_eq!((d[0].1, d[1].1, d[2].1), (Block::A, Block::B, Block::AB(0)));
        assert_eq!(ab1[1..], a[1..]);
        assert_eq!(ab1[0], d[1].2[0]);
    }

    #[test]
    fn noise_share_separates_seed_noise_from_effects() {
        // Points differ by 0, 10, 20; replicates by ±1: noise is a small share.
        let v = vec![vec![-1.0, 1.0], vec![9.0, 11.0], vec![19.0, 21.0]];
        let s = noise_share(&v);
        assert!(s > 0.0 && s < 0.05, "{s}");
        let pure = vec![vec![-1.0, 1.0], vec![-1.0, 1.0]];
        assert!((noise_share(&pure) - 1.0).abs() < 0.5);
    }

    #[test]
    fn ishigami_indices_are_recovered() {
        // Ishigami & Homma 1990, a = 7, b = 0.1, inputs uniform on [-π, π]:
        // S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
        let pi = std::f64::consts::PI;
        let f = |u: &[f64]| {
            let x: Vec<f64> = u.iter().map(|v| -pi + 2.0 * pi * v).collect();
            x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
        };
        let ix = run(3, 4096, f);
        let s = [0.3139, 0.4424, 0.0];
        let st = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            assert!((ix.first[i] - s[i]).abs() < 0.03, "S{}: {} vs {}", i + 1, ix.first[i], s[i]);
            assert!((ix.total[i] - st[i]).abs() < 0.03, "ST{}: {} vs {}", i + 1, ix.total[i], st[i]);
            assert!(ix.first_ci[i][0] <= ix.first[i] && ix.first[i] <= ix.first_ci[i][1]);
        }
    }

    #[test]
    fn sobol_g_function_indices_are_recovered() {
        // G(x) = Π (|4x − 2| + a) / (1 + a): V_i = 1 / (3 (1 + a_i)²), V = Π (1 + V_i) − 1.
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
        let f = |x: &[f64]| x.iter().zip(&a).map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a)).product::<f64>();
        let vi: Vec<f64> = a.iter().map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a))).collect();
        let v = vi.iter().map(|x| 1.0 + x).product::<f64>() - 1.0;
        let ix = run(a.len(), 8192, f);
        for i in 0..a.len() {
            let s = vi[i] / v;
            let st = vi[i] * vi.iter().enumerate().filter(|(k, _)| *k != i).map(|(_, x)| 1.0 + x).product::<f64>() / v;
            assert!((ix.first[i] - s).abs() < 0.03, "S{}: {} vs {s}", i + 1, ix.first[i]);
            assert!((ix.total[i] - st).abs() < 0.03, "ST{}: {} vs {st}", i + 1, ix.total[i]);
        }
    }
}
