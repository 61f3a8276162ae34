//! Paths that are half-written right now, so that a signal can remove them before the
//! process exits (see `cli::signals`). Writers register a path while they write it
//! and settle it (rename it into place, or remove it) under the same lock, so a
//! signal sees each path either still partial or already finished, never between.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

static PARTIAL: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn lock() -> MutexGuard<'static, Vec<PathBuf>> {
    PARTIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// A registered partial path; dropping it unregisters it (without removing it).
#[derive(Debug)]
pub struct Partial(PathBuf);

impl Partial {
    /// Registers `path` as partial output.
    pub fn new(path: &Path) -> Partial {
        lock().push(path.to_path_buf());
        Partial(path.to_path_buf())
    }

    /// Runs `f` (which finishes or removes the path) and unregisters the path, with
    /// no signal cleanup in between.
    pub fn settle<R>(&self, f: impl FnOnce() -> R) -> R {
        let mut list = lock();
        let r = f();
        list.retain(|p| p != &self.0);
        r
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        lock().retain(|p| p != &self.0);
    }
}

/// Removes every registered partial path and exits with `code`, holding the lock so
/// that no writer can finish one in between. For the signal watcher only.
pub fn remove_all_and_exit(code: i32, message: &str) -> ! {
    let list = lock();
    for p in list.iter() {
        let _ = if p.is_dir() { std::fs::remove_dir_all(p) } else { std::fs::remove_file(p) };
    }
    eprintln!("{message}");
    std::process::exit(code)
}
