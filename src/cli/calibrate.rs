//! `escalate calibrate [SCENARIO]`: the model's figures beside the published ones of
//! `data/calibration.ron`, each with both intervals and a verdict; `--validate` adds the
//! held-out case, `--controls` checks that implausible worlds fail, `--fit` searches
//! parameters for the values that best meet the tuning targets.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::opts::RunOpts;
use super::opts::{output_dir, slug, thread_pool};
use super::{Failure, load_scenario, progress, write_stdout};
use crate::batch::Stop;
use crate::calibrate::fit::{self, Dim};
use crate::calibrate::summary::{loss, synthetic};
use crate::calibrate::targets::{self, CalibrationFile, Role, Target, Unit};
use crate::calibrate::{EvalError, Plan, Row, parse_setting};
use crate::exit;
use crate::output::dir::write_atomic;
use crate::output::manifest::utc_now;
use crate::output::runs::fmt_num;
use crate::output::{Format, to_pretty};
use crate::scenario::schema::OverrideDef;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub run: RunOpts,
    /// Override PATH=VALUE in every scenario calibrated (repeatable), e.g.
    /// `--set parameters.damage_scale=10`: calibrate a what-if world
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Also check the held-out validation targets (shown in their own table)
    #[arg(long)]
    pub validate: bool,
    /// Run the negative controls of the calibration file: passes only if every
    /// implausible world fails at least one tuning target
    #[arg(long, conflicts_with_all = ["fit", "emit_targets"])]
    pub controls: bool,
    /// Search PATH over LO..HI for the values that best meet the tuning targets
    /// (repeatable), e.g. `--fit parameters.choice_temperature=0.2..0.8`
    #[arg(long, value_name = "PATH=LO..HI")]
    pub fit: Vec<String>,
    /// Latin-hypercube points of the fit's first stage
    #[arg(long, default_value_t = 24, value_name = "N")]
    pub fit_samples: usize,
    /// Evaluations of the fit's refinement stage (compass search)
    #[arg(long, default_value_t = 16, value_name = "N")]
    pub fit_rounds: usize,
    /// A calibration file to use instead of the built-in `data/calibration.ron`
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
    /// Write the simulated tuning figures as a calibration file (synthetic targets, e.g.
    /// to check that `--fit` recovers known values)
    #[arg(long, value_name = "FILE")]
    pub emit_targets: Option<PathBuf>,
}

/// Runs per scenario when --runs is not given.
pub const DEFAULT_RUNS: u64 = 1000;

