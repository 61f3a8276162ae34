//! The decision rule: which options an actor has, what each is worth to it, and a
//! logit (quantal response) choice among them.
//!
//! Kept free of ECS types so that the decide system, the interactive exercise (which
//! shows humans the same menu) and the tests all use one definition.

use rand::RngExt;

use super::ids::{ActionId, ActorId, PrincipleMask};
use super::ladder::Rung;
use super::params::Parameters;
use super::state::{ActorInfo, Capability, Choice, Intel, Posture, Relations, Roster, Standing, Target};
use crate::scenario::schema::{ActorKind, Purpose, Targeting};
use crate::scenario::validated::{Capabilities, Doctrine, Scenario};

/// What the decision rule needs to know about one actor this turn.
#[derive(Debug, Clone, Copy)]
pub struct ActorView {
    pub id: ActorId,
    pub kind: ActorKind,
    pub sponsor: Option<ActorId>,
    pub cap: Capabilities,
    pub doctrine: Doctrine,
    pub bound: PrincipleMask,
    pub reaffirmed: PrincipleMask,
    pub reputation: f64,
    /// Share of its infrastructure's criticality currently lost, 0..=1.
    pub damaged: f64,
}

impl ActorView {
    /// The view of an actor from its components; `damaged` from the last cascade.
    pub fn new(info: &ActorInfo, cap: &Capability, posture: &Posture, standing: &Standing, damaged: f64) -> Self {
        ActorView {
            id: info.id,
            kind: info.kind,
            sponsor: info.sponsor,
            cap: cap.0,
            doctrine: posture.0,
            bound: standing.bound,
            reaffirmed: standing.reaffirmed,
            reputation: standing.reputation,
            damaged,
        }
    }
}

/// Everything the decision rule reads.
pub struct DecisionContext<'a> {
    pub scenario: &'a Scenario,
    pub params: &'a Parameters,
    pub actors: &'a [ActorView],
    pub rel: &'a Relations,
    pub intel: &'a Intel,
    pub roster: &'a Roster,
}

/// One option with its utility.
#[derive(Debug, Clone, Copy)]
pub struct Scored {
    pub choice: Option<Choice>,
    pub utility: f64,
}

/// Investigations an actor may publicly attribute: believed, not yet public, its own.
/// Only the most recent few, so old cases do not crowd the menu.
const MAX_CASES_ON_MENU: usize = 3;

/// Tension, grievance or enforcement pull above which a state is on an actor's mind.
pub const ATTENTION_FLOOR: f64 = 0.01;

/// The utility of accepting talks another state offers, against 0 for refusing (drawn
/// by the logit rule at the choice temperature). The side's own grievance toward the
/// offerer weighs against; the blame it carries itself, and the danger of the crisis
/// for a risk-averse state, weigh for.
pub fn acceptance_utility(
    p: &Parameters,
    doctrine: &Doctrine,
    grievance_toward_offerer: f64,
    blamed_by_offerer: f64,
    seen: Rung,
) -> f64 {
    p.talks_acceptance - p.grievance_weight * grievance_toward_offerer * doctrine.retaliation
        + 0.5 * blamed_by_offerer
        + TALKS_DANGER * (1.0 - doctrine.risk_tolerance) * f64::from(seen.level())
}

/// Weight of the danger of a crisis (the seen rung's level, for a risk-averse actor) in
/// offering and accepting talks.
const TALKS_DANGER: f64 = 0.15;

