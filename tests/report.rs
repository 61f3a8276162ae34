//! Charts and the HTML report: what `escalate batch` draws by default and `escalate plot`
//! redraws from a batch directory's files alone.
//!
//! The files must exist and be valid PNG/SVG of sensible size; what they plot must equal
//! the batch's own tables; the report must be self-contained and load in a real browser
//! (headless Chromium) without console errors or network requests; and `plot` must
//! refuse missing, partial and foreign directories with a clear message.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use escalate::report::charts::{self, Chart, pct};
use escalate::report::data::Batch;
use predicates::prelude::*;
use tempfile::TempDir;

/// The seven charts every batch gets.
const CHARTS: [&str; 7] =
    ["escalation-score", "highest-rung", "outcomes", "violations", "downtime", "attribution", "first-use-of-force"];

fn escalate() -> Command {
    let mut cmd = Command::cargo_bin("escalate").expect("the escalate binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs a small batch of the default scenario into `dir` (charts drawn by default).
fn batch(dir: &Path, extra: &[&str]) {
    escalate().args(["batch", "--runs", "200", "--quiet", "--out"]).arg(dir).args(extra).assert().success();
}

/// One batch shared by the read-only tests.
fn shared() -> &'static Path {
    static DIR: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DIR.get_or_init(|| {
        let tmp = TempDir::new().unwrap();
        let path = tmp.path().join("batch");
        batch(&path, &[]);
        (tmp, path)
    });
    path
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 24, "too short for a PNG");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "PNG without IHDR first");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        .collect()
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn batch_draws_every_chart_as_png_and_svg_by_default() {
    let dir = shared();
    for stem in CHARTS {
        let png = std::fs::read(dir.join("charts").join(format!("{stem}.png"))).unwrap();
        let (w, h) = png_size(&png);
        assert_eq!(w, 1920, "{stem}.png is drawn at 2× the 960-pixel chart width");
        assert!((700..=3000).contains(&h), "{stem}.png height {h}");
        assert!(png.len() > 20_000, "{stem}.png is suspiciously small ({} bytes)", png.len());

        let svg = std::fs::read_to_string(dir.join("charts").join(format!("{stem}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{stem}.svg does not start with <svg");
        assert!(svg.trim_end().ends_with("</svg>"), "{stem}.svg is not closed");
        assert!(svg.contains("viewBox=\"0 0 960 "), "{stem}.svg has no 960-wide viewBox");
        assert!(svg.matches("<text").count() >= 10, "{stem}.svg has too little text");
        assert!(svg.contains("<title>"), "{stem}.svg has no accessible title");
        assert!(!svg.contains("url("), "{stem}.svg references something by URL");
        assert!(!svg.contains("@import") && !svg.contains("href"), "{stem}.svg links out");
        assert!(svg.len() > 3_000, "{stem}.svg is suspiciously small");
        // The number of runs is on every chart.
        assert!(svg.contains("200 runs"), "{stem}.svg does not state the number of runs");
    }
    assert!(dir.join("report.html").is_file());
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
}

#[test]
fn signatories_and_non_signatories_have_one_colour_in_every_chart() {
    let dir = shared();
    for stem in ["escalation-score", "highest-rung", "violations", "downtime"] {
        let svg = std::fs::read_to_string(dir.join("charts").join(format!("{stem}.svg"))).unwrap();
        // Okabe-Ito blue and vermillion.
        assert!(svg.contains("#0072B2"), "{stem}: no signatory blue");
        assert!(svg.contains("#D55E00"), "{stem}: no non-signatory vermillion");
    }
}

#[test]
fn plotted_series_equal_the_turns_table() {
    let dir = shared();
    let b = Batch::read(dir).unwrap();
    let rows = read_csv(&dir.join("turns.csv"));
    let cell = |turn: u32, group: &str, metric: &str, col: &str| -> f64 {
        let r = rows
            .iter()
            .find(|r| r["turn"] == turn.to_string() && r["group"] == group && r["metric"] == metric)
            .unwrap_or_else(|| panic!("no row {turn} {group} {metric}"));
        r[col].parse().unwrap()
    };
    let e = charts::escalation(&b);
    assert_eq!(e.series.len(), 2);
    for (g, points) in &e.series {
        assert_eq!(points.len() as u32, b.summary.turns);
        for p in points {
            let t = p.x as u32;
            assert_eq!(p.mean, cell(t, g.key(), "escalation_score", "mean"), "{} mean at turn {t}", g.key());
            assert_eq!(p.lo, cell(t, g.key(), "escalation_score", "ci95_low"));
            assert_eq!(p.hi, cell(t, g.key(), "escalation_score", "ci95_high"));
        }
    }
    let f = charts::first_force(&b);
    for p in &f.points {
        let t = p.x as u32;
        assert_eq!(p.mean, cell(t, "all", "armed_conflict_share", "mean"));
        assert_eq!(p.hi, cell(t, "all", "armed_conflict_share", "ci95_high"));
    }
}

#[test]
fn plotted_shares_equal_the_summary() {
    let dir = shared();
    let b = Batch::read(dir).unwrap();
    let s = summary(dir);
    let runs = s["runs"].as_u64().unwrap() as f64;
    let h = charts::highest_rung(&b);
    let levels: Vec<&str> =
        s["highest_rung"]["levels"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for (g, shares) in &h.groups {
        let key = if g.key() == "signatories" { "signatories" } else { "non_signatories" };
        for (i, level) in levels.iter().enumerate() {
            let count = s["highest_rung"][key][level].as_u64().unwrap() as f64;
            assert!((shares[i].value - count / runs).abs() < 1e-12, "{key} at {level}");
        }
    }
    let o = charts::outcomes(&b);
    let outcomes_svg = std::fs::read_to_string(dir.join("charts/outcomes.svg")).unwrap();
    for (outcome, share, count) in &o.rows {
        let want = &s["outcomes"][outcome.slug()];
        assert_eq!(*count, want["count"].as_u64().unwrap());
        assert_eq!(share.value, want["share"].as_f64().unwrap());
        // The value printed beside the bar is the summary's share.
        assert!(outcomes_svg.contains(&pct(share.value)), "outcomes.svg lacks {}", pct(share.value));
    }
    let v = charts::violations(&b);
    let by = s["violations"]["by_principle"].as_array().unwrap();
    assert_eq!(v.rows.len(), by.len());
    assert_eq!(v.rows.len(), 9, "the nine Paris Call principles");
    for (row, want) in v.rows.iter().zip(by) {
        assert_eq!(row.1, want["per_run_by_signatories"].as_f64().unwrap());
        assert_eq!(row.2, want["per_run_by_non_signatories"].as_f64().unwrap());
    }
    let a = charts::attribution(&b);
    let att = &s["attribution"];
    assert_eq!(a.fates.iter().sum::<u64>(), att["detected"].as_u64().unwrap() + att["undetected"].as_u64().unwrap());
    assert_eq!(a.fates[1], att["believed_wrong"]["count"].as_u64().unwrap());
    let d = charts::downtime(&b);
    for (sector, value) in &d.sectors {
        assert_eq!(*value, s["downtime"]["per_run_by_sector"][sector.slug()].as_f64().unwrap());
    }
}

#[test]
fn report_is_one_self_contained_file() {
    let dir = shared();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let s = summary(dir);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Nothing to fetch: no scripts, stylesheets or images from elsewhere, no URLs but data: and #anchors.
    for bad in ["<script", "<link", "<img", "<iframe", "<object", "<embed", "@import"] {
        assert!(!html.contains(bad), "report.html contains {bad:?}");
    }
    for (i, _) in html.match_indices("url(") {
        assert!(html[i..].starts_with("url(data:"), "report.html has a url() that is not data: at {i}");
    }
    for attr in ["src=\"", "href=\""] {
        for (i, _) in html.match_indices(attr) {
            let v = &html[i + attr.len()..];
            assert!(v.starts_with('#') || v.starts_with("data:"), "report.html links out: {}", &v[..v.len().min(60)]);
        }
    }
    // What it must hold: scenario, parameters, every chart with a reading, the tables.
    assert!(html.contains(s["scenario"].as_str().unwrap()));
    assert!(html.contains("Who is bound by which norms"));
    assert!(html.contains(&format!("master seed <strong>{}</strong>", manifest["master_seed"])));
    assert!(html.contains(&format!("escalate <strong>{}</strong>", manifest["version"].as_str().unwrap())));
    assert!(html.contains("<strong>200</strong> runs"));
    assert_eq!(html.matches("<svg").count(), CHARTS.len(), "every chart inline");
    assert_eq!(html.matches("<strong>Reading:</strong>").count(), CHARTS.len());
    for stem in CHARTS {
        assert!(html.contains(&format!("<figure id=\"{stem}\">")), "no figure {stem}");
    }
    for actor in s["per_actor"].as_array().unwrap() {
        assert!(html.contains(actor["name"].as_str().unwrap()), "per-actor table lacks {}", actor["name"]);
    }
    assert!(html.contains("@media print"), "no print styles");
    assert!(html.contains("@font-face"), "the font is not embedded");
}

#[test]
fn plot_redraws_a_finished_batch_from_its_files() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("b");
    batch(&dir, &["--no-charts"]);
    assert!(!dir.join("charts").exists(), "--no-charts drew charts");
    assert!(!dir.join("report.html").exists());
    escalate()
        .arg("plot")
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote 7 charts"))
        .stdout(predicate::str::contains("report.html"));
    for stem in CHARTS {
        assert!(dir.join("charts").join(format!("{stem}.png")).is_file());
        assert!(dir.join("charts").join(format!("{stem}.svg")).is_file());
    }
    // Drawing twice gives the very same bytes: no clock, no system fonts.
    let first = std::fs::read(dir.join("charts/highest-rung.png")).unwrap();
    let first_svg = std::fs::read(dir.join("charts/violations.svg")).unwrap();
    escalate().arg("plot").arg(&dir).arg("--quiet").assert().success().stdout("");
    assert_eq!(first, std::fs::read(dir.join("charts/highest-rung.png")).unwrap());
    assert_eq!(first_svg, std::fs::read(dir.join("charts/violations.svg")).unwrap());
    let names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "temporary directories left behind: {names:?}");
}

#[test]
fn plot_per_actor_adds_the_actor_chart() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("b");
    batch(&dir, &["--no-charts"]);
    escalate().arg("plot").arg(&dir).arg("--per-actor").assert().success();
    let png = std::fs::read(dir.join("charts/actors.png")).unwrap();
    let (w, h) = png_size(&png);
    assert_eq!(w, 1920);
    assert!(h > 1000, "one row per actor");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<figure id=\"actors\">"));
}

