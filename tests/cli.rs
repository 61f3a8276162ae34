//! End-to-end tests of the real `escalate` binary: exit codes, diagnostics on stderr,
//! the narrative and JSON Lines on stdout, and byte-for-byte reproducibility.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

const DEFAULT: &str = "scenarios/paris-call-2018.ron";

/// A small valid scenario: a grid wiper on turn 2, then a few turns of play.
const SMALL: &str = r#"ScenarioFile(
    name: "Small",
    horizon: Horizon(turns: 6),
    actors: [
        ActorDef(id: "A", name: "Alpha", commitments: [CommitmentDef(norm_set: "paris-call")]),
        ActorDef(id: "B", name: "Beta"),
    ],
    rivalries: [RivalryDef(a: "A", b: "B", tension: 0.6)],
    infrastructure: [
        AssetDef(id: "a-grid", owner: "A", sector: Power),
        AssetDef(id: "b-grid", owner: "B", sector: Power),
    ],
    injects: [InjectDef(turn: 2, event: Operation(actor: "B", action: "wiper", target: "a-grid"))],
)
"#;

const BROKEN: &str = r#"ScenarioFile(
    name: "Broken",
    horizon: Horizon(turns: 4),
    actors: [
        ActorDef(id: "A", name: "Alpha"),
        ActorDef(id: "A", name: "Beta", capabilities: (offense: 2.0)),
    ],
)
"#;

