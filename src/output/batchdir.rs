//! The files of one batch directory as a batch writes them: `scenario.ron`, the runs
//! table and optional events as runs finish, then the aggregate tables.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::dir::write_atomic;
use super::manifest::Manifest;
use super::row::RowWriter;
use super::runs;
use super::{Format, files, to_pretty, write_aggregates};
use crate::batch::Aggregate;
use crate::record::RunRecord;
use crate::scenario::Scenario;

pub struct BatchFiles {
    dir: PathBuf,
    format: Format,
    rows: Box<dyn RowWriter>,
    events: Option<BufWriter<File>>,
}

impl BatchFiles {
    /// Starts a batch directory's files in `dir` (which exists).
    pub fn open(dir: &Path, scenario: &Scenario, text: &str, format: Format, events: bool) -> io::Result<BatchFiles> {
        write_atomic(&dir.join(files::SCENARIO), text.as_bytes())?;
        let mut rows = runs::open(dir, "runs", format)?;
        rows.header(&runs::columns(scenario))?;
        let events = if events { Some(BufWriter::new(File::create(dir.join(files::EVENTS))?)) } else { None };
        Ok(BatchFiles { dir: dir.to_path_buf(), format, rows, events })
    }

    /// Reopens the files of an interrupted batch in `dir`, cut back to the lengths of
    /// its last checkpoint.
    pub fn reopen(
        dir: &Path,
        scenario: &Scenario,
        format: Format,
        runs_bytes: u64,
        events: Option<u64>,
    ) -> io::Result<BatchFiles> {
        let rows = runs::reopen(dir, "runs", format, runs_bytes, &runs::columns(scenario))?;
        let events = match events {
            Some(len) => {
                let path = dir.join(files::EVENTS);
                let f = std::fs::OpenOptions::new().write(true).open(&path)?;
                if f.metadata()?.len() < len {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "events.jsonl is shorter than its checkpoint says",
                    ));
                }
                f.set_len(len)?;
                drop(f);
                Some(BufWriter::new(std::fs::OpenOptions::new().append(true).open(&path)?))
            }
            None => None,
        };
        Ok(BatchFiles { dir: dir.to_path_buf(), format, rows, events })
    }

    /// Flushes the row and event files; returns their lengths in bytes.
    pub fn flush(&mut self) -> io::Result<(u64, Option<u64>)> {
        self.rows.flush()?;
        let runs = std::fs::metadata(self.dir.join(format!("runs.{}", self.format.ext())))?.len();
        let events = match self.events.as_mut() {
            Some(ev) => {
                ev.flush()?;
                Some(ev.get_ref().metadata()?.len())
            }
            None => None,
        };
        Ok((runs, events))
    }

    /// Appends run `index`.
    pub fn write(&mut self, index: u64, r: &RunRecord) -> io::Result<()> {
        self.rows.row(&runs::values(index, r))?;
        if let Some(ev) = self.events.as_mut() {
            for e in &r.events {
                let mut v = serde_json::to_value(e)?;
                if let Some(o) = v.as_object_mut() {
                    o.insert("run".into(), index.into());
                }
                serde_json::to_writer(&mut *ev, &v)?;
                ev.write_all(b"\n")?;
            }
        }
        Ok(())
    }

    /// Closes the row files and writes the aggregate tables.
    pub fn finish(self, scenario: &Scenario, agg: &Aggregate) -> io::Result<()> {
        self.rows.finish()?;
        if let Some(mut ev) = self.events {
            ev.flush()?;
            ev.get_ref().sync_all()?;
        }
        write_aggregates(&self.dir, scenario, agg, self.format)
    }
}

/// Writes `manifest.json`: last, since a directory with a manifest is complete. It
/// records every other file of the directory (length, rows, SHA-256).
pub fn write_manifest(dir: &Path, m: &Manifest) -> io::Result<()> {
    let mut m = m.clone();
    m.files = super::manifest::list_files(dir)?;
    write_atomic(&dir.join(files::MANIFEST), to_pretty(&m)?.as_bytes())
}
