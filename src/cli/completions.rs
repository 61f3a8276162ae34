//! `escalate completions SHELL`: a shell completion script, generated from the same
//! clap definition as the parser, so it never falls behind the commands.

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, Failure, write_stdout};

#[derive(clap::Args, Debug)]
#[command(after_help = "Install, for example:
  bash  escalate completions bash > ~/.local/share/bash-completion/completions/escalate
  zsh   escalate completions zsh > ~/.zfunc/_escalate   (with fpath+=~/.zfunc before compinit)
  fish  escalate completions fish > ~/.config/fish/completions/escalate.fish")]
pub struct Args {
    /// The shell to write completions for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "escalate", &mut out);
    let text = String::from_utf8(out).map_err(|e| Failure::Internal(format!("completions are not UTF-8: {e}")))?;
    write_stdout(&text)
}
