//! An output directory that appears only when complete.
//!
//! Everything is written under a hidden temporary name beside the final one
//! (`.NAME.partial-PID-NONCE`) and renamed into place at the end. An error, a panic or
//! Ctrl-C removes the temporary directory; even a `kill -9` leaves only a hidden
//! `.partial` directory without a manifest, never one that looks finished.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::cleanup::Partial;

pub struct OutputDir {
    final_path: PathBuf,
    temp: PathBuf,
    done: bool,
    /// A default name (not a user's `--out`): if it is taken when the results are
    /// moved into place, the next free `NAME-2`, `NAME-3`… is used instead.
    numbered: Option<(PathBuf, String)>,
    /// Registered, so that a signal removes the temporary directory too.
    partial: Partial,
    /// An exclusive `flock` on the temporary directory while this process writes it,
    /// so that no second process (a `--resume` of a batch still running) writes it too.
    _lock: fs::File,
}

/// Takes an exclusive lock on directory `dir` (released when the file closes, also
/// when the process dies), or says who holds it.
fn lock_dir(dir: &Path) -> io::Result<fs::File> {
    use std::os::fd::AsRawFd;
    let f = fs::File::open(dir)?;
    // SAFETY: flock on a descriptor this function owns.
    if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        let e = io::Error::last_os_error();
        if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
            return Err(io::Error::new(
                io::ErrorKind::ResourceBusy,
                format!("{} is being written by another escalate process right now", dir.display()),
            ));
        }
        return Err(e);
    }
    Ok(f)
}

impl OutputDir {
    /// Prepares to write `final_path`, which must not exist yet.
    pub fn create(final_path: &Path) -> io::Result<OutputDir> {
        if final_path.exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} already exists; choose another --out, or remove it first", final_path.display()),
            ));
        }
        let parent = match final_path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)?;
        let Some(name) = final_path.file_name() else {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "the output path has no directory name"));
        };
        // Refuse a name the file system cannot hold now, not after the whole run.
        if let Some(max) = name_max(&parent)
            && name.len() > max
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidFilename,
                format!("the name is {} bytes; this file system takes at most {max}", name.len()),
            ));
        }
        // The PID alone is not unique: in containers every process may be PID 1, and
        // two pods of one Kubernetes index (or a retry) can share a results volume. A
        // clock nonce makes the name unique, and `create_dir` never reuses a directory.
        let nonce = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let temp = hidden_sibling(final_path, &format!(".partial-{}-{:x}", std::process::id(), nonce & 0xffff_ffff));
        let partial = Partial::new(&temp);
        fs::create_dir(&temp)?;
        let lock = match lock_dir(&temp) {
            Ok(l) => l,
            Err(e) => {
                let _ = fs::remove_dir(&temp);
                return Err(e);
            }
        };
        Ok(OutputDir { final_path: final_path.to_path_buf(), temp, done: false, numbered: None, partial, _lock: lock })
    }

    /// Takes over the partial directory `temp` of an interrupted batch, to finish it
    /// and move it to `final_path` (which must not exist yet).
    pub fn adopt(temp: &Path, final_path: &Path) -> io::Result<OutputDir> {
        if fs::symlink_metadata(final_path).is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} already exists; the interrupted batch cannot be finished there", final_path.display()),
            ));
        }
        let lock = lock_dir(temp)?;
        let partial = Partial::new(temp);
        Ok(OutputDir {
            final_path: final_path.to_path_buf(),
            temp: temp.to_path_buf(),
            done: false,
            numbered: None,
            partial,
            _lock: lock,
        })
    }

    /// Prepares to write a new directory in `parent` under a default name: `base` if
    /// that is free, else the first free `base-2`, `base-3`… A name is taken if it
    /// exists or another writer's partial directory for it does, so default names
    /// never collide, however many commands start in the same second.
    pub fn create_numbered(parent: &Path, base: &str) -> io::Result<OutputDir> {
        fs::create_dir_all(parent)?;
        let mut dir = OutputDir::create(&free_name(parent, base, 1)?)?;
        dir.numbered = Some((parent.to_path_buf(), base.to_string()));
        Ok(dir)
    }

    /// Where files go while the batch runs.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    pub fn final_path(&self) -> &Path {
        &self.final_path
    }

    /// Moves the finished directory into place, never over anything: if another
    /// writer got there first, this directory's complete results are kept where they
    /// are (the error says where) instead of being removed.
    pub fn commit(mut self) -> io::Result<PathBuf> {
        if let Some((parent, base)) = self.numbered.clone() {
            // A default name taken meanwhile (a writer that started in the same second
            // finished first): take the next free one.
            for n in 1..=MAX_NUMBER {
                match self.partial.settle(|| rename_noreplace(&self.temp, &self.final_path)) {
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists || e.raw_os_error() == Some(libc::ENOTEMPTY) => {
                        self.final_path = free_name(&parent, &base, n + 1)?;
                    }
                    Ok(()) => {
                        self.done = true;
                        return Ok(self.final_path.clone());
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        match self.partial.settle(|| rename_noreplace(&self.temp, &self.final_path)) {
            Ok(()) => {
                self.done = true;
                Ok(self.final_path.clone())
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists || e.raw_os_error() == Some(libc::ENOTEMPTY) => {
                // The results are complete (their manifest is written): keep them.
                self.done = true;
                Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "{} appeared while this ran (another writer finished first) and was left as it is; \
                         these complete results are kept in {} (rename it to use it)",
                        self.final_path.display(),
                        self.temp.display()
                    ),
                ))
            }
            Err(e) => Err(e),
        }
    }
}

/// Most numbered default names tried for one base name.
const MAX_NUMBER: u32 = 100_000;

/// The first of `base`, `base-2`, `base-3`… (from number `from`, 1 being `base`
/// itself) that neither exists in `parent` nor has a partial directory there.
fn free_name(parent: &Path, base: &str, from: u32) -> io::Result<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let partials: Vec<Vec<u8>> = match fs::read_dir(parent) {
        Ok(rd) => rd.filter_map(|e| e.ok()).map(|e| e.file_name().as_bytes().to_vec()).collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    for n in from.max(1)..=MAX_NUMBER {
        let name = if n == 1 { base.to_string() } else { format!("{base}-{n}") };
        let path = parent.join(&name);
        let prefix = hidden_sibling(&path, ".partial-");
        let prefix = prefix.file_name().map(|p| p.as_bytes().to_vec()).unwrap_or_default();
        if fs::symlink_metadata(&path).is_err() && !partials.iter().any(|p| p.starts_with(&prefix)) {
            return Ok(path);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{MAX_NUMBER} directories named {base}… already exist in {}", parent.display()),
    ))
}

/// Renames `from` to `to` only if `to` does not exist (`renameat2` with
/// `RENAME_NOREPLACE`); an existing `to` is an `AlreadyExists` error. On a file
/// system without it, an existence check and a plain `rename`, which still never
/// replaces a non-empty directory.
pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(io::Error::other);
        let (f, t) = (c(from)?, c(to)?);
        // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
        let r =
            unsafe { libc::renameat2(libc::AT_FDCWD, f.as_ptr(), libc::AT_FDCWD, t.as_ptr(), libc::RENAME_NOREPLACE) };
        if r == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if !matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
            return Err(e);
        }
    }
    if fs::symlink_metadata(to).is_ok() {
        return Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("{} already exists", to.display())));
    }
    fs::rename(from, to)
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.temp);
        }
    }
}

