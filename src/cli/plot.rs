//! `escalate plot DIR [--per-actor]`: draw the charts and the report of a finished
//! batch directory from its files alone (nothing is re-simulated).

use std::path::PathBuf;

use super::{Failure, write_stdout};
use crate::report::data::{Batch, ReadError};
use crate::report::{self, Options, ReportError};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A batch directory written by `escalate batch` or `escalate merge`.
    pub dir: PathBuf,
    /// Also draw per-actor charts (activity by actor; escalation by actor when the batch has it).
    #[arg(long)]
    pub per_actor: bool,
    /// Print nothing on success.
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let batch = Batch::read(&args.dir).map_err(read_failure)?;
    let written = report::write(&batch, &Options { per_actor: args.per_actor }).map_err(failure)?;
    for n in &written.notes {
        eprintln!("note: {n}");
    }
    if !args.quiet {
        write_stdout(&format!(
            "wrote {} charts (PNG and SVG) to {}\nreport: {}\n",
            written.files.len() / 2,
            args.dir.join(crate::output::files::CHARTS).display(),
            written.report.display()
        ))?;
    }
    Ok(())
}

/// A directory that is missing is an I/O error; one that is partial or foreign is bad input.
pub fn read_failure(e: ReadError) -> Failure {
    if e.is_input() { Failure::Input(e.to_string()) } else { Failure::Io(e.to_string()) }
}

pub fn failure(e: ReportError) -> Failure {
    match e {
        ReportError::Read(e) => read_failure(e),
        ReportError::Io { .. } => Failure::Io(e.to_string()),
        // Writing a PNG can fail for want of space or permission: that is I/O, not a bug.
        ReportError::Draw { ref message, .. } if message.contains("(os error ") => Failure::Io(e.to_string()),
        ReportError::Draw { .. } => Failure::Internal(e.to_string()),
    }
}
