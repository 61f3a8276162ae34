//! One run: build a World from a validated scenario, play it turn by turn, and
//! hand back its [`RunRecord`].

use std::sync::Arc;

use bevy_ecs::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::model::ids::{ActorId, AssetId, PrincipleMask};
use crate::model::state::*;
use crate::record::RunRecord;
use crate::scenario::validated::Scenario;
use crate::systems::{classify, turn_schedule, turn_schedule_halves};

/// A run in progress. Most callers use [`run`]; the interactive exercise steps it.
pub struct Sim {
    pub world: World,
    schedule: Schedule,
    scenario: Arc<Scenario>,
    seed: u64,
    /// The turn split at the decision point, built on first use by [`Sim::open_turn`].
    halves: Option<Box<(Schedule, Schedule)>>,
    /// The current turn's opening half has run; [`Sim::step`] runs the rest.
    opened: bool,
}

impl Sim {
    /// Builds the World of a run. The same scenario and seed always give the same run.
    pub fn new(scenario: Arc<Scenario>, seed: u64, keep_events: bool) -> Sim {
        let s = &*scenario;
        let n = s.actors.len();
        let mut world = World::new();
        let mut roster = Roster::default();
        for (i, a) in s.actors.iter().enumerate() {
            let e = world
                .spawn((
                    ActorInfo { id: ActorId::from_index(i), kind: a.kind, sponsor: a.sponsor },
                    Capability(a.capabilities),
                    Posture(a.doctrine),
                    Standing {
                        commitments: a.commitments.iter().map(|c| (c.set, c.from_turn)).collect(),
                        bound: PrincipleMask::EMPTY,
                        reaffirmed: PrincipleMask::EMPTY,
                        signatory: false,
                        reputation: 1.0,
                    },
                ))
                .id();
            roster.actors.push(e);
        }
        for (k, a) in s.assets.iter().enumerate() {
            let e = world
                .spawn((
                    Infra { id: AssetId::from_index(k), owner: a.owner, sector: a.sector },
                    Health { intrinsic: 1.0, effective: 1.0, down: false },
                ))
                .id();
            roster.assets.push(e);
        }
        let n_actions = s.actions.len();
        let n_principles = s.principles.len();
        world.insert_resource(ScenarioRes(scenario.clone()));
        world.insert_resource(WorldRng(ChaCha8Rng::seed_from_u64(seed)));
        world.insert_resource(Clock::default());
        world.insert_resource(roster);
        world.insert_resource(Relations::new(n, &s.tension));
        world.insert_resource(Intel::default());
        world.insert_resource(Orders { chosen: vec![None; n], human: vec![None; n], scripted: Vec::new() });
        world.insert_resource(Journal { keep: keep_events, events: Vec::new() });
        world.insert_resource(TurnTally::default());
        world.insert_resource(InfraStatus { damaged: vec![0.0; n], outage: vec![0.0; n] });
        world.insert_resource(s.params.clone());
        world.insert_resource(Tally {
            ops_by_action: vec![0; n_actions],
            choices_by_action: vec![0; n_actions],
            violations_bound: vec![0; n_principles],
            violations_unbound: vec![0; n_principles],
            hostile_dyads: vec![false; n * n],
            cyber_dyads: vec![false; n * n],
            disruptive_dyads: vec![false; n * n],
            named_dyads: vec![false; n * n],
            dyad_disruptive_turns: vec![0; n * n],
            dyad_last_disruptive: vec![0; n * n],
            per_actor: vec![ActorTally::default(); n],
            score_series: Vec::with_capacity(s.turns as usize),
            score_signatories: Vec::with_capacity(s.turns as usize),
            score_others: Vec::with_capacity(s.turns as usize),
            actor_scores: vec![Vec::with_capacity(s.turns as usize); n],
            rung_series: Vec::with_capacity(s.turns as usize),
            ..Default::default()
        });
        Sim { world, schedule: turn_schedule(), scenario, seed, halves: None, opened: false }
    }

    /// Plays one turn (or, after [`Sim::open_turn`], the rest of it). Returns `true`
    /// when the run has ended.
    pub fn step(&mut self) -> bool {
        if !self.finished() {
            match (self.opened, self.halves.as_mut()) {
                (true, Some(h)) => h.1.run(&mut self.world),
                _ => self.schedule.run(&mut self.world),
            }
            self.opened = false;
        }
        self.finished()
    }

