//! The charts and page of a sweep directory (`escalate sweep`): each metric against the
//! swept parameter with its 95% band, or a heat map over a two-parameter grid, and
//! `sweep.html`.
//!
//! Read back from the directory's `sweep.json` (the grid), `sweep.csv` (mean and
//! interval per point and metric) and `scenario.ron`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;
use serde::Deserialize;

use super::ReportError;
use super::compare::{MetricInfo, metric_colour, metric_info};
use super::data::{ReadError, thousands};
use super::draw::{self, BandPoint, Canvas, Drawn, Lin, Rect, tick_label};
use super::figure::{self, Figure, Key, Mark, decimals_for, signed};
use super::format::{Interval, num, num_ci, pct, range};
use super::html::escape;
use super::theme;
use crate::stats::wilson95;

/// The page's file name in a sweep directory.
pub const PAGE: &str = "sweep.html";

/// The metrics the page's table shows (every metric gets a chart).
pub const KEY_METRICS: [&str; 6] = [
    "armed_conflict",
    "mean_score",
    "highest_rung_level",
    "violations_by_signatories",
    "violations_by_others",
    "downtime",
];

/// `sweep.json`: the swept parameters and the grid points.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Grid {
    pub params: Vec<String>,
    pub points: Vec<Vec<String>>,
}

/// One metric at one grid point, as in `sweep.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct PointStat {
    pub point: String,
    /// The parameters' values at this point.
    pub values: Vec<String>,
    pub runs: u64,
    pub mean: f64,
    /// 95% CI of the mean: as in `sweep.csv` (t-interval), but for shares of runs the
    /// Wilson interval, which stays informative when no run (or every run) counts.
    pub lo: f64,
    pub hi: f64,
    /// Paired difference from the first point (same seeds) and its 95% CI.
    pub diff: f64,
    pub diff_lo: f64,
    pub diff_hi: f64,
}

/// A sweep directory read back.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub dir: PathBuf,
    pub scenario: String,
    pub grid: Grid,
    /// Each parameter's distinct values, in grid order.
    pub values: Vec<Vec<String>>,
    /// Per metric (in `sweep.csv` order), one entry per grid point.
    pub metrics: Vec<(MetricInfo, Vec<PointStat>)>,
}

fn invalid(path: &Path, what: impl std::fmt::Display) -> ReadError {
    ReadError::Invalid(format!("{}: {what}", path.display()))
}

