//! `escalate sweep SCENARIO --param PATH=VALUES ...`: a grid over parameters on common
//! random numbers, one row per point and metric with intervals.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::many::{Plan, Resumed, load_checkpoint, run_many, write_comparison};
use super::opts::{Resolved, RunOpts, ShardOpt, manifest};
use super::opts::{output_dir, slug};
use super::{Failure, load_scenario, write_stdout};
use crate::compare::{ComparisonState, METRICS};
use crate::output::batchdir::write_manifest;
use crate::output::dir::{OutputDir, write_atomic};
use crate::output::manifest::utc_now;
use crate::output::{Format, to_pretty};
use crate::scenario::Loaded;
use crate::scenario::schema::OverrideDef;
use crate::scenario::variant::load_with;
use crate::stats::round6;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub run: RunOpts,
    #[command(flatten)]
    pub shard: ShardOpt,
    /// A parameter and its values: PATH=V1,V2,... or PATH=LO..=HI:STEP, e.g.
    /// `parameters.norm_violation_cost=0..=3:0.5` or `actors[USA].doctrine.firebreak=0.2,0.5,0.8`.
    /// Give it twice for a two-way grid.
    #[arg(long = "param", required_unless_present = "resume")]
    pub params: Vec<String>,
    /// Finish an interrupted sweep from its last checkpoint: DIR is its hidden
    /// `.NAME.partial-*` directory, or the --out it was given. The result is
    /// byte-identical to an uninterrupted sweep.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["scenario", "runs", "seed", "shard", "out", "params"])]
    pub resume: Option<PathBuf>,
}

/// Runs per grid point when --runs is not given.
pub const DEFAULT_RUNS: u64 = 500;

/// The swept parameters and grid points, saved as `sweep.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Grid {
    pub params: Vec<String>,
    /// Values of each parameter at each point, in point order.
    pub points: Vec<Vec<String>>,
}

/// Most grid points a sweep may have.
const MAX_POINTS: usize = 400;

/// Parses `PATH=VALUES` into the path and its values (as RON text).
pub fn parse_param(spec: &str) -> Result<(String, Vec<String>), String> {
    let (path, values) = spec
        .split_once('=')
        .ok_or_else(|| format!("`{spec}` is not PATH=VALUES, e.g. parameters.choice_temperature=0.2,0.5"))?;
    let path = path.trim().to_string();
    let values = values.trim();
    if values.contains("..") && !values.contains(':') {
        let (lo, hi) = values.split_once("..=").or_else(|| values.split_once("..")).unwrap_or((values, ""));
        return Err(format!(
            "range `{values}` of {path} has no step: write LO..=HI:STEP, e.g. `{path}={}..={}:0.5`, or list the values, \
             e.g. `{path}={},{}`",
            lo.trim(),
            hi.trim(),
            lo.trim(),
            hi.trim()
        ));
    }
    if let Some((range, step)) = values.split_once(':').filter(|(r, _)| r.contains("..")) {
        let (lo, hi, inclusive) = match range.split_once("..=") {
            Some((a, b)) => (a, b, true),
            None => {
                let (a, b) = range.split_once("..").unwrap_or((range, ""));
                (a, b, false)
            }
        };
        let num = |s: &str| s.trim().parse::<f64>().map_err(|_| format!("`{s}` in `{spec}` is not a number"));
        let (lo, hi, step) = (num(lo)?, num(hi)?, num(step)?);
        if step.is_nan() || step <= 0.0 || !lo.is_finite() || !hi.is_finite() || hi < lo {
            return Err(format!("range `{values}` needs LO <= HI and a positive STEP"));
        }
        let n = ((hi - lo) / step + 1e-9).floor() as usize;
        if n >= MAX_POINTS {
            return Err(format!("range `{values}` has more than {MAX_POINTS} values"));
        }
        let mut out = Vec::new();
        for k in 0..=n {
            let x = lo + step * k as f64;
            if !inclusive && x >= hi - 1e-12 {
                break;
            }
            out.push(format!("{}", round6(x)));
        }
        return Ok((path, out));
    }
    let out: Vec<String> = values.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
    if out.is_empty() {
        return Err(format!("`{spec}` lists no values"));
    }
    Ok((path, out))
}

