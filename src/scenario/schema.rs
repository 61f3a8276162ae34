//! The scenario file as written by users: serde types for the RON format.
//!
//! Everything here is *unvalidated*: ids are strings, numbers may be out of range.
//! `scenario::validate` turns a [`ScenarioFile`] into a [`crate::scenario::Scenario`]
//! whose invariants the engine can rely on. Field-level documentation lives in
//! `docs/scenario-format.md`; defaults are explained in `docs/model.md`.

use serde::{Deserialize, Serialize};

use crate::model::ladder::{Rung, Tier};
use crate::model::sector::Sector;

/// The root of a scenario file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Short human name, shown in reports.
    pub name: String,
    /// What the scenario is about and which question it helps answer.
    #[serde(default)]
    pub description: String,
    /// Public sources the scenario draws on (free text, one per entry).
    #[serde(default)]
    pub sources: Vec<String>,
    pub horizon: Horizon,
    /// Norm sets declared by the scenario in addition to the built-in ones.
    #[serde(default)]
    pub norm_sets: Vec<NormSetDef>,
    pub actors: Vec<ActorDef>,
    #[serde(default)]
    pub alliances: Vec<AllianceDef>,
    /// Standing tensions between pairs of actors (symmetric).
    #[serde(default)]
    pub rivalries: Vec<RivalryDef>,
    #[serde(default)]
    pub infrastructure: Vec<AssetDef>,
    /// Dependencies between sectors, applied within each owner's infrastructure.
    /// `None` uses the built-in default graph.
    #[serde(default)]
    pub sector_dependencies: Option<Vec<SectorDependencyDef>>,
    /// Extra dependencies between individual assets (e.g. across borders).
    #[serde(default)]
    pub asset_dependencies: Vec<AssetDependencyDef>,
    /// Actions added to, or replacing (same id), the built-in catalogue.
    #[serde(default)]
    pub actions: Vec<ActionDef>,
    /// Built-in actions to remove from this scenario's catalogue.
    #[serde(default)]
    pub remove_actions: Vec<String>,
    #[serde(default)]
    pub injects: Vec<InjectDef>,
    #[serde(default)]
    pub end_conditions: Vec<EndCondition>,
    #[serde(default)]
    pub parameters: ParameterOverrides,
    /// Named variants of this scenario (used by `escalate compare`).
    #[serde(default)]
    pub variants: Vec<VariantDef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Horizon {
    /// Number of turns simulated (unless an end condition stops the run earlier).
    pub turns: u32,
    /// What one turn stands for, e.g. "day" or "week". Shown to readers only.
    #[serde(default = "default_turn_length")]
    pub turn_length: String,
}

