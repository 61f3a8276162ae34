//! Session files: save files and scripted decision files share one RON format.
//!
//! ```ron
//! Session(
//!     seed: 7,                    // optional in decision files
//!     teams: ["POL", "RUS"],      // optional in decision files
//!     turns: [
//!         Turn(turn: 1, decisions: [
//!             Decision(actor: "POL", action: "harden"),
//!             Decision(actor: "RUS", action: "espionage", target: "POL-grid"),
//!         ]),
//!         Turn(turn: 2, decisions: [
//!             Decision(actor: "POL", action: "nothing"),
//!             Decision(actor: "RUS", action: "public-attribution", target: "case-1"),
//!         ]),
//!     ],
//!     scenario: r#"ScenarioFile(...)"#,   // save files: the scenario's exact text
//! )
//! ```
//!
//! A save file is the scenario text (and its SHA-256), the seed, the teams and the
//! decisions made so far. Resuming rebuilds the run and replays the decisions; the
//! engine being deterministic, that is the session as it was. See `docs/play.md`.

use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};
use ron::extensions::Extensions;
use serde::Deserialize;
use thiserror::Error;

use super::menu;
use super::{Decision, Session, Setup};
use crate::model::ids::ActorId;
use crate::model::state::Intel;
use crate::output::manifest::sha256_hex;
use crate::scenario::diagnostic::{Collector, Problem, hint_from, offset_of};
use crate::scenario::locate::Path;

/// Version of the session file format. Version 2 saves carry a `checksum`.
pub const VERSION: u32 = 2;

/// How the checksum line of a save starts; the checksum is the SHA-256 of the file
/// without that line.
const CHECKSUM_LINE: &str = "    checksum: ";

/// A session file as written (every header field optional, for decision files).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename = "Session", deny_unknown_fields)]
pub struct SessionFile {
    #[serde(default)]
    pub version: Option<u32>,
    /// Version of escalate that wrote it.
    #[serde(default)]
    pub escalate: Option<String>,
    #[serde(default)]
    pub scenario_file: Option<String>,
    #[serde(default)]
    pub scenario_sha256: Option<String>,
    /// SHA-256 of the whole save without its checksum line (version 2 on).
    #[serde(default)]
    pub checksum: Option<String>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub teams: Option<Vec<String>>,
    #[serde(default)]
    pub turns: Vec<TurnDef>,
    /// The scenario's exact text (save files).
    #[serde(default)]
    pub scenario: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Turn", deny_unknown_fields)]
pub struct TurnDef {
    pub turn: u32,
    #[serde(default)]
    pub decisions: Vec<DecisionDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Decision", deny_unknown_fields)]
pub struct DecisionDef {
    pub actor: String,
    pub action: String,
    #[serde(default)]
    pub target: String,
}

/// Everything wrong with a session file, located.
#[derive(Debug, Error, Diagnostic)]
#[error("{file}: {} problem{} found", problems.len(), if problems.len() == 1 { "" } else { "s" })]
#[diagnostic(code(escalate::invalid_session))]
pub struct SessionErrors {
    pub file: String,
    #[related]
    pub problems: Vec<Problem>,
}

impl SessionErrors {
    /// Renders with colour or without.
    pub fn render(&self, color: bool) -> String {
        let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        let mut out = String::new();
        let _ = GraphicalReportHandler::new_themed(theme).with_width(100).render_report(&mut out, self);
        out
    }

    fn from_collector(c: Collector) -> Result<(), SessionErrors> {
        c.finish().map_err(|e| SessionErrors { file: e.file, problems: e.problems })
    }
}

/// A failure to read a session file.
#[derive(Debug)]
pub enum ReadError {
    Io(String),
    Invalid(SessionErrors),
    /// The embedded scenario itself is invalid.
    Scenario(crate::scenario::LoadError),
}

impl From<SessionErrors> for ReadError {
    fn from(e: SessionErrors) -> Self {
        ReadError::Invalid(e)
    }
}

/// One scripted decision, with where it is in its file.
#[derive(Debug, Clone)]
pub struct Scripted {
    pub turn: u32,
    pub actor: ActorId,
    pub action: String,
    pub target: String,
    /// Path of the decision in the file, for diagnostics.
    pub path: Path,
}

/// The validated decisions of a session file, in file order.
#[derive(Debug, Clone, Default)]
pub struct Script {
    pub file: String,
    pub text: String,
    pub decisions: Vec<Scripted>,
}

impl Script {
    pub fn get(&self, turn: u32, actor: ActorId) -> Option<&Scripted> {
        self.decisions.iter().find(|d| d.turn == turn && d.actor == actor)
    }

