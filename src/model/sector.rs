//! Sectors of critical infrastructure and their built-in dependency graph.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Sector {
    Power,
    Aviation,
    InternetCore,
    Health,
    Finance,
    Elections,
    Water,
    Telecom,
    Government,
}

impl Sector {
    pub const ALL: [Sector; 9] = [
        Sector::Power,
        Sector::Aviation,
        Sector::InternetCore,
        Sector::Health,
        Sector::Finance,
        Sector::Elections,
        Sector::Water,
        Sector::Telecom,
        Sector::Government,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn slug(self) -> &'static str {
        match self {
            Sector::Power => "power",
            Sector::Aviation => "aviation",
            Sector::InternetCore => "internet-core",
            Sector::Health => "health",
            Sector::Finance => "finance",
            Sector::Elections => "elections",
            Sector::Water => "water",
            Sector::Telecom => "telecom",
            Sector::Government => "government",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sector::Power => "power grid",
            Sector::Aviation => "aviation / ATC",
            Sector::InternetCore => "internet core",
            Sector::Health => "hospitals",
            Sector::Finance => "banks",
            Sector::Elections => "elections",
            Sector::Water => "water",
            Sector::Telecom => "telecom",
            Sector::Government => "government",
        }
    }

    /// How much harm to people one turn of full outage in this sector does, relative
    /// to the power grid. Hospitals and water hurt people directly; elections and
    /// government services much less so in the short run.
    pub fn civilian_weight(self) -> f64 {
        match self {
            Sector::Health => 1.0,
            Sector::Power => 0.8,
            Sector::Water => 0.8,
            Sector::Aviation => 0.6,
            Sector::Telecom => 0.4,
            Sector::InternetCore => 0.4,
            Sector::Finance => 0.3,
            Sector::Government => 0.2,
            Sector::Elections => 0.1,
        }
    }
}

/// The default sector dependency graph: (dependent, provider, strength).
///
/// Grid down degrades hospitals, ATC, banks and telecom (MODEL.md); telecom and the
/// internet core carry finance and government. Hospitals run on backup generators,
/// hence a strength below one. The graph is acyclic by construction: power depends on
/// nothing here, although real grids do use telecom for control.
pub const DEFAULT_SECTOR_DEPENDENCIES: [(Sector, Sector, f64); 10] = [
    (Sector::Health, Sector::Power, 0.5),
    (Sector::Aviation, Sector::Power, 0.6),
    (Sector::Finance, Sector::Power, 0.5),
    (Sector::Telecom, Sector::Power, 0.6),
    (Sector::Water, Sector::Power, 0.6),
    (Sector::InternetCore, Sector::Power, 0.3),
    (Sector::Finance, Sector::Telecom, 0.4),
    (Sector::Government, Sector::Telecom, 0.4),
    (Sector::Aviation, Sector::Telecom, 0.3),
    (Sector::Telecom, Sector::InternetCore, 0.3),
];
