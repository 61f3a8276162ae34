//! Fault-injection tests of the real binary (issue 14): damaged, truncated, duplicated
//! and forged shards are refused by `merge`; concurrent writers never destroy each
//! other's finished results; signals stop every writing command cleanly with the
//! documented exit codes; odd paths and arguments get clear answers.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{escalate, merge};
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

const RUNS: &str = "300";

fn batch(out: &Path, extra: &[&str]) {
    common::batch(out, RUNS, extra);
}

fn three_shards(tmp: &Path, extra: &[&str]) -> Vec<PathBuf> {
    common::three_shards(tmp, "part", RUNS, extra)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_slice(&read(&dir.join("manifest.json"))).expect("manifest.json is JSON")
}

fn edit_manifest(dir: &Path, f: impl FnOnce(&mut Value)) {
    let mut m = manifest(dir);
    f(&mut m);
    std::fs::write(dir.join("manifest.json"), serde_json::to_string_pretty(&m).unwrap()).unwrap();
}

fn entries_starting_with(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.path())
        .collect()
}

/// Damages part 1 of a fresh set of shards with `damage`, then expects `merge` to refuse
/// with exit 2, naming the part and the file, and to write nothing.
fn refused_after(damage: impl FnOnce(&Path), file: &str, why: &str) {
    let tmp = TempDir::new().unwrap();
    let parts = three_shards(tmp.path(), &[]);
    damage(&parts[1]);
    let out = tmp.path().join("merged");
    merge(&parts, &out)
        .code(2)
        .stderr(predicate::str::contains(format!("part {}: {file}", parts[1].display())))
        .stderr(predicate::str::contains(why));
    assert!(!out.exists(), "a refused merge writes nothing");
    assert!(entries_starting_with(tmp.path(), ".merged").is_empty(), "nor a partial directory");
}

fn rewrite(path: &Path, f: impl FnOnce(Vec<u8>) -> Vec<u8>) {
    let bytes = read(path);
    std::fs::write(path, f(bytes)).unwrap();
}

// ------------------------------------------------------------ verified merges

#[test]
fn merge_refuses_a_runs_table_cut_in_half() {
    refused_after(|d| rewrite(&d.join("runs.csv"), |b| b[..b.len() / 2].to_vec()), "runs.csv", "bytes");
}

#[test]
fn merge_refuses_a_runs_table_cut_mid_line() {
    refused_after(|d| rewrite(&d.join("runs.csv"), |b| b[..b.len() - 7].to_vec()), "runs.csv", "truncated or extended");
}

#[test]
fn merge_refuses_a_runs_table_missing_one_row() {
    refused_after(
        |d| {
            rewrite(&d.join("runs.csv"), |b| {
                let text = String::from_utf8(b).unwrap();
                let mut lines: Vec<&str> = text.lines().collect();
                lines.remove(5);
                (lines.join("\n") + "\n").into_bytes()
            })
        },
        "runs.csv",
        "bytes",
    );
}

#[test]
fn merge_refuses_an_empty_runs_table() {
    refused_after(|d| std::fs::write(d.join("runs.csv"), "").unwrap(), "runs.csv", "0 bytes");
}

#[test]
fn merge_refuses_appended_duplicate_rows() {
    refused_after(
        |d| {
            rewrite(&d.join("runs.csv"), |b| {
                let text = String::from_utf8(b).unwrap();
                let dup: String = text.lines().skip(1).take(10).map(|l| format!("{l}\n")).collect();
                (text + &dup).into_bytes()
            })
        },
        "runs.csv",
        "truncated or extended",
    );
}

#[test]
fn merge_refuses_an_edited_state_of_the_same_length() {
    refused_after(
        |d| {
            rewrite(&d.join("state.json"), |mut b| {
                // Change one digit: same length, same shape, different numbers.
                let i = b.iter().rposition(|c| c.is_ascii_digit() && *c != b'9').unwrap();
                b[i] += 1;
                b
            })
        },
        "state.json",
        "SHA-256 does not match",
    );
}

#[test]
fn merge_refuses_a_relabelled_seed_even_in_every_part() {
    let tmp = TempDir::new().unwrap();
    let parts = three_shards(tmp.path(), &[]);
    for p in &parts {
        edit_manifest(p, |m| m["master_seed"] = 7.into());
    }
    merge(&parts, &tmp.path().join("merged"))
        .code(2)
        .stderr(predicate::str::contains("runs.csv"))
        .stderr(predicate::str::contains("which is not the seed of run 0 under master seed 7"));
    assert!(!tmp.path().join("merged").exists());
}

#[test]
fn merge_refuses_a_forged_run_range() {
    refused_after(
        |d| {
            edit_manifest(d, |m| {
                m["run_first"] = 100.into();
                m["run_end"] = 250.into();
            })
        },
        "manifest.json",
        "runs 100..250 are not those of shard 1/3",
    );
}