    /// Starts the next turn up to the decision point (clock, injects), so that human
    /// players see the state the engine decides on; [`Sim::step`] then finishes it.
    /// Does nothing if the run has ended or the turn is already open.
    pub fn open_turn(&mut self) {
        if self.finished() || self.opened {
            return;
        }
        let halves = self.halves.get_or_insert_with(|| Box::new(turn_schedule_halves()));
        halves.0.run(&mut self.world);
        self.opened = true;
    }

    /// Whether the current turn has been opened by [`Sim::open_turn`] and not yet finished.
    pub fn turn_open(&self) -> bool {
        self.opened
    }

    pub fn finished(&self) -> bool {
        self.world.resource::<Clock>().finished
    }

    pub fn turn(&self) -> u32 {
        self.world.resource::<Clock>().turn
    }

    pub fn scenario(&self) -> &Arc<Scenario> {
        &self.scenario
    }

    /// Plays until the run ends.
    pub fn run_to_end(&mut self) {
        while !self.step() {}
    }

    /// The record of the run so far (complete once [`Sim::finished`]).
    pub fn record(&mut self) -> RunRecord {
        let events = std::mem::take(&mut self.world.resource_mut::<Journal>().events);
        let tally = self.world.resource::<Tally>();
        let params = self.world.resource::<crate::model::params::Parameters>();
        let s = &*self.scenario;
        let n = s.actors.len();
        let mut rival_dyads = 0;
        let mut rivals_in_conflict = 0;
        let mut rivals_disrupted = 0;
        let mut rivals_named = 0;
        for a in 0..n {
            for b in (a + 1)..n {
                if s.tension[a * n + b] > 0.0 {
                    rival_dyads += 1;
                    if tally.cyber_dyads[a * n + b] {
                        rivals_in_conflict += 1;
                    }
                    if tally.disruptive_dyads[a * n + b] {
                        rivals_disrupted += 1;
                    }
                    if tally.named_dyads[a * n + b] {
                        rivals_named += 1;
                    }
                }
            }
        }
        RunRecord {
            seed: self.seed,
            turns_played: self.world.resource::<Clock>().turn,
            outcome: classify(tally, params),
            highest_rung: tally.highest,
            highest_rung_signatories: tally.highest_signatories,
            highest_rung_others: tally.highest_others,
            attribution_delays: tally.attribution_delays,
            final_rung: tally.rung_series.last().copied().unwrap_or_default(),
            first_force_turn: tally.first_force,
            score: tally.score_series.clone(),
            score_signatories: tally.score_signatories.clone(),
            score_others: tally.score_others.clone(),
            actor_scores: tally.actor_scores.clone(),
            rung: tally.rung_series.clone(),
            downtime_by_sector: tally.downtime_by_sector,
            downtime_signatories: tally.downtime_signatories,
            downtime_others: tally.downtime_others,
            civilian_harm: tally.civilian_harm,
            ops_by_action: tally.ops_by_action.clone(),
            choices_by_action: tally.choices_by_action.clone(),
            violations_bound: tally.violations_bound.clone(),
            violations_unbound: tally.violations_unbound.clone(),
            violations_by_signatories: tally.violations_by_signatories,
            violations_by_others: tally.violations_by_others,
            detected: tally.detected,
            undetected: tally.undetected_expired,
            beliefs: tally.beliefs,
            beliefs_wrong: tally.beliefs_wrong,
            attributions_public: tally.attributions_public,
            attributions_wrong: tally.attributions_wrong,
            mean_attribution_delay: (tally.beliefs > 0).then(|| tally.attribution_delay_sum / f64::from(tally.beliefs)),
            sanctions: tally.sanctions,
            force_uses: tally.force_uses,
            deescalations: tally.deescalations,
            talks_offered: tally.talks_offered,
            talks_accepted: tally.talks_accepted,
            retaliations: tally.retaliations,
            retaliations_wrong: tally.retaliations_wrong,
            score_by_tier: {
                let turns = tally.score_series.len().max(1) as f64;
                tally.score_by_tier.map(|x| x / turns)
            },
            hostile_dyads: tally.hostile_dyads.iter().filter(|&&x| x).count() as u32,
            rival_dyads_in_conflict: rivals_in_conflict,
            rival_dyads_disrupted: rivals_disrupted,
            rival_dyads_named: rivals_named,
            attributions_public_low: tally.attributions_public_low,
            disruptive_ops_by_sector: tally.disruptive_ops_by_sector,
            rival_dyads,
            per_actor: tally.per_actor.clone(),
            events,
        }
    }
}

/// Runs a scenario with one seed from start to end.
pub fn run(scenario: &Arc<Scenario>, seed: u64, keep_events: bool) -> RunRecord {
    let mut sim = Sim::new(scenario.clone(), seed, keep_events);
    sim.run_to_end();
    sim.record()
}
