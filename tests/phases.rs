//! The rules of each turn phase, one small scenario at a time.
//!
//! Most worlds here are made passive with `status_quo_utility: 100`, so that nothing
//! happens but what the test scripts (injects) or orders (human orders). Expected
//! numbers are worked out from the formulas in `src/systems/*`.

use std::sync::Arc;

use escalate::model::events::{Event, EventKind};
use escalate::model::ids::{ActorId, PrincipleMask};
use escalate::model::ladder::Rung;
use escalate::model::params::Parameters;
use escalate::model::sector::Sector;
use escalate::model::state::{
    Capability, Choice, Health, InfraStatus, Intel, Journal, Orders, Posture, Relations, Roster, Standing, Tally,
    Target,
};
use escalate::record::Outcome;
use escalate::scenario::load_str;
use escalate::scenario::validated::Scenario;
use escalate::sim::Sim;

// ------------------------------------------------------------------ helpers

fn scenario(text: &str) -> Arc<Scenario> {
    match load_str("test.ron", text) {
        Ok(l) => Arc::new(l.scenario),
        Err(escalate::scenario::LoadError::Invalid(e)) => panic!("{}", e.render_plain()),
        Err(e) => panic!("{e}"),
    }
}

fn sim(text: &str, seed: u64) -> Sim {
    Sim::new(scenario(text), seed, true)
}

fn actor(sim: &Sim, id: &str) -> ActorId {
    sim.scenario().actor_by_id(id).unwrap_or_else(|| panic!("no actor {id}"))
}

fn health(sim: &Sim, asset: &str) -> Health {
    let k = sim.scenario().assets.iter().position(|a| a.id == asset).unwrap_or_else(|| panic!("no asset {asset}"));
    let e = sim.world.resource::<Roster>().assets[k];
    *sim.world.get::<Health>(e).unwrap()
}

fn standing(sim: &Sim, id: &str) -> Standing {
    let e = sim.world.resource::<Roster>().actors[actor(sim, id).index()];
    sim.world.get::<Standing>(e).unwrap().clone()
}

fn capability(sim: &Sim, id: &str) -> Capability {
    let e = sim.world.resource::<Roster>().actors[actor(sim, id).index()];
    *sim.world.get::<Capability>(e).unwrap()
}

fn relations(sim: &Sim) -> &Relations {
    sim.world.resource::<Relations>()
}

fn tally(sim: &Sim) -> &Tally {
    sim.world.resource::<Tally>()
}

fn events(sim: &Sim) -> &[Event] {
    &sim.world.resource::<Journal>().events
}

fn principle(sim: &Sim, key: &str) -> usize {
    sim.scenario().principles.iter().position(|p| p.key == key).unwrap_or_else(|| panic!("no principle {key}"))
}

/// Makes `who` carry out `action` against `target` next turn, as a human player would.
fn order(sim: &mut Sim, who: &str, action: &str, target: Target) {
    let a = actor(sim, who);
    let action = sim.scenario().action_by_id(action).expect("action");
    sim.world.resource_mut::<Orders>().human[a.index()] = Some(Some(Choice { action, target }));
}

/// Hands `who` back to the engine.
fn release(sim: &mut Sim, who: &str) {
    let a = actor(sim, who);
    sim.world.resource_mut::<Orders>().human[a.index()] = None;
}

fn step_with(sim: &mut Sim, who: &str, action: &str, target: Target) {
    order(sim, who, action, target);
    sim.step();
    release(sim, who);
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// A loud wiper: the victim always detects it (with defence 1 and detection_rate 1).
const LOUD_WIPER: &str = r#"
        ActionDef(
            id: "loud-wiper", name: "Loud wiper", purpose: Operation, targeting: Infrastructure,
            rung: Destructive, users: States, sectors: [Power],
            effects: (damage: 0.6, tension: 0.1), detectability: 1.0,
            violates: ["paris-call:1"], appeal: -5.0,
        ),"#;

// ------------------------------------------------------------------ begin turn

#[test]
fn begin_turn_binds_commitments_from_their_first_turn() {
    let mut s = sim(
        r#"ScenarioFile(
    name: "Late signatory",
    horizon: Horizon(turns: 4),
    actors: [
        ActorDef(id: "A", name: "Alpha", commitments: [CommitmentDef(norm_set: "paris-call", from_turn: 3)]),
        ActorDef(id: "B", name: "Beta"),
    ],
    parameters: { "status_quo_utility": 100.0 },
)"#,
        1,
    );
    let paris = sim_set_mask(&s, "paris-call");
    for turn in 1..=4 {
        s.step();
        assert_eq!(s.turn(), turn);
        let st = standing(&s, "A");
        assert_eq!(st.signatory, turn >= 3, "turn {turn}");
        assert_eq!(st.bound.and(paris) == paris, turn >= 3, "turn {turn}");
        // Every state is bound by the UN Charter from the start, and by nothing else here.
        let charter = sim_set_mask(&s, "un-charter");
        assert_eq!(standing(&s, "B").bound, charter);
    }
    assert!(s.finished());
}

fn sim_set_mask(sim: &Sim, set: &str) -> PrincipleMask {
    sim.scenario().norm_sets.iter().find(|s| s.id == set).unwrap().mask
}

// ------------------------------------------------------------------ inject

