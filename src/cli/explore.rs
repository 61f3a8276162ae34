//! `escalate explore [SCENARIO] --method morris|sobol|lhs`: which assumptions drive the
//! outputs (Morris screening, Sobol' indices), and in which region of the inputs an
//! outcome happens (`--discover OUTPUT`: PRIM on a Latin hypercube). Sharded like
//! `batch` (`--shard K/N` runs a slice of the design points; `escalate merge` joins the
//! slices and analyses them), with the same byte-identical results.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::opts::{RunOpts, ShardOpt, manifest, output_dir, slug, thread_pool};
use super::{Failure, load_scenario, progress, write_stdout};
use crate::batch::Shard;
use crate::explore::analysis::{self, Analysis};
use crate::explore::files;
use crate::explore::plan::{Design, Method, Plan};
use crate::explore::space::Input;
use crate::explore::study::{OutputSpec, StudyError, default_inputs, default_outputs, parse_space, run_design};
use crate::output::batchdir::write_manifest;
use crate::output::dir::write_atomic;
use crate::output::manifest::utc_now;
use crate::output::{Format, files as out_files};
use crate::scenario::Loaded;
use crate::scenario::schema::OverrideDef;
use crate::scenario::variant::load_with;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub run: RunOpts,
    #[command(flatten)]
    pub shard: ShardOpt,
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
    /// (runs on a Latin hypercube: `--method lhs` is implied)
    #[arg(long, value_name = "OUTPUT")]
    pub discover: Option<String>,
    /// The PRIM box to report, by its index on the peeling trajectory (default: the
    /// densest box holding at least half the cases)
    #[arg(long = "box", value_name = "K", requires = "discover")]
    pub chosen_box: Option<usize>,
}

/// Line and column (1-based) of the first `needle` in `text`.
fn locate(text: &str, needle: &str) -> Option<(usize, usize)> {
    let at = text.find(needle)?;
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
    Some((line, col))
}

/// The plan the arguments describe, checked.
fn plan_of(args: &Args, seed: u64) -> Result<(Plan, Option<(String, String)>), Failure> {
    let (inputs, mut outputs, space): (Vec<Input>, Vec<String>, _) = match &args.space {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).map_err(|e| Failure::Io(format!("cannot read {}: {e}", p.display())))?;
            let name = p.display().to_string();
            let f = parse_space(&name, &text).map_err(Failure::Input)?;
            (f.inputs, f.outputs, Some((name, text)))
        }
        None => (default_inputs(), Vec::new(), None),
    };
    outputs.extend(args.outputs.iter().cloned());
    // Each output once, however often it was named (in the space and on the command line).
    let mut seen: Vec<OutputSpec> = Vec::new();
    let mut unique = Vec::new();
    for s in outputs {
        let spec = OutputSpec::parse(&s).map_err(Failure::Input)?;
        if !seen.contains(&spec) {
            seen.push(spec);
            unique.push(s);
        }
    }
    let mut outputs = unique;
    if let Some(d) = &args.discover {
        let spec = OutputSpec::parse(d).map_err(Failure::Input)?;
        if matches!(spec, OutputSpec::Metric(_)) {
            return Err(Failure::Input(format!(
                "--discover needs a yes/no output (an outcome class or a threshold such as `{d}>1`), not the metric `{d}`"
            )));
        }
    }
    if outputs.is_empty() {
        outputs = default_outputs().iter().map(OutputSpec::name).collect();
    }
    if let Some(d) = &args.discover {
        let spec = OutputSpec::parse(d).map_err(Failure::Input)?;
        if !outputs.iter().any(|o| OutputSpec::parse(o).is_ok_and(|o| o == spec)) {
            outputs.push(d.clone());
        }
    }
    let method = if args.discover.is_some() { Method::Lhs } else { args.method };
    let plan = Plan {
        method,
        samples: args.samples.unwrap_or(method.default_samples()),
        replicates: args.replicates,
        seed,
        inputs,
        outputs,
        discover: args.discover.clone(),
    };
    if let Some(e) = plan.problem() {
        return Err(Failure::Input(e));
    }
    Ok((plan, space))
}

