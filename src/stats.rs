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

/// What values a per-run quantity can take, which decides the interval of its mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Any real number: the t-interval.
    Any,
    /// Never negative (downtime, counts, harm): an interval that stays at or above 0.
    NonNegative,
    /// 0 or 1 in each run: the mean is a share, with its Wilson interval.
    Indicator,
}

impl Moments {
    /// The 95% interval of the mean that suits what the quantity can be.
    pub fn ci95_as(&self, bound: Bound) -> (f64, f64) {
        match bound {
            Bound::Any => self.ci95(),
            Bound::NonNegative => self.ci95_non_negative(),
            Bound::Indicator => {
                let k = (self.sum as f64 / FP).round().max(0.0) as u64;
                wilson95(k, self.n)
            }
        }
    }

    /// 95% interval of the mean of a quantity that is never negative. Such data are
    /// often mostly zeros with a long right tail (downtime), where mean ± t·sd/√n
    /// runs below 0. The mean's sampling distribution is matched by a gamma
    /// distribution with the same mean and variance (shape n·mean²/sd², scale
    /// sd²/(n·mean)), and the interval is its 2.5% and 97.5% quantiles: never below
    /// 0, skewed as the data are, and the t-interval again when the mean is far from 0.
    pub fn ci95_non_negative(&self) -> (f64, f64) {
        if self.n < 2 {
            return (f64::NAN, f64::NAN);
        }
        let (m, sd) = (self.mean(), self.sd());
        if m <= 0.0 || sd == 0.0 {
            // All zero (or all equal): nothing varies to make an interval of.
            return (m.max(0.0), m.max(0.0));
        }
        let n = self.n as f64;
        let shape = n * m * m / (sd * sd);
        let scale = sd * sd / (n * m);
        (scale * gamma_quantile(shape, 0.025), scale * gamma_quantile(shape, 0.975))
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; about 15 significant digits).
fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let mut a = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularized lower incomplete gamma function P(a, x): the gamma(a, 1)
/// distribution function at x (series below a + 1, continued fraction above).
pub fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let front = (-x + a * x.ln() - ln_gamma(a)).exp();
    if x < a + 1.0 {
        let (mut term, mut sum, mut k) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            k += 1.0;
            term *= x / k;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (sum * front).min(1.0)
    } else {
        // Lentz's method for the continued fraction of Q(a, x).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (1.0 - front * h).max(0.0)
    }
}

/// The `p` quantile of the gamma(shape, 1) distribution, by bisection on [`gamma_p`].
pub fn gamma_quantile(shape: f64, p: f64) -> f64 {
    if shape.is_nan() || shape <= 0.0 || !(0.0..1.0).contains(&p) {
        return f64::NAN;
    }
    let mut hi = shape.max(1.0);
    while gamma_p(shape, hi) < p {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if gamma_p(shape, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-14 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
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

    #[test]
    fn gamma_quantiles_match_known_values() {
        // Chi-square with k degrees of freedom is gamma(k/2) scaled by 2.
        for (k, p, q) in
            [(1.0, 0.975, 5.023886), (2.0, 0.025, 0.050636), (10.0, 0.975, 20.483177), (10.0, 0.025, 3.246973)]
        {
            let x = 2.0 * gamma_quantile(k / 2.0, p);
            assert!((x - q).abs() < 1e-5, "chi2({k}) at {p}: {x} vs {q}");
        }
        assert!((gamma_p(3.0, 2.0) - 0.3233235838169366).abs() < 1e-12);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn a_non_negative_quantity_gets_an_interval_at_or_above_zero() {
        // 1,000 runs, 998 with no downtime and 2 with 15 asset-turns: the t-interval
        // of the mean (0.03 ± 0.042) goes below 0; the gamma interval does not, and
        // holds the mean.
        let mut m = Moments::default();
        m.add_n(0.0, 998);
        m.add_n(15.0, 2);
        let (tlo, _) = m.ci95();
        let (lo, hi) = m.ci95_non_negative();
        assert!(tlo < 0.0, "{tlo}");
        assert!(lo > 0.0 && lo < m.mean() && hi > m.mean(), "[{lo}, {hi}] around {}", m.mean());
        assert!(hi > m.ci95().1, "skewed to the right: {hi}");
        // Far from 0 it agrees with the t-interval.
        let mut big = Moments::default();
        (0..2000).for_each(|i| big.add(10.0 + (i % 7) as f64));
        let ((a, b), (c, d)) = (big.ci95(), big.ci95_non_negative());
        assert!((a - c).abs() < 0.01 && (b - d).abs() < 0.01, "[{a}, {b}] vs [{c}, {d}]");
        // All zero: [0, 0]; an indicator: its Wilson interval.
        let mut z = Moments::default();
        z.add_n(0.0, 50);
        assert_eq!(z.ci95_as(Bound::NonNegative), (0.0, 0.0));
        let mut ind = Moments::default();
        ind.add_n(1.0, 3);
        ind.add_n(0.0, 97);
        assert_eq!(ind.ci95_as(Bound::Indicator), wilson95(3, 100));
    }
}
