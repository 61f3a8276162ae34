//! Tables computed from a batch's [`Aggregate`]: `turns.*` and `summary.json`.

use serde_json::{Value, json};

use super::row::Cell;
use crate::batch::aggregate::{Aggregate, GROUPS, bound_of, hist_moments, hist_quantile, rung_names};
use crate::model::ladder::Rung;
use crate::model::sector::Sector;
use crate::record::Outcome;
use crate::scenario::Scenario;
use crate::scenario::schema::ActorKind;
use crate::stats::{Bound, Moments, round6, wilson95};

pub const TURN_COLUMNS: [&str; 11] =
    ["turn", "group", "metric", "runs", "mean", "sd", "ci95_low", "ci95_high", "p2_5", "median", "p97_5"];

/// Rows of the per-turn table: the escalation score per group and per actor (group =
/// the actor's id), the global rung and the cumulative share of runs that have used
/// armed force.
pub fn turn_rows(s: &Scenario, agg: &Aggregate) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    let mut forced = 0u64;
    for (t, ta) in agg.per_turn.iter().enumerate() {
        let turn = (t + 1) as i64;
        for (g, name) in GROUPS.iter().enumerate() {
            let h = &ta.score[g];
            let m = hist_moments(h);
            let (lo, hi) = m.ci95();
            rows.push(row(
                turn,
                name,
                "escalation_score",
                m.n,
                m.mean(),
                m.sd(),
                lo,
                hi,
                [hist_quantile(h, 0.025), hist_quantile(h, 0.5), hist_quantile(h, 0.975)],
            ));
        }
        for (actor, m) in s.actors.iter().zip(&ta.actor_score) {
            let (lo, hi) = m.ci95();
            rows.push(row(turn, &actor.id, "escalation_score", m.n, m.mean(), m.sd(), lo, hi, [f64::NAN; 3]));
        }
        let mut rm = Moments::default();
        for (level, &c) in ta.rung.iter().enumerate() {
            rm.add_n(level as f64, c);
        }
        let (lo, hi) = rm.ci95();
        let q = |p: f64| rung_quantile(&ta.rung, p);
        rows.push(row(turn, "all", "global_rung", rm.n, rm.mean(), rm.sd(), lo, hi, [q(0.025), q(0.5), q(0.975)]));
        forced += agg.first_force.get(t + 1).copied().unwrap_or(0);
        let p = if agg.runs > 0 { forced as f64 / agg.runs as f64 } else { f64::NAN };
        let (lo, hi) = wilson95(forced, agg.runs);
        rows.push(row(
            turn,
            "all",
            "armed_conflict_share",
            agg.runs,
            p,
            (p * (1.0 - p)).sqrt(),
            lo,
            hi,
            [f64::NAN, f64::NAN, f64::NAN],
        ));
    }
    rows
}

#[allow(clippy::too_many_arguments)]
fn row(turn: i64, group: &str, metric: &str, n: u64, mean: f64, sd: f64, lo: f64, hi: f64, q: [f64; 3]) -> Vec<Cell> {
    let num = |x: f64| if x.is_finite() { Cell::Num(x) } else { Cell::Empty };
    vec![
        Cell::Int(turn),
        Cell::Text(group.into()),
        Cell::Text(metric.into()),
        Cell::Int(n as i64),
        num(mean),
        num(sd),
        num(lo),
        num(hi),
        num(q[0]),
        num(q[1]),
        num(q[2]),
    ]
}

fn rung_quantile(counts: &[u64; 7], q: f64) -> f64 {
    let n: u64 = counts.iter().sum();
    if n == 0 {
        return f64::NAN;
    }
    let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
    let mut seen = 0;
    for (level, &c) in counts.iter().enumerate() {
        seen += c;
        if seen >= rank {
            return level as f64;
        }
    }
    f64::NAN
}

fn share(k: u64, n: u64) -> Value {
    let (lo, hi) = wilson95(k, n);
    // A share of nothing is no share at all (null), not 0%.
    let share = if n == 0 { f64::NAN } else { k as f64 / n as f64 };
    json!({ "count": k, "share": r(share), "ci95": [r(lo), r(hi)] })
}

fn mean_ci(m: &Moments) -> Value {
    mean_ci_as(m, Bound::Any)
}

fn mean_ci_as(m: &Moments, bound: Bound) -> Value {
    let (lo, hi) = m.ci95_as(bound);
    json!({ "mean": r(m.mean()), "sd": r(m.sd()), "ci95": [r(lo), r(hi)], "runs": m.n })
}

fn r(x: f64) -> Value {
    if x.is_finite() { json!(round6(x)) } else { Value::Null }
}