impl Sweep {
    pub fn read(dir: &Path) -> Result<Sweep, ReadError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ReadError::Io { path, source }
        };
        let gp = dir.join("sweep.json");
        let grid: Grid = serde_json::from_str(&fs::read_to_string(&gp).map_err(io(&gp))?)
            .map_err(|e| invalid(&gp, format!("not a sweep grid: {e}")))?;
        if grid.params.is_empty() || grid.points.iter().any(|p| p.len() != grid.params.len()) {
            return Err(invalid(&gp, "the grid's points do not match its parameters"));
        }
        let values: Vec<Vec<String>> = (0..grid.params.len())
            .map(|k| {
                let mut v: Vec<String> = Vec::new();
                for p in &grid.points {
                    if !v.contains(&p[k]) {
                        v.push(p[k].clone());
                    }
                }
                v
            })
            .collect();
        let cp = dir.join("sweep.csv");
        let mut reader = csv::Reader::from_path(&cp).map_err(|e| invalid(&cp, e))?;
        let headers = reader.headers().map_err(|e| invalid(&cp, e))?.clone();
        let np = grid.params.len();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let (Some(mc), Some(rc), Some(mean_c), Some(lo_c), Some(hi_c)) =
            (col("metric"), col("runs"), col("mean"), col("ci95_low"), col("ci95_high"))
        else {
            return Err(invalid(&cp, "not a sweep table (missing columns)"));
        };
        let (d_c, dlo_c, dhi_c) = (col("diff_vs_first"), col("diff_ci95_low"), col("diff_ci95_high"));
        let mut metrics: Vec<(MetricInfo, Vec<PointStat>)> = Vec::new();
        for rec in reader.records() {
            let rec = rec.map_err(|e| invalid(&cp, e))?;
            let f = |i: usize| rec.get(i).and_then(|s| s.parse::<f64>().ok()).unwrap_or(f64::NAN);
            let g = |i: Option<usize>| i.map_or(f64::NAN, f);
            let key = rec.get(mc).unwrap_or("").to_string();
            let runs = rec.get(rc).and_then(|s| s.parse().ok()).unwrap_or(0);
            let mean = f(mean_c);
            let (lo, hi) = if metric_info(&key, "").percent && mean.is_finite() {
                // The mean of a 0/1 figure is k/n exactly (to the table's six decimals).
                let k = (mean * runs as f64).round() as u64;
                let (lo, hi) = wilson95(k, runs);
                (if k == 0 { 0.0 } else { lo }, if k == runs { 1.0 } else { hi })
            } else {
                (f(lo_c), f(hi_c))
            };
            let stat = PointStat {
                point: rec.get(0).unwrap_or("").to_string(),
                values: (1..=np).map(|i| rec.get(i).unwrap_or("").to_string()).collect(),
                runs,
                mean,
                lo,
                hi,
                diff: g(d_c),
                diff_lo: g(dlo_c),
                diff_hi: g(dhi_c),
            };
            match metrics.iter_mut().find(|m| m.0.key == key) {
                Some(m) => m.1.push(stat),
                None => {
                    let desc = crate::compare::METRICS.iter().find(|m| m.0 == key).map_or(key.as_str(), |m| m.1);
                    metrics.push((metric_info(&key, desc), vec![stat]));
                }
            }
        }
        if metrics.is_empty() {
            return Err(invalid(&cp, "the sweep table has no rows"));
        }
        // The key metrics first, in their order; the rest as the table lists them.
        metrics.sort_by_key(|m| KEY_METRICS.iter().position(|k| *k == m.0.key).unwrap_or(KEY_METRICS.len()));
        let scenario = crate::scenario::load_file(&dir.join("scenario.ron"))
            .map(|l| l.scenario.name)
            .unwrap_or_else(|_| "scenario".into());
        Ok(Sweep { dir: dir.to_path_buf(), scenario, grid, values, metrics })
    }

    pub fn runs(&self) -> u64 {
        self.metrics.first().and_then(|m| m.1.first()).map_or(0, |p| p.runs)
    }

    fn source_line(&self) -> String {
        format!(
            "{} · sweep of {} points on common random numbers · {} runs per point, escalate {}",
            self.scenario,
            self.grid.points.len(),
            thousands(self.runs()),
            env!("CARGO_PKG_VERSION")
        )
    }
}

/// A parameter's path without the common `parameters.` prefix, for titles.
pub fn short(param: &str) -> &str {
    param.strip_prefix("parameters.").unwrap_or(param)
}

/// A metric against one swept parameter.
#[derive(Debug, Clone)]
pub struct SweepLine {
    pub metric: MetricInfo,
    pub param: String,
    /// The parameter's values as written, and where they sit on the x axis.
    pub labels: Vec<String>,
    /// Whether every value is a number (a linear axis) or not (evenly spaced categories).
    pub numeric: bool,
    /// Along x, ascending.
    pub points: Vec<BandPoint>,
    /// The points as read, in grid order (the first is the baseline of the differences).
    pub stats: Vec<PointStat>,
    pub colour: RGBColor,
    pub runs: u64,
}

/// A metric over a two-parameter grid.
#[derive(Debug, Clone)]
pub struct SweepHeat {
    pub metric: MetricInfo,
    /// x: the first parameter, y: the second.
    pub params: [String; 2],
    pub x_values: Vec<String>,
    pub y_values: Vec<String>,
    /// `cells[y][x]` = (mean, 95% CI low, high), NaN where the grid has no point.
    pub cells: Vec<Vec<(f64, f64, f64)>>,
    pub runs: u64,
    /// When no point differs from the first by more than the 95% CI of their paired
    /// difference (same seeds): the widest of those intervals. The colour scale then
    /// spans at least this much, so that noise is not painted as a pattern.
    pub noise: Option<f64>,
}

/// One chart per metric: lines for one parameter, heat maps for two; none for more.
pub enum SweepChart {
    Line(SweepLine),
    Heat(SweepHeat),
}

pub fn charts(s: &Sweep) -> Vec<SweepChart> {
    match s.grid.params.len() {
        1 => s.metrics.iter().map(|(m, stats)| SweepChart::Line(line(s, m, stats))).collect(),
        2 => s.metrics.iter().map(|(m, stats)| SweepChart::Heat(heat(s, m, stats))).collect(),
        _ => Vec::new(),
    }
}

