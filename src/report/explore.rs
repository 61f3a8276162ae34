//! The charts and page of `escalate explore`: the Morris μ*–σ scatter (one per
//! output), Sobol' first-order and total indices as bars with their intervals, and
//! PRIM's peeling trajectory (coverage against density, the chosen box marked); and
//! `explore.html`, a self-contained page with every chart, table and box.

use std::fmt::Write as _;
use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::ReportError;
use super::draw::{Canvas, Drawn, Lin, Rect, nice_ticks, tick_label};
use super::figure::{self, Figure, Key, Mark, Written};
use super::html::escape;
use super::theme;
use crate::explore::analysis::{Analysis, Discovery, OutputResult, limit_words, restriction_words, sig3};
use crate::explore::plan::Method;
use crate::output::row::fmt_num;

/// Inputs labelled on a Morris chart, and drawn as bars on a Sobol' chart.
const TOP: usize = 12;

fn short(path: &str) -> &str {
    path.trim_start_matches("parameters.")
}

/// A value axis along y inside `[y0, y1]` (top, bottom) with grid lines from `x0` to
/// `x1` and labels left of `x0`. Returns the map from data to pixels.
fn y_axis<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    domain: (f64, f64),
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    percent: bool,
) -> Result<Lin, DrawingAreaErrorKind<DB::ErrorType>> {
    let ticks = nice_ticks(domain.0, domain.1, 5);
    let y = Lin::new((ticks[0], *ticks.last().unwrap_or(&1.0)), (y1, y0));
    let tick = cv.t.tick();
    for &v in &ticks {
        let py = y.map(v);
        cv.line(&[(x0, py), (x1, py)], theme::GRID.to_rgba(), 1.0)?;
        cv.text(&tick_label(v, &ticks, percent), x0 - 8.0, py, &tick, HPos::Right)?;
    }
    Ok(y)
}

/// The Morris μ*–σ scatter of one output.
#[derive(Debug, Clone)]
pub struct MorrisChart {
    pub scenario: String,
    pub output: String,
    pub noise_share: f64,
    pub trajectories: usize,
    pub replicates: u64,
    /// (input, μ*, μ* interval, σ), in rank order.
    pub inputs: Vec<(String, f64, [f64; 2], f64)>,
}

impl MorrisChart {
    pub fn new(a: &Analysis, o: &OutputResult) -> Option<MorrisChart> {
        let e = o.morris.as_ref()?;
        Some(MorrisChart {
            scenario: a.scenario.clone(),
            output: o.output.clone(),
            noise_share: o.noise_share,
            trajectories: a.plan.samples,
            replicates: a.plan.replicates,
            inputs: o
                .ranking
                .iter()
                .map(|&i| (a.plan.inputs[i].path.clone(), e[i].mu_star, e[i].mu_star_ci, e[i].sigma))
                .collect(),
        })
    }
}

