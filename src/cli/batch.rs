//! `escalate batch [SCENARIO] --runs N ...`: many seeds, streamed to an output directory.

use std::cell::RefCell;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::opts::{Resolved, RunOpts, ShardOpt, check_threads, manifest, output_dir};
// `cli/calibrate.rs` imports these from here; they live in `opts` (options and run helpers
// shared by batch-like commands), so that `batch` depends on `opts` and not back.
pub use super::opts::{slug, stopped, thread_pool};
use super::{Failure, load_scenario, progress, write_stdout};
use crate::batch::{self, Aggregate, BatchSpec, Shard};
use crate::output::batchdir::{BatchFiles, write_manifest};
use crate::output::dir::{OutputDir, write_atomic};
use crate::output::manifest::{sha256_hex, utc_now};
use crate::output::{Format, files};
use crate::scenario::Loaded;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub run: RunOpts,
    #[command(flatten)]
    pub shard: ShardOpt,
    /// Also write every run's events to events.jsonl (large).
    #[arg(long)]
    pub events: bool,
    /// Format of runs.* and turns.*.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Finish an interrupted batch (one killed, or whose machine failed) from its last
    /// checkpoint: DIR is its hidden `.NAME.partial-*` directory, or the --out it was
    /// given. The result is byte-identical to an uninterrupted batch.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["scenario", "runs", "seed", "shard", "out", "events", "format"])]
    pub resume: Option<PathBuf>,
}

/// Runs of a batch when --runs is not given.
pub const DEFAULT_RUNS: u64 = 1000;

/// Least time between two checkpoints of a running batch.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// What a partial batch directory keeps so that `--resume` can finish it: the batch's
/// settings, how far it got, the lengths of its row files then, and the aggregate of
/// the runs before that point.
#[derive(Debug, Serialize, Deserialize)]
struct Checkpoint {
    escalate: String,
    /// The final directory's name, as bytes (any name the OS accepts); it is beside
    /// the partial directory.
    out: Vec<u8>,
    scenario_file: String,
    scenario_sha256: String,
    runs: u64,
    seed: u64,
    shard: Shard,
    format: Format,
    events: bool,
    /// Runs `first..next` of the shard are in the files and the aggregate.
    next: u64,
    runs_bytes: u64,
    events_bytes: Option<u64>,
    aggregate: Aggregate,
}

pub fn run(args: Args) -> Result<(), Failure> {
    if let Some(dir) = &args.resume {
        return resume(&args, dir);
    }
    let o = &args.run;
    let r = o.resolve(DEFAULT_RUNS, args.shard.shard.as_deref(), args.format)?;
    let shard = r.shard;
    let loaded = load_scenario(o.scenario.as_deref())?;
    let (created, stamp) = utc_now();
    let dir = output_dir(o.out.as_deref(), &slug(&loaded.scenario.name), &r, &stamp)?;
    let files = BatchFiles::open(dir.path(), &loaded.scenario, &loaded.text, args.format, args.events)
        .map_err(|e| io("batch files", e))?;
    let start = shard.range(r.runs).start;
    finish(&loaded, &r, args.format, args.events, o, dir, files, start, None, &created)
}

fn io(what: &str, e: std::io::Error) -> Failure {
    Failure::Io(format!("writing {what}: {e}"))
}

/// `base` (the runs before a resumed batch's first) and `rest` (the runs after),
/// merged as two shards are: exactly what one uninterrupted batch aggregates.
fn joined(base: Option<&Aggregate>, rest: &Aggregate) -> Aggregate {
    match base {
        Some(b) if rest.runs == 0 => b.clone(),
        Some(b) => {
            let mut a = b.clone();
            a.merge(rest);
            a
        }
        None => rest.clone(),
    }
}

