//! The validated scenario: ids resolved to indices, numbers checked, graphs ordered.
//! The engine trusts everything in here and never re-checks it.

use serde::Serialize;

use crate::model::ids::{ActionId, ActorId, AssetId, NormSetId, PrincipleId, PrincipleMask};
use crate::model::ladder::{Rung, Tier};
use crate::model::params::Parameters;
use crate::model::sector::Sector;
use crate::scenario::schema::{ActorKind, AllianceKind, EndCondition, Purpose, Targeting, Users};

#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub sources: Vec<String>,
    pub turns: u32,
    pub turn_length: String,
    pub norm_sets: Vec<NormSet>,
    /// Every principle of every norm set, indexed by [`PrincipleId`].
    pub principles: Vec<Principle>,
    pub actors: Vec<Actor>,
    pub alliances: Vec<Alliance>,
    /// Standing tension, `n × n`, symmetric, zero on the diagonal.
    pub tension: Vec<f64>,
    pub assets: Vec<Asset>,
    /// Dependencies, sorted so that every provider comes before its dependents.
    pub dependencies: Vec<Dependency>,
    /// Assets in an order where providers precede dependents.
    pub asset_order: Vec<AssetId>,
    pub actions: Vec<Action>,
    /// Injects sorted by turn (stable, so file order breaks ties).
    pub injects: Vec<Inject>,
    pub end_conditions: Vec<EndCondition>,
    pub params: Parameters,
    /// For each action and owner: the asset an infrastructure action would hit there
    /// (the most critical × exposed in its sectors), `None` if the owner has none.
    pub aim: Vec<Vec<Option<AssetId>>>,
    /// The norm set that defines "signatories" in group statistics: `paris-call` when present.
    pub reference_set: Option<NormSetId>,
    /// The principles of the UN Charter's prohibition of force (`un-charter`), which
    /// self-defence can excuse.
    pub charter: PrincipleMask,
}

#[derive(Debug, Clone, Serialize)]
pub struct NormSet {
    pub id: String,
    pub name: String,
    pub source: String,
    pub principles: Vec<PrincipleId>,
    pub mask: PrincipleMask,
    /// Principles of the sets this one reaffirms (see `NormSetDef::reaffirms`).
    pub reaffirmed: PrincipleMask,
}

#[derive(Debug, Clone, Serialize)]
pub struct Principle {
    /// `set:id`, e.g. `paris-call:1`.
    pub key: String,
    pub name: String,
    pub set: NormSetId,
}

#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub id: String,
    pub name: String,
    pub kind: ActorKind,
    pub sponsor: Option<ActorId>,
    pub capabilities: Capabilities,
    pub doctrine: Doctrine,
    pub commitments: Vec<Commitment>,
    pub alliances: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Capabilities {
    pub offense: f64,
    pub defense: f64,
    pub attribution: f64,
    pub resilience: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Doctrine {
    pub risk_tolerance: f64,
    pub retaliation: f64,
    pub restraint: f64,
    pub firebreak: f64,
}

impl Doctrine {
    /// Sets a field by its scenario name; `false` if unknown.
    pub fn set(&mut self, field: &str, value: f64) -> bool {
        match field {
            "risk_tolerance" => self.risk_tolerance = value,
            "retaliation" => self.retaliation = value,
            "restraint" => self.restraint = value,
            "firebreak" => self.firebreak = value,
            _ => return false,
        }
        true
    }
    pub const FIELDS: [&'static str; 4] = ["risk_tolerance", "retaliation", "restraint", "firebreak"];
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Commitment {
    pub set: NormSetId,
    pub from_turn: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Alliance {
    pub id: String,
    pub kind: AllianceKind,
    pub members: Vec<ActorId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Asset {
    pub id: String,
    pub name: String,
    pub owner: ActorId,
    pub sector: Sector,
    pub criticality: f64,
    pub exposure: f64,
    pub recovery: f64,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Dependency {
    pub dependent: AssetId,
    pub provider: AssetId,
    pub strength: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Action {
    pub id: String,
    pub name: String,
    pub purpose: Purpose,
    pub targeting: Targeting,
    pub rung: Rung,
    pub tier: Tier,
    pub users: Users,
    /// Sectors it may hit; all nine when the file listed none.
    pub sectors: Vec<Sector>,
    pub effects: Effects,
    pub detectability: f64,
    /// Principles violated when the target is in each sector, indexed by [`Sector::index`].
    pub violates_by_sector: [PrincipleMask; 9],
    /// Principles violated by the action itself (no target sector).
    pub violates: PrincipleMask,
    pub upholds: PrincipleMask,
    pub appeal: f64,
}

impl Action {
    /// Whether an actor of this kind may choose the action.
    pub fn usable_by(&self, kind: ActorKind) -> bool {
        matches!(
            (self.users, kind),
            (Users::Anyone, _)
                | (Users::States, ActorKind::State)
                | (Users::Companies, ActorKind::Company)
                | (Users::Proxies, ActorKind::Proxy)
                | (Users::StatesAndProxies, ActorKind::State | ActorKind::Proxy)
        )
    }

    /// Principles broken by using it against a sector (or with no target).
    pub fn violations(&self, sector: Option<Sector>) -> PrincipleMask {
        match sector {
            Some(s) => self.violates_by_sector[s.index()],
            None => self.violates,
        }
    }

    /// True for covert operations and force: the things that hurt someone.
    pub fn is_hostile(&self) -> bool {
        matches!(self.purpose, Purpose::Operation | Purpose::Force)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Effects {
    pub damage: f64,
    pub spread: f64,
    pub offense_gain: f64,
    pub defense_gain: f64,
    pub tension: f64,
    pub grievance: f64,
    pub intelligence: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Inject {
    pub turn: u32,
    pub event: InjectKind,
    pub report: String,
}

#[derive(Debug, Clone, Serialize)]
pub enum InjectKind {
    Operation { actor: ActorId, action: ActionId, target: AssetId, apparent: Option<ActorId> },
    Commit { actor: ActorId, set: NormSetId },
    Withdraw { actor: ActorId, set: NormSetId },
    SetParameter { name: String, value: f64 },
    SetDoctrine { actor: ActorId, field: String, value: f64 },
    SetTension { a: ActorId, b: ActorId, value: f64 },
    Report,
}

impl Scenario {
    pub fn n_actors(&self) -> usize {
        self.actors.len()
    }

    pub fn actor(&self, id: ActorId) -> &Actor {
        &self.actors[id.index()]
    }

    pub fn aim(&self, action: ActionId, owner: ActorId) -> Option<AssetId> {
        self.aim[action.index()][owner.index()]
    }

    pub fn action_by_id(&self, id: &str) -> Option<ActionId> {
        self.actions.iter().position(|a| a.id == id).map(ActionId::from_index)
    }

    pub fn actor_by_id(&self, id: &str) -> Option<ActorId> {
        self.actors.iter().position(|a| a.id == id).map(ActorId::from_index)
    }

    /// Principle keys (`set:id`) in a mask, in index order.
    pub fn principle_keys(&self, mask: PrincipleMask) -> Vec<&str> {
        mask.iter().map(|p| self.principles[p.index()].key.as_str()).collect()
    }

    /// Whether an actor is bound by a norm set on a turn, from its initial commitments.
    pub fn initially_bound(&self, actor: ActorId, set: NormSetId, turn: u32) -> bool {
        self.actor(actor).commitments.iter().any(|c| c.set == set && c.from_turn <= turn)
    }
}
