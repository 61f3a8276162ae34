//! The debrief's charts, drawn with plotters twice: SVG for the self-contained HTML
//! and PNG for the Markdown. The class is always drawn in one colour (orange), the
//! engine-alone distribution in grey. Font and neutral colours come from the batch
//! report's theme ([`crate::report::theme`]).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::theme;

/// The engine-alone distribution: the report theme's colour for "all runs".
const ENGINE: RGBColor = theme::NEUTRAL;
/// The class: Okabe-Ito orange, apart from the theme's two group colours.
const CLASS: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
const SIZE: (u32, u32) = (820, 420);
const FONT: &str = theme::FONT;

fn fonts() -> Result<(), String> {
    theme::register_fonts()
}

/// What a chart shows.
pub enum Spec<'a> {
    /// Distribution of a per-run value over the engine's runs, with the class's value marked.
    Histogram { title: &'a str, x_label: &'a str, values: &'a [f64], class: f64 },
    /// A per-turn series: the engine's median and 10–90% band, and the class's line.
    Band {
        title: &'a str,
        y_label: &'a str,
        x_label: &'a str,
        median: &'a [f64],
        lo: &'a [f64],
        hi: &'a [f64],
        class: &'a [f64],
    },
    /// Share of runs per category, with the class's category highlighted.
    Bars { title: &'a str, y_label: &'a str, labels: &'a [&'a str], shares: &'a [f64], class: usize },
}

