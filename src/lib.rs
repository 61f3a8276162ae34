//! `escalate`: a tabletop cyber-escalation simulation engine.
//!
//! Data flows one way: scenario file → validated [`scenario::Scenario`] → ECS world
//! ([`sim::Sim`]) → turns ([`systems`]) → [`record::RunRecord`] → batch aggregates →
//! files → charts and report.

pub mod batch;
pub mod calibrate;
pub mod cli;
pub mod compare;
pub mod exit;
pub mod explore;
pub mod model;
pub mod narrative;
pub mod output;
pub mod play;
pub mod record;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod stats;
pub mod systems;
pub mod text;