#[test]
fn inject_scripted_operation_damages_its_target() {
    let mut s = sim(
        r#"ScenarioFile(
    name: "Scripted wiper",
    horizon: Horizon(turns: 3),
    actors: [
        ActorDef(id: "A", name: "Alpha"),
        ActorDef(id: "B", name: "Beta", capabilities: (offense: 1.0)),
    ],
    infrastructure: [AssetDef(id: "a-grid", owner: "A", sector: Power, exposure: 1.0, recovery: 0.0)],
    injects: [InjectDef(turn: 2, event: Operation(actor: "B", action: "wiper", target: "a-grid"))],
    parameters: { "status_quo_utility": 100.0 },
)"#,
        1,
    );
    s.step();
    assert_eq!(health(&s, "a-grid").intrinsic, 1.0);
    s.step();
    // damage × scale × (0.4 + 0.6 × offence) × (0.5 + 0.5 × exposure) × (1 − defence × mitigation)
    let expected = 0.6 * 1.0 * 1.0 * 1.0 * (1.0 - 0.4 * 0.7);
    assert!(close(health(&s, "a-grid").intrinsic, 1.0 - expected));
    let wiper = s.scenario().action_by_id("wiper").unwrap().index();
    assert_eq!(tally(&s).ops_by_action[wiper], 1);
    assert_eq!(tally(&s).per_actor[actor(&s, "B").index()].ops_launched, 1);
    assert_eq!(tally(&s).per_actor[actor(&s, "A").index()].ops_suffered, 1);
    let op = events(&s).iter().find(|e| matches!(e.kind, EventKind::Operation { .. })).expect("an operation event");
    assert_eq!(op.turn, 2);
    match &op.kind {
        EventKind::Operation { actor, target, asset, scripted, rung, .. } => {
            assert_eq!((actor.as_str(), target.as_str()), ("B", "A"));
            assert_eq!(asset, "a-grid");
            assert!(*scripted);
            assert_eq!(*rung, Rung::Destructive);
        }
        _ => unreachable!(),
    }
}

#[test]
fn inject_commit_binds_from_that_turn_and_withdraw_releases() {
    let mut s = sim(
        r#"ScenarioFile(
    name: "Joining and leaving",
    horizon: Horizon(turns: 6),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    injects: [
        InjectDef(turn: 3, event: Commit(actor: "A", norm_set: "paris-call"), report: "A signs"),
        InjectDef(turn: 5, event: Withdraw(actor: "A", norm_set: "paris-call")),
    ],
    parameters: { "status_quo_utility": 100.0 },
)"#,
        1,
    );
    let paris = sim_set_mask(&s, "paris-call");
    let mut bound = Vec::new();
    while !s.step() {
        bound.push(standing(&s, "A").bound.and(paris) == paris);
    }
    bound.push(standing(&s, "A").bound.and(paris) == paris);
    assert_eq!(bound, vec![false, false, true, true, false, false]);
    let joins: Vec<(u32, bool)> = events(&s)
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Commitment { joined, .. } => Some((e.turn, *joined)),
            _ => None,
        })
        .collect();
    assert_eq!(joins, vec![(3, true), (5, false)]);
    assert!(events(&s).iter().any(|e| e.turn == 3 && e.kind == EventKind::Inject { report: "A signs".into() }));
}

#[test]
fn inject_sets_parameters_doctrine_and_tension_on_their_turn() {
    let mut s = sim(
        r#"ScenarioFile(
    name: "Settings",
    horizon: Horizon(turns: 3),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    injects: [
        InjectDef(turn: 2, event: SetParameter(name: "detection_rate", value: 0.1)),
        InjectDef(turn: 2, event: SetDoctrine(actor: "B", field: "firebreak", value: 0.05)),
        InjectDef(turn: 2, event: SetTension(a: "A", b: "B", value: 0.9)),
    ],
    parameters: { "status_quo_utility": 100.0, "tension_decay": 0.0 },
)"#,
        1,
    );
    s.step();
    assert_eq!(s.world.resource::<Parameters>().detection_rate, 0.8);
    s.step();
    assert_eq!(s.world.resource::<Parameters>().detection_rate, 0.1);
    let e = s.world.resource::<Roster>().actors[1];
    assert_eq!(s.world.get::<Posture>(e).unwrap().0.firebreak, 0.05);
    let (a, b) = (actor(&s, "A"), actor(&s, "B"));
    assert_eq!(relations(&s).tension(a, b), 0.9);
    assert_eq!(relations(&s).tension(b, a), 0.9);
}

// ------------------------------------------------------------------ decide

/// A provoked actor A next to B's hospital, with a tempting option that breaks Paris
/// Call principle 1. `COMMIT` is replaced by A's commitments.
const TEMPTATION: &str = r#"ScenarioFile(
    name: "Temptation",
    horizon: Horizon(turns: 12),
    actors: [
        ActorDef(id: "A", name: "Alpha", capabilities: (offense: 0.8),
            doctrine: (risk_tolerance: 1.0, retaliation: 1.0, restraint: 0.0, firebreak: 1.0),
            commitments: [COMMIT]),
        ActorDef(id: "B", name: "Beta"),
    ],
    rivalries: [RivalryDef(a: "A", b: "B", tension: 1.0)],
    infrastructure: [AssetDef(id: "b-hospital", owner: "B", sector: Health)],
    actions: [
        ActionDef(
            id: "hospital-ransom", name: "Ransom a hospital", purpose: Operation,
            targeting: Infrastructure, rung: Disruptive, sectors: [Health],
            effects: (damage: 0.3), detectability: 0.5,
            violates: ["paris-call:1"], appeal: 3.0,
        ),
    ],
    parameters: { "norm_violation_cost": NORM_COST },
)"#;

