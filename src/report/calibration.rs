//! The calibration chart (`escalate calibrate`): each published figure beside the
//! baseline world's simulated one, with its interval and the tolerance shaded.
//!
//! The figures have different scales (shares of 0–1, a ratio near 35), so each gets
//! its own row and its own axis starting at zero: small multiples, nothing rescaled.

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::ReportError;
use super::charts::{Interval, num, num_ci, pct, range};
use super::data::thousands;
use super::draw::{Canvas, Drawn, Rect, tick_label};
use super::figure::{self, Figure, Key, Mark};
use super::theme;
use crate::calibrate::Row;
use crate::calibrate::targets::{Role, Unit};

/// The chart's file name (without extension) in a calibration directory.
pub const STEM: &str = "calibration";

/// Colour of the simulated figure (Okabe-Ito orange; no group owns it).
const SIMULATED: RGBColor = theme::PENDING;
/// Colour of the tolerance band, and of "within".
const WITHIN: RGBColor = theme::CORRECT;
/// Colour of "outside".
const OUTSIDE: RGBColor = theme::WRONG;

/// One figure of the calibration table.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationRow {
    pub id: String,
    pub figure: String,
    pub observed: f64,
    pub simulated: f64,
    pub ci95: [f64; 2],
    /// Where the simulated figure should fall (an open end is `-inf`).
    pub band: (f64, f64),
    pub tolerance: String,
    pub within: bool,
    /// A share, shown as a percentage.
    pub percent: bool,
    pub role: Role,
    /// A median no run reached: later than this.
    pub beyond: Option<f64>,
}

/// The calibration chart.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub scenario: String,
    pub runs: u64,
    pub rows: Vec<CalibrationRow>,
}

impl Calibration {
    pub fn new(scenario: &str, runs: u64, rows: &[Row]) -> Calibration {
        let rows = rows
            .iter()
            .map(|r| CalibrationRow {
                id: r.id.clone(),
                figure: r.figure.clone(),
                observed: r.observed,
                simulated: r.simulated,
                ci95: r.ci95,
                band: (r.observed_interval[0], r.observed_interval[1]),
                tolerance: r.tolerance.clone(),
                within: r.within,
                percent: r.unit == Unit::Share,
                role: r.role,
                beyond: r.beyond,
            })
            .collect();
        Calibration { scenario: scenario.to_string(), runs, rows }
    }
}

const ROW_H: f64 = 124.0;

fn fmt(f: &CalibrationRow, x: f64) -> String {
    if f.percent { pct(x) } else { num(x) }
}

/// The simulated figure and its interval at one precision: ("32.0", "[31.2–33.0]").
pub fn simulated_text(f: &CalibrationRow) -> (String, String) {
    let i = Interval { value: f.simulated, lo: f.ci95[0], hi: f.ci95[1] };
    if f.percent { (pct(f.simulated), range(&i, pct)) } else { num_ci(&i) }
}

/// The observed interval in words: "53.3%–85.3%", "≥ 50.0%", "15.5–62".
fn interval_words(f: &CalibrationRow) -> String {
    let (lo, hi) = f.band;
    match (lo.is_finite(), hi.is_finite()) {
        (true, true) => format!("{}–{}", fmt(f, lo), fmt(f, hi)),
        (true, false) => format!("≥ {}", fmt(f, lo)),
        (false, true) => format!("≤ {}", fmt(f, hi)),
        _ => "any".into(),
    }
}

