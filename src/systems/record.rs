//! Phase 10: close the turn — the escalation score (Rivera et al.'s tier weights,
//! summed and divided by the number of actors), the global rung, end conditions and,
//! at the end, the run's outcome class.

use bevy_ecs::prelude::*;

use crate::model::events::{Event, EventKind};
use crate::model::ladder::Rung;
use crate::model::params::Parameters;
use crate::model::state::*;
use crate::record::Outcome;
use crate::scenario::schema::EndCondition;

#[allow(clippy::too_many_arguments)]
pub fn record(
    mut clock: ResMut<Clock>,
    scenario: Res<ScenarioRes>,
    params: Res<Parameters>,
    rel: Res<Relations>,
    tt: Res<TurnTally>,
    mut tally: ResMut<Tally>,
    mut journal: ResMut<Journal>,
    standings: Query<&Standing>,
) {
    let s = &scenario.0;
    let turn = clock.turn;
    let n = s.actors.len().max(1) as f64;
    let signatories = standings.iter().filter(|st| st.signatory).count() as f64;
    let others = n - signatories;
    tally.score_series.push(tt.score / n);
    for (total, turn_w) in tally.score_by_tier.iter_mut().zip(tt.by_tier) {
        *total += turn_w / n;
    }
    tally.score_signatories.push(if signatories > 0.0 { tt.score_signatories / signatories } else { 0.0 });
    tally.score_others.push(if others > 0.0 { tt.score_others / others } else { 0.0 });
    for (k, series) in tally.actor_scores.iter_mut().enumerate() {
        series.push(tt.by_actor.get(k).copied().unwrap_or(0.0));
    }
    let current = rel.rung.iter().copied().max().unwrap_or(Rung::StatusQuo);
    tally.rung_series.push(current);
    if tt.disruptive_or_worse > 0 {
        tally.turns_disruptive += 1;
    }
    if tt.hostile_ops == 0 {
        tally.quiet_streak += 1;
    } else {
        tally.quiet_streak = 0;
    }
    let mut end = turn >= s.turns;
    for c in &s.end_conditions {
        end |= match *c {
            EndCondition::ArmedConflict => tally.first_force.is_some(),
            // Only quiet turns from `after` on count.
            EndCondition::Quiet { turns, after } => {
                turn >= after && tally.quiet_streak.min(turn + 1 - after.max(1)) >= turns
            }
        };
    }
    if end {
        clock.finished = true;
        let outcome = classify(&tally, &params);
        journal.push(|| Event { turn, kind: EventKind::End { outcome: outcome.slug().into(), turns: turn } });
    }
}

/// The outcome class of a run from its tally:
/// - armed conflict: force was used at least once;
/// - protracted cyber conflict: one pair of actors exchanged disruptive or destructive
///   operations in at least `protracted_min_turns` distinct turns (a sustained conflict);
/// - de-escalated: disruptive or destructive operations happened, no pair sustained
///   them, and a de-escalation happened: talks accepted by both sides after the last
///   disruptive act, or the world back at the political rung or below for the last
///   `DE_ESCALATED_TURNS` turns;
/// - unresolved crisis: disruptive or destructive operations happened, no pair sustained
///   them, and the crisis had not come down by the end;
/// - contained: nothing rose above the political rung (espionage, influence, protest).
pub fn classify(tally: &Tally, params: &Parameters) -> Outcome {
    if tally.first_force.is_some() || tally.highest >= Rung::ArmedForce {
        Outcome::ArmedConflict
    } else if f64::from(tally.sustained_turns) >= params.protracted_min_turns {
        Outcome::ProtractedCyberConflict
    } else if tally.highest >= Rung::Disruptive {
        // Talks count when they settle the crisis: agreed after its last disruptive act.
        let talks = tally.last_talks_accepted > 0 && tally.last_talks_accepted >= tally.last_disruptive;
        let n = tally.rung_series.len();
        let calm = n >= DE_ESCALATED_TURNS
            && tally.rung_series[n - DE_ESCALATED_TURNS..].iter().all(|&r| r <= Rung::Political);
        if talks || calm { Outcome::DeEscalated } else { Outcome::UnresolvedCrisis }
    } else {
        Outcome::Contained
    }
}

/// Turns at the end of a run that the world must have spent at the political rung or
/// below for a crisis without accepted talks to count as de-escalated.
pub const DE_ESCALATED_TURNS: usize = 2;
