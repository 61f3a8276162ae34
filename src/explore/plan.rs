//! What an exploration is, as data: the method, its size, the seeds, the inputs and the
//! outputs. The plan alone fixes the design, so a shard can rebuild the whole design
//! from it and run its own points, and a merge can check that its parts agree.

use serde::{Deserialize, Serialize};

use super::morris::{self, Trajectory};
use super::sobol::{self, Block};
use super::space::{Input, latin_hypercube};
use super::study::OutputSpec;

/// Levels of the Morris grid (Saltelli et al. 2008 recommend 4 with Δ = 2/3).
pub const MORRIS_LEVELS: usize = 4;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Elementary effects: rank the inputs (r (d + 1) points)
    Morris,
    /// Variance-based indices, first order and total (N (d + 2) points)
    Sobol,
    /// A Latin hypercube of N points, for `--discover`
    Lhs,
}

impl Method {
    /// The design size when `--samples` is not given.
    pub fn default_samples(self) -> usize {
        match self {
            Method::Morris => 20,
            Method::Sobol => 256,
            Method::Lhs => 200,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Method::Morris => "Morris elementary effects",
            Method::Sobol => "Sobol' indices",
            Method::Lhs => "Latin hypercube",
        }
    }
}

/// An exploration: everything that decides its design and its runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub method: Method,
    /// Morris: trajectories; Sobol': base samples N; LHS: points.
    pub samples: usize,
    /// Seeds per design point (common random numbers: replicate r has the same seed at
    /// every point).
    pub replicates: u64,
    pub seed: u64,
    pub inputs: Vec<Input>,
    /// Output names as the user wrote them (parsed by [`OutputSpec::parse`]).
    pub outputs: Vec<String>,
    /// The yes/no output PRIM looks for, if any (it is also one of `outputs`).
    pub discover: Option<String>,
}

/// A plan's design in the unit cube, with what each method needs to read it back.
#[derive(Debug, Clone)]
pub struct Design {
    pub points: Vec<Vec<f64>>,
    /// Morris: the trajectories the points come from, d + 1 points each, in order.
    pub trajectories: Vec<Trajectory>,
    /// Sobol': each point's base row and block.
    pub blocks: Vec<(usize, Block)>,
}

impl Plan {
    pub fn d(&self) -> usize {
        self.inputs.len()
    }

    /// The outputs, parsed (a plan is checked when it is made, so this cannot fail on
    /// one that was).
    pub fn output_specs(&self) -> Result<Vec<OutputSpec>, String> {
        self.outputs.iter().map(|s| OutputSpec::parse(s)).collect()
    }

    /// The index among the outputs of the one PRIM looks for.
    pub fn discover_index(&self) -> Option<usize> {
        let target = OutputSpec::parse(self.discover.as_deref()?).ok()?;
        self.output_specs().ok()?.iter().position(|o| *o == target)
    }

    /// What is wrong with the plan, if anything.
    pub fn problem(&self) -> Option<String> {
        if self.samples == 0 {
            return Some("--samples must be at least 1".into());
        }
        if self.replicates == 0 {
            return Some("--replicates must be at least 1".into());
        }
        if self.inputs.is_empty() {
            return Some("the space has no inputs".into());
        }
        if self.method == Method::Sobol && 2 * self.d() > 256 {
            return Some(format!("Sobol' indices take at most 128 inputs; the space has {}", self.d()));
        }
        if self.method == Method::Sobol && self.samples < 4 {
            return Some("Sobol' indices need at least 4 base samples (--samples 4), and far more to mean much".into());
        }
        if self.method == Method::Morris && self.samples < 2 {
            return Some("Morris screening needs at least 2 trajectories to give σ".into());
        }
        if let Some(e) = self.inputs.iter().find_map(Input::problem) {
            return Some(e);
        }
        if let Err(e) = self.output_specs() {
            return Some(e);
        }
        None
    }

    /// Points of the design.
    pub fn points(&self) -> usize {
        match self.method {
            Method::Morris => self.samples * (self.d() + 1),
            Method::Sobol => self.samples * (self.d() + 2),
            Method::Lhs => self.samples,
        }
    }

    /// Runs of the whole exploration.
    pub fn runs(&self) -> u64 {
        self.points() as u64 * self.replicates
    }

    /// The design: a pure function of the plan.
    pub fn design(&self) -> Design {
        let d = self.d();
        match self.method {
            Method::Morris => {
                let trajectories = morris::trajectories(d, self.samples, MORRIS_LEVELS, self.seed);
                let points = trajectories.iter().flat_map(|t| t.points.clone()).collect();
                Design { points, trajectories, blocks: Vec::new() }
            }
            Method::Sobol => {
                // The scrambling seed is 32 bits; fold the 64-bit seed so that seeds
                // differing only in their high bits still scramble differently.
                let scramble = (self.seed ^ (self.seed >> 32)) as u32;
                let (blocks, points) =
                    sobol::design(d, self.samples, scramble).into_iter().map(|(j, b, x)| ((j, b), x)).unzip();
                Design { points, trajectories: Vec::new(), blocks }
            }
            Method::Lhs => Design {
                points: latin_hypercube(d, self.samples, self.seed),
                trajectories: Vec::new(),
                blocks: Vec::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(method: Method, samples: usize) -> Plan {
        Plan {
            method,
            samples,
            replicates: 3,
            seed: 9,
            inputs: vec![Input::uniform("parameters.a", 0.0, 1.0), Input::uniform("parameters.b", 1.0, 2.0)],
            outputs: vec!["armed-conflict".into()],
            discover: None,
        }
    }

    #[test]
    fn the_design_has_the_size_the_plan_announces_and_is_a_function_of_it() {
        for (m, n) in [(Method::Morris, 5), (Method::Sobol, 8), (Method::Lhs, 11)] {
            let p = plan(m, n);
            let d = p.design();
            assert_eq!(d.points.len(), p.points(), "{m:?}");
            assert_eq!(p.runs(), p.points() as u64 * 3);
            assert_eq!(d.points, p.design().points, "{m:?}: the same plan gives the same design");
            let mut q = p.clone();
            q.seed = 10;
            assert_ne!(d.points, q.design().points, "{m:?}: another seed, another design");
        }
    }

    #[test]
    fn bad_plans_say_what_is_wrong() {
        assert!(plan(Method::Morris, 0).problem().unwrap().contains("--samples"));
        assert!(plan(Method::Sobol, 2).problem().unwrap().contains("at least 4"));
        let mut p = plan(Method::Lhs, 5);
        p.outputs = vec!["downtme".into()];
        assert!(p.problem().unwrap().contains("not an output"));
        assert_eq!(plan(Method::Lhs, 5).problem(), None);
    }
}
