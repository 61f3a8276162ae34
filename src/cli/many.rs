//! The engine `compare` and `sweep` share: several variants of a scenario run on common
//! random numbers, their paired statistics, and the checkpoint that lets `--resume`
//! finish an interrupted comparison or sweep with the bytes of an uninterrupted one.

use std::cell::RefCell;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::batch::find_partial;
use super::opts::{Resolved, check_threads, stopped, thread_pool};
use super::{Failure, progress};
use crate::batch::{self, Aggregate, BatchSpec, Shard};
use crate::compare::ComparisonState;
use crate::output::batchdir::BatchFiles;
use crate::output::dir::{OutputDir, write_atomic};
use crate::output::manifest::sha256_hex;
use crate::output::{Format, files, to_pretty};
use crate::scenario::Loaded;

/// Files at the top of a comparison (or sweep) directory.
pub const STATE: &str = "comparison_state.json";

/// Least time between two checkpoints.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// What a partial comparison or sweep directory keeps so that `--resume` can finish
/// it: the command and its settings, how far it got, the lengths of each variant's
/// runs file then, and the paired statistics and aggregates of the runs before.
#[derive(Debug, Serialize, Deserialize)]
pub struct Checkpoint {
    pub escalate: String,
    /// `compare` or `sweep`.
    pub command: String,
    /// The final directory's name, as bytes; it is beside the partial directory.
    pub out: Vec<u8>,
    pub scenario_file: String,
    /// The base scenario as given (every variant and sweep point derives from it).
    pub scenario_text: String,
    pub scenario_sha256: String,
    pub runs: u64,
    pub seed: u64,
    pub shard: Shard,
    pub format: Format,
    /// `compare`: the variant ids, baseline first. `sweep`: the `--param` specs.
    pub spec: Vec<String>,
    /// Runs `first..next` of the shard are in the files and the state.
    pub next: u64,
    /// Length of each variant's runs file at `next` (`compare` only).
    pub runs_bytes: Vec<u64>,
    pub state: ComparisonState,
}

/// A comparison or sweep to run: its variants and where it starts from.
pub struct Plan<'a> {
    pub command: &'a str,
    pub base: &'a Loaded,
    pub variants: &'a [Loaded],
    pub ids: &'a [String],
    /// What the checkpoint records as `spec`.
    pub spec: &'a [String],
    pub format: Format,
    /// `compare` writes each variant's batch directory; `sweep` only the statistics.
    pub per_variant_dirs: bool,
}

/// A checkpoint read back, with the run to continue from.
pub struct Resumed {
    pub next: u64,
    pub runs_bytes: Vec<u64>,
    pub state: ComparisonState,
}

