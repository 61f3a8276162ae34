//! Snapshot tests of scenario diagnostics: one broken scenario in, the rendered
//! report out. Every report must name `file:line:col` and carry a hint.
//!
//! Update with `INSTA_UPDATE=always cargo test --test diagnostics`, then read the
//! `.snap` files: the label must sit on the offending value.

use escalate::scenario::diagnostic::ScenarioErrors;
use escalate::scenario::{LoadError, load_bytes, load_str};

/// The errors of a scenario that must fail to load.
fn errors(name: &str, text: &str) -> ScenarioErrors {
    match load_str(name, text) {
        Ok(_) => panic!("{name}: expected the scenario to be refused"),
        Err(LoadError::Invalid(e)) => e,
        Err(e) => panic!("{name}: expected diagnostics, got {e}"),
    }
}

/// Renders the diagnostics, after checking the promises every report makes.
fn check(errs: &ScenarioErrors) -> String {
    assert!(!errs.problems.is_empty());
    let out = errs.render_plain();
    for p in &errs.problems {
        assert!(p.help.is_some(), "no hint for `{}`", p.message);
        let loc = format!("{}:{}:{}", errs.file, p.line, p.column);
        assert!(out.contains(&loc), "`{loc}` missing from:\n{out}");
    }
    assert!(out.contains("help:"), "no hint rendered:\n{out}");
    out
}

fn render(name: &str, text: &str) -> String {
    check(&errors(name, text))
}

/// The text under a problem's label, to pin what the column points at.
fn pointed_at<'a>(text: &'a str, errs: &ScenarioErrors, k: usize) -> &'a str {
    let p = &errs.problems[k];
    let start = p.span.offset();
    &text[start..start + p.span.len()]
}

#[test]
fn syntax_error_missing_comma() {
    let text = r#"ScenarioFile(
    name: "Missing comma"
    horizon: Horizon(turns: 4),
    actors: [ActorDef(id: "A", name: "Alpha")],
)
"#;
    insta::assert_snapshot!(render("missing-comma.ron", text));
}

