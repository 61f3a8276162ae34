//! Phase 4: carry out operations — scripted ones first, then those chosen this turn,
//! in actor order: damage, collateral spread, norm violations, and the covert record
//! that victims may later detect. Armed force is overt and answered in kind.

use bevy_ecs::prelude::*;
use rand::RngExt;

use super::{escalate_dyad, id, note_hostile};
use crate::model::events::{Event, EventKind};
use crate::model::ids::{ActionId, ActorId, AssetId};
use crate::model::ladder::Rung;
use crate::model::params::Parameters;
use crate::model::state::*;
use crate::scenario::schema::{ActorKind, AllianceKind, Purpose};
use crate::scenario::validated::Scenario;

#[allow(clippy::too_many_arguments)]
pub fn operate(
    clock: Res<Clock>,
    scenario: Res<ScenarioRes>,
    params: Res<Parameters>,
    roster: Res<Roster>,
    orders: Res<Orders>,
    mut rel: ResMut<Relations>,
    mut intel: ResMut<Intel>,
    mut journal: ResMut<Journal>,
    mut tally: ResMut<Tally>,
    mut turn_tally: ResMut<TurnTally>,
    mut rng: ResMut<WorldRng>,
    mut actors: ActorQ,
    mut assets: Query<&mut Health>,
) {
    let s: &Scenario = &scenario.0;
    let mut w = World_ {
        s,
        p: &params,
        turn: clock.turn,
        roster: &roster,
        rel: &mut rel,
        intel: &mut intel,
        journal: &mut journal,
        tally: &mut tally,
        tt: &mut turn_tally,
        rng: &mut rng.0,
    };
    for &(actor, choice, apparent) in &orders.scripted {
        if let Target::Asset(asset) = choice.target {
            w.infrastructure_op(&mut actors, &mut assets, actor, choice.action, asset, apparent, true);
        }
    }
    for (i, chosen) in orders.chosen.iter().enumerate() {
        let Some(choice) = chosen else { continue };
        let a = ActorId::from_index(i);
        let act = &s.actions[choice.action.index()];
        match (act.purpose, choice.target) {
            (Purpose::Operation, Target::Asset(asset)) => {
                w.infrastructure_op(&mut actors, &mut assets, a, choice.action, asset, None, false);
            }
            (Purpose::Force, Target::Actor(b)) => w.force(&mut actors, &mut assets, a, choice.action, b),
            (Purpose::Proliferate, _) => w.proliferate(&mut actors, a, choice.action),
            _ => {}
        }
    }
}

/// The state one operation touches, bundled to keep signatures short.
struct World_<'a> {
    s: &'a Scenario,
    p: &'a Parameters,
    turn: u32,
    roster: &'a Roster,
    rel: &'a mut Relations,
    intel: &'a mut Intel,
    journal: &'a mut Journal,
    tally: &'a mut Tally,
    tt: &'a mut TurnTally,
    rng: &'a mut rand_chacha::ChaCha8Rng,
}

