//! Properties of every run: quantities stay in their ranges, the ladder is respected,
//! the record is complete, runs are reproducible, and norms restrain those bound by them.

use std::sync::Arc;

use escalate::model::events::EventKind;
use escalate::model::ladder::Rung;
use escalate::model::params::{PARAMETERS, Parameters};
use escalate::model::state::{Capability, Clock, Health, Intel, Orders, Relations, Roster, Standing, Tally};
use escalate::record::RunRecord;
use escalate::scenario::builtin::DEFAULT_SCENARIO;
use escalate::scenario::load_str;
use escalate::scenario::validated::Scenario;
use escalate::sim::{self, Sim};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

fn load(text: &str) -> Arc<Scenario> {
    match load_str("test.ron", text) {
        Ok(l) => Arc::new(l.scenario),
        Err(escalate::scenario::LoadError::Invalid(e)) => panic!("{}", e.render_plain()),
        Err(e) => panic!("{e}"),
    }
}

fn default_scenario() -> Arc<Scenario> {
    use std::sync::OnceLock;
    static S: OnceLock<Arc<Scenario>> = OnceLock::new();
    S.get_or_init(|| load(DEFAULT_SCENARIO)).clone()
}

/// A small, violent world: scripted attacks, a worm that spreads, a proxy, alliances,
/// and every rung reachable. Parameters are appended by the tests.
const STRESS: &str = r#"ScenarioFile(
    name: "Stress",
    horizon: Horizon(turns: 15),
    actors: [
        ActorDef(id: "A", name: "Alpha", capabilities: (offense: 0.9, attribution: 0.8),
            doctrine: (risk_tolerance: 0.9, retaliation: 1.0, restraint: 0.0, firebreak: 0.1),
            commitments: [CommitmentDef(norm_set: "paris-call")]),
        ActorDef(id: "B", name: "Beta", capabilities: (offense: 1.0, defense: 0.1),
            doctrine: (risk_tolerance: 1.0, retaliation: 1.0, restraint: 0.0, firebreak: 0.0)),
        ActorDef(id: "C", name: "Gamma", capabilities: (attribution: 0.9),
            commitments: [CommitmentDef(norm_set: "paris-call"), CommitmentDef(norm_set: "un-gge-2015", from_turn: 5)]),
        ActorDef(id: "P", name: "Front", kind: Proxy, sponsor: Some("B"),
            capabilities: (offense: 0.8)),
        ActorDef(id: "M", name: "Firm", kind: Company, sponsor: Some("A"),
            capabilities: (attribution: 0.9), commitments: [CommitmentDef(norm_set: "paris-call")]),
    ],
    alliances: [
        AllianceDef(id: "pact", kind: CollectiveDefense, members: ["A", "C"]),
        AllianceDef(id: "bloc", kind: SanctionsBloc, members: ["A", "C"]),
    ],
    rivalries: [
        RivalryDef(a: "A", b: "B", tension: 0.9),
        RivalryDef(a: "C", b: "B", tension: 0.7),
    ],
    infrastructure: [
        AssetDef(id: "a-grid", owner: "A", sector: Power, criticality: 1.0, exposure: 1.0, recovery: 0.05),
        AssetDef(id: "a-hospital", owner: "A", sector: Health, criticality: 1.0, exposure: 1.0),
        AssetDef(id: "a-banks", owner: "A", sector: Finance, exposure: 1.0),
        AssetDef(id: "a-telecom", owner: "A", sector: Telecom),
        AssetDef(id: "b-grid", owner: "B", sector: Power, exposure: 1.0),
        AssetDef(id: "b-banks", owner: "B", sector: Finance, exposure: 1.0),
        AssetDef(id: "b-gov", owner: "B", sector: Government),
        AssetDef(id: "c-banks", owner: "C", sector: Finance, exposure: 1.0, recovery: 0.0),
        AssetDef(id: "c-ixp", owner: "C", sector: InternetCore),
        AssetDef(id: "c-elections", owner: "C", sector: Elections),
    ],
    asset_dependencies: [AssetDependencyDef(asset: "c-banks", on: "a-telecom", strength: 1.0)],
    actions: [
        ActionDef(
            id: "worm", name: "Worm", purpose: Operation, targeting: Infrastructure,
            rung: Destructive, users: StatesAndProxies, sectors: [Finance],
            effects: (damage: 1.0, spread: 1.0, tension: 1.0), detectability: 1.0,
            violates: ["paris-call:1"], appeal: 1.0,
        ),
    ],
    injects: [
        InjectDef(turn: 1, event: Operation(actor: "B", action: "wiper", target: "a-grid", apparent: Some("C"))),
        InjectDef(turn: 2, event: Operation(actor: "P", action: "worm", target: "a-banks")),
        InjectDef(turn: 3, event: Operation(actor: "B", action: "grid-sabotage", target: "a-grid")),
        InjectDef(turn: 4, event: SetTension(a: "A", b: "C", value: 1.0)),
        InjectDef(turn: 6, event: Withdraw(actor: "A", norm_set: "paris-call")),
        InjectDef(turn: 8, event: SetDoctrine(actor: "A", field: "firebreak", value: 0.0)),
        InjectDef(turn: 9, event: Commit(actor: "B", norm_set: "gcsc-2019")),
    ],
    PARAMETERS
)"#;

