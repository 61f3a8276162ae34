//! The debrief's charts, in the look of the batch charts: each is a
//! [`Figure`] drawn by [`crate::report::figure`] on the same canvas, frame, fonts and
//! axes, to PNG (for the Markdown) and SVG (inlined in the HTML). The class is always
//! drawn in one colour (orange), the engine alone in the theme's neutral grey.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use crate::report::charts::NOTE_HEIGHT;
use crate::report::draw::{self, Axis, BandPoint, Bands, Bar, Canvas, Drawn, Rect};
use crate::report::figure::{self, Figure, Key, Mark};
use crate::report::format::{num, pct};
use crate::report::theme;

/// The engine-alone distribution: the report theme's colour for "all runs".
const ENGINE: RGBColor = theme::NEUTRAL;
/// The class: Okabe-Ito orange, apart from the theme's two group colours.
const CLASS: RGBColor = theme::PENDING;

/// Draws `fig` as `DIR/STEM.png` and `DIR/STEM.svg` and returns the SVG text.
pub fn render<F: Figure>(fig: &F, source: &str, dir: &Path) -> Result<String, String> {
    figure::write(fig, source, dir).map(|w| w.svg).map_err(|e| e.to_string())
}

/// The distribution of a per-run total over the engine's runs, the class's value marked.
pub struct Distribution<'a> {
    pub stem: &'a str,
    pub title: &'a str,
    pub x_label: &'a str,
    pub values: &'a [f64],
    pub class: f64,
}

/// Bins of a histogram: `bins` equal bins from the lowest to the highest of `values`
/// and `class` (one bin around a single value). Returns (low edge, width, counts).
pub fn bins(values: &[f64], class: f64, bins: usize) -> (f64, f64, Vec<u64>) {
    let (lo, hi) = values
        .iter()
        .chain(std::iter::once(&class))
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let (lo, hi) = if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi - lo < 1e-9 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let n = bins.max(1);
    let w = (hi - lo) / n as f64;
    let mut counts = vec![0u64; n];
    for v in values.iter().filter(|v| v.is_finite()) {
        counts[(((v - lo) / w) as usize).min(n - 1)] += 1;
    }
    (lo, w, counts)
}

impl Figure for Distribution<'_> {
    fn stem(&self) -> String {
        self.stem.to_string()
    }
    fn title(&self) -> String {
        self.title.to_string()
    }
    fn subtitle(&self) -> String {
        let below = self.values.iter().filter(|v| **v < self.class).count();
        format!(
            "Share of {} engine-alone runs in each bin; the line: your class ({}), above {} of them",
            self.values.len(),
            num(self.class),
            pct(below as f64 / self.values.len().max(1) as f64)
        )
    }
    fn legend(&self) -> Vec<Key> {
        vec![
            Key::new(Mark::Box(ENGINE), format!("engine alone ({} runs)", self.values.len())),
            Key::new(Mark::Line(CLASS), "your class"),
        ]
    }
    fn height(&self) -> f64 {
        440.0
    }
    fn reading(&self) -> String {
        self.subtitle()
    }
    fn body<DB: DrawingBackend>(&self, cv: &Canvas<DB>, r: Rect) -> Drawn<DB> {
        let (lo, w, counts) = bins(self.values, self.class, 20);
        let n = self.values.len().max(1) as f64;
        let cats: Vec<String> = (0..counts.len()).map(|i| num(lo + (i as f64 + 0.5) * w)).collect();
        let bars: Vec<Vec<Bar>> = counts
            .iter()
            .map(|&c| vec![Bar { value: c as f64 / n, ci: None, colour: ENGINE, text: String::new() }])
            .collect();
        let axis = Axis { title: "share of engine runs", percent: true, max: None };
        let plot = draw::vbars(cv, r, &cats, &bars, &axis, self.x_label)?;
        if self.values.is_empty() {
            let mid = ((plot.x0 + plot.x1) / 2.0, (plot.y0 + plot.y1) / 2.0);
            cv.text("no engine runs", mid.0, mid.1, &cv.t.text(14.0, theme::MUTED), HPos::Center)?;
        }
        let x = plot.x0 + (self.class - lo) / (w * counts.len() as f64) * (plot.x1 - plot.x0);
        cv.line(&[(x, plot.y0 - 6.0), (x, plot.y1)], CLASS.to_rgba(), 3.0)?;
        let label = format!("your class: {}", num(self.class));
        let style = cv.t.text(12.5, theme::ink_of(CLASS));
        let right = x > (plot.x0 + plot.x1) / 2.0;
        let (lx, h) = if right { (x - 6.0, HPos::Right) } else { (x + 6.0, HPos::Left) };
        cv.text(&label, lx, plot.y0 + 2.0, &style, h)
    }
}

