//! An experiment on the simulation: the uncertain inputs (override paths with ranges and
//! distributions) and the outputs of interest, read from a space file or taken from the
//! parameter table; and the runs of a design, R seeds per point on common random numbers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::space::{Distribution, Input};
use crate::batch::aggregate::SCALARS;
use crate::batch::seed_for;
use crate::model::params::PARAMETERS;
use crate::record::{Outcome, RunRecord};
use crate::scenario::schema::OverrideDef;
use crate::scenario::variant::load_with;
use crate::scenario::{Loaded, Scenario};

/// A space file: `Space(inputs: [...], outputs: [...])`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Space")]
pub struct SpaceFile {
    pub inputs: Vec<Input>,
    #[serde(default)]
    pub outputs: Vec<String>,
}

/// The default space: every model parameter over its documented range, log-uniform
/// where the range is positive and spans two orders of magnitude or more.
pub fn default_inputs() -> Vec<Input> {
    PARAMETERS
        .iter()
        .map(|p| {
            let log = p.min > 0.0 && p.max / p.min >= 100.0;
            Input {
                path: format!("parameters.{}", p.name),
                lo: p.min,
                hi: p.max,
                distribution: if log { Distribution::LogUniform } else { Distribution::Uniform },
            }
        })
        .collect()
}

/// Reads a space file; errors name the file, line and column.
pub fn parse_space(name: &str, text: &str) -> Result<SpaceFile, String> {
    let f: SpaceFile = ron::from_str(text).map_err(|e| {
        format!(
            "{name}:{}:{}: {}\n  hint: Space(inputs: [Input(path: \"parameters.firebreak_cost\", lo: 0.0, hi: 4.0, distribution: Uniform)], outputs: [\"armed-conflict\"])",
            e.span.start.line, e.span.start.col, e.code
        )
    })?;
    let mut problems: Vec<String> =
        f.inputs.iter().filter_map(Input::problem).map(|p| format!("{name}: {p}")).collect();
    if f.inputs.is_empty() {
        problems.push(format!("{name}: the space has no inputs"));
    }
    for o in &f.outputs {
        if let Err(e) = OutputSpec::parse(o) {
            problems.push(format!("{name}: {e}"));
        }
    }
    if problems.is_empty() { Ok(f) } else { Err(problems.join("\n")) }
}

/// An output of interest, per run.
#[derive(Debug, Clone, PartialEq)]
pub enum OutputSpec {
    /// A per-run metric of `runs.csv` / `summary.json`.
    Metric(String),
    /// 1 when the run ends in this outcome class.
    Class(Outcome),
    /// 1 when the metric passes the threshold (`>`, `>=`, `<`, `<=`).
    Threshold { metric: String, op: String, value: f64 },
}

impl OutputSpec {
    pub fn parse(s: &str) -> Result<OutputSpec, String> {
        let s = s.trim();
        let metrics: Vec<&str> = SCALARS.iter().map(|(n, _)| *n).collect();
        let classes: Vec<&str> = Outcome::ALL.iter().map(|o| o.slug()).collect();
        let hint = || {
            format!(
                "an output is a metric ({}…), an outcome class ({}) or a threshold such as `downtime>0.5`",
                metrics[..6].join(", "),
                classes.join(", ")
            )
        };
        for op in [">=", "<=", ">", "<"] {
            if let Some((m, v)) = s.split_once(op) {
                let m = m.trim();
                let value: f64 =
                    v.trim().parse().map_err(|_| format!("`{s}`: `{}` is not a number; {}", v.trim(), hint()))?;
                if !metrics.contains(&m) {
                    return Err(format!("`{s}`: no metric `{m}`; {}", hint()));
                }
                return Ok(OutputSpec::Threshold { metric: m.into(), op: op.into(), value });
            }
        }
        let dashed = s.replace('_', "-");
        if let Some(o) = Outcome::ALL.iter().find(|o| o.slug() == dashed) {
            return Ok(OutputSpec::Class(*o));
        }
        if metrics.contains(&s) {
            return Ok(OutputSpec::Metric(s.into()));
        }
        Err(format!("`{s}` is not an output; {}", hint()))
    }

    /// A name fit for a column.
    pub fn name(&self) -> String {
        match self {
            OutputSpec::Metric(m) => m.clone(),
            OutputSpec::Class(o) => o.slug().replace('-', "_"),
            OutputSpec::Threshold { metric, op, value } => {
                let op = match op.as_str() {
                    ">" => "gt",
                    ">=" => "ge",
                    "<" => "lt",
                    _ => "le",
                };
                format!("{metric}_{op}_{value}")
            }
        }
    }

    pub fn of(&self, r: &RunRecord) -> f64 {
        let metric = |m: &str| SCALARS.iter().find(|(n, _)| *n == m).map_or(f64::NAN, |(_, g)| g(r));
        match self {
            OutputSpec::Metric(m) => metric(m),
            OutputSpec::Class(o) => f64::from(u8::from(r.outcome == *o)),
            OutputSpec::Threshold { metric: m, op, value } => {
                let x = metric(m);
                let hit = match op.as_str() {
                    ">" => x > *value,
                    ">=" => x >= *value,
                    "<" => x < *value,
                    _ => x <= *value,
                };
                f64::from(u8::from(hit))
            }
        }
    }
}

/// The outputs measured when none are named.
pub fn default_outputs() -> Vec<OutputSpec> {
    vec![
        OutputSpec::Class(Outcome::ArmedConflict),
        OutputSpec::Metric("highest_rung_level".into()),
        OutputSpec::Metric("mean_score".into()),
        OutputSpec::Metric("civilian_harm".into()),
    ]
}

