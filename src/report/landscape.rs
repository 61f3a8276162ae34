//! The loss landscape of `calibrate --fit`: for each fitted input, the loss of every
//! evaluated point against that input's value. A sharp valley says the targets pin the
//! input down; a flat floor says they do not, whatever value the fit reports.

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::ReportError;
use super::draw::{Canvas, Drawn, Lin, Rect, tick_label};
use super::figure::{self, Figure, Key, Mark};
use super::theme;
use crate::calibrate::fit::Dim;

/// The chart's file name (without extension) in a calibration directory.
pub const STEM: &str = "fit-landscape";

const PANEL_H: f64 = 230.0;
/// Loss values marked on the (log-scaled) vertical axis.
const LOSS_TICKS: [f64; 8] = [0.0, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0];

/// The landscape: inputs, evaluated points (values, loss) and the best one.
#[derive(Debug, Clone)]
pub struct Landscape {
    pub dims: Vec<Dim>,
    pub points: Vec<(Vec<f64>, f64)>,
    pub best: usize,
    /// The first `design` points are the hypercube's; the rest are refinements.
    pub design: usize,
}

fn y_of(loss: f64) -> f64 {
    (1.0 + loss.max(0.0)).ln()
}

impl Figure for Landscape {
    fn stem(&self) -> String {
        STEM.into()
    }
    fn title(&self) -> String {
        "Calibration fit: the loss landscape".into()
    }
    fn subtitle(&self) -> String {
        format!(
            "Loss (sum over tuning targets of squared deviations, in half-widths of each observed interval; log scale) of \
             each of {} evaluations against each fitted input; all on the same seeds",
            self.points.len()
        )
    }
    fn legend(&self) -> Vec<Key> {
        vec![
            Key::new(Mark::Ring(theme::AXIS), "Latin hypercube point"),
            Key::new(Mark::Dot(theme::INK), "refinement (compass search)"),
            Key::new(Mark::Dot(theme::PENDING), "best"),
        ]
    }
    fn height(&self) -> f64 {
        150.0 + PANEL_H * self.dims.len().max(1) as f64
    }
    fn reading(&self) -> String {
        let b = &self.points[self.best];
        let values: Vec<String> = self.dims.iter().zip(&b.0).map(|(d, v)| format!("{} = {v:.4}", d.path)).collect();
        format!("The best point ({}) has loss {:.3}.", values.join(", "), b.1)
    }
    fn body<DB: DrawingBackend>(&self, cv: &Canvas<DB>, r: Rect) -> Drawn<DB> {
        let t = cv.t;
        let tick = t.tick();
        let top = self.points.iter().map(|p| p.1).fold(1.0, f64::max);
        let ticks: Vec<f64> = LOSS_TICKS.iter().copied().filter(|&l| l <= top * 1.5).collect();
        let ymax = y_of(top) * 1.05;
        for (i, d) in self.dims.iter().enumerate() {
            let y0 = r.y0 + i as f64 * PANEL_H;
            let head = t.bold(14.0, theme::INK);
            cv.text(&d.path, r.x0, y0 + 8.0, &head, HPos::Left)?;
            let (px0, px1) = (r.x0 + 56.0, r.x1 - 16.0);
            let (py0, py1) = (y0 + 32.0, y0 + PANEL_H - 44.0);
            let y = Lin::new((0.0, ymax), (py1, py0));
            for &l in &ticks {
                let py = y.map(y_of(l));
                cv.line(&[(px0, py), (px1, py)], theme::GRID.to_rgba(), 1.0)?;
                cv.text(&format!("{l}"), px0 - 8.0, py - 6.0, &tick, HPos::Right)?;
            }
            let label = |v: f64, ts: &[f64]| tick_label(v, ts, false);
            let x = figure::x_axis(cv, (d.lo, d.hi), (px0, px1), (py0, py1), 6, &label, &tick)?;
            for (k, (p, l)) in self.points.iter().enumerate() {
                let (px, py) = (x.map(p[i]), y.map(y_of(*l)));
                if k == self.best {
                    continue;
                }
                if k < self.design {
                    figure::ring(cv, px, py, 4.0, theme::AXIS)?;
                } else {
                    figure::dot(cv, px, py, 3.0, theme::INK)?;
                }
            }
            let (bp, bl) = &self.points[self.best];
            cv.dashed((x.map(bp[i]), py0), (x.map(bp[i]), py1), theme::PENDING.to_rgba(), 1.0, 4.0)?;
            figure::dot(cv, x.map(bp[i]), y.map(y_of(*bl)), 6.0, theme::PENDING)?;
        }
        Ok(())
    }
}

/// Writes `DIR/fit-landscape.png` and `.svg`; returns the files.
pub fn write(
    dir: &Path,
    dims: &[Dim],
    points: &[(Vec<f64>, f64)],
    best: usize,
    design: usize,
) -> Result<Vec<PathBuf>, ReportError> {
    let chart = Landscape { dims: dims.to_vec(), points: points.to_vec(), best, design };
    let source = format!("calibration fit · {} evaluations · escalate {}", points.len(), env!("CARGO_PKG_VERSION"));
    Ok(figure::write(&chart, &source, dir)?.files)
}