/// A per-turn series: the engine's median and 10–90% band, and the class's line.
pub struct PerTurn<'a> {
    pub stem: &'a str,
    pub title: &'a str,
    pub y_label: &'a str,
    pub turn_length: &'a str,
    pub median: &'a [f64],
    pub lo: &'a [f64],
    pub hi: &'a [f64],
    pub class: &'a [f64],
    pub runs: usize,
}

impl Figure for PerTurn<'_> {
    fn stem(&self) -> String {
        self.stem.to_string()
    }
    fn title(&self) -> String {
        self.title.to_string()
    }
    fn subtitle(&self) -> String {
        format!(
            "Your class's score each turn against {} engine-alone runs: their median, shaded 10–90% of runs",
            self.runs
        )
    }
    fn legend(&self) -> Vec<Key> {
        vec![
            Key::new(Mark::Line(ENGINE), "engine alone: median, 10–90% of runs"),
            Key::new(Mark::Line(CLASS), "your class"),
        ]
    }
    fn height(&self) -> f64 {
        460.0
    }
    fn reading(&self) -> String {
        let above = self.class.iter().zip(self.hi).filter(|(c, h)| c > h).count();
        let below = self.class.iter().zip(self.lo).filter(|(c, l)| c < l).count();
        format!(
            "Your class scored above 90% of the engine's runs in {above} of {} turns and below 90% of them in {below}.",
            self.class.len()
        )
    }
    fn body<DB: DrawingBackend>(&self, cv: &Canvas<DB>, r: Rect) -> Drawn<DB> {
        let engine: Vec<BandPoint> = (0..self.median.len())
            .map(|i| BandPoint {
                x: (i + 1) as f64,
                mean: self.median[i],
                lo: self.lo.get(i).copied().unwrap_or(f64::NAN),
                hi: self.hi.get(i).copied().unwrap_or(f64::NAN),
            })
            .collect();
        // The class has no band: one session, one line.
        let class: Vec<BandPoint> = self
            .class
            .iter()
            .enumerate()
            .map(|(i, &v)| BandPoint { x: (i + 1) as f64, mean: v, lo: f64::NAN, hi: f64::NAN })
            .collect();
        let turns = self.median.len().max(self.class.len()).max(2);
        let series = vec![(ENGINE, engine), (CLASS, class.clone())];
        let x_title = format!("turn (1 turn = 1 {})", self.turn_length);
        let zero = self.median.iter().chain(self.hi).chain(self.class).all(|v| *v == 0.0);
        let bands = Bands {
            series: &series,
            x_domain: (1.0, turns as f64),
            x_title: &x_title,
            axis: Axis { title: self.y_label, percent: false, max: None },
            step: false,
            zero: true,
            note: zero.then_some("0 in every turn, for your class and for the engine"),
            small: false,
            y_domain: None,
        };
        draw::bands(cv, r, &bands)?;
        // Dots on the class's line, on the axes `bands` drew.
        let ticks = draw::value_ticks(&bands);
        let plot = draw::bands_plot(cv, r, &bands, &ticks);
        let xm = draw::Lin::new(bands.x_domain, (plot.x0, plot.x1));
        let ym = draw::Lin::new((ticks[0], *ticks.last().unwrap_or(&1.0)), (plot.y1, plot.y0));
        for p in class.iter().filter(|p| p.mean.is_finite()) {
            figure::dot(cv, xm.map(p.x), ym.map(p.mean), 3.5, CLASS)?;
        }
        Ok(())
    }
}

