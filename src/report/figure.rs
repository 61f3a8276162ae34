//! Charts beyond a batch's own — comparison, sweep, calibration — drawn on the same
//! [`Canvas`] in the same look, and the pieces of their HTML pages.
//!
//! A [`Figure`] is plain data (public, so tests can check it against the files it was
//! read from) that knows its title and how to draw its body; [`write`] renders it to
//! PNG and SVG exactly as the batch charts are rendered.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::ReportError;
// `fit` is re-exported: it was first defined here, and the calibration chart names it so.
pub use super::draw::fit;
use super::draw::{self, Canvas, Drawn, Kind, Lin, PAD, Rect, WIDTH};
use super::html::{self, escape};
use super::theme::{self, Theme};

/// A chart of a comparison, sweep or calibration directory.
pub trait Figure {
    /// File name without extension.
    fn stem(&self) -> String;
    fn title(&self) -> String;
    fn subtitle(&self) -> String;
    /// Legend entries (wrapped onto as many lines as they need).
    fn legend(&self) -> Vec<Key>;
    /// Height in logical pixels (the width is [`WIDTH`]).
    fn height(&self) -> f64;
    /// The chart in a sentence or two, for the page that shows it.
    fn reading(&self) -> String;
    fn body<DB: DrawingBackend>(&self, cv: &Canvas<DB>, r: Rect) -> Drawn<DB>;
}

/// A legend entry.
#[derive(Debug, Clone)]
pub struct Key {
    pub swatch: Mark,
    pub label: String,
}

impl Key {
    pub fn new(swatch: Mark, label: impl Into<String>) -> Key {
        Key { swatch, label: label.into() }
    }
}

/// What a legend entry shows.
#[derive(Debug, Clone, Copy)]
pub enum Mark {
    /// A line over its band: a mean and its interval.
    Line(RGBColor),
    /// A filled box.
    Box(RGBColor),
    /// A filled dot.
    Dot(RGBColor),
    /// An open dot.
    Ring(RGBColor),
    /// An open diamond: an observed (published) figure.
    Diamond(RGBColor),
    /// An empty box outlined in the colour: a highlighted category.
    Frame(RGBColor),
    /// An interval whisker.
    Whisker,
    /// A shaded range.
    Shade(RGBColor),
}

/// Draws `fig` on `cv`: the shared frame, a wrapped legend, then the body.
pub fn draw<F: Figure, DB: DrawingBackend>(fig: &F, cv: &Canvas<DB>) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let t = cv.t;
    let width = WIDTH - 2.0 * PAD;
    let title = fit(cv, &fig.title(), &t.title(), width);
    let mut subtitle = cv.wrap(&fig.subtitle(), &t.subtitle(), width, 2);
    for line in &mut subtitle {
        *line = fit(cv, line, &t.subtitle(), width);
    }
    let (top, bottom) = cv.frame(&title, &subtitle, &[])?;
    let top = legend(cv, top, &fig.legend()).map_err(|e| e.to_string())?;
    fig.body(cv, Rect { x0: PAD, y0: top, x1: cv.w - PAD, y1: bottom }).map_err(|e| e.to_string())
}

/// Draws legend rows below `top`, wrapping at the chart's width; returns the new top.
fn legend<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    top: f64,
    keys: &[Key],
) -> Result<f64, DrawingAreaErrorKind<DB::ErrorType>> {
    if keys.is_empty() {
        return Ok(top);
    }
    let style = cv.t.label();
    let mut y = top + 10.0;
    let mut x = PAD;
    for k in keys {
        let sw = match k.swatch {
            Mark::Box(_) | Mark::Dot(_) | Mark::Ring(_) | Mark::Diamond(_) | Mark::Frame(_) => 14.0,
            _ => 22.0,
        };
        let w = sw + 7.0 + cv.width(&k.label, &style);
        if x > PAD && x + w > cv.w - PAD {
            x = PAD;
            y += 24.0;
        }
        swatch(cv, k.swatch, x, y, sw)?;
        cv.text(&k.label, x + sw + 7.0, y, &style, HPos::Left)?;
        x += w + 26.0;
    }
    Ok(y + 20.0)
}

