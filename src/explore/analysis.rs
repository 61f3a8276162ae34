//! From an exploration's runs to its answers: per output, the seed-noise share and
//! the method's indices (Morris μ*, μ, σ; Sobol' first-order and total, at N and N/2);
//! and for `--discover`, PRIM's peeling trajectory, the chosen box after pasting, the
//! quasi-p-value of each restriction and the box in plain words.
//!
//! Everything here is a pure function of the plan and the results as written to
//! `results.csv`, so one run, shards merged, and any thread count give the same files.

use std::fmt::Write as _;

use serde::Serialize;

use super::cart;
use super::morris::{self, Effects};
use super::plan::{Design, Method, Plan};
use super::prim::{self, Bounds, Step};
use super::sobol::{self, Indices};
use crate::output::row::fmt_num;

/// Bootstrap resamples for Morris intervals (cheap: one pass over r effects each).
const MORRIS_RESAMPLES: usize = 1000;
/// Bootstrap resamples for Sobol' intervals (each re-estimates all 2d indices).
const SOBOL_RESAMPLES: usize = 300;
/// PRIM's peeling and pasting fraction, and the smallest box it peels to (as in
/// Friedman & Fisher 1999 and `sdtoolkit`'s defaults).
pub const PEEL_ALPHA: f64 = 0.05;
pub const MIN_SUPPORT: f64 = 0.05;
/// The box chosen when none is asked for: the densest that keeps this share of cases.
pub const CHOSEN_COVERAGE: f64 = 0.5;
/// Restrictions of the chosen box whose quasi-p-value is above this are dropped.
pub const SIGNIFICANCE: f64 = 0.05;
/// Fewer cases than this and the summary warns that no box can be trusted.
pub const FEW_CASES: usize = 20;

/// The analysis of one output.
#[derive(Debug, Clone, Serialize)]
pub struct OutputResult {
    pub output: String,
    /// Mean over every run of the design.
    pub mean: f64,
    /// Share of the run-to-run variance that is seed noise (within-point variance).
    pub noise_share: f64,
    /// Input indices, most influential first (μ* for Morris, the total index for Sobol').
    pub ranking: Vec<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub morris: Option<Vec<Effects>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sobol: Option<Indices>,
    /// The Sobol' indices on the first N/2 base rows: a convergence check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sobol_half_n: Option<Indices>,
}

/// One restriction of a PRIM box.
#[derive(Debug, Clone, Serialize)]
pub struct Restriction {
    pub input: String,
    /// The bounds; `None` where the box reaches the edge of the sampled range.
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    /// One-sided binomial chance of the box's density if this restriction were dropped.
    pub quasi_p: f64,
}

/// A box of the peeling trajectory with its restrictions, so any box can be chosen.
#[derive(Debug, Clone, Serialize)]
pub struct TrajectoryBox {
    pub coverage: f64,
    pub density: f64,
    pub support: f64,
    pub restrictions: Vec<Restriction>,
}

/// A leaf of the CART tree: a region of the inputs, described by its limits.
#[derive(Debug, Clone, Serialize)]
pub struct CartLeaf {
    /// Share of the leaf's runs with the outcome.
    pub density: f64,
    /// Share of all the outcome's runs that fall in the leaf.
    pub coverage: f64,
    /// Share of all runs that fall in the leaf.
    pub support: f64,
    pub runs: usize,
    pub cases: usize,
    /// The leaf's limits, one per input it restricts (no quasi-p-values: a tree's
    /// splits are chosen, not tested).
    pub rules: Vec<Rule>,
}

/// One input's limits in a CART leaf.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub input: String,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

/// Scenario discovery for one yes/no output.
#[derive(Debug, Clone, Serialize)]
pub struct Discovery {
    pub output: String,
    pub runs: usize,
    pub cases: usize,
    pub trajectory: Vec<TrajectoryBox>,
    /// The index in `trajectory` the chosen box was peeled to.
    pub chosen: usize,
    /// The chosen box after pasting.
    #[serde(rename = "box")]
    pub chosen_box: TrajectoryBox,
    pub summary: String,
    /// The CART tree's leaves, densest first (depth ≤ 3, leaves of at least 5% of runs).
    pub cart: Vec<CartLeaf>,
    /// The densest leaf in words.
    pub cart_summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub scenario: String,
    pub plan: Plan,
    pub outputs: Vec<OutputResult>,
    pub discovery: Option<Discovery>,
}

/// `results[point][replicate][output]`.
pub type Results = [Vec<Vec<f64>>];

