//! From per-run samples to a row of the calibration table: the simulated figure with its
//! bootstrap interval, the observed one with its interval, and the verdict.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::measure::Sample;
use super::targets::{Observed, Role, Target, Unit};

/// Bootstrap resamples per figure (fixed seed, so tables are reproducible).
pub const RESAMPLES: usize = 1000;

/// One row of the calibration table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: String,
    pub figure: String,
    pub role: Role,
    pub unit: Unit,
    /// The published figure, and the interval the simulated figure must fall in.
    pub observed: f64,
    pub observed_interval: [f64; 2],
    pub tolerance: String,
    /// The simulated figure (NaN when undefined: no denominator, or a median beyond
    /// every run's end) and its 95% percentile-bootstrap interval over runs.
    pub simulated: f64,
    pub ci95: [f64; 2],
    /// A median that no run reached: the event comes later than this many weeks.
    pub beyond: Option<f64>,
    pub within: bool,
    /// Runs that contributed.
    pub runs: u64,
    pub scenarios: Vec<String>,
    pub source: String,
    pub how: String,
}

impl Row {
    /// A verdict that counts: tuning and validation rows, not secondary ones.
    pub fn counts(&self) -> bool {
        self.role != Role::Secondary
    }

    /// How far the simulated figure sits from the observed one, in half-widths of the
    /// observed interval: |d| ≤ 1 exactly when it lies inside. A one-sided fact has no
    /// centre to aim at: 0 anywhere inside, 1 + the distance (relative to the bound)
    /// outside. The fit minimises the sum of squares.
    pub fn deviation(&self) -> f64 {
        let [lo, hi] = self.observed_interval;
        let x = if self.simulated.is_finite() { self.simulated } else { self.beyond.map_or(f64::NAN, |b| b * 1.5) };
        if !x.is_finite() {
            return 3.0;
        }
        if !(lo.is_finite() && hi.is_finite()) {
            let bound = if lo.is_finite() { lo } else { hi };
            let scale = bound.abs().max(1e-3);
            return if x >= lo && x <= hi { 0.0 } else { (1.0 + (x - bound).abs() / scale).copysign(x - bound) };
        }
        let centre = self.observed.clamp(lo, hi);
        let half = if x >= centre { hi - centre } else { centre - lo };
        if half > 0.0 { (x - centre) / half } else { 3.0 }
    }
}

/// The row of `t`, from its samples (`years`: the horizon, for scaled observations).
pub fn row(t: &Target, samples: &[Sample], years: f64, scenarios: Vec<String>) -> Row {
    let (observed, lo, hi) = t.observed.band(years);
    let used: Vec<Sample> = samples.iter().copied().filter(|s| *s != Sample::Nothing).collect();
    let (simulated, beyond) = statistic(&used);
    let ci95 = bootstrap(&used);
    let within = simulated.is_finite() && simulated >= lo && simulated <= hi;
    Row {
        id: t.id.clone(),
        figure: t.figure.clone(),
        role: t.role,
        unit: t.measure.unit(),
        observed,
        observed_interval: [lo, hi],
        tolerance: t.observed.describe(),
        simulated,
        ci95,
        beyond,
        within,
        runs: used.len() as u64,
        scenarios,
        source: t.source.clone(),
        how: t.how.clone(),
    }
}

/// Ratio of sums, or the Kaplan-Meier median (with the longest watch when the median
/// lies beyond it).
fn statistic(v: &[Sample]) -> (f64, Option<f64>) {
    if v.iter().any(|s| matches!(s, Sample::Time { .. })) {
        match km_median(v) {
            Ok(m) => (m, None),
            Err(longest) => (f64::NAN, Some(longest)),
        }
    } else {
        let (n, d) = v.iter().fold((0.0, 0.0), |(a, b), s| match s {
            Sample::Ratio(x, y) => (a + x, b + y),
            _ => (a, b),
        });
        (if d > 0.0 { n / d } else { f64::NAN }, None)
    }
}

