//! What one run leaves behind: the figures users measure (MODEL.md, "What users measure").

use serde::Serialize;

use crate::model::events::Event;
use crate::model::ladder::Rung;
use crate::model::state::{ActorTally, TierGroup};

/// The outcome class of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Contained,
    DeEscalated,
    UnresolvedCrisis,
    ProtractedCyberConflict,
    ArmedConflict,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Contained,
        Outcome::DeEscalated,
        Outcome::UnresolvedCrisis,
        Outcome::ProtractedCyberConflict,
        Outcome::ArmedConflict,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Outcome::Contained => "contained",
            Outcome::DeEscalated => "de-escalated",
            Outcome::UnresolvedCrisis => "unresolved-crisis",
            Outcome::ProtractedCyberConflict => "protracted-cyber-conflict",
            Outcome::ArmedConflict => "armed-conflict",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Contained => "contained",
            Outcome::DeEscalated => "de-escalated",
            Outcome::UnresolvedCrisis => "unresolved crisis",
            Outcome::ProtractedCyberConflict => "protracted cyber conflict",
            Outcome::ArmedConflict => "armed conflict",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The record of one run.
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    pub seed: u64,
    pub turns_played: u32,
    pub outcome: Outcome,
    pub highest_rung: Rung,
    pub highest_rung_signatories: Rung,
    pub highest_rung_others: Rung,
    pub final_rung: Rung,
    pub first_force_turn: Option<u32>,
    /// Escalation score per turn (all actors; signatories; non-signatories).
    pub score: Vec<f64>,
    pub score_signatories: Vec<f64>,
    pub score_others: Vec<f64>,
    /// Per actor (scenario order): the tier weight of its act, per turn.
    pub actor_scores: Vec<Vec<f64>>,
    /// Global current rung per turn.
    pub rung: Vec<Rung>,
    pub downtime_by_sector: [f64; 9],
    pub downtime_signatories: f64,
    pub downtime_others: f64,
    pub civilian_harm: f64,
    pub ops_by_action: Vec<u32>,
    pub choices_by_action: Vec<u32>,
    pub violations_bound: Vec<u32>,
    pub violations_unbound: Vec<u32>,
    pub violations_by_signatories: u32,
    pub violations_by_others: u32,
    pub detected: u32,
    pub undetected: u32,
    pub beliefs: u32,
    pub beliefs_wrong: u32,
    pub attributions_public: u32,
    pub attributions_wrong: u32,
    pub mean_attribution_delay: Option<f64>,
    /// Believed attributions by delay in turns from launch (last bin: 15 or more).
    pub attribution_delays: [u32; 16],
    pub sanctions: u32,
    pub force_uses: u32,
    pub deescalations: u32,
    /// Talks offered, and accepted by the other side.
    pub talks_offered: u32,
    pub talks_accepted: u32,
    /// Hostile acts (disruptive or worse operations, sanctions, force) toward a state
    /// the actor had come to believe hit it, within 8 turns of that belief.
    pub retaliations: u32,
    /// Of those, against a state wrongly believed to have hit the actor.
    pub retaliations_wrong: u32,
    /// Mean escalation score per turn by tier group: posture, non-violent escalation,
    /// violent escalation, de-escalation (they sum to the mean score).
    pub score_by_tier: [f64; TierGroup::COUNT],
    /// Dyads (unordered pairs) that saw any hostile act at intelligence level or above.
    pub hostile_dyads: u32,
    /// Declared rival dyads that saw any cyber operation between them (a proxy's
    /// operation counts for its sponsor).
    pub rival_dyads_in_conflict: u32,
    pub rival_dyads: u32,
    /// Declared rival dyads that saw a disruptive or destructive operation.
    pub rival_dyads_disrupted: u32,
    /// Of those, dyads in which one side publicly named the other as an operation's author.
    pub rival_dyads_named: u32,
    /// Public attributions of an operation below the destructive rung.
    pub attributions_public_low: u32,
    /// Disruptive-or-worse operations by the sector of the asset aimed at (`Sector::ALL` order).
    pub disruptive_ops_by_sector: [u32; 9],
    pub per_actor: Vec<ActorTally>,
    /// The run's events, when kept.
    #[serde(skip)]
    pub events: Vec<Event>,
}

impl RunRecord {
    pub fn mean_score(&self) -> f64 {
        if self.score.is_empty() { 0.0 } else { self.score.iter().sum::<f64>() / self.score.len() as f64 }
    }
    pub fn total_score(&self) -> f64 {
        self.score.iter().sum()
    }
    pub fn downtime(&self) -> f64 {
        self.downtime_by_sector.iter().sum()
    }
    pub fn operations(&self) -> u32 {
        self.ops_by_action.iter().sum()
    }
}
