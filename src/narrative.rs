//! Turns a run's events into a narrative a person can read, turn by turn.

use std::fmt::Write;

use crate::model::events::{Event, EventKind};
use crate::record::RunRecord;
use crate::scenario::validated::Scenario;

/// Actor or asset display name from its id.
fn name<'a>(s: &'a Scenario, id: &'a str) -> &'a str {
    s.actors.iter().find(|a| a.id == id).map(|a| a.name.as_str()).unwrap_or(id)
}

fn action<'a>(s: &'a Scenario, id: &'a str) -> &'a str {
    s.actions.iter().find(|a| a.id == id).map(|a| a.name.as_str()).unwrap_or(id)
}

fn asset<'a>(s: &'a Scenario, id: &'a str) -> &'a str {
    s.assets.iter().find(|a| a.id == id).map(|a| a.name.as_str()).unwrap_or(id)
}

fn principle<'a>(s: &'a Scenario, key: &'a str) -> String {
    s.principles.iter().find(|p| p.key == key).map(|p| format!("{key} \"{}\"", p.name)).unwrap_or(key.to_string())
}

/// "low", "moderate" or "high" confidence, in intelligence parlance.
pub fn confidence_word(c: f64) -> &'static str {
    if c >= 0.8 {
        "high"
    } else if c >= 0.5 {
        "moderate"
    } else {
        "low"
    }
}

/// One event as a sentence, or `None` for events folded into a per-turn summary.
pub fn sentence(s: &Scenario, e: &Event) -> Option<String> {
    let n = |id: &str| name(s, id).to_string();
    Some(match &e.kind {
        EventKind::Inject { report } => format!("INJECT: {report}"),
        EventKind::Commitment { actor, norm_set, joined } => {
            let set = s.norm_sets.iter().find(|x| &x.id == norm_set).map_or(norm_set.as_str(), |x| x.name.as_str());
            if *joined {
                format!("{} joins the {set}.", n(actor))
            } else {
                format!("{} withdraws from the {set}.", n(actor))
            }
        }
        EventKind::ParameterChanged { name, value } => format!("Parameter {name} is now {value}."),
        EventKind::DoctrineChanged { actor, field, value } => format!("{}'s {field} is now {value}.", n(actor)),
        EventKind::TensionChanged { a, b, value } => {
            format!("Tension between {} and {} is now {value}.", n(a), n(b))
        }
        EventKind::Operation { actor, action: act, target, asset: x, damage, apparent, rung, scripted, .. } => {
            let flag = apparent.as_ref().map(|f| format!(", made to look like {}", n(f))).unwrap_or_default();
            let dmg = if *damage > 0.0 { format!(", damage {damage:.2}") } else { String::new() };
            let who = if *scripted { "(scripted) " } else { "" };
            format!(
                "{who}{} → {}: {} against {}{dmg}{flag} [{}]",
                n(actor),
                n(target),
                action(s, act),
                asset(s, x),
                rung.label()
            )
        }
        EventKind::Collateral { actor, owner, asset: x, damage, .. } => {
            format!("  collateral: {}'s payload spread to {} ({}), damage {damage:.2}", n(actor), asset(s, x), n(owner))
        }
        EventKind::Violation { actor, principle: p, bound, .. } => format!(
            "  norm violation by {}{}: {}",
            n(actor),
            if *bound { " (bound by it)" } else { "" },
            principle(s, p)
        ),
        EventKind::Detected { victim, asset: x, suspect, confidence, correct } => format!(
            "{} detects an intrusion in {}; {} confidence it was {}{}",
            n(victim),
            asset(s, x),
            confidence_word(*confidence),
            n(suspect),
            if *correct { "" } else { " (wrong)" }
        ),
        EventKind::Believed { victim, suspect, confidence, correct, .. } => format!(
            "{} now believes, with {} confidence, that {} is behind it{}",
            n(victim),
            confidence_word(*confidence),
            n(suspect),
            if *correct { "" } else { " — it is not" }
        ),
        EventKind::Corrected { victim, from, to } => {
            format!("Shared evidence corrects {}'s attribution: not {} but {}", n(victim), n(from), n(to))
        }
        EventKind::Unmasked { victim, proxy, sponsor } => {
            format!("{} unmasks {} as working for {}", n(victim), n(proxy), n(sponsor))
        }
        EventKind::PublicAttribution { by, named, joint_with, correct, confidence, .. } => {
            let joint = if joint_with.is_empty() {
                String::new()
            } else {
                format!(" jointly with {}", joint_with.iter().map(|j| n(j)).collect::<Vec<_>>().join(", "))
            };
            format!(
                "{} publicly attributes the attack to {}{joint} ({} confidence){}",
                n(by),
                n(named),
                confidence_word(*confidence),
                if *correct { "" } else { " — WRONG" }
            )
        }
        EventKind::Protest { by, against } => {
            format!("{} lodges a diplomatic protest with {}", n(by), n(against))
        }
        EventKind::Sanction { by, against } => {
            format!("{} imposes sanctions on {}", n(by), n(against))
        }
        EventKind::Force { by, against, damage } => {
            format!("ARMED FORCE: {} strikes {} (damage {damage:.2})", n(by), n(against))
        }
        EventKind::DeEscalation { by, with, action: act } => format!("{} → {}: {}", n(by), n(with), action(s, act)),
        EventKind::TalksRefused { by, offered_by } => {
            format!("{} refuses the talks {} offers", n(by), n(offered_by))
        }
        EventKind::Posture { .. } => return None,
        EventKind::Proliferation { actor } => {
            format!("{} leaks offensive tools; proxies grow stronger", n(actor))
        }
        EventKind::Enforcement { by, on, violator } => {
            format!("{by} press {} to act against {}", n(on), n(violator))
        }
        EventKind::RungChange { a, b, from, to } => {
            let dir = if to > from { "climbs" } else { "steps down" };
            format!("  ladder: {} – {} {dir} to {}", n(a), n(b), to.label())
        }
        EventKind::AssetDown { owner, asset: x, .. } => format!("  {} is DOWN ({})", asset(s, x), n(owner)),
        EventKind::AssetRestored { owner, asset: x, .. } => format!("  {} is restored ({})", asset(s, x), n(owner)),
        EventKind::End { outcome, turns } => {
            format!("The run ends after {turns} turns: {outcome}.")
        }
    })
}

