//! `runs.parquet` / `turns.parquet` (cargo feature `parquet`): the same rows as the CSV
//! and JSONL writers, in a Snappy-compressed Parquet file written with the parquet
//! crate's low-level column writers (no Arrow).
//!
//! - Every column is OPTIONAL: an empty cell, and a non-finite number (which CSV
//!   writes as an empty field and JSONL as `null`), is a null.
//! - A column's physical type is that of its first non-empty cell in the first row
//!   group: `Int` → INT64, `Num` → DOUBLE, `Text` → BYTE_ARRAY annotated as a UTF-8
//!   STRING. A column with no value in the first row group is DOUBLE.
//! - Later cells of another kind are converted where nothing is lost: an `Int` in a
//!   DOUBLE column is written as a double, a whole `Num` in an INT64 column as an
//!   integer, a number in a STRING column as its decimal text. Anything else (text
//!   in a numeric column, a fraction in an INT64 column) is an `InvalidData` error.
//! - Numbers are written at full precision (CSV and JSONL round to six decimals).
//! - Column names are kept exactly as the header gives them (`violations_paris-call:1`):
//!   the schema is built with the types builder, which takes any name, not parsed
//!   from a message-type string.
//! - Rows are buffered column by column, [`ROW_GROUP_ROWS`] at a time, then written
//!   as one row group, so memory stays flat however many rows a batch has.

use std::fs::File;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use super::row::{Cell, RowWriter};

/// Rows per row group.
pub const ROW_GROUP_ROWS: usize = 16 * 1024;

/// Opens a Parquet row writer for `path` (created, or truncated, now; written from the
/// first full row group on; complete once `finish` returns).
pub fn open(path: PathBuf) -> io::Result<Box<dyn RowWriter>> {
    let file = File::create(&path)?;
    Ok(Box::new(ParquetRows { path, file: Some(file), writer: None, columns: Vec::new(), rows: 0 }))
}

struct ParquetRows {
    path: PathBuf,
    /// The file, until the first row group fixes the schema and the writer takes it.
    file: Option<File>,
    writer: Option<SerializedFileWriter<File>>,
    columns: Vec<Column>,
    /// Rows buffered in `columns`.
    rows: usize,
}

/// One column's buffered values and definition levels (1: a value, 0: null).
struct Column {
    name: String,
    values: Values,
    def: Vec<i16>,
}

enum Values {
    /// No non-empty cell seen yet (first row group only).
    Undecided,
    Int(Vec<i64>),
    Num(Vec<f64>),
    Text(Vec<ByteArray>),
}

impl Column {
    fn push(&mut self, cell: &Cell) -> io::Result<()> {
        if let Values::Undecided = self.values {
            self.values = match cell {
                Cell::Empty => Values::Undecided,
                Cell::Int(_) => Values::Int(Vec::new()),
                Cell::Num(_) => Values::Num(Vec::new()),
                Cell::Text(_) => Values::Text(Vec::new()),
            };
        }
        let present = match (&mut self.values, cell) {
            (_, Cell::Empty) | (Values::Undecided, _) => false,
            (_, Cell::Num(x)) if !x.is_finite() => false,
            (Values::Int(v), Cell::Int(i)) => {
                v.push(*i);
                true
            }
            (Values::Int(v), Cell::Num(x)) if x.fract() == 0.0 && x.abs() < 9.2e18 => {
                v.push(*x as i64);
                true
            }
            (Values::Num(v), Cell::Num(x)) => {
                v.push(*x);
                true
            }
            (Values::Num(v), Cell::Int(i)) => {
                v.push(*i as f64);
                true
            }
            (Values::Text(v), Cell::Text(t)) => {
                v.push(ByteArray::from(t.as_bytes().to_vec()));
                true
            }
            (Values::Text(v), Cell::Int(i)) => {
                v.push(ByteArray::from(i.to_string().into_bytes()));
                true
            }
            (Values::Text(v), Cell::Num(x)) => {
                v.push(ByteArray::from(x.to_string().into_bytes()));
                true
            }
            (values, cell) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("parquet column `{}` is {}, cannot hold {cell:?}", self.name, values.kind()),
                ));
            }
        };
        self.def.push(i16::from(present));
        Ok(())
    }
}