/// Runs the shard's runs from `start` (`base` aggregates those before it), writing
/// checkpoints as it goes, then the tables, charts and manifest, and moves the
/// directory into place.
#[allow(clippy::too_many_arguments)]
fn finish(
    loaded: &Loaded,
    r: &Resolved,
    format: Format,
    events: bool,
    o: &RunOpts,
    dir: OutputDir,
    files: BatchFiles,
    start: u64,
    base: Option<Aggregate>,
    created: &str,
) -> Result<(), Failure> {
    let scenario = Arc::new(loaded.scenario.clone());
    let (threads, shard) = (r.threads, r.shard);
    let pool = thread_pool(threads)?;
    let cancel = Arc::new(AtomicBool::new(false));
    progress::on_ctrl_c(cancel.clone());
    let spec = BatchSpec { runs: r.runs, master_seed: r.seed, shard, keep_events: events };
    let range = shard.range(r.runs);
    let bar = progress::bar(range.end - range.start, o.quiet);
    bar.inc(start - range.start);
    let started = Instant::now();
    let files = RefCell::new(files);
    let resumable = format != Format::Parquet;
    let mut last = Instant::now();
    let mut ckpt = Checkpoint {
        escalate: env!("CARGO_PKG_VERSION").into(),
        out: dir.final_path().file_name().map(|n| n.as_bytes().to_vec()).unwrap_or_default(),
        scenario_file: loaded.name.clone(),
        scenario_sha256: sha256_hex(&loaded.text),
        runs: r.runs,
        seed: r.seed,
        shard,
        format,
        events,
        next: start,
        runs_bytes: 0,
        events_bytes: None,
        aggregate: Aggregate::new(0, 0, 0, 0),
    };
    let ckpt_path = dir.path().join(files::RESUME);
    let result = batch::execute_many_from(
        std::slice::from_ref(&scenario),
        &spec,
        start,
        &pool,
        &cancel,
        |i, rs| files.borrow_mut().write(i, &rs[0]).map_err(|e| e.to_string()),
        |n| bar.inc(n),
        |next, aggs| {
            if !resumable || (last.elapsed() < CHECKPOINT_EVERY && next < range.end) {
                return Ok(());
            }
            last = Instant::now();
            let (runs_bytes, events_bytes) = files.borrow_mut().flush().map_err(|e| e.to_string())?;
            let agg = joined(base.as_ref(), &aggs[0]);
            ckpt.next = next;
            ckpt.runs_bytes = runs_bytes;
            ckpt.events_bytes = events_bytes;
            ckpt.aggregate = agg;
            let json = serde_json::to_vec(&ckpt).map_err(|e| e.to_string())?;
            write_atomic(&ckpt_path, &json).map_err(|e| format!("writing the checkpoint: {e}"))
        },
    );
    bar.finish_and_clear();
    let agg = joined(base.as_ref(), &stopped(result)?[0]);
    let files = files.into_inner();
    files.finish(&scenario, &agg).map_err(|e| io("tables", e))?;
    // The checkpoint is not part of the results.
    match std::fs::remove_file(&ckpt_path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(files::RESUME, e)),
        _ => {}
    }
    let wall = started.elapsed().as_secs_f64();
    let manifest = manifest("batch", loaded, Vec::new(), r, format, events, wall, created);
    if !o.no_charts {
        super::charts_hook(dir.path(), &manifest, o.quiet)?;
    }
    if progress::interrupted(&cancel) {
        return Err(Failure::Interrupted);
    }
    write_manifest(dir.path(), &manifest).map_err(|e| io("manifest", e))?;
    let final_dir = super::commit(dir)?;
    if !o.quiet {
        let n = range.end - start;
        let summary = crate::output::tables::summary(&scenario, &agg);
        let mut text = super::headline::table(&summary);
        text.push_str(&format!(
            "\n{n} runs in {wall:.2} s ({:.0} runs/s on {threads} thread{}).\nResults: {}\n",
            n as f64 / wall.max(1e-9),
            if threads == 1 { "" } else { "s" },
            final_dir.display()
        ));
        write_stdout(&text)?;
    }
    Ok(())
}