fn temptation(committed: bool, cost: f64) -> String {
    TEMPTATION
        .replace("COMMIT", if committed { r#"CommitmentDef(norm_set: "paris-call")"# } else { "" })
        .replace("NORM_COST", &format!("{cost:?}"))
}

#[test]
fn decide_a_committed_actor_with_a_huge_norm_cost_never_violates() {
    let committed = scenario(&temptation(true, 100.0));
    let free = scenario(&temptation(false, 100.0));
    let (mut bound_violations, mut free_violations) = (0, 0);
    for seed in 0..20 {
        let r = escalate::sim::run(&committed, seed, false);
        assert_eq!(r.per_actor[0].violations, 0, "seed {seed}");
        assert_eq!(r.violations_bound.iter().sum::<u32>(), 0, "seed {seed}");
        bound_violations += r.per_actor[0].violations;
        free_violations += escalate::sim::run(&free, seed, false).per_actor[0].violations;
    }
    assert_eq!(bound_violations, 0);
    // The same actor, unbound, takes the bait: the test is not vacuous.
    assert!(free_violations > 100, "{free_violations}");
}

#[test]
fn decide_follows_human_orders() {
    let mut s = sim(&temptation(false, 1.6), 3);
    let b = actor(&s, "B");
    step_with(&mut s, "A", "protest", Target::Actor(b));
    let protest = s.scenario().action_by_id("protest").unwrap().index();
    assert_eq!(tally(&s).choices_by_action[protest], 1);
    assert!(events(&s).iter().any(|e| e.kind == EventKind::Protest { by: "A".into(), against: "B".into() }));
}

#[test]
fn decide_choice_probabilities_follow_the_logit_rule() {
    use escalate::model::choice::{Scored, probabilities};
    let menu = [Scored { choice: None, utility: 0.0 }, Scored { choice: None, utility: 1.0 }];
    let p = probabilities(&menu, 0.5);
    assert!(close(p.iter().sum::<f64>(), 1.0));
    assert!(close(p[1] / p[0], (1.0f64 / 0.5).exp()));
    // A hot temperature flattens the choice; a cold one makes it near certain.
    assert!(probabilities(&menu, 100.0)[1] < 0.51);
    assert!(probabilities(&menu, 0.01)[1] > 0.999_999);
}

// ------------------------------------------------------------------ operate

#[test]
fn operate_tallies_violations_by_whether_the_violator_is_bound() {
    let mut s = sim(
        r#"ScenarioFile(
    name: "Two wipers",
    horizon: Horizon(turns: 2),
    actors: [
        ActorDef(id: "A", name: "Alpha"),
        ActorDef(id: "B", name: "Beta", commitments: [CommitmentDef(norm_set: "paris-call")]),
        ActorDef(id: "C", name: "Gamma"),
    ],
    infrastructure: [
        AssetDef(id: "a-grid", owner: "A", sector: Power),
        AssetDef(id: "a-banks", owner: "A", sector: Finance),
    ],
    sector_dependencies: Some([]),
    injects: [
        InjectDef(turn: 1, event: Operation(actor: "B", action: "wiper", target: "a-grid")),
        InjectDef(turn: 1, event: Operation(actor: "C", action: "wiper", target: "a-banks")),
    ],
    parameters: { "status_quo_utility": 100.0 },
)"#,
        1,
    );
    s.step();
    let p1 = principle(&s, "paris-call:1");
    let f = principle(&s, "un-gge-2015:f");
    let t = tally(&s);
    // The wiper breaks paris-call:1 and un-gge-2015:f; B is bound by the Paris Call only.
    assert_eq!(t.violations_bound[p1], 1);
    assert_eq!(t.violations_unbound[p1], 1);
    assert_eq!(t.violations_bound[f], 0);
    assert_eq!(t.violations_unbound[f], 2);
    assert_eq!(t.violations_by_signatories, 1);
    assert_eq!(t.violations_by_others, 1);
    assert_eq!(t.per_actor[1].violations, 2);
    assert_eq!(t.per_actor[2].violations, 2);
    let bound_flags: Vec<(String, String, bool)> = events(&s)
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Violation { actor, principle, bound, .. } => Some((actor.clone(), principle.clone(), *bound)),
            _ => None,
        })
        .collect();
    assert!(bound_flags.contains(&("B".into(), "paris-call:1".into(), true)));
    assert!(bound_flags.contains(&("C".into(), "paris-call:1".into(), false)));
    // Both assets lost health, by the same formula (same attacker capability).
    let grid = health(&s, "a-grid").intrinsic;
    assert!(grid < 1.0);
    assert!(close(grid, health(&s, "a-banks").intrinsic));
}

