//! Phase 5: damage cascades along the dependency graph (grid down degrades hospitals,
//! ATC, banks, telecom); assets below the threshold count as down.

use bevy_ecs::prelude::*;

use super::id;
use crate::model::events::{Event, EventKind};
use crate::model::params::Parameters;
use crate::model::state::{Clock, Health, InfraStatus, Journal, Roster, ScenarioRes, Standing, Tally};

#[allow(clippy::too_many_arguments)]
pub fn cascade(
    clock: Res<Clock>,
    scenario: Res<ScenarioRes>,
    params: Res<Parameters>,
    roster: Res<Roster>,
    mut assets: Query<&mut Health>,
    standings: Query<&Standing>,
    mut status: ResMut<InfraStatus>,
    mut tally: ResMut<Tally>,
    mut journal: ResMut<Journal>,
    mut effective: Local<Vec<f64>>,
) {
    let s = &scenario.0;
    let turn = clock.turn;
    // Effective health in topological order: providers are final before dependents read them.
    effective.clear();
    effective.resize(s.assets.len(), 1.0);
    let mut dep = s.dependencies.iter().peekable();
    for &a in &s.asset_order {
        let h = assets.get(roster.assets[a.index()]).map(|h| h.intrinsic).unwrap_or(1.0);
        let mut eff = h;
        // Dependencies are sorted by the dependent's position in `asset_order`.
        while let Some(d) = dep.peek() {
            if d.dependent != a {
                break;
            }
            eff *= 1.0 - d.strength * (1.0 - effective[d.provider.index()]);
            dep.next();
        }
        effective[a.index()] = eff;
    }
    status.damaged.iter_mut().for_each(|d| *d = 0.0);
    status.outage.iter_mut().for_each(|d| *d = 0.0);
    let mut crit_total = vec![0.0; s.actors.len()];
    for (k, asset) in s.assets.iter().enumerate() {
        let Ok(mut h) = assets.get_mut(roster.assets[k]) else {
            continue;
        };
        let eff = effective[k];
        h.effective = eff;
        let owner = asset.owner.index();
        crit_total[owner] += asset.criticality;
        status.damaged[owner] += asset.criticality * (1.0 - eff);
        tally.civilian_harm += (1.0 - eff) * asset.criticality * asset.sector.civilian_weight();
        let down = eff < params.down_threshold;
        if down {
            status.outage[owner] += (1.0 - eff) * asset.criticality * asset.sector.civilian_weight();
            tally.downtime_by_sector[asset.sector.index()] += 1.0;
            tally.per_actor[owner].downtime += 1.0;
            let signatory = standings.get(roster.actors[owner]).map(|s| s.signatory).unwrap_or(false);
            if signatory {
                tally.downtime_signatories += 1.0;
            } else {
                tally.downtime_others += 1.0;
            }
        }
        if down != h.down {
            h.down = down;
            let (o, a, sec) = (id(s, asset.owner), asset.id.clone(), asset.sector.slug().to_string());
            journal.push(|| Event {
                turn,
                kind: if down {
                    EventKind::AssetDown { owner: o, asset: a, sector: sec }
                } else {
                    EventKind::AssetRestored { owner: o, asset: a, sector: sec }
                },
            });
        }
    }
    for (d, c) in status.damaged.iter_mut().zip(crit_total) {
        if c > 0.0 {
            *d /= c;
        }
    }
}
