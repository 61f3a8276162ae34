//! The charts and page of a comparison directory (`escalate compare`): escalation over
//! turns per variant, a forest plot of the paired differences, outcome shares per
//! variant, and `comparison.html`.
//!
//! Everything is read back from the directory: `comparison_state.json` (the paired
//! moments behind `comparison.csv`, and each variant's aggregate), each variant's
//! batch subdirectory, and the baseline's `scenario.ron` (the variants' descriptions).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::ReportError;
use super::data::{Batch, ReadError, group, metric, thousands};
use super::draw::{self, Axis, BandPoint, Bar, Canvas, Drawn, Lin, Rect, Row, tick_label};
use super::figure::{self, Figure, Key, Mark, decimals_for, signed};
use super::format::{Interval, num, pct};
use super::html::escape;
use super::theme;
use crate::compare::{ComparisonRow, ComparisonState};
use crate::record::Outcome;

/// The page's file name in a comparison directory.
pub const PAGE: &str = "comparison.html";
/// The comparison state's file name.
pub const STATE: &str = "comparison_state.json";

/// How a compared metric reads: a title, the unit of its values and of differences.
#[derive(Debug, Clone)]
pub struct MetricInfo {
    pub key: String,
    pub title: String,
    /// Unit of a per-run value, for axis titles.
    pub unit: String,
    /// Unit of a difference between variants.
    pub diff_unit: String,
    /// A share of runs: shown as percentages (differences in percentage points).
    pub percent: bool,
}

/// Titles and units of the metrics of [`crate::compare::METRICS`]; others fall back to
/// their description.
pub fn metric_info(key: &str, description: &str) -> MetricInfo {
    let (title, unit, diff_unit, percent) = match key {
        "highest_rung_level" => ("Highest rung reached", "rung, 0 status quo … 6 nuclear", "rungs", false),
        "armed_conflict" => ("Probability of armed conflict", "share of runs", "percentage points", true),
        "mean_score" => ("Escalation score", "score per actor per turn", "score per actor per turn", false),
        "downtime" => ("Infrastructure downtime", "asset-turns down per run", "asset-turns down per run", false),
        "civilian_harm" => {
            ("Civilian harm", "criticality-weighted loss per run", "criticality-weighted loss per run", false)
        }
        "violations_by_signatories" => {
            ("Paris Call violations by signatories", "violations per run", "violations per run", false)
        }
        "violations_by_others" => {
            ("Paris Call violations by non-signatories", "violations per run", "violations per run", false)
        }
        "operations" => ("Cyber operations launched", "operations per run", "operations per run", false),
        "sanctions" => ("Sanctions imposed", "sanctions per run", "sanctions per run", false),
        "attributions_wrong" => (
            "Wrong public attributions (count per run)",
            "public attributions naming the wrong actor, per run",
            "wrong public attributions per run",
            false,
        ),
        _ => (description, "per run", "per run", false),
    };
    MetricInfo {
        key: key.to_string(),
        title: title.to_string(),
        unit: unit.to_string(),
        diff_unit: diff_unit.to_string(),
        percent,
    }
}

/// The colour a metric's own line takes: violations keep their group's colour.
pub fn metric_colour(key: &str) -> RGBColor {
    match key {
        "violations_by_signatories" => theme::SIGNATORIES,
        "violations_by_others" => theme::NON_SIGNATORIES,
        _ => theme::NEUTRAL,
    }
}

/// One compared variant.
#[derive(Debug, Clone)]
pub struct Variant {
    pub id: String,
    /// From the scenario's `variants` block ("" when it has none for this id).
    pub description: String,
    pub colour: RGBColor,
}

/// A comparison directory read back.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub dir: PathBuf,
    pub state: ComparisonState,
    /// Baseline first.
    pub variants: Vec<Variant>,
    /// Each variant's batch, in the order of `variants`.
    pub batches: Vec<Batch>,
}

