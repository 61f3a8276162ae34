//! Components and resources of one run's World.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use rand_chacha::ChaCha8Rng;

use super::events::Event;
use super::ids::{ActionId, ActorId, AssetId, NormSetId, PrincipleMask};
use super::ladder::{Rung, Tier};
use super::sector::Sector;
use crate::scenario::schema::ActorKind;
use crate::scenario::validated::{Capabilities, Doctrine, Scenario};

// ------------------------------------------------------------------ components

/// Who an actor is. Spawned once per actor, in scenario order.
#[derive(Component, Debug, Clone, Copy)]
pub struct ActorInfo {
    pub id: ActorId,
    pub kind: ActorKind,
    pub sponsor: Option<ActorId>,
}

/// What an actor can do; offence and defence grow as it builds and hardens.
#[derive(Component, Debug, Clone, Copy)]
pub struct Capability(pub Capabilities);

/// How an actor decides; injects may change it mid-run.
#[derive(Component, Debug, Clone, Copy)]
pub struct Posture(pub Doctrine);

/// An actor's standing among states: its commitments and its reputation.
#[derive(Component, Debug, Clone)]
pub struct Standing {
    /// Norm sets the actor is committed to, each from a turn.
    pub commitments: Vec<(NormSetId, u32)>,
    /// Principles binding it this turn (recomputed each turn from `commitments`).
    pub bound: PrincipleMask,
    /// Principles reaffirmed by a set the actor is bound by (the Paris Call reaffirms the
    /// UN Charter): breaking one costs its norm cost once more.
    pub reaffirmed: PrincipleMask,
    /// Bound by the reference norm set (the Paris Call) this turn: a "signatory".
    pub signatory: bool,
    /// 0..=1; lost when publicly named for breaking one's own norms.
    pub reputation: f64,
}

/// A critical-infrastructure asset.
#[derive(Component, Debug, Clone, Copy)]
pub struct Infra {
    pub id: AssetId,
    pub owner: ActorId,
    pub sector: Sector,
}

/// An asset's health: `intrinsic` is its own state, `effective` also counts what it
/// depends on (after the cascade phase).
#[derive(Component, Debug, Clone, Copy)]
pub struct Health {
    pub intrinsic: f64,
    pub effective: f64,
    pub down: bool,
}

// ------------------------------------------------------------------ resources

/// The validated scenario, shared read-only by every run.
#[derive(Resource, Clone)]
pub struct ScenarioRes(pub Arc<Scenario>);

/// The run's one source of randomness.
#[derive(Resource)]
pub struct WorldRng(pub ChaCha8Rng);

/// Turn counter and run status.
#[derive(Resource, Debug, Default)]
pub struct Clock {
    /// The turn being played, 1-based; 0 before the first.
    pub turn: u32,
    pub finished: bool,
}

/// Entities by id, so systems can visit actors and assets in scenario order
/// (query order depends on archetype history; this does not).
#[derive(Resource, Debug, Default)]
pub struct Roster {
    pub actors: Vec<Entity>,
    pub assets: Vec<Entity>,
}

