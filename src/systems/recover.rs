//! Phase 9: time heals — infrastructure is repaired, grievance and tension fade, and
//! quiet dyads step down the ladder.

use bevy_ecs::prelude::*;

use super::id;
use crate::model::events::{Event, EventKind};
use crate::model::ids::ActorId;
use crate::model::ladder::Rung;
use crate::model::params::Parameters;
use crate::model::state::*;

#[allow(clippy::too_many_arguments)]
pub fn recover(
    clock: Res<Clock>,
    scenario: Res<ScenarioRes>,
    params: Res<Parameters>,
    roster: Res<Roster>,
    mut rel: ResMut<Relations>,
    mut journal: ResMut<Journal>,
    mut assets: Query<(&Infra, &mut Health)>,
    mut actors: Query<&mut Capability>,
) {
    let s = &scenario.0;
    let p = &*params;
    let turn = clock.turn;
    for (k, asset) in s.assets.iter().enumerate() {
        let Ok((_, mut h)) = assets.get_mut(roster.assets[k]) else {
            continue;
        };
        if h.intrinsic < 1.0 {
            let resilience = actors.get(roster.actors[asset.owner.index()]).map(|c| c.0.resilience).unwrap_or(0.5);
            h.intrinsic = (h.intrinsic + asset.recovery * (0.5 + 0.5 * resilience)).min(1.0);
        }
    }
    let rel = &mut *rel;
    let keep = 1.0 - p.grievance_decay;
    rel.grievance.iter_mut().for_each(|g| *g *= keep);
    rel.enforcement.iter_mut().for_each(|g| *g *= keep);
    for (t, st) in rel.tension.iter_mut().zip(&rel.standing) {
        *t = st + (*t - st) * (1.0 - p.tension_decay);
    }
    let n = rel.n;
    // Sanctions bite: each state sanctioning an actor erodes its offensive means.
    if p.sanction_cost > 0.0 {
        for b in 0..n {
            let k = (0..n).filter(|&a| rel.sanctions[a * n + b]).count();
            if k > 0
                && let Ok(mut cap) = actors.get_mut(roster.actors[b])
            {
                cap.0.offense = (cap.0.offense - p.sanction_cost * k as f64).max(0.0);
            }
        }
    }
    let calm = p.calm_turns_to_step_down as u32;
    // Each side's view of a dyad calms the same way as the truth, on its own clock.
    for i in 0..n * n {
        rel.seen_quiet[i] += 1;
        if rel.seen_rung[i] > Rung::StatusQuo && rel.seen_quiet[i] > calm {
            rel.seen_rung[i] = Rung::from_level(rel.seen_rung[i].level() - 1);
            rel.seen_quiet[i] = 0;
        }
    }
    for a in 0..n {
        for b in (a + 1)..n {
            let (i, j) = (a * n + b, b * n + a);
            rel.quiet[i] += 1;
            rel.quiet[j] = rel.quiet[i];
            if rel.rung[i] > Rung::StatusQuo && rel.quiet[i] > calm {
                let from = rel.rung[i];
                let to = Rung::from_level(from.level() - 1);
                rel.rung[i] = to;
                rel.rung[j] = to;
                rel.quiet[i] = 0;
                rel.quiet[j] = 0;
                let (x, y) = (ActorId::from_index(a), ActorId::from_index(b));
                journal.push(|| Event { turn, kind: EventKind::RungChange { a: id(s, x), b: id(s, y), from, to } });
            }
        }
    }
}
