//! `escalate batch [SCENARIO] --runs N ...`: many seeds, streamed to an output directory.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::opts::{RunOpts, ShardOpt, manifest};
use super::{Failure, load_scenario, progress, write_stdout};
use crate::batch::{self, BatchSpec, Shard, Stop};
use crate::output::Format;
use crate::output::batchdir::{BatchFiles, write_manifest};
use crate::output::dir::OutputDir;
use crate::output::manifest::utc_now;

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
}

/// Runs of a batch when --runs is not given.
pub const DEFAULT_RUNS: u64 = 1000;

pub fn run(args: Args) -> Result<(), Failure> {
    let o = &args.run;
    let r = o.resolve(DEFAULT_RUNS, args.shard.shard.as_deref(), args.format)?;
    let (threads, shard) = (r.threads, r.shard);
    let loaded = load_scenario(o.scenario.as_deref())?;
    let scenario = Arc::new(loaded.scenario.clone());
    let (created, stamp) = utc_now();
    let out = o.out.clone().unwrap_or_else(|| {
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
    let spec = BatchSpec { runs: r.runs, master_seed: r.seed, shard, keep_events: args.events };
    let range = shard.range(r.runs);
    let bar = progress::bar(range.end - range.start, o.quiet);
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
    let manifest = manifest("batch", &loaded, Vec::new(), &r, args.format, args.events, wall, &created);
    if !o.no_charts {
        super::charts_hook(dir.path(), &manifest, o.quiet)?;
    }
    if progress::interrupted(&cancel) {
        return Err(Failure::Interrupted);
    }
    write_manifest(dir.path(), &manifest).map_err(|e| io("manifest", e))?;
    let final_dir = super::commit(dir)?;
    if !o.quiet {
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

/// Most worker threads per available core: more only adds overhead (and 100,000
/// threads would take minutes just to start).
pub const MAX_THREADS_PER_CORE: usize = 4;

/// Checks `--threads` (1 to 4 × the available cores; default: the cores).
pub fn check_threads(threads: Option<usize>) -> Result<usize, Failure> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let max = MAX_THREADS_PER_CORE * cores;
    match threads {
        Some(0) => Err(Failure::Input("--threads must be at least 1".into())),
        Some(t) if t > max => Err(Failure::Input(format!(
            "--threads {t} is more than {MAX_THREADS_PER_CORE} × the {cores} core{} available ({max}); use at most {max}",
            if cores == 1 { "" } else { "s" }
        ))),
        Some(t) => Ok(t),
        None => Ok(cores),
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
    let threads = check_threads(threads)?;
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
