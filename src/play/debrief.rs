//! The after-action report: the exercise's timeline (now with the truth the teams
//! could not see), each team's decisions and what followed, the norm compliance
//! ledger, and how the class's run compares with the same scenario played by the
//! engine alone over many seeds.

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::Session;
use super::charts;
use super::doc::{Block, Doc};
use super::sitrep::when;
use crate::model::events::{Event, EventKind};
use crate::model::ids::ActorId;
use crate::model::ladder::Rung;
use crate::model::state::{Intel, Target};
use crate::narrative::{confidence_word, sentence};
use crate::record::{Outcome, RunRecord};
use crate::report::figure::Figure;
use crate::scenario::Scenario;
use crate::scenario::schema::Purpose;
use crate::sim::Sim;

/// How the engine-alone comparison is run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Engine-alone runs to compare with.
    pub runs: u64,
    /// Master seed of those runs (run i uses `batch::seed_for(master, i)`).
    pub master_seed: u64,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
}

/// The report, in both forms, and its one-line headline.
pub struct Report {
    pub markdown: String,
    pub html: String,
    pub headline: String,
}

/// The figures compared between the class and the engine's runs.
#[derive(Debug, Clone)]
struct Figures {
    score: f64,
    series: Vec<f64>,
    peak: Rung,
    downtime: f64,
    outcome: Outcome,
    force: Option<u32>,
    violations: u32,
}

fn figures(r: &RunRecord) -> Figures {
    Figures {
        score: r.total_score(),
        series: r.score.clone(),
        peak: r.highest_rung,
        downtime: r.downtime(),
        outcome: r.outcome,
        force: r.first_force_turn,
        violations: r.violations_by_signatories + r.violations_by_others,
    }
}

/// One engine-alone run, cut at `limit` turns when the class's session is unfinished.
fn engine_run(s: &Arc<Scenario>, seed: u64, limit: Option<u32>) -> Figures {
    let mut sim = Sim::new(s.clone(), seed, false);
    match limit {
        None => sim.run_to_end(),
        Some(k) => {
            for _ in 0..k {
                if sim.step() {
                    break;
                }
            }
        }
    }
    figures(&sim.record())
}

/// Shares of runs below, equal to and above the class's value.
#[derive(Debug, Clone, Copy)]
struct Standing {
    below: f64,
    equal: f64,
    above: f64,
}