impl Values {
    fn kind(&self) -> &'static str {
        match self {
            Values::Undecided | Values::Num(_) => "DOUBLE",
            Values::Int(_) => "INT64",
            Values::Text(_) => "STRING",
        }
    }
}

impl ParquetRows {
    /// Writes the buffered rows as one row group, creating the file writer (and fixing
    /// the schema) the first time.
    fn flush_group(&mut self) -> io::Result<()> {
        if self.writer.is_none() {
            self.start()?;
        }
        if self.rows == 0 {
            return Ok(());
        }
        let writer = self.writer.as_mut().expect("started above");
        let mut group = writer.next_row_group()?;
        for c in &mut self.columns {
            let mut col = group.next_column()?.ok_or_else(|| io::Error::other("parquet schema has too few columns"))?;
            let def = Some(c.def.as_slice());
            match &mut c.values {
                Values::Int(v) => {
                    col.typed::<Int64Type>().write_batch(v, def, None)?;
                    v.clear();
                }
                Values::Num(v) => {
                    col.typed::<DoubleType>().write_batch(v, def, None)?;
                    v.clear();
                }
                Values::Text(v) => {
                    col.typed::<ByteArrayType>().write_batch(v, def, None)?;
                    v.clear();
                }
                Values::Undecided => unreachable!("decided when the writer started"),
            }
            col.close()?;
            c.def.clear();
        }
        group.close()?;
        self.rows = 0;
        Ok(())
    }

    /// Fixes each column's type from the first row group and opens the file writer.
    fn start(&mut self) -> io::Result<()> {
        let mut fields = Vec::with_capacity(self.columns.len());
        for c in &mut self.columns {
            if let Values::Undecided = c.values {
                c.values = Values::Num(Vec::new());
            }
            let (physical, logical) = match c.values {
                Values::Int(_) => (Physical::INT64, None),
                Values::Text(_) => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
                Values::Num(_) | Values::Undecided => (Physical::DOUBLE, None),
            };
            let field = Type::primitive_type_builder(&c.name, physical)
                .with_repetition(Repetition::OPTIONAL)
                .with_logical_type(logical)
                .build()?;
            fields.push(Arc::new(field));
        }
        let schema = Type::group_type_builder("schema").with_fields(fields).build()?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("escalate {}", env!("CARGO_PKG_VERSION")))
            .build();
        let file = self.file.take().ok_or_else(|| io::Error::other("parquet writer already started"))?;
        self.writer = Some(SerializedFileWriter::new(file, Arc::new(schema), Arc::new(props))?);
        Ok(())
    }
}

impl RowWriter for ParquetRows {
    fn header(&mut self, columns: &[String]) -> io::Result<()> {
        if self.writer.is_some() || self.rows > 0 {
            return Err(io::Error::other(format!("{}: header after rows", self.path.display())));
        }
        self.columns = columns
            .iter()
            .map(|name| Column { name: name.clone(), values: Values::Undecided, def: Vec::new() })
            .collect();
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        if cells.len() != self.columns.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: a row of {} cells for {} columns", self.path.display(), cells.len(), self.columns.len()),
            ));
        }
        for (c, cell) in self.columns.iter_mut().zip(cells) {
            c.push(cell)?;
        }
        self.rows += 1;
        if self.rows >= ROW_GROUP_ROWS { self.flush_group() } else { Ok(()) }
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.flush_group()?;
        let writer = self.writer.take().expect("flush_group starts the writer");
        let file = writer.into_inner()?;
        file.sync_all()
    }
}