fn invalid(path: &Path, what: impl std::fmt::Display) -> ReadError {
    ReadError::Invalid(format!("{}: {what}", path.display()))
}

/// Reads the comparison state of a compare or sweep directory.
pub fn read_state(dir: &Path) -> Result<ComparisonState, ReadError> {
    let path = dir.join(STATE);
    let text = fs::read_to_string(&path).map_err(|source| ReadError::Io { path: path.clone(), source })?;
    let state: ComparisonState =
        serde_json::from_str(&text).map_err(|e| invalid(&path, format!("not a comparison state: {e}")))?;
    if state.variants.len() < 2 || state.aggregates.len() != state.variants.len() {
        return Err(invalid(&path, "the comparison state holds fewer than two variants or misses their aggregates"));
    }
    Ok(state)
}

impl Comparison {
    /// Reads a comparison directory whose variants' batch directories are finished.
    pub fn read(dir: &Path) -> Result<Comparison, ReadError> {
        let state = read_state(dir)?;
        let mut batches = Vec::new();
        for id in &state.variants {
            batches.push(Batch::read(&dir.join(id))?);
        }
        // The descriptions live in the scenario's variants block; any variant's
        // scenario.ron carries it, the baseline's is the natural one to read.
        let described = crate::scenario::load_file(&dir.join(&state.variants[0]).join("scenario.ron"))
            .map(|l| l.file.variants)
            .unwrap_or_default();
        let variants = state
            .variants
            .iter()
            .enumerate()
            .map(|(i, id)| Variant {
                id: id.clone(),
                description: match described.iter().find(|v| &v.id == id) {
                    Some(v) => v.description.clone(),
                    None if id == "base" => "The scenario file as written.".into(),
                    None => String::new(),
                },
                colour: theme::variant(i),
            })
            .collect();
        Ok(Comparison { dir: dir.to_path_buf(), state, variants, batches })
    }

    pub fn baseline(&self) -> &str {
        &self.state.variants[0]
    }

    pub fn runs(&self) -> u64 {
        self.state.aggregates.first().map_or(0, |a| a.runs)
    }

    /// The paired differences, as in `comparison.csv`.
    pub fn rows(&self) -> Vec<ComparisonRow> {
        self.state.rows()
    }

    fn source_line(&self) -> String {
        let b = &self.batches[0];
        format!(
            "{} · {} variants on common random numbers · {}",
            b.summary.scenario,
            self.variants.len(),
            b.provenance()
        )
    }
}

/// Escalation score over turns, one line per variant.
#[derive(Debug, Clone)]
pub struct EscalationByVariant {
    /// Variant id, colour, mean score per actor per turn with its 95% CI.
    pub series: Vec<(String, RGBColor, Vec<BandPoint>)>,
    pub turns: u32,
    pub turn_length: String,
    pub runs: u64,
}

/// One variant's paired difference on one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestRow {
    pub variant: String,
    pub colour: RGBColor,
    pub diff: f64,
    pub lo: f64,
    pub hi: f64,
    /// Standard deviation of the per-run differences (0: no run differs).
    pub sd: f64,
    pub variant_mean: f64,
    pub baseline_mean: f64,
}

/// A metric's block of the forest plot.
#[derive(Debug, Clone)]
pub struct ForestGroup {
    pub metric: MetricInfo,
    pub rows: Vec<ForestRow>,
}

/// Forest plot of the paired differences against the baseline, grouped by metric.
#[derive(Debug, Clone)]
pub struct PairedDifferences {
    pub baseline: String,
    pub runs: u64,
    pub groups: Vec<ForestGroup>,
}

/// Outcome shares per variant.
#[derive(Debug, Clone)]
pub struct OutcomesByVariant {
    /// Variant id, colour, share (Wilson 95% CI) of each outcome in [`Outcome::ALL`] order.
    pub variants: Vec<(String, RGBColor, Vec<Interval>)>,
    pub runs: u64,
}

