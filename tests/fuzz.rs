//! Fuzzing: no input, however broken, makes loading, validation, a few turns of
//! simulation or the rendering of diagnostics panic or hang.
//!
//! A proptest-driven generator mutates the shipped scenarios (byte flips,
//! truncations, duplications, splices, hostile numbers, stray tokens) and runs
//! load + validate + three turns on each. `fuzz_soak` (ignored by default) runs many
//! more cases:
//!
//! ```text
//! FUZZ_CASES=20000 cargo test --release --test fuzz -- --ignored --nocapture
//! FUZZ_SECONDS=3600 cargo test --release --test fuzz fuzz_soak -- --ignored --nocapture
//! ```

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use escalate::scenario::{LoadError, load_bytes, load_file, load_str};
use escalate::sim::Sim;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

// ------------------------------------------------------------------ the harness

/// A small scenario using most features, so that mutants often stay valid enough
/// to reach the simulation.
const SMALL: &str = r#"ScenarioFile(
    name: "Small",
    horizon: Horizon(turns: 5, turn_length: "day"),
    norm_sets: [NormSetDef(id: "club", name: "Club", principles: [PrincipleDef(id: "a", name: "A")])],
    actors: [
        ActorDef(id: "A", name: "Alpha", capabilities: (offense: 0.9, defense: 0.2),
            commitments: [CommitmentDef(norm_set: "paris-call"), CommitmentDef(norm_set: "club", from_turn: 2)]),
        ActorDef(id: "B", name: "Beta", doctrine: (risk_tolerance: 1.0, restraint: 0.0)),
        ActorDef(id: "P", name: "Proxy", kind: Proxy, sponsor: Some("B")),
        ActorDef(id: "M", name: "Firm", kind: Company, sponsor: Some("A")),
    ],
    alliances: [AllianceDef(id: "pact", kind: CollectiveDefense, members: ["A", "M"])],
    rivalries: [RivalryDef(a: "A", b: "B", tension: 0.9)],
    infrastructure: [
        AssetDef(id: "a-grid", owner: "A", sector: Power, criticality: 1.0, exposure: 0.9),
        AssetDef(id: "a-hospital", owner: "A", sector: Health),
        AssetDef(id: "b-banks", owner: "B", sector: Finance),
    ],
    asset_dependencies: [AssetDependencyDef(asset: "b-banks", on: "a-grid", strength: 0.3)],
    actions: [
        ActionDef(id: "worm", name: "Worm", purpose: Operation, targeting: Infrastructure,
            rung: Destructive, users: StatesAndProxies, sectors: [Finance, Power],
            effects: (damage: 0.9, spread: 1.0), detectability: 0.9,
            violates: ["paris-call:1"], violates_in: [SectorViolationDef(sectors: [Power], principles: ["club:a"])],
            appeal: 2.0),
    ],
    remove_actions: ["hack-back"],
    injects: [
        InjectDef(turn: 1, event: Operation(actor: "B", action: "wiper", target: "a-grid", apparent: Some("M"))),
        InjectDef(turn: 2, event: SetParameter(name: "choice_temperature", value: 0.01)),
        InjectDef(turn: 2, event: SetDoctrine(actor: "A", field: "firebreak", value: 0.0)),
        InjectDef(turn: 3, event: Commit(actor: "B", norm_set: "club"), report: "B joins"),
        InjectDef(turn: 3, event: SetTension(a: "A", b: "B", value: 1.0)),
        InjectDef(turn: 4, event: Withdraw(actor: "A", norm_set: "paris-call")),
        InjectDef(turn: 4, event: Report, report: "news"),
    ],
    end_conditions: [ArmedConflict, Quiet(turns: 2, after: 3)],
    parameters: { "damage_scale": 3.0, "detection_rate": 1.0 },
    variants: [VariantDef(id: "v", set: [OverrideDef(path: "parameters.damage_scale", value: "1.0")])],
)
"#;

/// Seeds of the mutations: every scenario shipped, the data files, and `SMALL`.
fn corpus() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.push(root.join("data/catalogue.ron"));
    files.sort();
    let mut out: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    out.push(SMALL.as_bytes().to_vec());
    out
}