#[test]
fn operate_spreading_payload_hits_third_parties() {
    let mut s = sim(
        r#"ScenarioFile(
    name: "NotPetya",
    horizon: Horizon(turns: 2),
    actors: [
        ActorDef(id: "A", name: "Alpha"),
        ActorDef(id: "B", name: "Beta"),
        ActorDef(id: "C", name: "Gamma"),
    ],
    infrastructure: [
        AssetDef(id: "a-banks", owner: "A", sector: Finance, recovery: 0.0),
        AssetDef(id: "b-banks", owner: "B", sector: Finance, recovery: 0.0),
        AssetDef(id: "c-banks", owner: "C", sector: Finance, exposure: 1.0, recovery: 0.0),
        AssetDef(id: "c-grid", owner: "C", sector: Power, exposure: 1.0, recovery: 0.0),
    ],
    actions: [
        ActionDef(
            id: "worm", name: "Worm", purpose: Operation, targeting: Infrastructure,
            rung: Destructive, sectors: [Finance], effects: (damage: 0.4, spread: 1.0),
            detectability: 0.5, violates: ["paris-call:1"],
        ),
    ],
    injects: [InjectDef(turn: 1, event: Operation(actor: "A", action: "worm", target: "b-banks"))],
    parameters: { "status_quo_utility": 100.0 },
)"#,
        1,
    );
    s.step();
    let direct = 1.0 - health(&s, "b-banks").intrinsic;
    let collateral = 1.0 - health(&s, "c-banks").intrinsic;
    // Half the damage of a direct hit, at C's exposure of 1 rather than B's 0.5.
    let scale = 0.4 * (0.4 + 0.6 * 0.3) * (1.0 - 0.4 * 0.7);
    assert!(close(direct, scale * 0.75));
    assert!(close(collateral, 0.5 * scale * 1.0));
    assert_eq!(health(&s, "a-banks").intrinsic, 1.0, "the attacker's own asset");
    assert_eq!(health(&s, "c-grid").intrinsic, 1.0, "another sector");
    assert_eq!(tally(&s).per_actor[2].ops_suffered, 1);
    let (a, c) = (actor(&s, "A"), actor(&s, "C"));
    assert_eq!(relations(&s).rung(a, c), Rung::Destructive);
    assert!(events(&s).iter().any(|e| matches!(
        &e.kind,
        EventKind::Collateral { owner, asset, .. } if owner == "C" && asset == "c-banks"
    )));
}

#[test]
fn operate_armed_force_strikes_every_asset_and_rallies_allies() {
    let mut s = sim(
        r#"ScenarioFile(
    name: "Strike",
    horizon: Horizon(turns: 3),
    actors: [
        ActorDef(id: "A", name: "Alpha", capabilities: (offense: 1.0)),
        ActorDef(id: "B", name: "Beta"),
        ActorDef(id: "C", name: "Gamma"),
    ],
    alliances: [AllianceDef(id: "pact", kind: CollectiveDefense, members: ["B", "C"])],
    infrastructure: [
        AssetDef(id: "b-grid", owner: "B", sector: Power, criticality: 1.0, recovery: 0.0),
        AssetDef(id: "b-gov", owner: "B", sector: Government, criticality: 0.4, recovery: 0.0),
    ],
    sector_dependencies: Some([]),
    parameters: { "status_quo_utility": 100.0, "grievance_decay": 0.0, "domestic_pressure": 0.0 },
)"#,
        1,
    );
    s.step();
    let b = actor(&s, "B");
    step_with(&mut s, "A", "conventional-strike", Target::Actor(b));
    // damage × scale × (0.4 + 0.6 × offence) × criticality; cyber defence does not help.
    assert!(close(health(&s, "b-grid").intrinsic, 1.0 - 0.5));
    assert!(close(health(&s, "b-gov").intrinsic, 1.0 - 0.5 * 0.4));
    let (a, c) = (actor(&s, "A"), actor(&s, "C"));
    let t = tally(&s);
    assert_eq!(t.first_force, Some(2));
    assert_eq!(t.force_uses, 1);
    assert_eq!(t.highest, Rung::ArmedForce);
    let rel = relations(&s);
    assert!(rel.force_suffered[rel.ix(b, a)]);
    assert!(rel.force_suffered[rel.ix(c, a)], "collective defence");
    assert!(close(rel.grievance(b, a), 1.5));
    assert!(close(rel.grievance(c, a), 0.5 * 1.5));
}

// ------------------------------------------------------------------ cascade

const GRID_DOWN: &str = r#"ScenarioFile(
    name: "Grid down",
    horizon: Horizon(turns: 2),
    actors: [
        ActorDef(id: "A", name: "Alpha"),
        ActorDef(id: "B", name: "Beta", capabilities: (offense: 1.0)),
    ],
    infrastructure: [
        AssetDef(id: "a-hospital", owner: "A", sector: Health),
        AssetDef(id: "a-grid", owner: "A", sector: Power, recovery: 0.0),
        AssetDef(id: "a-telecom", owner: "A", sector: Telecom),
        AssetDef(id: "a-banks", owner: "A", sector: Finance),
        AssetDef(id: "b-hospital", owner: "B", sector: Health),
    ],
    DEPENDENCIES
    injects: [InjectDef(turn: 1, event: Operation(actor: "B", action: "wiper", target: "a-grid"))],
    parameters: { "status_quo_utility": 100.0, "damage_scale": 10.0 },
)"#;

#[test]
fn cascade_grid_down_degrades_dependents_through_the_default_graph() {
    let mut s = sim(&GRID_DOWN.replace("DEPENDENCIES", ""), 1);
    s.step();
    let grid = health(&s, "a-grid");
    assert_eq!(grid.intrinsic, 0.0);
    assert_eq!(grid.effective, 0.0);
    assert!(grid.down);
    // Health depends on Power with strength 0.5: half its service is lost.
    let hospital = health(&s, "a-hospital");
    assert_eq!(hospital.intrinsic, 1.0);
    assert!(close(hospital.effective, 0.5));
    assert!(hospital.down, "0.5 is below the 0.6 threshold");
    // Telecom ← Power (0.6); Finance ← Power (0.5) and ← Telecom (0.4): two levels deep.
    let telecom = health(&s, "a-telecom").effective;
    assert!(close(telecom, 0.4));
    assert!(close(health(&s, "a-banks").effective, 0.5 * (1.0 - 0.4 * (1.0 - telecom))));
    // The grid is A's: B's hospital is untouched.
    assert_eq!(health(&s, "b-hospital").effective, 1.0);
    let t = tally(&s);
    assert_eq!(t.downtime_by_sector[Sector::Power.index()], 1.0);
    // Grid, hospital (0.5), telecom (0.4) and banks (0.38) are below the 0.6 threshold.
    assert_eq!(t.per_actor[0].downtime, 4.0);
    assert_eq!(t.downtime_by_sector[Sector::Health.index()], 1.0);
    let status = s.world.resource::<InfraStatus>();
    let lost = (1.0 + 0.5 + (1.0 - telecom) + (1.0 - health(&s, "a-banks").effective)) / 4.0;
    assert!(close(status.damaged[0], lost));
    assert!(events(&s).iter().any(|e| matches!(
        &e.kind,
        EventKind::AssetDown { asset, .. } if asset == "a-grid"
    )));
}

