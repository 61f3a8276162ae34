//! `escalate batch [SCENARIO] --runs N ...`: many seeds, streamed to an output directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::{Failure, load_scenario, progress, write_stdout};
use crate::batch::{self, BatchSpec, Shard, Stop};
use crate::output::Format;
use crate::output::batchdir::{BatchFiles, write_manifest};
use crate::output::dir::OutputDir;
use crate::output::manifest::{Manifest, sha256_hex, utc_now};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (default: the built-in paris-call-2018 scenario).
    pub scenario: Option<PathBuf>,
    /// Number of runs in the whole batch (all shards together).
    #[arg(long, default_value_t = 1000)]
    pub runs: u64,
    /// Master seed: run i uses a seed derived from this and i alone.
    #[arg(long, default_value_t = 2018)]
    pub seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output directory (default: output/SCENARIO-TIMESTAMP). Must not exist.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write every run's events to events.jsonl (large).
    #[arg(long)]
    pub events: bool,
    /// Format of runs.* and turns.*.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Run only shard K of N (0-based), e.g. 2/8; `auto` reads Slurm or Kubernetes variables.
    #[arg(long)]
    pub shard: Option<String>,
    /// No progress bar and no summary table.
    #[arg(long)]
    pub quiet: bool,
    /// Skip drawing charts.
    #[arg(long)]
    pub no_charts: bool,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let (threads, shard) = common(args.runs, args.threads, args.shard.as_deref(), args.format)?;
    let loaded = load_scenario(args.scenario.as_deref())?;
    let scenario = Arc::new(loaded.scenario);
    let (created, stamp) = utc_now();
    let out = args.out.clone().unwrap_or_else(|| {
        let mut name = format!("{}-{stamp}", slug(&scenario.name));
        if shard.n > 1 {
            name.push_str(&format!("-shard-{}-of-{}", shard.k, shard.n));
        }
        Path::new("output").join(name)
    });
    let dir = create_dir(&out)?;
    let io = |what: &str, e: std::io::Error| Failure::Io(format!("writing {what}: {e}"));
    let mut files = BatchFiles::open(dir.path(), &scenario, &loaded.text, args.format, args.events)
        .map_err(|e| io("batch files", e))?;

    let pool = thread_pool(threads)?;
    let cancel = Arc::new(AtomicBool::new(false));
    progress::on_ctrl_c(cancel.clone());
    let spec = BatchSpec { runs: args.runs, master_seed: args.seed, shard, keep_events: args.events };
    let range = shard.range(args.runs);
    let bar = progress::bar(range.end - range.start, args.quiet);
    let started = Instant::now();
    let result = batch::execute(
        &scenario,
        &spec,
        &pool,
        &cancel,
        |i, r| files.write(i, r).map_err(|e| e.to_string()),
        |n| bar.inc(n),
    );
    bar.finish_and_clear();
    let agg = stopped(result)?;
    files.finish(&scenario, &agg).map_err(|e| io("tables", e))?;
    let wall = started.elapsed().as_secs_f64();
    let manifest = Manifest {
        tool: "escalate".into(),
        kind: "batch".into(),
        variants: Vec::new(),
        version: env!("CARGO_PKG_VERSION").into(),
        scenario_name: scenario.name.clone(),
        scenario_file: loaded.name.clone(),
        scenario_sha256: sha256_hex(&loaded.text),
        master_seed: args.seed,
        runs_total: args.runs,
        run_first: range.start,
        run_end: range.end,
        shard,
        merged_from: Vec::new(),
        format: args.format,
        events: args.events,
        threads,
        command_line: std::env::args().collect(),
        wall_time_seconds: (wall * 1000.0).round() / 1000.0,
        created_utc: created,
    };
    if !args.no_charts {
        super::charts_hook(dir.path(), &manifest, args.quiet)?;
    }
    if progress::interrupted(&cancel) {
        return Err(Failure::Interrupted);
    }
    write_manifest(dir.path(), &manifest).map_err(|e| io("manifest", e))?;
    let final_dir = dir.commit().map_err(|e| Failure::Io(e.to_string()))?;
    if !args.quiet {
        let n = range.end - range.start;
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

/// A file-name-safe version of a scenario name.
pub fn slug(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let s = s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    if s.is_empty() { "scenario".into() } else { s }
}

/// Creates an atomic output directory, mapping failure to an I/O error.
pub fn create_dir(out: &Path) -> Result<OutputDir, Failure> {
    OutputDir::create(out).map_err(|e| Failure::Io(format!("cannot create {}: {e}", out.display())))
}

pub fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, Failure> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::Internal(format!("thread pool: {e}")))
}

/// Maps a batch's early stop to a failure.
pub fn stopped<T>(r: Result<T, Stop>) -> Result<T, Failure> {
    match r {
        Ok(a) => Ok(a),
        Err(Stop::Interrupted) => Err(Failure::Interrupted),
        Err(Stop::Sink(e)) => Err(Failure::Io(format!("writing results: {e}"))),
    }
}

/// Common arguments checks of batch-like commands: runs, threads, shard, format.
pub fn common(
    runs: u64,
    threads: Option<usize>,
    shard: Option<&str>,
    format: Format,
) -> Result<(usize, Shard), Failure> {
    if runs == 0 {
        return Err(Failure::Input("--runs must be at least 1".into()));
    }
    let threads = match threads {
        Some(0) => return Err(Failure::Input("--threads must be at least 1".into())),
        Some(t) => t,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let shard = match shard {
        None => Shard::WHOLE,
        Some("auto") => Shard::from_env(|k| std::env::var(k).ok()).map_err(Failure::Input)?,
        Some(s) => Shard::parse(s).map_err(Failure::Input)?,
    };
    if format == Format::Parquet && !cfg!(feature = "parquet") {
        return Err(Failure::Input(
            "--format parquet needs a build with the `parquet` feature: cargo build --release --features parquet"
                .into(),
        ));
    }
    Ok((threads, shard))
}
