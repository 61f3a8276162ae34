//! `escalate batch [SCENARIO] --runs N ...`: many seeds, streamed to an output directory.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::{Failure, load_scenario, progress, write_stdout};
use crate::batch::{self, BatchSpec, Shard, Stop};
use crate::output::dir::{OutputDir, write_atomic};
use crate::output::manifest::{Manifest, sha256_hex, utc_now};
use crate::output::{Format, files, runs, to_pretty, write_aggregates};

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
    if args.runs == 0 {
        return Err(Failure::Input("--runs must be at least 1".into()));
    }
    let threads = match args.threads {
        Some(0) => return Err(Failure::Input("--threads must be at least 1".into())),
        Some(t) => t,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let shard = match args.shard.as_deref() {
        None => Shard::WHOLE,
        Some("auto") => Shard::from_env(|k| std::env::var(k).ok()).map_err(Failure::Input)?,
        Some(s) => Shard::parse(s).map_err(Failure::Input)?,
    };
    if args.format == Format::Parquet && !cfg!(feature = "parquet") {
        return Err(Failure::Input(
            "--format parquet needs a build with the `parquet` feature: cargo build --release --features parquet"
                .into(),
        ));
    }
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
    let dir = OutputDir::create(&out).map_err(|e| Failure::Io(format!("cannot create {}: {e}", out.display())))?;
    let io = |what: &str, e: std::io::Error| Failure::Io(format!("writing {what}: {e}"));
    write_atomic(&dir.path().join(files::SCENARIO), loaded.text.as_bytes()).map_err(|e| io(files::SCENARIO, e))?;

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::Internal(format!("thread pool: {e}")))?;
    let cancel = Arc::new(AtomicBool::new(false));
    progress::on_ctrl_c(cancel.clone());
    let spec = BatchSpec { runs: args.runs, master_seed: args.seed, shard, keep_events: args.events };
    let range = shard.range(args.runs);
    let bar = progress::bar(range.end - range.start, args.quiet);

    let mut rows = runs::open(dir.path(), "runs", args.format).map_err(|e| io("runs", e))?;
    rows.header(&runs::columns(&scenario)).map_err(|e| io("runs", e))?;
    let mut events = if args.events {
        Some(BufWriter::new(File::create(dir.path().join(files::EVENTS)).map_err(|e| io(files::EVENTS, e))?))
    } else {
        None
    };
    let started = Instant::now();
    let result = batch::execute(
        &scenario,
        &spec,
        &pool,
        &cancel,
        |i, r| {
            rows.row(&runs::values(i, r)).map_err(|e| e.to_string())?;
            if let Some(ev) = events.as_mut() {
                for e in &r.events {
                    let mut v = serde_json::to_value(e).map_err(|e| e.to_string())?;
                    if let Some(o) = v.as_object_mut() {
                        o.insert("run".into(), i.into());
                    }
                    serde_json::to_writer(&mut *ev, &v).map_err(|e| e.to_string())?;
                    ev.write_all(b"\n").map_err(|e| e.to_string())?;
                }
            }
            Ok(())
        },
        |n| bar.inc(n),
    );
    bar.finish_and_clear();
    let agg = match result {
        Ok(a) => a,
        Err(Stop::Interrupted) => return Err(Failure::Interrupted),
        Err(Stop::Sink(e)) => return Err(Failure::Io(format!("writing results: {e}"))),
    };
    rows.finish().map_err(|e| io("runs", e))?;
    if let Some(mut ev) = events {
        ev.flush().map_err(|e| io(files::EVENTS, e))?;
    }
    write_aggregates(dir.path(), &scenario, &agg, args.format).map_err(|e| io("tables", e))?;
    let wall = started.elapsed().as_secs_f64();
    let manifest = Manifest {
        tool: "escalate".into(),
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
        super::charts_hook(dir.path(), args.quiet)?;
    }
    if progress::interrupted(&cancel) {
        return Err(Failure::Interrupted);
    }
    // The manifest is written last: a directory with a manifest is complete.
    write_atomic(&dir.path().join(files::MANIFEST), to_pretty(&manifest).map_err(|e| io("manifest", e))?.as_bytes())
        .map_err(|e| io(files::MANIFEST, e))?;
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