#[test]
fn merge_refuses_duplicate_rows_even_with_a_recomputed_checksum() {
    // A forger who appends rows and fixes the recorded length and hash is still caught:
    // the row count no longer matches the part's runs, nor do the run indices.
    refused_after(
        |d| {
            let path = d.join("runs.csv");
            rewrite(&path, |b| {
                let text = String::from_utf8(b).unwrap();
                let dup: String = text.lines().skip(1).take(3).map(|l| format!("{l}\n")).collect();
                (text + &dup).into_bytes()
            });
            let bytes = read(&path);
            let sha = sha256(&bytes);
            edit_manifest(d, |m| {
                for f in m["files"].as_array_mut().unwrap() {
                    if f["path"] == "runs.csv" {
                        f["bytes"] = (bytes.len() as u64).into();
                        f["rows"] = 103.into();
                        f["sha256"] = sha.clone().into();
                    }
                }
            });
        },
        "runs.csv",
        "103 rows for the 100 runs 100..200",
    );
}

#[test]
fn merge_refuses_a_manifest_without_checksums() {
    refused_after(
        |d| edit_manifest(d, |m| m["files"] = Value::Array(Vec::new())),
        "manifest.json",
        "records no file checksums",
    );
}

#[test]
fn merge_refuses_a_deleted_file_the_manifest_records() {
    refused_after(|d| std::fs::remove_file(d.join("turns.csv")).unwrap(), "turns.csv", "No such file");
}

#[test]
fn a_short_scenario_hash_is_refused_without_a_panic() {
    refused_after(
        |d| edit_manifest(d, |m| m["scenario_sha256"] = "abc".into()),
        "manifest.json",
        "scenario_sha256 `abc` is not a SHA-256",
    );
}

#[test]
fn a_merged_manifest_records_its_parts_and_files() {
    let tmp = TempDir::new().unwrap();
    let parts = three_shards(tmp.path(), &[]);
    let out = tmp.path().join("merged");
    merge(&parts, &out).success();
    let m = manifest(&out);
    let recorded = m["parts"].as_array().expect("parts are recorded");
    assert_eq!(recorded.len(), 3);
    for (k, (p, dir)) in recorded.iter().zip(&parts).enumerate() {
        assert_eq!(p["shard"], serde_json::json!({ "k": k, "n": 3 }));
        assert_eq!(p["run_first"].as_u64(), Some(100 * k as u64));
        assert_eq!(p["manifest_sha256"].as_str(), Some(sha256(&read(&dir.join("manifest.json"))).as_str()));
    }
    let runs = m["files"].as_array().unwrap().iter().find(|f| f["path"] == "runs.csv").expect("runs.csv recorded");
    assert_eq!(runs["rows"].as_u64(), Some(300));
    assert_eq!(runs["bytes"].as_u64(), Some(read(&out.join("runs.csv")).len() as u64));
    assert_eq!(runs["sha256"].as_str(), Some(sha256(&read(&out.join("runs.csv"))).as_str()));
    // The merged directory is itself a verified part: it merges on its own.
    merge(std::slice::from_ref(&out), &tmp.path().join("again")).success();
    assert_eq!(read(&out.join("runs.csv")), read(&tmp.path().join("again/runs.csv")));
}

#[test]
fn merge_refuses_a_damaged_variant_of_a_compare_shard() {
    let tmp = TempDir::new().unwrap();
    let parts: Vec<PathBuf> = (0..2)
        .map(|k| {
            let out = tmp.path().join(format!("cmp-{k}"));
            escalate()
                .args(["compare", "--variants", "base,us-signs", "--runs", "100", "--quiet", "--no-charts"])
                .args(["--shard", &format!("{k}/2"), "--out"])
                .arg(&out)
                .assert()
                .success();
            out
        })
        .collect();
    rewrite(&parts[1].join("us-signs/runs.csv"), |b| b[..b.len() - 1].to_vec());
    merge(&parts, &tmp.path().join("merged"))
        .code(2)
        .stderr(predicate::str::contains(format!("part {}: us-signs/runs.csv", parts[1].display())));
    assert!(!tmp.path().join("merged").exists());
}

fn sha256(bytes: &[u8]) -> String {
    let out = std::process::Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(bytes)?;
            c.wait_with_output()
        })
        .expect("sha256sum runs");
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_string()
}

fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------- safe output

/// The path a losing writer says its results were kept in.
fn kept_in(stderr: &str) -> PathBuf {
    let rest = stderr.split("results are kept in ").nth(1).unwrap_or_else(|| panic!("no `kept in` in: {stderr}"));
    PathBuf::from(rest.split(" (rename it").next().unwrap())
}

fn runs_of(dir: &Path) -> usize {
    String::from_utf8(read(&dir.join("runs.csv"))).unwrap().lines().count() - 1
}

