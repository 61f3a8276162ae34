//! Charts and the HTML report of a batch directory.
//!
//! [`data`] reads the directory's files back (plotting never re-simulates),
//! [`charts`] turns them into the charts' data and draws them with [`draw`] in the
//! look of [`theme`], and [`html`] assembles one self-contained `report.html`.
//! [`write`] does all of it: `DIR/charts/*.png`, `DIR/charts/*.svg`, `DIR/report.html`.
//!
//! Comparison, sweep and calibration directories get their own charts and pages from
//! [`compare`], [`sweep`] and [`calibration`], drawn through [`figure`] in the same look.

pub mod calibration;
pub mod charts;
pub mod compare;
pub mod data;
pub mod draw;
pub mod explore;
pub mod figure;
pub mod format;
pub mod html;
pub mod landscape;
pub mod sweep;
pub mod theme;

use std::fs;
use std::path::{Path, PathBuf};

use plotters::prelude::*;

use self::charts::{Chart, Context};
use self::data::{Batch, ReadError};
use self::draw::{Canvas, Kind, WIDTH};
use crate::output::dir::write_atomic;
use crate::output::files;

/// The report's file name in a batch directory.
pub const REPORT: &str = "report.html";

/// Why charts or the report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Drawing failed: a bug.
    #[error("drawing {chart}: {message}")]
    Draw { chart: String, message: String },
}

/// What to draw.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Also draw the per-actor charts.
    pub per_actor: bool,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Written {
    /// Every chart file (PNG and SVG).
    pub files: Vec<PathBuf>,
    pub report: PathBuf,
    /// Charts that were asked for but could not be drawn from these files, and why.
    pub notes: Vec<String>,
}

/// A chart and its SVG (the PNG goes straight to disk).
pub struct Rendered {
    pub chart: Chart,
    pub svg: String,
}

/// Draws every chart of `batch` and writes them with the report into its directory.
/// Charts are written to a temporary directory that replaces `charts/` only when
/// complete, and the report through a temporary file, so readers never see half.
pub fn write(batch: &Batch, opts: &Options) -> Result<Written, ReportError> {
    theme::register_fonts().map_err(|message| ReportError::Draw { chart: "charts".into(), message })?;
    let (list, notes) = charts::charts(batch, opts.per_actor);
    let dir = &batch.dir;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Io { path, source }
    };
    let tmp = dir.join(format!(".{}.tmp-{}", files::CHARTS, std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    fs::create_dir(&tmp).map_err(io(&tmp))?;
    // Removed by a signal while partial; swapped into place with no signal in between.
    let partial = crate::output::cleanup::Partial::new(&tmp);
    let result = (|| {
        let source = source_line(batch);
        let cx = context(batch);
        let mut rendered = Vec::new();
        let mut written = Vec::new();
        for chart in list {
            let fail = |message: String| ReportError::Draw { chart: chart.stem().into(), message };
            let svg = render_svg(&chart, &cx, &source).map_err(fail)?;
            let svg_path = tmp.join(format!("{}.svg", chart.stem()));
            fs::write(&svg_path, svg.as_bytes()).map_err(io(&svg_path))?;
            let png_path = tmp.join(format!("{}.png", chart.stem()));
            render_png(&chart, &cx, &source, &png_path).map_err(fail)?;
            for p in [png_path, svg_path] {
                written.push(dir.join(files::CHARTS).join(p.file_name().unwrap_or_default()));
            }
            rendered.push(Rendered { chart, svg });
        }
        partial.settle(|| replace_dir(&tmp, &dir.join(files::CHARTS))).map_err(io(&dir.join(files::CHARTS)))?;
        Ok((rendered, written))
    })();
    let (rendered, written) = match result {
        Ok(w) => w,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    let report = dir.join(REPORT);
    write_atomic(&report, html::report(batch, &rendered, &notes).as_bytes()).map_err(io(&report))?;
    Ok(Written { files: written, report, notes })
}

/// The provenance line at the foot of every chart.
fn source_line(batch: &Batch) -> String {
    format!("{} · {}", batch.summary.scenario, batch.provenance())
}

fn context(batch: &Batch) -> Context {
    Context { runs: batch.runs() }
}

/// Draws one chart as SVG, in memory (for tests and the report).
pub fn svg_of(batch: &Batch, chart: &Chart) -> Result<String, ReportError> {
    theme::register_fonts().map_err(|message| ReportError::Draw { chart: "charts".into(), message })?;
    render_svg(chart, &context(batch), &source_line(batch))
        .map_err(|message| ReportError::Draw { chart: chart.stem().into(), message })
}

/// Puts `from` in place of `to`, removing what was there.
fn replace_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    if to.exists() {
        let old = to.with_file_name(format!(".{}.old-{}", files::CHARTS, std::process::id()));
        if old.exists() {
            fs::remove_dir_all(&old)?;
        }
        fs::rename(to, &old)?;
        fs::rename(from, to)?;
        fs::remove_dir_all(&old)
    } else {
        fs::rename(from, to)
    }
}

fn render_svg(chart: &Chart, cx: &Context, source: &str) -> Result<String, String> {
    let h = chart.height();
    let mut out = String::new();
    {
        let size = (WIDTH as u32, h as u32);
        let area = SVGBackend::with_string(&mut out, size).into_drawing_area();
        let cv = Canvas::new(area, Kind::Svg, WIDTH, h, source.to_string());
        chart.draw(&cv, cx)?;
        cv.present().map_err(|e| e.to_string())?;
    }
    Ok(finish_svg(&out, &chart.title()))
}

/// Names fallback fonts with DejaVu's metrics after the bundled one (a viewer without
/// it still lays the text out alike), and gives the chart an accessible title.
fn finish_svg(svg: &str, title: &str) -> String {
    // A chart must be valid XML whatever text (a file name, say) reached it.
    let mut svg = svg.to_string();
    crate::text::xml_safe(&mut svg);
    let svg = svg.replace("font-family=\"DejaVu Sans\"", &format!("font-family=\"{}\"", theme::SVG_FONT_STACK));
    let svg = rescale_font_sizes(&svg);
    match svg.find('>') {
        Some(end) if svg.starts_with("<svg") => format!(
            "{} role=\"img\" aria-label=\"{}\">\n<title>{}</title>{}",
            &svg[..end],
            html::escape(title),
            html::escape(title),
            &svg[end + 1..]
        ),
        _ => svg,
    }
}

/// plotters writes an SVG font size of `size / 1.24`, but lays text out (and draws the
/// PNG) with ab_glyph, whose `size` is the font's ascent-to-descent height. Setting
/// the em to what ab_glyph used makes SVG text exactly as wide as the layout assumed.
fn rescale_font_sizes(svg: &str) -> String {
    const KEY: &str = "font-size=\"";
    let factor = 1.24 * theme::EM_PER_SIZE;
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(i) = rest.find(KEY) {
        let start = i + KEY.len();
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find('"').unwrap_or(0);
        match rest[..end].parse::<f64>() {
            Ok(v) => out.push_str(&format!("{:.2}", v * factor)),
            Err(_) => out.push_str(&rest[..end]),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn render_png(chart: &Chart, cx: &Context, source: &str, path: &Path) -> Result<(), String> {
    let h = chart.height();
    let t = theme::Theme::PNG;
    let area = BitMapBackend::new(path, (t.pxu(WIDTH), t.pxu(h))).into_drawing_area();
    let cv = Canvas::new(area, Kind::Png, WIDTH, h, source.to_string());
    chart.draw(&cv, cx)?;
    cv.present().map_err(|e| e.to_string())
}
