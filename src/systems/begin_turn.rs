//! Phase 1: advance the clock, refresh who is bound by which norms, clear last turn's scratch.

use bevy_ecs::prelude::*;

use crate::model::state::{Clock, Intel, Orders, ScenarioRes, Standing, TurnTally, refresh_standing};

pub fn begin_turn(
    mut clock: ResMut<Clock>,
    scenario: Res<ScenarioRes>,
    mut standings: Query<&mut Standing>,
    mut orders: ResMut<Orders>,
    mut tally: ResMut<TurnTally>,
    mut intel: ResMut<Intel>,
) {
    clock.turn += 1;
    let turn = clock.turn;
    for mut s in &mut standings {
        refresh_standing(&mut s, &scenario.0, turn);
    }
    orders.chosen.iter_mut().for_each(|c| *c = None);
    orders.scripted.clear();
    *tally = TurnTally::default();
    intel.named_this_turn.clear();
}
