//! Phase 6: victims detect operations, investigations build confidence, evidence shared
//! among signatories corrects wrong suspects, and belief turns into grievance.
//!
//! The model keeps both truths: `PendingOp::actor` is who did it; `Investigation::suspect`
//! is who the victim believes did it. Responses act on belief only.

use bevy_ecs::prelude::*;
use rand::RngExt;

use super::id;
use crate::model::events::{Event, EventKind};
use crate::model::ids::ActorId;
use crate::model::params::Parameters;
use crate::model::state::*;
use crate::scenario::schema::{ActorKind, AllianceKind};
use crate::scenario::validated::Scenario;

#[allow(clippy::too_many_arguments)]
pub fn attribute(
    clock: Res<Clock>,
    scenario: Res<ScenarioRes>,
    params: Res<Parameters>,
    roster: Res<Roster>,
    mut rel: ResMut<Relations>,
    mut intel: ResMut<Intel>,
    mut journal: ResMut<Journal>,
    mut tally: ResMut<Tally>,
    mut rng: ResMut<WorldRng>,
    status: Res<InfraStatus>,
    actors: Query<(&ActorInfo, &Capability, &Standing)>,
) {
    let s: &Scenario = &scenario.0;
    let p = &*params;
    let turn = clock.turn;
    let rng = &mut rng.0;
    let info = |a: ActorId| actors.get(roster.actors[a.index()]).expect("actor entity");
    let sponsor_of = |a: ActorId| info(a).0.sponsor.filter(|_| info(a).0.kind == ActorKind::Proxy);

    // Detection of operations not yet found.
    let pending = std::mem::take(&mut intel.pending);
    for op in pending {
        let (_, vcap, _) = info(op.victim);
        let chance = p.detection_rate * op.detectability * (0.3 + 0.7 * vcap.0.defense);
        if rng.random::<f64>() < chance {
            let suspect = first_suspect(s, p, &rel, &op, vcap.0.attribution, rng);
            let confidence = 0.1 + 0.2 * vcap.0.attribution;
            let correct = suspect == op.actor || Some(suspect) == sponsor_of(op.actor);
            tally.detected += 1;
            journal.push(|| Event {
                turn,
                kind: EventKind::Detected {
                    victim: id(s, op.victim),
                    asset: s.assets[op.asset.index()].id.clone(),
                    suspect: id(s, suspect),
                    confidence,
                    correct,
                },
            });
            let i = rel.ix(op.victim, suspect);
            rel.suspected_hit[i] = turn;
            intel.investigations.push(Investigation {
                op,
                detected: turn,
                suspect,
                confidence,
                believed: false,
                releasable: false,
                public: false,
            });
        } else if turn.saturating_sub(op.launched) + 1 >= p.detection_window as u32 {
            tally.undetected_expired += 1;
        } else {
            intel.pending.push(op);
        }
    }

    // Investigations: confidence grows, faster with partners sharing evidence.
    let n = s.actors.len();
    for k in 0..intel.investigations.len() {
        let inv = &intel.investigations[k];
        if inv.public && inv.confidence >= 1.0 {
            continue;
        }
        let victim = inv.op.victim;
        let (_, vcap, vst) = info(victim);
        let partners = if p.joint_attribution > 0.0 && vst.signatory {
            evidence_partners(&roster, &actors, victim, inv.suspect, n)
        } else {
            0
        };
        let gain = p.attribution_rate
            * vcap.0.attribution
            * (1.0 + p.joint_attribution_bonus * f64::from(partners))
            * rng.random_range(0.5..1.5);
        let sponsor = sponsor_of(inv.op.actor);
        let inv = &mut intel.investigations[k];
        inv.confidence = (inv.confidence + gain).min(1.0);
        // Shared evidence (or one's own work, slowly) can correct a wrong suspect.
        if !inv.is_correct(sponsor) {
            let fix = (p.evidence_correction * (f64::from(partners) + 0.5 * vcap.0.attribution)).min(0.9);
            if rng.random::<f64>() < fix {
                let from = inv.suspect;
                inv.suspect = inv.op.actor;
                let to = inv.suspect;
                let i = rel.ix(victim, to);
                rel.suspected_hit[i] = turn;
                journal.push(|| Event {
                    turn,
                    kind: EventKind::Corrected { victim: id(s, victim), from: id(s, from), to: id(s, to) },
                });
                if inv.believed {
                    // Belief shifts: the grievance follows the evidence.
                    let g = p.grievance_per_harm * inv.op.harm + p.grievance_per_intrusion;
                    believe_hit(s, p, &mut rel, &inv.op, to, true, turn);
                    rel.add_grievance(victim, to, g);
                    let i = rel.ix(victim, from);
                    rel.grievance[i] = (rel.grievance[i] - g).max(0.0);
                    // Allies who took on the victim's grievance follow the evidence too.
                    let shared = p.alliance_solidarity * p.grievance_per_harm * inv.op.harm;
                    if shared > 0.0 {
                        for al in s.alliances.iter().filter(|al| al.kind == AllianceKind::CollectiveDefense) {
                            if al.members.contains(&victim) {
                                for &m in al.members.iter().filter(|&&m| m != victim && m != from && m != to) {
                                    let j = rel.ix(m, from);
                                    rel.grievance[j] = (rel.grievance[j] - shared).max(0.0);
                                    rel.add_grievance(m, to, shared);
                                }
                            }
                        }
                    }
                }
            }
        }
        // A proxy's cover can be blown: the sponsor behind it becomes the suspect
        // (unless the victim is the sponsor itself, hit by its own proxy's collateral).
        if let Some(sp) = sponsor.filter(|&sp| sp != victim)
            && inv.suspect == inv.op.actor
            && inv.confidence >= p.belief_threshold
            && rng.random::<f64>() < p.proxy_unmask_chance * inv.confidence
        {
            inv.suspect = sp;
            let i = rel.ix(victim, sp);
            rel.suspected_hit[i] = turn;
            journal.push(|| Event {
                turn,
                kind: EventKind::Unmasked { victim: id(s, victim), proxy: id(s, inv.op.actor), sponsor: id(s, sp) },
            });
            if inv.believed {
                believe_hit(s, p, &mut rel, &inv.op, sp, true, turn);
                rel.add_grievance(victim, sp, p.sponsor_blame * p.grievance_per_harm * inv.op.harm);
            }
        }
        if !inv.believed && inv.confidence >= p.belief_threshold {
            inv.believed = true;
            let suspect = inv.suspect;
            let correct = inv.is_correct(sponsor);
            let g = p.grievance_per_harm * inv.op.harm + p.grievance_per_intrusion;
            rel.add_grievance(victim, suspect, g);
            // The operation's tension arrives now, with the belief, not at launch: a
            // victim cannot be wary of an attacker it has not found.
            let act = &s.actions[inv.op.action.index()];
            rel.add_tension(victim, suspect, act.effects.tension + 0.5 * g.min(1.0));
            believe_hit(s, p, &mut rel, &inv.op, suspect, correct, turn);
            if let Some(sp) = sponsor_of(suspect) {
                rel.add_grievance(victim, sp, p.sponsor_blame * g);
            }
            if inv.op.harm > 0.0 {
                for al in &s.alliances {
                    if al.kind == AllianceKind::CollectiveDefense && al.members.contains(&victim) {
                        for &m in al.members.iter().filter(|&&m| m != victim && m != suspect) {
                            rel.add_grievance(m, suspect, p.alliance_solidarity * p.grievance_per_harm * inv.op.harm);
                        }
                    }
                }
            }
            tally.beliefs += 1;
            if !correct {
                tally.beliefs_wrong += 1;
            }
            let delay = turn - inv.op.launched;
            tally.attribution_delay_sum += f64::from(delay);
            tally.attribution_delays[(delay as usize).min(15)] += 1;
            let confidence = inv.confidence;
            journal.push(|| Event {
                turn,
                kind: EventKind::Believed {
                    victim: id(s, victim),
                    suspect: id(s, suspect),
                    action: s.actions[inv.op.action.index()].id.clone(),
                    rung: s.actions[inv.op.action.index()].rung,
                    confidence,
                    correct,
                },
            });
        }
        // Going public needs more than belief: evidence that can be shown without
        // burning sources and methods, shared with partners, through a legal and political
        // review. That case takes months to build (Rid & Buchanan 2015; Egloff 2020): each
        // turn after belief it is ready with chance `disclosure_rate` × attribution skill.
        if inv.believed && !inv.releasable && rng.random::<f64>() < p.disclosure_rate * vcap.0.attribution {
            inv.releasable = true;
        }
    }
    press(p, &mut rel, &status, turn);
}