#[test]
fn cascade_follows_the_declared_graph_only() {
    let none = GRID_DOWN.replace("DEPENDENCIES", "sector_dependencies: Some([]),");
    let mut s = sim(&none, 1);
    s.step();
    assert_eq!(health(&s, "a-grid").effective, 0.0);
    assert_eq!(health(&s, "a-hospital").effective, 1.0);
    assert_eq!(health(&s, "a-banks").effective, 1.0);

    // A cross-border dependency: B's hospital runs on A's grid.
    let cross = GRID_DOWN.replace(
        "DEPENDENCIES",
        r#"sector_dependencies: Some([]),
    asset_dependencies: [AssetDependencyDef(asset: "b-hospital", on: "a-grid", strength: 0.8)],"#,
    );
    let mut s = sim(&cross, 1);
    s.step();
    assert!(close(health(&s, "b-hospital").effective, 0.2));
    assert!(health(&s, "b-hospital").down);
}

// ------------------------------------------------------------------ attribute

/// A (victim) with defence 1 always detects the loud wiper B launches on turn 1 under
/// C's flag. D and E are signatories with the means to share evidence.
fn false_flag(victim_signs: bool, correction: f64) -> String {
    let commit = if victim_signs { r#"commitments: [CommitmentDef(norm_set: "paris-call")]"# } else { "" };
    format!(
        r#"ScenarioFile(
    name: "False flag",
    horizon: Horizon(turns: 8),
    actors: [
        ActorDef(id: "A", name: "Alpha", capabilities: (defense: 1.0, attribution: 0.0), {commit}),
        ActorDef(id: "B", name: "Beta"),
        ActorDef(id: "C", name: "Gamma"),
        ActorDef(id: "D", name: "Delta", capabilities: (attribution: 0.8),
            commitments: [CommitmentDef(norm_set: "paris-call")]),
        ActorDef(id: "E", name: "Epsilon", capabilities: (attribution: 0.8),
            commitments: [CommitmentDef(norm_set: "paris-call")]),
    ],
    infrastructure: [AssetDef(id: "a-grid", owner: "A", sector: Power)],
    actions: [{LOUD_WIPER}
    ],
    injects: [InjectDef(turn: 1,
        event: Operation(actor: "B", action: "loud-wiper", target: "a-grid", apparent: Some("C")))],
    parameters: {{
        "status_quo_utility": 100.0,
        "detection_rate": 1.0,
        "false_flag_success": 1.0,
        "evidence_correction": {correction:?},
    }},
)"#
    )
}

#[test]
fn attribute_a_believed_false_flag_points_at_the_wrong_actor() {
    let mut s = sim(&false_flag(false, 0.0), 1);
    s.step();
    let (b, c) = (actor(&s, "B"), actor(&s, "C"));
    {
        let intel = s.world.resource::<Intel>();
        assert_eq!(intel.investigations.len(), 1);
        let inv = &intel.investigations[0];
        assert_eq!(inv.op.actor, b, "the truth is kept");
        assert_eq!(inv.suspect, c, "the belief follows the planted flag");
        assert!(!inv.is_correct(None));
    }
    assert!(events(&s).iter().any(|e| matches!(
        &e.kind,
        EventKind::Detected { suspect, correct: false, .. } if suspect == "C"
    )));
    assert_eq!(tally(&s).detected, 1);
    // With no attribution skill and nobody to share evidence, it is never corrected.
    s.run_to_end();
    let inv = &s.world.resource::<Intel>().investigations[0];
    assert_eq!(inv.suspect, c);
}