fn line(s: &Sweep, m: &MetricInfo, stats: &[PointStat]) -> SweepLine {
    let labels = s.values[0].clone();
    let nums: Vec<Option<f64>> = labels.iter().map(|v| v.trim().parse::<f64>().ok()).collect();
    let numeric = nums.iter().all(Option::is_some) && labels.len() > 1;
    let x_of = |v: &str| -> f64 {
        let i = labels.iter().position(|l| l == v).unwrap_or(0);
        if numeric { nums[i].unwrap_or(0.0) } else { i as f64 }
    };
    let mut points: Vec<BandPoint> =
        stats.iter().map(|p| BandPoint { x: x_of(&p.values[0]), mean: p.mean, lo: p.lo, hi: p.hi }).collect();
    points.sort_by(|a, b| a.x.total_cmp(&b.x));
    SweepLine {
        metric: m.clone(),
        param: s.grid.params[0].clone(),
        labels,
        numeric,
        points,
        stats: stats.to_vec(),
        colour: metric_colour(&m.key),
        runs: s.runs(),
    }
}

fn heat(s: &Sweep, m: &MetricInfo, stats: &[PointStat]) -> SweepHeat {
    let (xs, ys) = (s.values[0].clone(), s.values[1].clone());
    let mut cells = vec![vec![(f64::NAN, f64::NAN, f64::NAN); xs.len()]; ys.len()];
    for p in stats {
        let xi = xs.iter().position(|v| *v == p.values[0]);
        let yi = ys.iter().position(|v| *v == p.values[1]);
        if let (Some(xi), Some(yi)) = (xi, yi) {
            cells[yi][xi] = (p.mean, p.lo, p.hi);
        }
    }
    // The first point is the baseline of the differences (0 by definition).
    let diffs: Vec<&PointStat> =
        stats.iter().skip(1).filter(|p| p.diff_lo.is_finite() && p.diff_hi.is_finite()).collect();
    let indistinct = !diffs.is_empty() && diffs.iter().all(|p| p.diff_lo <= 0.0 && p.diff_hi >= 0.0);
    let noise =
        indistinct.then(|| diffs.iter().map(|p| p.diff_hi - p.diff_lo).fold(0.0, f64::max)).filter(|w| *w > 0.0);
    SweepHeat {
        metric: m.clone(),
        params: [s.grid.params[0].clone(), s.grid.params[1].clone()],
        x_values: xs,
        y_values: ys,
        noise,
        cells,
        runs: s.runs(),
    }
}

fn stem_of(prefix: &str, key: &str) -> String {
    format!("{prefix}-{}", key.replace('_', "-"))
}

/// A value of a metric for a reader.
fn value(m: &MetricInfo, x: f64) -> String {
    if m.percent { pct(x) } else { num(x) }
}

/// A mean and its interval at one precision: ("1.40", "[1.38–1.42]"), ("0%", "[0%–1.9%]").
pub fn value_ci(m: &MetricInfo, mean: f64, lo: f64, hi: f64) -> (String, String) {
    // Every metric counts or shares something: a t-interval's end below zero says no
    // more than zero does.
    let i = Interval { value: mean, lo: lo.max(0.0), hi };
    if m.percent { (pct(mean), range(&i, pct)) } else { num_ci(&i) }
}

/// A paired difference with its interval: `+0.031 [−0.012, +0.074]` (in percentage
/// points for shares).
fn diff_text(m: &MetricInfo, p: &PointStat) -> String {
    let k = if m.percent { 100.0 } else { 1.0 };
    let d = decimals_for((p.diff_hi - p.diff_lo) * k / 2.0, p.diff * k);
    let unit = if m.percent { " percentage points" } else { "" };
    format!("{}{unit} [{}, {}]", signed(p.diff * k, d), signed(p.diff_lo * k, d), signed(p.diff_hi * k, d))
}