impl Figure for MorrisChart {
    fn stem(&self) -> String {
        format!("morris-{}", self.output.replace('_', "-"))
    }
    fn title(&self) -> String {
        format!("Which inputs move {}: Morris screening", self.output)
    }
    fn subtitle(&self) -> String {
        format!(
            "{} · μ* (mean absolute elementary effect, output units per full range of the input) against σ (their spread: \
             non-linearity or interaction) · {} trajectories × {} seeds; seed noise is {} of run-to-run variance",
            self.scenario,
            self.trajectories,
            self.replicates,
            if self.noise_share.is_finite() { format!("{:.0}%", 100.0 * self.noise_share) } else { "n/a".into() }
        )
    }
    fn legend(&self) -> Vec<Key> {
        vec![
            Key::new(
                Mark::Dot(theme::SIGNATORIES),
                format!("the {TOP} most influential inputs, by rank (μ* in brackets)"),
            ),
            Key::new(Mark::Ring(theme::AXIS), "other inputs"),
            Key::new(Mark::Whisker, "95% bootstrap interval of μ*"),
            Key::new(Mark::Line(theme::FAINT), "σ = μ*"),
        ]
    }
    fn height(&self) -> f64 {
        620.0
    }
    fn reading(&self) -> String {
        match self.inputs.first() {
            Some((name, mu, ci, _)) if *mu > 0.0 => format!(
                "Inputs to the right matter most for {}: {} leads (μ* = {}, 95% interval {}–{}). Points above the \
                 diagonal act mostly through non-linearity or interaction with other inputs; points near the origin \
                 can be fixed anywhere in their range without changing the output.",
                self.output,
                short(name),
                fmt_num(*mu),
                fmt_num(ci[0]),
                fmt_num(ci[1])
            ),
            _ => format!("No input moved {} at all on these seeds: every elementary effect is zero.", self.output),
        }
    }
    fn body<DB: DrawingBackend>(&self, cv: &Canvas<DB>, r: Rect) -> Drawn<DB> {
        let t = cv.t;
        let (px0, px1) = (r.x0 + 64.0, r.x1 - 230.0);
        let (py0, py1) = (r.y0 + 28.0, r.y1 - 46.0);
        let xmax = self.inputs.iter().map(|x| x.2[1].max(x.1)).filter(|v| v.is_finite()).fold(0.0, f64::max);
        let ymax = self.inputs.iter().map(|x| x.3).filter(|v| v.is_finite()).fold(0.0, f64::max);
        if xmax <= 0.0 && ymax <= 0.0 {
            let msg = format!("Every elementary effect on {} is zero: no input moved it.", self.output);
            return cv.text(&msg, (r.x0 + r.x1) / 2.0, (r.y0 + r.y1) / 2.0, &t.label(), HPos::Center);
        }
        let y = y_axis(cv, (0.0, ymax.max(1e-9) * 1.05), (px0, px1), (py0, py1), false)?;
        let label = |v: f64, ts: &[f64]| tick_label(v, ts, false);
        let x = figure::x_axis(cv, (0.0, xmax.max(1e-9) * 1.05), (px0, px1), (py0, py1), 6, &label, &t.tick())?;
        cv.text("σ", px0 - 8.0, r.y0 + 8.0, &t.axis_title(), HPos::Right)?;
        cv.text("μ* →", px1, py1 + 32.0, &t.axis_title(), HPos::Right)?;
        // The diagonal σ = μ*, clipped to the plot.
        let top = (x.d1.min(y.d1)).max(0.0);
        cv.line(&[(x.map(0.0), y.map(0.0)), (x.map(top), y.map(top))], theme::FAINT.to_rgba(), 1.5)?;
        for (k, (_, mu, ci, sigma)) in self.inputs.iter().enumerate().rev() {
            if !(mu.is_finite() && sigma.is_finite()) {
                continue;
            }
            let (px, py) = (x.map(*mu), y.map(*sigma));
            if k < TOP {
                if ci[0].is_finite() && ci[1].is_finite() {
                    figure::whisker(cv, x.map(ci[0]), x.map(ci[1]), py, 3.0, theme::MUTED)?;
                }
                figure::dot(cv, px, py, 4.5, theme::SIGNATORIES)?;
            } else {
                figure::ring(cv, px, py, 3.5, theme::AXIS)?;
            }
        }
        // Each labelled point carries its rank; the key right of the plot names them,
        // so labels never cross the data or each other.
        let num = t.bold(11.0, theme::INK);
        for (k, (_, mu, _, sigma)) in self.inputs.iter().enumerate().take(TOP) {
            if mu.is_finite() && sigma.is_finite() {
                cv.text(&(k + 1).to_string(), x.map(*mu) + 6.0, y.map(*sigma) - 9.0, &num, HPos::Left)?;
            }
        }
        let style = t.text(12.0, theme::INK);
        let lx = px1 + 24.0;
        for (k, (name, mu, _, _)) in self.inputs.iter().enumerate().take(TOP) {
            let ly = py0 + 8.0 + 19.0 * k as f64;
            let text = format!("{}. {} ({})", k + 1, short(name), sig3(*mu));
            cv.text(&figure::fit(cv, &text, &style, r.x1 - lx), lx, ly, &style, HPos::Left)?;
        }
        Ok(())
    }
}

/// One input's bars: (input, S1, its interval, ST, its interval).
pub type SobolBar = (String, f64, [f64; 2], f64, [f64; 2]);

