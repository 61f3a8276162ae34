//! `escalate play SCENARIO --as ACTOR[,ACTOR...] [--seed N] [--decisions FILE] [--save PATH]`
//! and `escalate play --resume SAVE`: the teaching wargame, turn by turn at one keyboard.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Failure, load_scenario, write_stdout};
use crate::exit;
use crate::model::ladder::Tier;
use crate::model::state::Choice;
use crate::play::menu::Menu;
use crate::play::save::{self, ReadError, ReplayEnd, Script, SessionErrors};
use crate::play::style::Style;
use crate::play::{Session, Setup, sitrep, tier_label};

#[derive(clap::Args, Debug)]
#[command(
    override_usage = "escalate play [SCENARIO] --as ACTOR[,ACTOR...] [OPTIONS]\n       escalate play --resume SAVE [OPTIONS]"
)]
pub struct Args {
    /// Scenario file (default: the built-in paris-call-2018 scenario).
    pub scenario: Option<PathBuf>,
    /// Actors played by human teams, in the order they take their turns (e.g. POL,RUS).
    #[arg(long = "as", value_name = "ACTOR[,ACTOR...]", value_delimiter = ',', required_unless_present = "resume")]
    pub teams: Vec<String>,
    /// Seed of the run: the same seed and decisions always give the same session.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Play decisions from a session file (a rehearsal script or a save); teams without
    /// a decision for a turn are asked at the prompt.
    #[arg(long, value_name = "FILE", conflicts_with = "resume")]
    pub decisions: Option<PathBuf>,
    /// Resume a saved session (its scenario, seed and teams come from the file).
    #[arg(long, value_name = "SAVE", conflicts_with_all = ["scenario", "teams", "seed"])]
    pub resume: Option<PathBuf>,
    /// Save file: written after every turn, on `s` and when input ends
    /// (default with --resume: the resumed file).
    #[arg(long, value_name = "PATH")]
    pub save: Option<PathBuf>,
    /// Replace an existing --save file (otherwise an existing file is never overwritten,
    /// except the save being resumed).
    #[arg(long)]
    pub force: bool,
}

/// Where the session is saved, and whether an existing file there may be replaced.
struct SaveTarget {
    path: PathBuf,
    /// True once this session owns the file: `--force`, the resumed save itself, or
    /// after the first save.
    may_replace: bool,
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Checks the save path before turn 1: not a directory, not one of the session's
/// inputs, not an existing file unless `--force` (or it is the save being resumed),
/// and in a directory where a file can be created.
fn check_save_target(
    path: &Path,
    force: bool,
    resumed: Option<&Path>,
    inputs: &[&Path],
) -> Result<SaveTarget, Failure> {
    let shown = path.display();
    if path.is_dir() {
        return Err(Failure::Input(format!("--save {shown} is a directory; name a file")));
    }
    if let Some(input) = inputs.iter().find(|i| same_file(path, i)) {
        return Err(Failure::Input(format!(
            "--save {shown} is the file {} this session reads; choose another save file",
            input.display()
        )));
    }
    let own = resumed.is_some_and(|r| same_file(path, r));
    let exists = std::fs::symlink_metadata(path).is_ok();
    if exists && !force && !own {
        return Err(Failure::Input(format!(
            "--save {shown} already exists; refusing to overwrite it (choose another file, or add --force to replace it)"
        )));
    }
    if path.file_name().is_none() {
        return Err(Failure::Input(format!("--save {shown} names no file")));
    }
    let probe = crate::output::dir::hidden_sibling(path, &format!(".probe-{}", std::process::id()));
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
        }
        Err(e) => return Err(Failure::Io(format!("cannot write the save file {shown}: {e}"))),
    }
    Ok(SaveTarget { path: path.to_path_buf(), may_replace: exists })
}

/// How a team's turn at the keyboard ended.
enum Answer {
    Decided(Option<Choice>),
    Save,
    Quit,
    /// Standard input ended.
    Eof,
}

struct Io<'a> {
    input: Box<dyn BufRead + 'a>,
    style: Style,
    /// A terminal: clear the screen between teams so one does not read another's report.
    terminal: bool,
    /// Echo answers read from a pipe, so a scripted transcript reads like a session.
    echo: bool,
}

