//! Charts and pages of comparison, sweep and calibration directories, on the real binary.
//!
//! The files must exist and be valid PNG/SVG; the forest plot must plot exactly the
//! paired differences of `comparison.csv`; the pages must be self-contained; a
//! two-parameter sweep gets heat maps; merging shards draws the same charts.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use escalate::report::compare::{Comparison, paired_differences};
use escalate::report::sweep::{Sweep, SweepChart, charts};
use tempfile::TempDir;

const COMPARE_CHARTS: [&str; 3] = ["escalation-by-variant", "paired-differences", "outcomes-by-variant"];
const KEY_METRICS: [&str; 6] = [
    "armed-conflict",
    "mean-score",
    "violations-by-others",
    "violations-by-signatories",
    "highest-rung-level",
    "downtime",
];

fn escalate() -> Command {
    let mut cmd = Command::cargo_bin("escalate").expect("the escalate binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Directories shared by the read-only tests: a comparison, a one- and a two-parameter sweep.
struct Dirs {
    _tmp: TempDir,
    compare: PathBuf,
    sweep1: PathBuf,
    sweep2: PathBuf,
}

fn dirs() -> &'static Dirs {
    static DIRS: OnceLock<Dirs> = OnceLock::new();
    DIRS.get_or_init(|| {
        let tmp = TempDir::new().unwrap();
        let compare = tmp.path().join("cmp");
        escalate()
            .args(["compare", "--variants", "as-signed-2018,us-signs,universal-adherence", "--runs", "60", "--quiet"])
            .arg("--out")
            .arg(&compare)
            .assert()
            .success();
        let sweep1 = tmp.path().join("sw1");
        escalate()
            .args(["sweep", "--param", "parameters.norm_violation_cost=0..=2:1", "--runs", "40", "--quiet", "--out"])
            .arg(&sweep1)
            .assert()
            .success();
        let sweep2 = tmp.path().join("sw2");
        escalate()
            .args(["sweep", "--param", "parameters.norm_violation_cost=0,2", "--param"])
            .args(["parameters.choice_temperature=0.2,0.5", "--runs", "30", "--quiet", "--out"])
            .arg(&sweep2)
            .assert()
            .success();
        Dirs { _tmp: tmp, compare, sweep1, sweep2 }
    })
}

fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.len() > 10_000, "{} is suspiciously small", path.display());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", path.display());
    assert_eq!(&bytes[12..16], b"IHDR", "{}: PNG without IHDR first", path.display());
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

fn svg_text(path: &Path) -> String {
    let svg = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(svg.starts_with("<svg"), "{} does not start with <svg", path.display());
    assert!(svg.trim_end().ends_with("</svg>"), "{} is not closed", path.display());
    assert!(svg.contains("viewBox=\"0 0 960 "), "{} has no 960-wide viewBox", path.display());
    assert!(svg.contains("<title>"), "{} has no accessible title", path.display());
    svg
}

/// PNG at 2× the SVG's size, both present.
fn assert_chart(dir: &Path, stem: &str) -> String {
    let (w, h) = png_size(&dir.join(format!("{stem}.png")));
    assert_eq!(w, 1920, "{stem}.png is drawn at 2× the 960-pixel width");
    let svg = svg_text(&dir.join(format!("{stem}.svg")));
    assert!(svg.contains(&format!("height=\"{}\"", h / 2)), "{stem}: the SVG and the PNG differ in height");
    svg
}

/// No `src`, `href` or CSS `url()` fetches anything over the network.
fn assert_self_contained(html: &str, name: &str) {
    let lower = html.to_lowercase();
    for bad in [
        "src=\"http",
        "src='http",
        "href=\"http",
        "href='http",
        "url(http",
        "url(\"http",
        "url('http",
        "src=\"//",
        "href=\"//",
        "<script",
    ] {
        assert!(!lower.contains(bad), "{name} refers outside itself: contains `{bad}`");
    }
    assert!(html.contains("@font-face"), "{name} does not embed its font");
    assert!(html.contains("url(data:font/ttf;base64,"), "{name} does not embed its font as data");
}

fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        .collect()
}

#[test]
fn compare_draws_its_three_charts_and_a_comparison_page() {
    let d = dirs();
    let charts = d.compare.join("charts");
    for stem in COMPARE_CHARTS {
        let svg = assert_chart(&charts, stem);
        for v in ["as-signed-2018", "us-signs", "universal-adherence"] {
            assert!(svg.contains(v), "{stem}.svg does not name variant {v}");
        }
    }
    let html = std::fs::read_to_string(d.compare.join("comparison.html")).unwrap();
    assert_self_contained(&html, "comparison.html");
    for stem in COMPARE_CHARTS {
        assert!(html.contains(&format!("<figure id=\"{stem}\">")), "comparison.html lacks {stem}");
    }
    assert!(html.contains("paired t-interval"), "comparison.html states no method");
    assert!(html.contains("common random numbers"), "comparison.html does not say the runs share seeds");
    // Each variant: its description from the scenario's variants block, a link to its report.
    assert!(html.contains("The United States signs the Paris Call at launch"), "no variant descriptions");
    for v in ["as-signed-2018", "us-signs", "universal-adherence"] {
        let link = format!("href=\"{v}/report.html\"");
        assert!(html.contains(&link), "comparison.html does not link {v}'s report");
        assert!(d.compare.join(v).join("report.html").is_file(), "{v}/report.html is missing");
    }
}

#[test]
fn the_forest_plot_plots_exactly_the_paired_differences_of_comparison_csv() {
    let d = dirs();
    let c = Comparison::read(&d.compare).unwrap();
    let forest = paired_differences(&c);
    let csv = read_csv(&d.compare.join("comparison.csv"));
    let plotted: Vec<(String, String, f64, f64, f64)> = forest
        .groups
        .iter()
        .flat_map(|g| g.rows.iter().map(move |r| (r.variant.clone(), g.metric.key.clone(), r.diff, r.lo, r.hi)))
        .collect();
    assert_eq!(plotted.len(), csv.len(), "one forest row per row of comparison.csv");
    for row in &csv {
        let f = |k: &str| row[k].parse::<f64>().unwrap();
        let hit = plotted
            .iter()
            .find(|p| p.0 == row["variant"] && p.1 == row["metric"])
            .unwrap_or_else(|| panic!("{} / {} is not plotted", row["variant"], row["metric"]));
        assert_eq!(hit.2, f("diff_mean"), "{} / {}: difference", row["variant"], row["metric"]);
        assert_eq!(hit.3, f("diff_ci95_low"), "{} / {}: interval low", row["variant"], row["metric"]);
        assert_eq!(hit.4, f("diff_ci95_high"), "{} / {}: interval high", row["variant"], row["metric"]);
        assert_eq!(row["baseline"], forest.baseline);
    }
    // Grouped by metric: each metric's rows are together, one per non-baseline variant.
    for g in &forest.groups {
        assert_eq!(g.rows.len(), 2, "{}: one row per compared variant", g.metric.key);
    }
    let svg = std::fs::read_to_string(d.compare.join("charts/paired-differences.svg")).unwrap();
    for g in &forest.groups {
        assert!(svg.contains(&g.metric.title), "the forest plot does not head the group {}", g.metric.key);
    }
    assert!(svg.contains("percentage points"), "the armed-conflict differences carry no unit");
}