fn escalate() -> Command {
    let mut cmd = Command::cargo_bin("escalate").expect("the escalate binary is built");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// A temp dir holding the given files; commands run inside it so paths stay short.
fn dir_with(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn stdout_of(args: &[&str]) -> Vec<u8> {
    let out = escalate().args(args).current_dir(repo("")).output().unwrap();
    assert!(out.status.success(), "{args:?} failed: {out:?}");
    out.stdout
}

// ------------------------------------------------------------------ validate

#[test]
fn validate_accepts_the_shipped_scenario() {
    escalate()
        .current_dir(repo(""))
        .args(["validate", DEFAULT])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(format!("ok: {DEFAULT}")))
        .stdout(predicate::str::contains("24 actors"))
        .stderr("");
}

#[test]
fn validate_reports_invalid_files_with_line_and_column() {
    let dir = dir_with(&[("broken.ron", BROKEN.as_bytes())]);
    let out = escalate()
        .current_dir(dir.path())
        .args(["validate", "broken.ron"])
        .assert()
        .code(2)
        .stdout("")
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("broken.ron:6:22"), "{stderr}");
    assert!(stderr.contains("broken.ron:6:65"), "{stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn validate_short_prints_one_line_per_problem() {
    let dir = dir_with(&[("broken.ron", BROKEN.as_bytes())]);
    let out = escalate()
        .current_dir(dir.path())
        .args(["validate", "--short", "broken.ron"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    insta::assert_snapshot!(String::from_utf8(out.stderr).unwrap(), @r"
    broken.ron:6:22: duplicate actor id `A` (first used at actors[0])
    broken.ron:6:65: offense is 2, outside 0..=1
    ");
}

#[test]
fn validate_missing_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    escalate()
        .current_dir(dir.path())
        .args(["validate", "no-such-file.ron"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no-such-file.ron"));
}

#[test]
fn validate_a_directory_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    escalate()
        .current_dir(dir.path())
        .args(["validate", "."])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("directory"));
}

#[test]
fn validate_checks_every_file_and_exits_with_the_worst_code() {
    let dir = dir_with(&[("small.ron", SMALL.as_bytes()), ("broken.ron", BROKEN.as_bytes())]);
    // Invalid and valid together: both reported, exit 2.
    let out = escalate()
        .current_dir(dir.path())
        .args(["validate", "--short", "broken.ron", "small.ron"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stdout.starts_with("ok: small.ron"), "{stdout}");
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    // A missing file outranks an invalid one: exit 3, and the others are still checked.
    escalate()
        .current_dir(dir.path())
        .args(["validate", "--short", "small.ron", "missing.ron", "broken.ron"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("ok: small.ron"))
        .stderr(predicate::str::contains("broken.ron:6:22"))
        .stderr(predicate::str::contains("missing.ron"));
    // All valid: exit 0, one line each.
    escalate()
        .current_dir(dir.path())
        .args(["validate", "small.ron", "small.ron"])
        .assert()
        .code(0)
        .stdout(predicate::function(|s: &str| s.lines().count() == 2));
}

#[test]
fn validate_needs_at_least_one_file() {
    escalate().arg("validate").assert().code(2);
}

#[test]
fn validate_refuses_binary_and_huge_files_quickly() {
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    let dir = dir_with(&[("garbage.ron", &garbage)]);
    // 9 MiB: just over the limit, without writing 50 MB in the test suite.
    let big = dir.path().join("big.ron");
    std::fs::File::create(&big).unwrap().set_len(9 * 1024 * 1024).unwrap();
    escalate()
        .current_dir(dir.path())
        .args(["validate", "--short", "garbage.ron", "big.ron"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("garbage.ron:1:"))
        .stderr(predicate::str::contains("big.ron:1:1: the file is 9437184 bytes"));
}

// ------------------------------------------------------------------ run

#[test]
fn run_prints_a_narrative_with_a_summary() {
    let dir = dir_with(&[("small.ron", SMALL.as_bytes())]);
    let out = escalate()
        .current_dir(dir.path())
        .args(["run", "small.ron", "--seed", "7"])
        .assert()
        .code(0)
        .stderr("")
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Small — seed 7"), "{text}");
    assert!(text.contains("── Turn 2"), "{text}");
    assert!(text.contains("Destructive wiper attack"), "{text}");
    assert!(text.contains("\nSummary\n"), "{text}");
    assert!(text.contains("outcome:"), "{text}");
}

#[test]
fn run_without_a_scenario_uses_the_built_in_default() {
    let dir = tempfile::tempdir().unwrap();
    let builtin =
        escalate().current_dir(dir.path()).args(["run", "--seed", "5"]).assert().code(0).get_output().stdout.clone();
    assert!(builtin.starts_with("Paris Call 2018 — seed 5".as_bytes()));
    // The embedded text is the shipped file: same run either way.
    assert_eq!(builtin, stdout_of(&["run", DEFAULT, "--seed", "5"]));
}

#[test]
fn same_seed_same_bytes() {
    let a = stdout_of(&["run", DEFAULT, "--seed", "42"]);
    let b = stdout_of(&["run", DEFAULT, "--seed", "42"]);
    assert_eq!(a, b);
    let a = stdout_of(&["run", DEFAULT, "--seed", "42", "--json"]);
    let b = stdout_of(&["run", DEFAULT, "--seed", "42", "--json"]);
    assert_eq!(a, b);
}

#[test]
fn different_seeds_differ() {
    let a = stdout_of(&["run", DEFAULT, "--seed", "1"]);
    let b = stdout_of(&["run", DEFAULT, "--seed", "2"]);
    assert_ne!(a, b);
}

#[test]
fn json_lines_end_with_a_summary() {
    let out = stdout_of(&["run", DEFAULT, "--seed", "3", "--json"]);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<serde_json::Value> =
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect();
    assert!(lines.len() > 2);
    for l in &lines[..lines.len() - 1] {
        assert!(l["turn"].as_u64().is_some(), "{l}");
        assert!(l["event"].is_string(), "{l}");
        assert_ne!(l["event"], "summary");
    }
    let end = &lines[lines.len() - 2];
    assert_eq!(end["event"], "end");
    let summary = lines.last().unwrap();
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["scenario"], "Paris Call 2018");
    assert_eq!(summary["seed"], 3);
    let turns = summary["turns_played"].as_u64().unwrap();
    assert_eq!(summary["score"].as_array().unwrap().len() as u64, turns);
    assert_eq!(end["turns"].as_u64(), Some(turns));
    assert_eq!(end["outcome"], summary["outcome"]);
}

#[test]
fn run_with_an_invalid_scenario_exits_2() {
    let dir = dir_with(&[("broken.ron", BROKEN.as_bytes())]);
    escalate()
        .current_dir(dir.path())
        .args(["run", "broken.ron"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("broken.ron:6:22"));
}

#[test]
fn run_with_a_missing_file_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    escalate()
        .current_dir(dir.path())
        .args(["run", "missing.ron"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("missing.ron"));
}

#[test]
fn bad_arguments_exit_2() {
    escalate().args(["run", "--seed", "minus-one"]).assert().code(2);
    escalate().arg("no-such-command").assert().code(2);
    escalate().arg("--help").assert().code(0);
}

#[test]
fn every_shipped_scenario_validates_and_runs() {
    let mut files: Vec<String> = std::fs::read_dir(repo("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .map(|p| format!("scenarios/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    let mut args = vec!["validate".to_string()];
    args.extend(files.iter().cloned());
    let out = escalate().current_dir(repo("")).args(&args).assert().code(0).get_output().stdout.clone();
    let out = String::from_utf8(out).unwrap();
    for f in &files {
        assert!(out.contains(&format!("ok: {f}")), "{out}");
        let narrative = stdout_of(&["run", f, "--seed", "11"]);
        assert!(String::from_utf8(narrative).unwrap().contains("\nSummary\n"), "{f}");
    }
}

// ------------------------------------------------------------------ conventions

/// The subcommands, as the parser defines them (help aside).
fn subcommands() -> Vec<String> {
    use clap::CommandFactory;
    escalate::cli::Cli::command().get_subcommands().map(|c| c.get_name().to_string()).collect()
}

#[test]
fn every_subcommand_and_option_has_a_description() {
    use clap::CommandFactory;
    let cli = escalate::cli::Cli::command();
    let mut missing = Vec::new();
    for sub in cli.get_subcommands() {
        if sub.get_about().is_none_or(|a| a.to_string().trim().is_empty()) {
            missing.push(format!("escalate {}", sub.get_name()));
        }
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            if arg.get_help().is_none_or(|h| h.to_string().trim().is_empty()) {
                missing.push(format!("escalate {} {}", sub.get_name(), arg.get_id()));
            }
        }
    }
    assert!(missing.is_empty(), "no help text: {missing:?}");
    // And as a user sees it: every entry of `escalate --help` has words after its name.
    let help = String::from_utf8(stdout_of(&["--help"])).unwrap();
    for name in subcommands() {
        let line = help.lines().find(|l| l.trim_start().starts_with(&format!("{name} "))).unwrap_or("");
        assert!(line.trim_start().len() > name.len() + 3, "`{name}` has no description in --help:\n{help}");
    }
}

#[test]
fn completions_are_generated_for_each_shell_from_the_parser() {
    let subs = subcommands();
    assert!(subs.iter().any(|s| s == "completions") && subs.iter().any(|s| s == "man"), "{subs:?}");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let text = String::from_utf8(stdout_of(&["completions", shell])).unwrap();
        for s in &subs {
            assert!(text.contains(s.as_str()), "{shell} completions lack `{s}`");
        }
        // Options of a subcommand are completed too.
        assert!(text.contains("variants") && text.contains("per-actor"), "{shell}");
    }
    let bash = String::from_utf8(stdout_of(&["completions", "bash"])).unwrap();
    assert!(bash.contains("complete -F _escalate") && bash.contains("escalate"), "{bash}");
    escalate()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values").and(predicate::str::contains("bash")));
}

#[test]
fn the_man_page_is_generated_from_the_parser() {
    let page = String::from_utf8(stdout_of(&["man"])).unwrap();
    assert!(page.contains(".TH escalate 1"), "{}", &page[..page.len().min(400)]);
    assert!(page.contains(".SH NAME") && page.contains(".SH SUBCOMMANDS"), "{page}");
    for s in subcommands() {
        assert!(page.contains(&format!("escalate\\-{}", s.replace('-', "\\-"))), "man page lacks `{s}`");
    }
    let dir = tempfile::tempdir().unwrap();
    escalate().arg("man").arg("--dir").arg(dir.path().join("man1")).assert().code(0).stdout("");
    for s in subcommands() {
        let p = dir.path().join("man1").join(format!("escalate-{s}.1"));
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(text.contains(".SH OPTIONS") || text.contains(".SH SYNOPSIS"), "{}", p.display());
    }
    assert!(dir.path().join("man1/escalate.1").is_file());
    let batch = std::fs::read_to_string(dir.path().join("man1/escalate-batch.1")).unwrap();
    assert!(batch.contains("\\-\\-runs") && batch.contains("\\-\\-resume"), "{batch}");
}

#[test]
fn play_usage_shows_the_scenario_as_optional() {
    for args in [&["play"][..], &["play", "scenarios/grid-wiper.ron"][..]] {
        let out = escalate().current_dir(repo("")).args(args).assert().code(2).get_output().stderr.clone();
        let err = String::from_utf8(out).unwrap();
        assert!(err.contains("--as"), "{err}");
        assert!(err.contains("[SCENARIO]") && !err.contains("<SCENARIO>"), "{args:?}: {err}");
        assert!(err.contains("--resume SAVE"), "{err}");
    }
}

#[test]
fn a_sweep_range_without_a_step_says_how_to_write_one() {
    for range in ["0..=3", "0..3"] {
        let p = format!("parameters.norm_violation_cost={range}");
        escalate()
            .args(["sweep", "--param", &p, "--runs", "2"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("range `{range}`")))
            .stderr(predicate::str::contains("has no step"))
            .stderr(predicate::str::contains("LO..=HI:STEP"))
            .stderr(predicate::str::contains("norm_violation_cost=0..=3:0.5"));
    }
}