impl OutcomesByVariant {
    /// A note for each class that holds at least 90% of some variant's runs: what it
    /// contains (one bar says little about how those runs went).
    pub fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        for (k, o) in Outcome::ALL.iter().enumerate() {
            let ids: Vec<String> = self
                .variants
                .iter()
                .filter(|v| v.2[k].value >= super::charts::DOMINANT_SHARE)
                .map(|v| format!("{} ({})", v.0, pct(v.2[k].value)))
                .collect();
            if !ids.is_empty() {
                parts.push(format!(
                    "“{}” holds most runs of {}: it means {}.",
                    o.label(),
                    ids.join(", "),
                    super::charts::outcome_definition(*o)
                ));
            }
        }
        (!parts.is_empty()).then(|| format!("Note: {}", parts.join(" ")))
    }
}

pub fn escalation_by_variant(c: &Comparison) -> EscalationByVariant {
    let series = c
        .variants
        .iter()
        .zip(&c.batches)
        .map(|(v, b)| {
            let points = b
                .series(metric::SCORE, group::ALL)
                .iter()
                .map(|r| BandPoint {
                    x: f64::from(r.turn),
                    mean: r.mean.unwrap_or(f64::NAN),
                    lo: r.ci95_low.unwrap_or(f64::NAN),
                    hi: r.ci95_high.unwrap_or(f64::NAN),
                })
                .collect();
            (v.id.clone(), v.colour, points)
        })
        .collect();
    let b = &c.batches[0];
    EscalationByVariant { series, turns: b.summary.turns, turn_length: b.summary.turn_length.clone(), runs: c.runs() }
}

pub fn paired_differences(c: &Comparison) -> PairedDifferences {
    let rows = c.rows();
    let mut groups: Vec<ForestGroup> = Vec::new();
    for r in &rows {
        let colour = c.variants.iter().find(|v| v.id == r.variant).map_or(theme::NEUTRAL, |v| v.colour);
        let row = ForestRow {
            variant: r.variant.clone(),
            colour,
            diff: r.diff_mean,
            lo: r.diff_ci95_low,
            hi: r.diff_ci95_high,
            sd: r.diff_sd,
            variant_mean: r.variant_mean,
            baseline_mean: r.baseline_mean,
        };
        match groups.iter_mut().find(|g| g.metric.key == r.metric) {
            Some(g) => g.rows.push(row),
            None => groups.push(ForestGroup { metric: metric_info(&r.metric, &r.description), rows: vec![row] }),
        }
    }
    PairedDifferences { baseline: c.baseline().to_string(), runs: c.runs(), groups }
}

pub fn outcomes_by_variant(c: &Comparison) -> OutcomesByVariant {
    OutcomesByVariant {
        variants: c
            .variants
            .iter()
            .zip(&c.state.aggregates)
            .map(|(v, a)| {
                let shares = Outcome::ALL.iter().map(|o| Interval::wilson(a.outcomes[o.index()], a.runs)).collect();
                (v.id.clone(), v.colour, shares)
            })
            .collect(),
        runs: c.runs(),
    }
}

fn variant_keys(
    ids: impl Iterator<Item = (String, RGBColor)>,
    baseline: &str,
    swatch: fn(RGBColor) -> Mark,
) -> Vec<Key> {
    ids.map(|(id, c)| Key::new(swatch(c), if id == baseline { format!("{id} (baseline)") } else { id })).collect()
}