#[test]
fn two_batches_writing_one_out_never_lose_a_finished_result() {
    for _ in 0..3 {
        let tmp = TempDir::new().unwrap();
        let out = tmp.path().join("results");
        let spawn = |seed: &str| {
            std::process::Command::new(env!("CARGO_BIN_EXE_escalate"))
                .args(["batch", "--no-charts", "--quiet", "--threads", "1", "--runs", "1200", "--seed", seed])
                .arg("--out")
                .arg(&out)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn("1"), spawn("2"));
        let results = [("1", a.wait_with_output().unwrap()), ("2", b.wait_with_output().unwrap())];
        let winners: Vec<&str> = results.iter().filter(|(_, o)| o.status.success()).map(|(s, _)| *s).collect();
        assert_eq!(winners.len(), 1, "exactly one writer gets --out");
        assert_eq!(manifest(&out)["master_seed"].to_string(), winners[0], "--out holds the winner's results");
        assert_eq!(runs_of(&out), 1200);
        let (seed, loser) = results.iter().find(|(_, o)| !o.status.success()).unwrap();
        let stderr = String::from_utf8_lossy(&loser.stderr);
        assert_eq!(loser.status.code(), Some(3), "stderr: {stderr}");
        if stderr.contains("already exists") {
            // The loser found --out taken before it started: it wrote nothing.
            assert_eq!(entries_starting_with(tmp.path(), ".results").len(), 0);
            continue;
        }
        let kept = kept_in(&stderr);
        assert!(kept.is_dir(), "the loser's results are where it says: {stderr}");
        assert_eq!(manifest(&kept)["master_seed"].to_string(), *seed);
        assert_eq!(runs_of(&kept), 1200, "and complete");
    }
}

#[test]
fn a_batch_never_renames_over_a_directory_that_appears_while_it_runs() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("results");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_escalate"))
        .args(["batch", "--no-charts", "--quiet", "--threads", "1", "--runs", "2000", "--out"])
        .arg(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("the partial directory", Duration::from_secs(30), || {
        !entries_starting_with(tmp.path(), ".results.partial-").is_empty()
    });
    // Someone else's (empty) directory: a plain rename would silently replace it.
    std::fs::create_dir(&out).unwrap();
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "stderr: {stderr}");
    assert!(std::fs::read_dir(&out).unwrap().next().is_none(), "the other directory is untouched");
    let kept = kept_in(&stderr);
    assert_eq!(runs_of(&kept), 2000, "the batch's results are kept where it says");
    assert!(kept.join("manifest.json").is_file());
}

// -------------------------------------------------------------------- signals

fn spawn_in(dir: &Path, args: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_escalate"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the escalate binary starts")
}

/// Sends `sig` once `ready` holds, then expects exit `code`, a message saying so, and
/// nothing but `keep` left in `dir`.
fn stop_with(
    mut child: std::process::Child,
    dir: &Path,
    ready: impl FnMut() -> bool,
    sig: &str,
    code: i32,
    keep: &[&str],
) {
    wait_until("the command to start writing", Duration::from_secs(60), ready);
    std::thread::sleep(Duration::from_millis(300));
    let ok = std::process::Command::new("kill").args([sig, &child.id().to_string()]).status().unwrap();
    assert!(ok.success());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{sig} did not stop the command");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(code), "{sig}: stderr: {stderr}");
    assert!(stderr.contains("interrupted by") && stderr.contains("no partial results were kept"), "{stderr}");
    let mut left: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, keep, "{sig}: nothing partial is left");
}

fn has_partial(dir: &Path) -> impl FnMut() -> bool + '_ {
    move || std::fs::read_dir(dir).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().contains(".partial-"))
}

#[test]
fn sigterm_mid_batch_leaves_no_partial_dir_and_exits_143() {
    let tmp = TempDir::new().unwrap();
    let child = spawn_in(tmp.path(), &["batch", "--quiet", "--threads", "1", "--runs", "100000000", "--out", "r"]);
    stop_with(child, tmp.path(), has_partial(tmp.path()), "-TERM", 143, &[]);
}

#[test]
fn sighup_mid_batch_exits_129() {
    let tmp = TempDir::new().unwrap();
    let child = spawn_in(tmp.path(), &["batch", "--quiet", "--threads", "1", "--runs", "100000000", "--out", "r"]);
    stop_with(child, tmp.path(), has_partial(tmp.path()), "-HUP", 129, &[]);
}

#[test]
fn sigterm_stops_compare_sweep_and_calibrate_cleanly() {
    for args in [
        &["compare", "--variants", "base,us-signs", "--runs", "100000000", "--threads", "1", "--quiet", "--out", "r"][..],
        &["sweep", "--param", "parameters.norm_violation_cost=0,1", "--runs", "100000000", "--quiet", "--out", "r"],
        &["calibrate", "--runs", "100000000", "--threads", "1", "--quiet", "--out", "r"],
    ] {
        let tmp = TempDir::new().unwrap();
        let child = spawn_in(tmp.path(), args);
        stop_with(child, tmp.path(), has_partial(tmp.path()), "-TERM", 143, &[]);
    }
}