#[test]
fn attribute_belief_books_grievance_against_the_suspect() {
    let text = false_flag(false, 0.0)
        .replace(r#""status_quo_utility": 100.0,"#, r#""status_quo_utility": 100.0, "belief_threshold": 0.0,"#);
    let mut s = sim(&text, 1);
    s.step();
    let (a, b, c) = (actor(&s, "A"), actor(&s, "B"), actor(&s, "C"));
    let t = tally(&s);
    assert_eq!((t.beliefs, t.beliefs_wrong), (1, 1));
    let rel = relations(&s);
    assert!(rel.grievance(a, c) > 0.0, "the framed actor is blamed");
    assert_eq!(rel.grievance(a, b), 0.0, "the culprit is not");
}

#[test]
fn attribute_joint_attribution_corrects_a_false_flag() {
    let mut joint = sim(&false_flag(true, 1.0), 1);
    let mut alone = sim(&false_flag(false, 1.0), 1);
    joint.run_to_end();
    alone.run_to_end();
    let b = actor(&joint, "B");
    let c = actor(&joint, "C");
    assert_eq!(
        joint.world.resource::<Intel>().investigations[0].suspect,
        b,
        "signatory partners' evidence exposes the real culprit"
    );
    assert!(
        events(&joint)
            .iter()
            .any(|e| e.kind == EventKind::Corrected { victim: "A".into(), from: "C".into(), to: "B".into() })
    );
    assert_eq!(
        alone.world.resource::<Intel>().investigations[0].suspect,
        c,
        "alone and unskilled, the victim stays fooled"
    );
}

#[test]
fn attribute_undetected_operations_expire_after_the_window() {
    let text = false_flag(false, 0.0)
        .replace(r#""detection_rate": 1.0,"#, r#""detection_rate": 0.0, "detection_window": 3.0,"#);
    let mut s = sim(&text, 1);
    s.step();
    s.step();
    assert_eq!(s.world.resource::<Intel>().pending.len(), 1);
    s.step();
    assert!(s.world.resource::<Intel>().pending.is_empty());
    assert_eq!(tally(&s).undetected_expired, 1);
    assert_eq!(tally(&s).detected, 0);
}

// ------------------------------------------------------------------ respond

/// A (signatory) always detects and at once believes B's loud wiper of turn 1.
/// `BCOMMIT` is B's commitments.
const NAMING: &str = r#"ScenarioFile(
    name: "Naming",
    horizon: Horizon(turns: 6),
    actors: [
        ActorDef(id: "A", name: "Alpha", capabilities: (defense: 1.0, attribution: 1.0),
            commitments: [CommitmentDef(norm_set: "paris-call")]),
        ActorDef(id: "B", name: "Beta", commitments: [BCOMMIT]),
        ActorDef(id: "C", name: "Gamma", capabilities: (attribution: 0.8),
            commitments: [CommitmentDef(norm_set: "paris-call")]),
        ActorDef(id: "D", name: "Delta", capabilities: (attribution: 0.2),
            commitments: [CommitmentDef(norm_set: "paris-call")]),
    ],
    infrastructure: [AssetDef(id: "a-grid", owner: "A", sector: Power)],
    actions: [LOUD_WIPER
    ],
    injects: [InjectDef(turn: 1, event: Operation(actor: "B", action: "loud-wiper", target: "a-grid"))],
    parameters: {
        "status_quo_utility": 100.0,
        "detection_rate": 1.0,
        "belief_threshold": 0.0,
        "initial_accuracy": 1.0,
    },
)"#;

fn naming(b_bound: bool) -> String {
    NAMING
        .replace("LOUD_WIPER", LOUD_WIPER)
        .replace("BCOMMIT", if b_bound { r#"CommitmentDef(norm_set: "paris-call")"# } else { "" })
}

#[test]
fn respond_public_attribution_is_recorded_with_joint_partners() {
    let mut s = sim(&naming(false), 1);
    s.step();
    {
        let inv = &s.world.resource::<Intel>().investigations[0];
        assert!(inv.believed && !inv.public);
    }
    step_with(&mut s, "A", "public-attribution", Target::Case(0));
    assert!(s.world.resource::<Intel>().investigations[0].public);
    let t = tally(&s);
    assert_eq!((t.attributions_public, t.attributions_wrong), (1, 0));
    let attribution = events(&s)
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::PublicAttribution { by, named, joint_with, correct, .. } => {
                Some((by.clone(), named.clone(), joint_with.clone(), *correct))
            }
            _ => None,
        })
        .expect("a public attribution");
    // C can check the evidence (attribution ≥ 0.6) and signs on; D cannot.
    assert_eq!(attribution, ("A".into(), "B".into(), vec!["C".into()], true));
}

#[test]
fn respond_sanctions_protest_and_talks_are_recorded() {
    // B is made certain to accept talks: this test is about what agreed talks do, not
    // about the acceptance draw (which shifts whenever the random stream does).
    let mut s = sim(&with_talks_acceptance(&naming(false), 100.0), 1);
    s.step();
    let (a, b) = (actor(&s, "A"), actor(&s, "B"));
    assert_eq!(relations(&s).rung(a, b), Rung::Destructive);
    let tension = relations(&s).tension(a, b);
    step_with(&mut s, "A", "sanctions", Target::Actor(b));
    let rel = relations(&s);
    assert!(rel.sanctions[rel.ix(a, b)]);
    assert!(!rel.sanctions[rel.ix(b, a)]);
    assert!(rel.tension(a, b) > tension * 0.9, "sanctions add tension");
    let t = tally(&s);
    assert_eq!(t.sanctions, 1);
    assert_eq!(t.per_actor[a.index()].sanctions_imposed, 1);
    assert_eq!(t.per_actor[b.index()].sanctions_suffered, 1);
    // Talks step the dyad down one rung at once.
    step_with(&mut s, "A", "talks", Target::Actor(b));
    assert_eq!(relations(&s).rung(a, b), Rung::Disruptive);
    assert_eq!(tally(&s).deescalations, 1);
    assert!(events(&s).iter().any(|e| e.kind == EventKind::Sanction { by: "A".into(), against: "B".into() }));
}

fn with_talks_acceptance(text: &str, u: f64) -> String {
    text.replace(r#""initial_accuracy": 1.0,"#, &format!(r#""initial_accuracy": 1.0, "talks_acceptance": {u:?},"#))
}

#[test]
fn respond_refused_talks_change_nothing_but_the_record() {
    let mut s = sim(&with_talks_acceptance(&naming(false), -100.0), 1);
    s.step();
    let (a, b) = (actor(&s, "A"), actor(&s, "B"));
    step_with(&mut s, "A", "sanctions", Target::Actor(b));
    step_with(&mut s, "A", "talks", Target::Actor(b));
    let rel = relations(&s);
    assert_eq!(rel.rung(a, b), Rung::Destructive, "refused talks do not step the dyad down");
    assert!(rel.sanctions[rel.ix(a, b)], "refused talks do not lift sanctions");
    let t = tally(&s);
    assert_eq!((t.talks_offered, t.talks_accepted, t.deescalations), (1, 0, 0));
    assert!(events(&s).iter().any(|e| e.kind == EventKind::TalksRefused { by: "B".into(), offered_by: "A".into() }));
}

#[test]
fn respond_hardening_and_capacity_building_change_capabilities() {
    let mut s = sim(&naming(false), 1);
    let before = capability(&s, "D").0;
    step_with(&mut s, "D", "harden", Target::Own);
    step_with(&mut s, "D", "build-capacity", Target::Own);
    let after = capability(&s, "D").0;
    let p = Parameters::default();
    assert!(close(after.defense, before.defense + p.hardening_step));
    assert!(close(after.offense, before.offense + p.capacity_step));
}

// ------------------------------------------------------------------ enforce

#[test]
fn enforce_a_publicly_named_bound_violator_loses_reputation() {
    let p = Parameters::default();
    for b_bound in [true, false] {
        let mut s = sim(&naming(b_bound), 1);
        s.step();
        assert_eq!(standing(&s, "B").reputation, 1.0);
        step_with(&mut s, "A", "public-attribution", Target::Case(0));
        let expected = if b_bound { 1.0 - p.reputation_loss + p.reputation_recovery } else { 1.0 };
        assert!(close(standing(&s, "B").reputation, expected), "bound: {b_bound}");
        // Fellow signatories are pulled toward acting against the violator.
        let (b, c) = (actor(&s, "B"), actor(&s, "C"));
        let rel = relations(&s);
        assert!(close(rel.enforcement[rel.ix(c, b)], p.enforcement_weight * (1.0 - p.grievance_decay)));
    }
}

#[test]
fn enforce_metanorm_leans_on_signatories_that_stand_aside() {
    let pressure = |c_sanctions: bool| {
        let mut s = sim(&naming(true), 1);
        s.step();
        step_with(&mut s, "A", "public-attribution", Target::Case(0));
        let b = actor(&s, "B");
        if c_sanctions {
            step_with(&mut s, "C", "sanctions", Target::Actor(b));
        } else {
            s.step();
        }
        let d = actor(&s, "D");
        let rel = relations(&s);
        rel.enforcement[rel.ix(d, b)]
    };
    let p = Parameters::default();
    let diff = pressure(true) - pressure(false);
    assert!(close(diff, p.metanorm_pressure * (1.0 - p.grievance_decay)));
}

// ------------------------------------------------------------------ recover

#[test]
fn recover_restores_health_and_steps_quiet_dyads_down() {
    let mut s = sim(
        r#"ScenarioFile(
    name: "Recovery",
    horizon: Horizon(turns: 7),
    actors: [
        ActorDef(id: "A", name: "Alpha", capabilities: (resilience: 0.6)),
        ActorDef(id: "B", name: "Beta"),
    ],
    infrastructure: [AssetDef(id: "a-grid", owner: "A", sector: Power, recovery: 0.2)],
    injects: [InjectDef(turn: 1, event: Operation(actor: "B", action: "wiper", target: "a-grid"))],
    parameters: { "status_quo_utility": 100.0, "damage_scale": 10.0, "detection_rate": 0.0 },
)"#,
        1,
    );
    // recovery × (0.5 + 0.5 × resilience) per turn, from zero.
    let per_turn = 0.2 * (0.5 + 0.5 * 0.6);
    let mut healths = Vec::new();
    while !s.step() {
        healths.push(health(&s, "a-grid").intrinsic);
    }
    for (k, h) in healths.iter().enumerate().take(6) {
        assert!(close(*h, (per_turn * (k + 1) as f64).min(1.0)), "turn {}", k + 1);
    }
    // A quiet dyad steps down one rung once it has been calm for more than 2 turns.
    use Rung::*;
    assert_eq!(
        tally(&s).rung_series,
        vec![Destructive, Destructive, Disruptive, Disruptive, Disruptive, Political, Political]
    );
}

#[test]
fn recover_grievance_and_tension_fade() {
    let mut s = sim(&naming(false), 1);
    s.step();
    let (a, b) = (actor(&s, "A"), actor(&s, "B"));
    let g1 = relations(&s).grievance(a, b);
    let t1 = relations(&s).tension(a, b);
    assert!(g1 > 0.0 && t1 > 0.0);
    s.step();
    let p = Parameters::default();
    assert!(close(relations(&s).grievance(a, b), g1 * (1.0 - p.grievance_decay)));
    assert!(close(relations(&s).tension(a, b), t1 * (1.0 - p.tension_decay)));
}

// ------------------------------------------------------------------ record

#[test]
fn record_scores_turns_with_rivera_weights() {
    let mut s = sim(
        r#"ScenarioFile(
    name: "Score",
    horizon: Horizon(turns: 3),
    actors: [
        ActorDef(id: "A", name: "Alpha"),
        ActorDef(id: "B", name: "Beta", commitments: [CommitmentDef(norm_set: "paris-call")]),
        ActorDef(id: "C", name: "Gamma"),
    ],
    infrastructure: [AssetDef(id: "a-grid", owner: "A", sector: Power)],
    injects: [InjectDef(turn: 1, event: Operation(actor: "C", action: "wiper", target: "a-grid"))],
    parameters: { "status_quo_utility": 100.0, "detection_rate": 0.0 },
)"#,
        1,
    );
    s.step(); // a wiper: non-violent escalation, 12 points
    let c = actor(&s, "C");
    step_with(&mut s, "B", "talks", Target::Actor(c)); // de-escalation, −2
    s.step(); // status quo, 0
    let r = s.record();
    assert_eq!(r.score, vec![12.0 / 3.0, -2.0 / 3.0, 0.0]);
    // Per group, divided by the group's size: B is the only signatory.
    assert_eq!(r.score_signatories, vec![0.0, -2.0, 0.0]);
    assert_eq!(r.score_others, vec![6.0, 0.0, 0.0]);
    assert_eq!(r.turns_played, 3);
    assert_eq!(r.outcome, Outcome::DeEscalated, "one wiper is an episode, not a sustained conflict");
}