/// Domestic pressure: while a state's infrastructure is down, its public blames whoever
/// it suspects or believes hit it lately, and the grievance grows with the civilian harm.
fn press(p: &Parameters, rel: &mut Relations, status: &InfraStatus, turn: u32) {
    if p.domestic_pressure <= 0.0 {
        return;
    }
    let n = rel.n;
    for (v, &outage) in status.outage.iter().enumerate() {
        if outage <= 0.0 {
            continue;
        }
        for b in 0..n {
            // The public blames the suspect named in the press, before the case is firm.
            let hit = rel.believed_hit[v * n + b].max(rel.suspected_hit[v * n + b]);
            if hit > 0 && turn - hit <= super::RETALIATION_WINDOW {
                rel.add_grievance(ActorId::from_index(v), ActorId::from_index(b), p.domestic_pressure * outage);
            }
        }
    }
}

/// The victim now believes `suspect` did `op`: it sees the dyad at the operation's rung,
/// opens the retaliation window if the operation did harm or disrupted, and regards a
/// grave destructive operation as an armed attack (Tallinn Manual 2.0, rule 71).
fn believe_hit(
    s: &Scenario,
    p: &Parameters,
    rel: &mut Relations,
    op: &PendingOp,
    suspect: ActorId,
    right: bool,
    turn: u32,
) {
    let rung = s.actions[op.action.index()].rung;
    rel.perceive(op.victim, suspect, rung);
    let i = rel.ix(op.victim, suspect);
    if op.harm > 0.0 || rung >= crate::model::ladder::Rung::Disruptive {
        rel.believed_hit[i] = turn;
        rel.believed_hit_right[i] = right;
    }
    if rung >= crate::model::ladder::Rung::Destructive && op.harm >= p.armed_attack_harm {
        rel.armed_attack[i] = true;
    }
}

