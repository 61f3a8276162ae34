//! What one run contributes to a target: a numerator and denominator (figures that are
//! ratios of sums over runs), or a time to an event with the time the run watched for it
//! (durations, summarised by their Kaplan-Meier median).

use crate::model::events::EventKind;
use crate::model::ladder::Rung;
use crate::record::{Outcome, RunRecord};
use crate::scenario::schema::{ActorKind, Purpose};
use crate::scenario::validated::Scenario;

use super::targets::Measure;

/// Mean weeks in a year (365.25 / 7).
pub const WEEKS_PER_YEAR: f64 = 52.178_571;

/// One run's contribution to a target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sample {
    Ratio(f64, f64),
    /// Weeks until the event (`None`: not seen), and weeks the run watched for it.
    Time {
        event: Option<f64>,
        watched: f64,
    },
    /// The run cannot say (a duration whose starting operation never happened).
    Nothing,
}

/// Weeks one turn stands for, from the scenario's `turn_length`.
pub fn weeks_per_turn(turn_length: &str) -> Option<f64> {
    match turn_length.trim().trim_end_matches('s') {
        "week" => Some(1.0),
        "day" => Some(1.0 / 7.0),
        "fortnight" => Some(2.0),
        "month" => Some(WEEKS_PER_YEAR / 12.0),
        "quarter" => Some(WEEKS_PER_YEAR / 4.0),
        "year" => Some(WEEKS_PER_YEAR),
        _ => None,
    }
}

/// Years the scenario's horizon stands for (a turn is a week if its length is unknown).
pub fn horizon_years(s: &Scenario) -> f64 {
    f64::from(s.turns) * weeks_per_turn(&s.turn_length).unwrap_or(1.0) / WEEKS_PER_YEAR
}

/// What run `r` of scenario `s` contributes to measure `m`.
pub fn sample(s: &Scenario, m: &Measure, r: &RunRecord) -> Sample {
    let ops = |pred: &dyn Fn(Rung) -> bool| -> f64 {
        s.actions
            .iter()
            .zip(&r.ops_by_action)
            .filter(|(a, _)| a.purpose == Purpose::Operation && pred(a.rung))
            .map(|(_, &n)| f64::from(n))
            .sum()
    };
    let wpt = weeks_per_turn(&s.turn_length).unwrap_or(1.0);
    match m {
        Measure::EspionageShare => Sample::Ratio(ops(&|r| r == Rung::Intelligence), ops(&|_| true)),
        Measure::DestructiveShare => Sample::Ratio(ops(&|r| r >= Rung::Destructive), ops(&|_| true)),
        Measure::SponsorShare(ids) => {
            let mut part = 0.0;
            let mut all = 0.0;
            for (a, t) in s.actors.iter().zip(&r.per_actor) {
                let principal = match (a.kind, a.sponsor) {
                    (ActorKind::Proxy, Some(sp)) => &s.actors[sp.index()].id,
                    (ActorKind::State, _) => &a.id,
                    _ => continue,
                };
                let n = f64::from(t.ops_launched);
                all += n;
                if ids.iter().any(|i| i == principal) {
                    part += n;
                }
            }
            Sample::Ratio(part, all)
        }
        Measure::RivalDyadsNamed => Sample::Ratio(f64::from(r.rival_dyads_named), f64::from(r.rival_dyads)),
        Measure::LowSeverityShare => {
            Sample::Ratio(f64::from(r.attributions_public_low), f64::from(r.attributions_public))
        }
        Measure::SectorAttacksPerYear(sector) => Sample::Ratio(
            f64::from(r.disruptive_ops_by_sector[sector.index()]),
            f64::from(r.turns_played) * wpt / WEEKS_PER_YEAR,
        ),
        Measure::ArmedConflictShare => Sample::Ratio(f64::from(u8::from(r.outcome == Outcome::ArmedConflict)), 1.0),
        Measure::CapacityPerAttack => {
            let build: f64 = s
                .actions
                .iter()
                .zip(&r.choices_by_action)
                .filter(|(a, _)| a.purpose == Purpose::BuildCapacity)
                .map(|(_, &n)| f64::from(n))
                .sum();
            Sample::Ratio(build, ops(&|r| r >= Rung::Disruptive))
        }
        Measure::WeeksToNaming { actions } => time_to(
            r,
            wpt,
            actions,
            |k| matches!(k, EventKind::PublicAttribution { action, correct: true, .. } if actions.contains(action)),
        ),
        Measure::WeeksToSanction { by, against, after } => time_to(
            r,
            wpt,
            after,
            |k| matches!(k, EventKind::Sanction { by: b, against: x } if b == by && x == against),
        ),
    }
}

/// Weeks from the first scripted operation with one of `start` to the first event that
/// `hit` accepts, watched until the run ended.
fn time_to(r: &RunRecord, wpt: f64, start: &[String], hit: impl Fn(&EventKind) -> bool) -> Sample {
    let Some(t0) = r.events.iter().find_map(|e| match &e.kind {
        EventKind::Operation { action, scripted: true, .. } if start.contains(action) => Some(e.turn),
        _ => None,
    }) else {
        return Sample::Nothing;
    };
    let event = r.events.iter().filter(|e| e.turn >= t0).find(|e| hit(&e.kind)).map(|e| f64::from(e.turn - t0) * wpt);
    Sample::Time { event, watched: f64::from(r.turns_played.saturating_sub(t0)) * wpt }
}
