//! `escalate man [--dir DIR]`: the manual pages, generated from the same clap
//! definition as the parser (clap_mangen): `escalate.1` on standard output, or one
//! page per subcommand (`escalate-batch.1`, …) written into DIR.

use std::path::PathBuf;

use clap::CommandFactory;

use super::{Cli, Failure, write_stdout};

#[derive(clap::Args, Debug)]
#[command(after_help = "Read it with `escalate man | man -l -`; install with \
`escalate man --dir ~/.local/share/man/man1`.")]
pub struct Args {
    /// Write escalate.1 and a page for every subcommand into this directory (created
    /// if needed) instead of printing escalate.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<(), Failure> {
    match &args.dir {
        Some(dir) => {
            let io = |e: std::io::Error| Failure::Io(format!("writing man pages to {}: {e}", dir.display()));
            std::fs::create_dir_all(dir).map_err(io)?;
            clap_mangen::generate_to(Cli::command(), dir).map_err(io)
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|e| Failure::Internal(format!("rendering the man page: {e}")))?;
            let text = String::from_utf8(out).map_err(|e| Failure::Internal(format!("man page is not UTF-8: {e}")))?;
            write_stdout(&text)
        }
    }
}