pub fn run(args: Args) -> Result<(), Failure> {
    let o = &args.run;
    let r = o.resolve(DEFAULT_RUNS, None, Format::Csv)?;
    let (file, file_text) = match &args.targets {
        None => (targets::built_in(), targets::built_in_text().to_string()),
        Some(p) => {
            let text =
                std::fs::read_to_string(p).map_err(|e| Failure::Io(format!("cannot read {}: {e}", p.display())))?;
            (targets::parse(&p.display().to_string(), &text).map_err(Failure::Input)?, text)
        }
    };
    let set: Vec<OverrideDef> =
        args.set.iter().map(|s| parse_setting(s)).collect::<Result<_, _>>().map_err(Failure::Input)?;
    let dims: Vec<Dim> =
        args.fit.iter().map(|s| fit::parse_dim(s)).collect::<Result<_, _>>().map_err(Failure::Input)?;
    if args.controls && file.controls.is_empty() {
        return Err(Failure::Input("the calibration file has no controls (add a `controls: [...]` list)".into()));
    }
    let loaded = load_scenario(o.scenario.as_deref())?;
    let label = o.scenario.as_ref().map_or_else(
        || "paris-call-2018".to_string(),
        |p| p.file_stem().map_or_else(|| p.display().to_string(), |s| s.to_string_lossy().into_owned()),
    );
    // The fit only ever sees tuning targets; validation stays held out.
    let roles: &[Role] = if !dims.is_empty() {
        &[Role::Tuning]
    } else if args.validate {
        &[Role::Tuning, Role::Secondary, Role::Validation]
    } else {
        &[Role::Tuning, Role::Secondary]
    };
    let plan = Plan::new(&file, roles, &loaded, &label).map_err(Failure::Input)?;
    let (_, stamp) = utc_now();
    let evaluations = if args.controls {
        1 + file.controls.len()
    } else if dims.is_empty() {
        1
    } else {
        args.fit_samples.max(1) + args.fit_rounds
    };
    let dir = output_dir(o.out.as_deref(), &format!("{}-calibration", slug(&loaded.scenario.name)), &r, &stamp)?;
    let pool = thread_pool(r.threads)?;
    let cancel = Arc::new(AtomicBool::new(false));
    progress::on_ctrl_c(cancel.clone());
    let bar = progress::bar(plan.batches() * r.runs * evaluations as u64, o.quiet);
    let eval = |extra: &[OverrideDef]| -> Result<Vec<Row>, Failure> {
        plan.evaluate(extra, r.runs, r.seed, &pool, &cancel, |n| bar.inc(n)).map_err(|e| match e {
            EvalError::Invalid(m) => Failure::Input(format!("an override does not apply: {m}")),
            EvalError::Stopped(Stop::Interrupted) => Failure::Interrupted,
            EvalError::Stopped(Stop::Sink(m)) => Failure::Internal(m),
        })
    };
    let io = |e: std::io::Error| Failure::Io(format!("writing calibration: {e}"));
    let mut report = String::new();
    let mut failed = false;

    let rows = if args.controls {
        let rows = eval(&set)?;
        let mut results = Vec::new();
        for c in &file.controls {
            let mut extra = set.clone();
            extra.extend(c.set.iter().map(|(p, v)| OverrideDef { path: p.clone(), value: v.clone() }));
            let crows = eval(&extra)?;
            let broken: Vec<String> =
                crows.iter().filter(|r| r.role == Role::Tuning && !r.within).map(|r| r.id.clone()).collect();
            results.push((c, broken));
        }
        bar.finish_and_clear();
        write_atomic(&dir.path().join("controls.csv"), &controls_csv(&results)?).map_err(io)?;
        let passing: Vec<&str> = results
            .iter()
            .filter(|(c, b)| b.is_empty() && c.blind_spot.is_none())
            .map(|(c, _)| c.id.as_str())
            .collect();
        failed |= !passing.is_empty() || rows.iter().any(|r| r.role == Role::Tuning && !r.within);
        report.push_str(&controls_table(&results));
        rows
    } else if !dims.is_empty() {
        let (rows, text) = run_fit(&args, &dims, &set, &eval, dir.path())?;
        bar.finish_and_clear();
        report.push_str(&text);
        rows
    } else {
        let rows = eval(&set)?;
        bar.finish_and_clear();
        failed |= rows.iter().any(|r| r.counts() && !r.within);
        rows
    };

    if let Some(path) = &args.emit_targets {
        let synth = synthetic_file(plan.targets(), &rows);
        let text = ron::ser::to_string_pretty(&synth, ron::ser::PrettyConfig::default())
            .map_err(|e| Failure::Internal(format!("serialising targets: {e}")))?;
        let header = format!(
            "// Synthetic targets: the simulated figures of {label} over {} runs from seed {}{}.\n",
            r.runs,
            r.seed,
            if set.is_empty() {
                String::new()
            } else {
                format!(
                    " with {}",
                    set.iter().map(|s| format!("{}={}", s.path, s.value)).collect::<Vec<_>>().join(", ")
                )
            }
        );
        write_atomic(path, format!("{header}{text}\n").as_bytes()).map_err(io)?;
    }
    write_atomic(&dir.path().join("calibration.csv"), &rows_csv(&rows)?).map_err(io)?;
    let json = serde_json::json!({
        "scenario": loaded.scenario.name, "runs_per_scenario": r.runs, "seed": r.seed,
        "version": env!("CARGO_PKG_VERSION"),
        "set": set.iter().map(|s| format!("{}={}", s.path, s.value)).collect::<Vec<_>>(),
        "method": "ratios of sums over runs, or Kaplan-Meier medians; 95% percentile bootstrap over runs (1,000 resamples, fixed seed); a figure passes when its point estimate lies in the observed 95% interval",
        "rows": rows,
    });
    write_atomic(&dir.path().join("calibration.json"), to_pretty(&json).map_err(io)?.as_bytes()).map_err(io)?;
    write_atomic(&dir.path().join("scenario.ron"), loaded.text.as_bytes()).map_err(io)?;
    write_atomic(&dir.path().join("targets.ron"), file_text.as_bytes()).map_err(io)?;
    if !o.no_charts {
        super::calibration_chart_hook(dir.path(), &loaded.scenario.name, r.runs, &rows)?;
    }
    let final_dir = super::commit(dir)?;
    if !o.quiet {
        let mut text = table(&rows, &loaded.scenario.name, r.runs);
        text.push_str(&report);
        text.push_str(&format!("Results: {}\n", final_dir.display()));
        write_stdout(&text)?;
    }
    if failed { Err(Failure::Reported(exit::OUTSIDE)) } else { Ok(()) }
}

