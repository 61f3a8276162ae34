//! A small drawing layer over plotters: a canvas in logical pixels, the chart frame
//! (title, subtitle, legend, source line), axes with nice ticks, and the three panel
//! kinds every chart is made of (horizontal bars, vertical bars, lines with bands).
//!
//! Layout is computed here rather than left to plotters' automatic label areas, so
//! that label widths are measured with the bundled font and nothing overlaps or clips.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::theme::{self, Theme};

/// The result of a drawing call.
pub type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Which backend a canvas draws on: the two place text baselines differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Png,
    Svg,
}

/// Width of every chart, in logical pixels.
pub const WIDTH: f64 = 960.0;
/// Outer margin.
pub const PAD: f64 = 24.0;

/// A drawing surface in logical pixels.
pub struct Canvas<DB: DrawingBackend> {
    area: DrawingArea<DB, Shift>,
    pub t: Theme,
    pub kind: Kind,
    pub w: f64,
    pub h: f64,
    /// The provenance line drawn at the bottom of every chart.
    pub source: String,
}

impl<DB: DrawingBackend> Canvas<DB> {
    pub fn new(area: DrawingArea<DB, Shift>, kind: Kind, w: f64, h: f64, source: String) -> Self {
        let t = match kind {
            Kind::Png => Theme::PNG,
            Kind::Svg => Theme::SVG,
        };
        Canvas { area, t, kind, w, h, source }
    }

    /// Finishes drawing: the bitmap backend encodes and writes its PNG here.
    pub fn present(&self) -> Drawn<DB> {
        self.area.present()
    }

    fn p(&self, x: f64, y: f64) -> (i32, i32) {
        (self.t.px(x), self.t.px(y))
    }

    pub fn fill(&self, c: RGBColor) -> Drawn<DB> {
        self.area.fill(&c)
    }

    /// A filled rectangle between two corners.
    pub fn rect(&self, x0: f64, y0: f64, x1: f64, y1: f64, c: RGBAColor) -> Drawn<DB> {
        let (a, b) = (self.p(x0.min(x1), y0.min(y1)), self.p(x0.max(x1), y0.max(y1)));
        if a.0 == b.0 || a.1 == b.1 {
            return Ok(());
        }
        self.area.draw(&Rectangle::new([a, b], c.filled()))
    }

    /// A polyline of `width` logical pixels.
    pub fn line(&self, pts: &[(f64, f64)], c: RGBAColor, width: f64) -> Drawn<DB> {
        let pts: Vec<(i32, i32)> = pts.iter().map(|&(x, y)| self.p(x, y)).collect();
        let style = ShapeStyle { color: c, filled: false, stroke_width: self.t.pxu(width).max(1) };
        self.area.draw(&PathElement::new(pts, style))
    }

    /// A dashed straight line.
    pub fn dashed(&self, from: (f64, f64), to: (f64, f64), c: RGBAColor, width: f64, dash: f64) -> Drawn<DB> {
        let (dx, dy) = (to.0 - from.0, to.1 - from.1);
        let len = (dx * dx + dy * dy).sqrt();
        if len <= 0.0 {
            return Ok(());
        }
        let n = (len / (2.0 * dash)).ceil() as usize;
        for i in 0..n {
            let a = (2 * i) as f64 * dash / len;
            let b = (((2 * i + 1) as f64 * dash) / len).min(1.0);
            self.line(&[(from.0 + dx * a, from.1 + dy * a), (from.0 + dx * b, from.1 + dy * b)], c, width)?;
        }
        Ok(())
    }

    /// A filled polygon.
    pub fn polygon(&self, pts: &[(f64, f64)], c: RGBAColor) -> Drawn<DB> {
        let pts: Vec<(i32, i32)> = pts.iter().map(|&(x, y)| self.p(x, y)).collect();
        self.area.draw(&Polygon::new(pts, c.filled()))
    }