fn stress(params: &str) -> Arc<Scenario> {
    load(&STRESS.replace("PARAMETERS", &format!("parameters: {{ {params} }},")))
}

/// Checks every invariant of the world after a turn.
fn check_world(sim: &Sim) {
    let w = &sim.world;
    let s = sim.scenario();
    let roster = w.resource::<Roster>();
    let params = w.resource::<Parameters>();
    for &e in &roster.assets {
        let h = w.get::<Health>(e).unwrap();
        assert!((0.0..=1.0).contains(&h.intrinsic), "{h:?}");
        assert!((0.0..=1.0).contains(&h.effective), "{h:?}");
        assert!(h.effective <= h.intrinsic + 1e-12, "{h:?}");
        assert_eq!(h.down, h.effective < params.down_threshold, "{h:?}");
    }
    for &e in &roster.actors {
        let c = w.get::<Capability>(e).unwrap().0;
        for x in [c.offense, c.defense, c.attribution, c.resilience] {
            assert!((0.0..=1.0).contains(&x), "{c:?}");
        }
        let st = w.get::<Standing>(e).unwrap();
        assert!((0.0..=1.0).contains(&st.reputation), "{}", st.reputation);
    }
    let rel = w.resource::<Relations>();
    let n = s.actors.len();
    for a in 0..n {
        assert_eq!(rel.rung[a * n + a], Rung::StatusQuo, "no actor fights itself");
        for b in 0..n {
            let (i, j) = (a * n + b, b * n + a);
            assert!((0.0..=1.0).contains(&rel.tension[i]));
            assert_eq!(rel.tension[i], rel.tension[j]);
            assert!((0.0..=10.0).contains(&rel.grievance[i]));
            assert!(rel.enforcement[i] >= 0.0 && rel.enforcement[i].is_finite());
            assert_eq!(rel.rung[i], rel.rung[j]);
            assert!(rel.rung[i] < Rung::Nuclear, "no nuclear option in the catalogue");
        }
    }
    for inv in &w.resource::<Intel>().investigations {
        assert!((0.0..=1.0).contains(&inv.confidence));
    }
    let turn = w.resource::<Clock>().turn as usize;
    let t = w.resource::<Tally>();
    assert_eq!(t.score_series.len(), turn);
    assert_eq!(t.rung_series.len(), turn);
    assert!(t.rung_series.iter().all(|r| *r <= t.highest));
    assert_eq!(t.first_force.is_some(), t.force_uses > 0);
    assert_eq!(t.first_force.is_some(), t.highest >= Rung::ArmedForce);
    // Each actor acts at most once a turn; de-escalation is the lowest weight (−2).
    assert!(t.score_series.iter().all(|x| x.is_finite() && *x >= -2.0));
    assert!(t.civilian_harm.is_finite() && t.civilian_harm >= 0.0);
}