type ActorQ<'w, 's> = Query<'w, 's, (&'static ActorInfo, &'static mut Capability, &'static Standing)>;

impl World_<'_> {
    fn standing(&self, actors: &ActorQ, a: ActorId) -> (bool, crate::model::ids::PrincipleMask, f64, f64) {
        let (_, cap, st) = actors.get(self.roster.actors[a.index()]).expect("actor entity");
        (st.signatory, st.bound, cap.0.offense, cap.0.defense)
    }

    fn count_action(&mut self, actors: &ActorQ, a: ActorId, action: ActionId) {
        let act = &self.s.actions[action.index()];
        let (signatory, ..) = self.standing(actors, a);
        self.tt.book(a, signatory, act.tier);
        self.tally.choices_by_action[action.index()] += 1;
        self.tally.act_rung(signatory, act.rung);
    }

    #[allow(clippy::too_many_arguments)]
    fn infrastructure_op(
        &mut self,
        actors: &mut ActorQ,
        assets: &mut Query<&mut Health>,
        a: ActorId,
        action: ActionId,
        asset: AssetId,
        apparent: Option<ActorId>,
        scripted: bool,
    ) {
        let s = self.s;
        let act = &s.actions[action.index()];
        let target = &s.assets[asset.index()];
        let b = target.owner;
        let (signatory, bound, offense, _) = self.standing(actors, a);
        let (_, _, _, defense) = self.standing(actors, b);
        self.count_action(actors, a, action);
        self.tally.ops_by_action[action.index()] += 1;
        self.tt.hostile_ops += 1;
        if act.rung >= Rung::Disruptive {
            self.tt.disruptive_or_worse += 1;
        }
        let damage = self.damage(act.effects.damage, offense, target.exposure, defense);
        let dealt = self.hit(assets, asset, damage);
        self.tally.per_actor[a.index()].ops_launched += 1;
        self.tally.per_actor[b.index()].ops_suffered += 1;
        // The dyad is the victim and the state behind the operation (a proxy's sponsor).
        let principal = self.principal(actors, a);
        let (lo, hi) = (principal.index().min(b.index()), principal.index().max(b.index()));
        let n = self.rel.n;
        self.tally.cyber_dyads[lo * n + hi] = true;
        if act.rung >= Rung::Disruptive {
            self.tally.disruptive_ops_by_sector[target.sector.index()] += 1;
            let d = lo * n + hi;
            self.tally.disruptive_dyads[d] = true;
            if self.tally.dyad_last_disruptive[d] != self.turn {
                self.tally.dyad_last_disruptive[d] = self.turn;
                self.tally.dyad_disruptive_turns[d] += 1;
                self.tally.sustained_turns = self.tally.sustained_turns.max(self.tally.dyad_disruptive_turns[d]);
            }
        }
        let turn = self.turn;
        self.journal.push(|| Event {
            turn,
            kind: EventKind::Operation {
                actor: id(s, a),
                action: act.id.clone(),
                target: id(s, b),
                asset: target.id.clone(),
                sector: target.sector.slug().into(),
                damage: round3(dealt),
                apparent: apparent.map(|x| id(s, x)),
                rung: act.rung,
                scripted,
            },
        });
        let violations = act.violations(Some(target.sector));
        self.record_violations(a, Some(b), violations, bound, signatory);
        // Covert: tension rises only when the victim comes to believe who did it
        // (attribute phase). Only the attacker's side sees the dyad move now.
        escalate_dyad(self.rel, self.tally, self.journal, s, turn, a, b, act.rung);
        self.rel.perceive(a, b, act.rung);
        if principal != a {
            self.rel.perceive(principal, b, act.rung);
        }
        if act.rung >= Rung::Disruptive {
            note_hostile(self.rel, self.tally, turn, principal, b);
        }
        // Answering a grievance in kind satisfies part of it.
        if dealt > 0.0 {
            let i = self.rel.ix(principal, b);
            self.rel.grievance[i] *= 0.5;
        }
        self.intel.pending.push(PendingOp {
            victim: b,
            actor: a,
            apparent,
            action,
            asset,
            launched: turn,
            harm: self.harm(dealt, target.criticality, target.sector),
            violations,
            detectability: act.detectability,
        });
        // Collateral: the payload spreads to same-sector assets of third parties.
        if act.effects.spread > 0.0 {
            for (k, other) in s.assets.iter().enumerate() {
                if other.sector != target.sector || other.owner == a || other.owner == b {
                    continue;
                }
                if self.rng.random::<f64>() >= act.effects.spread * other.exposure {
                    continue;
                }
                let victim = other.owner;
                let (_, _, _, vdef) = self.standing(actors, victim);
                let dmg = 0.5 * self.damage(act.effects.damage, offense, other.exposure, vdef);
                let dealt = self.hit(assets, AssetId::from_index(k), dmg);
                self.tally.per_actor[victim.index()].ops_suffered += 1;
                self.journal.push(|| Event {
                    turn,
                    kind: EventKind::Collateral {
                        actor: id(s, a),
                        action: act.id.clone(),
                        owner: id(s, victim),
                        asset: other.id.clone(),
                        damage: round3(dealt),
                    },
                });
                escalate_dyad(self.rel, self.tally, self.journal, s, turn, a, victim, act.rung);
                self.intel.pending.push(PendingOp {
                    victim,
                    actor: a,
                    apparent,
                    action,
                    asset: AssetId::from_index(k),
                    launched: turn,
                    harm: self.harm(dealt, other.criticality, other.sector),
                    violations,
                    detectability: act.detectability,
                });
            }
        }
    }

    fn force(
        &mut self,
        actors: &mut ActorQ,
        assets: &mut Query<&mut Health>,
        a: ActorId,
        action: ActionId,
        b: ActorId,
    ) {
        let s = self.s;
        let act = &s.actions[action.index()];
        let (signatory, bound, offense, _) = self.standing(actors, a);
        let (_, _, _, defense) = self.standing(actors, b);
        self.count_action(actors, a, action);
        self.tt.hostile_ops += 1;
        self.tt.disruptive_or_worse += 1;
        self.tally.force_uses += 1;
        self.tally.per_actor[a.index()].strikes += 1;
        self.tally.first_force.get_or_insert(self.turn);
        let mut total = 0.0;
        for (k, asset) in s.assets.iter().enumerate() {
            if asset.owner == b {
                // Strikes are not stopped by cyber defence, nor aimed at exposure.
                let dmg = act.effects.damage * self.p.damage_scale * (0.4 + 0.6 * offense) * asset.criticality;
                total += self.hit(assets, AssetId::from_index(k), dmg) * asset.criticality;
            }
        }
        let _ = defense;
        let turn = self.turn;
        self.journal
            .push(|| Event { turn, kind: EventKind::Force { by: id(s, a), against: id(s, b), damage: round3(total) } });
        self.record_violations(a, Some(b), act.violates, bound, signatory);
        note_hostile(self.rel, self.tally, turn, a, b);
        self.rel.add_tension(a, b, act.effects.tension);
        self.rel.add_grievance(b, a, act.effects.grievance);
        let ba = self.rel.ix(b, a);
        self.rel.force_suffered[ba] = true;
        self.rel.believed_hit[ba] = turn;
        self.rel.believed_hit_right[ba] = true;
        self.rel.perceive_both(a, b, act.rung);
        let ab = self.rel.ix(a, b);
        self.rel.grievance[ab] *= 0.3;
        escalate_dyad(self.rel, self.tally, self.journal, s, turn, a, b, act.rung);
        // Collective defence: an armed attack on one is an attack on all.
        for al in &s.alliances {
            if al.kind == AllianceKind::CollectiveDefense && al.members.contains(&b) && !al.members.contains(&a) {
                for &m in &al.members {
                    if m != b {
                        self.rel.add_grievance(m, a, self.p.alliance_solidarity * act.effects.grievance);
                        let i = self.rel.ix(m, a);
                        self.rel.force_suffered[i] = true;
                    }
                }
            }
        }
        self.tally.per_actor[a.index()].ops_launched += 1;
        self.tally.per_actor[b.index()].ops_suffered += 1;
    }

    fn proliferate(&mut self, actors: &mut ActorQ, a: ActorId, action: ActionId) {
        let s = self.s;
        let act = &s.actions[action.index()];
        let (signatory, bound, ..) = self.standing(actors, a);
        self.count_action(actors, a, action);
        // Leaked tools arm every proxy and criminal group in the world.
        for &e in &self.roster.actors {
            if let Ok((info, mut cap, _)) = actors.get_mut(e)
                && info.kind == ActorKind::Proxy
                && info.id != a
            {
                cap.0.offense = (cap.0.offense + act.effects.offense_gain).min(1.0);
            }
        }
        let turn = self.turn;
        self.journal.push(|| Event { turn, kind: EventKind::Proliferation { actor: id(s, a) } });
        self.record_violations(a, None, act.violates, bound, signatory);
    }

    fn principal(&self, actors: &ActorQ, a: ActorId) -> ActorId {
        let (info, ..) = actors.get(self.roster.actors[a.index()]).expect("actor entity");
        match (info.kind, info.sponsor) {
            (ActorKind::State, _) | (_, None) => a,
            (_, Some(s)) => s,
        }
    }

    /// Harm to the victim of health lost: weighted by criticality and by how much
    /// the sector's loss falls on civilians (hospitals, grids, water).
    fn harm(&self, dealt: f64, criticality: f64, sector: crate::model::sector::Sector) -> f64 {
        dealt * criticality * (1.0 + self.p.civilian_harm_weight * sector.civilian_weight())
    }

    fn damage(&self, base: f64, offense: f64, exposure: f64, defense: f64) -> f64 {
        base * self.p.damage_scale
            * (0.4 + 0.6 * offense)
            * (0.5 + 0.5 * exposure)
            * (1.0 - defense * self.p.defense_mitigation)
    }

    /// Removes health from an asset; returns what was actually lost.
    fn hit(&mut self, assets: &mut Query<&mut Health>, asset: AssetId, damage: f64) -> f64 {
        let mut h = assets.get_mut(self.roster.assets[asset.index()]).expect("asset entity");
        let before = h.intrinsic;
        h.intrinsic = (h.intrinsic - damage).max(0.0);
        before - h.intrinsic
    }

    fn record_violations(
        &mut self,
        a: ActorId,
        victim: Option<ActorId>,
        mask: crate::model::ids::PrincipleMask,
        bound: crate::model::ids::PrincipleMask,
        signatory: bool,
    ) {
        let s = self.s;
        let turn = self.turn;
        for p in mask.iter() {
            let is_bound = bound.contains(p);
            if is_bound {
                self.tally.violations_bound[p.index()] += 1;
                self.tally.per_actor[a.index()].violations_bound += 1;
            } else {
                self.tally.violations_unbound[p.index()] += 1;
            }
            // Group counts use the reference set (the Paris Call) only, so that one act
            // breaking overlapping norms of several sets is counted once.
            if Some(s.principles[p.index()].set) == s.reference_set {
                self.tally.per_actor[a.index()].violations_reference += 1;
                if signatory {
                    self.tally.violations_by_signatories += 1;
                } else {
                    self.tally.violations_by_others += 1;
                }
            }
            self.tally.per_actor[a.index()].violations += 1;
            self.journal.push(|| Event {
                turn,
                kind: EventKind::Violation {
                    actor: id(s, a),
                    principle: s.principles[p.index()].key.clone(),
                    victim: victim.map(|v| id(s, v)),
                    bound: is_bound,
                },
            });
        }
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