impl Figure for Calibration {
    fn stem(&self) -> String {
        STEM.into()
    }
    fn title(&self) -> String {
        "Calibration: simulated figures beside published ones".into()
    }
    fn subtitle(&self) -> String {
        format!(
            "{} runs per world (ratios of sums, or medians, over runs; lower whisker: 95% bootstrap CI) against each \
             published figure (upper whisker and shade: its 95% interval); each figure on its own scale from zero",
            thousands(self.runs)
        )
    }
    fn legend(&self) -> Vec<Key> {
        vec![
            Key::new(Mark::Diamond(theme::INK), "observed (published)"),
            Key::new(Mark::Dot(SIMULATED), "simulated"),
            Key::new(Mark::Whisker, "95% intervals"),
            Key::new(Mark::Shade(WITHIN), "observed interval: the tolerance"),
        ]
    }
    fn height(&self) -> f64 {
        130.0 + ROW_H * self.rows.len().max(1) as f64
    }
    fn reading(&self) -> String {
        let counted: Vec<&CalibrationRow> = self.rows.iter().filter(|r| r.role != Role::Secondary).collect();
        let inside = counted.iter().filter(|r| r.within).count();
        let outside: Vec<&str> = counted.iter().filter(|r| !r.within).map(|r| r.id.as_str()).collect();
        let mut s = format!("{inside} of {} figures fall within their observed interval", counted.len());
        if outside.is_empty() {
            s.push('.');
        } else {
            s.push_str(&format!("; outside: {}.", outside.join(", ")));
        }
        s
    }
    fn body<DB: DrawingBackend>(&self, cv: &Canvas<DB>, r: Rect) -> Drawn<DB> {
        let t = cv.t;
        let tick = t.tick();
        let small = t.text(12.5, theme::INK);
        let text_w = 280.0;
        for (i, f) in self.rows.iter().enumerate() {
            let y0 = r.y0 + i as f64 * ROW_H;
            if i > 0 {
                cv.line(&[(r.x0, y0 - 8.0), (r.x1, y0 - 8.0)], theme::GRID.to_rgba(), 1.0)?;
            }
            let head = t.bold(14.0, theme::INK);
            let title = match f.role {
                Role::Tuning => f.figure.clone(),
                Role::Validation => format!("Held out · {}", f.figure),
                Role::Secondary => format!("Comparison only · {}", f.figure),
            };
            cv.text(&figure::fit(cv, &title, &head, r.x1 - r.x0), r.x0, y0 + 8.0, &head, HPos::Left)?;
            // Left: the figures in words.
            let ty = y0 + 34.0;
            cv.text(&format!("observed {}", fmt(f, f.observed)), r.x0, ty, &small, HPos::Left)?;
            let sim = match f.beyond {
                Some(b) => format!("simulated > {} (median not reached)", num(b)),
                None => {
                    let (sim, ci) = simulated_text(f);
                    format!("simulated {sim} {ci}")
                }
            };
            cv.text(&sim, r.x0, ty + 20.0, &small, HPos::Left)?;
            let tol = format!("interval {}: ", interval_words(f));
            cv.text(&tol, r.x0, ty + 40.0, &small, HPos::Left)?;
            let (verdict, c) = match (f.role, f.within) {
                (Role::Secondary, _) => ("no verdict", theme::AXIS),
                (_, true) => ("within", WITHIN),
                (_, false) => ("OUTSIDE", OUTSIDE),
            };
            cv.text(verdict, r.x0 + cv.width(&tol, &small), ty + 40.0, &t.bold(12.5, theme::ink_of(c)), HPos::Left)?;
            // Right: the strip on this figure's own axis.
            let (px0, px1) = (r.x0 + text_w, r.x1 - 20.0);
            let ym = ty + 14.0;
            let mut hi = [f.observed, f.simulated, f.ci95[1], f.band.1, f.beyond.unwrap_or(0.0)]
                .into_iter()
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max);
            if f.percent && f.band.1.is_finite() {
                hi = hi.max(f.band.1);
            }
            if hi <= 0.0 {
                hi = if f.percent { 0.01 } else { 1.0 };
            }
            let label = |v: f64, ticks: &[f64]| tick_label(v, ticks, f.percent);
            let x = figure::x_axis(cv, (0.0, hi * 1.06), (px0, px1), (ym - 22.0, ym + 18.0), 5, &label, &tick)?;
            let clamp = |v: f64| x.map(v.clamp(x.d0, x.d1));
            let (ba, bb) = (clamp(if f.band.0.is_finite() { f.band.0 } else { x.d0 }), clamp(f.band.1));
            cv.rect(ba, ym - 16.0, bb, ym + 16.0, WITHIN.mix(0.2))?;
            cv.line(&[(px0, ym + 18.0), (px1, ym + 18.0)], theme::AXIS.to_rgba(), 1.0)?;
            if f.ci95[0].is_finite() && f.ci95[1].is_finite() && clamp(f.ci95[1]) - clamp(f.ci95[0]) >= 2.0 {
                figure::whisker(cv, clamp(f.ci95[0]), clamp(f.ci95[1]), ym + 5.0, 4.0, theme::INK)?;
            }
            let (oa, ob) = (if f.band.0.is_finite() { f.band.0 } else { x.d0 }, f.band.1);
            if ob.is_finite() && clamp(ob) - clamp(oa) >= 2.0 {
                figure::whisker(cv, clamp(oa), clamp(ob), ym - 5.0, 4.0, theme::INK)?;
            }
            if f.observed.is_finite() {
                figure::diamond(cv, clamp(f.observed), ym - 5.0, 7.0, theme::INK)?;
            }
            if f.simulated.is_finite() {
                figure::dot(cv, clamp(f.simulated), ym + 5.0, 5.5, SIMULATED)?;
            } else if let Some(b) = f.beyond {
                // A median no run reached: an open mark at the longest watch, pointing on.
                figure::ring(cv, clamp(b), ym + 5.0, 5.5, SIMULATED)?;
                cv.text("later →", clamp(b) + 9.0, ym - 1.0, &small, HPos::Left)?;
            }
        }
        Ok(())
    }
}

/// Writes `DIR/calibration.png` and `DIR/calibration.svg`; returns the files.
pub fn write(dir: &Path, scenario: &str, runs: u64, rows: &[Row]) -> Result<Vec<PathBuf>, ReportError> {
    let chart = Calibration::new(scenario, runs, rows);
    let seed = std::fs::read_to_string(dir.join("calibration.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.get("seed").and_then(serde_json::Value::as_u64));
    let source = format!(
        "{scenario} · calibration · {} runs{}, escalate {}",
        thousands(runs),
        seed.map(|s| format!(", seed {s}")).unwrap_or_default(),
        env!("CARGO_PKG_VERSION")
    );
    Ok(figure::write(&chart, &source, dir)?.files)
}
