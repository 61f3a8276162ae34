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
        ProgressStyle::with_template("{bar:40.cyan/blue} {pos}/{len} runs  {rate}  ETA {eta}")
            .map(|s| {
                s.with_key("rate", |st: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&rate(st.per_sec()));
                })
            })
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// A rate for the progress bar: whole runs per second (`1,234 runs/s`), one
/// decimal below ten (`2.5 runs/s`), never indicatif's four decimals.
pub fn rate(per_sec: f64) -> String {
    if !per_sec.is_finite() || per_sec <= 0.0 {
        return "… runs/s".into();
    }
    if per_sec < 10.0 {
        return format!("{per_sec:.1} runs/s");
    }
    format!("{} runs/s", crate::report::data::thousands(per_sec.round() as u64))
}

/// Sets `flag` on SIGINT, SIGTERM or SIGHUP, so the runs stop after the current
/// block (a second signal stops at once; see [`super::signals`]).
pub fn on_ctrl_c(flag: Arc<AtomicBool>) {
    super::signals::cancel_on_signal(flag);
}

pub fn interrupted(flag: &AtomicBool) -> bool {
    flag.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    use super::rate;

    #[test]
    fn rates_print_without_needless_decimals() {
        assert_eq!(rate(1234.5678), "1,235 runs/s");
        assert_eq!(rate(987.4321), "987 runs/s");
        assert_eq!(rate(12.0), "12 runs/s");
        assert_eq!(rate(2.46), "2.5 runs/s");
        assert_eq!(rate(1_000_000.4), "1,000,000 runs/s");
        assert_eq!(rate(0.0), "… runs/s");
        assert_eq!(rate(f64::NAN), "… runs/s");
    }
}
