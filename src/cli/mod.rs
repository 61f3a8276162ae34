//! Subcommands, one module each. This layer only wires the engine's steps together
//! and turns failures into messages and documented exit codes (see [`crate::exit`]).

mod batch;
mod calibrate;
mod compare;
mod completions;
mod debrief;
mod explore;
mod headline;
mod man;
mod many;
mod merge;
mod opts;
mod play;
mod plot;
mod progress;
mod run;
pub mod signals;
mod sweep;
mod validate;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::exit;
use crate::scenario::{LoadError, Loaded, builtin, load_bytes, load_file};

#[derive(Parser, Debug)]
#[command(name = "escalate", version, about = "Cyber-escalation simulation: norm-bound states in an ECS world")]
#[command(
    after_help = "Exit codes: 0 success, 1 internal failure, 2 invalid input, 3 I/O error, 130 interrupted (SIGINT), 143 terminated (SIGTERM), 129 hung up (SIGHUP)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check scenario files and report every problem with file, line and column.
    Validate(validate::Args),
    /// Simulate one run and print a turn-by-turn narrative (or JSON Lines).
    Run(run::Args),
    /// Run a scenario over many seeds (default 1,000) and write results and charts to a directory.
    Batch(batch::Args),
    /// Join the shard directories of one batch into one batch directory.
    Merge(merge::Args),
    /// Draw the charts (PNG, SVG) and report.html of a finished batch directory.
    Plot(plot::Args),
    /// Compare variants of a scenario on common random numbers (default 1,000 runs each).
    Compare(compare::Args),
    /// Sweep one or two parameters over a grid on common random numbers (default 500 runs a point).
    Sweep(sweep::Args),
    /// Hold the model to published figures, with intervals and verdicts; validate, check negative controls, fit.
    Calibrate(calibrate::Args),
    /// Global sensitivity analysis (Morris, Sobol') and scenario discovery (PRIM) over uncertain inputs.
    Explore(explore::Args),
    /// Play a scenario as a teaching wargame: human teams take turns at the keyboard.
    Play(play::Args),
    /// Write the after-action report (Markdown and HTML) of a saved exercise.
    Debrief(debrief::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::Args),
    /// Print the manual page (roff), or write one page per subcommand with --dir.
    Man(man::Args),
}

/// A failure, carrying what to tell the user and how to exit.
#[derive(Debug)]
pub enum Failure {
    /// Already reported to stderr (diagnostics); just exit with this code.
    Reported(u8),
    /// Bad input: message and exit code 2.
    Input(String),
    /// I/O: message and exit code 3.
    Io(String),
    /// SIGINT, SIGTERM or SIGHUP: exit 128 + the signal's number.
    Interrupted,
    /// A bug.
    Internal(String),
}

impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Io { .. } => Failure::Io(e.to_string()),
            LoadError::Invalid(errs) => {
                eprint!("{}", render_diagnostics(&errs));
                Failure::Reported(exit::INVALID_INPUT)
            }
        }
    }
}

/// Renders scenario diagnostics, with colour when stderr is a terminal.
pub fn render_diagnostics(errs: &crate::scenario::diagnostic::ScenarioErrors) -> String {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        errs.render(miette::GraphicalTheme::unicode())
    } else {
        errs.render_plain()
    }
}

/// Loads the scenario at `path`, or the built-in default scenario when none is given.
pub fn load_scenario(path: Option<&Path>) -> Result<Loaded, Failure> {
    match path {
        Some(p) => Ok(load_file(p)?),
        None => Ok(load_bytes(builtin::DEFAULT_SCENARIO_NAME, builtin::DEFAULT_SCENARIO.as_bytes())?),
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    signals::install();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::INVALID_INPUT } else { exit::OK });
        }
    };
    let result = match cli.command {
        Command::Play(a) => play::run(a),
        Command::Debrief(a) => debrief::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Run(a) => run::run(a),
        Command::Batch(a) => batch::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Plot(a) => plot::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Sweep(a) => sweep::run(a),
        Command::Calibrate(a) => calibrate::run(a),
        Command::Explore(a) => explore::run(a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => man::run(a),
    };
    match result {
        Ok(()) => ExitCode::from(exit::OK),
        Err(f) => ExitCode::from(report(f)),
    }
}

fn report(f: Failure) -> u8 {
    match f {
        Failure::Reported(code) => code,
        Failure::Input(m) => {
            eprintln!("error: {m}");
            exit::INVALID_INPUT
        }
        Failure::Io(m) => {
            eprintln!("error: {m}");
            exit::IO
        }
        Failure::Interrupted => {
            eprintln!("{}", signals::message());
            signals::exit_code()
        }
        Failure::Internal(m) => {
            eprintln!("internal error (a bug in escalate, please report it): {m}");
            exit::INTERNAL
        }
    }
}

/// Moves a finished output directory into place, unless a signal has arrived (then
/// the directory is dropped, which removes it, and the command exits as interrupted).
pub fn commit(dir: crate::output::dir::OutputDir) -> Result<std::path::PathBuf, Failure> {
    if signals::received() {
        return Err(Failure::Interrupted);
    }
    dir.commit().map_err(|e| Failure::Io(e.to_string()))
}

/// Writes to stdout; a closed pipe (`escalate run | head`) is not an error.
pub fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Io(format!("writing to stdout: {e}"))),
    }
}

/// Draws the charts and report into a batch directory that is about to get `manifest`
/// (it is still the temporary directory, so the manifest is passed, not read).
pub fn charts_hook(dir: &Path, manifest: &crate::output::manifest::Manifest, _quiet: bool) -> Result<(), Failure> {
    let batch = crate::report::data::Batch::read_with(dir, manifest.clone()).map_err(|e| match e {
        crate::report::data::ReadError::Io { .. } => Failure::Io(e.to_string()),
        // The batch has just written these files: not reading them back is a bug.
        _ => Failure::Internal(format!("reading back the batch files: {e}")),
    })?;
    crate::report::write(&batch, &crate::report::Options::default()).map_err(plot::failure)?;
    Ok(())
}

/// Draws the comparison charts and page of a compare or sweep directory.
pub fn compare_charts_hook(dir: &Path) -> Result<(), Failure> {
    // The manifest (and its kind) is written after this: a sweep is told by its grid.
    if dir.join("sweep.json").is_file() {
        crate::report::sweep::write(dir).map_err(plot::failure)?;
    } else {
        crate::report::compare::write(dir).map_err(plot::failure)?;
    }
    Ok(())
}

/// Draws the calibration chart (observed against simulated) into a calibration directory.
pub fn calibration_chart_hook(
    dir: &Path,
    scenario: &str,
    runs: u64,
    rows: &[crate::calibrate::Row],
) -> Result<(), Failure> {
    crate::report::calibration::write(dir, scenario, runs, rows).map_err(plot::failure)?;
    Ok(())
}
