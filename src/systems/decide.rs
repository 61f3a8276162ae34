//! Phase 3: every actor not played by a human picks one option by the logit rule.

use bevy_ecs::prelude::*;

use crate::model::choice::{ActorView, DecisionContext, Scored};
use crate::model::ids::ActorId;
use crate::model::params::Parameters;
use crate::model::state::{
    ActorInfo, Capability, InfraStatus, Intel, Orders, Posture, Relations, Roster, ScenarioRes, Standing, WorldRng,
};

/// Reused buffers, so deciding allocates nothing after the first turn.
#[derive(Default)]
pub struct Scratch {
    views: Vec<ActorView>,
    options: Vec<Scored>,
    targets: Vec<ActorId>,
    weights: Vec<f64>,
}

#[allow(clippy::too_many_arguments)]
pub fn decide(
    scenario: Res<ScenarioRes>,
    params: Res<Parameters>,
    roster: Res<Roster>,
    rel: Res<Relations>,
    intel: Res<Intel>,
    status: Res<InfraStatus>,
    mut orders: ResMut<Orders>,
    mut rng: ResMut<WorldRng>,
    actors: Query<(&ActorInfo, &Capability, &Posture, &Standing)>,
    mut scratch: Local<Scratch>,
) {
    let Scratch { views, options, targets, weights } = &mut *scratch;
    collect_views(&roster, &actors, &status, views);
    let ctx = DecisionContext {
        scenario: &scenario.0,
        params: &params,
        actors: views,
        rel: &rel,
        intel: &intel,
        roster: &roster,
    };
    let orders = &mut *orders;
    for i in 0..views.len() {
        if let Some(Some(human)) = orders.human.get(i) {
            orders.chosen[i] = *human;
            continue;
        }
        ctx.options(ActorId::from_index(i), options, targets);
        orders.chosen[i] = ctx.pick(options, &mut rng.0, weights);
    }
}

/// Snapshot of every actor in id order.
pub fn collect_views(
    roster: &Roster,
    actors: &Query<(&ActorInfo, &Capability, &Posture, &Standing)>,
    status: &InfraStatus,
    out: &mut Vec<ActorView>,
) {
    out.clear();
    for (i, &e) in roster.actors.iter().enumerate() {
        let Ok((info, cap, posture, standing)) = actors.get(e) else {
            continue;
        };
        out.push(ActorView::new(info, cap, posture, standing, status.damaged.get(i).copied().unwrap_or(0.0)));
    }
}
