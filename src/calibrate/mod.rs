//! Calibration: the model's figures beside published ones, on the worlds they describe.
//!
//! `targets` reads the calibration file (the figures, their sources and intervals, and
//! the negative controls); `measure` says what one run contributes to a figure;
//! `summary` turns the runs into a table row with a verdict; `fit` searches parameters
//! for the values that best meet the tuning targets. This module plans and runs the
//! batches: targets measured on the same scenario with the same overrides share one
//! batch, and every evaluation uses the same seeds (common random numbers), so two
//! parameter values differ only by what the values do.

pub mod fit;
pub mod measure;
pub mod summary;
pub mod targets;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::batch::{self, BatchSpec, Shard, Stop};
use crate::scenario::schema::OverrideDef;
use crate::scenario::variant::load_with;
use crate::scenario::{Loaded, builtin, load_str};

pub use summary::Row;
pub use targets::{CalibrationFile, Control, Measure, Observed, Role, Target};

/// One batch of the plan: a scenario with overrides, and the targets measured on it.
struct Group {
    /// The scenario's label in tables: its file stem, or the command line's scenario.
    label: String,
    base: Arc<Loaded>,
    set: Vec<OverrideDef>,
    targets: Vec<usize>,
    keep_events: bool,
}

/// The batches that measure a set of targets.
pub struct Plan {
    targets: Vec<Target>,
    groups: Vec<Group>,
}

/// Why an evaluation did not finish.
#[derive(Debug)]
pub enum EvalError {
    /// An override does not apply to a scenario (a bad path or value).
    Invalid(String),
    Stopped(Stop),
}

impl Plan {
    /// Plans the targets of `roles`; targets with no scenario of their own are measured
    /// on `baseline` (labelled `baseline_label`).
    pub fn new(
        file: &CalibrationFile,
        roles: &[Role],
        baseline: &Loaded,
        baseline_label: &str,
    ) -> Result<Plan, String> {
        let targets: Vec<Target> = file.targets.iter().filter(|t| roles.contains(&t.role)).cloned().collect();
        let baseline = Arc::new(baseline.clone());
        let mut loaded: Vec<(String, Arc<Loaded>)> = Vec::new();
        let mut groups: Vec<Group> = Vec::new();
        for (k, t) in targets.iter().enumerate() {
            let set: Vec<OverrideDef> =
                t.set.iter().map(|(p, v)| OverrideDef { path: p.clone(), value: v.clone() }).collect();
            let names: Vec<String> = if t.scenarios.is_empty() { vec![String::new()] } else { t.scenarios.clone() };
            for name in names {
                let (label, base) = if name.is_empty() {
                    (baseline_label.to_string(), baseline.clone())
                } else if let Some((_, l)) = loaded.iter().find(|(n, _)| *n == name) {
                    (name.clone(), l.clone())
                } else {
                    let text = builtin::scenario(&name).ok_or_else(|| format!("no built-in scenario `{name}`"))?;
                    let l = Arc::new(load_str(&format!("{name}.ron"), text).map_err(|e| e.to_string())?);
                    loaded.push((name.clone(), l.clone()));
                    (name.clone(), l)
                };
                let same = |g: &Group| {
                    g.label == label
                        && g.set.len() == set.len()
                        && g.set.iter().zip(&set).all(|(a, b)| a.path == b.path && a.value == b.value)
                };
                match groups.iter_mut().find(|g| same(g)) {
                    Some(g) => {
                        g.targets.push(k);
                        g.keep_events |= t.measure.needs_events();
                    }
                    None => groups.push(Group {
                        label,
                        base,
                        set: set.clone(),
                        targets: vec![k],
                        keep_events: t.measure.needs_events(),
                    }),
                }
            }
        }
        Ok(Plan { targets, groups })
    }

    /// Batches one evaluation runs.
    pub fn batches(&self) -> u64 {
        self.groups.len() as u64
    }

    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// Runs every batch of the plan with `extra` overrides on top (a control's, or a
    /// fit's candidate values), `runs` runs each from `seed`, and returns the rows.
    pub fn evaluate(
        &self,
        extra: &[OverrideDef],
        runs: u64,
        seed: u64,
        pool: &rayon::ThreadPool,
        cancel: &AtomicBool,
        mut progress: impl FnMut(u64),
    ) -> Result<Vec<Row>, EvalError> {
        let mut samples: Vec<Vec<measure::Sample>> = vec![Vec::new(); self.targets.len()];
        let mut years: Vec<Option<f64>> = vec![None; self.targets.len()];
        let mut labels: Vec<Vec<String>> = vec![Vec::new(); self.targets.len()];
        for g in &self.groups {
            let mut set = g.set.clone();
            set.extend(extra.iter().cloned());
            let label = format!("{} (calibration)", g.base.name);
            let loaded = if set.is_empty() {
                (*g.base).clone()
            } else {
                load_with(&g.base, &label, &set).map_err(|e| EvalError::Invalid(format!("{}: {e}", g.label)))?
            };
            let scenario = Arc::new(loaded.scenario);
            let spec = BatchSpec { runs, master_seed: seed, shard: Shard::WHOLE, keep_events: g.keep_events };
            let s = &scenario;
            batch::execute(
                &scenario,
                &spec,
                pool,
                cancel,
                |_, r| {
                    for &k in &g.targets {
                        samples[k].push(measure::sample(s, &self.targets[k].measure, r));
                    }
                    Ok(())
                },
                &mut progress,
            )
            .map_err(EvalError::Stopped)?;
            for &k in &g.targets {
                years[k].get_or_insert(measure::horizon_years(s));
                labels[k].push(g.label.clone());
            }
        }
        Ok(self
            .targets
            .iter()
            .enumerate()
            .map(|(k, t)| summary::row(t, &samples[k], years[k].unwrap_or(0.5), labels[k].clone()))
            .collect())
    }
}

/// Parses `PATH=VALUE` (an override, as `sweep` and variants write them).
pub fn parse_setting(s: &str) -> Result<OverrideDef, String> {
    let (path, value) =
        s.split_once('=').ok_or_else(|| format!("`{s}` is not PATH=VALUE (e.g. parameters.damage_scale=2)"))?;
    if path.trim().is_empty() || value.trim().is_empty() {
        return Err(format!("`{s}` is not PATH=VALUE (e.g. parameters.damage_scale=2)"));
    }
    Ok(OverrideDef { path: path.trim().into(), value: value.trim().into() })
}