#[test]
fn merge_draws_charts_into_the_merged_directory() {
    let tmp = TempDir::new().unwrap();
    let (a, b, out) = (tmp.path().join("s0"), tmp.path().join("s1"), tmp.path().join("merged"));
    batch(&a, &["--shard", "0/2", "--no-charts"]);
    batch(&b, &["--shard", "1/2", "--no-charts"]);
    escalate().arg("merge").arg(&a).arg(&b).arg("--out").arg(&out).arg("--quiet").assert().success();
    for stem in CHARTS {
        assert!(out.join("charts").join(format!("{stem}.png")).is_file(), "merge did not draw {stem}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<strong>200</strong> runs"));
}

#[test]
fn plot_refuses_missing_partial_and_foreign_directories() {
    let tmp = TempDir::new().unwrap();
    // Missing: an I/O error (exit 3).
    escalate()
        .arg("plot")
        .arg(tmp.path().join("nope"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no such batch directory"));
    // Foreign: an empty directory, or one with something else in it (exit 2).
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    escalate()
        .arg("plot")
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no manifest.json"))
        .stderr(predicate::str::contains("not a finished batch directory"));
    let foreign = tmp.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("manifest.json"), "{\"name\": \"something else\"}").unwrap();
    escalate().arg("plot").arg(&foreign).assert().code(2).stderr(predicate::str::contains("not an escalate manifest"));
    // Partial: a batch directory that lost a file, or whose files disagree.
    let dir = tmp.path().join("b");
    batch(&dir, &["--no-charts"]);
    let summary = std::fs::read(dir.join("summary.json")).unwrap();
    std::fs::remove_file(dir.join("summary.json")).unwrap();
    escalate()
        .arg("plot")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("summary.json is missing"))
        .stderr(predicate::str::contains("incomplete"));
    std::fs::write(dir.join("summary.json"), &summary).unwrap();
    let turns = std::fs::read_to_string(dir.join("turns.csv")).unwrap();
    let half: String = turns.lines().take(turns.lines().count() / 2).map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.join("turns.csv"), half).unwrap();
    escalate().arg("plot").arg(&dir).assert().code(2).stderr(predicate::str::contains("the batch files disagree"));
    std::fs::write(dir.join("turns.csv"), &turns).unwrap();
    std::fs::write(dir.join("summary.json"), "not json").unwrap();
    escalate().arg("plot").arg(&dir).assert().code(2).stderr(predicate::str::contains("not an escalate summary"));
    // Nothing was drawn into the broken directory.
    assert!(!dir.join("charts").exists());
    assert!(!dir.join("report.html").exists());
}

