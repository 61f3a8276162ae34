//! End-to-end tests of `escalate batch` and `escalate merge` on the real binary:
//! results do not depend on the thread count or on sharding, merge refuses parts that
//! do not make one batch, an interrupted batch leaves nothing that looks finished, and
//! bad arguments get clear errors with the documented exit codes (`src/exit.rs`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{escalate, merge};
use predicates::prelude::*;
use tempfile::TempDir;

/// Small enough to stay fast, large enough to span several blocks of runs per thread.
const RUNS: &str = "300";

/// Files whose bytes must not depend on threads or sharding (the manifest records
/// how the batch was made, so it naturally differs).
const RESULT_FILES: [&str; 5] = ["runs.csv", "turns.csv", "summary.json", "state.json", "scenario.ron"];

/// Runs `escalate batch --no-charts --quiet --runs RUNS --out OUT EXTRA...` and expects success.
fn batch(out: &Path, extra: &[&str]) {
    common::batch(out, RUNS, extra);
}

fn three_shards(tmp: &Path, prefix: &str, extra: &[&str]) -> Vec<PathBuf> {
    common::three_shards(tmp, prefix, RUNS, extra)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn assert_same_results(a: &Path, b: &Path) {
    for f in RESULT_FILES {
        let (x, y) = (read(&a.join(f)), read(&b.join(f)));
        assert!(x == y, "{f} differs between {} and {}", a.display(), b.display());
    }
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&read(&dir.join("manifest.json"))).expect("manifest.json is JSON")
}

/// Entries of `dir` whose names start with `prefix` (hidden partial directories included).
fn entries_starting_with(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.path())
        .collect()
}

// ---------------------------------------------------------------- determinism

#[test]
fn one_thread_and_two_write_the_same_bytes() {
    let tmp = TempDir::new().unwrap();
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    batch(&one, &["--threads", "1"]);
    batch(&two, &["--threads", "2"]);
    assert_same_results(&one, &two);
    let rows = String::from_utf8(read(&one.join("runs.csv"))).unwrap();
    assert_eq!(rows.lines().count(), 301, "a header and one row per run");
    assert_eq!(manifest(&one)["threads"], 1);
    assert_eq!(manifest(&two)["threads"], 2);
}

#[test]
fn the_same_holds_for_json_lines() {
    let tmp = TempDir::new().unwrap();
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    batch(&one, &["--threads", "1", "--format", "jsonl"]);
    batch(&two, &["--threads", "2", "--format", "jsonl"]);
    for f in ["runs.jsonl", "turns.jsonl", "summary.json", "state.json"] {
        assert!(read(&one.join(f)) == read(&two.join(f)), "{f} differs");
    }
}

#[test]
fn three_shards_merged_equal_one_batch() {
    let tmp = TempDir::new().unwrap();
    let whole = tmp.path().join("whole");
    batch(&whole, &[]);
    let parts = three_shards(tmp.path(), "part", &[]);
    let m = manifest(&parts[1]);
    assert_eq!((m["run_first"].as_u64(), m["run_end"].as_u64()), (Some(100), Some(200)));
    assert_eq!(m["shard"], serde_json::json!({ "k": 1, "n": 3 }));

    // The order parts are listed in does not matter.
    let merged = tmp.path().join("merged");
    merge(&[parts[2].clone(), parts[0].clone(), parts[1].clone()], &merged).success();
    assert_same_results(&whole, &merged);
    let m = manifest(&merged);
    assert_eq!((m["run_first"].as_u64(), m["run_end"].as_u64()), (Some(0), Some(300)));
    assert_eq!(m["merged_from"].as_array().map(Vec::len), Some(3));
}

#[test]
fn shards_merge_equal_one_batch_in_json_lines_too() {
    let tmp = TempDir::new().unwrap();
    let whole = tmp.path().join("whole");
    batch(&whole, &["--format", "jsonl"]);
    let parts = three_shards(tmp.path(), "part", &["--format", "jsonl"]);
    let merged = tmp.path().join("merged");
    merge(&parts, &merged).success();
    for f in ["runs.jsonl", "turns.jsonl", "summary.json", "state.json"] {
        assert!(read(&whole.join(f)) == read(&merged.join(f)), "{f} differs");
    }
}

