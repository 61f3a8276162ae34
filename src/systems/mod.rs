//! The turn's phases, one system per file, run in the fixed order of [`turn_schedule`].

mod attribute;
mod begin_turn;
mod cascade;
mod decide;
mod enforce;
mod inject;
mod operate;
mod record;
mod recover;
mod respond;

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::SingleThreadedExecutor;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings};

use crate::model::events::{Event, EventKind};
use crate::model::ids::ActorId;
use crate::model::ladder::Rung;
use crate::model::state::{Journal, Relations, Tally};
use crate::scenario::validated::Scenario;

pub use record::classify;

/// One turn, as an explicit chain: the order below is the rules of the game.
pub fn turn_schedule() -> Schedule {
    let mut schedule = Schedule::default();
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule.set_build_settings(ScheduleBuildSettings { ambiguity_detection: LogLevel::Error, ..Default::default() });
    schedule.add_systems(
        (
            begin_turn::begin_turn,
            inject::inject,
            decide::decide,
            operate::operate,
            cascade::cascade,
            attribute::attribute,
            respond::respond,
            enforce::enforce,
            recover::recover,
            record::record,
        )
            .chain(),
    );
    schedule
}

/// The same turn split at the decision point: the opening (clock, injects) and the
/// rest (decisions onward). The interactive exercise runs the opening, shows players
/// the state the engine decides on, then runs the rest with their orders. Same
/// systems, same order: a turn played in two halves equals one played whole.
pub fn turn_schedule_halves() -> (Schedule, Schedule) {
    let new = || {
        let mut s = Schedule::default();
        s.set_executor(SingleThreadedExecutor::new());
        s.set_build_settings(ScheduleBuildSettings { ambiguity_detection: LogLevel::Error, ..Default::default() });
        s
    };
    let mut opening = new();
    opening.add_systems((begin_turn::begin_turn, inject::inject).chain());
    let mut rest = new();
    rest.add_systems(
        (
            decide::decide,
            operate::operate,
            cascade::cascade,
            attribute::attribute,
            respond::respond,
            enforce::enforce,
            recover::recover,
            record::record,
        )
            .chain(),
    );
    (opening, rest)
}

/// Raises a dyad's rung (and the run's highest) when an act of rung `r` passes between them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn escalate_dyad(
    rel: &mut Relations,
    tally: &mut Tally,
    journal: &mut Journal,
    scenario: &Scenario,
    turn: u32,
    a: ActorId,
    b: ActorId,
    r: Rung,
) {
    if let Some(from) = rel.touch(a, b, r) {
        journal.push(|| Event {
            turn,
            kind: EventKind::RungChange { a: id(scenario, a), b: id(scenario, b), from, to: r },
        });
    }
    if r > tally.highest {
        tally.highest = r;
    }
    if r >= Rung::Intelligence {
        let n = rel.n;
        let (lo, hi) = (a.index().min(b.index()), a.index().max(b.index()));
        if let Some(x) = tally.hostile_dyads.get_mut(lo * n + hi) {
            *x = true;
        }
    }
}

/// The scenario id of an actor, for events.
pub(crate) fn id(s: &Scenario, a: ActorId) -> String {
    s.actors[a.index()].id.clone()
}