/// The per-point mean of output `q`.
fn point_means(results: &Results, q: usize) -> Vec<f64> {
    results.iter().map(|reps| reps.iter().map(|v| v[q]).sum::<f64>() / reps.len() as f64).collect()
}

/// Analyses a finished exploration. `chosen_box` picks a box of the PRIM trajectory by
/// index (default: the densest that keeps half the cases).
pub fn analyse(
    scenario: &str,
    plan: &Plan,
    design: &Design,
    results: &Results,
    chosen_box: Option<usize>,
) -> Result<Analysis, String> {
    let specs = plan.output_specs()?;
    let d = plan.d();
    let mut outputs = Vec::with_capacity(specs.len());
    for (q, spec) in specs.iter().enumerate() {
        let m = point_means(results, q);
        let per_point: Vec<Vec<f64>> = results.iter().map(|reps| reps.iter().map(|v| v[q]).collect()).collect();
        let mean = m.iter().sum::<f64>() / m.len().max(1) as f64;
        let mut r = OutputResult {
            output: spec.name(),
            mean,
            noise_share: sobol::noise_share(&per_point),
            ranking: (0..d).collect(),
            morris: None,
            sobol: None,
            sobol_half_n: None,
        };
        match plan.method {
            Method::Morris => {
                let per_traj: Vec<Vec<f64>> = m.chunks(d + 1).map(<[f64]>::to_vec).collect();
                let e = morris::effects(d, &design.trajectories, &per_traj, MORRIS_RESAMPLES, plan.seed);
                r.ranking.sort_by(|&a, &b| e[b].mu_star.total_cmp(&e[a].mu_star));
                r.morris = Some(e);
            }
            Method::Sobol => {
                let n = plan.samples;
                let evals = design.blocks.iter().zip(&m).map(|((j, b), y)| (*j, *b, *y));
                let o = sobol::Outputs::collect(d, n, evals);
                let full = o.indices(n, SOBOL_RESAMPLES, plan.seed);
                r.ranking.sort_by(|&a, &b| full.total[b].total_cmp(&full.total[a]));
                r.sobol_half_n = Some(o.indices(n / 2, 0, plan.seed));
                r.sobol = Some(full);
            }
            Method::Lhs => {}
        }
        outputs.push(r);
    }
    let discovery = match plan.discover_index() {
        Some(q) => Some(discover(plan, design, results, q, chosen_box)?),
        None => None,
    };
    Ok(Analysis { scenario: scenario.into(), plan: plan.clone(), outputs, discovery })
}

/// The restrictions of box `b` within `range`, with their quasi-p-values.
fn restrictions(plan: &Plan, x: &[Vec<f64>], y: &[bool], b: &Bounds, range: &Bounds) -> Vec<Restriction> {
    let qp = prim::quasi_p(x, y, b, range);
    (0..plan.d())
        .filter_map(|i| {
            let p = qp[i]?;
            Some(Restriction {
                input: plan.inputs[i].path.clone(),
                lo: (b.lo[i] > range.lo[i]).then_some(b.lo[i]),
                hi: (b.hi[i] < range.hi[i]).then_some(b.hi[i]),
                quasi_p: p,
            })
        })
        .collect()
}

fn boxed(plan: &Plan, x: &[Vec<f64>], y: &[bool], s: &Step, range: &Bounds) -> TrajectoryBox {
    TrajectoryBox {
        coverage: s.coverage,
        density: s.density,
        support: s.support,
        restrictions: restrictions(plan, x, y, &s.bounds, range),
    }
}