impl Io<'_> {
    fn say(&self, text: &str) -> Result<(), Failure> {
        write_stdout(text)
    }

    /// Prompts and reads one line; `None` at end of input.
    fn ask(&mut self, prompt: &str) -> Result<Option<String>, Failure> {
        self.say(prompt)?;
        let mut line = String::new();
        match self.input.read_line(&mut line) {
            Ok(0) => {
                self.say("\n")?;
                Ok(None)
            }
            Ok(_) => {
                let line = line.trim().to_string();
                if self.echo {
                    self.say(&format!("{line}\n"))?;
                }
                Ok(Some(line))
            }
            Err(e) => Err(Failure::Io(format!("reading standard input: {e}"))),
        }
    }
}

fn session_errors(e: SessionErrors) -> Failure {
    use std::io::IsTerminal;
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    eprint!("{}", e.render(color));
    Failure::Reported(exit::INVALID_INPUT)
}

fn read_error(e: ReadError) -> Failure {
    match e {
        ReadError::Io(m) => Failure::Io(m),
        ReadError::Invalid(e) => session_errors(e),
        ReadError::Scenario(e) => e.into(),
    }
}

/// Reads a save file: its setup and its decisions.
pub fn load_save(path: &Path) -> Result<(Setup, Script), Failure> {
    let (name, text, file) = save::read(path).map_err(read_error)?;
    let setup = save::setup_from(&name, &text, &file).map_err(read_error)?;
    if let Some(v) = file.escalate.as_ref().filter(|v| *v != env!("CARGO_PKG_VERSION")) {
        eprintln!(
            "warning: {name} was saved by escalate {v}, this is {}; if the model changed, the replay may differ",
            env!("CARGO_PKG_VERSION")
        );
    }
    let script = save::script(&name, &text, &file, &setup).map_err(session_errors)?;
    Ok((setup, script))
}

/// Replays a save's decisions on a fresh session (exit 2 if one is not open on its turn).
pub fn replay_save(setup: Setup, script: &Script) -> Result<(Session, ReplayEnd), Failure> {
    let mut session = Session::new(setup);
    let end = save::replay(&mut session, script).map_err(session_errors)?;
    Ok((session, end))
}

fn setup_from_args(args: &Args) -> Result<Setup, Failure> {
    let loaded = load_scenario(args.scenario.as_deref())?;
    let scenario = Arc::new(loaded.scenario);
    let mut teams = Vec::new();
    for t in &args.teams {
        let t = t.trim();
        let Some(a) = scenario.actor_by_id(t) else {
            let ids: Vec<&str> = scenario.actors.iter().map(|a| a.id.as_str()).collect();
            return Err(Failure::Input(format!(
                "--as: unknown actor `{t}` in {}; {}",
                loaded.name,
                crate::scenario::diagnostic::hint_from(t, "actors", &ids)
            )));
        };
        if teams.contains(&a) {
            return Err(Failure::Input(format!("--as: `{t}` is named twice; each actor is played by one team")));
        }
        teams.push(a);
    }
    if teams.is_empty() {
        return Err(Failure::Input("--as: name at least one actor for the human teams, e.g. --as POL".into()));
    }
    Ok(Setup { scenario, scenario_file: loaded.name, scenario_text: loaded.text, seed: args.seed, teams })
}

