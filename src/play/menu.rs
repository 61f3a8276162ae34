//! The options open to a team: exactly the engine's own option set
//! ([`DecisionContext::options`]), labelled for people and named for files.
//!
//! In session files an option is an action id and a target: an actor id (`"RUS"`),
//! an asset id (`"RUS-grid"`; an actor id also works, meaning the asset the action
//! would hit there), or for public attribution a case (`"case-4"`; an actor id
//! also works, meaning the most recent open case naming that actor). `"nothing"`
//! is the action of doing nothing.

use bevy_ecs::prelude::*;

use crate::model::choice::{ActorView, DecisionContext, Scored};
use crate::model::ids::{ActorId, AssetId, PrincipleMask};
use crate::model::ladder::{Rung, Tier};
use crate::model::params::Parameters;
use crate::model::state::{
    ActorInfo, Capability, Choice, InfraStatus, Intel, Posture, Relations, Roster, Standing, Target,
};
use crate::narrative::confidence_word;
use crate::scenario::Scenario;
use crate::scenario::schema::Targeting;

/// The action id that means "do nothing this turn".
pub const NOTHING: &str = "nothing";

/// A principle an option would break.
#[derive(Debug, Clone)]
pub struct Break {
    /// `set:id`, e.g. `paris-call:1`.
    pub key: String,
    pub name: String,
    /// The team is bound by it this turn.
    pub bound: bool,
}

/// One line of the menu.
#[derive(Debug, Clone)]
pub struct MenuItem {
    /// `None` for doing nothing.
    pub choice: Option<Choice>,
    pub label: String,
    pub tier: Tier,
    pub rung: Rung,
    /// Principles it would break that matter here: the Paris Call's, and any that bind the team.
    pub breaks: Vec<Break>,
    /// How a session file names it: action id and target (empty when none).
    pub action: String,
    pub target: String,
}

impl MenuItem {
    pub fn action_id(&self) -> Option<&str> {
        self.choice.map(|_| self.action.as_str())
    }

    /// `action` or `action target`, as typed in files and hints.
    pub fn file_form(&self) -> String {
        if self.target.is_empty() { self.action.clone() } else { format!("{} {}", self.action, self.target) }
    }
}

/// A team's options this turn; item 0 is doing nothing.
#[derive(Debug, Clone)]
pub struct Menu {
    pub actor: ActorId,
    pub items: Vec<MenuItem>,
}

impl Menu {
    /// Every option in file form, for hints.
    pub fn listing(&self) -> String {
        self.items.iter().map(MenuItem::file_form).collect::<Vec<_>>().join(", ")
    }

    pub fn position(&self, choice: Option<Choice>) -> Option<usize> {
        self.items.iter().position(|i| i.choice == choice)
    }
}

/// Every actor's decision view, in id order, read from the World the way the decide
/// system reads it.
pub fn views(world: &World) -> Vec<ActorView> {
    let roster = world.resource::<Roster>();
    let status = world.resource::<InfraStatus>();
    let mut out = Vec::with_capacity(roster.actors.len());
    for (i, &e) in roster.actors.iter().enumerate() {
        let (Some(info), Some(cap), Some(posture), Some(standing)) =
            (world.get::<ActorInfo>(e), world.get::<Capability>(e), world.get::<Posture>(e), world.get::<Standing>(e))
        else {
            continue;
        };
        out.push(ActorView::new(info, cap, posture, standing, status.damaged.get(i).copied().unwrap_or(0.0)));
    }
    out
}

/// The options open to `actor` in the World's current state.
pub fn build(world: &World, actor: ActorId) -> Menu {
    let scenario = world.resource::<crate::model::state::ScenarioRes>().0.clone();
    let s = &*scenario;
    let views = views(world);
    let intel = world.resource::<Intel>();
    let ctx = DecisionContext {
        scenario: s,
        params: world.resource::<Parameters>(),
        actors: &views,
        rel: world.resource::<Relations>(),
        intel,
        roster: world.resource::<Roster>(),
    };
    let mut options: Vec<Scored> = Vec::new();
    let mut scratch = Vec::new();
    ctx.options(actor, &mut options, &mut scratch);
    let bound = views.get(actor.index()).map_or(PrincipleMask::EMPTY, |v| v.bound);
    let items = options.iter().map(|o| item(s, intel, bound, o.choice)).collect();
    Menu { actor, items }
}

