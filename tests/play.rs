//! End-to-end tests of the teaching wargame on the real binary: `escalate play`
//! (scripted, piped and tmux-driven sessions, save and resume) and `escalate debrief`.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use tempfile::TempDir;

/// A small classroom scenario: three states, five turns, a false-flag wiper on turn 2.
const SMALL: &str = r#"ScenarioFile(
    name: "Classroom",
    horizon: Horizon(turns: 5),
    actors: [
        ActorDef(id: "A", name: "Alpha", commitments: [CommitmentDef(norm_set: "paris-call")]),
        ActorDef(id: "B", name: "Beta"),
        ActorDef(id: "C", name: "Gamma", commitments: [CommitmentDef(norm_set: "paris-call")]),
    ],
    rivalries: [RivalryDef(a: "A", b: "B", tension: 0.6), RivalryDef(a: "B", b: "C", tension: 0.4)],
    infrastructure: [
        AssetDef(id: "a-grid", owner: "A", sector: Power, name: "Alpha grid"),
        AssetDef(id: "a-banks", owner: "A", sector: Finance, name: "Alpha banks"),
        AssetDef(id: "b-grid", owner: "B", sector: Power, name: "Beta grid"),
        AssetDef(id: "c-grid", owner: "C", sector: Power, name: "Gamma grid"),
    ],
    injects: [
        InjectDef(turn: 2, event: Operation(actor: "B", action: "wiper", target: "a-grid", apparent: Some("C")),
            report: "Alpha's grid operators lose control of their substations."),
    ],
)
"#;

