//! A batch directory read back into typed data: what the charts and the report draw.
//!
//! Plotting never re-simulates. Everything here comes from the directory's files:
//! `scenario.ron` (names, commitments), `summary.json` (headline aggregates),
//! `turns.csv`/`turns.jsonl` (per-turn series) and, when the turns table is in a
//! format this build cannot read (Parquet), the mergeable state in `state.json`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::batch::Aggregate;
use crate::output::files;
use crate::output::manifest::Manifest;
use crate::output::row::Cell;
use crate::scenario::{LoadError, Scenario, load_bytes};

/// Why a batch directory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The directory does not exist (or is not a directory).
    #[error("{0}: no such batch directory")]
    NoDir(PathBuf),
    /// A file exists but could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The directory is partial, foreign or damaged: a file is missing or not what `escalate batch` writes.
    #[error("{0}")]
    Invalid(String),
}

impl ReadError {
    /// Whether the fault is the input's (exit code 2) rather than the system's (exit code 3).
    pub fn is_input(&self) -> bool {
        matches!(self, ReadError::Invalid(_))
    }
}

/// A proportion with its 95% Wilson interval, as written in `summary.json`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Share {
    pub count: u64,
    pub share: Option<f64>,
    pub ci95: [Option<f64>; 2],
}

/// A mean with its standard deviation and 95% interval, as written in `summary.json`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct MeanCi {
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub ci95: [Option<f64>; 2],
    pub runs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HighestRung {
    /// Rung slugs, lowest first.
    pub levels: Vec<String>,
    pub all: BTreeMap<String, u64>,
    pub signatories: BTreeMap<String, u64>,
    pub non_signatories: BTreeMap<String, u64>,
    pub mean_level: MeanCi,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FirstForce {
    pub runs_with_force: Share,
    pub turn: MeanCi,
    pub cumulative_share_by_turn: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EscalationScore {
    pub mean_per_turn: MeanCi,
    pub total: MeanCi,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Downtime {
    pub asset_turns: MeanCi,
    pub signatory_owners: MeanCi,
    pub other_owners: MeanCi,
    /// Sector slug → asset-turns down per run.
    pub per_run_by_sector: BTreeMap<String, Option<f64>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ActionCount {
    pub total: u64,
    pub per_run: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Operations {
    pub per_run: MeanCi,
    pub by_action: BTreeMap<String, ActionCount>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PrincipleRow {
    /// `set:id`, e.g. `paris-call:1`.
    pub principle: String,
    pub name: String,
    pub by_signatories: u64,
    pub by_non_signatories: u64,
    pub per_run_by_signatories: Option<f64>,
    pub per_run_by_non_signatories: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Violations {
    pub by_signatories: MeanCi,
    pub by_non_signatories: MeanCi,
    /// The reference norm set's principles (the Paris Call's nine when present).
    pub by_principle: Vec<PrincipleRow>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Attribution {
    pub detected: u64,
    pub undetected: u64,
    pub believed: u64,
    pub believed_wrong: Share,
    pub public: u64,
    pub public_wrong: Share,
    pub turns_to_belief: MeanCi,
    /// Believed attributions by turns from launch; the last bin holds that many or more.
    pub turns_to_belief_histogram: Vec<u64>,
}

/// One actor's row: per-run means.
#[derive(Debug, Clone, Deserialize)]
pub struct ActorRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub signatory_at_start: bool,
    pub ops_launched: Option<f64>,
    pub ops_suffered: Option<f64>,
    /// Of every norm set.
    pub violations: Option<f64>,
    /// Of the reference norm set: what the headline's group figures count.
    #[serde(default)]
    pub violations_reference_set: Option<f64>,
    pub downtime: Option<f64>,
    pub sanctions_imposed: Option<f64>,
    pub sanctions_suffered: Option<f64>,
}

/// `summary.json`, typed.
#[derive(Debug, Clone, Deserialize)]
pub struct Summary {
    pub scenario: String,
    pub runs: u64,
    pub turns: u32,
    pub turn_length: String,
    pub states: u64,
    /// Outcome slug → share of runs.
    pub outcomes: BTreeMap<String, Share>,
    pub highest_rung: HighestRung,
    pub armed_conflict: Share,
    pub first_use_of_force: FirstForce,
    pub escalation_score: EscalationScore,
    pub downtime: Downtime,
    pub civilian_harm: MeanCi,
    pub operations: Operations,
    pub violations: Violations,
    pub attribution: Attribution,
    pub sanctions: MeanCi,
    pub per_actor: Vec<ActorRow>,
}

/// One row of the per-turn table (`turns.*`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct TurnRow {
    pub turn: u32,
    pub group: String,
    pub metric: String,
    pub runs: u64,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
    pub p2_5: Option<f64>,
    pub median: Option<f64>,
    pub p97_5: Option<f64>,
}

/// Metric names of the per-turn table.
pub mod metric {
    pub const SCORE: &str = "escalation_score";
    pub const RUNG: &str = "global_rung";
    pub const ARMED: &str = "armed_conflict_share";
}

/// Group names of the per-turn table.
pub mod group {
    pub const ALL: &str = "all";
    pub const SIGNATORIES: &str = "signatories";
    pub const NON_SIGNATORIES: &str = "non-signatories";
}

/// Everything the charts and the report need from one batch directory.
#[derive(Debug, Clone)]
pub struct Batch {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub scenario: Scenario,
    pub summary: Summary,
    pub turns: Vec<TurnRow>,
}

impl Batch {
    /// Reads a finished batch directory: `manifest.json` must be there (a directory
    /// without one is partial or not a batch directory at all).
    pub fn read(dir: &Path) -> Result<Batch, ReadError> {
        if !dir.is_dir() {
            return Err(ReadError::NoDir(dir.to_path_buf()));
        }
        let path = dir.join(files::MANIFEST);
        if !path.is_file() {
            return Err(ReadError::Invalid(format!(
                "{} has no {}: it is not a finished batch directory (a batch that is still running or was \
                 interrupted never gets one; `escalate batch --out DIR` writes a complete one)",
                dir.display(),
                files::MANIFEST
            )));
        }
        let text = read_text(&path)?;
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|e| ReadError::Invalid(format!("{}: not an escalate manifest: {e}", path.display())))?;
        if manifest.tool != "escalate" {
            return Err(ReadError::Invalid(format!(
                "{}: written by `{}`, not escalate",
                path.display(),
                manifest.tool
            )));
        }
        if manifest.kind != "batch" {
            let first = manifest.variants.first().map_or("VARIANT", String::as_str);
            return Err(ReadError::Invalid(format!(
                "{} is a `{}` directory, not a batch: plot one of its variants instead, e.g. `escalate plot {}`",
                dir.display(),
                manifest.kind,
                dir.join(first).display()
            )));
        }
        Batch::read_with(dir, manifest)
    }

    /// Reads a batch directory whose manifest is not on disk yet (the batch is still
    /// writing it), with the manifest it is about to get.
    pub fn read_with(dir: &Path, manifest: Manifest) -> Result<Batch, ReadError> {
        if !dir.is_dir() {
            return Err(ReadError::NoDir(dir.to_path_buf()));
        }
        let scenario_path = dir.join(files::SCENARIO);
        let text = read_required(&scenario_path, "the scenario it ran")?;
        let scenario = load_bytes(files::SCENARIO, text.as_bytes())
            .map_err(|e| match e {
                LoadError::Io { .. } => ReadError::Invalid(format!("{}: {e}", scenario_path.display())),
                LoadError::Invalid(errs) => ReadError::Invalid(format!(
                    "{}: not a valid scenario ({} problem{}; run `escalate validate` on it for details)",
                    scenario_path.display(),
                    errs.problems.len(),
                    if errs.problems.len() == 1 { "" } else { "s" }
                )),
            })?
            .scenario;
        let summary_path = dir.join(files::SUMMARY);
        let summary: Summary = serde_json::from_str(&read_required(&summary_path, "the headline aggregates")?)
            .map_err(|e| ReadError::Invalid(format!("{}: not an escalate summary: {e}", summary_path.display())))?;
        let turns = read_turns(dir, &manifest, &scenario)?;
        let batch = Batch { dir: dir.to_path_buf(), manifest, scenario, summary, turns };
        batch.check()?;
        Ok(batch)
    }

    /// The files must describe one batch: same scenario, same number of runs, every turn.
    fn check(&self) -> Result<(), ReadError> {
        let s = &self.summary;
        let bad =
            |what: String| ReadError::Invalid(format!("{}: the batch files disagree: {what}", self.dir.display()));
        if s.scenario != self.scenario.name {
            return Err(bad(format!(
                "summary.json is for scenario {:?} but scenario.ron is {:?}",
                s.scenario, self.scenario.name
            )));
        }
        let held = self.manifest.run_end.saturating_sub(self.manifest.run_first);
        if s.runs != held {
            return Err(bad(format!("summary.json counts {} runs, the manifest {held}", s.runs)));
        }
        if s.turns != self.scenario.turns {
            return Err(bad(format!("summary.json has {} turns, scenario.ron {}", s.turns, self.scenario.turns)));
        }
        for g in [group::SIGNATORIES, group::NON_SIGNATORIES] {
            let n = self.series(metric::SCORE, g).len();
            if n != s.turns as usize {
                return Err(bad(format!("the turns table has {n} of {} turns of the {g} escalation score", s.turns)));
            }
        }
        if self.series(metric::ARMED, group::ALL).len() != s.turns as usize {
            return Err(bad("the turns table lacks the armed-conflict share of some turns".into()));
        }
        Ok(())
    }

    /// The rows of one metric and group, in turn order.
    pub fn series(&self, metric: &str, group: &str) -> Vec<&TurnRow> {
        let mut v: Vec<&TurnRow> = self.turns.iter().filter(|r| r.metric == metric && r.group == group).collect();
        v.sort_by_key(|r| r.turn);
        v
    }

    /// Per-actor escalation-score series, when the turns table holds them (rows whose
    /// group is an actor id), in the scenario's actor order.
    pub fn actor_series(&self) -> Vec<(&crate::scenario::validated::Actor, Vec<&TurnRow>)> {
        self.scenario
            .actors
            .iter()
            .map(|a| (a, self.series(metric::SCORE, &a.id)))
            .filter(|(_, rows)| !rows.is_empty())
            .collect()
    }

    /// Runs held in this directory.
    pub fn runs(&self) -> u64 {
        self.summary.runs
    }

    /// The run parameters in one line: runs, seed, version (and shard or merge).
    pub fn provenance(&self) -> String {
        let m = &self.manifest;
        let mut s = format!("{} runs, seed {}, escalate {}", thousands(self.runs()), m.master_seed, m.version);
        if m.shard.n > 1 {
            s.push_str(&format!(", shard {}/{} of {} runs", m.shard.k, m.shard.n, thousands(m.runs_total)));
        }
        s
    }

    /// Actors that are Paris Call (reference set) signatories at the start, per the summary.
    pub fn signatory_count(&self) -> (usize, usize) {
        let sig = self.summary.per_actor.iter().filter(|a| a.signatory_at_start).count();
        (sig, self.summary.per_actor.len() - sig)
    }
}

fn read_text(path: &Path) -> Result<String, ReadError> {
    fs::read_to_string(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::InvalidData {
            ReadError::Invalid(format!("{}: not a text file", path.display()))
        } else {
            ReadError::Io { path: path.to_path_buf(), source }
        }
    })
}

fn read_required(path: &Path, what: &str) -> Result<String, ReadError> {
    if !path.is_file() {
        return Err(ReadError::Invalid(format!(
            "{} is missing ({what}): the batch directory is incomplete",
            path.display()
        )));
    }
    read_text(path)
}

/// The per-turn table in whichever format the batch wrote it.
fn read_turns(dir: &Path, manifest: &Manifest, scenario: &Scenario) -> Result<Vec<TurnRow>, ReadError> {
    let csv_path = dir.join("turns.csv");
    let jsonl_path = dir.join("turns.jsonl");
    let prefer_jsonl = manifest.format == crate::output::Format::Jsonl;
    if csv_path.is_file() && !(prefer_jsonl && jsonl_path.is_file()) {
        let mut reader = csv::Reader::from_path(&csv_path).map_err(|e| csv_error(&csv_path, e))?;
        let mut rows = Vec::new();
        for r in reader.deserialize() {
            rows.push(r.map_err(|e| csv_error(&csv_path, e))?);
        }
        return Ok(rows);
    }
    if jsonl_path.is_file() {
        let text = read_text(&jsonl_path)?;
        return text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| {
                    ReadError::Invalid(format!("{} line {}: not a turns row: {e}", jsonl_path.display(), i + 1))
                })
            })
            .collect();
    }
    // Parquet (or no table): the per-turn rows are a pure function of the saved state.
    let state_path = dir.join(files::STATE);
    let state = read_required(&state_path, "the batch state; no turns.csv or turns.jsonl either")?;
    let agg: Aggregate = serde_json::from_str(&state)
        .map_err(|e| ReadError::Invalid(format!("{}: unreadable batch state: {e}", state_path.display())))?;
    Ok(crate::output::tables::turn_rows(scenario, &agg).into_iter().map(|cells| row_of_cells(&cells)).collect())
}

fn csv_error(path: &Path, e: csv::Error) -> ReadError {
    match e.kind() {
        csv::ErrorKind::Io(_) => ReadError::Io { path: path.to_path_buf(), source: std::io::Error::other(e) },
        _ => ReadError::Invalid(format!("{}: not a turns table: {e}", path.display())),
    }
}

fn row_of_cells(c: &[Cell]) -> TurnRow {
    let num = |i: usize| match c.get(i) {
        Some(Cell::Num(x)) => Some(crate::stats::round6(*x)),
        Some(Cell::Int(n)) => Some(*n as f64),
        _ => None,
    };
    let text = |i: usize| match c.get(i) {
        Some(Cell::Text(t)) => t.clone(),
        _ => String::new(),
    };
    TurnRow {
        turn: num(0).unwrap_or(0.0) as u32,
        group: text(1),
        metric: text(2),
        runs: num(3).unwrap_or(0.0) as u64,
        mean: num(4),
        sd: num(5),
        ci95_low: num(6),
        ci95_high: num(7),
        p2_5: num(8),
        median: num(9),
        p97_5: num(10),
    }
}

/// `12345` → `12,345`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
