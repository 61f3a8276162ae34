//! `escalate run [SCENARIO] --seed N [--json]`

use std::path::PathBuf;
use std::sync::Arc;

use super::{Failure, load_scenario, write_stdout};
use crate::narrative;
use crate::sim;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (default: the built-in paris-call-2018 scenario).
    pub scenario: Option<PathBuf>,
    /// Seed of the run: the same scenario and seed always give the same run.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Emit the events as JSON Lines, then one summary line, instead of the narrative.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let loaded = load_scenario(args.scenario.as_deref())?;
    let scenario = Arc::new(loaded.scenario);
    let record = sim::run(&scenario, args.seed, true);
    if args.json {
        let mut out = String::new();
        for e in &record.events {
            out.push_str(&serde_json::to_string(e).map_err(|e| Failure::Internal(e.to_string()))?);
            out.push('\n');
        }
        let mut summary = serde_json::to_value(&record).map_err(|e| Failure::Internal(e.to_string()))?;
        if let Some(obj) = summary.as_object_mut() {
            obj.insert("event".into(), "summary".into());
            obj.insert("scenario".into(), scenario.name.clone().into());
        }
        out.push_str(&summary.to_string());
        out.push('\n');
        write_stdout(&out)
    } else {
        write_stdout(&narrative::render(&scenario, &record))
    }
}
