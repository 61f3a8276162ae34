//! The model's second edition, stated as behaviour: each test is one property the
//! model must show at the **default** parameters, on fixed seeds, with enough runs
//! that it cannot flake. `docs/model.md` §11 gives each property's reason and the
//! literature behind its tolerance.
//!
//! Paired comparisons run both worlds on the same seeds (common random numbers) and
//! use the paired t-interval of `escalate::stats::Moments`.

use std::collections::BTreeMap;
use std::sync::Arc;

use escalate::batch::seed_for;
use escalate::model::events::EventKind;
use escalate::model::ladder::Rung;
use escalate::record::{Outcome, RunRecord};
use escalate::scenario::schema::OverrideDef;
use escalate::scenario::variant::{load_variant, load_with};
use escalate::scenario::{Loaded, Scenario, load_file, load_str};
use escalate::sim;
use escalate::stats::Moments;

const MASTER: u64 = 20_181_112;

fn load(name: &str) -> Loaded {
    load_file(std::path::Path::new(&format!("scenarios/{name}.ron"))).expect("shipped scenario loads")
}

/// Runs on seeds 0..n in parallel; the order of the records is the order of the seeds.
fn runs(s: &Scenario, n: u64, events: bool) -> Vec<RunRecord> {
    use rayon::prelude::*;
    let s = Arc::new(s.clone());
    (0..n).into_par_iter().map(|i| sim::run(&s, seed_for(MASTER, i), events)).collect()
}

fn share(rs: &[RunRecord], f: impl Fn(&RunRecord) -> bool) -> f64 {
    rs.iter().filter(|r| f(r)).count() as f64 / rs.len() as f64
}

fn mean(rs: &[RunRecord], f: impl Fn(&RunRecord) -> f64) -> f64 {
    rs.iter().map(f).sum::<f64>() / rs.len() as f64
}

/// Paired 95% interval of `f(b) - f(a)` over runs on the same seeds.
fn paired(a: &[RunRecord], b: &[RunRecord], f: impl Fn(&RunRecord) -> f64) -> (f64, f64, f64) {
    let mut d = Moments::default();
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x.seed, y.seed, "paired runs share seeds");
        d.add(f(y) - f(x));
    }
    let (lo, hi) = d.ci95();
    (d.mean(), lo, hi)
}

fn actor(s: &Scenario, id: &str) -> usize {
    s.actors.iter().position(|a| a.id == id).expect("actor exists")
}

fn armed(r: &RunRecord) -> f64 {
    f64::from(u8::from(r.outcome == Outcome::ArmedConflict))
}

fn with_params(s: &Scenario, f: impl FnOnce(&mut escalate::model::params::Parameters)) -> Scenario {
    let mut s = s.clone();
    f(&mut s.params);
    s
}

fn every_firebreak(s: &Scenario, v: f64) -> Scenario {
    let mut s = s.clone();
    s.actors.iter_mut().for_each(|a| a.doctrine.firebreak = v);
    s
}

// ------------------------------------------------------------------ norms

/// A provoked signatory sometimes breaks a norm it is bound by: Poland, its grid
/// blacked out, in 2-20% of runs (the record has no signatory answering a grid attack
/// with a destructive one, but restraint is a tendency, not a wall).
#[test]
fn provoked_signatory_sometimes_breaks_its_norms() {
    let gw = load("grid-wiper");
    let pol = actor(&gw.scenario, "POL");
    let rs = runs(&gw.scenario, 3000, false);
    let p = share(&rs, |r| r.per_actor[pol].violations_bound > 0);
    assert!((0.02..=0.20).contains(&p), "Poland breaks a bound norm in {:.1}% of runs", 100.0 * p);
}

