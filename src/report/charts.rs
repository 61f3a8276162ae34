//! The charts: each is first computed from the batch files as plain data (public, so
//! tests can check it against `turns.csv` and `summary.json`), then drawn.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::data::{self, Batch, group, metric};
use super::draw::{self, Axis, BandPoint, Bands, Bar, Canvas, Drawn, Legend, PAD, Rect, Row, Swatch, WIDTH, fit};
// Re-exported: the number formats were first defined here, and other report modules
// (the calibration chart among them) name them by this path.
pub use super::format::{Interval, num, num_ci, pct, range};
use super::theme::{self, Group};
use crate::model::ladder::Rung;
use crate::model::sector::Sector;
use crate::record::Outcome;

/// A percentage short enough to sit on a bar: 87%, 4.5%, 0.3%.
fn pct_short(p: f64) -> String {
    if !p.is_finite() || p <= 0.0 {
        return String::new();
    }
    let v = p * 100.0;
    if v >= 9.95 {
        format!("{v:.0}%")
    } else if v >= 0.05 {
        format!("{v:.1}%")
    } else {
        "<0.1%".into()
    }
}

/// The per-turn escalation score of signatories and non-signatories.
#[derive(Debug, Clone)]
pub struct Escalation {
    pub series: Vec<(Group, Vec<BandPoint>)>,
    pub turns: u32,
    pub turn_length: String,
    pub counts: (usize, usize),
}

/// Highest rung per group: shares of runs at each rung.
#[derive(Debug, Clone)]
pub struct HighestRung {
    pub groups: Vec<(Group, Vec<Interval>)>,
}

#[derive(Debug, Clone)]
pub struct Outcomes {
    pub rows: Vec<(Outcome, Interval, u64)>,
    /// Share of all runs by the highest rung reached (any actor), lowest rung first:
    /// what a dominant class's runs went through.
    pub highest: Vec<(Rung, f64)>,
}

/// A class holding at least this share of runs gets a note saying what it contains:
/// one bar says little about how runs went.
pub const DOMINANT_SHARE: f64 = 0.9;

impl Outcomes {
    /// The class holding at least [`DOMINANT_SHARE`] of runs, if one does.
    pub fn dominant(&self) -> Option<(Outcome, Interval)> {
        self.rows.iter().find(|r| r.1.value >= DOMINANT_SHARE).map(|r| (r.0, r.1))
    }

    /// The note for a dominant class: what the class contains, and how far its runs
    /// (nearly all runs) went up the ladder.
    pub fn note(&self) -> Option<String> {
        let (o, i) = self.dominant()?;
        let mut rungs: Vec<&(Rung, f64)> = self.highest.iter().filter(|(_, s)| *s >= 0.01).collect();
        rungs.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
        let reached: Vec<String> = rungs.iter().take(3).map(|(r, s)| format!("{} in {}", r.label(), pct(*s))).collect();
        let mut text = format!(
            "Note: one class holds {} of runs. “{}” means {}. It says how runs ended, not how far they went",
            pct(i.value),
            o.label(),
            outcome_definition(o)
        );
        if reached.is_empty() {
            text.push('.');
        } else {
            text.push_str(&format!(": the highest rung reached was {}.", reached.join(", ")));
        }
        Some(text)
    }
}

#[derive(Debug, Clone)]
pub struct Violations {
    pub set_name: Option<String>,
    /// Principle label, per-run violations by signatories, by non-signatories.
    pub rows: Vec<(String, f64, f64)>,
    pub by_signatories: Interval,
    pub by_non_signatories: Interval,
}

#[derive(Debug, Clone)]
pub struct Downtime {
    pub sectors: Vec<(Sector, f64)>,
    pub owners: Vec<(Group, Interval)>,
    pub total: Interval,
}

#[derive(Debug, Clone)]
pub struct Attribution {
    /// Right, wrong, detected but not attributed, undetected: counts over the batch.
    pub fates: [u64; 4],
    /// Believed attributions by turns from launch (last bin: that many or more).
    pub delays: Vec<u64>,
    pub mean_delay: f64,
    pub public_wrong: Interval,
    pub public: u64,
}

#[derive(Debug, Clone)]
pub struct FirstForce {
    pub points: Vec<BandPoint>,
    pub runs_with_force: u64,
    pub mean_turn: f64,
    pub turns: u32,
    pub turn_length: String,
}

#[derive(Debug, Clone)]
pub struct Actors {
    pub rows: Vec<data::ActorRow>,
    pub set_name: Option<String>,
}

impl Actors {
    /// Whether the violations shown are the reference set's (what the headline counts):
    /// summaries written before that count was kept have only the all-sets total.
    pub fn by_reference(&self) -> bool {
        self.rows.iter().all(|x| x.violations_reference_set.is_some())
    }
}

#[derive(Debug, Clone)]
pub struct EscalationByActor {
    pub series: Vec<(String, Group, Vec<BandPoint>)>,
    pub turns: u32,
}

/// One chart of a batch.
#[derive(Debug, Clone)]
pub enum Chart {
    Escalation(Escalation),
    HighestRung(HighestRung),
    Outcomes(Outcomes),
    Violations(Violations),
    Downtime(Downtime),
    Attribution(Attribution),
    FirstForce(FirstForce),
    Actors(Actors),
    EscalationByActor(EscalationByActor),
}