/// Every input must apply to the scenario (a path it has, a value it accepts, at both
/// ends of its range): checked before any run, and located in the space file.
fn check_inputs(loaded: &Loaded, plan: &Plan, space: Option<&(String, String)>) -> Result<(), Failure> {
    for i in &plan.inputs {
        for v in [i.lo, i.hi] {
            let set = [OverrideDef { path: i.path.clone(), value: format!("{v:?}") }];
            if let Err(e) = load_with(loaded, &loaded.name, &set) {
                let at = space.and_then(|(name, text)| {
                    locate(text, &format!("\"{}\"", i.path)).map(|(l, c)| format!("{name}:{l}:{c}: "))
                });
                return Err(Failure::Input(format!(
                    "{}the input `{}` does not apply to scenario \"{}\" at {v}: {e}\n  hint: inputs use the paths of \
                     `--set` and `sweep` (parameters.NAME, actors.ID.doctrine.FIELD…); `escalate validate` lists a \
                     scenario's parameters",
                    at.unwrap_or_default(),
                    i.path,
                    loaded.scenario.name
                )));
            }
        }
    }
    Ok(())
}

/// Seconds a run of the base scenario takes, from a few runs (the design's points
/// differ, so this is an estimate).
fn pilot_seconds_per_run(loaded: &Loaded, seed: u64) -> f64 {
    let s = Arc::new(loaded.scenario.clone());
    let start = Instant::now();
    const PILOT: u64 = 16;
    for k in 0..PILOT {
        let _ = crate::sim::run(&s, crate::batch::seed_for(seed ^ 0x9170_7000, k), false);
    }
    start.elapsed().as_secs_f64() / PILOT as f64
}