/// Everything between pairs of actors, in dense `n × n` tables (row = from, column = to).
#[derive(Resource, Debug, Clone)]
pub struct Relations {
    pub n: usize,
    /// Standing tension from the scenario (the floor tension decays to).
    pub standing: Vec<f64>,
    /// Current tension, symmetric.
    pub tension: Vec<f64>,
    /// Grievance of row toward column: attributed harm not yet answered or forgotten.
    pub grievance: Vec<f64>,
    /// Current rung of the dyad, symmetric: the truth, for the record and the outcome.
    pub rung: Vec<Rung>,
    /// Turns since the dyad last saw a hostile act, symmetric.
    pub quiet: Vec<u32>,
    /// The rung of the dyad as row sees it: its own acts toward column, column's acts
    /// it has seen (overt) or come to believe (covert, on attribution). Decisions read
    /// this, never `rung`.
    pub seen_rung: Vec<Rung>,
    /// Turns since row last saw the dyad move (for the seen rung's step-down).
    pub seen_quiet: Vec<u32>,
    /// Row believes column carried out a cyber operation grave enough to be an armed
    /// attack (Tallinn Manual 2.0, rule 71): it may claim self-defence, in part.
    pub armed_attack: Vec<bool>,
    /// Last turn row came to believe column hit it (0: never): the start of the window
    /// in which row's hostile acts toward column count as retaliation.
    pub believed_hit: Vec<u32>,
    /// Last turn row opened or redirected an investigation toward column as its suspect
    /// (0: never): whom its public blames while the case is still open.
    pub suspected_hit: Vec<u32>,
    /// Whether that belief was right (column really was behind it, or its proxy was).
    pub believed_hit_right: Vec<bool>,
    /// Row sanctions column.
    pub sanctions: Vec<bool>,
    /// Pressure on row to act against column as a norm enforcer.
    pub enforcement: Vec<f64>,
    /// Row has suffered armed force from column (lifts row's firebreak toward column).
    pub force_suffered: Vec<bool>,
}

impl Relations {
    pub fn new(n: usize, standing: &[f64]) -> Self {
        Relations {
            n,
            standing: standing.to_vec(),
            tension: standing.to_vec(),
            grievance: vec![0.0; n * n],
            rung: vec![Rung::StatusQuo; n * n],
            quiet: vec![0; n * n],
            seen_rung: vec![Rung::StatusQuo; n * n],
            seen_quiet: vec![0; n * n],
            armed_attack: vec![false; n * n],
            believed_hit: vec![0; n * n],
            believed_hit_right: vec![false; n * n],
            suspected_hit: vec![0; n * n],
            sanctions: vec![false; n * n],
            enforcement: vec![0.0; n * n],
            force_suffered: vec![false; n * n],
        }
    }
    #[inline]
    pub fn ix(&self, a: ActorId, b: ActorId) -> usize {
        a.index() * self.n + b.index()
    }
    pub fn tension(&self, a: ActorId, b: ActorId) -> f64 {
        self.tension[self.ix(a, b)]
    }
    pub fn grievance(&self, a: ActorId, b: ActorId) -> f64 {
        self.grievance[self.ix(a, b)]
    }
    pub fn rung(&self, a: ActorId, b: ActorId) -> Rung {
        self.rung[self.ix(a, b)]
    }
    /// The dyad's rung as `a` sees it.
    pub fn seen_rung(&self, a: ActorId, b: ActorId) -> Rung {
        self.seen_rung[self.ix(a, b)]
    }
    /// `a` sees an act of rung `r` pass between it and `b`: its view of the dyad rises to
    /// `r` if higher and its quiet counter restarts.
    pub fn perceive(&mut self, a: ActorId, b: ActorId, r: Rung) {
        let i = self.ix(a, b);
        self.seen_quiet[i] = 0;
        if r > self.seen_rung[i] {
            self.seen_rung[i] = r;
        }
    }
    /// Both sides see an overt act of rung `r`.
    pub fn perceive_both(&mut self, a: ActorId, b: ActorId, r: Rung) {
        self.perceive(a, b, r);
        self.perceive(b, a, r);
    }
    pub fn add_tension(&mut self, a: ActorId, b: ActorId, d: f64) {
        let (i, j) = (self.ix(a, b), self.ix(b, a));
        let t = (self.tension[i] + d).clamp(0.0, 1.0);
        self.tension[i] = t;
        self.tension[j] = t;
    }
    pub fn add_grievance(&mut self, a: ActorId, b: ActorId, d: f64) {
        let i = self.ix(a, b);
        self.grievance[i] = (self.grievance[i] + d).clamp(0.0, 10.0);
    }
    /// Raises the dyad's current rung to `r` if higher and marks it active this turn.
    /// Returns the previous rung when it rose.
    pub fn touch(&mut self, a: ActorId, b: ActorId, r: Rung) -> Option<Rung> {
        let (i, j) = (self.ix(a, b), self.ix(b, a));
        self.quiet[i] = 0;
        self.quiet[j] = 0;
        let prev = self.rung[i];
        if r > prev {
            self.rung[i] = r;
            self.rung[j] = r;
            Some(prev)
        } else {
            None
        }
    }
}

