//! Batch results on disk: an output directory written atomically, per-run rows,
//! per-turn tables, the summary, the manifest and the mergeable state.

pub mod batchdir;
pub mod cleanup;
pub mod dir;
pub mod manifest;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod row;
pub mod runs;
pub mod tables;

use serde::{Deserialize, Serialize};

/// File format of the row files (`runs.*`, `turns.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Jsonl,
    /// Needs the `parquet` cargo feature.
    Parquet,
}

impl Format {
    pub fn ext(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::Parquet => "parquet",
        }
    }
}

/// Names of the files in a batch directory.
pub mod files {
    pub const MANIFEST: &str = "manifest.json";
    pub const SCENARIO: &str = "scenario.ron";
    pub const SUMMARY: &str = "summary.json";
    pub const STATE: &str = "state.json";
    pub const EVENTS: &str = "events.jsonl";
    pub const CHARTS: &str = "charts";
    /// The checkpoint of a batch still running (removed before the manifest).
    pub const RESUME: &str = "resume.json";
}

use std::path::Path;

use crate::batch::Aggregate;
use crate::scenario::Scenario;

/// Writes the tables derived from an aggregate: `turns.*`, `summary.json`, `state.json`.
/// Shared by `batch` and `merge`, so a merge writes exactly what one batch would.
pub fn write_aggregates(dir: &Path, s: &Scenario, agg: &Aggregate, format: Format) -> std::io::Result<()> {
    let mut turns = runs::open(dir, "turns", format)?;
    let cols: Vec<String> = tables::TURN_COLUMNS.iter().map(|c| c.to_string()).collect();
    turns.header(&cols)?;
    for row in tables::turn_rows(s, agg) {
        turns.row(&row)?;
    }
    turns.finish()?;
    let summary = tables::summary(s, agg);
    dir::write_atomic(&dir.join(files::SUMMARY), to_pretty(&summary)?.as_bytes())?;
    let state = serde_json::to_string(agg).map_err(std::io::Error::other)?;
    dir::write_atomic(&dir.join(files::STATE), state.as_bytes())
}

pub fn to_pretty<T: Serialize>(v: &T) -> std::io::Result<String> {
    let mut s = serde_json::to_string_pretty(v).map_err(std::io::Error::other)?;
    s.push('\n');
    Ok(s)
}