impl Figure for EscalationByVariant {
    fn stem(&self) -> String {
        "escalation-by-variant".into()
    }
    fn title(&self) -> String {
        "Escalation score per turn, by variant".into()
    }
    fn subtitle(&self) -> String {
        format!(
            "Mean score per actor and turn (all actors) over {} runs of each variant, same seeds in every variant; shaded: 95% CI of the mean",
            thousands(self.runs)
        )
    }
    fn legend(&self) -> Vec<Key> {
        let base = self.series.first().map(|s| s.0.clone()).unwrap_or_default();
        variant_keys(self.series.iter().map(|s| (s.0.clone(), s.1)), &base, Mark::Line)
    }
    fn height(&self) -> f64 {
        560.0
    }
    fn reading(&self) -> String {
        let avg = |p: &[BandPoint]| {
            let v: Vec<f64> = p.iter().map(|x| x.mean).filter(|m| m.is_finite()).collect();
            if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 }
        };
        let mut all: Vec<(String, f64)> = self.series.iter().map(|s| (s.0.clone(), avg(&s.2))).collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1));
        match (all.first(), all.last()) {
            (Some(hi), Some(lo)) if all.len() > 1 => format!(
                "Averaged over the {} turns, {} escalates most ({} per actor per turn) and {} least ({}).",
                self.turns,
                hi.0,
                num(hi.1),
                lo.0,
                num(lo.1)
            ),
            _ => "No series.".into(),
        }
    }
    fn body<DB: DrawingBackend>(&self, cv: &Canvas<DB>, r: Rect) -> Drawn<DB> {
        let series: Vec<(RGBColor, Vec<BandPoint>)> = self.series.iter().map(|s| (s.1, s.2.clone())).collect();
        super::charts::score_over_turns(cv, r, &series, self.turns, &self.turn_length)
    }
}

/// Row height, heading height and tick-label height of the forest plot.
const FOREST_ROW: f64 = 22.0;
const FOREST_HEAD: f64 = 30.0;
const FOREST_FOOT: f64 = 40.0;

impl PairedDifferences {
    /// A row's difference as text, with its interval: `−0.012 [−0.034, +0.010]`.
    pub fn text(row: &ForestRow, percent: bool) -> String {
        let k = if percent { 100.0 } else { 1.0 };
        if row.sd == 0.0 && row.diff == 0.0 {
            return "0 (no run differs)".into();
        }
        let d = decimals_for((row.hi - row.lo) * k / 2.0, row.diff * k);
        format!("{} [{}, {}]", signed(row.diff * k, d), signed(row.lo * k, d), signed(row.hi * k, d))
    }
}

