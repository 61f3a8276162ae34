//! The progress bar and Ctrl-C handling shared by long-running subcommands.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar on stderr with runs/s and ETA; hidden with `quiet` or when stderr
/// is not a terminal.
pub fn bar(total: u64, quiet: bool) -> ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{bar:40.cyan/blue} {pos}/{len} runs  {per_sec}  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Sets `flag` on SIGINT, SIGTERM or SIGHUP, so the runs stop after the current
/// block (a second signal stops at once; see [`super::signals`]).
pub fn on_ctrl_c(flag: Arc<AtomicBool>) {
    super::signals::cancel_on_signal(flag);
}

pub fn interrupted(flag: &AtomicBool) -> bool {
    flag.load(Ordering::SeqCst)
}