/// The partial directory `dir` names: itself if it holds a checkpoint, or the one
/// interrupted batch that was writing to `dir` as its --out.
pub(super) fn find_partial(dir: &Path) -> Result<PathBuf, Failure> {
    if dir.join(files::RESUME).is_file() {
        return Ok(dir.to_path_buf());
    }
    if dir.join(files::MANIFEST).is_file() {
        return Err(Failure::Input(format!("{} is a finished batch: there is nothing to resume", dir.display())));
    }
    let prefix = crate::output::dir::hidden_sibling(dir, ".partial-");
    let parent = prefix.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let stem = prefix.file_name().map(|n| n.as_bytes().to_vec()).unwrap_or_default();
    let mut found: Vec<PathBuf> = std::fs::read_dir(&parent)
        .map_err(|e| Failure::Io(format!("{}: {e}", parent.display())))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().as_bytes().starts_with(&stem) && e.path().join(files::RESUME).is_file())
        .map(|e| e.path())
        .collect();
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Failure::Input(format!(
            "{}: no interrupted batch to resume (no partial directory with a {} checkpoint; a batch stopped by a \
             signal removes its partial directory, and one killed before its first checkpoint has none)",
            dir.display(),
            files::RESUME
        ))),
        _ => Err(Failure::Input(format!(
            "{} interrupted batches wrote to {}; resume one by naming its directory: {}",
            found.len(),
            dir.display(),
            found.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

fn resume(args: &Args, dir: &Path) -> Result<(), Failure> {
    let partial = find_partial(dir)?;
    let path = partial.join(files::RESUME);
    let text = std::fs::read(&path).map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?;
    // compare and sweep checkpoint into the same file; they name their command.
    if let Some(other) = serde_json::from_slice::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("command")?.as_str().map(String::from))
    {
        return Err(Failure::Input(format!(
            "{} is an interrupted `{other}`, not a batch checkpoint: resume it with escalate {other} --resume",
            partial.display()
        )));
    }
    let ck: Checkpoint = serde_json::from_slice(&text)
        .map_err(|e| Failure::Input(format!("{}: not a batch checkpoint: {e}", path.display())))?;
    if ck.escalate != env!("CARGO_PKG_VERSION") {
        return Err(Failure::Input(format!(
            "{} was written by escalate {}, this is {}: resume it with that version",
            partial.display(),
            ck.escalate,
            env!("CARGO_PKG_VERSION")
        )));
    }
    let scenario_path = partial.join(files::SCENARIO);
    let scenario_text =
        std::fs::read(&scenario_path).map_err(|e| Failure::Io(format!("{}: {e}", scenario_path.display())))?;
    let loaded = crate::scenario::load_bytes(&ck.scenario_file, &scenario_text)?;
    if sha256_hex(&loaded.text) != ck.scenario_sha256 {
        return Err(Failure::Input(format!(
            "{}: scenario.ron does not match its checkpoint (was it edited?)",
            partial.display()
        )));
    }
    let threads = check_threads(args.run.threads)?;
    let r = Resolved { runs: ck.runs, seed: ck.seed, threads, shard: ck.shard };
    let range = r.shard.range(r.runs);
    if ck.next < range.start || ck.next > range.end || ck.aggregate.runs != ck.next - range.start {
        return Err(Failure::Input(format!("{}: the checkpoint is inconsistent", path.display())));
    }
    let name = std::ffi::OsString::from_vec(ck.out.clone());
    if name.is_empty() || ck.out.contains(&b'/') || name == ".." || name == "." {
        return Err(Failure::Input(format!("{}: the checkpoint names no output directory", path.display())));
    }
    let final_path = partial.parent().map_or_else(|| PathBuf::from(&name), |p| p.join(&name));
    let dir = OutputDir::adopt(&partial, &final_path).map_err(|e| Failure::Io(e.to_string()))?;
    let events = ck.events.then_some(ck.events_bytes.unwrap_or(0));
    let files = BatchFiles::reopen(dir.path(), &loaded.scenario, ck.format, ck.runs_bytes, events)
        .map_err(|e| Failure::Io(format!("reopening the files of {}: {e}", partial.display())))?;
    let (created, _) = utc_now();
    finish(&loaded, &r, ck.format, ck.events, &args.run, dir, files, ck.next, Some(ck.aggregate), &created)
}
