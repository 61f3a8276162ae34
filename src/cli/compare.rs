//! `escalate compare SCENARIO --variants a,b,...`: variants on common random numbers,
//! with paired differences against a baseline.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::opts::{Resolved, RunOpts, ShardOpt, manifest};
use super::opts::{output_dir, slug, stopped, thread_pool};
use super::{Failure, load_scenario, progress, write_stdout};
use crate::batch::{self, BatchSpec};
use crate::compare::ComparisonState;
use crate::output::batchdir::{BatchFiles, write_manifest};
use crate::output::dir::write_atomic;
use crate::output::manifest::utc_now;
use crate::output::{Format, to_pretty};
use crate::scenario::Loaded;
use crate::scenario::variant::load_variant;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub run: RunOpts,
    #[command(flatten)]
    pub shard: ShardOpt,
    /// Variants to compare, comma-separated (`base` is the file as written).
    #[arg(long, value_delimiter = ',', required = true)]
    pub variants: Vec<String>,
    /// The variant the others are compared against (default: the first listed).
    #[arg(long)]
    pub baseline: Option<String>,
    /// Format of each variant's runs.* and turns.*.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
}

/// Runs per variant when --runs is not given.
pub const DEFAULT_RUNS: u64 = 1000;

/// Files at the top of a comparison (or sweep) directory.
pub const STATE: &str = "comparison_state.json";

pub fn run(args: Args) -> Result<(), Failure> {
    let o = &args.run;
    let r = o.resolve(DEFAULT_RUNS, args.shard.shard.as_deref(), args.format)?;
    let shard = r.shard;
    let mut ids: Vec<String> = Vec::new();
    for v in &args.variants {
        if ids.contains(v) {
            return Err(Failure::Input(format!("variant `{v}` is listed twice")));
        }
        ids.push(v.clone());
    }
    if let Some(b) = &args.baseline {
        let Some(k) = ids.iter().position(|v| v == b) else {
            return Err(Failure::Input(format!("the baseline `{b}` is not among --variants {}", ids.join(","))));
        };
        let b = ids.remove(k);
        ids.insert(0, b);
    }
    if ids.len() < 2 {
        return Err(Failure::Input("name at least two variants to compare, e.g. --variants base,us-signs".into()));
    }
    let base = load_scenario(o.scenario.as_deref())?;
    let mut variants = Vec::new();
    for id in &ids {
        variants.push(load_variant(&base, id)?);
    }
    let (created, stamp) = utc_now();
    let dir = output_dir(o.out.as_deref(), &format!("{}-compare", slug(&base.scenario.name)), &r, &stamp)?;
    let started = Instant::now();
    let state = run_many(&variants, &ids, dir.path(), &r, args.format, o.quiet, true)?;
    let wall = started.elapsed().as_secs_f64();
    write_comparison(dir.path(), &state).map_err(|e| Failure::Io(format!("writing comparison: {e}")))?;
    let range = shard.range(r.runs);
    for (v, l) in ids.iter().zip(&variants) {
        let m = manifest("batch", l, Vec::new(), &r, args.format, false, wall, &created);
        let sub = dir.path().join(v);
        if !o.no_charts {
            super::charts_hook(&sub, &m, true)?;
        }
        write_manifest(&sub, &m).map_err(|e| Failure::Io(e.to_string()))?;
    }
    if !o.no_charts {
        super::compare_charts_hook(dir.path())?;
    }
    let m = manifest("compare", &base, ids.clone(), &r, args.format, false, wall, &created);
    write_manifest(dir.path(), &m).map_err(|e| Failure::Io(e.to_string()))?;
    let final_dir = super::commit(dir)?;
    if !o.quiet {
        let mut text = table(&state);
        text.push_str(&format!(
            "\n{} runs × {} variants in {wall:.2} s.\nResults: {}\n",
            range.end - range.start,
            ids.len(),
            final_dir.display()
        ));
        write_stdout(&text)?;
    }
    Ok(())
}

/// The engine of `compare` and `sweep`.
pub fn run_many(
    variants: &[Loaded],
    ids: &[String],
    dir: &Path,
    r: &Resolved,
    format: Format,
    quiet: bool,
    per_variant_dirs: bool,
) -> Result<ComparisonState, Failure> {
    let Resolved { runs, seed, threads, shard } = *r;
    let io = |e: std::io::Error| Failure::Io(format!("writing results: {e}"));
    let scenarios: Vec<Arc<crate::scenario::Scenario>> =
        variants.iter().map(|l| Arc::new(l.scenario.clone())).collect();
    let mut files = Vec::new();
    if per_variant_dirs {
        for (id, l) in ids.iter().zip(variants) {
            let sub = dir.join(id);
            std::fs::create_dir(&sub).map_err(io)?;
            files.push(BatchFiles::open(&sub, &l.scenario, &l.text, format, false).map_err(io)?);
        }
    }
    let pool = thread_pool(threads)?;
    let cancel = Arc::new(AtomicBool::new(false));
    progress::on_ctrl_c(cancel.clone());
    let spec = BatchSpec { runs, master_seed: seed, shard, keep_events: false };
    let range = shard.range(runs);
    // One bar for the whole comparison, not one per variant.
    let bar = progress::bar((range.end - range.start) * ids.len() as u64, quiet);
    let mut state = ComparisonState::new(ids.to_vec(), Vec::new());
    let result = batch::execute_many(
        &scenarios,
        &spec,
        &pool,
        &cancel,
        |i, rs| {
            state.add(rs);
            for (f, r) in files.iter_mut().zip(rs) {
                f.write(i, r).map_err(|e| e.to_string())?;
            }
            Ok(())
        },
        |n| bar.inc(n),
    );
    bar.finish_and_clear();
    let aggs = stopped(result)?;
    for ((f, agg), l) in files.into_iter().zip(&aggs).zip(variants) {
        f.finish(&l.scenario, agg).map_err(io)?;
    }
    state.aggregates = aggs;
    if progress::interrupted(&cancel) {
        return Err(Failure::Interrupted);
    }
    Ok(state)
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

/// The terminal table of paired differences.
pub fn table(state: &ComparisonState) -> String {
    let mut out = format!("Paired differences against `{}` (95% CI, common random numbers)\n", state.variants[0]);
    out.push_str(&format!(
        "{:<22} {:<26} {:>10} {:>10} {:>24}\n",
        "variant", "metric", "variant", "baseline", "difference [95% CI]"
    ));
    for r in state.rows() {
        out.push_str(&format!(
            "{:<22} {:<26} {:>10.3} {:>10.3} {:>+9.3} [{:+.3}, {:+.3}]\n",
            r.variant, r.metric, r.variant_mean, r.baseline_mean, r.diff_mean, r.diff_ci95_low, r.diff_ci95_high
        ));
    }
    out
}