/// An operation not (yet) detected by its victim.
#[derive(Debug, Clone)]
pub struct PendingOp {
    pub victim: ActorId,
    pub actor: ActorId,
    /// Who the evidence points to, if it was planted (false flag) or a proxy's cover.
    pub apparent: Option<ActorId>,
    pub action: ActionId,
    pub asset: AssetId,
    pub launched: u32,
    /// Harm done to the victim, in criticality-weighted health.
    pub harm: f64,
    pub violations: PrincipleMask,
    pub detectability: f64,
}

/// A victim's investigation of a detected operation: believed versus true attribution.
#[derive(Debug, Clone)]
pub struct Investigation {
    pub op: PendingOp,
    pub detected: u32,
    /// Who the victim currently suspects.
    pub suspect: ActorId,
    /// 0..=1.
    pub confidence: f64,
    /// Confidence passed the belief threshold: grievance has been booked.
    pub believed: bool,
    /// The evidence can be shown in public (see `Parameters::disclosure_rate`).
    pub releasable: bool,
    /// Named in public (by the victim, possibly jointly).
    pub public: bool,
}

impl Investigation {
    /// Right if it names the true actor, or the state behind a proxy.
    pub fn is_correct(&self, sponsor_of_actor: Option<ActorId>) -> bool {
        self.suspect == self.op.actor || Some(self.suspect) == sponsor_of_actor
    }
}

/// Detection and attribution state.
#[derive(Resource, Debug, Default)]
pub struct Intel {
    pub pending: Vec<PendingOp>,
    pub investigations: Vec<Investigation>,
    /// Public namings of norm violations this turn: (investigation index).
    pub named_this_turn: Vec<usize>,
    /// Open enforcement cases: (violator, victim, turns left).
    pub cases: Vec<EnforcementCase>,
}

#[derive(Debug, Clone, Copy)]
pub struct EnforcementCase {
    pub violator: ActorId,
    pub victim: ActorId,
    pub turns_left: u32,
}

/// What an actor does this turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub action: ActionId,
    pub target: Target,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Own,
    Actor(ActorId),
    Asset(AssetId),
    /// An investigation (index into `Intel::investigations`).
    Case(usize),
}

/// This turn's choices, one slot per actor; human players' orders go in `human`.
#[derive(Resource, Debug, Default)]
pub struct Orders {
    pub chosen: Vec<Option<Choice>>,
    /// `Some(order)` for actors a human controls this turn: the engine does not decide for them.
    pub human: Vec<Option<Option<Choice>>>,
    /// Operations scripted by injects this turn: (choice, actor, apparent actor).
    pub scripted: Vec<(ActorId, Choice, Option<ActorId>)>,
}

/// The run's event journal. Batches may switch it off and keep only the tally.
#[derive(Resource, Debug, Default)]
pub struct Journal {
    pub keep: bool,
    pub events: Vec<Event>,
}

impl Journal {
    pub fn push(&mut self, e: impl FnOnce() -> Event) {
        if self.keep {
            self.events.push(e());
        }
    }
}

/// Per-turn figures for the run record, accumulated as the turn plays out.
#[derive(Resource, Debug, Default, Clone)]
pub struct TurnTally {
    pub score: f64,
    pub score_signatories: f64,
    pub score_others: f64,
    /// Tier weights booked by each actor this turn.
    pub by_actor: Vec<f64>,
    pub hostile_ops: u32,
    pub disruptive_or_worse: u32,
    /// Tier weights booked this turn, by [`TierGroup`].
    pub by_tier: [f64; TierGroup::COUNT],
}

