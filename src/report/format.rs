//! How the report writes numbers: a value with its interval, a number for a reader,
//! a percentage. Every chart, table and page uses these, so one figure reads the
//! same wherever it appears.

use super::data;
use crate::stats::wilson95;

/// A value with a 95% interval (NaN where the files hold none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Interval {
    pub fn of_share(s: &data::Share) -> Interval {
        let f = |x: Option<f64>| x.unwrap_or(f64::NAN);
        Interval { value: f(s.share), lo: f(s.ci95[0]), hi: f(s.ci95[1]) }
    }
    pub fn of_mean(m: &data::MeanCi) -> Interval {
        let f = |x: Option<f64>| x.unwrap_or(f64::NAN);
        Interval { value: f(m.mean), lo: f(m.ci95[0]), hi: f(m.ci95[1]) }
    }
    /// A share `k / n` with its Wilson interval.
    pub fn wilson(k: u64, n: u64) -> Interval {
        let (lo, hi) = wilson95(k, n);
        Interval { value: if n == 0 { f64::NAN } else { k as f64 / n as f64 }, lo, hi }
    }
    /// The interval's ends, when it has both.
    pub fn ci(&self) -> Option<(f64, f64)> {
        (self.lo.is_finite() && self.hi.is_finite()).then_some((self.lo, self.hi))
    }
}

/// Decimals that show a number of this size to about three significant digits
/// (two below 1).
fn decimals(a: f64) -> usize {
    if !a.is_finite() || a == 0.0 || a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        ((-a.log10().floor()) as usize + 1).min(9)
    }
}

fn fixed(x: f64, d: usize) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    if x.abs() >= 1000.0 && d == 0 {
        let s = data::thousands(x.abs().round() as u64);
        return if x < 0.0 { format!("−{s}") } else { s };
    }
    let s = format!("{x:.d$}");
    // No "-0.00".
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s.replacen('-', "−", 1)
    }
}

/// A number for a reader: 26.9, 3.21, 0.012, 1,234 (no trailing zeros).
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let s = fixed(x, decimals(x.abs()));
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// A mean and its interval at one precision: ("1.49", "[1.48–1.50]").
pub fn num_ci(i: &Interval) -> (String, String) {
    let d = decimals(i.value.abs().max(if i.value == 0.0 { i.hi.abs() } else { 0.0 }));
    let range = if i.lo.is_finite() && i.hi.is_finite() {
        format!("[{}–{}]", fixed(i.lo, d), fixed(i.hi, d))
    } else {
        String::new()
    };
    (fixed(i.value, d), range)
}

/// A proportion as a percentage: 64.1%, 0.19%, 0%.
pub fn pct(p: f64) -> String {
    if !p.is_finite() {
        return "n/a".into();
    }
    let v = p * 100.0;
    if v == 0.0 {
        "0%".into()
    } else if v == 100.0 {
        "100%".into()
    } else if v >= 99.95 {
        ">99.9%".into()
    } else if v >= 1.0 {
        format!("{v:.1}%")
    } else if v >= 0.01 {
        format!("{v:.2}%")
    } else {
        "<0.01%".into()
    }
}

/// An interval as `[a–b]` in the style of `f`.
pub fn range(i: &Interval, f: fn(f64) -> String) -> String {
    if i.lo.is_finite() && i.hi.is_finite() { format!("[{}–{}]", f(i.lo), f(i.hi)) } else { String::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(num(26.9), "26.9");
        assert_eq!(num(3.2071), "3.21");
        assert_eq!(num(0.012), "0.012");
        assert_eq!(num(0.0005), "0.0005");
        assert_eq!(num(0.003), "0.003");
        assert_eq!(num(2.30), "2.3");
        assert_eq!(num(15.0), "15");
        assert_eq!(num(-0.0001), "−0.0001");
        let i = Interval { value: 1.49, lo: 1.48, hi: 1.5 };
        assert_eq!(num_ci(&i), ("1.49".to_string(), "[1.48–1.50]".to_string()));
        let z = Interval { value: 0.001, lo: -0.00096, hi: 0.00296 };
        assert_eq!(num_ci(&z).1, "[−0.0010–0.0030]");
        assert_eq!(num(1234.4), "1,234");
        assert_eq!(num(0.0), "0");
        assert_eq!(pct(0.641), "64.1%");
        assert_eq!(pct(0.001917), "0.19%");
        assert_eq!(pct(0.0), "0%");
        assert_eq!(pct(1.0), "100%");
    }
}