/// Loads, validates and plays three turns; renders whatever comes out. Panics on
/// any broken promise.
fn exercise(bytes: &[u8], seed: u64) {
    match load_bytes("fuzz.ron", bytes) {
        Ok(loaded) => {
            let s = Arc::new(loaded.scenario);
            let mut sim = Sim::new(s.clone(), seed, true);
            for _ in 0..3 {
                if sim.step() {
                    break;
                }
            }
            let record = sim.record();
            assert!(record.turns_played >= 1);
            let _ = escalate::narrative::render(&s, &record);
            serde_json::to_string(&record).expect("a record serialises");
        }
        Err(LoadError::Invalid(errs)) => {
            assert!(!errs.problems.is_empty());
            for p in &errs.problems {
                assert!(p.line >= 1 && p.column >= 1);
                assert!(!p.message.is_empty());
                assert!(p.help.is_some(), "no hint for {}", p.message);
            }
            let out = errs.render_plain();
            assert!(out.contains("fuzz.ron"), "{out}");
            assert_eq!(errs.short_lines().len(), errs.problems.len());
        }
        Err(e @ LoadError::Io { .. }) => panic!("load_bytes does no I/O: {e}"),
    }
}

// ------------------------------------------------------------------ mutations

/// Numbers that break naive code: out of every range, not finite, past integer types.
const HOSTILE_NUMBERS: &[&str] = &[
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "1e999",
    "1e-320",
    "-0.0",
    "-1",
    "0",
    "1.0000000001",
    "255",
    "256",
    "65535",
    "65536",
    "10001",
    "2000001",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999999",
    "0x10",
    "1_000",
    // In range, so that the mutant may still load and run with odd values.
    "0.0",
    "1.0",
    "0.5",
    "0.999",
    "1",
    "2",
    "3",
    "100.0",
];

/// Stray tokens and text: brackets, RON keywords, comments, multi-byte characters.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "\"",
    "'",
    "//",
    "/*",
    "*/",
    "Some(",
    "None",
    "()",
    "r#\"",
    "\\",
    "\u{0}",
    "é",
    "—",
    "😀",
    "\u{202e}",
    "\n",
    "ActorDef(",
    "id: \"A\",",
    "turns: 0,",
    "#![enable(implicit_some)]",
];