#[test]
fn shards_with_events_merge_equal_one_batch() {
    let tmp = TempDir::new().unwrap();
    let whole = tmp.path().join("whole");
    batch(&whole, &["--events"]);
    let parts = three_shards(tmp.path(), "part", &["--events"]);
    let merged = tmp.path().join("merged");
    merge(&parts, &merged).success();
    assert_same_results(&whole, &merged);
    assert!(read(&whole.join("events.jsonl")) == read(&merged.join("events.jsonl")), "events.jsonl differs");
}

// ------------------------------------------------------------ merge refusals

#[test]
fn merge_refuses_an_incomplete_set_of_shards() {
    let tmp = TempDir::new().unwrap();
    let parts = three_shards(tmp.path(), "part", &[]);
    let out = tmp.path().join("merged");
    merge(&[parts[0].clone(), parts[2].clone()], &out)
        .code(2)
        .stderr(predicate::str::contains("runs 100..200 are missing"));
    merge(&parts[..2], &out).code(2).stderr(predicate::str::contains("runs 200..300 are missing"));
    merge(&parts[1..], &out).code(2).stderr(predicate::str::contains("runs 0..100 are missing"));
    assert!(!out.exists(), "a refused merge writes nothing");
    assert!(entries_starting_with(tmp.path(), ".merged").is_empty());
}

#[test]
fn merge_refuses_a_duplicate_shard() {
    let tmp = TempDir::new().unwrap();
    let mut parts = three_shards(tmp.path(), "part", &[]);
    // The same shard listed twice, and a second copy of a shard from another directory.
    let again = tmp.path().join("part-1-again");
    batch(&again, &["--shard", "1/3"]);
    merge(&[parts[0].clone(), parts[1].clone(), parts[1].clone(), parts[2].clone()], &tmp.path().join("m1"))
        .code(2)
        .stderr(predicate::str::contains("duplicate shard"));
    parts.push(again);
    merge(&parts, &tmp.path().join("m2")).code(2).stderr(predicate::str::contains("repeats runs 100..200"));
}

#[test]
fn merge_refuses_parts_of_different_batches() {
    let tmp = TempDir::new().unwrap();
    let parts = three_shards(tmp.path(), "part", &[]);
    let out = tmp.path().join("merged");

    let other_seed = tmp.path().join("seed-7");
    batch(&other_seed, &["--shard", "2/3", "--seed", "7"]);
    merge(&[parts[0].clone(), parts[1].clone(), other_seed], &out)
        .code(2)
        .stderr(predicate::str::contains("not parts of the same batch: the master seed differs (2018 vs 7)"));

    let other_runs = tmp.path().join("runs-330");
    escalate()
        .args(["batch", "--no-charts", "--quiet", "--runs", "330", "--shard", "2/3", "--out"])
        .arg(&other_runs)
        .assert()
        .success();
    merge(&[parts[0].clone(), parts[1].clone(), other_runs], &out)
        .code(2)
        .stderr(predicate::str::contains("the number of runs differs (300 vs 330)"));

    // The default scenario with one more comment line is a different scenario file.
    let variant = tmp.path().join("variant.ron");
    let text = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/paris-call-2018.ron"));
    std::fs::write(&variant, [text.as_slice(), b"\n// a variant\n"].concat()).unwrap();
    let other_scenario = tmp.path().join("variant-part");
    escalate()
        .args(["batch", "--no-charts", "--quiet", "--runs", RUNS, "--shard", "2/3", "--out"])
        .arg(&other_scenario)
        .arg(&variant)
        .assert()
        .success();
    merge(&[parts[0].clone(), parts[1].clone(), other_scenario], &out)
        .code(2)
        .stderr(predicate::str::contains("the scenario differs"));

    let other_format = tmp.path().join("jsonl-part");
    batch(&other_format, &["--shard", "2/3", "--format", "jsonl"]);
    merge(&[parts[0].clone(), parts[1].clone(), other_format], &out)
        .code(2)
        .stderr(predicate::str::contains("the output format or --events differs (csv vs jsonl)"));

    let with_events = tmp.path().join("events-part");
    batch(&with_events, &["--shard", "2/3", "--events"]);
    merge(&[parts[0].clone(), parts[1].clone(), with_events], &out)
        .code(2)
        .stderr(predicate::str::contains("the output format or --events differs (csv vs csv with --events)"));
    assert!(!out.exists());
}