/// The charts of a batch, in reading order, and notes about charts that could not be drawn.
pub fn charts(b: &Batch, per_actor: bool) -> (Vec<Chart>, Vec<String>) {
    let mut v = vec![
        Chart::Escalation(escalation(b)),
        Chart::HighestRung(highest_rung(b)),
        Chart::Outcomes(outcomes(b)),
        Chart::Violations(violations(b)),
        Chart::Downtime(downtime(b)),
        Chart::Attribution(attribution(b)),
        Chart::FirstForce(first_force(b)),
    ];
    let mut notes = Vec::new();
    if per_actor {
        v.push(Chart::Actors(Actors { rows: b.summary.per_actor.clone(), set_name: reference_set_name(b) }));
        let series = b.actor_series();
        if series.is_empty() {
            notes.push(
                "per-actor escalation scores over turns are not in this batch's turns table (no rows whose group \
                 is an actor id); drew the per-actor activity chart only"
                    .to_string(),
            );
        } else {
            let signatory = |id: &str| b.summary.per_actor.iter().any(|a| a.id == id && a.signatory_at_start);
            v.push(Chart::EscalationByActor(EscalationByActor {
                series: series
                    .into_iter()
                    .map(|(a, rows)| (a.name.clone(), Group::of(signatory(&a.id)), band_points(&rows)))
                    .collect(),
                turns: b.summary.turns,
            }));
        }
    }
    (v, notes)
}

fn reference_set_name(b: &Batch) -> Option<String> {
    b.scenario.reference_set.map(|s| b.scenario.norm_sets[s.index()].name.clone())
}

fn band_points(rows: &[&data::TurnRow]) -> Vec<BandPoint> {
    rows.iter()
        .map(|r| BandPoint {
            x: f64::from(r.turn),
            mean: r.mean.unwrap_or(f64::NAN),
            lo: r.ci95_low.unwrap_or(f64::NAN),
            hi: r.ci95_high.unwrap_or(f64::NAN),
        })
        .collect()
}

pub fn escalation(b: &Batch) -> Escalation {
    Escalation {
        series: Group::BOTH.iter().map(|&g| (g, band_points(&b.series(metric::SCORE, g.key())))).collect(),
        turns: b.summary.turns,
        turn_length: b.summary.turn_length.clone(),
        counts: b.signatory_count(),
    }
}

pub fn highest_rung(b: &Batch) -> HighestRung {
    let h = &b.summary.highest_rung;
    let n = b.runs();
    let of = |m: &std::collections::BTreeMap<String, u64>| -> Vec<Interval> {
        Rung::ALL.iter().map(|r| Interval::wilson(m.get(r.slug()).copied().unwrap_or(0), n)).collect()
    };
    HighestRung {
        groups: vec![(Group::Signatories, of(&h.signatories)), (Group::NonSignatories, of(&h.non_signatories))],
    }
}

pub fn outcomes(b: &Batch) -> Outcomes {
    Outcomes {
        rows: Outcome::ALL
            .iter()
            .map(|o| {
                let s = b.summary.outcomes.get(o.slug());
                (*o, s.map_or(Interval::wilson(0, b.runs()), Interval::of_share), s.map_or(0, |s| s.count))
            })
            .collect(),
        highest: Rung::ALL
            .iter()
            .map(|r| {
                let k = b.summary.highest_rung.all.get(r.slug()).copied().unwrap_or(0);
                (*r, k as f64 / b.runs().max(1) as f64)
            })
            .collect(),
    }
}

pub fn violations(b: &Batch) -> Violations {
    let v = &b.summary.violations;
    Violations {
        set_name: reference_set_name(b),
        rows: v
            .by_principle
            .iter()
            .map(|p| {
                let n = p.principle.rsplit(':').next().unwrap_or(&p.principle);
                (
                    format!("{n}. {}", p.name),
                    p.per_run_by_signatories.unwrap_or(0.0),
                    p.per_run_by_non_signatories.unwrap_or(0.0),
                )
            })
            .collect(),
        by_signatories: Interval::of_mean(&v.by_signatories),
        by_non_signatories: Interval::of_mean(&v.by_non_signatories),
    }
}

pub fn downtime(b: &Batch) -> Downtime {
    let d = &b.summary.downtime;
    Downtime {
        sectors: Sector::ALL
            .iter()
            .map(|s| (*s, d.per_run_by_sector.get(s.slug()).copied().flatten().unwrap_or(0.0)))
            .collect(),
        owners: vec![
            (Group::Signatories, Interval::of_mean(&d.signatory_owners)),
            (Group::NonSignatories, Interval::of_mean(&d.other_owners)),
        ],
        total: Interval::of_mean(&d.asset_turns),
    }
}

pub fn attribution(b: &Batch) -> Attribution {
    let a = &b.summary.attribution;
    let wrong = a.believed_wrong.count;
    Attribution {
        fates: [a.believed.saturating_sub(wrong), wrong, a.detected.saturating_sub(a.believed), a.undetected],
        delays: a.turns_to_belief_histogram.clone(),
        mean_delay: a.turns_to_belief.mean.unwrap_or(f64::NAN),
        public_wrong: Interval::of_share(&a.public_wrong),
        public: a.public,
    }
}

pub fn first_force(b: &Batch) -> FirstForce {
    let f = &b.summary.first_use_of_force;
    FirstForce {
        points: band_points(&b.series(metric::ARMED, group::ALL)),
        runs_with_force: f.runs_with_force.count,
        mean_turn: f.turn.mean.unwrap_or(f64::NAN),
        turns: b.summary.turns,
        turn_length: b.summary.turn_length.clone(),
    }
}