/// The norm cost is a lever with a measurable effect: halving it against doubling it
/// changes signatories' violations, with a paired interval that excludes 0.
#[test]
fn norm_cost_has_a_measurable_effect() {
    let gw = load("grid-wiper");
    let base = gw.scenario.params.norm_violation_cost;
    let low = runs(&with_params(&gw.scenario, |p| p.norm_violation_cost = 0.5 * base), 2000, false);
    let high = runs(&with_params(&gw.scenario, |p| p.norm_violation_cost = 2.0 * base), 2000, false);
    let (d, lo, hi) = paired(&low, &high, |r| f64::from(r.violations_by_signatories));
    assert!(hi < 0.0, "doubling the norm cost against halving it: {d:.3} per run, 95% CI [{lo:.3}, {hi:.3}]");
}

/// Reputation matters because a bound state can lose it: its two knobs change the
/// choices of the states bound by norms. A bound state loses reputation only when it
/// is named in public for an operation that broke a principle it is bound by, which
/// the calibrated `disclosure_rate` makes rare within a crisis (naming took months in
/// the record). The world here is NotPetya as in 2017 (`as-in-2017`: every state,
/// Russia included, bound by the UN GGE 2015 norms), naming at once and blaming right:
/// Russia is named for NotPetya and its norm cost falls with its reputation. The test
/// is of the mechanism, not of how often the default worlds reach it.
#[test]
fn reputation_is_not_inert() {
    let np = load_variant(&load("notpetya-2017"), "as-in-2017").unwrap();
    let named_at_once = with_params(&np.scenario, |p| {
        p.disclosure_rate = 1.0;
        p.initial_accuracy = 1.0;
    });
    let base = runs(&named_at_once, 800, false);
    for (knob, s) in [
        ("reputation_loss = 1", with_params(&named_at_once, |p| p.reputation_loss = 1.0)),
        ("reputation_weight = 0", with_params(&named_at_once, |p| p.reputation_weight = 0.0)),
    ] {
        let other = runs(&s, 800, false);
        // What reputation prices is a bound state's choices: its violations, or the
        // acts (and so the escalation score) it picks instead.
        let changed = base.iter().zip(&other).any(|(a, b)| {
            (a.violations_by_signatories, a.violations_by_others)
                != (b.violations_by_signatories, b.violations_by_others)
                || a.score != b.score
        });
        assert!(changed, "{knob} changed no bound state's choices");
    }
}

// ------------------------------------------------------------------ force

/// Severe provocation (a destructive attack on a grid) reaches armed conflict rarely:
/// 0.5-5% of runs. The record: no state has answered a cyber operation on its
/// infrastructure with force; kinetic answers to hackers exist (2015, 2019).
#[test]
fn force_is_rare_but_reachable_under_severe_provocation() {
    let gw = load("grid-wiper");
    let rs = runs(&gw.scenario, 4000, false);
    let p = mean(&rs, armed);
    assert!((0.005..=0.05).contains(&p), "armed conflict in {:.2}% of grid-wiper runs", 100.0 * p);
}

/// Force falls on adversaries. In NotPetya, Ukraine (which has only Russia as a rival)
/// used to strike Canada, Denmark or Australia on a wrong first suspect drawn at random:
/// half of its uses of force. A wrong suspect is now someone the victim already
/// distrusts, so at least 90% of Ukraine's first uses of force are against Russia
/// (Rid & Buchanan 2015: attribution starts from the political context).
#[test]
fn force_falls_on_adversaries() {
    let np = load("notpetya-2017");
    let rs = runs(&np.scenario, 1000, true);
    let mut against = BTreeMap::<String, u32>::new();
    for r in &rs {
        let first = r.events.iter().find_map(|e| match &e.kind {
            EventKind::Force { by, against, .. } if by == "UKR" => Some(against.clone()),
            _ => None,
        });
        if let Some(b) = first {
            *against.entry(b).or_default() += 1;
        }
    }
    let total: u32 = against.values().sum();
    let russia = against.get("RUS").copied().unwrap_or(0);
    assert!(total >= 20, "Ukraine used force in only {total} of 1,000 runs: {against:?}");
    assert!(f64::from(russia) >= 0.9 * f64::from(total), "Ukraine's first force: {against:?}");
}

