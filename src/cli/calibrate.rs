//! `escalate calibrate [SCENARIO]`: the baseline world's simulated figures beside the
//! published ones of `data/calibration.ron`.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::batch::{create_dir, slug, stopped, thread_pool};
use super::opts::RunOpts;
use super::{Failure, load_scenario, progress, write_stdout};
use crate::batch::{self, BatchSpec};
use crate::calibrate::{Collector, Row, references, tolerance_text};
use crate::output::dir::write_atomic;
use crate::output::manifest::utc_now;
use crate::output::{Format, to_pretty};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub run: RunOpts,
}

/// Runs when --runs is not given.
pub const DEFAULT_RUNS: u64 = 2000;

pub fn run(args: Args) -> Result<(), Failure> {
    let o = &args.run;
    let r = o.resolve(DEFAULT_RUNS, None, Format::Csv)?;
    let loaded = load_scenario(o.scenario.as_deref())?;
    let scenario = Arc::new(loaded.scenario);
    let (_, stamp) = utc_now();
    let out = args
        .run
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{}-calibration-{stamp}", slug(&scenario.name))));
    let dir = create_dir(&out)?;
    let pool = thread_pool(r.threads)?;
    let cancel = Arc::new(AtomicBool::new(false));
    progress::on_ctrl_c(cancel.clone());
    let bar = progress::bar(r.runs, o.quiet);
    let mut collector = Collector::new(references());
    let spec = BatchSpec { runs: r.runs, master_seed: r.seed, shard: r.shard, keep_events: false };
    let result = batch::execute(
        &scenario,
        &spec,
        &pool,
        &cancel,
        |_, r| {
            collector.add(&scenario, r);
            Ok(())
        },
        |n| bar.inc(n),
    );
    bar.finish_and_clear();
    stopped(result)?;
    let rows = collector.rows();
    let io = |e: std::io::Error| Failure::Io(format!("writing calibration: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "figure", "observed", "simulated", "ci95_low", "ci95_high", "tolerance", "within", "source"])
        .map_err(|e| Failure::Io(e.to_string()))?;
    for r in &rows {
        w.write_record([
            r.id.clone(),
            r.figure.clone(),
            crate::output::runs::fmt_num(r.observed),
            crate::output::runs::fmt_num(r.simulated),
            crate::output::runs::fmt_num(r.ci95[0]),
            crate::output::runs::fmt_num(r.ci95[1]),
            tolerance_text(r.tolerance, r.observed),
            r.within.to_string(),
            r.source.clone(),
        ])
        .map_err(|e| Failure::Io(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| Failure::Io(e.to_string()))?;
    write_atomic(&dir.path().join("calibration.csv"), &bytes).map_err(io)?;
    let json = serde_json::json!({
        "scenario": scenario.name, "runs": r.runs, "seed": r.seed,
        "version": env!("CARGO_PKG_VERSION"),
        "method": "ratio of sums over runs; 95% percentile bootstrap over runs (1,000 resamples, fixed seed)",
        "rows": rows,
    });
    write_atomic(&dir.path().join("calibration.json"), to_pretty(&json).map_err(io)?.as_bytes()).map_err(io)?;
    write_atomic(&dir.path().join("scenario.ron"), loaded.text.as_bytes()).map_err(io)?;
    if !o.no_charts {
        super::calibration_chart_hook(dir.path(), &scenario.name, r.runs, &rows)?;
    }
    let final_dir = super::commit(dir)?;
    if !o.quiet {
        write_stdout(&format!("{}\nResults: {}\n", table(&rows, &scenario.name, r.runs), final_dir.display()))?;
    }
    Ok(())
}

/// The terminal table: figure, observed, simulated with interval, tolerance, verdict.
pub fn table(rows: &[Row], name: &str, runs: u64) -> String {
    let mut out = format!("Calibration of \"{name}\" over {runs} runs\n");
    out.push_str(&format!(
        "{:<72} {:>9} {:>26} {:>12}  {}\n",
        "figure", "observed", "simulated [95% CI]", "tolerance", "verdict"
    ));
    for r in rows {
        out.push_str(&format!(
            "{:<72} {:>9.3} {:>9.3} [{:>6.3}, {:>6.3}] {:>12}  {}\n",
            r.figure,
            r.observed,
            r.simulated,
            r.ci95[0],
            r.ci95[1],
            tolerance_text(r.tolerance, r.observed),
            if r.within { "within" } else { "OUTSIDE" }
        ));
    }
    out.push_str("\nSources:\n");
    for r in rows {
        out.push_str(&format!("  {}: {}\n", r.id, r.source));
    }
    out
}