/// Sobol' first-order and total indices of one output, the top inputs as bars.
#[derive(Debug, Clone)]
pub struct SobolChart {
    pub scenario: String,
    pub output: String,
    pub n: usize,
    pub replicates: u64,
    pub noise_share: f64,
    pub convergence: String,
    /// (input, S1, S1 interval, ST, ST interval), in rank order, at most [`TOP`].
    pub inputs: Vec<SobolBar>,
    /// Inputs not drawn.
    pub rest: usize,
}

impl SobolChart {
    pub fn new(a: &Analysis, o: &OutputResult) -> Option<SobolChart> {
        let (f, h) = (o.sobol.as_ref()?, o.sobol_half_n.as_ref()?);
        Some(SobolChart {
            scenario: a.scenario.clone(),
            output: o.output.clone(),
            n: a.plan.samples,
            replicates: a.plan.replicates,
            noise_share: o.noise_share,
            convergence: crate::explore::analysis::convergence_words(f, h),
            inputs: o
                .ranking
                .iter()
                .take(TOP)
                .map(|&i| (a.plan.inputs[i].path.clone(), f.first[i], f.first_ci[i], f.total[i], f.total_ci[i]))
                .collect(),
            rest: o.ranking.len().saturating_sub(TOP),
        })
    }
}

const ROW: f64 = 40.0;

impl Figure for SobolChart {
    fn stem(&self) -> String {
        format!("sobol-{}", self.output.replace('_', "-"))
    }
    fn title(&self) -> String {
        format!("What share of the variance of {} each input explains: Sobol' indices", self.output)
    }
    fn subtitle(&self) -> String {
        format!(
            "{} · first-order (the input alone) and total (with all its interactions) indices, with 95% bootstrap \
             intervals · N = {} base samples × {} seeds; seed noise is {} of run-to-run variance{}",
            self.scenario,
            self.n,
            self.replicates,
            if self.noise_share.is_finite() { format!("{:.0}%", 100.0 * self.noise_share) } else { "n/a".into() },
            if self.rest > 0 { format!(" · {} smaller inputs not shown", self.rest) } else { String::new() }
        )
    }
    fn legend(&self) -> Vec<Key> {
        vec![
            Key::new(Mark::Box(theme::SIGNATORIES), "first-order index S1"),
            Key::new(Mark::Box(theme::NON_SIGNATORIES), "total index ST"),
            Key::new(Mark::Whisker, "95% bootstrap interval"),
        ]
    }
    fn height(&self) -> f64 {
        190.0 + ROW * self.inputs.len().max(1) as f64
    }
    fn reading(&self) -> String {
        match self.inputs.first() {
            Some((name, s1, _, st, _)) if st.is_finite() => format!(
                "{} explains {:.0}% of the variance of {} alone and {:.0}% with its interactions. A total index well \
                 above the first-order one means the input matters through interactions. {}",
                short(name),
                100.0 * s1.max(0.0),
                self.output,
                100.0 * st.max(0.0),
                self.convergence
            ),
            _ => format!("{} did not vary over the design: there is no variance to share out.", self.output),
        }
    }
    fn body<DB: DrawingBackend>(&self, cv: &Canvas<DB>, r: Rect) -> Drawn<DB> {
        let t = cv.t;
        let (px0, px1) = (r.x0 + 260.0, r.x1 - 16.0);
        let (py0, py1) = (r.y0 + 12.0, r.y1 - 40.0);
        if self.inputs.iter().all(|v| !v.3.is_finite()) {
            let msg = format!("{} did not vary over the design: no indices to show.", self.output);
            return cv.text(&msg, (r.x0 + r.x1) / 2.0, (r.y0 + r.y1) / 2.0, &t.label(), HPos::Center);
        }
        // Indices are shares: 0 to 1, a little below 0 when an estimate is noisy.
        let lo = self.inputs.iter().map(|v| v.2[0].min(v.1)).filter(|v| v.is_finite()).fold(0.0, f64::min);
        let hi = self.inputs.iter().map(|v| v.4[1].max(v.3)).filter(|v| v.is_finite()).fold(0.0, f64::max);
        let label = |v: f64, ts: &[f64]| tick_label(v, ts, false);
        let x = figure::x_axis(cv, (lo.max(-0.2), hi.clamp(0.1, 1.2)), (px0, px1), (py0, py1), 6, &label, &t.tick())?;
        let zero = x.map(0.0);
        cv.line(&[(zero, py0), (zero, py1)], theme::AXIS.to_rgba(), 1.0)?;
        let style = t.text(12.0, theme::INK);
        let clamp = |v: f64| x.map(v.clamp(x.d0, x.d1));
        for (k, (name, s1, c1, st, ct)) in self.inputs.iter().enumerate() {
            let yc = py0 + ROW * (k as f64 + 0.5);
            let text = format!("{}. {}", k + 1, short(name));
            cv.text(&figure::fit(cv, &text, &style, px0 - r.x0 - 10.0), px0 - 10.0, yc, &style, HPos::Right)?;
            for (v, ci, c, dy) in [(s1, c1, theme::SIGNATORIES, -8.0), (st, ct, theme::NON_SIGNATORIES, 8.0)] {
                if !v.is_finite() {
                    continue;
                }
                let (a, b) = (zero.min(clamp(*v)), zero.max(clamp(*v)));
                cv.rect(a, yc + dy - 6.5, b.max(a + 1.0), yc + dy + 6.5, c.to_rgba())?;
                if ci[0].is_finite() && ci[1].is_finite() {
                    figure::whisker(cv, clamp(ci[0]), clamp(ci[1]), yc + dy, 4.0, theme::INK)?;
                }
            }
        }
        Ok(())
    }
}