/// One evaluation of the calibration with extra overrides.
type Evaluate<'a> = dyn Fn(&[OverrideDef]) -> Result<Vec<Row>, Failure> + 'a;

/// The fit: Latin hypercube, then compass search, on the tuning targets. Writes
/// `fit.csv`, `fit.ron` and the landscape chart; returns the best point's rows.
fn run_fit(
    args: &Args,
    dims: &[Dim],
    set: &[OverrideDef],
    eval: &Evaluate,
    dir: &Path,
) -> Result<(Vec<Row>, String), Failure> {
    let mut evaluated: Vec<Vec<Row>> = Vec::new();
    let search = fit::search(dims, args.fit_samples, args.fit_rounds, args.run.seed, |x| {
        let mut extra = set.to_vec();
        extra.extend(dims.iter().zip(x).map(|(d, v)| OverrideDef { path: d.path.clone(), value: format!("{v}") }));
        let rows = eval(&extra)?;
        let l = loss(&rows);
        evaluated.push(rows);
        Ok::<f64, Failure>(l)
    })?;
    let io = |e: std::io::Error| Failure::Io(format!("writing the fit: {e}"));
    let best = &search.points[search.best];
    let rows = evaluated[search.best].clone();
    // fit.csv: every point, its loss and each target's deviation.
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head: Vec<String> = vec!["evaluation".into(), "stage".into()];
    head.extend(dims.iter().map(|d| d.path.clone()));
    head.push("loss".into());
    head.extend(rows.iter().map(|r| format!("deviation_{}", r.id)));
    w.write_record(&head).map_err(|e| Failure::Io(e.to_string()))?;
    for (i, ((x, l), rs)) in search.points.iter().zip(&evaluated).enumerate() {
        let mut rec = vec![i.to_string(), if i < search.design { "hypercube" } else { "refine" }.to_string()];
        rec.extend(x.iter().map(|v| fmt_num(*v)));
        rec.push(fmt_num(*l));
        rec.extend(rs.iter().map(|r| fmt_num(r.deviation())));
        w.write_record(&rec).map_err(|e| Failure::Io(e.to_string()))?;
    }
    write_atomic(&dir.join("fit.csv"), &w.into_inner().map_err(|e| Failure::Io(e.to_string()))?).map_err(io)?;
    let block = parameters_block(dims, &best.0, best.1, search.points.len());
    write_atomic(&dir.join("fit.ron"), block.as_bytes()).map_err(io)?;
    if !args.run.no_charts {
        let pts: Vec<(Vec<f64>, f64)> = search.points.clone();
        crate::report::landscape::write(dir, dims, &pts, search.best, search.design).map_err(super::plot::failure)?;
    }
    let mut text = format!(
        "\nFit over {} evaluations ({} hypercube, {} refinement) on the tuning targets; best loss {:.3} \
         (sum of squared deviations; each below 1 is inside its interval):\n",
        search.points.len(),
        search.design,
        search.points.len() - search.design,
        best.1
    );
    text.push_str(&block);
    Ok((rows, text))
}

