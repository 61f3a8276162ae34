//! `escalate explore [SCENARIO] --method morris|sobol|lhs`: which assumptions drive the
//! outputs (Morris screening, Sobol' indices), and in which region of the inputs an
//! outcome happens (`--discover OUTPUT`: PRIM on a Latin hypercube).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::opts::{RunOpts, output_dir, slug, thread_pool};
use super::{Failure, load_scenario, progress, write_stdout};
use crate::explore::space::{Input, latin_hypercube};
use crate::explore::study::{OutputSpec, StudyError, default_inputs, default_outputs, parse_space, run_design};
use crate::explore::{morris, prim, sobol};
use crate::output::dir::write_atomic;
use crate::output::manifest::utc_now;
use crate::output::runs::fmt_num;
use crate::output::{Format, to_pretty};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Elementary effects: rank the inputs (r (d + 1) points)
    Morris,
    /// Variance-based indices, first order and total (N (d + 2) points)
    Sobol,
    /// A Latin hypercube of N points, for `--discover`
    Lhs,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub run: RunOpts,
    /// The method
    #[arg(long, value_enum, default_value_t = Method::Morris)]
    pub method: Method,
    /// Morris: trajectories (default 20); Sobol: base samples N (default 256); LHS: points (default 200)
    #[arg(long, value_name = "N")]
    pub samples: Option<usize>,
    /// Seeds run at each design point, so seed noise is told apart from input effects
    #[arg(long, default_value_t = 10, value_name = "R")]
    pub replicates: u64,
    /// An experiment space (inputs with ranges and distributions, outputs); default: every
    /// model parameter over its documented range
    #[arg(long, value_name = "FILE")]
    pub space: Option<PathBuf>,
    /// An output to measure (repeatable): a metric, an outcome class or a threshold, e.g.
    /// `armed-conflict`, `civilian_harm`, `downtime>0.5`
    #[arg(long = "output", value_name = "OUTPUT")]
    pub outputs: Vec<String>,
    /// Scenario discovery: PRIM for where this thresholded output or class happens
    /// (implies an LHS design if the method is not lhs)
    #[arg(long, value_name = "OUTPUT")]
    pub discover: Option<String>,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let o = &args.run;
    if o.runs.is_some() {
        return Err(Failure::Input(
            "explore takes --samples (design points) and --replicates (seeds per point), not --runs".into(),
        ));
    }
    let r = o.resolve(1, None, Format::Csv)?;
    let loaded = load_scenario(o.scenario.as_deref())?;
    let (inputs, mut outputs): (Vec<Input>, Vec<OutputSpec>) = match &args.space {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).map_err(|e| Failure::Io(format!("cannot read {}: {e}", p.display())))?;
            let f = parse_space(&p.display().to_string(), &text).map_err(Failure::Input)?;
            let outs =
                f.outputs.iter().map(|s| OutputSpec::parse(s)).collect::<Result<_, _>>().map_err(Failure::Input)?;
            (f.inputs, outs)
        }
        None => (default_inputs(), Vec::new()),
    };
    for s in &args.outputs {
        outputs.push(OutputSpec::parse(s).map_err(Failure::Input)?);
    }
    let discover = args.discover.as_deref().map(OutputSpec::parse).transpose().map_err(Failure::Input)?;
    if let Some(d) = &discover
        && matches!(d, OutputSpec::Metric(_))
    {
        return Err(Failure::Input(format!(
            "--discover needs a yes/no output (an outcome class or a threshold such as `{}>1`), not the metric `{}`",
            d.name(),
            d.name()
        )));
    }
    if outputs.is_empty() {
        outputs = default_outputs();
    }
    if let Some(d) = &discover
        && !outputs.contains(d)
    {
        outputs.push(d.clone());
    }
    if args.replicates == 0 {
        return Err(Failure::Input("--replicates must be at least 1".into()));
    }
    let d = inputs.len();
    let method = if discover.is_some() { Method::Lhs } else { args.method };
    if method == Method::Sobol && 2 * d > 256 {
        return Err(Failure::Input(format!("Sobol' indices take at most 128 inputs; the space has {d}")));
    }
    // The design in the unit cube.
    let (design, trajs, n) = match method {
        Method::Morris => {
            let r_ = args.samples.unwrap_or(20);
            let t = morris::trajectories(d, r_, 4, r.seed);
            let pts: Vec<Vec<f64>> = t.iter().flat_map(|t| t.points.clone()).collect();
            (pts, t, r_)
        }
        Method::Sobol => {
            let n = args.samples.unwrap_or(256);
            let pts = sobol::design(d, n, r.seed as u32).into_iter().map(|(_, _, x)| x).collect();
            (pts, Vec::new(), n)
        }
        Method::Lhs => {
            let n = args.samples.unwrap_or(200);
            (latin_hypercube(d, n, r.seed), Vec::new(), n)
        }
    };
    if n == 0 {
        return Err(Failure::Input("--samples must be at least 1".into()));
    }
    let total = design.len() as u64 * args.replicates;
    let (_, stamp) = utc_now();
    let dir = output_dir(o.out.as_deref(), &format!("{}-explore", slug(&loaded.scenario.name)), &r, &stamp)?;
    if !o.quiet {
        eprintln!(
            "explore: {} inputs, {} design points × {} replicates = {total} runs",
            d,
            design.len(),
            args.replicates
        );
    }
    let pool = thread_pool(r.threads)?;
    let cancel = Arc::new(AtomicBool::new(false));
    progress::on_ctrl_c(cancel.clone());
    let bar = progress::bar(total, o.quiet);
    let results =
        run_design(&loaded, &inputs, &outputs, &design, args.replicates, r.seed, &pool, &cancel, &|k| bar.inc(k))
            .map_err(|e| match e {
                StudyError::Invalid(m) => Failure::Input(format!("an input does not apply to the scenario: {m}")),
                StudyError::Interrupted => Failure::Interrupted,
            })?;
    bar.finish_and_clear();
    let io = |e: std::io::Error| Failure::Io(format!("writing explore results: {e}"));
    let csv_err = |e: csv::Error| Failure::Io(e.to_string());

    // design.csv: every point, in input units.
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["point".to_string()];
    head.extend(inputs.iter().map(|i| i.path.clone()));
    w.write_record(&head).map_err(csv_err)?;
    for (k, u) in design.iter().enumerate() {
        let mut rec = vec![k.to_string()];
        rec.extend(inputs.iter().zip(u).map(|(i, &v)| fmt_num(i.at(v))));
        w.write_record(&rec).map_err(csv_err)?;
    }
    write_atomic(&dir.path().join("design.csv"), &w.into_inner().map_err(|e| Failure::Io(e.to_string()))?)
        .map_err(io)?;
    // results.csv: point × replicate × outputs.
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["point".to_string(), "replicate".to_string()];
    head.extend(outputs.iter().map(OutputSpec::name));
    w.write_record(&head).map_err(csv_err)?;
    for (k, reps) in results.iter().enumerate() {
        for (rep, vals) in reps.iter().enumerate() {
            let mut rec = vec![k.to_string(), rep.to_string()];
            rec.extend(vals.iter().map(|v| fmt_num(*v)));
            w.write_record(&rec).map_err(csv_err)?;
        }
    }
    write_atomic(&dir.path().join("results.csv"), &w.into_inner().map_err(|e| Failure::Io(e.to_string()))?)
        .map_err(io)?;

    // Per output: the point means, and the share of variance that is seed noise.
    let means = |q: usize| -> Vec<f64> {
        results.iter().map(|reps| reps.iter().map(|v| v[q]).sum::<f64>() / reps.len() as f64).collect()
    };
    let noise = |q: usize| -> f64 {
        let v: Vec<Vec<f64>> = results.iter().map(|reps| reps.iter().map(|v| v[q]).collect()).collect();
        sobol::noise_share(&v)
    };
    let mut text = String::new();
    let mut json = serde_json::Map::new();
    json.insert("scenario".into(), loaded.scenario.name.clone().into());
    json.insert("method".into(), format!("{method:?}").to_lowercase().into());
    json.insert("seed".into(), r.seed.into());
    json.insert("replicates".into(), args.replicates.into());
    json.insert("points".into(), design.len().into());
    json.insert("version".into(), env!("CARGO_PKG_VERSION").into());
    let mut per_output = Vec::new();
    let mut rows = csv::Writer::from_writer(Vec::new());
    match method {
        Method::Morris => {
            rows.write_record(["output", "input", "rank", "mu", "mu_star", "mu_star_low", "mu_star_high", "sigma"])
                .map_err(csv_err)?;
            for (q, out) in outputs.iter().enumerate() {
                let m = means(q);
                let per_traj: Vec<Vec<f64>> = m.chunks(d + 1).map(<[f64]>::to_vec).collect();
                let e = morris::effects(d, &trajs, &per_traj, 1000, r.seed);
                let mut rank: Vec<usize> = (0..d).collect();
                rank.sort_by(|&a, &b| e[b].mu_star.total_cmp(&e[a].mu_star));
                let _ =
                    writeln!(text, "\n{} (seed noise: {:.0}% of run-to-run variance)", out.name(), 100.0 * noise(q));
                let _ = writeln!(text, "  {:<40} {:>10} {:>22} {:>10}", "input", "mu*", "[95% CI]", "sigma");
                for (pos, &i) in rank.iter().enumerate() {
                    let x = &e[i];
                    rows.write_record([
                        out.name(),
                        inputs[i].path.clone(),
                        (pos + 1).to_string(),
                        fmt_num(x.mu),
                        fmt_num(x.mu_star),
                        fmt_num(x.mu_star_ci[0]),
                        fmt_num(x.mu_star_ci[1]),
                        fmt_num(x.sigma),
                    ])
                    .map_err(csv_err)?;
                    if pos < 10 {
                        let _ = writeln!(
                            text,
                            "  {:<40} {:>10.4} {:>22} {:>10.4}",
                            inputs[i].path,
                            x.mu_star,
                            format!("[{:.4}, {:.4}]", x.mu_star_ci[0], x.mu_star_ci[1]),
                            x.sigma
                        );
                    }
                }
                per_output.push(serde_json::json!({"output": out.name(), "noise_share": noise(q), "effects": e}));
            }
        }
        Method::Sobol => {
            rows.write_record([
                "output",
                "input",
                "first",
                "first_low",
                "first_high",
                "total",
                "total_low",
                "total_high",
                "first_half_n",
                "total_half_n",
            ])
            .map_err(csv_err)?;
            for (q, out) in outputs.iter().enumerate() {
                let m = means(q);
                let blocks = sobol::design(d, n, r.seed as u32);
                let evals = blocks.iter().zip(&m).map(|((j, b, _), y)| (*j, *b, *y));
                let o = sobol::Outputs::collect(d, n, evals);
                let full = o.indices(n, 500, r.seed);
                let half = o.indices(n / 2, 0, r.seed);
                let _ = writeln!(
                    text,
                    "\n{} (seed noise: {:.0}% of run-to-run variance; indices at N = {n}, and at N/2 in brackets)",
                    out.name(),
                    100.0 * noise(q)
                );
                let mut rank: Vec<usize> = (0..d).collect();
                rank.sort_by(|&a, &b| full.total[b].total_cmp(&full.total[a]));
                for (pos, &i) in rank.iter().enumerate() {
                    rows.write_record([
                        out.name(),
                        inputs[i].path.clone(),
                        fmt_num(full.first[i]),
                        fmt_num(full.first_ci[i][0]),
                        fmt_num(full.first_ci[i][1]),
                        fmt_num(full.total[i]),
                        fmt_num(full.total_ci[i][0]),
                        fmt_num(full.total_ci[i][1]),
                        fmt_num(half.first[i]),
                        fmt_num(half.total[i]),
                    ])
                    .map_err(csv_err)?;
                    if pos < 10 {
                        let _ = writeln!(
                            text,
                            "  {:<40} S1 {:>6.3} [{:>6.3}, {:>6.3}] ({:>6.3})   ST {:>6.3} [{:>6.3}, {:>6.3}] ({:>6.3})",
                            inputs[i].path,
                            full.first[i],
                            full.first_ci[i][0],
                            full.first_ci[i][1],
                            half.first[i],
                            full.total[i],
                            full.total_ci[i][0],
                            full.total_ci[i][1],
                            half.total[i]
                        );
                    }
                }
                per_output.push(
                    serde_json::json!({"output": out.name(), "noise_share": noise(q), "indices": full, "half_n": half}),
                );
            }
        }
        Method::Lhs => {
            rows.write_record(["output", "mean", "noise_share"]).map_err(csv_err)?;
            for (q, out) in outputs.iter().enumerate() {
                let m = means(q);
                let mean = m.iter().sum::<f64>() / m.len() as f64;
                rows.write_record([out.name(), fmt_num(mean), fmt_num(noise(q))]).map_err(csv_err)?;
                per_output.push(serde_json::json!({"output": out.name(), "mean": mean, "noise_share": noise(q)}));
            }
        }
    }
    json.insert("outputs".into(), per_output.into());
    write_atomic(&dir.path().join("indices.csv"), &rows.into_inner().map_err(|e| Failure::Io(e.to_string()))?)
        .map_err(io)?;
    write_atomic(&dir.path().join("indices.json"), to_pretty(&serde_json::Value::Object(json)).map_err(io)?.as_bytes())
        .map_err(io)?;

    if let Some(target) = &discover {
        let q = outputs.iter().position(|x| x == target).expect("the discovered output is measured");
        // One row per run: the point's inputs (in their units) and whether the run hit.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for (u, reps) in design.iter().zip(&results) {
            let vals: Vec<f64> = inputs.iter().zip(u).map(|(i, &v)| i.at(v)).collect();
            for v in reps {
                x.push(vals.clone());
                y.push(v[q] > 0.5);
            }
        }
        let p = prim::peel(&x, &y, 0.05, 0.05);
        let hits = y.iter().filter(|&&v| v).count();
        // The chosen box: the densest with at least half of the cases (sdtoolkit's
        // habit is to let the analyst choose; the trajectory is written for that).
        let chosen = p
            .trajectory
            .iter()
            .enumerate()
            .filter(|(_, s)| s.coverage >= 0.5)
            .max_by(|a, b| a.1.density.total_cmp(&b.1.density))
            .map_or(0, |(k, _)| k);
        let pasted = prim::paste(&x, &y, &p.trajectory[chosen].bounds, 0.05);
        let qp = prim::quasi_p(&x, &y, &pasted.bounds, &p.range);
        let restrictions: Vec<String> = (0..d)
            .filter(|&i| qp[i].is_some())
            .map(|i| {
                let (lo, hi) = (pasted.bounds.lo[i], pasted.bounds.hi[i]);
                let short = inputs[i].path.trim_start_matches("parameters.");
                match (lo > p.range.lo[i], hi < p.range.hi[i]) {
                    (true, true) => format!("{} ≤ {short} ≤ {}", fmt_num(lo), fmt_num(hi)),
                    (true, false) => format!("{short} ≥ {}", fmt_num(lo)),
                    _ => format!("{short} ≤ {}", fmt_num(hi)),
                }
            })
            .collect();
        let words = if hits == 0 {
            format!("{} never happened in {} runs: there is no box to find.", target.name(), y.len())
        } else {
            format!(
                "{} occurs in {:.0}% of runs when {}; the box holds {:.0}% of all {} runs (overall: {:.1}%).",
                target.name(),
                100.0 * pasted.density,
                if restrictions.is_empty() { "anything".into() } else { restrictions.join(" and ") },
                100.0 * pasted.coverage,
                target.name(),
                100.0 * hits as f64 / y.len() as f64
            )
        };
        let _ = writeln!(text, "\nScenario discovery (PRIM, peeling α = 0.05, then pasting): {words}");
        for i in (0..d).filter(|&i| qp[i].is_some()) {
            let _ = writeln!(text, "  {:<40} quasi-p {:.2e}", inputs[i].path, qp[i].unwrap_or(f64::NAN));
        }
        let prim_json = serde_json::json!({
            "output": target.name(), "runs": y.len(), "cases": hits,
            "trajectory": p.trajectory, "chosen": chosen, "box": pasted,
            "quasi_p": qp, "inputs": inputs.iter().map(|i| i.path.clone()).collect::<Vec<_>>(),
            "summary": words,
        });
        write_atomic(&dir.path().join("prim.json"), to_pretty(&prim_json).map_err(io)?.as_bytes()).map_err(io)?;
    }
    write_atomic(&dir.path().join("scenario.ron"), loaded.text.as_bytes()).map_err(io)?;
    let final_dir = super::commit(dir)?;
    if !o.quiet {
        write_stdout(&format!(
            "Explore \"{}\" by {:?}: {} points × {} replicates\n{text}\nResults: {}\n",
            loaded.scenario.name,
            method,
            design.len(),
            args.replicates,
            final_dir.display()
        ))?;
    }
    Ok(())
}
