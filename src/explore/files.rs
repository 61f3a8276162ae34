//! The files of an exploration directory, as bytes: `plan.json` (what decides the
//! design), `design.csv` (every point in input units), `results.csv` (point ×
//! replicate × output), `indices.csv` / `indices.json` and `prim.json`; and
//! `results.csv` read back, checked row by row, for a merge of shards.

use super::analysis::{Analysis, Results};
use super::plan::{Design, Method, Plan};
use crate::output::row::fmt_num;

pub const PLAN: &str = "plan.json";
pub const DESIGN: &str = "design.csv";
pub const RESULTS: &str = "results.csv";
pub const INDICES_CSV: &str = "indices.csv";
pub const INDICES_JSON: &str = "indices.json";
pub const PRIM: &str = "prim.json";

fn csv_bytes(rows: impl IntoIterator<Item = Vec<String>>) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(&r).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// A value as `results.csv` holds it (rounded to 6 decimals). The analysis reads
/// values this way whether they come from this run or from shards' files, so both
/// give the same indices to the last bit.
pub fn as_written(v: f64) -> f64 {
    let s = fmt_num(v);
    if s.is_empty() { f64::NAN } else { s.parse().unwrap_or(f64::NAN) }
}

pub fn design_csv(plan: &Plan, design: &Design) -> Result<Vec<u8>, String> {
    let mut head = vec!["point".to_string()];
    head.extend(plan.inputs.iter().map(|i| i.path.clone()));
    let rows = design.points.iter().enumerate().map(|(k, u)| {
        let mut rec = vec![k.to_string()];
        rec.extend(plan.inputs.iter().zip(u).map(|(i, &v)| fmt_num(i.at(v))));
        rec
    });
    csv_bytes(std::iter::once(head).chain(rows))
}

fn results_header(plan: &Plan) -> Result<Vec<String>, String> {
    let mut head = vec!["point".to_string(), "replicate".to_string()];
    head.extend(plan.output_specs()?.iter().map(|o| o.name()));
    Ok(head)
}

/// `results.csv` for points `first..first + results.len()`.
pub fn results_csv(plan: &Plan, first: usize, results: &Results) -> Result<Vec<u8>, String> {
    let head = results_header(plan)?;
    let rows = results.iter().enumerate().flat_map(|(k, reps)| {
        reps.iter().enumerate().map(move |(r, vals)| {
            let mut rec = vec![(first + k).to_string(), r.to_string()];
            rec.extend(vals.iter().map(|v| fmt_num(*v)));
            rec
        })
    });
    csv_bytes(std::iter::once(head).chain(rows))
}

/// Reads `results.csv` of points `points` (a range), checking that it holds exactly
/// those points, each with every replicate in order, and every output of the plan.
pub fn read_results(plan: &Plan, points: std::ops::Range<usize>, bytes: &[u8]) -> Result<Vec<Vec<Vec<f64>>>, String> {
    let mut r = csv::Reader::from_reader(bytes);
    let head: Vec<String> = r.headers().map_err(|e| e.to_string())?.iter().map(str::to_string).collect();
    let want = results_header(plan)?;
    if head != want {
        return Err(format!("its columns are {}, not the plan's {}", head.join(","), want.join(",")));
    }
    let reps = plan.replicates as usize;
    let mut out: Vec<Vec<Vec<f64>>> = Vec::with_capacity(points.len());
    for (n, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| format!("row {}: {e}", n + 2))?;
        let (point, rep) = (points.start + n / reps, n % reps);
        let num = |k: usize| rec.get(k).and_then(|s| s.parse::<usize>().ok());
        if num(0) != Some(point) || num(1) != Some(rep) {
            return Err(format!(
                "row {} is point {} replicate {}; expected point {point} replicate {rep}",
                n + 2,
                rec.get(0).unwrap_or(""),
                rec.get(1).unwrap_or("")
            ));
        }
        let vals = (2..want.len())
            .map(|k| {
                let s = rec.get(k).unwrap_or("");
                if s.is_empty() {
                    return Ok(f64::NAN);
                }
                s.parse::<f64>().map_err(|_| format!("row {}: `{s}` is not a number", n + 2))
            })
            .collect::<Result<Vec<f64>, String>>()?;
        if rep == 0 {
            out.push(Vec::with_capacity(reps));
        }
        out.last_mut().expect("pushed above").push(vals);
    }
    let complete = out.len() == points.len() && out.last().is_none_or(|v| v.len() == reps);
    if !complete {
        return Err(format!(
            "it holds {} rows; points {}..{} × {reps} replicates need {}",
            out.iter().map(Vec::len).sum::<usize>(),
            points.start,
            points.end,
            points.len() * reps
        ));
    }
    Ok(out)
}