#[test]
fn syntax_error_unclosed_bracket() {
    let text = r#"ScenarioFile(
    name: "Unclosed",
    horizon: Horizon(turns: 4),
    actors: [
        ActorDef(id: "A", name: "Alpha"),
"#;
    insta::assert_snapshot!(render("unclosed.ron", text));
}

#[test]
fn unknown_field_suggests_the_right_one() {
    let text = r#"ScenarioFile(
    name: "Typo",
    horizon: Horizon(turn: 4),
    actors: [ActorDef(id: "A", name: "Alpha")],
)
"#;
    let out = render("typo-field.ron", text);
    assert!(out.contains("did you mean `turns`?"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn unknown_enum_value_suggests_the_right_one() {
    let text = r#"ScenarioFile(
    name: "Bad sector",
    horizon: Horizon(turns: 4),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    infrastructure: [
        AssetDef(id: "a-grid", owner: "A", sector: Powr),
    ],
)
"#;
    let out = render("bad-sector.ron", text);
    assert!(out.contains("did you mean `Power`?"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn missing_field() {
    let text = r#"ScenarioFile(
    name: "No name",
    horizon: Horizon(turns: 4),
    actors: [
        ActorDef(id: "A", name: "Alpha"),
        ActorDef(id: "B"),
    ],
)
"#;
    insta::assert_snapshot!(render("missing-field.ron", text));
}

#[test]
fn unknown_actor_reference_with_suggestion() {
    let text = r#"ScenarioFile(
    name: "Unknown owner",
    horizon: Horizon(turns: 4),
    actors: [
        ActorDef(id: "FRA", name: "France"),
        ActorDef(id: "RUS", name: "Russia"),
    ],
    infrastructure: [
        AssetDef(id: "fr-grid", owner: "FRAA", sector: Power),
    ],
)
"#;
    let errs = errors("unknown-actor.ron", text);
    assert_eq!(pointed_at(text, &errs, 0), "\"FRAA\"");
    let out = check(&errs);
    assert!(out.contains("did you mean `FRA`?"), "{out}");
    insta::assert_snapshot!(out);
}

/// An id typed with a Cyrillic О (U+041E) looks like `POL` and matches nothing; the
/// hint says which character is the impostor, since no edit distance would.
#[test]
fn look_alike_letters_are_named() {
    let text = "ScenarioFile(\n    name: \"Homoglyph\",\n    horizon: Horizon(turns: 4),\n    actors: [\n        \
                ActorDef(id: \"POL\", name: \"Poland\"),\n        ActorDef(id: \"RUS\", name: \"Russia\"),\n    ],\n    \
                infrastructure: [\n        AssetDef(id: \"pl-grid\", owner: \"P\u{041E}L\", sector: Power),\n    ],\n)\n";
    let out = check(&errors("homoglyph.ron", text));
    assert!(out.contains("did you mean `POL`?"), "{out}");
    assert!(out.contains("U+041E") && out.contains("another alphabet"), "{out}");
}

/// A Quiet condition whose earliest end lies beyond the horizon can never fire.
#[test]
fn quiet_after_the_horizon_is_refused() {
    let text = r#"ScenarioFile(
    name: "Late quiet",
    horizon: Horizon(turns: 10),
    actors: [ActorDef(id: "FRA", name: "France")],
    end_conditions: [Quiet(turns: 4, after: 8)],
)
"#;
    let errs = errors("late-quiet.ron", text);
    assert_eq!(pointed_at(text, &errs, 0), "8");
    let out = check(&errs);
    assert!(out.contains("earliest end is turn 11"), "{out}");
    assert!(out.contains("`after` can be at most 7"), "{out}");
    assert!(load_str("ok.ron", &text.replace("after: 8", "after: 7")).is_ok());
}

#[test]
fn duplicate_actor_id() {
    let text = r#"ScenarioFile(
    name: "Duplicate",
    horizon: Horizon(turns: 4),
    actors: [
        ActorDef(id: "A", name: "Alpha"),
        ActorDef(id: "B", name: "Beta"),
        ActorDef(id: "A", name: "Alpha again"),
    ],
)
"#;
    let errs = errors("duplicate.ron", text);
    assert_eq!(errs.problems[0].line, 7);
    assert_eq!(pointed_at(text, &errs, 0), "\"A\"");
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn probability_out_of_range() {
    let text = r#"ScenarioFile(
    name: "Out of range",
    horizon: Horizon(turns: 4),
    actors: [
        ActorDef(id: "A", name: "Alpha", capabilities: (offense: 1.5)),
        ActorDef(id: "B", name: "Beta"),
    ],
)
"#;
    let errs = errors("range.ron", text);
    assert_eq!(pointed_at(text, &errs, 0), "1.5");
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn nan_and_infinity_are_refused() {
    let text = r#"ScenarioFile(
    name: "Not finite",
    horizon: Horizon(turns: 4),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    infrastructure: [
        AssetDef(id: "a-grid", owner: "A", sector: Power, exposure: NaN),
        AssetDef(id: "b-grid", owner: "B", sector: Power, criticality: inf),
    ],
)
"#;
    let errs = errors("not-finite.ron", text);
    assert_eq!(errs.problems.len(), 2);
    assert_eq!(pointed_at(text, &errs, 0), "NaN");
    assert_eq!(pointed_at(text, &errs, 1), "inf");
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn inject_past_the_horizon() {
    let text = r#"ScenarioFile(
    name: "Late inject",
    horizon: Horizon(turns: 4),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    injects: [
        InjectDef(turn: 2, event: Report, report: "fine"),
        InjectDef(turn: 9, event: Report, report: "too late"),
    ],
)
"#;
    let errs = errors("late-inject.ron", text);
    assert_eq!(pointed_at(text, &errs, 0), "9");
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn sector_dependency_cycle() {
    let text = r#"ScenarioFile(
    name: "Sector cycle",
    horizon: Horizon(turns: 4),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    sector_dependencies: Some([
        SectorDependencyDef(sector: Health, on: Power, strength: 0.5),
        SectorDependencyDef(sector: Power, on: Telecom, strength: 0.3),
        SectorDependencyDef(sector: Telecom, on: Health, strength: 0.3),
    ]),
)
"#;
    let out = render("sector-cycle.ron", text);
    assert!(out.contains("cycle"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn asset_dependency_cycle() {
    let text = r#"ScenarioFile(
    name: "Asset cycle",
    horizon: Horizon(turns: 4),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    infrastructure: [
        AssetDef(id: "a-grid", owner: "A", sector: Power),
        AssetDef(id: "b-grid", owner: "B", sector: Power),
    ],
    asset_dependencies: [
        AssetDependencyDef(asset: "a-grid", on: "b-grid", strength: 0.2),
        AssetDependencyDef(asset: "b-grid", on: "a-grid", strength: 0.2),
    ],
)
"#;
    let out = render("asset-cycle.ron", text);
    assert!(out.contains("a-grid → b-grid → a-grid") || out.contains("b-grid → a-grid → b-grid"));
    insta::assert_snapshot!(out);
}

#[test]
fn empty_world() {
    let text = r#"ScenarioFile(
    name: "Nobody",
    horizon: Horizon(turns: 4),
    actors: [],
)
"#;
    insta::assert_snapshot!(render("empty-world.ron", text));
}

#[test]
fn proxy_without_sponsor() {
    let text = r#"ScenarioFile(
    name: "Orphan proxy",
    horizon: Horizon(turns: 4),
    actors: [
        ActorDef(id: "A", name: "Alpha"),
        ActorDef(id: "B", name: "Beta"),
        ActorDef(id: "P", name: "Front", kind: Proxy),
    ],
)
"#;
    let errs = errors("orphan-proxy.ron", text);
    assert_eq!(pointed_at(text, &errs, 0), "Proxy");
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn unknown_principle() {
    let text = r#"ScenarioFile(
    name: "Unknown principle",
    horizon: Horizon(turns: 4),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    actions: [
        ActionDef(
            id: "deface", name: "Defacement", purpose: Operation, targeting: Infrastructure,
            rung: Political, violates: ["paris-call:10", "9"],
        ),
    ],
)
"#;
    let errs = errors("unknown-principle.ron", text);
    assert_eq!(errs.problems.len(), 2);
    assert_eq!(pointed_at(text, &errs, 0), "\"paris-call:10\"");
    assert_eq!(pointed_at(text, &errs, 1), "\"9\"");
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn unknown_parameter() {
    let text = r#"ScenarioFile(
    name: "Unknown parameter",
    horizon: Horizon(turns: 4),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    parameters: { "choice_temperature": 0.5, "choice_temprature": 0.5 },
)
"#;
    let errs = errors("unknown-parameter.ron", text);
    assert_eq!(pointed_at(text, &errs, 0), "\"choice_temprature\"");
    let out = check(&errs);
    assert!(out.contains("did you mean `choice_temperature`?"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn parameter_out_of_range() {
    let text = r#"ScenarioFile(
    name: "Parameter range",
    horizon: Horizon(turns: 4),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    parameters: { "detection_rate": 2.0 },
)
"#;
    let errs = errors("parameter-range.ron", text);
    assert_eq!(pointed_at(text, &errs, 0), "2.0");
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn zero_turns() {
    let text = r#"ScenarioFile(
    name: "No time",
    horizon: Horizon(turns: 0),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
)
"#;
    let errs = errors("zero-turns.ron", text);
    assert_eq!(pointed_at(text, &errs, 0), "0");
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn too_many_turns() {
    let text = r#"ScenarioFile(
    name: "Forever",
    horizon: Horizon(turns: 1000000000),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
)
"#;
    insta::assert_snapshot!(render("forever.ron", text));
}

#[test]
fn turns_beyond_u32() {
    let text = r#"ScenarioFile(
    name: "Huge",
    horizon: Horizon(turns: 99999999999999999999999),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
)
"#;
    insta::assert_snapshot!(render("huge-number.ron", text));
}

#[test]
fn commitment_to_unknown_norm_set() {
    let text = r#"ScenarioFile(
    name: "Unknown norm set",
    horizon: Horizon(turns: 4),
    actors: [
        ActorDef(id: "A", name: "Alpha",
            commitments: [CommitmentDef(norm_set: "paris_call")]),
        ActorDef(id: "B", name: "Beta"),
    ],
)
"#;
    let errs = errors("unknown-norm-set.ron", text);
    assert_eq!(pointed_at(text, &errs, 0), "\"paris_call\"");
    let out = check(&errs);
    assert!(out.contains("did you mean `paris-call`?"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn wrong_targeting_for_purpose() {
    let text = r#"ScenarioFile(
    name: "Sanctioning a grid",
    horizon: Horizon(turns: 4),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    actions: [
        ActionDef(
            id: "grid-sanctions", name: "Sanction the grid", purpose: Sanction,
            targeting: Infrastructure, rung: Political,
        ),
    ],
)
"#;
    let errs = errors("targeting.ron", text);
    assert_eq!(pointed_at(text, &errs, 0), "Infrastructure");
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn unknown_doctrine_field_in_inject() {
    let text = r#"ScenarioFile(
    name: "Doctrine typo",
    horizon: Horizon(turns: 4),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    injects: [
        InjectDef(turn: 2, event: SetDoctrine(actor: "A", field: "restrain", value: 0.9)),
    ],
)
"#;
    let out = render("doctrine-typo.ron", text);
    assert!(out.contains("did you mean `restraint`?"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn scripted_operation_with_unknown_action_and_target() {
    let text = r#"ScenarioFile(
    name: "Bad inject",
    horizon: Horizon(turns: 4),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    infrastructure: [AssetDef(id: "b-grid", owner: "B", sector: Power)],
    injects: [
        InjectDef(turn: 2, event: Operation(actor: "A", action: "wipper", target: "b-gird")),
    ],
)
"#;
    let out = render("bad-operation.ron", text);
    assert!(out.contains("did you mean `wiper`?"), "{out}");
    assert!(out.contains("did you mean `b-grid`?"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn several_errors_reported_at_once() {
    let text = r#"ScenarioFile(
    name: "Many mistakes",
    horizon: Horizon(turns: 6),
    actors: [
        ActorDef(id: "FRA", name: "France", doctrine: (restraint: -0.2)),
        ActorDef(id: "RUS", name: "Russia"),
        ActorDef(id: "FRA", name: "France again"),
    ],
    rivalries: [RivalryDef(a: "RUS", b: "FRANCE", tension: 0.5)],
    infrastructure: [AssetDef(id: "fr-grid", owner: "FRA", sector: Power, recovery: 3.0)],
    injects: [InjectDef(turn: 7, event: Report, report: "after the end")],
    parameters: { "norm_cost": 1.0 },
)
"#;
    let errs = errors("many.ron", text);
    assert_eq!(errs.problems.len(), 6, "{}", errs.render_plain());
    let lines: Vec<usize> = errs.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![7, 5, 9, 10, 12, 11]);
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn empty_file() {
    insta::assert_snapshot!(render("empty.ron", "  \n\n"));
}

#[test]
fn binary_garbage() {
    let bytes = b"ScenarioFile(\n  name: \"x\xff\xfe\",\n)";
    let errs = match load_bytes("garbage.ron", bytes) {
        Err(LoadError::Invalid(e)) => e,
        other => panic!("expected diagnostics, got {other:?}"),
    };
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn deeply_nested_brackets() {
    let text = format!("ScenarioFile(name: {}", "[".repeat(200));
    let errs = errors("nested.ron", &text);
    assert_eq!(errs.problems.len(), 1);
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn too_many_actors() {
    let mut text =
        String::from("ScenarioFile(\n    name: \"Crowd\",\n    horizon: Horizon(turns: 4),\n    actors: [\n");
    for i in 0..1_001 {
        text.push_str(&format!("        ActorDef(id: \"A{i}\", name: \"n\"),\n"));
    }
    text.push_str("    ],\n)\n");
    let errs = errors("crowd.ron", &text);
    assert_eq!(errs.problems.len(), 1, "{}", errs.render_plain());
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn too_much_work_per_run() {
    let mut text =
        String::from("ScenarioFile(\n    name: \"Long crowd\",\n    horizon: Horizon(turns: 5000),\n    actors: [\n");
    for i in 0..500 {
        text.push_str(&format!("        ActorDef(id: \"A{i}\", name: \"n\"),\n"));
    }
    text.push_str("    ],\n)\n");
    let errs = errors("long-crowd.ron", &text);
    assert_eq!(errs.problems.len(), 1, "{}", errs.render_plain());
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn short_lines_name_file_line_and_column() {
    let text = r#"ScenarioFile(
    name: "Short",
    horizon: Horizon(turns: 4),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "A", name: "Beta")],
)
"#;
    let errs = errors("short.ron", text);
    insta::assert_snapshot!(errs.short_lines().join("\n"));
}

#[test]
fn a_problem_on_a_very_long_line_is_shown_in_a_window() {
    // A minified scenario: everything on one line, the mistake 20 000 columns in.
    let padding = "Filler text. ".repeat(1_600);
    let text = format!(
        "ScenarioFile(name: \"Minified\", description: \"{padding}\", horizon: Horizon(turns: 4), \
         actors: [ActorDef(id: \"A\", name: \"Alpha\"), ActorDef(id: \"B\", name: \"Beta\", kind: Prxy)])"
    );
    let errs = errors("minified.ron", &text);
    assert_eq!(pointed_at(&text, &errs, 0), "Prxy");
    assert!(errs.problems[0].column > 20_000);
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn a_victim_framed_for_attacking_itself() {
    let text = r#"ScenarioFile(
    name: "Self-framed",
    horizon: Horizon(turns: 4),
    actors: [ActorDef(id: "A", name: "Alpha"), ActorDef(id: "B", name: "Beta")],
    infrastructure: [AssetDef(id: "a-grid", owner: "A", sector: Power)],
    injects: [
        InjectDef(turn: 1, event: Operation(actor: "B", action: "wiper", target: "a-grid", apparent: Some("A"))),
    ],
)
"#;
    let errs = errors("self-framed.ron", text);
    assert_eq!(pointed_at(text, &errs, 0), "\"A\"");
    insta::assert_snapshot!(check(&errs));
}

#[test]
fn dependencies_multiplied_by_the_sector_graph() {
    let mut text = String::from(
        "ScenarioFile(\n    name: \"Dense\",\n    horizon: Horizon(turns: 2),\n    actors: [ActorDef(id: \"A\", name: \"Alpha\")],\n    infrastructure: [\n",
    );
    for i in 0..500 {
        text.push_str(&format!(
            "        AssetDef(id: \"grid-{i}\", owner: \"A\", sector: Power),\n        AssetDef(id: \"hospital-{i}\", owner: \"A\", sector: Health),\n"
        ));
    }
    text.push_str("    ],\n)\n");
    insta::assert_snapshot!(render("dense.ron", &text));
}