/// The Kaplan-Meier median time to the event; `Err(longest watch)` when the survival
/// curve never falls to one half.
pub fn km_median(v: &[Sample]) -> Result<f64, f64> {
    // (time, is_event); at tied times events come before censorings, as usual.
    let mut obs: Vec<(f64, bool)> = v
        .iter()
        .filter_map(|s| match *s {
            Sample::Time { event: Some(t), .. } => Some((t, true)),
            Sample::Time { event: None, watched } => Some((watched, false)),
            _ => None,
        })
        .collect();
    obs.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut at_risk = obs.len() as f64;
    let mut survival = 1.0;
    let mut i = 0;
    while i < obs.len() {
        let t = obs[i].0;
        let (mut deaths, mut gone) = (0.0, 0.0);
        while i < obs.len() && obs[i].0 == t {
            if obs[i].1 {
                deaths += 1.0;
            }
            gone += 1.0;
            i += 1;
        }
        if deaths > 0.0 {
            survival *= 1.0 - deaths / at_risk;
            if survival <= 0.5 {
                return Ok(t);
            }
        }
        at_risk -= gone;
    }
    Err(obs.last().map_or(0.0, |o| o.0))
}

/// 95% percentile-bootstrap interval of the statistic, resampling runs. A median beyond
/// the horizon counts as +∞, so the upper end can be open.
fn bootstrap(v: &[Sample]) -> [f64; 2] {
    if v.is_empty() {
        return [f64::NAN, f64::NAN];
    }
    let mut rng = ChaCha8Rng::seed_from_u64(0x00CA_11B4);
    let mut buf = Vec::with_capacity(v.len());
    let mut stats: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            buf.clear();
            buf.extend((0..v.len()).map(|_| v[rng.random_range(0..v.len())]));
            match statistic(&buf) {
                (x, None) => x,
                (_, Some(_)) => f64::INFINITY,
            }
        })
        .filter(|x| !x.is_nan())
        .collect();
    if stats.is_empty() {
        return [f64::NAN, f64::NAN];
    }
    stats.sort_by(f64::total_cmp);
    let at = |q: f64| stats[((q * stats.len() as f64) as usize).min(stats.len() - 1)];
    [at(0.025), at(0.975)]
}

/// The fit's loss: the sum of squared deviations over the rows that count as tuning.
pub fn loss(rows: &[Row]) -> f64 {
    rows.iter().filter(|r| r.role == Role::Tuning).map(|r| r.deviation().powi(2)).sum()
}

/// The observed figure a synthetic target file gets for a simulated row: the simulated
/// value with an interval of twice its bootstrap half-width (at least 10% of the value).
pub fn synthetic(r: &Row) -> Option<Observed> {
    if !r.simulated.is_finite() {
        return None;
    }
    let x = r.simulated;
    let half = if r.ci95[0].is_finite() && r.ci95[1].is_finite() { (r.ci95[1] - r.ci95[0]).abs() } else { 0.0 };
    let w = half.max(0.1 * x.abs()).max(1e-3);
    Some(Observed::Between(x, x - w, x + w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(event: Option<f64>, watched: f64) -> Sample {
        Sample::Time { event, watched }
    }

    #[test]
    fn km_median_with_and_without_censoring() {
        let v = [t(Some(1.0), 9.0), t(Some(2.0), 9.0), t(Some(3.0), 9.0), t(None, 9.0)];
        assert_eq!(km_median(&v), Ok(2.0));
        // Censoring before the events raises the median's reach, not its value.
        let v = [t(None, 1.0), t(Some(2.0), 9.0), t(Some(4.0), 9.0), t(None, 9.0)];
        assert_eq!(km_median(&v), Ok(4.0));
        let v = [t(Some(5.0), 9.0), t(None, 9.0), t(None, 9.0)];
        assert_eq!(km_median(&v), Err(9.0));
    }

    #[test]
    fn bootstrap_brackets_the_ratio() {
        let v: Vec<Sample> = (0..200).map(|i| Sample::Ratio(f64::from(i % 3), 2.0)).collect();
        let [lo, hi] = bootstrap(&v);
        let (r, _) = statistic(&v);
        assert!(lo <= r && r <= hi, "{lo} {r} {hi}");
    }
}
