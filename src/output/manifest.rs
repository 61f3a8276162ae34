//! `manifest.json`: what produced a batch directory, so it can be trusted and merged.

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
    pub format: Format,
    pub events: bool,
    pub threads: usize,
    pub command_line: Vec<String>,
    pub wall_time_seconds: f64,
    pub created_utc: String,
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