/// The words for each group in a legend, with how many actors were in it at the start.
fn group_legend(g: Group, counts: (usize, usize)) -> String {
    let n = match g {
        Group::Signatories => counts.0,
        Group::NonSignatories => counts.1,
    };
    format!("{} ({n} at start)", g.label())
}

/// Everything a chart needs besides its data.
pub struct Context {
    /// Runs in the batch directory.
    pub runs: u64,
}

impl Chart {
    /// File name of the chart, without extension.
    pub fn stem(&self) -> &'static str {
        match self {
            Chart::Escalation(_) => "escalation-score",
            Chart::HighestRung(_) => "highest-rung",
            Chart::Outcomes(_) => "outcomes",
            Chart::Violations(_) => "violations",
            Chart::Downtime(_) => "downtime",
            Chart::Attribution(_) => "attribution",
            Chart::FirstForce(_) => "first-use-of-force",
            Chart::Actors(_) => "actors",
            Chart::EscalationByActor(_) => "escalation-score-by-actor",
        }
    }

    pub fn title(&self) -> String {
        match self {
            Chart::Escalation(_) => "Escalation score per turn: signatories vs non-signatories".into(),
            Chart::HighestRung(_) => "Highest rung of the escalation ladder reached, by group".into(),
            Chart::Outcomes(_) => "How runs end: outcome classes".into(),
            Chart::Violations(_) => "Norm violations: who broke which principle, how often".into(),
            Chart::Downtime(_) => "Critical infrastructure downtime, by sector and by owner".into(),
            Chart::Attribution(_) => "Attribution of hostile operations: right, wrong or none, and how fast".into(),
            Chart::FirstForce(_) => "Time to first use of force: share of runs in armed conflict by each turn".into(),
            Chart::Actors(_) => "Activity by actor: operations launched and suffered, norm violations".into(),
            Chart::EscalationByActor(_) => "Escalation score per turn, by actor".into(),
        }
    }

    fn subtitle(&self, cx: &Context) -> String {
        let runs = data::thousands(cx.runs);
        match self {
            Chart::Escalation(_) => format!(
                "Mean score per actor and turn over {runs} runs (Rivera et al. 2024 tier weights); shaded: 95% CI of the mean"
            ),
            Chart::HighestRung(_) => {
                format!("Share of {runs} runs by the highest rung each group's own acts reached; whiskers: 95% CI")
            }
            Chart::Outcomes(_) => format!("Share of {runs} runs in each outcome class; whiskers: 95% CI (Wilson)"),
            Chart::Violations(v) => format!(
                "Acts contrary to each principle{}, mean per run over {runs} runs; non-signatories' acts count although they are not bound",
                v.set_name.as_ref().map(|n| format!(" of the {n}")).unwrap_or_default()
            ),
            Chart::Downtime(_) => format!(
                "Asset-turns out of service per run (one asset down for one turn = 1), mean over {runs} runs; whiskers: 95% CI (gamma: never below 0)"
            ),
            Chart::Attribution(a) => {
                let ops: u64 = a.fates.iter().sum();
                format!(
                    "{} hostile operations in {runs} runs; of {} public attributions, {} named the wrong actor {}",
                    data::thousands(ops),
                    data::thousands(a.public),
                    pct(a.public_wrong.value),
                    range(&a.public_wrong, pct)
                )
            }
            Chart::FirstForce(_) => format!(
                "Cumulative share of {runs} runs in which any actor has used armed force; shaded: 95% CI (Wilson)"
            ),
            Chart::Actors(a) => {
                let set = a.set_name.as_deref().unwrap_or("reference norm set");
                let what = if a.by_reference() {
                    format!("violations: of the {set}'s principles only, as the headline figures count them")
                } else {
                    "violations: of every norm set's principles (this batch's summary has no reference-set count)"
                        .to_string()
                };
                format!("Mean per run over {runs} runs; colour: signatory of the {set} at the start; {what}")
            }
            Chart::EscalationByActor(_) => {
                format!(
                    "Mean score of each actor per turn over {runs} runs; shaded: 95% CI of the mean; same scale in every panel"
                )
            }
        }
    }

    pub fn height(&self) -> f64 {
        match self {
            Chart::Escalation(_) => 540.0,
            Chart::HighestRung(_) => 520.0,
            Chart::Outcomes(o) => 400.0 + if o.note().is_some() { NOTE_HEIGHT } else { 0.0 },
            Chart::Violations(v) => 190.0 + 46.0 * v.rows.len().max(2) as f64,
            Chart::Downtime(_) => 500.0,
            Chart::Attribution(_) => 460.0,
            Chart::FirstForce(_) => 480.0,
            Chart::Actors(a) => 200.0 + 24.0 * a.rows.len().max(2) as f64,
            Chart::EscalationByActor(e) => 150.0 + 190.0 * e.series.len().div_ceil(4).max(1) as f64,
        }
    }

    /// The chart in one sentence, for the report.
    pub fn reading(&self, cx: &Context) -> String {
        match self {
            Chart::Escalation(e) => {
                let avg = |g: Group| -> f64 {
                    let pts = &e.series.iter().find(|(h, _)| *h == g).map(|(_, p)| p.as_slice()).unwrap_or(&[]);
                    let v: Vec<f64> = pts.iter().map(|p| p.mean).filter(|m| m.is_finite()).collect();
                    if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 }
                };
                let (s, n) = (avg(Group::Signatories), avg(Group::NonSignatories));
                let mut text = format!(
                    "Averaged over the {} turns, non-signatories score {} per actor per turn and signatories {}",
                    e.turns,
                    num(n),
                    num(s)
                );
                if s > 0.0 && n > 0.0 {
                    let (hi, lo, r) = if n >= s {
                        ("non-signatories", "signatories", n / s)
                    } else {
                        ("signatories", "non-signatories", s / n)
                    };
                    text.push_str(&format!(": {hi} escalate {:.1}× as much as {lo}.", r));
                } else {
                    text.push('.');
                }
                text
            }
            Chart::HighestRung(h) => {
                let modal = |g: Group| -> String {
                    let Some((_, v)) = h.groups.iter().find(|(x, _)| *x == g) else { return "n/a".into() };
                    let (i, best) = v
                        .iter()
                        .enumerate()
                        .max_by(|a, b| a.1.value.partial_cmp(&b.1.value).unwrap_or(std::cmp::Ordering::Equal))
                        .map(|(i, x)| (i, *x))
                        .unwrap_or((0, Interval::wilson(0, 0)));
                    format!("{} ({})", Rung::ALL[i].label(), pct(best.value))
                };
                let top = |g: Group| -> String {
                    let Some((_, v)) = h.groups.iter().find(|(x, _)| *x == g) else { return String::new() };
                    v.iter()
                        .rposition(|x| x.value > 0.0)
                        .map(|i| Rung::ALL[i].label().to_string())
                        .unwrap_or_else(|| "none".into())
                };
                format!(
                    "Signatories' own acts most often peak at {}, non-signatories' at {}; the highest rung any run reached is {} for signatories and {} for non-signatories.",
                    modal(Group::Signatories),
                    modal(Group::NonSignatories),
                    top(Group::Signatories),
                    top(Group::NonSignatories)
                )
            }
            Chart::Outcomes(o) => {
                let best =
                    o.rows.iter().max_by(|a, b| a.1.value.partial_cmp(&b.1.value).unwrap_or(std::cmp::Ordering::Equal));
                let armed = o.rows.iter().find(|r| r.0 == Outcome::ArmedConflict);
                let mut text = match best {
                    Some((out, i, _)) => {
                        format!("Most runs end as {} ({} {})", out.label(), pct(i.value), range(i, pct))
                    }
                    None => "No outcomes recorded".into(),
                };
                let note = o.note().map(|n| format!(" {}", n.trim_start_matches("Note: ")));
                if let Some((_, i, k)) = armed {
                    text.push_str(&format!(
                        "; {} of {} runs crossed into armed conflict ({} {}).",
                        data::thousands(*k),
                        data::thousands(cx.runs),
                        pct(i.value),
                        range(i, pct)
                    ));
                } else {
                    text.push('.');
                }
                text.push_str(&note.unwrap_or_default());
                text
            }
            Chart::Violations(v) => {
                let (n, nr) = num_ci(&v.by_non_signatories);
                let (s, sr) = num_ci(&v.by_signatories);
                let mut text = format!("Non-signatories commit {n} violations per run {nr}, signatories {s} {sr}");
                let worst = v
                    .rows
                    .iter()
                    .max_by(|a, b| (a.1 + a.2).partial_cmp(&(b.1 + b.2)).unwrap_or(std::cmp::Ordering::Equal));
                if let Some((label, s, n)) = worst.filter(|w| w.1 + w.2 > 0.0) {
                    text.push_str(&format!(
                        "; the principle broken most often is {label} ({} per run, {:.0}% of it by non-signatories).",
                        num(s + n),
                        100.0 * n / (s + n)
                    ));
                } else {
                    text.push('.');
                }
                text
            }
            Chart::Downtime(d) => {
                if d.total.value.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                    return "No critical infrastructure asset went out of service in any run.".into();
                }
                let top = d.sectors.iter().max_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal));
                let own = |g: Group| d.owners.iter().find(|o| o.0 == g).map_or(f64::NAN, |o| o.1.value);
                let (total, total_r) = num_ci(&d.total);
                format!(
                    "Infrastructure is out of service for {total} asset-turns per run {total_r}, most of it in {}; assets of signatories lose {}, those of non-signatories {}.",
                    top.map_or("n/a", |t| t.0.label()),
                    num(own(Group::Signatories)),
                    num(own(Group::NonSignatories))
                )
            }
            Chart::Attribution(a) => {
                let ops: u64 = a.fates.iter().sum();
                let detected = a.fates[0] + a.fates[1] + a.fates[2];
                let believed = a.fates[0] + a.fates[1];
                let wrong = Interval::wilson(a.fates[1], believed);
                format!(
                    "{} of the {} hostile operations were detected. Of the {} attributions victims came to believe, {} {} blamed the wrong actor ({} of all hostile operations); of the {} public attributions, {} {} named the wrong actor. Attribution took {} turns on average.",
                    pct(detected as f64 / ops.max(1) as f64),
                    data::thousands(ops),
                    data::thousands(believed),
                    pct(wrong.value),
                    range(&wrong, pct),
                    pct(a.fates[1] as f64 / ops.max(1) as f64),
                    data::thousands(a.public),
                    pct(a.public_wrong.value),
                    range(&a.public_wrong, pct),
                    num(a.mean_delay)
                )
            }
            Chart::FirstForce(f) => {
                let last = f.points.last().copied();
                match last {
                    Some(p) if f.runs_with_force > 0 => format!(
                        "By turn {}, {} of runs had crossed into armed conflict {}; force was first used at turn {} on average.",
                        f.turns,
                        pct(p.mean),
                        range(&Interval { value: p.mean, lo: p.lo, hi: p.hi }, pct),
                        num(f.mean_turn)
                    ),
                    Some(p) => format!(
                        "No run crossed into armed conflict within {} turns (95% CI upper bound: {}).",
                        f.turns,
                        pct(p.hi)
                    ),
                    None => "No turns recorded.".into(),
                }
            }
            Chart::Actors(a) => {
                let most = a.rows.iter().max_by(|x, y| {
                    x.ops_launched
                        .unwrap_or(0.0)
                        .partial_cmp(&y.ops_launched.unwrap_or(0.0))
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
                match most {
                    Some(m) => format!(
                        "{} launches the most operations ({} per run) and commits {} violations per run ({}).",
                        m.name,
                        num(m.ops_launched.unwrap_or(0.0)),
                        num(if a.by_reference() { m.violations_reference_set } else { m.violations }.unwrap_or(0.0)),
                        if a.by_reference() {
                            format!("of the {}", a.set_name.as_deref().unwrap_or("reference norm set"))
                        } else {
                            "of all norm sets".to_string()
                        }
                    ),
                    None => "No actors.".into(),
                }
            }
            Chart::EscalationByActor(e) => {
                let avg = |p: &[BandPoint]| {
                    let v: Vec<f64> = p.iter().map(|x| x.mean).filter(|m| m.is_finite()).collect();
                    if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 }
                };
                let top = e
                    .series
                    .iter()
                    .max_by(|a, b| avg(&a.2).partial_cmp(&avg(&b.2)).unwrap_or(std::cmp::Ordering::Equal));
                match top {
                    Some((name, g, p)) => format!(
                        "{name} ({}) escalates most, scoring {} per turn on average.",
                        if *g == Group::Signatories { "a signatory" } else { "a non-signatory" },
                        num(avg(p))
                    ),
                    None => "No per-actor series.".into(),
                }
            }
        }
    }

    /// Draws the chart on a canvas of [`WIDTH`] × [`Chart::height`] logical pixels.
    pub fn draw<DB: DrawingBackend>(&self, cv: &Canvas<DB>, cx: &Context) -> Result<(), String>
    where
        DB::ErrorType: 'static,
    {
        let title = self.title();
        let subtitle = self.subtitle(cx);
        let legend = self.legend();
        let title = fit(cv, &title, &cv.t.title(), WIDTH - 2.0 * PAD);
        let mut subtitle = cv.wrap(&subtitle, &cv.t.subtitle(), WIDTH - 2.0 * PAD, 2);
        for line in &mut subtitle {
            *line = fit(cv, line, &cv.t.subtitle(), WIDTH - 2.0 * PAD);
        }
        let (top, bottom) = cv.frame(&title, &subtitle, &legend)?;
        let body = Rect { x0: PAD, y0: top, x1: cv.w - PAD, y1: bottom };
        self.body(cv, body).map_err(|e| e.to_string())
    }

    fn legend(&self) -> Vec<Legend> {
        let both = |swatch: fn(RGBColor) -> Swatch, label: &dyn Fn(Group) -> String| -> Vec<Legend> {
            Group::BOTH.iter().map(|g| Legend::new(swatch(g.colour()), label(*g))).collect()
        };
        match self {
            Chart::Escalation(e) => both(Swatch::Line, &|g| group_legend(g, e.counts)),
            Chart::HighestRung(_) => {
                let mut l = both(Swatch::Box, &|g| g.label().to_string());
                l.push(Legend::new(Swatch::Whisker, "95% CI"));
                l
            }
            Chart::Violations(_) => both(Swatch::Box, &|g| format!("by {}", g.label())),
            Chart::Downtime(_) => vec![
                Legend::new(Swatch::Box(theme::NEUTRAL), "all owners"),
                Legend::new(Swatch::Box(theme::SIGNATORIES), "signatory-owned"),
                Legend::new(Swatch::Box(theme::NON_SIGNATORIES), "non-signatory-owned"),
            ],
            Chart::Actors(_) | Chart::EscalationByActor(_) => both(Swatch::Box, &|g| g.label().to_string()),
            Chart::FirstForce(_) => vec![Legend::new(Swatch::Line(theme::NEUTRAL), "all runs")],
            Chart::Outcomes(_) | Chart::Attribution(_) => Vec::new(),
        }
    }

    fn body<DB: DrawingBackend>(&self, cv: &Canvas<DB>, r: Rect) -> Drawn<DB> {
        let t = cv.t;
        match self {
            Chart::Escalation(e) => {
                let series: Vec<(RGBColor, Vec<BandPoint>)> =
                    e.series.iter().map(|(g, p)| (g.colour(), p.clone())).collect();
                score_over_turns(cv, r, &series, e.turns, &e.turn_length)
            }
            Chart::HighestRung(h) => {
                let cats: Vec<String> = Rung::ALL.iter().map(|r| r.label().to_string()).collect();
                let bars: Vec<Vec<Bar>> = (0..Rung::ALL.len())
                    .map(|i| {
                        h.groups
                            .iter()
                            .map(|(g, v)| Bar {
                                value: v[i].value,
                                ci: v[i].ci(),
                                colour: g.colour(),
                                text: pct_short(v[i].value),
                            })
                            .collect()
                    })
                    .collect();
                draw::vbars(
                    cv,
                    r,
                    &cats,
                    &bars,
                    &Axis { title: "share of runs", percent: true, max: Some(1.0) },
                    "highest rung reached (escalation ladder, low → high)",
                )
                .map(|_| ())
            }
            Chart::Outcomes(o) => {
                let rows: Vec<Row> = o
                    .rows
                    .iter()
                    .map(|(out, i, _)| Row {
                        label: out.label().to_string(),
                        note: Some(outcome_note(*out).to_string()),
                        bars: vec![Bar {
                            value: i.value,
                            ci: i.ci(),
                            colour: theme::NEUTRAL,
                            text: format!("{}  {}", pct(i.value), range(i, pct)),
                        }],
                    })
                    .collect();
                let lw = label_width(cv, &rows);
                let axis = Axis { title: "share of runs", percent: true, max: Some(1.0) };
                match o.note() {
                    Some(note) => {
                        draw::hbars(cv, Rect { y1: r.y1 - NOTE_HEIGHT, ..r }, &rows, lw, &axis, None)?;
                        draw::note(cv, Rect { y0: r.y1 - NOTE_HEIGHT + 8.0, ..r }, &note)
                    }
                    None => draw::hbars(cv, r, &rows, lw, &axis, None),
                }
            }
            Chart::Violations(v) => {
                let rows: Vec<Row> = v
                    .rows
                    .iter()
                    .map(|(label, s, n)| Row {
                        label: label.clone(),
                        note: None,
                        bars: vec![
                            Bar { value: *s, ci: None, colour: theme::SIGNATORIES, text: num(*s) },
                            Bar { value: *n, ci: None, colour: theme::NON_SIGNATORIES, text: num(*n) },
                        ],
                    })
                    .collect();
                let lw = label_width(cv, &rows).min(cv.w * 0.45);
                let empty = if rows.is_empty() {
                    Some("this scenario has no reference norm set")
                } else if v.rows.iter().all(|r| r.1 + r.2 == 0.0) {
                    Some("no violations in any run")
                } else {
                    None
                };
                draw::hbars(cv, r, &rows, lw, &Axis { title: "violations per run", percent: false, max: None }, empty)
            }
            Chart::Downtime(d) => {
                let split = r.x0 + (r.x1 - r.x0) * 0.6;
                let heading = t.bold(13.5, theme::INK);
                cv.text("by sector", r.x0, r.y0 + 4.0, &heading, HPos::Left)?;
                cv.text("by owner", split + 30.0, r.y0 + 4.0, &heading, HPos::Left)?;
                let rows: Vec<Row> = d
                    .sectors
                    .iter()
                    .map(|(s, v)| Row {
                        label: s.label().to_string(),
                        note: None,
                        bars: vec![Bar { value: *v, ci: None, colour: theme::NEUTRAL, text: num(*v) }],
                    })
                    .collect();
                let lw = label_width(cv, &rows);
                let nothing = d.total.value.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater);
                let empty = nothing.then_some("no asset went down in any run");
                // One scale for both panels, so sectors and owners compare at a glance.
                let shared = d
                    .sectors
                    .iter()
                    .map(|s| s.1)
                    .chain(d.owners.iter().flat_map(|o| [o.1.value, o.1.hi]))
                    .filter(|v| v.is_finite())
                    .fold(0.0, f64::max);
                let axis =
                    Axis { title: "asset-turns down per run", percent: false, max: (shared > 0.0).then_some(shared) };
                draw::hbars(cv, Rect { y0: r.y0 + 26.0, x1: split, ..r }, &rows, lw, &axis, empty)?;
                let owners: Vec<Row> = d
                    .owners
                    .iter()
                    .map(|(g, i)| Row {
                        label: match g {
                            Group::Signatories => "signatory-owned".into(),
                            Group::NonSignatories => "non-signatory-owned".into(),
                        },
                        note: None,
                        bars: vec![Bar {
                            value: i.value,
                            ci: i.ci(),
                            colour: g.colour(),
                            text: if i.value == 0.0 && !nothing { "0: none in any run".into() } else { num(i.value) },
                        }],
                    })
                    .collect();
                let lw = label_width(cv, &owners);
                // Said once, on the left panel, when nothing went down at all.
                let empty = None;
                let right =
                    Rect { x0: split + 30.0, y0: r.y0 + 26.0, x1: r.x1, y1: r.y0 + 26.0 + (r.y1 - r.y0 - 26.0) * 0.5 };
                draw::hbars(cv, right, &owners, lw, &axis, empty)
            }
            Chart::Attribution(a) => {
                let split = r.x0 + (r.x1 - r.x0) * 0.54;
                let heading = t.bold(13.5, theme::INK);
                let ops: u64 = a.fates.iter().sum();
                let left = format!("what became of each of the {} hostile operations", data::thousands(ops));
                cv.text(&fit(cv, &left, &heading, split - r.x0), r.x0, r.y0 + 4.0, &heading, HPos::Left)?;
                let believed = a.fates[0] + a.fates[1];
                let right_h = format!("time to attribution ({} believed)", data::thousands(believed));
                cv.text(&right_h, split + 36.0, r.y0 + 4.0, &heading, HPos::Left)?;
                let labels = [
                    "attributed, right actor",
                    "attributed, wrong actor",
                    "detected, not attributed",
                    "never detected",
                ];
                let notes = [
                    "the victim came to believe the true author".to_string(),
                    format!("{} of the attributions believed", pct(a.fates[1] as f64 / believed.max(1) as f64)),
                    "suspected, never believed".to_string(),
                    "the victim never knew".to_string(),
                ];
                let colours = [theme::CORRECT, theme::WRONG, theme::PENDING, theme::FAINT];
                let rows: Vec<Row> = (0..4)
                    .map(|i| {
                        let share = Interval::wilson(a.fates[i], ops);
                        Row {
                            label: labels[i].to_string(),
                            note: Some(notes[i].clone()),
                            bars: vec![Bar {
                                value: share.value,
                                ci: None,
                                colour: colours[i],
                                text: pct(share.value),
                            }],
                        }
                    })
                    .collect();
                let lw = label_width(cv, &rows);
                let empty = (ops == 0).then_some("no hostile operations");
                draw::hbars(
                    cv,
                    Rect { y0: r.y0 + 26.0, x1: split, ..r },
                    &rows,
                    lw,
                    &Axis { title: "share of hostile operations", percent: true, max: None },
                    empty,
                )?;
                let total: u64 = a.delays.iter().sum();
                let n = a.delays.len();
                let no_delays = (total == 0).then_some("no victim came to believe any attribution");
                let cats: Vec<String> =
                    (0..n).map(|i| if i + 1 == n { format!("{i}+") } else { i.to_string() }).collect();
                let bars: Vec<Vec<Bar>> = a
                    .delays
                    .iter()
                    .map(|&c| {
                        vec![Bar {
                            value: c as f64 / total.max(1) as f64,
                            ci: None,
                            colour: theme::NEUTRAL,
                            text: String::new(),
                        }]
                    })
                    .collect();
                let right = Rect { x0: split + 36.0, y0: r.y0 + 26.0, ..r };
                let plot = draw::vbars(
                    cv,
                    right,
                    &cats,
                    &bars,
                    &Axis { title: "share of believed attributions", percent: true, max: None },
                    "turns from launch to attribution",
                )?;
                if let Some(text) = no_delays {
                    let mid = ((plot.x0 + plot.x1) / 2.0, (plot.y0 + plot.y1) / 2.0);
                    cv.text(text, mid.0, mid.1, &t.text(14.0, theme::MUTED), HPos::Center)?;
                }
                if a.mean_delay.is_finite() && n > 0 {
                    let slot = (plot.x1 - plot.x0) / n as f64;
                    let x = plot.x0 + (a.mean_delay + 0.5) * slot;
                    cv.dashed((x, plot.y0 + 18.0), (x, plot.y1), theme::INK.to_rgba(), 1.4, 4.0)?;
                    cv.text(
                        &format!("mean {} turns", num(a.mean_delay)),
                        x + 6.0,
                        plot.y0 + 18.0,
                        &t.value(),
                        HPos::Left,
                    )?;
                }
                Ok(())
            }
            Chart::FirstForce(f) => {
                let series = vec![(theme::NEUTRAL, f.points.clone())];
                let note = (f.runs_with_force == 0).then(|| format!("no run used armed force in {} turns", f.turns));
                let x_title = format!("turn (1 turn = 1 {})", f.turn_length);
                draw::bands(
                    cv,
                    r,
                    &Bands {
                        series: &series,
                        x_domain: (1.0, f64::from(f.turns.max(2))),
                        x_title: &x_title,
                        axis: Axis {
                            title: "share of runs that have used armed force",
                            percent: true,
                            max: Some(0.01),
                        },
                        step: true,
                        zero: true,
                        note: note.as_deref(),
                        small: false,
                        y_domain: None,
                    },
                )
            }
            Chart::Actors(a) => {
                // Violations of the reference set, as the headline counts them (the
                // per-actor total over all norm sets counts one act once per set it breaks).
                let by_reference = a.by_reference();
                let panels: [(&str, ActorFigure); 3] = [
                    ("operations launched", |x| x.ops_launched),
                    ("operations suffered", |x| x.ops_suffered),
                    (
                        if by_reference { "norm violations" } else { "norm violations (all sets)" },
                        if by_reference { |x| x.violations_reference_set } else { |x| x.violations },
                    ),
                ];
                let names: Vec<Row> =
                    a.rows.iter().map(|x| Row { label: x.name.clone(), note: None, bars: Vec::new() }).collect();
                let lw = label_width(cv, &names) + 12.0;
                let inner = (r.x1 - r.x0 - lw) / 3.0;
                let heading = t.bold(13.5, theme::INK);
                for (k, (name, get)) in panels.iter().enumerate() {
                    let x0 = if k == 0 { r.x0 } else { r.x0 + lw + inner * k as f64 + 12.0 };
                    let x1 = r.x0 + lw + inner * (k + 1) as f64;
                    let rows: Vec<Row> = a
                        .rows
                        .iter()
                        .map(|x| {
                            let v = get(x).unwrap_or(0.0);
                            Row {
                                label: x.name.clone(),
                                note: None,
                                bars: vec![Bar {
                                    value: v,
                                    ci: None,
                                    colour: Group::of(x.signatory_at_start).colour(),
                                    text: num(v),
                                }],
                            }
                        })
                        .collect();
                    let hx = if k == 0 { r.x0 + lw } else { x0 };
                    cv.text(&fit(cv, name, &heading, x1 - hx), hx, r.y0 + 4.0, &heading, HPos::Left)?;
                    let label_w = if k == 0 { lw - 12.0 } else { 0.0 };
                    let zero = rows.iter().all(|row| row.bars.iter().all(|b| b.value == 0.0));
                    draw::hbars(
                        cv,
                        Rect { x0, y0: r.y0 + 26.0, x1, y1: r.y1 },
                        &rows,
                        label_w,
                        &Axis { title: "per run", percent: false, max: None },
                        zero.then_some("0 for every actor in every run"),
                    )?;
                }
                Ok(())
            }
            Chart::EscalationByActor(e) => {
                let cols = 4usize;
                let n = e.series.len();
                let rows_n = n.div_ceil(cols).max(1);
                let (lo, hi) = e
                    .series
                    .iter()
                    .flat_map(|s| s.2.iter())
                    .flat_map(|p| [p.lo, p.hi, p.mean])
                    .filter(|v| v.is_finite())
                    .fold((0.0f64, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
                let hi = if hi.is_finite() { hi } else { 1.0 };
                let cw = (r.x1 - r.x0) / cols as f64;
                let ch = (r.y1 - r.y0) / rows_n as f64;
                for (i, (name, g, pts)) in e.series.iter().enumerate() {
                    let (cx0, cy0) = (r.x0 + (i % cols) as f64 * cw, r.y0 + (i / cols) as f64 * ch);
                    let cell = Rect { x0: cx0, y0: cy0, x1: cx0 + cw - 16.0, y1: cy0 + ch - 8.0 };
                    let series = vec![(g.colour(), pts.clone())];
                    let name = fit(cv, name, &t.label(), cw - 20.0);
                    let zero = pts.iter().all(|p| p.mean == 0.0 && (p.hi.is_nan() || p.hi <= 0.0));
                    draw::bands(
                        cv,
                        cell,
                        &Bands {
                            series: &series,
                            x_domain: (1.0, f64::from(e.turns.max(2))),
                            x_title: "",
                            axis: Axis { title: &name, percent: false, max: None },
                            step: false,
                            zero: true,
                            note: zero.then_some("0 in every turn of every run"),
                            small: true,
                            y_domain: Some((lo, hi)),
                        },
                    )?;
                }
                Ok(())
            }
        }
    }
}