impl DecisionContext<'_> {
    /// The actor whose motives drive `a`: its sponsor for proxies and companies.
    fn principal(&self, a: &ActorView) -> ActorId {
        match (a.kind, a.sponsor) {
            (ActorKind::Proxy | ActorKind::Company, Some(s)) => s,
            _ => a.id,
        }
    }

    /// Actors `a` pays attention to: those its principal has tension, grievance or
    /// enforcement pressure toward. Companies only look at those who wronged their home.
    /// The thresholds are above zero because decay is geometric and never reaches it.
    fn attention(&self, a: &ActorView, out: &mut Vec<ActorId>) {
        out.clear();
        let p = self.principal(a);
        for b in self.actors {
            if b.id == a.id || b.id == p || b.kind != ActorKind::State {
                continue;
            }
            let i = self.rel.ix(p, b.id);
            let interested = match a.kind {
                ActorKind::Company => self.rel.grievance[i] > 0.05,
                _ => {
                    self.rel.tension[i] > ATTENTION_FLOOR
                        || self.rel.grievance[i] > ATTENTION_FLOOR
                        || self.rel.enforcement[i] > ATTENTION_FLOOR
                }
            };
            if interested {
                out.push(b.id);
            }
        }
    }

    /// Principles of `mask` that bind the actor, priced; a reaffirmed principle counts
    /// twice. `grievance` toward the target bends the cost of the norms of cyberspace
    /// (a provoked state breaks them more readily); `excused` is the share of the
    /// Charter's cost that self-defence excuses.
    fn norm_cost(&self, a: &ActorView, mask: PrincipleMask, grievance: f64, excused: f64) -> f64 {
        let bound = mask.and(a.bound);
        if bound.is_empty() {
            return 0.0;
        }
        let weight = |m: PrincipleMask| f64::from(m.count()) + f64::from(m.and(a.reaffirmed).count());
        let charter = bound.and(self.scenario.charter);
        let other = PrincipleMask(bound.0 & !charter.0);
        // Self-defence excuses the Charter's own cost. A state that has reaffirmed that
        // the Charter governs cyberspace (a Paris Call signatory) keeps its second
        // unit unless it was struck by force: claiming self-defence against cyber
        // harm is what its commitment disowns.
        let reaffirmed = if excused < 1.0 { f64::from(charter.and(a.reaffirmed).count()) } else { 0.0 };
        let p = self.params;
        // Grievance bends every commitment: a provoked state breaks them more readily.
        let units = weight(other) + (1.0 - excused) * f64::from(charter.count()) + reaffirmed;
        units * p.norm_violation_cost * (1.0 + p.reputation_weight * a.reputation)
            / (1.0 + p.provocation_discount * grievance.max(0.0))
    }

    fn uphold_bonus(&self, a: &ActorView, mask: PrincipleMask) -> f64 {
        f64::from(mask.and(a.bound).count()) * self.params.norm_uphold_bonus
    }

    fn max_tension(&self, a: ActorId) -> f64 {
        let n = self.rel.n;
        self.rel.tension[a.index() * n..(a.index() + 1) * n].iter().copied().fold(0.0, f64::max)
    }

    /// Lists every option of actor `a` with its utility, status quo first.
    pub fn options(&self, a: ActorId, out: &mut Vec<Scored>, scratch: &mut Vec<ActorId>) {
        out.clear();
        let me = &self.actors[a.index()];
        let p = self.params;
        out.push(Scored { choice: None, utility: p.status_quo_utility });
        self.attention(me, scratch);
        let principal = self.principal(me);
        for (k, act) in self.scenario.actions.iter().enumerate() {
            if !act.usable_by(me.kind) {
                continue;
            }
            let action = ActionId::from_index(k);
            let tier_w = act.tier.weight().max(0.0);
            let restraint = p.restraint_cost * tier_w * me.doctrine.restraint;
            let base = act.appeal - restraint + self.uphold_bonus(me, act.upholds);
            match act.targeting {
                Targeting::Own => {
                    let u = match act.purpose {
                        Purpose::BuildCapacity => {
                            p.capacity_value * (1.0 - 0.5 * me.cap.offense) * (0.5 + self.max_tension(principal))
                        }
                        Purpose::Harden => p.hardening_value * (1.0 - me.cap.defense) * (1.0 + 2.0 * me.damaged),
                        _ => 0.5 * self.max_tension(principal) - self.norm_cost(me, act.violates, 0.0, 0.0),
                    };
                    out.push(Scored { choice: Some(Choice { action, target: Target::Own }), utility: base + u });
                }
                Targeting::Infrastructure => {
                    for &b in scratch.iter() {
                        let Some(asset) = self.scenario.aim(action, b) else {
                            continue;
                        };
                        let target = &self.actors[b.index()];
                        let i = self.rel.ix(principal, b);
                        let t = self.rel.tension[i];
                        let g = self.rel.grievance[i];
                        let motive = p.tension_weight * t + p.grievance_weight * g * me.doctrine.retaliation;
                        let e = &act.effects;
                        let gain = p.intelligence_weight * e.intelligence * (0.4 + t)
                            + (e.damage + e.spread) * motive * (0.5 + me.cap.offense);
                        let risk = p.escalation_risk_cost
                            * tier_w
                            * (1.0 - me.doctrine.risk_tolerance)
                            * act.detectability
                            * (0.5 + target.cap.attribution);
                        // A state that sanctions me may punish me again.
                        let deterred = if self.rel.sanctions[self.rel.ix(b, principal)] {
                            p.sanction_deterrence * tier_w / 12.0
                        } else {
                            0.0
                        };
                        let sector = self.scenario.assets[asset.index()].sector;
                        let u =
                            base + gain - risk - deterred - self.norm_cost(me, act.violations(Some(sector)), g, 0.0);
                        out.push(Scored { choice: Some(Choice { action, target: Target::Asset(asset) }), utility: u });
                    }
                }
                Targeting::Actor => {
                    for &b in scratch.iter() {
                        let i = self.rel.ix(a, b);
                        let g = self.rel.grievance[i];
                        let h = self.rel.grievance(b, a);
                        let pull = self.rel.enforcement[i];
                        // What `a` has seen of the dyad, never the truth.
                        let seen = self.rel.seen_rung[i];
                        let mut excused = 0.0;
                        let u = match act.purpose {
                            // A protest is a cheap signal: it answers a small grievance, not a
                            // grave one, so its value saturates.
                            Purpose::Protest if g > 0.05 => 0.6 * g.min(1.0),
                            Purpose::Sanction if (g > 0.1 || pull > 0.0) && !self.rel.sanctions[i] => {
                                0.8 * g * me.doctrine.retaliation + pull
                            }
                            Purpose::Force if g > p.force_grievance_threshold => {
                                // Self-defence (UN Charter art. 51): fully against force
                                // suffered, in part against a believed cyber armed attack.
                                excused = if self.rel.force_suffered[i] {
                                    1.0
                                } else if self.rel.armed_attack[i] {
                                    p.cyber_self_defence
                                } else {
                                    0.0
                                };
                                let firebreak = if self.rel.force_suffered[i] {
                                    0.0
                                } else {
                                    p.firebreak_cost * me.doctrine.firebreak
                                };
                                let risk = p.escalation_risk_cost
                                    * tier_w
                                    * (1.0 - me.doctrine.risk_tolerance)
                                    * (0.5 + self.actors[b.index()].cap.offense);
                                let deterred = if self.rel.sanctions[self.rel.ix(b, a)] {
                                    p.sanction_deterrence * tier_w / 12.0
                                } else {
                                    0.0
                                };
                                p.grievance_weight * g * me.doctrine.retaliation - firebreak - risk - deterred
                            }
                            // De-escalation is for crises: a dyad the actor sees at the
                            // disruptive rung or above, or a real grievance either way. The
                            // side that is blamed is keener to calm things than the side
                            // that was hurt.
                            Purpose::DeEscalate if seen >= Rung::Disruptive || g > 0.3 || h > 0.3 => {
                                TALKS_DANGER * (1.0 - me.doctrine.risk_tolerance) * f64::from(seen.level())
                                    + 0.3 * self.rel.tension[i]
                                    + 0.5 * h
                                    - 0.5 * p.grievance_weight * g * me.doctrine.retaliation
                            }
                            // Reassurance is for the side that is blamed, not for the victim.
                            Purpose::Reassure if h > 0.3 => 0.6 * h * (1.0 - me.doctrine.risk_tolerance),
                            _ => continue,
                        };
                        let u = u - self.norm_cost(me, act.violates, g, excused);
                        out.push(Scored {
                            choice: Some(Choice { action, target: Target::Actor(b) }),
                            utility: base + u,
                        });
                    }
                }
                Targeting::Suspect => {
                    let mut listed = 0;
                    for (ci, inv) in self.intel.investigations.iter().enumerate().rev() {
                        if listed == MAX_CASES_ON_MENU {
                            break;
                        }
                        if inv.op.victim != a || !inv.believed || !inv.releasable || inv.public {
                            continue;
                        }
                        listed += 1;
                        // Naming is worth it for harmful operations; mere intrusions are usually kept quiet.
                        let u = p.grievance_weight * inv.op.harm + 0.3 * inv.confidence;
                        out.push(Scored {
                            choice: Some(Choice { action, target: Target::Case(ci) }),
                            utility: base + u,
                        });
                    }
                }
            }
        }
    }

    /// Picks an option by the logit rule: P(i) ∝ exp(u_i / temperature).
    pub fn pick<R: rand::Rng + ?Sized>(
        &self,
        options: &[Scored],
        rng: &mut R,
        weights: &mut Vec<f64>,
    ) -> Option<Choice> {
        let t = self.params.choice_temperature;
        let max = options.iter().map(|o| o.utility).fold(f64::NEG_INFINITY, f64::max);
        // Each weight is computed once (exp dominates the cost of a draw).
        weights.clear();
        weights.extend(options.iter().map(|o| ((o.utility - max) / t).exp()));
        let total: f64 = weights.iter().sum();
        let mut x = rng.random::<f64>() * total;
        for (o, w) in options.iter().zip(weights.iter()) {
            x -= w;
            if x <= 0.0 {
                return o.choice;
            }
        }
        options.last().and_then(|o| o.choice)
    }
}

/// Logit probabilities of a menu (for tests and for showing players the odds).
pub fn probabilities(options: &[Scored], temperature: f64) -> Vec<f64> {
    let max = options.iter().map(|o| o.utility).fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = options.iter().map(|o| ((o.utility - max) / temperature).exp()).collect();
    let total: f64 = w.iter().sum();
    w.into_iter().map(|x| x / total).collect()
}