    /// Text whose capital letters are vertically centred on `y`, anchored at `x` by `h`.
    pub fn text(&self, s: &str, x: f64, y: f64, style: &TextStyle, h: HPos) -> Drawn<DB> {
        if s.is_empty() {
            return Ok(());
        }
        // Both backends are given the top of the text box. ab_glyph puts the baseline
        // half the size below it; SVG 0.76 em below (`dy`), with the em set to
        // ab_glyph's (see `rescale_font_sizes`). Capitals are centred half their
        // height above the baseline.
        let size = style.font.get_size() / self.t.scale;
        let em = size * theme::EM_PER_SIZE;
        let baseline_below_top = match self.kind {
            Kind::Png => 0.5 * size,
            Kind::Svg => 0.76 * em,
        };
        let top = y + theme::CAP_PER_EM * em / 2.0 - baseline_below_top;
        let style = style.pos(Pos::new(h, VPos::Top));
        self.area.draw_text(s, &style, self.p(x, top))
    }

    /// Width of `s` in logical pixels, measured with the bundled font.
    pub fn width(&self, s: &str, style: &TextStyle) -> f64 {
        match self.area.estimate_text_size(s, style) {
            Ok((w, _)) => f64::from(w) / self.t.scale,
            Err(_) => s.chars().count() as f64 * style.font.get_size() / self.t.scale * 0.6,
        }
    }

    /// Splits a label into lines no wider than `max` (at spaces), at most `lines` lines.
    pub fn wrap(&self, s: &str, style: &TextStyle, max: f64, lines: usize) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut cur = String::new();
        for word in s.split(' ') {
            let candidate = if cur.is_empty() { word.to_string() } else { format!("{cur} {word}") };
            if cur.is_empty() || self.width(&candidate, style) <= max || out.len() + 1 >= lines {
                cur = candidate;
            } else {
                out.push(std::mem::take(&mut cur));
                cur = word.to_string();
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
        out
    }

    /// Draws the frame every chart shares: background, title, subtitle, legend and the
    /// source line. Returns the top and bottom of the space left for the chart body.
    pub fn frame(&self, title: &str, subtitle: &[String], legend: &[Legend]) -> Result<(f64, f64), String>
    where
        DB::ErrorType: 'static,
    {
        self.frame_inner(title, subtitle, legend).map_err(|e| e.to_string())
    }

    fn frame_inner(
        &self,
        title: &str,
        subtitle: &[String],
        legend: &[Legend],
    ) -> Result<(f64, f64), DrawingAreaErrorKind<DB::ErrorType>> {
        let t = self.t;
        self.fill(theme::BACKGROUND)?;
        self.text(title, PAD, 26.0, &t.title(), HPos::Left)?;
        for (i, line) in subtitle.iter().enumerate() {
            self.text(line, PAD, 50.0 + 18.0 * i as f64, &t.subtitle(), HPos::Left)?;
        }
        let extra = 18.0 * subtitle.len().saturating_sub(1) as f64;
        let mut top = 70.0 + extra;
        if !legend.is_empty() {
            let y = 80.0 + extra;
            let mut x = PAD;
            let style = t.label();
            for item in legend {
                match item.swatch {
                    Swatch::Box(c) => self.rect(x, y - 7.0, x + 14.0, y + 7.0, c.to_rgba())?,
                    Swatch::Line(c) => {
                        self.rect(x, y - 7.0, x + 22.0, y + 7.0, c.mix(0.22))?;
                        self.line(&[(x, y), (x + 22.0, y)], c.to_rgba(), 2.5)?;
                    }
                    Swatch::Whisker => {
                        let c = theme::INK.to_rgba();
                        self.line(&[(x + 2.0, y), (x + 20.0, y)], c, 1.3)?;
                        self.line(&[(x + 2.0, y - 5.0), (x + 2.0, y + 5.0)], c, 1.3)?;
                        self.line(&[(x + 20.0, y - 5.0), (x + 20.0, y + 5.0)], c, 1.3)?;
                    }
                }
                let sw = match item.swatch {
                    Swatch::Box(_) => 14.0,
                    _ => 22.0,
                };
                self.text(&item.label, x + sw + 7.0, y, &style, HPos::Left)?;
                x += sw + 7.0 + self.width(&item.label, &style) + 26.0;
            }
            top = 100.0 + extra;
        }
        let bottom = self.h - 30.0;
        self.text(&self.source, PAD, self.h - 14.0, &t.text(11.0, theme::MUTED), HPos::Left)?;
        Ok((top, bottom))
    }
}

/// A legend entry.
pub struct Legend {
    pub swatch: Swatch,
    pub label: String,
}

pub enum Swatch {
    /// A filled box: bars.
    Box(RGBColor),
    /// A line over a shaded band: a mean and its interval.
    Line(RGBColor),
    /// An interval whisker.
    Whisker,
}

impl Legend {
    pub fn new(swatch: Swatch, label: impl Into<String>) -> Self {
        Legend { swatch, label: label.into() }
    }
}

/// Shortens `s` with an ellipsis until it fits in `max` logical pixels.
pub fn fit<DB: DrawingBackend>(cv: &Canvas<DB>, s: &str, style: &TextStyle, max: f64) -> String {
    if cv.width(s, style) <= max {
        return s.to_string();
    }
    let mut chars: Vec<char> = s.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if cv.width(&candidate, style) <= max {
            return candidate;
        }
    }
    String::new()
}