/// One per-run figure of an actor's row.
type ActorFigure = fn(&data::ActorRow) -> Option<f64>;

/// Room for a note under a chart's plot (up to three lines).
pub const NOTE_HEIGHT: f64 = 72.0;

/// What an outcome class contains, in full (`systems/record.rs::classify`).
pub fn outcome_definition(o: Outcome) -> &'static str {
    match o {
        Outcome::Contained => "nothing rose above the political rung (espionage, influence, protests at most)",
        Outcome::DeEscalated => {
            "some actor ran disruptive or destructive operations, no pair kept them up, and the crisis came down: \
             talks agreed after the last disruptive act, or the world back at the political rung or below at the end"
        }
        Outcome::UnresolvedCrisis => {
            "some actor ran disruptive or destructive operations, no pair kept them up, and the crisis had not come \
             down by the end"
        }
        Outcome::ProtractedCyberConflict => {
            "one pair of actors exchanged disruptive or destructive operations over several distinct turns"
        }
        Outcome::ArmedConflict => "some actor used armed force at least once",
    }
}

fn outcome_note(o: Outcome) -> &'static str {
    match o {
        Outcome::Contained => "never rose above the political rung",
        Outcome::DeEscalated => "disruptive or worse, then talks agreed or the world calm at the end",
        Outcome::UnresolvedCrisis => "disruptive or worse, not sustained, not yet calmed at the end",
        Outcome::ProtractedCyberConflict => "one pair exchanged disruptive acts for several turns",
        Outcome::ArmedConflict => "armed force was used",
    }
}