/// A three-state, five-turn classroom scenario and a save of its first two turns.
fn small_save(dir: &Path) {
    std::fs::write(
        dir.join("small.ron"),
        r#"ScenarioFile(
    name: "Classroom",
    horizon: Horizon(turns: 5),
    actors: [
        ActorDef(id: "A", name: "Alpha", commitments: [CommitmentDef(norm_set: "paris-call")]),
        ActorDef(id: "B", name: "Beta"),
    ],
    rivalries: [RivalryDef(a: "A", b: "B", tension: 0.6)],
    infrastructure: [
        AssetDef(id: "a-grid", owner: "A", sector: Power, name: "Alpha grid"),
        AssetDef(id: "b-grid", owner: "B", sector: Power, name: "Beta grid"),
    ],
)
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("d.ron"),
        r#"Session(turns: [
    Turn(turn: 1, decisions: [Decision(actor: "A", action: "harden"), Decision(actor: "B", action: "nothing")]),
    Turn(turn: 2, decisions: [Decision(actor: "A", action: "nothing"), Decision(actor: "B", action: "harden")]),
])
"#,
    )
    .unwrap();
    escalate()
        .current_dir(dir)
        .args(["play", "small.ron", "--as", "A,B", "--seed", "4", "--decisions", "d.ron", "--save", "s.ron"])
        .write_stdin("")
        .assert()
        .success();
}

#[test]
fn signals_stop_debrief_and_remove_its_partial_report() {
    for (sig, code) in [("-INT", 130), ("-TERM", 143)] {
        let tmp = TempDir::new().unwrap();
        small_save(tmp.path());
        let child =
            spawn_in(tmp.path(), &["debrief", "s.ron", "--runs", "100000000", "--threads", "1", "--out", "rep"]);
        let rep = tmp.path().join("rep");
        stop_with(child, tmp.path(), || rep.exists(), sig, code, &["d.ron", "s.ron", "small.ron"]);
    }
}

#[test]
fn sigterm_at_a_play_prompt_exits_143_and_keeps_the_save() {
    let tmp = TempDir::new().unwrap();
    small_save(tmp.path());
    let before = read(&tmp.path().join("s.ron"));
    let child = spawn_in(tmp.path(), &["play", "--resume", "s.ron"]);
    let mut waited = false;
    stop_with(
        child,
        tmp.path(),
        || std::mem::replace(&mut waited, true),
        "-TERM",
        143,
        &["d.ron", "s.ron", "small.ron"],
    );
    assert_eq!(read(&tmp.path().join("s.ron")), before);
}

// ------------------------------------------------------------------ play saves

fn play_into(dir: &Path, save: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    escalate()
        .current_dir(dir)
        .args(["play", "small.ron", "--as", "A,B", "--seed", "4", "--decisions", "d.ron", "--save", save])
        .args(extra)
        .write_stdin("")
        .assert()
}