#[test]
fn record_armed_conflict_ends_the_run() {
    let mut s = sim(
        r#"ScenarioFile(
    name: "War",
    horizon: Horizon(turns: 10),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    end_conditions: [ArmedConflict],
    parameters: { "status_quo_utility": 100.0 },
)"#,
        1,
    );
    assert!(!s.step());
    assert!(!s.step());
    let b = actor(&s, "B");
    order(&mut s, "A", "conventional-strike", Target::Actor(b));
    assert!(s.step(), "the strike ends the run");
    assert!(s.step(), "stepping a finished run does nothing");
    assert_eq!(s.turn(), 3);
    let r = s.record();
    assert_eq!(r.outcome, Outcome::ArmedConflict);
    assert_eq!(r.first_force_turn, Some(3));
    assert_eq!(r.highest_rung, Rung::ArmedForce);
    assert_eq!(r.score.len(), 3);
    assert_eq!(r.events.last().map(|e| &e.kind), Some(&EventKind::End { outcome: "armed-conflict".into(), turns: 3 }));
}

#[test]
fn record_quiet_ends_the_run_once_enough_turns_from_after_were_quiet() {
    let s = scenario(
        r#"ScenarioFile(
    name: "Quiet",
    horizon: Horizon(turns: 10),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    end_conditions: [Quiet(turns: 2, after: 4)],
    parameters: { "status_quo_utility": 100.0 },
)"#,
    );
    // Quiet turns count from turn 4 on: turns 4 and 5.
    let r = escalate::sim::run(&s, 1, true);
    assert_eq!(r.turns_played, 5);
    assert_eq!(r.outcome, Outcome::Contained);
}