/// A linear map from data to logical pixels.
#[derive(Debug, Clone, Copy)]
pub struct Lin {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Lin {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Lin {
        Lin { d0: domain.0, d1: domain.1, r0: range.0, r1: range.1 }
    }
    pub fn map(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span == 0.0 { self.r0 } else { self.r0 + (v - self.d0) / span * (self.r1 - self.r0) }
    }
}

/// Round tick values covering `[lo, hi]`: about `n` steps of 1, 2, 2.5 or 5 × 10^k.
pub fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo, lo + 1.0) };
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let first = (lo / step).floor() * step;
    let mut ticks = Vec::new();
    let mut k = 0;
    loop {
        let v = first + k as f64 * step;
        // Snap away binary noise (0.30000000000000004).
        let v = (v / step).round() * step;
        ticks.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        if v >= hi - step * 1e-9 {
            break;
        }
        k += 1;
    }
    ticks
}

/// A tick label: as few decimals as the step needs.
pub fn tick_label(v: f64, ticks: &[f64], percent: bool) -> String {
    let step = if ticks.len() > 1 { (ticks[1] - ticks[0]).abs() } else { 1.0 };
    let scale = if percent { 100.0 } else { 1.0 };
    let step = step * scale;
    let decimals = (0..=6).find(|d| {
        let m = step * 10f64.powi(*d);
        (m - m.round()).abs() < 1e-6 * m.max(1.0)
    });
    let decimals = decimals.unwrap_or(6) as usize;
    let s = if v == 0.0 { "0".to_string() } else { format!("{:.*}", decimals, v * scale) };
    if percent { format!("{s}%") } else { s }
}

/// One bar: its value, an optional interval, colour and the label written at its end.
#[derive(Debug, Clone)]
pub struct Bar {
    pub value: f64,
    pub ci: Option<(f64, f64)>,
    pub colour: RGBColor,
    pub text: String,
}

/// A category of a horizontal bar panel: a label, an optional note under it, its bars.
#[derive(Debug, Clone)]
pub struct Row {
    pub label: String,
    pub note: Option<String>,
    pub bars: Vec<Bar>,
}

/// A rectangle in logical pixels.
#[derive(Debug, Clone, Copy)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

/// Options of a value axis.
pub struct Axis<'a> {
    pub title: &'a str,
    /// Values are proportions, labelled as percentages.
    pub percent: bool,
    /// Fixed upper end of the axis (otherwise: the largest value or interval end).
    pub max: Option<f64>,
}

