//! Rows of named cells and the writers of the text row formats (CSV, JSON Lines): the
//! one small trait every row file is written through. The Parquet writer
//! ([`super::parquet`]) implements it too; [`super::runs::open`] picks the writer.

use std::fs::File;
use std::io::{BufWriter, Write};

/// A cell of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Int(i64),
    Num(f64),
    Text(String),
    Empty,
}

impl Cell {
    fn csv(&self) -> String {
        match self {
            Cell::Int(i) => i.to_string(),
            Cell::Num(x) => fmt_num(*x),
            Cell::Text(t) => t.clone(),
            Cell::Empty => String::new(),
        }
    }
    fn json(&self) -> serde_json::Value {
        match self {
            Cell::Int(i) => (*i).into(),
            Cell::Num(x) => {
                serde_json::Number::from_f64(crate::stats::round6(*x)).map_or(serde_json::Value::Null, Into::into)
            }
            Cell::Text(t) => t.clone().into(),
            Cell::Empty => serde_json::Value::Null,
        }
    }
}

/// Numbers are written rounded to six decimals: stable across platforms and readable.
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let r = crate::stats::round6(x);
    if r == 0.0 { "0".into() } else { format!("{r}") }
}

/// Writes rows of named cells in one of the row formats.
pub trait RowWriter {
    fn header(&mut self, columns: &[String]) -> std::io::Result<()>;
    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()>;
    fn finish(self: Box<Self>) -> std::io::Result<()>;
    /// Writes buffered rows to the file (for a resumable checkpoint).
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(super) struct CsvRows(pub(super) csv::Writer<BufWriter<File>>);

impl RowWriter for CsvRows {
    fn header(&mut self, columns: &[String]) -> std::io::Result<()> {
        self.0.write_record(columns).map_err(std::io::Error::other)
    }
    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        self.0.write_record(cells.iter().map(Cell::csv)).map_err(std::io::Error::other)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
    fn finish(self: Box<Self>) -> std::io::Result<()> {
        let mut w = self.0.into_inner().map_err(|e| std::io::Error::other(e.to_string()))?;
        w.flush()?;
        w.get_ref().sync_all()
    }
}

pub(super) struct JsonlRows {
    pub(super) out: BufWriter<File>,
    pub(super) columns: Vec<String>,
}

impl RowWriter for JsonlRows {
    fn header(&mut self, columns: &[String]) -> std::io::Result<()> {
        self.columns = columns.to_vec();
        Ok(())
    }
    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        let mut obj = serde_json::Map::new();
        for (k, c) in self.columns.iter().zip(cells) {
            obj.insert(k.clone(), c.json());
        }
        serde_json::to_writer(&mut self.out, &obj)?;
        self.out.write_all(b"\n")
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
    fn finish(mut self: Box<Self>) -> std::io::Result<()> {
        self.out.flush()?;
        self.out.get_ref().sync_all()
    }
}
