//! Data that ships inside the binary: norm sets, the action catalogue, the default scenario.

use std::sync::OnceLock;

use super::schema::{ActionDef, NormSetDef};

/// The default scenario, `scenarios/paris-call-2018.ron`, so `escalate batch` works anywhere.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/paris-call-2018.ron");
/// Display name of the embedded default scenario.
pub const DEFAULT_SCENARIO_NAME: &str = "paris-call-2018.ron";

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