/// Decisions of both teams for turns `from..=to` of the rehearsal script.
fn script(from: u32, to: u32) -> String {
    let turns = [
        (1, r#"Decision(actor: "A", action: "harden"), Decision(actor: "B", action: "espionage", target: "A")"#),
        (2, r#"Decision(actor: "A", action: "espionage", target: "b-grid"), Decision(actor: "B", action: "nothing")"#),
        (3, r#"Decision(actor: "A", action: "harden"), Decision(actor: "B", action: "ddos", target: "A")"#),
        (
            4,
            // Alpha has not yet pinned the wiper on Beta, so talks with Beta are not on its
            // menu; Beta, which knows what it did, may offer them.
            r#"Decision(actor: "A", action: "harden"), Decision(actor: "B", action: "talks", target: "A")"#,
        ),
        (5, r#"Decision(actor: "A", action: "build-capacity"), Decision(actor: "B", action: "harden")"#),
    ];
    let mut out = String::from("// Rehearsal script\nSession(\n    turns: [\n");
    for (t, d) in turns.iter().filter(|(t, _)| (from..=to).contains(t)) {
        out.push_str(&format!("        Turn(turn: {t}, decisions: [{d}]),\n"));
    }
    out.push_str("    ],\n)\n");
    out
}

/// The same decisions as typed at the prompt, turn by turn, team by team.
const TYPED: [&str; 10] = [
    "harden",
    "espionage A",
    "espionage b-grid",
    "nothing",
    "harden",
    "ddos A",
    "harden",
    "talks A",
    "build-capacity",
    "harden",
];

fn escalate(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("escalate").expect("the escalate binary is built");
    cmd.env("NO_COLOR", "1").current_dir(dir);
    cmd
}

fn dir_with(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "failed: {}\nstderr:\n{}", out.status, text(&out.stderr));
    text(&out.stdout)
}

/// Runs a command expected to fail with exit code 2; returns its stderr.
fn invalid(out: Output) -> String {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "expected exit 2, got {}; stderr:\n{err}", out.status);
    err
}

fn play_scripted(dir: &Path, decisions: &str, save: &str) -> String {
    ok(escalate(dir)
        .args(["play", "small.ron", "--as", "A,B", "--seed", "4", "--decisions", decisions, "--save", save])
        .write_stdin("")
        .output()
        .unwrap())
}

/// The summary block printed at the end of a session.
fn summary(stdout: &str) -> &str {
    let start = stdout.find("EXERCISE OVER").expect("the session ended");
    let end = stdout[start..].find("\nSaved to").map_or(stdout.len(), |e| start + e);
    &stdout[start..end]
}

#[test]
fn scripted_session_runs_end_to_end_and_debriefs() {
    let d = dir_with(&[("small.ron", SMALL), ("d.ron", &script(1, 5))]);
    let out = play_scripted(d.path(), "d.ron", "s.ron");
    for want in [
        "SITUATION REPORT · Alpha (A) · week 1 of 5",
        "SITUATION REPORT · Beta (B) · week 5 of 5",
        "YOUR INFRASTRUCTURE",
        "INTELLIGENCE",
        "ESCALATION LADDER",
        "SANCTIONS IN FORCE",
        "INJECTS AND REPORTS",
        "Alpha's grid operators lose control",
        "OPTIONS FOR ALPHA (week 1)",
        "posturing (+4)",
        "breaks paris-call:1 \"Protect individuals and infrastructure\" — you are bound by it",
        "→ Alpha (scripted):",
        "EXERCISE OVER",
    ] {
        assert!(out.contains(want), "stdout lacks {want:?}:\n{out}");
    }
    // Intelligence names a suspect with a confidence word, never the truth.
    assert!(out.contains(" confidence: "), "{out}");
    assert!(!out.contains("WRONG") && !out.contains("(wrong)"), "the sitrep must not reveal the truth:\n{out}");
    let save = std::fs::read_to_string(d.path().join("s.ron")).unwrap();
    assert!(save.contains("teams: [\"A\", \"B\"]") && save.contains("seed: 4") && save.contains("scenario: r#\""));

    let report = ok(escalate(d.path()).args(["debrief", "s.ron", "--runs", "40", "--out", "deb"]).output().unwrap());
    assert!(report.contains("of the engine's runs"), "{report}");
    let quiet = ok(escalate(d.path())
        .args(["debrief", "s.ron", "--runs", "40", "--out", "deb-q", "--quiet"])
        .output()
        .unwrap());
    assert!(quiet.is_empty(), "--quiet prints nothing: {quiet}");
    assert!(d.path().join("deb-q/debrief.md").is_file());
    let md = std::fs::read_to_string(d.path().join("deb/debrief.md")).unwrap();
    for want in [
        "# After-action report: Classroom",
        "## How your class compares with the engine alone",
        "## Timeline of the exercise",
        "TEAM Alpha: Harden own infrastructure",
        "## Each team's decisions and what followed",
        "## Norm compliance ledger",
        "made to look like Gamma",
        "(40 simulated runs)",
        "![Total escalation score",
    ] {
        assert!(md.contains(want), "debrief.md lacks {want:?}:\n{md}");
    }
    let html = std::fs::read_to_string(d.path().join("deb/debrief.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("<table>"));
    assert!(
        !html.contains("<link") && !html.contains("<script") && !html.contains(" src="),
        "HTML must be self-contained"
    );
    for png in ["escalation-score.png", "score-per-turn.png", "highest-rung.png", "outcome.png"] {
        let bytes = std::fs::read(d.path().join("deb/charts").join(png)).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{png} is a PNG");
    }
}

#[test]
fn same_seed_and_decisions_give_the_same_session() {
    let d = dir_with(&[("small.ron", SMALL), ("d.ron", &script(1, 5))]);
    let a = play_scripted(d.path(), "d.ron", "a.ron");
    let b = play_scripted(d.path(), "d.ron", "b.ron");
    assert_eq!(a.replace("a.ron", "X"), b.replace("b.ron", "X"));
    assert_eq!(std::fs::read(d.path().join("a.ron")).unwrap(), std::fs::read(d.path().join("b.ron")).unwrap());
}

#[test]
fn save_and_resume_equals_an_uninterrupted_session() {
    let d = dir_with(&[("small.ron", SMALL), ("d.ron", &script(1, 5)), ("d12.ron", &script(1, 2))]);
    let full = play_scripted(d.path(), "d.ron", "full.ron");

    // Turns 1–2 from a script; input ends at turn 3's prompt: saved, stopped cleanly.
    let part = play_scripted(d.path(), "d12.ron", "part.ron");
    assert!(part.contains("Input ended: saved to part.ron (2 turn(s) played)"), "{part}");
    assert!(!part.contains("EXERCISE OVER"));

    // Resume; Alpha decides turn 3, then Beta saves and quits mid-turn.
    let input = format!("{}\ns\n", TYPED[4]);
    let mid = ok(escalate(d.path())
        .args(["play", "--resume", "part.ron", "--save", "resumed.ron"])
        .write_stdin(input)
        .output()
        .unwrap());
    assert!(mid.contains("Resumed after 2 turn(s)"), "{mid}");
    assert!(mid.contains("Saved to resumed.ron"), "{mid}");
    let saved = std::fs::read_to_string(d.path().join("resumed.ron")).unwrap();
    assert!(
        saved.contains(
            "Turn(turn: 3, decisions: [\n            Decision(actor: \"A\", action: \"harden\"),\n        ])"
        )
    );

    // Resume again (saving back to the same file) and type the rest.
    let rest = TYPED[5..].join("\n") + "\n";
    let end = ok(escalate(d.path()).args(["play", "--resume", "resumed.ron"]).write_stdin(rest).output().unwrap());
    assert_eq!(summary(&full), summary(&end));
    assert_eq!(
        std::fs::read_to_string(d.path().join("full.ron")).unwrap(),
        std::fs::read_to_string(d.path().join("resumed.ron")).unwrap(),
        "the resumed session's save equals the uninterrupted one's, byte for byte"
    );
    let debrief = |save: &str, out: &str| {
        ok(escalate(d.path()).args(["debrief", save, "--runs", "20", "--out", out]).output().unwrap());
        std::fs::read_to_string(d.path().join(out).join("debrief.md")).unwrap()
    };
    assert_eq!(debrief("full.ron", "d1"), debrief("resumed.ron", "d2"));
}

#[test]
fn interactive_session_over_a_pipe_reasks_invalid_answers() {
    let d = dir_with(&[("small.ron", SMALL)]);
    // Turn 1: junk, out of range, empty (then no, not "do nothing"), a closed option,
    // then 0. Turns 2–5: do nothing.
    let input = "abc\n99\n\nn\nsanctions B\n0\n0\n0\n0\n0\n";
    let out = ok(escalate(d.path())
        .args(["play", "small.ron", "--as", "A", "--seed", "2"])
        .write_stdin(input)
        .output()
        .unwrap());
    assert!(out.contains("`abc` is not an option: type a number from 0 to"), "{out}");
    assert!(out.contains("`99` is not an option"), "{out}");
    assert!(out.contains("Do nothing this turn? [y/N]"), "{out}");
    assert!(out.contains("`sanctions` against `B` is not open to Alpha on this turn"), "{out}");
    assert!(out.contains("→ Alpha: 0. Do nothing this turn"), "{out}");
    assert!(out.contains("EXERCISE OVER"), "{out}");
    assert!(out.contains("Run with --save FILE"), "{out}");
    // `?` prints help; `q` then `y` quits without saving.
    let out = ok(escalate(d.path())
        .args(["play", "small.ron", "--as", "A", "--save", "q.ron"])
        .write_stdin("?\nq\ny\n")
        .output()
        .unwrap());
    assert!(out.contains("save the exercise and quit") && out.contains("Quit without saving."), "{out}");
}

fn bad_file(body: &str) -> String {
    let d = dir_with(&[("small.ron", SMALL), ("bad.ron", body)]);
    invalid(
        escalate(d.path())
            .args(["play", "small.ron", "--as", "A,B", "--seed", "4", "--decisions", "bad.ron"])
            .write_stdin("")
            .output()
            .unwrap(),
    )
}

fn one_decision(turn: u32, decision: &str) -> String {
    format!(
        "Session(\n    turns: [\n        Turn(turn: {turn}, decisions: [\n            {decision},\n        ]),\n    ],\n)\n"
    )
}

#[test]
fn bad_decision_files_are_refused_with_located_messages() {
    let err = bad_file(&one_decision(1, r#"Decision(actor: "A", action: "nuke")"#));
    assert!(
        err.contains("unknown action `nuke`") && err.contains("bad.ron:4:") && err.contains("known actions"),
        "{err}"
    );

    let err = bad_file(&one_decision(1, r#"Decision(actor: "A", action: "protest", target: "ZZZ")"#));
    assert!(err.contains("unknown target `ZZZ`") && err.contains("known actors: A, B, C"), "{err}");

    let err = bad_file(&one_decision(9, r#"Decision(actor: "A", action: "harden")"#));
    assert!(err.contains("turn 9 is out of range: the scenario lasts 5 turns") && err.contains("bad.ron:3:"), "{err}");

    let err = bad_file(&one_decision(1, r#"Decision(actor: "C", action: "harden")"#));
    assert!(err.contains("Gamma (C) is not played by a team") && err.contains("teams in this session: A, B"), "{err}");

    let err = bad_file(&one_decision(
        1,
        r#"Decision(actor: "A", action: "harden"), Decision(actor: "A", action: "nothing")"#,
    ));
    assert!(err.contains("A has two decisions on turn 1"), "{err}");

    // Valid everywhere, but not open on its turn: found when the script replays.
    let err = bad_file(&one_decision(1, r#"Decision(actor: "A", action: "sanctions", target: "B")"#));
    assert!(err.contains("turn 1: `sanctions` against `B` is not open to Alpha on this turn"), "{err}");
    assert!(err.contains("Options open to Alpha now: nothing,") && err.contains("harden"), "{err}");

    // Malformed: a missing comma, a missing field, not RON at all.
    let err = bad_file("Session(turns: [Turn(turn: 1 decisions: [])])\n");
    assert!(err.contains("bad.ron:1:"), "{err}");
    let err = bad_file("Session(turns: [Turn(turn: 1, decisions: [Decision(actor: \"A\")])])\n");
    assert!(err.contains("missing field `action`"), "{err}");
    let err = bad_file("");
    assert!(err.contains("the file is empty"), "{err}");
    let err = bad_file("Session(seed: 7)\n");
    assert!(err.contains("made with seed 7, but this session uses seed 4") && err.contains("--seed 7"), "{err}");
}

#[test]
fn bad_command_lines_and_tampered_saves_exit_2() {
    let d = dir_with(&[("small.ron", SMALL), ("d.ron", &script(1, 2))]);
    let err = invalid(escalate(d.path()).args(["play", "small.ron", "--as", "Q"]).output().unwrap());
    assert!(err.contains("unknown actor `Q`"), "{err}");
    let err = invalid(escalate(d.path()).args(["play", "small.ron"]).output().unwrap());
    assert!(err.contains("--as"), "{err}");

    play_scripted(d.path(), "d.ron", "s.ron");
    let save = std::fs::read_to_string(d.path().join("s.ron")).unwrap();
    std::fs::write(d.path().join("t.ron"), save.replace("tension: 0.6", "tension: 0.9")).unwrap();
    let err = invalid(escalate(d.path()).args(["play", "--resume", "t.ron"]).output().unwrap());
    assert!(err.contains("the save file was edited"), "{err}");
    let err = invalid(escalate(d.path()).args(["debrief", "d.ron"]).output().unwrap());
    assert!(err.contains("this is not a save file"), "{err}");
    let missing = escalate(d.path()).args(["debrief", "nope.ron"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(3));
}

// ------------------------------------------------------------------ tmux

fn tmux(args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("tmux").args(args).output().ok()?;
    out.status.success().then(|| text(&out.stdout))
}

/// Waits until the pane shows `needle` at least `count` times.
fn wait_for(target: &str, needle: &str, count: usize) -> String {
    let start = Instant::now();
    loop {
        let pane = tmux(&["capture-pane", "-p", "-J", "-S", "-3000", "-t", target]).unwrap_or_default();
        if pane.matches(needle).count() >= count {
            return pane;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {needle:?} (x{count}); pane:\n{pane}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn tmux_driven_session_types_answers_at_the_prompt() {
    if tmux(&["-V"]).is_none() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let d = dir_with(&[("small.ron", SMALL)]);
    let bin = env!("CARGO_BIN_EXE_escalate");
    let name = format!("escalate-test-{}", std::process::id());
    let cmd = format!(
        "cd '{}' && '{bin}' play small.ron --as A --seed 3 --save s.ron; echo SESSION-DONE; sleep 60",
        d.path().display()
    );
    tmux(&["new-session", "-d", "-s", &name, "-x", "160", "-y", "50", &cmd]).expect("tmux starts a session");
    let target = format!("{name}:0");
    let prompt = "your decision [";
    let result = std::panic::catch_unwind(|| {
        let pane = wait_for(&target, prompt, 1);
        assert!(pane.contains("SITUATION REPORT · Alpha (A) · week 1 of 5"), "{pane}");
        assert!(pane.contains("OPTIONS FOR ALPHA"), "{pane}");
        tmux(&["send-keys", "-t", &target, "zzz", "Enter"]).unwrap();
        wait_for(&target, "`zzz` is not an option", 1);
        // The prompt after the rejected answer is the second; each answer brings one more.
        for (i, answer) in ["harden", "0", "0", "0", "0"].into_iter().enumerate() {
            wait_for(&target, prompt, i + 2);
            tmux(&["send-keys", "-t", &target, answer, "Enter"]).unwrap();
        }
        let pane = wait_for(&target, "SESSION-DONE", 1);
        assert!(pane.contains("EXERCISE OVER") && pane.contains("Saved to s.ron"), "{pane}");
    });
    let _ = tmux(&["kill-session", "-t", &name]);
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
    let save = std::fs::read_to_string(d.path().join("s.ron")).unwrap();
    assert!(save.contains("Decision(actor: \"A\", action: \"harden\")"), "{save}");
}
