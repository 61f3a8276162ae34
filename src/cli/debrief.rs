//! `escalate debrief SAVE [--out DIR] [--runs N]`: the after-action report of an exercise.

use std::path::PathBuf;

use super::{Failure, write_stdout};
use crate::output::dir::write_atomic;
use crate::play::debrief::{self, Options};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Save file of the exercise (from `escalate play --save`).
    pub save: PathBuf,
    /// Directory for debrief.md, debrief.html and charts/ (default: next to the save
    /// file, named after it with `-debrief`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Engine-alone runs of the scenario to compare the class with.
    #[arg(long, default_value_t = 500)]
    pub runs: u64,
    /// Master seed of those runs.
    #[arg(long, default_value_t = 2018)]
    pub seed: u64,
    /// Worker threads (default: all cores; at most 4 × the cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print nothing on success (errors still go to stderr), like the other commands.
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(args: Args) -> Result<(), Failure> {
    if args.runs == 0 {
        return Err(Failure::Input("--runs must be at least 1".into()));
    }
    let threads = super::opts::check_threads(args.threads)?;
    let (setup, script) = super::play::load_save(&args.save)?;
    let (mut session, _) = super::play::replay_save(setup, &script)?;
    if session.turns_played() == 0 {
        return Err(Failure::Input(format!(
            "{}: no turn has been played yet; there is nothing to debrief",
            args.save.display()
        )));
    }
    let out = args.out.clone().unwrap_or_else(|| {
        let stem = args.save.file_stem().map_or("session".into(), |s| s.to_string_lossy().into_owned());
        args.save.with_file_name(format!("{stem}-debrief"))
    });
    // A directory made here is partial until the report is written: a signal removes it.
    let partial = (!out.exists()).then(|| crate::output::cleanup::Partial::new(&out));
    std::fs::create_dir_all(&out).map_err(|e| Failure::Io(format!("creating {}: {e}", out.display())))?;
    let opts = Options { runs: args.runs, master_seed: args.seed, threads: Some(threads) };
    let report = debrief::build(&mut session, &opts, &out).map_err(Failure::Io)?;
    let md = out.join("debrief.md");
    let html = out.join("debrief.html");
    write_atomic(&md, report.markdown.as_bytes()).map_err(|e| Failure::Io(format!("writing {}: {e}", md.display())))?;
    write_atomic(&html, report.html.as_bytes()).map_err(|e| Failure::Io(format!("writing {}: {e}", html.display())))?;
    drop(partial);
    if args.quiet {
        return Ok(());
    }
    write_stdout(&format!("{}\nReport: {}\n        {}\n", report.headline, md.display(), html.display()))
}
