//! The situation report a team reads before deciding: what it can know, not the
//! simulation's truth. Covert operations against it appear only once detected, with
//! the suspect it believes in and how confident it is; other states' covert acts do
//! not appear at all; what others did in public does.

use std::fmt::Write;

use crate::model::events::{Event, EventKind};
use crate::model::ids::ActorId;
use crate::model::ladder::Rung;
use crate::model::state::{Health, Intel, Journal, Relations, Roster, Standing};
use crate::narrative::{confidence_word, sentence};
use crate::scenario::Scenario;

use super::Session;
use super::style::Style;

/// Most open cases listed; older ones are counted.
const MAX_CASES: usize = 6;

/// "week 3", from the scenario's turn length.
pub fn when(s: &Scenario, turn: u32) -> String {
    format!("{} {turn}", s.turn_length)
}

fn level_word(x: f64) -> &'static str {
    if x >= 0.6 {
        "high"
    } else if x >= 0.3 {
        "elevated"
    } else {
        "low"
    }
}

/// A ten-cell ASCII bar for a 0..=1 value (ASCII so any terminal and tmux show it).
pub fn bar(x: f64) -> String {
    let filled = (x.clamp(0.0, 1.0) * 10.0).round() as usize;
    format!("[{}{}]", "#".repeat(filled), "-".repeat(10 - filled))
}

/// A six-cell ladder gauge: one cell per rung above the status quo.
fn ladder(r: Rung) -> String {
    let l = usize::from(r.level());
    format!("[{}{}]", "#".repeat(l), "-".repeat(6 - l))
}

fn name(s: &Scenario, id: &str) -> String {
    s.actors.iter().find(|a| a.id == id).map_or(id.to_string(), |a| a.name.clone())
}

fn action_name(s: &Scenario, id: &str) -> String {
    s.actions.iter().find(|a| a.id == id).map_or(id.to_string(), |a| a.name.clone())
}

fn asset_name(s: &Scenario, id: &str) -> String {
    s.assets.iter().find(|a| a.id == id).map_or(id.to_string(), |a| a.name.clone())
}