/// Shares of the engine's runs per category, the class's category framed.
pub struct Shares<'a> {
    pub stem: &'a str,
    pub title: &'a str,
    pub x_label: &'a str,
    pub labels: &'a [&'a str],
    pub shares: &'a [f64],
    pub class: usize,
    pub runs: usize,
    /// A note under the plot (what a dominant outcome class contains).
    pub note: Option<String>,
}

impl Figure for Shares<'_> {
    fn stem(&self) -> String {
        self.stem.to_string()
    }
    fn title(&self) -> String {
        self.title.to_string()
    }
    fn subtitle(&self) -> String {
        format!(
            "Share of {} engine-alone runs in each category; framed: your class's ({}, {} of the engine's runs)",
            self.runs,
            self.labels.get(self.class).copied().unwrap_or("?"),
            pct(self.shares.get(self.class).copied().unwrap_or(0.0))
        )
    }
    fn legend(&self) -> Vec<Key> {
        vec![Key::new(Mark::Box(ENGINE), "engine alone: share of runs"), Key::new(Mark::Frame(CLASS), "your class")]
    }
    fn height(&self) -> f64 {
        440.0 + if self.note.is_some() { NOTE_HEIGHT } else { 0.0 }
    }
    fn reading(&self) -> String {
        match &self.note {
            Some(n) => format!("{} {}", self.subtitle(), n.trim_start_matches("Note: ")),
            None => self.subtitle(),
        }
    }
    fn body<DB: DrawingBackend>(&self, cv: &Canvas<DB>, r: Rect) -> Drawn<DB> {
        let r = match &self.note {
            Some(n) => {
                draw::note(cv, Rect { y0: r.y1 - NOTE_HEIGHT + 14.0, ..r }, n)?;
                Rect { y1: r.y1 - NOTE_HEIGHT, ..r }
            }
            None => r,
        };
        let cats: Vec<String> = self.labels.iter().map(|s| s.to_string()).collect();
        let bars: Vec<Vec<Bar>> = self
            .shares
            .iter()
            .map(|&v| {
                let text = if v > 0.0 { pct(v) } else { String::new() };
                vec![Bar { value: v, ci: None, colour: ENGINE, text }]
            })
            .collect();
        let axis = Axis { title: "share of engine runs", percent: true, max: Some(1.0) };
        let plot = draw::vbars(cv, r, &cats, &bars, &axis, self.x_label)?;
        // The class's category: an orange frame around its slot.
        let slot = (plot.x1 - plot.x0) / cats.len().max(1) as f64;
        let (x0, x1) = (plot.x0 + self.class as f64 * slot + 3.0, plot.x0 + (self.class + 1) as f64 * slot - 3.0);
        let frame = [(x0, plot.y1), (x0, plot.y0), (x1, plot.y0), (x1, plot.y1)];
        cv.line(&frame, CLASS.to_rgba(), 2.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_the_values_and_the_class() {
        let (lo, w, c) = bins(&[1.0, 2.0, 3.0, 4.0], 10.0, 9);
        assert_eq!(lo, 1.0);
        assert!((w - 1.0).abs() < 1e-12);
        assert_eq!(c.iter().sum::<u64>(), 4);
        let (lo, w, c) = bins(&[5.0, 5.0], 5.0, 4);
        assert!(lo < 5.0 && lo + 4.0 * w > 5.0 && c.iter().sum::<u64>() == 2);
    }
}
