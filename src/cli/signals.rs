//! SIGINT, SIGTERM and SIGHUP, handled alike by every subcommand.
//!
//! The handler only writes the signal's number to a pipe; a watcher thread reads it.
//! A command that stops cooperatively (batch, compare, sweep, calibrate: they check
//! a flag between blocks of runs) gets its flags set, finishes the block, removes its
//! partial directory and exits with [`exit_code`]. Any other command (merge, plot,
//! debrief, play, ...), or a second signal, makes the watcher remove every
//! registered partial path ([`crate::output::cleanup`]) and exit at once.
//! Exit codes follow the shell's convention, 128 + the signal's number: 130 for
//! SIGINT, 143 for SIGTERM, 129 for SIGHUP.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex, Once};

static SIGNAL: AtomicI32 = AtomicI32::new(0);
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);
static FLAGS: Mutex<Vec<Arc<AtomicBool>>> = Mutex::new(Vec::new());

extern "C" fn on_signal(sig: libc::c_int) {
    let fd = PIPE_WRITE.load(Ordering::Relaxed);
    let b = sig as u8;
    // SAFETY: write(2) is async-signal-safe; the byte lives for the call.
    unsafe {
        libc::write(fd, (&b as *const u8).cast(), 1);
    }
}

/// Installs the handlers (once). Signals ignored at start (e.g. under `nohup`) stay ignored.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: fds has room for the two descriptors.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return;
        }
        PIPE_WRITE.store(fds[1], Ordering::Relaxed);
        let read_fd = fds[0];
        if std::thread::Builder::new().name("signals".into()).spawn(move || watch(read_fd)).is_err() {
            return;
        }
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: plain sigaction calls with zero-initialised, then filled, structs.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN {
                    continue;
                }
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
                sa.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut sa.sa_mask);
                libc::sigaction(sig, &sa, std::ptr::null_mut());
            }
        }
    });
}

fn watch(fd: libc::c_int) {
    loop {
        let mut b = 0u8;
        // SAFETY: reads one byte into b.
        let n = unsafe { libc::read(fd, (&mut b as *mut u8).cast(), 1) };
        if n != 1 {
            if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        let sig = i32::from(b);
        let first = SIGNAL.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst).is_ok();
        let flags = FLAGS.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if first && !flags.is_empty() {
            eprintln!("\n{} received: stopping after the current block of runs…", name(sig));
            for f in flags {
                f.store(true, Ordering::SeqCst);
            }
            continue;
        }
        crate::output::cleanup::remove_all_and_exit(i32::from(exit_code()), &message());
    }
}

/// Sets `flag` when a signal arrives, and makes the command stop cooperatively.
pub fn cancel_on_signal(flag: Arc<AtomicBool>) {
    install();
    FLAGS.lock().unwrap_or_else(|e| e.into_inner()).push(flag);
}

/// Whether a signal has arrived.
pub fn received() -> bool {
    SIGNAL.load(Ordering::SeqCst) != 0
}

/// The exit code for the signal received: 128 + its number (130 if none was).
pub fn exit_code() -> u8 {
    match SIGNAL.load(Ordering::SeqCst) {
        s @ 1..=127 => 128 + s as u8,
        _ => crate::exit::INTERRUPTED,
    }
}

fn name(sig: i32) -> &'static str {
    match sig {
        libc::SIGINT => "SIGINT (Ctrl-C)",
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        _ => "signal",
    }
}

/// What to say when stopping on a signal.
pub fn message() -> String {
    let sig = SIGNAL.load(Ordering::SeqCst);
    let by = if sig == 0 { "interrupted".to_string() } else { format!("interrupted by {}", name(sig)) };
    format!("{by}: stopped cleanly; no partial results were kept")
}