#[derive(Debug, Clone)]
enum Mutation {
    FlipBit {
        at: usize,
        bit: u8,
    },
    SetByte {
        at: usize,
        byte: u8,
    },
    Truncate {
        at: usize,
    },
    Delete {
        at: usize,
        len: usize,
    },
    Duplicate {
        from: usize,
        len: usize,
        to: usize,
    },
    /// This text's head, another corpus file's tail.
    Splice {
        other: usize,
        at: usize,
        other_at: usize,
    },
    Number {
        nth: usize,
        with: usize,
    },
    Insert {
        at: usize,
        token: usize,
    },
    /// Replace one string literal (an id, a reference) by another from the same text.
    SwapString {
        nth: usize,
        with: usize,
    },
    /// Replace one capitalised word (a sector, a purpose, a struct name) by another.
    SwapWord {
        nth: usize,
        with: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let p = any::<usize>();
    prop_oneof![
        1 => (p, 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        1 => (p, any::<u8>()).prop_map(|(at, byte)| Mutation::SetByte { at, byte }),
        1 => p.prop_map(|at| Mutation::Truncate { at }),
        1 => (p, 1usize..200).prop_map(|(at, len)| Mutation::Delete { at, len }),
        1 => (p, 1usize..2000, p).prop_map(|(from, len, to)| Mutation::Duplicate { from, len, to }),
        1 => (p, p, p).prop_map(|(other, at, other_at)| Mutation::Splice { other, at, other_at }),
        // Number replacements are the likeliest to get past the parser: weight them up.
        3 => (p, p).prop_map(|(nth, with)| Mutation::Number { nth, with }),
        2 => (p, p).prop_map(|(at, token)| Mutation::Insert { at, token }),
        3 => (p, p).prop_map(|(nth, with)| Mutation::SwapString { nth, with }),
        3 => (p, p).prop_map(|(nth, with)| Mutation::SwapWord { nth, with }),
    ]
}

/// Byte ranges of number literals (a digit or `-digit` not inside an identifier).
fn numbers(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let starts = text[i].is_ascii_digit() || (text[i] == b'-' && text.get(i + 1).is_some_and(u8::is_ascii_digit));
        let inside_word = i > 0 && (text[i - 1].is_ascii_alphanumeric() || matches!(text[i - 1], b'_' | b'-' | b'.'));
        if starts && !inside_word {
            let start = i;
            i += 1;
            while i < text.len() && (text[i].is_ascii_alphanumeric() || matches!(text[i], b'.' | b'_' | b'+' | b'-')) {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

/// Byte ranges of simple string literals `"..."` (no escapes, one line).
fn strings(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'"' {
            let start = i;
            i += 1;
            while i < text.len() && !matches!(text[i], b'"' | b'\\' | b'\n') {
                i += 1;
            }
            if i < text.len() && text[i] == b'"' {
                out.push((start, i + 1));
            }
        }
        i += 1;
    }
    out
}

/// Byte ranges of words starting with a capital letter.
fn words(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let boundary = i == 0 || !(text[i - 1].is_ascii_alphanumeric() || text[i - 1] == b'_');
        if boundary && text[i].is_ascii_uppercase() {
            let start = i;
            while i < text.len() && (text[i].is_ascii_alphanumeric() || text[i] == b'_') {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

/// Replaces the `nth` range by the text of the `with`-th.
fn swap(mut text: Vec<u8>, spots: &[(usize, usize)], nth: usize, with: usize) -> Vec<u8> {
    if !spots.is_empty() {
        let (s, e) = spots[nth % spots.len()];
        let (ws, we) = spots[with % spots.len()];
        let replacement = text[ws..we].to_vec();
        text.splice(s..e, replacement);
    }
    text
}

fn apply(mut text: Vec<u8>, m: &Mutation, corpus: &[Vec<u8>]) -> Vec<u8> {
    let n = text.len().max(1);
    match *m {
        Mutation::FlipBit { at, bit } => {
            if !text.is_empty() {
                text[at % n] ^= 1 << bit;
            }
        }
        Mutation::SetByte { at, byte } => {
            if !text.is_empty() {
                text[at % n] = byte;
            }
        }
        Mutation::Truncate { at } => text.truncate(at % n),
        Mutation::Delete { at, len } => {
            let at = at % n;
            let end = (at + len).min(text.len());
            if at < end {
                text.drain(at..end);
            }
        }
        Mutation::Duplicate { from, len, to } => {
            let from = from % n;
            let end = (from + len).min(text.len());
            let piece = text[from.min(end)..end].to_vec();
            let to = to % (text.len() + 1);
            text.splice(to..to, piece);
        }
        Mutation::Splice { other, at, other_at } => {
            let o = &corpus[other % corpus.len()];
            let at = at % (text.len() + 1);
            let other_at = other_at % (o.len() + 1);
            text.truncate(at);
            text.extend_from_slice(&o[other_at..]);
        }
        Mutation::Number { nth, with } => {
            let spots = numbers(&text);
            if !spots.is_empty() {
                let (s, e) = spots[nth % spots.len()];
                let w = HOSTILE_NUMBERS[with % HOSTILE_NUMBERS.len()];
                text.splice(s..e, w.bytes());
            }
        }
        Mutation::Insert { at, token } => {
            let at = at % (text.len() + 1);
            let t = TOKENS[token % TOKENS.len()];
            text.splice(at..at, t.bytes());
        }
        Mutation::SwapString { nth, with } => {
            let spots = strings(&text);
            text = swap(text, &spots, nth, with);
        }
        Mutation::SwapWord { nth, with } => {
            let spots = words(&text);
            text = swap(text, &spots, nth, with);
        }
    }
    text
}

/// Runs `cases` mutated scenarios; returns how many loaded, how many were refused,
/// and the slowest case. `fixed` runs the same cases every time (for CI); otherwise
/// each run explores new ones.
fn fuzz(cases: u32, fixed: bool) -> (u32, u32, Duration) {
    let corpus = corpus();
    let mut config = Config::with_cases(cases);
    config.failure_persistence = None;
    // Shrink hard on failure: the minimal mutation list is the bug report.
    config.max_shrink_iters = 4096;
    let mut runner = if fixed {
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
    } else {
        TestRunner::new(config)
    };
    let strategy = (0..corpus.len(), proptest::collection::vec(mutation(), 1..4), any::<u64>());
    let stats = std::cell::Cell::new((0u32, 0u32, Duration::ZERO));
    let result = runner.run(&strategy, |(base, mutations, seed)| {
        let mut text = corpus[base].clone();
        for m in &mutations {
            text = apply(text, m, &corpus);
        }
        let start = Instant::now();
        exercise(&text, seed);
        let took = start.elapsed();
        let loaded = load_bytes("fuzz.ron", &text).is_ok();
        let (ok, bad, slowest) = stats.get();
        stats.set(if loaded { (ok + 1, bad, slowest.max(took)) } else { (ok, bad + 1, slowest.max(took)) });
        prop_assert!(took < Duration::from_secs(10), "a case took {took:?}");
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    stats.get()
}

fn fuzz_cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(default)
}

#[test]
fn mutated_scenarios_never_panic() {
    let (ok, bad, slowest) = fuzz(fuzz_cases(250), true);
    eprintln!("fuzz: {ok} mutants loaded and ran, {bad} refused; slowest case {slowest:?}");
    assert!(bad > 0);
}

#[test]
#[ignore = "long-running soak: FUZZ_CASES=20000 cargo test --release --test fuzz -- --ignored"]
fn fuzz_soak() {
    // FUZZ_SECONDS=3600 soaks for an hour, in rounds of 1,000 fresh cases, and
    // prints a running count so a long soak shows its progress.
    let Some(seconds) = std::env::var("FUZZ_SECONDS").ok().and_then(|s| s.parse::<u64>().ok()) else {
        let (ok, bad, slowest) = fuzz(fuzz_cases(20_000), false);
        eprintln!("fuzz soak: {} cases: {ok} loaded and ran, {bad} refused; slowest case {slowest:?}", ok + bad);
        return;
    };
    let start = Instant::now();
    let (mut ok, mut bad, mut slowest) = (0u64, 0u64, Duration::ZERO);
    while start.elapsed() < Duration::from_secs(seconds) {
        let (o, b, s) = fuzz(1_000, false);
        (ok, bad, slowest) = (ok + u64::from(o), bad + u64::from(b), slowest.max(s));
        eprintln!(
            "fuzz soak: {:?}: {} cases: {ok} loaded and ran, {bad} refused; slowest {slowest:?}",
            start.elapsed(),
            ok + bad
        );
    }
}

#[test]
fn the_corpus_itself_loads_and_runs() {
    for (k, text) in corpus().iter().enumerate().filter(|(_, t)| t.starts_with(b"//") || t.starts_with(b"Scen")) {
        if std::str::from_utf8(text).unwrap().contains("ScenarioFile(") {
            assert!(load_bytes("corpus.ron", text).is_ok(), "corpus file {k} is invalid");
        }
        exercise(text, 1);
    }
}

#[test]
fn number_finder_finds_numbers_only() {
    let text = br#"(a1: 0.5, b: -2, id: "x-3", e: 1e-5)"#;
    let found: Vec<&[u8]> = numbers(text).iter().map(|&(s, e)| &text[s..e]).collect();
    assert_eq!(found, vec![&b"0.5"[..], b"-2", b"1e-5"]);
}

// ------------------------------------------------------------------ explicit hostile inputs

/// Refused, quickly, with a message containing `needle`.
fn refused(text: &str, needle: &str) {
    let start = Instant::now();
    match load_str("hostile.ron", text) {
        Ok(_) => panic!("accepted: {}", &text[..text.len().min(200)]),
        Err(LoadError::Invalid(e)) => {
            let out = e.render_plain();
            assert!(out.contains(needle), "`{needle}` not in:\n{out}");
        }
        Err(e) => panic!("{e}"),
    }
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
}

#[test]
fn empty_and_blank_files() {
    for text in ["", " ", "\n\n\t", "\u{feff}"] {
        exercise(text.as_bytes(), 0);
    }
    refused("", "the file is empty");
    refused("   \n  ", "the file is empty");
    refused("// only a comment\n", "");
}

#[test]
fn binary_garbage() {
    // A fixed xorshift stream: reproducible garbage.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut garbage = Vec::with_capacity(1 << 16);
    for _ in 0..(1 << 16) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        garbage.push(x as u8);
    }
    for len in [1, 2, 7, 100, 4096, garbage.len()] {
        exercise(&garbage[..len], 0);
    }
    match load_bytes("garbage.bin", &garbage) {
        Err(LoadError::Invalid(e)) => assert!(e.render_plain().contains("not UTF-8"), "{}", e.render_plain()),
        other => panic!("{other:?}"),
    }
    // Valid UTF-8, but control characters and noise.
    exercise("\0\0\0\u{1}\u{7f}ScenarioFile(\0)".as_bytes(), 0);
    exercise("ScenarioFile(name: \"\u{0}\u{202e}😀\", horizon: Horizon(turns: 1), actors: [])".as_bytes(), 0);
}

#[test]
fn a_50_mb_file_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.ron");
    // Sparse: 50 MB on paper, nothing written.
    std::fs::File::create(&path).unwrap().set_len(50 * 1024 * 1024).unwrap();
    let start = Instant::now();
    match load_file(&path) {
        Err(LoadError::Invalid(e)) => {
            let out = e.render_plain();
            assert!(out.contains("the file is 52428800 bytes, more than the"), "{out}");
            assert!(out.contains("help:"), "{out}");
        }
        other => panic!("{other:?}"),
    }
    assert!(start.elapsed() < Duration::from_secs(1), "took {:?}", start.elapsed());
    // The same size in memory, through the library: refused before parsing.
    let big = "[".repeat(50 * 1024 * 1024);
    let start = Instant::now();
    refused(&big, "bytes a scenario may hold");
    assert!(load_bytes("big.ron", big.as_bytes()).is_err());
    assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());
}

#[cfg(unix)]
#[test]
fn endless_devices_are_refused_not_read_forever() {
    let start = Instant::now();
    for dev in ["/dev/zero", "/dev/urandom"] {
        if Path::new(dev).exists() {
            match load_file(Path::new(dev)) {
                Err(LoadError::Invalid(e)) => {
                    assert!(e.render_plain().contains("more than the"), "{}", e.render_plain())
                }
                other => panic!("{dev}: {other:?}"),
            }
        }
    }
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
    match load_file(Path::new("/definitely/not/here.ron")) {
        Err(LoadError::Io { .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn deeply_nested_input() {
    for open in ["[", "(", "{", "Some(", "ActorDef(", "[(", "r#\"["] {
        let text = format!("ScenarioFile(name: {}", open.repeat(100_000));
        refused(&text, "");
        exercise(text.as_bytes(), 0);
    }
    // Balanced, so only the depth is wrong.
    let text = format!("ScenarioFile(name: \"x\", sources: {}{})", "[".repeat(5_000), "]".repeat(5_000));
    refused(&text, "nested more than");
    // Brackets inside strings and comments do not count as nesting.
    let in_string = SMALL.replacen("name: \"Small\"", &format!("name: \"{}\"", "(".repeat(10_000)), 1);
    assert!(load_str("s.ron", &in_string).is_ok());
    // Nor do brackets in comments.
    let commented = format!("// {}\n/* {} */\n{SMALL}", "(".repeat(1_000), "[".repeat(1_000));
    assert!(load_str("c.ron", &commented).is_ok());
    // Nested block comments.
    let comments = format!("{}{}{SMALL}", "/*".repeat(50_000), "*/".repeat(50_000));
    exercise(comments.as_bytes(), 0);
    let unclosed = format!("{SMALL}{}", "/*".repeat(50_000));
    refused(&unclosed, "");
}

#[test]
fn long_lines_and_long_strings() {
    let long_name = SMALL.replacen("\"Small\"", &format!("\"{}\"", "x".repeat(5_000_000)), 1);
    exercise(long_name.as_bytes(), 0);
    let long_line = SMALL.replace('\n', " ");
    exercise(long_line.as_bytes(), 0);
    // An error on a 5 MB line still renders.
    let bad = format!("ScenarioFile(name: \"{}\", horizon: Horizon(turnz: 1))", "y".repeat(5_000_000));
    refused(&bad, "did you mean `turns`?");
}

#[test]
fn huge_numbers_are_refused_with_a_clear_message() {
    let cases: &[(&str, &str, &str)] = &[
        ("turns: 5,", "turns: 1000000000,", "1000000000 turns is more than the 10000 a run may last"),
        ("turns: 5,", "turns: 4294967296,", "out of range"),
        ("turns: 5,", "turns: -1,", ""),
        ("offense: 0.9", "offense: 1e308", "offense is 1e308, outside 0..=1"),
        ("offense: 0.9", "offense: 1e999", "offense is inf, not a finite number"),
        ("offense: 0.9", "offense: NaN", "offense is NaN, not a finite number"),
        ("offense: 0.9", "offense: -inf", "offense is -inf, not a finite number"),
        ("\"damage_scale\": 3.0", "\"damage_scale\": 1e300", "damage_scale is"),
        ("from_turn: 2", "from_turn: 4294967295", "lies outside the horizon"),
        ("InjectDef(turn: 1,", "InjectDef(turn: 4294967295,", "lies outside the horizon"),
        ("value: 0.01", "value: inf", "not a finite number"),
        ("strength: 0.3", "strength: -1e-320", "strength is -1e-320, outside 0..=1"),
        ("appeal: 2.0", "appeal: 1e200", "appeal is"),
    ];
    for (from, to, needle) in cases {
        assert!(SMALL.contains(from), "{from}");
        refused(&SMALL.replacen(from, to, 1), needle);
    }
    // Huge but legal values of end conditions do not overflow.
    let quiet = SMALL.replacen("Quiet(turns: 2, after: 3)", "Quiet(turns: 4294967295, after: 4294967295)", 1);
    exercise(quiet.as_bytes(), 0);
}

/// A scenario of `n` minimal actors over `turns` turns.
fn crowd(n: usize, turns: u64) -> String {
    let mut text = format!("ScenarioFile(name: \"Crowd\", horizon: Horizon(turns: {turns}), actors: [\n");
    for i in 0..n {
        text.push_str(&format!("(id:\"{i}\",name:\"\"),"));
    }
    text.push_str("])");
    text
}

#[test]
fn sizes_that_could_exhaust_memory_are_refused() {
    // As many actors as fit in a file under the byte limit: refused by count.
    refused(&crowd(300_000, 10), "300000 actors is more than the 1000 a scenario may hold");
    // 10^9 turns.
    refused(&crowd(2, 1_000_000_000), "1000000000 turns is more than the 10000 a run may last");
    // Within each limit, but too much work together.
    refused(&crowd(1_000, 10_000), "actor-turns, more than the");
    // Assets that multiply through the sector graph: 2 × 5 000 assets of one owner
    // would make 25 million dependencies.
    let mut text = String::from(
        "ScenarioFile(name: \"Dense\", horizon: Horizon(turns: 2), \
         actors: [(id: \"A\", name: \"a\"), (id: \"B\", name: \"b\")], infrastructure: [",
    );
    for i in 0..5_000 {
        text.push_str(&format!("(id:\"p{i}\",owner:\"A\",sector:Power),(id:\"h{i}\",owner:\"A\",sector:Health),"));
    }
    text.push_str("])");
    refused(&text, "dependencies, more than the 200000 a scenario may hold");
}

#[test]
fn many_unresolved_references_are_reported_quickly() {
    // 20 000 assets and 10 000 injects naming none of them: only the first problems
    // get a did-you-mean hint; the rest are counted.
    let mut text = String::from(
        "ScenarioFile(name: \"Refs\", horizon: Horizon(turns: 2), sector_dependencies: Some([]), \
         actors: [(id: \"A\", name: \"a\"), (id: \"B\", name: \"b\")], infrastructure: [",
    );
    for i in 0..20_000 {
        text.push_str(&format!("(id:\"asset-{i}\",owner:\"A\",sector:Power),"));
    }
    text.push_str("], injects: [");
    for i in 0..10_000 {
        text.push_str(&format!("(turn:1,event:Operation(actor:\"B\",action:\"wiper\",target:\"zz-{i}\")),"));
    }
    text.push_str("])");
    let start = Instant::now();
    refused(&text, "…and at least 9950 more problem(s) not shown");
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
}

#[test]
#[ignore = "writes a 280 MB file: cargo test --release --test fuzz -- --ignored"]
fn ten_million_actors_are_refused() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ten-million.ron");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    write!(w, "ScenarioFile(name: \"Crowd\", horizon: Horizon(turns: 10), actors: [").unwrap();
    for i in 0..10_000_000 {
        write!(w, "(id:\"{i}\",name:\"\"),").unwrap();
    }
    write!(w, "])").unwrap();
    w.flush().unwrap();
    drop(w);
    let start = Instant::now();
    match load_file(&path) {
        Err(LoadError::Invalid(e)) => {
            assert!(e.render_plain().contains("bytes a scenario may hold"), "{}", e.render_plain())
        }
        other => panic!("{other:?}"),
    }
    assert!(start.elapsed() < Duration::from_secs(1));
}