fn swatch<DB: DrawingBackend>(cv: &Canvas<DB>, m: Mark, x: f64, y: f64, w: f64) -> Drawn<DB> {
    match m {
        Mark::Box(c) => cv.rect(x, y - 7.0, x + w, y + 7.0, c.to_rgba()),
        Mark::Frame(c) => {
            let (a, b) = (y - 7.0, y + 7.0);
            cv.line(&[(x, a), (x + w, a), (x + w, b), (x, b), (x, a)], c.to_rgba(), 2.0)
        }
        Mark::Line(c) => {
            cv.rect(x, y - 7.0, x + w, y + 7.0, c.mix(0.22))?;
            cv.line(&[(x, y), (x + w, y)], c.to_rgba(), 2.5)
        }
        Mark::Dot(c) => dot(cv, x + w / 2.0, y, 5.0, c),
        Mark::Ring(c) => ring(cv, x + w / 2.0, y, 5.0, c),
        Mark::Diamond(c) => diamond(cv, x + w / 2.0, y, 6.5, c),
        Mark::Whisker => whisker(cv, x + 2.0, x + w - 2.0, y, 5.0, theme::INK),
        Mark::Shade(c) => cv.rect(x, y - 7.0, x + w, y + 7.0, c.mix(0.22)),
    }
}

/// Points around a circle, in logical pixels.
fn circle(x: f64, y: f64, r: f64) -> Vec<(f64, f64)> {
    (0..=24)
        .map(|i| {
            let a = f64::from(i) / 24.0 * std::f64::consts::TAU;
            (x + r * a.cos(), y + r * a.sin())
        })
        .collect()
}

/// A filled dot with a white rim (so overlapping marks stay apart).
pub fn dot<DB: DrawingBackend>(cv: &Canvas<DB>, x: f64, y: f64, r: f64, c: RGBColor) -> Drawn<DB> {
    cv.polygon(&circle(x, y, r + 1.2), theme::BACKGROUND.to_rgba())?;
    cv.polygon(&circle(x, y, r), c.to_rgba())
}

/// An open dot: white inside, a ring in `c`.
pub fn ring<DB: DrawingBackend>(cv: &Canvas<DB>, x: f64, y: f64, r: f64, c: RGBColor) -> Drawn<DB> {
    cv.polygon(&circle(x, y, r + 0.6), theme::BACKGROUND.to_rgba())?;
    cv.line(&circle(x, y, r - 0.4), c.to_rgba(), 1.8)
}

/// An open diamond in `c`.
pub fn diamond<DB: DrawingBackend>(cv: &Canvas<DB>, x: f64, y: f64, r: f64, c: RGBColor) -> Drawn<DB> {
    let pts = [(x, y - r), (x + r, y), (x, y + r), (x - r, y), (x, y - r)];
    cv.polygon(&pts, theme::BACKGROUND.to_rgba())?;
    cv.line(&pts, c.to_rgba(), 2.0)
}

/// A horizontal interval with end caps.
pub fn whisker<DB: DrawingBackend>(cv: &Canvas<DB>, a: f64, b: f64, y: f64, cap: f64, c: RGBColor) -> Drawn<DB> {
    let c = c.to_rgba();
    cv.line(&[(a, y), (b, y)], c, 1.4)?;
    cv.line(&[(a, y - cap), (a, y + cap)], c, 1.4)?;
    cv.line(&[(b, y - cap), (b, y + cap)], c, 1.4)
}

/// A value axis along x inside `[x0, x1]`: nice ticks covering `domain`, grid lines
/// from `y0` to `y1`, labels under `y1`. Returns the map from data to pixels.
#[allow(clippy::too_many_arguments)]
pub fn x_axis<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    domain: (f64, f64),
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    n: usize,
    label: &dyn Fn(f64, &[f64]) -> String,
    style: &TextStyle,
) -> Result<Lin, DrawingAreaErrorKind<DB::ErrorType>> {
    let ticks = draw::nice_ticks(domain.0, domain.1, n);
    let d = (ticks[0], *ticks.last().unwrap_or(&1.0));
    let x = Lin::new(d, (x0, x1));
    for &v in &ticks {
        let px = x.map(v);
        cv.line(&[(px, y0), (px, y1)], theme::GRID.to_rgba(), 1.0)?;
        cv.text(&label(v, &ticks), px, y1 + 12.0, style, HPos::Center)?;
    }
    Ok(x)
}

/// A signed number for differences: `+0.012`, `−0.034`, `0`.
pub fn signed(x: f64, d: usize) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let s = format!("{:.*}", d, x.abs());
    if s.chars().all(|c| c == '0' || c == '.') {
        s
    } else if x < 0.0 {
        format!("−{s}")
    } else {
        format!("+{s}")
    }
}

