//! Figures the docs quote are regenerated here by the commands the docs give, and
//! compared with the text between `<!-- generated: KEY -->` and `<!-- /generated -->`.
//! A change to the model that moves a figure fails this test instead of leaving the docs
//! behind. After such a change, `ESCALATE_UPDATE_DOCS=1 cargo test --release --test
//! docs_figures` rewrites the blocks; read the diff and the prose around it.

#[allow(dead_code)]
mod common;

use std::path::{Path, PathBuf};

use common::escalate;
use escalate::explore::analysis::{limit_words, sig3};
use tempfile::TempDir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The block of `doc` under `key`, without its marker lines.
fn block(text: &str, key: &str) -> Option<(usize, usize)> {
    let open = format!("<!-- generated: {key} -->\n");
    let start = text.find(&open)? + open.len();
    let end = start + text[start..].find("<!-- /generated -->")?;
    Some((start, end))
}

/// Compares (or, with ESCALATE_UPDATE_DOCS=1, rewrites) one generated block.
fn check(doc: &str, key: &str, fresh: &str) {
    let path = root().join(doc);
    let text = std::fs::read_to_string(&path).unwrap();
    let (start, end) = block(&text, key).unwrap_or_else(|| panic!("{doc} has no block `{key}`"));
    if text[start..end] == *fresh {
        return;
    }
    if std::env::var_os("ESCALATE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, format!("{}{fresh}{}", &text[..start], &text[end..])).unwrap();
        return;
    }
    panic!(
        "{doc}, block `{key}`, no longer matches the program.\n--- in the doc:\n{}\n--- the program now:\n{fresh}\n\
         If the change is intended: ESCALATE_UPDATE_DOCS=1 cargo test --release --test docs_figures, then reread the prose.",
        &text[start..end]
    );
}

fn run(args: &[&str], out: &Path) {
    escalate().current_dir(root()).args(args).args(["--quiet", "--out"]).arg(out).assert().success();
}

/// indices.csv as rows of (column → value), for one output.
fn indices(dir: &Path, output: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join("indices.csv")).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| head.iter().cloned().zip(rec.unwrap().iter().map(String::from)).collect())
        .filter(|row: &std::collections::HashMap<String, String>| row["output"] == output)
        .collect()
}

fn num(row: &std::collections::HashMap<String, String>, col: &str) -> f64 {
    row[col].parse().unwrap_or_else(|_| panic!("{col} = {:?} is not a number", row[col]))
}

const SPACE: &str = "data/spaces/grid-wiper-force.ron";

#[test]
fn grid_wiper_worked_example_in_explore_md() {
    let tmp = TempDir::new().unwrap();
    let morris = tmp.path().join("gw-morris");
    run(&["explore", "scenarios/grid-wiper.ron", "--space", SPACE, "--method", "morris"], &morris);
    let mut table = String::from("| Rank | Input | μ* | 95% interval | σ |\n|---|---|---|---|---|\n");
    for row in indices(&morris, "armed_conflict") {
        table += &format!(
            "| {} | {} | {:.4} | {:.4}–{:.4} | {:.4} |\n",
            row["rank"],
            row["input"].trim_start_matches("parameters."),
            num(&row, "mu_star"),
            num(&row, "mu_star_low"),
            num(&row, "mu_star_high"),
            num(&row, "sigma")
        );
    }
    check("docs/explore.md", "explore-morris", &table);

    let prim = tmp.path().join("gw-prim");
    run(
        &["explore", "scenarios/grid-wiper.ron", "--space", SPACE, "--discover", "armed-conflict", "--samples", "300"],
        &prim,
    );
    let json = json(&prim.join("prim.json"));
    let mut text = format!("> {}\n\n| Restriction | quasi-p |\n|---|---|\n", json["summary"].as_str().unwrap());
    for r in json["box"]["restrictions"].as_array().unwrap() {
        let limit = limit_words(r["input"].as_str().unwrap(), r["lo"].as_f64(), r["hi"].as_f64());
        text += &format!("| `{limit}` | {:.0e} |\n", r["quasi_p"].as_f64().unwrap());
    }
    text += &format!("\n> {}\n", json["cart_summary"].as_str().unwrap());
    check("docs/explore.md", "explore-prim", &text);
}