#[test]
fn play_save_refuses_to_overwrite_an_existing_file_unless_forced() {
    let tmp = TempDir::new().unwrap();
    small_save(tmp.path());
    std::fs::write(tmp.path().join("other.ron"), "another class's save").unwrap();
    play_into(tmp.path(), "other.ron", &[])
        .code(2)
        .stdout(predicate::str::contains("SITUATION REPORT").not())
        .stderr(predicate::str::contains("other.ron already exists; refusing to overwrite it"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(read(&tmp.path().join("other.ron")), b"another class's save");
    play_into(tmp.path(), "other.ron", &["--force"]).success();
    assert!(String::from_utf8(read(&tmp.path().join("other.ron"))).unwrap().contains("checksum: "));
    // The scenario (or decision file) itself is never the save, even with --force.
    let scenario = read(&tmp.path().join("small.ron"));
    play_into(tmp.path(), "small.ron", &["--force"])
        .code(2)
        .stderr(predicate::str::contains("is the file small.ron this session reads"));
    assert_eq!(read(&tmp.path().join("small.ron")), scenario);
    // Resuming a save writes back to it without --force: it is the same session.
    escalate().current_dir(tmp.path()).args(["play", "--resume", "s.ron"]).write_stdin("").assert().success();
}

#[test]
fn an_unwritable_save_path_is_refused_before_turn_one() {
    let tmp = TempDir::new().unwrap();
    small_save(tmp.path());
    play_into(tmp.path(), "no-such-dir/s.ron", &[])
        .code(3)
        .stdout(predicate::str::contains("SITUATION REPORT").not())
        .stderr(predicate::str::contains("cannot write the save file no-such-dir/s.ron"));
    play_into(tmp.path(), ".", &[]).code(2).stderr(predicate::str::contains("is a directory"));
}

#[test]
fn a_tampered_or_future_save_is_refused() {
    let tmp = TempDir::new().unwrap();
    small_save(tmp.path());
    let save = String::from_utf8(read(&tmp.path().join("s.ron"))).unwrap();
    assert!(save.contains("    version: 2,\n") && save.contains("    checksum: \""), "{save}");
    let cases = [
        ("seed.ron", save.replace("seed: 4,", "seed: 5,"), "the save file was edited"),
        ("decision.ron", save.replacen("\"harden\"", "\"nothing\"", 1), "the save file was edited"),
        ("future.ron", save.replace("version: 2,", "version: 99,"), "format version 99 is not one this escalate reads"),
        (
            "nosum.ron",
            save.lines().filter(|l| !l.starts_with("    checksum: ")).map(|l| format!("{l}\n")).collect(),
            "has no `checksum`",
        ),
    ];
    for (name, text, why) in cases {
        assert_ne!(text, save, "{name} is edited");
        std::fs::write(tmp.path().join(name), &text).unwrap();
        for cmd in [&["play", "--resume", name][..], &["debrief", name, "--runs", "5"]] {
            escalate()
                .current_dir(tmp.path())
                .args(cmd)
                .write_stdin("")
                .assert()
                .code(2)
                .stderr(predicate::str::contains(why));
        }
        assert_eq!(read(&tmp.path().join(name)), text.as_bytes(), "a refused save is left as it was");
    }
    // The untouched save still resumes.
    escalate().current_dir(tmp.path()).args(["debrief", "s.ron", "--runs", "5"]).assert().success();
}

// ------------------------------------------------------------------ arguments

#[test]
fn threads_above_four_per_core_are_refused_at_once() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let tmp = TempDir::new().unwrap();
    let too_many = (4 * cores + 1).to_string();
    for cmd in [
        &["batch", "--runs", "100", "--threads", "100000"][..],
        &["batch", "--runs", "100", "--threads", &too_many],
        &["compare", "--variants", "base,us-signs", "--runs", "10", "--threads", "100000"],
        &["calibrate", "--runs", "10", "--threads", "100000"],
    ] {
        let start = Instant::now();
        escalate()
            .current_dir(tmp.path())
            .args(cmd)
            .args(["--quiet", "--no-charts", "--out", "r"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("is more than 4 × the {cores} core")))
            .stderr(predicate::str::contains(format!("use at most {}", 4 * cores)));
        assert!(start.elapsed() < Duration::from_secs(10), "{cmd:?} answers at once");
        assert!(!tmp.path().join("r").exists());
    }
    // The bound itself is accepted.
    let max = (4 * cores).to_string();
    escalate()
        .current_dir(tmp.path())
        .args(["batch", "--runs", "20", "--threads", &max, "--quiet", "--no-charts", "--out", "r"])
        .assert()
        .success();
}

#[test]
fn out_names_as_long_as_the_file_system_allows_work() {
    let tmp = TempDir::new().unwrap();
    for len in [240, 255] {
        let name = "x".repeat(len);
        batch(&tmp.path().join(&name), &[]);
        assert!(tmp.path().join(&name).join("manifest.json").is_file(), "a {len}-byte name works");
        assert_eq!(runs_of(&tmp.path().join(&name)), 300);
    }
    // One byte more than the file system takes is an I/O error, not a panic.
    escalate()
        .args(["batch", "--runs", "10", "--quiet", "--no-charts", "--out"])
        .arg(tmp.path().join("y".repeat(256)))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("cannot create"));
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(left.len(), 2, "no partial directory is left");
}

#[test]
fn non_utf8_paths_work_in_batch_merge_compare_and_sweep() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let tmp = TempDir::new().unwrap();
    let odd = |s: &str| tmp.path().join(OsStr::from_bytes(&[s.as_bytes(), b"-\xff\xfe"].concat()));
    let scenario = odd("scenario.ron");
    std::fs::copy("scenarios/paris-call-2018.ron", &scenario).unwrap();
    let whole = odd("whole");
    escalate().arg("batch").arg(&scenario).args(["--runs", "60", "--quiet", "--out"]).arg(&whole).assert().success();
    assert!(whole.join("manifest.json").is_file() && whole.join("charts").is_dir());
    let parts: Vec<PathBuf> = (0..2)
        .map(|k| {
            let p = odd(&format!("part{k}"));
            escalate()
                .arg("batch")
                .arg(&scenario)
                .args(["--runs", "60", "--quiet", "--no-charts", "--shard", &format!("{k}/2"), "--out"])
                .arg(&p)
                .assert()
                .success();
            p
        })
        .collect();
    let merged = odd("merged");
    merge(&parts, &merged).success();
    assert_eq!(read(&merged.join("runs.csv")), read(&whole.join("runs.csv")));
    let cmp = odd("compare");
    escalate()
        .arg("compare")
        .arg(&scenario)
        .args(["--variants", "base,us-signs", "--runs", "20", "--quiet", "--out"])
        .arg(&cmp)
        .assert()
        .success();
    assert!(cmp.join("manifest.json").is_file());
    let sweep = odd("sweep");
    escalate()
        .arg("sweep")
        .arg(&scenario)
        .args(["--param", "parameters.norm_violation_cost=0,1", "--runs", "20", "--quiet", "--out"])
        .arg(&sweep)
        .assert()
        .success();
    assert!(sweep.join("manifest.json").is_file());
}

