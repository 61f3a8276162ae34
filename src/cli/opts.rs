//! Options shared by the commands that run a scenario over many seeds (batch, compare,
//! sweep, calibrate), and the manifest they write.

use std::path::PathBuf;

use std::path::Path;

use super::Failure;
use crate::batch::{Shard, Stop};
use crate::output::Format;
use crate::output::dir::OutputDir;
use crate::output::manifest::{Manifest, sha256_hex};
use crate::scenario::Loaded;

#[derive(clap::Args, Debug, Clone)]
pub struct RunOpts {
    /// Scenario file (default: the built-in paris-call-2018 scenario).
    pub scenario: Option<PathBuf>,
    /// Number of runs (all shards together); each command has its own default.
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed: run i uses a seed derived from this and i alone.
    #[arg(long, default_value_t = 2018)]
    pub seed: u64,
    /// Worker threads (default: all cores; at most 4 × the cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output directory; must not exist. Default: output/NAME-seedSEED-YYYYMMDD-HHMMSS (UTC), numbered -2, -3… if taken.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar and no summary table.
    #[arg(long)]
    pub quiet: bool,
    /// Skip drawing charts.
    #[arg(long)]
    pub no_charts: bool,
}

/// Shard selection, for the commands that can be split across machines.
#[derive(clap::Args, Debug, Clone)]
pub struct ShardOpt {
    /// Run only shard K of N (0-based), e.g. 2/8; `auto` reads Slurm or Kubernetes
    /// variables. Merge the parts with `escalate merge`.
    #[arg(long)]
    pub shard: Option<String>,
}

/// Checked options.
#[derive(Debug, Clone, Copy)]
pub struct Resolved {
    pub runs: u64,
    pub seed: u64,
    pub threads: usize,
    pub shard: Shard,
}

impl RunOpts {
    pub fn resolve(&self, default_runs: u64, shard: Option<&str>, format: Format) -> Result<Resolved, Failure> {
        let runs = self.runs.unwrap_or(default_runs);
        let (threads, shard) = common(runs, self.threads, shard, format)?;
        Ok(Resolved { runs, seed: self.seed, threads, shard })
    }
}

/// The manifest of a directory written by one of these commands.
#[allow(clippy::too_many_arguments)]
pub fn manifest(
    kind: &str,
    l: &Loaded,
    variants: Vec<String>,
    r: &Resolved,
    format: Format,
    events: bool,
    wall: f64,
    created: &str,
) -> Manifest {
    let range = r.shard.range(r.runs);
    Manifest {
        tool: "escalate".into(),
        kind: kind.into(),
        variants,
        version: env!("CARGO_PKG_VERSION").into(),
        scenario_name: l.scenario.name.clone(),
        scenario_file: l.name.clone(),
        scenario_sha256: sha256_hex(&l.text),
        master_seed: r.seed,
        runs_total: r.runs,
        run_first: range.start,
        run_end: range.end,
        shard: r.shard,
        merged_from: Vec::new(),
        parts: Vec::new(),
        format,
        events,
        threads: r.threads,
        command_line: std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect(),
        wall_time_seconds: (wall * 1000.0).round() / 1000.0,
        created_utc: created.to_string(),
        files: Vec::new(),
    }
}

/// A file-name-safe version of a scenario name.
pub fn slug(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let s = s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    if s.is_empty() { "scenario".into() } else { s }
}

/// Where results go by default.
pub const OUTPUT: &str = "output";

/// The output directory of a command: `--out` if given (it must not exist), else
/// `output/NAME-seedSEED-YYYYMMDD-HHMMSS` (UTC; and `-shard-K-of-N` for a shard),
/// numbered `-2`, `-3`… when that is taken, so that default names never collide (`for
/// s in 1 2 3; do escalate batch --seed $s; done`, or two batches in the same second).
pub fn output_dir(out: Option<&Path>, name: &str, r: &Resolved, stamp: &str) -> Result<OutputDir, Failure> {
    match out {
        Some(p) => create_dir(p),
        None => {
            let mut base = format!("{name}-seed{}-{stamp}", r.seed);
            if r.shard.n > 1 {
                base.push_str(&format!("-shard-{}-of-{}", r.shard.k, r.shard.n));
            }
            OutputDir::create_numbered(Path::new(OUTPUT), &base)
                .map_err(|e| Failure::Io(format!("cannot create a directory in {OUTPUT}/: {e}")))
        }
    }
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
