//! The calibration file (`data/calibration.ron`, or `--targets FILE`): the published
//! figures the model is held to, and the implausible worlds it must fail on.

use serde::{Deserialize, Serialize};

use crate::model::sector::Sector;
use crate::scenario::builtin;
use crate::stats::{poisson95, wilson95};

const BUILT_IN: &str = include_str!("../../data/calibration.ron");
/// Display name of the built-in calibration file.
pub const BUILT_IN_NAME: &str = "data/calibration.ron";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Calibration")]
pub struct CalibrationFile {
    pub targets: Vec<Target>,
    #[serde(default)]
    pub controls: Vec<Control>,
}

/// What a target is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// A figure the defaults were chosen to meet; the only kind `--fit` searches against.
    Tuning,
    /// Held out: never used to choose a value. Checked with `--validate`, shown apart.
    Validation,
    /// Shown for comparison, never a verdict (its source is not the historical record).
    Secondary,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Tuning => "tuning",
            Role::Validation => "validation",
            Role::Secondary => "secondary",
        }
    }
}

/// One published figure and how the model's counterpart is measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub id: String,
    pub figure: String,
    pub role: Role,
    /// Built-in scenarios (file stems) it is measured on, pooled; empty: the scenario
    /// given on the command line.
    #[serde(default)]
    pub scenarios: Vec<String>,
    /// Overrides (path, value) for this figure's runs only.
    #[serde(default)]
    pub set: Vec<(String, String)>,
    pub measure: Measure,
    pub observed: Observed,
    pub source: String,
    pub how: String,
}

/// How the simulated figure is computed from runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Measure {
    /// Intelligence-rung operations ÷ operations.
    EspionageShare,
    /// Destructive-or-worse operations ÷ operations.
    DestructiveShare,
    /// Operations by these states and their proxies ÷ operations by states and proxies.
    SponsorShare(Vec<String>),
    /// Rival dyads in which one side publicly named the other ÷ rival dyads.
    RivalDyadsNamed,
    /// Public attributions of operations below the destructive rung ÷ public attributions.
    LowSeverityShare,
    /// Disruptive-or-worse operations on the sector's assets ÷ years simulated.
    SectorAttacksPerYear(Sector),
    /// Runs ending in armed conflict ÷ runs.
    ArmedConflictShare,
    /// Median weeks from the first scripted operation with one of these actions to the
    /// first correct public attribution of one of them.
    WeeksToNaming { actions: Vec<String> },
    /// Median weeks from the first scripted operation with one of `after` to the first
    /// sanction by `by` on `against`.
    WeeksToSanction { by: String, against: String, after: Vec<String> },
    /// Capacity-building choices ÷ disruptive-or-worse operations.
    CapacityPerAttack,
}

impl Measure {
    /// A duration measured per run, summarised by its Kaplan-Meier median.
    pub fn is_duration(&self) -> bool {
        matches!(self, Measure::WeeksToNaming { .. } | Measure::WeeksToSanction { .. })
    }

    /// The measure needs each run's event journal.
    pub fn needs_events(&self) -> bool {
        self.is_duration()
    }

    pub fn unit(&self) -> Unit {
        match self {
            Measure::EspionageShare
            | Measure::DestructiveShare
            | Measure::SponsorShare(_)
            | Measure::RivalDyadsNamed
            | Measure::LowSeverityShare
            | Measure::ArmedConflictShare => Unit::Share,
            Measure::SectorAttacksPerYear(_) => Unit::PerYear,
            Measure::WeeksToNaming { .. } | Measure::WeeksToSanction { .. } => Unit::Weeks,
            Measure::CapacityPerAttack => Unit::Ratio,
        }
    }
}

/// What a figure counts, for tables and axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    Share,
    PerYear,
    Weeks,
    Ratio,
}