/// The longest file name the file system of `dir` accepts (`pathconf(_PC_NAME_MAX)`).
fn name_max(dir: &Path) -> Option<usize> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: a valid NUL-terminated path that outlives the call.
    let n = unsafe { libc::pathconf(c.as_ptr(), libc::_PC_NAME_MAX) };
    usize::try_from(n).ok().filter(|&n| n > 0)
}

/// Longest file name most file systems accept (Linux `NAME_MAX`), in bytes.
const NAME_MAX: usize = 255;

/// `.NAME SUFFIX` beside `path`: a hidden temporary name, with `NAME` cut short so
/// the whole stays within [`NAME_MAX`] bytes. Any name the file system accepts for
/// `path` thus gets a temporary name it accepts too.
pub fn hidden_sibling(path: &Path, suffix: &str) -> PathBuf {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map_or(&[][..], |n| n.as_bytes());
    let room = NAME_MAX.saturating_sub(1 + suffix.len());
    let mut out = b".".to_vec();
    out.extend_from_slice(&name[..name.len().min(room)]);
    out.extend_from_slice(suffix.as_bytes());
    parent.join(std::ffi::OsString::from_vec(out))
}

/// Like [`write_atomic`], but never replaces an existing `path` (an `AlreadyExists` error).
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = hidden_sibling(path, &format!(".tmp-{}", std::process::id()));
    let partial = Partial::new(&tmp);
    let r = fs::write(&tmp, bytes).and_then(|()| partial.settle(|| rename_noreplace(&tmp, path)));
    if r.is_err() {
        partial.settle(|| fs::remove_file(&tmp).ok());
    }
    r
}

/// Writes a file in one go through a temporary name, so readers never see half of it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = hidden_sibling(path, &format!(".tmp-{}", std::process::id()));
    let partial = Partial::new(&tmp);
    if let Err(e) = fs::write(&tmp, bytes) {
        partial.settle(|| fs::remove_file(&tmp).ok());
        return Err(e);
    }
    partial.settle(|| fs::rename(&tmp, path))
}