/// Runs the plan's variants from the shard's first run (or a resumed point), writing
/// checkpoints into `dir` as it goes; returns the whole comparison's state.
pub fn run_many(
    plan: &Plan,
    dir: &OutputDir,
    r: &Resolved,
    quiet: bool,
    resumed: Option<Resumed>,
) -> Result<ComparisonState, Failure> {
    let Resolved { runs, seed, threads, shard } = *r;
    let io = |e: std::io::Error| Failure::Io(format!("writing results: {e}"));
    let scenarios: Vec<Arc<crate::scenario::Scenario>> =
        plan.variants.iter().map(|l| Arc::new(l.scenario.clone())).collect();
    let range = shard.range(runs);
    let start = resumed.as_ref().map_or(range.start, |x| x.next);
    let mut files = Vec::new();
    if plan.per_variant_dirs {
        for (k, (id, l)) in plan.ids.iter().zip(plan.variants).enumerate() {
            let sub = dir.path().join(id);
            files.push(match &resumed {
                Some(x) => BatchFiles::reopen(&sub, &l.scenario, plan.format, x.runs_bytes[k], None)
                    .map_err(|e| Failure::Io(format!("reopening the files of {}: {e}", sub.display())))?,
                None => {
                    std::fs::create_dir(&sub).map_err(io)?;
                    BatchFiles::open(&sub, &l.scenario, &l.text, plan.format, false).map_err(io)?
                }
            });
        }
    }
    let (mut state, base) = match resumed {
        Some(x) => {
            let base = x.state.aggregates.clone();
            (x.state, Some(base))
        }
        None => (ComparisonState::new(plan.ids.to_vec(), Vec::new()), None),
    };
    let joined = |rest: &[Aggregate]| -> Vec<Aggregate> {
        match &base {
            Some(b) => b
                .iter()
                .zip(rest)
                .map(|(a, r)| {
                    let mut a = a.clone();
                    if r.runs > 0 {
                        a.merge(r);
                    }
                    a
                })
                .collect(),
            None => rest.to_vec(),
        }
    };
    let pool = thread_pool(threads)?;
    let cancel = Arc::new(AtomicBool::new(false));
    progress::on_ctrl_c(cancel.clone());
    let spec = BatchSpec { runs, master_seed: seed, shard, keep_events: false };
    // One bar for the whole comparison, not one per variant.
    let v = plan.ids.len() as u64;
    let bar = progress::bar((range.end - range.start) * v, quiet);
    bar.inc((start - range.start) * v);
    let files = RefCell::new(files);
    let state_cell = RefCell::new(&mut state);
    let resumable = plan.format != Format::Parquet;
    let mut last = Instant::now();
    let mut ckpt = Checkpoint {
        escalate: env!("CARGO_PKG_VERSION").into(),
        command: plan.command.into(),
        out: dir.final_path().file_name().map(|n| n.as_bytes().to_vec()).unwrap_or_default(),
        scenario_file: plan.base.name.clone(),
        scenario_text: plan.base.text.clone(),
        scenario_sha256: sha256_hex(&plan.base.text),
        runs,
        seed,
        shard,
        format: plan.format,
        spec: plan.spec.to_vec(),
        next: start,
        runs_bytes: Vec::new(),
        state: ComparisonState::new(Vec::new(), Vec::new()),
    };
    let ckpt_path = dir.path().join(files::RESUME);
    let result = batch::execute_many_from(
        &scenarios,
        &spec,
        start,
        &pool,
        &cancel,
        |i, rs| {
            state_cell.borrow_mut().add(rs);
            for (f, r) in files.borrow_mut().iter_mut().zip(rs) {
                f.write(i, r).map_err(|e| e.to_string())?;
            }
            Ok(())
        },
        |n| bar.inc(n),
        |next, aggs| {
            if !resumable || (last.elapsed() < CHECKPOINT_EVERY && next < range.end) {
                return Ok(());
            }
            last = Instant::now();
            let mut bytes = Vec::new();
            for f in files.borrow_mut().iter_mut() {
                bytes.push(f.flush().map_err(|e| e.to_string())?.0);
            }
            ckpt.next = next;
            ckpt.runs_bytes = bytes;
            ckpt.state = ComparisonState { aggregates: joined(aggs), ..(**state_cell.borrow()).clone() };
            let json = serde_json::to_vec(&ckpt).map_err(|e| e.to_string())?;
            write_atomic(&ckpt_path, &json).map_err(|e| format!("writing the checkpoint: {e}"))
        },
    );
    bar.finish_and_clear();
    let aggs = joined(&stopped(result)?);
    for ((f, agg), l) in files.into_inner().into_iter().zip(&aggs).zip(plan.variants) {
        f.finish(&l.scenario, agg).map_err(io)?;
    }
    state.aggregates = aggs;
    if progress::interrupted(&cancel) {
        return Err(Failure::Interrupted);
    }
    // The checkpoint is not part of the results.
    match std::fs::remove_file(&ckpt_path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Failure::Io(format!("{}: {e}", files::RESUME))),
        _ => Ok(state),
    }
}