/// Horizontal bars, one row per category. `label_w` is the width of the label column
/// (0 hides labels, for a panel that shares the rows of the one on its left).
pub fn hbars<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    r: Rect,
    rows: &[Row],
    label_w: f64,
    axis: &Axis,
    empty_note: Option<&str>,
) -> Drawn<DB> {
    let t = cv.t;
    let value_style = t.value();
    let n_ticks = if r.x1 - r.x0 - label_w < 340.0 { 3 } else { 5 };
    let text_room =
        rows.iter().flat_map(|row| row.bars.iter()).map(|b| cv.width(&b.text, &value_style)).fold(0.0, f64::max) + 10.0;
    let data_max = rows
        .iter()
        .flat_map(|row| row.bars.iter())
        .map(|b| b.ci.map_or(b.value, |c| c.1.max(b.value)))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let top = axis.max.unwrap_or(if data_max > 0.0 { data_max } else { 1.0 });
    // The plot is as wide as it can be while every value label still fits to the right
    // of its bar (or whisker) inside the panel.
    let x0 = r.x0 + label_w + if label_w > 0.0 { 12.0 } else { 0.0 };
    let mut width = r.x1 - x0;
    for b in rows.iter().flat_map(|row| row.bars.iter()) {
        let end = b.ci.map_or(b.value, |c| c.1.max(b.value));
        let f = if end.is_finite() { (end / top).clamp(0.0, 1.0) } else { 0.0 };
        let need = 6.0 + cv.width(&b.text, &value_style) + 4.0;
        if f > 0.0 {
            width = width.min((r.x1 - x0 - need) / f);
        }
    }
    let ticks = nice_ticks(0.0, top, n_ticks);
    let ticks: Vec<f64> = ticks.into_iter().filter(|v| *v <= top * (1.0 + 1e-9)).collect();
    // The last tick label is centred on its tick: keep its right half inside too.
    let last = ticks.last().map_or(0.0, |v| cv.width(&tick_label(*v, &ticks, axis.percent), &t.tick()) / 2.0 + 2.0);
    let last_f = ticks.last().map_or(0.0, |v| v / top);
    if last_f > 0.0 {
        width = width.min((r.x1 - x0 - last) / last_f);
    }
    let width = width.max((r.x1 - x0 - text_room.max(last)).max(40.0));
    let plot = Rect { x0, y0: r.y0, x1: x0 + width, y1: r.y1 - 44.0 };
    let x = Lin::new((0.0, top), (plot.x0, plot.x1));
    // Grid and tick labels.
    for &v in &ticks {
        let px = x.map(v);
        cv.line(&[(px, plot.y0), (px, plot.y1)], theme::GRID.to_rgba(), 1.0)?;
        cv.text(&tick_label(v, &ticks, axis.percent), px, plot.y1 + 13.0, &t.tick(), HPos::Center)?;
    }
    cv.text(axis.title, (plot.x0 + plot.x1) / 2.0, plot.y1 + 34.0, &t.axis_title(), HPos::Center)?;
    let n = rows.len().max(1) as f64;
    let row_h = (plot.y1 - plot.y0) / n;
    for (i, row) in rows.iter().enumerate() {
        let y0 = plot.y0 + i as f64 * row_h;
        let mid = y0 + row_h / 2.0;
        if label_w > 0.0 {
            let lx = plot.x0 - 12.0;
            match &row.note {
                Some(note) => {
                    cv.text(&row.label, lx, mid - 8.0, &t.label(), HPos::Right)?;
                    cv.text(note, lx, mid + 9.0, &t.text(11.5, theme::MUTED), HPos::Right)?;
                }
                None => cv.text(&row.label, lx, mid, &t.label(), HPos::Right)?,
            }
        }
        let k = row.bars.len().max(1) as f64;
        let thick = (row_h * 0.74 / k).min(30.0);
        let block = thick * k;
        for (j, b) in row.bars.iter().enumerate() {
            let by0 = mid - block / 2.0 + j as f64 * thick;
            let by1 = by0 + thick - if k > 1.0 { 1.5 } else { 0.0 };
            let v = if b.value.is_finite() { b.value.max(0.0) } else { 0.0 };
            cv.rect(x.map(0.0), by0, x.map(v), by1, b.colour.to_rgba())?;
            let mut end = x.map(v);
            if let Some((lo, hi)) = b.ci {
                let (a, c) = (x.map(lo.max(0.0)), x.map(hi.min(top)));
                if lo.is_finite() && hi.is_finite() && c - a >= 2.0 {
                    let ym = (by0 + by1) / 2.0;
                    let cap = (thick * 0.28).clamp(3.0, 6.0);
                    let ink = theme::INK.to_rgba();
                    cv.line(&[(a, ym), (c, ym)], ink, 1.3)?;
                    cv.line(&[(a, ym - cap), (a, ym + cap)], ink, 1.3)?;
                    cv.line(&[(c, ym - cap), (c, ym + cap)], ink, 1.3)?;
                    end = end.max(c);
                }
            }
            let style = if k > 1.0 { t.text(12.0, theme::ink_of(b.colour)) } else { value_style.clone() };
            cv.text(&b.text, end + 6.0, (by0 + by1) / 2.0, &style, HPos::Left)?;
        }
    }
    // The zero line, over the bars' start.
    cv.line(&[(plot.x0, plot.y0), (plot.x0, plot.y1)], theme::AXIS.to_rgba(), 1.0)?;
    if let Some(note) = empty_note {
        cv.text(note, (plot.x0 + plot.x1) / 2.0, (plot.y0 + plot.y1) / 2.0, &t.text(14.0, theme::MUTED), HPos::Center)?;
    }
    Ok(())
}