#[test]
fn a_one_parameter_sweep_draws_each_key_metric_against_the_parameter() {
    let d = dirs();
    for m in KEY_METRICS {
        let svg = assert_chart(&d.sweep1.join("charts"), &format!("sweep-{m}"));
        assert!(svg.contains("parameters.norm_violation_cost"), "sweep-{m} has no parameter axis");
    }
    let s = Sweep::read(&d.sweep1).unwrap();
    let all = charts(&s);
    assert_eq!(all.len(), s.metrics.len(), "one chart per metric");
    // The line goes through the means of sweep.csv.
    let csv = read_csv(&d.sweep1.join("sweep.csv"));
    for c in &all {
        let SweepChart::Line(l) = c else { panic!("a one-parameter sweep draws lines") };
        for p in &l.points {
            let row = csv
                .iter()
                .find(|r| {
                    r["metric"] == l.metric.key && r["parameters.norm_violation_cost"].parse::<f64>().unwrap() == p.x
                })
                .expect("every plotted point is in sweep.csv");
            assert_eq!(p.mean, row["mean"].parse::<f64>().unwrap(), "{} at {}", l.metric.key, p.x);
            assert!(p.lo <= p.mean && p.mean <= p.hi, "{} at {}: the band holds the mean", l.metric.key, p.x);
        }
    }
    let html = std::fs::read_to_string(d.sweep1.join("sweep.html")).unwrap();
    assert_self_contained(&html, "sweep.html");
    assert!(html.contains("<figure id=\"sweep-armed-conflict\">"));
}

#[test]
fn a_two_parameter_sweep_draws_heat_maps_with_a_colour_scale() {
    let d = dirs();
    for m in KEY_METRICS {
        let svg = assert_chart(&d.sweep2.join("charts"), &format!("heatmap-{m}"));
        assert!(svg.contains("parameters.choice_temperature"), "heatmap-{m} has no second-parameter axis");
        assert!(svg.lines().any(|l| l.trim() == "mean"), "heatmap-{m} has no colour scale legend");
    }
    assert!(!d.sweep2.join("charts/sweep-mean-score.svg").exists(), "two parameters get heat maps, not lines");
    let s = Sweep::read(&d.sweep2).unwrap();
    for c in charts(&s) {
        let SweepChart::Heat(h) = c else { panic!("a two-parameter sweep draws heat maps") };
        assert_eq!((h.x_values.len(), h.y_values.len()), (2, 2));
        assert!(h.cells.iter().flatten().all(|c| c.0.is_finite()), "{}: every grid point has a cell", h.metric.key);
    }
    let html = std::fs::read_to_string(d.sweep2.join("sweep.html")).unwrap();
    assert_self_contained(&html, "sweep.html");
    assert!(html.contains("<figure id=\"heatmap-armed-conflict\">"));
}

#[test]
fn calibrate_draws_observed_against_simulated() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("cal");
    escalate().args(["calibrate", "--runs", "60", "--quiet", "--out"]).arg(&out).assert().success();
    let svg = assert_chart(&out, "calibration");
    let csv = read_csv(&out.join("calibration.csv"));
    for row in &csv {
        let shown = row["figure"].chars().take(30).collect::<String>();
        assert!(svg.contains(&shown), "the chart does not show {}", row["id"]);
    }
    let verdicts = svg.lines().filter(|l| matches!(l.trim(), "within" | "OUTSIDE" | "no verdict")).count();
    assert_eq!(verdicts, csv.len(), "every figure states within or outside");
}

#[test]
fn merging_compare_shards_draws_the_comparison_again() {
    let tmp = TempDir::new().unwrap();
    let mut parts = Vec::new();
    for k in 0..2 {
        let out = tmp.path().join(format!("part{k}"));
        escalate()
            .args(["compare", "--variants", "base,us-signs", "--runs", "40", "--quiet", "--shard"])
            .arg(format!("{k}/2"))
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        parts.push(out);
    }
    let merged = tmp.path().join("merged");
    escalate().arg("merge").args(&parts).arg("--out").arg(&merged).arg("--quiet").assert().success();
    for stem in COMPARE_CHARTS {
        assert_chart(&merged.join("charts"), stem);
    }
    let html = std::fs::read_to_string(merged.join("comparison.html")).unwrap();
    assert_self_contained(&html, "comparison.html");
    assert!(html.contains("The scenario file as written."), "`base` is described");
}