/// An interrupted `command` (compare or sweep) that `dir` names, read back and
/// checked: its checkpoint, base scenario, settings, and the directory taken over.
pub fn load_checkpoint(
    command: &str,
    dir: &Path,
    threads: Option<usize>,
) -> Result<(Checkpoint, Loaded, Resolved, OutputDir), Failure> {
    let partial = find_partial(dir)?;
    let path = partial.join(files::RESUME);
    let text = std::fs::read(&path).map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?;
    let what = format!("{}: not a checkpoint of `escalate {command}`", path.display());
    let value: serde_json::Value = serde_json::from_slice(&text).map_err(|e| Failure::Input(format!("{what}: {e}")))?;
    match value.get("command").and_then(|c| c.as_str()) {
        Some(c) if c == command => {}
        Some(other) => {
            return Err(Failure::Input(format!(
                "{} is an interrupted `{other}`: resume it with escalate {other} --resume",
                partial.display()
            )));
        }
        None => {
            return Err(Failure::Input(format!(
                "{} is an interrupted batch: resume it with escalate batch --resume",
                partial.display()
            )));
        }
    }
    let ck: Checkpoint = serde_json::from_value(value).map_err(|e| Failure::Input(format!("{what}: {e}")))?;
    if ck.escalate != env!("CARGO_PKG_VERSION") {
        return Err(Failure::Input(format!(
            "{} was written by escalate {}, this is {}: resume it with that version",
            partial.display(),
            ck.escalate,
            env!("CARGO_PKG_VERSION")
        )));
    }
    if sha256_hex(&ck.scenario_text) != ck.scenario_sha256 {
        return Err(Failure::Input(format!("{}: the scenario in the checkpoint was edited", path.display())));
    }
    let base = crate::scenario::load_bytes(&ck.scenario_file, ck.scenario_text.as_bytes())?;
    let threads = check_threads(threads)?;
    let r = Resolved { runs: ck.runs, seed: ck.seed, threads, shard: ck.shard };
    let range = r.shard.range(r.runs);
    let consistent = ck.next >= range.start
        && ck.next <= range.end
        && ck.state.aggregates.iter().all(|a| a.runs == ck.next - range.start)
        && ck.state.aggregates.len() == ck.state.variants.len();
    if !consistent {
        return Err(Failure::Input(format!("{}: the checkpoint is inconsistent", path.display())));
    }
    let name = std::ffi::OsString::from_vec(ck.out.clone());
    if name.is_empty() || ck.out.contains(&b'/') || name == ".." || name == "." {
        return Err(Failure::Input(format!("{}: the checkpoint names no output directory", path.display())));
    }
    let final_path = partial.parent().map_or_else(|| PathBuf::from(&name), |p| p.join(&name));
    let out = OutputDir::adopt(&partial, &final_path).map_err(|e| Failure::Io(e.to_string()))?;
    Ok((ck, base, r, out))
}

impl Checkpoint {
    /// The point to continue from, once the caller has rebuilt the same variants.
    pub fn resumed(self, ids: &[String]) -> Result<Resumed, Failure> {
        if self.state.variants != ids {
            return Err(Failure::Input("the checkpoint's variants do not match its settings".into()));
        }
        Ok(Resumed { next: self.next, runs_bytes: self.runs_bytes, state: self.state })
    }
}

/// `comparison.csv`, `comparison.json` and the mergeable state.
pub fn write_comparison(dir: &Path, state: &ComparisonState) -> std::io::Result<()> {
    let rows = state.rows();
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in &rows {
        w.serialize(r).map_err(std::io::Error::other)?;
    }
    let bytes = w.into_inner().map_err(|e| std::io::Error::other(e.to_string()))?;
    write_atomic(&dir.join("comparison.csv"), &bytes)?;
    let json = serde_json::json!({
        "baseline": state.variants[0],
        "variants": state.variants,
        "runs": state.aggregates.first().map_or(0, |a| a.runs),
        "method": "paired t-interval (95%) on per-run differences; run i of every variant uses the same seed",
        "differences": rows,
        "outcome_shares": state.variants.iter().zip(&state.aggregates).map(|(v, a)| {
            serde_json::json!({ "variant": v, "outcomes": crate::record::Outcome::ALL.iter().map(|o| {
                let (lo, hi) = crate::stats::wilson95(a.outcomes[o.index()], a.runs);
                serde_json::json!({ "outcome": o.slug(), "share": a.outcomes[o.index()] as f64 / a.runs.max(1) as f64, "ci95": [lo, hi] })
            }).collect::<Vec<_>>() })
        }).collect::<Vec<_>>(),
    });
    write_atomic(&dir.join("comparison.json"), to_pretty(&json)?.as_bytes())?;
    let state_json = serde_json::to_string(state).map_err(std::io::Error::other)?;
    write_atomic(&dir.join(STATE), state_json.as_bytes())
}