pub fn run(args: Args) -> Result<(), Failure> {
    let style = Style::detect();
    let (mut session, script, save_path) = match &args.resume {
        Some(path) => {
            let (setup, script) = load_save(path)?;
            let (session, _) = replay_save(setup, &script)?;
            let target = args.save.clone().unwrap_or_else(|| path.clone());
            (session, script, Some(check_save_target(&target, args.force, Some(path), &[])?))
        }
        None => {
            let setup = setup_from_args(&args)?;
            let script = match &args.decisions {
                Some(path) => {
                    let (name, text, file) = save::read(path).map_err(read_error)?;
                    save::check_header(&name, &text, &file, &setup).map_err(session_errors)?;
                    let script = save::script(&name, &text, &file, &setup).map_err(session_errors)?;
                    // Check every scripted decision that can be reached without a person
                    // before the class starts, so a bad file fails at once.
                    let mut dry = Session::new(setup.clone());
                    save::replay(&mut dry, &script).map_err(session_errors)?;
                    script
                }
                None => Script::default(),
            };
            let mut inputs: Vec<&Path> = args.scenario.iter().map(PathBuf::as_path).collect();
            inputs.extend(args.decisions.as_deref());
            let target = match &args.save {
                Some(p) => Some(check_save_target(p, args.force, None, &inputs)?),
                None => None,
            };
            (Session::new(setup), script, target)
        }
    };
    let stdin = std::io::stdin();
    let echo = !std::io::IsTerminal::is_terminal(&stdin);
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let mut io = Io { input: Box::new(stdin.lock()), style, terminal, echo };
    play(&mut session, &script, save_path, args.resume.is_some(), args.force, &mut io)
}

fn banner(session: &Session, io: &Io, resumed: bool) -> Result<(), Failure> {
    let s = session.scenario();
    let st = io.style;
    let teams: Vec<String> =
        session.setup.teams.iter().map(|&t| format!("{} ({})", s.actor(t).name, s.actor(t).id)).collect();
    let mut text = format!("{}\n", st.bold(&format!("ESCALATE · {}", s.name)));
    if !s.description.is_empty() {
        text.push_str(&format!("{}\n", s.description));
    }
    text.push_str(&format!(
        "Teams: {} · seed {} · {} turns of one {} · the engine plays everyone else.\n",
        teams.join(", "),
        session.setup.seed,
        s.turns,
        s.turn_length
    ));
    if resumed {
        text.push_str(&format!("Resumed after {} turn(s).\n", session.turns_played()));
    }
    text.push_str("At each prompt type an option's number; ? for help, s to save and quit.\n");
    io.say(&text)
}

fn play(
    session: &mut Session,
    script: &Script,
    mut save_path: Option<SaveTarget>,
    resumed: bool,
    force: bool,
    io: &mut Io,
) -> Result<(), Failure> {
    banner(session, io, resumed)?;
    if save_path.is_none() {
        io.say(&io.style.dim("(No --save file: the session is not saved unless you save it with `s`.)\n"))?;
    }
    let mut handed_over = false;
    while !session.finished() {
        session.open_turn();
        let teams = session.setup.teams.clone();
        for team in teams {
            if session.decided(team).is_some() {
                continue;
            }
            let menu = session.menu(team);
            // A scripted decision, if the file has one that is open now.
            if script.get(session.turn(), team).is_some() {
                match save::apply(session, script, team) {
                    Ok(_) => {
                        let choice = session.decided(team).and_then(|d| d.choice);
                        let text = sitrep::render(session, team, io.style);
                        io.say(&format!("\n{text}\n{}", menu_text(session, &menu, io.style)))?;
                        io.say(&format!("{}\n", decided_line(session, &menu, choice, io.style, true)))?;
                        continue;
                    }
                    Err(e) => {
                        eprint!("{}", e.render(false));
                        eprintln!("warning: that scripted decision is not open now; the team is asked instead");
                    }
                }
            }
            if io.terminal && session.setup.teams.len() > 1 {
                // Clear the previous team's screen (the very first one keeps the banner).
                if std::mem::take(&mut handed_over) {
                    io.say("\x1b[2J\x1b[H")?;
                }
                let name = session.actor_name(team).to_string();
                let ready =
                    io.ask(&io.style.bold(&format!("Team {name}: press Enter when you have the keyboard. ")))?;
                if ready.is_none() {
                    return stop_at_eof(session, save_path.as_mut(), io);
                }
            }
            io.say(&format!("\n{}\n{}", sitrep::render(session, team, io.style), menu_text(session, &menu, io.style)))?;
            match decide(session, &menu, io)? {
                Answer::Decided(choice) => {
                    handed_over = true;
                    session.decide(team, choice);
                    io.say(&format!("{}\n", decided_line(session, &menu, choice, io.style, false)))?;
                }
                Answer::Save => {
                    let mut target = match save_path.take() {
                        Some(t) => t,
                        None => loop {
                            let p = match io.ask("Save to file [escalate-session.ron]: ")? {
                                Some(p) if !p.is_empty() => PathBuf::from(p),
                                _ => PathBuf::from("escalate-session.ron"),
                            };
                            match check_save_target(&p, force, None, &[]) {
                                Ok(t) => break t,
                                Err(Failure::Input(m) | Failure::Io(m)) => io.say(&format!("{m}\n"))?,
                                Err(f) => return Err(f),
                            }
                        },
                    };
                    write_save(session, &mut target)?;
                    let path = target.path;
                    return io.say(&format!(
                        "Saved to {} ({} turn(s) played). Resume with: escalate play --resume {}\n",
                        path.display(),
                        session.turns_played(),
                        path.display()
                    ));
                }
                Answer::Quit => return io.say("Quit without saving.\n"),
                Answer::Eof => return stop_at_eof(session, save_path.as_mut(), io),
            }
        }
        let turn = session.turn();
        let over = session.end_turn();
        if let Some(t) = save_path.as_mut() {
            write_save(session, t)?;
        }
        if !over {
            io.say(&io.style.dim(&format!("── end of {} ──\n", sitrep::when(session.scenario(), turn))))?;
        }
    }
    let unused = script.unused_after(session.turn());
    if unused > 0 {
        eprintln!(
            "note: the exercise ended on turn {}; {unused} scripted decision(s) for later turns were not used",
            session.turn()
        );
    }
    let record = session.sim.record();
    let s = session.scenario();
    let mut text = format!("\n{}\n", io.style.cyan("══ EXERCISE OVER ══"));
    text.push_str(&crate::narrative::summary(s, &record));
    match &save_path {
        Some(t) => text.push_str(&format!(
            "\nSaved to {}. After-action report: escalate debrief {}\n",
            t.path.display(),
            t.path.display()
        )),
        None => text.push_str("\nRun with --save FILE to keep the session for `escalate debrief`.\n"),
    }
    io.say(&text)
}