/// In the baseline worlds force stays below 0.5% per half-year.
#[test]
fn force_stays_rare_in_the_baseline_worlds() {
    for name in ["paris-call-2018", "paris-call-2021"] {
        let l = load(name);
        let rs = runs(&l.scenario, 2000, false);
        let half_years = f64::from(l.scenario.turns) / 26.0;
        let p = mean(&rs, armed) / half_years;
        assert!(p <= 0.005, "{name}: armed conflict {:.2}% per half-year", 100.0 * p);
    }
}

/// The firebreak is a lever: with every firebreak at 0, armed conflict at least
/// doubles, with a paired interval that excludes 0; halving it (the shipped variant)
/// changes the baseline.
#[test]
fn the_firebreak_holds_force_back() {
    let gw = load("grid-wiper");
    let base = runs(&gw.scenario, 3000, false);
    let none = runs(&every_firebreak(&gw.scenario, 0.0), 3000, false);
    let (d, lo, _) = paired(&base, &none, armed);
    let (a, b) = (mean(&base, armed), mean(&none, armed));
    assert!(lo > 0.0, "no firebreak: armed conflict +{d:.4}, 95% CI lower bound {lo:.4}");
    assert!(b >= 2.0 * a, "no firebreak {b:.4} against {a:.4}: less than double");

    let world = load("paris-call-2018");
    let weak = load_variant(&world, "weak-firebreak").unwrap();
    let x = runs(&world.scenario, 1000, false);
    let y = runs(&weak.scenario, 1000, false);
    let differs = x.iter().zip(&y).any(|(a, b)| a.force_uses != b.force_uses || a.outcome != b.outcome);
    assert!(differs, "weak-firebreak equals the baseline run for run");
}

/// Norms do not buy cyber restraint with kinetic force. Where force is reachable
/// (grid-wiper at the defaults: about 1% of runs), universal adherence does not raise
/// armed conflict above no adherence, and Poland as a signatory does not strike more
/// often than the same Poland unbound.
#[test]
fn norms_do_not_displace_cyber_into_force() {
    displacement_check(None);
}

/// The same with every firebreak at 0, where force is common (about 10% of runs).
#[test]
fn norms_do_not_displace_cyber_into_force_without_firebreaks() {
    displacement_check(Some(0.0));
}

fn displacement_check(fb: Option<f64>) {
    let gw = load("grid-wiper");
    let states: Vec<String> = gw.file.actors.iter().filter(|a| a.sponsor.is_none()).map(|a| a.id.clone()).collect();
    let commit = |ids: &[String], value: &str| -> Vec<OverrideDef> {
        ids.iter().map(|id| OverrideDef { path: format!("actors[{id}].commitments"), value: value.into() }).collect()
    };
    let all = load_with(&gw, "universal", &commit(&states, "[CommitmentDef(norm_set: \"paris-call\")]")).unwrap();
    let none = load_with(&gw, "none", &commit(&states, "[]")).unwrap();
    let pol_free = load_with(&gw, "pol-unbound", &commit(&["POL".into()], "[]")).unwrap();
    let pol = actor(&gw.scenario, "POL");
    let regime = |s: &Scenario| match fb {
        Some(v) => every_firebreak(s, v),
        None => s.clone(),
    };
    let u = runs(&regime(&all.scenario), 3000, false);
    let n = runs(&regime(&none.scenario), 3000, false);
    let (d, lo, hi) = paired(&n, &u, armed);
    assert!(lo <= 0.0, "firebreak {fb:?}: universal adherence raises armed conflict by {d:.4} [{lo:.4}, {hi:.4}]");

    let signed = runs(&regime(&gw.scenario), 3000, false);
    let free = runs(&regime(&pol_free.scenario), 3000, false);
    let strikes = |r: &RunRecord| f64::from(u8::from(r.per_actor[pol].strikes > 0));
    let (d, lo, hi) = paired(&free, &signed, strikes);
    assert!(lo <= 0.0, "firebreak {fb:?}: signatory Poland strikes more than unbound, {d:.4} [{lo:.4}, {hi:.4}]");
}

// ------------------------------------------------------------------ harm and reciprocity