/// The whole narrative of a run: turn headers, events, posture summaries, final summary.
pub fn render(s: &Scenario, record: &RunRecord) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — seed {}", s.name, record.seed);
    let mut turn = 0;
    let mut posture: Vec<(String, String)> = Vec::new();
    let flush = |out: &mut String, posture: &mut Vec<(String, String)>| {
        if posture.is_empty() {
            return;
        }
        let mut by_action: Vec<(String, Vec<String>)> = Vec::new();
        for (actor, act) in posture.drain(..) {
            match by_action.iter_mut().find(|(a, _)| *a == act) {
                Some((_, v)) => v.push(actor),
                None => by_action.push((act, vec![actor])),
            }
        }
        for (act, actors) in by_action {
            let names: Vec<&str> = actors.iter().map(|a| name(s, a)).collect();
            let _ = writeln!(out, "  {}: {}", action(s, &act), names.join(", "));
        }
    };
    for e in &record.events {
        if e.turn != turn {
            flush(&mut out, &mut posture);
            turn = e.turn;
            let _ = writeln!(out, "\n── Turn {turn} ({} {turn}) ──", s.turn_length);
        }
        if let EventKind::Posture { actor, action } = &e.kind {
            posture.push((actor.clone(), action.clone()));
            continue;
        }
        if let Some(line) = sentence(s, e) {
            let _ = writeln!(out, "{line}");
        }
    }
    flush(&mut out, &mut posture);
    out.push('\n');
    out.push_str(&summary(s, record));
    out
}

/// The final summary block.
pub fn summary(s: &Scenario, r: &RunRecord) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Summary");
    let _ = writeln!(out, "  outcome:            {}", r.outcome.label());
    let _ = writeln!(out, "  highest rung:       {}", r.highest_rung.label());
    let _ = writeln!(
        out,
        "  first use of force: {}",
        r.first_force_turn.map_or("never".to_string(), |t| format!("turn {t}"))
    );
    let _ =
        writeln!(out, "  escalation score:   {:.2} per turn on average (total {:.1})", r.mean_score(), r.total_score());
    let _ = writeln!(
        out,
        "  operations:         {} ({} detected, {} never found)",
        r.operations(),
        r.detected,
        r.undetected
    );
    let _ = writeln!(
        out,
        "  attributions:       {} believed ({} wrong), {} public ({} wrong)",
        r.beliefs, r.beliefs_wrong, r.attributions_public, r.attributions_wrong
    );
    let _ = writeln!(
        out,
        "  Paris Call violations: {} by signatories, {} by non-signatories",
        r.violations_by_signatories, r.violations_by_others
    );
    let _ = writeln!(out, "  sanctions imposed:  {}", r.sanctions);
    let _ =
        writeln!(out, "  infrastructure down: {:.0} asset-turns; civilian harm {:.2}", r.downtime(), r.civilian_harm);
    let _ = s;
    out
}