/// Draws a chart to `png` and returns it as SVG text.
pub fn render(spec: &Spec, png: &Path) -> Result<String, String> {
    fonts()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        draw(&root, spec)?;
        root.present().map_err(|e| e.to_string())?;
    }
    crate::text::xml_safe(&mut svg);
    {
        let root = BitMapBackend::new(png, SIZE).into_drawing_area();
        draw(&root, spec)?;
        root.present().map_err(|e| format!("writing {}: {e}", png.display()))?;
    }
    Ok(svg)
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, spec: &Spec) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    match spec {
        Spec::Histogram { title, x_label, values, class } => {
            let (lo, hi) = values
                .iter()
                .chain(std::iter::once(class))
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
            let (lo, hi) = if (hi - lo).abs() < 1e-9 { (lo - 1.0, hi + 1.0) } else { (lo, hi) };
            let bins = 24usize;
            let w = (hi - lo) / bins as f64;
            let mut counts = vec![0u32; bins];
            for &v in values.iter() {
                counts[(((v - lo) / w) as usize).min(bins - 1)] += 1;
            }
            let n = values.len().max(1) as f64;
            let ymax = counts.iter().map(|&c| f64::from(c) / n).fold(0.0, f64::max).max(0.01) * 1.15;
            let pad = w;
            let mut chart = ChartBuilder::on(root)
                .caption(*title, (FONT, 20))
                .margin(12)
                .x_label_area_size(42)
                .y_label_area_size(58)
                .build_cartesian_2d((lo - pad)..(hi + pad), 0.0..ymax)
                .map_err(e)?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_desc(*x_label)
                .y_desc("share of engine runs")
                .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
                .label_style((FONT, 13))
                .light_line_style(WHITE.mix(0.0))
                .draw()
                .map_err(e)?;
            chart
                .draw_series(counts.iter().enumerate().map(|(i, &c)| {
                    let x0 = lo + i as f64 * w;
                    Rectangle::new([(x0, 0.0), (x0 + w, f64::from(c) / n)], ENGINE.mix(0.55).filled())
                }))
                .map_err(e)?
                .label(format!("engine alone ({} runs)", values.len()))
                .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], ENGINE.mix(0.55).filled()));
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(*class, 0.0), (*class, ymax)],
                    CLASS.stroke_width(3),
                )))
                .map_err(e)?
                .label("your class")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], CLASS.stroke_width(3)));
            chart
                .draw_series(std::iter::once({
                    // Label on the side of the line with more room.
                    let right = *class > (lo + hi) / 2.0;
                    let (h, text) = if right {
                        (HPos::Right, format!("your class: {class:.1} "))
                    } else {
                        (HPos::Left, format!(" your class: {class:.1}"))
                    };
                    let style = (FONT, 13).into_font().color(&theme::ink_of(CLASS)).pos(Pos::new(h, VPos::Top));
                    Text::new(text, (*class, ymax * 0.97), style)
                }))
                .map_err(e)?;
            legend(&mut chart).map_err(e)?;
        }
        Spec::Band { title, y_label, x_label, median, lo, hi, class } => {
            let turns = median.len().max(class.len()).max(1);
            let all = lo.iter().chain(hi.iter()).chain(class.iter()).chain(median.iter());
            let (ymin, ymax) = all.fold((0.0f64, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
            let span = (ymax - ymin).max(1.0);
            let mut chart = ChartBuilder::on(root)
                .caption(*title, (FONT, 20))
                .margin(12)
                .x_label_area_size(42)
                .y_label_area_size(58)
                .build_cartesian_2d(1.0..(turns as f64).max(2.0), (ymin - 0.05 * span)..(ymax + 0.1 * span))
                .map_err(e)?;
            chart
                .configure_mesh()
                .x_desc(*x_label)
                .y_desc(*y_label)
                .x_label_formatter(&|x| format!("{x:.0}"))
                .label_style((FONT, 13))
                .light_line_style(WHITE.mix(0.0))
                .draw()
                .map_err(e)?;
            let pts = |v: &[f64]| v.iter().enumerate().map(|(i, &y)| ((i + 1) as f64, y)).collect::<Vec<_>>();
            let mut band = pts(hi);
            band.extend(pts(lo).into_iter().rev());
            chart
                .draw_series(std::iter::once(Polygon::new(band, ENGINE.mix(0.18).filled())))
                .map_err(e)?
                .label("engine alone: 10–90% of runs")
                .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], ENGINE.mix(0.18).filled()));
            chart
                .draw_series(LineSeries::new(pts(median), ENGINE.stroke_width(2)))
                .map_err(e)?
                .label("engine alone: median")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], ENGINE.stroke_width(2)));
            chart
                .draw_series(LineSeries::new(pts(class), CLASS.stroke_width(3)))
                .map_err(e)?
                .label("your class")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], CLASS.stroke_width(3)));
            chart.draw_series(pts(class).into_iter().map(|p| Circle::new(p, 3, CLASS.filled()))).map_err(e)?;
            legend(&mut chart).map_err(e)?;
        }
        Spec::Bars { title, y_label, labels, shares, class } => {
            let k = labels.len().max(1);
            let ymax = (shares.iter().copied().fold(0.0, f64::max).max(0.05) * 1.25).min(1.15);
            let mut chart = ChartBuilder::on(root)
                .caption(*title, (FONT, 20))
                .margin(12)
                .x_label_area_size(42)
                .y_label_area_size(58)
                .build_cartesian_2d(-0.5..(k as f64 - 0.5), 0.0..ymax)
                .map_err(e)?;
            let names: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(k)
                .x_label_formatter(&|x| {
                    let i = x.round();
                    if (x - i).abs() < 0.01 && i >= 0.0 {
                        names.get(i as usize).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                })
                .y_desc(*y_label)
                .y_label_formatter(&|y| if *y <= 1.0 + 1e-9 { format!("{:.0}%", y * 100.0) } else { String::new() })
                .label_style((FONT, 13))
                .light_line_style(WHITE.mix(0.0))
                .draw()
                .map_err(e)?;
            chart
                .draw_series(shares.iter().enumerate().map(|(i, &v)| {
                    Rectangle::new([(i as f64 - 0.35, 0.0), (i as f64 + 0.35, v)], ENGINE.mix(0.55).filled())
                }))
                .map_err(e)?;
            // The class's category: an orange frame around its bar.
            let v = shares.get(*class).copied().unwrap_or(0.0).max(ymax * 0.01);
            let c = *class as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(c - 0.4, 0.0), (c + 0.4, v + ymax * 0.08)],
                    CLASS.stroke_width(3),
                )))
                .map_err(e)?;
            chart
                .draw_series(shares.iter().enumerate().map(|(i, &v)| {
                    Text::new(format!("{:.0}%", v * 100.0), (i as f64 - 0.12, v + ymax * 0.045), (FONT, 13))
                }))
                .map_err(e)?;
            // Legend entries without data: one per colour.
            chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
                .map_err(e)?
                .label("engine alone: share of runs")
                .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], ENGINE.mix(0.55).filled()));
            chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
                .map_err(e)?
                .label("your class's result")
                .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], CLASS.stroke_width(3)));
            legend(&mut chart).map_err(e)?;
        }
    }
    Ok(())
}

fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 13))
        .draw()
}