/// Harm drives escalation: over damage_scale 0.5 → 4 the highest rung and the
/// retaliation rate (per turn played) do not fall, and at 4× both exceed 0.5× with intervals excluding 0.
#[test]
fn harm_drives_escalation() {
    let gw = load("grid-wiper");
    let scales = [0.5, 1.0, 2.0, 4.0];
    let sets: Vec<Vec<RunRecord>> =
        scales.iter().map(|&k| runs(&with_params(&gw.scenario, |p| p.damage_scale = k), 1500, false)).collect();
    let rung = |r: &RunRecord| f64::from(r.highest_rung.level());
    // A rate per turn played: runs that end in armed conflict stop early.
    let ret = |r: &RunRecord| f64::from(r.retaliations) / f64::from(r.turns_played);
    for w in sets.windows(2) {
        for (name, f) in [("highest rung", &rung as &dyn Fn(&RunRecord) -> f64), ("retaliations", &ret)] {
            let (d, _, hi) = paired(&w[0], &w[1], f);
            assert!(hi >= 0.0, "{name} falls with more damage: {d:.3}, upper bound {hi:.3}");
        }
    }
    for (name, f) in [("highest rung", &rung as &dyn Fn(&RunRecord) -> f64), ("retaliations", &ret)] {
        let (d, lo, _) = paired(&sets[0], &sets[3], f);
        assert!(lo > 0.0, "{name} at 4× damage against 0.5×: {d:.3}, lower bound {lo:.3}");
    }
}

/// Doctrine `retaliation` 0 → 1 raises retaliation against the believed attacker.
#[test]
fn retaliation_doctrine_raises_retaliation() {
    let gw = load("grid-wiper");
    let set = |v: f64| {
        let mut s = gw.scenario.clone();
        s.actors.iter_mut().for_each(|a| a.doctrine.retaliation = v);
        runs(&s, 1500, false)
    };
    let (lo_runs, hi_runs) = (set(0.0), set(1.0));
    let (d, lo, hi) = paired(&lo_runs, &hi_runs, |r| f64::from(r.retaliations));
    assert!(lo > 0.0, "retaliation 0 → 1: {d:.3} more retaliations [{lo:.3}, {hi:.3}]");
}