impl Figure for SweepLine {
    fn stem(&self) -> String {
        stem_of("sweep", &self.metric.key)
    }
    fn title(&self) -> String {
        format!("{} against {}", self.metric.title, short(&self.param))
    }
    fn subtitle(&self) -> String {
        format!(
            "Mean over {} runs at each value of {} (same seeds at every value); shaded: 95% CI of the mean{}",
            thousands(self.runs),
            self.param,
            if self.metric.percent { " (Wilson)" } else { "" }
        )
    }
    fn legend(&self) -> Vec<Key> {
        vec![Key::new(Mark::Line(self.colour), format!("{} (mean, 95% CI)", self.metric.title.to_lowercase()))]
    }
    fn height(&self) -> f64 {
        480.0
    }
    fn reading(&self) -> String {
        // The first and last grid points, and the paired difference between them.
        let (Some(a), Some(b)) = (self.stats.first(), self.stats.last()) else { return "No points.".into() };
        let (am, ar) = value_ci(&self.metric, a.mean, a.lo, a.hi);
        let (bm, br) = value_ci(&self.metric, b.mean, b.lo, b.hi);
        format!(
            "From {p} = {} to {p} = {}, {} goes from {am} {ar} to {bm} {br}; on the same seeds the paired difference is {}.",
            a.values[0],
            b.values[0],
            self.metric.title.to_lowercase(),
            diff_text(&self.metric, b),
            p = short(&self.param),
        )
    }
    fn body<DB: DrawingBackend>(&self, cv: &Canvas<DB>, r: Rect) -> Drawn<DB> {
        let t = cv.t;
        let tick = t.tick();
        // Values are counts or shares: an interval never reaches below zero (or above 1).
        let clamp = |v: f64| if self.metric.percent { v.clamp(0.0, 1.0) } else { v.max(0.0) };
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for p in &self.points {
            for v in [p.lo, p.hi, p.mean] {
                if v.is_finite() {
                    lo = lo.min(clamp(v));
                    hi = hi.max(clamp(v));
                }
            }
        }
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        // Every swept metric is a count, a share or a score measured from 0: the axis
        // starts there, so that a small change does not look like a large one.
        lo = lo.min(0.0);
        if self.metric.percent {
            hi = hi.max(0.01);
        }
        if hi - lo < 1e-9 {
            hi = lo + if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        }
        let pad = (hi - lo) * 0.06;
        let ticks = draw::nice_ticks(if lo == 0.0 { 0.0 } else { lo - pad }, hi + pad, 5);
        let labels: Vec<String> = ticks.iter().map(|&v| tick_label(v, &ticks, self.metric.percent)).collect();
        let tick_w = labels.iter().map(|l| cv.width(l, &tick)).fold(0.0, f64::max);
        let plot = Rect { x0: r.x0 + tick_w + 10.0, y0: r.y0 + 24.0, x1: r.x1 - 14.0, y1: r.y1 - 46.0 };
        let y = Lin::new((ticks[0], *ticks.last().unwrap_or(&1.0)), (plot.y1, plot.y0));
        for (v, label) in ticks.iter().zip(&labels) {
            let py = y.map(*v);
            cv.line(&[(plot.x0, py), (plot.x1, py)], theme::GRID.to_rgba(), 1.0)?;
            cv.text(label, plot.x0 - 7.0, py, &tick, HPos::Right)?;
        }
        cv.text(&self.metric.unit, r.x0, r.y0 + 4.0, &t.axis_title(), HPos::Left)?;
        // x: the swept values themselves, with a margin so the end points are not on the frame.
        let xs: Vec<f64> = self.points.iter().map(|p| p.x).collect();
        let (x_lo, x_hi) =
            (xs.iter().copied().fold(f64::INFINITY, f64::min), xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        let span = if x_hi > x_lo { x_hi - x_lo } else { 1.0 };
        let margin = if self.numeric { span * 0.04 } else { 0.5 };
        let x = Lin::new((x_lo - margin, x_hi + margin), (plot.x0, plot.x1));
        // Label every value when they fit, else every k-th (always the first).
        let widest = self.labels.iter().map(|l| cv.width(l, &tick)).fold(0.0, f64::max) + 12.0;
        let min_gap = xs.windows(2).map(|w| x.map(w[1]) - x.map(w[0])).fold(f64::INFINITY, f64::min);
        let every = if min_gap.is_finite() && min_gap < widest { (widest / min_gap).ceil() as usize } else { 1 };
        for (i, p) in self.points.iter().enumerate() {
            let px = x.map(p.x);
            cv.line(&[(px, plot.y1), (px, plot.y1 + 4.0)], theme::AXIS.to_rgba(), 1.0)?;
            if i % every == 0 {
                let label = if self.numeric {
                    self.labels
                        .iter()
                        .find(|l| l.trim().parse::<f64>().ok() == Some(p.x))
                        .cloned()
                        .unwrap_or_else(|| num(p.x))
                } else {
                    self.labels.get(i).cloned().unwrap_or_default()
                };
                cv.text(&label, px, plot.y1 + 14.0, &tick, HPos::Center)?;
            }
        }
        cv.text(&self.param, (plot.x0 + plot.x1) / 2.0, r.y1 - 8.0, &t.axis_title(), HPos::Center)?;
        let band: Vec<&BandPoint> = self.points.iter().filter(|p| p.lo.is_finite() && p.hi.is_finite()).collect();
        if band.len() > 1 {
            let mut poly: Vec<(f64, f64)> = band.iter().map(|p| (x.map(p.x), y.map(clamp(p.hi)))).collect();
            poly.extend(band.iter().rev().map(|p| (x.map(p.x), y.map(clamp(p.lo)))));
            cv.polygon(&poly, self.colour.mix(0.2))?;
        }
        let line: Vec<(f64, f64)> =
            self.points.iter().filter(|p| p.mean.is_finite()).map(|p| (x.map(p.x), y.map(p.mean))).collect();
        cv.line(&line, self.colour.to_rgba(), 2.5)?;
        for &(px, py) in &line {
            figure::dot(cv, px, py, 4.0, self.colour)?;
        }
        cv.line(&[(plot.x0, plot.y1), (plot.x1, plot.y1)], theme::AXIS.to_rgba(), 1.0)?;
        if self.points.iter().all(|p| p.mean == 0.0) {
            let note = format!("{}: 0 at every value", self.metric.title);
            let y = plot.y0 + (plot.y1 - plot.y0) * 0.3;
            cv.text(&note, (plot.x0 + plot.x1) / 2.0, y, &t.text(14.0, theme::MUTED), HPos::Center)?;
        }
        Ok(())
    }
}

/// Viridis (van der Walt & Smith), sampled at nine stops: perceptually uniform and
/// readable with any common colour-vision deficiency and in greyscale.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (0x44, 0x01, 0x54),
    (0x47, 0x2D, 0x7B),
    (0x3B, 0x52, 0x8B),
    (0x2C, 0x72, 0x8E),
    (0x21, 0x91, 0x8C),
    (0x28, 0xAE, 0x80),
    (0x5E, 0xC9, 0x62),
    (0xAD, 0xDC, 0x30),
    (0xFD, 0xE7, 0x25),
];