#[test]
fn merge_refuses_a_directory_without_a_manifest() {
    let tmp = TempDir::new().unwrap();
    let parts = three_shards(tmp.path(), "part", &[]);
    std::fs::remove_file(parts[1].join("manifest.json")).unwrap();
    merge(&parts, &tmp.path().join("merged"))
        .code(2)
        .stderr(predicate::str::contains("has no readable manifest.json"))
        .stderr(predicate::str::contains("not a finished batch directory"));
    // A directory that does not exist at all is an I/O error.
    merge(&[parts[0].clone(), tmp.path().join("nowhere")], &tmp.path().join("merged"))
        .code(3)
        .stderr(predicate::str::contains("nowhere"));
}

#[test]
fn merge_refuses_an_edited_scenario() {
    let tmp = TempDir::new().unwrap();
    let parts = three_shards(tmp.path(), "part", &[]);
    let path = parts[0].join("scenario.ron");
    let text = [read(&path).as_slice(), b"\n// edited\n"].concat();
    std::fs::write(&path, text).unwrap();
    merge(&parts, &tmp.path().join("merged"))
        .code(2)
        .stderr(predicate::str::contains("scenario.ron"))
        .stderr(predicate::str::contains("refusing to merge it"));
}

// ---------------------------------------------------------------- --shard auto

#[test]
fn shard_auto_reads_a_slurm_job_array() {
    let tmp = TempDir::new().unwrap();
    let whole = tmp.path().join("whole");
    batch(&whole, &[]);
    // An array submitted as --array=1-3: task ids 1, 2, 3 are shards 0, 1, 2.
    let parts: Vec<PathBuf> = (1..=3)
        .map(|task| {
            let out = tmp.path().join(format!("part-{task}"));
            escalate()
                .env("SLURM_ARRAY_TASK_ID", task.to_string())
                .env("SLURM_ARRAY_TASK_COUNT", "3")
                .env("SLURM_ARRAY_TASK_MIN", "1")
                .args(["batch", "--no-charts", "--quiet", "--runs", RUNS, "--shard", "auto", "--out"])
                .arg(&out)
                .assert()
                .success();
            assert_eq!(manifest(&out)["shard"], serde_json::json!({ "k": task - 1, "n": 3 }));
            out
        })
        .collect();
    let merged = tmp.path().join("merged");
    merge(&parts, &merged).success();
    assert_same_results(&whole, &merged);
}

#[test]
fn shard_auto_reads_a_kubernetes_indexed_job() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("k8s");
    escalate()
        .env("JOB_COMPLETION_INDEX", "1")
        .env("ESCALATE_SHARD_COUNT", "4")
        .args(["batch", "--no-charts", "--quiet", "--runs", RUNS, "--shard", "auto", "--out"])
        .arg(&out)
        .assert()
        .success();
    let m = manifest(&out);
    assert_eq!(m["shard"], serde_json::json!({ "k": 1, "n": 4 }));
    assert_eq!((m["run_first"].as_u64(), m["run_end"].as_u64()), (Some(75), Some(150)));

    escalate()
        .env("JOB_COMPLETION_INDEX", "2")
        .args(["batch", "--no-charts", "--quiet", "--runs", RUNS, "--shard", "auto", "--out"])
        .arg(tmp.path().join("no-count"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("neither ESCALATE_SHARD_COUNT nor JOB_COMPLETIONS"));
}

