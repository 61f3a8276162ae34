//! Small statistics: exact mergeable moments, intervals.
//!
//! Batch aggregates must be byte-identical however runs are split across threads and
//! shards, so sums are kept in fixed point (integers), where addition is exact and
//! associative; floating point appears only when a figure is finally written.

use serde::{Deserialize, Serialize};

/// Fixed-point scale: six decimal places.
pub const FP: f64 = 1_000_000.0;

/// A value in fixed point.
pub fn fp(x: f64) -> i64 {
    (x * FP).round() as i64
}

/// Count, sum and sum of squares in fixed point: mergeable exactly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moments {
    pub n: u64,
    /// Σ x·FP
    #[serde(with = "i128_str")]
    pub sum: i128,
    /// Σ (x·FP)²
    #[serde(with = "i128_str")]
    pub sumsq: i128,
}

impl Moments {
    pub fn add(&mut self, x: f64) {
        let v = i128::from(fp(x));
        self.n += 1;
        self.sum += v;
        self.sumsq += v * v;
    }
    /// Adds one observation already in fixed point.
    pub fn add_fp(&mut self, v: i64) {
        let v = i128::from(v);
        self.n += 1;
        self.sum += v;
        self.sumsq += v * v;
    }

    /// Adds `count` observations of `x`.
    pub fn add_n(&mut self, x: f64, count: u64) {
        let v = i128::from(fp(x));
        let c = i128::from(count);
        self.n += count;
        self.sum += v * c;
        self.sumsq += v * v * c;
    }
    pub fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.sum += o.sum;
        self.sumsq += o.sumsq;
    }
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.sum as f64 / self.n as f64 / FP }
    }
    /// Sample standard deviation.
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let n = self.n as i128;
        // n·Σx² − (Σx)² is exact in integers; only the final division is floating point.
        let num = n * self.sumsq - self.sum * self.sum;
        let var = num as f64 / (n as f64 * (n as f64 - 1.0)) / (FP * FP);
        var.max(0.0).sqrt()
    }
    /// 95% confidence interval of the mean (normal approximation; t for small n).
    pub fn ci95(&self) -> (f64, f64) {
        if self.n == 0 {
            return (f64::NAN, f64::NAN);
        }
        let h = t95(self.n.saturating_sub(1)) * self.sd() / (self.n as f64).sqrt();
        (self.mean() - h, self.mean() + h)
    }
}

/// Two-sided 95% quantile of Student's t with `df` degrees of freedom.
pub fn t95(df: u64) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df as usize - 1],
        31..=60 => 2.000,
        61..=120 => 1.980,
        _ => 1.960,
    }
}

/// Wilson score 95% interval for a proportion `k / n`.
pub fn wilson95(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let z = 1.959_963_984_540_054_f64;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Exact (Garwood) 95% interval for the mean of a Poisson count `k`.
pub fn poisson95(k: u64) -> (f64, f64) {
    // P(X <= k; λ), summed term by term (counts here are small).
    let cdf = |k: u64, lambda: f64| -> f64 {
        let mut term = (-lambda).exp();
        let mut sum = term;
        for i in 1..=k {
            term *= lambda / i as f64;
            sum += term;
        }
        sum
    };
    // Both ends are roots of a function monotone in λ: bisect.
    let solve = |f: &dyn Fn(f64) -> f64| {
        let (mut lo, mut hi) = (0.0_f64, 10.0 + 10.0 * k as f64);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if f(mid) > 0.0 { lo = mid } else { hi = mid }
        }
        0.5 * (lo + hi)
    };
    let lower = if k == 0 { 0.0 } else { solve(&|l| 0.025 - (1.0 - cdf(k - 1, l))) };
    let upper = solve(&|l| cdf(k, l) - 0.025);
    (lower, upper)
}

/// Rounds for output, so files stay readable (and identical across platforms).
pub fn round6(x: f64) -> f64 {
    if x.is_finite() { (x * FP).round() / FP } else { x }
}

mod i128_str {
    //! JSON numbers cannot hold every i128 exactly; write them as strings.
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_merge_exactly_in_any_grouping() {
        let xs: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.37).sin() * 10.0).collect();
        let mut all = Moments::default();
        xs.iter().for_each(|&x| all.add(x));
        let mut a = Moments::default();
        let mut b = Moments::default();
        xs[..333].iter().for_each(|&x| a.add(x));
        xs[333..].iter().for_each(|&x| b.add(x));
        b.merge(&a);
        assert_eq!(all, b);
        assert_eq!(all.mean().to_bits(), b.mean().to_bits());
    }

    #[test]
    fn poisson_interval_matches_published_tables() {
        // Garwood's exact interval: k = 0 → (0, 3.689), k = 2 → (0.2422, 7.2247).
        let (lo, hi) = poisson95(0);
        assert!(lo == 0.0 && (hi - 3.6889).abs() < 1e-3, "{lo} {hi}");
        let (lo, hi) = poisson95(2);
        assert!((lo - 0.2422).abs() < 1e-3 && (hi - 7.2247).abs() < 1e-3, "{lo} {hi}");
    }

    #[test]
    fn sd_and_intervals() {
        let mut m = Moments::default();
        for x in [1.0, 2.0, 3.0, 4.0] {
            m.add(x);
        }
        assert!((m.mean() - 2.5).abs() < 1e-12);
        assert!((m.sd() - 1.2909944487358056).abs() < 1e-9);
        let (lo, hi) = wilson95(50, 100);
        assert!(lo < 0.5 && hi > 0.5 && (0.5 - lo - (hi - 0.5)).abs() < 1e-9);
        assert_eq!(wilson95(0, 10).0, 0.0);
    }
}