fn discover(
    plan: &Plan,
    design: &Design,
    results: &Results,
    q: usize,
    chosen_box: Option<usize>,
) -> Result<Discovery, String> {
    // One case per run: its point's inputs (in their units), and whether it hit.
    let mut x = Vec::new();
    let mut y = Vec::new();
    for (u, reps) in design.points.iter().zip(results) {
        let vals: Vec<f64> = plan.inputs.iter().zip(u).map(|(i, &v)| i.at(v)).collect();
        for v in reps {
            x.push(vals.clone());
            y.push(v[q] > 0.5);
        }
    }
    let p = prim::peel(&x, &y, PEEL_ALPHA, MIN_SUPPORT);
    let cases = y.iter().filter(|&&v| v).count();
    let chosen = match chosen_box {
        Some(k) if k < p.trajectory.len() => k,
        Some(k) => {
            return Err(format!(
                "--box {k}: the peeling trajectory has boxes 0 to {} (see prim.json or explore.html)",
                p.trajectory.len() - 1
            ));
        }
        // sdtoolkit leaves the choice to the analyst, with the trajectory to choose
        // from; without one, the densest box that still holds half the cases.
        None => p
            .trajectory
            .iter()
            .enumerate()
            .filter(|(_, s)| s.coverage >= CHOSEN_COVERAGE)
            .max_by(|a, b| a.1.density.total_cmp(&b.1.density))
            .map_or(0, |(k, _)| k),
    };
    let pasted = prim::paste(&x, &y, &p.trajectory[chosen].bounds, PEEL_ALPHA);
    let simple = prim::simplify(&x, &y, &pasted.bounds, &p.range, SIGNIFICANCE);
    let chosen_box = boxed(plan, &x, &y, &simple, &p.range);
    let dropped = restrictions(plan, &x, &y, &pasted.bounds, &p.range).len() - chosen_box.restrictions.len();
    let trajectory = p.trajectory.iter().map(|s| boxed(plan, &x, &y, s, &p.range)).collect();
    let name = plan.output_specs()?[q].name();
    let summary = if cases == 0 {
        format!("{name} never happened in {} runs: there is no box to find.", y.len())
    } else {
        let words: Vec<String> = chosen_box.restrictions.iter().map(restriction_words).collect();
        let overall = format!("{:.1}% of {} runs", 100.0 * cases as f64 / y.len() as f64, y.len());
        let mut s = if words.is_empty() {
            format!(
                "No region of the inputs stands out: no restriction is significant at {SIGNIFICANCE} \
                 ({name} in {overall})."
            )
        } else {
            format!(
                "{name} occurs in {:.0}% of runs when {}; the box holds {:.0}% of all {name} runs (overall: {overall}).",
                100.0 * chosen_box.density,
                words.join(" and "),
                100.0 * chosen_box.coverage,
            )
        };
        if dropped > 0 {
            s.push_str(&format!(
                " {dropped} further restriction{} of the peeled box {} dropped: none was significant at {SIGNIFICANCE}.",
                if dropped == 1 { "" } else { "s" },
                if dropped == 1 { "was" } else { "were" }
            ));
        }
        if cases < FEW_CASES {
            s.push_str(&format!(
                " Only {cases} runs are {name}: too few for a box to be trusted; run more points (--samples) or replicates."
            ));
        }
        s
    };
    let (cart, cart_summary) = tree(plan, &x, &y, &name, cases);
    Ok(Discovery { output: name, runs: y.len(), cases, trajectory, chosen, chosen_box, summary, cart, cart_summary })
}

/// Deep enough for rules a reader can hold (three conditions), as the EMA Workbench's
/// CART; leaves as small as PRIM's smallest box.
const CART_DEPTH: usize = 3;

fn tree(plan: &Plan, x: &[Vec<f64>], y: &[bool], name: &str, cases: usize) -> (Vec<CartLeaf>, String) {
    let min_leaf = ((MIN_SUPPORT * y.len() as f64).ceil() as usize).max(1);
    let mut leaves: Vec<CartLeaf> = cart::fit(x, y, CART_DEPTH, min_leaf)
        .into_iter()
        .map(|l| CartLeaf {
            density: l.density(),
            coverage: if cases == 0 { 0.0 } else { l.cases as f64 / cases as f64 },
            support: l.runs as f64 / y.len() as f64,
            runs: l.runs,
            cases: l.cases,
            rules: plan
                .inputs
                .iter()
                .enumerate()
                .filter(|&(i, _)| l.lo[i].is_some() || l.hi[i].is_some())
                .map(|(i, inp)| Rule { input: inp.path.clone(), lo: l.lo[i], hi: l.hi[i] })
                .collect(),
        })
        .collect();
    leaves.sort_by(|a, b| b.density.total_cmp(&a.density).then(b.runs.cmp(&a.runs)));
    let summary = match leaves.first() {
        Some(top) if cases > 0 && !top.rules.is_empty() => {
            let words: Vec<String> = top.rules.iter().map(|r| limit_words(&r.input, r.lo, r.hi)).collect();
            format!(
                "CART: {name} occurs in {:.0}% of runs when {} ({:.0}% of all runs; {:.0}% of all {name} runs).",
                100.0 * top.density,
                words.join(" and "),
                100.0 * top.support,
                100.0 * top.coverage
            )
        }
        _ => format!("CART: no split separates {name} runs from the others."),
    };
    (leaves, summary)
}

/// A value to three significant digits (`5.30`, `0.0651`, `874`), as a reader wants
/// a box's limits: the sampled cut points carry no more precision than that.
pub fn sig3(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let decimals = (2 - v.abs().log10().floor() as i32).clamp(0, 8) as usize;
    format!("{v:.decimals$}")
}

