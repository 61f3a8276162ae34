//! `escalate batch --format parquet` (cargo feature `parquet`): runs.parquet and
//! turns.parquet read back with the parquet crate hold the same rows as the same batch
//! written as CSV. Run with `cargo test --release --features parquet --test parquet`.
#![cfg(feature = "parquet")]

use std::fs::File;
use std::path::Path;

use assert_cmd::Command;
use parquet::basic::Type as Physical;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use tempfile::TempDir;

const RUNS: usize = 50;

fn batch(out: &Path, format: &str) {
    Command::cargo_bin("escalate")
        .expect("the escalate binary is built")
        .env("NO_COLOR", "1")
        .env_remove("ESCALATE_SHARD_COUNT")
        .args(["batch", "--format", format, "--runs", &RUNS.to_string(), "--seed", "7", "--no-charts", "--quiet"])
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

struct Table {
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn read_csv(path: &Path) -> Table {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let columns = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r.records().map(|rec| rec.unwrap().iter().map(String::from).collect()).collect();
    Table { columns, rows }
}

struct Parquet {
    columns: Vec<(String, Physical)>,
    rows: Vec<Vec<Field>>,
}

fn read_parquet(path: &Path) -> Parquet {
    let file = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = SerializedFileReader::new(file).unwrap();
    let meta = reader.metadata().file_metadata();
    let columns = meta.schema_descr().columns().iter().map(|c| (c.name().to_string(), c.physical_type())).collect();
    let rows: Vec<Vec<Field>> = reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| row.unwrap().get_column_iter().map(|(_, f)| f.clone()).collect())
        .collect();
    assert_eq!(rows.len() as i64, meta.num_rows(), "{}: row count in the footer", path.display());
    Parquet { columns, rows }
}

/// A Parquet value against the CSV field of the same cell: CSV numbers are rounded to
/// six decimals, Parquet's are not.
fn same(p: &Field, c: &str) -> bool {
    match p {
        Field::Null => c.is_empty(),
        Field::Long(i) => c == i.to_string(),
        Field::Double(x) => c.parse::<f64>().is_ok_and(|y| (x - y).abs() <= 1e-6 * x.abs().max(1.0)),
        Field::Str(s) => c == s,
        other => panic!("unexpected parquet field {other:?}"),
    }
}

fn assert_same_table(csv: &Table, pq: &Parquet, name: &str) {
    let names: Vec<&str> = pq.columns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, csv.columns, "{name}: column names");
    assert_eq!(pq.rows.len(), csv.rows.len(), "{name}: row count");
    for (i, (p, c)) in pq.rows.iter().zip(&csv.rows).enumerate() {
        for (j, (pv, cv)) in p.iter().zip(c).enumerate() {
            assert!(same(pv, cv), "{name} row {i} column {}: parquet {pv:?}, csv {cv:?}", csv.columns[j]);
        }
    }
}

fn physical(pq: &Parquet, column: &str) -> Physical {
    pq.columns.iter().find(|(n, _)| n == column).unwrap_or_else(|| panic!("no column {column}")).1
}

fn column<'a>(t: &'a Parquet, name: &str) -> impl Iterator<Item = &'a Field> {
    let j = t.columns.iter().position(|(n, _)| n == name).unwrap();
    t.rows.iter().map(move |r| &r[j])
}

#[test]
fn parquet_tables_hold_the_same_rows_as_csv() {
    let tmp = TempDir::new().unwrap();
    let (csv_dir, pq_dir) = (tmp.path().join("csv"), tmp.path().join("parquet"));
    batch(&csv_dir, "csv");
    batch(&pq_dir, "parquet");
    assert!(!pq_dir.join("runs.csv").exists() && !pq_dir.join("turns.csv").exists());

    let (runs_csv, runs_pq) = (read_csv(&csv_dir.join("runs.csv")), read_parquet(&pq_dir.join("runs.parquet")));
    assert_eq!(runs_pq.rows.len(), RUNS);
    assert_same_table(&runs_csv, &runs_pq, "runs");
    assert_eq!(physical(&runs_pq, "run"), Physical::INT64);
    assert_eq!(physical(&runs_pq, "mean_score"), Physical::DOUBLE);
    assert_eq!(physical(&runs_pq, "outcome"), Physical::BYTE_ARRAY);
    // Names the message-type parser would reject are kept as they are.
    assert!(runs_pq.columns.iter().any(|(n, _)| n.starts_with("violations_") && n.contains([':', '-'])));
    let run: Vec<&Field> = column(&runs_pq, "run").collect();
    assert_eq!(run, (0..RUNS as i64).map(Field::Long).collect::<Vec<_>>().iter().collect::<Vec<_>>());
    assert!(column(&runs_pq, "mean_score").all(|f| matches!(f, Field::Double(x) if x.is_finite())));

    let (turns_csv, turns_pq) = (read_csv(&csv_dir.join("turns.csv")), read_parquet(&pq_dir.join("turns.parquet")));
    assert!(!turns_pq.rows.is_empty());
    assert_same_table(&turns_csv, &turns_pq, "turns");
    assert_eq!(physical(&turns_pq, "turn"), Physical::INT64);
    assert_eq!(physical(&turns_pq, "mean"), Physical::DOUBLE);
}