fn stop_at_eof(session: &Session, save_path: Option<&mut SaveTarget>, io: &Io) -> Result<(), Failure> {
    match save_path {
        Some(t) => {
            write_save(session, t)?;
            let p = &t.path;
            io.say(&format!(
                "Input ended: saved to {} ({} turn(s) played). Resume with: escalate play --resume {}\n",
                p.display(),
                session.turns_played(),
                p.display()
            ))
        }
        None => io.say("Input ended; the session was not saved (no --save file).\n"),
    }
}

/// Writes the save; until the session owns the file, never over an existing one.
fn write_save(session: &Session, t: &mut SaveTarget) -> Result<(), Failure> {
    let bytes = save::write(session);
    let written = if t.may_replace {
        crate::output::dir::write_atomic(&t.path, bytes.as_bytes())
    } else {
        crate::output::dir::write_new(&t.path, bytes.as_bytes())
    };
    written.map_err(|e| Failure::Io(format!("writing the save file {}: {e}", t.path.display())))?;
    t.may_replace = true;
    Ok(())
}

/// The options, numbered, each with its tier and the principles it would break.
fn menu_text(session: &Session, menu: &Menu, st: Style) -> String {
    let s = session.scenario();
    let mut out = format!(
        "\n{}\n",
        st.heading(&format!(
            "OPTIONS FOR {} ({})",
            s.actor(menu.actor).name.to_uppercase(),
            sitrep::when(s, session.turn())
        ))
    );
    // Labels past this width put their tier on the next line, so the column stays straight.
    const WIDE: usize = 62;
    let width = menu.items.iter().map(|i| i.label.chars().count()).filter(|&w| w <= WIDE).max().unwrap_or(0);
    for (k, item) in menu.items.iter().enumerate() {
        let len = item.label.chars().count();
        let tier = st.dim(tier_label(item.tier));
        if len <= WIDE {
            out.push_str(&format!("  {k:>2}  {}{}  {tier}\n", item.label, " ".repeat(width - len)));
        } else {
            out.push_str(&format!("  {k:>2}  {}\n      {}  {tier}\n", item.label, " ".repeat(width)));
        }
        for b in &item.breaks {
            let who = if b.bound { " — you are bound by it" } else { "" };
            let text = format!("breaks {} \"{}\"{who}", b.key, b.name);
            out.push_str(&format!("        {}\n", if b.bound { st.red(&text) } else { st.yellow(&text) }));
        }
    }
    out
}