/// Why a study did not finish.
#[derive(Debug)]
pub enum StudyError {
    Invalid(String),
    Interrupted,
}

/// The scenario at point `u`. Parameters are set on a copy of the loaded scenario:
/// the loader does nothing with a parameter but check its range (`validate.rs`), and
/// the ends of each input's range were checked through it before any run, so this is
/// the scenario the loader would build — without re-reading the file at every point,
/// which cost 25 ms a point, more than ten runs. Other paths (doctrine, capabilities)
/// go through the loader.
pub fn scenario_at(base: &Loaded, inputs: &[Input], u: &[f64]) -> Result<Scenario, StudyError> {
    let names: Option<Vec<&str>> = inputs
        .iter()
        .map(|i| i.path.strip_prefix("parameters.").filter(|n| base.scenario.params.get(n).is_some()))
        .collect();
    if let Some(names) = names {
        let mut s = base.scenario.clone();
        for ((i, &v), name) in inputs.iter().zip(u).zip(names) {
            let x = i.at(v);
            let spec = PARAMETERS.iter().find(|p| p.name == name).expect("a known parameter");
            if !(spec.min..=spec.max).contains(&x) {
                return Err(StudyError::Invalid(format!(
                    "{}: {x} lies outside the parameter's range {}..{}",
                    i.path, spec.min, spec.max
                )));
            }
            s.params.set(name, x);
        }
        return Ok(s);
    }
    let set: Vec<OverrideDef> = inputs
        .iter()
        .zip(u)
        .map(|(i, &v)| OverrideDef { path: i.path.clone(), value: format!("{:?}", i.at(v)) })
        .collect();
    load_with(base, &base.name, &set).map(|l| l.scenario).map_err(StudyError::Invalid)
}

/// Runs every point of a design (values in the unit cube, mapped through `inputs`),
/// `replicates` seeds each: replicate r uses the same seed at every point (common
/// random numbers). Returns `[point][replicate][output]`, in design order whatever the
/// thread count.
#[allow(clippy::too_many_arguments)]
pub fn run_design(
    base: &Loaded,
    inputs: &[Input],
    outputs: &[OutputSpec],
    design: &[Vec<f64>],
    replicates: u64,
    seed: u64,
    pool: &rayon::ThreadPool,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Vec<Vec<f64>>>, StudyError> {
    let point = |u: &Vec<f64>| -> Result<Vec<Vec<f64>>, StudyError> {
        if cancel.load(Ordering::Relaxed) {
            return Err(StudyError::Interrupted);
        }
        let s = Arc::new(scenario_at(base, inputs, u)?);
        let rows = (0..replicates)
            .map(|r| {
                let rec = crate::sim::run(&s, seed_for(seed, r), false);
                outputs.iter().map(|o| o.of(&rec)).collect()
            })
            .collect();
        progress(replicates);
        Ok(rows)
    };
    pool.install(|| design.par_iter().map(point).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_set_on_a_copy_equal_the_loader_s_scenario() {
        let base = crate::scenario::load_bytes(
            crate::scenario::builtin::DEFAULT_SCENARIO_NAME,
            crate::scenario::builtin::DEFAULT_SCENARIO.as_bytes(),
        )
        .unwrap();
        let inputs = default_inputs();
        let u: Vec<f64> = (0..inputs.len()).map(|k| (k as f64 * 0.37).fract()).collect();
        let fast = scenario_at(&base, &inputs, &u).unwrap();
        let set: Vec<OverrideDef> = inputs
            .iter()
            .zip(&u)
            .map(|(i, &v)| OverrideDef { path: i.path.clone(), value: format!("{:?}", i.at(v)) })
            .collect();
        let slow = load_with(&base, &base.name, &set).unwrap().scenario;
        for p in PARAMETERS {
            assert_eq!(fast.params.get(p.name), slow.params.get(p.name), "{}", p.name);
        }
        let (a, b) = (crate::sim::run(&Arc::new(fast), 7, false), crate::sim::run(&Arc::new(slow), 7, false));
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "the same run either way");
        // A value outside a parameter's range is refused, not run.
        let wide = [Input::uniform("parameters.detection_rate", 0.0, 2.0)];
        assert!(matches!(scenario_at(&base, &wide, &[1.0]), Err(StudyError::Invalid(_))));
    }

    #[test]
    fn outputs_parse_with_hints() {
        assert_eq!(OutputSpec::parse("armed_conflict").unwrap(), OutputSpec::Class(Outcome::ArmedConflict));
        assert_eq!(OutputSpec::parse("downtime").unwrap(), OutputSpec::Metric("downtime".into()));
        let t = OutputSpec::parse("downtime>0.5").unwrap();
        assert_eq!(t.name(), "downtime_gt_0.5");
        assert!(OutputSpec::parse("downtme").unwrap_err().contains("not an output"));
        assert!(OutputSpec::parse("downtime>x").unwrap_err().contains("not a number"));
    }

    #[test]
    fn the_default_space_covers_every_parameter_and_a_bad_file_is_located() {
        assert_eq!(default_inputs().len(), PARAMETERS.len());
        let e = parse_space("s.ron", "Space(\n inputs: [Input(path: \"p\", lo: 1, hi: 0, distribution: Uniform)],\n)")
            .unwrap_err();
        assert!(e.contains("s.ron"), "{e}");
        let e = parse_space("s.ron", "Space(\n  inputs: [],\n  colour: 3,\n)").unwrap_err();
        assert!(e.starts_with("s.ron:3:"), "{e}");
    }
}
