//! Streaming, exactly mergeable aggregates of a batch.
//!
//! Nothing here keeps a run's time series: each finished run is folded in and dropped,
//! so memory does not grow with the number of runs. Every accumulator is an integer
//! count or a fixed-point sum (see [`crate::stats`]), so folding in any order or
//! merging shards gives the very same bytes as one unsharded batch.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::ladder::Rung;
use crate::model::state::TierGroup;
use crate::record::{Outcome, RunRecord};
use crate::stats::{Bound, Moments, fp};

/// Exact distribution of a fixed-point value: value → count.
pub type Hist = BTreeMap<i64, u64>;

/// Reads one scalar metric of a run.
pub type Getter = fn(&RunRecord) -> f64;

/// Per-run scalar metrics summarised in `summary.json` (name, getter).
pub const SCALARS: &[(&str, Getter)] = &[
    ("mean_score", |r| r.mean_score()),
    ("score_posture", |r| r.score_by_tier[TierGroup::Posture as usize]),
    ("score_nonviolent", |r| r.score_by_tier[TierGroup::NonViolent as usize]),
    ("score_violent", |r| r.score_by_tier[TierGroup::Violent as usize]),
    ("score_deescalation", |r| r.score_by_tier[TierGroup::DeEscalation as usize]),
    ("total_score", |r| r.total_score()),
    ("highest_rung_level", |r| f64::from(r.highest_rung.level())),
    ("downtime", |r| r.downtime()),
    ("downtime_signatories", |r| r.downtime_signatories),
    ("downtime_others", |r| r.downtime_others),
    ("civilian_harm", |r| r.civilian_harm),
    ("operations", |r| f64::from(r.operations())),
    ("violations_by_signatories", |r| f64::from(r.violations_by_signatories)),
    ("violations_by_others", |r| f64::from(r.violations_by_others)),
    ("sanctions", |r| f64::from(r.sanctions)),
    ("force_uses", |r| f64::from(r.force_uses)),
    ("retaliations", |r| f64::from(r.retaliations)),
    ("retaliations_wrong", |r| f64::from(r.retaliations_wrong)),
    ("talks_accepted", |r| f64::from(r.talks_accepted)),
    ("attributions_public", |r| f64::from(r.attributions_public)),
    ("attributions_wrong", |r| f64::from(r.attributions_wrong)),
    ("beliefs_wrong", |r| f64::from(r.beliefs_wrong)),
    ("turns_played", |r| f64::from(r.turns_played)),
];

/// What a per-run metric (one of [`SCALARS`] or of the comparison metrics) can be,
/// which decides the interval of its mean ([`Moments::ci95_as`]): scores can be
/// negative (de-escalation weighs −2), armed conflict is 0 or 1, everything else
/// (downtime, harm, counts, the highest rung) is never negative.
pub fn bound_of(metric: &str) -> Bound {
    match metric {
        "mean_score" | "total_score" | "score_deescalation" => Bound::Any,
        "armed_conflict" => Bound::Indicator,
        _ => Bound::NonNegative,
    }
}