/// Every shipped scenario screened by Morris over every parameter's documented range,
/// as `docs/model.md` §12 records: the five most influential inputs per output.
#[test]
fn morris_ranking_of_every_scenario_in_model_md() {
    let tmp = TempDir::new().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ron"))
        .collect();
    names.sort();
    let mut table = String::from(
        "| Scenario | Output | mean | 1 | 2 | 3 | 4 | 5 | negligible |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for name in &names {
        let stem = name.trim_end_matches(".ron");
        let out = tmp.path().join(stem);
        run(&["explore", &format!("scenarios/{name}"), "--method", "morris"], &out);
        let means = json(&out.join("indices.json"));
        for output in ["armed_conflict", "mean_score"] {
            let rows = indices(&out, output);
            let top = num(&rows[0], "mu_star");
            // A probability is written in percentage points, a score to two places.
            let (scale, places, unit) = if output == "armed_conflict" { (100.0, 1, "%") } else { (1.0, 2, "") };
            let cells: Vec<String> = rows
                .iter()
                .take(5)
                .map(|r| {
                    let name = r["input"].trim_start_matches("parameters.");
                    format!("{name} {:.places$}", num(r, "mu_star") * scale)
                })
                .collect();
            // Inputs whose whole interval of μ* lies under 5% of the top input's μ*:
            // they can be fixed anywhere in their range for this output.
            let negligible = if top == 0.0 {
                format!("all {} (it never varies)", rows.len())
            } else {
                let n = rows.iter().filter(|r| num(r, "mu_star_high") < 0.05 * top).count();
                format!("{n} of {}", rows.len())
            };
            let mean = means["outputs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["output"] == output)
                .and_then(|o| o["mean"].as_f64())
                .unwrap_or_else(|| panic!("{stem}: no mean for {output} in indices.json"));
            table += &format!(
                "| {stem} | {output} | {:.places$}{unit} | {} | {negligible} |\n",
                mean * scale,
                cells.join(" | ")
            );
        }
    }
    check("docs/model.md", "morris-ranking", &table);
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `+1.23 [−0.45, +2.00]`, a paired difference and its interval, scaled.
fn diff(d: &serde_json::Value, scale: f64, places: usize) -> String {
    // A difference that rounds to zero is written +0.00, not -0.00.
    let f = |k: &str| {
        let v = d[k].as_f64().unwrap() * scale;
        if v.abs() < 0.5 * 10f64.powi(-(places as i32)) { 0.0 } else { v }
    };
    format!("{:+.p$} [{:+.p$}, {:+.p$}]", f("diff_mean"), f("diff_ci95_low"), f("diff_ci95_high"), p = places)
}

/// The headline of each scenario of `docs/scenarios.md`, from the `compare` command
/// the page gives for it (its `base` is the 1,000-run batch on the same seeds).
#[test]
fn scenario_library_figures_in_scenarios_md() {
    let page = std::fs::read_to_string(root().join("docs/scenarios.md")).unwrap();
    let tmp = TempDir::new().unwrap();
    let mut checked = 0;
    for line in page.lines() {
        let Some(rest) = line.strip_prefix("escalate compare scenarios/") else { continue };
        let (file, variants) = rest.split_once(" --variants ").expect("compare SCENARIO --variants LIST");
        let stem = file.trim_end_matches(".ron");
        let out = tmp.path().join(stem);
        run(&["compare", &format!("scenarios/{file}"), "--variants", variants, "--no-charts"], &out);
        let s = json(&out.join("base/summary.json"));
        let pct = |v: &serde_json::Value| format!("{:.1}%", v["share"].as_f64().unwrap() * 100.0);
        let mean = |v: &serde_json::Value| format!("{:.2}", v["mean"].as_f64().unwrap());
        // The page writes classes in words, except "de-escalated".
        let outcomes = outcome_shares(&s, |k| if k == "de-escalated" { k.into() } else { k.replace('-', " ") });
        let a = &s["attribution"];
        let mut text = format!(
            "**In 1,000 runs** (`base` below): {}. Per run: {} sanctions; Paris Call violations {} by signatories, \
             {} by non-signatories; {} asset-turns of downtime; civilian harm {}. Wrong: {} of {} believed attributions, \
             {} of {} public ones.\n\n",
            outcomes,
            mean(&s["sanctions"]),
            mean(&s["violations"]["by_signatories"]),
            mean(&s["violations"]["by_non_signatories"]),
            mean(&s["downtime"]["asset_turns"]),
            mean(&s["civilian_harm"]),
            pct(&a["believed_wrong"]),
            a["believed"],
            pct(&a["public_wrong"]),
            a["public"],
        );
        text += "| variant − base (same seeds) | armed conflict, points | sanctions | civilian harm | violations, non-signatories | wrong public attributions |\n|---|---|---|---|---|---|\n";
        let c = json(&out.join("comparison.json"));
        for v in variants.split(',').filter(|v| *v != "base") {
            let d = |metric: &str| {
                c["differences"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|d| d["variant"] == v && d["metric"] == metric)
                    .unwrap_or_else(|| panic!("{stem}: no {metric} difference for {v}"))
                    .clone()
            };
            text += &format!(
                "| `{v}` | {} | {} | {} | {} | {} |\n",
                diff(&d("armed_conflict"), 100.0, 1),
                diff(&d("sanctions"), 1.0, 2),
                diff(&d("civilian_harm"), 1.0, 2),
                diff(&d("violations_by_others"), 1.0, 2),
                diff(&d("attributions_wrong"), 1.0, 3),
            );
        }
        check("docs/scenarios.md", &format!("scenario-{stem}"), &text);
        checked += 1;
    }
    assert_eq!(checked, 9, "one compare command per shipped scenario");
}

/// A calibration figure as `docs/model.md` §10.2 writes it: shares in percent, the
/// rest in their own unit, three significant figures.
fn cal(v: f64, unit: &str) -> String {
    if unit == "Share" { format!("{}%", sig3(100.0 * v)) } else { sig3(v) }
}

/// The calibration table of `docs/model.md` §10.2, from the command above it.
#[test]
fn calibration_table_in_model_md() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("cal");
    escalate()
        .current_dir(root())
        .args(["calibrate", "--validate", "--runs", "1000", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .code(4);
    let c = json(&out.join("calibration.json"));
    let mut text = String::from("| id | observed interval | simulated [95% CI] | verdict |\n|---|---|---|---|\n");
    for r in c["rows"].as_array().unwrap() {
        let unit = r["unit"].as_str().unwrap();
        // A one-sided target has no upper limit.
        let lo = r["observed_interval"][0].as_f64().unwrap();
        let observed = match r["observed_interval"][1].as_f64() {
            Some(hi) => format!("{}–{}", cal(lo, unit), cal(hi, unit)),
            None => format!("≥ {}", cal(lo, unit)),
        };
        let simulated = match (r["simulated"].as_f64(), r["beyond"].as_f64()) {
            (Some(v), _) => {
                let ci = |k: usize| r["ci95"][k].as_f64().map(|x| cal(x, unit).trim_end_matches('%').to_string());
                format!("{} [{}, {}]", cal(v, unit), ci(0).unwrap_or_default(), ci(1).unwrap_or_default())
            }
            (None, Some(b)) => format!("> {} (median not reached)", sig3(b)),
            (None, None) => "–".into(),
        };
        let id = r["id"].as_str().unwrap();
        let (id, verdict) = match (r["role"].as_str().unwrap(), r["within"].as_bool().unwrap()) {
            ("Secondary", _) => (format!("*comparison:* {id}"), "–"),
            ("Validation", w) => (format!("*held out:* {id}"), if w { "within" } else { "**outside**" }),
            (_, w) => (id.to_string(), if w { "within" } else { "**outside**" }),
        };
        text += &format!("| {id} | {observed} | {simulated} | {verdict} |\n");
    }
    check("docs/model.md", "calibration", &text);
}

/// Shares of runs by the highest rung of a group's own acts, largest first, as
/// `political 88.3%, disruptive 6.3%`; classes under 1% are left out.
fn rungs(h: &serde_json::Value, group: &str) -> String {
    let counts = h[group].as_object().unwrap();
    let total: f64 = counts.values().map(|v| v.as_f64().unwrap()).sum();
    let mut v: Vec<(&String, f64)> = counts.iter().map(|(k, c)| (k, c.as_f64().unwrap() / total)).collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    v.iter().filter(|(_, s)| *s >= 0.01).map(|(k, s)| format!("{k} {:.1}%", 100.0 * s)).collect::<Vec<_>>().join(", ")
}

/// The outcome classes, largest share first (ties by class), as `label 58.0%, …`.
fn outcome_shares(s: &serde_json::Value, label: impl Fn(&str) -> String) -> String {
    let mut o: Vec<(&String, f64)> =
        s["outcomes"].as_object().unwrap().iter().map(|(k, v)| (k, v["share"].as_f64().unwrap())).collect();
    o.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    o.iter().map(|(k, v)| format!("{} {:.1}%", label(k), 100.0 * v)).collect::<Vec<_>>().join(", ")
}

/// `docs/findings.md`: the model's answer to the tool's question, each block from the
/// command the page gives above it.
#[test]
fn findings_in_findings_md() {
    let tmp = TempDir::new().unwrap();
    let mean = |v: &serde_json::Value| v["mean"].as_f64().unwrap();

    // 1. Signatories against non-signatories in the 2018 world.
    let b = tmp.path().join("b");
    run(&["batch", "--runs", "1000", "--seed", "1", "--no-charts"], &b);
    let s = json(&b.join("summary.json"));
    let text = format!(
        "| | signatories | non-signatories |\n|---|---|---|\n\
         | Paris Call violations per run | {:.3} | {:.2} |\n\
         | highest rung of their own acts (share of runs) | {} | {} |\n\
         | downtime suffered (asset-turns per run) | {:.3} | {:.3} |\n\n\
         Outcomes: {}. Escalation score per actor and turn {:.2}.\n",
        mean(&s["violations"]["by_signatories"]),
        mean(&s["violations"]["by_non_signatories"]),
        rungs(&s["highest_rung"], "signatories"),
        rungs(&s["highest_rung"], "non_signatories"),
        mean(&s["downtime"]["signatory_owners"]),
        mean(&s["downtime"]["other_owners"]),
        outcome_shares(&s, str::to_string),
        mean(&s["escalation_score"]["mean_per_turn"]),
    );
    check("docs/findings.md", "findings-groups", &text);

    // Provoked signatories: grid-wiper.
    let g = tmp.path().join("g");
    run(&["batch", "scenarios/grid-wiper.ron", "--runs", "1000", "--seed", "1", "--no-charts"], &g);
    let s = json(&g.join("summary.json"));
    let poland = s["per_actor"].as_array().unwrap().iter().find(|a| a["id"] == "POL").unwrap();
    let ac = &s["armed_conflict"];
    let text = format!(
        "Signatories commit {:.3} Paris Call violations per run, Poland {:.3} of them; armed conflict in {:.1}% \
         of runs [{:.1}, {:.1}].\n",
        mean(&s["violations"]["by_signatories"]),
        poland["violations_reference_set"].as_f64().unwrap(),
        100.0 * ac["share"].as_f64().unwrap(),
        100.0 * ac["ci95"][0].as_f64().unwrap(),
        100.0 * ac["ci95"][1].as_f64().unwrap(),
    );
    check("docs/findings.md", "findings-grid-wiper", &text);

    // 2. Variants of the 2018 world.
    let c = tmp.path().join("c");
    let variants = "as-signed-2018,us-signs,universal-adherence,no-adherence";
    run(&["compare", "--variants", variants, "--runs", "2000", "--seed", "1", "--no-charts"], &c);
    let cmp = json(&c.join("comparison.json"));
    let mut text = String::from(
        "| variant | metric | variant mean | 2018 mean | paired difference [95% CI] |\n|---|---|---|---|---|\n",
    );
    for d in cmp["differences"].as_array().unwrap() {
        if ["operations", "attributions_wrong"].contains(&d["metric"].as_str().unwrap()) {
            continue;
        }
        let f = |k: &str| d[k].as_f64().unwrap();
        text += &format!(
            "| {} | {} | {:.3} | {:.3} | {:+.3} [{:+.3}, {:+.3}] |\n",
            d["variant"].as_str().unwrap(),
            d["metric"].as_str().unwrap(),
            f("variant_mean"),
            f("baseline_mean"),
            f("diff_mean"),
            f("diff_ci95_low"),
            f("diff_ci95_high")
        );
    }
    text += "\nOutcome shares:\n\n";
    for v in variants.split(',') {
        text += &format!("- {v}: {}\n", outcome_shares(&json(&c.join(v).join("summary.json")), str::to_string));
    }
    check("docs/findings.md", "findings-variants", &text);
}