    /// A located error about one decision.
    pub fn error(&self, d: &Scripted, in_target: bool, message: String, hint: String) -> SessionErrors {
        let mut c = Collector::new(&self.file, &self.text);
        let field = if in_target { "target" } else { "action" };
        c.at(&d.path.field(field), message, Some(hint));
        SessionErrors::from_collector(c).unwrap_err()
    }

    /// Decisions for turns after `turn`: never used when a session ended there.
    pub fn unused_after(&self, turn: u32) -> usize {
        self.decisions.iter().filter(|d| d.turn > turn).count()
    }
}

fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME).with_recursion_limit(64)
}

/// Parses a session file, with located syntax errors.
pub fn parse(file: &str, text: &str) -> Result<SessionFile, SessionErrors> {
    let mut c = Collector::new(file, text);
    if text.trim().is_empty() {
        c.push_span(
            0,
            0,
            "empty".into(),
            "the file is empty".into(),
            Some("a session file starts with `Session(`; see docs/play.md".into()),
        );
        return Err(SessionErrors::from_collector(c).unwrap_err());
    }
    match ron_options().from_str::<SessionFile>(text) {
        Ok(f) => Ok(f),
        Err(e) => {
            let start = offset_of(text, e.span.start.line, e.span.start.col);
            let end = offset_of(text, e.span.end.line, e.span.end.col).max(start);
            let (msg, help) = describe(&e.code);
            c.push_span(start, end - start, "here".into(), msg, Some(help));
            Err(SessionErrors::from_collector(c).unwrap_err())
        }
    }
}

fn describe(e: &ron::Error) -> (String, String) {
    use ron::Error as E;
    let fields = "see docs/play.md for the format: Session(turns: [Turn(turn: 1, decisions: [Decision(actor: \"ID\", action: \"ID\", target: \"ID\")])])";
    match e {
        E::NoSuchStructField { expected, found, .. } => {
            (format!("unknown field `{found}`"), hint_from(found, "fields", expected))
        }
        E::MissingStructField { field, outer } => (
            format!("missing field `{field}`{}", outer.as_ref().map(|o| format!(" in `{o}`")).unwrap_or_default()),
            format!("add `{field}: ...`; {fields}"),
        ),
        E::ExpectedDifferentStructName { expected, found } => {
            (format!("expected `{expected}` here, found `{found}`"), format!("write `{expected}(...)`"))
        }
        E::Eof => (
            "the file ends in the middle of a value".into(),
            "a closing bracket `)`, `]` or `}` is probably missing".into(),
        ),
        E::ExpectedString | E::ExpectedStringEnd => {
            ("expected a string in double quotes".into(), "ids are written \"like this\"".into())
        }
        E::ExpectedInteger | E::IntegerOutOfBounds => {
            (format!("{e}"), "turns and seeds are whole numbers from 0 up, e.g. `turn: 3`".into())
        }
        other => (format!("{other}"), fields.into()),
    }
}

/// Reads a session file from disk.
pub fn read(path: &std::path::Path) -> Result<(String, String, SessionFile), ReadError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| ReadError::Io(format!("cannot read {name}: {e}")))?;
    if meta.len() > crate::scenario::load::MAX_FILE_BYTES * 2 {
        return Err(ReadError::Io(format!("{name} is too large to be a session file ({} bytes)", meta.len())));
    }
    let bytes = std::fs::read(path).map_err(|e| ReadError::Io(format!("cannot read {name}: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        let mut c = Collector::new(&name, "");
        c.push_span(
            0,
            0,
            "here".into(),
            "the file is not UTF-8 text".into(),
            Some("session files are RON text".into()),
        );
        ReadError::Invalid(SessionErrors::from_collector(c).unwrap_err())
    })?;
    let parsed = parse(&name, &text)?;
    Ok((name, text, parsed))
}