/// The published figure with its uncertainty, which is the tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Observed {
    /// k of n: the Wilson 95% interval.
    Proportion(u64, u64),
    /// k of n units over `years`: a constant per-unit rate, scaled to the horizon.
    ScaledProportion(u64, u64, f64),
    /// A count of events over `years`: the exact Poisson 95% interval, per year.
    Rate(u64, f64),
    /// Known to a factor: x / f .. x × f.
    Factor(f64, f64),
    /// A value with a stated interval.
    Between(f64, f64, f64),
    AtLeast(f64),
    AtMost(f64),
}

impl Observed {
    /// (value, low, high) for a horizon of `years`; an open end is infinite.
    pub fn band(&self, years: f64) -> (f64, f64, f64) {
        match *self {
            Observed::Proportion(k, n) => {
                let (lo, hi) = wilson95(k, n);
                (k as f64 / n as f64, lo, hi)
            }
            Observed::ScaledProportion(k, n, over) => {
                let scale = |p: f64| 1.0 - (1.0 - p).powf(years / over);
                let (lo, hi) = wilson95(k, n);
                (scale(k as f64 / n as f64), scale(lo), scale(hi))
            }
            Observed::Rate(count, over) => {
                let (lo, hi) = poisson95(count);
                (count as f64 / over, lo / over, hi / over)
            }
            Observed::Factor(x, f) => (x, x / f, x * f),
            Observed::Between(x, lo, hi) => (x, lo, hi),
            Observed::AtLeast(x) => (x, x, f64::INFINITY),
            Observed::AtMost(x) => (x, f64::NEG_INFINITY, x),
        }
    }

    /// The tolerance in words.
    pub fn describe(&self) -> String {
        match *self {
            Observed::Proportion(k, n) => format!("{k} of {n} (Wilson 95%)"),
            Observed::ScaledProportion(k, n, y) => format!("{k} of {n} in {y} years, scaled (Wilson 95%)"),
            Observed::Rate(c, y) => format!("{c} in {y} years (exact Poisson 95%)"),
            Observed::Factor(x, f) => format!("{x} within a factor of {f}"),
            Observed::Between(..) => "stated interval".into(),
            Observed::AtLeast(x) => format!("at least {x}"),
            Observed::AtMost(x) => format!("at most {x}"),
        }
    }
}

/// A deliberately implausible world: overrides applied to every scenario.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub description: String,
    pub set: Vec<(String, String)>,
    /// Why the record cannot see this world, if it cannot: the control is then expected
    /// to pass, and is reported as a known blind spot rather than a failure.
    #[serde(default)]
    pub blind_spot: Option<String>,
}

/// The built-in calibration file.
pub fn built_in() -> CalibrationFile {
    parse(BUILT_IN_NAME, BUILT_IN).expect("data/calibration.ron parses and checks (tested)")
}

/// The built-in file's text (copied into each calibration directory).
pub fn built_in_text() -> &'static str {
    BUILT_IN
}

