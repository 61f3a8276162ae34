//! Data that ships inside the binary: norm sets, the action catalogue, the default scenario.

use std::sync::OnceLock;

use super::schema::{ActionDef, NormSetDef};

/// The default scenario, `scenarios/paris-call-2018.ron`, so `escalate batch` works anywhere.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/paris-call-2018.ron");
/// Display name of the embedded default scenario.
pub const DEFAULT_SCENARIO_NAME: &str = "paris-call-2018.ron";

/// Every scenario of `scenarios/`, by file stem, so that `escalate calibrate` can measure
/// its crisis targets wherever the binary is installed.
pub const SCENARIOS: [(&str, &str); 9] = [
    ("paris-call-2018", DEFAULT_SCENARIO),
    ("paris-call-2021", include_str!("../../scenarios/paris-call-2021.ron")),
    ("grid-wiper", include_str!("../../scenarios/grid-wiper.ron")),
    ("wannacry-2017", include_str!("../../scenarios/wannacry-2017.ron")),
    ("notpetya-2017", include_str!("../../scenarios/notpetya-2017.ron")),
    ("internet-core", include_str!("../../scenarios/internet-core.ron")),
    ("election-interference", include_str!("../../scenarios/election-interference.ron")),
    ("opcw-2018", include_str!("../../scenarios/opcw-2018.ron")),
    ("classroom-90min", include_str!("../../scenarios/classroom-90min.ron")),
];

/// The text of a built-in scenario, by file stem.
pub fn scenario(stem: &str) -> Option<&'static str> {
    SCENARIOS.iter().find(|(s, _)| *s == stem).map(|(_, t)| *t)
}

const NORM_SETS: [&str; 4] = [
    include_str!("../../data/norms/paris-call.ron"),
    include_str!("../../data/norms/un-gge-2015.ron"),
    include_str!("../../data/norms/gcsc-2019.ron"),
    include_str!("../../data/norms/un-charter.ron"),
];

/// The norm set every state is bound by from turn 1: the UN Charter's prohibition of force.
pub const CHARTER: &str = "un-charter";
const CATALOGUE: &str = include_str!("../../data/catalogue.ron");

/// The built-in norm sets: Paris Call, UN GGE 2015, GCSC 2019, UN Charter (force).
pub fn norm_sets() -> &'static [NormSetDef] {
    static SETS: OnceLock<Vec<NormSetDef>> = OnceLock::new();
    SETS.get_or_init(|| {
        NORM_SETS.iter().map(|t| ron::from_str(t).expect("built-in norm set parses (checked by tests)")).collect()
    })
}

/// The built-in action catalogue.
pub fn catalogue() -> &'static [ActionDef] {
    static CAT: OnceLock<Vec<ActionDef>> = OnceLock::new();
    CAT.get_or_init(|| ron::from_str(CATALOGUE).expect("built-in catalogue parses (checked by tests)"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn builtins_parse() {
        assert_eq!(super::norm_sets().len(), 4);
        assert_eq!(super::norm_sets()[0].principles.len(), 9);
        assert!(super::catalogue().len() >= 15);
    }
}