#[test]
fn a_full_disk_while_drawing_charts_is_an_io_error() {
    // A 300 KiB tmpfs in a private mount namespace: the tables of a 30-run batch fit,
    // its first PNG chart does not.
    let works = std::process::Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs -o size=16k none /mnt"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !works {
        // CI runs as root and must run this test; elsewhere it cannot run.
        assert!(std::env::var_os("CI").is_none(), "CI cannot run the full-disk test: `unshare -m` and mount need root");
        eprintln!("skipped: needs `unshare -m` and mount (root)");
        return;
    }
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("small-disk");
    std::fs::create_dir(&dir).unwrap();
    let script = format!(
        "mount -t tmpfs -o size=300k none '{d}' && '{bin}' batch --runs 30 --quiet --out '{d}/b'; echo \"rc=$?\"; ls -A '{d}'",
        d = dir.display(),
        bin = env!("CARGO_BIN_EXE_escalate")
    );
    let out = std::process::Command::new("unshare").args(["-m", "sh", "-c", &script]).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("rc=3\n"), "exit 3 (I/O), not 1; stdout: {stdout} stderr: {stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
    assert_eq!(stdout, "rc=3\n", "nothing is left on the full disk");
}

// ---------------------------------------------------------------- diagnostics

/// A scenario whose name, actor name and asset name carry terminal escape sequences.
const ESCAPES: &str = "ScenarioFile(\n    name: \"T\u{1b}[31mRED\u{1b}]0;pwned\u{7}\",\n    horizon: Horizon(turns: 5),\n    actors: [ActorDef(id: \"A\", name: \"Al\u{1b}[2Jpha\"), ActorDef(id: \"B\", name: \"B<&>\")],\n    rivalries: [RivalryDef(a: \"A\", b: \"B\", tension: 0.6)],\n    infrastructure: [AssetDef(id: \"a-grid\", owner: \"A\", sector: Power, name: \"grid\u{1}\")],\n)\n";

fn has_control(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| (b < 0x20 && !matches!(b, b'\n' | b'\t' | b'\r')) || b == 0x7f)
}

#[test]
fn control_characters_in_scenario_text_never_reach_the_terminal() {
    let tmp = TempDir::new().unwrap();
    std::fs::write(tmp.path().join("esc.ron"), ESCAPES).unwrap();
    let out = escalate().current_dir(tmp.path()).args(["run", "esc.ron", "--seed", "1"]).output().unwrap();
    assert!(out.status.success());
    assert!(!has_control(&out.stdout), "{}", String::from_utf8_lossy(&out.stdout));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("T\\u{1b}[31mRED"), "escaped visibly: {stdout}");
    let out = escalate().current_dir(tmp.path()).args(["validate", "esc.ron"]).output().unwrap();
    assert!(out.status.success() && !has_control(&out.stdout));
    // In a diagnostic: the message, the hint and the file's own lines.
    let bad = ESCAPES.replace("b: \"B\"", "b: \"B\u{1b}]0;x\u{7}\"");
    std::fs::write(tmp.path().join("bad.ron"), bad).unwrap();
    let out = escalate().current_dir(tmp.path()).args(["validate", "bad.ron"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!has_control(&out.stderr), "{stderr}");
    assert!(stderr.contains("no actor has the id `B\\u{1b}]0;x\\u{7}`"), "{stderr}");
}

