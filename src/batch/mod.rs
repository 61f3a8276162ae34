//! Many runs of one scenario: seed derivation, shards, parallel execution in ordered
//! blocks, and streaming aggregation.
//!
//! Runs execute in parallel (rayon) but are folded into the aggregate and handed to
//! the writers strictly in run-index order, a block at a time: results are the same
//! bytes whatever the thread count, and memory holds at most one block of records.

pub mod aggregate;

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::record::RunRecord;
use crate::scenario::Scenario;
use crate::sim;
pub use aggregate::Aggregate;

/// SplitMix64: a fast, well-mixed 64-bit hash (Steele, Lea & Flood 2014).
pub fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The seed of run `index` of a batch: a function of the master seed and the index
/// alone, so any split of the runs across threads, shards or machines agrees.
pub fn seed_for(master: u64, index: u64) -> u64 {
    splitmix64(master ^ splitmix64(index))
}

/// Shard `k` of `n` (0-based `k`): a contiguous slice of the run indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

impl Shard {
    pub const WHOLE: Shard = Shard { k: 0, n: 1 };

    /// The run indices of this shard out of `runs`.
    pub fn range(&self, runs: u64) -> Range<u64> {
        let at = |k: u64| (u128::from(runs) * u128::from(k) / u128::from(self.n)) as u64;
        at(self.k)..at(self.k + 1)
    }

    /// Parses `K/N` (0 <= K < N).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (k, n) = s.split_once('/').ok_or_else(|| format!("shard `{s}` is not of the form K/N, e.g. 0/4"))?;
        let k: u64 = k.trim().parse().map_err(|_| format!("shard index `{k}` is not a whole number"))?;
        let n: u64 = n.trim().parse().map_err(|_| format!("shard count `{n}` is not a whole number"))?;
        if n == 0 {
            return Err("the shard count N must be at least 1".into());
        }
        if k >= n {
            return Err(format!(
                "shard index {k} must be less than the shard count {n} (shards are numbered 0 to {})",
                n - 1
            ));
        }
        Ok(Shard { k, n })
    }

    /// Reads the shard from a Slurm job array or a Kubernetes Indexed Job.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        if let (Some(k), Some(n)) = (get("SLURM_ARRAY_TASK_ID"), get("SLURM_ARRAY_TASK_COUNT")) {
            // Slurm arrays may start at 1 (--array=1-N); SLURM_ARRAY_TASK_MIN says where.
            let min: u64 = get("SLURM_ARRAY_TASK_MIN").and_then(|m| m.parse().ok()).unwrap_or(0);
            let k: u64 = k.parse().map_err(|_| format!("SLURM_ARRAY_TASK_ID `{k}` is not a number"))?;
            return Shard::parse(&format!("{}/{n}", k.saturating_sub(min)));
        }
        if let Some(k) = get("JOB_COMPLETION_INDEX") {
            let n = get("ESCALATE_SHARD_COUNT")
                .or_else(|| get("JOB_COMPLETIONS"))
                .ok_or("JOB_COMPLETION_INDEX is set but neither ESCALATE_SHARD_COUNT nor JOB_COMPLETIONS says how many shards there are")?;
            return Shard::parse(&format!("{k}/{n}"));
        }
        Err("--shard auto found neither SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT nor JOB_COMPLETION_INDEX in the environment".into())
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct BatchSpec {
    /// Runs in the whole batch (all shards together).
    pub runs: u64,
    pub master_seed: u64,
    pub shard: Shard,
    pub keep_events: bool,
}

/// Why a batch stopped early.
#[derive(Debug)]
pub enum Stop {
    Interrupted,
    Sink(String),
}

/// Runs the shard's runs on `pool`, handing each record to `sink` in index order.
pub fn execute(
    scenario: &Arc<Scenario>,
    spec: &BatchSpec,
    pool: &rayon::ThreadPool,
    cancel: &AtomicBool,
    mut sink: impl FnMut(u64, &RunRecord) -> Result<(), String>,
    progress: impl FnMut(u64),
) -> Result<Aggregate, Stop> {
    let mut aggs = execute_many(std::slice::from_ref(scenario), spec, pool, cancel, |i, rs| sink(i, &rs[0]), progress)?;
    Ok(aggs.remove(0))
}