#[test]
fn shard_auto_without_a_scheduler_is_a_clear_error() {
    let tmp = TempDir::new().unwrap();
    escalate()
        .args(["batch", "--no-charts", "--quiet", "--runs", RUNS, "--shard", "auto", "--out"])
        .arg(tmp.path().join("x"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--shard auto found neither SLURM_ARRAY_TASK_ID"));
    assert!(!tmp.path().join("x").exists());
}

// ------------------------------------------------------------- interruptions

/// Starts a batch far too long to finish during the test.
fn spawn_long_batch(out: &Path) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_escalate"))
        .args(["batch", "--no-charts", "--quiet", "--threads", "1", "--runs", "100000000", "--out"])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the escalate binary starts")
}

/// Waits until the batch has started writing (its hidden partial directory exists).
fn wait_for_partial_dir(dir: &Path, prefix: &str) {
    let start = Instant::now();
    while entries_starting_with(dir, prefix).is_empty() {
        assert!(start.elapsed() < Duration::from_secs(30), "the batch never created its partial directory");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &std::process::Child, sig: &str) {
    let ok = std::process::Command::new("kill").args([sig, &child.id().to_string()]).status().unwrap();
    assert!(ok.success(), "kill {sig} failed");
}

#[test]
fn an_interrupted_batch_leaves_nothing_behind() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("results");
    let mut child = spawn_long_batch(&out);
    wait_for_partial_dir(tmp.path(), ".results.partial-");
    std::thread::sleep(Duration::from_secs(1));
    signal(&child, "-INT");
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(130), "stderr: {stderr}");
    assert!(stderr.contains("interrupted"), "stderr: {stderr}");
    assert!(!out.exists(), "no finished-looking directory");
    assert_eq!(entries_starting_with(tmp.path(), ".results"), Vec::<PathBuf>::new(), "no partial directory left");
}

#[test]
fn a_killed_batch_leaves_nothing_that_looks_finished() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("results");
    let mut child = spawn_long_batch(&out);
    wait_for_partial_dir(tmp.path(), ".results.partial-");
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, "-KILL");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by a signal");
    assert!(!out.exists(), "no directory named like --out");
    let partial = entries_starting_with(tmp.path(), ".results.partial-");
    assert_eq!(partial.len(), 1, "the hidden partial directory may remain");
    assert!(!partial[0].join("manifest.json").exists(), "but it has no manifest");
    // ...so merge refuses it as unfinished.
    merge(&partial, &tmp.path().join("merged")).code(2).stderr(predicate::str::contains("not a finished batch"));
}

// ------------------------------------------------------------ bad arguments

fn batch_fails(args: &[&str], code: i32, message: &str) {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    escalate()
        .args(["batch", "--no-charts", "--quiet", "--out"])
        .arg(&out)
        .args(args)
        .assert()
        .code(code)
        .stdout("")
        .stderr(predicate::str::contains(message));
    assert!(!out.exists(), "{args:?} must not leave an output directory");
    assert!(entries_starting_with(tmp.path(), ".out").is_empty(), "{args:?} must not leave a partial directory");
}

#[test]
fn zero_runs_is_invalid() {
    batch_fails(&["--runs", "0"], 2, "--runs must be at least 1");
}

#[test]
fn zero_threads_is_invalid() {
    batch_fails(&["--runs", "10", "--threads", "0"], 2, "--threads must be at least 1");
}

#[test]
fn a_shard_index_must_be_below_the_count() {
    batch_fails(&["--runs", "10", "--shard", "3/3"], 2, "shard index 3 must be less than the shard count 3");
    batch_fails(&["--runs", "10", "--shard", "0/0"], 2, "the shard count N must be at least 1");
}

#[test]
fn a_shard_must_be_k_of_n() {
    batch_fails(&["--runs", "10", "--shard", "x"], 2, "shard `x` is not of the form K/N");
    batch_fails(&["--runs", "10", "--shard", "a/3"], 2, "shard index `a` is not a whole number");
}