fn decided_line(session: &Session, menu: &Menu, choice: Option<Choice>, st: Style, scripted: bool) -> String {
    let name = session.actor_name(menu.actor);
    let label = menu.position(choice).map_or("?".to_string(), |k| format!("{k}. {}", menu.items[k].label));
    let how = if scripted { " (scripted)" } else { "" };
    st.bold(&format!("→ {name}{how}: {label}"))
}

const HELP: &str = "  Type the number of an option and press Enter (or the option as files name it,
  e.g. `harden` or `protest RUS`).
    0   do nothing this turn
    r   show the situation report again
    m   show the options again
    s   save the exercise and quit (resume later with `escalate play --resume FILE`)
    q   quit without saving
    ?   this help
";

/// Asks a team until it gives a valid answer. Invalid answers are explained and re-asked.
fn decide(session: &Session, menu: &Menu, io: &mut Io) -> Result<Answer, Failure> {
    let name = session.actor_name(menu.actor).to_string();
    let last = menu.items.len() - 1;
    loop {
        let prompt = io.style.bold(&format!("{name}, your decision [0-{last}, ? help, s save, q quit]: "));
        let Some(line) = io.ask(&prompt)? else {
            return Ok(Answer::Eof);
        };
        match line.to_lowercase().as_str() {
            "" => match io.ask("Do nothing this turn? [y/N]: ")? {
                None => return Ok(Answer::Eof),
                Some(a) if is_yes(&a) => return Ok(Answer::Decided(None)),
                Some(_) => continue,
            },
            "?" | "h" | "help" => io.say(HELP)?,
            "r" => io.say(&sitrep::render(session, menu.actor, io.style))?,
            "m" => io.say(&menu_text(session, menu, io.style))?,
            "s" | "save" => return Ok(Answer::Save),
            "q" | "quit" => match io.ask("Quit without saving? [y/N]: ")? {
                None => return Ok(Answer::Eof),
                Some(a) if is_yes(&a) => return Ok(Answer::Quit),
                Some(_) => continue,
            },
            other => {
                // A number from the menu, or an option as session files name it ("protest RUS").
                let k = match other.parse::<usize>() {
                    Ok(k) if k <= last => k,
                    Ok(_) => {
                        io.say(&io.style.yellow(&format!(
                            "`{line}` is not an option: type a number from 0 to {last}, or ? for help.\n"
                        )))?;
                        continue;
                    }
                    Err(_) => {
                        let mut words = line.split_whitespace();
                        let action = words.next().unwrap_or_default();
                        let target = words.collect::<Vec<_>>().join(" ");
                        let intel = session.sim.world.resource::<crate::model::state::Intel>();
                        match crate::play::menu::resolve(session.scenario(), intel, menu, action, &target) {
                            Ok(k) => k,
                            Err(p) => {
                                let msg = if crate::play::menu::is_action(session.scenario(), action) {
                                    format!("{}. {}\n", p.message, p.hint)
                                } else {
                                    format!(
                                        "`{line}` is not an option: type a number from 0 to {last}, or ? for help.\n"
                                    )
                                };
                                io.say(&io.style.yellow(&msg))?;
                                continue;
                            }
                        }
                    }
                };
                let item = &menu.items[k];
                if item.tier >= Tier::ViolentEscalation {
                    let q = format!("{} is {}. Confirm? [y/N]: ", item.label, tier_label(item.tier));
                    match io.ask(&io.style.red(&q))? {
                        None => return Ok(Answer::Eof),
                        Some(a) if is_yes(&a) => {}
                        Some(_) => continue,
                    }
                }
                return Ok(Answer::Decided(item.choice));
            }
        }
    }
}

fn is_yes(a: &str) -> bool {
    matches!(a.trim().to_lowercase().as_str(), "y" | "yes")
}