/// `indices.csv`: one row per output and input, in rank order.
pub fn indices_csv(a: &Analysis) -> Result<Vec<u8>, String> {
    let inputs = &a.plan.inputs;
    let head: Vec<String> = match a.plan.method {
        Method::Morris => [
            "output",
            "input",
            "rank",
            "mu",
            "mu_low",
            "mu_high",
            "mu_star",
            "mu_star_low",
            "mu_star_high",
            "sigma",
            "sigma_low",
            "sigma_high",
            "noise_share",
        ]
        .map(String::from)
        .to_vec(),
        Method::Sobol => [
            "output",
            "input",
            "rank",
            "first",
            "first_low",
            "first_high",
            "total",
            "total_low",
            "total_high",
            "first_half_n",
            "total_half_n",
            "noise_share",
        ]
        .map(String::from)
        .to_vec(),
        Method::Lhs => ["output", "mean", "noise_share"].map(String::from).to_vec(),
    };
    let mut rows = vec![head];
    for o in &a.outputs {
        let noise = fmt_num(o.noise_share);
        if let Some(e) = &o.morris {
            for (pos, &i) in o.ranking.iter().enumerate() {
                let x = &e[i];
                let mut r = vec![o.output.clone(), inputs[i].path.clone(), (pos + 1).to_string()];
                for (v, ci) in [(x.mu, x.mu_ci), (x.mu_star, x.mu_star_ci), (x.sigma, x.sigma_ci)] {
                    r.extend([fmt_num(v), fmt_num(ci[0]), fmt_num(ci[1])]);
                }
                r.push(noise.clone());
                rows.push(r);
            }
        } else if let (Some(f), Some(h)) = (&o.sobol, &o.sobol_half_n) {
            for (pos, &i) in o.ranking.iter().enumerate() {
                let mut r = vec![o.output.clone(), inputs[i].path.clone(), (pos + 1).to_string()];
                r.extend([f.first[i], f.first_ci[i][0], f.first_ci[i][1]].map(fmt_num));
                r.extend([f.total[i], f.total_ci[i][0], f.total_ci[i][1]].map(fmt_num));
                r.extend([fmt_num(h.first[i]), fmt_num(h.total[i]), noise.clone()]);
                rows.push(r);
            }
        } else {
            rows.push(vec![o.output.clone(), fmt_num(o.mean), noise]);
        }
    }
    csv_bytes(rows)
}

/// `indices.json`: the plan and every output's analysis (without the PRIM part).
pub fn indices_json(a: &Analysis) -> Result<String, String> {
    let v = serde_json::json!({
        "scenario": a.scenario,
        "version": env!("CARGO_PKG_VERSION"),
        "plan": a.plan,
        "points": a.plan.points(),
        "runs": a.plan.runs(),
        "outputs": a.outputs,
    });
    crate::output::to_pretty(&v).map_err(|e| e.to_string())
}

pub fn prim_json(a: &Analysis) -> Result<Option<String>, String> {
    a.discovery.as_ref().map(|d| crate::output::to_pretty(d).map_err(|e| e.to_string())).transpose()
}

pub fn plan_json(plan: &Plan) -> Result<String, String> {
    crate::output::to_pretty(plan).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::space::Input;

    fn plan() -> Plan {
        Plan {
            method: Method::Lhs,
            samples: 3,
            replicates: 2,
            seed: 1,
            inputs: vec![Input::uniform("parameters.a", 0.0, 1.0)],
            outputs: vec!["armed-conflict".into(), "civilian_harm".into()],
            discover: None,
        }
    }

    #[test]
    fn results_read_back_as_written_and_damage_is_refused() {
        let p = plan();
        let res = vec![vec![vec![1.0, 0.1234567], vec![0.0, f64::NAN]], vec![vec![0.0, 2.0], vec![1.0, 3.0]]];
        let bytes = results_csv(&p, 1, &res).unwrap();
        let back = read_results(&p, 1..3, &bytes).unwrap();
        assert_eq!(back[0][0], vec![1.0, as_written(0.1234567)]);
        assert!(back[0][1][1].is_nan());
        assert_eq!(back[1], res[1]);
        assert!(read_results(&p, 0..2, &bytes).unwrap_err().contains("expected point 0"));
        assert!(read_results(&p, 1..4, &bytes).unwrap_err().contains("need 6"));
        let text = String::from_utf8(bytes).unwrap();
        let cut: String = text.lines().take(4).map(|l| format!("{l}\n")).collect();
        assert!(read_results(&p, 1..3, cut.as_bytes()).unwrap_err().contains("holds 3 rows"));
        let bad = text.replace("0.123457", "x");
        assert!(read_results(&p, 1..3, bad.as_bytes()).unwrap_err().contains("not a number"));
    }
}