/// The tiers of the escalation score grouped for the breakdown users read beside the
/// total: posture (capacity building, hardening, espionage, protest, attribution),
/// non-violent escalation (disruptive and destructive cyber operations, sanctions),
/// violent escalation (force, nuclear) and de-escalation (talks, reassurance).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierGroup {
    Posture,
    NonViolent,
    Violent,
    DeEscalation,
}

impl TierGroup {
    pub const COUNT: usize = 4;
    pub const ALL: [TierGroup; 4] =
        [TierGroup::Posture, TierGroup::NonViolent, TierGroup::Violent, TierGroup::DeEscalation];
    pub fn of(t: Tier) -> Option<TierGroup> {
        match t {
            Tier::StatusQuo => None,
            Tier::Posturing => Some(TierGroup::Posture),
            Tier::NonViolentEscalation => Some(TierGroup::NonViolent),
            Tier::ViolentEscalation | Tier::Nuclear => Some(TierGroup::Violent),
            Tier::DeEscalation => Some(TierGroup::DeEscalation),
        }
    }
    pub fn slug(self) -> &'static str {
        match self {
            TierGroup::Posture => "posture",
            TierGroup::NonViolent => "nonviolent",
            TierGroup::Violent => "violent",
            TierGroup::DeEscalation => "deescalation",
        }
    }
}

impl TurnTally {
    /// Books the escalation-score weight of one act of tier `tier` by actor `a`.
    pub fn book(&mut self, a: ActorId, signatory: bool, tier: Tier) {
        let w = tier.weight();
        if let Some(g) = TierGroup::of(tier) {
            self.by_tier[g as usize] += w;
        }
        self.score += w;
        if signatory {
            self.score_signatories += w;
        } else {
            self.score_others += w;
        }
        if self.by_actor.len() <= a.index() {
            self.by_actor.resize(a.index() + 1, 0.0);
        }
        self.by_actor[a.index()] += w;
    }
}

impl Tally {
    /// Books the rung of an act by a signatory or another actor.
    pub fn act_rung(&mut self, signatory: bool, r: Rung) {
        let slot = if signatory { &mut self.highest_signatories } else { &mut self.highest_others };
        if r > *slot {
            *slot = r;
        }
    }
}