impl Figure for PairedDifferences {
    fn stem(&self) -> String {
        "paired-differences".into()
    }
    fn title(&self) -> String {
        format!("Paired differences against {}, with 95% intervals", self.baseline)
    }
    fn subtitle(&self) -> String {
        format!(
            "Mean per-run difference (variant − {}) over {} runs on common random numbers; whiskers: paired t-interval; each metric on its own scale",
            self.baseline,
            thousands(self.runs)
        )
    }
    fn legend(&self) -> Vec<Key> {
        let c = theme::INK;
        vec![
            Key::new(Mark::Dot(c), "interval excludes 0"),
            Key::new(Mark::Ring(c), "interval includes 0"),
            Key::new(Mark::Whisker, "95% CI"),
        ]
    }
    fn height(&self) -> f64 {
        let rows: usize = self.groups.iter().map(|g| g.rows.len()).sum();
        120.0 + self.groups.len() as f64 * (FOREST_HEAD + FOREST_FOOT) + rows as f64 * FOREST_ROW
    }
    fn reading(&self) -> String {
        let clear: Vec<String> = self
            .groups
            .iter()
            .flat_map(|g| g.rows.iter().map(move |r| (g, r)))
            .filter(|(_, r)| r.lo > 0.0 || r.hi < 0.0)
            .map(|(g, r)| {
                format!("{} on {} ({})", r.variant, g.metric.title.to_lowercase(), Self::text(r, g.metric.percent))
            })
            .collect();
        if clear.is_empty() {
            format!("No variant differs from {} on any metric at the 95% level.", self.baseline)
        } else {
            let n = clear.len();
            let shown: Vec<String> = clear.into_iter().take(4).collect();
            format!(
                "{n} of the differences from {} exclude zero at the 95% level, among them {}{}.",
                self.baseline,
                shown.join("; "),
                if n > 4 { "; see the table for the rest" } else { "" }
            )
        }
    }
    fn body<DB: DrawingBackend>(&self, cv: &Canvas<DB>, r: Rect) -> Drawn<DB> {
        let t = cv.t;
        let label = t.label();
        let value = t.value();
        let tick = t.tick();
        let label_w = self
            .groups
            .iter()
            .flat_map(|g| g.rows.iter())
            .map(|row| cv.width(&row.variant, &label))
            .fold(0.0, f64::max);
        let text_w = self
            .groups
            .iter()
            .flat_map(|g| g.rows.iter().map(|row| cv.width(&Self::text(row, g.metric.percent), &value)))
            .fold(0.0, f64::max);
        let px0 = r.x0 + label_w + 18.0;
        let px1 = r.x1 - text_w - 24.0;
        let mut y = r.y0 + 6.0;
        for g in &self.groups {
            let k = if g.metric.percent { 100.0 } else { 1.0 };
            // Heading: the metric and the unit of its differences.
            let head = t.bold(14.0, theme::INK);
            cv.text(&g.metric.title, r.x0, y + 10.0, &head, HPos::Left)?;
            let hw = cv.width(&g.metric.title, &head);
            let unit = format!("difference in {}", g.metric.diff_unit);
            let unit = draw::fit(cv, &unit, &t.subtitle(), r.x1 - r.x0 - hw - 14.0);
            cv.text(&unit, r.x0 + hw + 12.0, y + 10.0, &t.subtitle(), HPos::Left)?;
            let y0 = y + FOREST_HEAD;
            let y1 = y0 + g.rows.len() as f64 * FOREST_ROW;
            let (mut lo, mut hi) = (0.0f64, 0.0f64);
            for row in &g.rows {
                for v in [row.lo, row.hi, row.diff] {
                    if v.is_finite() {
                        lo = lo.min(v * k);
                        hi = hi.max(v * k);
                    }
                }
            }
            if hi - lo < 1e-12 {
                (lo, hi) = (-1.0, 1.0);
            }
            let pad = (hi - lo) * 0.04;
            let ticks = draw::nice_ticks(lo - pad, hi + pad, 5);
            let label_of = |v: f64, ticks: &[f64]| {
                let s = tick_label(v.abs(), ticks, false);
                if v > 0.0 {
                    format!("+{s}")
                } else if v < 0.0 {
                    format!("−{s}")
                } else {
                    s
                }
            };
            let x = Lin::new((ticks[0], *ticks.last().unwrap_or(&1.0)), (px0, px1));
            cv.rect(px0, y0, px1, y1, theme::GRID.mix(0.25))?;
            for &v in &ticks {
                let px = x.map(v);
                cv.line(&[(px, y0), (px, y1)], theme::GRID.to_rgba(), 1.0)?;
                cv.text(&label_of(v, &ticks), px, y1 + 12.0, &tick, HPos::Center)?;
            }
            // The zero line: no difference.
            let zx = x.map(0.0);
            cv.line(&[(zx, y0 - 4.0), (zx, y1 + 2.0)], theme::INK.to_rgba(), 1.3)?;
            for (i, row) in g.rows.iter().enumerate() {
                let ym = y0 + (i as f64 + 0.5) * FOREST_ROW;
                cv.text(&row.variant, px0 - 12.0, ym, &t.text(13.5, theme::ink_of(row.colour)), HPos::Right)?;
                if row.lo.is_finite() && row.hi.is_finite() && x.map(row.hi * k) - x.map(row.lo * k) >= 1.0 {
                    figure::whisker(cv, x.map(row.lo * k), x.map(row.hi * k), ym, 4.0, theme::INK)?;
                }
                if row.diff.is_finite() {
                    let clear = row.lo > 0.0 || row.hi < 0.0;
                    if clear {
                        figure::dot(cv, x.map(row.diff * k), ym, 5.0, row.colour)?;
                    } else {
                        figure::ring(cv, x.map(row.diff * k), ym, 5.0, row.colour)?;
                    }
                }
                cv.text(&Self::text(row, g.metric.percent), r.x1, ym, &value, HPos::Right)?;
            }
            y = y1 + FOREST_FOOT;
        }
        Ok(())
    }
}