/// PRIM's peeling trajectory for one yes/no output.
#[derive(Debug, Clone)]
pub struct PrimChart {
    pub scenario: String,
    pub output: String,
    pub runs: usize,
    pub cases: usize,
    /// (coverage, density, restricted inputs) of each box.
    pub trajectory: Vec<(f64, f64, usize)>,
    pub chosen: usize,
    /// The chosen box after pasting: (coverage, density).
    pub pasted: (f64, f64),
    pub summary: String,
}

impl PrimChart {
    pub fn new(a: &Analysis, d: &Discovery) -> PrimChart {
        PrimChart {
            scenario: a.scenario.clone(),
            output: d.output.clone(),
            runs: d.runs,
            cases: d.cases,
            trajectory: d.trajectory.iter().map(|b| (b.coverage, b.density, b.restrictions.len())).collect(),
            chosen: d.chosen,
            pasted: (d.chosen_box.coverage, d.chosen_box.density),
            summary: d.summary.clone(),
        }
    }
}

impl Figure for PrimChart {
    fn stem(&self) -> String {
        format!("prim-{}", self.output.replace('_', "-"))
    }
    fn title(&self) -> String {
        format!("Where {} happens: PRIM's peeling trajectory", self.output)
    }
    fn subtitle(&self) -> String {
        format!(
            "{} · each point is a box of the inputs: coverage (share of all {} {} runs inside it) against density \
             (share of its runs that are {}) · {} runs of a Latin hypercube",
            self.scenario, self.cases, self.output, self.output, self.runs
        )
    }
    fn legend(&self) -> Vec<Key> {
        vec![
            Key::new(Mark::Ring(theme::AXIS), "a box of the trajectory (peeled from the whole space, right, inwards)"),
            Key::new(Mark::Dot(theme::PENDING), format!("chosen box ({})", self.chosen)),
            Key::new(Mark::Diamond(theme::INK), "chosen box after pasting and dropping insignificant restrictions"),
        ]
    }
    fn height(&self) -> f64 {
        560.0
    }
    fn reading(&self) -> String {
        self.summary.clone()
    }
    fn body<DB: DrawingBackend>(&self, cv: &Canvas<DB>, r: Rect) -> Drawn<DB> {
        let t = cv.t;
        if self.cases == 0 {
            return cv.text(&self.summary, (r.x0 + r.x1) / 2.0, (r.y0 + r.y1) / 2.0, &t.label(), HPos::Center);
        }
        let (px0, px1) = (r.x0 + 64.0, r.x1 - 24.0);
        let (py0, py1) = (r.y0 + 28.0, r.y1 - 46.0);
        let dmax = self.trajectory.iter().map(|p| p.1).chain([self.pasted.1]).fold(0.0, f64::max);
        let y = y_axis(cv, (0.0, (dmax * 1.1).clamp(0.05, 1.0)), (px0, px1), (py0, py1), true)?;
        let label = |v: f64, ts: &[f64]| tick_label(v, ts, true);
        let x = figure::x_axis(cv, (0.0, 1.0), (px0, px1), (py0, py1), 5, &label, &t.tick())?;
        cv.text("density", px0 - 8.0, r.y0 + 8.0, &t.axis_title(), HPos::Right)?;
        cv.text("coverage →", px1, py1 + 32.0, &t.axis_title(), HPos::Right)?;
        let pts: Vec<(f64, f64)> = self.trajectory.iter().map(|p| (x.map(p.0), y.map(p.1))).collect();
        cv.line(&pts, theme::FAINT.to_rgba(), 1.2)?;
        let small = t.text(10.0, theme::MUTED);
        // Every fifth box's index, so a box can be chosen by number (--box K); a label
        // too close to the last one drawn (or to the chosen box's) is left out.
        let chosen_at = pts.get(self.chosen).copied();
        let mut last: Option<(f64, f64)> = None;
        for (k, &(px, py)) in pts.iter().enumerate() {
            figure::ring(cv, px, py, 3.5, theme::AXIS)?;
            let near = |q: Option<(f64, f64)>| q.is_some_and(|(qx, qy)| (qx - px).hypot(qy - py) < 26.0);
            if k % 5 == 0 && k != self.chosen && !near(last) && !near(chosen_at) {
                cv.text(&k.to_string(), px, py - 11.0, &small, HPos::Center)?;
                last = Some((px, py));
            }
        }
        if let Some(&(px, py)) = pts.get(self.chosen) {
            figure::dot(cv, px, py, 6.0, theme::PENDING)?;
            cv.text(&self.chosen.to_string(), px, py - 14.0, &t.bold(12.0, theme::INK), HPos::Center)?;
        }
        figure::diamond(cv, x.map(self.pasted.0), y.map(self.pasted.1), 7.0, theme::INK)
    }
}