/// The setup stored in a save file (`--resume`, `debrief`).
pub fn setup_from(name: &str, text: &str, f: &SessionFile) -> Result<Setup, ReadError> {
    let mut c = Collector::new(name, text);
    let root = Path::root();
    check_integrity(&mut c, f, text);
    SessionErrors::from_collector(c)?;
    let mut c = Collector::new(name, text);
    let Some(scenario_text) = &f.scenario else {
        c.at(
            &root,
            "this is not a save file: it holds no scenario text",
            Some("a decision file is played with `escalate play SCENARIO --as TEAMS --decisions FILE`".into()),
        );
        return Err(SessionErrors::from_collector(c).unwrap_err().into());
    };
    if f.scenario_sha256.as_ref().is_some_and(|h| *h != sha256_hex(scenario_text)) {
        c.at(
            &root.field("scenario_sha256"),
            "the scenario text does not match its SHA-256: the save file was edited",
            Some("restore the original save file; the scenario of a session cannot change mid-exercise".into()),
        );
    }
    if f.seed.is_none() {
        c.at(&root, "the save file has no `seed`", Some("add `seed: N`".into()));
    }
    if f.teams.as_ref().is_none_or(|t| t.is_empty()) {
        c.at(&root, "the save file names no `teams`", Some("add `teams: [\"ID\", ...]`".into()));
    }
    SessionErrors::from_collector(c)?;
    let scenario_file = f.scenario_file.clone().unwrap_or_else(|| format!("{name} (scenario)"));
    let loaded = crate::scenario::load_str(&scenario_file, scenario_text).map_err(ReadError::Scenario)?;
    let scenario = Arc::new(loaded.scenario);
    let mut c = Collector::new(name, text);
    let mut teams = Vec::new();
    for (i, t) in f.teams.iter().flatten().enumerate() {
        match scenario.actor_by_id(t) {
            Some(a) => teams.push(a),
            None => {
                let ids: Vec<&str> = scenario.actors.iter().map(|a| a.id.as_str()).collect();
                c.at(&root.field("teams").index(i), format!("unknown actor `{t}`"), Some(hint_from(t, "actors", &ids)));
            }
        }
    }
    SessionErrors::from_collector(c)?;
    Ok(Setup { scenario, scenario_file, scenario_text: scenario_text.clone(), seed: f.seed.unwrap_or(0), teams })
}

/// Checks a file's header against the session it is used in (a decision file may
/// leave it out; if present, it must agree).
pub fn check_header(name: &str, text: &str, f: &SessionFile, setup: &Setup) -> Result<(), SessionErrors> {
    let mut c = Collector::new(name, text);
    check_integrity(&mut c, f, text);
    SessionErrors::from_collector(c)?;
    let mut c = Collector::new(name, text);
    let root = Path::root();
    let s = &setup.scenario;
    if let Some(seed) = f.seed.filter(|&seed| seed != setup.seed) {
        c.at(
            &root.field("seed"),
            format!("the file was made with seed {seed}, but this session uses seed {}", setup.seed),
            Some(format!("run with `--seed {seed}`, or remove `seed` from the file")),
        );
    }
    if let Some(teams) = &f.teams {
        let ours: Vec<&str> = setup.teams.iter().map(|&t| s.actor(t).id.as_str()).collect();
        if teams.iter().map(String::as_str).ne(ours.iter().copied()) {
            c.at(
                &root.field("teams"),
                format!("the file's teams are {}, but this session's are {}", teams.join(","), ours.join(",")),
                Some(format!("run with `--as {}`, or remove `teams` from the file", teams.join(","))),
            );
        }
    }
    if f.scenario_sha256.as_ref().is_some_and(|h| *h != sha256_hex(&setup.scenario_text)) {
        c.at(
            &root.field("scenario_sha256"),
            "the file was made with a different scenario (its SHA-256 differs)",
            Some(format!(
                "play it on the scenario it was made with{}",
                f.scenario_file.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
            )),
        );
    }
    SessionErrors::from_collector(c)
}