/// The fitted values as a block a scenario can paste.
fn parameters_block(dims: &[Dim], x: &[f64], loss: f64, evaluations: usize) -> String {
    let mut s = format!("// escalate calibrate --fit: best of {evaluations} evaluations, loss {loss:.3}\n");
    let params: Vec<(String, f64)> = dims
        .iter()
        .zip(x)
        .filter_map(|(d, v)| d.path.strip_prefix("parameters.").map(|n| (n.to_string(), *v)))
        .collect();
    s.push_str("parameters: {\n");
    for (n, v) in &params {
        s.push_str(&format!("    \"{n}\": {},\n", round_sig(*v)));
    }
    s.push_str("},\n");
    let others: Vec<String> = dims
        .iter()
        .zip(x)
        .filter(|(d, _)| !d.path.starts_with("parameters."))
        .map(|(d, v)| format!("    OverrideDef(path: \"{}\", value: \"{}\"),\n", d.path, round_sig(*v)))
        .collect();
    if !others.is_empty() {
        s.push_str("// Fitted fields outside `parameters`, as a variant's overrides:\nset: [\n");
        s.push_str(&others.concat());
        s.push_str("],\n");
    }
    s
}

/// Four significant figures: a fitted value is not known better than the loss surface.
fn round_sig(v: f64) -> String {
    if v == 0.0 {
        return "0.0".into();
    }
    let d = (4 - 1 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.d$}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

/// A calibration file whose observed figures are these simulated ones.
fn synthetic_file(targets: &[Target], rows: &[Row]) -> CalibrationFile {
    let targets = targets
        .iter()
        .zip(rows)
        .filter(|(t, _)| t.role == Role::Tuning)
        .filter_map(|(t, r)| {
            synthetic(r).map(|observed| Target {
                observed,
                source: format!("synthetic: the simulated figure ({}); was: {}", fmt_num(r.simulated), t.source),
                ..t.clone()
            })
        })
        .collect();
    CalibrationFile { targets, controls: Vec::new() }
}

fn rows_csv(rows: &[Row]) -> Result<Vec<u8>, Failure> {
    let e = |e: csv::Error| Failure::Io(e.to_string());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "role",
        "figure",
        "scenarios",
        "runs",
        "observed",
        "observed_low",
        "observed_high",
        "simulated",
        "ci95_low",
        "ci95_high",
        "beyond",
        "within",
        "tolerance",
        "source",
        "how",
    ])
    .map_err(e)?;
    for r in rows {
        w.write_record([
            r.id.clone(),
            r.role.label().into(),
            r.figure.clone(),
            r.scenarios.join(" "),
            r.runs.to_string(),
            fmt_num(r.observed),
            fmt_num(r.observed_interval[0]),
            fmt_num(r.observed_interval[1]),
            fmt_num(r.simulated),
            fmt_num(r.ci95[0]),
            fmt_num(r.ci95[1]),
            r.beyond.map(fmt_num).unwrap_or_default(),
            if r.counts() { r.within.to_string() } else { String::new() },
            r.tolerance.clone(),
            r.source.clone(),
            r.how.clone(),
        ])
        .map_err(e)?;
    }
    w.into_inner().map_err(|e| Failure::Io(e.to_string()))
}