/// What the run has measured so far (see `record::RunRecord`).
#[derive(Resource, Debug, Default, Clone)]
pub struct Tally {
    pub highest: Rung,
    /// Highest rung of the acts of signatories, and of everyone else.
    pub highest_signatories: Rung,
    pub highest_others: Rung,
    /// Turns from launch to belief, per believed attribution (last bin: 15 or more).
    pub attribution_delays: [u32; 16],
    pub first_force: Option<u32>,
    pub score_series: Vec<f64>,
    pub score_signatories: Vec<f64>,
    pub score_others: Vec<f64>,
    /// Per actor: the tier weight of its act, per turn.
    pub actor_scores: Vec<Vec<f64>>,
    pub rung_series: Vec<Rung>,
    pub turns_disruptive: u32,
    pub quiet_streak: u32,
    /// Asset-turns down, per sector; and split by owner group (signatory, other).
    pub downtime_by_sector: [f64; 9],
    pub downtime_signatories: f64,
    pub downtime_others: f64,
    pub civilian_harm: f64,
    /// Operations launched, by action.
    pub ops_by_action: Vec<u32>,
    /// Choices made, by action (responses and posture too).
    pub choices_by_action: Vec<u32>,
    /// Violations: per principle, split by whether the violator was bound by it.
    pub violations_bound: Vec<u32>,
    pub violations_unbound: Vec<u32>,
    /// Violations by signatories / non-signatories of the reference set (any principle).
    pub violations_by_signatories: u32,
    pub violations_by_others: u32,
    pub detected: u32,
    pub undetected_expired: u32,
    pub attributions_public: u32,
    pub attributions_wrong: u32,
    pub beliefs: u32,
    pub beliefs_wrong: u32,
    pub attribution_delay_sum: f64,
    pub sanctions: u32,
    pub force_uses: u32,
    pub deescalations: u32,
    /// Talks offered, and accepted by the other side.
    pub talks_offered: u32,
    pub talks_accepted: u32,
    /// Last turn talks were accepted (0: never).
    pub last_talks_accepted: u32,
    /// Last turn with a disruptive or worse act (0: none yet).
    pub last_disruptive: u32,
    /// Hostile acts (disruptive or worse operations, sanctions, force) by an actor toward
    /// a state it came to believe had hit it within the last `RETALIATION_WINDOW` turns.
    pub retaliations: u32,
    /// Of those, against a state wrongly believed to have hit the actor.
    pub retaliations_wrong: u32,
    /// Escalation score summed over the run by [`TierGroup`] (divided by the number of
    /// actors, like the score).
    pub score_by_tier: [f64; TierGroup::COUNT],
    pub hostile_dyads: Vec<bool>,
    /// Unordered pairs (lower index first) between which a cyber operation passed.
    pub cyber_dyads: Vec<bool>,
    /// Unordered pairs between which a disruptive or destructive operation passed.
    pub disruptive_dyads: Vec<bool>,
    /// Unordered pairs in which one side publicly named the other as an operation's author.
    pub named_dyads: Vec<bool>,
    /// Public attributions of an operation below the destructive rung.
    pub attributions_public_low: u32,
    /// Disruptive-or-worse operations, by the sector of the asset aimed at.
    pub disruptive_ops_by_sector: [u32; 9],
    /// Per unordered pair: distinct turns with a disruptive or worse operation, and the last such turn.
    pub dyad_disruptive_turns: Vec<u32>,
    pub dyad_last_disruptive: Vec<u32>,
    /// The most such turns of any pair: how sustained the worst cyber conflict was.
    pub sustained_turns: u32,
    /// Per actor: operations launched and suffered, violations, asset-turns down.
    pub per_actor: Vec<ActorTally>,
}

#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct ActorTally {
    pub ops_launched: u32,
    pub ops_suffered: u32,
    /// Violations of every norm set's principles (one act breaking overlapping
    /// principles of several sets counts once per principle).
    pub violations: u32,
    /// Violations of the reference set's principles (the Paris Call): what the group
    /// figures (`violations_by_signatories`, `violations_by_others`) count.
    pub violations_reference: u32,
    /// Violations of principles the actor was bound by at the time.
    pub violations_bound: u32,
    /// Armed force used.
    pub strikes: u32,
    pub downtime: f64,
    pub sanctions_imposed: u32,
    pub sanctions_suffered: u32,
}

/// Per actor: the share of its infrastructure's criticality currently lost (after cascades).
#[derive(Resource, Debug, Default, Clone)]
pub struct InfraStatus {
    pub damaged: Vec<f64>,
    /// Per actor: civilian harm this turn from its assets that are down (health lost ×
    /// criticality × the sector's civilian weight): what its public feels.
    pub outage: Vec<f64>,
}

/// Recomputes which principles bind an actor on a turn.
pub fn refresh_standing(standing: &mut Standing, scenario: &Scenario, turn: u32) {
    let mut bound = super::ids::PrincipleMask::EMPTY;
    let mut reaffirmed = super::ids::PrincipleMask::EMPTY;
    let mut signatory = false;
    for &(set, from) in &standing.commitments {
        if from <= turn {
            bound = bound.or(scenario.norm_sets[set.index()].mask);
            reaffirmed = reaffirmed.or(scenario.norm_sets[set.index()].reaffirmed);
            signatory |= Some(set) == scenario.reference_set;
        }
    }
    standing.bound = bound;
    // A reaffirmation weighs only on principles the actor is bound by in their own set.
    standing.reaffirmed = reaffirmed.and(bound);
    standing.signatory = signatory;
}