/// Groups of the per-turn score: everyone, signatories, non-signatories.
pub const GROUPS: [&str; 3] = ["all", "signatories", "non-signatories"];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TurnAgg {
    /// Runs still going at this turn.
    pub alive: u64,
    /// Escalation score per group.
    pub score: [Hist; 3],
    /// Global current rung: runs at each level.
    pub rung: [u64; 7],
    /// Per actor: the escalation-score weight of its act.
    #[serde(default)]
    pub actor_score: Vec<Moments>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorAgg {
    pub ops_launched: u64,
    pub ops_suffered: u64,
    pub violations: u64,
    /// Of the reference norm set only (older state files lack it: 0).
    #[serde(default)]
    pub violations_reference: u64,
    pub downtime: u64,
    pub sanctions_imposed: u64,
    pub sanctions_suffered: u64,
}

impl ActorAgg {
    fn of(t: &crate::model::state::ActorTally) -> Self {
        ActorAgg {
            ops_launched: u64::from(t.ops_launched),
            ops_suffered: u64::from(t.ops_suffered),
            violations: u64::from(t.violations),
            violations_reference: u64::from(t.violations_reference),
            downtime: t.downtime as u64,
            sanctions_imposed: u64::from(t.sanctions_imposed),
            sanctions_suffered: u64::from(t.sanctions_suffered),
        }
    }

    fn merge(&mut self, o: &ActorAgg) {
        self.ops_launched += o.ops_launched;
        self.ops_suffered += o.ops_suffered;
        self.violations += o.violations;
        self.violations_reference += o.violations_reference;
        self.downtime += o.downtime;
        self.sanctions_imposed += o.sanctions_imposed;
        self.sanctions_suffered += o.sanctions_suffered;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributionAgg {
    pub detected: u64,
    pub undetected: u64,
    pub beliefs: u64,
    pub beliefs_wrong: u64,
    pub public: u64,
    pub public_wrong: u64,
    pub delays: [u64; 16],
}

impl AttributionAgg {
    fn of(r: &RunRecord) -> Self {
        AttributionAgg {
            detected: u64::from(r.detected),
            undetected: u64::from(r.undetected),
            beliefs: u64::from(r.beliefs),
            beliefs_wrong: u64::from(r.beliefs_wrong),
            public: u64::from(r.attributions_public),
            public_wrong: u64::from(r.attributions_wrong),
            delays: r.attribution_delays.map(u64::from),
        }
    }

    fn merge(&mut self, o: &AttributionAgg) {
        self.detected += o.detected;
        self.undetected += o.undetected;
        self.beliefs += o.beliefs;
        self.beliefs_wrong += o.beliefs_wrong;
        self.public += o.public;
        self.public_wrong += o.public_wrong;
        add_each(&mut self.delays, &o.delays);
    }
}

/// Everything a batch accumulates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    pub runs: u64,
    pub outcomes: [u64; Outcome::ALL.len()],
    /// Runs by highest rung: all acts, signatories' acts, non-signatories' acts.
    pub highest: [[u64; 7]; 3],
    /// Runs by turn of first use of force (index = turn; 0 unused).
    pub first_force: Vec<u64>,
    pub scalars: BTreeMap<String, Moments>,
    pub per_turn: Vec<TurnAgg>,
    /// Violations per principle, by actors bound by it and by others.
    pub violations_bound: Vec<u64>,
    pub violations_unbound: Vec<u64>,
    pub downtime_by_sector: [u64; 9],
    pub attribution: AttributionAgg,
    pub ops_by_action: Vec<u64>,
    pub choices_by_action: Vec<u64>,
    pub per_actor: Vec<ActorAgg>,
    /// Declared rival dyads, and how many of them saw any operation, summed over runs.
    pub rival_dyads: u64,
    pub rival_dyads_in_conflict: u64,
}

impl Aggregate {
    pub fn new(turns: u32, actions: usize, principles: usize, actors: usize) -> Self {
        Aggregate {
            runs: 0,
            outcomes: [0; Outcome::ALL.len()],
            highest: [[0; 7]; 3],
            first_force: vec![0; turns as usize + 1],
            scalars: SCALARS.iter().map(|(n, _)| (n.to_string(), Moments::default())).collect(),
            per_turn: vec![TurnAgg::default(); turns as usize],
            violations_bound: vec![0; principles],
            violations_unbound: vec![0; principles],
            downtime_by_sector: [0; 9],
            attribution: AttributionAgg::default(),
            ops_by_action: vec![0; actions],
            choices_by_action: vec![0; actions],
            per_actor: vec![ActorAgg::default(); actors],
            rival_dyads: 0,
            rival_dyads_in_conflict: 0,
        }
    }

    /// Folds one run in.
    pub fn add(&mut self, r: &RunRecord) {
        self.runs += 1;
        self.outcomes[r.outcome.index()] += 1;
        for (g, rung) in [r.highest_rung, r.highest_rung_signatories, r.highest_rung_others].into_iter().enumerate() {
            self.highest[g][usize::from(rung.level())] += 1;
        }
        if let Some(t) = r.first_force_turn
            && let Some(slot) = self.first_force.get_mut(t as usize)
        {
            *slot += 1;
        }
        for (name, get) in SCALARS {
            if let Some(m) = self.scalars.get_mut(*name) {
                m.add(get(r));
            }
        }
        for (t, agg) in self.per_turn.iter_mut().enumerate() {
            if t >= r.score.len() {
                break;
            }
            agg.alive += 1;
            for (g, series) in [&r.score, &r.score_signatories, &r.score_others].into_iter().enumerate() {
                *agg.score[g].entry(fp(series[t])).or_insert(0) += 1;
            }
            agg.rung[usize::from(r.rung[t].level())] += 1;
            if agg.actor_score.len() < r.actor_scores.len() {
                agg.actor_score.resize(r.actor_scores.len(), Moments::default());
            }
            for (m, series) in agg.actor_score.iter_mut().zip(&r.actor_scores) {
                m.add(series[t]);
            }
        }
        add_each(&mut self.violations_bound, &r.violations_bound);
        add_each(&mut self.violations_unbound, &r.violations_unbound);
        for (d, x) in self.downtime_by_sector.iter_mut().zip(r.downtime_by_sector) {
            *d += x as u64;
        }
        self.attribution.merge(&AttributionAgg::of(r));
        add_each(&mut self.ops_by_action, &r.ops_by_action);
        add_each(&mut self.choices_by_action, &r.choices_by_action);
        for (agg, t) in self.per_actor.iter_mut().zip(&r.per_actor) {
            agg.merge(&ActorAgg::of(t));
        }
        self.rival_dyads += u64::from(r.rival_dyads);
        self.rival_dyads_in_conflict += u64::from(r.rival_dyads_in_conflict);
    }

    /// Merges another part of the same batch in (exact: the order does not matter).
    pub fn merge(&mut self, o: &Aggregate) {
        self.runs += o.runs;
        add_each(&mut self.outcomes, &o.outcomes);
        for g in 0..3 {
            add_each(&mut self.highest[g], &o.highest[g]);
        }
        add_each(&mut self.first_force, &o.first_force);
        for (k, m) in &o.scalars {
            self.scalars.entry(k.clone()).or_default().merge(m);
        }
        for (a, b) in self.per_turn.iter_mut().zip(&o.per_turn) {
            a.alive += b.alive;
            for g in 0..3 {
                for (v, c) in &b.score[g] {
                    *a.score[g].entry(*v).or_insert(0) += c;
                }
            }
            add_each(&mut a.rung, &b.rung);
            if a.actor_score.len() < b.actor_score.len() {
                a.actor_score.resize(b.actor_score.len(), Moments::default());
            }
            for (x, y) in a.actor_score.iter_mut().zip(&b.actor_score) {
                x.merge(y);
            }
        }
        add_each(&mut self.violations_bound, &o.violations_bound);
        add_each(&mut self.violations_unbound, &o.violations_unbound);
        add_each(&mut self.downtime_by_sector, &o.downtime_by_sector);
        self.attribution.merge(&o.attribution);
        add_each(&mut self.ops_by_action, &o.ops_by_action);
        add_each(&mut self.choices_by_action, &o.choices_by_action);
        for (a, b) in self.per_actor.iter_mut().zip(&o.per_actor) {
            a.merge(b);
        }
        self.rival_dyads += o.rival_dyads;
        self.rival_dyads_in_conflict += o.rival_dyads_in_conflict;
    }

    /// Whether two aggregates have the same shape (same scenario tables).
    pub fn same_shape(&self, o: &Aggregate) -> bool {
        self.per_turn.len() == o.per_turn.len()
            && self.violations_bound.len() == o.violations_bound.len()
            && self.ops_by_action.len() == o.ops_by_action.len()
            && self.per_actor.len() == o.per_actor.len()
    }
}

fn add_each<T: Copy + std::ops::AddAssign, U: Copy + Into<T>>(a: &mut [T], b: &[U]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += (*y).into();
    }
}

/// Moments of an exact histogram.
pub fn hist_moments(h: &Hist) -> Moments {
    let mut m = Moments::default();
    for (&v, &c) in h {
        let v = i128::from(v);
        let c128 = i128::from(c);
        m.n += c;
        m.sum += v * c128;
        m.sumsq += v * v * c128;
    }
    m
}

/// The `q` quantile (0..=1) of an exact histogram, as a value (lower nearest rank).
pub fn hist_quantile(h: &Hist, q: f64) -> f64 {
    let n: u64 = h.values().sum();
    if n == 0 {
        return f64::NAN;
    }
    let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
    let mut seen = 0;
    for (&v, &c) in h {
        seen += c;
        if seen >= rank {
            return v as f64 / crate::stats::FP;
        }
    }
    f64::NAN
}

/// Rung levels as names, for files.
pub fn rung_names() -> [&'static str; 7] {
    Rung::ALL.map(|r| r.slug())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_exact_histograms() {
        let mut h = Hist::new();
        for v in 1..=100 {
            *h.entry(fp(f64::from(v))).or_insert(0) += 1;
        }
        assert_eq!(hist_quantile(&h, 0.5), 50.0);
        assert_eq!(hist_quantile(&h, 0.975), 98.0);
        assert_eq!(hist_quantile(&h, 0.0), 1.0);
        assert!((hist_moments(&h).mean() - 50.5).abs() < 1e-9);
    }
}
