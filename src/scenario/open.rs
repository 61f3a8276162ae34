//! Opening a scenario: a file or bytes → UTF-8 text → [`Loaded`] (through [`load`])
//! → every declared variant applied and checked (through [`variant`]). These are the
//! entry points the rest of escalate uses.

use std::path::Path as FsPath;

use super::diagnostic::Collector;
use super::load::{self, LoadError, Loaded, MAX_FILE_BYTES, too_big};
use super::variant;

/// Reads and validates a scenario file from disk.
pub fn load_file(path: &FsPath) -> Result<Loaded, LoadError> {
    let name = path.display().to_string();
    let io = |source| LoadError::Io { path: name.clone(), source };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(io(std::io::Error::other("it is a directory, not a scenario file")));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(&name, Some(meta.len())).into());
    }
    // Devices and pipes (`/dev/zero`, `<(...)`) report no size: read at most one byte
    // past the limit rather than trusting the metadata.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_FILE_BYTES + 1), &mut bytes))
        .map_err(io)?;
    load_bytes(&name, &bytes)
}

/// Validates scenario bytes under a display name (a path, or `<built-in>`).
pub fn load_bytes(name: &str, bytes: &[u8]) -> Result<Loaded, LoadError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(name, None).into());
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            // Show the valid text and a little of what follows, with the bad bytes
            // replaced, so the label has something to point at.
            let valid = &bytes[..e.valid_up_to()];
            let shown = &bytes[..(e.valid_up_to() + 16).min(bytes.len())];
            let prefix_len = valid.len();
            let shown = String::from_utf8_lossy(shown).into_owned();
            let mut c = Collector::new(name, &shown);
            c.push_span(
                prefix_len,
                1,
                "not UTF-8".into(),
                format!("the file is not UTF-8 text (invalid byte at offset {})", e.valid_up_to()),
                Some("scenarios are RON text files; save the file as UTF-8".into()),
            );
            return Err(c.finish().unwrap_err().into());
        }
    };
    load_str(name, text)
}

/// Validates scenario text, and every variant it declares.
pub fn load_str(name: &str, text: &str) -> Result<Loaded, LoadError> {
    let loaded = load::load_str_unchecked_variants(name, text)?;
    variant::check(name, text, &loaded.file)?;
    Ok(loaded)
}