/// Reciprocity exists and damps. Between non-signatory rivals in the 2018 world, a
/// victim answers a believed disruptive-or-worse operation in kind within 8 turns at
/// least twice as often as it launches one against that rival in any 8 turns; and long
/// exchanges (4 or more alternating rounds) stay a minority of runs. (Iran-Israel 2020,
/// US-Iran 2012-13: exchanges of two or three rounds, then a pause.)
#[test]
fn reciprocity_exists_and_damps() {
    let w = load("paris-call-2018");
    let s = &w.scenario;
    let n = s.actors.len();
    let sig: Vec<bool> =
        (0..n).map(|i| s.reference_set.is_some_and(|r| s.actors[i].commitments.iter().any(|c| c.set == r))).collect();
    let ix = |id: &str| actor(s, id);
    let rival = |a: usize, b: usize| s.tension[a * n + b] > 0.0 && !sig[a] && !sig[b];
    let window = 8;
    let (mut answered, mut provoked, mut base_hits, mut base_windows) = (0u64, 0u64, 0u64, 0u64);
    let mut long = 0;
    let rs = runs(s, 1500, true);
    for r in &rs {
        // Disruptive-or-worse operations between states, by (actor, target), with turns.
        let mut ops: BTreeMap<(usize, usize), Vec<u32>> = BTreeMap::new();
        let mut beliefs: BTreeMap<(usize, usize), Vec<u32>> = BTreeMap::new();
        let mut exchange: BTreeMap<(usize, usize), (Option<usize>, u32)> = BTreeMap::new();
        for e in &r.events {
            match &e.kind {
                EventKind::Operation { actor, target, rung, .. } if *rung >= Rung::Disruptive => {
                    let (a, b) = (ix(actor), ix(target));
                    ops.entry((a, b)).or_default().push(e.turn);
                    let key = (a.min(b), a.max(b));
                    let x = exchange.entry(key).or_insert((None, 0));
                    if x.0 != Some(a) {
                        *x = (Some(a), x.1 + 1);
                    }
                }
                EventKind::Believed { victim, suspect, rung, .. } if *rung >= Rung::Disruptive => {
                    beliefs.entry((ix(victim), ix(suspect))).or_default().push(e.turn);
                }
                _ => {}
            }
        }
        if exchange.values().any(|x| x.1 >= 4) {
            long += 1;
        }
        let turns = r.turns_played;
        for v in 0..n {
            for a in 0..n {
                if v == a || !rival(v, a) {
                    continue;
                }
                let mine = ops.get(&(v, a)).cloned().unwrap_or_default();
                let hit_by = beliefs.get(&(v, a)).cloned().unwrap_or_default();
                let launched_in = |from: u32| mine.iter().any(|&t| t > from && t <= from + window);
                for &t in &hit_by {
                    provoked += 1;
                    answered += u64::from(launched_in(t));
                }
                // Base rate: windows that open with no belief of such an attack in the
                // preceding `window` turns.
                for t in (0..turns.saturating_sub(window)).step_by(window as usize) {
                    if hit_by.iter().any(|&b| b + window > t && b <= t + window) {
                        continue;
                    }
                    base_windows += 1;
                    base_hits += u64::from(launched_in(t));
                }
            }
        }
    }
    assert!(provoked >= 200, "too few believed disruptive attacks between rivals to measure ({provoked})");
    let after = answered as f64 / provoked as f64;
    let base = base_hits as f64 / base_windows.max(1) as f64;
    assert!(after >= 2.0 * base, "answered in kind {:.1}% against a base rate of {:.1}%", 100.0 * after, 100.0 * base);
    let long_share = long as f64 / rs.len() as f64;
    assert!(long_share < 0.5, "long exchanges in {:.1}% of runs", 100.0 * long_share);
}

// ------------------------------------------------------------------ beliefs

/// Only beliefs decide: with detection switched off, a victim acts toward its true
/// attacker no more often than toward a control state with the same tension.
#[test]
fn only_beliefs_decide() {
    let text = r#"ScenarioFile(
        name: "blind victim",
        horizon: Horizon(turns: 12),
        actors: [
            ActorDef(id: "V", name: "Victim", capabilities: (offense: 0.5, defense: 0.5, attribution: 0.5, resilience: 0.5), doctrine: (risk_tolerance: 0.5, retaliation: 0.5, restraint: 0.5, firebreak: 0.8)),
            ActorDef(id: "A", name: "Attacker", capabilities: (offense: 0.7, defense: 0.5, attribution: 0.5, resilience: 0.5), doctrine: (risk_tolerance: 0.5, retaliation: 0.5, restraint: 0.5, firebreak: 0.8)),
            ActorDef(id: "C", name: "Control", capabilities: (offense: 0.7, defense: 0.5, attribution: 0.5, resilience: 0.5), doctrine: (risk_tolerance: 0.5, retaliation: 0.5, restraint: 0.5, firebreak: 0.8)),
        ],
        rivalries: [RivalryDef(a: "V", b: "A", tension: 0.4), RivalryDef(a: "V", b: "C", tension: 0.4)],
        infrastructure: [
            AssetDef(id: "V-banks", owner: "V", sector: Finance, name: "V banks", criticality: 0.8, exposure: 0.6),
            AssetDef(id: "V-gov", owner: "V", sector: Government, name: "V government", criticality: 0.7, exposure: 0.6),
            AssetDef(id: "A-gov", owner: "A", sector: Government, name: "A government", criticality: 0.7, exposure: 0.5),
            AssetDef(id: "C-gov", owner: "C", sector: Government, name: "C government", criticality: 0.7, exposure: 0.5),
        ],
        injects: [
            InjectDef(turn: 2, event: Operation(actor: "A", action: "wiper", target: "V-banks")),
            InjectDef(turn: 4, event: Operation(actor: "A", action: "ddos", target: "V-gov")),
            InjectDef(turn: 6, event: Operation(actor: "A", action: "wiper", target: "V-banks")),
        ],
        parameters: { "detection_rate": 0.0 },
    )"#;
    let l = load_str("blind.ron", text).expect("test scenario is valid");
    let rs = runs(&l.scenario, 3000, true);
    let (mut to_a, mut to_c) = (0u64, 0u64);
    for r in &rs {
        for e in &r.events {
            let toward = match &e.kind {
                EventKind::Operation { actor, target, scripted: false, .. } if actor == "V" => Some(target),
                EventKind::Protest { by, against } | EventKind::Sanction { by, against } if by == "V" => Some(against),
                EventKind::DeEscalation { by, with, .. } if by == "V" => Some(with),
                EventKind::Force { by, against, .. } if by == "V" => Some(against),
                _ => None,
            };
            match toward.map(String::as_str) {
                Some("A") => to_a += 1,
                Some("C") => to_c += 1,
                _ => {}
            }
        }
    }
    // Counts of two equally likely kinds: their difference is within 4 standard
    // deviations of a fair split.
    let total = (to_a + to_c) as f64;
    let z = (to_a as f64 - to_c as f64) / total.sqrt().max(1.0);
    assert!(total > 100.0, "the victim barely acts ({total} acts)");
    assert!(z.abs() < 4.0, "blind victim acts toward its attacker {to_a} times, the control {to_c} (z = {z:.1})");
}