/// Parses and checks a calibration file. Errors name the file, line and column.
pub fn parse(name: &str, text: &str) -> Result<CalibrationFile, String> {
    let file: CalibrationFile = ron::from_str(text).map_err(|e| {
        format!(
            "{name}:{}:{}: {}\n  hint: see data/calibration.ron for the format of targets and controls",
            e.span.start.line, e.span.start.col, e.code
        )
    })?;
    let mut problems = Vec::new();
    let at = |id: &str| locate(text, id);
    let mut seen = std::collections::HashSet::new();
    for t in &file.targets {
        let (line, col) = at(&t.id);
        let mut bad = |msg: String| problems.push(format!("{name}:{line}:{col}: target `{}`: {msg}", t.id));
        if !seen.insert(t.id.clone()) {
            bad("a second target has this id; ids must be unique".into());
        }
        for s in &t.scenarios {
            if builtin::scenario(s).is_none() {
                let names: Vec<&str> = builtin::SCENARIOS.iter().map(|(n, _)| *n).collect();
                bad(format!("no built-in scenario `{s}` (built in: {})", names.join(", ")));
            }
        }
        match t.observed {
            Observed::Proportion(k, n) | Observed::ScaledProportion(k, n, _) if n == 0 || k > n => {
                bad(format!("a proportion needs 0 ≤ k ≤ n and n > 0, not {k} of {n}"))
            }
            Observed::ScaledProportion(_, _, y) | Observed::Rate(_, y) if y.is_nan() || y <= 0.0 => {
                bad(format!("the period must be a positive number of years, not {y}"))
            }
            Observed::Factor(x, f) if !(f > 1.0 && x > 0.0) => {
                bad(format!("Factor(x, f) needs x > 0 and f > 1, not ({x}, {f})"))
            }
            Observed::Between(x, lo, hi) if !(lo <= x && x <= hi) => {
                bad(format!("Between(value, low, high) needs low ≤ value ≤ high, not ({x}, {lo}, {hi})"))
            }
            _ => {}
        }
        if t.measure.is_duration() && !matches!(t.observed, Observed::Factor(..) | Observed::Between(..)) {
            bad("a duration's observed figure is Factor(weeks, f) or Between(weeks, low, high)".into());
        }
    }
    let mut seen = std::collections::HashSet::new();
    for c in &file.controls {
        if !seen.insert(c.id.clone()) {
            let (line, col) = at(&c.id);
            problems.push(format!("{name}:{line}:{col}: control `{}`: a second control has this id", c.id));
        }
    }
    if file.targets.iter().all(|t| t.role != Role::Tuning) {
        problems.push(format!("{name}: no target has role Tuning: there is nothing to calibrate against"));
    }
    if problems.is_empty() { Ok(file) } else { Err(problems.join("\n")) }
}

/// Line and column (1-based) of the first `"id"` in the text, for messages.
fn locate(text: &str, id: &str) -> (usize, usize) {
    let needle = format!("\"{id}\"");
    let at = text.find(&needle).unwrap_or(0);
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |p| p + 1) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_file_parses_and_checks() {
        let f = built_in();
        assert!(f.targets.iter().filter(|t| t.role == Role::Tuning).count() >= 6);
        assert!(f.targets.iter().any(|t| t.role == Role::Validation));
        assert!(f.controls.len() >= 3);
        assert!(f.targets.iter().all(|t| !t.source.is_empty() && !t.how.is_empty()));
    }

    #[test]
    fn intervals_match_the_published_counts() {
        // The figures: espionage 20/28 ≈ 0.53-0.85, destructive 5/28 ≈ 0.08-0.36.
        let (_, lo, hi) = Observed::Proportion(20, 28).band(0.5);
        assert!((lo - 0.53).abs() < 0.01 && (hi - 0.85).abs() < 0.01, "{lo} {hi}");
        let (_, lo, hi) = Observed::Proportion(5, 28).band(0.5);
        assert!((lo - 0.08).abs() < 0.01 && (hi - 0.36).abs() < 0.01, "{lo} {hi}");
        // DCID: 20/126 over 11 years is about 0.008 per half-year.
        let (x, lo, hi) = Observed::ScaledProportion(20, 126, 11.0).band(0.5);
        assert!((x - 0.0078).abs() < 0.0005 && lo < x && x < hi, "{x} {lo} {hi}");
    }

    #[test]
    fn mistakes_are_located() {
        let bad = "Calibration(targets: [Target(id: \"a\", figure: \"f\", role: Tuning, measure: EspionageShare,\n observed: Proportion(30, 28), source: \"s\", how: \"h\")])";
        let e = parse("t.ron", bad).unwrap_err();
        assert!(e.contains("t.ron:1:") && e.contains("30 of 28"), "{e}");
        let e = parse("t.ron", "Calibration(targets: [], colour: 3)").unwrap_err();
        assert!(e.starts_with("t.ron:1:"), "{e}");
    }
}
