//! The interactive exercise: human teams play some actors turn by turn, the engine
//! plays the rest, and a debrief compares the class with the engine alone.
//!
//! A session is fully described by its [`Setup`] (scenario, seed, teams) and the
//! decisions made so far: replaying those decisions on a fresh [`Sim`] rebuilds the
//! session exactly, because the engine is deterministic and a human's decision draws
//! nothing from the run's random stream. Saving and resuming, scripted sessions and
//! the debrief all rest on that.
//!
//! - [`menu`]: the options open to a team, the engine's own option set;
//! - [`sitrep`]: the situation report a team reads before deciding;
//! - [`save`]: the session file (save files and scripted decision files);
//! - [`debrief`]: the after-action report.

mod charts;
pub mod debrief;
mod doc;
pub mod menu;
pub mod save;
pub mod sitrep;
pub mod style;

use std::sync::Arc;

use crate::model::ids::ActorId;
use crate::model::state::{Choice, Orders};
use crate::scenario::Scenario;
use crate::sim::Sim;

/// What a session is played on.
#[derive(Debug, Clone)]
pub struct Setup {
    pub scenario: Arc<Scenario>,
    /// The scenario file's display name (its path, or the built-in name).
    pub scenario_file: String,
    /// The scenario's exact text, kept in save files so a session resumes anywhere.
    pub scenario_text: String,
    pub seed: u64,
    /// Actors played by human teams, in the order they take their turns.
    pub teams: Vec<ActorId>,
}

/// One team's decision on one turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub turn: u32,
    pub actor: ActorId,
    /// `None`: the team chose to do nothing.
    pub choice: Option<Choice>,
}

/// A session in progress: the run and the decisions made so far.
pub struct Session {
    pub setup: Setup,
    pub sim: Sim,
    /// In the order they were made: by turn, then in team order.
    pub decisions: Vec<Decision>,
    /// Every investigation's (suspect, believed) at the last decision point, so the
    /// situation report can say what changed since.
    pub(crate) cases_before: Vec<(ActorId, bool)>,
}

impl Session {
    /// A fresh session at turn 0 (no turn opened yet). Events are kept for the reports.
    pub fn new(setup: Setup) -> Session {
        let sim = Sim::new(setup.scenario.clone(), setup.seed, true);
        Session { setup, sim, decisions: Vec::new(), cases_before: Vec::new() }
    }

    pub fn scenario(&self) -> &Scenario {
        &self.setup.scenario
    }

    /// The turn being played (after [`Session::open_turn`]), or the last one played.
    pub fn turn(&self) -> u32 {
        self.sim.turn()
    }

    pub fn finished(&self) -> bool {
        self.sim.finished()
    }

    /// Turns played to the end so far.
    pub fn turns_played(&self) -> u32 {
        self.turn().saturating_sub(u32::from(self.sim.turn_open()))
    }

    /// Starts the next turn up to the decision point: the clock advances and this
    /// turn's injects land, so teams decide on the state the engine decides on.
    pub fn open_turn(&mut self) {
        self.sim.open_turn();
    }

    /// The options open to `team` now.
    pub fn menu(&self, team: ActorId) -> menu::Menu {
        menu::build(&self.sim.world, team)
    }

    /// The decision `team` has made this turn, if any.
    pub fn decided(&self, team: ActorId) -> Option<&Decision> {
        let turn = self.turn();
        self.decisions.iter().rev().take_while(|d| d.turn == turn).find(|d| d.actor == team)
    }

    /// Records a team's decision for the open turn (replacing an earlier one).
    pub fn decide(&mut self, team: ActorId, choice: Option<Choice>) {
        let turn = self.turn();
        let n = self.decisions.iter().rev().take_while(|d| d.turn == turn).count();
        let start = self.decisions.len() - n;
        if let Some(pos) = self.decisions[start..].iter().position(|d| d.actor == team) {
            self.decisions[start + pos].choice = choice;
        } else {
            self.decisions.push(Decision { turn, actor: team, choice });
        }
    }

    /// Whether every team has decided the open turn.
    pub fn all_decided(&self) -> bool {
        self.setup.teams.iter().all(|&t| self.decided(t).is_some())
    }

    /// Plays the rest of the open turn with the teams' orders. Returns `true` when
    /// the exercise has ended.
    pub fn end_turn(&mut self) -> bool {
        self.cases_before = self
            .sim
            .world
            .resource::<crate::model::state::Intel>()
            .investigations
            .iter()
            .map(|i| (i.suspect, i.believed))
            .collect();
        let orders: Vec<(ActorId, Option<Choice>)> =
            self.setup.teams.iter().map(|&t| (t, self.decided(t).and_then(|d| d.choice))).collect();
        {
            let mut o = self.sim.world.resource_mut::<Orders>();
            for (t, choice) in orders {
                if let Some(slot) = o.human.get_mut(t.index()) {
                    *slot = Some(choice);
                }
            }
        }
        self.sim.step()
    }

    /// Display name of an actor.
    pub fn actor_name(&self, a: ActorId) -> &str {
        &self.scenario().actors[a.index()].name
    }
}

/// The name of an escalation tier, with its weight in the escalation score.
pub fn tier_label(t: crate::model::ladder::Tier) -> &'static str {
    use crate::model::ladder::Tier;
    match t {
        Tier::DeEscalation => "de-escalation (−2)",
        Tier::StatusQuo => "status quo (0)",
        Tier::Posturing => "posturing (+4)",
        Tier::NonViolentEscalation => "non-violent escalation (+12)",
        Tier::ViolentEscalation => "violent escalation (+28)",
        Tier::Nuclear => "nuclear (+60)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{builtin, load_bytes};

    fn setup(teams: &[&str], seed: u64) -> Setup {
        let loaded = load_bytes(builtin::DEFAULT_SCENARIO_NAME, builtin::DEFAULT_SCENARIO.as_bytes()).unwrap();
        let scenario = Arc::new(loaded.scenario);
        let teams = teams.iter().map(|t| scenario.actor_by_id(t).unwrap()).collect();
        Setup { scenario, scenario_file: loaded.name, scenario_text: loaded.text, seed, teams }
    }

    /// A turn played in two halves (as the exercise does) equals one played whole.
    #[test]
    fn split_turns_equal_whole_turns() {
        let s = setup(&[], 11);
        let whole = crate::sim::run(&s.scenario, 11, true);
        let mut session = Session::new(s);
        loop {
            session.open_turn();
            if session.end_turn() {
                break;
            }
        }
        let split = session.sim.record();
        assert_eq!(whole.events, split.events);
        assert_eq!(whole.score, split.score);
    }

    /// A team's order replaces the engine's choice for that actor, and draws nothing
    /// from the run's randomness: doing nothing every turn is reproducible.
    #[test]
    fn human_orders_are_obeyed() {
        let s = setup(&["FRA"], 5);
        let fra = s.teams[0];
        let mut session = Session::new(s);
        loop {
            session.open_turn();
            let menu = session.menu(fra);
            let harden = menu.items.iter().find(|i| i.action_id() == Some("harden")).map(|i| i.choice);
            session.decide(fra, harden.flatten());
            if session.end_turn() {
                break;
            }
        }
        let r = session.sim.record();
        let harden = session.scenario().action_by_id("harden").unwrap();
        assert!(r.events.iter().all(|e| !matches!(&e.kind,
            crate::model::events::EventKind::Operation { actor, .. } if actor == "FRA")));
        assert!(r.choices_by_action[harden.index()] >= r.turns_played);
    }
}