/// Every chart of an analysis, in page order.
enum Chart {
    Morris(MorrisChart),
    Sobol(SobolChart),
    Prim(PrimChart),
}

fn charts(a: &Analysis) -> Vec<Chart> {
    let mut out: Vec<Chart> = Vec::new();
    for o in &a.outputs {
        if let Some(c) = MorrisChart::new(a, o) {
            out.push(Chart::Morris(c));
        }
        if let Some(c) = SobolChart::new(a, o) {
            out.push(Chart::Sobol(c));
        }
    }
    if let Some(d) = &a.discovery {
        out.push(Chart::Prim(PrimChart::new(a, d)));
    }
    out
}

/// Writes every chart into `dir/charts/` and `dir/explore.html`.
pub fn write(dir: &Path, a: &Analysis) -> Result<(), ReportError> {
    let source = format!(
        "escalate explore · {} · seed {} · escalate {}",
        a.plan.method.label(),
        a.plan.seed,
        env!("CARGO_PKG_VERSION")
    );
    let charts_dir = dir.join("charts");
    let mut drawn: Vec<(Written, String)> = Vec::new();
    for c in charts(a) {
        let w = match &c {
            Chart::Morris(f) => (figure::write(f, &source, &charts_dir)?, f.reading()),
            Chart::Sobol(f) => (figure::write(f, &source, &charts_dir)?, f.reading()),
            Chart::Prim(f) => (figure::write(f, &source, &charts_dir)?, f.reading()),
        };
        drawn.push(w);
    }
    let page = page_html(a, &drawn);
    let path = dir.join("explore.html");
    crate::output::dir::write_atomic(&path, page.as_bytes()).map_err(|source| ReportError::Io { path, source })
}