/// Runs every scenario (variants of one world) on the same run indices and seeds —
/// common random numbers — handing the records of run `i` to `sink` together, in
/// index order. Returns one aggregate per scenario.
pub fn execute_many(
    scenarios: &[Arc<Scenario>],
    spec: &BatchSpec,
    pool: &rayon::ThreadPool,
    cancel: &AtomicBool,
    sink: impl FnMut(u64, &[RunRecord]) -> Result<(), String>,
    progress: impl FnMut(u64),
) -> Result<Vec<Aggregate>, Stop> {
    let start = spec.shard.range(spec.runs).start;
    execute_many_from(scenarios, spec, start, pool, cancel, sink, progress, |_, _| Ok(()))
}

/// Like [`execute_many`], but from run `from` of the shard (a resumed batch), with
/// `checkpoint(next, aggregates)` called after each block has gone to `sink`: the
/// aggregates then cover runs `from..next`. Merged with those of the runs before
/// `from`, they are what an uninterrupted batch would hold (merging is exact).
#[allow(clippy::too_many_arguments)]
pub fn execute_many_from(
    scenarios: &[Arc<Scenario>],
    spec: &BatchSpec,
    from: u64,
    pool: &rayon::ThreadPool,
    cancel: &AtomicBool,
    mut sink: impl FnMut(u64, &[RunRecord]) -> Result<(), String>,
    mut progress: impl FnMut(u64),
    mut checkpoint: impl FnMut(u64, &[Aggregate]) -> Result<(), String>,
) -> Result<Vec<Aggregate>, Stop> {
    let mut aggs: Vec<Aggregate> = scenarios
        .iter()
        .map(|s| Aggregate::new(s.turns, s.actions.len(), s.principles.len(), s.actors.len()))
        .collect();
    let v = scenarios.len().max(1) as u64;
    let range = spec.shard.range(spec.runs);
    // Enough runs per block to keep every thread busy; fewer when events are kept,
    // since each record then carries its whole journal.
    let per_thread = if spec.keep_events { 16 } else { 256 };
    let block = (per_thread * pool.current_num_threads() as u64 / v).max(1);
    let mut start = from.max(range.start);
    while start < range.end {
        let end = (start + block).min(range.end);
        let records: Vec<Option<RunRecord>> = pool.install(|| {
            (0..(end - start) * v)
                .into_par_iter()
                .map(|k| {
                    if cancel.load(Ordering::Relaxed) {
                        return None;
                    }
                    let (i, which) = (start + k / v, (k % v) as usize);
                    Some(sim::run(&scenarios[which], seed_for(spec.master_seed, i), spec.keep_events))
                })
                .collect()
        });
        if cancel.load(Ordering::Relaxed) {
            return Err(Stop::Interrupted);
        }
        let records: Vec<RunRecord> = records.into_iter().collect::<Option<_>>().ok_or(Stop::Interrupted)?;
        for (i, group) in (start..end).zip(records.chunks(v as usize)) {
            for (agg, r) in aggs.iter_mut().zip(group) {
                agg.add(r);
            }
            sink(i, group).map_err(Stop::Sink)?;
        }
        progress((end - start) * v);
        checkpoint(end, &aggs).map_err(Stop::Sink)?;
        start = end;
    }
    Ok(aggs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_runs() {
        for n in 1..7 {
            let mut next = 0;
            for k in 0..n {
                let r = Shard { k, n }.range(1000);
                assert_eq!(r.start, next);
                next = r.end;
            }
            assert_eq!(next, 1000);
        }
    }

    #[test]
    fn shard_parsing() {
        assert_eq!(Shard::parse("2/4"), Ok(Shard { k: 2, n: 4 }));
        assert!(Shard::parse("4/4").is_err());
        assert!(Shard::parse("1/0").is_err());
        assert!(Shard::parse("x").is_err());
        let env = |k: &str| match k {
            "SLURM_ARRAY_TASK_ID" => Some("3".into()),
            "SLURM_ARRAY_TASK_COUNT" => Some("4".into()),
            "SLURM_ARRAY_TASK_MIN" => Some("1".into()),
            _ => None,
        };
        assert_eq!(Shard::from_env(env), Ok(Shard { k: 2, n: 4 }));
        let k8s = |k: &str| match k {
            "JOB_COMPLETION_INDEX" => Some("0".into()),
            "JOB_COMPLETIONS" => Some("3".into()),
            _ => None,
        };
        assert_eq!(Shard::from_env(k8s), Ok(Shard { k: 0, n: 3 }));
        assert!(Shard::from_env(|_| None).is_err());
    }

    #[test]
    fn seeds_depend_on_index_and_master() {
        assert_ne!(seed_for(1, 0), seed_for(1, 1));
        assert_ne!(seed_for(1, 0), seed_for(2, 0));
        assert_eq!(seed_for(7, 42), seed_for(7, 42));
    }
}