/// The cartesian product of the parameters' values.
pub fn grid(params: &[(String, Vec<String>)]) -> Result<Grid, String> {
    let mut points: Vec<Vec<String>> = vec![Vec::new()];
    for (_, values) in params {
        points =
            points.iter().flat_map(|p| values.iter().map(move |v| [p.clone(), vec![v.clone()]].concat())).collect();
        if points.len() > MAX_POINTS {
            return Err(format!("the grid has more than {MAX_POINTS} points"));
        }
    }
    Ok(Grid { params: params.iter().map(|(p, _)| p.clone()).collect(), points })
}

pub fn run(args: Args) -> Result<(), Failure> {
    let o = &args.run;
    if let Some(dir) = &args.resume {
        let (ck, base, r, out) = load_checkpoint("sweep", dir, o.threads)?;
        let (g, variants, ids) = points(&base, &ck.spec)?;
        let spec = ck.spec.clone();
        let resumed = ck.resumed(&ids)?;
        return finish(&base, &g, &variants, &ids, &spec, &r, o, out, Some(resumed));
    }
    let r = o.resolve(DEFAULT_RUNS, args.shard.shard.as_deref(), Format::Csv)?;
    let base = load_scenario(o.scenario.as_deref())?;
    let (g, variants, ids) = points(&base, &args.params)?;
    let (_, stamp) = utc_now();
    let dir = output_dir(o.out.as_deref(), &format!("{}-sweep", slug(&base.scenario.name)), &r, &stamp)?;
    finish(&base, &g, &variants, &ids, &args.params, &r, o, dir, None)
}

/// The grid of the `--param` specs, and one scenario and id per point.
fn points(base: &Loaded, specs: &[String]) -> Result<(Grid, Vec<Loaded>, Vec<String>), Failure> {
    let mut params = Vec::new();
    for p in specs {
        params.push(parse_param(p).map_err(Failure::Input)?);
    }
    let g = grid(&params).map_err(Failure::Input)?;
    if g.points.len() < 2 {
        return Err(Failure::Input("a sweep needs at least two points".into()));
    }
    let mut variants = Vec::new();
    let mut ids = Vec::new();
    for (k, point) in g.points.iter().enumerate() {
        let overrides: Vec<OverrideDef> =
            g.params.iter().zip(point).map(|(p, v)| OverrideDef { path: p.clone(), value: v.clone() }).collect();
        let label = describe(&g, k);
        let l = load_with(base, &label, &overrides).map_err(|e| Failure::Input(format!("sweep point {label}: {e}")))?;
        variants.push(l);
        ids.push(format!("p{k:03}"));
    }
    Ok((g, variants, ids))
}

/// Runs the sweep (from its start, or from a checkpoint), then writes its tables,
/// charts and manifest, and moves it into place.
#[allow(clippy::too_many_arguments)]
fn finish(
    base: &Loaded,
    g: &Grid,
    variants: &[Loaded],
    ids: &[String],
    spec: &[String],
    r: &Resolved,
    o: &RunOpts,
    dir: OutputDir,
    resumed: Option<Resumed>,
) -> Result<(), Failure> {
    let (created, _) = utc_now();
    let started = Instant::now();
    let plan = Plan { command: "sweep", base, variants, ids, spec, format: Format::Csv, per_variant_dirs: false };
    let from = resumed.as_ref().map(|x| x.next);
    let state = run_many(&plan, &dir, r, o.quiet, resumed)?;
    let wall = started.elapsed().as_secs_f64();
    let io = |e: std::io::Error| Failure::Io(format!("writing sweep: {e}"));
    write_comparison(dir.path(), &state).map_err(io)?;
    write_sweep(dir.path(), g, &state).map_err(io)?;
    write_atomic(&dir.path().join("scenario.ron"), base.text.as_bytes()).map_err(io)?;
    if !o.no_charts {
        super::compare_charts_hook(dir.path())?;
    }
    let range = r.shard.range(r.runs);
    let m = manifest("sweep", base, ids.to_vec(), r, Format::Csv, false, wall, &created);
    write_manifest(dir.path(), &m).map_err(io)?;
    let final_dir = super::commit(dir)?;
    if !o.quiet {
        write_stdout(&format!(
            "{}\n{} points × {} runs in {wall:.2} s.\nResults: {}\n",
            sweep_table(g, &state),
            g.points.len(),
            range.end - from.unwrap_or(range.start),
            final_dir.display()
        ))?;
    }
    Ok(())
}

