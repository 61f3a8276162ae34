//! `runs.csv` / `runs.jsonl`: one row per run with every per-run metric.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use super::Format;
pub use super::row::{Cell, RowWriter, fmt_num};
use super::row::{CsvRows, JsonlRows};
use crate::model::sector::Sector;
use crate::model::state::TierGroup;
use crate::record::RunRecord;
use crate::scenario::Scenario;

/// Column names of the runs table for a scenario.
pub fn columns(s: &Scenario) -> Vec<String> {
    let mut c: Vec<String> = [
        "run",
        "seed",
        "outcome",
        "turns_played",
        "highest_rung",
        "highest_rung_signatories",
        "highest_rung_others",
        "final_rung",
        "first_force_turn",
        "mean_score",
        "total_score",
        "max_score",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    c.extend(TierGroup::ALL.iter().map(|g| format!("score_{}", g.slug())));
    c.push("downtime".into());
    c.extend(Sector::ALL.iter().map(|x| format!("downtime_{}", x.slug())));
    c.extend(
        [
            "downtime_signatories",
            "downtime_others",
            "civilian_harm",
            "operations",
            "violations_by_signatories",
            "violations_by_others",
        ]
        .map(String::from),
    );
    c.extend(s.actions.iter().map(|a| format!("n_{}", a.id)));
    c.extend(s.principles.iter().map(|p| format!("violations_{}", p.key)));
    c.extend(
        [
            "detected",
            "undetected",
            "beliefs",
            "beliefs_wrong",
            "attributions_public",
            "attributions_wrong",
            "mean_attribution_delay",
            "sanctions",
            "force_uses",
            "deescalations",
            "talks_offered",
            "talks_accepted",
            "retaliations",
            "retaliations_wrong",
            "hostile_dyads",
            "rival_dyads",
            "rival_dyads_in_conflict",
        ]
        .map(String::from),
    );
    c
}

/// The row of one run, in the order of [`columns`].
pub fn values(index: u64, r: &RunRecord) -> Vec<Cell> {
    use Cell::*;
    let int = |x: u32| Int(i64::from(x));
    let max_score = r.score.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut v = vec![
        Int(index as i64),
        Text(r.seed.to_string()),
        Text(r.outcome.slug().into()),
        int(r.turns_played),
        Text(r.highest_rung.slug().into()),
        Text(r.highest_rung_signatories.slug().into()),
        Text(r.highest_rung_others.slug().into()),
        Text(r.final_rung.slug().into()),
        r.first_force_turn.map_or(Empty, int),
        Num(r.mean_score()),
        Num(r.total_score()),
        if max_score.is_finite() { Num(max_score) } else { Empty },
    ];
    v.extend(r.score_by_tier.iter().map(|&x| Num(x)));
    v.push(Num(r.downtime()));
    v.extend(r.downtime_by_sector.iter().map(|&d| Num(d)));
    v.extend([
        Num(r.downtime_signatories),
        Num(r.downtime_others),
        Num(r.civilian_harm),
        int(r.operations()),
        int(r.violations_by_signatories),
        int(r.violations_by_others),
    ]);
    v.extend(r.choices_by_action.iter().map(|&n| int(n)));
    v.extend(r.violations_bound.iter().zip(&r.violations_unbound).map(|(a, b)| int(a + b)));
    v.extend([
        int(r.detected),
        int(r.undetected),
        int(r.beliefs),
        int(r.beliefs_wrong),
        int(r.attributions_public),
        int(r.attributions_wrong),
        r.mean_attribution_delay.map_or(Empty, Num),
        int(r.sanctions),
        int(r.force_uses),
        int(r.deescalations),
        int(r.talks_offered),
        int(r.talks_accepted),
        int(r.retaliations),
        int(r.retaliations_wrong),
        int(r.hostile_dyads),
        int(r.rival_dyads),
        int(r.rival_dyads_in_conflict),
    ]);
    v
}

/// Reopens `DIR/NAME.EXT` (CSV or JSON Lines) cut to its first `len` bytes, to append
/// rows after them; `columns` are those of its header (not written again).
pub fn reopen(
    dir: &Path,
    name: &str,
    format: Format,
    len: u64,
    columns: &[String],
) -> std::io::Result<Box<dyn RowWriter>> {
    let path = dir.join(format!("{name}.{}", format.ext()));
    let file = std::fs::OpenOptions::new().write(true).open(&path)?;
    if file.metadata()?.len() < len {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} is shorter than its checkpoint says", path.display()),
        ));
    }
    file.set_len(len)?;
    drop(file);
    let file = std::fs::OpenOptions::new().append(true).open(&path)?;
    match format {
        Format::Csv => Ok(Box::new(CsvRows(csv::Writer::from_writer(BufWriter::new(file))))),
        Format::Jsonl => Ok(Box::new(JsonlRows { out: BufWriter::new(file), columns: columns.to_vec() })),
        Format::Parquet => {
            Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "a Parquet batch cannot be resumed"))
        }
    }
}

/// Opens a row writer for `DIR/NAME.EXT`.
pub fn open(dir: &Path, name: &str, format: Format) -> std::io::Result<Box<dyn RowWriter>> {
    let path = dir.join(format!("{name}.{}", format.ext()));
    match format {
        Format::Csv => Ok(Box::new(CsvRows(csv::Writer::from_writer(BufWriter::new(File::create(path)?))))),
        Format::Jsonl => Ok(Box::new(JsonlRows { out: BufWriter::new(File::create(path)?), columns: Vec::new() })),
        Format::Parquet => parquet_writer(path),
    }
}

#[cfg(feature = "parquet")]
fn parquet_writer(path: std::path::PathBuf) -> std::io::Result<Box<dyn RowWriter>> {
    super::parquet::open(path)
}

#[cfg(not(feature = "parquet"))]
fn parquet_writer(_: std::path::PathBuf) -> std::io::Result<Box<dyn RowWriter>> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "this escalate was built without Parquet support; rebuild with `cargo build --release --features parquet`, or use --format csv",
    ))
}