/// A note on a chart, below its plot: wrapped text (at most three lines) beside an
/// amber rule, as the HTML report marks notes.
pub fn note<DB: DrawingBackend>(cv: &Canvas<DB>, r: Rect, text: &str) -> Drawn<DB> {
    let t = cv.t;
    let style = t.text(12.5, theme::INK);
    let lines = cv.wrap(text, &style, r.x1 - r.x0 - 14.0, 3);
    let h = 18.0 * lines.len() as f64;
    cv.rect(r.x0, r.y0, r.x0 + 3.0, r.y0 + h + 4.0, theme::PENDING.to_rgba())?;
    for (k, line) in lines.iter().enumerate() {
        cv.text(line, r.x0 + 12.0, r.y0 + 11.0 + 18.0 * k as f64, &style, HPos::Left)?;
    }
    Ok(())
}

/// Vertical bars in categories along x, several bars (series) per category.
pub fn vbars<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    r: Rect,
    categories: &[String],
    bars: &[Vec<Bar>],
    axis: &Axis,
    x_title: &str,
) -> Result<Rect, DrawingAreaErrorKind<DB::ErrorType>> {
    let t = cv.t;
    let tick = t.tick();
    let data_max = bars
        .iter()
        .flatten()
        .map(|b| b.ci.map_or(b.value, |c| c.1.max(b.value)))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let top = axis.max.unwrap_or(if data_max > 0.0 { data_max * 1.08 } else { 1.0 });
    let ticks = nice_ticks(0.0, top, 5);
    let top = axis.max.unwrap_or(*ticks.last().unwrap_or(&1.0));
    let ticks: Vec<f64> = ticks.into_iter().filter(|v| *v <= top + 1e-12).collect();
    let labels: Vec<String> = ticks.iter().map(|&v| tick_label(v, &ticks, axis.percent)).collect();
    let tick_w = labels.iter().map(|l| cv.width(l, &tick)).fold(0.0, f64::max);
    let n = categories.len().max(1) as f64;
    let plot_x0 = r.x0 + tick_w + 10.0;
    let slot = (r.x1 - plot_x0) / n;
    let cat_style = t.label();
    let wrapped: Vec<Vec<String>> = categories.iter().map(|c| cv.wrap(c, &cat_style, slot - 6.0, 2)).collect();
    let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1) as f64;
    // Labels that still do not fit their slot (numbers): label every k-th, always the last.
    let widest = wrapped.iter().flatten().map(|l| cv.width(l, &cat_style)).fold(0.0, f64::max);
    let every = if widest > slot - 4.0 { (widest / (slot - 4.0).max(1.0)).ceil() as usize } else { 1 };
    let plot = Rect { x0: plot_x0, y0: r.y0 + 22.0, x1: r.x1, y1: r.y1 - 16.0 * lines - 34.0 };
    let y = Lin::new((0.0, top), (plot.y1, plot.y0));
    for (v, label) in ticks.iter().zip(&labels) {
        let py = y.map(*v);
        cv.line(&[(plot.x0, py), (plot.x1, py)], theme::GRID.to_rgba(), 1.0)?;
        cv.text(label, plot.x0 - 8.0, py, &tick, HPos::Right)?;
    }
    cv.text(axis.title, r.x0, r.y0 + 4.0, &t.axis_title(), HPos::Left)?;
    for (i, lines) in wrapped.iter().enumerate() {
        if !(wrapped.len() - 1 - i).is_multiple_of(every) {
            continue;
        }
        let cx = plot.x0 + (i as f64 + 0.5) * slot;
        for (k, line) in lines.iter().enumerate() {
            cv.text(line, cx, plot.y1 + 14.0 + 16.0 * k as f64, &cat_style, HPos::Center)?;
        }
    }
    cv.text(x_title, (plot.x0 + plot.x1) / 2.0, r.y1 - 10.0, &t.axis_title(), HPos::Center)?;
    let value_style = t.value();
    for (i, group) in bars.iter().enumerate() {
        let k = group.len().max(1) as f64;
        let width = (slot * 0.8 / k).min(46.0);
        let x0 = plot.x0 + (i as f64 + 0.5) * slot - width * k / 2.0;
        for (j, b) in group.iter().enumerate() {
            let bx0 = x0 + j as f64 * width + 1.0;
            let bx1 = bx0 + width - 2.0;
            let v = if b.value.is_finite() { b.value.max(0.0) } else { 0.0 };
            cv.rect(bx0, y.map(0.0), bx1, y.map(v), b.colour.to_rgba())?;
            let mut top_y = y.map(v);
            if let Some((lo, hi)) = b.ci {
                let (a, c) = (y.map(lo.max(0.0)), y.map(hi.min(top)));
                if lo.is_finite() && hi.is_finite() && a - c >= 2.0 {
                    let xm = (bx0 + bx1) / 2.0;
                    let cap = (width * 0.22).clamp(3.0, 6.0);
                    let ink = theme::INK.to_rgba();
                    cv.line(&[(xm, a), (xm, c)], ink, 1.3)?;
                    cv.line(&[(xm - cap, a), (xm + cap, a)], ink, 1.3)?;
                    cv.line(&[(xm - cap, c), (xm + cap, c)], ink, 1.3)?;
                    top_y = top_y.min(c);
                }
            }
            if !b.text.is_empty() && cv.width(&b.text, &value_style) <= width + 8.0 {
                cv.text(&b.text, (bx0 + bx1) / 2.0, top_y - 9.0, &value_style, HPos::Center)?;
            }
        }
    }
    cv.line(&[(plot.x0, plot.y1), (plot.x1, plot.y1)], theme::AXIS.to_rgba(), 1.0)?;
    Ok(plot)
}