impl Figure for OutcomesByVariant {
    fn stem(&self) -> String {
        "outcomes-by-variant".into()
    }
    fn title(&self) -> String {
        "How runs end, by variant: outcome classes".into()
    }
    fn subtitle(&self) -> String {
        format!(
            "Share of {} runs of each variant in each outcome class, each class on its own scale; whiskers: 95% CI (Wilson)",
            thousands(self.runs)
        )
    }
    fn legend(&self) -> Vec<Key> {
        let base = self.variants.first().map(|s| s.0.clone()).unwrap_or_default();
        let mut keys = variant_keys(self.variants.iter().map(|s| (s.0.clone(), s.1)), &base, Mark::Box);
        keys.push(Key::new(Mark::Whisker, "95% CI"));
        keys
    }
    fn height(&self) -> f64 {
        let lines = Outcome::ALL.len().div_ceil(2) as f64;
        let note = if self.note().is_some() { super::charts::NOTE_HEIGHT } else { 0.0 };
        150.0 + lines * (70.0 + 24.0 * self.variants.len().max(2) as f64) + note
    }
    fn reading(&self) -> String {
        let armed = Outcome::ALL.iter().position(|o| *o == Outcome::ArmedConflict).unwrap_or(3);
        let mut parts: Vec<String> = Vec::new();
        for (id, _, shares) in &self.variants {
            if let Some(i) = shares.get(armed) {
                parts.push(format!("{id} {}", pct(i.value)));
            }
        }
        let contained = Outcome::ALL.iter().position(|o| *o == Outcome::Contained).unwrap_or(0);
        let best = self
            .variants
            .iter()
            .max_by(|a, b| a.2[contained].value.total_cmp(&b.2[contained].value))
            .map(|v| format!("{} keeps the most runs contained ({})", v.0, pct(v.2[contained].value)));
        let mut text = format!("Armed conflict: {}. {}.", parts.join(", "), best.unwrap_or_default());
        if let Some(n) = self.note() {
            text.push(' ');
            text.push_str(n.trim_start_matches("Note: "));
        }
        text
    }
    fn body<DB: DrawingBackend>(&self, cv: &Canvas<DB>, r: Rect) -> Drawn<DB> {
        let t = cv.t;
        // Two rows of two panels, one per outcome; the variants are the rows of each.
        let label_w = self.variants.iter().map(|v| cv.width(&v.0, &t.label())).fold(0.0, f64::max);
        let gap = 36.0;
        let col_w = (r.x1 - r.x0 - gap) / 2.0;
        let note = self.note();
        let bottom = r.y1 - if note.is_some() { super::charts::NOTE_HEIGHT } else { 0.0 };
        let row_h = (bottom - r.y0) / Outcome::ALL.len().div_ceil(2) as f64;
        let heading = t.bold(13.5, theme::INK);
        for (k, o) in Outcome::ALL.iter().enumerate() {
            let (col, line) = (k % 2, k / 2);
            let x0 = r.x0 + col as f64 * (col_w + gap);
            let y0 = r.y0 + line as f64 * row_h;
            cv.text(o.label(), x0, y0 + 6.0, &heading, HPos::Left)?;
            let rows: Vec<Row> = self
                .variants
                .iter()
                .map(|(id, c, shares)| {
                    let i = shares[k];
                    Row {
                        label: id.clone(),
                        note: None,
                        bars: vec![Bar {
                            value: i.value,
                            ci: (i.lo.is_finite() && i.hi.is_finite()).then_some((i.lo, i.hi)),
                            colour: *c,
                            text: pct(i.value),
                        }],
                    }
                })
                .collect();
            let max =
                self.variants.iter().map(|v| v.2[k].hi.max(v.2[k].value)).filter(|v| v.is_finite()).fold(0.0, f64::max);
            let axis = Axis { title: "share of runs", percent: true, max: Some(if max > 0.0 { max } else { 0.01 }) };
            let zero = self.variants.iter().all(|v| v.2[k].value == 0.0);
            draw::hbars(
                cv,
                Rect { x0, y0: y0 + 24.0, x1: x0 + col_w, y1: y0 + row_h - 8.0 },
                &rows,
                label_w,
                &axis,
                zero.then_some("no run of any variant"),
            )?;
        }
        match note {
            Some(n) => draw::note(cv, Rect { y0: bottom + 8.0, ..r }, &n),
            None => Ok(()),
        }
    }
}