fn check_record(r: &RunRecord, s: &Scenario) {
    let turns = r.turns_played as usize;
    assert!(turns >= 1 && turns <= s.turns as usize);
    for series in [&r.score, &r.score_signatories, &r.score_others] {
        assert_eq!(series.len(), turns);
    }
    assert_eq!(r.rung.len(), turns);
    assert_eq!(r.final_rung, *r.rung.last().unwrap());
    assert!(r.rung.iter().all(|x| *x <= r.highest_rung));
    assert!(r.beliefs_wrong <= r.beliefs);
    assert!(r.attributions_wrong <= r.attributions_public);
    assert!(r.attributions_public <= r.beliefs);
    assert!(r.rival_dyads_in_conflict <= r.rival_dyads);
    assert_eq!(r.per_actor.len(), s.actors.len());
    assert_eq!(r.operations(), r.per_actor.iter().map(|a| a.ops_launched).sum::<u32>() - r.force_uses);
}

/// Plays a run turn by turn, checking the world after each.
fn play_checked(s: &Arc<Scenario>, seed: u64) -> RunRecord {
    let mut sim = Sim::new(s.clone(), seed, true);
    loop {
        let done = sim.step();
        check_world(&sim);
        if done {
            break;
        }
    }
    let r = sim.record();
    check_record(&r, s);
    r
}

fn fingerprint(r: &RunRecord) -> (String, String) {
    (serde_json::to_string(r).unwrap(), serde_json::to_string(&r.events).unwrap())
}

