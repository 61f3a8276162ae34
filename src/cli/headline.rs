//! The compact table of headline results printed at the end of a batch.

use serde_json::Value;

fn pct(v: &Value) -> String {
    let s = v["share"].as_f64().unwrap_or(f64::NAN);
    let lo = v["ci95"][0].as_f64().unwrap_or(f64::NAN);
    let hi = v["ci95"][1].as_f64().unwrap_or(f64::NAN);
    if !s.is_finite() {
        return "     n/a  (none to count)".into();
    }
    format!("{:>6.1}%  [{:.1}, {:.1}]", 100.0 * s, 100.0 * lo, 100.0 * hi)
}

fn mean(v: &Value) -> String {
    let m = v["mean"].as_f64().unwrap_or(f64::NAN);
    let lo = v["ci95"][0].as_f64().unwrap_or(f64::NAN);
    let hi = v["ci95"][1].as_f64().unwrap_or(f64::NAN);
    format!("{m:>7.2}  [{lo:.2}, {hi:.2}]")
}

/// Renders the headline figures of a `summary.json` value.
pub fn table(s: &Value) -> String {
    let mut rows: Vec<(String, String)> = Vec::new();
    rows.push(("outcome".into(), "share of runs  [95% CI]".into()));
    // In ladder order (contained … armed conflict), not the file's alphabetical order.
    for o in crate::record::Outcome::ALL {
        rows.push((format!("  {}", o.label()), pct(&s["outcomes"][o.slug()])));
    }
    rows.push(("metric (per run)".into(), "mean  [95% CI]".into()));
    rows.push(("  escalation score / turn".into(), mean(&s["escalation_score"]["mean_per_turn"])));
    rows.push(("  highest rung (0-6)".into(), mean(&s["highest_rung"]["mean_level"])));
    rows.push(("  operations".into(), mean(&s["operations"]["per_run"])));
    rows.push(("  violations, signatories".into(), mean(&s["violations"]["by_signatories"])));
    rows.push(("  violations, non-signatories".into(), mean(&s["violations"]["by_non_signatories"])));
    rows.push(("  infrastructure downtime".into(), mean(&s["downtime"]["asset_turns"])));
    rows.push(("  sanctions".into(), mean(&s["sanctions"])));
    rows.push(("attribution".into(), "share  [95% CI]".into()));
    rows.push(("  wrong, of attributions believed".into(), pct(&s["attribution"]["believed_wrong"])));
    rows.push(("  wrong, of public attributions".into(), pct(&s["attribution"]["public_wrong"])));
    let w = rows.iter().map(|(a, _)| a.chars().count()).max().unwrap_or(0);
    let mut out = format!("{} — {} runs\n", s["scenario"].as_str().unwrap_or("?"), s["runs"]);
    for (a, b) in rows {
        out.push_str(&format!("{a:<w$}  {b}\n"));
    }
    out
}