fn standing(values: &[f64], class: f64) -> Standing {
    let n = values.len().max(1) as f64;
    let eq = |v: f64| (v - class).abs() < 1e-9;
    Standing {
        below: values.iter().filter(|&&v| v < class && !eq(v)).count() as f64 / n,
        equal: values.iter().filter(|&&v| eq(v)).count() as f64 / n,
        above: values.iter().filter(|&&v| v > class && !eq(v)).count() as f64 / n,
    }
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// "higher than in 83% of the engine's runs, the same as in 5%".
fn phrase(st: Standing) -> String {
    let runs = "of the engine's runs";
    if st.equal >= st.below.max(st.above) {
        let rest = if st.below > st.above {
            format!(" (higher than in {})", pct(st.below))
        } else if st.above > 0.0 {
            format!(" (lower than in {})", pct(st.above))
        } else {
            String::new()
        };
        return format!("the same as in {} {runs}{rest}", pct(st.equal));
    }
    let same = if st.equal >= 0.005 { format!(", the same as in {}", pct(st.equal)) } else { String::new() };
    if st.below >= st.above {
        format!("higher than in {} {runs}{same}", pct(st.below))
    } else {
        format!("lower than in {} {runs}{same}", pct(st.above))
    }
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (i, f) = (pos.floor() as usize, pos - pos.floor());
    let j = (i + 1).min(sorted.len() - 1);
    sorted[i] + f * (sorted[j] - sorted[i])
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// Writes the report's charts to `dir/charts/` and returns the report. The session
/// is played as far as its decisions go (it may be unfinished).
pub fn build(session: &mut Session, opts: &Options, dir: &Path) -> Result<Report, String> {
    let s = session.setup.scenario.clone();
    let finished = session.finished();
    let played = session.turns_played();
    let intel_snapshot = snapshot(session.sim.world.resource::<Intel>());
    let record = session.sim.record();
    let class = figures(&record);
    let limit = if finished { None } else { Some(played) };

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .build()
        .map_err(|e| format!("thread pool: {e}"))?;
    let runs: Vec<Figures> = pool.install(|| {
        (0..opts.runs)
            .into_par_iter()
            .map(|i| engine_run(&s, crate::batch::seed_for(opts.master_seed, i), limit))
            .collect()
    });
    let alone = engine_run(&s, session.setup.seed, limit);

    let teams: Vec<ActorId> = session.setup.teams.clone();
    let team_names: Vec<String> = teams.iter().map(|&t| s.actor(t).name.clone()).collect();
    let mut doc = Doc { title: format!("After-action report: {}", s.name), blocks: Vec::new() };
    let status = if finished {
        format!(
            "The exercise ran {} of {} {}s and ended: {}.",
            record.turns_played,
            s.turns,
            s.turn_length,
            class.outcome.label()
        )
    } else {
        format!(
            "The exercise was saved after {played} of {} {}s; it is compared with the engine's runs over the same {played} {}s. So far: {}.",
            s.turns,
            s.turn_length,
            s.turn_length,
            class.outcome.label()
        )
    };
    doc.p(format!(
        "Scenario {} ({}), seed {}. Teams: {}. {status}",
        s.name,
        session.setup.scenario_file,
        session.setup.seed,
        teams.iter().map(|&t| format!("{} ({})", s.actor(t).name, s.actor(t).id)).collect::<Vec<_>>().join(", ")
    ));

    // ---------------------------------------------------------------- comparison
    let scores: Vec<f64> = runs.iter().map(|r| r.score).collect();
    let score_st = standing(&scores, class.score);
    let headline = format!("Your escalation was {} ({} simulated runs).", phrase(score_st), runs.len());
    doc.lead(headline.clone());
    doc.h(2, "How your class compares with the engine alone");
    doc.p(format!(
        "The same scenario was played {} times by the engine alone (every actor deciding by the model's rule), with seeds derived from master seed {}. The escalation score sums, turn by turn, the Rivera et al. (2024) weights of every action taken (de-escalation −2, posturing +4, non-violent escalation +12, violent escalation +28) divided by the number of actors.",
        runs.len(),
        opts.master_seed
    ));
    let peaks: Vec<f64> = runs.iter().map(|r| f64::from(r.peak.level())).collect();
    let downs: Vec<f64> = runs.iter().map(|r| r.downtime).collect();
    let viols: Vec<f64> = runs.iter().map(|r| f64::from(r.violations)).collect();
    let force: Vec<f64> = runs.iter().map(|r| f64::from(u8::from(r.force.is_some()))).collect();
    let (ss, ps, ds, vs) =
        (sorted(scores.clone()), sorted(peaks.clone()), sorted(downs.clone()), sorted(viols.clone()));
    let rung_of = |x: f64| Rung::from_level(x.round() as u8).label().to_string();
    let num = |x: f64| format!("{x:.1}");
    let rows = vec![
        vec![
            "escalation score (total)".into(),
            num(class.score),
            num(quantile(&ss, 0.5)),
            format!("{} to {}", num(quantile(&ss, 0.1)), num(quantile(&ss, 0.9))),
            phrase(score_st),
        ],
        vec![
            "highest rung".into(),
            class.peak.label().into(),
            rung_of(quantile(&ps, 0.5)),
            format!("{} to {}", rung_of(quantile(&ps, 0.1)), rung_of(quantile(&ps, 0.9))),
            phrase(standing(&peaks, f64::from(class.peak.level()))),
        ],
        vec![
            "infrastructure downtime (asset-turns)".into(),
            num(class.downtime),
            num(quantile(&ds, 0.5)),
            format!("{} to {}", num(quantile(&ds, 0.1)), num(quantile(&ds, 0.9))),
            phrase(standing(&downs, class.downtime)),
        ],
        vec![
            "norm violations (Paris Call)".into(),
            format!("{}", class.violations),
            num(quantile(&vs, 0.5)),
            format!("{} to {}", num(quantile(&vs, 0.1)), num(quantile(&vs, 0.9))),
            phrase(standing(&viols, f64::from(class.violations))),
        ],
        vec![
            "armed force used".into(),
            class.force.map_or("no".into(), |t| format!("yes, {}", when(&s, t))),
            String::new(),
            format!("{} of runs", pct(force.iter().sum::<f64>() / force.len().max(1) as f64)),
            String::new(),
        ],
    ];
    doc.table(&["measure", "your class", "engine: median", "engine: 10–90% of runs", "your class was…"], rows);
    let outcome_shares: Vec<f64> = Outcome::ALL
        .iter()
        .map(|o| runs.iter().filter(|r| r.outcome == *o).count() as f64 / runs.len().max(1) as f64)
        .collect();
    doc.p(format!(
        "Outcome: your class's run was {}. The engine alone: {}.",
        class.outcome.label(),
        Outcome::ALL
            .iter()
            .zip(&outcome_shares)
            .map(|(o, sh)| format!("{} {}", o.label(), pct(*sh)))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    doc.p(format!(
        "Counterfactual: with your seed ({}), had the engine played {} too, the run would have been {}, reaching the {} rung with an escalation score of {:.1} (yours: {:.1}).",
        session.setup.seed,
        team_names.join(" and "),
        alone.outcome.label(),
        alone.peak.label(),
        alone.score,
        class.score
    ));

    // Charts.
    let chart_dir = dir.join("charts");
    std::fs::create_dir_all(&chart_dir).map_err(|e| format!("creating {}: {e}", chart_dir.display()))?;
    let source = format!(
        "{} · your class (seed {}) against {} engine-alone runs (master seed {}), escalate {}",
        s.name,
        session.setup.seed,
        runs.len(),
        opts.master_seed,
        env!("CARGO_PKG_VERSION")
    );
    let chart = |doc: &mut Doc, fig: &dyn ChartFigure| -> Result<(), String> {
        let svg = fig.render(&source, &chart_dir)?;
        doc.blocks.push(Block::Chart { title: fig.title(), png: format!("charts/{}.png", fig.stem()), svg });
        Ok(())
    };
    chart(
        &mut doc,
        &charts::Distribution {
            stem: "escalation-score",
            title: "Total escalation score: your class against the engine alone",
            x_label: "escalation score, summed over the turns",
            values: &scores,
            class: class.score,
        },
    )?;
    let turns = class.series.len().max(runs.iter().map(|r| r.series.len()).max().unwrap_or(0));
    let (mut med, mut lo, mut hi) = (Vec::new(), Vec::new(), Vec::new());
    for t in 0..turns {
        // Runs that ended earlier count as quiet (score 0) afterwards.
        let col = sorted(runs.iter().map(|r| r.series.get(t).copied().unwrap_or(0.0)).collect());
        med.push(quantile(&col, 0.5));
        lo.push(quantile(&col, 0.1));
        hi.push(quantile(&col, 0.9));
    }
    chart(
        &mut doc,
        &charts::PerTurn {
            stem: "score-per-turn",
            title: "Escalation score per turn: your class against the engine alone",
            y_label: "escalation score",
            turn_length: &s.turn_length,
            median: &med,
            lo: &lo,
            hi: &hi,
            class: &class.series,
            runs: runs.len(),
        },
    )?;
    let rung_labels: Vec<&str> = Rung::ALL.iter().map(|r| r.label()).collect();
    let rung_shares: Vec<f64> = Rung::ALL
        .iter()
        .map(|r| runs.iter().filter(|x| x.peak == *r).count() as f64 / runs.len().max(1) as f64)
        .collect();
    chart(
        &mut doc,
        &charts::Shares {
            stem: "highest-rung",
            title: "Highest rung of the escalation ladder reached",
            x_label: "highest rung reached (escalation ladder, low → high)",
            labels: &rung_labels,
            shares: &rung_shares,
            class: usize::from(class.peak.level()),
            runs: runs.len(),
            note: None,
        },
    )?;
    let outcome_labels: Vec<&str> = Outcome::ALL.iter().map(|o| o.label()).collect();
    let dominant = Outcome::ALL.iter().zip(&outcome_shares).find(|(_, s)| **s >= crate::report::charts::DOMINANT_SHARE);
    let note = dominant.map(|(o, sh)| {
        format!(
            "Note: one class holds {} of the engine's runs. “{}” means {}.",
            pct(*sh),
            o.label(),
            crate::report::charts::outcome_definition(*o)
        )
    });
    chart(
        &mut doc,
        &charts::Shares {
            stem: "outcome",
            title: "Outcome of the crisis",
            x_label: "outcome class",
            labels: &outcome_labels,
            shares: &outcome_shares,
            class: class.outcome.index(),
            runs: runs.len(),
            note,
        },
    )?;

    // ---------------------------------------------------------------- timeline
    let events = &record.events;
    doc.h(2, "Timeline of the exercise");
    doc.p("Everything that happened, including what the teams could not see at the time: who really carried out each covert operation, false flags, and whether attributions were right.");
    // Only turns played to the end: a saved, half-decided turn has not happened yet.
    let last_turn = played;
    for t in 1..=last_turn {
        let mut items = Vec::new();
        for d in session.decisions.iter().filter(|d| d.turn == t) {
            items.push(format!("TEAM {}: {}", s.actor(d.actor).name, describe(&s, &intel_snapshot, d.choice)));
        }
        let mut posture: Vec<(String, Vec<String>)> = Vec::new();
        for e in events.iter().filter(|e| e.turn == t) {
            if let EventKind::Posture { actor, action } = &e.kind {
                let who = name(&s, actor);
                match posture.iter_mut().find(|(a, _)| a == action) {
                    Some((_, v)) => v.push(who),
                    None => posture.push((action.clone(), vec![who])),
                }
                continue;
            }
            if let Some(line) = sentence(&s, e) {
                items.push(line.trim().to_string());
            }
        }
        for (a, who) in posture {
            items.push(format!(
                "{}: {}",
                s.actions.iter().find(|x| x.id == a).map_or(a.as_str(), |x| x.name.as_str()),
                who.join(", ")
            ));
        }
        if !items.is_empty() {
            doc.h(3, capitalise(&when(&s, t)));
            doc.list(items);
        }
    }

    // ---------------------------------------------------------------- decisions
    doc.h(2, "Each team's decisions and what followed");
    for &team in &teams {
        doc.h(3, format!("{} ({})", s.actor(team).name, s.actor(team).id));
        let rows: Vec<Vec<String>> = session
            .decisions
            .iter()
            .filter(|d| d.actor == team && d.turn <= played)
            .map(|d| {
                vec![
                    capitalise(&when(&s, d.turn)),
                    describe(&s, &intel_snapshot, d.choice),
                    followed(&s, events, &intel_snapshot, d.turn, team, d.choice),
                ]
            })
            .collect();
        if rows.is_empty() {
            doc.p("No decisions recorded.");
        } else {
            doc.table(&["turn", "decision", "what followed"], rows);
        }
    }

    // ---------------------------------------------------------------- ledger
    doc.h(2, "Norm compliance ledger");
    let mut rows = Vec::new();
    let (mut by_teams, mut by_engine, mut attributed) = (0, 0, 0);
    let mut last_asset: Option<&str> = None;
    for e in events {
        if let EventKind::Operation { asset, .. } = &e.kind {
            last_asset = Some(asset.as_str());
        } else if !matches!(e.kind, EventKind::Violation { .. }) {
            last_asset = None;
        }
        let EventKind::Violation { actor, principle, victim, bound } = &e.kind else { continue };
        let a = s.actor_by_id(actor);
        let is_team = a.is_some_and(|a| teams.contains(&a));
        if is_team {
            by_teams += 1;
        } else {
            by_engine += 1;
        }
        let (status, public) = attribution_status(&s, events, &intel_snapshot, e, last_asset);
        attributed += usize::from(public);
        let pname = s.principles.iter().find(|p| &p.key == principle).map_or(String::new(), |p| format!(" {}", p.name));
        rows.push(vec![
            capitalise(&when(&s, e.turn)),
            format!("{}{}", name(&s, actor), if is_team { " (team)" } else { "" }),
            format!("{principle}{pname}"),
            victim.as_deref().map_or("—".to_string(), |v| name(&s, v)),
            if *bound { "yes".into() } else { "no".into() },
            status,
        ]);
    }
    if rows.is_empty() {
        doc.p("No principle of any norm set was broken during the exercise.");
    } else {
        doc.p(format!(
            "{} violation{} of norm principles: {by_teams} by the teams, {by_engine} by actors the engine played; {attributed} publicly attributed to their author. \"Bound\" means the violator had committed to the principle at the time.",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" }
        ));
        doc.table(&["turn", "violator", "principle", "against", "bound by it", "detected / attributed"], rows);
    }

    doc.h(2, "Notes for the facilitator");
    doc.list(vec![
        "The engine's runs use the same scenario and rules as the exercise; only the teams' decisions differ. Their spread shows how much of the class's outcome is chance (detection, attribution, damage) and how much is choice.".into(),
        format!("Replay this session exactly with `escalate play --resume` on its save file; compare more runs with `escalate debrief --runs N` (this report: {} runs).", runs.len()),
        "Discussion prompts: which decision raised the ladder most? Which attribution was made on low confidence, and was it right? Did signatories enforce the norms they signed, and did it change what the violator did next?".into(),
    ]);
    Ok(Report { markdown: doc.markdown(), html: doc.html(), headline })
}

/// What the debrief needs of the final intelligence picture.
#[derive(Debug, Clone)]
struct Case {
    victim: ActorId,
    actor: ActorId,
    asset: crate::model::ids::AssetId,
    launched: u32,
    detected: Option<u32>,
    suspect: Option<ActorId>,
    confidence: f64,
    believed: bool,
    public: bool,
    violations: crate::model::ids::PrincipleMask,
}

fn snapshot(intel: &Intel) -> Vec<Case> {
    let mut v: Vec<Case> = intel
        .investigations
        .iter()
        .map(|i| Case {
            victim: i.op.victim,
            actor: i.op.actor,
            asset: i.op.asset,
            launched: i.op.launched,
            detected: Some(i.detected),
            suspect: Some(i.suspect),
            confidence: i.confidence,
            believed: i.believed,
            public: i.public,
            violations: i.op.violations,
        })
        .collect();
    v.extend(intel.pending.iter().map(|p| Case {
        victim: p.victim,
        actor: p.actor,
        asset: p.asset,
        launched: p.launched,
        detected: None,
        suspect: None,
        confidence: 0.0,
        believed: false,
        public: false,
        violations: p.violations,
    }));
    v
}

fn name(s: &Scenario, id: &str) -> String {
    s.actors.iter().find(|a| a.id == id).map_or(id.to_string(), |a| a.name.clone())
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str())
}

/// A decision in words.
fn describe(s: &Scenario, cases: &[Case], choice: Option<crate::model::state::Choice>) -> String {
    let Some(c) = choice else {
        return "did nothing".into();
    };
    let act = &s.actions[c.action.index()];
    match c.target {
        Target::Own => act.name.clone(),
        Target::Actor(b) => format!("{} — {}", act.name, s.actor(b).name),
        Target::Asset(x) => format!("{} against {}", act.name, s.assets[x.index()].name),
        Target::Case(ci) => {
            let suspect = cases.get(ci).and_then(|k| k.suspect).map_or("?".to_string(), |x| s.actor(x).name.clone());
            format!("{} (case {}) naming {suspect}", act.name, ci + 1)
        }
    }
}

/// What followed a decision, from the events and the final intelligence picture.
fn followed(
    s: &Scenario,
    events: &[Event],
    cases: &[Case],
    turn: u32,
    team: ActorId,
    choice: Option<crate::model::state::Choice>,
) -> String {
    let me = s.actor(team).id.as_str();
    let Some(c) = choice else {
        return "—".into();
    };
    let act = &s.actions[c.action.index()];
    let mut parts: Vec<String> = Vec::new();
    // Public acts of `other` against the team after the turn, and its covert operations.
    let reactions = |other: &str, from: u32, to: u32| -> Vec<String> {
        events
            .iter()
            .filter(|e| e.turn > from && e.turn <= to)
            .filter_map(|e| match &e.kind {
                EventKind::Protest { by, against } if by == other && against == me => {
                    Some(format!("protest ({})", when(s, e.turn)))
                }
                EventKind::Sanction { by, against } if by == other && against == me => {
                    Some(format!("sanctions ({})", when(s, e.turn)))
                }
                EventKind::Force { by, against, .. } if by == other && against == me => {
                    Some(format!("ARMED FORCE ({})", when(s, e.turn)))
                }
                EventKind::PublicAttribution { by, named, .. } if by == other && named == me => {
                    Some(format!("public attribution ({})", when(s, e.turn)))
                }
                EventKind::Operation { actor, action, target, scripted, .. } if actor == other && target == me => {
                    let a =
                        s.actions.iter().find(|x| &x.id == action).map_or(action.clone(), |x| x.name.to_lowercase());
                    let inject = if *scripted { ", scripted" } else { "" };
                    Some(format!("{a} ({}{inject})", when(s, e.turn)))
                }
                _ => None,
            })
            .take(5)
            .collect()
    };
    let horizon = turn + 3;
    match (act.purpose, c.target) {
        (Purpose::Operation, Target::Asset(x)) => {
            let asset = &s.assets[x.index()];
            let v = asset.owner;
            let pos = events.iter().position(|e| {
                e.turn == turn
                    && matches!(&e.kind, EventKind::Operation { actor, asset: a, scripted: false, .. } if actor == me && a == &asset.id)
            });
            if let Some(p) = pos {
                if let EventKind::Operation { damage, .. } = &events[p].kind {
                    parts.push(if *damage > 0.0 { format!("damage {damage:.2}") } else { "no damage".into() });
                }
                let broke: Vec<&str> = events[p + 1..]
                    .iter()
                    .take_while(|e| matches!(e.kind, EventKind::Violation { .. }))
                    .filter_map(|e| match &e.kind {
                        EventKind::Violation { principle, .. } => Some(principle.as_str()),
                        _ => None,
                    })
                    .collect();
                if !broke.is_empty() {
                    parts.push(format!("broke {}", broke.join(", ")));
                }
            }
            let case = cases.iter().find(|k| k.actor == team && k.launched == turn && k.asset == x && k.victim == v);
            parts.push(match case {
                Some(Case { detected: Some(d), suspect: Some(sus), confidence, believed, public, .. }) => {
                    let right = if *sus == team { "rightly" } else { "wrongly" };
                    let stage = if *public {
                        "and named you in public".to_string()
                    } else if *believed {
                        "and came to believe it".to_string()
                    } else {
                        format!("({} confidence)", confidence_word(*confidence))
                    };
                    let stage = if *public && *sus != team {
                        format!("and named {} in public", s.actor(*sus).name)
                    } else {
                        stage
                    };
                    format!(
                        "{} detected it in {} and {right} suspected {} {stage}",
                        s.actor(v).name,
                        when(s, *d),
                        s.actor(*sus).name
                    )
                }
                Some(_) => "not detected by the end".into(),
                None => "never detected".into(),
            });
            let r = reactions(&s.actor(v).id, turn, horizon);
            if !r.is_empty() {
                parts.push(format!("{} in the next 3 turns: {}", s.actor(v).name, r.join(", ")));
            }
        }
        (Purpose::Force, Target::Actor(b)) => {
            if let Some(EventKind::Force { damage, .. }) = events
                .iter()
                .find(|e| e.turn == turn && matches!(&e.kind, EventKind::Force { by, .. } if by == me))
                .map(|e| &e.kind)
            {
                parts.push(format!("damage {damage:.2} across {}'s infrastructure", s.actor(b).name));
            }
            let r = reactions(&s.actor(b).id, turn, horizon);
            parts.push(if r.is_empty() {
                format!("{} did not answer in the next 3 turns", s.actor(b).name)
            } else {
                format!("{} in the next 3 turns: {}", s.actor(b).name, r.join(", "))
            });
        }
        (Purpose::Protest | Purpose::Sanction | Purpose::DeEscalate | Purpose::Reassure, Target::Actor(b)) => {
            let other = s.actor(b).id.as_str();
            for e in events.iter().filter(|e| e.turn == turn) {
                if let EventKind::RungChange { a, b: bb, from, to } = &e.kind
                    && ((a == me && bb == other) || (a == other && bb == me))
                {
                    parts.push(format!("ladder {} → {}", from.label(), to.label()));
                }
            }
            let r = reactions(other, turn, horizon);
            parts.push(if r.is_empty() {
                format!("{} took no action against you in the next 3 turns", s.actor(b).name)
            } else {
                format!("{} in the next 3 turns: {}", s.actor(b).name, r.join(", "))
            });
        }
        (Purpose::PublicAttribution, Target::Case(ci)) => {
            if let Some(k) = cases.get(ci) {
                let named = k.suspect.unwrap_or(k.actor);
                let truth = if named == k.actor || s.actor(k.actor).sponsor == Some(named) {
                    "correctly".to_string()
                } else {
                    format!("WRONGLY: it was {}", s.actor(k.actor).name)
                };
                parts.push(format!("named {} {truth}", s.actor(named).name));
                let joint = events.iter().find_map(|e| match &e.kind {
                    EventKind::PublicAttribution { by, joint_with, .. }
                        if e.turn == turn && by == me && !joint_with.is_empty() =>
                    {
                        Some(joint_with.iter().map(|j| name(s, j)).collect::<Vec<_>>().join(", "))
                    }
                    _ => None,
                });
                if let Some(j) = joint {
                    parts.push(format!("jointly with {j}"));
                }
                let named_id = s.actor(named).id.as_str();
                let sanctions: Vec<String> = events
                    .iter()
                    .filter(|e| e.turn >= turn && e.turn <= horizon)
                    .filter_map(|e| match &e.kind {
                        EventKind::Sanction { by, against } if against == named_id => Some(name(s, by)),
                        _ => None,
                    })
                    .collect();
                if !sanctions.is_empty() {
                    parts.push(format!("sanctions on {} followed from {}", s.actor(named).name, sanctions.join(", ")));
                }
            }
        }
        (Purpose::BuildCapacity, _) => parts.push("offensive capacity grew".into()),
        (Purpose::Harden, _) => {
            parts.push("defences grew (fewer and milder successful attacks, more detections)".into())
        }
        (Purpose::Proliferate, _) => parts.push("leaked tools armed every proxy group".into()),
        _ => {}
    }
    if parts.is_empty() { "—".into() } else { parts.join("; ") }
}

/// Whether a violation was detected and attributed; `true` when publicly attributed to its author.
fn attribution_status(
    s: &Scenario,
    events: &[Event],
    cases: &[Case],
    v: &Event,
    asset: Option<&str>,
) -> (String, bool) {
    let EventKind::Violation { actor, principle, victim, .. } = &v.kind else {
        return ("—".into(), false);
    };
    let turn = v.turn;
    let Some(victim) = victim else {
        return ("no victim to detect it".into(), false);
    };
    let overt = events.iter().any(|e| {
        e.turn == turn && matches!(&e.kind, EventKind::Force { by, against, .. } if by == actor && against == victim)
    });
    if overt {
        return ("overt (armed force)".into(), true);
    }
    let (Some(a), Some(v)) = (s.actor_by_id(actor), s.actor_by_id(victim)) else {
        return ("—".into(), false);
    };
    let pid = s.principles.iter().position(|p| p.key == *principle);
    let asset = asset.and_then(|x| s.assets.iter().position(|a| a.id == x));
    let case = cases.iter().find(|k| {
        k.actor == a
            && k.victim == v
            && k.launched == turn
            && asset.is_none_or(|x| k.asset.index() == x)
            && pid.is_none_or(|p| k.violations.contains(crate::model::ids::PrincipleId(p as u16)))
    });
    match case {
        None => ("never detected".into(), false),
        Some(Case { detected: None, .. }) => ("undetected at the end".into(), false),
        Some(Case { suspect: Some(sus), public, believed, confidence, .. }) => {
            let right = *sus == a || s.actor(a).sponsor == Some(*sus);
            let who = s.actor(*sus).name.clone();
            let mark = if right { "" } else { " (wrong)" };
            if *public {
                (format!("publicly attributed to {who}{mark}"), right)
            } else if *believed {
                (format!("detected; believed to be {who}{mark}, not made public"), false)
            } else {
                (format!("detected; {} confidence: {who}{mark}", confidence_word(*confidence)), false)
            }
        }
        Some(_) => ("—".into(), false),
    }
}

/// A debrief chart behind a reference (the figures are of different types).
trait ChartFigure {
    fn stem(&self) -> String;
    fn title(&self) -> String;
    fn render(&self, source: &str, dir: &std::path::Path) -> Result<String, String>;
}

impl<F: Figure> ChartFigure for F {
    fn stem(&self) -> String {
        Figure::stem(self)
    }
    fn title(&self) -> String {
        Figure::title(self)
    }
    fn render(&self, source: &str, dir: &std::path::Path) -> Result<String, String> {
        charts::render(self, source, dir)
    }
}