/// A few fixed cases by default, to keep the suite fast and repeatable;
/// `PROPTEST_CASES=1000` for a soak over new random cases.
fn config() -> ProptestConfig {
    let soak: Option<u32> = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok());
    ProptestConfig {
        cases: soak.unwrap_or(12),
        failure_persistence: None,
        rng_seed: if soak.is_some() { RngSeed::Random } else { RngSeed::Fixed(2018) },
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn default_scenario_stays_in_range(seed in any::<u64>()) {
        play_checked(&default_scenario(), seed);
    }

    #[test]
    fn stress_scenario_stays_in_range(seed in any::<u64>()) {
        play_checked(&stress(r#""damage_scale": 10.0"#), seed);
    }

    /// Any parameter values within their documented ranges keep the world in range.
    #[test]
    fn any_parameters_in_range_keep_the_world_in_range(
        seed in any::<u64>(),
        picks in proptest::collection::vec(0.0f64..=1.0, PARAMETERS.len()),
        extremes in proptest::collection::vec(0u8..4, PARAMETERS.len()),
    ) {
        let params: Vec<String> = PARAMETERS
            .iter()
            .zip(picks.iter().zip(&extremes))
            .map(|(p, (&x, &e))| {
                // Favour the edges: a quarter each at the minimum and the maximum.
                let v = match e {
                    0 => p.min,
                    1 => p.max,
                    _ => p.min + x * (p.max - p.min),
                };
                format!("{:?}: {v:?}", p.name)
            })
            .collect();
        play_checked(&stress(&params.join(", ")), seed);
    }

    #[test]
    fn same_seed_same_record(seed in any::<u64>()) {
        // Two independently loaded copies of the scenario: nothing leaks between runs.
        let a = sim::run(&load(DEFAULT_SCENARIO), seed, true);
        let b = sim::run(&load(DEFAULT_SCENARIO), seed, true);
        prop_assert_eq!(fingerprint(&a), fingerprint(&b));
        let c = sim::run(&stress(""), seed, true);
        let d = sim::run(&stress(""), seed, true);
        prop_assert_eq!(fingerprint(&c), fingerprint(&d));
    }

    /// Batches switch the journal off; that must not change the run.
    #[test]
    fn journal_does_not_change_the_run(seed in any::<u64>()) {
        let s = default_scenario();
        let with = sim::run(&s, seed, true);
        let without = sim::run(&s, seed, false);
        prop_assert!(without.events.is_empty());
        prop_assert_eq!(fingerprint(&with).0, fingerprint(&without).0);
    }
}

#[test]
fn different_seeds_give_different_runs() {
    let s = default_scenario();
    let runs: std::collections::BTreeSet<String> =
        (0..8).map(|seed| fingerprint(&sim::run(&s, seed, true)).1).collect();
    assert_eq!(runs.len(), 8);
}

#[test]
fn stepping_by_hand_equals_running_to_the_end() {
    let s = default_scenario();
    let mut sim = Sim::new(s.clone(), 9, true);
    let mut turns = 0;
    while !sim.step() {
        turns += 1;
        // Reading the world between turns (as the exercise does) changes nothing.
        let _ = sim.world.resource::<Orders>().chosen.len();
    }
    assert_eq!(turns + 1, s.turns);
    assert_eq!(fingerprint(&sim.record()), fingerprint(&sim::run(&s, 9, true)));
}

// ------------------------------------------------------------------ norms restrain

/// A is hit again and again by B (wipers and sabotage on its grid, ransomware in its
/// hospitals) and may answer in kind. The two variants differ only in A's commitments.
const PROVOCATION: &str = r#"ScenarioFile(
    name: "Provocation",
    horizon: Horizon(turns: 12),
    actors: [
        ActorDef(id: "A", name: "Alpha",
            capabilities: (offense: 0.6, defense: 0.6, attribution: 0.7, resilience: 0.6),
            doctrine: (risk_tolerance: 0.8, retaliation: 1.0, restraint: 0.1, firebreak: 0.9),
            commitments: [COMMIT]),
        ActorDef(id: "B", name: "Beta", capabilities: (offense: 0.7)),
    ],
    rivalries: [RivalryDef(a: "A", b: "B", tension: 0.6)],
    infrastructure: [
        AssetDef(id: "a-grid", owner: "A", sector: Power, criticality: 0.9),
        AssetDef(id: "a-hospital", owner: "A", sector: Health, criticality: 0.9),
        AssetDef(id: "b-grid", owner: "B", sector: Power, criticality: 0.9),
        AssetDef(id: "b-hospital", owner: "B", sector: Health, criticality: 0.9),
        AssetDef(id: "b-banks", owner: "B", sector: Finance),
        AssetDef(id: "b-gov", owner: "B", sector: Government),
    ],
    injects: [
        InjectDef(turn: 1, event: Operation(actor: "B", action: "wiper", target: "a-grid")),
        InjectDef(turn: 2, event: Operation(actor: "B", action: "ransomware", target: "a-hospital")),
        InjectDef(turn: 3, event: Operation(actor: "B", action: "wiper", target: "a-grid")),
        InjectDef(turn: 4, event: Operation(actor: "B", action: "ransomware", target: "a-hospital")),
        InjectDef(turn: 5, event: Operation(actor: "B", action: "grid-sabotage", target: "a-grid")),
    ],
    parameters: { "norm_violation_cost": COST },
)"#;

/// Paris Call violations by A over 200 seeds: (committed, uncommitted).
fn violations_under_provocation(cost: f64) -> (usize, usize) {
    let text = PROVOCATION.replace("COST", &format!("{cost:?}"));
    let committed = load(&text.replace("COMMIT", r#"CommitmentDef(norm_set: "paris-call")"#));
    let free = load(&text.replace("COMMIT", ""));
    // From the event journal, so that B's violations are not counted.
    let by_a = |r: &RunRecord| {
        r.events
            .iter()
            .filter(|e| {
                matches!(&e.kind, EventKind::Violation { actor, principle, .. }
                    if actor == "A" && principle.starts_with("paris-call:"))
            })
            .count()
    };
    let (mut bound, mut unbound) = (0, 0);
    for seed in 0..200 {
        // Common random numbers: the same seeds for both variants.
        bound += by_a(&sim::run(&committed, seed, true));
        unbound += by_a(&sim::run(&free, seed, true));
    }
    eprintln!("norm cost {cost}: Paris Call violations by A over 200 seeds: committed {bound}, uncommitted {unbound}");
    (bound, unbound)
}

#[test]
fn a_committed_actor_violates_its_norms_less_often_under_the_same_provocation() {
    let (bound, unbound) = violations_under_provocation(Parameters::default().norm_violation_cost);
    assert!(unbound > 0, "the provocation must tempt the uncommitted actor");
    assert!((bound as f64) < 0.75 * unbound as f64, "committed {bound} vs uncommitted {unbound}");
}

#[test]
fn norms_are_a_price_not_a_ban() {
    // With a cheap norm, the provoked signatory sometimes breaks it; still less often.
    let (bound, unbound) = violations_under_provocation(0.5);
    assert!(bound > 0, "a bound actor may still break its norms when provoked");
    assert!((bound as f64) < 0.75 * unbound as f64, "committed {bound} vs uncommitted {unbound}");
}
