//! Counterfactual comparison on common random numbers: run `i` of every variant uses
//! the same seed, so paired differences isolate the effect of the variant.
//!
//! Intervals are paired t-intervals on the per-run differences (mean ± t₀.₉₇₅,ₙ₋₁ ·
//! sd/√n). The per-run differences are accumulated exactly (fixed point), so a variant
//! identical to the baseline yields differences of exactly zero, and shards merge to
//! the bytes of one unsharded comparison.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::batch::Aggregate;
use crate::record::{Outcome, RunRecord};
use crate::stats::{Moments, round6};

/// A per-run metric compared across variants: (name, description, value of a run).
pub type Metric = (&'static str, &'static str, fn(&RunRecord) -> f64);

/// The headline metrics compared across variants.
pub const METRICS: &[Metric] = &[
    ("highest_rung_level", "highest rung reached (0 status quo … 6 nuclear)", |r| f64::from(r.highest_rung.level())),
    ("armed_conflict", "probability of armed conflict", |r| f64::from(u8::from(r.outcome == Outcome::ArmedConflict))),
    ("mean_score", "escalation score per turn", |r| r.mean_score()),
    ("downtime", "infrastructure downtime (asset-turns)", |r| r.downtime()),
    ("civilian_harm", "civilian harm", |r| r.civilian_harm),
    ("violations_by_signatories", "Paris Call violations by signatories", |r| f64::from(r.violations_by_signatories)),
    ("violations_by_others", "Paris Call violations by non-signatories", |r| f64::from(r.violations_by_others)),
    ("operations", "cyber operations launched", |r| f64::from(r.operations())),
    ("sanctions", "sanctions imposed", |r| f64::from(r.sanctions)),
    ("attributions_wrong", "wrong public attributions", |r| f64::from(r.attributions_wrong)),
];

/// One metric of one variant against the baseline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paired {
    pub variant: Moments,
    pub baseline: Moments,
    pub diff: Moments,
}

/// Everything a comparison accumulates; merges exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonState {
    /// Variant ids, baseline first.
    pub variants: Vec<String>,
    /// One aggregate per variant.
    pub aggregates: Vec<Aggregate>,
    /// For each non-baseline variant, metric → paired moments.
    pub paired: BTreeMap<String, BTreeMap<String, Paired>>,
}

impl ComparisonState {
    pub fn new(variants: Vec<String>, aggregates: Vec<Aggregate>) -> Self {
        let paired = variants
            .iter()
            .skip(1)
            .map(|v| (v.clone(), METRICS.iter().map(|(m, _, _)| (m.to_string(), Paired::default())).collect()))
            .collect();
        ComparisonState { variants, aggregates, paired }
    }

    /// Folds in run `i` of every variant (baseline first).
    pub fn add(&mut self, records: &[RunRecord]) {
        let base = &records[0];
        for (v, r) in self.variants.iter().skip(1).zip(&records[1..]) {
            let Some(table) = self.paired.get_mut(v) else { continue };
            for (name, _, get) in METRICS {
                if let Some(p) = table.get_mut(*name) {
                    let (x, y) = (get(r), get(base));
                    p.variant.add(x);
                    p.baseline.add(y);
                    // The difference of the fixed-point values, so equal runs give exactly 0.
                    p.diff.add_fp(crate::stats::fp(x) - crate::stats::fp(y));
                }
            }
        }
    }

    pub fn merge(&mut self, o: &ComparisonState) -> Result<(), String> {
        if self.variants != o.variants {
            return Err(format!("the parts compare different variants: {:?} vs {:?}", self.variants, o.variants));
        }
        for (a, b) in self.aggregates.iter_mut().zip(&o.aggregates) {
            if !a.same_shape(b) {
                return Err("the parts' tables differ in shape".into());
            }
            a.merge(b);
        }
        for (v, table) in &o.paired {
            let mine = self.paired.entry(v.clone()).or_default();
            for (m, p) in table {
                let q = mine.entry(m.clone()).or_default();
                q.variant.merge(&p.variant);
                q.baseline.merge(&p.baseline);
                q.diff.merge(&p.diff);
            }
        }
        Ok(())
    }

    /// Rows of `comparison.csv`.
    pub fn rows(&self) -> Vec<ComparisonRow> {
        let mut rows = Vec::new();
        for v in self.variants.iter().skip(1) {
            for (name, label, _) in METRICS {
                let Some(p) = self.paired.get(v).and_then(|t| t.get(*name)) else { continue };
                let (lo, hi) = p.diff.ci95();
                rows.push(ComparisonRow {
                    variant: v.clone(),
                    baseline: self.variants[0].clone(),
                    metric: name.to_string(),
                    description: label.to_string(),
                    runs: p.diff.n,
                    variant_mean: round6(p.variant.mean()),
                    baseline_mean: round6(p.baseline.mean()),
                    diff_mean: round6(p.diff.mean()),
                    diff_sd: round6(p.diff.sd()),
                    diff_ci95_low: round6(lo),
                    diff_ci95_high: round6(hi),
                    method: "paired t-interval on per-run differences (common random numbers)".into(),
                });
            }
        }
        rows
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ComparisonRow {
    pub variant: String,
    pub baseline: String,
    pub metric: String,
    pub description: String,
    pub runs: u64,
    pub variant_mean: f64,
    pub baseline_mean: f64,
    pub diff_mean: f64,
    pub diff_sd: f64,
    pub diff_ci95_low: f64,
    pub diff_ci95_high: f64,
    pub method: String,
}