fn controls_csv(results: &[(&targets::Control, Vec<String>)]) -> Result<Vec<u8>, Failure> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["control", "description", "set", "failing_targets", "detected", "blind_spot"])
        .map_err(|e| Failure::Io(e.to_string()))?;
    for (c, broken) in results {
        w.write_record([
            c.id.clone(),
            c.description.clone(),
            c.set.iter().map(|(p, v)| format!("{p}={v}")).collect::<Vec<_>>().join(" "),
            broken.join(" "),
            (!broken.is_empty()).to_string(),
            c.blind_spot.clone().unwrap_or_default(),
        ])
        .map_err(|e| Failure::Io(e.to_string()))?;
    }
    w.into_inner().map_err(|e| Failure::Io(e.to_string()))
}

fn controls_table(results: &[(&targets::Control, Vec<String>)]) -> String {
    let mut s = String::from("\nNegative controls (each implausible world must fail at least one tuning target):\n");
    for (c, broken) in results {
        let verdict = match (&c.blind_spot, broken.is_empty()) {
            (None, true) => "PASSES — the calibration cannot see this world".to_string(),
            (Some(why), true) => format!("passes: a known blind spot ({why})"),
            (_, false) => format!("fails, as it should: {}", broken.join(", ")),
        };
        s.push_str(&format!("  {:<22} {:<64} {verdict}\n", c.id, c.description));
    }
    let expected = results.iter().filter(|(c, _)| c.blind_spot.is_none()).count();
    let detected = results.iter().filter(|(c, b)| c.blind_spot.is_none() && !b.is_empty()).count();
    s.push_str(&format!("{detected} of {expected} controls detected (declared blind spots aside).\n"));
    s
}

/// A figure at the precision its unit deserves.
fn show(u: Unit, x: f64) -> String {
    if !x.is_finite() {
        return if x == f64::INFINITY {
            "∞".into()
        } else if x == f64::NEG_INFINITY {
            "−∞".into()
        } else {
            "–".into()
        };
    }
    match u {
        Unit::Share => format!("{:.1}%", 100.0 * x),
        Unit::PerYear => format!("{x:.3}"),
        Unit::Weeks | Unit::Ratio => format!("{x:.1}"),
    }
}

/// The terminal tables: tuning figures, then held-out ones, then comparisons.
pub fn table(rows: &[Row], name: &str, runs: u64) -> String {
    let mut out = format!("Calibration of \"{name}\" ({runs} runs per scenario)\n");
    for (role, title) in [
        (Role::Tuning, "Tuning targets"),
        (Role::Validation, "Held-out validation (never used to choose a value)"),
        (Role::Secondary, "Comparison only (not the historical record; no verdict)"),
    ] {
        let part: Vec<&Row> = rows.iter().filter(|r| r.role == role).collect();
        if part.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title}\n"));
        out.push_str(&format!(
            "  {:<24} {:>9} {:>19}   {:>9} {:>19}  {}\n",
            "figure", "observed", "[95% interval]", "simulated", "[95% CI]", "verdict"
        ));
        for r in part {
            let sim = match r.beyond {
                Some(b) => format!("> {}", show(r.unit, b)),
                None => show(r.unit, r.simulated),
            };
            let verdict = match (r.role, r.within) {
                (Role::Secondary, _) => "",
                (_, true) => "within",
                (_, false) => "OUTSIDE",
            };
            out.push_str(&format!(
                "  {:<24} {:>9} {:>19}   {:>9} {:>19}  {}\n",
                r.id,
                show(r.unit, r.observed),
                format!("[{}, {}]", show(r.unit, r.observed_interval[0]), show(r.unit, r.observed_interval[1])),
                sim,
                format!("[{}, {}]", show(r.unit, r.ci95[0]), show(r.unit, r.ci95[1])),
                verdict
            ));
        }
    }
    let counted: Vec<&Row> = rows.iter().filter(|r| r.counts()).collect();
    let inside = counted.iter().filter(|r| r.within).count();
    out.push_str(&format!("\n{inside} of {} figures within their observed interval.\n", counted.len()));
    out.push_str("\nWhat each figure is and where it comes from:\n");
    for r in rows {
        out.push_str(&format!("  {} — {}\n    measured: {}\n    source: {}\n", r.id, r.figure, r.how, r.source));
    }
    out
}