/// The colour of `f` in 0..=1 on the viridis scale.
pub fn viridis(f: f64) -> RGBColor {
    let f = if f.is_finite() { f.clamp(0.0, 1.0) } else { 0.0 };
    let pos = f * (VIRIDIS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(VIRIDIS.len() - 2);
    let u = pos - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * u).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn luminance(c: RGBColor) -> f64 {
    (0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2)) / 255.0
}

impl SweepHeat {
    /// The smallest and largest mean of the grid.
    pub fn spread(&self) -> (f64, f64) {
        let means = self.cells.iter().flatten().map(|c| c.0).filter(|v| v.is_finite());
        let (lo, hi) = means.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) }
    }

    /// Whether the colour scale is wider than the means' spread: they differ by less
    /// than the 95% CI of their paired differences ([`SweepHeat::noise`]).
    pub fn widened(&self) -> bool {
        let (lo, hi) = self.spread();
        self.noise.is_some_and(|w| hi - lo < w)
    }

    /// The colour scale's range: the means' spread, or, when that is smaller than the
    /// CI of their differences, that width centred on them (never below 0, nor above
    /// 100% for a share).
    pub fn range(&self) -> (f64, f64) {
        let (lo, hi) = self.spread();
        match self.noise {
            Some(w) if hi - lo < w => {
                let mid = (lo + hi) / 2.0;
                let (mut a, mut b) = (mid - w / 2.0, mid + w / 2.0);
                if a < 0.0 && lo >= 0.0 {
                    (a, b) = (0.0, b - a);
                }
                if self.metric.percent && b > 1.0 {
                    (a, b) = ((a - (b - 1.0)).max(0.0), 1.0);
                }
                (a, b)
            }
            _ => (lo, hi),
        }
    }

    /// The note a widened or all-zero map carries.
    pub fn note(&self) -> Option<String> {
        let (lo, hi) = self.spread();
        if lo == 0.0 && hi == 0.0 {
            return Some(format!("Note: {} is 0 at every grid point.", self.metric.title));
        }
        if !self.widened() {
            return None;
        }
        let w = self.noise.unwrap_or(0.0);
        let k = if self.metric.percent { 100.0 } else { 1.0 };
        let d = decimals_for(w * k / 2.0, w * k);
        let unit = if self.metric.percent { " percentage points" } else { "" };
        Some(format!(
            "Note: the means differ by at most {:.d$}{unit}, and no point differs from the first by more than the 95% CI \
             of their paired difference (up to {:.d$}{unit} wide, same seeds). The colour scale spans that width, so \
             what colour differences remain are within sampling noise.",
            (hi - lo) * k,
            w * k
        ))
    }
}