#[test]
fn record_classifies_episodes_and_sustained_conflict() {
    // B wipes A's grid on each listed turn; nobody else acts.
    let text = |turns: &[u32]| {
        let injects: Vec<String> = turns
            .iter()
            .map(|t| {
                format!(r#"InjectDef(turn: {t}, event: Operation(actor: "B", action: "wiper", target: "a-grid"))"#)
            })
            .collect();
        format!(
            r#"ScenarioFile(
    name: "Episodes",
    horizon: Horizon(turns: 8),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    infrastructure: [AssetDef(id: "a-grid", owner: "A", sector: Power)],
    injects: [{}],
    parameters: {{ "status_quo_utility": 100.0, "detection_rate": 0.0 }},
)"#,
            injects.join(", ")
        )
    };
    let outcome = |turns: &[u32]| escalate::sim::run(&scenario(&text(turns)), 1, false).outcome;
    assert_eq!(outcome(&[]), Outcome::Contained);
    // A destructive episode that did not last and had calmed by the end: de-escalated.
    assert_eq!(outcome(&[1]), Outcome::DeEscalated);
    // One that had not calmed by the end (the rung steps down one level per three
    // quiet turns): unresolved.
    assert_eq!(outcome(&[1, 1, 5]), Outcome::UnresolvedCrisis, "two wipers on one turn count once");
    // The same pair at it on `protracted_min_turns` (4) distinct turns: sustained.
    assert_eq!(outcome(&[1, 3, 5, 7]), Outcome::ProtractedCyberConflict);
}

// ------------------------------------------------------------------ beliefs

/// Each side sees the dyad's rung only as far as it knows: the attacker at once, the
/// victim once it believes who did it. The classroom ladder and every decision read
/// the seen rung, never the truth.
#[test]
fn the_victim_sees_the_ladder_move_only_when_it_believes() {
    let mut s = sim(
        r#"ScenarioFile(
    name: "Unseen",
    horizon: Horizon(turns: 3),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    infrastructure: [AssetDef(id: "a-banks", owner: "A", sector: Finance)],
    injects: [InjectDef(turn: 1, event: Operation(actor: "B", action: "ddos", target: "a-banks"))],
    parameters: { "status_quo_utility": 100.0, "detection_rate": 0.0 },
)"#,
        1,
    );
    s.step();
    let (a, b) = (actor(&s, "A"), actor(&s, "B"));
    let rel = relations(&s);
    assert_eq!(rel.rung(a, b), Rung::Disruptive, "the truth");
    assert_eq!(rel.seen_rung(b, a), Rung::Disruptive, "the attacker knows");
    assert_eq!(rel.seen_rung(a, b), Rung::StatusQuo, "the victim has found nothing");
    assert_eq!(rel.tension(a, b), 0.0, "no tension from an operation nobody has found");
}