/// `firebreak_cost < 0.3`, `0.1 ≤ x ≤ 0.4`: a restriction as a reader says it.
pub fn restriction_words(r: &Restriction) -> String {
    limit_words(&r.input, r.lo, r.hi)
}

/// An input's limits in words, with the `parameters.` prefix left out.
pub fn limit_words(input: &str, lo: Option<f64>, hi: Option<f64>) -> String {
    let short = input.trim_start_matches("parameters.");
    match (lo, hi) {
        (Some(lo), Some(hi)) => format!("{} ≤ {short} ≤ {}", sig3(lo), sig3(hi)),
        (Some(lo), None) => format!("{short} ≥ {}", sig3(lo)),
        (None, Some(hi)) => format!("{short} ≤ {}", sig3(hi)),
        (None, None) => format!("{short} anywhere"),
    }
}

impl Analysis {
    /// The findings as the terminal shows them: per output, the ten most influential
    /// inputs; then the PRIM box.
    pub fn text(&self, top: usize) -> String {
        let mut t = String::new();
        for o in &self.outputs {
            let noise = if o.noise_share.is_finite() {
                format!("seed noise: {:.0}% of run-to-run variance", 100.0 * o.noise_share)
            } else {
                "seed noise: not measurable (one replicate, or no variance)".into()
            };
            let _ = writeln!(t, "\n{} (mean {}; {noise})", o.output, fmt_num(o.mean));
            if let Some(e) = &o.morris {
                let _ = writeln!(t, "  {:<40} {:>10} {:>22} {:>10}", "input", "μ*", "[95% CI]", "σ");
                for &i in o.ranking.iter().take(top) {
                    let x = &e[i];
                    let _ = writeln!(
                        t,
                        "  {:<40} {:>10.4} {:>22} {:>10.4}",
                        self.plan.inputs[i].path,
                        x.mu_star,
                        format!("[{:.4}, {:.4}]", x.mu_star_ci[0], x.mu_star_ci[1]),
                        x.sigma
                    );
                }
            }
            if let (Some(f), Some(h)) = (&o.sobol, &o.sobol_half_n) {
                let _ = writeln!(
                    t,
                    "  {:<40} {:>24} {:>7}   {:>24} {:>7}",
                    "input", "S1 [95% CI]", "at N/2", "ST [95% CI]", "at N/2"
                );
                for &i in o.ranking.iter().take(top) {
                    let _ = writeln!(
                        t,
                        "  {:<40} {:>6.3} [{:>6.3}, {:>6.3}] {:>7.3}   {:>6.3} [{:>6.3}, {:>6.3}] {:>7.3}",
                        self.plan.inputs[i].path,
                        f.first[i],
                        f.first_ci[i][0],
                        f.first_ci[i][1],
                        h.first[i],
                        f.total[i],
                        f.total_ci[i][0],
                        f.total_ci[i][1],
                        h.total[i]
                    );
                }
                let _ = writeln!(t, "  {}", convergence_words(f, h));
            }
        }
        if let Some(dsc) = &self.discovery {
            let _ = writeln!(
                t,
                "\nScenario discovery (PRIM: peeling α = {PEEL_ALPHA}, box {} of {}, then pasting): {}",
                dsc.chosen,
                dsc.trajectory.len() - 1,
                dsc.summary
            );
            for r in &dsc.chosen_box.restrictions {
                let _ = writeln!(t, "  {:<40} quasi-p {:.2e}", restriction_words(r), r.quasi_p);
            }
            let _ = writeln!(t, "{}", dsc.cart_summary);
        }
        t
    }
}

/// Whether the Sobol' indices moved between N/2 and N by more than their interval
/// half-widths: the largest change of a total index, in words.
pub fn convergence_words(full: &Indices, half: &Indices) -> String {
    let worst = (0..full.total.len())
        .map(|i| (full.total[i] - half.total[i]).abs())
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let width =
        full.total_ci.iter().map(|c| (c[1] - c[0]) / 2.0).filter(|x| x.is_finite()).fold(0.0, f64::max).max(1e-12);
    if worst <= width {
        format!(
            "Convergence: total indices moved by at most {worst:.3} from N/2 to N, within their intervals (±{width:.3})."
        )
    } else {
        format!(
            "Convergence: a total index moved by {worst:.3} from N/2 to N, more than the widest interval (±{width:.3}): \
             run more samples."
        )
    }
}
