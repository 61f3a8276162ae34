//! `escalate validate FILE...`

use std::path::PathBuf;

use super::{Failure, render_diagnostics, write_stdout};
use crate::exit;
use crate::scenario::{LoadError, load_file};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario files to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// One `file:line:col: message` line per problem, for editors and scripts.
    #[arg(long)]
    pub short: bool,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let mut worst = exit::OK;
    for path in &args.files {
        match load_file(path) {
            Ok(l) => {
                let s = &l.scenario;
                write_stdout(&format!(
                    "ok: {} — \"{}\": {} actors, {} assets, {} actions, {} injects, {} turns\n",
                    path.display(),
                    s.name,
                    s.actors.len(),
                    s.assets.len(),
                    s.actions.len(),
                    s.injects.len(),
                    s.turns
                ))?;
            }
            Err(LoadError::Invalid(errs)) => {
                if args.short {
                    for line in errs.short_lines() {
                        eprintln!("{line}");
                    }
                } else {
                    eprint!("{}", render_diagnostics(&errs));
                }
                worst = worst.max(exit::INVALID_INPUT);
            }
            Err(e @ LoadError::Io { .. }) => {
                eprintln!("error: {e}");
                worst = worst.max(exit::IO);
            }
        }
    }
    if worst == exit::OK { Ok(()) } else { Err(Failure::Reported(worst)) }
}
