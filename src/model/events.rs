//! Events of a run: the narrative's lines and the `--json` stream's records.

use serde::Serialize;

use super::ladder::Rung;

/// One thing that happened on a turn.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Event {
    pub turn: u32,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// Ids are the scenario's own (`"RUS"`, `"fr-grid"`), so the JSON reads without the scenario.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum EventKind {
    Inject {
        report: String,
    },
    Commitment {
        actor: String,
        norm_set: String,
        joined: bool,
    },
    ParameterChanged {
        name: String,
        value: f64,
    },
    DoctrineChanged {
        actor: String,
        field: String,
        value: f64,
    },
    TensionChanged {
        a: String,
        b: String,
        value: f64,
    },
    Operation {
        actor: String,
        action: String,
        target: String,
        asset: String,
        sector: String,
        damage: f64,
        apparent: Option<String>,
        rung: Rung,
        scripted: bool,
    },
    Collateral {
        actor: String,
        action: String,
        owner: String,
        asset: String,
        damage: f64,
    },
    Violation {
        actor: String,
        principle: String,
        victim: Option<String>,
        bound: bool,
    },
    Detected {
        victim: String,
        asset: String,
        suspect: String,
        confidence: f64,
        correct: bool,
    },
    Believed {
        victim: String,
        suspect: String,
        /// The action the victim now attributes, and its rung.
        action: String,
        rung: Rung,
        confidence: f64,
        correct: bool,
    },
    Corrected {
        victim: String,
        from: String,
        to: String,
    },
    Unmasked {
        victim: String,
        proxy: String,
        sponsor: String,
    },
    PublicAttribution {
        by: String,
        named: String,
        /// The operation named, and its rung.
        action: String,
        rung: Rung,
        joint_with: Vec<String>,
        correct: bool,
        confidence: f64,
    },
    Protest {
        by: String,
        against: String,
    },
    Sanction {
        by: String,
        against: String,
    },
    Force {
        by: String,
        against: String,
        damage: f64,
    },
    DeEscalation {
        by: String,
        with: String,
        action: String,
    },
    /// `by` refused the talks `offered_by` proposed.
    TalksRefused {
        by: String,
        offered_by: String,
    },
    Posture {
        actor: String,
        action: String,
    },
    Proliferation {
        actor: String,
    },
    Enforcement {
        by: String,
        on: String,
        violator: String,
    },
    RungChange {
        a: String,
        b: String,
        from: Rung,
        to: Rung,
    },
    AssetDown {
        owner: String,
        asset: String,
        sector: String,
    },
    AssetRestored {
        owner: String,
        asset: String,
        sector: String,
    },
    End {
        outcome: String,
        turns: u32,
    },
}