#[test]
fn plot_reads_the_saved_state_when_the_turns_table_is_not_csv_or_jsonl() {
    // A Parquet batch's turns table is unreadable without the feature: the per-turn rows
    // are then recomputed from state.json, and must be the very same.
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("b");
    batch(&dir, &["--no-charts"]);
    let from_csv = charts::escalation(&Batch::read(&dir).unwrap());
    std::fs::remove_file(dir.join("turns.csv")).unwrap();
    let from_state = charts::escalation(&Batch::read(&dir).unwrap());
    assert_eq!(from_csv.series, from_state.series);
    escalate().arg("plot").arg(&dir).arg("--quiet").assert().success();
    assert!(dir.join("charts/escalation-score.png").is_file());
}

#[test]
fn plot_points_a_compare_directory_to_its_variants() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("c");
    escalate()
        .args(["compare", "--variants", "base,us-signs", "--runs", "50", "--quiet"])
        .arg("--no-charts")
        .arg("--out")
        .arg(&dir)
        .assert()
        .success();
    escalate()
        .arg("plot")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a `compare` directory, not a batch"))
        .stderr(predicate::str::contains("base"));
    escalate().arg("plot").arg(dir.join("us-signs")).arg("--quiet").assert().success();
    let html = std::fs::read_to_string(dir.join("us-signs/report.html")).unwrap();
    assert!(html.contains("variant us-signs"));
}