#[test]
fn an_unknown_format_is_invalid() {
    batch_fails(&["--runs", "10", "--format", "xml"], 2, "invalid value 'xml' for '--format <FORMAT>'");
}

#[test]
fn an_unwritable_output_directory_is_an_io_error() {
    escalate()
        .args(["batch", "--no-charts", "--quiet", "--runs", "10", "--out", "/proc/escalate-test"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("cannot create /proc/escalate-test"));
    escalate()
        .args(["batch", "--no-charts", "--quiet", "--runs", "10", "--out", "/dev/null/escalate-test"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("cannot create /dev/null/escalate-test"));
}

#[test]
fn an_existing_output_directory_is_never_overwritten() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    escalate()
        .args(["batch", "--no-charts", "--quiet", "--runs", "10", "--out"])
        .arg(&out)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(read(&out.join("keep.txt")), b"mine");
}

#[test]
fn merge_needs_parts_and_an_output() {
    escalate().args(["merge", "--out", "x"]).assert().code(2).stderr(predicate::str::contains("<PARTS>"));
    escalate().args(["merge", "a"]).assert().code(2).stderr(predicate::str::contains("--out"));
}

/// The finished directories under `DIR/output/`, sorted.
fn default_dirs(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("output"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for n in &names {
        assert!(!n.starts_with('.'), "a partial directory was left: {n}");
        assert!(dir.join("output").join(n).join("manifest.json").is_file(), "{n} is not complete");
    }
    names
}

/// `for s in 1 2 3; do escalate batch --seed $s; done`, then the same seed again in
/// the same second: every batch succeeds, each in its own directory, named after the
/// scenario and the seed (README: default output names never collide).
#[test]
fn default_output_names_never_collide() {
    let tmp = TempDir::new().unwrap();
    let run = |seed: &str| {
        escalate()
            .current_dir(tmp.path())
            .args(["batch", "--runs", "3", "--no-charts", "--seed", seed])
            .assert()
            .success()
            .stdout(predicate::str::contains(format!("Results: output/paris-call-2018-seed{seed}-")));
    };
    for seed in ["1", "2", "3", "3", "3"] {
        run(seed);
    }
    let names = default_dirs(tmp.path());
    assert_eq!(names.len(), 5, "{names:?}");
    for seed in ["1", "2", "3"] {
        assert!(names.iter().any(|n| n.starts_with(&format!("paris-call-2018-seed{seed}-"))), "{names:?}");
    }
    // Same seed three times (usually within one second): three directories, never refused.
    assert_eq!(names.iter().filter(|n| n.contains("-seed3-")).count(), 3, "{names:?}");
}

/// Commands started at the same moment with the same seed all finish, in different
/// directories; compare and sweep name theirs the same way.
#[test]
fn concurrent_batches_with_one_seed_each_get_a_directory() {
    let tmp = TempDir::new().unwrap();
    let bin = env!("CARGO_BIN_EXE_escalate");
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(bin)
                .current_dir(tmp.path())
                .args(["batch", "--runs", "20", "--no-charts", "--quiet", "--threads", "1"])
                .env("NO_COLOR", "1")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    escalate()
        .current_dir(tmp.path())
        .args(["compare", "--variants", "base,us-signs", "--runs", "3", "--no-charts", "--quiet", "--seed", "9"])
        .assert()
        .success();
    escalate()
        .current_dir(tmp.path())
        .args(["sweep", "--param", "parameters.norm_violation_cost=0,1", "--runs", "3", "--no-charts", "--quiet"])
        .assert()
        .success();
    let names = default_dirs(tmp.path());
    assert_eq!(names.iter().filter(|n| n.starts_with("paris-call-2018-seed2018-")).count(), 4, "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("paris-call-2018-compare-seed9-")), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("paris-call-2018-sweep-seed2018-")), "{names:?}");
}