/// Validates the decisions of a file against the scenario and the teams: everything
/// that can be checked before playing. Whether a choice is open on its turn is
/// checked as the session replays ([`replay`]).
pub fn script(name: &str, text: &str, f: &SessionFile, setup: &Setup) -> Result<Script, SessionErrors> {
    let s = &setup.scenario;
    let mut c = Collector::new(name, text);
    let root = Path::root();
    let mut out = Vec::new();
    let ids: Vec<&str> = s.actors.iter().map(|a| a.id.as_str()).collect();
    let teams: Vec<&str> = setup.teams.iter().map(|&t| s.actor(t).id.as_str()).collect();
    let mut seen_turns: Vec<(u32, usize)> = Vec::new();
    for (i, t) in f.turns.iter().enumerate() {
        let tp = root.field("turns").index(i);
        if t.turn == 0 || t.turn > s.turns {
            c.at(
                &tp.field("turn"),
                format!("turn {} is out of range: the scenario lasts {} turns", t.turn, s.turns),
                Some(format!("turns are numbered 1 to {} ({} 1 to {})", s.turns, s.turn_length, s.turns)),
            );
            continue;
        }
        if let Some(&(_, first)) = seen_turns.iter().find(|(n, _)| *n == t.turn) {
            c.at(
                &tp.field("turn"),
                format!("turn {} is listed twice (first at turns[{first}])", t.turn),
                Some("put all of a turn's decisions in one `Turn(...)`".into()),
            );
            continue;
        }
        seen_turns.push((t.turn, i));
        let mut actors_this_turn: Vec<&str> = Vec::new();
        for (j, d) in t.decisions.iter().enumerate() {
            let dp = tp.field("decisions").index(j);
            let Some(actor) = s.actor_by_id(&d.actor) else {
                c.at(
                    &dp.field("actor"),
                    format!("unknown actor `{}`", d.actor),
                    Some(hint_from(&d.actor, "actors", &ids)),
                );
                continue;
            };
            if !setup.teams.contains(&actor) {
                c.at(
                    &dp.field("actor"),
                    format!(
                        "{} ({}) is not played by a team in this session: the engine plays it",
                        s.actor(actor).name,
                        d.actor
                    ),
                    Some(format!(
                        "teams in this session: {}; add it to `--as`, or remove this decision",
                        teams.join(", ")
                    )),
                );
                continue;
            }
            if actors_this_turn.contains(&d.actor.as_str()) {
                c.at(
                    &dp.field("actor"),
                    format!("{} has two decisions on turn {}", d.actor, t.turn),
                    Some("a team makes one decision per turn; keep one".into()),
                );
                continue;
            }
            actors_this_turn.push(&d.actor);
            if let Err(p) = menu::check_static(s, actor, &d.action, &d.target) {
                c.at(&dp.field(if p.in_target { "target" } else { "action" }), p.message, Some(p.hint));
                continue;
            }
            out.push(Scripted { turn: t.turn, actor, action: d.action.clone(), target: d.target.clone(), path: dp });
        }
    }
    SessionErrors::from_collector(c)?;
    // Turn order, then team order: the order in which the session asks.
    out.sort_by_key(|d| (d.turn, setup.teams.iter().position(|&t| t == d.actor)));
    Ok(Script { file: name.to_string(), text: text.to_string(), decisions: out })
}

/// Where a replay stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayEnd {
    /// The exercise ended.
    Finished,
    /// A team has no decision for the open turn: a person must decide.
    NeedsDecision(ActorId),
}

/// Applies the script's decision for `team` on the open turn, if it has one and it
/// is open. `Ok(false)`: no decision in the script.
pub fn apply(session: &mut Session, script: &Script, team: ActorId) -> Result<bool, SessionErrors> {
    let Some(d) = script.get(session.turn(), team) else {
        return Ok(false);
    };
    let menu = session.menu(team);
    let intel = session.sim.world.resource::<Intel>();
    match menu::resolve(session.scenario(), intel, &menu, &d.action, &d.target) {
        Ok(k) => {
            let choice = menu.items[k].choice;
            session.decide(team, choice);
            Ok(true)
        }
        Err(p) => Err(script.error(d, p.in_target, format!("turn {}: {}", d.turn, p.message), p.hint)),
    }
}

/// Replays a script from the session's current point until the exercise ends or a
/// team has no scripted decision (the turn is then left open, partly decided).
pub fn replay(session: &mut Session, script: &Script) -> Result<ReplayEnd, SessionErrors> {
    loop {
        if session.finished() {
            return Ok(ReplayEnd::Finished);
        }
        session.open_turn();
        for team in session.setup.teams.clone() {
            if session.decided(team).is_some() {
                continue;
            }
            if !apply(session, script, team)? {
                return Ok(ReplayEnd::NeedsDecision(team));
            }
        }
        session.end_turn();
    }
}