/// Chromium: `$CHROMIUM` if set (and nothing else then), else the usual paths
/// (CI installs Debian's `chromium`).
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// Runs headless Chromium on `url` with `args`; returns (stdout, stderr).
fn run_chromium(bin: &Path, profile: &Path, args: &[String], url: &str) -> (String, String) {
    let out = std::process::Command::new("timeout")
        .arg("120")
        .arg(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Requests a page made (not Chromium's own background traffic) for anything but
/// `file:` and `data:` URLs, from a NetLog (one JSON event per line).
fn page_requests(netlog: &str) -> Vec<String> {
    netlog
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l.trim().trim_end_matches(',')).ok())
        .filter_map(|e| {
            let p = e.get("params")?;
            let url = p.get("url")?.as_str()?;
            let initiator = p.get("initiator")?.as_str()?;
            (initiator != "not an origin" && !url.starts_with("file:") && !url.starts_with("data:"))
                .then(|| url.to_string())
        })
        .collect()
}

#[test]
fn report_loads_in_headless_chromium_offline_without_errors() {
    let Some(bin) = chromium() else {
        // In CI a missing browser is a failure, never a pass; elsewhere the test is
        // skipped only when asked to, and says so.
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
        let skip = std::env::var_os("ESCALATE_SKIP_BROWSER").is_some_and(|v| v == "1");
        assert!(
            !ci,
            "CI: Chromium not found (looked at $CHROMIUM, /usr/bin/chromium, /usr/bin/chromium-browser, \
             /usr/bin/google-chrome); .ci/run installs Debian's chromium"
        );
        assert!(
            skip,
            "Chromium not found: install it (apt-get install chromium) or point $CHROMIUM at it; to skip this \
             test on purpose, set ESCALATE_SKIP_BROWSER=1"
        );
        eprintln!(
            "SKIPPED report_loads_in_headless_chromium_offline_without_errors: ESCALATE_SKIP_BROWSER=1 and no Chromium"
        );
        return;
    };
    let dir = shared();
    let report = dir.join("report.html").canonicalize().unwrap();
    let url = format!("file://{}", report.display());
    let tmp = TempDir::new().unwrap();
    let netlog = tmp.path().join("netlog.json");

    // The DOM, with console messages on stderr and every request in a NetLog.
    let (dom, stderr) = run_chromium(
        &bin,
        &tmp.path().join("profile-dom"),
        &[
            "--enable-logging=stderr".into(),
            "--v=0".into(),
            format!("--log-net-log={}", netlog.display()),
            "--dump-dom".into(),
        ],
        &url,
    );
    assert_eq!(dom.matches("<svg").count(), CHARTS.len(), "the browser's DOM lacks the inline charts");
    assert!(dom.contains("Per actor") && dom.contains("Headline figures"));
    let console: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught") || l.contains("net::ERR_"))
        .collect();
    assert!(console.is_empty(), "console messages while loading the report: {console:#?}");
    let log = std::fs::read_to_string(&netlog).expect("chromium wrote a NetLog");
    assert!(log.contains("report.html"), "the NetLog did not record the page load");
    let requests = page_requests(&log);
    assert!(requests.is_empty(), "the report made network requests: {requests:?}");

    // A screenshot of the page shows the charts (a blank page compresses to almost nothing).
    let shot = tmp.path().join("report.png");
    run_chromium(
        &bin,
        &tmp.path().join("profile-shot"),
        &[format!("--screenshot={}", shot.display()), "--window-size=1280,4000".into()],
        &url,
    );
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert_eq!(png_size(&png), (1280, 4000));
    assert!(png.len() > 150_000, "the screenshot looks blank ({} bytes)", png.len());
}

#[test]
fn the_network_check_catches_a_page_that_fetches() {
    // The NetLog filter must see a request a page makes, and ignore Chromium's own.
    let log = r#"{"params":{"initiator":"not an origin","url":"https://accounts.google.com/x"},"type":1},
{"params":{"initiator":"null","url":"http://example.com/x.png"},"type":1},
{"params":{"initiator":"null","url":"file:///tmp/report.html"},"type":1},"#;
    assert_eq!(page_requests(log), vec!["http://example.com/x.png".to_string()]);
}

#[test]
fn chart_readings_state_the_data() {
    let b = Batch::read(shared()).unwrap();
    let (list, notes) = charts::charts(&b, false);
    assert!(notes.is_empty());
    assert_eq!(list.iter().map(Chart::stem).collect::<Vec<_>>(), CHARTS);
    let cx = charts::Context { runs: b.runs() };
    for c in &list {
        let r = c.reading(&cx);
        assert!(r.len() > 30 && r.ends_with('.'), "{}: {r}", c.stem());
        let words: Vec<&str> = r.split(|c: char| !c.is_alphanumeric()).collect();
        assert!(!words.iter().any(|w| ["NaN", "inf"].contains(w)), "{}: {r}", c.stem());
    }
}

/// The browser test above passes only by running a browser: with Chromium missing it
/// fails in CI, fails locally unless ESCALATE_SKIP_BROWSER=1, and then says it skipped.
/// (Runs this test binary again on just that test, with Chromium hidden.)
#[test]
fn the_browser_test_cannot_pass_without_a_browser() {
    let me = std::env::current_exe().unwrap();
    let run = |ci: Option<&str>, skip: Option<&str>| {
        let mut cmd = std::process::Command::new(&me);
        cmd.args(["report_loads_in_headless_chromium_offline_without_errors", "--exact", "--nocapture"])
            .env("CHROMIUM", "/nonexistent/chromium")
            .env_remove("CI")
            .env_remove("ESCALATE_SKIP_BROWSER");
        if let Some(v) = ci {
            cmd.env("CI", v);
        }
        if let Some(v) = skip {
            cmd.env("ESCALATE_SKIP_BROWSER", v);
        }
        let out = cmd.output().unwrap();
        (
            out.status.success(),
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
        )
    };
    let (ok, text) = run(Some("true"), Some("1"));
    assert!(!ok && text.contains("CI: Chromium not found"), "{text}");
    let (ok, text) = run(None, None);
    assert!(!ok && text.contains("ESCALATE_SKIP_BROWSER=1"), "{text}");
    let (ok, text) = run(None, Some("1"));
    assert!(ok && text.contains("SKIPPED report_loads_in_headless_chromium"), "{text}");
    assert!(text.contains("1 passed"), "the filter must select the browser test: {text}");
}
