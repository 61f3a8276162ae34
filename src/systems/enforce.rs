//! Phase 8: norm enforcement among signatories. A public naming of a norm violation
//! costs a committed violator reputation and pulls signatories toward sanctions; and,
//! after Axelrod's metanorms, signatories that do not join the response are leaned on
//! by those that do.

use bevy_ecs::prelude::*;

use super::id;
use crate::model::events::{Event, EventKind};
use crate::model::params::Parameters;
use crate::model::state::*;
use crate::scenario::schema::ActorKind;

/// Turns an enforcement case stays open.
const CASE_TURNS: u32 = 4;

#[allow(clippy::too_many_arguments)]
pub fn enforce(
    clock: Res<Clock>,
    scenario: Res<ScenarioRes>,
    params: Res<Parameters>,
    roster: Res<Roster>,
    mut rel: ResMut<Relations>,
    mut intel: ResMut<Intel>,
    mut journal: ResMut<Journal>,
    mut actors: Query<(&ActorInfo, &mut Standing)>,
) {
    let s = &scenario.0;
    let p = &*params;
    let turn = clock.turn;
    let named = std::mem::take(&mut intel.named_this_turn);
    for &ci in &named {
        let inv = &intel.investigations[ci];
        let (violator, victim, mask) = (inv.suspect, inv.op.victim, inv.op.violations);
        if let Ok((_, mut st)) = actors.get_mut(roster.actors[violator.index()])
            && !mask.and(st.bound).is_empty()
        {
            st.reputation = (st.reputation - p.reputation_loss).max(0.0);
        }
        let victim_signatory = actors.get(roster.actors[victim.index()]).map(|(_, st)| st.signatory).unwrap_or(false);
        let weight = if victim_signatory { 1.0 } else { 0.5 };
        for &e in &roster.actors {
            let Ok((info, st)) = actors.get(e) else {
                continue;
            };
            if info.kind == ActorKind::State && info.id != violator && !mask.and(st.bound).is_empty() {
                let i = rel.ix(info.id, violator);
                rel.enforcement[i] += p.enforcement_weight * weight;
            }
        }
        intel.cases.push(EnforcementCase { violator, victim, turns_left: CASE_TURNS });
    }
    intel.named_this_turn = named;

    // Metanorms: enforcers lean on signatories that stand aside.
    let mut cases = std::mem::take(&mut intel.cases);
    for case in &mut cases {
        let mut enforcers = 0u32;
        for &e in &roster.actors {
            if let Ok((info, st)) = actors.get(e)
                && st.signatory
                && rel.sanctions[rel.ix(info.id, case.violator)]
            {
                enforcers += 1;
            }
        }
        if enforcers > 0 {
            for &e in &roster.actors {
                let Ok((info, st)) = actors.get(e) else {
                    continue;
                };
                let i = rel.ix(info.id, case.violator);
                if info.kind == ActorKind::State && st.signatory && info.id != case.violator && !rel.sanctions[i] {
                    rel.enforcement[i] += p.metanorm_pressure * f64::from(enforcers);
                    if case.turns_left == 1 {
                        journal.push(|| Event {
                            turn,
                            kind: EventKind::Enforcement {
                                by: format!("{enforcers} signatories"),
                                on: id(s, info.id),
                                violator: id(s, case.violator),
                            },
                        });
                    }
                }
            }
        }
        case.turns_left -= 1;
    }
    cases.retain(|c| c.turns_left > 0);
    intel.cases = cases;

    for (_, mut st) in &mut actors {
        st.reputation = (st.reputation + p.reputation_recovery).min(1.0);
    }
}