#[test]
fn control_characters_never_reach_svg_or_html() {
    let tmp = TempDir::new().unwrap();
    std::fs::write(tmp.path().join("esc.ron"), ESCAPES).unwrap();
    escalate()
        .current_dir(tmp.path())
        .args(["batch", "esc.ron", "--runs", "20", "--quiet", "--out", "b"])
        .assert()
        .success();
    let charts: Vec<PathBuf> = std::fs::read_dir(tmp.path().join("b/charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    assert!(!charts.is_empty());
    for f in charts.iter().chain([&tmp.path().join("b/report.html")]) {
        let bytes = read(f);
        assert!(!has_control(&bytes), "{} holds a control character", f.display());
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains("B<&>"), "{}: markup in names is escaped", f.display());
    }
}

#[test]
fn the_hint_for_a_proxy_without_a_sponsor_is_what_the_parser_accepts() {
    let tmp = TempDir::new().unwrap();
    let with = "ScenarioFile(\n    name: \"T\",\n    horizon: Horizon(turns: 5),\n    actors: [\n        ActorDef(id: \"A\", name: \"Alpha\"),\n        ActorDef(id: \"B\", name: \"Beta\"),\n        ActorDef(id: \"P\", name: \"Prox\", kind: Proxy, sponsor: Some(\"A\")),\n    ],\n    rivalries: [RivalryDef(a: \"A\", b: \"B\", tension: 0.6)],\n)\n";
    std::fs::write(tmp.path().join("without.ron"), with.replace(", sponsor: Some(\"A\")", "")).unwrap();
    let out = escalate().current_dir(tmp.path()).args(["validate", "without.ron"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("add `sponsor: Some(\"STATE\")`"), "{stderr}");
    // Doing what the hint says gives a valid file.
    std::fs::write(tmp.path().join("with.ron"), with).unwrap();
    escalate().current_dir(tmp.path()).args(["validate", "with.ron"]).assert().success();
}

#[test]
fn a_fraction_where_a_whole_number_belongs_is_named_as_such() {
    let tmp = TempDir::new().unwrap();
    std::fs::write(
        tmp.path().join("f.ron"),
        "ScenarioFile(\n    name: \"T\",\n    horizon: Horizon(turns: 16.5),\n    actors: [ActorDef(id: \"A\", name: \"Alpha\")],\n)\n",
    )
    .unwrap();
    escalate()
        .current_dir(tmp.path())
        .args(["validate", "f.ron"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a fraction where a whole number is expected"))
        .stderr(predicate::str::contains("f.ron:3:"))
        .stderr(predicate::str::contains("expected a comma").not());
}

// -------------------------------------------------------------------- resume

const RESULTS: [&str; 5] = ["runs.csv", "turns.csv", "summary.json", "state.json", "scenario.ron"];

/// Starts `batch ARGS --out OUT`, kills it with SIGKILL once its checkpoint has reached
/// run `at`, and returns the checkpointed run it was killed after.
fn kill_after_checkpoint(dir: &Path, args: &[&str], at: u64) -> u64 {
    let mut child = spawn_in(dir, args);
    let mut next = 0;
    wait_until("a checkpoint", Duration::from_secs(60), || {
        let found =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).find(|p| p.join("resume.json").is_file());
        if let Some(p) = found
            && let Ok(bytes) = std::fs::read(p.join("resume.json"))
            && let Ok(v) = serde_json::from_slice::<Value>(&bytes)
        {
            next = v["next"].as_u64().unwrap_or(0);
        }
        next >= at
    });
    child.kill().unwrap();
    child.wait().unwrap();
    next
}

#[test]
fn a_resumed_batch_equals_an_uninterrupted_one_at_several_interruption_points() {
    let tmp = TempDir::new().unwrap();
    let args = ["batch", "--runs", "4000", "--threads", "1", "--quiet", "--no-charts"];
    let whole = tmp.path().join("whole");
    escalate().args(args).arg("--out").arg(&whole).assert().success();
    for at in [1, 1500, 3000] {
        let run = tmp.path().join(format!("run-{at}"));
        std::fs::create_dir(&run).unwrap();
        let mut a = args.to_vec();
        a.extend(["--out", "r"]);
        let next = kill_after_checkpoint(&run, &a, at);
        assert!(next < 4000, "killed before the end ({next})");
        assert!(!run.join("r").exists(), "a killed batch has no --out");
        // Resume by the --out it was given, on another thread count.
        escalate()
            .current_dir(&run)
            .args(["batch", "--resume", "r", "--threads", "2", "--quiet", "--no-charts"])
            .assert()
            .success();
        for f in RESULTS {
            assert!(read(&whole.join(f)) == read(&run.join("r").join(f)), "{f} differs after resuming from run {next}");
        }
        let left: Vec<_> = std::fs::read_dir(&run).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("r")], "the partial directory became --out");
        assert!(!run.join("r/resume.json").exists(), "the checkpoint is not part of the results");
    }
}

#[test]
fn a_resumed_batch_with_events_in_json_lines_equals_an_uninterrupted_one() {
    let tmp = TempDir::new().unwrap();
    let args = ["batch", "--runs", "600", "--threads", "1", "--quiet", "--events", "--format", "jsonl"];
    let whole = tmp.path().join("whole");
    escalate().args(args).arg("--out").arg(&whole).assert().success();
    let run = tmp.path().join("run");
    std::fs::create_dir(&run).unwrap();
    let mut a = args.to_vec();
    a.extend(["--out", "r"]);
    let next = kill_after_checkpoint(&run, &a, 100);
    let partial = std::fs::read_dir(&run).unwrap().next().unwrap().unwrap().path();
    // Resume by naming the partial directory itself; it also merges as a verified part.
    escalate().args(["batch", "--resume"]).arg(&partial).arg("--quiet").assert().success();
    for f in ["runs.jsonl", "turns.jsonl", "events.jsonl", "summary.json", "state.json"] {
        assert!(read(&whole.join(f)) == read(&run.join("r").join(f)), "{f} differs after resuming from run {next}");
    }
    merge(&[run.join("r")], &tmp.path().join("m")).success();
}

/// Every file of `dir` (recursively) but the manifests and HTML reports, which carry
/// the creation time and wall time of the command that wrote them.
fn result_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.is_dir() {
                todo.push(p);
            } else if name != "manifest.json" && !name.ends_with(".html") {
                out.push((p.strip_prefix(dir).unwrap().to_path_buf(), read(&p)));
            }
        }
    }
    out.sort();
    out
}

