//! Documented exit codes of the `escalate` binary.

/// Success.
pub const OK: u8 = 0;
/// An internal failure: a bug in escalate. Please report it.
pub const INTERNAL: u8 = 1;
/// Invalid input: a malformed or inconsistent scenario, or bad command-line arguments.
pub const INVALID_INPUT: u8 = 2;
/// An input or output file could not be read or written.
pub const IO: u8 = 3;
/// `calibrate`: a figure lies outside its observed interval, or a negative control was
/// not detected. The results were written in full; the verdict is in them.
pub const OUTSIDE: u8 = 4;
/// Interrupted (Ctrl-C, SIGINT); nothing half-written was left behind.
pub const INTERRUPTED: u8 = 130;
/// Terminated (SIGTERM: `kill`, Slurm's `scancel`, time limits, preemption).
pub const TERMINATED: u8 = 143;
/// Hung up (SIGHUP: the terminal or SSH session closed).
pub const HUNG_UP: u8 = 129;