/// RON string literal.
fn quote(s: &str) -> String {
    ron::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// A raw string literal that holds `text` exactly, with enough `#`s.
fn raw(text: &str) -> String {
    let mut n = 1;
    while text.contains(&format!("\"{}", "#".repeat(n))) {
        n += 1;
    }
    let h = "#".repeat(n);
    format!("r{h}\"{text}\"{h}")
}

/// Writes the session as a save file: readable, one decision per line, stable bytes
/// (no timestamps), so the same session always saves to the same file.
pub fn write(session: &Session) -> String {
    let s = session.scenario();
    let setup = &session.setup;
    let teams: Vec<&str> = setup.teams.iter().map(|&t| s.actor(t).id.as_str()).collect();
    let decided_turns = {
        let mut v: Vec<u32> = session.decisions.iter().map(|d| d.turn).collect();
        v.dedup();
        v
    };
    let mut out = String::new();
    out.push_str("// escalate play: a saved exercise. Resume it with `escalate play --resume FILE`;\n");
    out.push_str("// write its after-action report with `escalate debrief FILE`. docs/play.md explains the format.\n");
    out.push_str(&format!(
        "// Scenario \"{}\", seed {}, teams {}; {} of {} turns played{}.\n",
        s.name,
        setup.seed,
        teams.join(", "),
        session.turns_played(),
        s.turns,
        if session.finished() { ", exercise over" } else { "" }
    ));
    out.push_str("Session(\n");
    out.push_str(&format!("    version: {VERSION},\n"));
    out.push_str(&format!("    escalate: {},\n", quote(env!("CARGO_PKG_VERSION"))));
    out.push_str(&format!("    scenario_file: {},\n", quote(&setup.scenario_file)));
    out.push_str(&format!("    scenario_sha256: {},\n", quote(&sha256_hex(&setup.scenario_text))));
    out.push_str(&format!("    seed: {},\n", setup.seed));
    out.push_str(&format!("    teams: [{}],\n", teams.iter().map(|t| quote(t)).collect::<Vec<_>>().join(", ")));
    out.push_str("    turns: [\n");
    for t in decided_turns {
        out.push_str(&format!("        Turn(turn: {t}, decisions: [\n"));
        for d in session.decisions.iter().filter(|d| d.turn == t) {
            out.push_str(&format!("            {},\n", decision_line(session, d)));
        }
        out.push_str("        ]),\n");
    }
    out.push_str("    ],\n");
    out.push_str(&format!("    scenario: {},\n", raw(&setup.scenario_text)));
    out.push_str(")\n");
    // The checksum covers every other byte, so any edit (a seed, a decision, the
    // scenario) is refused on resume.
    let sum = sha256_hex(&out);
    let at = out.find("Session(\n").map_or(0, |i| i + "Session(\n".len());
    out.insert_str(at, &format!("{CHECKSUM_LINE}{},\n", quote(&sum)));
    out
}

/// The text of a save without its checksum line: what the checksum covers.
fn without_checksum(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dropped = false;
    for line in text.split_inclusive('\n') {
        if !dropped && line.starts_with(CHECKSUM_LINE) {
            dropped = true;
            continue;
        }
        out.push_str(line);
    }
    out
}

/// A session file must be of a format version this escalate reads, and a save of
/// version 2 on must match its checksum.
fn check_integrity(c: &mut Collector, f: &SessionFile, text: &str) {
    let root = Path::root();
    if let Some(v) = f.version.filter(|&v| v > VERSION || v == 0) {
        c.at(
            &root.field("version"),
            format!("session file format version {v} is not one this escalate reads (versions 1 to {VERSION})"),
            Some(format!(
                "it was written by {}; use that version, or a newer escalate",
                f.escalate.as_deref().map_or("another escalate".to_string(), |e| format!("escalate {e}"))
            )),
        );
        return;
    }
    let is_save = f.scenario.is_some();
    match &f.checksum {
        Some(sum) if *sum != sha256_hex(&without_checksum(text)) => c.at(
            &root.field("checksum"),
            "the file does not match its checksum: the save file was edited or damaged",
            Some("restore the original save file; a saved exercise cannot be changed by hand".into()),
        ),
        None if is_save && f.version.is_none_or(|v| v >= 2) => c.at(
            &root,
            "the save file has no `checksum`: it was edited, or damaged",
            Some("restore the original save file; saves since format version 2 carry a checksum".into()),
        ),
        _ => {}
    }
}

fn decision_line(session: &Session, d: &Decision) -> String {
    let s = session.scenario();
    let (action, target) = menu::file_form(s, d.choice);
    let actor = quote(&s.actor(d.actor).id);
    if target.is_empty() {
        format!("Decision(actor: {actor}, action: {})", quote(&action))
    } else {
        format!("Decision(actor: {actor}, action: {}, target: {})", quote(&action), quote(&target))
    }
}