// ------------------------------------------------------------------ outcomes and harm

/// Outcomes carry information: no class above 90% in any shipped scenario; the score's
/// breakdown by tier sums to the score.
#[test]
fn outcomes_carry_information() {
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        let l = load_file(&path).unwrap();
        let rs = runs(&l.scenario, 1000, false);
        for o in Outcome::ALL {
            let p = share(&rs, |r| r.outcome == o);
            assert!(p <= 0.90, "{}: {} in {:.1}% of runs", path.display(), o.slug(), 100.0 * p);
        }
        for r in rs.iter().take(50) {
            let parts: f64 = r.score_by_tier.iter().sum();
            assert!((parts - r.mean_score()).abs() < 1e-9, "tier breakdown {parts} ≠ mean score {}", r.mean_score());
        }
    }
}

/// "De-escalated" means something happened: accepted talks after the last disruptive
/// act, or a world back at the political rung or below for the last two turns.
#[test]
fn de_escalated_requires_a_de_escalation() {
    let gw = load("grid-wiper");
    for r in runs(&gw.scenario, 500, true) {
        if r.outcome != Outcome::DeEscalated {
            continue;
        }
        let n = r.rung.len();
        let calm = n >= 2 && r.rung[n - 2..].iter().all(|&x| x <= Rung::Political);
        let last_disruptive = r
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Operation { rung, .. } if *rung >= Rung::Disruptive => Some(e.turn),
                EventKind::Force { .. } => Some(e.turn),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let talks = r.events.iter().any(|e| {
            matches!(e.kind, EventKind::DeEscalation { ref action, .. } if action == "talks")
                && e.turn >= last_disruptive
        });
        assert!(calm || talks, "seed {}: de-escalated with neither calm nor agreed talks", r.seed);
    }
}

/// Infrastructure harm shows where the question is harm, and grid attacks stay rare in
/// the baseline (about one a year worldwide at most: Ukraine 2015 and 2016).
#[test]
fn infrastructure_harm_shows() {
    for name in ["wannacry-2017", "notpetya-2017", "grid-wiper", "internet-core"] {
        let l = load(name);
        let rs = runs(&l.scenario, 1000, false);
        let p = share(&rs, |r| r.downtime() > 0.0);
        assert!(p >= 0.25, "{name}: downtime in {:.1}% of runs", 100.0 * p);
    }
    let w = load("paris-call-2018");
    let rs = runs(&w.scenario, 1000, true);
    let grid_attacks = rs
        .iter()
        .flat_map(|r| &r.events)
        .filter(|e| {
            matches!(&e.kind, EventKind::Operation { sector, rung, .. } if sector == "power" && *rung >= Rung::Disruptive)
        })
        .count() as f64
        / rs.len() as f64;
    let per_year = grid_attacks * 52.0 / f64::from(w.scenario.turns);
    assert!(per_year <= 1.0, "{per_year:.2} grid attacks a year in the 2018 world");
}