impl Figure for SweepHeat {
    fn stem(&self) -> String {
        stem_of("heatmap", &self.metric.key)
    }
    fn title(&self) -> String {
        format!("{} by {} and {}", self.metric.title, short(&self.params[0]), short(&self.params[1]))
    }
    fn subtitle(&self) -> String {
        format!(
            "Mean over {} runs at each grid point (same seeds at every point), 95% CI{} below it where it fits (all in sweep.html); colour: the mean, in {}",
            thousands(self.runs),
            if self.metric.percent { " (Wilson)" } else { "" },
            self.metric.unit
        )
    }
    fn legend(&self) -> Vec<Key> {
        Vec::new()
    }
    fn height(&self) -> f64 {
        let note = if self.note().is_some() { super::charts::NOTE_HEIGHT } else { 0.0 };
        230.0 + (64.0 * self.y_values.len() as f64).clamp(200.0, 520.0) + note
    }
    fn reading(&self) -> String {
        let mut best = (f64::NEG_INFINITY, 0, 0);
        let mut worst = (f64::INFINITY, 0, 0);
        for (yi, row) in self.cells.iter().enumerate() {
            for (xi, c) in row.iter().enumerate() {
                if c.0.is_finite() {
                    if c.0 > best.0 {
                        best = (c.0, xi, yi);
                    }
                    if c.0 < worst.0 {
                        worst = (c.0, xi, yi);
                    }
                }
            }
        }
        if !best.0.is_finite() {
            return "No points.".into();
        }
        if best.0 == worst.0 {
            return format!("{} is {} at every grid point.", self.metric.title, value(&self.metric, best.0));
        }
        let note = self.note().map(|n| format!(" {}", n.trim_start_matches("Note: "))).unwrap_or_default();
        let at = |(_, xi, yi): (f64, usize, usize)| {
            format!(
                "{} = {}, {} = {}",
                short(&self.params[0]),
                self.x_values[xi],
                short(&self.params[1]),
                self.y_values[yi]
            )
        };
        format!(
            "{} is highest ({}) at {} and lowest ({}) at {}.{note}",
            self.metric.title,
            value(&self.metric, best.0),
            at(best),
            value(&self.metric, worst.0),
            at(worst)
        )
    }
    fn body<DB: DrawingBackend>(&self, cv: &Canvas<DB>, r: Rect) -> Drawn<DB> {
        let t = cv.t;
        let tick = t.tick();
        let note = self.note();
        let r = match &note {
            Some(n) => {
                draw::note(cv, Rect { y0: r.y1 - super::charts::NOTE_HEIGHT + 14.0, ..r }, n)?;
                Rect { y1: r.y1 - super::charts::NOTE_HEIGHT, ..r }
            }
            None => r,
        };
        let (lo, hi) = self.range();
        let scale = |v: f64| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
        // The colour bar and its labels take the right; y values the left.
        let bar_ticks: Vec<f64> = if hi > lo {
            draw::nice_ticks(lo, hi, 4).into_iter().filter(|v| *v >= lo - 1e-12 && *v <= hi + 1e-12).collect()
        } else {
            vec![lo]
        };
        let bar_labels: Vec<String> = bar_ticks
            .iter()
            .map(|&v| {
                if bar_ticks.len() > 1 {
                    tick_label(v, &bar_ticks, self.metric.percent)
                } else {
                    value(&self.metric, v)
                }
            })
            .collect();
        let bar_w = 16.0;
        let bar_label_w = bar_labels.iter().map(|l| cv.width(l, &tick)).fold(0.0, f64::max);
        let y_label_w = self.y_values.iter().map(|l| cv.width(l, &t.label())).fold(0.0, f64::max);
        let grid = Rect {
            x0: r.x0 + y_label_w + 12.0,
            y0: r.y0 + 28.0,
            x1: r.x1 - bar_w - bar_label_w - 44.0,
            y1: r.y1 - 48.0,
        };
        cv.text(&self.params[1], r.x0, r.y0 + 6.0, &t.axis_title(), HPos::Left)?;
        let (nx, ny) = (self.x_values.len().max(1) as f64, self.y_values.len().max(1) as f64);
        let (cw, ch) = ((grid.x1 - grid.x0) / nx, (grid.y1 - grid.y0) / ny);
        // Dense grids label every k-th value (always the first) so labels never collide.
        let y_every = (18.0 / ch).ceil().max(1.0) as usize;
        let x_widest = self.x_values.iter().map(|v| cv.width(v, &t.label())).fold(0.0, f64::max) + 10.0;
        let x_every = (x_widest / cw).ceil().max(1.0) as usize;
        for (yi, row) in self.cells.iter().enumerate() {
            // The first value at the bottom, as on a y axis.
            let cy0 = grid.y1 - (yi as f64 + 1.0) * ch;
            if yi % y_every == 0 {
                cv.text(&self.y_values[yi], grid.x0 - 10.0, cy0 + ch / 2.0, &t.label(), HPos::Right)?;
            }
            for (xi, &(mean, clo, chi)) in row.iter().enumerate() {
                let cx0 = grid.x0 + xi as f64 * cw;
                let (a, b, c, d) = (cx0 + 1.0, cy0 + 1.0, cx0 + cw - 1.0, cy0 + ch - 1.0);
                if !mean.is_finite() {
                    cv.rect(a, b, c, d, theme::GRID.to_rgba())?;
                    continue;
                }
                let fill = viridis(scale(mean));
                cv.rect(a, b, c, d, fill.to_rgba())?;
                let ink = if luminance(fill) < 0.5 { theme::BACKGROUND } else { theme::INK };
                let main = t.bold(14.0, ink);
                let small = t.text(11.5, ink);
                let (text, ci) = value_ci(&self.metric, mean, clo, chi);
                let mid = (cx0 + cw / 2.0, cy0 + ch / 2.0);
                if ch >= 44.0 && cv.width(&ci, &small) <= cw - 8.0 {
                    cv.text(&text, mid.0, mid.1 - 8.0, &main, HPos::Center)?;
                    cv.text(&ci, mid.0, mid.1 + 10.0, &small, HPos::Center)?;
                } else if cv.width(&text, &main) <= cw - 6.0 {
                    cv.text(&text, mid.0, mid.1, &main, HPos::Center)?;
                }
            }
        }
        for (xi, v) in self.x_values.iter().enumerate().filter(|(i, _)| i % x_every == 0) {
            let cx = grid.x0 + (xi as f64 + 0.5) * cw;
            cv.text(v, cx, grid.y1 + 14.0, &t.label(), HPos::Center)?;
        }
        cv.text(&self.params[0], (grid.x0 + grid.x1) / 2.0, r.y1 - 8.0, &t.axis_title(), HPos::Center)?;
        // The colour scale.
        let bx0 = grid.x1 + 28.0;
        let (by0, by1) = (grid.y0, grid.y1);
        let steps = 64;
        for i in 0..steps {
            let f0 = f64::from(i) / f64::from(steps);
            let f1 = f64::from(i + 1) / f64::from(steps);
            let (ya, yb) = (by1 - f0 * (by1 - by0), by1 - f1 * (by1 - by0));
            cv.rect(bx0, yb - 0.5, bx0 + bar_w, ya, viridis((f0 + f1) / 2.0).to_rgba())?;
        }
        let yb = Lin::new((lo, if hi > lo { hi } else { lo + 1.0 }), (by1, by0));
        for (v, label) in bar_ticks.iter().zip(&bar_labels) {
            let py = if hi > lo { yb.map(*v) } else { (by0 + by1) / 2.0 };
            cv.line(&[(bx0 + bar_w, py), (bx0 + bar_w + 4.0, py)], theme::AXIS.to_rgba(), 1.0)?;
            cv.text(label, bx0 + bar_w + 7.0, py, &tick, HPos::Left)?;
        }
        cv.text("mean", bx0, by0 - 14.0, &t.text(12.0, theme::MUTED), HPos::Left)?;
        Ok(())
    }
}