fn item(s: &Scenario, intel: &Intel, bound: PrincipleMask, choice: Option<Choice>) -> MenuItem {
    let Some(c) = choice else {
        return MenuItem {
            choice: None,
            label: "Do nothing this turn".into(),
            tier: Tier::StatusQuo,
            rung: Rung::StatusQuo,
            breaks: Vec::new(),
            action: NOTHING.into(),
            target: String::new(),
        };
    };
    let act = &s.actions[c.action.index()];
    let (label, mask) = match c.target {
        Target::Own => (act.name.clone(), act.violates),
        Target::Actor(b) => {
            let prep = if matches!(
                act.purpose,
                crate::scenario::schema::Purpose::DeEscalate | crate::scenario::schema::Purpose::Reassure
            ) {
                "with"
            } else {
                "against"
            };
            (format!("{} {prep} {}", act.name, s.actors[b.index()].name), act.violates)
        }
        Target::Asset(x) => {
            let asset = &s.assets[x.index()];
            (format!("{} against {}", act.name, asset.name), act.violations(Some(asset.sector)))
        }
        Target::Case(ci) => {
            let label = match intel.investigations.get(ci) {
                Some(inv) => format!(
                    "{}: case {}, naming {} ({} on {}, detected {} {}; {} confidence)",
                    act.name,
                    ci + 1,
                    s.actors[inv.suspect.index()].name,
                    s.actions[inv.op.action.index()].name.to_lowercase(),
                    s.assets[inv.op.asset.index()].name,
                    s.turn_length,
                    inv.detected,
                    confidence_word(inv.confidence)
                ),
                None => format!("{} (case {})", act.name, ci + 1),
            };
            (label, act.violates)
        }
    };
    MenuItem {
        choice,
        label,
        tier: act.tier,
        rung: act.rung,
        breaks: breaks(s, mask, bound),
        action: act.id.clone(),
        target: target_text(s, c.target),
    }
}

/// Principles of `mask` worth showing: the reference set's (the Paris Call) and any that bind the team.
pub fn breaks(s: &Scenario, mask: PrincipleMask, bound: PrincipleMask) -> Vec<Break> {
    mask.iter()
        .filter(|p| bound.contains(*p) || Some(s.principles[p.index()].set) == s.reference_set)
        .map(|p| {
            let pr = &s.principles[p.index()];
            Break { key: pr.key.clone(), name: pr.name.clone(), bound: bound.contains(p) }
        })
        .collect()
}

/// How a session file names a target.
pub fn target_text(s: &Scenario, t: Target) -> String {
    match t {
        Target::Own => String::new(),
        Target::Actor(b) => s.actors[b.index()].id.clone(),
        Target::Asset(x) => s.assets[x.index()].id.clone(),
        Target::Case(ci) => format!("case-{}", ci + 1),
    }
}

/// The file form of a choice: action id and target.
pub fn file_form(s: &Scenario, choice: Option<Choice>) -> (String, String) {
    match choice {
        None => (NOTHING.into(), String::new()),
        Some(c) => (s.actions[c.action.index()].id.clone(), target_text(s, c.target)),
    }
}

/// Parses `case-N` into an investigation index.
fn case_index(t: &str) -> Option<usize> {
    let n: usize = t.strip_prefix("case-").or_else(|| t.strip_prefix("case "))?.trim().parse().ok()?;
    n.checked_sub(1)
}

/// A problem with a named choice: what is wrong and a hint.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub message: String,
    pub hint: String,
    /// Whether the problem is with the target rather than the action.
    pub in_target: bool,
}

fn problem(message: String, hint: String, in_target: bool) -> Problem {
    Problem { message, hint, in_target }
}

