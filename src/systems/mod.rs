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

/// The opening of a turn: the clock and this turn's injects.
macro_rules! opening {
    () => {
        (begin_turn::begin_turn, inject::inject)
    };
}

/// The rest of a turn, from the decisions on.
macro_rules! rest {
    () => {
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
    };
}

/// A single-threaded schedule that fails to build on any ambiguous system order.
fn new_schedule() -> Schedule {
    let mut s = Schedule::default();
    s.set_executor(SingleThreadedExecutor::new());
    s.set_build_settings(ScheduleBuildSettings { ambiguity_detection: LogLevel::Error, ..Default::default() });
    s
}

/// One turn, as an explicit chain: begin-turn, inject, decide, operate, cascade,
/// attribute, respond, enforce, recover, record. The order is the rules of the game.
pub fn turn_schedule() -> Schedule {
    let mut schedule = new_schedule();
    schedule.add_systems((opening!().chain(), rest!().chain()).chain());
    schedule
}

/// The same turn split at the decision point: the opening (clock, injects) and the
/// rest (decisions onward). The interactive exercise runs the opening, shows players
/// the state the engine decides on, then runs the rest with their orders. Same
/// systems, same order: a turn played in two halves equals one played whole.
pub fn turn_schedule_halves() -> (Schedule, Schedule) {
    let mut opening = new_schedule();
    opening.add_systems(opening!().chain());
    let mut rest = new_schedule();
    rest.add_systems(rest!().chain());
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
    if r >= Rung::Disruptive {
        tally.last_disruptive = turn;
    }
    if r >= Rung::Intelligence {
        let n = rel.n;
        let (lo, hi) = (a.index().min(b.index()), a.index().max(b.index()));
        if let Some(x) = tally.hostile_dyads.get_mut(lo * n + hi) {
            *x = true;
        }
    }
}

/// Turns after coming to believe a state hit it in which an actor's hostile acts toward
/// that state count as retaliation (the window of the reciprocity measure).
pub const RETALIATION_WINDOW: u32 = 8;

/// Books a hostile act of `a` toward `b`: a retaliation if `a` came to believe, within
/// the window, that `b` hit it.
/// Callers book disruptive or worse operations, sanctions and force.
pub(crate) fn note_hostile(rel: &Relations, tally: &mut Tally, turn: u32, a: ActorId, b: ActorId) {
    let hit = rel.believed_hit[rel.ix(a, b)];
    if hit > 0 && turn - hit <= RETALIATION_WINDOW {
        tally.retaliations += 1;
        if !rel.believed_hit_right[rel.ix(a, b)] {
            tally.retaliations_wrong += 1;
        }
    }
}

/// The scenario id of an actor, for events.
pub(crate) fn id(s: &Scenario, a: ActorId) -> String {
    s.actors[a.index()].id.clone()
}
