//! `manifest.json`: what produced a batch directory, so it can be trusted and merged.

use std::io::{self, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Format;
use crate::batch::Shard;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub tool: String,
    /// `batch`, `compare` or `sweep`.
    #[serde(default = "batch_kind")]
    pub kind: String,
    /// For compare and sweep: the variants (or sweep points), baseline first.
    #[serde(default)]
    pub variants: Vec<String>,
    pub version: String,
    pub scenario_name: String,
    /// Where the scenario came from (a path, or the built-in default).
    pub scenario_file: String,
    /// SHA-256 of the exact scenario text (`scenario.ron`).
    pub scenario_sha256: String,
    pub master_seed: u64,
    /// Runs in the whole batch (all shards).
    pub runs_total: u64,
    /// Run indices held here: `[first, end)`.
    pub run_first: u64,
    pub run_end: u64,
    pub shard: Shard,
    /// Shards merged into this directory, if it is a merge.
    pub merged_from: Vec<String>,
    /// For a merge: each part's shard, runs and manifest hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<PartRecord>,
    pub format: Format,
    pub events: bool,
    pub threads: usize,
    pub command_line: Vec<String>,
    pub wall_time_seconds: f64,
    pub created_utc: String,
    /// Every other file of the directory with its length, rows and SHA-256, so a
    /// damaged or edited copy is refused (filled in by `write_manifest`).
    #[serde(default)]
    pub files: Vec<FileRecord>,
}

fn batch_kind() -> String {
    "batch".into()
}

pub fn sha256_hex(text: &str) -> String {
    let d = Sha256::digest(text.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Current UTC time as `YYYY-MM-DDTHH:MM:SSZ` (used only for names and the manifest,
/// never by the simulation).
pub fn utc_now() -> (String, String) {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    (format!("{y:04}-{mo:02}-{d:02}T{h:02}:{m:02}:{s:02}Z"), format!("{y:04}{mo:02}{d:02}-{h:02}{m:02}{s:02}"))
}

/// One file of a finished directory, as its manifest records it: enough to tell a
/// damaged, truncated, extended or edited copy from the file that was written.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileRecord {
    /// Path inside the directory, `/`-separated.
    pub path: String,
    /// Length in bytes.
    pub bytes: u64,
    /// Data rows of a CSV or JSON Lines table: its lines, less the header of a CSV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
}

/// One part of a merged directory, as the merged manifest records it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PartRecord {
    /// The part's directory as given to `merge`.
    pub dir: String,
    pub shard: Shard,
    pub run_first: u64,
    pub run_end: u64,
    /// SHA-256 of the part's `manifest.json`.
    pub manifest_sha256: String,
}

/// Measures one file: bytes, rows (for `.csv` and `.jsonl`) and SHA-256, in one pass.
pub fn measure(path: &Path, rel: &str) -> io::Result<FileRecord> {
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let (mut bytes, mut lines, mut last) = (0u64, 0u64, b'\n');
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[n - 1];
    }
    if last != b'\n' {
        // A last line without its newline still counts (and changes the hash).
        lines += 1;
    }
    let rows = if rel.ends_with(".csv") {
        Some(lines.saturating_sub(1))
    } else if rel.ends_with(".jsonl") {
        Some(lines)
    } else {
        None
    };
    let sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(FileRecord { path: rel.to_string(), bytes, rows, sha256 })
}

/// Every file under `dir` except its own `manifest.json`, sorted by path.
pub fn list_files(dir: &Path) -> io::Result<Vec<FileRecord>> {
    fn walk(root: &Path, rel: &str, out: &mut Vec<FileRecord>) -> io::Result<()> {
        let here = if rel.is_empty() { root.to_path_buf() } else { root.join(rel) };
        let mut names: Vec<String> = std::fs::read_dir(&here)?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()?;
        names.sort();
        for name in names {
            let r = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            let p = root.join(&r);
            let meta = std::fs::symlink_metadata(&p)?;
            if meta.is_dir() {
                walk(root, &r, out)?;
            } else if meta.is_file() && r != super::files::MANIFEST {
                out.push(measure(&p, &r)?);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out)?;
    Ok(out)
}

/// Checks the files of `dir` against the manifest's records: each must exist with
/// its recorded length, rows and hash. Names the first file that does not.
pub fn check_files(dir: &Path, files: &[FileRecord]) -> Result<(), String> {
    for rec in files {
        if rec.path.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
            return Err(format!("{}: not a file name inside the directory", rec.path));
        }
        let got = measure(&dir.join(&rec.path), &rec.path).map_err(|e| format!("{}: {e}", rec.path))?;
        if got.bytes != rec.bytes {
            return Err(format!(
                "{}: {} bytes, but the manifest records {} (truncated or extended?)",
                rec.path, got.bytes, rec.bytes
            ));
        }
        if got.rows != rec.rows {
            let n = |r: Option<u64>| r.map_or("none".to_string(), |r| r.to_string());
            return Err(format!("{}: {} rows, but the manifest records {}", rec.path, n(got.rows), n(rec.rows)));
        }
        if got.sha256 != rec.sha256 {
            return Err(format!("{}: its SHA-256 does not match the manifest (the file was changed)", rec.path));
        }
    }
    Ok(())
}

/// The first 12 characters of a hash, or all of it if shorter (never panics).
pub fn short_hash(h: &str) -> &str {
    h.char_indices().nth(12).map_or(h, |(i, _)| &h[..i])
}