/// `compare` and `sweep` killed at several points and resumed give the bytes of an
/// uninterrupted run, charts included.
#[test]
fn a_resumed_compare_and_sweep_equal_uninterrupted_ones_at_several_interruption_points() {
    let tmp = TempDir::new().unwrap();
    let cases: [(&str, Vec<&str>, [u64; 2]); 2] = [
        (
            "compare",
            vec!["compare", "--variants", "base,us-signs", "--runs", "3000", "--threads", "1", "--quiet"],
            [1, 2000],
        ),
        (
            "sweep",
            vec![
                "sweep",
                "--param",
                "parameters.choice_temperature=0.5,1,2",
                "--runs",
                "2000",
                "--threads",
                "1",
                "--quiet",
            ],
            [1, 1200],
        ),
    ];
    for (command, args, points) in cases {
        let whole = tmp.path().join(format!("{command}-whole"));
        escalate().args(&args).arg("--out").arg(&whole).assert().success();
        let want = result_files(&whole);
        assert!(want.len() >= 5, "{command}: {} files", want.len());
        for at in points {
            let run = tmp.path().join(format!("{command}-{at}"));
            std::fs::create_dir(&run).unwrap();
            let mut a = args.clone();
            a.extend(["--out", "r"]);
            let next = kill_after_checkpoint(&run, &a, at);
            assert!(!run.join("r").exists(), "a killed {command} has no --out");
            escalate()
                .current_dir(&run)
                .args([command, "--resume", "r", "--threads", "2", "--quiet"])
                .assert()
                .success();
            let got = result_files(&run.join("r"));
            assert_eq!(got.len(), want.len(), "{command}: the resumed directory holds other files");
            for ((f, a), (_, b)) in want.iter().zip(&got) {
                assert!(a == b, "{command}: {} differs after resuming from run {next}", f.display());
            }
            let left: Vec<_> = std::fs::read_dir(&run).unwrap().map(|e| e.unwrap().file_name()).collect();
            assert_eq!(left, vec![std::ffi::OsString::from("r")], "{command}: the partial directory became --out");
        }
    }
    // A checkpoint is resumed only by the command that wrote it.
    let run = tmp.path().join("wrong-command");
    std::fs::create_dir(&run).unwrap();
    kill_after_checkpoint(
        &run,
        &["compare", "--variants", "base,us-signs", "--runs", "3000", "--threads", "1", "--quiet", "--out", "r"],
        1,
    );
    for (cmd, says) in [("sweep", "is an interrupted `compare`"), ("batch", "not a batch checkpoint")] {
        escalate()
            .current_dir(&run)
            .args([cmd, "--resume", "r"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
}

#[test]
fn resume_refuses_what_it_cannot_resume() {
    let tmp = TempDir::new().unwrap();
    batch(&tmp.path().join("done"), &[]);
    escalate()
        .current_dir(tmp.path())
        .args(["batch", "--resume", "done"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a finished batch: there is nothing to resume"));
    escalate()
        .current_dir(tmp.path())
        .args(["batch", "--resume", "never"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no interrupted batch to resume"));
    escalate()
        .current_dir(tmp.path())
        .args(["batch", "--resume", "never", "--runs", "5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn a_batch_still_running_cannot_be_resumed_by_another_process() {
    let tmp = TempDir::new().unwrap();
    let mut child = spawn_in(tmp.path(), &["batch", "--runs", "100000000", "--threads", "1", "--quiet", "--out", "r"]);
    wait_until("a checkpoint", Duration::from_secs(60), || {
        std::fs::read_dir(tmp.path()).unwrap().any(|e| e.unwrap().path().join("resume.json").is_file())
    });
    escalate()
        .current_dir(tmp.path())
        .args(["batch", "--resume", "r", "--quiet"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("is being written by another escalate process"));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn sigterm_stops_a_merge_even_while_it_reads_its_parts() {
    let tmp = TempDir::new().unwrap();
    let parts = three_shards(tmp.path(), &[]);
    // A part whose table is a FIFO nobody writes: the merge blocks reading it.
    let turns = parts[1].join("turns.csv");
    std::fs::remove_file(&turns).unwrap();
    assert!(std::process::Command::new("mkfifo").arg(&turns).status().unwrap().success());
    let args = ["merge", "part-0", "part-1", "part-2", "--out", "merged", "--quiet"];
    let mut started = false;
    let child = spawn_in(tmp.path(), &args);
    stop_with(
        child,
        tmp.path(),
        || std::mem::replace(&mut started, true),
        "-TERM",
        143,
        &["part-0", "part-1", "part-2"],
    );
}

#[test]
fn empty_shards_of_a_small_batch_still_merge() {
    let tmp = TempDir::new().unwrap();
    let whole = tmp.path().join("whole");
    escalate().args(["batch", "--runs", "2", "--quiet", "--no-charts", "--out"]).arg(&whole).assert().success();
    let parts: Vec<PathBuf> = (0..3)
        .map(|k| {
            let p = tmp.path().join(format!("p{k}"));
            escalate()
                .args(["batch", "--runs", "2", "--quiet", "--no-charts", "--shard", &format!("{k}/3"), "--out"])
                .arg(&p)
                .assert()
                .success();
            p
        })
        .collect();
    assert_eq!(manifest(&parts[0])["run_end"].as_u64(), Some(0), "shard 0 of 3 of 2 runs is empty");
    let merged = tmp.path().join("merged");
    merge(&parts, &merged).success();
    assert_eq!(read(&merged.join("runs.csv")), read(&whole.join("runs.csv")));
}