/// Below this total tension with states other than the attacker, a victim has no
/// plausible wrong suspect (0.05: the mildest standing rivalry a shipped scenario declares).
const MIN_SUSPECT_TENSION: f64 = 0.05;

/// Whom the victim suspects on detection: the planted flag (if believed), the true
/// actor (with a chance growing with attribution skill), or a wrong rival.
fn first_suspect(
    s: &Scenario,
    p: &Parameters,
    rel: &Relations,
    op: &PendingOp,
    attribution: f64,
    rng: &mut rand_chacha::ChaCha8Rng,
) -> ActorId {
    // A victim is not fooled into suspecting itself (a flag can land on a collateral victim).
    if let Some(flag) = op.apparent.filter(|&f| f != op.victim)
        && rng.random::<f64>() < p.false_flag_success
    {
        return flag;
    }
    if rng.random::<f64>() < p.initial_accuracy * (0.5 + 0.5 * attribution) {
        return op.actor;
    }
    // A wrong guess falls on someone the victim already distrusts, weighted by tension:
    // attribution starts from the political context, and the usual suspects are one's
    // adversaries (Rid & Buchanan 2015). A victim with no other adversary has no one
    // to mistake the attacker for, so its first guess is the attacker.
    let weight = |k: usize| {
        let b = ActorId::from_index(k);
        let eligible = b != op.victim && b != op.actor && s.actors[k].kind == ActorKind::State;
        if eligible { rel.tension(op.victim, b) } else { 0.0 }
    };
    let total: f64 = (0..s.actors.len()).map(weight).sum();
    if total < MIN_SUSPECT_TENSION {
        return op.actor;
    }
    let mut x = rng.random::<f64>() * total;
    for k in 0..s.actors.len() {
        let w = weight(k);
        x -= w;
        if w > 0.0 && x <= 0.0 {
            return ActorId::from_index(k);
        }
    }
    op.actor
}

/// Signatories (and signatory companies) able to share evidence with a victim: at most 4.
/// The suspect itself is not asked, whoever it is.
fn evidence_partners(
    roster: &Roster,
    actors: &Query<(&ActorInfo, &Capability, &Standing)>,
    victim: ActorId,
    culprit: ActorId,
    n: usize,
) -> u32 {
    let mut count = 0;
    for &e in roster.actors.iter().take(n) {
        let Ok((info, cap, st)) = actors.get(e) else {
            continue;
        };
        if info.id != victim && info.id != culprit && st.signatory && cap.0.attribution >= 0.5 {
            count += 1;
            if count == 4 {
                break;
            }
        }
    }
    count
}