fn describe(g: &Grid, k: usize) -> String {
    g.params.iter().zip(&g.points[k]).map(|(p, v)| format!("{p}={v}")).collect::<Vec<_>>().join(", ")
}

/// Mean and 95% CI of a metric at point `k`.
pub fn point_stats(state: &ComparisonState, k: usize, metric: &str) -> Option<(u64, f64, f64, f64, f64)> {
    let p = if k == 0 {
        state.paired.get(&state.variants[1])?.get(metric)?.baseline
    } else {
        state.paired.get(&state.variants[k])?.get(metric)?.variant
    };
    let (lo, hi) = p.ci95_as(crate::batch::aggregate::bound_of(metric));
    Some((p.n, p.mean(), p.sd(), lo, hi))
}

/// `sweep.csv` (one row per point and metric) and `sweep.json` (the grid).
pub fn write_sweep(dir: &Path, g: &Grid, state: &ComparisonState) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(g.params.iter().cloned());
    header.extend(
        ["metric", "runs", "mean", "sd", "ci95_low", "ci95_high", "diff_vs_first", "diff_ci95_low", "diff_ci95_high"]
            .map(String::from),
    );
    w.write_record(&header).map_err(std::io::Error::other)?;
    for (k, point) in g.points.iter().enumerate() {
        for (metric, _, _) in METRICS {
            let Some((n, mean, sd, lo, hi)) = point_stats(state, k, metric) else { continue };
            let (d, dlo, dhi) = if k == 0 {
                (0.0, 0.0, 0.0)
            } else {
                let p = &state.paired[&state.variants[k]][*metric].diff;
                let (a, b) = p.ci95();
                (p.mean(), a, b)
            };
            let mut row: Vec<String> = vec![state.variants[k].clone()];
            row.extend(point.iter().cloned());
            row.push(metric.to_string());
            row.push(n.to_string());
            for x in [mean, sd, lo, hi, d, dlo, dhi] {
                row.push(crate::output::row::fmt_num(x));
            }
            w.write_record(&row).map_err(std::io::Error::other)?;
        }
    }
    let bytes = w.into_inner().map_err(|e| std::io::Error::other(e.to_string()))?;
    write_atomic(&dir.join("sweep.csv"), &bytes)?;
    write_atomic(&dir.join("sweep.json"), to_pretty(g)?.as_bytes())
}

fn sweep_table(g: &Grid, state: &ComparisonState) -> String {
    let mut out =
        format!("{:<40} {:>18} {:>18} {:>18}\n", "point", "armed conflict", "score/turn", "violations (non-sig.)");
    for k in 0..g.points.len() {
        let cell = |m: &str| {
            point_stats(state, k, m)
                .map_or("-".to_string(), |(_, mean, _, lo, hi)| format!("{mean:.3} [{lo:.2},{hi:.2}]"))
        };
        out.push_str(&format!(
            "{:<40} {:>18} {:>18} {:>18}\n",
            describe(g, k),
            cell("armed_conflict"),
            cell("mean_score"),
            cell("violations_by_others")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_and_ranges() {
        assert_eq!(parse_param("a.b=1,2,3").unwrap(), ("a.b".into(), vec!["1".into(), "2".into(), "3".into()]));
        assert_eq!(parse_param("x=0..=1:0.25").unwrap().1, vec!["0", "0.25", "0.5", "0.75", "1"]);
        assert_eq!(parse_param("x=0..1:0.5").unwrap().1, vec!["0", "0.5"]);
        assert!(parse_param("x").is_err());
        assert!(parse_param("x=1..0:1").is_err());
        let g =
            grid(&[("a".into(), vec!["1".into(), "2".into()]), ("b".into(), vec!["x".into(), "y".into()])]).unwrap();
        assert_eq!(g.points.len(), 4);
        assert_eq!(g.points[1], vec!["1".to_string(), "y".to_string()]);
    }
}
