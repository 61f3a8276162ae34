//! Parquet output (cargo feature `parquet`): `escalate batch --format parquet` writes
//! runs.parquet and turns.parquet that, read back with the parquet crate, hold the same
//! rows as the same batch written as CSV; and the row writer's typing, nulls, column
//! names and row groups. Run with `cargo test --release --features parquet --test parquet`.
#![cfg(feature = "parquet")]

use std::fs::File;
use std::path::Path;

use assert_cmd::Command;
use escalate::output::parquet::{ROW_GROUP_ROWS, open};
use escalate::output::row::Cell;
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
    row_groups: usize,
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
    Parquet { columns, rows, row_groups: reader.metadata().num_row_groups() }
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
    let run: Vec<Field> = column(&runs_pq, "run").cloned().collect();
    assert_eq!(run, (0..RUNS as i64).map(Field::Long).collect::<Vec<_>>());
    assert!(column(&runs_pq, "mean_score").all(|f| matches!(f, Field::Double(x) if x.is_finite())));

    let (turns_csv, turns_pq) = (read_csv(&csv_dir.join("turns.csv")), read_parquet(&pq_dir.join("turns.parquet")));
    assert!(!turns_pq.rows.is_empty());
    assert_same_table(&turns_csv, &turns_pq, "turns");
    assert_eq!(physical(&turns_pq, "turn"), Physical::INT64);
    assert_eq!(physical(&turns_pq, "mean"), Physical::DOUBLE);
}

#[test]
fn types_nulls_odd_names_and_row_groups() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("t.parquet");
    let mut w = open(path.clone()).unwrap();
    let cols = ["i", "x", "s", "violations_paris-call:1", "late"].map(String::from);
    w.header(&cols).unwrap();
    let n = ROW_GROUP_ROWS + 10;
    for k in 0..n {
        let late = if k < ROW_GROUP_ROWS { Cell::Empty } else { Cell::Int(7) };
        let x = if k % 3 == 0 { Cell::Empty } else { Cell::Num(k as f64 / 2.0) };
        let s = if k == 1 { Cell::Num(f64::NAN) } else { Cell::Text(format!("r{k}")) };
        w.row(&[Cell::Int(k as i64), x, s, Cell::Empty, late]).unwrap();
    }
    w.finish().unwrap();

    let t = read_parquet(&path);
    let types: Vec<Physical> = t.columns.iter().map(|c| c.1).collect();
    assert_eq!(t.columns.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(), cols);
    assert_eq!(types, [Physical::INT64, Physical::DOUBLE, Physical::BYTE_ARRAY, Physical::DOUBLE, Physical::DOUBLE]);
    assert_eq!(t.row_groups, 2);
    assert_eq!(t.rows.len(), n);
    assert_eq!(t.rows[0], [Field::Long(0), Field::Null, Field::Str("r0".into()), Field::Null, Field::Null]);
    assert_eq!(t.rows[1][1], Field::Double(0.5));
    // A non-finite number is a null, as in CSV and JSONL.
    assert_eq!(t.rows[1][2], Field::Null);
    // All empty in the first row group: DOUBLE, so a later Int is a double.
    assert_eq!(t.rows[n - 1][4], Field::Double(7.0));
}

#[test]
fn no_rows_is_a_readable_empty_file() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("e.parquet");
    let mut w = open(path.clone()).unwrap();
    w.header(&["a".to_string()]).unwrap();
    w.finish().unwrap();
    let t = read_parquet(&path);
    assert_eq!((t.columns, t.rows.len(), t.row_groups), (vec![("a".to_string(), Physical::DOUBLE)], 0, 0));
}

#[test]
fn text_in_a_numeric_column_is_an_error() {
    let dir = TempDir::new().unwrap();
    let mut w = open(dir.path().join("x.parquet")).unwrap();
    w.header(&["a".to_string()]).unwrap();
    w.row(&[Cell::Int(1)]).unwrap();
    let e = w.row(&[Cell::Text("no".into())]).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    assert!(e.to_string().contains("`a`"), "{e}");
}