fn default_turn_length() -> String {
    "week".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormSetDef {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub source: String,
    /// Norm sets whose principles this set reaffirms: an actor bound by this set pays
    /// their norm cost once more (the Paris Call reaffirms the UN Charter).
    #[serde(default)]
    pub reaffirms: Vec<String>,
    pub principles: Vec<PrincipleDef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrincipleDef {
    /// Short id, unique within its set; referenced as `set:id` (e.g. `paris-call:1`).
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ActorKind {
    /// A state: launches operations, responds, sanctions, may use force.
    #[default]
    State,
    /// A company: helps defend and attribute; may hack back.
    Company,
    /// A proxy or criminal group acting for a sponsor state, for deniability.
    Proxy,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorDef {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub kind: ActorKind,
    /// For proxies: the state that sponsors them.
    #[serde(default)]
    pub sponsor: Option<String>,
    #[serde(default)]
    pub capabilities: CapabilitiesDef,
    #[serde(default)]
    pub doctrine: DoctrineDef,
    /// Norm sets the actor is bound by, and from which turn.
    #[serde(default)]
    pub commitments: Vec<CommitmentDef>,
    /// Free-text note on where the numbers come from.
    #[serde(default)]
    pub source: String,
}

/// Capabilities on a 0..=1 scale, relative to the most capable actor in the world.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CapabilitiesDef {
    pub offense: f64,
    pub defense: f64,
    pub attribution: f64,
    pub resilience: f64,
}

impl Default for CapabilitiesDef {
    fn default() -> Self {
        Self { offense: 0.3, defense: 0.4, attribution: 0.3, resilience: 0.5 }
    }
}

/// How an actor decides, each on a 0..=1 scale.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DoctrineDef {
    /// Appetite for risky, escalatory options.
    pub risk_tolerance: f64,
    /// Propensity to answer attributed harm in kind.
    pub retaliation: f64,
    /// General reluctance to climb the ladder at all.
    pub restraint: f64,
    /// The cyber firebreak: reluctance to answer cyber harm with armed force.
    pub firebreak: f64,
}

impl Default for DoctrineDef {
    fn default() -> Self {
        Self { risk_tolerance: 0.3, retaliation: 0.5, restraint: 0.5, firebreak: 0.8 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentDef {
    pub norm_set: String,
    /// First turn (1-based) on which the commitment binds; 1 = from the start.
    #[serde(default = "one")]
    pub from_turn: u32,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AllianceKind {
    /// An attack on one is an attack on all (NATO's Article 5).
    CollectiveDefense,
    /// Members coordinate sanctions and attribution (the EU's cyber sanctions regime).
    SanctionsBloc,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllianceDef {
    pub id: String,
    pub kind: AllianceKind,
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RivalryDef {
    pub a: String,
    pub b: String,
    /// Standing tension, 0..=1.
    pub tension: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetDef {
    pub id: String,
    pub owner: String,
    pub sector: Sector,
    #[serde(default)]
    pub name: String,
    /// How much the owner and its people depend on it, 0..=1.
    #[serde(default = "half")]
    pub criticality: f64,
    /// How reachable it is for an attacker, 0..=1.
    #[serde(default = "half")]
    pub exposure: f64,
    /// Share of lost health restored per turn, 0..=1.
    #[serde(default = "default_recovery")]
    pub recovery: f64,
}

fn half() -> f64 {
    0.5
}
fn default_recovery() -> f64 {
    0.25
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectorDependencyDef {
    /// The sector that depends...
    pub sector: Sector,
    /// ...on this one.
    pub on: Sector,
    /// Share of the provider's lost health passed on, 0..=1.
    pub strength: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetDependencyDef {
    pub asset: String,
    pub on: String,
    pub strength: f64,
}

/// Who may choose an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Users {
    #[default]
    States,
    Companies,
    Proxies,
    StatesAndProxies,
    Anyone,
}

/// What an action is aimed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Targeting {
    /// Nobody: the actor acts on itself (build capacity, harden).
    Own,
    /// Another actor's infrastructure, in one of the listed sectors.
    Infrastructure,
    /// Another actor as a whole (protest, sanction, talks, force).
    Actor,
    /// An actor the chooser holds an investigation on (public attribution).
    Suspect,
}

/// What an action does when it is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Purpose {
    /// Covert operation against infrastructure (espionage, disruption, destruction).
    #[default]
    Operation,
    /// Build offensive cyber capacity.
    BuildCapacity,
    /// Harden own infrastructure (cyber hygiene).
    Harden,
    /// Name the believed culprit of a detected operation.
    PublicAttribution,
    /// Formal diplomatic protest.
    Protest,
    /// Economic or diplomatic sanctions.
    Sanction,
    /// Armed force.
    Force,
    /// Talks: calm a crisis, lift one's own sanctions, step the dyad down the ladder.
    DeEscalate,
    /// Emollient statements ("not on our orders") by a side that is blamed.
    Reassure,
    /// Leak or sell tools (raises others' offensive capacity).
    Proliferate,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionDef {
    pub id: String,
    pub name: String,
    pub purpose: Purpose,
    pub targeting: Targeting,
    pub rung: Rung,
    /// Weight in the escalation score; defaults to the rung's tier.
    #[serde(default)]
    pub tier: Option<Tier>,
    #[serde(default)]
    pub users: Users,
    /// Sectors an infrastructure action can hit, in order of preference: it aims at
    /// the first of them where the target has an asset (empty = any sector).
    #[serde(default)]
    pub sectors: Vec<Sector>,
    #[serde(default)]
    pub effects: EffectsDef,
    /// Chance per turn that the victim detects it, before its defence is counted, 0..=1.
    #[serde(default)]
    pub detectability: f64,
    /// Principles broken whatever the target (`set:id`).
    #[serde(default)]
    pub violates: Vec<String>,
    /// Principles broken only against some sectors.
    #[serde(default)]
    pub violates_in: Vec<SectorViolationDef>,
    /// Principles the action upholds: committed actors value it more.
    #[serde(default)]
    pub upholds: Vec<String>,
    /// The intrinsic appeal of the action before motives and costs (utility units).
    #[serde(default)]
    pub appeal: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectorViolationDef {
    pub sectors: Vec<Sector>,
    pub principles: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct EffectsDef {
    /// Health removed from the target asset at full strength, 0..=1.
    pub damage: f64,
    /// Chance to also hit each same-sector asset of third parties (NotPetya), 0..=1.
    pub spread: f64,
    /// Gain to the actor's offensive capability, 0..=1.
    pub offense_gain: f64,
    /// Gain to the actor's defence, 0..=1.
    pub defense_gain: f64,
    /// Change to the dyad's tension (negative calms), -1..=1.
    pub tension: f64,
    /// Grievance the target feels toward the actor once it knows (for overt actions), 0..=1.
    pub grievance: f64,
    /// Value of the intelligence or IP gained, 0..=1 (drives espionage).
    pub intelligence: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InjectDef {
    pub turn: u32,
    pub event: InjectEvent,
    /// Text shown to players and in the narrative, like an intelligence report.
    #[serde(default)]
    pub report: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum InjectEvent {
    /// A scripted operation; `apparent` plants a false flag or proxy cover.
    Operation {
        actor: String,
        action: String,
        target: String,
        #[serde(default)]
        apparent: Option<String>,
    },
    /// An actor joins a norm set from this turn on.
    Commit { actor: String, norm_set: String },
    /// An actor leaves a norm set from this turn on.
    Withdraw { actor: String, norm_set: String },
    /// Set a model parameter (by name) from this turn on.
    SetParameter { name: String, value: f64 },
    /// Set one doctrine value of an actor.
    SetDoctrine { actor: String, field: String, value: f64 },
    /// Set the tension between two actors.
    SetTension { a: String, b: String, value: f64 },
    /// Only a report: intelligence, news.
    Report,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum EndCondition {
    /// Stop at the end of the turn in which armed force is first used.
    ArmedConflict,
    /// Stop after this many consecutive turns without hostile operations,
    /// counted from the given turn on.
    Quiet { turns: u32, after: u32 },
}

/// Model parameters as written: every field optional, defaults in [`Parameters`].
pub type ParameterOverrides = std::collections::BTreeMap<String, f64>;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantDef {
    pub id: String,
    #[serde(default)]
    pub description: String,
    /// Changes applied to the scenario, in order.
    pub set: Vec<OverrideDef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideDef {
    /// A path into the scenario, e.g. `actors[USA].commitments` or `parameters.choice_temperature`.
    pub path: String,
    /// The new value, in RON.
    pub value: String,
}