fn duration_words(s: f64) -> String {
    if s < 1.0 {
        "under a second".into()
    } else if s < 90.0 {
        format!("about {s:.0} s")
    } else if s < 5400.0 {
        format!("about {:.0} min", s / 60.0)
    } else {
        format!("about {:.1} h", s / 3600.0)
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let o = &args.run;
    if o.runs.is_some() {
        return Err(Failure::Input(
            "explore takes --samples (design points) and --replicates (seeds per point), not --runs".into(),
        ));
    }
    let (plan, space) = plan_of(&args, o.seed)?;
    let loaded = load_scenario(o.scenario.as_deref())?;
    check_inputs(&loaded, &plan, space.as_ref())?;
    let points = plan.points() as u64;
    let r = o.resolve(points, args.shard.shard.as_deref(), Format::Csv)?;
    let range = r.shard.range(points);
    let (first, end) = (range.start as usize, range.end as usize);
    let design = plan.design();
    let mine = &design.points[first..end];
    let runs = mine.len() as u64 * plan.replicates;
    if !o.quiet {
        let per_run = pilot_seconds_per_run(&loaded, plan.seed);
        let eta = per_run * runs as f64 / r.threads as f64;
        let part = if r.shard == Shard::WHOLE {
            String::new()
        } else {
            format!(" · shard {}/{}: points {first}..{end}", r.shard.k, r.shard.n)
        };
        eprintln!(
            "explore: {} · {} inputs · {} points × {} replicates = {} runs{part}; {} on {} threads \
             (estimated from {:.2} ms a run)",
            plan.method.label(),
            plan.d(),
            points,
            plan.replicates,
            crate::report::data::thousands(runs),
            duration_words(eta),
            r.threads,
            per_run * 1000.0
        );
    }
    let (_, stamp) = utc_now();
    let started = Instant::now();
    let dir = output_dir(o.out.as_deref(), &format!("{}-explore", slug(&loaded.scenario.name)), &r, &stamp)?;
    let pool = thread_pool(r.threads)?;
    let cancel = Arc::new(AtomicBool::new(false));
    progress::on_ctrl_c(cancel.clone());
    let bar = progress::bar(runs, o.quiet);
    let specs = plan.output_specs().map_err(Failure::Input)?;
    let mut results =
        run_design(&loaded, &plan.inputs, &specs, mine, plan.replicates, plan.seed, &pool, &cancel, &|k| bar.inc(k))
            .map_err(|e| match e {
                StudyError::Invalid(m) => Failure::Input(format!("an input does not apply to the scenario: {m}")),
                StudyError::Interrupted => Failure::Interrupted,
            })?;
    bar.finish_and_clear();
    // The analysis reads values as results.csv holds them, as a merge of shards will.
    results.iter_mut().flatten().flatten().for_each(|v| *v = files::as_written(*v));
    let path = dir.path();
    write_part(path, &loaded, &plan, &design, first, &results)?;
    let text = if r.shard == Shard::WHOLE {
        let a = write_analysis(path, &loaded.scenario.name, &plan, &design, &results, args.chosen_box, o.no_charts)?;
        a.text(10)
    } else {
        String::new()
    };
    let m = manifest("explore", &loaded, Vec::new(), &r, Format::Csv, false, started.elapsed().as_secs_f64(), &stamp);
    write_manifest(path, &m).map_err(|e| Failure::Io(format!("writing the manifest: {e}")))?;
    let final_dir = super::commit(dir)?;
    if !o.quiet {
        let what = if r.shard == Shard::WHOLE {
            format!(
                "Explore \"{}\" by {}: {} points × {} replicates\n{text}",
                loaded.scenario.name,
                plan.method.label(),
                points,
                plan.replicates
            )
        } else {
            format!(
                "Shard {}/{} of explore \"{}\": points {first}..{end}; merge the shards with `escalate merge`\n",
                r.shard.k, r.shard.n, loaded.scenario.name
            )
        };
        write_stdout(&format!("{what}\nResults: {}\n", final_dir.display()))?;
    }
    Ok(())
}

/// Writes `name` in `dir` atomically from the bytes `make` produced.
fn put<B: AsRef<[u8]>>(dir: &Path, name: &str, make: Result<B, String>) -> Result<(), Failure> {
    let bytes = make.map_err(|e| Failure::Io(format!("writing {name}: {e}")))?;
    write_atomic(&dir.join(name), bytes.as_ref()).map_err(|e| Failure::Io(format!("writing {name}: {e}")))
}

/// Writes what every part holds: the scenario, the plan, the whole design and the
/// results of its points.
pub fn write_part(
    dir: &Path,
    loaded: &Loaded,
    plan: &Plan,
    design: &Design,
    first: usize,
    results: &analysis::Results,
) -> Result<(), Failure> {
    put(dir, out_files::SCENARIO, Ok(loaded.text.as_bytes()))?;
    put(dir, files::PLAN, files::plan_json(plan))?;
    put(dir, files::DESIGN, files::design_csv(plan, design))?;
    put(dir, files::RESULTS, files::results_csv(plan, first, results))
}

/// Analyses a whole design's results and writes the indices, the PRIM box, and (unless
/// `no_charts`) the charts and `explore.html`.
pub fn write_analysis(
    dir: &Path,
    scenario: &str,
    plan: &Plan,
    design: &Design,
    results: &analysis::Results,
    chosen_box: Option<usize>,
    no_charts: bool,
) -> Result<Analysis, Failure> {
    let a = analysis::analyse(scenario, plan, design, results, chosen_box).map_err(Failure::Input)?;
    put(dir, files::INDICES_CSV, files::indices_csv(&a))?;
    put(dir, files::INDICES_JSON, files::indices_json(&a))?;
    if let Some(p) = files::prim_json(&a).transpose() {
        put(dir, files::PRIM, p)?;
    }
    if !no_charts {
        crate::report::explore::write(dir, &a).map_err(|e| Failure::Io(e.to_string()))?;
    }
    Ok(a)
}