// ------------------------------------------------------------------ enforcement

/// Enforcement has an effect: sanctions cost the target offensive capability, and a
/// sanctioned state's hostile operations against its sanctioners, in the turns after
/// the sanctions, are fewer than in the same runs with sanctions that cost nothing.
#[test]
fn sanctions_deter() {
    let l = load("notpetya-2017");
    let free = with_params(&l.scenario, |p| {
        p.sanction_cost = 0.0;
        p.sanction_deterrence = 0.0;
    });
    let count = |rs: &[RunRecord]| -> Vec<f64> {
        rs.iter()
            .map(|r| {
                let mut since: BTreeMap<(String, String), u32> = BTreeMap::new();
                let mut hostile = 0.0;
                for e in &r.events {
                    match &e.kind {
                        EventKind::Sanction { by, against } => {
                            since.entry((against.clone(), by.clone())).or_insert(e.turn);
                        }
                        EventKind::Operation { actor, target, scripted: false, .. }
                            if since.get(&(actor.clone(), target.clone())).is_some_and(|&t| e.turn > t) =>
                        {
                            hostile += 1.0;
                        }
                        _ => {}
                    }
                }
                hostile
            })
            .collect()
    };
    let a = runs(&free, 1500, true);
    let b = runs(&l.scenario, 1500, true);
    let (x, y) = (count(&a), count(&b));
    let mut d = Moments::default();
    x.iter().zip(&y).for_each(|(p, q)| d.add(q - p));
    let (lo, hi) = d.ci95();
    assert!(
        hi < 0.0,
        "sanctions that bite change hostile ops against sanctioners by {:.3} [{lo:.3}, {hi:.3}]",
        d.mean()
    );
}

// ------------------------------------------------------------------ invariances

/// Reordering the actor list changes no headline distribution: outcome shares agree
/// (chi-square, 5 classes) and mean score and violations agree within 4 standard errors.
#[test]
fn actor_order_does_not_matter() {
    let w = load("paris-call-2018");
    let mut file = w.file.clone();
    file.actors.reverse();
    let text = ron::ser::to_string(&file).unwrap();
    let rev = load_str("reversed.ron", &text).expect("reversed scenario is valid");
    let a = runs(&w.scenario, 3000, false);
    let b = runs(&rev.scenario, 3000, false);
    let mut chi = 0.0;
    let mut df = 0;
    for o in Outcome::ALL {
        let (x, y) = (share(&a, |r| r.outcome == o) * 3000.0, share(&b, |r| r.outcome == o) * 3000.0);
        if x + y >= 10.0 {
            chi += (x - y).powi(2) / (x + y);
            df += 1;
        }
    }
    // 99.9th percentile of chi-square with up to 4 degrees of freedom.
    assert!(chi < 18.5, "outcome shares differ when the actors are reversed: chi² = {chi:.1} on {df} classes");
    for (name, f) in [
        ("mean score", (|r: &RunRecord| r.mean_score()) as fn(&RunRecord) -> f64),
        ("signatory violations", |r| f64::from(r.violations_by_signatories)),
        ("operations", |r| f64::from(r.operations())),
    ] {
        let (mut x, mut y) = (Moments::default(), Moments::default());
        a.iter().for_each(|r| x.add(f(r)));
        b.iter().for_each(|r| y.add(f(r)));
        let se = (x.sd().powi(2) / 3000.0 + y.sd().powi(2) / 3000.0).sqrt();
        assert!((x.mean() - y.mean()).abs() < 4.0 * se.max(1e-9), "{name}: {} against {} reversed", x.mean(), y.mean());
    }
}