fn page_html(a: &Analysis, drawn: &[(Written, String)]) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let p = &a.plan;
    let mut h = figure::page_head(&format!("{} — escalate explore", a.scenario), version);
    h.push_str("<header>\n<p class=\"kicker\">escalate explore</p>\n");
    let _ = writeln!(h, "<h1>{}</h1>", escape(&a.scenario));
    let _ = writeln!(
        h,
        "<p class=\"desc\">{} over {} inputs: {} design points, each run on the same {} seeds (common random numbers), \
         {} runs in all.</p>",
        escape(p.method.label()),
        p.d(),
        p.points(),
        p.replicates,
        crate::report::data::thousands(p.runs())
    );
    let _ = writeln!(
        h,
        "<p class=\"meta\"><span>method <strong>{:?}</strong></span> · <span>samples <strong>{}</strong></span> · \
         <span>seed <strong>{}</strong></span> · <span>escalate <strong>{}</strong></span></p>",
        p.method,
        p.samples,
        p.seed,
        escape(version)
    );
    h.push_str("<nav><a href=\"#findings\">Findings</a><a href=\"#charts\">Charts</a>");
    if a.discovery.is_some() {
        h.push_str("<a href=\"#prim\">Scenario discovery</a>");
    }
    h.push_str("<a href=\"#space\">Space</a></nav>\n</header>\n");

    h.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    let _ = writeln!(h, "<p class=\"method\"><strong>Method:</strong> {}</p>", escape(&method_words(p.method)));
    if let Some(d) = &a.discovery {
        let _ = writeln!(h, "<p><strong>Scenario discovery:</strong> {}</p>", escape(&d.summary));
    }
    for o in &a.outputs {
        let _ = writeln!(h, "<h3>{}</h3>", escape(&o.output));
        let noise = if o.noise_share.is_finite() { format!("{:.0}%", 100.0 * o.noise_share) } else { "n/a".into() };
        let _ = writeln!(
            h,
            "<p>Mean {} over all runs; seed noise is {noise} of the run-to-run variance.</p>",
            fmt_num(o.mean)
        );
        if let Some(e) = &o.morris {
            h.push_str("<table>\n<thead><tr><th>rank</th><th>input</th><th>μ*</th><th>95% interval</th><th>μ</th><th>σ</th></tr></thead>\n<tbody>\n");
            for (k, &i) in o.ranking.iter().enumerate() {
                let x = &e[i];
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} – {}</td><td>{}</td><td>{}</td></tr>",
                    k + 1,
                    escape(&p.inputs[i].path),
                    fmt_num(x.mu_star),
                    fmt_num(x.mu_star_ci[0]),
                    fmt_num(x.mu_star_ci[1]),
                    fmt_num(x.mu),
                    fmt_num(x.sigma)
                );
            }
            h.push_str("</tbody>\n</table>\n");
        }
        if let (Some(f), Some(half)) = (&o.sobol, &o.sobol_half_n) {
            h.push_str("<table>\n<thead><tr><th>rank</th><th>input</th><th>S1</th><th>95% interval</th><th>ST</th><th>95% interval</th><th>S1, ST at N/2</th></tr></thead>\n<tbody>\n");
            for (k, &i) in o.ranking.iter().enumerate() {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{:.3}</td><td>{:.3} – {:.3}</td><td>{:.3}</td><td>{:.3} – {:.3}</td><td>{:.3}, {:.3}</td></tr>",
                    k + 1,
                    escape(&p.inputs[i].path),
                    f.first[i],
                    f.first_ci[i][0],
                    f.first_ci[i][1],
                    f.total[i],
                    f.total_ci[i][0],
                    f.total_ci[i][1],
                    half.first[i],
                    half.total[i]
                );
            }
            h.push_str("</tbody>\n</table>\n");
            let _ = writeln!(h, "<p>{}</p>", escape(&crate::explore::analysis::convergence_words(f, half)));
        }
    }
    h.push_str("</section>\n<section id=\"charts\">\n<h2>Charts</h2>\n");
    for (w, reading) in drawn {
        figure::figure_html(&mut h, w, reading, "charts/");
    }
    h.push_str("</section>\n");
    if let Some(d) = &a.discovery {
        prim_html(&mut h, d);
    }
    h.push_str("<section id=\"space\">\n<h2>Space</h2>\n<table>\n<thead><tr><th>input</th><th>from</th><th>to</th><th>distribution</th></tr></thead>\n<tbody>\n");
    for i in &p.inputs {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&i.path),
            fmt_num(i.lo),
            fmt_num(i.hi),
            escape(&format!("{:?}", i.distribution))
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
    let _ = writeln!(
        h,
        "<footer>escalate {} · design.csv, results.csv, indices.csv, indices.json{} hold every number on this page.</footer>\n</body>\n</html>",
        escape(version),
        if a.discovery.is_some() { ", prim.json" } else { "" }
    );
    h
}

