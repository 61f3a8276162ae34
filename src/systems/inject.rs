//! Phase 2: scripted events of this turn — operations with planted evidence, states
//! joining or leaving a norm set, parameter changes, intelligence reports.

use bevy_ecs::prelude::*;

use super::id;
use crate::model::events::{Event, EventKind};
use crate::model::params::Parameters;
use crate::model::state::{
    Choice, Clock, Journal, Orders, Posture, Relations, Roster, ScenarioRes, Standing, Target, refresh_standing,
};
use crate::scenario::validated::InjectKind;

#[allow(clippy::too_many_arguments)]
pub fn inject(
    clock: Res<Clock>,
    scenario: Res<ScenarioRes>,
    roster: Res<Roster>,
    mut params: ResMut<Parameters>,
    mut rel: ResMut<Relations>,
    mut orders: ResMut<Orders>,
    mut journal: ResMut<Journal>,
    mut actors: Query<(&mut Standing, &mut Posture)>,
) {
    let s = &scenario.0;
    let turn = clock.turn;
    // Injects are sorted by turn: find this turn's slice.
    let start = s.injects.partition_point(|i| i.turn < turn);
    for inj in s.injects[start..].iter().take_while(|i| i.turn == turn) {
        if !inj.report.is_empty() {
            journal.push(|| Event { turn, kind: EventKind::Inject { report: inj.report.clone() } });
        }
        match &inj.event {
            InjectKind::Operation { actor, action, target, apparent } => {
                orders.scripted.push((*actor, Choice { action: *action, target: Target::Asset(*target) }, *apparent));
            }
            InjectKind::Commit { actor, set } | InjectKind::Withdraw { actor, set } => {
                let joined = matches!(inj.event, InjectKind::Commit { .. });
                if let Ok((mut standing, _)) = actors.get_mut(roster.actors[actor.index()]) {
                    standing.commitments.retain(|(x, _)| x != set);
                    if joined {
                        standing.commitments.push((*set, turn));
                    }
                    refresh_standing(&mut standing, s, turn);
                }
                journal.push(|| Event {
                    turn,
                    kind: EventKind::Commitment {
                        actor: id(s, *actor),
                        norm_set: s.norm_sets[set.index()].id.clone(),
                        joined,
                    },
                });
            }
            InjectKind::SetParameter { name, value } => {
                params.set(name, *value);
                journal
                    .push(|| Event { turn, kind: EventKind::ParameterChanged { name: name.clone(), value: *value } });
            }
            InjectKind::SetDoctrine { actor, field, value } => {
                if let Ok((_, mut posture)) = actors.get_mut(roster.actors[actor.index()]) {
                    posture.0.set(field, *value);
                }
                journal.push(|| Event {
                    turn,
                    kind: EventKind::DoctrineChanged { actor: id(s, *actor), field: field.clone(), value: *value },
                });
            }
            InjectKind::SetTension { a, b, value } => {
                let (i, j) = (rel.ix(*a, *b), rel.ix(*b, *a));
                for k in [i, j] {
                    rel.standing[k] = *value;
                    rel.tension[k] = *value;
                }
                journal.push(|| Event {
                    turn,
                    kind: EventKind::TensionChanged { a: id(s, *a), b: id(s, *b), value: *value },
                });
            }
            InjectKind::Report => {}
        }
    }
}