/// Which actors are bound by which norm sets at the start, for reports.
pub fn commitments(s: &Scenario) -> Value {
    Value::Array(
        s.actors
            .iter()
            .map(|a| {
                json!({
                    "id": a.id, "name": a.name,
                    "kind": format!("{:?}", a.kind).to_lowercase(),
                    "commitments": a.commitments.iter().map(|c| json!({
                        "norm_set": s.norm_sets[c.set.index()].id, "from_turn": c.from_turn
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// The headline aggregates with 95% intervals.
pub fn summary(s: &Scenario, agg: &Aggregate) -> Value {
    let n = agg.runs;
    let sc = |k: &str| agg.scalars.get(k).map(|m| mean_ci_as(m, bound_of(k))).unwrap_or(Value::Null);
    let outcomes: serde_json::Map<String, Value> =
        Outcome::ALL.iter().map(|o| (o.slug().to_string(), share(agg.outcomes[o.index()], n))).collect();
    let rungs = rung_names();
    let highest = |g: usize| -> Value {
        rungs
            .iter()
            .enumerate()
            .map(|(i, name)| (name.to_string(), json!(agg.highest[g][i])))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let forced: u64 = agg.first_force.iter().sum();
    let mut ff = Moments::default();
    for (t, &c) in agg.first_force.iter().enumerate() {
        ff.add_n(t as f64, c);
    }
    let mut cumulative = Vec::new();
    let mut acc = 0;
    for &c in agg.first_force.iter().skip(1) {
        acc += c;
        cumulative.push(r(acc as f64 / n.max(1) as f64));
    }
    let reference = s.reference_set;
    let by_principle: Vec<Value> = s
        .principles
        .iter()
        .enumerate()
        .filter(|(_, p)| Some(p.set) == reference)
        .map(|(i, p)| {
            json!({
                "principle": p.key, "name": p.name,
                "by_signatories": agg.violations_bound[i],
                "by_non_signatories": agg.violations_unbound[i],
                "per_run_by_signatories": r(agg.violations_bound[i] as f64 / n.max(1) as f64),
                "per_run_by_non_signatories": r(agg.violations_unbound[i] as f64 / n.max(1) as f64),
            })
        })
        .collect();
    let downtime_by_sector: serde_json::Map<String, Value> = Sector::ALL
        .iter()
        .map(|x| (x.slug().to_string(), r(agg.downtime_by_sector[x.index()] as f64 / n.max(1) as f64)))
        .collect();
    let a = &agg.attribution;
    let mut delay = Moments::default();
    for (d, &c) in a.delays.iter().enumerate() {
        delay.add_n(d as f64, c);
    }
    let ops: serde_json::Map<String, Value> = s
        .actions
        .iter()
        .zip(&agg.choices_by_action)
        .map(|(act, &c)| (act.id.clone(), json!({ "total": c, "per_run": r(c as f64 / n.max(1) as f64) })))
        .collect();
    let per_actor: Vec<Value> = s
        .actors
        .iter()
        .zip(&agg.per_actor)
        .map(|(actor, t)| {
            let per = |x: u64| r(x as f64 / n.max(1) as f64);
            json!({
                "id": actor.id, "name": actor.name, "kind": format!("{:?}", actor.kind).to_lowercase(),
                "signatory_at_start": reference.is_some_and(|set| actor.commitments.iter().any(|c| c.set == set && c.from_turn <= 1)),
                "ops_launched": per(t.ops_launched), "ops_suffered": per(t.ops_suffered),
                "violations": per(t.violations), "violations_reference_set": per(t.violations_reference),
                "downtime": per(t.downtime),
                "sanctions_imposed": per(t.sanctions_imposed), "sanctions_suffered": per(t.sanctions_suffered),
            })
        })
        .collect();
    json!({
        "scenario": s.name,
        "runs": n,
        "turns": s.turns,
        "turn_length": s.turn_length,
        "states": s.actors.iter().filter(|a| a.kind == ActorKind::State).count(),
        "outcomes": outcomes,
        "highest_rung": {
            "levels": rungs,
            "all": highest(0), "signatories": highest(1), "non_signatories": highest(2),
            "mean_level": sc("highest_rung_level"),
        },
        "armed_conflict": share(agg.outcomes[Outcome::ArmedConflict.index()], n),
        "first_use_of_force": {
            "runs_with_force": share(forced, n),
            "turn": mean_ci(&ff),
            "cumulative_share_by_turn": cumulative,
        },
        "escalation_score": { "mean_per_turn": sc("mean_score"), "total": sc("total_score") },
        "downtime": {
            "asset_turns": sc("downtime"),
            "signatory_owners": sc("downtime_signatories"),
            "other_owners": sc("downtime_others"),
            "per_run_by_sector": downtime_by_sector,
        },
        "civilian_harm": sc("civilian_harm"),
        "operations": { "per_run": sc("operations"), "by_action": ops },
        "violations": {
            "by_signatories": sc("violations_by_signatories"),
            "by_non_signatories": sc("violations_by_others"),
            "by_principle": by_principle,
        },
        "attribution": {
            "detected": a.detected, "undetected": a.undetected,
            "believed": a.beliefs, "believed_wrong": share(a.beliefs_wrong, a.beliefs),
            "public": a.public, "public_wrong": share(a.public_wrong, a.public),
            "turns_to_belief": mean_ci(&delay),
            "turns_to_belief_histogram": a.delays,
        },
        "sanctions": sc("sanctions"),
        "rival_dyads_in_conflict": share(agg.rival_dyads_in_conflict, agg.rival_dyads),
        "per_actor": per_actor,
        "rungs": Rung::ALL.iter().map(|x| x.label()).collect::<Vec<_>>(),
    })
}