/// Checks what can be checked without playing: the action exists and suits the actor,
/// the target names something of the right kind.
pub fn check_static(s: &Scenario, actor: ActorId, action: &str, target: &str) -> Result<(), Problem> {
    use crate::scenario::diagnostic::hint_from;
    if action == NOTHING {
        if !target.is_empty() {
            return Err(problem(
                format!("`{NOTHING}` takes no target, found `{target}`"),
                "remove the target".into(),
                true,
            ));
        }
        return Ok(());
    }
    let me = s.actor(actor);
    let Some(a) = s.action_by_id(action) else {
        let mut ids: Vec<&str> = vec![NOTHING];
        ids.extend(s.actions.iter().filter(|x| x.usable_by(me.kind)).map(|x| x.id.as_str()));
        return Err(problem(format!("unknown action `{action}`"), hint_from(action, "actions", &ids), false));
    };
    let act = &s.actions[a.index()];
    if !act.usable_by(me.kind) {
        return Err(problem(
            format!("{} cannot use `{action}`: it is not open to a {:?}", me.name, me.kind),
            format!("`{action}` is for: {:?}", act.users),
            false,
        ));
    }
    let actor_ids: Vec<&str> = s.actors.iter().map(|x| x.id.as_str()).collect();
    let is_actor = s.actor_by_id(target).is_some();
    match act.targeting {
        Targeting::Own => {
            if !target.is_empty() && target != me.id {
                return Err(problem(
                    format!("`{action}` takes no target, found `{target}`"),
                    "remove the target".into(),
                    true,
                ));
            }
        }
        Targeting::Actor => {
            if target.is_empty() {
                return Err(problem(
                    format!("`{action}` needs a target actor"),
                    format!("add `target: \"ID\"`; {}", hint_from("", "actors", &actor_ids)),
                    false,
                ));
            }
            if !is_actor {
                return Err(problem(
                    format!("unknown target `{target}`"),
                    hint_from(target, "actors", &actor_ids),
                    true,
                ));
            }
        }
        Targeting::Infrastructure => {
            let assets: Vec<&str> = s
                .assets
                .iter()
                .filter(|x| x.owner != actor && act.sectors.contains(&x.sector))
                .map(|x| x.id.as_str())
                .collect();
            if target.is_empty() {
                return Err(problem(
                    format!("`{action}` needs a target asset (or its owner's actor id)"),
                    hint_from("", "targets", &assets),
                    false,
                ));
            }
            if !is_actor && !assets.contains(&target) {
                let msg = if s.assets.iter().any(|x| x.id == target) {
                    format!("`{action}` cannot hit `{target}` (wrong sector, or your own asset)")
                } else {
                    format!("unknown target `{target}`")
                };
                return Err(problem(msg, hint_from(target, "targets", &assets), true));
            }
        }
        Targeting::Suspect => {
            if target.is_empty() {
                return Err(problem(
                    format!("`{action}` needs a case (`case-N`) or the actor to name"),
                    "cases are numbered in the situation report and in save files, e.g. `target: \"case-3\"`".into(),
                    false,
                ));
            }
            if !is_actor && case_index(target).is_none() {
                return Err(problem(
                    format!("unknown target `{target}`"),
                    format!("write `case-N` or an actor id; {}", hint_from(target, "actors", &actor_ids)),
                    true,
                ));
            }
        }
    }
    Ok(())
}

/// Finds the menu item a file names. Errors say why and list the options open now.
pub fn resolve(s: &Scenario, intel: &Intel, menu: &Menu, action: &str, target: &str) -> Result<usize, Problem> {
    check_static(s, menu.actor, action, target)?;
    let open = || format!("Options open to {} now: {}", s.actor(menu.actor).name, menu.listing());
    if action == NOTHING {
        return Ok(0);
    }
    let a = s.action_by_id(action).expect("checked");
    let act = &s.actions[a.index()];
    let wanted: Option<Target> = match act.targeting {
        Targeting::Own => Some(Target::Own),
        Targeting::Actor => s.actor_by_id(target).map(Target::Actor),
        Targeting::Infrastructure => match s.actor_by_id(target) {
            Some(owner) => s.aim(a, owner).map(Target::Asset),
            None => s.assets.iter().position(|x| x.id == target).map(|k| Target::Asset(AssetId::from_index(k))),
        },
        Targeting::Suspect => match case_index(target) {
            Some(ci) => Some(Target::Case(ci)),
            None => {
                let named = s.actor_by_id(target);
                // Menu order is most recent case first.
                menu.items
                    .iter()
                    .filter_map(|i| i.choice)
                    .filter(|c| c.action == a)
                    .find(|c| matches!(c.target, Target::Case(ci) if intel.investigations.get(ci).map(|v| v.suspect) == named))
                    .map(|c| c.target)
            }
        },
    };
    let found = wanted.and_then(|t| menu.position(Some(Choice { action: a, target: t })));
    found.ok_or_else(|| {
        let what = if target.is_empty() { format!("`{action}`") } else { format!("`{action}` against `{target}`") };
        problem(format!("{what} is not open to {} on this turn", s.actor(menu.actor).name), open(), false)
    })
}

/// Whether `a` is an action id of the scenario (or `nothing`).
pub fn is_action(s: &Scenario, a: &str) -> bool {
    a == NOTHING || s.action_by_id(a).is_some()
}