/// What [`write`] produced.
pub struct Page {
    pub files: Vec<PathBuf>,
    pub page: PathBuf,
}

/// Draws the comparison's charts into `DIR/charts/` and writes `DIR/comparison.html`.
pub fn write(dir: &Path) -> Result<Page, ReportError> {
    let c = Comparison::read(dir)?;
    let source = c.source_line();
    let charts = dir.join(crate::output::files::CHARTS);
    let esc = escalation_by_variant(&c);
    let forest = paired_differences(&c);
    let outcomes = outcomes_by_variant(&c);
    let drawn = vec![
        (figure::write(&esc, &source, &charts)?, esc.reading()),
        (figure::write(&forest, &source, &charts)?, forest.reading()),
        (figure::write(&outcomes, &source, &charts)?, outcomes.reading()),
    ];
    let page = dir.join(PAGE);
    let html = page_html(&c, &forest, &drawn);
    crate::output::dir::write_atomic(&page, html.as_bytes())
        .map_err(|source| ReportError::Io { path: page.clone(), source })?;
    Ok(Page { files: drawn.iter().flat_map(|(w, _)| w.files.clone()).collect(), page })
}

/// Decimals that show `a` to three significant digits.
fn significant3(a: f64) -> usize {
    if !a.is_finite() || a == 0.0 || a >= 100.0 { 0 } else { (2.0 - a.log10().floor()).clamp(0.0, 6.0) as usize }
}

