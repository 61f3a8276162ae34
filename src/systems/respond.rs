//! Phase 7: the overt answers chosen this turn — public attribution (alone or jointly
//! with fellow signatories), protests, sanctions, de-escalation — and posture:
//! building capacity and hardening.

use bevy_ecs::prelude::*;
use rand::RngExt;

use super::{escalate_dyad, id, note_hostile};
use crate::model::choice::acceptance_utility;

/// Share of a grievance left after answering it: naming the culprit in public, a
/// protest, sanctions. (Operations in kind leave half, force 0.3: `operate`.)
const SATISFIED_BY_NAMING: f64 = 0.8;
const SATISFIED_BY_PROTEST: f64 = 0.9;
const SATISFIED_BY_SANCTIONS: f64 = 0.6;
/// Share left of a victim's grievance when a third state sanctions its attacker: the
/// collective answer partly substitutes for self-help.
const SATISFIED_BY_OTHERS: f64 = 0.85;
use crate::model::events::{Event, EventKind};
use crate::model::ids::ActorId;
use crate::model::ladder::Rung;
use crate::model::params::Parameters;
use crate::model::state::*;
use crate::scenario::schema::{ActorKind, AllianceKind, Purpose};
use crate::scenario::validated::Scenario;

#[allow(clippy::too_many_arguments)]
pub fn respond(
    clock: Res<Clock>,
    scenario: Res<ScenarioRes>,
    params: Res<Parameters>,
    roster: Res<Roster>,
    orders: Res<Orders>,
    mut rel: ResMut<Relations>,
    mut intel: ResMut<Intel>,
    mut journal: ResMut<Journal>,
    mut tally: ResMut<Tally>,
    mut tt: ResMut<TurnTally>,
    mut rng: ResMut<WorldRng>,
    mut actors: Query<(&ActorInfo, &mut Capability, &Standing)>,
    postures: Query<&Posture>,
) {
    let s: &Scenario = &scenario.0;
    let p = &*params;
    let turn = clock.turn;
    for (i, chosen) in orders.chosen.iter().enumerate() {
        let Some(choice) = chosen else { continue };
        let a = ActorId::from_index(i);
        let act = &s.actions[choice.action.index()];
        if act.is_hostile() || act.purpose == Purpose::Proliferate {
            continue; // carried out in the operate phase
        }
        let signatory = actors.get(roster.actors[i]).map(|(_, _, st)| st.signatory).unwrap_or(false);
        tt.book(a, signatory, act.tier);
        tally.choices_by_action[choice.action.index()] += 1;
        tally.act_rung(signatory, act.rung);
        let name = act.id.clone();
        match (act.purpose, choice.target) {
            (Purpose::BuildCapacity, _) | (Purpose::Harden, _) => {
                if let Ok((_, mut cap, _)) = actors.get_mut(roster.actors[i]) {
                    if act.purpose == Purpose::BuildCapacity {
                        cap.0.offense = (cap.0.offense + p.capacity_step * act.effects.offense_gain).min(1.0);
                    } else {
                        cap.0.defense = (cap.0.defense + p.hardening_step * act.effects.defense_gain).min(1.0);
                    }
                }
                journal.push(|| Event { turn, kind: EventKind::Posture { actor: id(s, a), action: name } });
            }
            (Purpose::PublicAttribution, Target::Case(ci)) => {
                let Some(inv) = intel.investigations.get(ci) else {
                    continue;
                };
                let named = inv.suspect;
                let victim = inv.op.victim;
                let confidence = inv.confidence;
                let named_act = &s.actions[inv.op.action.index()];
                let sponsor = actors
                    .get(roster.actors[inv.op.actor.index()])
                    .ok()
                    .and_then(|(info, ..)| info.sponsor.filter(|_| info.kind == ActorKind::Proxy));
                let correct = inv.is_correct(sponsor);
                let violated = !inv.op.violations.is_empty();
                // Fellow signatories with the means to check the evidence sign on when their
                // own check agrees: likely (their skill) when the claim is right, unlikely
                // (half their lack of skill) when it is wrong.
                let mut joint = Vec::new();
                if signatory && p.joint_attribution > 0.0 {
                    for &e in &roster.actors {
                        if joint.len() == 3 {
                            break;
                        }
                        if let Ok((info, cap, st)) = actors.get(e)
                            && info.id != a
                            && info.id != named
                            && st.signatory
                            && cap.0.attribution >= 0.6
                        {
                            let skill = cap.0.attribution;
                            let agree = if correct { skill } else { 0.5 * (1.0 - skill) };
                            if rng.0.random::<f64>() < agree {
                                joint.push(info.id);
                            }
                        }
                    }
                }
                intel.investigations[ci].public = true;
                tally.attributions_public += 1;
                if named_act.rung < Rung::Destructive {
                    tally.attributions_public_low += 1;
                }
                let n = rel.n;
                tally.named_dyads[victim.index().min(named.index()) * n + victim.index().max(named.index())] = true;
                if !correct {
                    tally.attributions_wrong += 1;
                }
                rel.add_tension(a, named, act.effects.tension);
                rel.add_grievance(named, a, act.effects.grievance);
                // Naming the culprit answers part of the grievance.
                let i = rel.ix(a, named);
                rel.grievance[i] *= SATISFIED_BY_NAMING;
                escalate_dyad(&mut rel, &mut tally, &mut journal, s, turn, a, named, act.rung);
                rel.perceive_both(a, named, act.rung);
                if violated {
                    intel.named_this_turn.push(ci);
                }
                journal.push(|| Event {
                    turn,
                    kind: EventKind::PublicAttribution {
                        by: id(s, victim),
                        named: id(s, named),
                        action: named_act.id.clone(),
                        rung: named_act.rung,
                        joint_with: joint.iter().map(|&j| id(s, j)).collect(),
                        correct,
                        confidence,
                    },
                });
            }
            (Purpose::Protest, Target::Actor(b)) => {
                rel.add_tension(a, b, act.effects.tension);
                rel.add_grievance(b, a, act.effects.grievance);
                let i = rel.ix(a, b);
                rel.grievance[i] *= SATISFIED_BY_PROTEST;
                escalate_dyad(&mut rel, &mut tally, &mut journal, s, turn, a, b, act.rung);
                rel.perceive_both(a, b, act.rung);
                journal.push(|| Event { turn, kind: EventKind::Protest { by: id(s, a), against: id(s, b) } });
            }
            (Purpose::Sanction, Target::Actor(b)) => {
                let ab = rel.ix(a, b);
                rel.sanctions[ab] = true;
                rel.enforcement[ab] = 0.0;
                rel.grievance[ab] *= SATISFIED_BY_SANCTIONS;
                note_hostile(&rel, &mut tally, turn, a, b);
                // Justice done by others: states that b lately hit see it punished.
                let n = rel.n;
                for v in (0..n).filter(|&v| v != a.index() && v != b.index()) {
                    let hit = rel.believed_hit[v * n + b.index()];
                    if hit > 0 && turn - hit <= super::RETALIATION_WINDOW {
                        rel.grievance[v * n + b.index()] *= SATISFIED_BY_OTHERS;
                    }
                }
                rel.add_tension(a, b, p.sanction_tension);
                rel.add_grievance(b, a, act.effects.grievance);
                // A sanctions bloc coordinates: fellow members are pulled to follow suit.
                for al in
                    s.alliances.iter().filter(|al| al.kind == AllianceKind::SanctionsBloc && al.members.contains(&a))
                {
                    for &m in al.members.iter().filter(|&&m| m != a && m != b) {
                        let i = rel.ix(m, b);
                        rel.enforcement[i] += 0.5 * p.enforcement_weight;
                    }
                }
                tally.sanctions += 1;
                tally.per_actor[a.index()].sanctions_imposed += 1;
                tally.per_actor[b.index()].sanctions_suffered += 1;
                escalate_dyad(&mut rel, &mut tally, &mut journal, s, turn, a, b, act.rung);
                rel.perceive_both(a, b, act.rung);
                journal.push(|| Event { turn, kind: EventKind::Sanction { by: id(s, a), against: id(s, b) } });
            }
            (Purpose::Reassure, Target::Actor(b)) => {
                rel.add_tension(a, b, act.effects.tension);
                let ba = rel.ix(b, a);
                rel.grievance[ba] *= 0.85;
                tally.deescalations += 1;
                journal.push(|| Event {
                    turn,
                    kind: EventKind::DeEscalation { by: id(s, a), with: id(s, b), action: name },
                });
            }
            (Purpose::DeEscalate, Target::Actor(b)) => {
                // Talks are an offer: the other side accepts or refuses by the same
                // logit rule, weighing its own grievance against the offerer, the blame
                // it carries and the danger of the crisis as it sees it.
                tally.talks_offered += 1;
                let (ab, ba) = (rel.ix(a, b), rel.ix(b, a));
                let u = postures.get(roster.actors[b.index()]).map_or(p.talks_acceptance, |d| {
                    acceptance_utility(p, &d.0, rel.grievance[ba], rel.grievance[ab], rel.seen_rung[ba])
                });
                let accept = 1.0 / (1.0 + (-u / p.choice_temperature).exp());
                if rng.0.random::<f64>() >= accept {
                    journal
                        .push(|| Event { turn, kind: EventKind::TalksRefused { by: id(s, b), offered_by: id(s, a) } });
                    continue;
                }
                rel.add_tension(a, b, act.effects.tension);
                // Agreed talks lift both sides' sanctions and ease both grievances.
                rel.sanctions[ab] = false;
                rel.sanctions[ba] = false;
                rel.grievance[ab] *= 0.5;
                rel.grievance[ba] *= 0.5;
                let r = rel.rung[ab];
                if r > Rung::StatusQuo {
                    let lower = Rung::from_level(r.level() - 1);
                    rel.rung[ab] = lower;
                    rel.rung[ba] = lower;
                    journal.push(|| Event {
                        turn,
                        kind: EventKind::RungChange { a: id(s, a), b: id(s, b), from: r, to: lower },
                    });
                }
                for i in [ab, ba] {
                    if rel.seen_rung[i] > Rung::StatusQuo {
                        rel.seen_rung[i] = Rung::from_level(rel.seen_rung[i].level() - 1);
                    }
                }
                tally.talks_accepted += 1;
                tally.last_talks_accepted = turn;
                tally.deescalations += 1;
                journal.push(|| Event {
                    turn,
                    kind: EventKind::DeEscalation { by: id(s, a), with: id(s, b), action: name },
                });
            }
            _ => {}
        }
    }
}
