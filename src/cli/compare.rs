//! `escalate compare SCENARIO --variants a,b,...`: variants on common random numbers,
//! with paired differences against a baseline.

use std::path::PathBuf;
use std::time::Instant;

use super::many::{Plan, Resumed, load_checkpoint, run_many, write_comparison};
use super::opts::{Resolved, RunOpts, ShardOpt, manifest};
use super::opts::{output_dir, slug};
use super::{Failure, load_scenario, write_stdout};
use crate::compare::ComparisonState;
use crate::output::Format;
use crate::output::batchdir::write_manifest;
use crate::output::dir::OutputDir;
use crate::output::manifest::utc_now;
use crate::scenario::Loaded;
use crate::scenario::variant::load_variant;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub run: RunOpts,
    #[command(flatten)]
    pub shard: ShardOpt,
    /// Variants to compare, comma-separated (`base` is the file as written).
    #[arg(long, value_delimiter = ',', required_unless_present = "resume")]
    pub variants: Vec<String>,
    /// The variant the others are compared against (default: the first listed).
    #[arg(long)]
    pub baseline: Option<String>,
    /// Format of each variant's runs.* and turns.*.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Finish an interrupted comparison from its last checkpoint: DIR is its hidden
    /// `.NAME.partial-*` directory, or the --out it was given. The result is
    /// byte-identical to an uninterrupted comparison.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["scenario", "runs", "seed", "shard", "out", "variants", "baseline", "format"])]
    pub resume: Option<PathBuf>,
}

/// Runs per variant when --runs is not given.
pub const DEFAULT_RUNS: u64 = 1000;

pub fn run(args: Args) -> Result<(), Failure> {
    let o = &args.run;
    if let Some(dir) = &args.resume {
        let (ck, base, r, out) = load_checkpoint("compare", dir, o.threads)?;
        let format = ck.format;
        let ids = ck.spec.clone();
        let variants = ids.iter().map(|id| load_variant(&base, id)).collect::<Result<Vec<_>, _>>()?;
        let resumed = ck.resumed(&ids)?;
        return finish(&base, &variants, &ids, &r, format, o, out, Some(resumed));
    }
    let r = o.resolve(DEFAULT_RUNS, args.shard.shard.as_deref(), args.format)?;
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
    let (_, stamp) = utc_now();
    let dir = output_dir(o.out.as_deref(), &format!("{}-compare", slug(&base.scenario.name)), &r, &stamp)?;
    finish(&base, &variants, &ids, &r, args.format, o, dir, None)
}

/// Runs the comparison (from its start, or from a checkpoint), then writes the
/// statistics, each variant's tables, charts and manifests, and moves it into place.
#[allow(clippy::too_many_arguments)]
fn finish(
    base: &Loaded,
    variants: &[Loaded],
    ids: &[String],
    r: &Resolved,
    format: Format,
    o: &RunOpts,
    dir: OutputDir,
    resumed: Option<Resumed>,
) -> Result<(), Failure> {
    let (created, _) = utc_now();
    let started = Instant::now();
    let plan = Plan { command: "compare", base, variants, ids, spec: ids, format, per_variant_dirs: true };
    let from = resumed.as_ref().map(|x| x.next);
    let state = run_many(&plan, &dir, r, o.quiet, resumed)?;
    let wall = started.elapsed().as_secs_f64();
    write_comparison(dir.path(), &state).map_err(|e| Failure::Io(format!("writing comparison: {e}")))?;
    let range = r.shard.range(r.runs);
    for (v, l) in ids.iter().zip(variants) {
        let m = manifest("batch", l, Vec::new(), r, format, false, wall, &created);
        let sub = dir.path().join(v);
        if !o.no_charts {
            super::charts_hook(&sub, &m, true)?;
        }
        write_manifest(&sub, &m).map_err(|e| Failure::Io(e.to_string()))?;
    }
    if !o.no_charts {
        super::compare_charts_hook(dir.path())?;
    }
    let m = manifest("compare", base, ids.to_vec(), r, format, false, wall, &created);
    write_manifest(dir.path(), &m).map_err(|e| Failure::Io(e.to_string()))?;
    let final_dir = super::commit(dir)?;
    if !o.quiet {
        let mut text = table(&state);
        text.push_str(&format!(
            "\n{} runs × {} variants in {wall:.2} s.\nResults: {}\n",
            range.end - from.unwrap_or(range.start),
            ids.len(),
            final_dir.display()
        ));
        write_stdout(&text)?;
    }
    Ok(())
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