/// The situation report of `team` at the decision point of the open turn.
pub fn render(session: &Session, team: ActorId, st: Style) -> String {
    let w = &session.sim.world;
    let s = session.scenario();
    let turn = session.turn();
    let me = &s.actors[team.index()];
    let mut out = String::new();
    let last: Vec<&Event> = w.resource::<Journal>().events.iter().filter(|e| e.turn + 1 == turn).collect();
    let now: Vec<&Event> = w.resource::<Journal>().events.iter().filter(|e| e.turn == turn).collect();
    let prev = if turn > 1 { format!("last {}", s.turn_length) } else { String::new() };

    let title = format!("SITUATION REPORT · {} ({}) · {} of {}", me.name, me.id, when(s, turn), s.turns);
    let _ = writeln!(out, "{}", st.cyan(&format!("══ {title} ══")));
    // Standing: commitments, reputation, alliances.
    let roster = w.resource::<Roster>();
    if let Some(standing) = w.get::<Standing>(roster.actors[team.index()]) {
        let sets: Vec<&str> = standing
            .commitments
            .iter()
            .filter(|(_, from)| *from <= turn)
            .map(|(set, _)| s.norm_sets[set.index()].name.as_str())
            .collect();
        let bound = if sets.is_empty() {
            "bound by no norm set".to_string()
        } else {
            format!("committed to {}", sets.join(", "))
        };
        let allies: Vec<&str> = me.alliances.iter().map(|&i| s.alliances[i].id.as_str()).collect();
        let allies = if allies.is_empty() { String::new() } else { format!(" · member of {}", allies.join(", ")) };
        let _ = writeln!(out, "You are {bound} · reputation {:.0}%{allies}", standing.reputation * 100.0);
    }

    // Injects and announcements of this turn.
    let news: Vec<String> = now
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Inject { report } => Some(report.clone()),
            EventKind::Commitment { .. }
            | EventKind::TensionChanged { .. }
            | EventKind::DoctrineChanged { .. }
            | EventKind::ParameterChanged { .. } => sentence(s, e),
            _ => None,
        })
        .collect();
    if !news.is_empty() {
        let _ = writeln!(out, "\n{}", st.heading("INJECTS AND REPORTS"));
        for n in news {
            let _ = writeln!(out, "  * {n}");
        }
    }

    // Infrastructure.
    let _ = writeln!(out, "\n{}", st.heading("YOUR INFRASTRUCTURE"));
    let mut any = false;
    let width = s.assets.iter().filter(|a| a.owner == team).map(|a| a.name.chars().count()).max().unwrap_or(0);
    for (k, a) in s.assets.iter().enumerate() {
        if a.owner != team {
            continue;
        }
        any = true;
        let h = w.get::<Health>(roster.assets[k]).copied().unwrap_or(Health {
            intrinsic: 1.0,
            effective: 1.0,
            down: false,
        });
        let mut line = format!(
            "  {:<width$}  {:<14} {} {:>3.0}%",
            a.name,
            a.sector.label(),
            bar(h.effective),
            h.effective * 100.0
        );
        if h.down {
            line.push_str(&format!("  {}", st.red("DOWN")));
        }
        if h.effective + 0.05 < h.intrinsic {
            line.push_str(&st.dim("  (degraded by what it depends on)"));
        }
        let _ = writeln!(out, "{line}");
    }
    if !any {
        let _ = writeln!(out, "  You hold no critical infrastructure in this scenario.");
    }

    // Intelligence: detections, attribution, open cases.
    let _ = writeln!(out, "\n{}", st.heading("INTELLIGENCE"));
    let intel = w.resource::<Intel>();
    let mine: Vec<(usize, &crate::model::state::Investigation)> =
        intel.investigations.iter().enumerate().filter(|(_, inv)| inv.op.victim == team).collect();
    let mut lines = 0;
    let what = |inv: &crate::model::state::Investigation| {
        format!("{} on {}", s.actions[inv.op.action.index()].name.to_lowercase(), s.assets[inv.op.asset.index()].name)
    };
    let belief = |inv: &crate::model::state::Investigation| {
        format!("{} confidence: {}", capitalise(confidence_word(inv.confidence)), s.actors[inv.suspect.index()].name)
    };
    for &(ci, inv) in mine.iter().rev().filter(|(_, inv)| inv.detected + 1 == turn) {
        let _ = writeln!(out, "  {} Case {}: {} detected. {}.", st.yellow("NEW"), ci + 1, what(inv), belief(inv));
        lines += 1;
    }
    // What changed since the last decision point, per older case.
    let mut shown = Vec::new();
    for &(ci, inv) in mine.iter().rev().filter(|(_, inv)| inv.detected + 1 < turn) {
        let Some(&(suspect, believed)) = session.cases_before.get(ci) else { continue };
        let mut news = Vec::new();
        if suspect != inv.suspect {
            news.push(format!(
                "new evidence points to {}, not {}",
                s.actors[inv.suspect.index()].name,
                s.actors[suspect.index()].name
            ));
        }
        if inv.believed && !believed {
            news.push("your analysts are now convinced".to_string());
        }
        if news.is_empty() {
            continue;
        }
        shown.push(ci);
        let _ = writeln!(
            out,
            "  {} Case {} ({} detected {}): {}. {}.",
            st.yellow("UPDATE"),
            ci + 1,
            what(inv),
            when(s, inv.detected),
            news.join("; "),
            belief(inv)
        );
        lines += 1;
    }
    let open: Vec<_> =
        mine.iter().rev().filter(|(ci, inv)| !inv.public && inv.detected + 1 != turn && !shown.contains(ci)).collect();
    for &&(ci, inv) in open.iter().take(MAX_CASES) {
        let status = if inv.believed {
            st.green("Believed: you may attribute it publicly")
        } else {
            "Under investigation".to_string()
        };
        let _ = writeln!(
            out,
            "  Case {} ({} detected {}): {}. {status}.",
            ci + 1,
            what(inv),
            when(s, inv.detected),
            belief(inv)
        );
        lines += 1;
    }
    if open.len() > MAX_CASES {
        let _ = writeln!(out, "  …and {} older open cases.", open.len() - MAX_CASES);
    }
    let public = mine.iter().filter(|(_, inv)| inv.public).count();
    if public > 0 {
        let _ = writeln!(out, "  {public} case{} already attributed in public.", if public == 1 { "" } else { "s" });
        lines += 1;
    }
    if lines == 0 {
        let _ = writeln!(out, "  No hostile operation against you has been detected.");
    }

    // What the team did last turn, and what it cost.
    if turn > 1 {
        let _ = writeln!(out, "\n{}", st.heading(&format!("YOUR ACTIONS {}", prev.to_uppercase())));
        let mut did = false;
        for e in &last {
            let line = match &e.kind {
                EventKind::Operation { actor, action, asset, damage, scripted: false, .. } if actor == &me.id => {
                    let dmg =
                        if *damage > 0.0 { format!("damage {damage:.2}") } else { "no visible damage".to_string() };
                    Some(format!("{} against {}: {dmg}", action_name(s, action), asset_name(s, asset)))
                }
                EventKind::Posture { actor, action } if actor == &me.id => Some(action_name(s, action)),
                EventKind::Violation { actor, principle, bound, .. } if actor == &me.id => {
                    let p = s.principles.iter().find(|p| &p.key == principle);
                    let pname = p.map_or(String::new(), |p| format!(" \"{}\"", p.name));
                    let b = if *bound { " — a principle you are bound by" } else { "" };
                    Some(format!("  (this broke {principle}{pname}{b})"))
                }
                EventKind::Collateral { actor, .. } if actor == &me.id => sentence(s, e).map(|t| t.trim().to_string()),
                EventKind::Force { by, .. }
                | EventKind::Protest { by, .. }
                | EventKind::Sanction { by, .. }
                | EventKind::DeEscalation { by, .. }
                | EventKind::PublicAttribution { by, .. }
                    if by == &me.id =>
                {
                    sentence(s, e)
                }
                EventKind::Proliferation { actor } if actor == &me.id => sentence(s, e),
                _ => None,
            };
            if let Some(l) = line {
                did = true;
                let bullet = if l.starts_with("  ") { "   " } else { "  *" };
                let _ = writeln!(out, "{bullet} {}", strip_truth(l.trim_start()));
            }
        }
        if !did {
            let _ = writeln!(out, "  You took no action.");
        }

        // What others did in public.
        let _ = writeln!(out, "\n{}", st.heading(&format!("IN PUBLIC {}", prev.to_uppercase())));
        let mut seen = false;
        for e in &last {
            let (text, about_me) = match &e.kind {
                EventKind::PublicAttribution { by, named, .. } if by != &me.id => (sentence(s, e), named == &me.id),
                EventKind::Protest { by, against }
                | EventKind::Sanction { by, against }
                | EventKind::Force { by, against, .. }
                    if by != &me.id =>
                {
                    (sentence(s, e), against == &me.id)
                }
                EventKind::DeEscalation { by, with, .. } if by != &me.id => (sentence(s, e), with == &me.id),
                EventKind::Enforcement { on, .. } => (sentence(s, e), on == &me.id),
                EventKind::Proliferation { actor } if actor != &me.id => {
                    (Some("Offensive cyber tools were leaked online; their source is unknown.".to_string()), false)
                }
                EventKind::AssetDown { owner, asset, .. } if owner != &me.id => {
                    (Some(format!("Outage abroad: {} ({}) is down.", asset_name(s, asset), name(s, owner))), false)
                }
                _ => (None, false),
            };
            if let Some(t) = text {
                seen = true;
                let t = strip_truth(&t);
                let _ = writeln!(out, "  * {}", if about_me { st.yellow(&t) } else { t });
            }
        }
        if !seen {
            let _ = writeln!(out, "  Nothing of note.");
        }
    }

    // The ladder, sanctions and pressure, per counterpart.
    let rel = w.resource::<Relations>();
    let mut dyads: Vec<(ActorId, Rung, f64)> = (0..s.actors.len())
        .map(ActorId::from_index)
        .filter(|&b| b != team)
        .map(|b| (b, rel.seen_rung(team, b), rel.tension(team, b)))
        .filter(|&(_, r, t)| r > Rung::StatusQuo || t > 0.0)
        .collect();
    dyads.sort_by(|x, y| y.1.cmp(&x.1).then(y.2.total_cmp(&x.2)).then(x.0.cmp(&y.0)));
    let _ = writeln!(out, "\n{}", st.heading("ESCALATION LADDER (you and each counterpart)"));
    if dyads.is_empty() {
        let _ = writeln!(out, "  At the status quo with everyone.");
    }
    let nw = dyads.iter().map(|(b, ..)| s.actors[b.index()].name.chars().count()).max().unwrap_or(0);
    for (b, r, t) in dyads {
        let g = rel.grievance(team, b);
        let pressure =
            if g > 0.05 { format!(" · pressure to respond {}", level_word(g / 2.0)) } else { String::new() };
        let rung = if r >= Rung::Disruptive { st.red(r.label()) } else { r.label().to_string() };
        let _ = writeln!(
            out,
            "  {:<nw$}  {} {rung} · tension {}{pressure}",
            s.actors[b.index()].name,
            ladder(r),
            level_word(t)
        );
    }

    let by_me: Vec<&str> = (0..s.actors.len())
        .filter(|&b| rel.sanctions[rel.ix(team, ActorId::from_index(b))])
        .map(|b| s.actors[b].name.as_str())
        .collect();
    let on_me: Vec<&str> = (0..s.actors.len())
        .filter(|&b| rel.sanctions[rel.ix(ActorId::from_index(b), team)])
        .map(|b| s.actors[b].name.as_str())
        .collect();
    let list = |v: &[&str]| if v.is_empty() { "none".to_string() } else { v.join(", ") };
    let _ = writeln!(out, "\n{}", st.heading("SANCTIONS IN FORCE"));
    let _ = writeln!(out, "  By you: {}", list(&by_me));
    let on = list(&on_me);
    let _ = writeln!(out, "  Against you: {}", if on_me.is_empty() { on } else { st.yellow(&on) });

    let pressed: Vec<String> = (0..s.actors.len())
        .map(ActorId::from_index)
        .filter(|&b| rel.enforcement[rel.ix(team, b)] > 0.05 && !rel.sanctions[rel.ix(team, b)])
        .map(|b| s.actors[b.index()].name.clone())
        .collect();
    if !pressed.is_empty() {
        let _ = writeln!(out, "  Fellow norm signatories expect you to act against: {}.", pressed.join(", "));
    }
    out
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str())
}

/// Drops the narrative's omniscient asides ("— it is not", "— WRONG", "(wrong)"):
/// a team does not know whether its belief is true.
fn strip_truth(t: &str) -> String {
    t.replace(" — WRONG", "").replace(" — it is not", "").replace(" (wrong)", "")
}
