//! Model parameters: every tunable number of the turn rules, with its default,
//! its allowed range and its meaning. `docs/model.md` explains each one and its source.
//!
//! The table is the single definition: the struct, the defaults, by-name access for
//! scenario files and injects, and the range checks all come from it.

use bevy_ecs::prelude::Resource;
use serde::Serialize;

macro_rules! parameters {
    ($( $(#[doc = $doc:literal])* $name:ident : $default:expr, $lo:expr, $hi:expr; )*) => {
        /// The model's tunable numbers. See `docs/model.md`.
        #[derive(Debug, Clone, PartialEq, Serialize, Resource)]
        pub struct Parameters {
            $( $(#[doc = $doc])* pub $name: f64, )*
        }

        impl Default for Parameters {
            fn default() -> Self {
                Self { $( $name: $default, )* }
            }
        }

        /// One row of the parameter table.
        #[derive(Debug, Clone, Copy)]
        pub struct ParameterSpec {
            pub name: &'static str,
            pub default: f64,
            pub min: f64,
            pub max: f64,
            pub doc: &'static str,
        }

        /// Every parameter, in declaration order.
        pub const PARAMETERS: &[ParameterSpec] = &[
            $( ParameterSpec {
                name: stringify!($name),
                default: $default,
                min: $lo,
                max: $hi,
                doc: concat!($($doc, " ",)*),
            }, )*
        ];

        impl Parameters {
            /// Sets a parameter by name; `false` if there is no such parameter.
            pub fn set(&mut self, name: &str, value: f64) -> bool {
                match name {
                    $( stringify!($name) => { self.$name = value; true } )*
                    _ => false,
                }
            }

            /// Reads a parameter by name.
            pub fn get(&self, name: &str) -> Option<f64> {
                match name {
                    $( stringify!($name) => Some(self.$name), )*
                    _ => None,
                }
            }
        }
    };
}

parameters! {
    /// Logit (quantal response) temperature: higher makes choices noisier, lower makes
    /// actors pick their best option more surely.
    choice_temperature: 0.35, 0.01, 100.0;
    /// Utility cost, per unit of committed concern, of breaking a principle one is bound by.
    norm_violation_cost: 1.6, 0.0, 100.0;
    /// How much an actor's reputation (0..1) adds to its norm cost: signatories that are
    /// well regarded have more to lose.
    reputation_weight: 0.5, 0.0, 10.0;
    /// Utility bonus for committed actors choosing an action that upholds a principle.
    norm_uphold_bonus: 0.15, 0.0, 10.0;
    /// Utility cost per score point of an action's tier, scaled by the actor's restraint.
    restraint_cost: 0.08, 0.0, 10.0;
    /// Utility cost per score point of tier of the risk of being caught and answered,
    /// scaled by (1 - risk tolerance) and by the victim's attribution capability.
    escalation_risk_cost: 0.08, 0.0, 10.0;
    /// Utility cost of armed force in answer to cyber harm, scaled by the firebreak.
    firebreak_cost: 2.0, 0.0, 100.0;
    /// Utility weight of grievance (attributed harm) as a motive to retaliate.
    grievance_weight: 2.0, 0.0, 100.0;
    /// Utility weight of standing tension as a motive for hostile operations.
    tension_weight: 1.0, 0.0, 100.0;
    /// Utility weight of intelligence value (drives espionage).
    intelligence_weight: 0.8, 0.0, 100.0;
    /// Utility of building capacity when one's offence is zero (falls linearly to half
    /// of it at offence 1: even the strongest keep building), times (0.5 + highest tension).
    capacity_value: 1.5, 0.0, 100.0;
    /// Utility of hardening when one's defence is zero (falls linearly to 0 at 1);
    /// doubled while one's own infrastructure is damaged.
    hardening_value: 0.6, 0.0, 100.0;
    /// Utility of doing nothing (status quo), the reference option.
    status_quo_utility: 1.0, -100.0, 100.0;
    /// Multiplier on operation damage: effective damage = damage × scale × offence ×
    /// exposure × (1 - defence × mitigation).
    damage_scale: 1.0, 0.0, 10.0;
    /// Share of an attack that a perfect defence stops.
    defense_mitigation: 0.7, 0.0, 1.0;
    /// Health below which an asset counts as down (for downtime).
    down_threshold: 0.6, 0.0, 1.0;
    /// Base chance per turn that a victim with perfect defence notices an operation of
    /// detectability 1; scaled by detectability and (0.3 + 0.7 × defence).
    detection_rate: 0.8, 0.0, 1.0;
    /// Turns after which an undetected operation is never found.
    detection_window: 6.0, 1.0, 1000.0;
    /// Confidence gained per turn of investigation at attribution capability 1.
    attribution_rate: 0.25, 0.0, 1.0;
    /// Confidence at which a victim believes its suspect (grievance starts; a public
    /// case can start to be built). "Moderate confidence" in intelligence parlance.
    belief_threshold: 0.5, 0.0, 1.0;
    /// Chance per turn, at attribution capability 1, that a believed attribution's
    /// evidence becomes releasable, so the victim can name the culprit in public: the
    /// months of declassification, allied coordination and legal review between
    /// knowing and saying (Rid & Buchanan 2015; Egloff 2020). Fitted by `escalate
    /// calibrate --fit` to the WannaCry delay and the DCID share (docs/model.md §12).
    disclosure_rate: 0.009, 0.0, 1.0;
    /// Chance that an investigation first suspects the true actor, at attribution
    /// capability 1 (scaled down to half of it at capability 0).
    initial_accuracy: 0.85, 0.0, 1.0;
    /// Chance that a planted false flag is believed at first.
    false_flag_success: 0.6, 0.0, 1.0;
    /// Chance per turn that a signatory's shared-evidence investigation corrects a
    /// wrong suspect, per partner sharing (capped at 0.9 in all).
    evidence_correction: 0.12, 0.0, 1.0;
    /// Confidence growth multiplier per partner that shares evidence (joint attribution).
    joint_attribution_bonus: 0.25, 0.0, 10.0;
    /// Set to 0 to switch off evidence sharing among signatories.
    joint_attribution: 1.0, 0.0, 1.0;
    /// Chance per turn that an investigation of a proxy operation unmasks the sponsor,
    /// at full confidence.
    proxy_unmask_chance: 0.15, 0.0, 1.0;
    /// Share of grievance against a proxy that its known sponsor also earns.
    sponsor_blame: 0.6, 0.0, 1.0;
    /// Grievance per unit of harm believed to come from an actor.
    grievance_per_harm: 4.0, 0.0, 100.0;
    /// Grievance from a detected espionage-level intrusion, regardless of harm.
    grievance_per_intrusion: 0.06, 0.0, 10.0;
    /// Share of grievance and tension lost per turn.
    grievance_decay: 0.12, 0.0, 1.0;
    /// Share of tension above its standing level lost per turn.
    tension_decay: 0.1, 0.0, 1.0;
    /// Share of a victim's grievance that collective-defence allies also take on.
    alliance_solidarity: 0.5, 0.0, 1.0;
    /// Reputation lost by a committed actor publicly named for breaking its norms.
    reputation_loss: 0.2, 0.0, 1.0;
    /// Reputation regained per turn toward 1.
    reputation_recovery: 0.02, 0.0, 1.0;
    /// Utility weight pushing signatories to join sanctions against a publicly named
    /// norm violator (enforcement).
    enforcement_weight: 0.3, 0.0, 100.0;
    /// Axelrod's metanorm: pressure added, per fellow signatory that enforced, on a
    /// signatory that failed to respond to a violation against a fellow signatory.
    metanorm_pressure: 0.15, 0.0, 10.0;
    /// Tension added between the sanctioner and the sanctioned.
    sanction_tension: 0.1, 0.0, 1.0;
    /// Turns a dyad must stay quiet before its current rung steps down one level.
    calm_turns_to_step_down: 2.0, 1.0, 1000.0;
    /// Distinct turns in which one pair of actors exchanges disruptive or worse
    /// operations that make a run a protracted cyber conflict.
    protracted_min_turns: 4.0, 1.0, 1000.0;
    /// Offensive capability added by one capacity-building turn.
    capacity_step: 0.02, 0.0, 1.0;
    /// Defence added by one hardening turn.
    hardening_step: 0.02, 0.0, 1.0;
    /// Grievance above which an actor is "provoked": it considers armed force at all.
    force_grievance_threshold: 2.5, 0.0, 100.0;
    /// How far grievance bends norm costs: a norm cost toward a state is divided by
    /// (1 + this × grievance toward it). Provoked states break norms more readily.
    provocation_discount: 0.5, 0.0, 100.0;
    /// Share of the UN Charter's cost of force excused against a state believed to have
    /// carried out a cyber operation grave enough to be an armed attack (art. 51 claimed
    /// for cyber harm; contested). Against a state that used force, all of it is excused.
    cyber_self_defence: 0.5, 0.0, 1.0;
    /// Harm of one believed destructive operation at which the victim regards it as an
    /// armed attack.
    armed_attack_harm: 0.5, 0.0, 100.0;
    /// Weight of the sector's civilian exposure in an operation's harm:
    /// harm = health lost × criticality × (1 + this × civilian weight of the sector).
    civilian_harm_weight: 1.0, 0.0, 10.0;
    /// Grievance per turn, per unit of civilian harm from one's own infrastructure that is
    /// down, toward each state one believes hit one in the last 8 turns (domestic pressure).
    domestic_pressure: 1.5, 0.0, 100.0;
    /// Utility of accepting talks for a side with no grievance toward the one offering.
    talks_acceptance: 0.5, -100.0, 100.0;
    /// Offensive capability a sanctioned state loses per turn per state sanctioning it
    /// (export controls, indictments, frozen infrastructure).
    sanction_cost: 0.004, 0.0, 1.0;
    /// Utility cost, per 12 tier points, of a hostile act against a state that sanctions
    /// the actor: the threat of further punishment.
    sanction_deterrence: 0.5, 0.0, 100.0;
}

/// The parameter spec for a name, if any.
pub fn spec(name: &str) -> Option<&'static ParameterSpec> {
    PARAMETERS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_lie_in_their_ranges() {
        let p = Parameters::default();
        for s in PARAMETERS {
            let v = p.get(s.name).unwrap();
            assert_eq!(v, s.default);
            assert!(v >= s.min && v <= s.max, "{} = {v} outside [{}, {}]", s.name, s.min, s.max);
        }
    }

    #[test]
    fn set_by_name() {
        let mut p = Parameters::default();
        assert!(p.set("choice_temperature", 2.0));
        assert_eq!(p.choice_temperature, 2.0);
        assert!(!p.set("no_such_thing", 1.0));
    }
}