/// A point of a series with a band: x, the line's value, the band's ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandPoint {
    pub x: f64,
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

/// Lines over shaded bands along integer x (turns).
pub struct Bands<'a> {
    pub series: &'a [(RGBColor, Vec<BandPoint>)],
    pub x_domain: (f64, f64),
    pub x_title: &'a str,
    pub axis: Axis<'a>,
    /// Draw as a step function (a cumulative share that changes at each turn).
    pub step: bool,
    /// Include zero in the value axis.
    pub zero: bool,
    pub note: Option<&'a str>,
    /// Fewer ticks and smaller type, for small multiples.
    pub small: bool,
    /// A fixed value range (small multiples share one).
    pub y_domain: Option<(f64, f64)>,
}

/// The value-axis ticks of a [`bands`] panel: covering its data (and 0, and the
/// axis maximum, if asked), or exactly its shared `y_domain` for small multiples.
pub fn value_ticks(b: &Bands) -> Vec<f64> {
    let pts = b.series.iter().flat_map(|(_, p)| p.iter());
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in pts {
        for v in [p.lo, p.hi, p.mean] {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if b.zero {
        lo = lo.min(0.0);
    }
    if let Some((a, z)) = b.y_domain {
        // Small multiples: the shared domain alone decides the axis (headroom and
        // ticks too), so that every panel has the same scale, whatever its own data.
        (lo, hi) = (a.min(lo), z.max(hi));
    }
    let mut headroom = (hi - lo) * 0.04;
    if let Some(m) = b.axis.max {
        if m >= hi {
            headroom = 0.0;
        }
        hi = hi.max(m);
    }
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    nice_ticks(lo, hi + headroom, if b.small { 3 } else { 5 })
}

/// Where [`bands`] puts its plot inside `r`, given its value ticks (so that marks can
/// be added on the same axes afterwards).
pub fn bands_plot<DB: DrawingBackend>(cv: &Canvas<DB>, r: Rect, b: &Bands, ticks: &[f64]) -> Rect {
    let tick = if b.small { cv.t.text(11.0, theme::MUTED) } else { cv.t.tick() };
    let tick_w = ticks.iter().map(|&v| cv.width(&tick_label(v, ticks, b.axis.percent), &tick)).fold(0.0, f64::max);
    let title_h = if b.axis.title.is_empty() { 0.0 } else { 22.0 };
    let x_title_h = if b.x_title.is_empty() { 0.0 } else { 20.0 };
    Rect { x0: r.x0 + tick_w + 9.0, y0: r.y0 + title_h, x1: r.x1 - 8.0, y1: r.y1 - 20.0 - x_title_h }
}

pub fn bands<DB: DrawingBackend>(cv: &Canvas<DB>, r: Rect, b: &Bands) -> Drawn<DB> {
    let t = cv.t;
    let tick = if b.small { t.text(11.0, theme::MUTED) } else { t.tick() };
    let ticks = value_ticks(b);
    let (d0, d1) = (ticks[0], *ticks.last().unwrap_or(&1.0));
    let labels: Vec<String> = ticks.iter().map(|&v| tick_label(v, &ticks, b.axis.percent)).collect();
    let plot = bands_plot(cv, r, b, &ticks);
    let x = Lin::new(b.x_domain, (plot.x0, plot.x1));
    let y = Lin::new((d0, d1), (plot.y1, plot.y0));
    for (v, label) in ticks.iter().zip(&labels) {
        let py = y.map(*v);
        cv.line(&[(plot.x0, py), (plot.x1, py)], theme::GRID.to_rgba(), 1.0)?;
        cv.text(label, plot.x0 - 7.0, py, &tick, HPos::Right)?;
    }
    // Integer x ticks (turns), thinned to fit.
    let (x0, x1) = (b.x_domain.0.ceil() as i64, b.x_domain.1.floor() as i64);
    let span = (x1 - x0).max(1) as f64;
    let room = (plot.x1 - plot.x0) / if b.small { 34.0 } else { 42.0 };
    let step =
        [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000].into_iter().find(|s| span / *s as f64 <= room).unwrap_or(1000);
    for v in x0..=x1 {
        if v % step != 0 {
            continue;
        }
        let px = x.map(v as f64);
        cv.line(&[(px, plot.y1), (px, plot.y1 + 4.0)], theme::AXIS.to_rgba(), 1.0)?;
        cv.text(&v.to_string(), px, plot.y1 + 13.0, &tick, HPos::Center)?;
    }
    if !b.axis.title.is_empty() {
        cv.text(b.axis.title, r.x0, r.y0 + 4.0, &if b.small { t.label() } else { t.axis_title() }, HPos::Left)?;
    }
    if !b.x_title.is_empty() {
        cv.text(b.x_title, (plot.x0 + plot.x1) / 2.0, r.y1 - 8.0, &t.axis_title(), HPos::Center)?;
    }
    let stepped = |pts: Vec<(f64, f64)>| -> Vec<(f64, f64)> {
        if !b.step {
            return pts;
        }
        let mut out = Vec::with_capacity(pts.len() * 2);
        for (i, p) in pts.iter().enumerate() {
            if i > 0 {
                out.push((p.0, pts[i - 1].1));
            }
            out.push(*p);
        }
        out
    };
    for (c, points) in b.series {
        let pts: Vec<&BandPoint> = points.iter().filter(|p| p.lo.is_finite() && p.hi.is_finite()).collect();
        if pts.len() > 1 {
            let upper = stepped(pts.iter().map(|p| (x.map(p.x), y.map(p.hi))).collect());
            let mut lower = stepped(pts.iter().map(|p| (x.map(p.x), y.map(p.lo))).collect());
            lower.reverse();
            let poly: Vec<(f64, f64)> = upper.into_iter().chain(lower).collect();
            cv.polygon(&poly, c.mix(0.2))?;
        }
    }
    for (c, points) in b.series {
        let line = stepped(points.iter().filter(|p| p.mean.is_finite()).map(|p| (x.map(p.x), y.map(p.mean))).collect());
        cv.line(&line, c.to_rgba(), if b.small { 1.8 } else { 2.5 })?;
    }
    cv.line(&[(plot.x0, plot.y1), (plot.x1, plot.y1)], theme::AXIS.to_rgba(), 1.0)?;
    if let Some(note) = b.note {
        cv.text(
            note,
            (plot.x0 + plot.x1) / 2.0,
            plot.y0 + (plot.y1 - plot.y0) * 0.3,
            &t.text(14.0, theme::MUTED),
            HPos::Center,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        let t = nice_ticks(0.0, 1.0, 5);
        assert_eq!(t.len(), 6);
        assert!(t.iter().zip([0.0, 0.2, 0.4, 0.6, 0.8, 1.0]).all(|(a, b)| (a - b).abs() < 1e-12));
        let t = nice_ticks(0.0, 26.9, 5);
        assert_eq!(t.first(), Some(&0.0));
        assert!(*t.last().unwrap() >= 26.9);
        assert_eq!(nice_ticks(0.0, 0.0019, 5).last().map(|v| *v >= 0.0019), Some(true));
        let t = nice_ticks(-0.5, 2.1, 5);
        assert!(t[0] <= -0.5);
    }

    #[test]
    fn tick_labels_use_the_decimals_the_step_needs() {
        let t = nice_ticks(0.0, 1.0, 5);
        assert_eq!(tick_label(t[1], &t, true), "20%");
        assert_eq!(tick_label(t[1], &t, false), "0.2");
        let t = [0.0, 0.0025, 0.005];
        assert_eq!(tick_label(0.0025, &t, true), "0.25%");
        let t = [0.0, 2.5, 5.0];
        assert_eq!(tick_label(2.5, &t, false), "2.5");
        assert_eq!(tick_label(5.0, &t, false), "5.0");
    }

    #[test]
    fn small_multiples_with_a_shared_domain_have_the_same_ticks() {
        let pt = |x: f64, m: f64| BandPoint { x, mean: m, lo: m * 0.9, hi: m };
        let tall = vec![(theme::NEUTRAL, vec![pt(1.0, 1.0), pt(2.0, 2.9)])];
        let flat = vec![(theme::NEUTRAL, vec![pt(1.0, 0.2), pt(2.0, 0.5)])];
        let panel = |series| Bands {
            series,
            x_domain: (1.0, 2.0),
            x_title: "",
            axis: Axis { title: "x", percent: false, max: None },
            step: false,
            zero: true,
            note: None,
            small: true,
            y_domain: Some((0.0, 2.9)),
        };
        let (a, b) = (value_ticks(&panel(&tall)), value_ticks(&panel(&flat)));
        assert_eq!(a, b);
        assert!(*a.last().unwrap() >= 2.9);
    }
}