/// The width of the widest row label (or note) of a bar panel.
fn label_width<DB: DrawingBackend>(cv: &Canvas<DB>, rows: &[Row]) -> f64 {
    let t = cv.t;
    rows.iter()
        .map(|r| {
            let l = cv.width(&r.label, &t.label());
            let n = r.note.as_ref().map_or(0.0, |n| cv.width(n, &t.text(11.5, theme::MUTED)));
            l.max(n)
        })
        .fold(0.0, f64::max)
}

/// Escalation-score series over turns with their 95% bands (batch and compare charts);
/// series that are all zero get a note saying so.
pub fn score_over_turns<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    r: Rect,
    series: &[(RGBColor, Vec<BandPoint>)],
    turns: u32,
    turn_length: &str,
) -> Drawn<DB> {
    let x_title = format!("turn (1 turn = 1 {turn_length})");
    // All zero says so in words, not as a flat line at the bottom.
    let zero = series.iter().flat_map(|s| s.1.iter()).all(|p| p.mean == 0.0 && (p.hi.is_nan() || p.hi <= 0.0));
    let note = zero.then_some("0 in every turn of every run: no actor rose above the status quo");
    draw::bands(
        cv,
        r,
        &Bands {
            series,
            x_domain: (1.0, f64::from(turns.max(2))),
            x_title: &x_title,
            axis: Axis { title: "escalation score per actor per turn", percent: false, max: None },
            step: false,
            zero: true,
            note,
            small: false,
            y_domain: None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_percentages_fit_on_a_bar() {
        assert_eq!(pct_short(0.871), "87%");
        assert_eq!(pct_short(0.0), "");
    }
}