/// Every box of the trajectory, each opening to its limits: the analyst chooses one
/// (and can ask for it with `--box K`).
fn prim_html(h: &mut String, d: &Discovery) {
    h.push_str("<section id=\"prim\">\n<h2>Scenario discovery</h2>\n");
    let _ = writeln!(h, "<p>{}</p>", escape(&d.summary));
    let _ = writeln!(h, "<h3>The chosen box (after pasting)</h3>\n{}", restrictions_table(&d.chosen_box.restrictions));
    let _ = writeln!(
        h,
        "<h3>A second method: CART</h3>\n<p>{}</p>\n<p>A classification tree (Breiman et al. 1984; depth 3, \
         leaves of at least 5% of the runs) splits the whole space; its leaves, densest first, also say where \
         the outcome does not happen.</p>",
        escape(&d.cart_summary)
    );
    h.push_str(
        "<table>\n<thead><tr><th>leaf</th><th>density</th><th>coverage</th><th>support</th><th>runs</th></tr></thead>\n<tbody>\n",
    );
    for l in &d.cart {
        let words: Vec<String> = l.rules.iter().map(|r| limit_words(&r.input, r.lo, r.hi)).collect();
        let rule = if words.is_empty() { "the whole space".to_string() } else { words.join(" and ") };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{:.0}%</td><td>{:.0}%</td><td>{:.0}%</td><td>{}</td></tr>",
            escape(&rule),
            100.0 * l.density,
            100.0 * l.coverage,
            100.0 * l.support,
            l.runs
        );
    }
    h.push_str("</tbody>\n</table>\n");
    let _ = writeln!(
        h,
        "<h3>The peeling trajectory</h3>\n<p>Each box is peeled from the one before. Open a box to see its limits; \
         rerun with <code>--box K</code> to make box K the chosen one.</p>"
    );
    for (k, b) in d.trajectory.iter().enumerate() {
        let mark = if k == d.chosen { " (chosen)" } else { "" };
        let _ = writeln!(
            h,
            "<details{}><summary>Box {k}{mark}: coverage {:.0}%, density {:.0}%, support {:.0}%, {} restrictions</summary>\n{}</details>",
            if k == d.chosen { " open" } else { "" },
            100.0 * b.coverage,
            100.0 * b.density,
            100.0 * b.support,
            b.restrictions.len(),
            restrictions_table(&b.restrictions)
        );
    }
    h.push_str("</section>\n");
}

fn restrictions_table(rs: &[crate::explore::analysis::Restriction]) -> String {
    if rs.is_empty() {
        return "<p>No restriction: the whole sampled space.</p>\n".into();
    }
    let mut t = String::from("<table>\n<thead><tr><th>restriction</th><th>quasi-p</th></tr></thead>\n<tbody>\n");
    for r in rs {
        let _ = writeln!(t, "<tr><td>{}</td><td>{:.2e}</td></tr>", escape(&restriction_words(r)), r.quasi_p);
    }
    t.push_str("</tbody>\n</table>\n");
    t
}

fn method_words(m: Method) -> String {
    match m {
        Method::Morris => "Morris elementary effects (Morris 1991; μ* after Campolongo et al. 2007): each trajectory \
            moves one input at a time by two thirds of its range on a 4-level grid; μ* ranks the inputs by their mean \
            absolute effect, σ shows non-linearity or interaction. Each point's output is the mean over the replicate \
            seeds; intervals are bootstrap percentiles over trajectories."
            .into(),
        Method::Sobol => "Sobol' indices on a Saltelli design (scrambled Sobol' sequence; Saltelli et al. 2010 \
            first-order and Jansen 1999 total estimators): S1 is the share of output variance an input explains alone, \
            ST with all its interactions. Intervals are bootstrap percentiles over base rows; the indices at N/2 show \
            whether N was enough."
            .into(),
        Method::Lhs => "A Latin hypercube (McKay et al. 1979): every input's range is cut into N equal-probability \
            strata, each sampled once."
            .into(),
    }
}