impl SweepChart {
    fn write(&self, source: &str, dir: &Path) -> Result<(figure::Written, String), ReportError> {
        Ok(match self {
            SweepChart::Line(l) => (figure::write(l, source, dir)?, l.reading()),
            SweepChart::Heat(h) => (figure::write(h, source, dir)?, h.reading()),
        })
    }
}

/// What [`write`] produced.
pub struct Page {
    pub files: Vec<PathBuf>,
    pub page: PathBuf,
}

/// Draws the sweep's charts into `DIR/charts/` and writes `DIR/sweep.html`.
pub fn write(dir: &Path) -> Result<Page, ReportError> {
    let s = Sweep::read(dir)?;
    let source = s.source_line();
    let charts_dir = dir.join(crate::output::files::CHARTS);
    let mut drawn = Vec::new();
    for c in charts(&s) {
        drawn.push(c.write(&source, &charts_dir)?);
    }
    let page = dir.join(PAGE);
    crate::output::dir::write_atomic(&page, page_html(&s, &drawn).as_bytes())
        .map_err(|source| ReportError::Io { path: page.clone(), source })?;
    Ok(Page { files: drawn.iter().flat_map(|(w, _)| w.files.clone()).collect(), page })
}

fn page_html(s: &Sweep, drawn: &[(figure::Written, String)]) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let mut h = figure::page_head(&format!("{} — escalate sweep", s.scenario), version);
    h.push_str("<header>\n<p class=\"kicker\">escalate sweep</p>\n");
    let _ = writeln!(h, "<h1>{}</h1>", escape(&s.scenario));
    let swept: Vec<String> = s
        .grid
        .params
        .iter()
        .zip(&s.values)
        .map(|(p, v)| format!("<strong>{}</strong> over {}", escape(p), escape(&v.join(", "))))
        .collect();
    let _ = writeln!(
        h,
        "<p class=\"desc\">A sweep of {} ({} grid points), each point run {} times on the same seeds.</p>",
        swept.join(" and "),
        s.grid.points.len(),
        thousands(s.runs())
    );
    let _ = writeln!(
        h,
        "<p class=\"meta\"><span><strong>{}</strong> runs per point</span> · <span>{} points</span> · <span>escalate <strong>{}</strong></span></p>",
        thousands(s.runs()),
        s.grid.points.len(),
        escape(version)
    );
    h.push_str("<nav><a href=\"#table\">Table</a><a href=\"#charts\">Charts</a></nav>\n</header>\n");
    h.push_str("<section id=\"table\">\n<h2>Key figures at each point</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"method\"><strong>Method:</strong> every point runs the same {} seeds (common random numbers), so \
         differences between points are the effect of the parameters, not of chance draws. Intervals are 95% t-intervals \
         of the mean over runs; for shares of runs, Wilson score intervals. sweep.csv holds every metric, and each point's paired difference from the first point \
         ({}) with its interval.</p>",
        thousands(s.runs()),
        escape(&s.grid.points.first().map(|p| p.join(", ")).unwrap_or_default())
    );
    // The point's parameter values share one column, so the table fits the page.
    // Long snake_case names may break after their underscores, nowhere else.
    let names: Vec<String> = s.grid.params.iter().map(|p| escape(short(p)).replace('_', "_<wbr>")).collect();
    let _ = write!(h, "<table class=\"wide\">\n<thead><tr><th>{}</th>", names.join(" / "));
    let shown: Vec<&(MetricInfo, Vec<PointStat>)> =
        KEY_METRICS.iter().filter_map(|k| s.metrics.iter().find(|m| m.0.key == *k)).collect();
    for (m, _) in &shown {
        let _ = write!(h, "<th class=\"n\">{}<br><span class=\"no\">{}</span></th>", escape(&m.title), escape(&m.unit));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for point in &s.grid.points {
        let values: Vec<String> = point.iter().map(|v| escape(v)).collect();
        let _ = write!(h, "<tr><td>{}</td>", values.join(" / "));
        for (m, stats) in &shown {
            match stats.iter().find(|p| &p.values == point) {
                Some(p) => {
                    let _ = write!(
                        h,
                        "<td class=\"n\">{}<br><span class=\"no\">{}</span></td>",
                        value_ci(m, p.mean, p.lo, p.hi).0,
                        value_ci(m, p.mean, p.lo, p.hi).1
                    );
                }
                None => h.push_str("<td class=\"n\">n/a</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
    h.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    if drawn.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"note\">Charts are drawn for sweeps of one parameter (lines) or two (heat maps); this sweep has {}. \
             The table above and sweep.csv hold the figures.</p>",
            s.grid.params.len()
        );
    }
    for (w, reading) in drawn {
        figure::figure_html(&mut h, w, reading, "charts/");
    }
    h.push_str("</section>\n");
    let _ = write!(
        h,
        "<footer>Generated by escalate {} from the files of this sweep directory (sweep.json, sweep.csv, scenario.ron); \
         drawing never re-simulates. Heat-map colours use the viridis scale.</footer>\n</body>\n</html>\n",
        escape(version)
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_runs_dark_to_light() {
        assert_eq!(viridis(0.0), RGBColor(0x44, 0x01, 0x54));
        assert_eq!(viridis(1.0), RGBColor(0xFD, 0xE7, 0x25));
        assert!(luminance(viridis(0.2)) < luminance(viridis(0.8)));
    }
}