fn page_html(c: &Comparison, forest: &PairedDifferences, drawn: &[(figure::Written, String)]) -> String {
    let b = &c.batches[0];
    let m = &b.manifest;
    let name = &b.summary.scenario;
    let mut h = figure::page_head(&format!("{name} — escalate comparison"), &m.version);
    h.push_str("<header>\n<p class=\"kicker\">escalate comparison</p>\n");
    let _ = writeln!(h, "<h1>{}</h1>", escape(name));
    let _ = writeln!(
        h,
        "<p class=\"desc\">{} variants of this scenario, each run {} times on the same seeds: run <em>i</em> of every variant \
         draws the same random numbers, so the difference between variants in run <em>i</em> is the effect of the variant alone.</p>",
        c.variants.len(),
        thousands(c.runs())
    );
    let meta = [
        format!("<strong>{}</strong> runs per variant", thousands(c.runs())),
        format!("master seed <strong>{}</strong>", m.master_seed),
        format!("{} turns of one {}", b.summary.turns, escape(&b.summary.turn_length)),
        format!("escalate <strong>{}</strong>", escape(&m.version)),
        format!("baseline <strong>{}</strong>", escape(c.baseline())),
    ];
    let _ = writeln!(
        h,
        "<p class=\"meta\">{}</p>",
        meta.iter().map(|x| format!("<span>{x}</span>")).collect::<Vec<_>>().join(" · ")
    );
    h.push_str(
        "<nav><a href=\"#variants\">Variants</a><a href=\"#differences\">Differences</a>\
         <a href=\"#escalation-by-variant\">Escalation</a><a href=\"#paired-differences\">Forest plot</a>\
         <a href=\"#outcomes-by-variant\">Outcomes</a></nav>\n</header>\n",
    );

    h.push_str("<section id=\"variants\">\n<h2>Variants</h2>\n<table>\n<thead><tr><th>Variant</th><th>What changes</th><th>Report</th></tr></thead>\n<tbody>\n");
    for v in &c.variants {
        let desc = if v.description.is_empty() {
            "<span class=\"no\">no description</span>".to_string()
        } else {
            escape(&v.description)
        };
        let base = if v.id == c.baseline() { " <span class=\"no\">(baseline)</span>" } else { "" };
        let _ = writeln!(
            h,
            "<tr><td class=\"group\">{}<strong>{}</strong>{base}</td><td>{desc}</td><td class=\"group\"><a href=\"{}/report.html\">{}/report.html</a></td></tr>",
            figure::swatch_html(v.colour),
            escape(&v.id),
            escape(&v.id),
            escape(&v.id)
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");

    h.push_str("<section id=\"differences\">\n<h2>Paired differences</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"method\"><strong>Method:</strong> paired t-interval (95%) on the per-run differences variant − {}, \
         with common random numbers (run <em>i</em> of every variant uses the same seed). An interval that excludes zero \
         marks a difference the {} runs resolve; one that includes zero does not rule out no effect. \
         The same figures are in comparison.csv and comparison.json.</p>",
        escape(c.baseline()),
        thousands(c.runs())
    );
    let _ = writeln!(
        h,
        "<table>\n<thead><tr><th>Variant</th><th class=\"n\">Variant mean</th><th class=\"n\">{} mean</th>\
         <th class=\"n\">Difference [95% CI]</th><th>Verdict</th></tr></thead>\n<tbody>",
        escape(c.baseline())
    );
    for g in &forest.groups {
        let units = if g.metric.diff_unit == g.metric.unit {
            g.metric.unit.clone()
        } else {
            format!("{}; differences in {}", g.metric.unit, g.metric.diff_unit)
        };
        let _ = writeln!(
            h,
            "<tr class=\"section\"><td colspan=\"5\">{} <span class=\"no\">· {}</span></td></tr>",
            escape(&g.metric.title),
            escape(&units)
        );
        // One precision per metric, so the column reads down.
        let widest = g.rows.iter().flat_map(|r| [r.variant_mean, r.baseline_mean]).map(f64::abs).fold(0.0, f64::max);
        let d = significant3(widest);
        for r in &g.rows {
            let mean = |x: f64| {
                if g.metric.percent {
                    pct(x)
                } else if x == 0.0 {
                    "0".into()
                } else {
                    format!("{x:.d$}")
                }
            };
            let (verdict, class) = if r.sd == 0.0 && r.diff == 0.0 {
                ("identical in every run", "no")
            } else if r.lo > 0.0 {
                ("higher", "yes")
            } else if r.hi < 0.0 {
                ("lower", "yes")
            } else {
                ("no clear difference", "no")
            };
            let _ = writeln!(
                h,
                "<tr><td class=\"group\">{}{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"diff\">{}</td><td class=\"{class}\">{verdict}</td></tr>",
                figure::swatch_html(r.colour),
                escape(&r.variant),
                mean(r.variant_mean),
                mean(r.baseline_mean),
                escape(&PairedDifferences::text(r, g.metric.percent)),
            );
        }
    }
    h.push_str("</tbody>\n</table>\n</section>\n");

    h.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    for (w, reading) in drawn {
        figure::figure_html(&mut h, w, reading, "charts/");
    }
    h.push_str("</section>\n");
    let _ = write!(
        h,
        "<footer>Generated by escalate {} from the files of this comparison directory (comparison_state.json, which \
         comparison.csv tabulates, and each variant's batch directory); drawing never re-simulates. Outcome intervals are \
         Wilson score intervals; escalation-score intervals are ± t·sd/√n over runs.</footer>\n</body>\n</html>\n",
        escape(&m.version)
    );
    h
}