/// Decimals that show an interval of half-width `h` (or, with none, a value `v`) to
/// about two significant digits.
pub fn decimals_for(h: f64, v: f64) -> usize {
    let a = if h.is_finite() && h > 0.0 { h } else { v.abs() };
    if !a.is_finite() || a == 0.0 {
        return 0;
    }
    (1.0 - a.log10().floor()).clamp(0.0, 6.0) as usize
}

/// What [`write`] produced: the SVG text (for inlining) and the files.
pub struct Written {
    pub stem: String,
    pub svg: String,
    pub files: Vec<PathBuf>,
}

/// Writes `fig` as `DIR/STEM.png` and `DIR/STEM.svg`.
pub fn write<F: Figure>(fig: &F, source: &str, dir: &Path) -> Result<Written, ReportError> {
    theme::register_fonts().map_err(|message| ReportError::Draw { chart: fig.stem(), message })?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    let fail = |message: String| ReportError::Draw { chart: fig.stem(), message };
    let svg = svg_of(fig, source).map_err(fail)?;
    let svg_path = dir.join(format!("{}.svg", fig.stem()));
    fs::write(&svg_path, svg.as_bytes()).map_err(io(&svg_path))?;
    let png_path = dir.join(format!("{}.png", fig.stem()));
    {
        let h = fig.height();
        let t = Theme::PNG;
        let area = BitMapBackend::new(&png_path, (t.pxu(WIDTH), t.pxu(h))).into_drawing_area();
        let cv = Canvas::new(area, Kind::Png, WIDTH, h, source.to_string());
        draw(fig, &cv).map_err(fail)?;
        cv.present().map_err(|e| fail(e.to_string()))?;
    }
    Ok(Written { stem: fig.stem(), svg, files: vec![png_path, svg_path] })
}

/// Draws `fig` as SVG, in memory.
pub fn svg_of<F: Figure>(fig: &F, source: &str) -> Result<String, String> {
    theme::register_fonts()?;
    let h = fig.height();
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, (WIDTH as u32, h as u32)).into_drawing_area();
        let cv = Canvas::new(area, Kind::Svg, WIDTH, h, source.to_string());
        draw(fig, &cv)?;
        cv.present().map_err(|e| e.to_string())?;
    }
    Ok(super::finish_svg(&out, &fig.title()))
}

/// Extra rules of the comparison and sweep pages, on top of the report's.
const PAGE_STYLE: &str = r#"
.swatch { display: inline-block; width: 1.6em; height: .36em; margin-right: .45em; vertical-align: .2em; border-radius: 1px; }
td.yes { font-weight: bold; } td.diff { white-space: nowrap; text-align: right; }
p.method { font-size: .9rem; border-left: 3px solid var(--rule); padding: .2rem .7rem; }
table.wide { font-size: .8rem; } table.wide th, table.wide td { padding: .28rem .4rem; }
table.wide th { font-size: .78rem; } table.wide td:first-child { white-space: nowrap; } table.wide td .no, table.wide th .no { font-weight: normal; }
"#;

/// The opening of a self-contained page: the bundled font embedded, the report's style.
pub fn page_head(title: &str, version: &str) -> String {
    let style =
        html::STYLE.replace("SIG", &html::hex(theme::SIGNATORIES)).replace("NON", &html::hex(theme::NON_SIGNATORIES));
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"escalate {}\">\n<title>{}</title>\n<style>\n\
         @font-face {{ font-family: \"DejaVu Sans\"; font-style: normal; font-weight: normal; \
         src: url(data:font/ttf;base64,{}) format(\"truetype\"); }}\n\
         @font-face {{ font-family: \"DejaVu Sans\"; font-style: normal; font-weight: bold; \
         src: url(data:font/ttf;base64,{}) format(\"truetype\"); }}\n{}{}</style>\n</head>\n<body>\n",
        escape(version),
        escape(title),
        html::base64(theme::FONT_REGULAR),
        html::base64(theme::FONT_BOLD),
        style,
        PAGE_STYLE
    )
}

/// A chart inlined in a page, with its reading and file names (relative to the page).
pub fn figure_html(h: &mut String, w: &Written, reading: &str, prefix: &str) {
    let stem = &w.stem;
    let _ = writeln!(h, "<figure id=\"{stem}\">\n{}", html::inline_svg(&w.svg));
    let _ = writeln!(
        h,
        "<figcaption><strong>Reading:</strong> {}<span class=\"files\">{prefix}{stem}.png · {prefix}{stem}.svg</span></figcaption>\n</figure>",
        escape(reading)
    );
}

/// A colour as a CSS swatch.
pub fn swatch_html(c: RGBColor) -> String {
    format!("<span class=\"swatch\" style=\"background:{}\"></span>", html::hex(c))
}
